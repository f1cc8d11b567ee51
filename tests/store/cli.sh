#!/bin/sh
# SPDX-License-Identifier: MIT
# The store's commands: courant list, count, search, mark and cleanup, in
# each format, on a database that tests/store/fill stocks from the fixture
# and demo feeds (no network). Hostile titles must reach stdout without a
# control byte; damaged and read-only databases give a message and exit 1;
# usage errors exit 2.
. "$top_srcdir/tests/lib.sh"
FILL=$top_builddir/tests/store/fill
[ -x "$FILL" ] || skip "tests/store/fill is not built"
db=$tmp/db/courant.db
demo=$top_srcdir/data/demo
feeds=$top_srcdir/tests/data/feeds

# run CMD...: runs courant, keeping stdout, stderr and the status.
run() {
	"$COURANT" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
# expect STATUS WHAT: checks the last run's status.
expect() {
	if [ "$rc" -eq "$1" ]; then
		pass
	else
		fail "$2: exit $rc, wanted $1 ($(head -c 300 "$tmp/err"))"
	fi
}
# same WANTED GOT WHAT
same() {
	if [ "$1" = "$2" ]; then
		pass
	else
		fail "$3: got '$2', wanted '$1'"
	fi
}
# has PATTERN FILE WHAT: an extended regular expression is found.
has() {
	if grep -aEq -- "$1" "$2"; then
		pass
	else
		fail "$3: no /$1/ in $(head -c 300 "$2")"
	fi
}
# clean FILE WHAT: no C0 control but newline (and tab in TSV), no DEL, no
# C1, no bidi control, valid UTF-8.
clean() {
	if "$PYTHON3" - "$1" "$3" <<'EOF'; then pass; else fail "$2: control bytes in the output"; fi
import sys
data = open(sys.argv[1], 'rb').read()
allowed = '\n\t' if sys.argv[2:] == ['tsv'] else '\n'
text = data.decode('utf-8')  # raises on invalid UTF-8
bad = [c for c in text if (ord(c) < 0x20 and c not in allowed) or
       0x7f <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e or
       0x2066 <= ord(c) <= 0x2069 or ord(c) in (0x200e, 0x200f, 0x61c)]
sys.exit(1 if bad else 0)
EOF
}
[ -x "${PYTHON3:-}" ] || PYTHON3=$(command -v python3 || true)
[ -n "$PYTHON3" ] || skip "python3 not found"

# ---- a database from the demo and fixture feeds ----
total=0
fill() { # URL FILE TAG...
	n=$("$FILL" "$db" "$@") || { fail "fill $1"; return; }
	total=$((total + ${n% new}))
}
fill "file://$demo/world.xml" "$demo/world.xml" news
fill "file://$demo/korea.atom" "$demo/korea.atom" korea news
fill "file://$demo/tech.rdf" "$demo/tech.rdf"
fill "file://$feeds/rss20.xml" "$feeds/rss20.xml"
fill "file://$feeds/atom10.atom" "$feeds/atom10.atom"
[ "$total" -gt 20 ] || fail "only $total items stored"

# ---- count ----
run --db "$db" count
expect 0 "count"
same "$total" "$(cat "$tmp/out")" "count"
run --db "$db" count --unread
same "$total" "$(cat "$tmp/out")" "count --unread"
run count --starred --db "$db"
same 0 "$(cat "$tmp/out")" "count --starred, --db after the command"
COURANT_DB=$db "$COURANT" count >"$tmp/out" 2>&1
same "$total" "$(cat "$tmp/out")" "count with COURANT_DB"
korea=$("$COURANT" --db "$db" count --tag korea)
world=$("$COURANT" --db "$db" count --feed "file://$demo/world.xml")
[ "$korea" -gt 0 ] && [ "$world" -gt 0 ] && pass || fail "count by tag and feed: $korea, $world"
run --db "$db" count --tag news
same $((korea + world)) "$(cat "$tmp/out")" "count --tag news"

# ---- list, plain ----
run --db "$db" list
expect 0 "list"
same "$([ "$total" -lt 50 ] && echo "$total" || echo 50)" "$(wc -l <"$tmp/out" | tr -d ' ')" "list: default limit"
has '^ +[0-9]+ N  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}  ' "$tmp/out" "list: plain columns"
run --db "$db" list --limit 3
same 3 "$(wc -l <"$tmp/out" | tr -d ' ')" "list --limit 3"
run --db "$db" list --limit 0
same "$total" "$(wc -l <"$tmp/out" | tr -d ' ')" "list --limit 0 lists all"
# Newest first: the dates never go up.
cut -c12-27 "$tmp/out" >"$tmp/dates"
sort -r "$tmp/dates" | cmp -s - "$tmp/dates" && pass || fail "list: not newest first"
run --db "$db" list --tag korea --limit 0
same "$korea" "$(wc -l <"$tmp/out" | tr -d ' ')" "list --tag"
# A feed by its title (in Hangul), and in any case.
title=$("$COURANT" --db "$db" list --tag korea --format tsv --limit 1 | cut -f 5)
run --db "$db" list --feed "$title" --limit 0
expect 0 "list --feed TITLE ($title)"
same "$korea" "$(wc -l <"$tmp/out" | tr -d ' ')" "list --feed TITLE"
run --db "$db" list --feed "THE COURANT WORLD DESK" --limit 1
expect 0 "list --feed title ignoring case"
has 'Courant World' "$tmp/out" "list --feed title ignoring case"
run --db "$db" list --feed "no such feed"
expect 1 "list --feed unknown"
has 'no feed' "$tmp/err" "list --feed unknown: message"

# ---- list, tsv and json ----
run --db "$db" list --format tsv --limit 0
expect 0 "list tsv"
awk -F '\t' 'NF != 7 { bad = 1 } END { exit bad }' "$tmp/out" && pass || fail "list tsv: 7 fields a line"
has '^[0-9]+	[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z	1	0	' "$tmp/out" "list tsv: id, UTC date, flags"
first=$(head -n 1 "$tmp/out" | cut -f 1)
run --db "$db" list --format json --limit 5
expect 0 "list json"
"$PYTHON3" -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 5, len(rows)
for r in rows:
    assert set(r) == {"id", "feed_id", "feed", "title", "link", "author",
                      "date", "unread", "starred"}, r
    assert r["unread"] is True and r["starred"] is False
assert rows[0]["id"] == int(sys.argv[2])
' "$tmp/out" "$first" && pass || fail "list json"
run --db "$db" list --format json --feed "no such feed"
expect 1 "list json, unknown feed"

# ---- search ----
run --db "$db" search flood
expect 0 "search"
has '[Ff]lood' "$tmp/out" "search: the hit"
run --db "$db" search --format tsv flood
awk -F '\t' 'NF != 8 { bad = 1 } END { exit bad }' "$tmp/out" && pass || fail "search tsv: 8 fields a line"
run --db "$db" search --format json --limit 1 flood warning
"$PYTHON3" -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 1 and "snippet" in rows[0], rows
assert "flood" in rows[0]["title"].lower() + (rows[0]["snippet"] or "").lower()
' "$tmp/out" && pass || fail "search json"
run --db "$db" search zzyzzyva
expect 0 "search without hits"
same "" "$(cat "$tmp/out")" "search without hits prints nothing"
run --db "$db" search '"' 'AND' '(' 'NEAR'
expect 0 "search with FTS syntax"

# ---- mark ----
run --db "$db" mark read "$first"
expect 0 "mark read"
same $((total - 1)) "$("$COURANT" --db "$db" count --unread)" "mark read: one less unread"
"$COURANT" --db "$db" list --unread --format tsv --limit 0 | cut -f 1 | grep -qx "$first" &&
	fail "mark read: still listed as unread" || pass
run --db "$db" mark starred "$first"
same 1 "$("$COURANT" --db "$db" count --starred)" "mark starred"
run --db "$db" list --starred
has "^ +$first  ! " "$tmp/out" "list --starred shows the read, starred mark"
run --db "$db" mark unstarred "$first"
run --db "$db" mark unread "$first"
expect 0 "mark unread"
same "$total" "$("$COURANT" --db "$db" count --unread)" "mark unread"
same 0 "$("$COURANT" --db "$db" count --starred)" "mark unstarred"
run --db "$db" mark read 999999 "$first"
expect 1 "mark an unknown id"
has 'no item' "$tmp/err" "mark an unknown id: message"
same $((total - 1)) "$("$COURANT" --db "$db" count --unread)" "mark: known ids marked anyway"
"$COURANT" --db "$db" mark unread "$first"

# ---- hostile titles ----
esc=$(printf '\033')
bel=$(printf '\007')
nasty=$(printf 'Bad\033]0;pwned\007\033[31mred\tTab\nLine\342\200\256drow\302\233J\177x')
"$FILL" "$db" "http://hostile.example/" --raw k1 "$nasty" \
	"$(printf 'body \033[2J with hostile words \342\201\246')" 2030-01-01T00:00:00Z >/dev/null ||
	fail "fill --raw"
for fmt in plain tsv json; do
	run --db "$db" list --limit 3 --format "$fmt"
	expect 0 "list $fmt, hostile"
	clean "$tmp/out" "list $fmt, hostile" "$fmt"
	has 'Bad' "$tmp/out" "list $fmt: the hostile title is shown"
	run --db "$db" search --format "$fmt" hostile
	expect 0 "search $fmt, hostile"
	clean "$tmp/out" "search $fmt, hostile" "$fmt"
done
run --db "$db" list --limit 1 --format tsv
awk -F '\t' 'NF != 7 { bad = 1 } END { exit bad }' "$tmp/out" && pass || fail "tsv: a tab in a title is a space"
same 1 "$(wc -l <"$tmp/out" | tr -d ' ')" "tsv: a newline in a title is a space"
case $(cat "$tmp/out") in
*"$esc"* | *"$bel"*) fail "tsv: escape reached stdout" ;;
*) pass ;;
esac
run --db "$db" list --feed "$nasty"
clean "$tmp/err" "stderr with a hostile --feed"

# ---- cleanup ----
# A second refresh of world.xml with other items: the old ones are no
# longer in the feed, so they may go once read.
n_world=$("$COURANT" --db "$db" count --feed "file://$demo/world.xml")
"$FILL" "$db" "file://$demo/world.xml" "$feeds/rss20.xml" news >/dev/null || fail "refill"
run --db "$db" cleanup --days 1
expect 0 "cleanup"
has '^removed 0 articles$' "$tmp/out" "cleanup keeps unread"
run --db "$db" cleanup --days 1 --drop-unread --feed "file://$demo/world.xml"
expect 0 "cleanup --drop-unread"
has "^removed $n_world articles\$" "$tmp/out" "cleanup --drop-unread removes the old items"
run --db "$db" search flood
same "" "$(cat "$tmp/out")" "cleanup: the index follows"
run --db "$db" cleanup --vacuum
expect 0 "cleanup --vacuum"
has '^database: [0-9.]+ MB, was [0-9.]+ MB$' "$tmp/out" "cleanup --vacuum"

# ---- usage errors: exit 2 ----
for args in "list --bogus" "list --limit x" "list --limit -1" "list --format xml" \
	"list extra" "list --feed a --tag b" "list --limit" "count --limit 5" \
	"count --format tsv" "search" "search --unread x" "mark" "mark read" \
	"mark read abc" "mark read 0" "mark eaten 1" "cleanup --keep -1" \
	"cleanup --days x" "cleanup now"; do
	# shellcheck disable=SC2086
	run --db "$db" $args
	expect 2 "usage: $args"
	has 'Try' "$tmp/err" "usage: $args: a hint"
done
for cmd in list count search mark cleanup; do
	run "$cmd" --help
	expect 0 "$cmd --help"
	has '^usage: courant' "$tmp/out" "$cmd --help"
done

# ---- a damaged database: moved aside, exit 1 ----
mkdir "$tmp/bad"
printf 'this is not a database, only text.%.0s' $(seq 200) >"$tmp/bad/db"
run --db "$tmp/bad/db" list
expect 1 "list on a damaged file"
has 'damaged' "$tmp/err" "damaged: message"
ls "$tmp/bad"/db.corrupt-* >/dev/null 2>&1 && pass || fail "damaged: not moved aside"
run --db "$tmp/bad/db" count
expect 0 "count after the damaged file was moved aside"
same 0 "$(cat "$tmp/out")" "a new, empty cache"
# Damage inside a valid file: the check at start-up finds it.
cp "$db" "$tmp/bad/pages"
size=$(wc -c <"$tmp/bad/pages")
dd if=/dev/urandom of="$tmp/bad/pages" bs=4096 seek=3 count=$((size / 4096 - 4)) conv=notrunc 2>/dev/null
run --db "$tmp/bad/pages" count
expect 1 "count on damaged pages"
has 'damaged' "$tmp/err" "damaged pages: message"

# ---- read-only databases ----
# Root ignores file modes: run as nobody, or the test proves nothing.
as_user() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null 2>&1 || skip "read-only: root without setpriv"
	as_user() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
fi
ro=$(mktemp -d "${TMPDIR:-/tmp}/courant-ro.XXXXXX")
want=$("$COURANT" --db "$db" count) # the WAL is folded in at close
cp "$db" "$ro/db"
chmod 444 "$ro/db"
# A file we may not write, in a directory where SQLite may put its -shm:
# reads work (with a notice), writes fail with exit 1.
[ "$(id -u)" -eq 0 ] && chown nobody "$ro"
as_user "$COURANT" --db "$ro/db" count >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 0 "count on a read-only file"
same "$want" "$(cat "$tmp/out")" "count on a read-only file"
has 'read-only' "$tmp/err" "count on a read-only file: notice"
as_user "$COURANT" --db "$ro/db" mark read "$first" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 1 "mark on a read-only file"
has 'read-only' "$tmp/err" "mark on a read-only file: message"
as_user "$COURANT" --db "$ro/db" cleanup --vacuum >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 1 "cleanup on a read-only file"
has 'read-only' "$tmp/err" "cleanup on a read-only file: message"
# In a read-only directory, a WAL database cannot be opened at all.
rm -f "$ro/db-shm" "$ro/db-wal"
[ "$(id -u)" -eq 0 ] && chown root "$ro"
chmod 555 "$ro"
as_user "$COURANT" --db "$ro/db" list >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 1 "list in a read-only directory"
has 'read-only' "$tmp/err" "list in a read-only directory: message"
chmod 755 "$ro"
rm -rf "$ro"

# A bad option is named as typed, once, by courant (not by getopt, which
# would print it unfiltered); a query starting with '-' goes after --.
run --db "$tmp/opt.db" search -dog
expect 2 "search -dog"
same "courant search: unknown option '-d'" "$(head -n 1 "$tmp/err")" "search -dog: message"
same 2 "$(wc -l <"$tmp/err" | tr -d ' ')" "search -dog: two lines"
run --db "$tmp/opt.db" search -- -dog
expect 0 "search -- -dog"
run --db "$tmp/opt.db" refresh "-$(printf '\033')"
expect 2 "refresh with an escape as option"
clean "$tmp/err" "refresh with an escape as option: message"

finish
