// SPDX-License-Identifier: MIT
/* feed_uri_resolve() against RFC 3986 section 5.4 and what feeds do. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above; keep it last of its group. */
/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/feed.h"

struct uri_case {
	const char *base;
	const char *ref;
	const char *want;
};

static void
check_cases(const struct uri_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = feed_uri_resolve(cases[i].base, cases[i].ref);

		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("<%s> + <%s>: want <%s>, got <%s>",
			         cases[i].base ? cases[i].base : "(null)",
			         cases[i].ref, cases[i].want,
			         got ? got : "(null)");
		free(got);
	}
}

#define CHECK(cases) check_cases(cases, sizeof cases / sizeof *cases)

#define RFC_BASE "http://a/b/c/d;p?q"

static void
test_null_and_empty(void **state)
{
	static const struct uri_case cases[] = {
	        {NULL, "x/y", "x/y"},
	        {NULL, "", ""},
	        {"", "x/y", "x/y"},
	        {"relative/base", "x/y", "x/y"},
	        {"/rooted", "../x", "../x"},
	        {":no-scheme", "x", "x"},
	        {RFC_BASE, "", "http://a/b/c/d;p?q"},
	        {"http://a/b#frag", "", "http://a/b"},
	        {NULL, "http://a/b", "http://a/b"},
	};

	(void)state;
	assert_null(feed_uri_resolve(RFC_BASE, NULL));
	assert_null(feed_uri_resolve(NULL, NULL));
	assert_false(feed_uri_is_absolute(NULL));
	assert_false(feed_uri_is_absolute(""));
	CHECK(cases);
}

static void
test_is_absolute(void **state)
{
	static const struct {
		const char *s;
		bool want;
	} cases[] = {
	        {"http://a/b", true},
	        {"HTTPS://A", true},
	        {"mailto:x@y", true},
	        {"urn:isbn:0", true},
	        {"svn+ssh://h/p", true},
	        {"a.b-c+d:x", true},
	        {"x:", true},
	        {"//host/path", false},
	        {"/abs/path", false},
	        {"rel/path:x", false},
	        {"1http://a", false},
	        {":x", false},
	        {"ht tp://a", false},
	        {"#frag:x", false},
	        {"?q:x", false},
	        {"h\xc3\xa9:x", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		if (feed_uri_is_absolute(cases[i].s) != cases[i].want)
			fail_msg("\"%s\": want %d", cases[i].s,
			         (int)cases[i].want);
}

/* RFC 3986 section 5.4.1 */
static void
test_rfc3986_normal(void **state)
{
	static const struct uri_case cases[] = {
	        {RFC_BASE, "g:h", "g:h"},
	        {RFC_BASE, "g", "http://a/b/c/g"},
	        {RFC_BASE, "./g", "http://a/b/c/g"},
	        {RFC_BASE, "g/", "http://a/b/c/g/"},
	        {RFC_BASE, "/g", "http://a/g"},
	        {RFC_BASE, "//g", "http://g"},
	        {RFC_BASE, "?y", "http://a/b/c/d;p?y"},
	        {RFC_BASE, "g?y", "http://a/b/c/g?y"},
	        {RFC_BASE, "#s", "http://a/b/c/d;p?q#s"},
	        {RFC_BASE, "g#s", "http://a/b/c/g#s"},
	        {RFC_BASE, "g?y#s", "http://a/b/c/g?y#s"},
	        {RFC_BASE, ";x", "http://a/b/c/;x"},
	        {RFC_BASE, "g;x", "http://a/b/c/g;x"},
	        {RFC_BASE, "g;x?y#s", "http://a/b/c/g;x?y#s"},
	        {RFC_BASE, "", "http://a/b/c/d;p?q"},
	        {RFC_BASE, ".", "http://a/b/c/"},
	        {RFC_BASE, "./", "http://a/b/c/"},
	        {RFC_BASE, "..", "http://a/b/"},
	        {RFC_BASE, "../", "http://a/b/"},
	        {RFC_BASE, "../g", "http://a/b/g"},
	        {RFC_BASE, "../..", "http://a/"},
	        {RFC_BASE, "../../", "http://a/"},
	        {RFC_BASE, "../../g", "http://a/g"},
	};

	(void)state;
	CHECK(cases);
}

/* RFC 3986 section 5.4.2 */
static void
test_rfc3986_abnormal(void **state)
{
	static const struct uri_case cases[] = {
	        {RFC_BASE, "../../../g", "http://a/g"},
	        {RFC_BASE, "../../../../g", "http://a/g"},
	        {RFC_BASE, "/./g", "http://a/g"},
	        {RFC_BASE, "/../g", "http://a/g"},
	        {RFC_BASE, "g.", "http://a/b/c/g."},
	        {RFC_BASE, ".g", "http://a/b/c/.g"},
	        {RFC_BASE, "g..", "http://a/b/c/g.."},
	        {RFC_BASE, "..g", "http://a/b/c/..g"},
	        {RFC_BASE, "./../g", "http://a/b/g"},
	        {RFC_BASE, "./g/.", "http://a/b/c/g/"},
	        {RFC_BASE, "g/./h", "http://a/b/c/g/h"},
	        {RFC_BASE, "g/../h", "http://a/b/c/h"},
	        {RFC_BASE, "g;x=1/./y", "http://a/b/c/g;x=1/y"},
	        {RFC_BASE, "g;x=1/../y", "http://a/b/c/y"},
	        {RFC_BASE, "g?y/./x", "http://a/b/c/g?y/./x"},
	        {RFC_BASE, "g?y/../x", "http://a/b/c/g?y/../x"},
	        {RFC_BASE, "g#s/./x", "http://a/b/c/g#s/./x"},
	        {RFC_BASE, "g#s/../x", "http://a/b/c/g#s/../x"},
	        {RFC_BASE, "http:g", "http:g"}, /* strict parser */
	};

	(void)state;
	CHECK(cases);
}

/* Bases and references as feeds have them. */
static void
test_feed_cases(void **state)
{
	static const struct uri_case cases[] = {
	        /* a host without a path merges under "/" */
	        {"http://example.org", "feed.xml",
	         "http://example.org/feed.xml"},
	        {"http://example.org?x=1", "?y=2", "http://example.org?y=2"},
	        {"http://example.org/a/b", "//cdn.example.net/i.png",
	         "http://cdn.example.net/i.png"},
	        {"https://example.org/a/b", "//cdn.example.net/x/../i.png",
	         "https://cdn.example.net/i.png"},
	        {"http://example.org/blog/", "2011/10/post.html",
	         "http://example.org/blog/2011/10/post.html"},
	        {"http://example.org/blog/index.xml", "#comments",
	         "http://example.org/blog/index.xml#comments"},
	        {"http://example.org/blog/index.xml#top", "?page=2",
	         "http://example.org/blog/index.xml?page=2"},
	        {"http://user@example.org:8080/a/b?q", "../c",
	         "http://user@example.org:8080/c"},
	        {"file:///srv/feeds/x.xml", "img/a.png",
	         "file:///srv/feeds/img/a.png"},
	        {"urn:x:y", "z", "urn:z"},
	        {"tag:example.org,2011:feed", "#e1",
	         "tag:example.org,2011:feed#e1"},
	        /* IRIs stay as they came, nothing is percent-encoded */
	        {"http://例え.jp/記事/", "画像.png",
	         "http://例え.jp/記事/画像.png"},
	        {"http://example.org/a/", "é/../ü?ß#ø",
	         "http://example.org/a/ü?ß#ø"},
	        /* "." and ".." in an absolute reference are left alone */
	        {"http://example.org/a/", "http://other.org/x/../y",
	         "http://other.org/x/../y"},
	        /* and so is the base path when only the query changes */
	        {"http://example.org/a/./b", "?q",
	         "http://example.org/a/./b?q"},
	};

	(void)state;
	CHECK(cases);
}

/* xml:base on nested elements: each resolved against its parent's. */
static void
test_xml_base_chain(void **state)
{
	static const char *const chain[] = {
	        "http://example.org/feeds/main.atom", /* document URL */
	        "../entries/",
	        "2011/",
	        "/static/",
	        "//mirror.example.net/root/",
	        "sub/../other/",
	};
	static const char *const want[] = {
	        "http://example.org/feeds/main.atom",
	        "http://example.org/entries/",
	        "http://example.org/entries/2011/",
	        "http://example.org/static/",
	        "http://mirror.example.net/root/",
	        "http://mirror.example.net/root/other/",
	};
	char *base = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof chain / sizeof *chain; i++) {
		char *next = feed_uri_resolve(base, chain[i]);

		assert_non_null(next);
		assert_string_equal(next, want[i]);
		free(base);
		base = next;
	}
	{
		char *link = feed_uri_resolve(base, "../a.html#x");

		assert_string_equal(link,
		                    "http://mirror.example.net/root/a.html#x");
		free(link);
	}
	free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_null_and_empty),
	        cmocka_unit_test(test_is_absolute),
	        cmocka_unit_test(test_rfc3986_normal),
	        cmocka_unit_test(test_rfc3986_abnormal),
	        cmocka_unit_test(test_feed_cases),
	        cmocka_unit_test(test_xml_base_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
