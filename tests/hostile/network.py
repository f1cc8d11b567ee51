#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Network faults: a hostile or broken server costs one feed its refresh, with
a clear error, while the other feeds of the same refresh still succeed.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).

Every case runs the same play (see Play): three feeds, /bad and /good on one
server and /other on a second one (another port), are subscribed and fetched
while all is well; one article of /bad is then marked read and another
starred. Then /bad turns hostile, the good feeds each gain an article, and
one `courant refresh` meets them all. The case asserts that the good feeds
got their new article, that /bad's error is clear (in the refresh's output
and in `courant feeds --errors`), that /bad's articles and their state are
exactly as before, that the output is plain text, and that the refresh took
bounded time and memory. The config's timeouts are short so that the slow
faults cost seconds, not minutes.
"""

import os
import re
import select
import socket
import struct
import sys
import time
import zlib

from harness import *  # noqa: F401,F403

# Short enough for a fast file, long enough for an ASan build on a busy
# machine to fetch the good feeds.
CONFIG = ("set connect-timeout 3s\n"
          "set low-speed-timeout 2s\n"
          "set download-timeout 6s\n")
# A refresh meeting the slowest fault (low speed or total timeout) ends
# well before this.
SECONDS = 20
# The byte cap is 16 MiB: a refresh that held a whole 64 MiB body or bomb
# in memory would pass this (an ASan build uses ~3 times a normal one).
MAXRSS_KB = 240 * 1024
CAP = 16 << 20


def _brotli():
    try:
        import brotli
        return brotli
    except ImportError:
        return None


# ---- the feeds -----------------------------------------------------------------


def feed_doc(name, n):
    return rss([{"title": f"{name} article {k}", "guid": f"{name}-{k}",
                 "link": f"https://example.org/{name}/{k}",
                 "description": f"Text of {name} {k}."} for k in range(n)],
               title=f"Feed {name}")


def hold(req, seconds):
    """Keeps the connection open, sending nothing, until the client hangs
    up or seconds pass."""
    end = time.monotonic() + seconds
    sock = req.connection
    while time.monotonic() < end:
        r, _, _ = select.select([sock], [], [], 0.1)
        if r:
            try:
                if not sock.recv(4096):
                    return
            except OSError:
                return
    req.close_connection = True


def raw(req, data, close=True):
    """Writes bytes as they are, no status line of the server's own."""
    req.wfile.write(data)
    req.wfile.flush()
    req.close_connection = close


def head(status=200, headers=(), reason=None):
    """A status line and headers as bytes (values may be bytes)."""
    lines = [b"HTTP/1.1 %d %s" % (status, reason if reason is not None else b"X")]
    for k, v in headers:
        k = k.encode() if isinstance(k, str) else k
        v = v.encode() if isinstance(v, str) else v
        lines.append(k + b": " + v)
    return b"\r\n".join(lines) + b"\r\n\r\n"


class Play:
    """Three feeds, two servers; see the module's docstring."""

    def __init__(self, env, bad_items=3, bad_headers=None):
        self.env = env
        self.a = env.serve()
        self.b = env.serve()
        self.version = 1
        self.bad_items = bad_items
        self.good = self.a.route("/good", lambda req: reply(
            req, 200, feed_doc("good", 2 + self.version)))
        self.other = self.b.route("/other", lambda req: reply(
            req, 200, feed_doc("other", 2 + self.version)))
        self.bad = self.a.route("/bad", static(feed_doc("bad", bad_items),
                                               headers=bad_headers))
        self.urls = [self.good, self.bad, self.other]
        env.write(env.config, CONFIG)
        env.write(env.urls, "".join(u + "\n" for u in self.urls))

    def articles(self):
        """Every stored article as list shows them (id, date, unread,
        starred, feed, title, link), by feed title."""
        r = self.env.courant("list", "--limit", "0", "--format", "tsv")
        check(r.rc == 0, f"list: {r!r}")
        by_feed = {}
        for line in r.out.decode("utf-8", "replace").splitlines():
            by_feed.setdefault(line.split("\t")[4], []).append(line)
        return {k: sorted(v) for k, v in by_feed.items()}

    def bad_state(self):
        return self.articles().get("Feed bad", [])

    def count(self, url):
        r = self.env.courant("count", "--feed", url)
        check(r.rc == 0, f"count --feed {url}: {r!r}")
        return int(r.out.strip() or b"-1")

    def setup(self):
        r = self.env.courant("refresh")
        check(r.rc == 0, f"the first refresh failed: {r!r}")
        got = self.articles()
        for name, n in (("good", 3), ("bad", self.bad_items), ("other", 3)):
            check(len(got.get(f"Feed {name}", [])) == n,
                  f"/{name}: not {n} articles after the first refresh: {r!r}")
        ids = [line.split("\t")[0] for line in got["Feed bad"]]
        for verb, i in (("read", ids[0]), ("starred", ids[1])):
            r = self.env.courant("mark", verb, i)
            check(r.rc == 0, f"mark {verb} {i}: {r!r}")
        self.before = self.bad_state()
        return self

    def turn(self, fault):
        """/bad becomes fault (a route function); the good feeds gain an
        article each."""
        self.a.routes["/bad"] = fault
        self.version += 1

    def refresh(self, *args, fails=True, same=True, updated=None,
                seconds=SECONDS, maxrss_kb=MAXRSS_KB):
        """The refresh that meets the fault, and every check that does not
        depend on the fault. Returns its Result."""
        r = self.env.courant("refresh", *args, timeout=seconds + 30)
        self.result = r
        check(not r.timed_out, f"refresh did not end: {r!r}")
        check(r.rc >= 0, f"refresh crashed: {r!r}")
        check(b"AddressSanitizer" not in r.err and b"runtime error" not in r.err,
              f"sanitizer: {r.err[-2000:]!r}")
        check(r.rc == (1 if fails else 0), f"refresh exit status: {r!r}")
        assert_plain_text(r.out, "refresh's standard output")
        assert_plain_text(r.err, "refresh's standard error")
        check(r.seconds < seconds, f"refresh took {r.seconds:.1f} s: {r!r}")
        check(r.maxrss_kb < maxrss_kb, f"refresh used {r.maxrss_kb} KiB: {r!r}")
        got = self.articles()
        for name in ("good", "other"):
            n = len(got.get(f"Feed {name}", []))
            check(n == 2 + self.version,
                  f"/{name}: {n} articles, the good feed's new one is "
                  f"missing: {r!r}")
        if updated is None:
            updated = 2 if fails else 3
        check(f"{updated} updated".encode() in r.out,
              f"the good feeds were not both updated: {r!r}")
        if same:
            self.check_same(got.get("Feed bad", []))
        return r

    def check_same(self, after=None):
        if after is None:
            after = self.bad_state()
        check(after == self.before,
              f"/bad's articles changed:\nbefore {self.before}\nafter  {after}")

    def error(self, *words):
        """/bad's error names words, in refresh's standard error (on its
        own line, with the feed) and in `feeds --errors`."""
        r = self.result
        lines = [line for line in r.err.decode("utf-8", "replace").splitlines()
                 if "/bad" in line or "Feed bad" in line]
        check(lines, f"no error line for /bad: {r!r}")
        if os.environ.get("HOSTILE_VERBOSE"):
            print(f"# {r.seconds:.2f} s {r.maxrss_kb} KiB: " + " | ".join(lines))
        for w in words:
            check(any(w in line for line in lines),
                  f"/bad's error does not say {w!r}: {lines}")
        e = self.env.courant("feeds", "--errors")
        check(e.rc == 0, f"feeds --errors: {e!r}")
        assert_plain_text(e.out, "feeds --errors")
        text = e.out.decode("utf-8", "replace")
        check("/bad" in text and "/good" not in text and "/other" not in text,
              f"feeds --errors lists the wrong feeds: {text}")
        for w in words:
            check(w in text, f"feeds --errors does not say {w!r}: {text}")
        return text


def play(env, fault, *words, fails=True, **kw):
    """The whole play for a fault whose error says words."""
    p = Play(env).setup()
    p.turn(fault)
    p.refresh(fails=fails, **kw)
    if fails:
        p.error(*words)
    return p


# ---- slow servers ------------------------------------------------------------


def never_answers(req):
    hold(req, 15)


@case("network", "server-never-answers",
      "a server that accepts the connection and never sends a byte costs its "
      "feed the low-speed timeout and a 'timed out' error, nothing more")
def _(env):
    play(env, never_answers, "timed out")


def slowloris(req):
    body = feed_doc("bad", 4).encode()
    req.wfile.write(head(200, [("Content-Length", str(len(body)))]))
    for i in range(len(body)):
        r, _, _ = select.select([req.connection], [], [], 1.0)
        if r:
            return  # the client went away
        try:
            req.wfile.write(body[i:i + 1])
        except OSError:
            return
    req.close_connection = True


@case("network", "slowloris-body",
      "a body dripped one byte a second is abandoned by the low-speed limit "
      "('timed out'), and nothing of it is stored")
def _(env):
    play(env, slowloris, "timed out")


def endless_headers(req):
    req.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
    for i in range(100):
        r, _, _ = select.select([req.connection], [], [], 0.5)
        if r:
            return
        try:
            req.wfile.write(b"X-Slow-%d: still coming\r\n" % i)
        except OSError:
            return
    req.close_connection = True


@case("network", "headers-never-end",
      "headers that keep coming slowly and never end are abandoned by the "
      "low-speed limit ('timed out')")
def _(env):
    play(env, endless_headers, "timed out")


def header_flood(req):
    req.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
    line = b"X-Flood: " + b"f" * 1000 + b"\r\n"
    try:
        for _ in range(200000):  # 200 MB of headers at most
            req.wfile.write(line * 64)
    except OSError:
        pass
    req.close_connection = True


@case("network", "header-flood",
      "an endless stream of headers sent as fast as possible is refused by "
      "libcurl's header limit, in bounded memory")
def _(env):
    play(env, header_flood, "failed to receive", "response headers")


# ---- sizes -------------------------------------------------------------------


def big_with_length(req):
    n = 120 << 20
    req.wfile.write(head(200, [("Content-Type", "application/rss+xml"),
                               ("Content-Length", str(n))]))
    block = b"<rss><channel>" + b" " * ((1 << 20) - 14)
    try:
        for _ in range(120):
            req.wfile.write(block)
    except OSError:
        pass
    req.close_connection = True


@case("network", "body-120mb-with-length",
      "a 120 MB body announced by its Content-Length is refused before it "
      "is downloaded ('larger than ... (Content-Length)')")
def _(env):
    p = play(env, big_with_length, "larger than", "Content-Length")
    check(p.result.maxrss_kb < 120 * 1024, "memory")


def big_without_length(req):
    req.wfile.write(head(200, [("Content-Type", "application/rss+xml"),
                               ("Connection", "close")]))
    block = b" " * (1 << 20)
    try:
        req.wfile.write(b"<rss version='2.0'><channel><title>big</title>")
        for _ in range(120):
            req.wfile.write(block)
    except OSError:
        pass
    req.close_connection = True


@case("network", "body-120mb-without-length",
      "a 120 MB body without a Content-Length (read to the close) is cut at "
      "the 16 MiB byte cap ('larger than 16384 KiB')")
def _(env):
    p = play(env, big_without_length, "larger than 16384 KiB")
    check(p.result.maxrss_kb < 120 * 1024, "memory")


def endless_chunked(req):
    req.wfile.write(head(200, [("Content-Type", "application/rss+xml"),
                               ("Transfer-Encoding", "chunked")]))
    first = b"<rss version='2.0'><channel><title>endless</title>"
    chunk = b" " * 65536
    try:
        req.wfile.write(b"%x\r\n%s\r\n" % (len(first), first))
        for _ in range(1 << 20):  # 64 GB: until the client goes
            req.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass
    req.close_connection = True


@case("network", "endless-chunked-body",
      "an endless chunked body is cut at the 16 MiB byte cap in the write "
      "callback ('larger than 16384 KiB'), in a few seconds")
def _(env):
    p = play(env, endless_chunked, "larger than 16384 KiB")
    check(p.result.maxrss_kb < 120 * 1024, "memory")


_bombs = {}


def bomb(kind, size=64 << 20):
    """A feed's start and size bytes of blanks, compressed as kind."""
    key = (kind, size)
    if key not in _bombs:
        start = b"<rss version='2.0'><channel><title>bomb</title>"
        block = b" " * (1 << 20)
        if kind == "br":
            br = _brotli()
            if br is None:
                raise Skip("python3-brotli is not installed")
            c = br.Compressor(quality=5)
            parts = [c.process(start)] + [c.process(block) for _ in range(size >> 20)]
            parts.append(c.finish())
        else:
            # gzip: a gzip header (wbits 31); deflate: the zlib format
            # (wbits 15), which HTTP calls "deflate".
            c = zlib.compressobj(6, zlib.DEFLATED, 31 if kind == "gzip" else 15)
            parts = [c.compress(start)] + [c.compress(block) for _ in range(size >> 20)]
            parts.append(c.flush())
        _bombs[key] = b"".join(parts)
    return _bombs[key]


def bomb_route(kind):
    body = bomb(kind)
    return static(body, headers={"Content-Encoding": kind})


for _kind in ("gzip", "deflate", "br"):
    def _make(kind):
        @case("network", f"{kind}-bomb",
              f"a small {kind} body (under 100 KB) that decodes to 64 MB is "
              f"cut at 16 MiB of decoded bytes ('larger than 16384 KiB')")
        def _(env):
            route = bomb_route(kind)
            p = play(env, route, "larger than 16384 KiB")
            check(p.result.maxrss_kb < 120 * 1024, "memory")
    _make(_kind)


@case("network", "invalid-gzip",
      "a body that says Content-Encoding: gzip but is not gzip fails the feed "
      "with 'bad content encoding'")
def _(env):
    play(env, static(b"\x1f\x8b\x08\x00garbage that is not deflate" * 20,
                     headers={"Content-Encoding": "gzip"}),
         "bad content encoding (", "unencoding")


def stacked(req):
    body = feed_doc("bad", 5).encode()
    for _ in range(8):
        body = zlib.compress(body)
    reply(req, 200, body, {"Content-Encoding": ", ".join(["deflate"] * 8)})


@case("network", "eight-stacked-encodings",
      "a body compressed eight times over (Content-Encoding: deflate, "
      "deflate, ...) is refused with 'bad content encoding', not decoded "
      "eight times")
def _(env):
    play(env, stacked, "bad content encoding", "more than 5 content encodings")


# ---- broken HTTP ---------------------------------------------------------------


def short_length(req):
    # Content-Length says less than is sent: the rest is garbage left on
    # the connection, which must not become the next feed's answer.
    body = feed_doc("bad", 6).encode()
    cut = body.index(b"<title>bad article 4") + 20  # articles 3 whole, 4 cut
    raw(req, head(200, [("Content-Type", "application/rss+xml"),
                        ("Content-Length", str(cut))]) + body, close=False)
    hold(req, 3)


@case("network", "content-length-short",
      "a Content-Length shorter than the body cuts the feed there: refresh "
      "says it was cut short, the whole articles before the cut are stored "
      "(old ones keep their state), the one cut is dropped, and the bytes "
      "after it never become another feed's answer")
def _(env):
    p = Play(env).setup()
    p.turn(short_length)
    r = p.refresh(fails=False, same=False)
    check(b"Feed bad: the feed was cut short (the document ends" in r.out,
          f"the cut is not reported: {r!r}")
    after = p.bad_state()
    titles = sorted(line.split("\t")[5] for line in after)
    check(set(p.before) <= set(after) and
          titles == [f"bad article {k}" for k in range(4)],
          f"/bad: before {p.before}, after {after}")


def long_length(req):
    body = feed_doc("bad", 5).encode()
    raw(req, head(200, [("Content-Type", "application/rss+xml"),
                        ("Content-Length", str(len(body) * 3))]) + body)
    req.connection.shutdown(socket.SHUT_RDWR)


@case("network", "content-length-long",
      "a Content-Length longer than the body, then a close, is reported as "
      "a connection closed before the end of the feed, and nothing of the "
      "half body is stored")
def _(env):
    play(env, long_length, "closed the connection before the end")


def bad_chunks(req):
    raw(req, head(200, [("Content-Type", "application/rss+xml"),
                        ("Transfer-Encoding", "chunked")])
        + b"10\r\n<rss version='2\r\nzz\r\n" + b"x" * 100 + b"\r\n0\r\n\r\n")


@case("network", "invalid-chunk-encoding",
      "a chunked body with an invalid chunk size fails the feed with a "
      "receive error")
def _(env):
    play(env, bad_chunks, "failed to receive")


def reset_mid_body(req):
    body = feed_doc("bad", 40).encode()
    req.wfile.write(head(200, [("Content-Type", "application/rss+xml"),
                               ("Content-Length", str(len(body)))]))
    req.wfile.write(body[: len(body) // 2])
    time.sleep(0.1)
    # SO_LINGER 0: close() sends a RST rather than a FIN.
    req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                              struct.pack("ii", 1, 0))
    req.connection.close()
    req.close_connection = True


@case("network", "connection-reset-mid-body",
      "a connection reset in the middle of the body fails the feed with a "
      "receive error and stores nothing of the half body")
def _(env):
    play(env, reset_mid_body, "failed to receive", "reset by peer")


def http09(req):
    raw(req, feed_doc("bad", 5).encode())


@case("network", "http-0.9-reply",
      "an HTTP/0.9 answer (a body without a status line) is refused, not "
      "parsed as the feed")
def _(env):
    play(env, http09, "not HTTP")


def not_http(req):
    raw(req, b"SSH-2.0-OpenSSH_9.2\r\n\x1b]0;pwned\x07\x9b31m\xe2\x80\xae\r\n")


@case("network", "non-http-reply",
      "a server that answers with another protocol (an SSH banner with "
      "escape sequences) is refused as not HTTP, and its bytes never reach "
      "the terminal")
def _(env):
    play(env, not_http, "not HTTP")


@case("network", "tls-port-speaks-plaintext",
      "an https feed whose port speaks plain HTTP fails the TLS handshake "
      "with a TLS error, and the feed is never read in clear")
def _(env):
    p = Play(env)
    tls = p.a.url("/bad").replace("http://", "https://")
    p.bad = tls
    p.urls[1] = tls
    env.write(env.urls, "".join(u + "\n" for u in p.urls))
    # The first, good version of the feed comes from a plain file, moved
    # to the https address in the store by hand? No: courant stores per
    # address, so the feed starts broken; what it had is nothing.
    r = env.courant("refresh")
    check(r.rc == 1, f"refresh: {r!r}")
    assert_plain_text(r.out + r.err)
    check(p.a.hits("/bad") == 0, "the TLS feed was read in clear")
    p.result = r
    p.error("TLS")
    for url in (p.good, p.other):
        check(p.count(url) == 3, f"{url} was not fetched: {r!r}")
    check(r.seconds < SECONDS and r.maxrss_kb < MAXRSS_KB, f"{r!r}")


# ---- redirects -------------------------------------------------------------------


def redirect(where, status=302):
    return lambda req: reply(req, status, b"moved\n",
                             {"Location": where}, "text/plain")


@case("network", "redirect-loop",
      "a redirect to itself stops after 5 redirects with 'too many "
      "redirects'")
def _(env):
    p = Play(env).setup()
    p.turn(redirect(p.bad))
    p.refresh()
    p.error("too many redirects")
    check(p.a.hits("/bad") <= 1 + 1 + 5, "redirects were not bounded")


@case("network", "redirect-chain-of-six",
      "a chain of six distinct redirects stops after the fifth with 'too "
      "many redirects': the sixth target is never requested")
def _(env):
    p = Play(env).setup()
    for k in range(5):
        p.a.route(f"/hop{k}", redirect(p.a.url(f"/hop{k + 1}"), 301))
    p.a.route("/hop5", static(feed_doc("hop", 9)))
    p.turn(redirect(p.a.url("/hop0"), 301))
    p.refresh()
    p.error("too many redirects")
    check(p.a.hits("/hop4") == 1 and p.a.hits("/hop5") == 0,
          f"hops: {[p.a.hits(f'/hop{k}') for k in range(6)]}")
    check("/hop" not in p.env.courant("feeds").text,
          "a failed redirect chain changed the stored address")


@case("network", "redirect-to-file",
      "a redirect to file:///etc/passwd is refused; no byte of the file is "
      "read, shown or stored")
def _(env):
    p = Play(env).setup()
    p.turn(redirect("file:///etc/passwd", 301))
    r = p.refresh()
    p.error("refused")
    check(b"root:" not in r.out + r.err, "the file was shown")
    for args in (("list", "--limit", "0", "--format", "tsv"), ("feeds",)):
        check("root:" not in env.courant(*args).text, "the file was stored")


def listener():
    """A TCP port that records whether anyone connected."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    s.setblocking(False)
    return s


def connected(s):
    try:
        c, _ = s.accept()
        c.close()
        return True
    except BlockingIOError:
        return False


@case("network", "redirect-to-other-schemes",
      "redirects to ftp, gopher, dict, telnet, ldap, javascript: and data: "
      "URLs are all refused, and no connection is made to the target")
def _(env):
    targets = ["ftp://127.0.0.1:{port}/feed", "gopher://127.0.0.1:{port}/1",
               "dict://127.0.0.1:{port}/d:x", "telnet://127.0.0.1:{port}/",
               "ldap://127.0.0.1:{port}/dc=x", "javascript:alert(1)",
               "data:application/rss+xml,<rss/>"]
    lst = listener()
    port = lst.getsockname()[1]
    p = Play(env)
    extra = []
    for k, t in enumerate(targets):
        url = p.a.route(f"/scheme{k}", static(feed_doc(f"s{k}", 3)))
        extra.append((url, t.format(port=port)))
    env.write(env.urls, "".join(u + "\n" for u in p.urls + [u for u, _ in extra]))
    p.setup()
    for k, (url, target) in enumerate(extra):
        p.a.routes[f"/scheme{k}"] = redirect(target)
    p.turn(redirect(f"ftp://127.0.0.1:{port}/x"))
    r = p.refresh()
    p.error("refused")
    check(not connected(lst), "a refused scheme was connected to")
    lst.close()
    failed = [line for line in r.err.decode().splitlines() if "refused" in line]
    check(len(failed) == len(targets) + 1, f"not every scheme refused: {r!r}")
    for url, _ in extra:
        check(p.count(url) == 3, f"{url} lost articles")


@case("network", "permanent-redirect-to-hostile-url",
      "a 301 to a 3 KB address with percent-encoded escape sequences and "
      "bidi controls moves the feed, which is then shown only as plain text "
      "(feeds, export, list); a Location with raw ESC, BEL and C1 bytes is "
      "refused as 'redirected to a malformed URL'")
def _(env):
    p = Play(env).setup()
    path = "/moved%1b]0;pwned%07%e2%80%ae%c2%9b31m"
    evil = path + "?x=" + "A" * 3000
    p.a.route(path, static(feed_doc("bad", 3)))
    p.turn(redirect(p.a.url(evil), 301))
    r = p.refresh(fails=False)
    check(b"moved" in r.out, f"the move is not reported: {r!r}")
    for args in (("feeds",), ("feeds", "--errors"), ("export",),
                 ("export", "--format", "urls"),
                 ("list", "--limit", "0", "--format", "tsv")):
        out = env.courant(*args)
        check(out.rc == 0, f"{args}: {out!r}")
        assert_plain_text(out.out + out.err, " ".join(args))
    # The articles still come from the new address.
    check(p.count(p.bad) == 3, "the moved feed lost articles")
    # From there, a raw ESC, BEL and C1 in a Location is refused outright.
    p.before = p.bad_state()
    p.turn(None)
    p.a.routes[path] = lambda req: raw(req, head(301, [
        ("Location", b"/x\x1b]0;pwned\x07\xc2\x9b31m"), ("Content-Length", "0")]))
    p.refresh("--force")
    p.error("refused", "malformed URL")


# ---- what the server says ------------------------------------------------------


def status_cases():
    for status, words in ((401, "HTTP 401: authentication required"),
                          (403, "HTTP 403: forbidden"),
                          (404, "HTTP 404: not found")):
        def make(status, words):
            @case("network", f"http-{status}",
                  f"an HTTP {status} answer fails the feed with '{words}', "
                  "its error page is not parsed, and the next refresh tries "
                  "again only after the backoff")
            def _(env):
                page = "<html><body><rss><channel><item><title>no</title>" \
                       "</item></channel></rss></body></html>"
                p = play(env, static(page, status, content_type="text/html"),
                         words)
                again = env.courant("refresh")
                check(b"skipped, waiting after failures" in again.out,
                      f"no backoff: {again!r}")
                check(p.a.hits("/bad") == 2, "fetched during the backoff")
        make(status, words)


status_cases()


@case("network", "http-410-gone",
      "a 410 Gone marks the feed dead: it keeps its articles and state, says "
      "so in `feeds --errors`, and is not fetched again")
def _(env):
    p = play(env, static(b"gone", 410, content_type="text/plain"),
             "HTTP 410: gone")
    text = env.courant("feeds", "--errors").text
    check("dead: not fetched again" in text, text)
    again = env.courant("refresh")
    check(b"skipped, dead" in again.out, f"{again!r}")
    check(p.a.hits("/bad") == 2, "a dead feed was fetched")
    p.check_same()


def retry_after(value):
    return lambda req: raw(req, head(429, [("Retry-After", value),
                                           ("Content-Length", "4")]) + b"slow")


for _name, _value, _words, _promise in (
        ("huge", "99999999999999999999999999", "retry after 86400 s",
         "a Retry-After of 10^26 seconds is held to a day"),
        ("negative", "-5", None,
         "a negative Retry-After is ignored for the normal backoff"),
        ("date", None, re.compile(r"retry after (59\d|600) s"),
         "a Retry-After date ten minutes ahead waits ten minutes"),
        ("garbage", "\x1b]0;pwned\x07 soon", None,
         "a Retry-After of escape sequences is ignored and never shown")):
    def _make(name, value, words, promise):
        @case("network", f"http-429-retry-after-{name}",
              f"a 429 answer fails the feed with 'too many requests'; {promise}, "
              "and the next refresh skips the feed without asking")
        def _(env):
            v = value
            if v is None:
                import email.utils
                v = email.utils.formatdate(time.time() + 600, usegmt=True)
            p = play(env, retry_after(v.encode("latin-1")),
                     "HTTP 429: too many requests")
            lines = p.result.err.decode()
            if isinstance(words, str):
                check(words in lines, f"{words!r} not in {lines!r}")
            elif words:
                check(words.search(lines), f"{words.pattern!r} not in {lines!r}")
            else:
                check("retry after" not in lines, lines)
            again = env.courant("refresh")
            check(b"skipped, waiting after failures" in again.out,
                  f"{again!r}")
            check(p.a.hits("/bad") == 2, "fetched before Retry-After")
    _make(_name, _value, _words, _promise)


@case("network", "http-500-hostile-reason",
      "a 500 whose reason phrase holds OSC, CSI, C1 and bidi controls is "
      "reported as 'HTTP 500: internal server error' and the phrase never "
      "reaches the terminal or the store")
def _(env):
    reason = b"\x1b]0;pwned\x07\x1b[31m\xc2\x9b2J\xe2\x80\xae Oops"
    p = play(env, lambda req: raw(req, head(500, [("Content-Length", "0")],
                                            reason=reason)),
             "HTTP 500: internal server error")
    check("pwned" not in p.error("HTTP 500"), "the reason phrase is shown")


@case("network", "html-page-instead-of-feed",
      "a 200 with an HTML page where the feed was is refused as 'not an RSS "
      "or Atom feed' and nothing of the page is stored")
def _(env):
    page = ("<!DOCTYPE html><html><head><title>Login</title></head><body>"
            "<form><input name=p></form><item><title>no</title></item>"
            "</body></html>")
    play(env, static(page, content_type="text/html; charset=utf-8"),
         "not an RSS or Atom feed")


@case("network", "binary-garbage-instead-of-feed",
      "a 200 of binary garbage (every byte value, escape sequences included) "
      "is refused as 'not an RSS or Atom feed', in plain text")
def _(env):
    play(env, static(bytes(range(256)) * 64 + b"\x1b]0;pwned\x07"),
         "not an RSS or Atom feed")


@case("network", "unsolicited-304",
      "a 304 Not Modified to a request that sent no validator keeps the "
      "stored articles as they are (never read as an empty feed)")
def _(env):
    p = Play(env).setup()
    check(not any("If-None-Match" in h or "If-Modified-Since" in h
                  for m, path, h in p.a.requests if path == "/bad"),
          "validators were sent")
    p.turn(lambda req: raw(req, b"HTTP/1.1 304 Not Modified\r\n\r\n", close=False))
    r = p.refresh(fails=False, updated=2)
    check(b"1 unchanged" in r.out, f"{r!r}")


def sent_validators(server, path):
    return [(h.get("If-None-Match"), h.get("If-Modified-Since"))
            for m, p, h in server.requests if p == path]


def validator_case(name, headers, promise, words=None):
    @case("network", name, promise)
    def _(env):
        p = Play(env).setup()
        body = feed_doc("bad", 4).encode()
        p.turn(lambda req: raw(req, head(200, headers + [
            ("Content-Type", "application/rss+xml"),
            ("Content-Length", str(len(body)))]) + body, close=False))
        if words:
            p.refresh()
            p.error(*words)
            return
        p.refresh(fails=False, same=False)
        after = p.bad_state()
        check(set(p.before) < set(after), f"/bad: {after}")
        p.turn(static(feed_doc("bad", 4)))
        p.refresh(fails=False, same=False)
        sent = sent_validators(p.a, "/bad")[-1]
        check(sent == (None, None), f"the validators went back: {sent!r}"[:300])


validator_case("etag-60kb",
               [("ETag", '"' + "e" * 60000 + '"'), ("Last-Modified", "x" * 60000)],
               "an ETag and a Last-Modified of 60 KB each are dropped: the "
               "feed is stored, and they are never sent back")
validator_case("etag-control-characters",
               [("ETag", b'"v1\x1b]0;pwned\x07"'),
                ("Last-Modified", b"Tue, 03 Jun 2025 07:39:21 GMT\x1b[2J\x0b")],
               "an ETag and a Last-Modified holding control characters are "
               "dropped: the feed is stored, and they are never sent back")
validator_case("header-line-300kb",
               [("ETag", '"' + "e" * 300000 + '"')],
               "a single 300 KB header line fails the feed with a clear "
               "error, in bounded memory",
               words=["huge header"])


@case("network", "server-gone",
      "a server that no longer listens (connection refused) fails only its "
      "own feed, with 'could not connect'")
def _(env):
    p = Play(env)
    c = env.serve({"/bad": static(feed_doc("bad", 3))})
    p.bad = c.url("/bad")
    p.urls[1] = p.bad
    env.write(env.urls, "".join(u + "\n" for u in p.urls))
    p.setup()
    c.stop()
    p.version += 1
    p.refresh()
    p.error("could not connect")


# ---- courant add --------------------------------------------------------------


@case("network", "add-page-with-200k-attributes",
      "`courant add` of a web page whose tag has 200,000 attributes finds "
      "the page's feed in a second, not in minutes (attributes past 256 "
      "are dropped before libxml2's pairwise check)")
def _(env):
    s = env.serve()
    feed = s.route("/feed.xml", static(feed_doc("found", 3)))
    attrs = " ".join(f"b{k}" for k in range(200000))
    page = ('<!DOCTYPE html><html><head><title>Site</title>'
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
            f'</head><body><div {attrs}>text</div></body></html>')
    url = s.route("/", static(page, content_type="text/html; charset=utf-8"))
    env.write(env.urls, "")
    r = env.courant("add", url, timeout=60)
    check(not r.timed_out and r.rc == 0, f"add: {r!r}")
    check(r.seconds < 10, f"add took {r.seconds:.1f} s")
    check(f"found {feed}".encode() in r.out, f"{r!r}")
    assert_plain_text(r.out + r.err)
    r = env.courant("count", "--feed", feed)
    check(r.out.strip() == b"3", f"{r!r}")


@case("network", "add-server-never-answers",
      "`courant add` obeys the config's timeouts like refresh: a server that "
      "never answers, on the page fetch or on the first fetch of the feed, "
      "costs the low-speed timeout and says 'timed out'")
def _(env):
    s = env.serve()
    env.write(env.config, CONFIG)
    env.write(env.urls, "")
    url = s.route("/silent", never_answers)
    r = env.courant("add", url, timeout=60)
    check(r.rc == 1 and b"timed out" in r.err, f"add: {r!r}")
    check(r.seconds < SECONDS, f"add took {r.seconds:.1f} s")
    # The page fetch sees a feed, the first fetch of it gets nothing.
    calls = []

    def feed_then_silence(req):
        calls.append(1)
        if len(calls) == 1:
            reply(req, 200, feed_doc("late", 3))
        else:
            hold(req, 15)
    url = s.route("/late", feed_then_silence)
    r = env.courant("add", url, timeout=60)
    check(r.rc == 1 and b"timed out" in r.err and b"subscribed anyway" in r.err,
          f"add: {r!r}")
    check(r.seconds < SECONDS, f"add took {r.seconds:.1f} s")
    assert_plain_text(r.out + r.err)


if __name__ == "__main__":
    sys.exit(main())
