# Script tests: golden parse output, the external conformance suite.
TESTS += tests/golden.sh tests/conformance.sh
EXTRA_DIST += tests/golden.sh tests/conformance.sh tests/data
