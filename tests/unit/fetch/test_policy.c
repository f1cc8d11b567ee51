// SPDX-License-Identifier: MIT
/* The poller's pure decisions: URLs, headers, Retry-After, backoff, cache
 * lifetimes, error texts. */
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

#include "courant/fetch.h"

#include "private.h"

/* 2025-06-03T07:39:21Z */
#define NOW ((feed_time)1748936361)

static void
test_url_kind(void **state)
{
	static const struct {
		const char *url;
		enum fetch_url_kind kind;
	} cases[] = {
	        {NULL, FETCH_URL_BAD},
	        {"", FETCH_URL_BAD},
	        {"http://example.org/feed", FETCH_URL_HTTP},
	        {"HTTPS://Example.org", FETCH_URL_HTTP},
	        {"https://[::1]:8080/x", FETCH_URL_HTTP},
	        {"file:///home/me/feed.xml", FETCH_URL_FILE},
	        {"file://localhost/tmp/f.xml", FETCH_URL_FILE},
	        {"file://otherhost/tmp/f.xml", FETCH_URL_BAD},
	        {"ftp://example.org/feed", FETCH_URL_BAD},
	        {"gopher://example.org/", FETCH_URL_BAD},
	        {"example.org/feed", FETCH_URL_BAD},
	        {"http://", FETCH_URL_BAD},
	        {"http:///path", FETCH_URL_BAD},
	        {"http://:80/", FETCH_URL_BAD},
	        {"http://exa mple.org/", FETCH_URL_BAD},
	        {"http://example.org/\x1b[2J", FETCH_URL_BAD},
	        {"http://example.org/\x7f", FETCH_URL_BAD},
	        {"javascript:alert(1)", FETCH_URL_BAD},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum fetch_url_kind k = fetch_url_kind(cases[i].url);

		if (k != cases[i].kind)
			fail_msg("case %zu (%s): got %d, want %d", i,
			         cases[i].url ? cases[i].url : "NULL", k,
			         cases[i].kind);
	}
	assert_true(fetch_url_allowed("file:///x"));
	assert_false(fetch_url_allowed("data:text/plain,x"));
}

static void
test_url_too_long(void **state)
{
	size_t n = FETCH_URL_MAX + 10;
	char *url = malloc(n + 1);

	(void)state;
	memcpy(url, "http://a/", 9);
	memset(url + 9, 'x', n - 9);
	url[n] = '\0';
	assert_int_equal(fetch_url_kind(url), FETCH_URL_BAD);
	url[FETCH_URL_MAX] = '\0';
	assert_int_equal(fetch_url_kind(url), FETCH_URL_HTTP);
	free(url);
}

static void
test_host_key(void **state)
{
	static const struct {
		const char *url;
		const char *key;
	} cases[] = {
	        {NULL, NULL},
	        {"ftp://x/", NULL},
	        {"file:///tmp/x.xml", ""},
	        {"http://Example.ORG/feed", "example.org:80"},
	        {"https://example.org", "example.org:443"},
	        {"http://127.0.0.1:8080/a?b", "127.0.0.1:8080"},
	        {"https://user:pw@host.example:444/x", "host.example:444"},
	        {"http://[::1]:9000/feed", "[::1]:9000"},
	        {"https://[2001:db8::1]/", "[2001:db8::1]:443"},
	        {"http://h.example#frag", "h.example:80"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *k = fetch_host_key(cases[i].url);

		if (cases[i].key == NULL)
			assert_null(k);
		else
			assert_string_equal(k, cases[i].key);
		free(k);
	}
}

static void
test_status_line(void **state)
{
	static const struct {
		const char *line;
		int status;
	} cases[] = {
	        {"", -1},
	        {"HTTP/1.1 200 OK\r\n", 200},
	        {"HTTP/1.0 304 Not Modified\r\n", 304},
	        {"HTTP/2 301\r\n", 301},
	        {"HTTP/2 410", 410},
	        {"HTTP/1.1 100 Continue\r\n", 100},
	        {"HTTP/1.1 2000 OK\r\n", -1},
	        {"HTTP/1.1 20x OK\r\n", -1},
	        {"ETag: \"abc\"\r\n", -1},
	        {"\r\n", -1},
	        {"http/1.1 200 OK\r\n", -1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(
		        fetch_status_line(cases[i].line, strlen(cases[i].line)),
		        cases[i].status);
}

static void
test_header_split(void **state)
{
	static const struct {
		const char *line;
		int rc;
		const char *name;
		const char *value;
	} cases[] = {
	        {"", -1, NULL, NULL},
	        {"\r\n", -1, NULL, NULL},
	        {"HTTP/1.1 200 OK\r\n", -1, NULL, NULL},
	        {": value\r\n", -1, NULL, NULL},
	        {"ETag: \"abc\"\r\n", 0, "etag", "\"abc\""},
	        {"Last-Modified:Tue, 03 Jun 2025 07:39:21 GMT\r\n", 0,
	         "last-modified", "Tue, 03 Jun 2025 07:39:21 GMT"},
	        {"Retry-After: \t 120 \r\n", 0, "retry-after", "120"},
	        {"X-Empty:\r\n", 0, "x-empty", ""},
	        {"Bad Name: x\r\n", -1, NULL, NULL},
	        {"A-Very-Long-Header-Name-Beyond-The-Buffer: v\r\n", 0,
	         "a-very-long-header-name-beyond", "v"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[31];
		const char *v = NULL;
		size_t vlen = 0;
		int rc =
		        fetch_header_split(cases[i].line, strlen(cases[i].line),
		                           name, sizeof name, &v, &vlen);

		assert_int_equal(rc, cases[i].rc);
		if (rc < 0)
			continue;
		assert_string_equal(name, cases[i].name);
		assert_int_equal(vlen, strlen(cases[i].value));
		assert_memory_equal(v, cases[i].value, vlen);
	}
}

static void
test_validator(void **state)
{
	char big[FETCH_VALIDATOR_MAX + 2];

	(void)state;
	assert_false(fetch_validator_ok(NULL, 0));
	assert_false(fetch_validator_ok("", 0));
	assert_true(fetch_validator_ok("\"abc\"", 5));
	assert_true(fetch_validator_ok("W/\"caf\xc3\xa9\"", 9));
	assert_false(fetch_validator_ok("a\x1b[2J", 5));
	assert_false(fetch_validator_ok("a\x7f", 2));
	assert_false(fetch_validator_ok("a\nb", 3));
	memset(big, 'x', sizeof big);
	assert_true(fetch_validator_ok(big, FETCH_VALIDATOR_MAX));
	assert_false(fetch_validator_ok(big, FETCH_VALIDATOR_MAX + 1));
}

static void
test_retry_after(void **state)
{
	static const struct {
		const char *value;
		long want;
	} cases[] = {
	        {NULL, -1},
	        {"", -1},
	        {"120", 120},
	        {" 7 ", 7},
	        {"0", 0},
	        {"-5", -1},
	        {"12abc", -1},
	        {"soon", -1},
	        {"99999999999999999999999", FETCH_RETRY_MAX},
	        {"86401", FETCH_RETRY_MAX},
	        /* HTTP dates, relative to NOW. */
	        {"Tue, 03 Jun 2025 07:49:21 GMT", 600},
	        {"Tue, 03 Jun 2025 07:39:21 GMT", 0},
	        {"Mon, 02 Jun 2025 07:39:21 GMT", 0},
	        {"Fri, 13 Jun 2025 07:39:21 GMT", FETCH_RETRY_MAX},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long got = fetch_retry_after(cases[i].value, NOW);

		if (got != cases[i].want)
			fail_msg("case %zu (%s): got %ld, want %ld", i,
			         cases[i].value ? cases[i].value : "NULL", got,
			         cases[i].want);
	}
}

static void
test_backoff(void **state)
{
	static const struct {
		int failures;
		unsigned rnd;
		long want;
	} cases[] = {
	        {0, 0, 0},
	        {-3, 12345, 0},
	        {1, 0, FETCH_BACKOFF_BASE},
	        {2, 0, 2 * FETCH_BACKOFF_BASE},
	        {3, 0, 4 * FETCH_BACKOFF_BASE},
	        {1, 60, FETCH_BACKOFF_BASE + 60},
	        /* jitter stays under a fifth */
	        {1, 61, FETCH_BACKOFF_BASE + 0},
	        {1, 62, FETCH_BACKOFF_BASE + 1},
	        {20, 0, FETCH_BACKOFF_MAX},
	        {1000, 0, FETCH_BACKOFF_MAX},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long got = fetch_backoff(cases[i].failures, cases[i].rnd);

		if (got != cases[i].want)
			fail_msg("case %zu: got %ld, want %ld", i, got,
			         cases[i].want);
	}
	/* Any random value keeps it within [delay, delay * 1.2]. */
	for (unsigned r = 0; r < 100000; r += 997) {
		long d = fetch_backoff(30, r);

		assert_true(d >= FETCH_BACKOFF_MAX);
		assert_true(d <= FETCH_BACKOFF_MAX + FETCH_BACKOFF_MAX / 5);
	}
}

static void
test_freshness(void **state)
{
	static const struct {
		const char *cc;
		const char *expires;
		const char *date;
		long want;
	} cases[] = {
	        {NULL, NULL, NULL, -1},
	        {"", NULL, NULL, -1},
	        {"max-age=600", NULL, NULL, 600},
	        {"public, max-age=3600", NULL, NULL, 3600},
	        {"Max-Age = \"90\"", NULL, NULL, 90},
	        {"s-maxage=50", NULL, NULL, -1},
	        {"no-cache", NULL, NULL, 0},
	        {"max-age=600, no-store", NULL, NULL, 0},
	        {"max-age=abc", NULL, NULL, -1},
	        {"private", "Tue, 03 Jun 2025 08:39:21 GMT", NULL, 3600},
	        /* max-age beats Expires */
	        {"max-age=60", "Tue, 03 Jun 2025 08:39:21 GMT", NULL, 60},
	        /* Expires is counted from the server's Date when given */
	        {NULL, "Tue, 03 Jun 2025 08:39:21 GMT",
	         "Tue, 03 Jun 2025 08:29:21 GMT", 600},
	        {NULL, "Mon, 02 Jun 2025 07:39:21 GMT", NULL, 0},
	        {NULL, "0", NULL, 0},
	        {NULL, "garbage", NULL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long got = fetch_freshness(cases[i].cc, cases[i].expires,
		                           cases[i].date, NOW);

		if (got != cases[i].want)
			fail_msg("case %zu: got %ld, want %ld", i, got,
			         cases[i].want);
	}
}

static void
test_cache_delay(void **state)
{
	static const struct {
		long fresh;
		int ttl;
		long want;
	} cases[] = {
	        {-1, -1, 0},
	        {0, 0, 0},
	        {600, -1, 600},
	        {-1, 60, 3600},
	        {600, 60, 3600},
	        {7200, 60, 7200},
	        {10L * 24 * 3600, -1, FETCH_CACHE_MAX},
	        {-1, 1000000000, FETCH_CACHE_MAX},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(
		        fetch_cache_delay(cases[i].fresh, cases[i].ttl),
		        cases[i].want);
}

static void
test_curl_message(void **state)
{
	/* The codes SECURITY.md 3.2 verified, by number. */
	static const int codes[] = {1,  3,  6,  7,  18, 23, 27,
	                            28, 47, 56, 60, 61, 63};

	(void)state;
	assert_null(fetch_curl_message(0));
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const char *m = fetch_curl_message(codes[i]);

		if (m == NULL)
			fail_msg("no message for CURLcode %d", codes[i]);
	}
	assert_non_null(strstr(fetch_curl_message(1), "http"));
	assert_non_null(strstr(fetch_curl_message(28), "timed out"));
	assert_non_null(strstr(fetch_curl_message(60), "certificate"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_url_kind),
	        cmocka_unit_test(test_url_too_long),
	        cmocka_unit_test(test_host_key),
	        cmocka_unit_test(test_status_line),
	        cmocka_unit_test(test_header_split),
	        cmocka_unit_test(test_validator),
	        cmocka_unit_test(test_retry_after),
	        cmocka_unit_test(test_backoff),
	        cmocka_unit_test(test_freshness),
	        cmocka_unit_test(test_cache_delay),
	        cmocka_unit_test(test_curl_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
