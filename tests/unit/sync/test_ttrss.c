// SPDX-License-Identifier: MIT
/*
 * TT-RSS replies (src/sync/ttrss_json.c): the real bodies recorded in
 * shared/TTRSS.md, every error code the API sends, and broken replies:
 * not JSON, wrong types, missing fields, huge numbers, duplicate keys,
 * deep nesting, control characters. A table of cases, then the values of
 * the real bodies one by one.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off: cmocka needs the headers above first */
#include <cmocka.h>
/* clang-format on */

#include "courant/sync.h"
#include "courant/util.h"

#include "private.h"

enum kind { LOGIN, STATUS, SUBSCRIBE, CATS, FEEDS, HEADLINES, IDS };

struct reply_case {
	enum kind kind;
	const char *body;
	int rc;          /* 0, -1 or SYNC_RELOGIN */
	const char *msg; /* a substring of the error, or NULL */
	size_t count;    /* items, feeds, ids or categories when rc is 0 */
};

#define OK(c) "{\"seq\":0,\"status\":0,\"content\":" c "}"
#define ERR(c) "{\"seq\":0,\"status\":1,\"content\":{\"error\":\"" c "\"}}"

/* The getFeeds and getHeadlines bodies of TTRSS.md, whole. */
#define FEEDS_BODY                                                             \
	OK("[{\"feed_url\":\"http:\\/\\/[::1]\\/alpha.xml\",\"title\":"        \
	   "\"Courant fixture alpha\",\"id\":1,\"unread\":2,\"has_icon\":"     \
	   "false,\"cat_id\":0,\"last_updated\":1795844198,\"order_id\":0},"   \
	   "{\"feed_url\":\"http:\\/\\/[::1]\\/beta.xml\",\"title\":"          \
	   "\"Courant fixture beta\",\"id\":2,\"unread\":2,\"has_icon\":"      \
	   "false,\"cat_id\":0,\"last_updated\":1795844198,\"order_id\":0}]")
#define HEADLINE_2                                                             \
	"{\"id\":2,\"guid\":\"{\\\"ver\\\":2,\\\"uid\\\":1,\\\"hash\\\":"      \
	"\\\"SHA1:99f5a34f3106a10f0d75bddf3cbf5ffe253bf41e\\\"}\","            \
	"\"unread\":true,\"marked\":false,\"published\":false,\"updated\":"    \
	"1672740000,\"is_updated\":false,\"title\":\"alpha two "               \
	"1795844197\",\"link\":\"http:\\/\\/[::1]\\/alpha\\/2\",\"feed_id\":"  \
	"1,\"tags\":[\"\"],\"labels\":[],\"feed_title\":\"Courant fixture "    \
	"alpha\",\"comments_count\":0,\"comments_link\":\"\","                 \
	"\"always_display_attachments\":false,\"author\":\"\",\"score\":0,"    \
	"\"note\":null,\"lang\":\"\",\"content\":\"\",\"flavor_image\":\"\","  \
	"\"flavor_stream\":\"\"}"
#define HEADLINE_1                                                             \
	"{\"id\":1,\"guid\":\"{\\\"ver\\\":2,\\\"uid\\\":1,\\\"hash\\\":"      \
	"\\\"SHA1:26df29f2\\\"}\",\"title\":\"alpha one 1795844197\","         \
	"\"link\":\"http:\\/\\/[::1]\\/alpha\\/1\",\"labels\":[],\"unread\":"  \
	"false,\"marked\":true,\"published\":false,\"comments\":\"\","         \
	"\"author\":\"Ann\",\"updated\":1672653600,\"feed_id\":\"1\","         \
	"\"attachments\":[{\"0\":\"5\",\"id\":5,\"content_url\":\"http:\\/\\/" \
	"[::1]\\/a.mp3\",\"content_type\":\"audio\\/mpeg\"}],\"score\":0,"     \
	"\"feed_title\":\"Courant fixture alpha\",\"note\":null,\"lang\":"     \
	"\"en\",\"tags\":[\"news\",\"\",7],\"content\":\"<p>alpha body "       \
	"one<\\/p>\"}"

static const struct reply_case cases[] = {
        /* login */
        {LOGIN,
         OK("{\"session_id\":\"luk5hqn80usc697ja9m0bh2366\",\"api_level\":"
            "15}"),
         0, NULL, 0},
        {LOGIN, ERR("LOGIN_ERROR"), -1, "wrong user or password", 0},
        {LOGIN, ERR("API_DISABLED"), -1, "Preferences > Enable API", 0},
        {LOGIN, OK("{\"api_level\":15}"), -1, "no session id", 0},
        {LOGIN, OK("{\"session_id\":15}"), -1, "no session id", 0},
        {LOGIN, OK("{\"session_id\":\"\"}"), -1, "no session id", 0},
        {LOGIN, OK("{\"session_id\":\"a\\\"b\"}"), -1, "strange", 0},
        {LOGIN, OK("{\"session_id\":\"a\\u001bb\"}"), -1, "strange", 0},
        {LOGIN, OK("[]"), -1, "no session id", 0},
        /* the envelope */
        {STATUS, "", -1, "empty reply", 0},
        {STATUS, "<html><body>500</body></html>", -1, "not JSON", 0},
        {STATUS, "{\"seq\":0,\"status\":0,\"content\":{}", -1, "not JSON", 0},
        {STATUS, "{\"seq\":0,\"status\":0,\"content\":{}} trailing", -1,
         "not JSON", 0},
        {STATUS, "[]", -1, "not a TT-RSS API answer", 0},
        {STATUS, "{\"seq\":0,\"content\":{}}", -1, "not a TT-RSS", 0},
        {STATUS, "{\"seq\":0,\"status\":\"0\",\"content\":{}}", -1,
         "not a TT-RSS", 0},
        {STATUS, "{\"seq\":0,\"status\":2,\"content\":{}}", -1, "not a TT-RSS",
         0},
        {STATUS, "{\"seq\":0,\"status\":0}", -1, "no status", 0},
        {STATUS,
         "{\"seq\":-1,\"status\":1,\"content\":{\"error\":"
         "\"NOT_LOGGED_IN\"}}",
         SYNC_RELOGIN, "ended the session", 0},
        {STATUS, ERR("INCORRECT_USAGE"), -1, "INCORRECT_USAGE", 0},
        {STATUS,
         "{\"seq\":0,\"status\":1,\"content\":{\"error\":\"UNKNOWN_METHOD\","
         "\"method\":\"frob\"}}",
         -1, "UNKNOWN_METHOD", 0},
        {STATUS, ERR("E_OPERATION_FAILED"), -1,
         "answered an error: E_OPERATION_FAILED", 0},
        {STATUS, ERR("\\u001b[31mred"), -1, "answered an error: [31mred", 0},
        {STATUS, "{\"seq\":0,\"status\":1,\"content\":[]}", -1,
         "answered an error", 0},
        {STATUS, OK("{\"status\":\"OK\",\"updated\":1}"), 0, NULL, 0},
        {STATUS, OK("{\"status\":\"OK\"}"), 0, NULL, 0},
        {STATUS,
         "{\"seq\":null,\"status\":0,\"content\":{\"status\":"
         "\"OK\"}}",
         0, NULL, 0},
        /* a number past 64 bits is not JSON jansson keeps */
        {STATUS, "{\"seq\":99999999999999999999,\"status\":0,\"content\":{}}",
         -1, "not JSON", 0},
        /* duplicate keys: the last one counts */
        {STATUS, "{\"status\":1,\"status\":0,\"content\":{}}", 0, NULL, 0},
        /* subscribeToFeed */
        {SUBSCRIBE, OK("{\"status\":{\"code\":1,\"feed_id\":1}}"), 0, NULL, 0},
        {SUBSCRIBE, OK("{\"status\":{\"code\":0,\"feed_id\":\"7\"}}"), 0, NULL,
         0},
        {SUBSCRIBE, OK("{\"status\":{\"code\":1}}"), -1, "no feed id", 0},
        {SUBSCRIBE, OK("{\"status\":{\"code\":2}}"), -1, "invalid URL", 0},
        {SUBSCRIBE, OK("{\"status\":{\"code\":3}}"), -1, "no feed", 0},
        {SUBSCRIBE, OK("{\"status\":{\"code\":4,\"feeds\":{\"a\":\"b\"}}}"), -1,
         "several feeds", 0},
        {SUBSCRIBE,
         OK("{\"status\":{\"code\":5,\"message\":\"Requested URL failed "
            "extended validation.\"}}"),
         -1, "could not fetch the feed: Requested URL failed", 0},
        {SUBSCRIBE, OK("{\"status\":{\"code\":9}}"), -1, "code 9", 0},
        {SUBSCRIBE, OK("{\"status\":\"OK\"}"), -1, "no subscription", 0},
        /* getCategories: only real ones (id > 0) */
        {CATS,
         OK("[{\"id\":-1,\"title\":\"Special\",\"unread\":0},{\"id\":0,"
            "\"title\":\"Uncategorized\",\"unread\":6}]"),
         0, NULL, 0},
        {CATS,
         OK("[{\"id\":3,\"title\":\"News\"},{\"id\":4},{\"id\":\"5\","
            "\"title\":\"x\"},7,null]"),
         0, NULL, 1},
        {CATS, OK("{}"), -1, "not a list", 0},
        /* getFeeds */
        {FEEDS, FEEDS_BODY, 0, NULL, 2},
        {FEEDS, OK("[]"), 0, NULL, 0},
        {FEEDS,
         OK("[{\"id\":-4,\"title\":\"All\"},{\"id\":3},{\"id\":\"x\","
            "\"feed_url\":\"http://a/\"},{\"id\":4,\"feed_url\":5},"
            "{\"id\":5,\"feed_url\":\"http://b/\",\"title\":[],\"cat_id\":"
            "\"2\"}]"),
         0, NULL, 1},
        {FEEDS, OK("\"feeds\""), -1, "not a list", 0},
        {FEEDS, ERR("NOT_LOGGED_IN"), SYNC_RELOGIN, NULL, 0},
        /* getHeadlines */
        {HEADLINES, OK("[" HEADLINE_2 "," HEADLINE_1 "]"), 0, NULL, 2},
        {HEADLINES, OK("[]"), 0, NULL, 0},
        {HEADLINES,
         OK("[{\"header\":1},[" HEADLINE_2 "]]"), /* include_header */
         0, NULL, 1},
        {HEADLINES,
         OK("[{\"feed_id\":1},{\"id\":0,\"feed_id\":1},{\"id\":-3,"
            "\"feed_id\":1},{\"id\":3},{\"id\":4,\"feed_id\":true},"
            "{\"id\":1.5,\"feed_id\":1},{\"id\":\"12a\",\"feed_id\":1},"
            "{\"id\":\"0012\",\"feed_id\":\"1\"},17,null]"),
         0, NULL, 1},
        {HEADLINES,
         OK("[{\"id\":9223372036854775807,\"feed_id\":1,\"title\":5,"
            "\"link\":{},\"updated\":99999999999999,\"tags\":\"a\","
            "\"attachments\":{},\"content\":[],\"author\":null,\"unread\":"
            "\"t\",\"marked\":1}]"),
         0, NULL, 1},
        {HEADLINES, OK("{}"), -1, "not a list", 0},
        {HEADLINES, OK("null"), -1, "not a list", 0},
        {HEADLINES, ERR("API_DISABLED"), -1, "Enable API", 0},
        /* ids */
        {IDS, OK("[" HEADLINE_2 "," HEADLINE_1 ",{\"id\":\"x\"}]"), 0, NULL, 2},
        {IDS, OK("[[],{}]"), 0, NULL, 0},
        {IDS, OK("7"), -1, "not a list", 0},
};

static int
run_case(const struct reply_case *c, size_t *count, struct err *err)
{
	const char *b = c->body;
	size_t n = strlen(b);
	struct ttrss_cats cats = {0};
	struct sync_feeds f = {0};
	struct sync_articles a = {0};
	struct sync_ids ids = {0};
	char *s = NULL;
	long upd;
	int level, rc = -1;

	*count = 0;
	switch (c->kind) {
	case LOGIN:
		rc = ttrss_parse_login(b, n, &s, &level, err);
		break;
	case STATUS:
		rc = ttrss_parse_status(b, n, &upd, err);
		break;
	case SUBSCRIBE:
		rc = ttrss_parse_subscribe(b, n, &s, err);
		break;
	case CATS:
		rc = ttrss_parse_categories(b, n, &cats, err);
		*count = cats.n;
		ttrss_cats_done(&cats);
		break;
	case FEEDS:
		rc = ttrss_parse_feeds(b, n, NULL, &f, err);
		*count = f.n;
		sync_feeds_done(&f);
		break;
	case HEADLINES:
		rc = ttrss_parse_headlines(b, n, &a, err);
		*count = a.n;
		sync_articles_done(&a);
		break;
	case IDS:
		rc = ttrss_parse_ids(b, n, &ids, err);
		*count = ids.n;
		sync_ids_done(&ids);
		break;
	}
	free(s);
	return rc;
}

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct reply_case *c = &cases[i];
		struct err err = {0};
		size_t count;
		int rc = run_case(c, &count, &err);

		if (rc != c->rc)
			fail_msg("case %zu: rc %d, wanted %d (%s)", i, rc,
			         c->rc, err.msg);
		if (c->msg != NULL && strstr(err.msg, c->msg) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
			         c->msg);
		if (rc == 0 && count != c->count)
			fail_msg("case %zu: %zu items, wanted %zu", i, count,
			         c->count);
		/* An error message never carries a control character. */
		for (const char *p = err.msg; *p; p++)
			assert_true((unsigned char)*p >= 0x20);
		/* Every parser survives every body (the fuzz entry). */
		ttrss_fuzz_one((const uint8_t *)c->body, strlen(c->body));
	}
}

static void
test_login(void **state)
{
	static const char body[] = OK("{\"session_id\":\"luk5hqn80usc697ja9m0b"
	                              "h2366\",\"api_level\":15}");
	char *sid = NULL;
	int level = 0;

	(void)state;
	assert_int_equal(ttrss_parse_login(NULL, 0, &sid, &level, NULL), -1);
	assert_int_equal(
	        ttrss_parse_login(body, strlen(body), &sid, &level, NULL), 0);
	assert_string_equal(sid, "luk5hqn80usc697ja9m0bh2366");
	assert_int_equal(level, 15);
	free(sid);
}

static void
test_feeds(void **state)
{
	static const char cats_body[] =
	        OK("[{\"id\":-1,\"title\":\"Special\"},{\"id\":2,\"title\":"
	           "\"Tech\\u0007 news\"}]");
	static const char body[] =
	        OK("[{\"feed_url\":\"http:\\/\\/[::1]\\/alpha.xml\",\"title\":"
	           "\"A\",\"id\":1,\"cat_id\":2},{\"feed_url\":\"http:\\/\\/"
	           "[::1]\\/beta.xml\",\"id\":2,\"cat_id\":0},{\"feed_url\":"
	           "\"http://c/\",\"id\":3,\"cat_id\":-1}]");
	struct ttrss_cats cats = {0};
	struct sync_feeds f = {0};

	(void)state;
	assert_int_equal(ttrss_parse_categories(cats_body, strlen(cats_body),
	                                        &cats, NULL),
	                 0);
	assert_int_equal(cats.n, 1);
	assert_string_equal(ttrss_cat_title(&cats, 2), "Tech news");
	assert_null(ttrss_cat_title(&cats, 0));
	assert_int_equal(ttrss_parse_feeds(body, strlen(body), &cats, &f, NULL),
	                 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.v[0].id, "1");
	assert_string_equal(f.v[0].url, "http://[::1]/alpha.xml");
	assert_string_equal(f.v[0].title, "A");
	assert_string_equal(f.v[0].category, "Tech news");
	assert_null(f.v[1].title);
	assert_null(f.v[1].category); /* Uncategorized: no tag */
	assert_null(f.v[2].category); /* a special category: none */
	sync_feeds_done(&f);
	ttrss_cats_done(&cats);
	/* The real body, without categories. */
	{
		static const char real[] = FEEDS_BODY;

		assert_int_equal(
		        ttrss_parse_feeds(real, strlen(real), NULL, &f, NULL),
		        0);
		assert_string_equal(f.v[1].url, "http://[::1]/beta.xml");
		assert_string_equal(f.v[1].title, "Courant fixture beta");
		sync_feeds_done(&f);
	}
}

static void
test_headlines(void **state)
{
	static const char body[] = OK("[" HEADLINE_2 "," HEADLINE_1 "]");
	struct sync_articles a = {0};
	const struct feed_item *it;

	(void)state;
	assert_int_equal(ttrss_parse_headlines(body, strlen(body), &a, NULL),
	                 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.n_skipped, 0);
	/* The first: unread, no author, no content, the tag "" dropped. */
	assert_string_equal(a.v[0].id, "2");
	assert_string_equal(a.v[0].feed_id, "1");
	assert_false(a.v[0].is_read);
	assert_false(a.v[0].is_starred);
	it = &a.v[0].item;
	assert_string_equal(it->title.value, "alpha two 1795844197");
	assert_string_equal(it->link, "http://[::1]/alpha/2");
	assert_int_equal(it->published, 1672740000);
	assert_int_equal(it->n_authors, 0);
	assert_int_equal(it->n_content, 0);
	assert_int_equal(it->n_categories, 0);
	assert_null(it->key); /* the store keys it by the remote id */
	assert_non_null(strstr(it->id, "SHA1:99f5a34f"));
	/* The second: read, starred, a string feed id, author, HTML
	 * content, tags, an attachment with FETCH_BOTH's numeric keys. */
	assert_string_equal(a.v[1].feed_id, "1");
	assert_true(a.v[1].is_read);
	assert_true(a.v[1].is_starred);
	it = &a.v[1].item;
	assert_string_equal(it->authors[0].name, "Ann");
	assert_int_equal(it->content[0].type, FEED_TEXT_HTML);
	assert_string_equal(it->content[0].value, "<p>alpha body one</p>");
	assert_string_equal(it->content[0].lang, "en");
	assert_int_equal(it->n_categories, 1);
	assert_string_equal(it->categories[0].term, "news");
	assert_int_equal(it->n_enclosures, 1);
	assert_string_equal(it->enclosures[0].url, "http://[::1]/a.mp3");
	assert_string_equal(it->enclosures[0].type, "audio/mpeg");
	sync_articles_done(&a);
}

/* Strings from the server pass the sanitizer; content keeps its markup
 * and its newlines. */
static void
test_sanitized(void **state)
{
	static const char body[] =
	        OK("[{\"id\":5,\"feed_id\":2,\"title\":\"a\\u001b]0;pwn\\u0007"
	           "b\\u009bc\\u202ed\\nline\",\"link\":\"http://x/\\u0000y\","
	           "\"author\":\"\\u001b[2J\",\"content\":\"<b>x</b>\\n<i>"
	           "\\u001b[31m</i>\",\"updated\":-5}]");
	struct sync_articles a = {0};
	const struct feed_item *it;

	(void)state;
	/* "\u0000" is refused by jansson: the whole reply is not JSON. */
	assert_int_equal(ttrss_parse_headlines(body, strlen(body), &a, NULL),
	                 -1);
	{
		static const char b2[] =
		        OK("[{\"id\":5,\"feed_id\":2,\"title\":\"a\\u001b]0;"
		           "pwn\\u0007b\\u009bc\\u202ed\\nline\",\"author\":"
		           "\"\\u001b[2J\",\"content\":\"<b>x</b>\\n<i>"
		           "\\u001b[31m</i>\",\"updated\":-5}]");

		assert_int_equal(
		        ttrss_parse_headlines(b2, strlen(b2), &a, NULL), 0);
	}
	assert_int_equal(a.n, 1);
	it = &a.v[0].item;
	for (const char *p = it->title.value; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	assert_null(strstr(it->title.value, "\xc2\x9b"));
	assert_null(strstr(it->title.value, "\xe2\x80\xae"));
	assert_non_null(strstr(it->title.value, "line"));
	assert_null(strchr(it->authors[0].name, 0x1b));
	assert_non_null(strstr(it->content[0].value, "<b>x</b>\n<i>"));
	assert_null(strchr(it->content[0].value, 0x1b));
	assert_int_equal(it->published, FEED_DATE_UNKNOWN);
	sync_articles_done(&a);
}

static void
test_deep_and_big(void **state)
{
	struct buf b;
	struct sync_articles a = {0};
	struct err err = {0};

	(void)state;
	/* Nesting past jansson's limit is an error, not a crash. */
	buf_init(&b, 0);
	buf_puts(&b, "{\"status\":0,\"content\":");
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, '[');
	assert_int_equal(ttrss_parse_headlines(b.data, b.len, &a, &err), -1);
	assert_non_null(strstr(err.msg, "not JSON"));
	ttrss_fuzz_one((const uint8_t *)b.data, b.len);
	/* A long listing: every entry, none lost. */
	buf_reset(&b);
	buf_puts(&b, "{\"status\":0,\"content\":[");
	for (int i = 1; i <= 5000; i++)
		buf_printf(&b, "%s{\"id\":%d,\"feed_id\":%d,\"title\":\"t%d\"}",
		           i > 1 ? "," : "", i, i % 7 + 1, i);
	buf_puts(&b, "]}");
	assert_int_equal(ttrss_parse_headlines(b.data, b.len, &a, &err), 0);
	assert_int_equal(a.n, 5000);
	assert_string_equal(a.v[4999].id, "5000");
	sync_articles_done(&a);
	/* Bytes past n are never read: a body cut short is not JSON. */
	assert_int_equal(ttrss_parse_headlines(b.data, b.len - 1, &a, &err),
	                 -1);
	buf_done(&b);
}

static void
test_request_strings(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	json_put_string(&b, "a\"b\\c\n\x01\x7f\xc3\xa9");
	assert_string_equal(b.data,
	                    "\"a\\\"b\\\\c\\u000a\\u0001\\u007f\xc3\xa9\"");
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_table),
	        cmocka_unit_test(test_login),
	        cmocka_unit_test(test_feeds),
	        cmocka_unit_test(test_headlines),
	        cmocka_unit_test(test_sanitized),
	        cmocka_unit_test(test_deep_and_big),
	        cmocka_unit_test(test_request_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
