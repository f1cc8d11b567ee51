# Script tests: golden parse output, the external conformance suite.
TESTS += tests/golden.sh tests/conformance.sh
EXTRA_DIST += tests/golden.sh tests/conformance.sh tests/conformance_check.py \
	tests/data

# Fuzzing: the targets and `make fuzz` (tests/fuzz/module.mk).
include $(srcdir)/tests/fuzz/module.mk

# The hostile-world suite (issue 8, docs/SECURITY.md): one Python script per
# category of SECURITY.md, each a list of named cases run by
# tests/hostile/harness.py against the real binary.
TEST_EXTENSIONS = .py
PY_LOG_COMPILER = $(PYTHON3)
HOSTILE_TESTS = tests/hostile/terminal.py tests/hostile/commands.py \
	tests/hostile/content.py tests/hostile/network.py \
	tests/hostile/storage.py tests/hostile/process.py
# table.py checks that docs/SECURITY.md lists every case as it is.
TESTS += $(HOSTILE_TESTS) tests/hostile/table.py
EXTRA_DIST += tests/hostile/harness.py $(HOSTILE_TESTS) \
	tests/hostile/table.py docs/SECURITY.md

# Sync against a real tt-rss on loopback (issue 9); skipped (77) where it
# cannot be installed or started.
TESTS += tests/sync/ttrss.sh
EXTRA_DIST += tests/sync/ttrss.sh tests/sync/ttrss-server.sh \
	tests/sync/ttrss_api.py
