// SPDX-License-Identifier: MIT
/* OPML import and export: folders to tags, skipped outlines with their
 * lines, what is refused, and a round trip through the writer. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/feed.h"
#include "courant/util.h"

static struct feed_opml *
parse(const char *text, struct err *err)
{
	return feed_opml_parse(text, strlen(text), err);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
	        "",
	        "not xml",
	        "<rss version=\"2.0\"><channel/></rss>",
	        "<opml version=\"1.0\"><head/></opml>",
	        "<?xml version=\"1.0\"?>\n<!DOCTYPE opml [<!ENTITY a "
	        "\"aaaa\">]>\n<opml><body><outline text=\"&a;\"/></body>"
	        "</opml>",
	        "<opml><body><outline text=\"x\"></body></opml>",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct err err = {0};
		struct feed_opml *o = parse(bad[i], &err);

		if (o != NULL)
			fail_msg("case %zu accepted", i);
		assert_int_equal(err.code, ERR_PARSE);
	}
	feed_opml_free(NULL);
}

/* Three levels of folders, non-ASCII titles, OPML 1.0 without types. */
static const char nested[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<opml version=\"1.0\">\n"
        "<head><title>Mes abonnements</title></head>\n"
        "<body>\n"
        "<outline text=\"Top\" xmlUrl=\"https://top.example/feed\"/>\n"
        "<outline text=\"Actualités\">\n"
        "  <outline text=\"Monde\">\n"
        "    <outline text=\"Asie\">\n"
        "      <outline text=\"한국 뉴스\" title=\"한국 뉴스 (KR)\"\n"
        "               type=\"rss\" xmlUrl=\"http://kr.example/rss\"\n"
        "               htmlUrl=\"http://kr.example/\"/>\n"
        "    </outline>\n"
        "    <outline text=\"Europe\" type=\"atom\"\n"
        "             xmlUrl=\"https://eu.example/atom?a=1&amp;b=2\"/>\n"
        "  </outline>\n"
        "</outline>\n"
        "<outline text=\"Podcasts\" category=\"/audio,/fun/weekly\">\n"
        "  <outline text=\"Show\" xmlUrl=\"http://show.example/\"\n"
        "           category=\"/audio, /fun/weekly ,,\"/>\n"
        "</outline>\n"
        "<outline text=\"Script\" type=\"rss\" xmlUrl=\"exec:rm -rf\"/>\n"
        "<outline text=\"Local\" xmlUrl=\"file:///etc/passwd\"/>\n"
        "<outline text=\"Site\" type=\"link\" xmlUrl=\"http://x.example/\"/>\n"
        "<outline text=\"Empty\"/>\n"
        "<outline text=\"Again\" xmlUrl=\"https://top.example/feed\"/>\n"
        "<outline text=\"Dash\" xmlUrl=\"-x\"/>\n"
        "</body></opml>\n";

static void
test_nested(void **state)
{
	struct err err = {0};
	struct feed_opml *o = parse(nested, &err);
	const struct feed_opml_entry *e;

	(void)state;
	assert_non_null(o);
	assert_string_equal(o->title, "Mes abonnements");
	assert_int_equal(o->n, 4);
	e = &o->feeds[0];
	assert_string_equal(e->url, "https://top.example/feed");
	assert_string_equal(e->title, "Top");
	assert_int_equal(e->n_tags, 0);
	e = &o->feeds[1];
	assert_string_equal(e->url, "http://kr.example/rss");
	assert_string_equal(e->title, "한국 뉴스 (KR)");
	assert_string_equal(e->site, "http://kr.example/");
	assert_int_equal(e->n_tags, 1);
	assert_string_equal(e->tags[0], "Actualités/Monde/Asie");
	e = &o->feeds[2];
	assert_string_equal(e->url, "https://eu.example/atom?a=1&b=2");
	assert_string_equal(e->tags[0], "Actualités/Monde");
	e = &o->feeds[3];
	assert_int_equal(e->n_tags, 3);
	assert_string_equal(e->tags[0], "Podcasts");
	assert_string_equal(e->tags[1], "audio");
	assert_string_equal(e->tags[2], "fun/weekly");
	assert_int_equal(o->n_warnings, 6);
	assert_true(str_starts_with(o->warnings[0], "line 21: 'Script': "
	                                            "'exec:rm -rf' is not"));
	assert_true(str_starts_with(o->warnings[1], "line 22: 'Local'"));
	assert_true(str_starts_with(o->warnings[2],
	                            "line 23: 'Site': type 'link'"));
	assert_true(str_starts_with(o->warnings[3], "line 24: 'Empty': no "
	                                            "feed address"));
	assert_true(str_starts_with(o->warnings[4], "line 25: "
	                                            "'https://top.example/"
	                                            "feed' is listed twice"));
	assert_true(str_starts_with(o->warnings[5], "line 26: 'Dash'"));
	feed_opml_free(o);
}

static void
same(const struct feed_opml *a, const struct feed_opml *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct feed_opml_entry *x = &a->feeds[i];
		const struct feed_opml_entry *y = &b->feeds[0];

		for (size_t k = 0; k < b->n; k++)
			if (strcmp(b->feeds[k].url, x->url) == 0)
				y = &b->feeds[k];
		assert_string_equal(x->url, y->url);
		assert_string_equal(x->title ? x->title : "",
		                    y->title ? y->title : "");
		assert_string_equal(x->site ? x->site : "",
		                    y->site ? y->site : "");
		assert_int_equal(x->n_tags, y->n_tags);
		for (size_t t = 0; t < x->n_tags; t++)
			assert_string_equal(x->tags[t], y->tags[t]);
	}
}

/* Found by fuzz_opml: an xmlUrl with a port or credentials but no host
 * was imported into the urls file, which then refused to load. */
static void
test_no_host(void **state)
{
	struct err err = {0};
	struct feed_opml *o = parse(
	        "<opml version=\"2.0\"><body>"
	        "<outline type=\"rss\" text=\"a\" xmlUrl=\"http://:80/f\"/>"
	        "<outline type=\"rss\" text=\"b\" xmlUrl=\"http://@h/f\"/>"
	        "<outline type=\"rss\" text=\"c\" "
	        "xmlUrl=\"https://ok.example/f\"/></body></opml>",
	        &err);

	(void)state;
	assert_non_null(o);
	assert_int_equal(o->n, 1);
	assert_string_equal(o->feeds[0].url, "https://ok.example/f");
	assert_int_equal(o->n_warnings, 2);
	feed_opml_free(o);
}

static void
test_round_trip(void **state)
{
	struct err err = {0};
	struct feed_opml *a = parse(nested, &err);
	struct feed_opml *b, *c;
	struct buf out, again;
	struct feed_opml_entry odd = {0};
	const char *odd_tags[] = {"x & <y>", "\"q\""};

	(void)state;
	buf_init(&out, 0);
	feed_opml_write(&out, a->title, a->feeds, a->n, 0);
	assert_non_null(strstr(buf_str(&out), "<opml version=\"2.0\">"));
	assert_non_null(strstr(buf_str(&out),
	                       "<dateCreated>Thu, 01 Jan 1970 00:00:00 GMT<"));
	b = parse(buf_str(&out), &err);
	assert_non_null(b);
	assert_int_equal(b->n_warnings, 0);
	same(a, b);
	/* Writing what was read gives the same bytes. */
	buf_init(&again, 0);
	feed_opml_write(&again, b->title, b->feeds, b->n, 0);
	assert_string_equal(buf_str(&out), buf_str(&again));
	buf_done(&again);
	feed_opml_free(b);
	/* Characters XML must escape, in every attribute. */
	odd.url = xstrdup("https://e.example/?a=1&b=\"2\"");
	odd.title = xstrdup("Tom & Jerry <3 \"quoted\"");
	odd.tags = (char **)odd_tags;
	odd.n_tags = 2;
	buf_reset(&out);
	feed_opml_write(&out, "t&t", &odd, 1, 0);
	c = parse(buf_str(&out), &err);
	assert_non_null(c);
	assert_string_equal(c->title, "t&t");
	assert_int_equal(c->n, 1);
	assert_string_equal(c->feeds[0].url, odd.url);
	assert_string_equal(c->feeds[0].title, odd.title);
	assert_int_equal(c->feeds[0].n_tags, 2);
	assert_string_equal(c->feeds[0].tags[0], "x & <y>");
	assert_string_equal(c->feeds[0].tags[1], "\"q\"");
	feed_opml_free(c);
	free(odd.url);
	free(odd.title);
	buf_done(&out);
	feed_opml_free(a);
}

/* An element with too many attributes, whatever its name starts with. */
static char *
many_attributes(const char *name, int n)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "<opml version=\"2.0\"><body><%s", name);
	for (int i = 0; i < n; i++)
		buf_printf(&b, " a%d=\"\"", i);
	buf_printf(&b, "/><outline type=\"rss\" "
	               "xmlUrl=\"https://e.example/\"/></body></opml>");
	return b.data;
}

static void
test_hostile(void **state)
{
	static const char *const names[] = {"outline", "_x", ":x", "\xc3\xa9"};
	struct err err = {0};
	struct feed_opml *o;
	struct buf doc;
	clock_t start;

	(void)state;
	/* XML names start with more than ASCII letters: each one's tag is
	 * capped, and a tag under the cap is taken. */
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *text = many_attributes(names[i], 300);

		err_clear(&err);
		o = parse(text, &err);
		if (o != NULL)
			fail_msg("<%s> with 300 attributes accepted", names[i]);
		assert_non_null(strstr(err.msg, "more than 256 attributes"));
		free(text);
		text = many_attributes(names[i], 200);
		o = parse(text, &err);
		assert_non_null(o);
		feed_opml_free(o);
		free(text);
	}
	/* A DOCTYPE is refused before its declarations cost anything:
	 * 60,000 attribute defaults took libxml2 seconds. */
	buf_init(&doc, 0);
	buf_puts(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE opml [<!ATTLIST "
	               "outline");
	for (int i = 0; i < 60000; i++)
		buf_printf(&doc, " a%d CDATA 'x'", i);
	buf_puts(&doc, ">]><opml><body><outline type=\"rss\" "
	               "xmlUrl=\"https://e.example/\"/></body></opml>");
	start = clock();
	err_clear(&err);
	o = feed_opml_parse(doc.data, doc.len, &err);
	assert_null(o);
	assert_non_null(strstr(err.msg, "DOCTYPE is not accepted"));
	assert_true(clock() - start < CLOCKS_PER_SEC);
	buf_done(&doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_refused),
	        cmocka_unit_test(test_nested),
	        cmocka_unit_test(test_no_host),
	        cmocka_unit_test(test_round_trip),
	        cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
