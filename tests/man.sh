#!/bin/sh
# SPDX-License-Identifier: MIT
# The man pages pass mandoc's linter with no warning (style notes aside:
# they include cross-references to pages this machine may lack).
. "$top_srcdir/tests/lib.sh"
command -v mandoc >/dev/null 2>&1 || skip "mandoc is not installed"
for page in "$top_srcdir/docs/courant.1" "$top_srcdir/docs/courant.conf.5"; do
	if mandoc -Tlint -W warning "$page" >"$tmp/lint" 2>&1 && [ ! -s "$tmp/lint" ]; then
		pass
	else
		fail "$page: $(cat "$tmp/lint")"
	fi
	# It renders, and says something.
	if mandoc -Tutf8 "$page" >"$tmp/text" 2>/dev/null && [ -s "$tmp/text" ]; then
		pass
	else
		fail "$page does not render"
	fi
done
finish
