# SPDX-License-Identifier: MIT
"""The poller tests' loopback feed server (tests/fetch/server.py), run as a
process for the reader's tmux tests:

    serve.py CONTROL PORTFILE NAME...

serves /f/NAME for each NAME on a free loopback port, writes the port to
PORTFILE once listening, and runs until killed. A test changes the feeds
while it runs by rewriting CONTROL: one line per feed, "NAME key=value...",
with the attributes of server.Feed (delay=2.5 n_items=40 version=2); the
file is read again whenever its modification time changes, and a line
"# TAG" in it is written back to CONTROL.ok once the rest is in force.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "fetch"))
import server  # noqa: E402


def value(s):
    for kind in (int, float):
        try:
            return kind(s)
        except ValueError:
            pass
    return s


def apply(state, path):
    tag = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if words and words[0] == "#":
                tag = " ".join(words[1:])
            elif words:
                state.feed(words[0], **dict(
                    (k, value(v)) for k, v in
                    (w.split("=", 1) for w in words[1:])))
    if tag is not None:
        with open(path + ".ok.tmp", "w") as f:
            f.write(tag + "\n")
        os.rename(path + ".ok.tmp", path + ".ok")


def main():
    control, portfile, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    state = server.State()
    for name in names:
        state.feed(name, n_items=20)
    ports, _ = server.start(state)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % ports[0])
    os.rename(portfile + ".tmp", portfile)
    seen = None
    while True:
        try:
            mtime = os.stat(control).st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if mtime is not None and mtime != seen:
            seen = mtime
            apply(state, control)
        time.sleep(0.05)


if __name__ == "__main__":
    main()
