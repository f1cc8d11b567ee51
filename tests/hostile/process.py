#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Process faults: signals, resizes, odd terminals and resource limits leave
the terminal restored and the store consistent.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
The reader runs on a real pseudo-terminal (Env.pty): every byte it writes is
checked, and "restored" means the captured stream ends outside the
alternate screen with every mode courant turned on turned off again.
"""

import os
import random
import re
import resource
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import fcntl
import threading
import time

from harness import *  # noqa: F401,F403
from harness import COURANT

SMCUP = b"\x1b[?1049h"
RMCUP = b"\x1b[?1049l"
# Modes ncurses or courant may turn on, each with what turns it off.
MODES = [(b"\x1b[?25l", b"\x1b[?25h", "cursor hidden"),
         (b"\x1b[?1h", b"\x1b[?1l", "application cursor keys"),
         (b"\x1b[?1000h", b"\x1b[?1000l", "mouse reporting"),
         (b"\x1b[?1002h", b"\x1b[?1002l", "mouse drag reporting"),
         (b"\x1b[?1006h", b"\x1b[?1006l", "SGR mouse"),
         (b"\x1b[?2004h", b"\x1b[?2004l", "bracketed paste")]


def asan():
    """True for a build with AddressSanitizer (its shadow memory needs
    terabytes of address space: RLIMIT_AS cannot work there)."""
    with open(COURANT, "rb") as f:
        return b"__asan_init" in f.read()


def assert_restored(out, what="the terminal"):
    """The stream left the alternate screen after it last entered it, and
    every mode it turned on was turned off again."""
    check(SMCUP in out, f"{what}: the reader never started ({out[-200:]!r})")
    check(out.rfind(RMCUP) > out.rfind(SMCUP),
          f"{what}: the alternate screen was not left; ends {out[-120:]!r}")
    for on, off, name in MODES:
        check(out.rfind(on) <= out.rfind(off), f"{what}: {name} left on")
    tail = out[out.rfind(RMCUP):]
    check(b"\x1b[?1049h" not in tail and b"\x1b[2J" not in tail and b"\x1b[H" not in tail,
          f"{what}: drawing after the screen was restored: {tail[:120]!r}")


def connect(path):
    return sqlite3.connect(path, timeout=15, isolation_level=None)


def integrity(path):
    c = connect(path)
    try:
        rows = c.execute("PRAGMA integrity_check").fetchall()
    finally:
        c.close()
    check(rows == [("ok",)], f"integrity_check: {rows[:5]}")


def tsv(env):
    r = env.courant("list", "--format", "tsv", "--limit", "0")
    check(r.rc == 0, f"courant list: {r!r}")
    return [line.split("\t") for line in r.out.decode("utf-8").splitlines()]


def marks(env):
    return {(r[4], r[5]): (r[2] == "0", r[3] == "1") for r in tsv(env)}


def assert_kept(env, before, what):
    now = marks(env)
    lost = [k for k in before if k not in now]
    check(not lost, f"{what}: {len(lost)} article(s) lost, e.g. {lost[:3]}")
    changed = [k for k in before if now[k] != before[k]]
    check(not changed, f"{what}: marks changed for {changed[:3]}")


class World:
    """Feeds for the reader: fast ones whose every response is a new batch
    of articles, and slow ones that hold a refresh open until released
    (or 15 s), so a signal can arrive while a refresh is running."""

    def __init__(self, env, fast=6, slow=2, per=8):
        self.env = env
        self.release = threading.Event()
        self.slow_on = False
        self.batches = {}
        self.lock = threading.Lock()
        env.write(env.config, "set download-timeout 20s\nset connect-timeout 5s\n")
        routes = {}
        for i in range(fast):
            routes[f"/fast{i}"] = self.fast(i, per)
        for i in range(slow):
            routes[f"/slow{i}"] = self.slow(i)
        self.server = env.serve(routes)
        env.write(env.urls, "".join(self.server.url(p) + "\n" for p in routes))
        r = env.courant("refresh")
        check(r.rc == 0, f"first refresh: {r!r}")
        rows = tsv(env)
        ids = [r[0] for k, r in enumerate(rows) if k % 3 == 0]
        check(env.courant("mark", "read", *ids).rc == 0, "mark read")
        ids = [r[0] for k, r in enumerate(rows) if k % 5 == 1]
        check(env.courant("mark", "starred", *ids).rc == 0, "mark starred")
        self.marked = marks(env)
        self.slow_on = True

    def fast(self, i, per):
        def handler(req):
            with self.lock:
                b = self.batches[i] = self.batches.get(i, -1) + 1
            its = [{"title": f"fast{i} b{b} n{j}", "guid": f"b{b}-{j}",
                    "description": "text " * 50} for j in range(per)]
            reply(req, 200, rss(its, title=f"Feed {i}"))
        return handler

    def slow(self, i):
        def handler(req):
            if self.slow_on:
                self.release.wait(15)
            reply(req, 200, rss([{"title": f"slow{i}", "guid": "s"}], title=f"Slow {i}"))
        return handler

    def slow_hits(self):
        return sum(self.server.hits(f"/slow{i}") for i in range(2))

    def check_store(self, what):
        self.release.set()
        integrity(self.env.db)
        assert_kept(self.env, self.marked, what)


def signal_during_refresh(env, signum):
    w = World(env)
    r = env.pty([], [("wait", "Feed 0"), "R", ("wait", "refreshing"), ("sleep", 0.4),
                     ("signal", signum), ("sleep", 0.1)], timeout=20)
    check(w.slow_hits() > 0, "the refresh never reached the slow feeds")
    check(not r.timed_out and r.seconds < 10, f"no prompt exit after the signal: {r!r}")
    check(r.rc in (0, 1, -signum, 128 + signum), f"exit status: {r!r}")
    assert_restored(r.out)
    assert_terminal_clean(r.out)
    w.check_store(f"after signal {signum}")


@case("process", "sighup-during-refresh",
      "SIGHUP (an SSH drop) while the reader refreshes: courant exits within "
      "seconds, the terminal is restored (alternate screen left, modes reset), "
      "the database passes integrity_check and no article or mark is lost")
def sighup_refresh(env):
    signal_during_refresh(env, signal.SIGHUP)


@case("process", "sigterm-during-refresh",
      "SIGTERM while the reader refreshes: courant exits within seconds, the "
      "terminal is restored, the database passes integrity_check and no "
      "article or mark is lost")
def sigterm_refresh(env):
    signal_during_refresh(env, signal.SIGTERM)


@case("process", "ctrl-c-and-ctrl-backslash",
      "Ctrl-C (SIGINT) and Ctrl-\\ (SIGQUIT) typed in the reader, idle or "
      "refreshing, end it at once with the terminal restored and no core dump")
def ctrl_c(env):
    w = World(env)
    for key, refreshing in ((b"\x03", False), (b"\x1c", False), (b"\x03", True)):
        steps = [("wait", "Feed 0")]
        if refreshing:
            steps += ["R", ("wait", "refreshing"), ("sleep", 0.3)]
        r = env.pty([], steps + [key, ("sleep", 0.1)], timeout=15)
        check(not r.timed_out and r.seconds < 8, f"{key!r}: no prompt exit: {r!r}")
        check(r.rc in (0, 1, 130), f"{key!r}: exit status {r.rc}")
        assert_restored(r.out, f"after {key!r}")
        assert_terminal_clean(r.out)
    w.check_store("after Ctrl-C")


@case("process", "hangup-during-refresh",
      "the terminal going away (pty master closed) during a refresh: courant "
      "exits within seconds without spinning (little CPU time), and the "
      "database passes integrity_check with nothing lost")
def hangup_refresh(env):
    w = World(env)
    r = env.pty([], [("wait", "Feed 0"), "R", ("wait", "refreshing"), ("sleep", 0.3),
                     ("close",)], timeout=12)
    check(w.slow_hits() > 0, "the refresh never reached the slow feeds")
    check(not r.timed_out and r.seconds < 8, f"no exit after the hang-up: {r!r}")
    check(r.cpu_seconds < 3, f"{r.cpu_seconds:.1f} s of CPU: spinning after the hang-up")
    w.check_store("after the hang-up")


@case("process", "hangup-idle",
      "the terminal going away while the reader waits for keys: courant exits "
      "within seconds and uses little CPU time (an early build spun in "
      "ioctl(TIOCGWINSZ) once its terminal was gone)")
def hangup_idle(env):
    env.write(env.urls, "")
    r = env.pty([], [("wait", "feeds"), ("sleep", 0.3), ("close",)], timeout=12)
    check(not r.timed_out and r.seconds < 6, f"no exit after the hang-up: {r!r}")
    check(r.cpu_seconds < 2, f"{r.cpu_seconds:.1f} s of CPU: spinning after the hang-up")


def storm(n, seconds, rng):
    def fn(master, pid):
        end = time.monotonic() + seconds
        for k in range(n):
            fcntl.ioctl(master, termios.TIOCSWINSZ,
                        struct.pack("HHHH", rng.randint(1, 300), rng.randint(1, 400), 0, 0))
            # Keep the terminal drained so courant never blocks writing.
            try:
                os.read(master, 1 << 20) if k % 10 == 0 and _readable(master) else None
            except OSError:
                pass
            time.sleep(max(0.0, (end - time.monotonic()) / max(1, n - k)))
    return fn


def _readable(fd):
    import select
    return bool(select.select([fd], [], [], 0)[0])


HELP = "Keys (q to go back)"


@case("process", "sigwinch-storm",
      "500 resizes to random sizes within a second (each a SIGWINCH) do not "
      "crash the reader; it still answers keys afterwards, writes nothing but "
      "its own sequences, and restores the terminal on quit")
def sigwinch_storm(env):
    World(env, fast=3, slow=0)
    rng = random.Random(11)
    r = env.pty([], [("wait", "Feed 0"), ("call", storm(500, 1.0, rng)),
                     ("resize", 24, 80), ("sleep", 0.3), "?", ("wait", HELP, 10), "q",
                     ("sleep", 0.1), "Q"], timeout=30)
    check(r.rc == 0 and not r.timed_out, f"after the storm: {r!r}")
    assert_restored(r.out)
    assert_terminal_clean(r.out)


@case("process", "tiny-and-huge-sizes",
      "resizing the reader to 1x1, 2x10, 10x2, 0x0 and 500x500, with keys typed "
      "at each size, neither crashes nor hangs it, and it answers keys at "
      "80x24 afterwards")
def tiny_sizes(env):
    World(env, fast=3, slow=0)
    steps = [("wait", "Feed 0")]
    for rows, cols in ((1, 1), (2, 10), (10, 2), (0, 0), (500, 500), (1, 200), (200, 1)):
        steps += [("resize", rows, cols), ("sleep", 0.15), "j", "\r", "?", "q", "k", "h",
                  ("sleep", 0.1)]
    steps += [("resize", 24, 80), ("sleep", 0.3), "?", ("wait", HELP, 10), "q", "Q"]
    r = env.pty([], steps, timeout=30)
    check(r.rc == 0 and not r.timed_out, f"after the sizes: {r!r}")
    assert_restored(r.out)
    assert_terminal_clean(r.out)


@case("process", "start-at-1x1",
      "the reader started on a 1x1 terminal does not crash, and draws and "
      "answers keys once the terminal grows")
def start_tiny(env):
    World(env, fast=2, slow=0)
    r = env.pty([], [("sleep", 0.5), "j", ("resize", 24, 80), ("wait", "Feed 0", 10), "?",
                     ("wait", HELP, 10), "q", "Q"], rows=1, cols=1, timeout=20)
    check(r.rc == 0 and not r.timed_out, f"1x1 start: {r!r}")
    assert_restored(r.out)
    assert_terminal_clean(r.out)


@case("process", "bogus-lines-columns",
      "LINES and COLUMNS set to nonsense (0, -5, 99999, text) in the "
      "environment do not crash the reader: it draws, answers keys and "
      "restores the terminal")
def bogus_lines(env):
    World(env, fast=2, slow=0)
    for lines, cols in (("0", "0"), ("-5", "99999"), ("abc", "1"), ("99999", "-1")):
        r = env.pty([], [("sleep", 0.5), ("resize", 24, 80), ("sleep", 0.3), "?", ("sleep", 0.3),
                         "q", "Q"], env={"LINES": lines, "COLUMNS": cols}, timeout=15)
        check(r.rc == 0 and not r.timed_out, f"LINES={lines} COLUMNS={cols}: {r!r}")
        assert_restored(r.out, f"LINES={lines} COLUMNS={cols}")
        assert_terminal_clean(r.out)


def term_case(env, term, pattern):
    env.write(env.urls, "")
    r = env.pty([], [("sleep", 0.5), "q"], env={"TERM": term}, timeout=10)
    check(not r.timed_out and r.rc in (1, 2), f"TERM={term!r}: {r!r}")
    check(re.search(pattern, r.out), f"TERM={term!r}: no clear message: {r.out[-300:]!r}")
    # Nothing was drawn: the message is plain text on a normal screen.
    check(SMCUP not in r.out, f"TERM={term!r}: the screen was taken")
    assert_plain_text(r.out, f"the output with TERM={term!r}")


@case("process", "term-unset",
      "the reader with TERM unset says 'TERM is not set' and exits with status "
      "1, writing no escape sequence")
def term_unset(env):
    term_case(env, None, rb"TERM is not set")


@case("process", "term-unknown",
      "the reader with TERM=unknown-terminal-xyz names the unknown terminal "
      "type and exits with status 1, writing no escape sequence")
def term_unknown(env):
    term_case(env, "unknown-terminal-xyz",
              rb"unknown terminal type 'unknown-terminal-xyz' \(TERM\)")


@case("process", "term-dumb",
      "the reader with TERM=dumb (no cursor addressing, as in Emacs' shell) "
      "says the terminal cannot run it instead of drawing garbage, exit status 1")
def term_dumb(env):
    term_case(env, "dumb", rb"'dumb' \(TERM\) cannot move the cursor")


@case("process", "stdin-not-a-terminal",
      "the reader with stdin a pipe or /dev/null says it needs a terminal and "
      "exits with status 1 at once, writing no escape sequence")
def stdin_not_tty(env):
    env.write(env.urls, "")
    r = env.courant(stdin=b"q\n", timeout=10)
    check(r.rc == 1 and b"the reader needs a terminal" in r.err, f"stdin a pipe: {r!r}")
    assert_plain_text(r.out + r.err)
    with open(os.devnull, "rb") as null:
        p = subprocess.run(env.argv([]), stdin=null, capture_output=True, env=env.environ(),
                           timeout=10, cwd=env.dir)
    check(p.returncode == 1 and b"the reader needs a terminal" in p.stderr,
          f"stdin /dev/null: {p.returncode} {p.stderr!r}")
    assert_plain_text(p.stdout + p.stderr)


@case("process", "stdout-not-a-terminal",
      "the reader with stdin a terminal but stdout a pipe says it needs a "
      "terminal, exits with status 1 and writes nothing to the terminal")
def stdout_not_tty(env):
    env.write(env.urls, "")
    master, slave = os.openpty()

    def ctty():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    try:
        p = subprocess.run(env.argv([]), stdin=slave, capture_output=True, env=env.environ(),
                           timeout=10, cwd=env.dir, preexec_fn=ctty)
        os.close(slave)
        slave = -1
        written = b""
        while _readable(master):
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            written += chunk
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    check(p.returncode == 1 and b"the reader needs a terminal" in p.stderr,
          f"stdout a pipe: {p.returncode} {p.stderr!r}")
    check(p.stdout == b"" and written == b"", f"wrote {p.stdout[:80]!r} / {written[:80]!r}")


@case("process", "sigpipe-list-head",
      "'courant list | head -1': when the reader of its output goes away "
      "courant stops quietly (no error message, at most SIGPIPE) within "
      "seconds, and the database is untouched")
def sigpipe(env):
    World(env, fast=6, slow=0, per=40)
    p = subprocess.Popen(env.argv(["list", "--limit", "0"]), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env.environ(), cwd=env.dir)
    first = p.stdout.readline()
    p.stdout.close()
    try:
        err = p.stderr.read()
        rc = p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        raise Failure("courant list kept running after its reader left")
    check(first.strip(), "no first line")
    check(rc in (0, 1, -signal.SIGPIPE, 141), f"exit status {rc}")
    check(err == b"" or b"Broken pipe" not in err and rc != -signal.SIGSEGV,
          f"noise on stderr: {err[:200]!r}")
    integrity(env.db)
    out = subprocess.run(f"'{COURANT}' --db '{env.db}' -c '{env.config}' -u '{env.urls}' "
                         "list --limit 0 | head -1", shell=True, capture_output=True,
                         env=env.environ(), timeout=10)
    check(out.stdout.strip() and out.stderr == b"", f"through a shell pipe: {out!r}")


MINI_SHELL = r"""
import os, signal, sys, time
# A job-control shell of one job: courant in its own process group in the
# foreground of this session, so that Ctrl-Z really stops it (a session
# leader's own group is orphaned, where the kernel never stops anything).
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    os.tcsetpgrp(0, os.getpid())
    signal.signal(signal.SIGTTOU, signal.SIG_DFL)
    os.execv(sys.argv[1], sys.argv[1:])
try:
    os.setpgid(pid, pid)
except OSError:
    pass
os.tcsetpgrp(0, pid)
while True:
    _, st = os.waitpid(pid, os.WUNTRACED)
    if os.WIFSTOPPED(st):
        os.tcsetpgrp(0, os.getpgrp())
        os.write(1, b"<<stopped>>")
        time.sleep(0.3)
        os.write(1, b"<<continued>>")
        os.tcsetpgrp(0, pid)
        os.killpg(pid, signal.SIGCONT)
        continue
    os._exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
"""


@case("process", "ctrl-z-suspend-resume",
      "Ctrl-Z (SIGTSTP) in the reader restores the terminal before the process "
      "stops, and SIGCONT brings the screen back, drawn again and answering keys")
def ctrl_z(env):
    World(env, fast=2, slow=0)
    argv = env.argv
    env.argv = lambda args, files=True: [sys.executable, "-c", MINI_SHELL] + argv(args, files)
    try:
        r = env.pty([], [("wait", "Feed 0"), b"\x1a", ("wait", "<<continued>>", 10),
                         ("sleep", 0.5), "?", ("wait", HELP, 10), "q", "Q"], timeout=20)
    finally:
        env.argv = argv
    check(r.rc == 0 and not r.timed_out, f"after Ctrl-Z: {r!r}")
    stop = r.out.index(b"<<stopped>>")
    before, after = r.out[:stop], r.out[r.out.index(b"<<continued>>"):]
    assert_restored(before, "the screen when stopped")
    check(SMCUP in after and b"Feed 0" in after, f"not drawn again after SIGCONT: {after[:200]!r}")
    assert_restored(after, "the screen at the end")
    # ncurses resets the palette when it suspends (xterm's `oc`, OSC 104
    # without a parameter): its own sequence, carrying no data.
    own = r.out.replace(b"<<stopped>>", b"").replace(b"<<continued>>", b"")
    assert_terminal_clean(own.replace(b"\x1b]104\x07", b""))


# ---- resource limits ---------------------------------------------------------


def limits(**kw):
    def set_them():
        for name, value in kw.items():
            resource.setrlimit(getattr(resource, "RLIMIT_" + name.upper()), (value, value))
    return set_them


def many_feeds(env, n=40, per=100, body=400):
    its = [{"title": f"t{k}", "guid": f"g{k}", "description": "word " * (body // 5)}
           for k in range(per)]
    routes = {f"/m{i}": static(rss(its, title=f"Many {i}")) for i in range(n)}
    s = env.serve(routes)
    env.write(env.config, "set download-timeout 20s\nset connect-timeout 5s\n")
    env.write(env.urls, "".join(s.url(p) + "\n" for p in routes))
    return s


@case("process", "address-space-limit",
      "with ulimit -v 200 MB (RLIMIT_AS) a refresh of 40 feeds and 4,000 "
      "articles succeeds, and the reader starts and quits cleanly")
def rlimit_as(env):
    if asan():
        raise Skip("AddressSanitizer reserves terabytes of address space: RLIMIT_AS "
                   "cannot be tested in this build")
    many_feeds(env)
    r = env.courant("refresh", preexec=limits(AS=200 << 20), timeout=60)
    check(r.rc == 0, f"refresh under 200 MB: {r!r}")
    check(b"40 updated" in r.out, f"not every feed updated: {r!r}")
    r = _pty_with(env, [("resource.RLIMIT_AS", 200 << 20)],
                  [("wait", "Many 0"), "R", ("sleep", 1), "Q"])
    check(r.rc == 0 and not r.timed_out, f"reader under 200 MB: {r!r}")
    assert_restored(r.out)
    integrity(env.db)


def _pty_with(env, preexec, script, **kw):
    """env.pty with resource limits set in the child (through a tiny
    wrapper, as env.pty has no preexec of its own)."""
    argv = env.argv
    code = ("import os, resource, sys\n"
            + "".join(f"resource.setrlimit({k}, ({v}, {v}))\n" for k, v in preexec)
            + "os.execv(sys.argv[1], sys.argv[1:])\n")
    env.argv = lambda args, files=True: [sys.executable, "-c", code] + argv(args, files)
    try:
        return env.pty([], script, **kw)
    finally:
        env.argv = argv


@case("process", "out-of-memory",
      "with ulimit -v 80 MB, too little for a refresh of 40 big feeds, courant "
      "either manages or stops with 'out of memory' (never a segfault), and "
      "every article stored before stays")
def out_of_memory(env):
    if asan():
        raise Skip("AddressSanitizer reserves terabytes of address space: RLIMIT_AS "
                   "cannot be tested in this build")
    many_feeds(env, per=200, body=2000)
    r = env.courant("refresh", "--feed", "Many 0")
    r = env.courant("refresh", "--force")
    check(r.rc == 0, f"refresh without limits: {r!r}")
    before = marks(env)
    for mb in (80, 60):
        r = env.courant("refresh", "--force", preexec=limits(AS=mb << 20), timeout=60)
        check(not r.timed_out, f"{mb} MB: {r!r}")
        print(f"# ulimit -v {mb} MB: exit {r.rc}, {r.err.decode(errors='replace')[:80]!r}")
        check(r.rc in (0, 1) or (r.rc == -signal.SIGABRT and b"courant: out of memory" in r.err),
              f"{mb} MB: neither success nor a clear 'out of memory': {r!r}")
        integrity(env.db)
        assert_kept(env, before, f"under {mb} MB")


@case("process", "open-files-limit-refresh",
      "with ulimit -n 16 and 10 a refresh of 40 feeds stores them all (fewer "
      "downloads at once); with ulimit -n 8 and 6 it says the open-files limit "
      "is too low, fails feed by feed without crashing, and keeps what was "
      "stored")
def nofile_refresh(env):
    many_feeds(env, per=10, body=100)
    for n in (16, 10):
        r = env.courant("refresh", "--force", preexec=limits(NOFILE=n), timeout=60)
        check(r.rc == 0 and b"40 updated" in r.out and not r.err,
              f"refresh under ulimit -n {n}: {r!r}")
    before = marks(env)
    check(len(before) == 400, f"{len(before)} articles")
    for n in (8, 6):
        r = env.courant("refresh", "--force", preexec=limits(NOFILE=n), timeout=60)
        check(not r.timed_out and r.rc == 1, f"ulimit -n {n}: {r!r}")
        check(re.search(rb"only %d files may be open at once \(ulimit -n\)" % n, r.err),
              f"ulimit -n {n}: no clear message: {r!r}")
        assert_plain_text(r.out + r.err, f"output under ulimit -n {n}")
        assert_kept(env, before, f"ulimit -n {n}")
    integrity(env.db)


@case("process", "open-files-limit-reader",
      "the reader under ulimit -n 16 starts, refreshes every feed on R without "
      "crashing and restores the terminal; under ulimit -n 10, too few to read "
      "the terminal's description, it says 'too many open files' instead of "
      "blaming TERM")
def nofile_reader(env):
    many_feeds(env, per=10, body=100)
    r = env.courant("refresh")
    check(r.rc == 0, f"refresh: {r!r}")
    r = _pty_with(env, [("resource.RLIMIT_NOFILE", 16)],
                  [("wait", "Many 0"), "R", ("sleep", 1.5), "Q"], timeout=20)
    check(r.rc == 0 and not r.timed_out, f"ulimit -n 16: {r!r}")
    assert_restored(r.out, "ulimit -n 16")
    assert_terminal_clean(r.out)
    r = _pty_with(env, [("resource.RLIMIT_NOFILE", 10)], [("sleep", 0.5), "Q"], timeout=20)
    check(not r.timed_out, f"ulimit -n 10: {r!r}")
    if SMCUP in r.out:
        check(r.rc == 0, f"ulimit -n 10: {r!r}")
        assert_restored(r.out, "ulimit -n 10")
    else:
        check(r.rc == 1 and re.search(rb"too many open files.*ulimit -n", r.out),
              f"ulimit -n 10: no clear message: {r!r}")
        check(b"unknown terminal" not in r.out, f"ulimit -n 10 blamed TERM: {r!r}")
    assert_terminal_clean(r.out)
    integrity(env.db)


@case("process", "home-unset",
      "with HOME and the XDG variables unset (run as an unprivileged user) "
      "the commands and the reader say they cannot find their files and exit "
      "with status 1, touching nothing")
def home_unset(env):
    if os.geteuid() != 0:
        raise Skip("needs root to run as nobody, whose home cannot be written")
    os.chmod(env.dir, 0o755)
    nobody_courant(env)
    gone = {"HOME": None, "XDG_DATA_HOME": None, "XDG_CONFIG_HOME": None,
            "XDG_STATE_HOME": None, "XDG_CACHE_HOME": None}
    existed = os.path.exists("/nonexistent")
    for args in (["list"], ["refresh"], []):
        r = env.courant(*args, files=False, env=gone, preexec=as_nobody, timeout=10)
        check(r.rc in (1, 2) and not r.timed_out, f"{args}: {r!r}")
        check(re.search(rb"HOME|cannot (find|create)", r.err), f"{args}: no clear message: {r!r}")
        assert_plain_text(r.out + r.err)
    check(os.path.exists("/nonexistent") == existed, "nobody's home was created")


@case("process", "home-unwritable",
      "with HOME a directory the user may not write (and no XDG variables) the "
      "commands and the reader say which directory they cannot create and "
      "exit with status 1")
def home_unwritable(env):
    if os.geteuid() != 0:
        raise Skip("needs root to run as nobody")
    os.chmod(env.dir, 0o755)
    nobody_courant(env)
    home = env.path("rohome")
    os.makedirs(home, mode=0o555)
    os.chmod(home, 0o555)
    gone = {"HOME": home, "XDG_DATA_HOME": None, "XDG_CONFIG_HOME": None,
            "XDG_STATE_HOME": None, "XDG_CACHE_HOME": None}
    for args in (["list"], ["refresh"], ["add", "http://127.0.0.1:9/x"]):
        r = env.courant(*args, files=False, env=gone, preexec=as_nobody, timeout=10)
        check(r.rc in (1, 2) and not r.timed_out, f"{args}: {r!r}")
        check(re.search(rb"cannot create directory " + re.escape(home.encode()), r.err)
              or re.search(rb"Permission denied", r.err), f"{args}: no clear message: {r!r}")
        assert_plain_text(r.out + r.err)
    check(os.listdir(home) == [], f"files appeared in the read-only home: {os.listdir(home)}")
    # The reader, on a terminal: the same message, the screen untouched.
    argv = env.argv
    env.argv = lambda args, files=True: (
        [sys.executable, "-c", "import os, sys\nos.setgroups([]); os.setgid(65534); "
         "os.setuid(65534)\nos.execv(sys.argv[1], sys.argv[1:])"] + argv(args, files))
    try:
        r = env.pty([], [("sleep", 0.5), "q"], env=gone, files=False, timeout=10)
    finally:
        env.argv = argv
    check(r.rc in (1, 2) and SMCUP not in r.out, f"the reader: {r!r}")
    check(re.search(rb"cannot create directory|Permission denied", r.out), f"the reader: {r!r}")


if __name__ == "__main__":
    sys.exit(main())
