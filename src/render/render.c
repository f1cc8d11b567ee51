// SPDX-License-Identifier: MIT
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "courant/render.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

struct render_doc *
render_content(const char *content, size_t len, enum feed_text_type type,
               const struct render_opts *opts)
{
	struct layout l;

	layout_init(&l, opts);
	if (content != NULL && len > 0) {
		layout_expect(&l, len);
		if (type == FEED_TEXT_PLAIN)
			render_plain(&l, content, len);
		else
			render_html(&l, content, len);
	}
	return layout_finish(&l);
}

/* Bytes of a header value shown: a feed may send a title of a megabyte,
 * which would push the article thousands of lines down. */
#define HEADER_VALUE_MAX 1024

static void
field(struct layout *l, const char *label, const char *value,
      enum render_style style)
{
	bool pushed;
	size_t n;

	if (value == NULL || value[0] == '\0')
		return;
	n = strlen(value);
	pushed = layout_push_prefix(l, label, RENDER_BOLD, false);
	if (!pushed)
		layout_literal(l, label, RENDER_BOLD, 0);
	layout_style(l, style, 1);
	if (n > HEADER_VALUE_MAX) {
		/* Cut on a character boundary, and say so. */
		n = HEADER_VALUE_MAX;
		while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
			n--;
		layout_text(l, value, n);
		layout_text(l, "...", 3);
	} else {
		layout_text(l, value, n);
	}
	layout_style(l, style, -1);
	if (pushed)
		layout_pop_prefix(l);
	layout_block(l, 0);
}

struct render_doc *
render_header(const struct render_meta *meta, const struct render_opts *opts)
{
	struct render_opts o = {80, 0, NULL};
	struct layout l;

	if (opts != NULL)
		o = *opts;
	o.flags |= RENDER_NO_LINK_LIST;
	layout_init(&l, &o);
	if (meta != NULL) {
		field(&l, "Title:  ", meta->title, RENDER_HEADING);
		field(&l, "Feed:   ", meta->feed, RENDER_PLAIN);
		field(&l, "Author: ", meta->author, RENDER_PLAIN);
		if (meta->date != FEED_DATE_UNKNOWN) {
			time_t t = (time_t)meta->date;
			struct tm tm;
			char date[64];

			if ((feed_time)t == meta->date &&
			    localtime_r(&t, &tm) != NULL &&
			    strftime(date, sizeof(date), "%Y-%m-%d %H:%M %Z",
			             &tm) > 0)
				field(&l, "Date:   ", date, RENDER_PLAIN);
		}
		field(&l, "Link:   ", meta->link, RENDER_LINK);
	}
	return layout_finish(&l);
}

void
render_doc_free(struct render_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->n_links; i++)
		free(doc->links[i].url);
	free(doc->links);
	free(doc->lines);
	free(doc->runs_);
	free(doc->arena_);
	free(doc);
}

char *
render_doc_text(const struct render_doc *doc)
{
	struct buf b;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	for (size_t i = 0; doc != NULL && i < doc->n_lines; i++) {
		const struct render_line *ln = &doc->lines[i];

		for (size_t k = 0; k < ln->n_runs; k++)
			buf_append(&b, ln->runs[k].text, ln->runs[k].len);
		buf_putc(&b, '\n');
	}
	return buf_take(&b);
}
