#!/bin/sh
# SPDX-License-Identifier: MIT
# The reader with a sync server (a stand-in for TT-RSS, tests/tui/
# ttrss_fake.py): a first run syncs in the background and shows the
# server's feeds; a change made meanwhile is pushed by the next refresh
# (R), and r on one of its feeds syncs too; with the server gone the reader says so and keeps working; quitting
# while a sync runs stops the child and leaves no process behind, its
# password command included, which runs without the reader's terminal.
. "$top_srcdir/tests/tui/lib.sh"
[ -n "${PYTHON3:-}" ] && [ "$PYTHON3" != no ] || skip "python3 is not installed"
conf=$HOME/.config/courant
mkdir -p "$conf"
fake_pid=

serve() { # [DELAY]: a fresh stand-in server; sets $port
	rm -f "$tmp/port"
	"$PYTHON3" "$top_srcdir/tests/tui/ttrss_fake.py" "$tmp/port" \
		"$tmp/updates" ${1:-} &
	fake_pid=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(cat "$tmp/port")
	cat >"$conf/config" <<CONF
set sync ttrss
set sync-url "http://127.0.0.1:$port/tt-rss/"
set sync-user someone
set sync-password-file "$conf/pw"
CONF
}
unserve() {
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
	fake_pid=
}
trap 'unserve; T kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT
printf 'fake-pw\n' >"$conf/pw"
chmod 600 "$conf/pw"
: >"$tmp/updates"

# Children of this test's reader: the sync runs with --db $tmp/db.
children() { ps -eo stat=,args= | grep -F -- "--db $tmp/db -c" | grep -v grep; }

serve
start 100 20
check "a first run syncs at once" wait_for "Fake feed one"
check "the summary shows" wait_for "synced: 0 changes pushed, 2 feeds, 5 articles"
check "the category is a tag" sh -c "'$COURANT' --db '$tmp/db' feeds | grep -q 'Fake feed one.*\\[News\\]'"

# A change made while the reader is open is pushed by its next sync.
id=$("$COURANT" --db "$tmp/db" list --format tsv | grep 'fake article 2' | cut -f1)
"$COURANT" --db "$tmp/db" mark read "$id"
keys R
check "R syncs and pushes" wait_for "synced: 1 change pushed"
check "the server got it" grep -q '"article_ids": "2", "field": 2, "mode": 0' "$tmp/updates"

# r on one of the server's feeds syncs (the poller never fetches it).
keys G
check "the last feed is selected" wait_gone "synced: 1 change pushed"
keys r
check "r on a server's feed syncs" wait_for "synced: 0 changes pushed, 2 feeds"

# The server goes away: the reader says so and goes on working.
unserve
keys R
check "an unreachable server is an error line" wait_for "sync: cannot reach http://127.0.0.1:$port/tt-rss/api/"
keys Enter
check "the reader still works offline" wait_for "fake article 4"
keys q
check "back to the feeds" wait_for "Fake feed two"

# The password command runs without the reader's terminal (in a session
# of its own). It says whether it could open /dev/tty, then waits for
# $tmp/tty.go (47 s at most).
cat >"$tmp/pwcmd" <<'EOF2'
#!/bin/sh
if (exec </dev/tty) 2>/dev/null; then t=has-tty; else t=no-tty; fi
echo "$t" >"$1.tmp" && mv "$1.tmp" "$1"
i=0
while [ ! -e "$1.go" ] && [ $i -lt 470 ]; do sleep 0.1; i=$((i + 1)); done
echo fake-pw
EOF2
chmod 755 "$tmp/pwcmd"
pwcmd_config() {
	sed -i "s|^set sync-password-file .*|set sync-password-command \"$tmp/pwcmd $tmp/tty\"|" "$conf/config"
	rm -f "$tmp/tty" "$tmp/tty.go"
}
pwcmds() { ps -eo args= | grep -F -- "$tmp/pwcmd" | grep -v grep; }
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	test -s "$1"
}
serve
pwcmd_config
keys R
check "the password command runs" wait_file "$tmp/tty"
check "it has no controlling terminal" grep -qx no-tty "$tmp/tty"
touch "$tmp/tty.go"
check "then the sync goes on" wait_for "synced: 0 changes pushed, 2 feeds"
unserve

# Quitting while a (slow) sync runs: the child is stopped and reaped,
# and so is the password command it started.
serve 5
keys R
check "a slow sync is running" wait_for "sync: logging in"
check "its child exists" test -n "$(children)"
keys Q
check "quit" test "$(wait_exit)" = 0
check "no child left, no zombie" test -z "$(children)"
check "no error printed" test ! -s "$tmp/stderr"
unserve
serve
pwcmd_config
start 100 20
check "the reader is back" wait_for "Fake feed one"
keys R
check "a sync waits for the password" wait_file "$tmp/tty"
check "its password command runs" test -n "$(pwcmds)"
keys Q
check "quit" test "$(wait_exit)" = 0
check "no child left" test -z "$(children)"
check "the password command is stopped too" test -z "$(pwcmds)"
unserve
finish
