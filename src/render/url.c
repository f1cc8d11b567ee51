// SPDX-License-Identifier: MIT
/*
 * The link policy (SECURITY.md rule 3): an article's link is numbered, and
 * so can be opened or copied, only when it resolves to an absolute http or
 * https URL with a host. javascript:, data:, file:, mailto: and the rest
 * stay plain text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

static bool
is_http(const char *s)
{
	return str_istarts_with(s, "http://") ||
	       str_istarts_with(s, "https://");
}

static bool
has_scheme(const char *s)
{
	size_t i = 0;

	if (!((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return false;
	while (s[i] != '\0' && s[i] != ':') {
		char c = s[i];

		if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
		    !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.')
			return false;
		i++;
	}
	return s[i] == ':';
}

/* What a browser does to an href before parsing it: leading and trailing
 * controls and spaces go, tabs and newlines inside go; characters that are
 * never valid in a URL are percent-encoded. */
static void
clean(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	while (n > 0 && (unsigned char)*s <= 0x20) {
		s++;
		n--;
	}
	for (size_t i = 0, from = 0; i <= n; i++) {
		static const char hex[] = "0123456789ABCDEF";
		unsigned char c = i < n ? (unsigned char)s[i] : 0;
		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};

		/* Copied in spans: only what must change is looked at. */
		if (i < n && c > 0x20 && c != 0x7F &&
		    strchr("\"<>\\^`{|}", c) == NULL)
			continue;
		buf_append(b, s + from, i - from);
		from = i + 1;
		if (i < n && c != '\t' && c != '\n' && c != '\r')
			buf_append(b, esc, sizeof(esc));
	}
}

char *
render_url(const char *href, const char *base)
{
	struct buf b;
	char *url = NULL, *out;
	const char *host;

	if (href == NULL || strlen(href) >= RENDER_MAX_URL)
		return NULL;
	buf_init(&b, 0);
	clean(&b, href);
	if (b.len == 0 || b.len >= RENDER_MAX_URL) {
		buf_done(&b);
		return NULL;
	}
	if (has_scheme(b.data)) {
		url = buf_take(&b);
	} else if (base != NULL && is_http(base)) {
		/* The project's one resolver (RFC 3986 section 5). */
		url = feed_uri_resolve(base, b.data);
	}
	buf_done(&b);
	if (url == NULL || !is_http(url)) {
		free(url);
		return NULL;
	}
	/* A lowercase scheme, so the UI's own checks need no care. */
	for (char *c = url; *c != ':'; c++)
		*c = (char)(*c | 0x20);
	out = text_sanitize(url, strlen(url), TEXT_FOR_TERMINAL, 0);
	free(url);
	/* A host, as the reader wants before it opens or copies a link:
	 * not a path, a query, a port or credentials alone. Looked at after
	 * sanitizing, which may have removed controls that stood for one. */
	host = strstr(out, "://") + 3;
	if (*host == '\0' || strchr("/?#@:", *host) != NULL ||
	    strlen(out) >= RENDER_MAX_URL || strchr(out, ' ') != NULL) {
		free(out);
		return NULL;
	}
	return out;
}

size_t
render_url_span(const char *s, size_t n)
{
	size_t i, start, open = 0, close = 0;

	if (n >= 7 && str_istarts_with(s, "http://"))
		start = 7;
	else if (n >= 8 && str_istarts_with(s, "https://"))
		start = 8;
	else
		return 0;
	for (i = start; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7F || strchr("\"<>`", c) != NULL)
			break;
		/* No-break and ideographic spaces end a URL too. */
		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0)
			break;
		if (c == 0xE3 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    (unsigned char)s[i + 2] == 0x80)
			break;
		open += c == '(';
		close += c == ')';
	}
	/* Sentence punctuation after a URL is not part of it. */
	while (i > start) {
		char c = s[i - 1];

		if (c == ')' && close > open) {
			close--;
			i--;
		} else if (strchr(".,;:!?'", c) != NULL) {
			i--;
		} else {
			break;
		}
	}
	return i > start ? i : 0;
}
