// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for OPML import and export: any bytes must parse or be
 * refused with ERR_PARSE; every feed taken must be http(s); and what is
 * read, written back, must read back the same feeds with the same tags.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

		if (!str_istarts_with(a->url, "http://") &&
		    !str_istarts_with(a->url, "https://"))
			abort();
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
