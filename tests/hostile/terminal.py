#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Terminal output: no byte of a feed, a server reply, a cache row or a config
file reaches the terminal as an escape sequence, on any output path (the
reader, every CLI command, stderr, the window title).

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
Every case puts visible marker words next to its payloads and waits for the
markers, so a field that was never drawn cannot pass for a clean one.
"""

import base64
import json
import re
import sqlite3
import sys
import unicodedata

from harness import *  # noqa: F401,F403

# ---- payloads ----------------------------------------------------------------

# Raw escapes: what a cache row, an HTML file or a server reply can carry
# as bytes (XML cannot: the parser repairs or refuses them).
RAW = ("\x1b]2;PWN-TITLE\x07 \x1b]0;PWN\x1b\\ \x1b]52;c;UFdORUQ=\x07 \x1b[6n "
       "\x1b[21t \x1b[8;1;1t \x1b[2J \x1bP$qm\x1b\\ \x1bP+q544e\x1b\\ "
       "\x1b_apc\x1b\\ \x1b^pm\x1b\\ \x1bc \x07\x08\x7f")
# C1 controls written as UTF-8 (valid XML), and the bidi controls.
C1 = "\u009d0;PWN-C1\u009c \u009b6n \u0090$qm\u009c \u009e\u009f \u0085"
BIDI = "\u202eRLO\u202c \u2066LRI\u2069 \u200f\u061c\u202a\u202b\u202d\u2067\u2068"
# Numeric character references, as XML text (C0 ones are not well-formed
# XML: the parser's repair path must not let them through either).
REFS = "&#x1b;]2;PWN&#x07; &#27;[6n &#155;6n &#x9d;0;X&#x9c; &#x202e; &#x85;"
# Every form that valid XML text can hold.
XML_PAYLOAD = f"{C1} {BIDI} {REFS}"


def xml_text(marker):
    """An XML text value: a marker word and every payload."""
    return f"{marker} {XML_PAYLOAD} end"


def html_body(marker):
    """Article HTML (unescaped): the payloads in text, <pre>, alt text,
    link text, a title attribute and as double-escaped references."""
    return (f"<p>{marker} {C1} {BIDI} &#x1b;]2;PWN&#x07; &#155;6n &#x9d;0;X&#x9c;"
            f" &amp;#x1b;[6n</p>"
            f"<pre>PRETEXT {C1}\n  {BIDI} &#x1b;[2J\ttab</pre>"
            f"<p><img src=\"https://example.org/i.png\" alt=\"ALTTEXT {C1} {BIDI}\">"
            f"<a href=\"https://example.org/l\" title=\"{C1}\">LINKTEXT {C1} {BIDI}</a>"
            f"<code>{C1}</code><blockquote>{BIDI}</blockquote></p>"
            f"<ul><li>{C1}</li></ul><table><tr><td>{C1}</td></tr></table>")


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def hostile_rss(marker="H"):
    """An RSS 2.0 feed with a payload in every field a feed has."""
    body = html_body("BODYTEXT")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>{xml_text(marker + "FEEDTITLE")}</title>
<link>https://example.org/</link><description>{xml_text("CHANDESC")}</description>
<item><title>{xml_text(marker + "ITEMTITLE")}</title>
<link>https://example.org/a?{C1}{BIDI}</link><guid>h1</guid>
<author>x@example.org ({xml_text("AUTHORNAME")})</author>
<dc:creator>{xml_text("CREATOR")}</dc:creator>
<category domain="{C1}">{xml_text("CATEGORY")}</category>
<enclosure url="https://example.org/e.mp3?{C1}" type="audio/{C1}{BIDI}" length="1"/>
<media:content url="https://example.org/m.jpg?{C1}" medium="image"/>
<comments>https://example.org/c?{C1}</comments>
<pubDate>Fri, 14 Jun 2024 12:00:00 GMT</pubDate>
<description>{xml_escape(body)}</description>
<content:encoded><![CDATA[{body} CDATATEXT {C1}]]></content:encoded></item>
<item><title>{marker}SECOND &lt;b&gt;{C1}&lt;/b&gt;</title><guid>h2</guid>
<link>https://example.org/2</link>
<pubDate>Thu, 13 Jun 2024 12:00:00 GMT</pubDate>
<description><![CDATA[<p>CDATABODY {C1} {BIDI}</p>]]></description></item>
</channel></rss>
"""


def hostile_atom(marker="A"):
    """An Atom feed: text constructs of every type, person constructs,
    categories and an enclosure link."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title type="html">{marker}FEEDTITLE &lt;b&gt;{C1}&lt;/b&gt; &amp;#x1b;]2;X&amp;#x07; {BIDI}</title>
<subtitle type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{C1}</div></subtitle>
<id>urn:x</id><updated>2024-06-14T12:00:00Z</updated>
<author><name>{xml_text("FEEDAUTHOR")}</name></author>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{marker}ENTRYTITLE <b>{C1}</b> {BIDI}</div></title>
<id>urn:e1</id><updated>2024-06-14T12:00:00Z</updated>
<link href="https://example.org/atom?{C1}"/>
<link rel="enclosure" href="https://example.org/e.ogg" type="audio/{C1}" title="{C1}"/>
<author><name>{xml_text("ATOMAUTHOR")}</name><email>{C1}@x</email><uri>https://x/{C1}</uri></author>
<category term="{C1}term" label="{C1}{BIDI}label"/>
<summary type="text">{xml_text("SUMMARY")}</summary>
<content type="html">{xml_escape(html_body("ATOMBODY"))}</content></entry>
<entry><title type="text">{marker}PLAIN &lt;i&gt;{REFS}</title><id>urn:e2</id>
<updated>2024-06-13T12:00:00Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>XHTMLBODY {C1} {BIDI}</p><pre>{C1}</pre></div></content></entry>
</feed>
"""


def self_test():
    """The detector must see every payload this file uses: a case that
    passes because the detector is blind proves nothing."""
    for p in RAW.split(" ") + C1.split(" ") + [c for c in BIDI if ord(c) > 0x7f]:
        # ncurses clears the screen itself: that one cannot be told apart.
        if p.strip() and p != "\x1b[2J":
            check(payload_escapes(p.encode()), f"detector misses {p!r}")


# ---- helpers ---------------------------------------------------------------


def feeds_from(env, docs):
    """Subscribes to each (name, document) and returns the paths."""
    return [subscribe_file(env, name, doc) for name, doc in docs]


def check_clean(r, markers=(), what="the terminal", allow_osc52=False):
    """r ran on a pty or pipes: it did not time out or crash, every marker
    reached the output and no payload escape did."""
    check(not r.timed_out, f"timed out: {r!r}")
    check(r.rc >= 0, f"killed by signal {-r.rc}: {r!r}")
    text = (r.out + r.err).decode("utf-8", "replace")
    for m in markers:
        check(m in text, f"{m!r} never reached {what}: {r!r}")
    assert_terminal_clean(r.out + r.err, allow_osc52, what)
    # No payload's text after its escape was dropped either: "PWN-TITLE"
    # may stay as text, but never directly after an OSC introducer.
    check(b"]2;PWN-TITLE\x07" not in r.out + r.err, "OSC body with BEL reached the output")


def hostile_rows(env, marker="DB"):
    """Writes raw escapes straight into the database with Python's sqlite3
    (a cache row is hostile too): every text column courant shows."""
    db = sqlite3.connect(env.db)
    pay = f"{RAW} {C1} {BIDI}"
    content = json.dumps([{"a": f"<p>{marker}BODY {pay}</p><pre>{marker}PRE {pay}</pre>"
                                f"<a href=\"https://e.org/\">{marker}LINK {pay}</a>", "n": 1}])
    db.execute("UPDATE feeds SET user_title = ?, feed_title = ?, last_error = ?, "
               "site_link = ?", (f"{marker}FEED {pay}", f"{marker}FEEDT {pay}",
                                 f"{marker}ERROR {pay}", f"https://e.org/{pay}"))
    db.execute("UPDATE items SET title = ?, author = ?, link = ?, summary = ?, "
               "content = ?, authors = ?, categories = ?, enclosures = ?",
               (f"{marker}TITLE {pay}", f"{marker}AUTHOR {pay}", f"https://e.org/{pay}",
                f"{marker}SUMMARY {pay}", content,
                json.dumps([{"a": f"{marker}AUTHOR {pay}"}]),
                json.dumps([{"a": f"{marker}CAT {pay}"}]),
                json.dumps([{"a": f"https://e.org/{pay}", "b": pay, "n": 1}])))
    db.execute("INSERT OR REPLACE INTO feed_tags (tag, feed_id) SELECT ?, id FROM feeds",
               (f"{marker}TAG {pay}",))
    db.commit()
    db.close()


# A minimal terminal: enough of xterm to replay what ncurses writes for
# xterm-256color and tell where every character landed.


def cp_width(ch):
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Screen:
    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.y = self.x = 0
        self.top, self.bottom = 0, rows - 1
        self.pending = False  # the cursor is past the last column
        self.wraps = []  # characters written past the last column
        self.saved = (0, 0)
        self.last = " "

    def feed(self, data):
        text = data.decode("utf-8", "replace")
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c == "\x1b" and i + 1 < n:
                k = text[i + 1]
                if k == "[":
                    j = i + 2
                    while j < n and not ("@" <= text[j] <= "~"):
                        j += 1
                    self.csi(text[i + 2:j], text[j] if j < n else "")
                    i = j + 1
                    continue
                if k in "]P_^X":
                    j = i + 2
                    while j < n and text[j] != "\x07" and text[j:j + 2] != "\x1b\\":
                        j += 1
                    i = j + (1 if j < n and text[j] == "\x07" else 2)
                    continue
                if k in "()*+":
                    i += 3
                    continue
                if k == "7":
                    self.saved = (self.y, self.x)
                elif k == "8":
                    self.y, self.x = self.saved
                    self.pending = False
                elif k == "M":
                    if self.y == self.top:
                        self.scroll(-1)
                    else:
                        self.y = max(0, self.y - 1)
                elif k == "D":
                    self.linefeed()
                elif k == "E":
                    self.x = 0
                    self.linefeed()
                i += 2
                continue
            if c == "\r":
                self.x, self.pending = 0, False
            elif c == "\n":
                self.linefeed()
            elif c == "\b":
                self.x, self.pending = max(0, self.x - 1), False
            elif c == "\t":
                self.x, self.pending = min(self.cols - 1, (self.x // 8 + 1) * 8), False
            elif ord(c) >= 0x20:
                self.put(c)
            i += 1

    def linefeed(self):
        self.pending = False
        if self.y == self.bottom:
            self.scroll(1)
        else:
            self.y = min(self.rows - 1, self.y + 1)

    def scroll(self, n):
        region = self.grid[self.top:self.bottom + 1]
        blank = [[" "] * self.cols for _ in range(abs(n))]
        region = region[n:] + blank if n > 0 else blank + region[:n]
        self.grid[self.top:self.bottom + 1] = region[:self.bottom - self.top + 1]

    def put(self, c):
        w = cp_width(c)
        if w == 0:
            if self.x > 0:
                self.grid[self.y][self.x - 1] += c
            return
        if self.pending or self.x + w > self.cols:
            self.wraps.append((self.y, c))
            self.x = 0
            self.linefeed()
        self.grid[self.y][self.x] = c
        if w == 2 and self.x + 1 < self.cols:
            self.grid[self.y][self.x + 1] = ""
        self.last = c
        self.x += w
        if self.x >= self.cols:
            self.x, self.pending = self.cols - 1, True

    def csi(self, params, final):
        priv = params[:1] in ("?", ">", "=")
        nums = [int(p) if p.isdigit() else 0 for p in (params[1:] if priv else params).split(";")]
        a = nums[0] if nums and nums[0] else 1
        self.pending = False if final not in "mhlt" else self.pending
        if final in "Hf":
            self.y = min(self.rows - 1, (nums[0] or 1) - 1)
            self.x = min(self.cols - 1, ((nums[1] if len(nums) > 1 else 1) or 1) - 1)
        elif final == "A":
            self.y = max(0, self.y - a)
        elif final == "B":
            self.y = min(self.rows - 1, self.y + a)
        elif final == "C":
            self.x = min(self.cols - 1, self.x + a)
        elif final == "D":
            self.x = max(0, self.x - a)
        elif final in "G`":
            self.x = min(self.cols - 1, a - 1)
        elif final == "d":
            self.y = min(self.rows - 1, a - 1)
        elif final == "K":
            row = self.grid[self.y]
            lo, hi = {0: (self.x, self.cols), 1: (0, self.x + 1), 2: (0, self.cols)}[nums[0]]
            row[lo:hi] = [" "] * (hi - lo)
        elif final == "J":
            if nums[0] == 0:
                self.csi("0", "K")
                for y in range(self.y + 1, self.rows):
                    self.grid[y] = [" "] * self.cols
            elif nums[0] in (2, 3):
                self.grid = [[" "] * self.cols for _ in range(self.rows)]
        elif final == "X":
            row = self.grid[self.y]
            hi = min(self.cols, self.x + a)
            row[self.x:hi] = [" "] * (hi - self.x)
        elif final == "@":
            row = self.grid[self.y]
            row[self.x:self.x] = [" "] * a
            del row[self.cols:]
        elif final == "P":
            row = self.grid[self.y]
            del row[self.x:self.x + a]
            row.extend([" "] * (self.cols - len(row)))
        elif final in "LM":
            if self.top <= self.y <= self.bottom:
                saved = self.top
                self.top = self.y
                self.scroll(-a if final == "L" else a)
                self.top = saved
        elif final == "S":
            self.scroll(a)
        elif final == "T":
            self.scroll(-a)
        elif final == "b":
            for _ in range(a):
                self.put(self.last)
        elif final == "r" and not priv:
            self.top = (nums[0] or 1) - 1
            self.bottom = ((nums[1] if len(nums) > 1 else self.rows) or self.rows) - 1
            self.y = self.x = 0

    def lines(self):
        return ["".join(r).rstrip() for r in self.grid]


def screen_of(data, rows, cols):
    s = Screen(rows, cols)
    s.feed(data)
    return s


# ---- cases -----------------------------------------------------------------

def tui(env, script, rows=24, cols=80, timeout=40, env_extra=None):
    """The reader on a pty: plays script, then quits with Q; the exit must
    be clean (status 0, terminal restored)."""
    r = env.pty([], list(script) + [("sleep", 0.2), "Q"], rows=rows, cols=cols,
                timeout=timeout, env=env_extra)
    check(not r.timed_out and r.rc == 0, f"the reader did not quit cleanly: {r!r}")
    check(r.out.rstrip().endswith(b"\x1b[?1l\x1b>") or b"\x1b[?1049l" in r.out[-200:],
          f"the terminal was not restored: {r.out[-200:]!r}")
    return r


@case("terminal", "tui-feed-and-article-lists",
      "Feed titles and item titles carrying C1 controls (UTF-8 and numeric references), "
      "ESC/BEL references and bidi controls are drawn in the reader's feed list, "
      "article lists and header line without one escape sequence reaching the terminal.")
def tui_lists(env):
    feeds_from(env, [("h.xml", hostile_rss("H")), ("a.xml", hostile_atom("A"))])
    r = tui(env, [("wait", "HFEEDTITLE"), ("wait", "AFEEDTITLE"), "G", "\r",
                  ("wait", "AENTRYTITLE"), ("wait", "APLAIN"), "q", "k", "\r",
                  ("wait", "HITEMTITLE"), ("wait", "HSECOND"), "q", "g", "\r",
                  ("wait", "HSECOND")])
    check_clean(r, ["HFEEDTITLE", "AFEEDTITLE", "HITEMTITLE", "AENTRYTITLE"])


@case("terminal", "tui-reader-pane-rss",
      "An RSS item's reading pane (title, feed, author, link, HTML body from "
      "content:encoded with <pre>, alt text, link text, CDATA) shows the text "
      "and none of the C1, bidi or escape payloads in it.")
def tui_reader_rss(env):
    feeds_from(env, [("h.xml", hostile_rss("H"))])
    r = tui(env, [("wait", "HFEEDTITLE"), "G", "\r", ("wait", "HITEMTITLE"), "\r",
                  ("wait", "BODYTEXT"), ("wait", "PRETEXT"), ("wait", "ALTTEXT"),
                  ("wait", "LINKTEXT"), "G", ("wait", "example.org/l"), "J",
                  ("wait", "CDATABODY")])
    check_clean(r, ["HITEMTITLE", "HFEEDTITLE", "BODYTEXT", "CDATATEXT", "PRETEXT",
                    "ALTTEXT", "LINKTEXT", "CDATABODY"])


@case("terminal", "tui-reader-pane-atom",
      "Atom text constructs of type text, html and xhtml (titles, summary, content), "
      "person constructs and categories carrying payloads are shown in the reader "
      "without any escape sequence.")
def tui_reader_atom(env):
    feeds_from(env, [("a.xml", hostile_atom("A"))])
    r = tui(env, [("wait", "AFEEDTITLE"), "G", "\r", ("wait", "AENTRYTITLE"), "\r",
                  ("wait", "ATOMBODY"), ("wait", "ATOMAUTHOR"), "J", ("wait", "XHTMLBODY")])
    check_clean(r, ["AENTRYTITLE", "ATOMBODY", "ATOMAUTHOR", "PRETEXT", "XHTMLBODY"])


@case("terminal", "tui-cache-rows",
      "Raw ESC, BEL, DEL, OSC 0/2/52, DSR 6n, window ops, DCS, APC, PM, C1 and bidi bytes "
      "written straight into the database (feed titles, item title, author, link, body) "
      "never reach the terminal from the feed list, article list, reader "
      "or the full-link popup.")
def tui_cache_rows(env):
    feeds_from(env, [("h.xml", hostile_rss("H"))])
    hostile_rows(env)
    r = tui(env, [("wait", "DBFEED"), "G", "\r", ("wait", "DBTITLE"), "\r",
                  ("wait", "DBBODY"), ("wait", "DBPRE"), ("wait", "DBLINK"),
                  ("wait", "DBAUTHOR"), "Y", ("wait", "e.org"), "q", "q", "q",
                  "J", ("sleep", 0.2)])
    check_clean(r, ["DBFEEDT", "DBTITLE", "DBBODY", "DBPRE", "DBLINK", "DBAUTHOR"])


@case("terminal", "tui-invalid-utf8",
      "Invalid UTF-8 in a stored title and body (overlong, truncated, lone continuation, "
      "surrogate and 0xFF bytes) is drawn as U+FFFD, and only valid UTF-8 reaches the terminal.")
def tui_invalid_utf8(env):
    feeds_from(env, [("h.xml", hostile_rss("H"))])
    bad = "x'4241445554463820c0af20e282202080 20eda080 20ff fe 20c2 20f4908080 2045 4e44'".replace(" ", "")
    db = sqlite3.connect(env.db)
    db.execute(f"UPDATE items SET title = CAST({bad} AS TEXT), "
               f"content = NULL, summary = CAST({bad} AS TEXT), summary_type = 0")
    db.commit()
    db.close()
    r = tui(env, [("wait", "HFEEDTITLE"), "G", "\r", ("wait", "BADUTF8"), "\r",
                  ("sleep", 0.3)])
    check_clean(r, ["BADUTF8", "END"])
    check("\ufffd".encode() in r.out, "no U+FFFD was drawn for the invalid bytes")
    for args in (["list"], ["list", "--format", "json"], ["list", "--format", "tsv"]):
        p = env.courant(*args)
        check(p.rc == 0 and b"BADUTF8" in p.out and "\ufffd".encode() in p.out,
              f"courant {' '.join(args)}: {p!r}")
        assert_plain_text(p.out, f"courant {' '.join(args)}")


@case("terminal", "tui-search-and-prompt",
      "The search prompt and the search results (titles, feed names and the view's "
      "header echoing the query) stay free of payload escapes.")
def tui_search(env):
    feeds_from(env, [("h.xml", hostile_rss("H")), ("a.xml", hostile_atom("A"))])
    r = tui(env, [("wait", "HFEEDTITLE"), "/", ("sleep", 0.2), "bodytext", ("sleep", 0.1),
                  "\r", ("wait", "HITEMTITLE"), "\r", ("wait", "BODYTEXT"), "q", "q",
                  "/", "atombody\r", ("wait", "AENTRYTITLE")])
    check_clean(r, ["HITEMTITLE", "AENTRYTITLE", "bodytext"])


@case("terminal", "tui-help-status-and-title",
      "The help screen, status-line messages quoting a hostile link (show in full, copy) "
      "and the window title carry no sequence from feed data: the title is never set "
      "from feed data, and the only OSC written is courant's own OSC 52 of a clean link.")
def tui_help_status(env):
    feeds_from(env, [("h.xml", hostile_rss("H"))])
    hostile_rows(env)
    db = sqlite3.connect(env.db)
    db.execute("UPDATE items SET link = ? WHERE guid = 'h2'",
               (f"https://e.org/ok?{C1}{BIDI}",))
    db.commit()
    db.close()
    r = tui(env, [("wait", "DBFEED"), "?", ("wait", "Keys"), "q", "G", "\r",
                  ("wait", "DBTITLE"), "y", ("wait", "refused"), "Y", ("wait", "e.org"),
                  "q", "j", "\r", ("sleep", 0.2), "y", ("wait", "copied"), "Y", "q", "q"])
    check_clean(r, ["Keys", "refused", "copied"], allow_osc52=True)
    for m in re.finditer(rb"\x1b\]([^\x07\x1b]*)", r.out):
        body = m.group(1)
        check(body.startswith(b"52;c;"), f"an OSC other than 52 was written: {body[:60]!r}")
        url = base64.b64decode(body[5:])
        check(not payload_escapes(url) and url.startswith(b"https://e.org/ok"),
              f"the OSC 52 payload is not a clean link: {url!r}")


def text_width(s):
    return sum(cp_width(c) for c in s)


@case("terminal", "tui-wide-chars-40-columns",
      "On a 40-column terminal, CJK and fullwidth titles, stacked combining marks and "
      "a wide feed title are clipped to the width: no character is written past the "
      "last column, every list row stays on its own line and the reader wraps wide "
      "text without losing a character.")
def tui_wide_40(env):
    cjk = "漢字かな交じり文" * 8
    comb = "e" + "\u0301" * 30 + "x\u0308\u0308\u0308\u0308\u0308\u0308wide"
    items = [{"title": f"T{k} {cjk}" if k % 3 == 0 else f"T{k} {comb} ｆｕｌｌ{cjk}",
              "description": f"&lt;p&gt;{cjk * 3} {comb}&lt;/p&gt;&lt;pre&gt;{cjk * 2}&lt;/pre&gt;"}
             for k in range(6)]
    subscribe_file(env, "w.xml", rss(items, title="幅広い" * 10 + "\u0301" * 9))
    rows, cols = 20, 40
    r = tui(env, [("wait", "幅"), ("sleep", 0.3), "G", "\r", ("wait", "T0"), ("sleep", 0.3)],
            rows=rows, cols=cols)
    check_clean(r)
    s = screen_of(r.out, rows, cols)
    lines = s.lines()
    check(not s.wraps, f"{len(s.wraps)} character(s) written past column {cols}: {s.wraps[:3]}")
    for k in range(6):
        row = s.grid[1 + k]
        check("".join(row[5:10]) == "06-14" and "".join(row[11:13]) == f"T{5 - k}",
              f"list row {k} is out of place: {lines[1 + k]!r}")
        check(text_width("".join(row)) <= cols, f"row {k} is wider than {cols}")
    check(all(not l.strip() for l in lines[7:rows - 2]),
          f"text spilled below the list: {lines[7:rows - 2]}")
    # The reader: the whole first paragraph, wrapped, nothing lost.
    r = tui(env, [("wait", "幅"), ("sleep", 0.3), "G", "\r", ("wait", "T0"), "\r",
                  ("wait", "Link:"), ("sleep", 0.4)], rows=rows, cols=cols)
    check_clean(r)
    s = screen_of(r.out, rows, cols)
    lines = s.lines()
    check(not s.wraps, f"{len(s.wraps)} character(s) written past column {cols}: {s.wraps[:3]}")
    body = [l for l in lines if "漢" in l or "交" in l][1:]  # the title line first
    drawn = sum(l.count("漢") for l in body)
    check(drawn >= 24, f"the reader lost wide characters ({drawn} of 24 drawn): {lines}")
    check(all(text_width(l) <= cols for l in lines), "a reader line is wider than the terminal")


@case("terminal", "huge-titles-bounded",
      "A 2 MB item title, a 2 MB feed title and a 2 MB body without a single space are "
      "shown in bounded time and memory: the reader clips them to the screen and shows "
      "at most 1 KiB of a title in the article header, and `courant list` lines stay "
      "within the 1 MiB field cap.")
def huge_titles(env):
    big = "W" * 2_000_000
    body = "&lt;p&gt;" + "x" * 2_000_000 + "&lt;/p&gt;"
    subscribe_file(env, "big.xml", rss([{"title": "BIGTITLE" + big, "description": body},
                                        {"title": "SMALL", "pubDate": "Mon, 10 Jun 2024 12:00:00 GMT"}],
                                       title="BIGFEED" + big))
    r = tui(env, [("wait", "BIGFEED"), "G", "\r", ("wait", "BIGTITLE"), "\r",
                  ("wait", "line 1/"), " ", " ", ("wait", "xxxxxxxx"), "G", ("sleep", 0.5)],
            timeout=60)
    check_clean(r, ["BIGFEED", "BIGTITLE"])
    check(r.seconds < 30, f"the reader took {r.seconds:.1f} s")
    check(r.maxrss_kb < 400_000, f"the reader used {r.maxrss_kb} KiB")
    s = screen_of(r.out, 24, 80)
    check(not s.wraps, f"{len(s.wraps)} character(s) written past the last column")
    # The header shows at most 1 KiB of a title, then "...": the article
    # starts within a screen or two, not thousands of lines down.
    lines = int(re.findall(rb"line 1/(\d+)", r.out)[0])
    check(lines < 1_048_576 // 70 + 60, f"the article has {lines} lines")
    first = re.search(rb"Title: .*?Feed: ", r.out, re.S)
    check(first and first.group(0).count(b"W") < 1100,
          "the header shows more than 1 KiB of the title")
    for fmt in ("plain", "tsv", "json"):
        p = env.courant("list", "--format", fmt)
        check(p.rc == 0 and b"BIGTITLE" in p.out, f"courant list --format {fmt}: {p!r}")
        longest = max(len(l) for l in p.out.splitlines())
        # A title and a feed title of at most 1 MiB each (and their JSON escapes).
        check(longest < 4 * 1_048_576, f"list --format {fmt} printed a {longest}-byte line")
        assert_plain_text(p.out, f"courant list --format {fmt}")


if __name__ == "__main__":
    self_test()
    sys.exit(main())
