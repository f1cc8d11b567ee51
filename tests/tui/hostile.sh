#!/bin/sh
# SPDX-License-Identifier: MIT
# A hostile feed: titles and bodies carrying escape sequences (raw, as
# character references, as 8-bit C1, wrapped for tmux's passthrough) must
# reach the terminal as plain text: tmux's pane title and paste buffers stay
# untouched (set-clipboard is on, so a leaked OSC 52 would fill a buffer),
# and a link full of shell syntax reaches the browser as one argument.
. "$top_srcdir/tests/tui/lib.sh"

esc=$(printf '\033')
bel=$(printf '\007')
c1osc=$(printf '\302\235') # U+009D, OSC in 8-bit form
c1st=$(printf '\302\234')  # U+009C, ST
rlo=$(printf '\342\200\256')
link='https://evil.example/a?b=1&amp;c=$(touch%20pwned)&amp;d=`id`;e=|f'
want='https://evil.example/a?b=1&c=$(touch%20pwned)&d=`id`;e=|f'
# Well-formed tricks first: the parser may give up at the raw escapes
# further down (they are not XML), and what it kept must be harmless.
cat >"$tmp/hostile.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Hostile feed</title>
<link>https://evil.example/</link>
<item><title>Eight-bit ${c1osc}2;PWNED-C1${c1st} OSC</title>
<link>$link</link><guid>h1</guid>
<pubDate>Fri, 14 Jun 2024 12:00:00 GMT</pubDate>
<description>&lt;p&gt;Body ${c1osc}52;c;UFdORUQ=${c1st} end&lt;/p&gt;</description></item>
<item><title>Bidi ${rlo}desrever${rlo} title</title>
<link>https://evil.example/2</link><guid>h2</guid>
<pubDate>Thu, 13 Jun 2024 12:00:00 GMT</pubDate></item>
<item><title>Clip &#x1b;]52;c;UFdORUQ=&#x07; board</title>
<link>https://evil.example/3</link><guid>h3</guid>
<pubDate>Wed, 12 Jun 2024 12:00:00 GMT</pubDate></item>
<item><title>Pane ${esc}]2;PWNED-TITLE${bel} title</title>
<link>https://evil.example/4</link><guid>h4</guid>
<pubDate>Tue, 11 Jun 2024 12:00:00 GMT</pubDate>
<description><![CDATA[<p>Raw ${esc}]2;PWNED-BODY${bel} and ${esc}[2J clear ${esc}]52;c;UFdORUQ=${bel} and tmux ${esc}Ptmux;${esc}${esc}]52;c;UFdORUQ=${bel}${esc}\\ end</p>]]></description></item>
</channel></rss>
XML

TZ=UTC "$COURANT" --db "$tmp/db" add "file://$tmp/hostile.xml" >"$tmp/add.out" 2>&1 ||
	{ cat "$tmp/add.out"; fail "courant add of the hostile feed"; }

cat >"$tmp/browser" <<'SH'
#!/bin/sh
{ echo "$#"; for a in "$@"; do printf '%s\n' "$a"; done; } >"$BROWSER_OUT"
SH
chmod +x "$tmp/browser"

start 100 30 BROWSER="$tmp/browser" BROWSER_OUT="$tmp/browser.out"
T set-option -g set-clipboard on
T select-pane -T clean-title
check "feed listed" wait_for "Hostile"
keys j j Enter
check "articles listed" wait_for "Eight-bit"
check "bidi title listed" wait_for "desrever"
# Open every article the parser kept, then come back.
keys Enter
check "article body drawn" wait_for "Body"
keys J J J J
keys q
check "list again" wait_for "Eight-bit"
check "pane title untouched" test "$(T display-message -p '#{pane_title}')" = clean-title
check "no paste buffer" test -z "$(T list-buffers)"
check "no escape in the pane" test -z "$(T capture-pane -p -e | grep -c 'PWNED.*\x07' | grep -v '^0$')"

# The link with shell syntax: one argument, exactly, and nothing ran.
keys g
keys o
check "browser ran" wait_for "opened https://evil.example/a"
check "one argument" test "$(sed -n 1p "$tmp/browser.out" 2>/dev/null)" = 1
check "exact URL" test "$(sed -n 2p "$tmp/browser.out" 2>/dev/null)" = "$want"
check "no command ran" test ! -e pwned -a ! -e "$HOME/pwned"
check "pane title still untouched" test "$(T display-message -p '#{pane_title}')" = clean-title

keys q q
check "quits with status 0" test "$(wait_exit)" = 0
finish
