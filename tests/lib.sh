# SPDX-License-Identifier: MIT
# Shared helpers for the script tests; sourced, never run.
: "${COURANT:?run through make check}"
: "${top_srcdir:?run through make check}"
export TZ=UTC LC_ALL=C.UTF-8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/courant-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { passes=$((passes + 1)); }
skip() { echo "SKIP: $*"; exit 77; }
finish() {
	echo "$passes passed, $failures failed"
	[ "$failures" -eq 0 ]
}
