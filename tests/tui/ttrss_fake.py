# SPDX-License-Identifier: MIT
"""A small stand-in for Tiny Tiny RSS's JSON API on 127.0.0.1, for the
reader's sync test (tests/tui/sync.sh): login, getCategories, getFeeds,
getHeadlines (all, unread, starred; since_id, skip, limit), updateArticle,
subscribeToFeed and logout, answering as TT-RSS 15 does (shared/TTRSS.md). The real server
is tests/sync/'s; this one needs no packages and can be slowed down.

    ttrss_fake.py PORTFILE LOGFILE [DELAY]

writes the port it listens on to PORTFILE, each updateArticle body to
LOGFILE, and waits DELAY seconds before each answer. With
TTRSS_FAKE_BIG_ABOVE=N in the environment, a getHeadlines with content
asking for more than N articles is answered with a Content-Length of
64 MiB (over courant's cap) and nothing more; TTRSS_FAKE_API_LEVEL sets
the API level login gives (15).
"""
import json
import os
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PASSWORD = "fake-pw"
FEEDS = [
    {"id": 1, "title": "Fake feed one", "feed_url": "http://example.invalid/1.xml", "cat_id": 3},
    {"id": 2, "title": "Fake feed two", "feed_url": "http://example.invalid/2.xml", "cat_id": 0},
]
ARTICLES = {}
for i in range(1, 6):
    ARTICLES[i] = {"id": i, "feed_id": 1 if i <= 3 else 2, "unread": True,
                   "marked": i == 5, "title": "fake article %d" % i,
                   "link": "http://example.invalid/a/%d" % i,
                   "updated": 1700000000 + i, "author": "",
                   "tags": [""], "content": "<p>body %d</p>" % i}

port_file, log_file = sys.argv[1], sys.argv[2]
delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
sessions = set()
big_above = int(os.environ.get("TTRSS_FAKE_BIG_ABOVE", "0"))
api_level = int(os.environ.get("TTRSS_FAKE_API_LEVEL", "15"))


def reply(content, status=0):
    return {"seq": 0, "status": status, "content": content}


def headlines(req):
    feed = int(req.get("feed_id", 0))
    mode = req.get("view_mode", "all_articles")
    since = int(req.get("since_id", 0))
    skip = int(req.get("skip", 0))
    limit = int(req.get("limit", 0))
    if not limit or limit >= 200:
        limit = 200
    rows = [a for a in sorted(ARTICLES.values(), key=lambda a: -a["id"])
            if a["id"] > since
            and (feed != -1 or a["marked"])
            and (mode != "unread" or a["unread"])]
    out = []
    for a in rows[skip:skip + limit]:
        row = dict(a)
        if not req.get("show_content"):
            row["content"] = ""
        out.append(row)
    return reply(out)


def answer(req):
    op = req.get("op")
    if op == "login":
        if req.get("password") != PASSWORD:
            return reply({"error": "LOGIN_ERROR"}, 1)
        sid = "fake%d" % (len(sessions) + 1)
        sessions.add(sid)
        return reply({"session_id": sid, "api_level": api_level})
    if req.get("sid") not in sessions:
        return {"seq": -1, "status": 1, "content": {"error": "NOT_LOGGED_IN"}}
    if op == "logout":
        sessions.discard(req.get("sid"))
        return reply({"status": "OK"})
    if op == "getCategories":
        return reply([{"id": 3, "title": "News", "unread": 0},
                      {"id": 0, "title": "Uncategorized", "unread": 0}])
    if op == "getFeeds":
        return reply(FEEDS)
    if op == "getHeadlines":
        return headlines(req)
    if op == "subscribeToFeed":
        url = req.get("feed_url", "")
        for f in FEEDS:
            if f["feed_url"] == url:
                return reply({"status": {"code": 0, "feed_id": f["id"]}})
        if not url.startswith("http"):
            return reply({"status": {"code": 2}})
        FEEDS.append({"id": len(FEEDS) + 1, "title": url, "feed_url": url,
                      "cat_id": int(req.get("category_id", 0))})
        return reply({"status": {"code": 1, "feed_id": len(FEEDS)}})
    if op == "updateFeed":
        with open(log_file, "a") as f:
            f.write(json.dumps({"updateFeed": req.get("feed_id")}) + "\n")
        return reply({"status": "OK"})
    if op == "updateArticle":
        with open(log_file, "a") as f:
            f.write(json.dumps({k: req[k] for k in ("article_ids", "field", "mode")}) + "\n")
        field = {0: "marked", 2: "unread"}[int(req["field"])]
        for i in str(req["article_ids"]).split(","):
            ARTICLES[int(i)][field] = bool(int(req["mode"]))
        return reply({"status": "OK", "updated": 1})
    return reply({"error": "UNKNOWN_METHOD", "method": op}, 1)


class Handler(BaseHTTPRequestHandler):
    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(delay)
        try:
            req = json.loads(body)
        except ValueError:
            req = {}
        if (big_above and isinstance(req, dict)
                and req.get("op") == "getHeadlines"
                and req.get("show_content")
                and int(req.get("limit", 0)) > big_above):
            self.send_response(200)
            self.send_header("Content-Type", "text/json")
            self.send_header("Content-Length", str(64 << 20))
            self.end_headers()
            self.close_connection = True
            return
        try:
            out = answer(json.loads(body))
        except (ValueError, KeyError):
            out = reply({"error": "INCORRECT_USAGE"}, 1)
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
# Bounded: a test that forgets to stop it does not leave it for long.
deadline = time.time() + 300
server.timeout = 1
while time.time() < deadline:
    server.handle_request()
