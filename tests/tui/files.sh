#!/bin/sh
# SPDX-License-Identifier: MIT
# What the config and urls files promise the reader (courant.conf(5)): the
# hint with an empty urls file, `courant refresh` syncing with the urls file,
# hidden feeds ("!") out of the feed list but their articles in "All
# unread", date-format, a per-feed browser, default-view, show-read-feeds
# and the reload key (C-r) re-reading an edited urls file.
. "$top_srcdir/tests/tui/lib.sh"
demo=$top_srcdir/data/demo
conf=$HOME/.config/courant
mkdir -p "$conf"
cat >"$tmp/browser" <<'SH'
#!/bin/sh
printf '%s\n' "$0" "$@" >>"$BROWSER_OUT"
SH
chmod +x "$tmp/browser"
cp "$tmp/browser" "$tmp/tech-browser"

# An empty urls file: no demo feeds, but the hint.
: >"$conf/urls"
start 100 30 COURANT_DEMO_DIR="$demo"
check "empty urls file shows the hint" wait_for "No feeds yet: add one with 'courant add URL'"
keys q
check "quit" test "$(wait_exit)" = 0
# tmux 3.3a may crash with a second session on one server: a new one.
T kill-server >/dev/null 2>&1

# `courant refresh` syncs the store with the urls file before fetching.
cat >"$conf/urls" <<URLS
file://$demo/world.xml world
file://$demo/tech.rdf tech "!"
URLS
cat >"$conf/config" <<CONF
set date-format "%d/%m/%Y"
set browser "$tmp/browser"
feed tech set browser "$tmp/tech-browser"
CONF
"$COURANT" --db "$tmp/db" refresh -q >"$tmp/out" 2>&1
check "refresh exits 0" test $? = 0
"$COURANT" --db "$tmp/db" feeds >"$tmp/feeds" 2>&1
check "refresh subscribed the urls file's feeds" grep -q "Byte Gazette" "$tmp/feeds"

start 100 30 BROWSER_OUT="$tmp/browser.out"
check "visible feed listed" wait_for "The Courant World Desk"
screen | grep -q "Byte Gazette" && fail "hidden feed listed" || pass
check "hidden feed's tag listed" wait_for "[tech]"
# "All unread" is the first entry: the hidden feed's articles are in it.
keys Enter
check "hidden feed's articles in All unread" wait_for "Byte Gazette"
check "date-format in the list" wait_for "/2024 "
keys q
# The tag of the hidden feed: its articles, opened with its browser.
keys j j j
keys Enter
check "tag list opens" wait_for "Tag: tech"
keys o
i=0
while [ ! -s "$tmp/browser.out" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "per-feed browser used" grep -q "tech-browser" "$tmp/browser.out"
keys q
# Edit the urls file, press C-r: the new feed is there, the hidden one not.
printf 'file://%s/longreads.xml "~Long reads here"\n' "$demo" >>"$conf/urls"
keys C-r
check "reload says so" wait_for "reloaded the urls file: 3 feeds"
check "reloaded feed listed" wait_for "Long reads here"
keys Q
check "quit" test "$(wait_exit)" = 0
T kill-server >/dev/null 2>&1

# default-view unread, show-read-feeds no: the world feed read entirely
# drops out of the feed list.
cat >>"$conf/config" <<CONF
set default-view unread
set show-read-feeds no
CONF
ids=$("$COURANT" --db "$tmp/db" list --feed "The Courant World Desk" --limit 0 --format tsv 2>/dev/null | cut -f1)
[ -n "$ids" ] && "$COURANT" --db "$tmp/db" mark read $ids >/dev/null 2>&1
"$COURANT" --db "$tmp/db" refresh -q >/dev/null 2>&1
start 100 30
check "default-view unread" wait_for "All unread"
check "opens on the articles" wait_for "Byte Gazette"
keys q
check "read feed not listed" wait_gone "The Courant World Desk"
check "unread feed listed" wait_for "Long reads here"
keys Q
check "quit" test "$(wait_exit)" = 0
T kill-server >/dev/null 2>&1

# The layout picked with `v` is remembered for the next start, unless the
# config file names one.
state=$HOME/.local/state/courant/layout
start 100 30
check "layout: started" wait_for "All unread"
keys v
check "v picks the next layout" wait_for "layout: single"
keys v
check "and the next" wait_for "layout: side"
keys Q
check "quit" test "$(wait_exit)" = 0
check "layout saved" test "$(cat "$state" 2>/dev/null)" = side
T kill-server >/dev/null 2>&1
start 100 30
check "layout: restarted" wait_for "All unread"
keys v
check "the saved layout was in force" wait_for "layout: stacked"
keys Q
check "quit" test "$(wait_exit)" = 0
T kill-server >/dev/null 2>&1
echo "set layout single" >>"$conf/config"
start 100 30
check "layout: with a config" wait_for "All unread"
keys v
check "the config's layout wins" wait_for "layout: side"
keys Q
check "quit" test "$(wait_exit)" = 0
finish
