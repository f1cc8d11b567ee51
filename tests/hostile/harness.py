# SPDX-License-Identifier: MIT
"""The hostile-world suite's harness (issue 8; docs/SECURITY.md).

Each category script (terminal.py, commands.py, content.py, network.py,
storage.py, process.py) declares named cases with @case and ends with
`main()`. A case gets a fresh Env (its own HOME, XDG directories, database,
config and urls file, removed afterwards) and fails by raising Failure
(check(), or any exception). The runner prints one TAP-like line a case and
exits 0, 1 (a case failed) or 77 (every case skipped), as automake expects.

  python3 tests/hostile/terminal.py            run every case of the file
  python3 tests/hostile/terminal.py NAME...    run only these cases
  python3 tests/hostile/terminal.py --list     category, name, promise (TSV)

What it offers:
  Env.courant(*args)       the real binary on pipes, with a time limit;
                           Result has rc, out, err, seconds, maxrss_kb
  Env.pty(args, script)    the real binary on a pseudo-terminal: every byte
                           it writes, while the script types keys, waits for
                           text, resizes and sends signals
  payload_escapes(data)    what in a terminal byte stream courant did not
                           write itself (OSC, DCS/APC/PM/SOS, report
                           requests, C1, bidi controls, stray C0, bad UTF-8)
  assert_terminal_clean()  check() over payload_escapes()
  assert_plain_text()      for piped CLI output: no ESC or C0/C1 at all
  Server                   a threaded HTTP server on 127.0.0.1 whose routes
                           are Python callables (network faults live there)
"""

import errno
import fcntl
import http.server
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import traceback

COURANT = os.environ.get("COURANT", "")
TOP_SRCDIR = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
SKIP = 77
# The exit statuses a sanitizer report ends courant with (see Env.environ).
ASAN_EXIT = 86
UBSAN_EXIT = 87
SANITIZER_WORDS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:")


class Failure(Exception):
    """A broken promise."""


class Skip(Exception):
    """The case cannot run here (say why)."""


def check(cond, message):
    if not cond:
        raise Failure(message)


# ---- cases ---------------------------------------------------------------

_cases = []


def case(category, name, promise):
    """Declares a case: category is one of SECURITY.md's six
    (terminal, commands, content, network, storage, process), name is
    unique in the suite, promise is the behaviour asserted, in words."""

    def register(fn):
        _cases.append((category, name, promise, fn))
        return fn

    return register


def main():
    args = sys.argv[1:]
    if args[:1] == ["--list"]:
        for category, name, promise, _ in _cases:
            print(f"{category}\t{name}\t{promise}")
        return 0
    if not COURANT or not os.access(COURANT, os.X_OK):
        print("SKIP: $COURANT is not set: run through make check")
        return SKIP
    _self_test()
    chosen = [c for c in _cases if not args or c[1] in args]
    passed = failed = skipped = 0
    for category, name, promise, fn in chosen:
        env = Env(name)
        started = time.monotonic()
        try:
            fn(env)
            env.stop_servers()  # a route that failed fails the case
        except Skip as e:
            skipped += 1
            print(f"ok - {category}/{name} # SKIP {e}")
        except Failure as e:
            failed += 1
            print(f"not ok - {category}/{name}: {e}")
            env.keep = True
        except Exception:  # a harness or test error is a failure too
            failed += 1
            print(f"not ok - {category}/{name}: error")
            traceback.print_exc(file=sys.stdout)
            env.keep = True
        else:
            passed += 1
            print(f"ok - {category}/{name} ({time.monotonic() - started:.1f} s)")
        finally:
            env.close()
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if failed:
        return 1
    return SKIP if skipped and not passed else 0


def _fails(fn):
    try:
        fn()
    except Failure:
        return True
    return False


def _self_test():
    """The harness catches what a case may not check itself: a route that
    raised, a sanitizer's exit status or report. A harness that is blind
    to them lets cases pass without testing anything."""
    env = Env("harness-self-test")
    try:
        def broken(req):
            raise ValueError("a bug in the route")

        def hang_up(req):
            raise BrokenPipeError()

        for route, fails in ((broken, True), (hang_up, False)):
            s = env.serve({"/x": route})
            try:
                socket.create_connection(("127.0.0.1", s.port)).sendall(
                    b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
            except OSError:
                pass
            deadline = time.monotonic() + 5
            while not s.requests and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.05)
            if _fails(env.stop_servers) != fails:
                raise SystemExit(f"harness: a {route.__name__} route is "
                                 f"{'not ' if fails else ''}a failure")
        for script in (f"exit {ASAN_EXIT}", f"exit {UBSAN_EXIT}",
                       "echo '==1==ERROR: AddressSanitizer: x' >&2; exit 1",
                       "echo 'a.c:1:2: runtime error: x'; exit 0"):
            if not _fails(lambda: env.run(["/bin/sh", "-c", script])):
                raise SystemExit(f"harness: a sanitizer report ({script}) "
                                 "is not a failure")
        if _fails(lambda: env.run(["/bin/sh", "-c", "exit 1"])):
            raise SystemExit("harness: exit 1 is a sanitizer report")
    finally:
        env.close()


# ---- running courant -------------------------------------------------------


class Result:
    def __init__(self, rc, out, err, seconds, maxrss_kb, timed_out, cpu_seconds=0.0):
        self.rc = rc
        self.out = out
        self.err = err
        self.seconds = seconds
        self.maxrss_kb = maxrss_kb
        self.timed_out = timed_out
        self.cpu_seconds = cpu_seconds  # user + system: a spinning process shows

    @property
    def text(self):
        """stdout and stderr decoded, for messages and searches."""
        return (self.out + self.err).decode("utf-8", "replace")

    def __repr__(self):
        return (f"rc={self.rc} timed_out={self.timed_out} {self.seconds:.2f}s "
                f"{self.maxrss_kb} KiB out={self.out[-300:]!r} err={self.err[-300:]!r}")


# The peak resident size of each running child, from /proc. wait4's
# ru_maxrss cannot be used: Linux carries the forking parent's high-water
# mark across exec, so every child would weigh at least what this Python
# process weighs.
_peak_kb = {}


def _note_peak(pid):
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    kb = int(line.split()[1])
                    _peak_kb[pid] = max(kb, _peak_kb.get(pid, 0))
                    return
    except (OSError, ValueError):
        pass


def _wait(pid, deadline):
    """waitpid with a deadline; (status, rusage, peak KiB) or None on
    timeout. The peak is the child's own VmHWM, read while it runs (a high
    water mark: reading it once after the peak is enough), else wait4's
    figure for a child too quick to be read."""
    while True:
        _note_peak(pid)
        got, status, usage = os.wait4(pid, os.WNOHANG)
        if got == pid:
            return status, usage, _peak_kb.pop(pid, usage.ru_maxrss)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)


def _exit_code(status):
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _no_sanitizer_report(r):
    """Fails the case on a sanitizer's exit status or report, whatever the
    case itself checks (rc 1 alone would pass for ASan's)."""
    said = [w.decode() for w in SANITIZER_WORDS if w in r.out or w in r.err]
    check(r.rc not in (ASAN_EXIT, UBSAN_EXIT) and not said,
          f"a sanitizer report ({', '.join(said) or f'exit {r.rc}'}): "
          f"{(r.out + r.err)[-3000:]!r}")


class Env:
    """A fresh user: HOME and the XDG directories inside a temporary
    directory, a database, a config file and a urls file of its own."""

    def __init__(self, name="case"):
        self.dir = tempfile.mkdtemp(prefix=f"courant-hostile-{name}.")
        self.home = self.path("home")
        for d in ("home", "config", "data", "state", "cache"):
            os.makedirs(self.path(d), mode=0o700)
        os.makedirs(os.path.join(self.path("config"), "courant"), mode=0o700)
        self.db = self.path("data", "courant.db")
        self.config = self.path("config", "courant", "config")
        self.urls = self.path("config", "courant", "urls")
        self.write(self.config, "# a case's own config\n")
        self.keep = False
        self.servers = []
        self.children = []

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, name, data, mode=0o600):
        """Writes a file under the case's directory; returns its path."""
        path = name if os.path.isabs(name) else self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def environ(self, extra=None):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_CONFIG_HOME": self.path("config"),
            "XDG_DATA_HOME": self.path("data"),
            "XDG_STATE_HOME": self.path("state"),
            "XDG_CACHE_HOME": self.path("cache"),
            "TZ": "UTC",
            "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color",
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TMPDIR"):
            if k in os.environ:
                env[k] = os.environ[k]
        # A sanitizer report gets an exit status of its own (ASan's 1 is
        # also courant's), the inherited options kept before ours.
        for k, v in (("ASAN_OPTIONS", f"exitcode={ASAN_EXIT}"),
                     ("UBSAN_OPTIONS", f"halt_on_error=1:exitcode={UBSAN_EXIT}")):
            env[k] = f"{env[k]}:{v}" if env.get(k) else v
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def argv(self, args, files=True):
        """courant's argv: the case's own database, config and urls file
        unless files is False (then only XDG paths say where they are)."""
        head = [COURANT]
        if files:
            head += ["--db", self.db, "-c", self.config, "-u", self.urls]
        return head + [str(a) for a in args]

    def run(self, argv, stdin=b"", timeout=30, env=None, cwd=None, preexec=None):
        """Runs argv on pipes. A process still running at the deadline is
        killed (SIGKILL) and reported as timed_out."""
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.environ(env),
                             cwd=cwd or self.dir, preexec_fn=preexec)
        out, err = [], []
        readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()))
                   for s, b in ((p.stdout, out), (p.stderr, err))]
        for t in readers:
            t.start()
        try:
            if stdin:
                p.stdin.write(stdin)
            p.stdin.close()
        except BrokenPipeError:
            pass
        started = time.monotonic()
        got = _wait(p.pid, started + timeout)
        timed_out = got is None
        if timed_out:
            os.kill(p.pid, signal.SIGKILL)
            got = _wait(p.pid, time.monotonic() + 10)
        seconds = time.monotonic() - started
        status, usage, peak_kb = got
        p.returncode = _exit_code(status)  # keeps Popen from waiting again
        for t in readers:
            t.join(10)
        r = Result(p.returncode, b"".join(out), b"".join(err), seconds,
                   peak_kb, timed_out, usage.ru_utime + usage.ru_stime)
        _no_sanitizer_report(r)
        return r

    def courant(self, *args, files=True, **kw):
        return self.run(self.argv(args, files), **kw)

    def pty(self, args, script=(), rows=24, cols=80, timeout=30, env=None, files=True):
        """Runs courant (args as for courant()) on a new pseudo-terminal of
        rows x cols, as a session leader with it as controlling terminal,
        and plays script: bytes are typed, and tuples are steps:
          ("wait", text[, seconds])  until text appears in the output
          ("sleep", seconds)
          ("resize", rows, cols)     TIOCSWINSZ, which sends SIGWINCH
          ("signal", signum)         to courant
          ("close",)                 hang up: close the master side
          ("call", fn)               fn(master_fd, pid), e.g. a resize storm
        After the script it waits for the exit (killing at the deadline).
        Returns a Result whose out is every byte written to the terminal."""
        master, slave = os.openpty()
        _set_winsize(slave, rows, cols)

        def child_setup():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        p = subprocess.Popen(self.argv(args, files), stdin=slave, stdout=slave,
                             stderr=slave, env=self.environ(env), cwd=self.dir,
                             preexec_fn=child_setup, close_fds=True)
        os.close(slave)
        out = bytearray()
        deadline = time.monotonic() + timeout
        started = time.monotonic()
        closed = False

        def pump(seconds):
            nonlocal closed
            end = min(time.monotonic() + seconds, deadline)
            while not closed:
                left = end - time.monotonic()
                if left <= 0:
                    return
                ready, _, _ = select.select([master], [], [], min(left, 0.05))
                if ready:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError as e:
                        if e.errno != errno.EIO:
                            raise
                        chunk = b""
                    if not chunk:
                        closed = True  # every slave descriptor is gone
                        return
                    out.extend(chunk)

        failure = None
        for step in script:
            if failure or time.monotonic() >= deadline:
                break
            if isinstance(step, (bytes, str)):
                data = step.encode() if isinstance(step, str) else step
                if not closed:
                    try:
                        os.write(master, data)
                    except OSError:
                        closed = True
                pump(0.05)
            elif step[0] == "wait":
                want = step[1].encode() if isinstance(step[1], str) else step[1]
                limit = time.monotonic() + (step[2] if len(step) > 2 else 10)
                while want not in out and not closed and time.monotonic() < limit:
                    pump(0.05)
                if want not in out:
                    failure = f"{want!r} never appeared on the terminal"
            elif step[0] == "sleep":
                pump(step[1])
            elif step[0] == "resize":
                _set_winsize(master, step[1], step[2])
                pump(0.02)
            elif step[0] == "signal":
                try:
                    os.kill(p.pid, step[1])
                except ProcessLookupError:
                    pass
                pump(0.02)
            elif step[0] == "call":
                if not closed:
                    step[1](master, p.pid)
                pump(0.02)
            elif step[0] == "close":
                os.close(master)
                master = -1
                closed = True
            else:
                raise ValueError(f"unknown pty step {step!r}")
        got = None
        if failure:
            os.kill(p.pid, signal.SIGKILL)
        while got is None and time.monotonic() < deadline:
            if not closed:
                pump(0.05)
            got = _wait(p.pid, time.monotonic() + (0 if not closed else 0.05))
        timed_out = got is None
        if timed_out:
            os.kill(p.pid, signal.SIGKILL)
            got = _wait(p.pid, time.monotonic() + 10)
        if not closed:
            pump(0.2)
        if master >= 0:
            os.close(master)
        status, usage, peak_kb = got
        p.returncode = _exit_code(status)
        r = Result(p.returncode, bytes(out), b"", time.monotonic() - started,
                   peak_kb, timed_out, usage.ru_utime + usage.ru_stime)
        _no_sanitizer_report(r)
        if failure:
            raise Failure(f"{failure}; {r!r}")
        return r

    def serve(self, routes=None):
        """Starts a Server for this case (stopped by close())."""
        s = Server(routes)
        self.servers.append(s)
        return s

    def stop_servers(self):
        """Stops the case's servers; a Failure when a route raised
        anything but a client hanging up (a buggy route must not pass for
        the fault it simulates)."""
        servers, self.servers = self.servers, []
        errors = []
        for s in servers:
            s.stop()
            errors += s.errors
        check(not errors, f"{len(errors)} server error(s): " + "\n".join(errors[:3]))

    def close(self):
        for s in self.servers:
            s.stop()
        if self.keep or os.environ.get("HOSTILE_KEEP"):
            print(f"# kept {self.dir}")
            return
        # A read-only case may leave directories without write permission.
        for root, dirs, _ in os.walk(self.dir):
            for d in dirs:
                try:
                    os.chmod(os.path.join(root, d), 0o700)
                except OSError:
                    pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


# ---- what reaches the terminal ----------------------------------------------

# ncurses' own CSI sequences for xterm-256color: cursor motion, erasing,
# scrolling regions, insert/delete, attributes and colours, and the modes
# it sets and resets (keypad, alternate screen, cursor, mouse, wrap).
_CSI_FINALS = set(b"@ABCDEFGHIJKLMPSTXZ`abdefgm r")
_CSI_MODES = {b"?1", b"?7", b"?12", b"?25", b"?47", b"?1000", b"?1002", b"?1003",
              b"?1005", b"?1006", b"?1049", b"4", b"34", b"?12;25", b"?1049;1"}
# smcup/rmcup of ncurses 6.4's xterm entries push and pop the window title.
_CSI_OWN = {b"\x1b[22;0;0t", b"\x1b[23;0;0t"}
_ESC_SINGLE = set(b"78=>DEMH")
_BIDI = {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
         0x2066, 0x2067, 0x2068, 0x2069}
_OSC52 = re.compile(rb"52;c;[A-Za-z0-9+/=]*\Z")
# ncurses' own OSC: oc (reset the palette), written by endwin() when the
# reader hands the terminal to a text-mode browser.
_OSC_OWN = {b"104"}


def payload_escapes(data, allow_osc52=False):
    """Everything in a terminal byte stream that courant does not write
    itself: a list of (offset, description) pairs, empty when clean."""
    found = []
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b == 0x1B:
            if i + 1 >= n:
                found.append((i, "lone ESC at the end"))
                break
            kind = data[i + 1]
            if kind == ord("["):
                j = i + 2
                while j < n and 0x30 <= data[j] <= 0x3F:
                    j += 1
                params = data[i + 2:j]
                while j < n and 0x20 <= data[j] <= 0x2F:
                    j += 1
                if j >= n:
                    found.append((i, "unfinished CSI"))
                    break
                final = data[j]
                seq = data[i:j + 1]
                if seq in _CSI_OWN:
                    pass
                elif final in b"hl":
                    if params not in _CSI_MODES:
                        found.append((i, f"CSI mode {seq!r}"))
                elif final not in _CSI_FINALS or (params[:1] in (b"?", b">", b"=") and final != ord("m")):
                    found.append((i, f"CSI {seq!r}"))
                i = j + 1
                continue
            if kind == ord("]"):
                end = _string_end(data, i + 2)
                body = data[i + 2:end[0]]
                if body in _OSC_OWN and data[end[0]:end[1]] == b"\x07":
                    pass
                elif not (allow_osc52 and _OSC52.match(body)):
                    found.append((i, f"OSC {data[i:end[1]][:60]!r}"))
                i = end[1]
                continue
            if kind in b"P_^X":
                end = _string_end(data, i + 2)
                found.append((i, f"string control {data[i:end[1]][:60]!r}"))
                i = end[1]
                continue
            if kind in b"()*+":
                if i + 2 < n and data[i + 2] in b"B0":
                    i += 3
                    continue
                found.append((i, f"charset {data[i:i + 3]!r}"))
                i += 3
                continue
            if kind in _ESC_SINGLE:
                i += 2
                continue
            found.append((i, f"ESC {data[i:i + 2]!r}"))
            i += 2
            continue
        if b < 0x20 or b == 0x7F:
            # BS, TAB, LF, CR: ncurses moves the cursor with them.
            # Not SO/SI: xterm-256color switches charsets with ESC ( 0
            # and ESC ( B, so a shift byte can only come from data.
            if b not in (0x08, 0x09, 0x0A, 0x0D):
                found.append((i, f"control 0x{b:02x}"))
            i += 1
            continue
        if b < 0x80:
            i += 1
            continue
        length = 2 if b >> 5 == 0x6 else 3 if b >> 4 == 0xE else 4 if b >> 3 == 0x1E else 0
        try:
            ch = data[i:i + length].decode("utf-8") if length else None
        except UnicodeDecodeError:
            ch = None
        if ch is None or len(ch) != 1:
            found.append((i, f"invalid UTF-8 {data[i:i + 4]!r}"))
            i += 1
            continue
        cp = ord(ch)
        if 0x80 <= cp <= 0x9F:
            found.append((i, f"C1 U+{cp:04X}"))
        elif cp in _BIDI:
            found.append((i, f"bidi control U+{cp:04X}"))
        i += length
    return found


def _string_end(data, start):
    """(end of body, offset after the terminator) of an OSC/DCS string:
    BEL or ST (ESC \\); the end of the data when unterminated."""
    j = start
    while j < len(data):
        if data[j] == 0x07:
            return j, j + 1
        if data[j] == 0x1B and j + 1 < len(data) and data[j + 1] == ord("\\"):
            return j, j + 2
        j += 1
    return j, j


def assert_terminal_clean(data, allow_osc52=False, what="the terminal"):
    bad = payload_escapes(data, allow_osc52)
    check(not bad, f"{len(bad)} foreign sequence(s) on {what}: "
                   + "; ".join(f"@{o} {d}" for o, d in bad[:5]))


def assert_plain_text(data, what="output"):
    """Piped CLI output: printable UTF-8, newlines and tabs, nothing else."""
    bad = payload_escapes(data)
    bad += [(m.start(), "ESC") for m in re.finditer(rb"\x1b", data)][:1]
    check(not bad, f"{what} is not plain text: "
                   + "; ".join(f"@{o} {d}" for o, d in bad[:5]))


# ---- an unprivileged user ------------------------------------------------------

# CI runs as root, which every permission check lets through: the cases
# about permissions run courant as nobody.
NOBODY = 65534


def as_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def nobody_courant(env):
    """Makes env run a copy of courant that nobody may execute: the build
    tree may sit in a home only root can enter (as in many CI images)."""
    with open(COURANT, "rb") as f:
        if f.read(4) != b"\x7fELF":
            return  # a libtool wrapper: run it where it is
    d = env.path("bin")
    os.makedirs(d, exist_ok=True)
    os.chmod(env.dir, 0o711)
    os.chmod(d, 0o755)
    dst = os.path.join(d, "courant")
    shutil.copy(COURANT, dst)
    os.chmod(dst, 0o755)
    argv = env.argv
    env.argv = lambda args, files=True: [dst] + argv(args, files)[1:]


# ---- an HTTP server for the network cases -----------------------------------


class Server:
    """A threaded HTTP/1.1 server on 127.0.0.1 (an ephemeral port). routes
    maps a path (without the query) to a function handler(req) that writes
    the whole response itself (req is the BaseHTTPRequestHandler; see
    reply()). Unknown paths answer 404. Every request is recorded in
    self.requests as (method, path, headers dict)."""

    def __init__(self, routes=None):
        self.routes = dict(routes or {})
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                server.requests.append((self.command, self.path, dict(self.headers)))
                fn = server.routes.get(path)
                try:
                    if fn is None:
                        reply(self, 404, b"not found\n")
                    else:
                        fn(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_GET
            do_HEAD = do_GET

            def log_message(self, *args):
                pass

        self.errors = []  # tracebacks of routes that failed
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

        def handle_error(request, client_address):
            # Clients that hang up mid-request are what the cases are
            # about (BrokenPipe, reset and aborted are ConnectionErrors);
            # anything else is a bug in the route, which fails the case
            # (Env.stop_servers()).
            if not isinstance(sys.exc_info()[1], ConnectionError):
                self.errors.append(traceback.format_exc())

        self.httpd.handle_error = handle_error
        self.port = self.httpd.server_address[1]
        # A short poll interval: stop() waits for it, once per case.
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path, fn):
        self.routes[path] = fn
        return self.url(path)

    def hits(self, path):
        return sum(1 for r in self.requests if r[1].split("?", 1)[0] == path)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(req, status, body=b"", headers=None, content_type="application/rss+xml"):
    """A whole response with a Content-Length."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    req.send_response(status)
    h = {"Content-Type": content_type, "Content-Length": str(len(body))}
    h.update(headers or {})
    for k, v in h.items():
        req.send_header(k, v)
    req.end_headers()
    if req.command != "HEAD":
        req.wfile.write(body)


def static(body, status=200, headers=None, content_type="application/rss+xml"):
    """A route that always gives the same response."""
    return lambda req: reply(req, status, body, headers, content_type)


# ---- feeds ---------------------------------------------------------------------


def rss(items, title="Hostile feed", link="https://example.org/"):
    """An RSS 2.0 document (str) from items: dicts with title, link, guid,
    description (already escaped as the case wants: raw text goes in as
    given, so a case can put markup, entities or CDATA there), pubDate."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>',
             f"<title>{title}</title><link>{link}</link>"]
    for k, it in enumerate(items):
        parts.append("<item>")
        parts.append(f"<title>{it.get('title', f'item {k}')}</title>")
        parts.append(f"<link>{it.get('link', f'https://example.org/{k}')}</link>")
        parts.append(f"<guid>{it.get('guid', f'g{k}')}</guid>")
        parts.append(f"<pubDate>{it.get('pubDate', 'Fri, 14 Jun 2024 12:00:00 GMT')}</pubDate>")
        if "description" in it:
            parts.append(f"<description>{it['description']}</description>")
        parts.append("</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts)


def subscribe_file(env, name, document):
    """Writes a feed file and adds it with `courant add file://...`;
    returns its path. Fails the case when add fails."""
    path = env.write(name, document)
    r = env.courant("add", "file://" + path)
    check(r.rc == 0 and not r.timed_out, f"courant add file://{path}: {r!r}")
    return path


def list_titles(env):
    """`courant list --format tsv`'s lines (decoded)."""
    r = env.courant("list", "--format", "tsv")
    check(r.rc == 0, f"courant list: {r!r}")
    return r.out.decode("utf-8", "replace").splitlines()
