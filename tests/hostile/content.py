#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""XML and HTML content: hostile and broken documents are parsed in bounded
time and memory, keep what can be kept, and never read local files or the
network.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).

Most feed cases follow one play (see Local): a file:// feed is subscribed
with `courant add` while it is good, one article is marked read and another
starred; the file is then replaced by the hostile document and refreshed.
The case asserts what the refresh says, that the stored articles and their
state are still there, what of the new document was kept, that `courant
parse` of the document ends with a clear message, that every output is
plain text, and that time and memory stay bounded. Article (HTML) cases go
through `courant render`, the reading pane's renderer.
"""

import os
import re
import resource
import sys

from harness import *  # noqa: F401,F403

# Bounds that catch a runaway on an ASan build (RSS ~3x, time ~3x) while a
# normal build needs a tenth of them.
SECONDS = 20
MAXRSS_KB = 300 * 1024
ETC_PASSWD = "root:x:0:0"


def good_doc(n=3, name="local"):
    return rss([{"title": f"{name} article {k}", "guid": f"{name}-{k}",
                 "link": f"https://example.org/{name}/{k}",
                 "description": f"Text of article {k}."} for k in range(n)],
               title=f"Feed {name}")


def bounded(r, what, seconds=SECONDS, maxrss_kb=MAXRSS_KB):
    check(not r.timed_out, f"{what} did not end: {r!r}")
    check(r.rc >= 0, f"{what} crashed: {r!r}")
    check(b"AddressSanitizer" not in r.err and b"runtime error" not in r.err,
          f"{what}: sanitizer: {r.err[-2000:]!r}")
    check(r.seconds < seconds, f"{what} took {r.seconds:.1f} s: {r!r}")
    check(r.maxrss_kb < maxrss_kb, f"{what} used {r.maxrss_kb} KiB: {r!r}")
    assert_plain_text(r.out, f"{what}'s standard output")
    assert_plain_text(r.err, f"{what}'s standard error")
    if os.environ.get("HOSTILE_VERBOSE"):
        print(f"# {what}: rc {r.rc}, {r.seconds:.2f} s, {r.maxrss_kb} KiB: "
              f"{r.text[-400:]!r}")
    return r


class Local:
    """A file:// feed stored while good; see the module's docstring."""

    def __init__(self, env, n=3, config=""):
        self.env = env
        env.write(env.config, config)
        self.path = subscribe_file(env, "feed.xml", good_doc(n))
        self.url = "file://" + self.path
        ids = [line.split("\t")[0] for line in self.state()]
        check(len(ids) == n, f"{n} articles were not stored: {ids}")
        for verb, i in (("read", ids[0]), ("starred", ids[1])):
            r = env.courant("mark", verb, i)
            check(r.rc == 0, f"mark {verb} {i}: {r!r}")
        self.before = self.state()

    def state(self):
        r = self.env.courant("list", "--feed", self.url, "--limit", "0",
                             "--format", "tsv")
        check(r.rc == 0, f"list: {r!r}")
        assert_plain_text(r.out, "list")
        return sorted(r.out.decode("utf-8").splitlines())

    def titles(self):
        return sorted(line.split("\t")[5] for line in self.state())

    def turn(self, document):
        self.env.write(self.path, document)

    def refresh(self, fails, **kw):
        r = bounded(self.env.courant("refresh", timeout=SECONDS + 30),
                    "refresh", **kw)
        check(r.rc == (1 if fails else 0), f"refresh's exit status: {r!r}")
        return r

    def kept(self, same=True):
        """Everything stored before is still there, state included; with
        same, nothing else either."""
        after = self.state()
        if same:
            check(after == self.before, f"the articles changed:\n"
                                        f"before {self.before}\nafter  {after}")
        else:
            check(set(self.before) <= set(after),
                  f"articles were lost:\nbefore {self.before}\nafter  {after}")
        return after

    def parse(self, *args, **kw):
        return bounded(self.env.courant("parse", *args, self.path,
                                        timeout=SECONDS + 30), "parse", **kw)

    def no_file_content(self):
        """Nothing of /etc/passwd anywhere: outputs, store, database."""
        for args in (("list", "--limit", "0", "--format", "json"),
                     ("search", "root"), ("parse", "--json", self.path)):
            r = self.env.courant(*args)
            check(ETC_PASSWD not in r.text, f"{args}: the file was read")
        for suffix in ("", "-wal"):
            try:
                with open(self.env.db + suffix, "rb") as f:
                    check(ETC_PASSWD.encode() not in f.read(),
                          "the file is in the database")
            except FileNotFoundError:
                pass


def error_line(r, *words):
    text = r.text
    for w in words:
        check(w in text, f"the message does not say {w!r}: {r!r}")


def render(env, html, *args, seconds=SECONDS, maxrss_kb=MAXRSS_KB, stack_kb=None):
    """`courant render` of html (str or bytes) from a file."""
    path = env.write("article.html", html)
    preexec = None
    if stack_kb:
        def preexec():
            resource.setrlimit(resource.RLIMIT_STACK,
                               (stack_kb * 1024, stack_kb * 1024))
    r = env.run(env.argv(["render", "--width", "72", *args, path]),
                timeout=seconds + 30, preexec=preexec)
    bounded(r, "render", seconds, maxrss_kb)
    check(r.rc == 0, f"render failed: {r!r}")
    return r


def links_of(out):
    """The numbered links at the end of a rendering."""
    text = out.decode("utf-8")
    if "\nLinks:\n" not in text:
        return []
    return re.findall(r"^\[\d+\] (\S+)", text.split("\nLinks:\n", 1)[1], re.M)


# ---- entities ----------------------------------------------------------------

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "aaaaaaaaaa">
""" + "".join(f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">\n'
              for k in range(9)) + "]>\n"


@case("content", "billion-laughs",
      "a billion-laughs document (10 levels of 10 nested entities) expands "
      "nothing: it is read in a fraction of a second and a few MB, the "
      "articles around it are kept, no text comes out of the entity, and "
      "parse says 'not expanded'")
def _(env):
    feed = Local(env)
    doc = LAUGHS + good_doc(4).split("?>", 1)[1].replace(
        "local article 3", "laughs &j;")
    feed.turn(doc)
    r = feed.refresh(fails=False, maxrss_kb=100 * 1024)
    after = feed.kept(same=False)
    check(len(after) == 4, f"the articles around the entity: {after}")
    check(not any("aaaaaaaaaaaaaaaaaaaa" in line for line in after),
          f"an entity was expanded: {after}")
    p = feed.parse(maxrss_kb=100 * 1024)
    error_line(p, "entity 'j' not expanded: it holds references or markup")
    check(r.seconds < 5 and p.seconds < 5, "slow")


@case("content", "quadratic-blowup",
      "a quadratic blowup (a 1,000-byte entity referenced 20,000 times, 20 MB "
      "of text from a 100 KB file) is stopped at 1 MiB of expansion with "
      "'entities expand to over 1 MiB'; nothing of the document is stored "
      "and the stored articles stay")
def _(env):
    feed = Local(env)
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x "'
           + "x" * 1000 + '">]>\n'
           + good_doc(4).split("?>", 1)[1].replace(
               "Text of article 3.", "&x;" * 20000))
    feed.turn(doc)
    r = feed.refresh(fails=True)
    error_line(r, "entities expand to over 1 MiB")
    feed.kept()
    error_line(feed.parse(), "entities expand to over 1 MiB")


@case("content", "external-entity-file",
      "an external entity, general or parameter, naming file:///etc/passwd "
      "is never loaded: no byte of the file reaches an output, the store or "
      "the database, and the articles are kept")
def _(env):
    feed = Local(env)
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
           '<!ENTITY x SYSTEM "file:///etc/passwd">\n'
           '<!ENTITY % p SYSTEM "file:///etc/passwd">\n%p;\n]>\n'
           + good_doc(4).split("?>", 1)[1]
           .replace("local article 3", "passwd &x;")
           .replace("Text of article 3.", "&x;"))
    feed.turn(doc)
    feed.refresh(fails=False)
    after = feed.kept(same=False)
    check(len(after) == 4, f"{after}")
    feed.no_file_content()
    error_line(feed.parse(), "entity 'x' not expanded: an external entity")


def entity_server(env):
    s = env.serve()
    for path in ("/entity", "/dtd", "/param", "/xinclude"):
        s.route(path, static('<!ENTITY leak "LEAKED">', content_type="text/plain"))
    return s


def no_requests(server):
    check(not server.requests, f"the network was used: {server.requests}")


@case("content", "external-entity-http",
      "an external entity naming http://127.0.0.1:PORT/ is never fetched: "
      "the server sees no request, and the articles are kept")
def _(env):
    s = entity_server(env)
    feed = Local(env)
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
           f'<!ENTITY x SYSTEM "{s.url("/entity")}">\n]>\n'
           + good_doc(4).split("?>", 1)[1]
           .replace("local article 3", "remote &x;"))
    feed.turn(doc)
    feed.refresh(fails=False)
    feed.kept(same=False)
    feed.parse("--json")
    no_requests(s)


@case("content", "external-dtd",
      "a DOCTYPE with a SYSTEM or PUBLIC DTD at http://127.0.0.1:PORT/ is "
      "never loaded: the server sees no request")
def _(env):
    s = entity_server(env)
    feed = Local(env)
    for doctype in (f'<!DOCTYPE rss SYSTEM "{s.url("/dtd")}">',
                    f'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS '
                    f'0.91//EN" "{s.url("/dtd")}">'):
        doc = ('<?xml version="1.0"?>\n' + doctype + "\n"
               + good_doc(4).split("?>", 1)[1]
               .replace("local article 3", "dtd &leak;"))
        feed.turn(doc)
        r = feed.refresh(fails=False)
        check("LEAKED" not in r.text, "the DTD was read")
        feed.parse("--json")
    feed.kept(same=False)
    check(not any("LEAKED" in t for t in feed.titles()), "the DTD was read")
    no_requests(s)


@case("content", "parameter-entities",
      "external parameter entities (%p; of http://127.0.0.1:PORT/ and of a "
      "file) are never loaded; internal ones do not expand into the "
      "document; the server sees no request")
def _(env):
    s = entity_server(env)
    feed = Local(env)
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
           f'<!ENTITY % remote SYSTEM "{s.url("/param")}">\n%remote;\n'
           '<!ENTITY % local SYSTEM "file:///etc/passwd">\n%local;\n'
           '<!ENTITY % inner "<!ENTITY leak2 \'INNER\'>">\n%inner;\n'
           ']>\n'
           + good_doc(4).split("?>", 1)[1]
           .replace("local article 3", "param &leak; &leak2;"))
    feed.turn(doc)
    feed.refresh(fails=False)
    feed.kept(same=False)
    feed.parse("--json")
    no_requests(s)
    feed.no_file_content()
    check(not any("LEAKED" in t for t in feed.titles()), feed.titles())


@case("content", "xinclude",
      "XInclude elements (of /etc/passwd as text and of "
      "http://127.0.0.1:PORT/) are left alone: nothing is included, the "
      "server sees no request")
def _(env):
    s = entity_server(env)
    feed = Local(env)
    xi = ('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
          'href="file:///etc/passwd" parse="text"/>'
          f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
          f'href="{s.url("/xinclude")}" parse="text"/>')
    doc = good_doc(4).replace("<title>local article 3</title>",
                              f"<title>include {xi}</title>") \
                     .replace("Text of article 3.", xi) \
                     .replace("<channel>", "<channel>" + xi)
    feed.turn(doc)
    feed.refresh(fails=False)
    feed.kept(same=False)
    feed.parse("--json")
    no_requests(s)
    feed.no_file_content()


# ---- sizes and depth ------------------------------------------------------------


@case("content", "nesting-100k-deep",
      "100,000 nested elements inside an item (well-formed XML) cost a "
      "fraction of a second and a few MB: nesting past 256 is ignored, the "
      "item and those after it are kept")
def _(env):
    feed = Local(env)
    deep = "<x>" * 100000 + "deep" + "</x>" * 100000
    feed.turn(good_doc(5).replace("<title>local article 3</title>",
                                  "<title>local article 3</title>" + deep))
    feed.refresh(fails=False, maxrss_kb=100 * 1024)
    after = feed.kept(same=False)
    check(feed.titles() == [f"local article {k}" for k in range(5)],
          f"the items around the depth: {after}")
    feed.parse(maxrss_kb=100 * 1024)


def write_big(env, path, head, parts, tail):
    """Writes head, the strings of the iterable parts and tail to path,
    without ever holding the whole document: the harness process forks
    courant, and a forked child's peak RSS starts at the parent's."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        for part in parts:
            f.write(part)
        f.write(tail)


def split_doc(doc, marker):
    k = doc.index(marker)
    return doc[:k], doc[k + len(marker):]


@case("content", "text-node-10mb",
      "a 10 MB text node is cut at the 1 MiB field cap: the item is stored "
      "with at most 1 MiB of text, the items after it too, in bounded memory")
def _(env):
    feed = Local(env)
    head, tail = split_doc(good_doc(5), "Text of article 3.")
    write_big(env, feed.path, head, ("lorem ipsum " * 8192 for _ in range(107)), tail)
    feed.refresh(fails=False, maxrss_kb=150 * 1024)
    after = feed.kept(same=False)
    check(len(after) == 5, f"items: {after}")
    p = feed.parse("--json", maxrss_kb=150 * 1024)
    import json
    summary = json.loads(p.out)["items"][3]["summary"]["value"]
    check(len(summary.encode()) <= 1 << 20, f"{len(summary)} bytes kept")
    check(summary.startswith("lorem ipsum"), "the text is gone")


@case("content", "million-attributes",
      "an item element with a million attributes (11 MB) costs seconds, not "
      "hours: attributes past 256 in one tag are dropped, the "
      "document is marked not well-formed, and every item is kept")
def _(env):
    feed = Local(env)
    head, tail = split_doc(good_doc(5), "<item><title>local article 2")
    write_big(env, feed.path, head + "<item",
              (" ".join(f"a{k}_{j}=''" for j in range(10000)) + " "
               for k in range(100)),
              "><title>local article 2" + tail)
    feed.refresh(fails=False, seconds=10)
    after = feed.kept(same=False)
    check(len(after) == 5, f"items: {after}")
    error_line(feed.parse(seconds=10), "more than 256 attributes")


@case("content", "dtd-attribute-defaults",
      "a feed whose DTD declares 60,000 attribute defaults for <item> (1 MB; "
      "libxml2 would add them to every item and compare them pairwise, 13 s "
      "for 4 items) is refused in a fraction of a second with 'more than 256 "
      "attributes', and the stored articles stay as they were")
def _(env):
    feed = Local(env)
    decls = " ".join(f"a{k} CDATA 'x'" for k in range(60000))
    feed.turn(good_doc(4).replace(
        "<rss", f"<!DOCTYPE rss [<!ATTLIST item {decls}>]>\n<rss", 1))
    del decls
    r = feed.refresh(fails=True, seconds=5)
    error_line(r, "more than 256 attributes")
    feed.kept()
    error_line(feed.parse(seconds=5), "more than 256 attributes")


@case("content", "less-than-in-cdata-and-comments",
      "'a<b' followed by 400 words in a CDATA section, a comment and a PI "
      "is text, not a tag for the attribute guard: every item is stored, "
      "the CDATA text whole")
def _(env):
    feed = Local(env)
    words = " ".join(f"w{k}" for k in range(400))
    doc = good_doc(5).replace(
        "Text of article 1.", f"<![CDATA[if a<b then {words}]]>").replace(
        "<item>", f"<!-- a<b {words} --><?pi a<b {words}?><item>", 1)
    feed.turn(doc)
    feed.refresh(fails=False)
    check(feed.titles() == [f"local article {k}" for k in range(5)],
          f"{feed.titles()}")
    r = feed.parse("--json")
    check("w399" in r.text, f"parse: {r.text[-400:]!r}")


@case("content", "attribute-values-1mb",
      "1 MB attribute values (an Atom link href, an enclosure url, an "
      "xml:base) are parsed in bounded time and memory and every item is "
      "kept")
def _(env):
    feed = Local(env)
    huge = "https://example.org/" + "a" * (1 << 20)
    doc = good_doc(5).replace(
        "<item><title>local article 3",
        f'<item xml:base="{huge}"><enclosure url="{huge}" length="1" '
        f'type="audio/mpeg"/><atom:link xmlns:atom="http://www.w3.org/2005/Atom" '
        f'rel="alternate" href="{huge}"/><title>local article 3')
    feed.turn(doc)
    feed.refresh(fails=False)
    after = feed.kept(same=False)
    check(len(after) == 5, f"items: {after}")
    feed.parse("--json")


# ---- encodings and bytes ---------------------------------------------------------


@case("content", "invalid-utf8",
      "invalid UTF-8 (overlong forms, surrogates, stray continuation bytes, "
      "0xFF) becomes U+FFFD or another encoding, never raw bytes on output; "
      "every item is kept")
def _(env):
    feed = Local(env)
    bad = b"\xc0\x80 \xed\xa0\x80 \x80\x81 \xff\xfe \xf8\x88\x80\x80\x80 \xe2\x82"
    doc = good_doc(5).encode().replace(b"local article 3", b"bytes " + bad + b" end")
    feed.turn(doc)
    feed.refresh(fails=False)
    after = feed.kept(same=False)
    check(len(after) == 5, f"items: {after}")
    check(any("bytes" in t and " end" in t for t in feed.titles()),
          f"the title was cut at the bad bytes: {feed.titles()}")
    feed.parse()


@case("content", "mixed-encodings",
      "a document declared ISO-8859-1 holding UTF-8, and one declared UTF-8 "
      "holding Windows-1252 bytes, are read in one encoding each and printed "
      "as valid UTF-8; every item is kept")
def _(env):
    feed = Local(env)
    for decl, text in (("iso-8859-1", "café €".encode("utf-8")),
                       ("utf-8", "café “quoted” €".encode("cp1252"))):
        doc = good_doc(5).encode().replace(b'encoding="UTF-8"',
                                           f'encoding="{decl}"'.encode()) \
            .replace(b"local article 3", b"mixed " + text)
        feed.turn(doc)
        feed.refresh(fails=False)
        after = feed.kept(same=False)
        check(len(after) == 5, f"items: {after}")
        check(any(t.startswith("mixed caf") for t in feed.titles()),
              f"{feed.titles()}")
        feed.parse()


@case("content", "utf16-without-bom",
      "a UTF-16 document without a byte order mark is recognised from its "
      "first bytes and read correctly, or refused clearly; nothing stored is "
      "lost and nothing garbled is stored")
def _(env):
    feed = Local(env)
    for codec in ("utf-16-le", "utf-16-be"):
        doc = good_doc(5).replace('encoding="UTF-8"', 'encoding="UTF-16"') \
            .replace("local article 3", "sixteen ünï")
        feed.turn(doc.encode(codec))
        feed.refresh(fails=False)
        after = feed.kept(same=False)
        check("sixteen ünï" in feed.titles(), f"{codec}: {feed.titles()}")
        check(len(after) == 5, f"items: {after}")
        feed.parse()


@case("content", "nul-bytes",
      "NUL bytes inside a title, between items and in a description do not "
      "cut the document: every item is kept with the NULs dropped, and parse "
      "says 'NUL bytes (dropped)'")
def _(env):
    feed = Local(env)
    doc = good_doc(5).encode().replace(b"local article 3", b"nul\x00here") \
        .replace(b"</item><item>", b"</item>\x00<item>", 1) \
        .replace(b"Text of article 4.", b"\x00\x00text\x00")
    feed.turn(doc)
    feed.refresh(fails=False)
    after = feed.kept(same=False)
    check(len(after) == 5, f"items: {after}")
    check("nulhere" in feed.titles(), f"{feed.titles()}")
    error_line(feed.parse(), "NUL bytes (dropped)")


@case("content", "feed-is-html",
      "a feed file that is really an HTML page fails with 'not an RSS or "
      "Atom feed' and the stored articles stay")
def _(env):
    feed = Local(env)
    feed.turn("<!DOCTYPE html><html><head><title>Sign in</title></head><body>"
              "<item><title>fake</title></item><p>Please log in</p></body></html>")
    r = feed.refresh(fails=True)
    error_line(r, "not an RSS or Atom feed")
    feed.kept()
    r = env.courant("feeds", "--errors")
    error_line(r, "not an RSS or Atom feed")


@case("content", "truncated-feed",
      "a feed cut in the middle of an item keeps the whole items before the "
      "cut, drops the one cut (no half article with a made-up key), and "
      "says 'cut short' (refresh) and 'truncated' (parse), and 'dropped'")
def _(env):
    feed = Local(env)
    doc = good_doc(6)
    feed.turn(doc[:doc.index("local article 5") + 8])
    r = feed.refresh(fails=False)
    error_line(r, "cut short", "dropped")
    feed.kept(same=False)
    check(feed.titles() == [f"local article {k}" for k in range(5)],
          f"{feed.titles()}")
    error_line(feed.parse(), "truncated")
    # The whole document later: the cut article once, nothing twice.
    feed.turn(doc)
    feed.refresh(fails=False)
    check(feed.titles() == [f"local article {k}" for k in range(6)],
          f"{feed.titles()}")


@case("content", "truncated-inside-a-tag",
      "a feed cut inside a tag of its last item (where libxml2's first "
      "complaint is the tag) still says that it was cut short and that the "
      "item was dropped, in refresh and in parse")
def _(env):
    feed = Local(env)
    doc = good_doc(6)
    feed.turn(doc[:doc.index("<guid>local-5") + 3])
    r = feed.refresh(fails=False)
    error_line(r, "cut short", "dropped")
    feed.kept(same=False)
    check(feed.titles() == [f"local article {k}" for k in range(5)],
          f"{feed.titles()}")
    error_line(feed.parse(), "truncated", "dropped")


@case("content", "unclosed-tags-complete-feed",
      "a complete feed with unclosed tags (podcasts' <enclosure ...>, three "
      "in the last item) is not 'cut short': every item is stored, on every "
      "refresh")
def _(env):
    feed = Local(env)
    doc = good_doc(6)
    doc = doc.replace("</item>", '<enclosure url="https://example.org/a.mp3" '
                                 'type="audio/mpeg" length="1"></item>')
    k = doc.rindex("</item>")
    doc = doc[:k] + "<a><b>" + doc[k:] + "\n<!-- generated -->\n"
    feed.turn(doc)
    for _ in range(2):
        r = feed.refresh(fails=False)
        check("cut short" not in r.text, f"refresh: {r!r}")
        feed.kept(same=False)
        check(feed.titles() == [f"local article {k}" for k in range(6)],
              f"{feed.titles()}")
    r = feed.parse()
    check("truncated" not in r.text, f"parse: {r!r}")


@case("content", "duplicate-guids",
      "items repeating one guid within a feed are stored once, and refreshing "
      "the same document again adds nothing")
def _(env):
    feed = Local(env)
    items = [{"title": f"dup {k}", "guid": "same-guid"} for k in range(5)]
    items += [{"title": f"local article {k}", "guid": f"local-{k}",
               "link": f"https://example.org/local/{k}",
               "description": f"Text of article {k}."} for k in range(3)]
    feed.turn(rss(items, title="Feed local"))
    r = feed.refresh(fails=False)
    after = feed.kept(same=False)
    check(len(after) == 4, f"the duplicates: {after}")
    r = feed.refresh(fails=False)
    check(b"0 new items" in r.out and b"Feed local:" not in r.out,
          f"a duplicate came back as new: {r!r}")
    check(len(feed.state()) == 4, "the store grew")


@case("content", "guids-change-every-refresh",
      "a feed that gives all its items new guids at every refresh grows the "
      "store only up to what max-items and cleanup-unread keep, and the "
      "starred article stays")
def _(env):
    feed = Local(env, config="set max-items 10\nset cleanup-unread yes\n")
    for round in range(6):
        items = [{"title": f"churn {round}.{k}", "guid": f"r{round}-{k}"}
                 for k in range(20)]
        feed.turn(rss(items, title="Feed local"))
        feed.refresh(fails=False)
    after = feed.state()
    check(len(after) <= 20 + 1, f"{len(after)} articles kept")
    starred = [line for line in feed.before if line.split("\t")[3] == "1"]
    check(set(starred) <= set(after), "the starred article was removed")


# ---- OPML ----------------------------------------------------------------------


def opml(outlines, doctype=""):
    return ('<?xml version="1.0"?>\n' + doctype +
            '<opml version="2.0"><head><title>subs</title></head><body>'
            + outlines + "</body></opml>\n")


def short_name(k):
    digits = "abcdefghijklmnopqrstuvwxyz0123456789"
    name = digits[k % 26]
    k //= 26
    while k:
        name += digits[k % 36]
        k //= 36
    return name


@case("content", "opml-100k-attributes",
      "`courant import` of an OPML file (under the 1 MiB limit) with an "
      "outline of 100,000 attributes is refused in a fraction of a second "
      "with 'more than 256 attributes' (libxml2 alone takes a minute), and "
      "imports nothing")
def _(env):
    env.write(env.urls, "")
    attrs = " ".join(f'{short_name(k)}=""' for k in range(100000))
    path = env.write("subs.opml", opml(
        '<outline type="rss" xmlUrl="https://example.org/one"/>'
        f'<outline type="rss" xmlUrl="https://example.org/two" {attrs}/>'))
    del attrs
    r = bounded(env.courant("import", path, timeout=60), "import", seconds=10)
    check(r.rc != 0, f"import: {r!r}")
    error_line(r, "more than 256 attributes")
    check(open(env.urls).read() == "", "feeds were imported")


@case("content", "opml-doctype-entities",
      "an OPML file with a DOCTYPE (external entities of /etc/passwd and of "
      "http://127.0.0.1:PORT/, used or not) is refused whole before its "
      "declarations are read ('a DOCTYPE is not accepted'): no file is "
      "read, the server sees no request")
def _(env):
    s = entity_server(env)
    env.write(env.urls, "")
    doctype = ('<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">'
               f'<!ENTITY y SYSTEM "{s.url("/entity")}">]>\n')
    for title in ("one", "&x;&y;"):
        path = env.write("subs.opml", opml(
            f'<outline type="rss" title="{title}" '
            'xmlUrl="https://example.org/one"/>', doctype))
        r = bounded(env.courant("import", path), "import")
        check(r.rc != 0, f"import: {r!r}")
        error_line(r, "a DOCTYPE is not accepted")
        check(ETC_PASSWD not in r.text, "the file was read")
    no_requests(s)
    check(open(env.urls).read() == "", "feeds were imported")


@case("content", "opml-attlist-and-xml-names",
      "`courant import` refuses in a fraction of a second an OPML file whose "
      "DOCTYPE declares 60,000 attribute defaults (libxml2 alone: 11 s) and "
      "one with 40,000 attributes on a tag whose name starts with '_' (an "
      "XML name, not an HTML one: 3 s), and imports nothing")
def _(env):
    env.write(env.urls, "")
    decls = " ".join(f"a{k} CDATA 'x'" for k in range(60000))
    attrs = " ".join(f'{short_name(k)}=""' for k in range(40000))
    outline = '<outline type="rss" xmlUrl="https://example.org/one"/>'
    for doc, words in (
            (opml(outline, f"<!DOCTYPE opml [<!ATTLIST outline {decls}>]>\n"),
             "a DOCTYPE is not accepted"),
            (opml(f"<_x {attrs}/>{outline}"), "more than 256 attributes")):
        path = env.write("subs.opml", doc)
        r = bounded(env.courant("import", path), "import", seconds=2)
        check(r.rc != 0, f"import: {r!r}")
        error_line(r, words)
    check(open(env.urls).read() == "", "feeds were imported")


# ---- HTML articles ----------------------------------------------------------------

ACTIVE = """<p>Before</p>
<script>document.write("SCRIPTTEXT")</script><noscript>NOSCRIPT</noscript>
<style>p { color: red } STYLETEXT</style>
<iframe src="https://evil.example/iframe">IFRAMETEXT</iframe>
<meta http-equiv="refresh" content="0;url=https://evil.example/meta">
<form action="https://evil.example/form"><input name="pw" value="INPUTVALUE">
<textarea>TEXTAREA</textarea><button formaction="https://evil.example/button">BUTTON</button></form>
<object data="https://evil.example/object">OBJECTTEXT<param name="x" value="PARAM"></object>
<embed src="https://evil.example/embed"><svg><script>SVGSCRIPT</script></svg>
<math><mtext>MATHTEXT</mtext></math><template>TEMPLATE</template>
<p>After <a href="https://good.example/">the link</a></p>
"""


@case("content", "html-active-content",
      "script, style, iframe, meta refresh, form, object, embed, svg and "
      "template in an article show none of their text and offer none of "
      "their addresses; the text around them (after an <embed> too) stays")
def _(env):
    r = render(env, ACTIVE)
    out = r.out.decode()
    for hidden in ("SCRIPTTEXT", "STYLETEXT", "IFRAMETEXT", "INPUTVALUE",
                   "TEXTAREA", "OBJECTTEXT", "PARAM", "SVGSCRIPT", "TEMPLATE",
                   "evil.example"):
        check(hidden not in out, f"{hidden} shown: {out}")
    check("Before" in out and "After" in out and "the link" in out,
          f"the text around was lost: {out}")
    check(links_of(r.out) == ["https://good.example/"], f"links: {out}")


@case("content", "html-nesting-100k",
      "an article of 100,000 nested tables, lists, quotes or divs renders "
      "in bounded time and memory, even with a 1 MB stack: libxml2 stops at "
      "depth 256 and the text before is shown")
def _(env):
    for open_, close in (("<table><tr><td>", "</td></tr></table>"),
                         ("<ul><li>", "</li></ul>"),
                         ("<blockquote>", "</blockquote>"),
                         ("<div>", "</div>"), ("<ol><li><dl><dd>", "</dd></dl></li></ol>")):
        html = "<p>top</p>" + open_ * 100000 + "deep text" + close * 100000 + "<p>end</p>"
        r = render(env, html, stack_kb=1024)
        check(b"top" in r.out, f"{open_}: {r!r}")


@case("content", "html-huge-pre-and-colspan",
      "a 1 MB line in <pre>, and table cells with colspan and rowspan of "
      "2^31 and 10^9, render in bounded time and memory with lines cut to "
      "the width")
def _(env):
    html = ("<pre>" + "x" * (1 << 20) + "</pre>"
            '<table><tr><td colspan="2147483647">a</td><td colspan="-5">b</td></tr>'
            '<tr><td rowspan="1000000000" colspan="99999999999999999999">c</td>'
            '<td colspan="0">d</td></tr></table><p>end</p>')
    r = render(env, html)
    lines = r.out.decode().splitlines()
    check("end" in lines, f"the text after: {lines[-5:]}")
    check(len(r.out) < 4 << 20, f"{len(r.out)} bytes of output")


@case("content", "html-attribute-values-1mb",
      "1 MB href, src, alt and title attributes render in bounded time and "
      "memory; a 1 MB address is never offered as a link to open")
def _(env):
    huge = "https://example.org/" + "a" * (1 << 20)
    html = (f'<p><a href="{huge}" title="{"t" * (1 << 20)}">long</a> '
            f'<img src="{huge}" alt="{"b" * (1 << 20)}"> '
            f'<a href="https://ok.example/">ok</a></p>')
    r = render(env, html)
    check(all(len(u) < 10000 for u in links_of(r.out)),
          "a 1 MB address is offered")
    check("https://ok.example/" in links_of(r.out), f"{links_of(r.out)}")


@case("content", "html-many-attributes",
      "an article tag with 200,000 attributes renders in seconds, not "
      "minutes (attributes past 256 are dropped before libxml2's pairwise "
      "check)")
def _(env):
    attrs = " ".join(f'a{k}="v>"' for k in range(200000))
    html = f'<p>before <a href="https://ok.example/" {attrs}>link</a> after</p>'
    r = render(env, html, seconds=10)
    out = r.out.decode()
    check("before" in out and "after" in out, out[:300])
    check(links_of(r.out) == ["https://ok.example/"], out[-300:])


DANGEROUS = ["javascript:alert(1)", "JaVaScRiPt:alert(2)", " javascript:alert(3)",
             "java\tscript:alert(4)", "&#106;avascript:alert(5)",
             "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
             "vbscript:msgbox(6)", "file:///etc/passwd", "-oProxyCommand=x",
             "ftp://example.org/x", "//evil.example/", "about:blank"]


@case("content", "html-dangerous-urls",
      "links and images to javascript:, data:, vbscript:, file:, ftp: and "
      "dash-led addresses, plain or obfuscated, render as text and are never "
      "numbered as links to open; only http and https are")
def _(env):
    parts = [f'<a href="{u}">L{k}</a> <img src="{u}" alt="I{k}">'
             for k, u in enumerate(DANGEROUS)]
    html = "<p>" + " ".join(parts) + ' <a href="https://ok.example/">ok</a></p>'
    r = render(env, html, "--base", "https://base.example/dir/")
    out = r.out.decode()
    for k in range(len(DANGEROUS)):
        check(f"L{k}" in out, f"link text L{k} lost: {out}")
    links = links_of(r.out)
    check(all(u.startswith(("http://", "https://")) for u in links), f"{links}")
    check("https://ok.example/" in links, f"{links}")
    check(not any("javascript" in u.lower() or "passwd" in u for u in links),
          f"{links}")


if __name__ == "__main__":
    sys.exit(main())
