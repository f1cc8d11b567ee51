#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The refresh benchmark (issue 5), run by `make bench-refresh`.

A seeded corpus of FEEDS feeds of 50 items (RSS 2.0, Atom and RSS 1.0 in
turn; summaries and some full articles as news sites send them; some feeds
in Korean, some with accented titles) is served on loopback by a server
listening on PORTS ports, so that the feeds spread over that many "hosts",
with 100 ms of added latency per request, ETag, Last-Modified and gzip.

It times a cold `courant refresh` (empty database) and a warm one (every
feed answers 304): wall time, CPU time (user + sys) and courant's own peak
resident memory, and counts the bytes the server wrote for each (status
lines, headers and bodies, compressed: what went over the wire). When
newsboat is installed, `newsboat -x reload` with reload-threads 8 runs on
the same corpus in the same way (a temporary HOME) and the ratios are
printed. Exits 1 when a target is missed.

usage: COURANT=./courant refresh_bench.py [FEEDS [PORTS]]
Environment: COURANT (the binary), NEWSBOAT (default: newsboat on PATH;
"no" skips it), BENCH_RUNS (runs of each, the best counts; default 1).
"""

import gzip
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_feed as gen  # noqa: E402

LATENCY = 0.1
ITEMS = 50
LAST_MODIFIED = "Tue, 03 Jun 2025 07:39:21 GMT"

# Targets of issue 5.
COLD_WALL = 2.0
WARM_WALL = 1.5
WARM_BYTES = 0.01  # of the cold bytes
PEAK_MB = 40
NB_WALL = 3.0  # courant at least 3x faster than newsboat
NB_CPU = 3.0  # and at most a third of its CPU time

KOREAN = ("서울 시장 선거 결과 발표 경제 성장률 전망 날씨 태풍 북상 대학 입시 "
          "제도 개편 반도체 수출 증가 지하철 요금 인상 국회 예산안 통과 "
          "축구 대표팀 승리 한강 공원 축제 개막 물가 안정 대책").split()
ACCENTS = ("Élection régionale à Besançon : le débat s'anime|"
           "Café, crème brûlée et pâtisseries à Montréal|"
           "La canción del año según los críticos de São Paulo|"
           "Über die Zukunft der Bahn in Köln und Düsseldorf|"
           "Año nuevo en Málaga: ¿qué cambia?|"
           "Señal débil en la región de Ñuble|"
           "Þórshöfn et Ærø : les îles qui résistent").split("|")


def title(rng, lang):
    if lang == "ko":
        return " ".join(rng.choices(KOREAN, k=rng.randint(4, 8)))
    if lang == "accents" and rng.random() < 0.5:
        return rng.choice(ACCENTS)
    return " ".join(gen.words(rng, rng.randint(5, 12))).capitalize()


def summary(rng, lang, link):
    if lang == "ko":
        text = " ".join(" ".join(rng.choices(KOREAN, k=rng.randint(8, 16)))
                        + "." for _ in range(rng.randint(3, 8)))
        return gen.esc("<p>%s</p>" % text)
    return gen.description(rng, link)


def iso(t):
    # gen.rfc822 walks the calendar; reuse it and reorder the fields.
    day, mon, year, hms = gen.rfc822(t).split()[1:5]
    return "%s-%02d-%sT%sZ" % (year, gen.MONTHS.index(mon) + 1, day, hms)


def rss2(rng, n, lang):
    out = [gen.HEAD.replace("Benchmark Daily", "Feed %d" % n)]
    t = 300 * 86400 - n * 3600
    for i in range(ITEMS):
        t -= rng.randint(300, 7200)
        one = gen.item(rng, n * 1000 + i, t)
        # The generator's English title gives way to the feed's language.
        start = one.index("<title>") + 7
        end = one.index("</title>")
        out.append(one[:start] + gen.esc(title(rng, lang)) + one[end:])
    out.append(gen.TAIL)
    return "".join(out)


def atom(rng, n, lang):
    out = ['<?xml version="1.0" encoding="utf-8"?>\n'
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="%s">\n'
           "<title>Feed %d</title>\n<id>urn:bench:feed:%d</id>\n"
           '<link rel="alternate" href="https://site%d.example.org/"/>\n'
           "<updated>%s</updated>\n" % (lang, n, n, n, iso(300 * 86400))]
    t = 300 * 86400 - n * 3600
    for i in range(ITEMS):
        t -= rng.randint(300, 7200)
        link = "https://site%d.example.org/%d/%d" % (n, t // 86400, i)
        out.append("<entry>\n<title>%s</title>\n<id>%s</id>\n"
                   '<link rel="alternate" href="%s"/>\n'
                   "<published>%s</published>\n<updated>%s</updated>\n"
                   "<author><name>%s %s</name></author>\n"
                   '<category term="%s"/>\n'
                   '<summary type="html">%s</summary>\n'
                   % (gen.esc(title(rng, lang)), link, link, iso(t), iso(t),
                      rng.choice(gen.FIRST), rng.choice(gen.LAST),
                      rng.choice(gen.CATEGORIES), summary(rng, lang, link)))
        if rng.random() < 0.3:
            out.append('<content type="html">%s</content>\n'
                       % gen.esc(gen.content(rng, link)[9:-3]))
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def rss1(rng, n, lang):
    items = []
    t = 300 * 86400 - n * 3600
    for i in range(ITEMS):
        t -= rng.randint(300, 7200)
        link = "https://site%d.example.org/%d/%d" % (n, t // 86400, i)
        items.append((link, '<item rdf:about="%s">\n<title>%s</title>\n'
                      "<link>%s</link>\n<description>%s</description>\n"
                      "<dc:date>%s</dc:date>\n<dc:creator>%s %s</dc:creator>\n"
                      "<dc:subject>%s</dc:subject>\n</item>\n"
                      % (link, gen.esc(title(rng, lang)), link,
                         summary(rng, lang, link), iso(t),
                         rng.choice(gen.FIRST), rng.choice(gen.LAST),
                         rng.choice(gen.CATEGORIES))))
    seq = "".join('<rdf:li rdf:resource="%s"/>\n' % u for u, _ in items)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns="http://purl.org/rss/1.0/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            '<channel rdf:about="https://site%d.example.org/">\n'
            "<title>Feed %d</title>\n<link>https://site%d.example.org/</link>"
            "\n<description>RSS 1.0</description>\n"
            "<items><rdf:Seq>\n%s</rdf:Seq></items>\n</channel>\n%s</rdf:RDF>\n"
            % (n, n, n, seq, "".join(body for _, body in items)))


FORMATS = (("rss2", rss2, "application/rss+xml"),
           ("atom", atom, "application/atom+xml"),
           ("rss1", rss1, "application/rdf+xml"))


def corpus(n_feeds):
    """{name: (content type, body, gzipped body, etag)}, seeded."""
    rng = random.Random(5)
    feeds = {}
    for n in range(n_feeds):
        kind, make, ctype = FORMATS[n % 3]
        lang = "ko" if n % 10 == 3 else "accents" if n % 10 == 7 else "en"
        body = make(rng, n, lang).encode()
        feeds["f%d.xml" % n] = (ctype, body, gzip.compress(body, 6),
                                '"%s-%d-%x"' % (kind, n, len(body)))
    return feeds


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.wire = 0  # bytes written: status lines, headers, bodies
        self.requests = self.ok = self.not_modified = self.gzipped = 0
        self.conns = 0

    def snapshot(self):
        with self.lock:
            return dict(wire=self.wire, requests=self.requests, ok=self.ok,
                        not_modified=self.not_modified, gzipped=self.gzipped,
                        conns=self.conns)


class CountingWriter:
    """The handler's wfile, counting what goes to the socket."""

    def __init__(self, raw, stats):
        self.raw, self.stats = raw, stats

    def write(self, data):
        n = self.raw.write(data)
        with self.stats.lock:
            self.stats.wire += len(data)
        return n

    def flush(self):
        self.raw.flush()

    def close(self):
        self.raw.close()

    @property
    def closed(self):
        return self.raw.closed


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    feeds = {}
    stats = None

    def setup(self):
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.wfile = CountingWriter(self.wfile, self.stats)
        with self.stats.lock:
            self.stats.conns += 1

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        time.sleep(LATENCY)
        feed = self.feeds.get(self.path.lstrip("/"))
        st = self.stats
        with st.lock:
            st.requests += 1
        if feed is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype, body, gz, etag = feed
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm == etag or (inm is None and ims == LAST_MODIFIED):
            with st.lock:
                st.not_modified += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.end_headers()
            return
        offered = [e.split(";")[0].strip() for e in
                   self.headers.get("Accept-Encoding", "").split(",")]
        self.send_response(200)
        self.send_header("Content-Type", ctype + "; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", LAST_MODIFIED)
        if "gzip" in offered:
            body = gz
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with st.lock:
            st.ok += 1
            st.gzipped += body is gz


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass


def serve(feeds, stats, n_ports):
    handler = type("H", (Handler,), {"feeds": feeds, "stats": stats})
    servers = []
    for _ in range(n_ports):
        srv = Server(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    return servers


def measure(cmd, env, cwd):
    """Runs cmd; returns (wall s, cpu s, peak RSS KiB of the program
    itself, stdout). GNU time when installed, else VmHWM polled in /proc:
    the rusage of a child of Python carries Python's size across exec."""
    out = os.path.join(cwd, "out")
    rss_file = os.path.join(cwd, "rss")
    use_time = os.access("/usr/bin/time", os.X_OK)
    if use_time:
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd
    with open(out, "w") as fout:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=fout,
                             stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
        hwm = 0
        while True:
            if not use_time:
                try:
                    with open("/proc/%d/status" % p.pid) as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                hwm = max(hwm, int(line.split()[1]))
                except OSError:
                    pass
            # wait4, not Popen.poll(): it gives the child's rusage.
            pid, status, ru = os.wait4(p.pid, 0 if use_time else os.WNOHANG)
            if pid:
                break
            time.sleep(0.005)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    text = open(out, encoding="utf-8", errors="replace").read()
    if p.returncode != 0:
        sys.exit("refresh_bench: %s failed (%d):\n%s"
                 % (" ".join(cmd), p.returncode, text[-2000:]))
    if use_time:
        hwm = int(open(rss_file).read().split()[-1])
    # /usr/bin/time's own CPU is a few milliseconds: negligible.
    return wall, ru.ru_utime + ru.ru_stime, hwm, text


def run_pair(label, cmd, env, cwd, stats, reset, runs):
    """A cold then a warm run, `runs` times; the best of each."""
    best = {}
    for _ in range(runs):
        reset()
        for kind in ("cold", "warm"):
            stats.reset()
            wall, cpu, rss, out = measure(cmd, env, cwd)
            r = dict(wall=wall, cpu=cpu, rss=rss, out=out,
                     **stats.snapshot())
            if kind not in best or wall < best[kind]["wall"]:
                best[kind] = r
    for kind in ("cold", "warm"):
        r = best[kind]
        print("%-8s %s: wall %5.2f s  cpu %5.2f s  peak RSS %5.1f MiB  "
              "wire %8.1f KiB  (%d requests: %d x 200, %d x 304, "
              "%d connections)"
              % (label, kind, r["wall"], r["cpu"], r["rss"] / 1024.0,
                 r["wire"] / 1024.0, r["requests"], r["ok"],
                 r["not_modified"], r["conns"]), flush=True)
    return best


def main():
    n_feeds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    n_ports = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    runs = int(os.environ.get("BENCH_RUNS", "1"))
    courant = os.environ.get("COURANT", "courant")
    newsboat = os.environ.get("NEWSBOAT") or shutil.which("newsboat")
    if newsboat == "no":
        newsboat = None
    if shutil.which(courant) is None:
        sys.exit("refresh_bench: %s: not found (set COURANT)" % courant)
    courant = os.path.abspath(shutil.which(courant))
    out = subprocess.run(["ldd", courant], capture_output=True,
                         text=True).stdout
    if "libasan" in out:
        print("refresh_bench: note: built with sanitizers; the figures "
              "mean little", file=sys.stderr)

    t0 = time.monotonic()
    feeds = corpus(n_feeds)
    size = sum(len(b) for _, b, _, _ in feeds.values())
    gz = sum(len(g) for _, _, g, _ in feeds.values())
    print("corpus: %d feeds x %d items (RSS 2.0, Atom, RSS 1.0), "
          "%.1f MiB, %.1f MiB gzipped, on %d ports, %d ms per request "
          "(generated in %.1f s)"
          % (n_feeds, ITEMS, size / 2**20, gz / 2**20, n_ports,
             LATENCY * 1000, time.monotonic() - t0), flush=True)
    stats = Stats()
    servers = serve(feeds, stats, n_ports)
    ports = [s.server_address[1] for s in servers]
    urls = ["http://127.0.0.1:%d/f%d.xml" % (ports[n % n_ports], n)
            for n in range(n_feeds)]
    tmp = tempfile.mkdtemp(prefix="courant-bench.")
    failed = []
    try:
        # courant: subscribed from OPML (no fetch), then refreshed twice.
        home = os.path.join(tmp, "courant")
        os.makedirs(home)
        db = os.path.join(home, "cache.db")
        env = {k: v for k, v in os.environ.items()
               if "proxy" not in k.lower()}
        env.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, "config"),
                   XDG_DATA_HOME=os.path.join(home, "data"),
                   COURANT_DB=db, TZ="UTC")
        opml = os.path.join(home, "feeds.opml")
        with open(opml, "w") as f:
            f.write('<?xml version="1.0"?>\n<opml version="2.0"><head>'
                    "<title>bench</title></head><body>\n")
            for u in urls:
                f.write('<outline type="rss" text="%s" xmlUrl="%s"/>\n'
                        % (u, u))
            f.write("</body></opml>\n")

        def reset_courant():
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.unlink(db + suffix)
            stats.reset()
            subprocess.run([courant, "import", opml], env=env, check=True,
                           capture_output=True)
            if stats.snapshot()["requests"]:
                sys.exit("refresh_bench: courant import fetched feeds")

        c = run_pair("courant", [courant, "refresh"], env, home, stats,
                     reset_courant, runs)
        summary = c["cold"]["out"].strip().splitlines()[-1:]
        print("  courant says: %s" % (summary[0] if summary else "?"))
        want_new = "%d new items" % (n_feeds * ITEMS)
        if want_new not in c["cold"]["out"]:
            failed.append("cold refresh did not store %s" % want_new)
        if "%d unchanged" % n_feeds not in c["warm"]["out"]:
            failed.append("warm refresh: not every feed was 304")
        for f in failed:
            print("FAIL " + f)

        n = None
        if newsboat:
            nb = os.path.join(tmp, "newsboat")
            os.makedirs(os.path.join(nb, ".newsboat"))
            nb_env = dict(env, HOME=nb)
            for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "COURANT_DB"):
                nb_env.pop(k)
            with open(os.path.join(nb, ".newsboat", "urls"), "w") as f:
                f.write("".join(u + "\n" for u in urls))
            with open(os.path.join(nb, ".newsboat", "config"), "w") as f:
                f.write("reload-threads 8\n")

            def reset_newsboat():
                for name in os.listdir(os.path.join(nb, ".newsboat")):
                    if name.startswith("cache.db"):
                        os.unlink(os.path.join(nb, ".newsboat", name))

            n = run_pair("newsboat", [newsboat, "-x", "reload"], nb_env, nb,
                         stats, reset_newsboat, runs)
        else:
            print("newsboat: not installed, no comparison")
    finally:
        for srv in servers:
            srv.shutdown()
            srv.server_close()
        shutil.rmtree(tmp, ignore_errors=True)

    def target(ok, text):
        print("%s %s" % ("PASS" if ok else "FAIL", text))
        if not ok:
            failed.append(text)

    cold, warm = c["cold"], c["warm"]
    print()
    target(cold["wall"] < COLD_WALL, "cold refresh %.2f s < %.1f s"
           % (cold["wall"], COLD_WALL))
    target(warm["wall"] < WARM_WALL, "warm refresh %.2f s < %.1f s"
           % (warm["wall"], WARM_WALL))
    share = warm["wire"] / cold["wire"] if cold["wire"] else 1
    target(share < WARM_BYTES, "warm bytes %.2f%% of cold < %.0f%%"
           % (share * 100, WARM_BYTES * 100))
    peak = max(cold["rss"], warm["rss"]) / 1024.0
    target(peak < PEAK_MB, "peak RSS %.1f MiB < %d MiB" % (peak, PEAK_MB))
    if n:
        for kind in ("cold", "warm"):
            w = n[kind]["wall"] / c[kind]["wall"]
            u = n[kind]["cpu"] / max(c[kind]["cpu"], 1e-3)
            print("ratios %s: newsboat/courant wall %.1fx, cpu %.1fx"
                  % (kind, w, u))
        w = n["cold"]["wall"] / cold["wall"]
        u = n["cold"]["cpu"] / max(cold["cpu"], 1e-3)
        target(w >= NB_WALL, "cold wall %.1fx faster than newsboat >= %.0fx"
               % (w, NB_WALL))
        target(u >= NB_CPU, "cold cpu %.1fx less than newsboat >= %.0fx"
               % (u, NB_CPU))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
