# SPDX-License-Identifier: MIT
"""A hostile-on-demand feed server for the poller tests (standard library only).

Every feed lives at /f/NAME and has a mode the test sets directly (the server
runs in the test's own process): "ok" serves RSS with an ETag and a
Last-Modified and answers 304 to a matching If-None-Match; the other modes
are the failures a feed reader meets (410, 429, a slow drip, a body cut in
the middle, an endless body, a gzip bomb...). The server counts requests and
concurrent connections per port, so tests can check politeness.
"""

import gzip
import socket
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _import_brotli():
    """Debian's python3-brotli, also for a python3 that is not Debian's
    (pyenv) but of the same version: the module's file name carries its
    ABI, so a mismatch fails to import."""
    try:
        import brotli
        return brotli
    except ImportError:
        pass
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import brotli
        return brotli
    except ImportError:
        return None
    finally:
        sys.path.remove("/usr/lib/python3/dist-packages")


brotli = _import_brotli()

LAST_MODIFIED = "Tue, 03 Jun 2025 07:39:21 GMT"


class Feed:
    def __init__(self, name, n_items=3):
        self.name = name
        self.n_items = n_items
        self.version = 1
        self.mode = "ok"
        self.target = None  # redirects and pages
        self.targets = []
        self.delay = 0.0
        self.requests = 0
        self.not_modified = 0
        self.gzipped = 0
        self.brotlied = 0
        self.headers = []  # request headers of each request

    def etag(self):
        return '"%s-v%d"' % (self.name, self.version)

    def body(self):
        items = "".join(
            "<item><title>%s item %d</title><guid>%s-%d</guid>"
            "<link>http://example.org/%s/%d</link>"
            "<description>Article %d of %s.</description></item>\n"
            % (self.name, i, self.name, i, self.name, i, i, self.name)
            for i in range(1, self.n_items + 1))
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                '<rss version="2.0"><channel><title>Feed %s</title>'
                "<link>http://example.org/%s</link>\n%s</channel></rss>\n"
                % (self.name, self.name, items)).encode()


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.feeds = {}
        self.conns = {}  # port -> open connections
        self.max_conns = {}  # port -> most at once
        self.inflight = 0
        self.max_inflight = 0
        self.connections = 0  # accepted since reset_counters()
        self.total_requests = 0
        self._bomb = None

    def feed(self, name, **kw):
        with self.lock:
            if name not in self.feeds:
                self.feeds[name] = Feed(name)
            f = self.feeds[name]
            for k, v in kw.items():
                setattr(f, k, v)
            return f

    def reset_counters(self):
        with self.lock:
            self.max_conns = {p: self.conns.get(p, 0) for p in self.conns}
            self.max_inflight = self.inflight
            self.total_requests = 0
            self.connections = 0

    def bomb(self):
        # 40 MiB of blanks inside a feed, about 40 KiB compressed.
        if self._bomb is None:
            self._bomb = gzip.compress(
                b"<rss version='2.0'><channel><title>bomb</title>"
                + b" " * (40 << 20) + b"</channel></rss>", 9)
        return self._bomb


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def setup(self):
        super().setup()
        # Without it a keep-alive client waits ~40 ms per request (Nagle
        # plus delayed ACK): DESIGN.md.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        port = self.server.server_address[1]
        with self.state.lock:
            n = self.state.conns.get(port, 0) + 1
            self.state.conns[port] = n
            self.state.connections += 1
            self.state.max_conns[port] = max(
                self.state.max_conns.get(port, 0), n)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        port = self.server.server_address[1]
        with self.state.lock:
            self.state.conns[port] -= 1

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body=b"", ctype="application/rss+xml",
             headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def answered(self):
        # A request counts as in flight until its answer begins: the
        # client may start its next one as soon as it has read this
        # answer, before this thread is done with it.
        if self.counted:
            self.counted = False
            with self.state.lock:
                self.state.inflight -= 1

    def send_response(self, *args, **kw):
        self.answered()
        super().send_response(*args, **kw)

    def do_GET(self):
        st = self.state
        with st.lock:
            st.inflight += 1
            st.max_inflight = max(st.max_inflight, st.inflight)
            st.total_requests += 1
        self.counted = True
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self.answered()

    def route(self):
        st = self.state
        parts = self.path.split("?")[0].split("/")
        if len(parts) != 3 or parts[1] != "f":
            self.send(404, b"no", "text/plain")
            return
        f = st.feed(parts[2])
        with st.lock:
            f.requests += 1
            f.headers.append(dict(self.headers.items()))
            mode, delay = f.mode, f.delay
        if delay:
            time.sleep(delay)
        getattr(self, "mode_" + mode)(f)

    def mode_ok(self, f, compress=None, etag=True):
        common = [("Last-Modified", LAST_MODIFIED)]
        if etag:
            common.append(("ETag", f.etag()))
            fresh = self.headers.get("If-None-Match") == f.etag()
        else:
            # Last-Modified alone: the date of version 1.
            fresh = (f.version == 1 and self.headers.get(
                "If-Modified-Since") == LAST_MODIFIED)
        if fresh:
            with self.state.lock:
                f.not_modified += 1
            self.send_response(304)
            for k, v in common:
                self.send_header(k, v)
            self.end_headers()
            return
        body = f.body()
        offered = [e.split(";")[0].strip() for e in
                   self.headers.get("Accept-Encoding", "").split(",")]
        if compress == "gzip" and "gzip" in offered:
            body = gzip.compress(body)
            common.append(("Content-Encoding", "gzip"))
            with self.state.lock:
                f.gzipped += 1
        elif compress == "br" and "br" in offered and brotli is not None:
            body = brotli.compress(body)
            common.append(("Content-Encoding", "br"))
            with self.state.lock:
                f.brotlied += 1
        self.send(200, body, headers=common)

    def mode_gzip(self, f):
        self.mode_ok(f, compress="gzip")

    def mode_brotli(self, f):
        self.mode_ok(f, compress="br")

    def mode_lastmod(self, f):
        self.mode_ok(f, etag=False)

    def mode_cached(self, f):
        # A feed that asks to be left alone for ten minutes.
        body = f.body()
        self.send(200, body, headers=[("Cache-Control", "max-age=600")])

    def redirect(self, status, where):
        self.send(status, b"moved", "text/plain", [("Location", where)])

    def mode_moved(self, f):
        self.redirect(301, "/f/" + f.target)

    def mode_moved308(self, f):
        self.redirect(308, "/f/" + f.target)

    def mode_found(self, f):
        self.redirect(302, "/f/" + f.target)

    def mode_loop(self, f):
        self.redirect(302, "/f/" + f.name)

    def mode_tofile(self, f):
        self.redirect(301, "file:///etc/passwd")

    def mode_gone(self, f):
        self.send(410, b"gone", "text/plain")

    def mode_missing(self, f):
        self.send(404, b"not here", "text/plain")

    def mode_limit(self, f):
        self.send(429, b"slow down", "text/plain", [("Retry-After", "120")])

    def mode_busy(self, f):
        when = formatdate(time.time() + 300, usegmt=True)
        self.send(503, b"busy", "text/plain", [("Retry-After", when)])

    def mode_garbage(self, f):
        self.send(200, bytes(range(256)) * 8)

    def mode_bigcl(self, f):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(2 << 30))
        self.end_headers()
        self.wfile.write(b"<rss>")
        self.close_connection = True

    def mode_bomb(self, f):
        self.send(200, self.state.bomb(),
                  headers=[("Content-Encoding", "gzip")])

    def mode_huge(self, f):
        # An endless chunked body; stops at 64 MiB or when the client goes.
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<!--" + b"x" * 65536 + b"-->"
        head = b"%x\r\n" % len(chunk)
        self.wfile.write(b"%x\r\n<rss><channel>\r\n" % len(b"<rss><channel>"))
        for _ in range(1024):
            if self.state.stop.is_set():
                break
            self.wfile.write(head + chunk + b"\r\n")
        self.close_connection = True

    def mode_drip(self, f):
        body = f.body()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(len(body)):
            if self.state.stop.wait(0.5):
                break
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()
        self.close_connection = True

    def mode_stall(self, f):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.flush()
        self.state.stop.wait(30)
        self.close_connection = True

    def mode_closemid(self, f):
        body = f.body()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", f.etag())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) * 3 // 4])
        self.wfile.flush()
        self.close_connection = True
        self.request.shutdown(socket.SHUT_RDWR)

    def mode_page(self, f):
        links = "".join(
            '<link rel="alternate" type="application/rss+xml" '
            'title="Feed %s" href="/f/%s">\n' % (t, t)
            for t in ([f.target] if f.target else f.targets))
        html = ("<!DOCTYPE html><html><head><title>A site</title>\n"
                '<link rel="stylesheet" href="/style.css">\n%s'
                "</head><body><p>Hello</p></body></html>\n" % links)
        self.send(200, html.encode(), "text/html; charset=utf-8")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # clients that hang up on purpose are the point


def start(state, n_ports=1):
    """Starts n_ports servers on free loopback ports; returns their ports
    and a function that stops them all."""
    handler = type("BoundHandler", (Handler,), {"state": state})
    servers = []
    for _ in range(n_ports):
        srv = Server(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)

    def stop():
        state.stop.set()
        for srv in servers:
            srv.shutdown()
            srv.server_close()

    return [s.server_address[1] for s in servers], stop
