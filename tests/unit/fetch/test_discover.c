// SPDX-License-Identifier: MIT
/* Feed discovery in HTML pages (src/feed/discover.c), for courant add. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above; keep it last of its group. */
/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/feed.h"

#define BASE "https://example.org/blog/"

struct found_case {
	const char *html;
	size_t n;
	const char *url[3];
	const char *title[3];
};

static const struct found_case cases[] = {
        {"", 0, {NULL}, {NULL}},
        {"<html><head><title>x</title></head></html>", 0, {NULL}, {NULL}},
        {"<link rel=alternate type=application/rss+xml href=/feed.xml "
         "title='Posts'>",
         1,
         {"https://example.org/feed.xml"},
         {"Posts"}},
        /* rel is a list, case does not matter, atom and relative hrefs */
        {"<head><LINK REL='Feed Alternate' TYPE='application/atom+xml' "
         "HREF='atom'><link rel=alternate type='application/rss+xml; "
         "charset=utf-8' href='https://other.example/rss'></head>",
         2,
         {"https://example.org/blog/atom", "https://other.example/rss"},
         {NULL, NULL}},
        /* not feeds: stylesheets, other types, no href, no alternate */
        {"<link rel=stylesheet href=a.css>"
         "<link rel=alternate type=text/html href=/fr/>"
         "<link rel=alternate type=application/rss+xml>"
         "<link rel=alternatex type=application/rss+xml href=/x>"
         "<link type=application/rss+xml href=/y>",
         0,
         {NULL},
         {NULL}},
        /* <base href> wins, duplicates are dropped */
        {"<base href='https://cdn.example/feeds/'>"
         "<link rel=alternate type=application/rss+xml href=a.xml>"
         "<link rel=alternate type=application/rss+xml href=a.xml>",
         1,
         {"https://cdn.example/feeds/a.xml"},
         {NULL}},
        /* bidi and C1 controls in titles are removed */
        {"<meta charset=utf-8><link rel=alternate "
         "type=application/rss+xml href=/f title='a\xe2\x80\xae\xc2\x9b"
         "b'>",
         1,
         {"https://example.org/f"},
         {"ab"}},
        /* a page may only point at web addresses: never file:, ftp:,
         * javascript: (SECURITY.md rule 3) */
        {"<link rel=alternate type=application/rss+xml "
         "href='file:///etc/passwd'>"
         "<link rel=alternate type=application/rss+xml href='ftp://x/f'>"
         "<link rel=alternate type=application/rss+xml "
         "href='javascript:alert(1)'>"
         "<link rel=alternate type=application/atom+xml href=/ok.atom>",
         1,
         {"https://example.org/ok.atom"},
         {NULL}},
        /* what the poller would fetch: line breaks inside an href go
         * and spaces are encoded, as a browser does; no host, no feed
         * (found by fuzz_discover) */
        {"<link rel=alternate type=application/rss+xml href='a\nb c'>"
         "<link rel=alternate type=application/rss+xml href='//:80/f'>"
         "<link rel=alternate type=application/rss+xml href='http://@h/'>",
         1,
         {"https://example.org/blog/ab%20c"},
         {NULL}},
        /* a link in the body (recovered tag soup) still counts */
        {"<p>text<link rel=alternate type=application/rss+xml href=/late>",
         1,
         {"https://example.org/late"},
         {NULL}},
};

static void
test_discover(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct found_case *c = &cases[i];
		struct feed_found *v = NULL;
		size_t n = feed_discover(c->html, strlen(c->html), BASE, &v);

		if (n != c->n)
			fail_msg("case %zu: %zu found, want %zu", i, n, c->n);
		for (size_t k = 0; k < n; k++) {
			assert_string_equal(v[k].url, c->url[k]);
			if (c->title[k] == NULL)
				assert_null(v[k].title);
			else
				assert_string_equal(v[k].title, c->title[k]);
		}
		if (n == 0)
			assert_null(v);
		feed_found_free(v, n);
	}
}

static void
test_discover_null(void **state)
{
	struct feed_found *v = (struct feed_found *)1;

	(void)state;
	assert_int_equal(feed_discover(NULL, 0, NULL, &v), 0);
	assert_null(v);
	feed_found_free(NULL, 0);
}

static void
test_discover_cap(void **state)
{
	char *html = malloc(100 * 80);
	size_t len = 0;
	struct feed_found *v;
	size_t n;

	(void)state;
	for (int i = 0; i < 100; i++)
		len += (size_t)sprintf(html + len,
		                       "<link rel=alternate "
		                       "type=application/rss+xml href=/f%d>",
		                       i);
	n = feed_discover(html, len, BASE, &v);
	assert_int_equal(n, 50);
	assert_string_equal(v[49].url, "https://example.org/f49");
	feed_found_free(v, n);
	free(html);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_discover_null),
	        cmocka_unit_test(test_discover),
	        cmocka_unit_test(test_discover_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
