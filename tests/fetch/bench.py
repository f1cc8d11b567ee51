# SPDX-License-Identifier: MIT
"""Refresh benchmark: 200 feeds of 50 items spread over 20 loopback "hosts"
(ports), 100 ms of added latency per request, ETag and gzip. Prints wall
time, CPU time (user+sys) and peak memory of a cold `courant refresh` and of
a warm one (everything 304), and the bytes each received.

usage: COURANT=build/courant python3 tests/fetch/bench.py [FEEDS] [PORTS]
"""

import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server  # noqa: E402

COURANT = os.environ.get("COURANT", "courant")


def run(env, *args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run([COURANT] + list(args), env=env, capture_output=True,
                       text=True, timeout=120)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime -
                                                  before.ru_stime)
    if p.returncode != 0:
        sys.exit("courant %s failed: %s" % (" ".join(args), p.stderr))
    return wall, cpu, after.ru_maxrss, p.stdout


def main():
    n_feeds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    n_ports = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    state = server.State()
    ports, stop = server.start(state, n_ports)
    tmp = tempfile.mkdtemp(prefix="courant-bench.")
    db = os.path.join(tmp, "db")
    env = dict(os.environ, COURANT_DB=db)
    try:
        urls = []
        for i in range(n_feeds):
            name = "bench%d" % i
            state.feed(name, n_items=50, mode="gzip")
            urls.append("http://127.0.0.1:%d/f/%s" % (ports[i % n_ports],
                                                       name))
        # One feed through `courant add` creates the database; the rest
        # are inserted directly, which is all a subscription is.
        subprocess.run([COURANT, "add", urls[0]], env=env, check=True,
                       capture_output=True)
        con = sqlite3.connect(db)
        con.executemany("INSERT INTO feeds (url, position) VALUES (?, ?)",
                        [(u, i) for i, u in enumerate(urls) if i > 0])
        con.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")
        con.execute("DELETE FROM items")
        con.commit()
        con.close()
        for i in range(n_feeds):
            state.feed("bench%d" % i, delay=0.1)
        cold = run(env, "refresh")
        warm = run(env, "refresh")
        for label, (wall, cpu, rss, out) in (("cold", cold), ("warm", warm)):
            summary = out.strip().splitlines()[-1]
            m = re.search(r"new items?, (.*) in", summary)
            print("%s: wall %.2f s, cpu %.2f s, peak RSS %.1f MB, %s "
                  "received\n  %s" % (label, wall, cpu, rss / 1024.0,
                                      m.group(1) if m else "?", summary))
        print("server: %d feeds on %d ports, 100 ms per request"
              % (n_feeds, n_ports))
    finally:
        stop()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
