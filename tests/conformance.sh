#!/bin/sh
# SPDX-License-Identifier: MIT
# The external feed-parser conformance suite (../shared/conformance, beside
# the project; never copied in): feeds, HTTP-context feeds and dates.
. "$top_srcdir/tests/lib.sh"
suite=${CONFORMANCE_DIR:-$top_srcdir/../shared/conformance}
[ -f "$suite/run.py" ] || skip "no conformance suite at $suite"
[ -x "${PYTHON3:-}" ] || skip "python3 not found"
cd "$tmp"
"$PYTHON3" "$suite/run.py" --timeout 20 --min-pass-rate 0.97 \
	--cmd "$COURANT parse --json {file}" \
	--http-cmd "$COURANT parse --json --url {url} --content-type {content_type} --content-location {content_location} --content-language {content_language} {file}" \
	--json-report "$tmp/report.json" >"$tmp/feeds.out" 2>&1 &&
	pass || {
	tail -n 5 "$tmp/feeds.out"
	fail "conformance feeds below 97%"
}
tail -n 1 "$tmp/feeds.out"
if "$PYTHON3" "$top_srcdir/tests/conformance_check.py" "$tmp/report.json"; then
	pass
else
	fail "conformance: errors, or a folder below 90%"
fi
"$PYTHON3" "$suite/run.py" --dates --min-pass-rate 0.97 \
	--date-cmd "$COURANT parse --date {date}" >"$tmp/dates.out" 2>&1 &&
	pass || {
	tail -n 5 "$tmp/dates.out"
	fail "conformance dates below 97%"
}
tail -n 1 "$tmp/dates.out"
finish
