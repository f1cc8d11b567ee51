#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Storage faults: crashes, full disks, damaged and read-only databases never
lose committed articles or read state, and say what happened.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
These run the real binary end to end; tests/unit/store/test_store.c covers
the same faults one layer down, through the store's own functions.

The database is inspected with Python's sqlite3 (the system SQLite), which
replays a WAL left by a killed process exactly as the next courant would.
"""

import hashlib
import os
import random
import re
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time

from harness import *  # noqa: F401,F403
from harness import TOP_SRCDIR

KILLS = int(os.environ.get("HOSTILE_KILLS", "25"))


# ---- helpers ---------------------------------------------------------------


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def connect(path):
    return sqlite3.connect(path, timeout=15, isolation_level=None)


def integrity(path):
    """PRAGMA integrity_check over the file (and its WAL) must say ok."""
    c = connect(path)
    try:
        rows = c.execute("PRAGMA integrity_check").fetchall()
    finally:
        c.close()
    check(rows == [("ok",)], f"integrity_check of {path}: {rows[:5]}")


def snapshot(path):
    """{(feed url, item key): (is_read, is_starred)} of every stored item."""
    c = connect(path)
    try:
        rows = c.execute("SELECT f.url, i.key, i.is_read, i.is_starred FROM items i"
                         " JOIN feeds f ON f.id = i.feed_id").fetchall()
    finally:
        c.close()
    return {(u, k): (r, s) for u, k, r, s in rows}


def counters_agree(path):
    """The per-feed counts courant keeps must match the items."""
    c = connect(path)
    try:
        bad = c.execute(
            "SELECT f.url, f.n_items, f.n_unread, f.n_starred,"
            " (SELECT count(*) FROM items WHERE feed_id = f.id),"
            " (SELECT count(*) FROM items WHERE feed_id = f.id AND is_read = 0),"
            " (SELECT count(*) FROM items WHERE feed_id = f.id AND is_starred <> 0)"
            " FROM feeds f").fetchall()
    finally:
        c.close()
    bad = [r for r in bad if r[1:4] != r[4:7]]
    check(not bad, f"feed counters disagree with the items: {bad[:3]}")


def user_version(path):
    c = connect(path)
    try:
        return c.execute("PRAGMA user_version").fetchone()[0]
    finally:
        c.close()


def corrupt_copies(env, name="courant.db"):
    d = os.path.dirname(env.db)
    return sorted(f for f in os.listdir(d) if f.startswith(name + ".corrupt-"))


def tsv_rows(env, *extra):
    r = env.courant("list", "--format", "tsv", "--limit", "0", *extra)
    check(r.rc == 0 and not r.timed_out, f"courant list: {r!r}")
    assert_plain_text(r.out, "courant list")
    return [line.split("\t") for line in r.out.decode("utf-8").splitlines()]


def items(n, prefix="i", body_bytes=0):
    body = ("lorem ipsum dolor sit amet " * (body_bytes // 27 + 1))[:body_bytes]
    return [{"title": f"{prefix} title {k}", "guid": f"{prefix}-{k}",
             "link": f"https://example.org/{prefix}/{k}",
             "description": body or f"{prefix} body {k}"} for k in range(n)]


def small_config(env):
    env.write(env.config, "set download-timeout 10s\nset connect-timeout 5s\n")
    env.write(env.urls, "")


def populate(env, n_feeds=3, n_items=10, body_bytes=0):
    """Serves n_feeds static feeds, refreshes them once; returns the server."""
    small_config(env)
    routes = {f"/f{i}": static(rss(items(n_items, f"f{i}", body_bytes), title=f"Feed {i}"))
              for i in range(n_feeds)}
    s = env.serve(routes)
    env.write(env.urls, "".join(s.url(f"/f{i}") + "\n" for i in range(n_feeds)))
    r = env.courant("refresh")
    check(r.rc == 0, f"first refresh: {r!r}")
    return s


def mark_some(env, every_read=3, every_starred=4):
    """Marks every n-th listed article read and starred; returns the
    {(feed title, title): (read, starred)} expected for the marked ones."""
    rows = tsv_rows(env)
    read = [r[0] for k, r in enumerate(rows) if k % every_read == 0]
    starred = [r[0] for k, r in enumerate(rows) if k % every_starred == 1]
    for verb, ids in (("read", read), ("starred", starred)):
        if ids:
            r = env.courant("mark", verb, *ids)
            check(r.rc == 0, f"courant mark {verb}: {r!r}")
    return state_by_title(env)


def state_by_title(env):
    """{(feed title, title): (read, starred)} from courant list."""
    return {(r[4], r[5]): (r[2] == "0", r[3] == "1") for r in tsv_rows(env)}


def assert_kept(env, before, what):
    """Every article of `before` is still listed with the same marks."""
    now = state_by_title(env)
    lost = [k for k in before if k not in now]
    check(not lost, f"{what}: {len(lost)} article(s) lost, e.g. {lost[:3]}")
    changed = [k for k in before if now[k] != before[k]]
    check(not changed, f"{what}: read/starred marks changed for {changed[:3]}")


def give_to_nobody(env):
    """The case directory and everything in it to nobody, so that an
    unprivileged courant can use its HOME, config and urls file."""
    os.chmod(env.dir, 0o711)
    for root, dirs, files in os.walk(env.dir):
        for n in dirs + files:
            os.lchown(os.path.join(root, n), NOBODY, NOBODY)
    os.chown(env.dir, NOBODY, NOBODY)


def need_root():
    if os.geteuid() != 0:
        raise Skip("needs root to drop to an unprivileged user")


def wait_for(pred, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.01)
    raise Failure(f"timed out waiting for {what}")


# ---- crashes ---------------------------------------------------------------


@case("storage", "kill-during-refresh",
      "courant refresh killed with SIGKILL at 25 random moments while storing "
      "many feeds leaves a database that passes integrity_check, with every "
      "article committed before, its read and starred marks, per-feed counts "
      "that match, and each feed's update whole or absent")
def kill_during_refresh(env):
    n_feeds, per_batch = 24, 12
    lock = threading.Lock()
    served = {}

    def feed(i):
        def handler(req):
            with lock:
                served[i] = served.get(i, -1) + 1
                b = served[i]
            # Each response is a new batch of articles, so every refresh
            # writes; a batch must land whole or not at all.
            its = [{"title": f"f{i} b{b} n{j}", "guid": f"b{b}-{j}",
                    "description": f"feed {i} batch {b} " + "text " * 60}
                   for j in range(per_batch)]
            reply(req, 200, rss(its, title=f"Feed {i}"))
        return handler

    small_config(env)
    s = env.serve({f"/f{i}": feed(i) for i in range(n_feeds)})
    env.write(env.urls, "".join(s.url(f"/f{i}") + "\n" for i in range(n_feeds)))
    started = time.monotonic()
    r = env.courant("refresh", "--force")
    full = time.monotonic() - started
    check(r.rc == 0, f"first refresh: {r!r}")
    marked = mark_some(env)
    check(any(v[0] for v in marked.values()) and any(v[1] for v in marked.values()),
          "nothing was marked")
    committed = snapshot(env.db)
    rng = random.Random(os.environ.get("HOSTILE_SEED", "kill-refresh"))
    landed_mid = 0
    for k in range(KILLS):
        p = subprocess.Popen(env.argv(["refresh", "--force", "--quiet"]),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=env.environ(), cwd=env.dir)
        time.sleep(rng.uniform(0.0, full * 0.9))
        finished = p.poll() is not None
        p.kill()
        p.wait()
        if not finished:
            landed_mid += 1
        integrity(env.db)
        counters_agree(env.db)
        now = snapshot(env.db)
        lost = [key for key in committed if key not in now]
        check(not lost, f"kill {k}: {len(lost)} committed article(s) lost: {lost[:3]}")
        flipped = [key for key, v in committed.items() if now[key] != v]
        check(not flipped, f"kill {k}: marks changed: {flipped[:3]}")
        # One transaction per feed: a batch is all there or not at all.
        batches = {}
        for (url, key) in now:
            b = key.rsplit("-", 1)[0]
            batches[(url, b)] = batches.get((url, b), 0) + 1
        torn = {b: n for b, n in batches.items() if n != per_batch}
        check(not torn, f"kill {k}: half-stored feed updates: {list(torn.items())[:3]}")
        committed.update({key: v for key, v in now.items() if key not in committed})
        if k % 8 == 7:
            marked = mark_some(env, 5, 7)
            committed = snapshot(env.db)
    print(f"# {landed_mid} of {KILLS} kills hit a running refresh ({full:.2f} s)")
    check(landed_mid >= KILLS // 3,
          f"only {landed_mid} of {KILLS} kills hit a running refresh")
    check(not corrupt_copies(env), f"a killed refresh made courant set the file aside: "
                                   f"{corrupt_copies(env)}")
    r = env.courant("refresh", "--force")
    check(r.rc == 0, f"refresh after the kills: {r!r}")
    assert_kept(env, marked, "after the kills")
    integrity(env.db)


def schema_v1_sql():
    """Version 1 of the schema, as src/store/schema.c writes it (a released
    step is never edited, so the fixture stays what old courants made)."""
    with open(os.path.join(TOP_SRCDIR, "src", "store", "schema.c")) as f:
        src = f.read()
    start = src.index("schema_v1[] =")
    end = src.index(";\n", start)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', src[start:end]))


def make_v1(path, n_feeds, per_feed):
    """A version 1 database (no full-text index yet) with articles, some
    read and some starred; returns (total, read, starred)."""
    c = connect(path)
    c.executescript(schema_v1_sql())
    c.execute("BEGIN")
    body = "<p>" + "migrating words stay searchable " * 30 + "</p>"
    for f in range(1, n_feeds + 1):
        c.execute("INSERT INTO feeds (id, url, feed_title, position) VALUES (?, ?, ?, ?)",
                  (f, f"http://127.0.0.1:9/old{f}", f"Old feed {f}", f))
        for j in range(per_feed):
            c.execute("INSERT INTO items (feed_id, key, guid, title, date, first_seen, hash,"
                      " summary, summary_type, is_read, is_starred)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                      (f, f"g{j}", f"g{j}", f"old {f} {j} kept", 1_700_000_000 + j,
                       1_700_000_000 + j, j, body, int(j % 3 == 0), int(j % 10 == 1)))
    c.execute("COMMIT")
    c.execute("PRAGMA user_version = 1")
    c.close()
    total = n_feeds * per_feed
    read = n_feeds * len([j for j in range(per_feed) if j % 3 == 0])
    starred = n_feeds * len([j for j in range(per_feed) if j % 10 == 1])
    return total, read, starred


@case("storage", "kill-during-migration",
      "courant killed with SIGKILL at 25 random moments while it upgrades a "
      "version 1 database leaves a file that passes integrity_check at some "
      "version with every article and mark, and the next start finishes the "
      "upgrade to the current version with nothing lost")
def kill_during_migration(env):
    fixture = env.path("v1.db")
    total, read, starred = make_v1(fixture, 10, 150)
    small_config(env)
    env.write(env.urls, "")

    def fresh():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(env.db + suffix):
                os.unlink(env.db + suffix)
        with open(fixture, "rb") as src, open(env.db, "wb") as dst:
            dst.write(src.read())

    def counts():
        c = connect(env.db)
        try:
            return c.execute("SELECT count(*), sum(is_read), sum(is_starred <> 0)"
                             " FROM items").fetchone()
        finally:
            c.close()

    fresh()
    started = time.monotonic()
    r = env.courant("count")
    full = time.monotonic() - started
    check(r.rc == 0 and r.out.strip() == str(total).encode(), f"migrated count: {r!r}")
    check(user_version(env.db) == 8 or user_version(env.db) > 1,
          f"not migrated: version {user_version(env.db)}")
    target = user_version(env.db)
    rng = random.Random(os.environ.get("HOSTILE_SEED", "kill-migrate"))
    versions = set()
    for k in range(KILLS):
        fresh()
        p = subprocess.Popen(env.argv(["count"]), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env.environ(), cwd=env.dir)
        time.sleep(rng.uniform(0.0, full))
        p.kill()
        p.wait()
        integrity(env.db)
        v = user_version(env.db)
        versions.add(v)
        check(1 <= v <= target, f"kill {k}: version {v}")
        check(counts() == (total, read, starred),
              f"kill {k} at version {v}: items/read/starred {counts()} "
              f"!= {(total, read, starred)}")
        if v > 1 and k % 3 == 0:
            counters_agree(env.db)
        if k % 5 == 4:
            # The next start finishes the upgrade from wherever it stopped.
            r = env.courant("count", "--starred")
            check(r.rc == 0 and r.out.strip() == str(starred).encode(),
                  f"kill {k}: finishing from version {v}: {r!r}")
            check(user_version(env.db) == target, f"kill {k}: left at {user_version(env.db)}")
    print(f"# kills left versions {sorted(versions)} (a whole upgrade: {full:.2f} s)")
    check(len(versions) >= 2, f"every kill found the same version {versions}: the "
                              "kills missed the migration")
    r = env.courant("search", "searchable", "--limit", "3")
    check(r.rc == 0 and b"kept" in r.out, f"search after the upgrade: {r!r}")
    counters_agree(env.db)
    check(not corrupt_copies(env), f"set aside: {corrupt_copies(env)}")


def killed_writer(path, sql):
    """A process that commits sql in WAL mode and dies (SIGKILL) before it
    could checkpoint or close: its commits live only in the -wal file."""
    pid = os.fork()
    if pid == 0:
        try:
            c = connect(path)
            c.execute("PRAGMA wal_autocheckpoint = 0")
            for stmt in sql:
                c.execute("BEGIN IMMEDIATE")
                c.execute(stmt)
                c.execute("COMMIT")
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    check(os.WIFSIGNALED(status), "the writer was not killed")


def alone_count(env, sql):
    """sql's answer from a copy of the main file without its -wal."""
    alone = env.path("alone.db")
    with open(env.db, "rb") as src, open(alone, "wb") as dst:
        dst.write(src.read())
    c = connect(alone)
    try:
        return c.execute(sql).fetchone()[0]
    finally:
        c.close()
        os.unlink(alone)


@case("storage", "leftover-wal-replayed",
      "read and starred marks that a killed process committed only to the "
      "-wal file are shown by the next courant (the log is replayed, never "
      "deleted), with the feed counts following them")
def leftover_wal(env):
    populate(env, 2, 20)
    killed_writer(env.db, ["UPDATE items SET is_read = 1 WHERE key LIKE 'id:f0-%'",
                           "UPDATE items SET is_starred = 1 WHERE key IN ('id:f1-3', 'id:f1-4')"])
    check(os.path.getsize(env.db + "-wal") > 0, "no -wal left by the killed writer")
    check(alone_count(env, "SELECT count(*) FROM items WHERE is_read = 1") == 0,
          "the marks reached the main file: no log to replay")
    r = env.courant("count", "--unread")
    check(r.rc == 0 and r.out == b"20\n", f"unread after the crash: {r!r}")
    r = env.courant("list", "--starred", "--format", "tsv")
    check(r.rc == 0 and sorted(line.split(b"\t")[5] for line in r.out.splitlines())
          == [b"f1 title 3", b"f1 title 4"], f"starred after the crash: {r!r}")
    r = env.courant("feeds")
    check(r.rc == 0 and re.search(rb"^\s+0\s+20\s+Feed 0", r.out, re.M),
          f"feed counts after the crash: {r!r}")
    integrity(env.db)


@case("storage", "damaged-wal-ignored",
      "a -wal file that is garbage, only a header, or torn in its last frame "
      "(and a garbage -shm) costs no committed article or mark: the bad part "
      "is ignored, the database passes integrity_check, nothing is set aside")
def damaged_wal(env):
    populate(env, 2, 15)
    marked = mark_some(env)
    rng = random.Random(3)
    # A log of our own database with two commits, the second torn.
    killed_writer(env.db, ["UPDATE items SET is_starred = 1 WHERE key = 'id:f0-0'",
                           "UPDATE items SET is_read = 1"])
    with open(env.db + "-wal", "rb") as f:
        own = f.read()
    os.unlink(env.db + "-wal")
    os.unlink(env.db + "-shm")
    torn = own[:len(own) - 2000]
    cases = [("garbage", bytes(rng.randrange(256) for _ in range(40000)), None),
             ("header only", own[:32], None),
             ("zero-length", b"", None),
             ("torn last frame", torn, None),
             ("garbage -shm", None, bytes(rng.randrange(256) for _ in range(32768)))]
    for label, wal, shm in cases:
        for suffix, data in (("-wal", wal), ("-shm", shm)):
            if data is not None:
                with open(env.db + suffix, "wb") as f:
                    f.write(data)
        r = env.courant("list", "--format", "tsv", "--limit", "0")
        check(r.rc == 0 and not r.err, f"{label}: {r!r}")
        want = dict(marked)
        if label == "torn last frame":
            # The whole first commit is in the log; the torn second one
            # is not applied at all.
            key = ("Feed 0", "f0 title 0")
            want[key] = (want.get(key, (False, False))[0], True)
            unread = [line for line in r.out.splitlines() if line.split(b"\t")[2] == b"1"]
            check(unread, f"{label}: the torn commit was applied")
            marked = want
        assert_kept(env, want, f"with a {label}")
        integrity(env.db)
        counters_agree(env.db)
        check(not corrupt_copies(env), f"{label}: set aside {corrupt_copies(env)}")


# ---- full disks --------------------------------------------------------------


def big_feed_server(env, s, n=600, body=1500):
    return s.route("/big", static(rss(items(n, "big", body), title="Big")))


@case("storage", "disk-full-tmpfs",
      "on a full filesystem (a small tmpfs) a refresh fails with 'the disk is "
      "full', every stored article and mark stays, the file passes "
      "integrity_check, and the next refresh after space is freed works")
def disk_full_tmpfs(env):
    mnt = env.path("small")
    os.makedirs(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", mnt],
                       capture_output=True)
    if r.returncode != 0:
        raise Skip(f"cannot mount a tmpfs here ({r.stderr.decode().strip()}); "
                   "file-size-limit covers the same path with RLIMIT_FSIZE")
    try:
        env.db = os.path.join(mnt, "courant.db")
        s = populate(env, 2, 20)
        marked = mark_some(env)
        st = os.statvfs(mnt)
        free = st.f_bavail * st.f_frsize
        filler = os.path.join(mnt, "filler")
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, free - 160 * 1024))
        url = big_feed_server(env, s)
        with open(env.urls, "a") as f:
            f.write(url + "\n")
        r = env.courant("refresh")
        check(r.rc == 1, f"refresh on a full disk: {r!r}")
        check(re.search(rb"disk is full", r.out + r.err), f"no 'disk is full': {r!r}")
        assert_plain_text(r.out + r.err, "the refresh's messages")
        integrity(env.db)
        counters_agree(env.db)
        assert_kept(env, marked, "on a full disk")
        os.unlink(filler)
        r = env.courant("refresh", "--force")
        check(r.rc == 0, f"refresh after freeing space: {r!r}")
        check(len(tsv_rows(env, "--feed", "Big")) == 600, "the big feed after freeing space")
        assert_kept(env, marked, "after freeing space")
    finally:
        subprocess.run(["umount", "-l", mnt], capture_output=True)


@case("storage", "file-size-limit",
      "when writes fail with EFBIG (RLIMIT_FSIZE, SIGXFSZ ignored: a full disk "
      "as an unprivileged user sees it) a refresh fails with a clear message "
      "and every stored article and mark stays")
def file_size_limit(env):
    s = populate(env, 2, 20)
    marked = mark_some(env)
    size = os.path.getsize(env.db)
    url = big_feed_server(env, s)
    with open(env.urls, "a") as f:
        f.write(url + "\n")
    limit = size + 256 * 1024

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    r = env.courant("refresh", preexec=limited)
    check(r.rc == 1 and not r.timed_out, f"refresh over the size limit: {r!r}")
    check(re.search(rb"disk is full|I/O error on the database", r.err),
          f"no clear message: {r!r}")
    assert_plain_text(r.out + r.err, "the refresh's messages")
    integrity(env.db)
    counters_agree(env.db)
    assert_kept(env, marked, "after EFBIG")
    check(not corrupt_copies(env), "a write error made courant set the file aside")


# ---- damaged files -------------------------------------------------------------


def damage_case(env, damage, expect_moved=True):
    populate(env, 2, 10)
    r = env.courant("list")
    check(r.rc == 0, f"list: {r!r}")
    check(not os.path.exists(env.db + "-wal"), "the -wal survived a clean exit")
    damage(env.db)
    damaged = sha256(env.db)
    r = env.courant("list", "--format", "tsv")
    check(not r.timed_out and r.rc in (0, 1), f"list of a damaged file: {r!r}")
    assert_plain_text(r.err, "the message")
    if not expect_moved:
        return r
    moved = corrupt_copies(env)
    check(len(moved) == 1, f"the damaged file was not set aside: {os.listdir(os.path.dirname(env.db))}")
    check(re.search(rb"was damaged; it was moved to \S+\.corrupt-\d{8}T\d{6}", r.err),
          f"no clear message: {r!r}")
    kept = os.path.join(os.path.dirname(env.db), moved[0])
    check(sha256(kept) == damaged, "the set-aside file is not the damaged file, byte for byte")
    # A fresh cache works: the feeds are fetched again.
    r = env.courant("refresh")
    check(r.rc == 0, f"refresh into the fresh cache: {r!r}")
    check(len(tsv_rows(env)) == 20, "the fresh cache after a refresh")
    integrity(env.db)
    return r


@case("storage", "corrupt-random-pages",
      "a database whose b-tree pages were overwritten with random bytes is "
      "detected at start, moved aside (kept byte for byte, not deleted) with a "
      "message naming the new path, and a fresh cache starts")
def corrupt_random_pages(env):
    def damage(path):
        rng = random.Random(7)
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            for page in range(1, size // 4096):
                f.seek(page * 4096 + 16)
                f.write(bytes(rng.randrange(256) for _ in range(200)))
    damage_case(env, damage)


@case("storage", "corrupt-truncated",
      "a database truncated to half its size is detected, moved aside and "
      "replaced by a fresh cache, with a clear message")
def corrupt_truncated(env):
    def damage(path):
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) // 2)
    damage_case(env, damage)


@case("storage", "corrupt-zeroed-header",
      "a database whose 100-byte header was zeroed is detected, moved aside "
      "and replaced, with a clear message")
def corrupt_zeroed_header(env):
    def damage(path):
        with open(path, "r+b") as f:
            f.write(b"\0" * 100)
    damage_case(env, damage)


@case("storage", "corrupt-text-file",
      "a text file at the database path is moved aside, not deleted or "
      "overwritten, and a fresh cache starts")
def corrupt_text_file(env):
    def damage(path):
        with open(path, "w") as f:
            f.write("this is not a database\n" * 100)
    damage_case(env, damage)


@case("storage", "reader-on-damaged-database",
      "the reader started on a damaged database sets it aside like the "
      "commands and says so on its own screen (not only on stderr, which the "
      "screen covers), with the terminal clean and restored")
def reader_on_damaged(env):
    populate(env, 2, 5)
    check(env.courant("list").rc == 0, "list")
    with open(env.db, "r+b") as f:
        f.write(b"\0" * 100)
    damaged = sha256(env.db)
    r = env.pty([], [("wait", "was damaged; it was moved to", 10), "Q"], cols=250, timeout=15)
    check(r.rc == 0 and not r.timed_out, f"reader: {r!r}")
    start = r.out.find(b"\x1b[?1049h")
    check(start >= 0 and b"was damaged; it was moved to" in r.out[start:],
          "the reader did not say on its screen that the file was damaged")
    assert_terminal_clean(r.out)
    check(r.out.rfind(b"\x1b[?1049l") > r.out.rfind(b"\x1b[?1049h"), "screen not restored")
    moved = corrupt_copies(env)
    check(len(moved) == 1 and sha256(os.path.join(os.path.dirname(env.db), moved[0])) == damaged,
          f"set aside: {moved}")


@case("storage", "empty-file-is-new",
      "an empty file at the database path is a new, empty cache (nothing to "
      "lose): no error and nothing set aside")
def empty_file(env):
    small_config(env)
    os.makedirs(os.path.dirname(env.db), exist_ok=True)
    open(env.db, "wb").close()
    r = env.courant("count")
    check(r.rc == 0 and r.out == b"0\n" and not r.err, f"count of an empty file: {r!r}")
    check(not corrupt_copies(env), "an empty file was set aside")
    check(user_version(env.db) >= 8, "the empty file did not become a database")


@case("storage", "directory-at-db-path",
      "a directory at the database path gives a clear 'cannot open' message "
      "naming it, exit status 1, and the directory and its files are untouched")
def directory_at_path(env):
    small_config(env)
    os.makedirs(env.db)
    env.write(os.path.join(env.db, "precious"), "keep me\n")
    for args in (["list"], ["refresh"], ["mark", "read", "1"]):
        r = env.courant(*args)
        check(r.rc == 1 and not r.timed_out, f"{args}: {r!r}")
        check(env.db.encode() + b" is a directory" in r.err,
              f"{args}: no clear message: {r!r}")
    check(os.path.isdir(env.db) and os.listdir(env.db) == ["precious"],
          f"the directory changed: {os.listdir(env.db)}")
    check(not corrupt_copies(env), "the directory was moved aside")


# ---- links, permissions, owners ---------------------------------------------------


def symlink_case(env, target, expect_target_untouched):
    small_config(env)
    os.makedirs(os.path.dirname(env.db), exist_ok=True)
    os.symlink(target, env.db)
    before = expect_target_untouched()
    for args in (["list"], ["refresh"], ["count"]):
        r = env.courant(*args)
        check(r.rc == 1 and not r.timed_out, f"{args} through a symlink: {r!r}")
        check(re.search(rb"is a symbolic link, which courant does not follow", r.err),
              f"{args}: no clear message: {r!r}")
        assert_plain_text(r.err, "the message")
    check(os.path.islink(env.db) and os.readlink(env.db) == target, "the link itself changed")
    check(expect_target_untouched() == before, "the link's target changed")
    for suffix in ("-wal", "-shm", "-journal"):
        check(not os.path.exists(target + suffix), f"{target}{suffix} was created")
    check(not corrupt_copies(env), "something was set aside")


@case("storage", "symlink-to-database",
      "a database path that is a symbolic link to a real database is refused "
      "(SQLITE_OPEN_NOFOLLOW) with a clear message, and the target is not "
      "touched")
def symlink_to_db(env):
    real = env.path("elsewhere", "real.db")
    os.makedirs(os.path.dirname(real))
    populate(env, 1, 5)
    os.rename(env.db, real)
    symlink_case(env, real, lambda: (sha256(real), os.stat(real).st_mtime_ns))


@case("storage", "symlink-dangling",
      "a dangling symbolic link at the database path is refused with a clear "
      "message; nothing is created where it points")
def symlink_dangling(env):
    target = env.path("nowhere", "made.db")
    os.makedirs(os.path.dirname(target))
    symlink_case(env, target, lambda: os.path.exists(target))


@case("storage", "symlink-to-dev-null",
      "a database path linked to /dev/null is refused with a clear message and "
      "/dev/null stays a character device")
def symlink_dev_null(env):
    symlink_case(env, "/dev/null",
                 lambda: stat.S_ISCHR(os.stat("/dev/null").st_mode))


@case("storage", "readonly-file-unprivileged",
      "run as an unprivileged user, a database file without write permission "
      "is still listed, with a 'read-only' notice; refresh and mark fail with a "
      "message naming permissions, and the file is unchanged")
def readonly_file(env):
    need_root()
    populate(env, 2, 10)
    marked = mark_some(env)
    nobody_courant(env)
    give_to_nobody(env)
    os.chmod(env.db, 0o400)
    before = sha256(env.db)
    r = env.courant("list", "--format", "tsv", "--limit", "0", preexec=as_nobody)
    check(r.rc == 0 and len(r.out.splitlines()) == 20, f"list of a read-only file: {r!r}")
    check(b"read-only" in r.err, f"no read-only notice: {r!r}")
    ids = r.out.split(b"\t", 1)[0].decode()
    for args in (["mark", "starred", ids], ["refresh", "--force"]):
        r = env.courant(*args, preexec=as_nobody)
        check(r.rc == 1 and not r.timed_out, f"{args} on a read-only file: {r!r}")
        check(re.search(rb"read-only", r.err), f"{args}: no clear message: {r!r}")
    check(sha256(env.db) == before, "the read-only file changed")
    os.chmod(env.db, 0o600)
    assert_kept(env, marked, "read-only file")


@case("storage", "readonly-directory-unprivileged",
      "run as an unprivileged user, a database in a directory it may not write "
      "(no -wal/-shm can be made) is opened read-only or refused with a clear "
      "message, never damaged, and nothing is set aside")
def readonly_dir(env):
    need_root()
    populate(env, 2, 10)
    marked = mark_some(env)
    nobody_courant(env)
    give_to_nobody(env)
    d = os.path.dirname(env.db)
    os.chmod(d, 0o500)
    before = sha256(env.db)
    r = env.courant("list", "--format", "tsv", "--limit", "0", preexec=as_nobody)
    check(not r.timed_out, f"list: {r!r}")
    if r.rc == 0:
        check(len(r.out.splitlines()) == 20, f"list in a read-only directory: {r!r}")
    else:
        check(r.rc == 1 and re.search(rb"read-only|permission|cannot open", r.err),
              f"list: no clear message: {r!r}")
    assert_plain_text(r.err, "the message")
    r = env.courant("mark", "read", "1", "2", preexec=as_nobody)
    check(r.rc == 1 and re.search(rb"read-only|permission|cannot open", r.err),
          f"mark in a read-only directory: {r!r}")
    check(sha256(env.db) == before, "the file changed")
    check(sorted(os.listdir(d)) == ["courant.db"], f"files appeared: {os.listdir(d)}")
    os.chmod(d, 0o700)
    assert_kept(env, marked, "read-only directory")


@case("storage", "database-of-another-user",
      "run as an unprivileged user, a database owned by another user (0600) "
      "gives a clear 'cannot open' message and is neither changed, moved "
      "aside nor replaced")
def other_owner(env):
    need_root()
    populate(env, 2, 10)
    nobody_courant(env)
    give_to_nobody(env)
    os.chown(env.db, 0, 0)
    os.chmod(env.db, 0o600)
    before = sha256(env.db)
    for args in (["list"], ["refresh"], ["count"]):
        r = env.courant(*args, preexec=as_nobody)
        check(r.rc == 1 and not r.timed_out, f"{args}: {r!r}")
        check(re.search(rb"cannot open|permission|read-only", r.err), f"{args}: {r!r}")
    check(sha256(env.db) == before and os.stat(env.db).st_uid == 0, "the file changed")
    check(not corrupt_copies(env), f"set aside: {corrupt_copies(env)}")
    check(sorted(os.listdir(os.path.dirname(env.db))) == ["courant.db"],
          f"files appeared: {os.listdir(os.path.dirname(env.db))}")


@case("storage", "newer-schema-refused",
      "a database written by a newer courant (user_version above this one's) "
      "is refused with a message saying so, and not a byte of it changes")
def newer_schema(env):
    populate(env, 1, 5)
    c = connect(env.db)
    c.execute("PRAGMA user_version = 99")
    c.close()
    before = sha256(env.db)
    for args in (["list"], ["refresh"], ["mark", "read", "1"], ["count"]):
        r = env.courant(*args)
        check(r.rc == 1 and not r.timed_out, f"{args}: {r!r}")
        check(b"newer courant" in r.err and b"99" in r.err, f"{args}: {r!r}")
    check(sha256(env.db) == before, "the newer database changed")
    check(not os.path.exists(env.db + "-wal") or os.path.getsize(env.db + "-wal") == 0,
          "a log was written to the newer database")
    check(not corrupt_copies(env), "the newer database was set aside")


# ---- other writers ---------------------------------------------------------------


@case("storage", "locked-database",
      "while another process holds the write lock past the busy timeout, a "
      "refresh gives up with 'locked ... try again' within seconds instead of "
      "hanging, reading still works, and a refresh after the lock goes works")
def locked_database(env):
    s = populate(env, 1, 5)
    url = s.route("/more", static(rss(items(7, "more"), title="More")))
    with open(env.urls, "a") as f:
        f.write(url + "\n")
    holder = connect(env.db)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE feeds SET position = position")
    try:
        r = env.courant("list", "--format", "tsv", timeout=20)
        check(r.rc == 0 and len(r.out.splitlines()) == 5, f"reading while locked: {r!r}")
        r = env.courant("refresh", timeout=40)
        check(r.rc == 1 and not r.timed_out, f"refresh while locked: {r!r}")
        check(r.seconds < 25, f"refresh took {r.seconds:.1f} s while locked")
        check(re.search(rb"locked by another courant for \d+ s; try again", r.err),
              f"no clear message: {r!r}")
        assert_plain_text(r.out + r.err, "the message")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    r = env.courant("refresh")
    check(r.rc == 0, f"refresh after the lock: {r!r}")
    check(len(tsv_rows(env)) == 12, "articles after the lock")
    integrity(env.db)


@case("storage", "two-refreshes-at-once",
      "two refreshes of the same feeds at the same time both succeed (no "
      "'locked' error), store every article once, and leave the counts right")
def two_refreshes(env):
    small_config(env)
    n = 12

    def slowish(i):
        def handler(req):
            time.sleep(0.05)
            reply(req, 200, rss(items(25, f"t{i}", 300), title=f"Twice {i}"))
        return handler

    s = env.serve({f"/t{i}": slowish(i) for i in range(n)})
    env.write(env.urls, "".join(s.url(f"/t{i}") + "\n" for i in range(n)))
    r = env.courant("list")  # creates the database first
    results = [None, None]

    def run(k):
        results[k] = env.courant("refresh", "--force", timeout=60)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, r in enumerate(results):
        check(r.rc == 0 and not r.timed_out, f"refresh {k}: {r!r}")
        check(b"locked" not in r.err, f"refresh {k}: {r!r}")
    rows = tsv_rows(env)
    check(len(rows) == n * 25, f"{len(rows)} articles, want {n * 25}")
    check(len({(r[4], r[5]) for r in rows}) == n * 25, "an article was stored twice")
    integrity(env.db)
    counters_agree(env.db)


if __name__ == "__main__":
    sys.exit(main())
