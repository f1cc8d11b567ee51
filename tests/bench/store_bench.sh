#!/bin/sh
# SPDX-License-Identifier: MIT
# The store benchmark (make bench-store): runs store_bench on a generated
# cache of STORE_BENCH_FEEDS x STORE_BENCH_ITEMS articles (1,000 x 1,000 by
# default, issue 3), built once and kept in BENCH_DIR, then measures the
# peak memory of `courant list --limit 50` on it and checks the issue's
# targets. Exits 1 when a run fails or a target is missed.
#
# Environment: COURANT, STORE_BENCH (the programs), BENCH_DIR; optional
# STORE_BENCH_FEEDS, STORE_BENCH_ITEMS, STORE_BENCH_DB (the cache file).
set -eu

: "${COURANT:?run through make bench-store}"
: "${STORE_BENCH:?run through make bench-store}"
: "${BENCH_DIR:?run through make bench-store}"
feeds=${STORE_BENCH_FEEDS:-1000}
items=${STORE_BENCH_ITEMS:-1000}
db=${STORE_BENCH_DB:-$BENCH_DIR/store-${feeds}x${items}.db}

for prog in "$COURANT" "$STORE_BENCH"; do
	[ -x "$prog" ] || { echo "store_bench: $prog: not built" >&2; exit 1; }
done
if command -v ldd >/dev/null 2>&1 && ldd "$COURANT" 2>/dev/null | grep -q 'libasan'; then
	echo "store_bench: note: built with sanitizers; the figures mean little" >&2
fi
if [ ! -f "$db" ]; then
	echo "store_bench: building $db ($feeds x $items items; about 6 KB an item," \
		"minutes at 1M items)..." >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/courant-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$STORE_BENCH" "$db" "$feeds" "$items" >"$tmp/out"
cat "$tmp/out"

# Peak memory of a listing, the way a status bar runs it.
peak_kib() {
	if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null
		tail -n 1 "$tmp/rss"
	else
		"$@" >/dev/null &
		pid=$!
		kib=0
		while kill -0 "$pid" 2>/dev/null; do
			v=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
			[ -n "$v" ] && kib=$v
		done
		wait "$pid"
		echo "$kib"
	fi
}
list_kib=$(peak_kib "$COURANT" --db "$db" list --unread --limit 50)
echo "list_limit_50_peak_rss $list_kib KiB"
start=$(date +%s%N)
"$COURANT" --db "$db" count --unread >/dev/null
end=$(date +%s%N)
echo "count_unread_process $(( (end - start) / 1000000 )) ms"

# The targets of issue 3.
status=0
check() { # name limit unit
	v=$(awk -v n="$1" '$1 == n { print $2 }' "$tmp/out")
	[ "$1" = list_limit_50_peak_rss ] && v=$list_kib
	if [ -z "$v" ]; then
		echo "FAIL $1: not measured"
		status=1
	elif awk -v v="$v" -v l="$2" 'BEGIN { exit !(v < l) }'; then
		echo "PASS $1 $v < $2 $3"
	else
		echo "FAIL $1 $v >= $2 $3"
		status=1
	fi
}
echo "targets ($feeds x $items):"
check open_first_page_median 20 ms
check feeds_with_counts_median 50 ms
for q in 0 1 2 3; do
	check search_${q}_median 50 ms
done
check refresh_new_feed_median 100 ms
check list_limit_50_peak_rss 16384 KiB
exit $status
