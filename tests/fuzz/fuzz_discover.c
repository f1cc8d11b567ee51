// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for feed discovery (feed_discover): the first byte
 * chooses the page's own address, the rest is the HTML page. A page is
 * not the user, so every address it yields must be one the poller would
 * fetch and never a file: URL: http:// or https://, a host, no control
 * character or space, at most 8 KiB; at most 50 of them, no duplicate, a
 * known feed type, and titles that went through the sanitizer.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/fetch.h"
#include "courant/text.h"
#include "courant/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_text(const char *s)
{
	size_t n = strlen(s);

	check(utf8_is_valid(s, n));
	for (size_t i = 0; i < n;) {
		uint32_t cp;

		i += utf8_decode(s + i, n - i, &cp);
		check(!text_is_forbidden(cp));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const bases[] = {
	        "https://example.com/blog/post.html",
	        NULL,
	        "http://[::1]:8080/a/b?c",
	        "file:///home/user/page.html",
	};
	struct feed_found *v;
	size_t n;

	if (size < 1)
		return 0;
	n = feed_discover((const char *)data + 1, size - 1, bases[data[0] & 3],
	                  &v);
	check(n <= 50 && (n == 0) == (v == NULL));
	for (size_t i = 0; i < n; i++) {
		const char *u = v[i].url;

		check(str_istarts_with(u, "http://") ||
		      str_istarts_with(u, "https://"));
		check(strlen(u) <= 8192 && fetch_url_allowed(u));
		check_text(u);
		check(strcmp(v[i].type, "application/rss+xml") == 0 ||
		      strcmp(v[i].type, "application/atom+xml") == 0 ||
		      strcmp(v[i].type, "application/rdf+xml") == 0);
		if (v[i].title != NULL)
			check_text(v[i].title);
		for (size_t k = 0; k < i; k++)
			check(strcmp(v[k].url, u) != 0);
	}
	feed_found_free(v, n);
	return 0;
}
