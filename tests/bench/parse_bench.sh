#!/bin/sh
# SPDX-License-Identifier: MIT
# The parse benchmark (make bench): times `courant parse --stats` against a
# bare libxml2 push-SAX pass (sax_baseline) over the same generated feed, and
# checks the issue's targets: at least 60% of the baseline's throughput, and
# a peak RSS under 16 MiB. The two programs run alternately, so that a busy
# machine slows both alike; the best run of each is compared.
#
# Environment: COURANT, BASELINE (the two programs), BENCH_DIR (where the
# feed is cached), PYTHON3; optional BENCH_RUNS (5), BENCH_SIZE_MB (50),
# BENCH_SEED (1), BENCH_TIME (GNU time, found on its own; empty: do
# without). Exits 1 when a run fails or a target is missed.
set -eu

: "${COURANT:?run through make bench}"
: "${BASELINE:?run through make bench}"
: "${BENCH_DIR:?run through make bench}"
: "${PYTHON3:=python3}"
runs=${BENCH_RUNS:-5}
size=${BENCH_SIZE_MB:-50}
seed=${BENCH_SEED:-1}
here=$(cd "$(dirname "$0")" && pwd)
gen=$here/gen_feed.py
feed=$BENCH_DIR/feed-s$seed-${size}m.xml

# Targets from the issue.
min_ratio=0.60
max_rss_kib=16384

case $PYTHON3 in
no | '') echo "parse_bench: python3 is needed to generate the feed" >&2; exit 1 ;;
esac
for prog in "$COURANT" "$BASELINE"; do
	[ -x "$prog" ] || { echo "parse_bench: $prog: not built" >&2; exit 1; }
done
if command -v ldd >/dev/null 2>&1 && ldd "$COURANT" 2>/dev/null | grep -q 'libasan'; then
	echo "parse_bench: note: courant is built with sanitizers; its figures mean little" >&2
fi

# Generate the feed once; again only when the generator changed.
mkdir -p "$BENCH_DIR"
if [ ! -f "$feed" ] || [ ! -f "$feed.count" ] || [ "$gen" -nt "$feed" ]; then
	echo "generating $feed (${size} MB, seed $seed)..."
	"$PYTHON3" "$gen" --size "$size" --seed "$seed" -o "$feed" >"$feed.count.tmp"
	mv "$feed.count.tmp" "$feed.count"
fi
read -r want_items bytes <"$feed.count"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/courant-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Runs argv[2:] with stdout to argv[1] and stdin from /dev/null; prints the
# wall time in seconds, the child's peak RSS in KiB and its exit status.
# ru_maxrss from wait4 would be wrong here: a child spawned by python starts
# as a copy of python and keeps its high-water mark across exec. So the peak
# comes from GNU time (which forks from its own small image) when BENCH_TIME
# names it, else from polling the child's VmHWM in /proc (the high-water
# mark of the image after exec), which can only miss the last millisecond.
timer='
import os, sys, time
out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
argv = sys.argv[2:]
gnu_time = os.environ.get("BENCH_TIME", "")
rss_file = sys.argv[1] + ".rss"
if gnu_time:
    argv = [gnu_time, "-f", "%M", "-o", rss_file] + argv
acts = [(os.POSIX_SPAWN_DUP2, out, 1),
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)]
hwm = 0
t0 = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=acts)
while True:
    done, status, _ = os.wait4(pid, 0 if gnu_time else os.WNOHANG)
    if done:
        break
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = max(hwm, int(line.split()[1]))
    except (OSError, ValueError):
        pass
    time.sleep(0.001)
t1 = time.perf_counter()
if gnu_time:
    with open(rss_file) as f:
        hwm = int(f.read().split()[-1])
print("%.6f %d %d" % (t1 - t0, hwm, os.waitstatus_to_exitcode(status)))
'
if [ -z "${BENCH_TIME+set}" ]; then
	BENCH_TIME=
	for t in /usr/bin/time /bin/time; do
		if [ -x "$t" ] && "$t" --version 2>&1 | grep -q GNU; then
			BENCH_TIME=$t
			break
		fi
	done
fi
export BENCH_TIME
measure() { # name, command...
	name=$1
	shift
	"$PYTHON3" -c "$timer" "$tmp/$name.out" "$@" >"$tmp/$name.last"
	read -r secs rss status <"$tmp/$name.last"
	if [ "$status" -ne 0 ]; then
		echo "FAIL: $name exited with status $status:" >&2
		cat "$tmp/$name.out" >&2
		exit 1
	fi
	echo "$secs $rss" >>"$tmp/$name.times"
}

cat "$feed" >/dev/null # into the page cache before the first timed run
echo "feed: $feed"
echo "      $bytes bytes, $want_items items; $runs runs of each, alternating"
echo "      peak RSS from ${BENCH_TIME:-VmHWM in /proc (no GNU time)}"
i=1
while [ "$i" -le "$runs" ]; do
	measure baseline "$BASELINE" "$feed"
	measure courant "$COURANT" parse --stats "$feed"
	printf 'run %d: baseline %.3f s, courant %.3f s\n' "$i" \
		"$(tail -n 1 "$tmp/baseline.times" | cut -d' ' -f1)" \
		"$(tail -n 1 "$tmp/courant.times" | cut -d' ' -f1)"
	i=$((i + 1))
done

# courant must have seen every item, or its speed means nothing.
stats=$(cat "$tmp/courant.out")
echo "courant --stats: $stats"
got_items=$(printf '%s\n' "$stats" | awk -F'\t' '{ sub(/ items$/, "", $3); print $3 }')
ok=1
case $stats in
*"	well-formed") ;;
*) echo "FAIL: courant did not find the feed well-formed"; ok=0 ;;
esac
if [ "$got_items" != "$want_items" ]; then
	echo "FAIL: courant saw $got_items items, the feed has $want_items"
	ok=0
fi

# best and median wall time, and the largest peak RSS, of one program
summary() {
	sort -n "$tmp/$1.times" | awk -v bytes="$bytes" '
		{ t[NR] = $1; if ($2 > rss) rss = $2 }
		END {
			med = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
			printf "%.6f %.6f %.1f %.1f %d\n", t[1], med,
				bytes / t[1] / 1e6, bytes / med / 1e6, rss
		}'
}
read -r b_best b_med b_mbs b_mbs_med b_rss <<EOF
$(summary baseline)
EOF
read -r c_best c_med c_mbs c_mbs_med c_rss <<EOF
$(summary courant)
EOF

echo
printf 'baseline (libxml2 push-SAX, no-op callbacks, 16 KiB chunks)\n'
printf '  best %.3f s = %.1f MB/s, median %.3f s = %.1f MB/s, peak RSS %.1f MiB\n' \
	"$b_best" "$b_mbs" "$b_med" "$b_mbs_med" "$(echo "$b_rss" | awk '{ print $1 / 1024 }')"
printf 'courant parse --stats\n'
printf '  best %.3f s = %.1f MB/s, median %.3f s = %.1f MB/s, peak RSS %.1f MiB\n' \
	"$c_best" "$c_mbs" "$c_med" "$c_mbs_med" "$(echo "$c_rss" | awk '{ print $1 / 1024 }')"

ratio=$(awk -v b="$b_best" -v c="$c_best" 'BEGIN { printf "%.2f", b / c }')
verdict() { [ "$1" = 1 ] && echo PASS || echo FAIL; }
r_ok=$(awk -v r="$ratio" -v m="$min_ratio" 'BEGIN { print (r >= m) ? 1 : 0 }')
m_ok=$(awk -v r="$c_rss" -v m="$max_rss_kib" 'BEGIN { print (r < m) ? 1 : 0 }')
echo
printf 'throughput ratio courant/baseline: %.2f (%.0f%%; target >= %.0f%%)  %s\n' \
	"$ratio" "$(awk -v r="$ratio" 'BEGIN { print r * 100 }')" \
	"$(awk -v m="$min_ratio" 'BEGIN { print m * 100 }')" "$(verdict "$r_ok")"
printf 'courant peak RSS: %.1f MiB (target < %d MiB)  %s\n' \
	"$(echo "$c_rss" | awk '{ print $1 / 1024 }')" $((max_rss_kib / 1024)) \
	"$(verdict "$m_ok")"
[ "$r_ok" = 1 ] && [ "$m_ok" = 1 ] && [ "$ok" = 1 ]
