// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the renderer. The first two bytes choose the width
 * (20..400 and a few outside) and the content type and flags; the rest is
 * the content. Every rendering is checked: valid UTF-8, no control or bidi
 * character, no line wider than the width, widths that add up, links that
 * are http(s) only. A breach aborts, which libFuzzer reports as a crash.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/render.h"
#include "courant/text.h"

static void
check(const struct render_doc *d, int width)
{
	for (size_t i = 0; i < d->n_lines; i++) {
		const struct render_line *ln = &d->lines[i];
		int sum = 0;

		if (ln->width > width)
			abort();
		for (size_t k = 0; k < ln->n_runs; k++) {
			const struct render_run *r = &ln->runs[k];
			size_t j = 0;

			if (r->len == 0 || !utf8_is_valid(r->text, r->len))
				abort();
			if (render_text_width(r->text, r->len) != r->width)
				abort();
			if (r->link < 0 || (size_t)r->link > d->n_links)
				abort();
			sum += r->width;
			while (j < r->len) {
				uint32_t cp;

				j += utf8_decode(r->text + j, r->len - j, &cp);
				if (text_is_forbidden(cp))
					abort();
			}
		}
		if (sum != ln->width)
			abort();
	}
	for (size_t i = 0; i < d->n_links; i++) {
		const char *u = d->links[i].url;

		if (strncmp(u, "http://", 7) != 0 &&
		    strncmp(u, "https://", 8) != 0)
			abort();
		for (const char *p = u; *p != '\0'; p++) {
			if ((unsigned char)*p <= 0x20 || *p == 0x7F)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct render_opts o = {80, 0, "https://example.com/dir/item"};
	enum feed_text_type type = FEED_TEXT_HTML;
	struct render_doc *d;
	char *copy, *text;

	if (size < 2)
		return 0;
	o.width = 20 + data[0] * 380 / 255;
	if (data[1] & 1)
		type = FEED_TEXT_PLAIN;
	if (data[1] & 2)
		o.flags |= RENDER_ASCII;
	if (data[1] & 4)
		o.flags |= RENDER_NO_LINK_LIST;
	if (data[1] & 8)
		o.base_url = NULL;
	if (data[1] & 16)
		o.width = RENDER_MIN_WIDTH + data[0] % 10;
	/* A NUL-terminated copy, so nothing can read past the input. */
	copy = malloc(size - 2 + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 2, size - 2);
	copy[size - 2] = '\0';
	d = render_content(copy, size - 2, type, &o);
	check(d, o.width);
	text = render_doc_text(d);
	free(text);
	render_doc_free(d);
	free(copy);
	return 0;
}
