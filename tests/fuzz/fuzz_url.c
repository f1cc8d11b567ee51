// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the URL policy: every function that decides whether
 * a URL may be fetched (fetch_url_allowed, fetch_host_key), numbered as a
 * link in an article (render_url, render_url_span), opened or copied by the
 * reader (ui_url_ok, ui_base64), and the resolver they rely on
 * (feed_uri_resolve). An input with a NUL byte is "base NUL reference";
 * without one it is the reference, resolved against a few fixed bases.
 * What is allowed is checked against the promises of SECURITY.md rule 3:
 * http:// or https:// (file:// only for what the user adds), a host, no
 * control character or space, never a leading '-', at most 8 KiB, and a
 * link the renderer numbers is one the reader will open.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/fetch.h"
#include "courant/text.h"
#include "courant/util.h"

#include "../../src/fetch/private.h"
#include "../../src/render/private.h"
#include "../../src/ui/private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static bool
starts_icase(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++)
		if (*s == '\0' || (*s | 0x20) != *prefix)
			return false;
	return true;
}

static bool
has_control_or_space(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7F)
			return true;
	return false;
}

/* The host part right after "scheme://" is there. */
static bool
has_host(const char *url)
{
	const char *h = strstr(url, "://");

	return h != NULL && h[3] != '\0' && strchr("/?#@:", h[3]) == NULL;
}

static void
check_fetch(const char *u)
{
	bool ok = fetch_url_allowed(u);
	char *key = fetch_host_key(u);

	check(ok == (fetch_url_kind(u) != FETCH_URL_BAD));
	if (ok) {
		check(u[0] != '-');
		check(strlen(u) <= FETCH_URL_MAX);
		check(!has_control_or_space(u));
		if (starts_icase(u, "file://"))
			check(fetch_url_kind(u) == FETCH_URL_FILE);
		else
			check((starts_icase(u, "http://") ||
			       starts_icase(u, "https://")) &&
			      has_host(u) &&
			      fetch_url_kind(u) == FETCH_URL_HTTP);
	} else {
		check(key == NULL);
	}
	if (key != NULL) {
		check(!has_control_or_space(key));
		for (const char *c = key; *c != '\0'; c++)
			check(!(*c >= 'A' && *c <= 'Z'));
		/* "host:port", or "" for a file URL. */
		check(fetch_url_kind(u) == FETCH_URL_FILE
		              ? *key == '\0'
		              : strchr(key, ':') != NULL);
	}
	free(key);
}

static void
check_ui(const char *u)
{
	size_t n = strlen(u);
	char *b64;

	if (ui_url_ok(u)) {
		check(u[0] != '-' && n <= 8192);
		check(starts_icase(u, "http://") ||
		      starts_icase(u, "https://"));
		check(has_host(u) && !has_control_or_space(u));
		check(utf8_is_valid(u, n));
		/* What the reader opens, the poller could fetch. */
		check(fetch_url_allowed(u));
	}
	/* The OSC 52 payload: base64 of exactly these bytes. */
	b64 = ui_base64(u, n);
	check(strlen(b64) == (n + 2) / 3 * 4);
	for (size_t i = 0; b64[i] != '\0'; i++) {
		char c = b64[i];

		check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		      (c == '=' && i + 2 >= strlen(b64)));
	}
	free(b64);
}

static void
check_resolve(const char *base, const char *ref)
{
	char *r = feed_uri_resolve(base, ref);
	bool seen[256] = {false};

	check(r != NULL);
	if (feed_uri_is_absolute(ref) || !feed_uri_is_absolute(base)) {
		check(strcmp(r, ref) == 0);
	} else {
		size_t scheme = strcspn(base, ":");

		check(feed_uri_is_absolute(r));
		check(strncmp(r, base, scheme + 1) == 0);
		check(strlen(r) <= strlen(base) + strlen(ref) + 8);
		/* Only bytes of the two inputs, and the delimiters. */
		for (const char *c = base; *c != '\0'; c++)
			seen[(unsigned char)*c] = true;
		for (const char *c = ref; *c != '\0'; c++)
			seen[(unsigned char)*c] = true;
		for (const char *c = r; *c != '\0'; c++)
			check(seen[(unsigned char)*c] || strchr("/:?#", *c));
		/* The fragment is the reference's. */
		if (strchr(ref, '#') != NULL)
			check(strcmp(strchr(r, '#'), strchr(ref, '#')) == 0);
	}
	free(r);
}

static void
check_render(const char *base, const char *href)
{
	char *u = render_url(href, base);
	size_t n;

	if (u == NULL)
		return;
	n = strlen(u);
	check(strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0);
	check(u[0] != '-' && n < RENDER_MAX_URL);
	check(has_host(u) && !has_control_or_space(u));
	check(utf8_is_valid(u, n));
	for (size_t i = 0; i < n;) {
		uint32_t cp;

		i += utf8_decode(u + i, n - i, &cp);
		check(!text_is_forbidden(cp));
	}
	/* A link the renderer numbers is one the reader opens. */
	check(ui_url_ok(u));
	free(u);
}

static void
check_span(const char *s, size_t n)
{
	size_t k = render_url_span(s, n);

	if (k == 0)
		return;
	check(k <= n);
	check(starts_icase(s, "http://") || starts_icase(s, "https://"));
	for (size_t i = 0; i < k; i++)
		check((unsigned char)s[i] > 0x20 && s[i] != 0x7F);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const bases[] = {
	        "https://example.com/dir/page.html?q=1#top",
	        "http://user@[::1]:8080",
	        "file:///home/user/feeds/",
	        "mailto:someone@example.com",
	};
	char *s = xmalloc(size + 1);
	const char *nul;

	memcpy(s, data, size);
	s[size] = '\0';
	check_span(s, size);
	nul = memchr(s, '\0', size);
	if (nul != NULL) {
		const char *ref = nul + 1;

		check_fetch(s);
		check_fetch(ref);
		check_ui(s);
		check_ui(ref);
		check_resolve(s, ref);
		check_render(s, ref);
		check_render(NULL, ref);
	} else {
		check_fetch(s);
		check_ui(s);
		for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
			check_resolve(bases[i], s);
			check_render(bases[i], s);
		}
		check_render(NULL, s);
	}
	free(s);
	return 0;
}
