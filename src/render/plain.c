// SPDX-License-Identifier: MIT
/*
 * Plain-text content: line breaks are kept, a blank line starts a new
 * paragraph, and http(s) URLs become numbered links like <a> in HTML.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

static bool
is_word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static void
line(struct layout *l, const char *s, size_t n)
{
	size_t i = 0, text = 0;

	while (i < n) {
		size_t len;
		char *url, *raw;

		if ((s[i] | 0x20) != 'h' ||
		    (i > 0 && is_word_byte((unsigned char)s[i - 1]))) {
			i++;
			continue;
		}
		len = render_url_span(s + i, n - i);
		if (len == 0) {
			i++;
			continue;
		}
		layout_text(l, s + text, i - text);
		raw = xstrndup(s + i, len);
		url = render_url(raw, NULL);
		free(raw);
		if (url != NULL) {
			char mark[24];
			int nr;

			layout_href_begin(l, url);
			layout_text(l, s + i, len);
			nr = layout_href_end(l);
			if (nr > 0) {
				snprintf(mark, sizeof(mark), "[%d]", nr);
				layout_literal(l, mark, RENDER_DIM, nr);
			}
		} else {
			layout_text(l, s + i, len);
		}
		i += len;
		text = i;
	}
	layout_text(l, s + text, n - text);
}

void
render_plain(struct layout *l, const char *s, size_t n)
{
	char *t = text_sanitize(s, n, TEXT_MULTILINE, 0);
	const char *p = t;
	bool after_text = false;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		bool blank = true;

		for (size_t i = 0; i < len && blank; i++)
			blank = str_is_space((unsigned char)p[i]);
		if (blank) {
			if (after_text)
				layout_block(l, 1);
			after_text = false;
		} else {
			if (after_text)
				layout_break(l);
			line(l, p, len);
			after_text = true;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	layout_block(l, 0);
	free(t);
}
