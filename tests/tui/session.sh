#!/bin/sh
# SPDX-License-Identifier: MIT
# The reader's life in a terminal session, against the loopback feed server
# (tests/tui/serve.py): two readers on one store see each other's marks; a
# refresh with 2.5 s of latency runs in the background while the selection
# moves; resizing to 40x10, 1x1 and back; Ctrl-Z and fg redraw; SIGTERM and
# SIGHUP in the middle of a refresh restore the terminal (echo and icanon,
# the normal screen) and leave the store consistent (integrity_check).
. "$top_srcdir/tests/tui/lib.sh"
py=${PYTHON3:-python3}
# Each reader gets a tmux server of its own (S NAME COMMAND...): tmux 3.3a
# segfaulted here with a split window, and with a second session, on one
# server at a manual window size.
S() {
	s=$1
	shift
	"$tmux_bin" -L "$sock-$s" -f /dev/null "$@"
}
servers="one other two three four"
trap 'kill "$srv" 2>/dev/null; for s in $servers; do S $s kill-server >/dev/null 2>&1; done; rm -rf "$tmp"' EXIT

# The loopback server with five feeds of 20 items, "Feed a" .. "Feed e".
"$py" "$top_srcdir/tests/tui/serve.py" "$tmp/ctl" "$tmp/port" a b c d e &
srv=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$tmp/port" ] || { echo "the feed server did not start"; exit 1; }
port=$(cat "$tmp/port")
for f in a b c d e; do
	"$COURANT" --db "$tmp/db" add "http://127.0.0.1:$port/f/$f" >/dev/null ||
		{ echo "courant add failed"; exit 1; }
done
# control LINE...: sets feed attributes (see serve.py) and waits until the
# server has them.
serial=0
control() {
	serial=$((serial + 1))
	printf '%s\n' "# $serial" "$@" >"$tmp/ctl.new"
	mv "$tmp/ctl.new" "$tmp/ctl"
	i=0
	while [ "$(cat "$tmp/ctl.ok" 2>/dev/null)" != "$serial" ] && [ $i -lt 300 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# run NAME: the command of a pane: courant, then its exit status and the
# terminal's modes once it is gone.
run() {
	echo "env TZ=UTC LC_ALL=C.UTF-8 '$COURANT' --db '$tmp/db' 2>>'$tmp/stderr'; echo \$? >'$tmp/exit.$1'; stty -a >'$tmp/stty.$1'; sleep 600"
}
# Versions of lib.sh's helpers for the reader on server NAME.
open_session() {
	S "$1" new-session -d -x "$2" -y "$3" "$4"
	S "$1" set-option -g window-size manual
}
shot() { S "$1" capture-pane -p; }
wait_in() {
	i=0
	while [ $i -lt $((${3:-15} * 10)) ]; do
		shot "$1" | grep -qE -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- waited for /$2/ in $1; it shows:"
	shot "$1"
	return 1
}
# The pid of courant in pane $1 (the child of the pane's shell).
courant_pid() {
	ps -o pid= --ppid "$(S "$1" display-message -p '#{pane_pid}')" |
		head -n 1 | tr -d ' '
}
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$1" ]
}
# restored SERVER NAME: the terminal is back in cooked mode with echo, and
# tmux is off the alternate screen.
restored() {
	wait_file "$tmp/stty.$2" &&
		grep -qE '(^| )icanon( |$)' "$tmp/stty.$2" &&
		grep -qE '(^| )echo( |$)' "$tmp/stty.$2" &&
		test "$(S "$1" display-message -p '#{alternate_on}')" = 0
}
consistent() {
	"$py" - "$tmp/db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
ok = c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
n = c.execute("SELECT count(*) FROM feeds").fetchone()[0]
bad = c.execute("SELECT count(*) FROM feeds f WHERE n_items !="
                " (SELECT count(*) FROM items WHERE feed_id = f.id)").fetchone()[0]
sys.exit(0 if ok and n == 5 and bad == 0 else 1)
PY
}

# ---- two readers on one store ---------------------------------------------
open_session one 120 40 "$(run A)"
check "reader A starts" wait_in one "20/20 +Feed e"
open_session other 120 40 "$(run B)"
check "reader B starts" wait_in other "20/20 +Feed e"
# A marks the first article of Feed a read; B's count follows.
S one send-keys j j Enter
check "A opens Feed a" wait_in one " 1/20"
S one send-keys m
check "B sees A's mark" wait_in other "19/20 +Feed a"
check "B sees A's total" wait_in other "99 +All unread"
# B stars an article of Feed b; A, back on its list, counts it.
S other send-keys j j j Enter
check "B opens Feed b" wait_in other " 1/20"
S other send-keys s
S one send-keys q
check "A sees B's star" wait_in one "1 +Starred"
S other send-keys q q
check "B quits" wait_file "$tmp/exit.B"

# ---- a refresh with latency while moving ------------------------------------
control "a delay=2.5 n_items=25 version=2" "b delay=2.5 n_items=25 version=2" \
	"c delay=2.5 n_items=25 version=2" "d delay=2.5 n_items=25 version=2" \
	"e delay=2.5 n_items=25 version=2"
S one send-keys g R
check "refresh starts" wait_in one "refreshing [0-9]+/5"
S one send-keys j j j
check "moving while refreshing" wait_in one " 4/7 feeds.*refreshing [0-4]/5"
check "refresh ends" wait_in one "refreshed 5 feeds: 25 new"
check "new articles counted" wait_in one "24/25 +Feed a"
check "selection kept" wait_in one " 4/7 feeds"

# ---- SIGTERM in the middle of a refresh ---------------------------------------
pid=$(courant_pid one)
control "a delay=60" "b delay=60"
S one send-keys R
check "stuck refresh runs" wait_in one "refreshing [0-4]/5"
kill -TERM "$pid"
check "SIGTERM ends the reader" wait_file "$tmp/exit.A"
check "SIGTERM restores the terminal" restored one A
check "store consistent after SIGTERM" consistent

# ---- SIGHUP, the same ----------------------------------------------------------
open_session two 100 30 "$(run H)"
check "reader H starts" wait_in two "24/25 +Feed a"
S two send-keys R
check "refresh runs before SIGHUP" wait_in two "refreshing [0-4]/5"
kill -HUP "$(courant_pid two)"
check "SIGHUP ends the reader" wait_file "$tmp/exit.H"
check "SIGHUP restores the terminal" restored two H
check "store consistent after SIGHUP" consistent

# ---- Ctrl-Z and fg, under a shell with job control ------------------------------
if command -v bash >/dev/null 2>&1; then
	open_session three 100 30 \
		"env PS1='shell\$ ' bash --norc --noprofile -i"
	check "shell starts" wait_in three 'shell\$'
	S three send-keys "env TZ=UTC LC_ALL=C.UTF-8 '$COURANT' --db '$tmp/db' 2>>'$tmp/stderr'" Enter
	check "reader runs" wait_in three " 1/7 feeds"
	S three send-keys C-z
	check "Ctrl-Z suspends" wait_in three "Stopped"
	check "the screen is the shell's" test \
		"$(S three display-message -p '#{alternate_on}')" = 0
	S three send-keys fg Enter
	check "fg redraws" wait_in three " 1/7 feeds"
	S three send-keys j
	check "keys work after fg" wait_in three " 2/7 feeds"
	S three send-keys q
	check "quits after fg" wait_in three 'shell\$ *$'
	S three send-keys 'echo status=$?' Enter
	check "exit status 0 after fg" wait_in three "status=0"
fi

# ---- resize down to nothing and back -------------------------------------------
open_session four 120 40 "$(run R)"
check "reader R starts" wait_in four "24/25 +Feed a"
S four send-keys g j j j
pid=$(courant_pid four)
S four resize-window -x 40 -y 10
check "40x10 redrawn" wait_in four " 4/7 feeds"
S four resize-window -x 1 -y 1
sleep 0.3 # nothing can show at 1x1: give it time to draw, then check
S four resize-window -x 2 -y 2
S four resize-window -x 1 -y 1
S four send-keys j k
sleep 0.3
check "alive at 1x1" kill -0 "$pid"
S four resize-window -x 120 -y 40
check "120x40 again" wait_in four " 4/7 feeds"
check "columns back" wait_in four "24/25 +Feed a"

S four send-keys q
check "quits after the resizes" wait_file "$tmp/exit.R"
check "exit status 0 after the resizes" test "$(cat "$tmp/exit.R")" = 0

check "nothing on stderr" test ! -s "$tmp/stderr"
[ -s "$tmp/stderr" ] && cat "$tmp/stderr"
finish
