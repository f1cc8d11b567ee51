# SPDX-License-Identifier: MIT
"""Another client of the test tt-rss, for tests/sync/ttrss.sh and the sync
benchmark: talks to the JSON API directly, and writes fixture feeds.

Usage: ttrss_api.py COMMAND ARGS...   (server from the environment:
TTRSS_URL, TTRSS_USER, and the password's file in TTRSS_PASSWORD_FILE)

  feed PATH NAME RUN N [FIRST]  write an RSS fixture with items FIRST..N
                                (titles "NAME RUN item K", unique guids)
  subscribe [--category NAME] URL...  subscribe; prints the feed ids
  update-all                    fetch every feed now (force_refetch)
  feeds                         print "id<TAB>title<TAB>url<TAB>cat" lines
  state TITLE                   print "unread=0|1 starred=0|1"
  set TITLE read|unread|star|unstar
  set-many N read|unread|star|unstar [SKIP]
                                change N articles at most (after SKIP)
  count                         print the number of articles the user has
"""

import json
import os
import sys
import urllib.request
from xml.sax.saxutils import escape

# One fixed User-Agent: tt-rss ties a session to sha1(User-Agent).
AGENT = "courant-tests-other-client/1"


class Api:
    def __init__(self):
        self.url = os.environ["TTRSS_URL"] + "api/"
        self.user = os.environ["TTRSS_USER"]
        with open(os.environ["TTRSS_PASSWORD_FILE"], encoding="utf-8") as f:
            self.password = f.readline().rstrip("\n")
        self.sid = None

    def raw(self, body):
        req = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"User-Agent": AGENT, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read().decode())

    def call(self, op, **args):
        if self.sid is None:
            reply = self.raw(
                {"op": "login", "user": self.user, "password": self.password}
            )
            if reply.get("status") != 0:
                raise SystemExit("ttrss_api: login: %s" % reply.get("content"))
            self.sid = reply["content"]["session_id"]
        body = dict(args, op=op, sid=self.sid)
        reply = self.raw(body)
        if reply.get("status") != 0:
            raise SystemExit("ttrss_api: %s: %s" % (op, reply.get("content")))
        return reply["content"]

    def feeds(self):
        return self.call("getFeeds", cat_id=-3)

    def headlines(self):
        """Every article of the user, pages of 200 (the server's cap)."""
        out = []
        while True:
            page = self.call(
                "getHeadlines",
                feed_id=-4,
                view_mode="all_articles",
                limit=200,
                skip=len(out),
            )
            out.extend(page)
            if len(page) < 200:
                return out

    def find(self, title):
        hits = [h for h in self.headlines() if h["title"] == title]
        if len(hits) != 1:
            raise SystemExit(
                "ttrss_api: %d articles titled %r" % (len(hits), title)
            )
        return hits[0]


# updateArticle: field 0 is starred, 2 unread; mode 0 false, 1 true.
CHANGES = {
    "read": (2, 0),
    "unread": (2, 1),
    "star": (0, 1),
    "unstar": (0, 0),
}


def write_feed(path, name, run, last, first=1):
    items = []
    for k in range(int(last), int(first) - 1, -1):
        title = "%s %s item %d" % (name, run, k)
        items.append(
            "<item><title>%s</title><link>http://[::1]/%s/%s/%d</link>"
            "<guid isPermaLink=\"false\">courant-%s-%s-%d</guid>"
            "<pubDate>Mon, 02 Jan 2023 %02d:%02d:00 +0000</pubDate>"
            "<description>&lt;p&gt;Body of %s: quokka%s %s.&lt;/p&gt;"
            "</description></item>"
            % (
                escape(title),
                name,
                run,
                k,
                name,
                run,
                k,
                (k // 60) % 24,
                k % 60,
                escape(title),
                run.replace("-", ""),
                "words " * 20,
            )
        )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        "<title>Fixture %s %s</title><link>http://[::1]/%s/</link>"
        "<description>a sync test feed</description>\n%s\n</channel></rss>\n"
        % (escape(name), run, name, "\n".join(items))
    )
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "feed":
        write_feed(*args)
        return
    api = Api()
    if cmd == "subscribe":
        extra = {}
        if args[:1] == ["--category"]:
            cats = api.call("getCategories")
            match = [c["id"] for c in cats if c["title"] == args[1]]
            if not match:
                sys.exit("ttrss_api: no category %r" % args[1])
            extra["category_id"] = match[0]
            args = args[2:]
        for url in args:
            st = api.call("subscribeToFeed", feed_url=url, **extra)["status"]
            if st.get("code") not in (0, 1):
                sys.exit("ttrss_api: subscribeToFeed: %s" % st)
            print(st["feed_id"])
    elif cmd == "update-all":
        for f in api.feeds():
            api.call("updateFeed", feed_id=f["id"], force_refetch=True)
    elif cmd == "feeds":
        for f in api.feeds():
            print("%s\t%s\t%s\t%s" % (f["id"], f["title"], f["feed_url"], f["cat_id"]))
    elif cmd == "state":
        h = api.find(args[0])
        print("unread=%d starred=%d" % (h["unread"], h["marked"]))
    elif cmd == "set":
        field, mode = CHANGES[args[1]]
        h = api.find(args[0])
        api.call("updateArticle", article_ids=str(h["id"]), field=field, mode=mode)
    elif cmd == "set-many":
        field, mode = CHANGES[args[1]]
        skip = int(args[2]) if len(args) > 2 else 0
        ids = [str(h["id"]) for h in api.headlines()][skip : skip + int(args[0])]
        # A comma-separated string: a JSON array crashes this tt-rss.
        r = api.call("updateArticle", article_ids=",".join(ids), field=field, mode=mode)
        print(r.get("updated"))
    elif cmd == "count":
        print(len(api.headlines()))
    else:
        sys.exit("ttrss_api: unknown command %r" % cmd)


if __name__ == "__main__":
    main(sys.argv)
