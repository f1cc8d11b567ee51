#!/bin/sh
# SPDX-License-Identifier: MIT
# Sync against a real Tiny Tiny RSS on loopback (tests/sync/ttrss-server.sh):
# two courant "machines", A and B (two databases, two config files), and
# "another client" talking to the API directly (tests/sync/ttrss_api.py).
#
# Each run has a tt-rss user and fixture feeds of its own (new guids), so
# runs never see each other's articles and need no reset; both are removed
# at the end. A server this test started is stopped at the end unless
# another run uses it meanwhile (ttrss-server.sh busy); one that was already
# running (a developer's, or another run's) is left running. The offline
# case stops Apache only when no other run uses the server; otherwise A
# syncs to an unreachable address instead.
. "$top_srcdir/tests/lib.sh"
case ${PYTHON3:-no} in no | '') skip "python3 is needed" ;; esac

server="$top_srcdir/tests/sync/ttrss-server.sh"
api() { "$PYTHON3" "$top_srcdir/tests/sync/ttrss_api.py" "$@"; }

[ "$(id -u)" -eq 0 ] ||
	skip "tt-rss needs root to install and start (run the suite as root)"
own=no
if ! sh "$server" status; then
	sh "$server" start >"$tmp/server.log" 2>&1
	rc=$?
	cat "$tmp/server.log"
	case $rc in
	0) own=yes ;;
	77) skip "no tt-rss here: $(tail -n 1 "$tmp/server.log")" ;;
	*)
		fail "ttrss-server.sh start exited $rc"
		finish
		exit 1
		;;
	esac
fi
eval "$(sh "$server" env)"
export TTRSS_URL

run=$$-$(date +%s)
user=ct-$run
feeds="$TTRSS_FEED_DIR/$run"
sampler=
cleanup() {
	[ -z "$sampler" ] || kill "$sampler" 2>/dev/null
	sh "$server" deluser "$user" 2>/dev/null
	rm -rf "$feeds"
	if [ "$own" = yes ] && ! sh "$server" busy; then
		sh "$server" stop
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

sh "$server" user "$user" || {
	fail "cannot create the tt-rss user"
	finish
	exit 1
}
sh "$server" category "$user" Tech
mkdir -p "$feeds" "$tmp/home"
export HOME="$tmp/home" XDG_CONFIG_HOME= XDG_DATA_HOME=

# The password: a 0600 file for A and the other client, a command for B.
printf '%s\n' "$TTRSS_PASSWORD" >"$tmp/pw"
chmod 600 "$tmp/pw"
printf 'not-%s\n' "$TTRSS_PASSWORD" >"$tmp/wrong"
chmod 600 "$tmp/wrong"
export TTRSS_USER="$user" TTRSS_PASSWORD_FILE="$tmp/pw"
TTRSS_PASSWORD=

conf() { # conf FILE URL PASSWORD-LINE
	cat >"$1" <<EOF
set sync ttrss
set sync-url "$2"
set sync-user "$user"
$3
EOF
}
conf "$tmp/a.conf" "$TTRSS_URL" "set sync-password-file \"$tmp/pw\""
conf "$tmp/b.conf" "$TTRSS_URL" "set sync-password-command \"cat $tmp/pw\""
conf "$tmp/wrong.conf" "$TTRSS_URL" "set sync-password-file \"$tmp/wrong\""
# Port 1 on loopback: nothing listens there.
conf "$tmp/down.conf" "http://127.0.0.1:1/tt-rss/" \
	"set sync-password-file \"$tmp/pw\""

# cour CONF DB ARGS: courant as machine DB with config CONF; prints its
# standard output, leaves it in out and its errors in err, returns its
# status. Everything goes to out.log too, to look for the password.
cour() {
	conf=$1
	db=$2
	shift 2
	"$COURANT" -c "$tmp/$conf.conf" -u "$tmp/$db.urls" --db "$tmp/$db.db" \
		"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	cat "$tmp/out" "$tmp/err" >>"$tmp/out.log"
	cat "$tmp/out"
	return $rc
}
A() { cour a a "$@"; }
B() { cour b b "$@"; }
: >"$tmp/a.urls"
: >"$tmp/b.urls"

# The command lines of courant and of what it runs (the password command
# reads a file in $tmp), sampled through the run, to look for the password
# in any argv. Other processes are left out: a developer's own curl to the
# shared server is none of this test's business.
(while :; do
	ps -eo args | grep -F -e "$tmp" -e "$COURANT"
	sleep 0.1
done) >"$tmp/ps.log" 2>/dev/null &
sampler=$!

# state MACHINE TITLE: "unread starred" (1/0) from `courant list`.
state() {
	$1 list --limit 0 --format tsv | awk -F '\t' -v t="$2" \
		'$6 == t { print $3, $4; n++ } END { if (n != 1) print "missing" }'
}
item_id() {
	$1 list --limit 0 --format tsv | awk -F '\t' -v t="$2" '$6 == t { print $1 }'
}
ok() {
	echo "ok: $*"
	pass
}
expect() { # expect NAME GOT WANT
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1: got '$2', want '$3'"
	fi
}

title() { echo "$1 $run item $2"; }
api feed "$feeds/alpha.xml" alpha "$run" 5
api feed "$feeds/beta.xml" beta "$run" 4
alpha="${TTRSS_FEED_URL}$run/alpha.xml"
beta="${TTRSS_FEED_URL}$run/beta.xml"

# 1. Subscribe on A, sync B: B lists the feeds and their articles.
if A add --remote "$alpha" >/dev/null &&
	A add --remote --category Tech "$beta" >/dev/null; then
	ok "subscribe on A (courant add --remote, --category)"
else
	fail "subscribe on A: $(cat "$tmp/err")"
fi
# No updater runs here: add --remote itself asked tt-rss to fetch the feeds.
A sync -q
B sync >/dev/null
B feeds >"$tmp/feeds"
if grep -q "Fixture alpha $run" "$tmp/feeds" &&
	grep -q "Fixture beta $run" "$tmp/feeds"; then
	ok "B lists the feeds subscribed on A"
else
	fail "subscribe on A, sync B: B's feeds: $(cat "$tmp/feeds")"
fi
expect "B has the articles" "$(B list --limit 0 --format tsv | grep -c " $run item ")" 9
expect "category as a tag" "$(B feeds --tag Tech | grep -c "Fixture beta $run")" 1

# 2. Read and star on A, sync A, sync B: B shows it.
a1=$(title alpha 1)
a2=$(title alpha 2)
A mark read "$(item_id A "$a1")" >/dev/null
A mark starred "$(item_id A "$a2")" >/dev/null
if A sync -q; then
	ok "A pushes its changes"
else
	fail "sync A after marking: $(cat "$tmp/err")"
fi
expect "A's read reached the server" "$(api state "$a1")" "unread=0 starred=0"
expect "A's star reached the server" "$(api state "$a2")" "unread=1 starred=1"
B sync -q
expect "B sees A's read" "$(state B "$a1")" "0 0"
expect "B sees A's star" "$(state B "$a2")" "1 1"

# 3. Change on B, A sees it.
B mark unread "$(item_id B "$a1")" >/dev/null
B mark unstarred "$(item_id B "$a2")" >/dev/null
B mark read "$(item_id B "$a2")" >/dev/null
B sync -q
A sync -q
expect "A sees B's unread" "$(state A "$a1")" "1 0"
expect "A sees B's unstar and read" "$(state A "$a2")" "0 0"

# 4. Conflicts. Same field: A stars a3 (not yet pushed); B stars it, syncs,
# unstars it and syncs again. A's queued change is the newest courant can
# know of (tt-rss tells no change times): it wins at A's next sync.
a3=$(title alpha 3)
A mark starred "$(item_id A "$a3")" >/dev/null
B mark starred "$(item_id B "$a3")" >/dev/null
B sync -q
B mark unstarred "$(item_id B "$a3")" >/dev/null
B sync -q
A sync -q
B sync -q
expect "same field: A's queued change wins on A" "$(state A "$a3")" "1 1"
expect "same field: ... on the server" "$(api state "$a3")" "unread=1 starred=1"
expect "same field: ... on B" "$(state B "$a3")" "1 1"
# Different fields: A reads a4, B stars it; both survive everywhere.
a4=$(title alpha 4)
A mark read "$(item_id A "$a4")" >/dev/null
B mark starred "$(item_id B "$a4")" >/dev/null
B sync -q
A sync -q
B sync -q
expect "different fields merge on A" "$(state A "$a4")" "0 1"
expect "different fields merge on the server" "$(api state "$a4")" "unread=0 starred=1"
expect "different fields merge on B" "$(state B "$a4")" "0 1"

# 5. The server goes away: A keeps working from its store, queues, and
# replays the queue when the server is back.
if [ "$own" = yes ] && ! sh "$server" busy "$user"; then
	sh "$server" offline 2>/dev/null
	down=a
else
	down=down # a shared server stays up: A syncs to a dead address
fi
a5=$(title alpha 5)
b1=$(title beta 1)
A mark read "$(item_id A "$a5")" >/dev/null
A mark starred "$(item_id A "$b1")" >/dev/null
cour "$down" a sync >/dev/null
rc=$?
expect "offline: sync exits 1" "$rc" 1
if grep -q '^courant sync: cannot reach ' "$tmp/err"; then
	ok "offline: clear message"
else
	fail "offline: message: $(cat "$tmp/err")"
fi
expect "offline: A still shows its change" "$(state A "$a5")" "0 0"
if [ "$down" = a ]; then
	if sh "$server" start 2>/dev/null; then
		ok "the server comes back"
	else
		fail "the server does not come back"
	fi
fi
if A sync >/dev/null; then
	ok "sync once the server is back"
else
	fail "sync after the server is back: $(cat "$tmp/err")"
fi
if grep -q '2 changes pushed' "$tmp/out"; then
	ok "back online: the queue is replayed"
else
	fail "back online: the queue was not replayed: $(cat "$tmp/out")"
fi
B sync -q
expect "nothing lost: B sees the offline read" "$(state B "$a5")" "0 0"
expect "nothing lost: B sees the offline star" "$(state B "$b1")" "1 1"

# 6. A wrong password, then API access disabled: clear errors, exit 1,
# queued changes kept.
b2=$(title beta 2)
A mark read "$(item_id A "$b2")" >/dev/null
cour wrong a sync >/dev/null
rc=$?
expect "wrong password: exit status" "$rc" 1
if grep -q '^courant sync: login refused' "$tmp/err"; then
	ok "wrong password: clear message"
else
	fail "wrong password: message: $(cat "$tmp/err")"
fi
# A password file others may read is refused (a config error, 2); a
# password command that fails is a sync failure (1).
cp "$tmp/pw" "$tmp/open"
chmod 644 "$tmp/open"
conf "$tmp/open.conf" "$TTRSS_URL" "set sync-password-file \"$tmp/open\""
conf "$tmp/false.conf" "$TTRSS_URL" "set sync-password-command \"false\""
cour open a sync >/dev/null
expect "password file others may read: exit status" "$?" 2
if grep -q '^courant sync: .*chmod 600' "$tmp/err"; then
	ok "password file others may read: clear message"
else
	fail "password file others may read: message: $(cat "$tmp/err")"
fi
cour false a sync >/dev/null
expect "failing password command: exit status" "$?" 1
if grep -q '^courant sync: sync-password-command: ' "$tmp/err"; then
	ok "failing password command: clear message"
else
	fail "failing password command: message: $(cat "$tmp/err")"
fi
sh "$server" api "$user" off
A sync >/dev/null
expect "API disabled: exit status" "$?" 1
if grep -q '^courant sync: .*API is disabled' "$tmp/err"; then
	ok "API disabled: clear message"
else
	fail "API disabled: message: $(cat "$tmp/err")"
fi
sh "$server" api "$user" on
if A sync >/dev/null; then
	ok "sync with the API enabled again"
else
	fail "sync after API enabled again: $(cat "$tmp/err")"
fi
expect "errors kept the queue" "$(api state "$b2")" "unread=0 starred=0"

# 7. A local urls-file feed beside the remote ones, then also the same URL
# as a remote feed (a separate, local subscription of its own).
api feed "$tmp/local.xml" local "$run" 2
printf 'file://%s/local.xml\n' "$tmp" >"$tmp/a.urls"
# `courant refresh` syncs too: another client's star arrives with it.
api set "$a5" star
if A refresh >/dev/null; then
	ok "refresh with a local feed and sync"
else
	fail "refresh with a local feed and sync: $(cat "$tmp/err")"
fi
expect "refresh syncs too" "$(state A "$a5")" "0 1"
expect "local articles listed" "$(A list --limit 0 --format tsv | grep -c "local $run item ")" 2
printf 'file://%s/local.xml\n%s\n' "$tmp" "$alpha" >"$tmp/a.urls"
A refresh >/dev/null
A feeds >"$tmp/feeds"
expect "local and remote feeds side by side, one URL twice" \
	"$(grep -c -e "Fixture local $run" -e "Fixture alpha $run" -e "Fixture beta $run" "$tmp/feeds")" 4
expect "the local copy of a remote feed has its own articles" \
	"$(A list --limit 0 --format tsv | grep -c "	alpha $run item ")" 10
if A sync -q; then
	ok "sync with local feeds"
else
	fail "sync with local feeds: $(cat "$tmp/err")"
fi
expect "local feeds stay local" "$(api count)" 9

# 8. Search finds a remote article (its content came from the server).
word=quokka$(echo "$run" | tr -d -)
expect "search finds a remote article" \
	"$(B search --format tsv "$word" | grep -c "beta $run item 3")" 1

# 9. Incremental sync: only the new articles are fetched.
B_stats() { B sync --stats | sed -n 's/^requests \([0-9]*\), bytes \([0-9]*\).*/\1 \2/p'; }
set -- $(B_stats)
quiet_req=${1:-0}
quiet_bytes=${2:-0}
api feed "$feeds/alpha.xml" alpha "$run" 7
api update-all
B sync --stats >"$tmp/sync.out"
if grep -q ' 2 articles received' "$tmp/sync.out"; then
	ok "incremental: only the 2 new articles received"
else
	fail "incremental: $(head -n 1 "$tmp/sync.out")"
fi
set -- $(sed -n 's/^requests \([0-9]*\), bytes \([0-9]*\).*/\1 \2/p' "$tmp/sync.out")
if [ "${1:-99}" -le $((quiet_req + 2)) ]; then
	ok "incremental: requests as with nothing new (+2 at most)"
else
	fail "incremental: $1 requests, $quiet_req with nothing new"
fi
if [ "${2:-0}" -lt $((quiet_bytes + 20000)) ]; then
	ok "incremental: bytes as with nothing new (+20 kB at most)"
else
	fail "incremental: $2 bytes, $quiet_bytes with nothing new"
fi
expect "incremental: B has the new articles" \
	"$(B list --limit 0 --format tsv | grep -c "alpha $run item ")" 7

# 10. The password appears in no output, no argv, no database.
kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null
sampler=
mask() {
	"$PYTHON3" -c 'import sys
pw = open(sys.argv[1]).readline().strip()
for line in sys.stdin.buffer:
    print(line.decode(errors="replace").replace(pw, "<password>")[:200])' "$tmp/pw"
}
# grep -f: the password in grep's own argv would be caught by ps.
for f in out.log ps.log a.db a.db-wal b.db b.db-wal; do
	[ -f "$tmp/$f" ] || continue
	if grep -a -q -F -f "$tmp/pw" "$tmp/$f"; then
		fail "the password is in $f: $(grep -a -F -f "$tmp/pw" "$tmp/$f" |
			head -n 3 | mask)"
	else
		ok "the password is not in $f"
	fi
done
if grep -q "$COURANT" "$tmp/ps.log"; then
	ok "the ps sampler saw courant"
else
	fail "the ps sampler saw no courant"
fi

finish
