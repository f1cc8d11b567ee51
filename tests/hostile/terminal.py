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
# as bytes (XML cannot: the parser repairs or refuses them). The last word
# is one payload for self_test(): the detector sees it by BEL and DEL, not
# by BS, which it allows (ncurses moves the cursor left with it).
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
    # SO and SI: xterm-256color never uses them (ESC ( 0 and ESC ( B).
    for p in ("\x0e", "\x0f"):
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
    sanitizers(r)
    text = (r.out + r.err).decode("utf-8", "replace")
    for m in markers:
        check(m in text, f"{m!r} never reached {what}: {r!r}")
    assert_terminal_clean(r.out + r.err, allow_osc52, what)
    # No payload's text after its escape was dropped either: "PWN-TITLE"
    # may stay as text, but never directly after an OSC introducer.
    check(b"]2;PWN-TITLE\x07" not in r.out + r.err, "OSC body with BEL reached the output")


def sanitizers(r):
    """An ASan/UBSan/LSan report fails the case even when the exit status
    does not tell (a pty merges it into the output)."""
    for word in (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:"):
        check(word not in r.out + r.err, f"a sanitizer report: {r!r}")


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
    sanitizers(r)
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
    db.execute("UPDATE items SET link = 'https://e.org/ok?clean' WHERE guid = 'h2'")
    db.commit()
    db.close()
    env.write(env.config, "set osc52 yes\n")
    r = tui(env, [("wait", "DBFEED"), "?", ("wait", "Keys"), "q", "G", "\r",
                  ("wait", "DBTITLE"), "y", ("wait", "refused"), "Y", ("wait", "e.org"),
                  "q", "j", "\r", ("sleep", 0.2), "y", ("wait", "copied (OSC 52)"), "Y", "q", "q"])
    check_clean(r, ["Keys", "refused", "copied (OSC 52)"], allow_osc52=True)
    for m in re.finditer(rb"\x1b\]([^\x07\x1b]*)", r.out):
        body = m.group(1)
        check(body.startswith(b"52;c;"), f"an OSC other than 52 was written: {body[:60]!r}")
        url = base64.b64decode(body[5:])
        check(url == b"https://e.org/ok?clean",
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
      "at most 1 KiB of a title in the article header, and `courant list` lines are "
      "bounded by the parser's 1 MiB cap on each field.")
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


def raw_reply(head, body=b""):
    """A route writing a whole response as bytes: a status line, headers
    and body a well-behaved server library would refuse to send."""
    def handler(req):
        req.wfile.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        req.close_connection = True
    return handler


RAW_B = RAW.encode()
C1_B = C1.encode()


@case("terminal", "cli-list-search-count",
      "`courant list` (plain, tsv, json), `search` (plain, tsv, json, with snippets) and "
      "`count` print feed data and raw escape bytes from cache rows with every escape, "
      "C1 and bidi control removed, on a terminal and on a pipe.")
def cli_list_search(env):
    feeds_from(env, [("h.xml", hostile_rss("H")), ("a.xml", hostile_atom("A"))])
    hostile_rows(env)
    for fmt in ("plain", "tsv", "json"):
        check_clean(env.pty(["list", "--format", fmt]), ["DBTITLE", "DBFEED"],
                    f"list --format {fmt}")
        check_clean(env.pty(["search", "--format", fmt, "bodytext"]), ["DBTITLE"],
                    f"search --format {fmt}")
        p = env.courant("list", "--format", fmt)
        check(p.rc == 0 and b"DBTITLE" in p.out, f"list --format {fmt}: {p!r}")
        assert_plain_text(p.out, f"piped list --format {fmt}")
        p = env.courant("search", "--format", fmt, "bodytext")
        assert_plain_text(p.out, f"piped search --format {fmt}")
    # The snippet comes from the stored row.
    p = env.courant("search", "cdatabody")
    check(p.rc == 0 and b"DBSUMMARY" in p.out, f"search snippet: {p!r}")
    assert_plain_text(p.out, "search snippet")
    check_clean(env.pty(["count", "--unread"]))
    check_clean(env.pty(["list", "--feed", "DBFEEDT " + RAW]), what="list --feed")


@case("terminal", "cli-feeds-and-refresh-errors",
      "`courant refresh` report lines, its failure list on stderr, `feeds` and "
      "`feeds --errors` stay clean when a server answers with escapes in its reason "
      "phrase, headers, body and redirect target, and when a stored last error holds "
      "raw escapes.")
def cli_feeds_errors(env):
    good = hostile_rss("G")
    s = env.serve({"/ok": static(good)})
    env.write(env.config, "set connect-timeout 2s\nset download-timeout 5s\n")
    routes = {
        "/reason": raw_reply(b"HTTP/1.1 503 Busy \x1b]2;PWN\x07 " + C1_B + b"\r\n"
                             b"Retry-After: \x1b[6n 5\r\nContent-Type: text/plain\r\n",
                             RAW_B),
        "/type": raw_reply(b"HTTP/1.1 200 OK \x1b[6n\r\nContent-Type: text/\x1b]2;x\x07html;"
                           b" charset=\xc2\x9b6n\r\n", b"<html>" + RAW_B + b"</html>"),
        "/loc": raw_reply(b"HTTP/1.1 302 Found\r\nLocation: gopher://h/\x1b]2;PWN\x07"
                          + C1_B + b"\r\n"),
        "/loc2": raw_reply(b"HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:%d/ok?"
                           % s.port + C1_B + b"\r\n"),
        "/gone": raw_reply(b"HTTP/1.1 410 \x9b6n\r\n"),
    }
    for path in routes:
        r = env.courant("add", s.route(path, static(good)))
        check(r.rc == 0, f"add {path}: {r!r}")
    for path, fn in routes.items():
        s.route(path, fn)
    r = env.pty(["refresh", "--force"], timeout=60)
    check_clean(r, ["GFEEDTITLE"], "refresh")
    check(r.rc == 1, f"refresh with failing feeds: {r!r}")
    check_clean(env.pty(["feeds"]), ["GFEEDTITLE"], "feeds")
    r = env.pty(["feeds", "--errors"])
    check_clean(r, ["HTTP 503", "410"], "feeds --errors")
    db = sqlite3.connect(env.db)
    db.execute("UPDATE feeds SET last_error = ?, failures = 3, last_status = 500",
               (f"DBERROR {RAW} {C1} {BIDI}",))
    db.commit()
    db.close()
    check_clean(env.pty(["feeds", "--errors"]), ["DBERROR"], "feeds --errors")
    p = env.courant("feeds", "--errors")
    assert_plain_text(p.out + p.err, "piped feeds --errors")


@case("terminal", "cli-parse-every-format",
      "`courant parse` (plain, --json, --stats) of hostile RSS, Atom, UTF-16 and "
      "not-well-formed feeds prints every field (categories, enclosure URLs and types, "
      "authors, content) and its error messages on stderr without an escape sequence.")
def cli_parse(env):
    utf16 = hostile_rss("U").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    files = {
        "h.xml": hostile_rss("H").encode(),
        "a.xml": hostile_atom("A").encode(),
        "u16le.xml": b"\xff\xfe" + utf16.encode("utf-16-le"),
        "u16be.xml": b"\xfe\xff" + utf16.encode("utf-16-be"),
        # Raw escapes are not XML: the parser repairs or recovers, and
        # its complaints quote the document.
        "raw.xml": hostile_rss("R").replace("end</title>", RAW + " end</title>").encode()
                   + RAW_B + b"\xff\xfe<bad " + RAW_B,
        "bad8.xml": hostile_rss("B").encode().replace(b"BFEEDTITLE", b"BFEEDTITLE \xc0\xaf\xed\xa0\x80\xff"),
    }
    for name, data in files.items():
        env.write(name, data)
    for name in files:
        path = env.path(name)
        marker = name[0].upper() + "FEEDTITLE"
        check_clean(env.pty(["parse", path]), ["ITEMTITLE" if name != "a.xml" else "ENTRYTITLE"],
                    f"parse {name}")
        r = env.pty(["parse", "--json", path])
        check_clean(r, [marker], f"parse --json {name}")
        check_clean(env.pty(["parse", "--stats", path]), [], f"parse --stats {name}")
        p = env.courant("parse", "--json", path)
        assert_plain_text(p.out + p.err, f"piped parse --json {name}")
        if name in ("h.xml", "u16le.xml", "u16be.xml"):
            for m in ("CATEGORY", "AUTHORNAME", "e.mp3", "audio/", "BODYTEXT", "CDATATEXT"):
                check(m.encode() in p.out, f"parse --json {name} lost {m}: {p!r}")
    # A date string is echoed back as 'invalid', never as given.
    check_clean(env.pty(["parse", "--date", RAW]), ["invalid"], "parse --date")


@case("terminal", "cli-render",
      "`courant render` of HTML, XHTML and plain text holding raw ESC/BEL/CSI/OSC/DCS "
      "bytes, C1 (raw 8-bit and UTF-8), bidi controls, invalid UTF-8 and numeric "
      "references, in <pre>, alt text, link text and link targets, prints only clean "
      "text, in UTF-8 and --ascii modes, from a file and from stdin.")
def cli_render(env):
    html = (html_body("RENDERTEXT") + f"<p>RAWTEXT {RAW} \x9b6n \x9d0;X\x9c</p>"
            f"<pre>RAWPRE {RAW}</pre><a href=\"https://e.org/{RAW}\">RAWLINK</a>"
            f"<a href=\"https://e.org/{C1}{BIDI}\">C1LINK</a><img alt=\"RAWALT {RAW}\">")
    data = html.encode("utf-8", "surrogateescape").replace(b"\xc2\x9b6n \xc2\x9d0;X\xc2\x9c",
                                                          b"\x9b6n \x9d0;X\x9c \xc0\xaf\xff")
    path = env.write("in.html", data)
    for args in ([], ["--ascii"], ["--type", "xhtml"], ["--type", "text"], ["--width", "10"],
                 ["--no-links"]):
        r = env.pty(["render"] + args + [path])
        check(r.rc == 0, f"render {args}: {r!r}")
        check_clean(r, ["RENDERTEXT", "RAWTEXT"] if "xhtml" not in args else [],
                    f"render {' '.join(args)}")
        p = env.courant("render", *args, path)
        assert_plain_text(p.out + p.err, f"piped render {' '.join(args)}")
    p = env.courant("render", "-", stdin=data)
    check(p.rc == 0 and b"RAWPRE" in p.out and b"C1LINK" in p.out, f"render -: {p!r}")
    assert_plain_text(p.out, "render from stdin")


@case("terminal", "cli-export",
      "`courant export` as OPML and as a urls file writes stored feed titles, addresses "
      "and tags with raw escapes, C1 and bidi controls removed.")
def cli_export(env):
    feeds_from(env, [("h.xml", hostile_rss("H"))])
    hostile_rows(env)
    for fmt in ("opml", "urls"):
        r = env.pty(["export", "--format", fmt])
        check_clean(r, ["DBFEED", "DBTAG"] if fmt == "opml" else ["h.xml"], f"export {fmt}")
        p = env.courant("export", "--format", fmt)
        check(p.rc == 0, f"export {fmt}: {p!r}")
        assert_plain_text(p.out, f"piped export {fmt}")


@case("terminal", "cli-add-messages",
      "`courant add` messages stay clean: the feed list of a page announcing several "
      "feeds with hostile titles, the result of subscribing a hostile feed, and "
      "failures with hostile reason phrases and bodies.")
def cli_add(env):
    env.write(env.config, "set connect-timeout 2s\nset download-timeout 5s\n")
    page = (f"<html><head><title>PAGE {RAW}</title>"
            f"<link rel=\"alternate\" type=\"application/rss+xml\" title=\"ONE {RAW} {C1} {BIDI}\" href=\"/a.xml\">"
            f"<link rel=\"alternate\" type=\"application/atom+xml\" title=\"TWO &#x1b;]2;X&#x07; &#155;6n\" href=\"/b.xml?{C1}\">"
            f"</head><body>{RAW}</body></html>").encode()
    s = env.serve({
        "/page": raw_reply(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n", page),
        "/a.xml": static(hostile_rss("X")),
        "/err": raw_reply(b"HTTP/1.1 500 \x1b]2;PWN\x07 " + C1_B + b"\r\nContent-Type: text/html\r\n",
                          RAW_B),
        "/notfeed": raw_reply(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n", RAW_B + C1_B),
    })
    r = env.pty(["add", s.url("/page")])
    check_clean(r, ["ONE", "TWO", "add one of them"], "add of a page")
    check(r.rc == 1, f"add of a page with two feeds: {r!r}")
    r = env.pty(["add", s.url("/a.xml"), "tag" + C1])
    check_clean(r, ["subscribed to", "new item"], "add of a feed")
    check(r.rc == 0, f"add: {r!r}")
    check_clean(env.pty(["add", s.url("/a.xml")]), ["already subscribed"], "add again")
    for path in ("/err", "/notfeed"):
        r = env.pty(["add", s.url(path)])
        check(r.rc == 1, f"add {path}: {r!r}")
        check_clean(r, ["courant add"], f"add {path}")


@case("terminal", "config-errors-echo-data",
      "A config or urls file value with C1 or bidi controls that courant quotes in its "
      "line-numbered error message (unknown setting, bad value, bad address, missing "
      "include) reaches stderr on a terminal without them; control characters are "
      "refused with the file and line.")
def config_errors(env):
    c1, bidi = C1.replace(" ", ""), BIDI.replace(" ", "")  # one word each
    bad_conf = [
        (f"set LAYOUTX{c1}{bidi} yes\n", "unknown setting"),
        (f"set layout VALUEX{c1}{bidi}\n", "layout"),
        (f"bind j FOO{c1} down\n", ":1:"),
        (f"color title RED{bidi}{c1} blue\n", ":1:"),
        (f"include INC{c1}{bidi}\n", "does not exist"),
        (f"set osc52 MAYBE{c1}\n", "osc52"),
        (f"feed TAG{c1} set NAME{bidi} 1\n", ":1:"),
        ("set browser \"a\x1b]2;PWN\x07\"\n", "control character"),
    ]
    for text, words in bad_conf:
        path = env.write("bad.conf", text)
        r = env.pty(["-c", path, "refresh"], files=False)
        check(r.rc == 2, f"{text!r}: exit status {r.rc}, not 2: {r!r}")
        check_clean(r, ["bad.conf:1:", words], f"error for {text!r}")
    bad_urls = [
        (f"URLX{c1}{bidi}://x/\n", "not an http, https or file URL"),
        (f"javascript:{c1}alert(1)\n", "not an http, https or file URL"),
        (f"exec:echo {c1}{bidi}\n", "not supported"),
        ("http://a/ \"~T\x1b]0;x\x07\"\n", "control character"),
        (b"http://a/\x9b6n\n", "not valid UTF-8"),
    ]
    for text, words in bad_urls:
        path = env.write("bad.urls", text)
        r = env.pty(["--db", env.db, "-u", path, "refresh"], files=False)
        check_clean(r, ["bad.urls:1", words], f"error for {text!r}")


@case("terminal", "urls-file-titles-and-tags",
      "Display titles (~Title) and tags from the urls file carrying C1 controls, bidi "
      "controls and escape-looking text are shown clean in the reader's feed list, tag "
      "view and header line, and in `courant feeds` and `list`.")
def urls_titles(env):
    path = env.write("f.xml", hostile_rss("U"))
    env.write(env.urls, f"file://{path} \"TAGX{C1}{BIDI}\" \"~URLSTITLE {C1} {BIDI} ]2;x\"\n"
                        f"file://{path}?2 \"~SECOND{C1}\" TAGX\n")
    check_clean(env.pty(["refresh"]), [], "refresh")
    check_clean(env.pty(["feeds"]), ["URLSTITLE", "TAGX"], "feeds")
    check_clean(env.pty(["list"]), ["URLSTITLE"], "list")
    r = tui(env, [("wait", "URLSTITLE"), ("wait", "SECOND"), "t", ("sleep", 0.3), "TAGX\r",
                  ("wait", "UITEMTITLE"), "q", "G", "\r", ("wait", "UITEMTITLE")])
    check_clean(r, ["URLSTITLE", "SECOND", "TAGX"])


@case("terminal", "opml-import-titles",
      "`courant import` of an OPML file whose titles, folder names, categories and "
      "addresses carry escapes, C1 and bidi controls prints clean warnings, and the "
      "imported titles and tags are shown clean by `feeds`, `export` and the reader.")
def opml_titles(env):
    outl = []
    for k, (title, url) in enumerate([
            (f"OPMLONE {C1} {BIDI} &#155;6n &#x9d;0;X&#x9c;", "http://127.0.0.1:9/one"),
            (f"OPMLTWO {C1}", "http://127.0.0.1:9/two"),
            (f"OPMLC1URL {C1}", f"http://127.0.0.1:9/c1?{C1.replace(' ', '')}"),
            (f"OPMLBAD {C1}", f"gopher://x/{C1}&#x9b;6n"),
            (f"OPMLJS {BIDI}", "javascript:alert(&#x9b;)")]):
        outl.append(f'<outline type="rss" text="{title}" title="{title}" xmlUrl="{url}" '
                    f'category="/CAT{C1},{BIDI}x"/>')
    doc = (f'<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head>'
           f'<title>HEAD {C1}</title></head><body><outline text="FOLDER {C1}{BIDI}">'
           + "".join(outl) + "</outline></body></opml>")
    path = env.write("subs.opml", doc)
    r = env.pty(["import", path])
    check(r.rc == 0, f"import: {r!r}")
    check_clean(r, ["OPMLBAD", "OPMLJS", "skipped"], "import warnings")
    check_clean(env.pty(["feeds"]), ["OPMLONE", "OPMLTWO", "OPMLC1URL", "FOLDER"], "feeds")
    check_clean(env.pty(["export"]), ["OPMLONE", "FOLDER"], "export")
    env.write(env.config, "set connect-timeout 1s\n")
    r = tui(env, [("wait", "OPMLONE"), ("wait", "OPMLTWO")])
    check_clean(r, ["OPMLONE"])
    # An escape as a character reference is not XML: refused, and said so.
    path = env.write("esc.opml", doc.replace("OPMLONE", "OPMLONE &#x1b;]2;X&#x07;"))
    r = env.pty(["import", path])
    check(r.rc == 1, f"import of a not well-formed OPML file: {r!r}")
    check_clean(r, ["not well-formed"], "import error")


@case("terminal", "tui-split-layouts",
      "In the side-by-side (160 columns) and stacked (50 lines) layouts, the list and "
      "reader panes drawn from hostile cache rows stay clean and within their panes: "
      "nothing is written past the last column.")
def tui_split(env):
    feeds_from(env, [("h.xml", hostile_rss("H"))])
    hostile_rows(env)
    for rows, cols in ((40, 160), (50, 100)):
        r = tui(env, [("wait", "DBFEEDT"), "G", "\r", ("wait", "DBTITLE"), "\r",
                      ("wait", "DBBODY"), "\t", "j", "\t", ("sleep", 0.3)], rows=rows, cols=cols)
        check_clean(r, ["DBTITLE", "DBBODY"], f"the {rows}x{cols} terminal")
        s = screen_of(r.out, rows, cols)
        check(not s.wraps, f"{rows}x{cols}: {len(s.wraps)} character(s) past the last column")


@case("terminal", "tui-refresh-failure-messages",
      "A background refresh in the reader (R) whose feeds fail with hostile server "
      "answers (escapes in status line, headers, body, redirect target) reports the "
      "failures in the status line without any escape sequence, and the reader keeps "
      "working.")
def tui_refresh(env):
    good = hostile_rss("G")
    s = env.serve({"/a": static(good), "/b": static(good)})
    env.write(env.config, "set connect-timeout 2s\nset download-timeout 5s\n")
    for path in ("/a", "/b"):
        check(env.courant("add", s.url(path)).rc == 0, "add")
    s.route("/a", raw_reply(b"HTTP/1.1 200 OK \x1b]2;PWN\x07\r\nContent-Type: "
                            b"application/rss+xml\r\n", b"<rss>" + RAW_B + C1_B + b"</rss>"))
    s.route("/b", raw_reply(b"HTTP/1.1 302 \x1b[6n\r\nLocation: gopher://x/\x1b]2;PWN\x07\r\n"))
    r = tui(env, [("wait", "GFEEDTITLE"), "R", ("wait", " end: "),
                  ("sleep", 1.5), "G", "\r", ("wait", "GITEMTITLE")])
    check_clean(r, ["GITEMTITLE"])
    check(s.hits("/a") >= 2 and s.hits("/b") >= 2, "the reader did not refresh")


if __name__ == "__main__":
    self_test()
    sys.exit(main())
