#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a large, realistic RSS 2.0 feed for the parse benchmark.

The output depends only on --seed and --size: the same arguments give the
same bytes on every machine (only the standard library's Mersenne Twister is
used, never the clock). Items look like a busy news site's: titles, links,
guids, RFC 822 dates, authors, categories, descriptions with escaped HTML,
and for some items a long content:encoded in CDATA, with a few non-ASCII
characters. The file is written next to its final name and renamed into
place, so an interrupted run never leaves a truncated feed behind.

Prints "ITEMS BYTES" on stdout.
"""

import argparse
import os
import random
import sys

WORDS = """
a about after against agency air all also an and announced another area
as at authorities back bank because been before being between bill board
border both bridge budget but by capital census change children city
climate coast committee community company council country court crisis
critics data day deal decision despite development director district
during early economy election energy engineers estimate europe expected
experts families farmers federal festival first food for forecast former
from funding government group growth harbour has have health her higher
his history hospital housing in industry inflation into investment island
it its junior last law leaders local long low main major market mayor
measure members million minister month more most museum national network
new next night north of officials on one open or over park parliament
people plan players police policy port power price project public rail
rate record regional report researchers residents river road rural said
school science season second sector service ship since small south
spending state station still storm strike students study summer support
system talks tax team than that the their these they this three through
to today trade traffic train transport two under union university up
upgrade urban vote voters was water weather week were when which while
who will winter with workers world year years young
""".split()

# A few words outside ASCII, as real feeds have: accents, typography, Hangul,
# kanji, an emoji. They are rare, like in real English-language news.
EXOTIC = ["café", "naïve", "Zürich", "São Paulo", "Kraków", "Malmö",
          "résumé", "coöperation", "façade", "Ærø", "“quoted”", "—", "…",
          "€30", "£12", "½", "서울", "東京", "Αθήνα", "Москва", "☕"]

SECTIONS = ["world", "business", "science", "culture", "sport", "tech",
            "travel", "opinion"]
CATEGORIES = ["Politics", "Economy", "Science", "Climate", "Transport",
              "Health", "Education", "Culture", "Sport", "Technology",
              "Energy", "Cities", "Food", "Travel", "Media"]
FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Eun-ji", "Farid", "Greta",
         "Hiro", "Ines", "Jonas", "Kwame", "Lena", "Marta", "Nils", "Olu",
         "Priya", "Quentin", "Rosa", "Sven", "Tomás"]
LAST = ["Alvarez", "Brandt", "Castell", "Dubois", "Eriksen", "Fischer",
        "García", "Haddad", "Ito", "Jansen", "Kowalski", "Lindqvist", "Mensah",
        "Novak", "Okafor", "Park", "Raman", "Søndergaard", "Tanaka", "Weber"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]


def words(rng, n):
    out = rng.choices(WORDS, k=n)
    if rng.random() < 0.15:
        out[rng.randrange(n)] = rng.choice(EXOTIC)
    return out


def sentence(rng, lo=8, hi=22):
    w = words(rng, rng.randint(lo, hi))
    return " ".join(w).capitalize() + "."


def paragraph(rng, lo=2, hi=5):
    return " ".join(sentence(rng) for _ in range(rng.randint(lo, hi)))


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rfc822(t):
    """An RFC 822 date for t seconds after 2024-01-01 00:00 UTC (a Monday),
    computed by hand so that no time zone database is involved."""
    days, rem = divmod(t, 86400)
    wday = DAYS[days % 7]
    # Walk the months of 2024 and 2025; the benchmark covers well under that.
    year, month = 2024, 0
    while True:
        length = [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31,
                  30, 31, 30, 31][month]
        if days < length:
            break
        days -= length
        month += 1
        if month == 12:
            year, month = year + 1, 0
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return "%s, %02d %s %d %02d:%02d:%02d +0000" % (
        wday, days + 1, MONTHS[month], year, h, m, s)


def description(rng, link):
    """Escaped HTML, as most RSS 2.0 feeds carry their summaries."""
    parts = ["<p>%s</p>" % paragraph(rng, 1, 3)]
    if rng.random() < 0.5:
        anchor = " ".join(words(rng, 3))
        parts.append('<p>%s <a href="%s">%s</a>.</p>' % (
            sentence(rng, 5, 10)[:-1], link, anchor))
    if rng.random() < 0.2:
        parts.append('<img src="https://img.example.org/%d.jpg" alt="%s">' % (
            rng.randrange(10**6), " ".join(words(rng, 4))))
    return esc("".join(parts))


def content(rng, link):
    """A long article in CDATA, with the markup a renderer will meet."""
    parts = []
    for i in range(rng.randint(4, 9)):
        if i and rng.random() < 0.25:
            parts.append("<h2>%s</h2>" % sentence(rng, 3, 6)[:-1])
        parts.append("<p>%s</p>" % paragraph(rng, 3, 6))
        r = rng.random()
        if r < 0.15:
            items = "".join("<li>%s</li>" % sentence(rng, 4, 10)
                            for _ in range(rng.randint(3, 6)))
            parts.append("<ul>%s</ul>" % items)
        elif r < 0.22:
            parts.append("<blockquote><p>%s</p></blockquote>" %
                         sentence(rng, 10, 20))
        elif r < 0.26:
            rows = "".join("<tr><td>%s</td><td>%d</td></tr>" % (
                rng.choice(WORDS), rng.randrange(1000))
                for _ in range(rng.randint(2, 5)))
            parts.append("<table>%s</table>" % rows)
    parts.append('<p><a href="%s#more">Read more</a></p>' % link)
    return "<![CDATA[%s]]>" % "".join(parts)


def item(rng, n, t):
    section = rng.choice(SECTIONS)
    title_words = words(rng, rng.randint(5, 12))
    title = " ".join(title_words).capitalize()
    slug = "-".join(w for w in title_words[:6] if w.isascii() and w.isalpha())
    link = "https://news.example.org/%s/%d/%s" % (section, n, slug or "story")
    first, last = rng.choice(FIRST), rng.choice(LAST)
    out = ["<item>\n<title>%s</title>\n<link>%s</link>\n" % (esc(title), link)]
    if rng.random() < 0.8:
        out.append("<guid isPermaLink=\"true\">%s</guid>\n" % link)
    else:
        out.append("<guid isPermaLink=\"false\">news-%08d</guid>\n" % n)
    out.append("<pubDate>%s</pubDate>\n" % rfc822(t))
    if rng.random() < 0.5:
        out.append("<dc:creator>%s %s</dc:creator>\n" % (first, last))
    else:
        out.append("<author>desk@example.org (%s %s)</author>\n" % (first, last))
    for cat in rng.sample(CATEGORIES, rng.randint(1, 3)):
        out.append("<category>%s</category>\n" % cat)
    out.append("<description>%s</description>\n" % description(rng, link))
    if rng.random() < 0.3:
        out.append("<content:encoded>%s</content:encoded>\n" %
                   content(rng, link))
    if rng.random() < 0.05:
        out.append('<enclosure url="https://media.example.org/%d.mp3" '
                   'length="%d" type="audio/mpeg"/>\n' % (
                       n, rng.randrange(10**6, 10**8)))
    if rng.random() < 0.1:
        out.append("<comments>%s#comments</comments>\n" % link)
    out.append("</item>\n")
    return "".join(out)


HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Benchmark Daily</title>
<link>https://news.example.org/</link>
<atom:link href="https://news.example.org/feed.xml" rel="self" type="application/rss+xml"/>
<description>A generated feed for courant's parse benchmark.</description>
<language>en</language>
<lastBuildDate>Mon, 01 Jan 2024 00:00:00 +0000</lastBuildDate>
"""
TAIL = "</channel>\n</rss>\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=float, default=50,
                    help="approximate size in MB (10^6 bytes), default 50")
    ap.add_argument("--seed", type=int, default=1, help="default 1")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    target = int(args.size * 1e6)
    tmp = args.output + ".tmp"
    n = 0
    size = 0
    with open(tmp, "wb") as f:
        data = HEAD.encode()
        f.write(data)
        size += len(data)
        batch = []
        # Newest first, as feeds are: ten months back from 2024-11-01.
        t = 305 * 86400
        while size + len(TAIL) < target:
            t = max(0, t - rng.randint(30, 900))
            data = item(rng, n, t).encode()
            batch.append(data)
            size += len(data)
            n += 1
            if len(batch) == 512:
                f.write(b"".join(batch))
                batch = []
        f.write(b"".join(batch))
        data = TAIL.encode()
        f.write(data)
        size += len(data)
    os.replace(tmp, args.output)
    print(n, size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
