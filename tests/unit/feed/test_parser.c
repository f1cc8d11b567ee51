// SPDX-License-Identifier: MIT
/*
 * The streaming parser: formats, fields, chunking, recovery, and the
 * protections of SECURITY.md (entity expansion, external entities, caps).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "courant/feed.h"
#include "courant/text.h"
#include "courant/util.h"

/* What a parse produced, as one string per item (easy to compare). */
struct result {
	struct buf dump;
	size_t items;
	size_t items_before_finish;
	bool wellformed;
	char *error;
	char *encoding;
	char *feed_title;
	char *feed_link;
	char *language;
	bool truncated;
	char *truncation;
	enum feed_format format;
	int stop_after; /* stop when this many items were seen (0: never) */
	int rc;
};

static void
dump_text(struct buf *b, const char *label, const struct feed_text *t)
{
	static const char *const types[] = { "text", "html", "xhtml" };

	if (t->value != NULL)
		buf_printf(b, "%s(%s)=%s|", label, types[t->type], t->value);
}

static int
collect(const struct feed_item *it, void *arg)
{
	struct result *r = arg;
	struct buf *b = &r->dump;
	char date[32];

	r->items++;
	buf_printf(b, "key=%s|", it->key);
	dump_text(b, "title", &it->title);
	if (it->link)
		buf_printf(b, "link=%s|", it->link);
	if (feed_date_format(it->published, date, sizeof date) >= 0)
		buf_printf(b, "published=%s|", date);
	if (feed_date_format(it->updated, date, sizeof date) >= 0)
		buf_printf(b, "updated=%s|", date);
	for (size_t i = 0; i < it->n_authors; i++)
		buf_printf(b, "author=%s/%s/%s|", it->authors[i].name ? it->authors[i].name : "-",
		           it->authors[i].email ? it->authors[i].email : "-",
		           it->authors[i].uri ? it->authors[i].uri : "-");
	dump_text(b, "summary", &it->summary);
	for (size_t i = 0; i < it->n_content; i++)
		dump_text(b, "content", &it->content[i]);
	for (size_t i = 0; i < it->n_enclosures; i++)
		buf_printf(b, "enclosure=%s;%s;%lld|", it->enclosures[i].url,
		           it->enclosures[i].type ? it->enclosures[i].type : "-",
		           (long long)it->enclosures[i].length);
	for (size_t i = 0; i < it->n_categories; i++)
		buf_printf(b, "category=%s;%s|", it->categories[i].term,
		           it->categories[i].scheme ? it->categories[i].scheme : "-");
	buf_puts(b, "\n");
	return r->stop_after > 0 && (int)r->items >= r->stop_after;
}

/* Parses doc[0..n) in chunks of `chunk` bytes (0: all at once). */
static void
parse_doc(struct result *r, const char *doc, size_t n, size_t chunk,
          const struct feed_source *src)
{
	struct feed_parser *p = feed_parser_new(src, collect, r);
	const struct feed_info *info;
	struct err err = { 0 };

	buf_init(&r->dump, 0);
	r->rc = 0;
	if (chunk == 0)
		chunk = n ? n : 1;
	for (size_t off = 0; off < n && r->rc == 0; off += chunk)
		r->rc = feed_parser_push(p, doc + off, n - off < chunk ? n - off : chunk, &err);
	r->items_before_finish = r->items;
	if (r->rc == 0)
		r->rc = feed_parser_finish(p, &err);
	info = feed_parser_info(p);
	r->wellformed = feed_parser_wellformed(p);
	r->truncated = feed_parser_truncated(p);
	r->truncation = feed_parser_truncation(p) ? xstrdup(feed_parser_truncation(p)) : NULL;
	r->error = feed_parser_error(p) ? xstrdup(feed_parser_error(p)) : NULL;
	r->encoding = feed_parser_encoding(p) ? xstrdup(feed_parser_encoding(p)) : NULL;
	r->feed_title = info->title.value ? xstrdup(info->title.value) : NULL;
	r->feed_link = info->link ? xstrdup(info->link) : NULL;
	r->language = info->language ? xstrdup(info->language) : NULL;
	r->format = info->format;
	feed_parser_free(p);
}

static void
parse_str(struct result *r, const char *doc)
{
	parse_doc(r, doc, strlen(doc), 0, NULL);
}

static void
result_done(struct result *r)
{
	buf_done(&r->dump);
	free(r->error);
	free(r->encoding);
	free(r->feed_title);
	free(r->feed_link);
	free(r->language);
	free(r->truncation);
	memset(r, 0, sizeof *r);
}

static void
test_empty(void **state)
{
	struct result r = { 0 };

	(void)state;
	parse_doc(&r, "", 0, 0, NULL);
	assert_int_equal(r.rc, 0);
	assert_false(r.wellformed);
	assert_non_null(r.error);
	assert_int_equal(r.items, 0);
	assert_int_equal(r.format, FEED_FORMAT_UNKNOWN);
	result_done(&r);

	/* Well-formed XML that is no feed: no format, no items. */
	parse_str(&r, "<html><body>hello</body></html>");
	assert_int_equal(r.format, FEED_FORMAT_UNKNOWN);
	assert_int_equal(r.items, 0);
	result_done(&r);
}

static const char rss20[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
	"     xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n"
	"<channel><title>Harbour news</title><link>http://example.org/</link>\n"
	"<language>en_GB</language>\n"
	"<image><title>Logo</title><url>/logo.png</url><link>http://example.org/</link></image>\n"
	"<item><title>Tide &amp; time</title><link>http://example.org/1</link>\n"
	"<guid isPermaLink=\"false\">tide-1</guid>\n"
	"<pubDate>Tue, 03 Jun 2025 09:39:21 +0200</pubDate>\n"
	"<author>harbour@example.org (Ada Tide)</author>\n"
	"<category domain=\"http://example.org/cats\">Sea</category>\n"
	"<enclosure url=\"/a.mp3\" type=\"audio/mpeg\" length=\"1234\"/>\n"
	"<description>&lt;p&gt;High &lt;b&gt;water&lt;/b&gt;&lt;/p&gt;</description>\n"
	"<content:encoded><![CDATA[<p>Full <i>text</i> & more</p>]]></content:encoded>\n"
	"</item>\n"
	"<item><title>No guid</title><link>http://example.org/2</link>"
	"<dc:creator>Bo Quay</dc:creator><dc:date>2025-06-04T10:00:00Z</dc:date></item>\n"
	"<item><title>Nothing</title><description>only text</description></item>\n"
	"</channel></rss>\n";

static void
test_rss20(void **state)
{
	struct result r = { 0 };
	struct feed_source src = { .url = "http://example.org/feed.xml" };
	const char *want =
		"key=id:tide-1|title(text)=Tide & time|link=http://example.org/1|"
		"published=2025-06-03T07:39:21Z|author=Ada Tide/harbour@example.org/-|"
		"summary(html)=<p>High <b>water</b></p>|"
		"content(html)=<p>Full <i>text</i> & more</p>|"
		"enclosure=http://example.org/a.mp3;audio/mpeg;1234|"
		"category=Sea;http://example.org/cats|\n"
		"key=link:http://example.org/2|title(text)=No guid|link=http://example.org/2|"
		"updated=2025-06-04T10:00:00Z|author=Bo Quay/-/-|\n";

	(void)state;
	parse_doc(&r, rss20, strlen(rss20), 0, &src);
	assert_true(r.wellformed);
	assert_null(r.error);
	assert_int_equal(r.format, FEED_RSS20);
	assert_string_equal(r.feed_title, "Harbour news");
	assert_string_equal(r.feed_link, "http://example.org/");
	assert_string_equal(r.language, "en-GB");
	assert_string_equal(r.encoding, "utf-8");
	assert_int_equal(r.items, 3);
	assert_memory_equal(r.dump.data, want, strlen(want));
	/* The third item has neither id nor link: a hash keys it. */
	assert_non_null(strstr(r.dump.data, "key=hash:"));
	result_done(&r);
}

static void
test_chunking_changes_nothing(void **state)
{
	struct result whole = { 0 }, part = { 0 };
	static const size_t sizes[] = { 1, 2, 3, 7, 64, 4096 };

	(void)state;
	parse_doc(&whole, rss20, strlen(rss20), 0, NULL);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		parse_doc(&part, rss20, strlen(rss20), sizes[i], NULL);
		assert_string_equal(part.dump.data, whole.dump.data);
		assert_int_equal(part.wellformed, whole.wellformed);
		result_done(&part);
	}
	result_done(&whole);
}

static void
test_atom10(void **state)
{
	struct result r = { 0 };
	const char *doc =
		"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\""
		" xml:base=\"http://example.com/blog/\">"
		"<title type=\"html\">Le &lt;b&gt;carnet&lt;/b&gt;</title>"
		"<link href=\"./\"/><link rel=\"self\" href=\"feed.atom\"/>"
		"<entry xml:base=\"posts/\"><id>urn:uuid:1</id>"
		"<title>Premier</title><link href=\"one.html\"/>"
		"<link rel=\"enclosure\" href=\"/m.ogg\" type=\"audio/ogg\" length=\"9\"/>"
		"<updated>2024-02-29T23:30:00-01:00</updated>"
		"<author><name>Zoé</name><uri>/zoe</uri></author>"
		"<category term=\"notes\" scheme=\"http://example.com/t\"/>"
		"<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
		"<p>Un <em>mot</em> &amp; deux<br/></p></div></content>"
		"<unknown><title>not the entry title</title></unknown>"
		"</entry></feed>";
	const char *want =
		"key=id:urn:uuid:1|title(text)=Premier|"
		"link=http://example.com/blog/posts/one.html|updated=2024-03-01T00:30:00Z|"
		"author=Zoé/-/http://example.com/zoe|"
		"content(xhtml)=<p>Un <em>mot</em> &amp; deux<br /></p>|"
		"enclosure=http://example.com/m.ogg;audio/ogg;9|"
		"category=notes;http://example.com/t|\n";

	(void)state;
	parse_str(&r, doc);
	assert_true(r.wellformed);
	assert_int_equal(r.format, FEED_ATOM10);
	assert_string_equal(r.feed_title, "Le <b>carnet</b>");
	assert_string_equal(r.feed_link, "http://example.com/blog/");
	assert_string_equal(r.language, "fr");
	assert_string_equal(r.dump.data, want);
	result_done(&r);
}

/* A web document may not move its links to another scheme with xml:base;
 * a local one (no URL, or file://) may. */
static void
test_xml_base_scheme(void **state)
{
	static const struct {
		const char *doc_url; /* NULL: no source */
		const char *base;
		const char *want_link;
	} cases[] = {
		{ NULL, "file:///etc/", "file:///etc/passwd" },
		{ "http://example.org/f.xml", "file:///etc/", "http://example.org/passwd" },
		{ "https://example.org/f.xml", "javascript:x/", "https://example.org/passwd" },
		{ "http://example.org/f.xml", "https://cdn.example.org/a/", "https://cdn.example.org/a/passwd" },
		{ "file:///home/u/f.xml", "file:///srv/", "file:///srv/passwd" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct result r = { 0 };
		struct feed_source src = { .url = cases[i].doc_url };
		char *doc = xasprintf(
			"<feed xmlns=\"http://www.w3.org/2005/Atom\">"
			"<entry xml:base=\"%s\"><id>x</id>"
			"<link href=\"passwd\"/></entry></feed>",
			cases[i].base);
		char *want = xasprintf("link=%s|", cases[i].want_link);

		parse_doc(&r, doc, strlen(doc), 0,
		          cases[i].doc_url ? &src : NULL);
		assert_int_equal(r.items, 1);
		assert_non_null(strstr(r.dump.data, want));
		free(want);
		free(doc);
		result_done(&r);
	}
}

static void
test_formats(void **state)
{
	static const struct {
		const char *doc;
		enum feed_format format;
	} cases[] = {
		{ "<rss version=\"0.91\"><channel/></rss>", FEED_RSS091U },
		{ "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" "
		  "\"http://my.netscape.com/publish/formats/rss-0.91.dtd\">"
		  "<rss version=\"0.91\"><channel/></rss>",
		  FEED_RSS091N },
		{ "<rss version=\"0.92\"/>", FEED_RSS092 },
		{ "<rss version=\"0.93\"/>", FEED_RSS093 },
		{ "<rss version=\"0.94\"/>", FEED_RSS094 },
		{ "<rss version=\"2.0\"/>", FEED_RSS20 },
		{ "<rss/>", FEED_RSS },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
		  "xmlns=\"http://purl.org/rss/1.0/\"><channel/></rdf:RDF>",
		  FEED_RSS10 },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
		  "xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel/></rdf:RDF>",
		  FEED_RSS090 },
		{ "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"/>", FEED_ATOM03 },
		{ "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", FEED_ATOM10 },
		{ "<feed/>", FEED_ATOM },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct result r = { 0 };

		parse_str(&r, cases[i].doc);
		if (r.format != cases[i].format)
			fail_msg("case %zu: format %d, want %d", i, r.format, cases[i].format);
		result_done(&r);
	}
	assert_string_equal(feed_format_name(FEED_RSS091N), "rss091n");
	assert_null(feed_format_name(FEED_FORMAT_UNKNOWN));
}

static void
test_html_entities_and_repairs(void **state)
{
	struct result r = { 0 };

	(void)state;
	parse_str(&r, "<rss><channel><title>caf&eacute;&nbsp;&amp; co &#x41;&#X42;"
	              " &madeup;</title><link>http://e.org/?a=1&b=2</link>"
	              "</channel></rss>");
	assert_string_equal(r.feed_title, "café\xc2\xa0& co AB &madeup;");
	assert_string_equal(r.feed_link, "http://e.org/?a=1&b=2");
	assert_false(r.wellformed); /* all of these are mistakes */
	result_done(&r);

	/* Inside CDATA an ampersand is text and must not be "repaired". */
	parse_str(&r, "<rss><channel><title><![CDATA[a & b &amp; c]]></title></channel></rss>");
	assert_string_equal(r.feed_title, "a & b &amp; c");
	assert_true(r.wellformed);
	result_done(&r);
}

static void
test_hostile_text(void **state)
{
	struct result r = { 0 };

	(void)state;
	/* &#x9b; is the 8-bit CSI: it becomes windows-1252's U+203A, never a
	 * control; bidi overrides and raw C1 bytes are dropped. */
	parse_str(&r, "<rss><channel><title>a&#x9b;31m b&#x202e;c \xc2\x9d"
	              "d</title></channel></rss>");
	assert_non_null(r.feed_title);
	assert_string_equal(r.feed_title, "a\xe2\x80\xba" "31m bc d");
	for (const unsigned char *p = (const unsigned char *)r.feed_title; *p; p++)
		assert_true(*p >= 0x20 && *p != 0x7f);
	result_done(&r);

	/* An escape written as a character reference is not XML at all. */
	parse_str(&r, "<rss><channel><title>x&#27;]0;owned&#7;y</title></channel></rss>");
	assert_false(r.wellformed);
	assert_null(strchr(r.feed_title ? r.feed_title : "", 0x1b));
	result_done(&r);
}

static char *
repeat(const char *unit, size_t times)
{
	size_t n = strlen(unit);
	char *s = xmalloc(n * times + 1);

	for (size_t i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	s[n * times] = '\0';
	return s;
}

static void
test_billion_laughs(void **state)
{
	struct result r = { 0 };
	struct buf doc;
	clock_t start = clock();

	(void)state;
	buf_init(&doc, 0);
	buf_puts(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
	               "<!ENTITY lol0 \"lol\">\n");
	for (int i = 1; i < 10; i++)
		buf_printf(&doc, "<!ENTITY lol%d \"&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;"
		                 "&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;\">\n",
		           i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
		           i - 1, i - 1);
	buf_puts(&doc, "]>\n<rss><channel><title>&lol9;</title></channel></rss>\n");
	parse_doc(&r, doc.data, doc.len, 0, NULL);
	/* Nested entities are never expanded: at most the literal name. */
	assert_true(r.feed_title == NULL || strlen(r.feed_title) < 64);
	assert_true((clock() - start) / CLOCKS_PER_SEC < 5);
	result_done(&r);
	buf_done(&doc);
}

static void
test_quadratic_blowup(void **state)
{
	struct result r = { 0 };
	char *big = repeat("x", 100000);
	char *refs = repeat("&big;", 30000);
	char *doc = xasprintf("<!DOCTYPE rss [<!ENTITY big \"%s\">]>"
	                      "<rss><channel><title>%s</title></channel></rss>",
	                      big, refs);

	(void)state;
	parse_str(&r, doc);
	/* Expanded, this would be 3,000,000,000 bytes: a large entity is
	 * never expanded, and a small one only up to a budget. */
	assert_true(r.feed_title == NULL || strlen(r.feed_title) <= 30000 * 6);
	result_done(&r);
	free(doc);
	free(refs);
	free(big);

	/* A small declared entity is expanded, as the XML spec says. */
	parse_str(&r, "<!DOCTYPE rss [<!ENTITY who \"the harbour\">]>"
	              "<rss><channel><title>By &who;</title></channel></rss>");
	assert_string_equal(r.feed_title, "By the harbour");
	assert_true(r.wellformed);
	result_done(&r);

	/* The fuzz corpus's entities.xml: UBSan (clang) saw the repair pass
	 * add 0 to a NULL buffer before any text was decoded. */
	parse_str(&r, "<!DOCTYPE rss [<!ENTITY a \"x\">"
	              "<!ENTITY b \"&a;&a;\">]><rss><channel><title>"
	              "&a;&b;&nbsp;&bogus;&#X41;&#x9b;</title>"
	              "<link>http://e/?a=1&b=2</link></channel></rss>\n");
	assert_int_equal(r.rc, 0);
	assert_non_null(r.feed_title);
	assert_true(r.feed_title[0] == 'x');
	assert_null(strstr(r.feed_title, "\xc2\x9b"));
	result_done(&r);
}

/* Entities as a cost multiplier: many made-up names, or one declared
 * entity used until its text passes the budget, stop the parse quickly
 * with a reason, keeping what came before. */
static void
test_entity_abuse(void **state)
{
	struct buf doc;
	struct result r = {0};
	char *big = repeat("y", 1000);
	clock_t start = clock();

	(void)state;
	buf_init(&doc, 0);
	buf_puts(&doc, "<rss><channel><title>kept</title><item><title>t</title>"
	               "<description>");
	for (int i = 0; i < 200000; i++)
		buf_printf(&doc, "&z%d;", i);
	buf_puts(&doc, "</description></item></channel></rss>");
	parse_doc(&r, doc.data, doc.len, 4096, NULL);
	assert_int_equal(r.rc, -1);
	assert_false(r.wellformed);
	assert_non_null(strstr(r.error, "entity names"));
	assert_string_equal(r.feed_title, "kept");
	result_done(&r);
	buf_reset(&doc);

	buf_printf(&doc, "<!DOCTYPE rss [<!ENTITY e \"%s\">]><rss><channel>"
	                 "<title>",
	           big);
	for (int i = 0; i < 100000; i++)
		buf_puts(&doc, "&e;");
	buf_puts(&doc, "</title></channel></rss>");
	parse_doc(&r, doc.data, doc.len, 4096, NULL);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.error, "over 1 MiB"));
	result_done(&r);
	assert_true((clock() - start) / CLOCKS_PER_SEC < 10);
	buf_done(&doc);
	free(big);
}

static void
test_external_entities(void **state)
{
	char path[] = "/tmp/courant-xxe-XXXXXX";
	int fd = mkstemp(path);
	struct result r = { 0 };
	char *doc;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "SECRET-MARKER", 13), 13);
	close(fd);
	doc = xasprintf("<?xml version=\"1.0\"?>\n"
	                "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://%s\">\n"
	                "<!ENTITY %% pe SYSTEM \"file://%s\"> %%pe;]>\n"
	                "<rss><channel><title>a&xxe;b</title>"
	                "<description>&xxe;</description></channel></rss>",
	                path, path);
	parse_str(&r, doc);
	assert_non_null(r.feed_title);
	assert_null(strstr(r.feed_title, "SECRET"));
	assert_null(strstr(r.dump.data ? r.dump.data : "", "SECRET"));
	result_done(&r);
	free(doc);

	/* An external DTD is never fetched (NONET, no DTDLOAD). */
	parse_str(&r, "<!DOCTYPE rss SYSTEM \"http://127.0.0.1:9/evil.dtd\">"
	              "<rss><channel><title>ok</title></channel></rss>");
	assert_string_equal(r.feed_title, "ok");
	result_done(&r);
	unlink(path);
}

static void
test_caps(void **state)
{
	struct result r = { 0 };
	char *open = repeat("<x>", 5000), *close = repeat("</x>", 5000);
	char *title = repeat("long ", (FEED_MAX_FIELD_BYTES / 5) + 100);
	char *doc;

	(void)state;
	/* Deep nesting: bounded, no crash, the rest of the feed still read. */
	doc = xasprintf("<rss><channel><title>deep</title><item><title>i</title>"
	                "%s%s</item></channel></rss>", open, close);
	parse_str(&r, doc);
	assert_string_equal(r.feed_title, "deep");
	result_done(&r);
	free(doc);

	/* One field is capped at FEED_MAX_FIELD_BYTES. */
	doc = xasprintf("<rss><channel><title>%s</title></channel></rss>", title);
	parse_str(&r, doc);
	assert_non_null(r.feed_title);
	assert_true(strlen(r.feed_title) <= FEED_MAX_FIELD_BYTES);
	if (strlen(r.feed_title) <= FEED_MAX_FIELD_BYTES / 2)
		fail_msg("title of %zu bytes: %.60s (%s)", strlen(r.feed_title), r.feed_title,
		         r.error ? r.error : "no error");
	result_done(&r);
	free(doc);
	free(open);
	free(close);
	free(title);
}

static void
test_item_cap_and_streaming(void **state)
{
	struct result r = { 0 };
	char *items = repeat("<item><title>t</title></item>", FEED_MAX_ITEMS + 5);
	char *doc = xasprintf("<rss><channel>%s</channel></rss>", items);

	(void)state;
	parse_doc(&r, doc, strlen(doc), 65536, NULL);
	assert_int_equal(r.items, FEED_MAX_ITEMS);
	/* Items come out while bytes go in: memory follows one item. */
	assert_true(r.items_before_finish > FEED_MAX_ITEMS / 2);
	result_done(&r);
	free(doc);
	free(items);
}

static void
test_stop_from_callback(void **state)
{
	struct result r = { .stop_after = 1 };

	(void)state;
	parse_doc(&r, rss20, strlen(rss20), 16, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.items, 1);
	result_done(&r);
}

static void
test_recovery(void **state)
{
	struct result r = { 0 };

	(void)state;
	parse_str(&r, "<rss><channel><title>Broken</title>"
	              "<item><title>kept <b>bold</title><link>http://e.org/k</link></item>"
	              "<item><title>cut off");
	assert_false(r.wellformed);
	assert_non_null(r.error);
	assert_string_equal(r.feed_title, "Broken");
	assert_true(r.items >= 1);
	assert_non_null(strstr(r.dump.data, "http://e.org/k"));
	result_done(&r);
}

static void
test_encodings(void **state)
{
	struct result r = { 0 };
	struct feed_source http = { .content_type = "application/rss+xml; charset=windows-1252" };
	const char latin1[] = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
	                      "<rss><channel><title>caf\xe9</title></channel></rss>";
	const char w1252[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	                     "<rss><channel><title>\x93quoted\x94</title></channel></rss>";

	(void)state;
	parse_str(&r, latin1);
	assert_string_equal(r.feed_title, "café");
	assert_string_equal(r.encoding, "iso-8859-1");
	assert_true(r.wellformed);
	result_done(&r);

	/* The HTTP charset wins over the declaration. */
	parse_doc(&r, w1252, strlen(w1252), 5, &http);
	assert_string_equal(r.feed_title, "\xe2\x80\x9cquoted\xe2\x80\x9d");
	assert_string_equal(r.encoding, "windows-1252");
	result_done(&r);

	/* A feed served as text/plain is read but flagged. */
	http.content_type = "text/plain";
	parse_doc(&r, "<rss><channel><title>t</title></channel></rss>", 45, 0, &http);
	assert_false(r.wellformed);
	assert_string_equal(r.feed_title, "t");
	result_done(&r);
}

static void
test_person_strings(void **state)
{
	static const struct {
		const char *in, *name, *email;
	} cases[] = {
		{ "Ada Tide (ada@example.org)", "Ada Tide", "ada@example.org" },
		{ "ada@example.org (Ada Tide)", "Ada Tide", "ada@example.org" },
		{ "Ada Tide <ada@example.org>", "Ada Tide", "ada@example.org" },
		{ "ada@example.org", NULL, "ada@example.org" },
		{ "Ada Tide", "Ada Tide", NULL },
		{ "Ada (the editor)", "Ada (the editor)", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct result r = { 0 };
		char *doc = xasprintf("<rss><channel><item><author>%s</author></item>"
		                      "</channel></rss>",
		                      cases[i].in[0] == 'A' && strchr(cases[i].in, '<')
		                              ? "Ada Tide &lt;ada@example.org&gt;"
		                              : cases[i].in);
		char *want = xasprintf("author=%s/%s/-|", cases[i].name ? cases[i].name : "-",
		                       cases[i].email ? cases[i].email : "-");

		parse_str(&r, doc);
		if (strstr(r.dump.data, want) == NULL)
			fail_msg("case %zu: %s lacks %s", i, r.dump.data, want);
		free(want);
		free(doc);
		result_done(&r);
	}
}

static int
keep_copy(const struct feed_item *it, void *arg)
{
	struct feed_item *copies = arg;
	size_t i = 0;

	while (copies[i].key != NULL)
		i++;
	if (i < 3)
		feed_item_copy(&copies[i], it);
	return 0;
}

/* An item kept past the callback is a deep copy: all of it survives the
 * parser freeing its own, and clearing it frees everything (ASan). */
static void
test_item_copy(void **state)
{
	struct feed_item copies[4];
	struct feed_parser *p;
	struct err err = {0};

	(void)state;
	memset(copies, 0, sizeof copies);
	p = feed_parser_new(NULL, keep_copy, copies);
	assert_int_equal(feed_parser_push(p, rss20, strlen(rss20), &err), 0);
	assert_int_equal(feed_parser_finish(p, &err), 0);
	feed_parser_free(p);
	assert_string_equal(copies[0].key, "id:tide-1");
	assert_string_equal(copies[0].title.value, "Tide & time");
	assert_int_equal(copies[0].n_enclosures, 1);
	assert_string_equal(copies[0].enclosures[0].url, "/a.mp3");
	assert_int_equal(copies[0].enclosures[0].length, 1234);
	assert_string_equal(copies[0].categories[0].scheme, "http://example.org/cats");
	assert_string_equal(copies[0].authors[0].email, "harbour@example.org");
	assert_int_equal(copies[0].content[0].type, FEED_TEXT_HTML);
	assert_string_equal(copies[1].authors[0].name, "Bo Quay");
	assert_non_null(copies[2].key);
	for (int i = 0; i < 3; i++) {
		feed_item_clear(&copies[i]);
		assert_null(copies[i].key);
		assert_int_equal(copies[i].n_links, 0);
	}
}

/* Attributes declared with a default in the DTD reach every start tag of
 * their element past the attribute guard: too many stop the parse. */
static void
test_dtd_attribute_defaults(void **state)
{
	struct result r = { 0 };
	struct buf doc;

	(void)state;
	buf_init(&doc, 0);
	buf_puts(&doc, "<!DOCTYPE rss [<!ATTLIST item");
	for (int i = 0; i < 60000; i++)
		buf_printf(&doc, " a%d CDATA 'x'", i);
	buf_puts(&doc, ">]><rss><channel>");
	for (int i = 0; i < 4; i++)
		buf_puts(&doc, "<item><title>t</title></item>");
	buf_puts(&doc, "</channel></rss>");
	parse_doc(&r, doc.data, doc.len, 4096, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.items, 0);
	assert_non_null(r.error);
	assert_non_null(strstr(r.error, "more than 256 attributes"));
	result_done(&r);
	buf_done(&doc);

	/* A few declarations are fine. */
	parse_str(&r, "<!DOCTYPE rss [<!ATTLIST item a CDATA 'x' "
	              "b (one|two) 'one'>]><rss><channel>"
	              "<item><title>t</title></item></channel></rss>");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.items, 1);
	result_done(&r);
}

/* Truncation is decided from the bytes: a complete document with unclosed
 * tags ends with its root's end tag, a cut one does not. */
static void
test_truncation_from_bytes(void **state)
{
	static const char *const sloppy[] = {
	        "<rss><channel><item><title>one</title></item>"
	        "<item><title>two</title><a><b><c></item></channel></rss>",
	        "<rss><channel><item><title>one</title></item>"
	        "<item><title>two</title><enclosure url='u'></item>"
	        "</channel></rss >\n<!-- a -->\n<?pi x?>\n",
	        "<a:feed xmlns:a='http://www.w3.org/2005/Atom'><a:entry>"
	        "<a:title>one</a:title></a:entry><a:entry><a:title>two"
	        "</a:title><a:link href='u'><x></a:entry></a:feed>",
	};
	static const char *const cut[] = {
	        "<rss><channel><item><title>one</title></item>"
	        "<item><title>two</title><gu",
	        "<rss><channel><item><title>one</title></item>"
	        "<item><title>two</title></item></channel>",
	        "<rss><channel><item><title>one</title></item>"
	        "<item><title>two</title><!-- </rss> -->\n",
	};
	struct result r = { 0 };
	struct buf doc;

	(void)state;
	for (size_t i = 0; i <= sizeof sloppy / sizeof sloppy[0]; i++) {
		buf_init(&doc, 0);
		if (i < sizeof sloppy / sizeof sloppy[0]) {
			buf_puts(&doc, sloppy[i]);
		} else {
			/* Past the decoder's window: the end arrives in
			 * pieces. */
			buf_puts(&doc, "<rss><channel><description>");
			for (int k = 0; k < 20000; k++)
				buf_puts(&doc, "words ");
			buf_puts(&doc, "</description><item><title>one</title>"
			               "</item><item><title>two</title><x>"
			               "</item></channel></rss>");
			for (int k = 0; k < 50; k++)
				buf_puts(&doc, " \n");
		}
		for (size_t chunk = 0; chunk <= 7; chunk += 7) {
			parse_doc(&r, doc.data, doc.len, chunk, NULL);
			if (r.items != 2 || r.truncated)
				fail_msg("sloppy %zu/%zu: %zu items, %s", i,
				         chunk, r.items, r.error);
			result_done(&r);
		}
		buf_done(&doc);
	}
	for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		parse_str(&r, cut[i]);
		if (!r.truncated || r.items != (i == 1 ? 2u : 1u))
			fail_msg("cut %zu: %zu items, %s", i, r.items,
			         r.error);
		result_done(&r);
	}
}

/* "a<b" in a CDATA section, a comment or a PI starts no tag for the
 * attribute guard (it swallowed the rest of the feed); a tag after one is
 * still guarded. */
static void
test_attribute_guard_sections(void **state)
{
	static const char *const wraps[][2] = {
	        {"<description><![CDATA[if a<b then", " then]]></description>"},
	        {"<!-- a<b", " -->"},
	        {"<?pi a<b", " ?\?>"},
	};
	struct result r = { 0 };
	struct buf doc, words;

	(void)state;
	/* Over the charset decoder's 64 KiB window, so that the bytes reach
	 * the guard in pieces: sections span its calls. */
	buf_init(&words, 0);
	for (int i = 0; i < 20000; i++)
		buf_printf(&words, " w%d", i);
	for (size_t k = 0; k < sizeof wraps / sizeof wraps[0]; k++) {
		/* Whole, and cut anywhere: a section may span pushes. */
		static const size_t chunks[] = { 0, 1, 3, 64, 4096 };

		for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
			buf_init(&doc, 0);
			buf_printf(&doc, "<rss><channel><item><title>one</title>"
			                 "%s%s%s</item><item><title>two</title>"
			                 "</item></channel></rss>",
			           wraps[k][0], words.data, wraps[k][1]);
			parse_doc(&r, doc.data, doc.len, chunks[c], NULL);
			if (r.items != 2 || !r.wellformed)
				fail_msg("case %zu/%zu: %zu items, %s", k,
				         chunks[c], r.items, r.error);
			if (k == 0 && strstr(r.dump.data, "w19999 then") == NULL)
				fail_msg("case %zu/%zu: %s", k, chunks[c],
				         r.dump.data);
			result_done(&r);
			buf_done(&doc);
		}
	}
	buf_init(&doc, 0);
	buf_puts(&doc, "<rss><channel><!-- a<b --><item");
	for (int i = 0; i < 300; i++)
		buf_printf(&doc, " a%d=''", i);
	buf_puts(&doc, "><title>one</title></item></channel></rss>");
	parse_doc(&r, doc.data, doc.len, 7, NULL);
	assert_int_equal(r.items, 1);
	assert_non_null(r.error);
	assert_non_null(strstr(r.error, "more than 256 attributes"));
	result_done(&r);
	buf_done(&doc);
	buf_done(&words);
}

/* Content after the root's end tag is named as such. */
static void
test_trailing_garbage(void **state)
{
	struct result r = { 0 };

	(void)state;
	parse_str(&r, "<rss><channel><item><title>one</title></item>"
	              "</channel></rss><junk/>");
	assert_int_equal(r.items, 1);
	assert_false(r.wellformed);
	assert_false(r.truncated);
	assert_non_null(r.error);
	assert_non_null(strstr(r.error, "Extra content"));
	result_done(&r);
}

/* Truncation is said apart from the first error, whatever that was. */
static void
test_truncation_said_apart(void **state)
{
	static const char doc[] = "<rss><channel><item><title>one</title>"
	                          "</item><item><title>two</title><gu";
	struct feed_source plain = { .content_type = "text/plain" };
	struct result r = { 0 };

	(void)state;
	for (int k = 0; k < 2; k++) {
		parse_doc(&r, doc, strlen(doc), 0, k ? &plain : NULL);
		assert_int_equal(r.items, 1);
		assert_true(r.truncated);
		assert_non_null(r.truncation);
		assert_non_null(strstr(r.truncation, "inside an item, which "
		                                     "was dropped"));
		/* The first problem is still the first error. */
		assert_null(strstr(r.error, "dropped"));
		result_done(&r);
	}
	parse_str(&r, "<rss><channel><item><title>one</title></item>"
	              "</channel></rss>");
	assert_null(r.truncation);
	result_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_rss20),
		cmocka_unit_test(test_chunking_changes_nothing),
		cmocka_unit_test(test_atom10),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_html_entities_and_repairs),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_quadratic_blowup),
		cmocka_unit_test(test_entity_abuse),
		cmocka_unit_test(test_external_entities),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_item_cap_and_streaming),
		cmocka_unit_test(test_stop_from_callback),
		cmocka_unit_test(test_recovery),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_person_strings),
		cmocka_unit_test(test_item_copy),
		cmocka_unit_test(test_xml_base_scheme),
		cmocka_unit_test(test_dtd_attribute_defaults),
		cmocka_unit_test(test_truncation_from_bytes),
		cmocka_unit_test(test_attribute_guard_sections),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_truncation_said_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
