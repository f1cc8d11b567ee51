#!/bin/sh
# SPDX-License-Identifier: MIT
# Each library header belongs to one module (STYLE.md): fail when another
# module includes it.
set -eu
src=${1:-.}/src
status=0
check() { # pattern, owning folder
	hits=$(grep -rlE "#include <$1" "$src" --include='*.c' --include='*.h' | grep -v "^$src/$2/" || true)
	if [ -n "$hits" ]; then
		echo "check-layers: <$1...> included outside src/$2/:" >&2
		echo "$hits" >&2
		status=1
	fi
}
check 'curl/' fetch
check 'sqlite3\.h' store
check 'n?curses(w)?\.h|ncursesw/' ui
# libxml2 serves two modules: XML for feed (and OPML), HTML for render.
hits=$(grep -rlE '#include <libxml/' "$src" --include='*.c' --include='*.h' |
	grep -vE "^$src/(feed|render)/" || true)
if [ -n "$hits" ]; then
	echo "check-layers: <libxml/...> included outside src/feed and src/render:" >&2
	echo "$hits" >&2
	status=1
fi
exit $status
