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
check 'jansson\.h' sync
# libxml2 serves two modules: XML for feed (and OPML), HTML for render.
hits=$(grep -rlE '#include <libxml/' "$src" --include='*.c' --include='*.h' |
	grep -vE "^$src/(feed|render)/" || true)
if [ -n "$hits" ]; then
	echo "check-layers: <libxml/...> included outside src/feed and src/render:" >&2
	echo "$hits" >&2
	status=1
fi
# sync sits above store and fetch and below cli and ui: nothing lower
# includes its header, and it includes neither of theirs.
hits=$(grep -rlE '#include "courant/sync\.h"' "$src" --include='*.c' --include='*.h' |
	grep -vE "^$src/(sync|cli|ui)/" || true)
hits="$hits$(grep -lE '#include "courant/(cli|ui)\.h"' "$src"/sync/*.[ch] 2>/dev/null || true)"
if [ -n "$hits" ]; then
	echo "check-layers: courant/sync.h used below sync, or sync using cli/ui:" >&2
	echo "$hits" >&2
	status=1
fi
exit $status
