#!/bin/sh
# SPDX-License-Identifier: MIT
# Golden tests: `courant parse --json` of each fixture feed in tests/data/feeds
# must print exactly its .expected file (pretty-printed with python's json
# module so that diffs are readable). UPDATE_GOLDEN=1 rewrites the files.
. "$top_srcdir/tests/lib.sh"
[ -x "${PYTHON3:-}" ] || skip "python3 not found"
dir=$top_srcdir/tests/data/feeds
for feed in "$dir"/*.xml "$dir"/*.atom "$dir"/*.rdf; do
	[ -f "$feed" ] || continue
	expected=${feed%.*}.expected
	name=$(basename "$feed")
	if ! "$COURANT" parse --json --url "http://example.org/$name" "$feed" >"$tmp/raw.json"; then
		fail "$name: courant parse exited non-zero"
		continue
	fi
	if ! "$PYTHON3" -m json.tool --indent 1 --no-ensure-ascii "$tmp/raw.json" >"$tmp/got.json"; then
		fail "$name: output is not JSON"
		continue
	fi
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$tmp/got.json" "$expected"
		pass
	elif [ ! -f "$expected" ]; then
		fail "$name: no $(basename "$expected") (run with UPDATE_GOLDEN=1 and review it)"
	elif diff -u "$expected" "$tmp/got.json"; then
		pass
	else
		fail "$name: output differs from $(basename "$expected")"
	fi
done
[ $((passes + failures)) -gt 0 ] || fail "no fixture feeds found in $dir"

# `courant render --width 60` of each article in tests/data/render.
for html in "$top_srcdir"/tests/data/render/*.html; do
	[ -f "$html" ] || continue
	expected=${html%.html}.expected
	name=$(basename "$html")
	if ! "$COURANT" render --width 60 --base http://example.org/articles/ "$html" >"$tmp/got.txt"; then
		fail "$name: courant render exited non-zero"
	elif [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$tmp/got.txt" "$expected"
		pass
	elif diff -u "$expected" "$tmp/got.txt"; then
		pass
	else
		fail "$name: rendering differs from $(basename "$expected")"
	fi
done
finish
