#!/bin/sh
# SPDX-License-Identifier: MIT
# The reader end to end, in a private tmux server: first run on the demo
# feeds, navigate, open, read, mark, star, search, filter, refresh in the
# background while moving, resize to 40x10 and back, Korean titles
# aligned, `o` with a fake browser, `y` into a tmux paste buffer.
. "$top_srcdir/tests/tui/lib.sh"

# A browser that records its arguments, one a line, and their count.
cat >"$tmp/browser" <<'SH'
#!/bin/sh
{ echo "$#"; for a in "$@"; do printf '%s\n' "$a"; done; } >"$BROWSER_OUT"
SH
chmod +x "$tmp/browser"
url=https://tech.example.com/2024/06/14/terminal-renaissance

start 100 30 COURANT_DEMO_DIR="$top_srcdir/data/demo" \
	BROWSER="$tmp/browser" BROWSER_OUT="$tmp/browser.out"

# First run: the demo feeds are subscribed and fetched in the background.
check "first run shows the demo feeds" wait_for "Byte Gazette"
check "first run says how to add feeds" wait_for "courant add URL"
check "demo articles arrive" wait_for "8/8      Byte Gazette"

# Navigate: the fifth line down is Byte Gazette; open its articles.
keys j j j j j
check "selection moves" wait_for "6/7 feeds"
keys Enter
check "article list opens" wait_for "1/8"
check "first article listed" wait_for "> N  2024-06-14 Why developers"

# Open and read: the header block and the body.
keys Enter
check "reader shows the header" wait_for "Title:  Why developers"
check "reader shows the link" wait_for "Link:   $url"
keys Space
keys q
# Read now: no N mark left on the row.
check "opened article is read" wait_for ">    2024-06-14 Why developers"

# Mark and star.
keys m
check "m marks unread" wait_for "> N  2024-06-14 Why developers"
keys m
check "m marks read again" wait_for ">    2024-06-14 Why developers"
keys s
check "s stars" wait_for ">  * 2024-06-14 Why developers"

# The fake browser gets the exact URL as its one argument.
keys o
check "o runs the browser" wait_for "opened $url"
check "browser got one argument" test "$(sed -n 1p "$tmp/browser.out" 2>/dev/null)" = 1
check "browser got the URL" test "$(sed -n 2p "$tmp/browser.out" 2>/dev/null)" = "$url"

# y inside tmux: the URL lands in a tmux paste buffer.
keys y
check "y says what it copied" wait_for "copied to the tmux buffer"
check "y fills a paste buffer" test "$(T show-buffer 2>/dev/null)" = "$url"

# Filter: unread only hides the read (starred) article.
keys f
check "filter on" wait_for "unread only"
check "read article hidden" wait_gone "Why developers"
keys f
check "filter off" wait_for "Why developers"

# Back to the feed list: the star is counted.
keys q
check "starred counted" wait_for "1  Starred"

# Search, through the store's full-text index.
keys / s c h e d u l e r Enter
check "search shows results" wait_for "Search: scheduler"
check "search finds the article" wait_for "New scheduler patch"
keys q

# Korean titles keep the columns aligned: in "All unread" every title
# starts at the same display column after the feed column.
keys g Enter
check "all unread opens" wait_for "All unread"
T capture-pane -p >"$tmp/all.txt"
check "Korean and Latin titles aligned" "${PYTHON3:-python3}" - "$tmp/all.txt" <<'PY'
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
titles = ["서울 지하철", "AI 번역기", "Night trains", "Coastal cities",
          "A field guide"]
cols = {}
for line in open(sys.argv[1], encoding="utf-8"):
    for t in titles:
        i = line.find(t)
        if i > 0:
            cols[t] = width(line[:i])
print(cols)
sys.exit(0 if len(cols) >= 4 and len(set(cols.values())) == 1 else 1)
PY

# Refresh in the background while moving: keys keep being handled.
keys q g R j j
check "moving during a refresh" wait_for "3/7 feeds"
check "refresh finishes" wait_for "refreshed 4 feeds"

# Resize to 40x10 and back: redrawn, nothing wider than the pane.
T resize-window -x 40 -y 10
check "small size redrawn" wait_for "3/7 feeds"
T capture-pane -p >"$tmp/small.txt"
check "nothing past 40 columns" "${PYTHON3:-python3}" - "$tmp/small.txt" <<'PY'
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
sys.exit(0 if all(width(l.rstrip("\n")) <= 40 for l in open(sys.argv[1], encoding="utf-8")) else 1)
PY
keys Enter
check "list at 40x10" wait_for "Tag: demo"
check "short dates at 40x10" wait_for "06-14 Why developers"
T resize-window -x 120 -y 40
check "large size redrawn" wait_for "1/31"
check "large size shows the feed column" wait_for "Byte Gazette        Why developers"

# Help is generated from the bindings.
keys '?'
check "help lists bindings" wait_for "toggle-starred"
keys q q q
check "quits with status 0" test "$(wait_exit)" = 0
check "nothing on stderr" test ! -s "$tmp/stderr"
[ -s "$tmp/stderr" ] && cat "$tmp/stderr"
finish
