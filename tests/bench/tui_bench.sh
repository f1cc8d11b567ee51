#!/bin/sh
# SPDX-License-Identifier: MIT
# The reader's benchmark (issue 6), run by 'make bench-tui' or by hand:
#   COURANT=build/courant sh tests/bench/tui_bench.sh [FEEDS] [ITEMS]
# A store of FEEDS x ITEMS articles (default 200 x 500) is built from
# file:// feeds once and kept in BENCH_DIR (when set; else in a temporary
# directory), and each run works on a copy of it. Then, in a private tmux
# server at 120x40: the time from launch to the first full screen (polling
# capture-pane; best of 5), the peak resident memory (VmHWM) after opening
# the biggest list, and the bytes courant writes to the terminal for a
# one-line move (tmux pipe-pane), averaged over 20 moves. Prints PASS or
# FAIL against the issue's targets and exits 1 on a FAIL.
set -eu
: "${COURANT:?set COURANT to the courant binary}"
feeds=${1:-200}
items=${2:-500}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/courant-bench.XXXXXX")
sock=courant-bench-$$
T() { tmux -f /dev/null "$@"; }
trap 'for i in 0 1 2 3 4; do T -L "$sock-$i" kill-server >/dev/null 2>&1 || :; done; rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C.UTF-8
unset TMUX TMUX_PANE XDG_DATA_HOME XDG_CONFIG_HOME COURANT_DB

command -v tmux >/dev/null 2>&1 || { echo "tui_bench: tmux is not installed" >&2; exit 1; }
if command -v ldd >/dev/null 2>&1 && ldd "$COURANT" 2>/dev/null | grep -q 'libasan'; then
	echo "tui_bench: note: built with sanitizers; the figures mean little" >&2
fi

cache=${BENCH_DIR:-$tmp}/tui-${feeds}x${items}
if [ ! -f "$cache/done" ]; then
	echo "tui_bench: building the store in $cache (a minute)..." >&2
	rm -rf "$cache"
	mkdir -p "$cache/home" "$tmp/feeds"
	"${PYTHON3:-python3}" - "$tmp/feeds" "$feeds" "$items" <<'PY'
import sys
d, nf, ni = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
for f in range(nf):
    with open(f"{d}/feed{f:03d}.xml", "w") as o:
        o.write(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>')
        for i in range(ni):
            day = 1 + (i * 7 + f) % 28
            o.write(f'<item><title>Feed {f} article {i}: a headline of ordinary length</title>'
                    f'<link>https://example.org/{f}/{i}</link><guid>{f}-{i}</guid>'
                    f'<pubDate>{days[i % 7]}, {day:02d} May 2024 {i % 24:02d}:{f % 60:02d}:00 GMT</pubDate>'
                    f'<description>Paragraph {i} of feed {f}.</description></item>')
        o.write('</channel></rss>')
PY
	for f in "$tmp"/feeds/feed*.xml; do
		HOME="$cache/home" "$COURANT" --db "$cache/db" add "file://$f" >/dev/null
	done
	rm -rf "$tmp/feeds"
	: >"$cache/done"
fi
# A fresh copy per run: the benchmark's own marks never pile up.
cp -R "$cache/home" "$tmp/home"
cp "$cache/db" "$tmp/db"
export HOME="$tmp/home"
echo "store: $feeds feeds x $items items ($(($(wc -c <"$tmp/db") / 1048576)) MiB)"

"${PYTHON3:-python3}" - "$COURANT" "$tmp" "$sock" "$((feeds * items))" <<'PY'
import os, subprocess, sys, time
courant, tmp, sock, total = sys.argv[1:]
base = ["tmux", "-f", "/dev/null", "-L"]
T = base + [sock]
def cap():
    return subprocess.run(T + ["capture-pane", "-p"], capture_output=True, text=True).stdout
def wait(text, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in cap():
            return time.monotonic()
    raise SystemExit(f"timeout waiting for {text!r}:\n{cap()}")
best = None
for run in range(5):
    T = base + [f"{sock}-{run}"]
    subprocess.run(T + ["new-session", "-d", "-x", "120", "-y", "40", "cat"], check=True)
    t0 = time.monotonic()
    subprocess.run(T + ["respawn-pane", "-k", f"exec {courant} --db {tmp}/db"], check=True)
    t = wait(" feeds") - t0
    best = t if best is None else min(best, t)
    if run < 4:
        subprocess.run(T + ["kill-server"], capture_output=True)
first_ms = best * 1000
print(f"first full screen: {first_ms:.0f} ms (best of 5, tmux polling included)")
pid = subprocess.run(T + ["display-message", "-p", "#{pane_pid}"], capture_output=True, text=True).stdout.strip()
subprocess.run(T + ["send-keys", "Enter"])
wait("All unread")
wait(" 1/")
log = f"{tmp}/out.log"
subprocess.run(T + ["pipe-pane", "-o", f"cat >> {log}"])
time.sleep(0.5)
moves = 20
start = os.path.getsize(log) if os.path.exists(log) else 0
for i in range(moves):
    subprocess.run(T + ["send-keys", "j"])
    wait(f" {i + 2}/")
time.sleep(0.3)
per_move = (os.path.getsize(log) - start) / moves
print(f"bytes per one-line move: {per_move:.1f} (over {moves} moves)")
subprocess.run(T + ["send-keys", "G"])
wait(f" {total}/{total}")
time.sleep(0.5)
with open(f"/proc/{pid}/status") as f:
    hwm = int([l for l in f if l.startswith("VmHWM")][0].split()[1])
rss = hwm / 1024
print(f"peak RSS: {rss:.1f} MiB (after the first screen, 20 moves and G)")
ok = True
for name, value, limit in (("first screen ms", first_ms, 100),
                           ("peak RSS MiB", rss, 24),
                           ("bytes per move", per_move, 64)):
    good = value < limit
    ok = ok and good
    print(f"{'PASS' if good else 'FAIL'}: {name} {value:.1f} < {limit}")
sys.exit(0 if ok else 1)
PY
