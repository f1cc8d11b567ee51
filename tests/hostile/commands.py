#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Command execution and URLs: feed data never reaches a shell and is only ever
one argv element; only http(s) URLs are opened, fetched, copied or followed.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
A fake browser records its argv (NUL-separated) in a file; shell syntax in the
links would create marker files if anything ever handed them to a shell.
"""

import base64
import json
import os
import re
import sqlite3
import sys
from urllib.parse import unquote

from harness import *  # noqa: F401,F403

MARK = "hostile-mark"
PYTHON3 = os.environ.get("PYTHON3", "/usr/bin/python3")
# Shell syntax that creates a marker file wherever a shell runs it.
SHELL = (f"$(touch%20{MARK}1)`touch%20{MARK}2`;touch%20{MARK}3|touch%20{MARK}4"
         f"&&touch%20{MARK}5'\"$IFS${{PATH}}>{MARK}6<x")

BROWSER = """#!/bin/sh
# Records its arguments, NUL-separated: one file per run.
n=0
while [ -e "$BROWSER_OUT.$n" ]; do n=$((n + 1)); done
for a in "$@"; do printf '%s\\0' "$a"; done >"$BROWSER_OUT.$n"
exit "${BROWSER_EXIT:-0}"
"""


def browser(env):
    """Installs the fake browser; returns (its path, the output prefix)."""
    path = env.write("bin/browser", BROWSER, mode=0o755)
    return path, env.path("argv")


def browser_runs(env):
    """The argv lists the fake browser recorded, in order."""
    runs = []
    n = 0
    while os.path.exists(env.path(f"argv.{n}")):
        with open(env.path(f"argv.{n}"), "rb") as f:
            data = f.read()
        runs.append([a.decode("utf-8", "surrogateescape") for a in data.split(b"\0")[:-1]])
        n += 1
    return runs


def no_marker(env):
    """No would-be command ran: no marker file anywhere it could land."""
    for root in (env.dir, env.home, "/tmp", os.getcwd()):
        for name in os.listdir(root):
            check(not name.startswith(MARK), f"a command ran: {os.path.join(root, name)} exists")
    for root, _, files in os.walk(env.dir):
        for name in files:
            check(not name.startswith(MARK), f"a command ran: {os.path.join(root, name)} exists")


def items_with_links(env, links, name="links.xml"):
    """Subscribes to a feed with one item per link (newest first, titled
    L0, L1..., at most 24), then writes each link into its row with sqlite3, as they
    are, bypassing the parser (a cache row is hostile too)."""
    items = [{"title": f"L{k}", "link": f"https://example.org/{k}", "guid": f"g{k}",
              "pubDate": f"Fri, 14 Jun 2024 {23 - k:02d}:00:00 GMT"} for k in range(len(links))]
    subscribe_file(env, name, rss(items, title="Links"))
    db = sqlite3.connect(env.db)
    for k, link in enumerate(links):
        db.execute("UPDATE items SET link = ? WHERE guid = ?", (link, f"g{k}"))
    db.commit()
    db.close()


def reader(env, script, extra=None, rows=24, cols=100, timeout=40):
    """The reader on a pty with the fake browser as $BROWSER; quits with Q
    and must exit 0."""
    path, out = browser(env)
    e = {"BROWSER": path, "BROWSER_OUT": out, "DISPLAY": None, "WAYLAND_DISPLAY": None,
         "TMUX": None, "STY": None, "SSH_CONNECTION": None}
    e.update(extra or {})
    r = env.pty([], list(script) + [("sleep", 0.2), "Q"], rows=rows, cols=cols,
                timeout=timeout, env=e)
    check(not r.timed_out and r.rc == 0, f"the reader did not quit cleanly: {r!r}")
    for word in (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:"):
        check(word not in r.out, f"a sanitizer report: {r!r}")
    return r


def osc52_bodies(out):
    return [base64.b64decode(m.group(1))
            for m in re.finditer(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)(?:\x07|\x1b\\)", out)]


# ---- cases -----------------------------------------------------------------


@case("commands", "browser-gets-shell-syntax-as-one-argument",
      "A link full of shell syntax ($(...), backticks, ;, |, &&, quotes, $IFS, "
      "redirections) reaches the browser from $BROWSER as exactly one argv element, "
      "byte for byte, both for a terminal browser and a detached one (DISPLAY set), "
      "and no command in it runs.")
def shell_syntax(env):
    link = f"https://evil.example/a?b={SHELL}"
    xml_link = link.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    subscribe_file(env, "f.xml", rss([{"title": "SHELLITEM", "link": xml_link}]))
    r = reader(env, [("wait", "Hostile"), "G", "\r", ("wait", "SHELLITEM"), "o",
                     ("wait", "opened"), "\r", ("wait", "Link:"), "o", ("sleep", 0.3)])
    check(b"opened https://evil.example/a" in r.out, f"no 'opened' message: {r.out[-400:]!r}")
    r = reader(env, [("wait", "Hostile"), "G", "\r", ("wait", "SHELLITEM"), "o",
                     ("wait", "opened"), ("sleep", 0.3)], extra={"DISPLAY": ":99"})
    runs = browser_runs(env)
    check(len(runs) == 3, f"the browser ran {len(runs)} times, not 3: {runs}")
    for argv in runs:
        check(argv == [link], f"the browser got {argv!r}, not [{link!r}]")
    no_marker(env)


@case("commands", "browser-command-split-once",
      "`set browser` and a per-feed `feed URL set browser` are split into words once, "
      "when the config is read (quotes group words, %u and $VAR stay literal): the "
      "link is appended as one more argument and nothing is substituted into the words.")
def browser_split(env):
    path, out = browser(env)
    feed = subscribe_file(env, "f.xml", rss([{"title": "SPLITITEM",
                                               "link": "https://example.org/%u%s"}]))
    env.write(env.config, f'set browser "{path} --new-tab \\"two words\\" %u $HOME"\n')
    reader(env, [("wait", "Hostile"), "G", "\r", ("wait", "SPLITITEM"), "o",
                ("wait", "opened")], extra={"BROWSER": "/nonexistent/wrong-browser"})
    runs = browser_runs(env)
    check(runs == [["--new-tab", "two words", "%u", "$HOME", "https://example.org/%u%s"]],
          f"the browser got {runs!r}")
    env.write(env.config, f'set browser /nonexistent/global\n'
                          f'feed file://{feed} set browser "{path} per-feed"\n')
    reader(env, [("wait", "Hostile"), "G", "\r", ("wait", "SPLITITEM"), "o", ("wait", "opened")])
    runs = browser_runs(env)
    check(runs[1:] == [["per-feed", "https://example.org/%u%s"]], f"the browser got {runs!r}")
    no_marker(env)


@case("commands", "option-injection-links-refused",
      "Links that start with '-' (-oProxyCommand=..., --help, -e) or with blanks "
      "before them are never passed to the browser or copied: the reader says "
      "'refused', and o acts on the selected line (the browser gets only the good "
      "link on the last one).")
def option_injection(env):
    links = [f"-oProxyCommand=touch {MARK}1", "--help", "-e", f" -oProxyCommand=touch {MARK}2",
             "\t--remote=x", "-https://example.org/"]
    # The last line's link is good: the browser must get it and only it,
    # which proves o followed the selection down the list.
    items_with_links(env, links + ["https://example.org/last"])
    script = [("wait", "Links"), "G", "\r", ("wait", "L0")]
    for k in range(len(links)):
        script += ["o", ("wait", "refused", 5), "y", ("sleep", 0.1), "j"]
    r = reader(env, script + ["o", ("wait", "opened")])
    check(r.out.count(b"refused") >= len(links), f"not every link was refused: {r.out[-600:]!r}")
    check(browser_runs(env) == [["https://example.org/last"]], f"the browser got {browser_runs(env)}")
    check(osc52_bodies(r.out) == [], "a refused link was copied with OSC 52")
    no_marker(env)


@case("commands", "non-http-links-refused",
      "javascript:, data:, file:, exec:, filter:, |cmd, vbscript:, ftp:, mailto: and "
      "scheme-less or host-less links, links holding C0, DEL, C1 or bidi controls and "
      "links over 8 KiB in a cache row are refused, each on its own line of the list, with 'refused: only "
      "http and https links are opened or copied' for open (o) and copy (y): the "
      "browser gets none of them (only the good link on the last line) and no OSC 52 "
      "is written.")
def non_http(env):
    links = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
             "file:///etc/passwd", f"exec:touch {MARK}1", f"filter:touch {MARK}2:https://x/",
             f"|touch {MARK}3", "vbscript:msgbox", "ftp://example.org/x", "mailto:a@b",
             "//example.org/x", "https:///etc/passwd", "http://", "JaVaScRiPt:alert(1)",
             "https://exa mple.org/", "https://example.org/\x1b]52;c;UFdORUQ=\x07",
             "https://example.org/\u009b6n", "https://example.org/\u202etxt.exe",
             "https://example.org/\u2066x\u2069", "https://example.org/\x7f",
             "https://example.org/" + "a" * 9000]
    items_with_links(env, links + ["https://example.org/last"])
    script = [("wait", "Links"), "G", "\r", ("wait", "L0")]
    for _ in links:
        script += ["o", ("wait", "refused", 5), ("sleep", 0.05), "y", ("sleep", 0.1), "j"]
    r = reader(env, script + ["o", ("wait", "opened")])
    n = r.out.count(b"refused: only http and https links are opened or copied")
    # The y right after an o sets the same message: the screen does not
    # change, so count at least one a link.
    check(n >= len(links), f"{n} refusals for {len(links)} links: {r.out[-600:]!r}")
    check(browser_runs(env) == [["https://example.org/last"]], f"the browser got {browser_runs(env)}")
    check(osc52_bodies(r.out) == [], f"a refused link was copied: {osc52_bodies(r.out)}")
    assert_terminal_clean(r.out)
    no_marker(env)


@case("commands", "osc52-copy-is-the-link-only",
      "OSC 52 is off by default: copying (y) writes nothing and says 'OSC 52 is off'; "
      "with `set osc52 yes` it writes one OSC 52 sequence whose payload is the base64 "
      "of exactly that link, and without a browser over SSH, o copies instead.")
def osc52(env):
    link = f"https://example.org/copy?{SHELL}"
    items_with_links(env, [link, "https://example.org/two"])
    r = reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "y", ("wait", "OSC 52 is off")])
    check(b"\x1b]52" not in r.out, "OSC 52 was written while off")
    env.write(env.config, "set osc52 yes\n")
    r = reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "y", ("wait", "copied")])
    check(osc52_bodies(r.out) == [link.encode()], f"OSC 52 carried {osc52_bodies(r.out)!r}")
    assert_terminal_clean(r.out, allow_osc52=True)
    r = reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "j", "o", ("wait", "copied"),
                     ("wait", "no browser")],
               extra={"BROWSER": None, "SSH_CONNECTION": "10.0.0.1 1 10.0.0.2 22"})
    check(osc52_bodies(r.out) == [b"https://example.org/two"],
          f"OSC 52 carried {osc52_bodies(r.out)!r}")
    env.write(env.config, "set osc52 no\n")
    r = reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "y", ("wait", "OSC 52 is off")])
    check(b"\x1b]52" not in r.out, "OSC 52 was written with osc52 no")
    check(browser_runs(env) == [], f"the browser ran: {browser_runs(env)}")
    no_marker(env)


@case("commands", "copy-through-tmux-uses-stdin",
      "Inside tmux the link is handed to `tmux load-buffer -` on standard input, never "
      "as an argument: tmux's argv is fixed whatever the link holds.")
def tmux_copy(env):
    fake = env.write("bin/tmux", "#!/bin/sh\n"
                     "for a in \"$@\"; do printf '%s\\0' \"$a\"; done >>\"$TMUX_OUT.argv\"\n"
                     "cat >>\"$TMUX_OUT.stdin\"\n", mode=0o755)
    link = f"https://example.org/t?{SHELL}"
    items_with_links(env, [link])
    r = reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "y", ("wait", "copied")],
               extra={"TMUX": "/tmp/fake,1,0", "TMUX_OUT": env.path("tmux"),
                      "PATH": os.path.dirname(fake) + ":" + os.environ.get("PATH", "/usr/bin:/bin")})
    with open(env.path("tmux.argv"), "rb") as f:
        argv = f.read().split(b"\0")[:-1]
    with open(env.path("tmux.stdin"), "rb") as f:
        stdin = f.read()
    check(argv == [b"load-buffer", b"-w", b"-"], f"tmux got argv {argv!r}")
    check(stdin == link.encode(), f"tmux got {stdin!r} on stdin")
    check(b"copied to the tmux buffer" in r.out, f"no message: {r.out[-300:]!r}")
    no_marker(env)


@case("commands", "link-numbers-pick-http-links-only",
      "A number typed before o picks that link of the article, and # asks for one: "
      "only http(s) links of the body are numbered (javascript:, data:, file: links "
      "stay plain text), the chosen link reaches the browser as one argument, and an "
      "unknown number says 'no link N'.")
def link_numbers(env):
    good = f"https://example.org/one?{SHELL}".replace("&", "&amp;").replace('"', "&quot;") \
        .replace("<", "&lt;").replace(">", "&gt;")
    body = (f'<p><a href="javascript:alert(1)">JSLINK</a> <a href="{good}">ONE</a> '
            f'<a href="data:text/html,x">DATALINK</a> <a href="file:///etc/passwd">FILELINK</a> '
            f'<a href="exec:touch {MARK}">EXECLINK</a> <a href="-oProxyCommand=x">DASH</a> '
            f'<a href="https://example.org/two">TWO</a></p>')
    subscribe_file(env, "f.xml", rss([{"title": "NUMITEM", "link": "https://example.org/own",
                                       "description": body.replace("&", "&amp;")
                                       .replace("<", "&lt;").replace(">", "&gt;")}]))
    r = reader(env, [("wait", "Hostile"), "G", "\r", ("wait", "NUMITEM"), "\r",
                     ("wait", "JSLINK"), "1", "o", ("wait", "opened"), "#", ("sleep", 0.2),
                     "3\r", ("sleep", 0.3), "9", "o", ("wait", "no link 9")])
    runs = browser_runs(env)
    want = f"https://example.org/one?{SHELL}"
    dash = "https://example.org/-oProxyCommand=x"
    # The renderer normalizes a link (percent-encodes what a URL may not
    # hold): still one argument, meaning the same address.
    check(len(runs) >= 1 and len(runs[0]) == 1 and unquote(runs[0][0]) == unquote(want),
          f"link 1 gave {runs!r}")
    check(len(runs) == 2 and runs[1] in ([dash], ["https://example.org/two"]),
          f"link 3 gave {runs!r}")
    for text in (b"JSLINK [", b"DATALINK [", b"FILELINK [", b"EXECLINK ["):
        check(text not in r.out, f"{text!r} was numbered")
    no_marker(env)


@case("commands", "missing-browser-keeps-reader",
      "A browser that does not exist gives 'cannot run ...' and one that fails gives "
      "its exit status in the status line; the reader keeps working (lists, reader, "
      "quit with status 0).")
def missing_browser(env):
    items_with_links(env, ["https://example.org/a", "https://example.org/b"])
    r = reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "o",
                     ("wait", "cannot run"), "j", "\r", ("wait", "Link:"), "q",
                     ("wait", "L1"), "m", ("sleep", 0.2)],
               extra={"BROWSER": "/nonexistent/no-such-browser --flag"})
    check(b"/nonexistent/no-such-browser" in r.out, f"the message names no browser: {r.out[-300:]!r}")
    env.write(env.config, "set browser \"no-such-browser-anywhere-42\"\n")
    reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "o", ("wait", "cannot run"),
                 "\r", ("wait", "Link:")])
    env.write(env.config, "")
    r = reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "o",
                     ("wait", "exited with status 3"), "j", "\r", ("wait", "Link:")],
               extra={"BROWSER_EXIT": "3"})
    r = reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "o", ("wait", "opened")])
    check(len(browser_runs(env)) == 2, f"runs: {browser_runs(env)}")


@case("commands", "redirect-to-file-not-followed",
      "A feed whose server redirects to file://, ftp://, gopher://, data: or javascript: "
      "fails with a message: the local file is never read into the store and the "
      "feed's stored articles and read/starred state stay as they were.")
def redirect_file(env):
    secret = env.write("secret.xml", rss([{"title": "SECRETITEM"}], title="SECRETFEED"))
    targets = {"/file": f"file://{secret}", "/ftp": "ftp://127.0.0.1:9/x.xml",
               "/gopher": "gopher://127.0.0.1:9/x", "/data": "data:text/xml,<rss/>",
               "/js": "javascript:alert(1)", "/two": None}
    env.write(env.config, "set connect-timeout 2s\nset download-timeout 5s\n")
    good = rss([{"title": f"KEPT{k}", "guid": f"k{k}"} for k in range(3)], title="GOODFEED")
    s = env.serve()
    for path in targets:
        r = env.courant("add", s.route(path, static(good)))
        check(r.rc == 0, f"add: {r!r}")
    listed = list_titles(env)
    first = listed[0].split("\t")[0]
    check(env.courant("mark", "read", first).rc == 0, "mark read")
    check(env.courant("mark", "starred", first).rc == 0, "mark starred")
    before = list_titles(env)
    for path, where in targets.items():
        if where is None:  # file:// two redirects away
            where = s.url("/file")
        s.route(path, static(b"", 302, {"Location": where}))
    r = env.courant("refresh", "--force")
    check(r.rc == 1 and not r.timed_out, f"refresh: {r!r}")
    check(r.text.count("courant refresh:") >= len(targets),
          f"not every feed failed with a message: {r!r}")
    check("SECRET" not in r.text, f"the file was read: {r!r}")
    after = list_titles(env)
    check(after == before, f"stored articles changed:\n{before}\n{after}")
    check(not any("SECRET" in l for l in after), "the local file's items were stored")
    r = env.courant("add", s.route("/addfile", static(b"", 301, {"Location": f"file://{secret}"})))
    check(r.rc == 1 and "SECRET" not in r.text, f"add through a redirect to file: {r!r}")
    r = env.courant("feeds")
    check(f"file://{secret}" not in r.text and "addfile" not in r.text,
          f"a redirect to file:// was subscribed: {r!r}")


@case("commands", "opml-import-no-command-feeds",
      "OPML import never creates command, filter, query, file://, javascript:, data:, "
      "'|cmd' or '-option' subscriptions: each is skipped with a warning naming its "
      "line, only the http(s) feeds reach the store and the urls file, and a refresh "
      "afterwards runs nothing.")
def opml_import(env):
    bad = [f"exec:touch {MARK}1", f"filter:touch {MARK}2:http://x/", "query:x:unread = \"yes\"",
           "file:///etc/passwd", f"|touch {MARK}3", "javascript:alert(1)",
           "data:text/xml,<rss/>", f"-oProxyCommand=touch {MARK}4", "ftp://example.org/f",
           f"`touch {MARK}5`", f"$(touch {MARK}6)"]
    outl = "\n".join(
        f'<outline type="rss" text="BAD{k}" xmlUrl="{u.replace("&", "&amp;").replace("<", "&lt;").replace(chr(34), "&quot;")}"/>'
        for k, u in enumerate(bad))
    outl += f'\n<outline type="command" text="CMD" xmlUrl="http://127.0.0.1:9/cmd" command="touch {MARK}7"/>'
    outl += '\n<outline type="rss" text="GOOD" xmlUrl="http://127.0.0.1:9/good"/>'
    doc = f'<?xml version="1.0"?>\n<opml version="2.0"><head/><body>\n{outl}\n</body></opml>\n'
    path = env.write("subs.opml", doc)
    r = env.courant("import", path)
    check(r.rc == 0, f"import: {r!r}")
    for k in range(len(bad)):
        check(re.search(rf"line \d+: 'BAD{k}'", r.text) and "skipped" in r.text,
              f"BAD{k} ({bad[k]!r}) was not skipped with its line: {r!r}")
    r = env.courant("feeds")
    check(r.rc == 0 and "127.0.0.1:9/good" in r.text, f"feeds: {r!r}")
    check(not any(t in r.text for t in ("exec:", "filter:", "query:", "file:", "javascript:",
                                        "data:", "|touch", "-oProxy", "ftp:")),
          f"a non-http feed was subscribed: {r!r}")
    with open(env.urls) as f:
        urls = f.read()
    check("exec:" not in urls and "file:" not in urls and "touch" not in urls,
          f"the urls file got {urls!r}")
    env.write(env.config, "set connect-timeout 1s\n")
    env.courant("refresh", "--force", timeout=30)
    no_marker(env)


@case("commands", "newsboat-command-feeds-refused",
      "Newsboat urls lines of exec:, filter: and query: feeds are reported with their "
      "line and skipped, by `courant import --newsboat` and when courant reads its own "
      "urls file; '|cmd', '-option' and javascript: lines are errors with the line; "
      "nothing is run.")
def newsboat(env):
    nb = env.path("newsboat")
    env.write(os.path.join(nb, "urls"),
              f"http://127.0.0.1:9/nb tag\nexec:touch {MARK}1\n"
              f"filter:touch {MARK}2:http://127.0.0.1:9/f\n\"query:Unread:unread = \\\"yes\\\"\"\n")
    sq = sqlite3.connect(os.path.join(nb, "cache.db"))
    sq.executescript("CREATE TABLE rss_feed (rssurl VARCHAR(1024) PRIMARY KEY NOT NULL, "
                     "url VARCHAR(1024) NOT NULL, title VARCHAR(1024) NOT NULL);"
                     "CREATE TABLE rss_item (id INTEGER PRIMARY KEY AUTOINCREMENT, guid "
                     "VARCHAR(64) NOT NULL, title VARCHAR(1024) NOT NULL, author VARCHAR(1024) "
                     "NOT NULL, url VARCHAR(1024) NOT NULL, feedurl VARCHAR(1024) NOT NULL, "
                     "pubDate INTEGER NOT NULL, content VARCHAR(65535) NOT NULL, unread INTEGER "
                     "NOT NULL, enclosure_url VARCHAR(1024), enclosure_type VARCHAR(1024), "
                     "enqueued INTEGER NOT NULL DEFAULT 0, flags VARCHAR(52), deleted INTEGER "
                     "NOT NULL DEFAULT 0, base VARCHAR(128) NOT NULL DEFAULT \"\");")
    sq.close()
    env.write(env.urls, "")
    r = env.courant("import", "--newsboat", "--no-refresh", nb)
    check(r.rc == 0, f"import --newsboat: {r!r}")
    for word in ("exec:", "filter:", "query:"):
        check(re.search(rf"{word}.*(not supported|skipped)|(not supported|skipped).*{word}", r.text),
              f"{word} was not reported: {r!r}")
    with open(env.urls) as f:
        urls = f.read()
    check("exec:" not in urls and "filter:" not in urls and "query:" not in urls,
          f"the urls file got {urls!r}")
    # Courant's own urls file: command feeds are warnings, other schemes errors.
    own = env.write("own.urls", f"http://127.0.0.1:9/a\nexec:touch {MARK}3\n"
                                f"filter:touch {MARK}4:http://x/\nquery:q:unread = \"yes\"\n")
    env.write(env.config, "set connect-timeout 1s\n")
    r = env.courant("-u", own, "refresh", files=False, env={"COURANT_DB": env.db})
    for line, word in ((2, "exec:"), (3, "filter:"), (4, "query:")):
        check(f"own.urls:{line}: warning: '{word}' feeds are not supported" in r.text,
              f"line {line} ({word}) was not reported: {r!r}")
    for text in (f"|touch {MARK}5", f"-oProxyCommand=touch{MARK}6", "javascript:alert(1)",
                 f"`touch {MARK}7`"):
        bad = env.write("bad.urls", f"http://127.0.0.1:9/a\n{text}\n")
        r = env.courant("-u", bad, "refresh", files=False, env={"COURANT_DB": env.db})
        check(r.rc == 2 and "bad.urls:2:" in r.text and "not an http, https or file URL" in r.text,
              f"{text!r}: {r!r}")
    no_marker(env)


@case("commands", "add-discovery-refuses-non-http",
      "`courant add` of a page whose <link rel=alternate> entries point to file://, "
      "javascript:, data:, exec: or ftp: addresses subscribes to none of them and "
      "exits 1 with 'no feed found'; with one http alternate among them only that one "
      "is subscribed; relative '-option' and '|cmd' hrefs only ever become http "
      "addresses of the page's server.")
def add_discovery(env):
    bad = ["file:///etc/passwd", "javascript:alert(1)", "data:application/rss+xml,<rss/>",
           f"exec:touch {MARK}1", "ftp://127.0.0.1:9/f.xml", "FILE:///etc/passwd",
           f"filter:touch {MARK}2:http://x/"]

    def page(hrefs):
        links = "".join(f'<link rel="alternate" type="application/rss+xml" title="B{k}" '
                        f'href="{h.replace("<", "&lt;")}">' for k, h in enumerate(hrefs))
        return f"<html><head>{links}</head><body>page</body></html>"

    s = env.serve({"/feed.xml": static(rss([{"title": "DISCOVERED"}]))})
    r = env.courant("add", s.route("/page", static(page(bad), content_type="text/html")))
    check(r.rc == 1 and "no feed found" in r.text, f"add of a page of bad links: {r!r}")
    check(env.courant("feeds").out.strip() == b"", "something was subscribed")
    r = env.courant("add", s.route("/page2", static(page(bad + ["/feed.xml"]),
                                                     content_type="text/html")))
    check(r.rc == 0 and "feed.xml" in r.text, f"add of a page with one good feed: {r!r}")
    feeds = env.courant("feeds").text
    check("feed.xml" in feeds and len(feeds.strip().splitlines()) == 1, f"feeds: {feeds!r}")
    r = env.courant("add", s.route("/page3", static(page([f"-oProxyCommand=touch{MARK}3",
                                                           f"|touch%20{MARK}4"]),
                                                     content_type="text/html")))
    check(r.rc == 1 and "add one of them" in r.text, f"add of a page of odd links: {r!r}")
    for line in r.out.decode().splitlines():
        check(line.startswith(s.url("/")), f"a candidate is not on the page's server: {line!r}")
    no_marker(env)


@case("commands", "percent-sequences-stay-literal",
      "Percent and printf-like sequences in a link (%s, %n, %u, %x, %%, %1$s, %0a, %00) "
      "reach the browser, the OSC 52 copy and the status line literally: nothing "
      "expands or decodes them.")
def percent(env):
    link = "https://example.org/p?%s%n%u%x%%%1$s%0a%00%25%ZZ%"
    items_with_links(env, [link])
    env.write(env.config, "set osc52 yes\n")
    r = reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "o", ("wait", "opened"),
                     "y", ("wait", "copied"), "Y", ("sleep", 0.3)])
    check(browser_runs(env) == [[link]], f"the browser got {browser_runs(env)!r}")
    check(osc52_bodies(r.out) == [link.encode()], f"OSC 52 carried {osc52_bodies(r.out)!r}")
    check(link.encode() in r.out, "the status line did not show the link literally")
    # The CLI prints it as stored too.
    p = env.courant("list", "--format", "tsv")
    check(link.encode() in p.out, f"list: {p!r}")


@case("commands", "feed-links-never-become-local",
      "Relative links of an http feed resolve to http addresses of its server; "
      "whatever a local (file://) feed's links resolve to, the reader opens only "
      "http(s) links: file:, javascript: and '-option' ones are refused and the "
      "browser never sees them.")
def relative_links(env):
    s = env.serve()
    doc = rss([{"title": "REL0", "link": "/../../etc/passwd", "guid": "r0"},
               {"title": "REL1", "link": "-oProxyCommand=x", "guid": "r1",
                "pubDate": "Thu, 13 Jun 2024 12:00:00 GMT"},
               {"title": "REL2", "link": "javascript:alert(1)", "guid": "r2",
                "pubDate": "Wed, 12 Jun 2024 12:00:00 GMT"}], link="/")
    check(env.courant("add", s.route("/f.xml", static(doc))).rc == 0, "add")
    r = env.courant("list", "--format", "json")
    for row in json.loads(r.out):
        l = row["link"] or ""
        check(l == "" or l.startswith(s.url("/")) or l.startswith("javascript:"),
              f"{row['title']}: link {l!r}")
    env.courant("remove", s.url("/f.xml"))
    subscribe_file(env, "local.xml", doc)
    r = reader(env, [("wait", "Hostile"), "G", "\r", ("wait", "REL0"), "o", ("sleep", 0.2),
                     "j", "o", ("sleep", 0.2), "j", "o", ("wait", "refused")])
    check(r.out.count(b"refused") >= 2, f"not refused: {r.out[-300:]!r}")
    for argv in browser_runs(env):
        check(len(argv) == 1 and argv[0].startswith("http"), f"the browser got {argv!r}")
    no_marker(env)


@case("commands", "add-refuses-non-http",
      "`courant add` and the reader's `:add` refuse javascript:, data:, exec:, filter:, "
      "query:, '|cmd', ftp: and '-option' addresses with a message: nothing is "
      "subscribed, the urls file is unchanged and nothing runs.")
def add_refuses(env):
    env.write(env.urls, "# mine\n")
    bad = ["javascript:alert(1)", "data:application/rss+xml,<rss/>", f"exec:touch {MARK}1",
           f"filter:touch {MARK}2:http://x/", "query:q:unread = \"yes\"", f"|touch {MARK}3",
           "ftp://127.0.0.1:9/f.xml", f"-oProxyCommand=touch {MARK}4", "--help=x",
           f"$(touch {MARK}5)", f"`touch {MARK}6`"]
    for url in bad:
        r = env.courant("add", "--", url)
        check(r.rc != 0 and not r.timed_out, f"add {url!r} was accepted: {r!r}")
        check(r.err.strip(), f"add {url!r} failed without a message: {r!r}")
    r = env.courant("add", "javascript:alert(1)")
    check(r.rc != 0 and b"javascript:" in r.err, f"add javascript: {r!r}")
    script = [("wait", "Feeds")]
    for url in bad:
        script += [":", ("sleep", 0.1), f"add {url}\r", ("sleep", 0.3)]
    r = reader(env, script)
    check(env.courant("feeds").out.strip() == b"", f"something was subscribed: {env.courant('feeds')!r}")
    with open(env.urls) as f:
        check(f.read() == "# mine\n", "the urls file changed")
    assert_terminal_clean(r.out)
    no_marker(env)


@case("commands", "xdg-open-fallback-one-argument",
      "With a display and no browser configured, the link goes to xdg-open (found on "
      "PATH, started without a shell) as its only argument, shell syntax and all, and "
      "non-http links never reach it.")
def xdg_open(env):
    path, out = browser(env)
    os.rename(path, env.path("bin", "xdg-open"))
    link = f"https://evil.example/x?{SHELL}"
    items_with_links(env, [link, "file:///etc/passwd", f"javascript:touch {MARK}"])
    reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "o", ("wait", "opened"),
                 "j", "o", ("wait", "refused"), "j", "o", ("sleep", 0.3)],
           extra={"BROWSER": None, "DISPLAY": ":99",
                  "PATH": env.path("bin") + ":" + os.environ.get("PATH", "/usr/bin:/bin")})
    check(browser_runs(env) == [[link]], f"xdg-open got {browser_runs(env)!r}")
    no_marker(env)


FD_PROBE = """import os, sys
fds = []
for fd in range(3, 1024):
    try:
        os.fstat(fd)
        fds.append(fd)
    except OSError:
        pass
with open(os.environ["FD_OUT"], "a") as f:
    f.write(" ".join(map(str, fds)) + "\\n")
"""


@case("commands", "browser-inherits-only-stdio",
      "A browser started by the reader, in the terminal or detached, inherits only "
      "standard input, output and error: no database, lock, socket or pipe "
      "descriptor of courant's (libcurl's wake-up sockets included).")
def browser_fds(env):
    probe = env.write("probe.py", FD_PROBE)
    items_with_links(env, ["https://example.org/a"])
    env.write(env.config, f'set browser "{PYTHON3} {probe}"\nset refresh-on-start yes\n')
    for display in (None, ":99"):
        reader(env, [("wait", "Links"), "G", "\r", ("wait", "L0"), "o", ("wait", "opened"),
                     ("sleep", 0.5)], extra={"FD_OUT": env.path("fds"), "DISPLAY": display})
    with open(env.path("fds")) as f:
        lines = f.read().splitlines()
    check(lines == ["", ""], f"the browser inherited descriptors: {lines}")


@case("commands", "xml-base-cannot-leave-the-web",
      "An http feed that sets xml:base to file:, javascript: or data: (or serves a "
      "file: Content-Location) cannot point its links anywhere but the web: such a "
      "base is ignored, so the article's link and its body links resolve against the "
      "feed's own http address, and that is all the browser is ever given.")
def xml_base(env):
    atom = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xml:base="file:///etc/"><title>XBASE</title><id>x</id>'
            '<updated>2024-06-14T12:00:00Z</updated>'
            '<entry xml:base="javascript:alert(1)//"><title>XB1</title><id>e1</id>'
            '<updated>2024-06-14T12:00:00Z</updated><link href="passwd"/>'
            '<content type="html">&lt;a href="shadow"&gt;SHADOWLINK&lt;/a&gt;</content></entry>'
            '<entry><title>XB2</title><id>e2</id><updated>2024-06-13T12:00:00Z</updated>'
            '<link href="passwd"/><content type="html" xml:base="data:text/html,">'
            '&lt;a href="x"&gt;DATALINK&lt;/a&gt; &lt;a href="group"&gt;GROUPLINK&lt;/a&gt;'
            '</content></entry></feed>')
    s = env.serve({"/a": static(atom, content_type="application/atom+xml"),
                   "/r": static(rss([{"title": "CL1", "link": "passwd"}]),
                                headers={"Content-Location": "file:///etc/"})})
    for path in ("/a", "/r"):
        check(env.courant("add", s.url(path)).rc == 0, f"add {path}")
    web = f"http://127.0.0.1:{s.port}/"
    links = {row["title"]: row["link"]
             for row in json.loads(env.courant("list", "--format", "json").out)}
    for title in ("XB1", "XB2", "CL1"):
        check(links.get(title) == web + "passwd", f"{title}: {links.get(title)!r}")
    env.write(env.config, "set osc52 yes\n")
    r = reader(env, [("wait", "XBASE"), "G", "k", "\r", ("wait", "XB1"), "\r",
                     ("wait", "SHADOWLINK"), "1", "o", ("wait", "opened"), "q", "j", "\r",
                     ("wait", "DATALINK"), "1", "o", ("wait", "opened"), "y", ("sleep", 0.2)])
    runs = browser_runs(env)
    check(runs == [[web + "shadow"], [web + "x"]], f"the browser got {runs}")
    check(osc52_bodies(r.out) == [(web + "passwd").encode()], f"copied: {osc52_bodies(r.out)}")
    no_marker(env)


if __name__ == "__main__":
    sys.exit(main())
