# SPDX-License-Identifier: MIT
"""Migration from Newsboat against a cache.db made by the real newsboat.

Fixture feeds come from the loopback server of the poller tests; newsboat
fetches them with `-x reload`, some articles are then marked read or
flagged with SQL on its cache (what its `-x` commands cannot do per
article), two articles leave the feed, and `courant import --newsboat`
must carry over subscriptions, tags, titles and every state.
"""

import os
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests", "fetch"))
import server  # noqa: E402

COURANT = os.environ["COURANT"]
TMP = sys.argv[1]
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL: " + what)


def main():
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        print("SKIP: newsboat is not installed")
        return 77
    state = server.State()
    state.feed("alpha", n_items=5)
    state.feed("beta", n_items=4)
    ports, stop = server.start(state)
    base = "http://127.0.0.1:%d/f/" % ports[0]
    try:
        return run(newsboat, base, state)
    finally:
        stop()


def run(newsboat, base, state):
    nb = os.path.join(TMP, "nb")
    os.makedirs(nb)
    home = os.path.join(TMP, "home")
    os.makedirs(home)
    with open(os.path.join(nb, "urls"), "w") as f:
        f.write("# my feeds\n"
                "%salpha news \"~Alpha feed\"\n"
                "exec:echo hello\n"
                "%sbeta \"tech/deep\" news\n"
                "\"query:Unread:unread = \\\"yes\\\"\"\n" % (base, base))
    with open(os.path.join(nb, "config"), "w") as f:
        f.write("reload-threads 1\n")
    env = dict(os.environ, HOME=home, TZ="UTC")
    for k in ("http_proxy", "HTTP_PROXY", "all_proxy", "XDG_CONFIG_HOME",
              "XDG_DATA_HOME"):
        env.pop(k, None)
    p = subprocess.run([newsboat, "-u", os.path.join(nb, "urls"),
                        "-c", os.path.join(nb, "cache.db"),
                        "-C", os.path.join(nb, "config"), "-x", "reload"],
                       env=env, capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    check(p.returncode == 0, "newsboat -x reload: %d %s" % (p.returncode,
                                                           p.stderr))
    con = sqlite3.connect(os.path.join(nb, "cache.db"))
    n = con.execute("SELECT count(*) FROM rss_item").fetchone()[0]
    check(n == 9, "newsboat cached %d articles, want 9" % n)
    # Read: alpha 1, 2 and 4; flagged: alpha 4 and 5, beta 3.
    con.execute("UPDATE rss_item SET unread = 0 WHERE guid IN"
                " ('alpha-1', 'alpha-2', 'alpha-4')")
    con.execute("UPDATE rss_item SET flags = 's' WHERE guid IN"
                " ('alpha-4', 'alpha-5', 'beta-3')")
    con.commit()
    want = {(r[0], r[1]): (r[2] == 0, bool(r[3])) for r in con.execute(
        "SELECT feedurl, guid, unread, flags FROM rss_item")}
    con.close()
    # Two articles leave the feed: only Newsboat's cache has them now.
    state.feed("alpha", n_items=3)

    db = os.path.join(TMP, "courant.db")
    curls = os.path.join(TMP, "courant-urls")
    with open(curls, "w") as f:
        f.write("# courant's own list\nhttp://127.0.0.1:1/kept\n")
    cenv = dict(env, COURANT_DB=db)
    cmd = [COURANT, "-u", curls, "import", "--newsboat", nb]
    p = subprocess.run(cmd, env=cenv, capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0, "import: exit %d\n%s%s" % (p.returncode,
                                                        p.stdout, p.stderr))
    check(":3: 'exec:' feeds are not supported" in p.stderr,
          "the exec: line is reported with its line: " + p.stderr)
    check(":5: 'query:' feeds are not supported" in p.stderr,
          "the query: line is reported with its line: " + p.stderr)
    check("subscribed to 2 new feeds of 2" in p.stdout, p.stdout)
    check("2 feeds found in the cache" in p.stdout, p.stdout)
    check("2 stored from the cache" in p.stdout, p.stdout)
    check("3 marked read, 3 starred" in p.stdout, p.stdout)

    with open(curls) as f:
        text = f.read()
    check(text.startswith("# courant's own list\nhttp://127.0.0.1:1/kept\n"),
          "the urls file keeps its lines: " + text)
    check("%salpha news \"~Alpha feed\"\n" % base in text, text)
    check("%sbeta tech/deep news\n" % base in text, text)
    check("exec:" not in text and "query:" not in text, text)

    con = sqlite3.connect(db)
    got = {(r[0], r[1]): (bool(r[2]), bool(r[3])) for r in con.execute(
        "SELECT f.url, i.guid, i.is_read, i.is_starred FROM items i"
        " JOIN feeds f ON f.id = i.feed_id")}
    check(got == want, "states differ:\n got  %s\n want %s"
          % (sorted(got.items()), sorted(want.items())))
    titles = dict(con.execute("SELECT url, coalesce(user_title, feed_title)"
                              " FROM feeds"))
    check(titles.get(base + "alpha") == "Alpha feed", str(titles))
    check(titles.get(base + "beta") == "Feed beta", str(titles))
    tags = sorted(con.execute("SELECT f.url, t.tag FROM feed_tags t"
                              " JOIN feeds f ON f.id = t.feed_id"))
    check(tags == [(base + "alpha", "news"), (base + "beta", "news"),
                   (base + "beta", "tech/deep")], str(tags))
    con.close()

    # Again: nothing new, nothing lost.
    p = subprocess.run(cmd + ["--no-refresh"], env=cenv,
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0 and "subscribed to 0 new feeds" in p.stdout,
          "second import: " + p.stdout + p.stderr)
    check("0 stored from the cache" in p.stdout, p.stdout)
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM items").fetchone()[0]
    con.close()
    check(n == 9, "%d items after a second import, want 9" % n)
    with open(curls) as f:
        check(f.read() == text, "a second import changed the urls file")

    # A file that is not a Newsboat cache is refused clearly.
    bad = os.path.join(TMP, "bad")
    os.makedirs(bad)
    shutil.copy(os.path.join(nb, "urls"), bad)
    with open(os.path.join(bad, "cache.db"), "w") as f:
        f.write("not a database")
    p = subprocess.run([COURANT, "-u", curls, "import", "--newsboat",
                        "--no-refresh", bad], env=cenv, capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 1 and "cache.db" in p.stderr,
          "a bad cache: %d %s" % (p.returncode, p.stderr))
    print("newsboat migration: %d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
