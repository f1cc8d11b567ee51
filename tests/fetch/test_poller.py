# SPDX-License-Identifier: MIT
"""Integration tests of the poller: `courant add`, `refresh` and `feeds`
against tests/fetch/server.py on loopback. Each case uses a fresh database
and asserts what the store kept (through Python's sqlite3, read-only).

usage: test_poller.py TMPDIR [CASE...]   (COURANT names the binary)
"""

import ctypes
import ctypes.util
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server  # noqa: E402

COURANT = os.environ.get("COURANT", "courant")
TMP = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
STATE = server.State()
PORTS = []
failures = []
skipped = []


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def url(name, port=None):
    return "http://127.0.0.1:%d/f/%s" % (port or PORTS[0], name)


class Db:
    counter = 0

    def __init__(self, timeouts=None):
        Db.counter += 1
        self.path = os.path.join(TMP, "db%d" % Db.counter)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.unlink(self.path + suffix)
        self.env = dict(os.environ, COURANT_DB=self.path, TZ="UTC")
        self.env.pop("http_proxy", None)
        self.env.pop("HTTP_PROXY", None)
        self.env.pop("all_proxy", None)
        if timeouts:
            self.env["COURANT_TIMEOUTS"] = timeouts

    def run(self, *args, want=None):
        t0 = time.monotonic()
        p = subprocess.run([COURANT] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=60)
        self.elapsed = time.monotonic() - t0
        self.out, self.err, self.rc = p.stdout, p.stderr, p.returncode
        if want is not None and p.returncode != want:
            raise Fail("courant %s: exit %d, want %d\nstdout: %s\nstderr: %s"
                       % (" ".join(args), p.returncode, want, p.stdout,
                          p.stderr))
        if "ERROR: AddressSanitizer" in p.stderr or \
                "runtime error:" in p.stderr:
            raise Fail("sanitizer: " + p.stderr)
        return p

    def add(self, name, *tags, port=None):
        return self.run("add", url(name, port), *tags, want=0)

    def sql(self, query, *args):
        con = sqlite3.connect("file:%s?mode=ro" % self.path, uri=True)
        try:
            return con.execute(query, args).fetchall()
        finally:
            con.close()

    def feed(self, name, port=None):
        rows = self.sql(
            "SELECT id, fetch_url, etag, last_modified, last_status, "
            "failures, next_fetch, is_dead, last_error FROM feeds "
            "WHERE url = ?", url(name, port))
        check(len(rows) == 1, "feed %s not in the store" % name)
        keys = ("id", "fetch_url", "etag", "last_modified", "status",
                "failures", "next_fetch", "is_dead", "error")
        return dict(zip(keys, rows[0]))

    def items(self, name, port=None):
        return sorted(r[0] for r in self.sql(
            "SELECT i.guid FROM items i JOIN feeds f ON f.id = i.feed_id "
            "WHERE f.url = ?", url(name, port)))


def guids(name, n):
    return sorted("%s-%d" % (name, i) for i in range(1, n + 1))


def check_failed(db, name, text, failures=1):
    """The failure is what the store kept for the feed: the error text,
    the count and a next try in the future."""
    row = db.feed(name)
    check(text in (row["error"] or ""), "%s: stored error %r"
          % (name, row["error"]))
    check(row["failures"] == failures, "%s: failures %r"
          % (name, row["failures"]))
    check(row["next_fetch"] > time.time(), name + ": next try later")


# ---- cases ------------------------------------------------------------------

def case_first_fetch_then_304():
    db = Db()
    f = STATE.feed("a")
    db.add("a", "news")
    check(db.items("a") == guids("a", 3), "items stored: %s" % db.items("a"))
    row = db.feed("a")
    check(row["etag"] == '"a-v1"', "etag stored: %r" % row["etag"])
    check(row["last_modified"] == server.LAST_MODIFIED, "Last-Modified")
    check(row["status"] == 200, "status 200")
    ua = f.headers[-1].get("User-Agent", "")
    check(ua.startswith("courant/") and "(+" in ua, "User-Agent: " + ua)
    check(f.headers[-1].get("Accept-Encoding"), "Accept-Encoding sent")
    before = f.requests
    db.run("refresh", want=0)
    check(f.requests == before + 1, "one request")
    check(f.headers[-1].get("If-None-Match") == '"a-v1"', "If-None-Match")
    check(f.headers[-1].get("If-Modified-Since") == server.LAST_MODIFIED,
          "If-Modified-Since")
    check(f.not_modified == 1, "answered 304")
    check("1 unchanged" in db.out, "summary: " + db.out)
    check(db.feed("a")["status"] == 304, "status 304 stored")
    check(db.items("a") == guids("a", 3), "items kept after 304")
    # A new article: 200 again, one new item.
    STATE.feed("a", version=2, n_items=4)
    db.run("refresh", want=0)
    check("1 new item" in db.out, "new item reported: " + db.out)
    check(db.items("a") == guids("a", 4), "new item stored")
    check(db.feed("a")["etag"] == '"a-v2"', "new etag")


def case_last_modified_only():
    # No ETag: the conditional GET rests on Last-Modified alone.
    db = Db()
    f = STATE.feed("lm", mode="lastmod")
    db.add("lm")
    row = db.feed("lm")
    check(row["etag"] is None, "no etag: %r" % row["etag"])
    check(row["last_modified"] == server.LAST_MODIFIED, "Last-Modified")
    db.run("refresh", want=0)
    sent = f.headers[-1]
    check(sent.get("If-Modified-Since") == server.LAST_MODIFIED,
          "If-Modified-Since sent")
    check("If-None-Match" not in sent, "no If-None-Match")
    check(f.not_modified == 1, "answered 304")
    check(db.feed("lm")["status"] == 304, "status 304 stored")
    check(db.items("lm") == guids("lm", 3), "items kept after 304")
    STATE.feed("lm", version=2, n_items=5)
    db.run("refresh", want=0)
    check("2 new items" in db.out, "new items: " + db.out)
    check(db.items("lm") == guids("lm", 5), "earlier items kept")


def case_gzip():
    db = Db()
    f = STATE.feed("g", mode="gzip")
    db.add("g")
    check(f.gzipped >= 1, "served gzip")
    check(db.items("g") == guids("g", 3), "gzip items stored")
    before = f.gzipped
    STATE.feed("g", version=2, n_items=4)
    db.run("refresh", want=0)
    check(f.gzipped == before + 1, "gzip again")
    check(db.items("g") == guids("g", 4), "earlier items kept")


def libcurl_has_brotli():
    """CURL_VERSION_BROTLI in curl_version_info()'s features, or None
    when libcurl cannot be loaded here."""
    name = ctypes.util.find_library("curl")
    if name is None:
        return None

    class Info(ctypes.Structure):
        _fields_ = [("age", ctypes.c_int), ("version", ctypes.c_char_p),
                    ("version_num", ctypes.c_uint),
                    ("host", ctypes.c_char_p), ("features", ctypes.c_int)]
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.curl_version_info.restype = ctypes.POINTER(Info)
    return bool(lib.curl_version_info(0).contents.features & (1 << 23))


def case_brotli():
    # Accept-Encoding "" offers every encoding libcurl was built with;
    # Debian's has brotli.
    if server.brotli is None:
        raise Skip("no brotli module for %s (python3-brotli)"
                   % sys.executable)
    has_br = libcurl_has_brotli()
    db = Db()
    f = STATE.feed("br", mode="brotli")
    db.add("br")
    offered = f.headers[-1].get("Accept-Encoding", "")
    check(has_br is not True or "br" in offered.split(", "),
          "libcurl has brotli but offers: " + offered)
    if "br" not in offered.split(", "):
        raise Skip("libcurl without brotli: " + offered)
    # `add` asks twice: the page check, then the feed.
    check(f.brotlied >= 1, "served brotli")
    check(db.items("br") == guids("br", 3), "brotli items stored")
    before = f.brotlied
    STATE.feed("br", version=2, n_items=6)
    db.run("refresh", want=0)
    check(f.brotlied == before + 1, "brotli again")
    check("3 new items" in db.out, "new items: " + db.out)
    check(db.items("br") == guids("br", 6), "earlier items kept")


def case_permanent_redirect():
    db = Db()
    STATE.feed("m1")
    STATE.feed("m1new")
    db.add("m1")
    STATE.feed("m1", mode="moved", target="m1new")
    db.run("refresh", want=0)
    check("moved permanently" in db.out, "move reported: " + db.out)
    check(db.feed("m1")["fetch_url"] == url("m1new"), "fetch_url updated")
    before = STATE.feeds["m1"].requests
    db.run("refresh", "--feed", url("m1"), want=0)
    check(STATE.feeds["m1"].requests == before, "old URL no longer asked")
    check(STATE.feeds["m1new"].not_modified >= 1, "new URL conditional")
    db.run("feeds", want=0)
    check("moved to " + url("m1new") in db.out, "feeds shows the move")
    # 308 counts too; a 302 does not move the feed.
    STATE.feed("m2")
    STATE.feed("m2new")
    db.add("m2")
    STATE.feed("m2", mode="found", target="m2new")
    db.run("refresh", "--feed", url("m2"), want=0)
    check(db.feed("m2")["fetch_url"] is None, "302 keeps the URL")
    STATE.feed("m2", mode="moved308")
    db.run("refresh", "--feed", url("m2"), want=0)
    check(db.feed("m2")["fetch_url"] == url("m2new"), "308 moves")
    check(set(guids("m2", 3)) <= set(db.items("m2")), "earlier items kept")
    # Chains: 301 then 308 moves the feed to the end of the chain; 301
    # then 302 does not (the 302 may change its mind).
    for name in ("ch", "chA", "chB", "chC", "cx", "cxA", "cxB"):
        STATE.feed(name)
    db.add("ch")
    db.add("cx")
    STATE.feed("ch", mode="moved", target="chA")
    STATE.feed("chA", mode="moved308", target="chB")
    STATE.feed("chB", mode="moved", target="chC")
    STATE.feed("cx", mode="moved", target="cxA")
    STATE.feed("cxA", mode="found", target="cxB")
    db.run("refresh", "--feed", url("ch"), "--feed", url("cx"), want=0)
    check(db.feed("ch")["fetch_url"] == url("chC"), "301-308-301 moves")
    check(db.feed("cx")["fetch_url"] is None, "301-302 keeps the URL")
    for name, end in (("ch", "chC"), ("cx", "cxB")):
        have = set(db.items(name))
        check(set(guids(name, 3)) <= have, name + ": earlier items kept")
        check(set(guids(end, 3)) <= have, name + ": new items stored")


def case_gone():
    db = Db()
    f = STATE.feed("d")
    db.add("d")
    STATE.feed("d", mode="gone")
    db.run("refresh", want=1)
    row = db.feed("d")
    check(row["is_dead"] == 1 and row["status"] == 410, "dead: %r" % row)
    check("gone" in db.err, "410 reported: " + db.err)
    check(db.items("d") == guids("d", 3), "items kept")
    before = f.requests
    db.run("refresh", want=0)
    check(f.requests == before, "a dead feed is not fetched")
    check("skipped" in db.out and "dead" in db.out, "skip said: " + db.out)
    db.run("feeds", "--errors", want=0)
    check("dead" in db.out and "410" in db.out, "health: " + db.out)
    STATE.feed("d", mode="ok")
    db.run("refresh", "--force", want=0)
    check(db.feed("d")["is_dead"] == 0, "forced success revives")


def case_retry_after():
    db = Db()
    f = STATE.feed("r")
    db.add("r")
    STATE.feed("r", mode="limit")
    now = time.time()
    db.run("refresh", want=1)
    row = db.feed("r")
    check(row["status"] == 429 and row["failures"] == 1, "429: %r" % row)
    check(abs(row["next_fetch"] - (now + 120)) < 10,
          "next fetch = now + 120: %r" % (row["next_fetch"] - now))
    check("retry after 120" in db.err, "reason: " + db.err)
    check(db.items("r") == guids("r", 3), "items kept after 429")
    before = f.requests
    db.run("refresh", want=0)
    db.run("refresh", "--feed", "Feed r", want=0)
    check(f.requests == before, "Retry-After respected")
    check("skipped" in db.out, "skip said: " + db.out)
    db.run("feeds", "--errors", want=0)
    check("next fetch not before" in db.out and "429" in db.out,
          "health: " + db.out)
    db.run("refresh", "--force", want=1)
    check(f.requests == before + 1, "--force overrides")
    check(db.feed("r")["failures"] == 2, "failures counted")
    STATE.feed("r", mode="busy")
    now = time.time()
    db.run("refresh", "--force", want=1)
    wait = db.feed("r")["next_fetch"] - now
    check(290 < wait < 310, "503 HTTP-date Retry-After: %r" % wait)
    row = db.feed("r")
    check(row["status"] == 503 and row["failures"] == 3, "503: %r" % row)
    check(db.items("r") == guids("r", 3), "items kept after 503")
    STATE.feed("r", mode="ok")
    db.run("refresh", "--force", want=0)
    row = db.feed("r")
    check(row["failures"] == 0 and row["error"] is None, "healed: %r" % row)
    db.run("feeds", "--errors", want=0)
    check(db.out == "", "no unhealthy feed left: " + db.out)


def case_backoff_and_cache():
    db = Db()
    STATE.feed("b")
    db.add("b")
    STATE.feed("b", mode="missing")
    now = time.time()
    db.run("refresh", want=1)
    wait = db.feed("b")["next_fetch"] - now
    check(290 < wait < 370, "backoff after one failure: %r" % wait)
    check("HTTP 404" in db.err, "404 said: " + db.err)
    row = db.feed("b")
    check(row["status"] == 404 and row["failures"] == 1, "404: %r" % row)
    check(db.items("b") == guids("b", 3), "items kept")
    STATE.feed("b", mode="ok")
    db.run("refresh", "--force", want=0)
    # max-age: automatic refreshes wait, naming the feed does not.
    f = STATE.feed("cc", mode="cached")
    db.add("cc")
    wait = db.feed("cc")["next_fetch"] - time.time()
    check(590 < wait < 610, "max-age stored: %r" % wait)
    before = f.requests
    db.run("refresh", want=0)
    check(f.requests == before, "automatic refresh waits for max-age")
    db.run("refresh", "--feed", url("cc"), want=0)
    check(f.requests == before + 1, "manual refresh does not")


def case_byte_cap():
    db = Db()
    for name, mode, text in (("h", "huge", "larger than"),
                             ("bomb", "bomb", "larger than"),
                             ("cl", "bigcl", "larger than")):
        STATE.feed(name)
        db.add(name)
        STATE.feed(name, mode=mode, version=2, n_items=5)
        db.run("refresh", "--feed", url(name), want=1)
        check(text in db.err, "%s: %s" % (mode, db.err))
        check_failed(db, name, text)
        check(db.items(name) == guids(name, 3), "%s: items kept" % mode)
        check(db.elapsed < 10, "%s: took %.1f s" % (mode, db.elapsed))
        check(db.feed(name)["etag"] == '"%s-v1"' % name, "validators kept")
    check("Content-Length" in db.err, "bigcl said: " + db.err)


def case_slow_servers():
    db = Db(timeouts="3:2:20")
    for name, mode in (("drip", "drip"), ("stall", "stall")):
        STATE.feed(name)
        db.add(name)
        STATE.feed(name, mode=mode)
        db.run("refresh", "--feed", url(name), want=1)
        check("timed out" in db.err, "%s: %s" % (mode, db.err))
        check_failed(db, name, "timed out")
        check(db.elapsed < 8, "%s: took %.1f s" % (mode, db.elapsed))
        check(db.items(name) == guids(name, 3), "%s: items kept" % mode)


def case_close_mid_body():
    db = Db()
    STATE.feed("c")
    db.add("c")
    STATE.feed("c", mode="closemid", version=2, n_items=40)
    db.run("refresh", want=1)
    check("closed the connection" in db.err, "reason: " + db.err)
    check_failed(db, "c", "closed the connection")
    check(db.items("c") == guids("c", 3), "nothing of the half body stored")
    check(db.feed("c")["etag"] == '"c-v1"', "old validators kept")


def case_bad_redirects_and_bodies():
    db = Db()
    for name, mode, text in (("t", "tofile", "refused"),
                             ("l", "loop", "too many redirects"),
                             ("x", "garbage", "not an RSS or Atom feed")):
        STATE.feed(name)
        db.add(name)
        STATE.feed(name, mode=mode)
        db.run("refresh", "--feed", url(name), want=1)
        check(text in db.err, "%s: %s" % (mode, db.err))
        check_failed(db, name, text)
        check("root:" not in db.out + db.err, "no file content")
        check(db.items(name) == guids(name, 3), "%s: items kept" % mode)
    check(STATE.feeds["l"].requests <= 8, "redirects bounded")
    db.run("add", "ftp://127.0.0.1/feed", want=2)
    db.run("add", "http://127.0.0.1:%d/nothing" % PORTS[0], want=1)
    check("HTTP 404" in db.err, "404 said: " + db.err)


def case_add_discovery():
    db = Db()
    STATE.feed("site-feed")
    STATE.feed("site", mode="page", target="site-feed")
    db.run("add", url("site"), "web", want=0)
    check(url("site-feed") in db.out, "found: " + db.out)
    check(db.items("site-feed") == guids("site-feed", 3), "fetched at once")
    db.run("add", url("site"), want=0)
    check("already subscribed" in db.out, "twice: " + db.out)
    STATE.feed("two", mode="page", targets=["one-a", "one-b"])
    db.run("add", url("two"), want=1)
    check(url("one-a") in db.out and url("one-b") in db.out,
          "both listed: " + db.out)
    check(len(db.sql("SELECT 1 FROM feeds")) == 1, "nothing added")
    STATE.feed("empty", mode="page", targets=[])
    db.run("add", url("empty"), want=1)
    check("no feed found" in db.err, "no feed: " + db.err)


def case_many_feeds():
    # 42 feeds on 6 "hosts" (ports): at most 16 transfers at once and 4
    # connections per host.
    db = Db()
    names = []
    for i in range(42):
        port = PORTS[i % len(PORTS)]
        name = "many%d" % i
        STATE.feed(name)
        names.append((name, port))
        db.add(name, port=port)
    for name, _ in names:
        STATE.feed(name, version=2, n_items=4, delay=0.15)
    STATE.reset_counters()
    db.run("refresh", want=0)
    cold, cold_max = db.elapsed, STATE.max_inflight
    check("42 updated" in db.out, "summary: " + db.out)
    check(STATE.max_inflight <= 16, "parallel cap: %d" % STATE.max_inflight)
    check(STATE.max_inflight >= 12, "parallel: %d" % STATE.max_inflight)
    worst = max(STATE.max_conns.values())
    check(worst <= 4, "per-host cap: %d" % worst)
    check(cold < 3, "42 feeds took %.2f s" % cold)
    cold_conns = STATE.connections
    for name, port in names:
        check(len(db.items(name, port)) == 4, "items of " + name)
    for name, _ in names:
        STATE.feed(name, delay=0)
    STATE.reset_counters()
    db.run("refresh", want=0)
    check("42 unchanged" in db.out, "all 304: " + db.out)
    # Connections are reused: a host's next feed takes the one its last
    # left open, so no host ever needs more than its 4.
    check(cold_conns <= 24 and STATE.connections <= 24,
          "connections: %d cold, %d warm" % (cold_conns, STATE.connections))
    print("  figures: 42 feeds on 6 ports, 150 ms each: cold %.2f s, "
          "warm (all 304) %.2f s, at most %d at once, %d per host, "
          "%d connections" % (cold, db.elapsed, cold_max, worst, cold_conns))


def case_fd_limit():
    # 200 feeds on one host with 64 descriptors: no exhaustion.
    db = Db()
    con = None
    for i in range(200):
        # A little latency, so that the per-host cap is reached.
        STATE.feed("fd%d" % i, delay=0.01)
    # Subscribing 200 feeds one by one would take long: add one, then copy
    # its row (the store's schema is only needed for these two columns).
    db.add("fd0")
    con = sqlite3.connect(db.path)
    con.executemany("INSERT INTO feeds (url, position) VALUES (?, ?)",
                    [(url("fd%d" % i), i) for i in range(1, 200)])
    con.commit()
    con.close()
    STATE.reset_counters()
    p = subprocess.run(["sh", "-c", 'ulimit -n 64 && exec "$0" refresh',
                        COURANT], env=db.env, capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-500:]))
    check("199 updated, 1 unchanged" in p.stdout, "summary: " + p.stdout)
    check("open files" not in p.stderr, "descriptors: " + p.stderr)
    worst = STATE.max_conns[PORTS[0]]
    check(worst <= 4, "per-host cap: %d connections at once" % worst)
    check(STATE.max_inflight >= 2, "parallel: %d" % STATE.max_inflight)
    for i in (0, 1, 199):
        check(db.items("fd%d" % i) == guids("fd%d" % i, 3), "items stored")


CASES = [v for k, v in sorted(globals().items()) if k.startswith("case_")]


def main():
    global PORTS
    PORTS, stop = server.start(STATE, n_ports=6)
    wanted = sys.argv[2:]
    try:
        for case in CASES:
            name = case.__name__[5:]
            if wanted and name not in wanted:
                continue
            t0 = time.monotonic()
            try:
                case()
                print("ok   %-28s %.2f s" % (name, time.monotonic() - t0))
            except Skip as e:
                skipped.append(name)
                print("skip %-28s %s" % (name, e))
            except Fail as e:
                failures.append(name)
                print("FAIL %-28s %s" % (name, e))
            sys.stdout.flush()
    finally:
        stop()
    ran = len(wanted) if wanted else len(CASES)
    print("%d passed, %d skipped, %d failed"
          % (ran - len(failures) - len(skipped), len(skipped),
             len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
