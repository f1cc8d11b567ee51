#!/bin/sh
# SPDX-License-Identifier: MIT
# The sync benchmark (issue 9), against the loopback tt-rss of
# tests/sync/ttrss-server.sh: an initial `courant sync` of FEEDS x ITEMS
# articles (default 50 x 100 = 5,000), then an incremental one after
# CHANGES articles (default 100) were changed by another client through the
# API. Prints wall time, requests and bytes of each (`courant sync --stats`).
#
#   COURANT=... PYTHON3=... top_srcdir=... sh sync_bench.sh [FEEDS [ITEMS [CHANGES]]]
#
# Exit 77 when the server cannot be had here (not root, no packages).
set -u
: "${COURANT:?set COURANT to the courant binary}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON3:=/usr/bin/python3}"
n_feeds=${1:-50}
n_items=${2:-100}
n_changes=${3:-100}

server="$top_srcdir/tests/sync/ttrss-server.sh"
api() { "$PYTHON3" "$top_srcdir/tests/sync/ttrss_api.py" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/courant-sync-bench.XXXXXX")
own=no
if ! sh "$server" status; then
	t=$(now)
	sh "$server" start
	rc=$?
	[ $rc -eq 0 ] || {
		rm -rf "$tmp"
		echo "sync bench: no tt-rss server (ttrss-server.sh: $rc)" >&2
		exit $rc
	}
	own=yes
	echo "sync bench: server started in $(since "$t") s"
fi
eval "$(sh "$server" env)"
run=bench-$$-$(date +%s)
user=ct-$run
feeds="$TTRSS_FEED_DIR/$run"
cleanup() {
	sh "$server" deluser "$user" 2>/dev/null
	rm -rf "$feeds" "$tmp"
	# Another test run may use the server meanwhile: leave it up then.
	[ "$own" = no ] || sh "$server" busy || sh "$server" stop
}
trap cleanup EXIT
trap 'exit 1' INT TERM

sh "$server" user "$user" || exit 1
mkdir -p "$feeds" "$tmp/home"
printf '%s\n' "$TTRSS_PASSWORD" >"$tmp/pw"
chmod 600 "$tmp/pw"
export TTRSS_URL TTRSS_USER="$user" TTRSS_PASSWORD_FILE="$tmp/pw"
export HOME="$tmp/home" XDG_CONFIG_HOME= XDG_DATA_HOME=
cat >"$tmp/conf" <<EOF
set sync ttrss
set sync-url "$TTRSS_URL"
set sync-user "$user"
set sync-password-file "$tmp/pw"
EOF
: >"$tmp/urls"

t=$(now)
i=1
set --
while [ $i -le "$n_feeds" ]; do
	api feed "$feeds/f$i.xml" "f$i" "$run" "$n_items" || exit 1
	set -- "$@" "${TTRSS_FEED_URL}$run/f$i.xml"
	i=$((i + 1))
done
api subscribe "$@" >/dev/null || exit 1
echo "sync bench: $n_feeds feeds of $n_items items written and subscribed in $(since "$t") s"
t=$(now)
api update-all || exit 1
echo "sync bench: tt-rss fetched them in $(since "$t") s ($(api count) articles)"

# bench_sync NAME: one `courant sync --stats`, its figures on one line.
bench_sync() {
	t=$(now)
	"$PYTHON3" -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    f.write("%.2f s, peak RSS %d KiB" % (r.ru_utime + r.ru_stime, r.ru_maxrss))
sys.exit(rc)' "$tmp/cpu" "$COURANT" -c "$tmp/conf" -u "$tmp/urls" \
		--db "$tmp/db" sync --stats >"$tmp/out" 2>"$tmp/err" || {
		echo "sync bench: $1 sync failed: $(cat "$tmp/err")" >&2
		exit 1
	}
	wall=$(since "$t")
	summary=$(head -n 1 "$tmp/out")
	stats=$(sed -n 's/^requests /requests /p' "$tmp/out")
	echo "sync bench: $1: wall $wall s, $stats"
	echo "sync bench: $1: courant's CPU $(cat "$tmp/cpu")"
	echo "sync bench: $1: $summary"
}
bench_sync initial
items=$("$COURANT" -c "$tmp/conf" -u "$tmp/urls" --db "$tmp/db" count)
echo "sync bench: courant stores $items articles"

half=$((n_changes / 2))
api set-many "$half" read >/dev/null || exit 1
api set-many "$((n_changes - half))" star "$half" >/dev/null || exit 1
echo "sync bench: another client changed $n_changes articles ($half read, $((n_changes - half)) starred)"
bench_sync incremental
bench_sync "nothing new"
