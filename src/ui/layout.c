// SPDX-License-Identifier: MIT
/*
 * The pure parts of the reader: where the panes go for a terminal size,
 * clipping text by display width, the command splitter, base64 and the URL
 * check before a link leaves courant. No curses here, so unit tests reach
 * all of it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/render.h"
#include "courant/text.h"
#include "courant/ui.h"
#include "courant/util.h"

#include "private.h"

/* A side-by-side split needs room for an 80-column reader and a useful
 * list; a stacked one needs a reader of about 30 lines under the list. */
#define SIDE_MIN_COLS 140
#define SIDE_MIN_ROWS 16
#define STACK_MIN_COLS 60
#define STACK_MIN_ROWS 48
#define FORCED_MIN_COLS 50 /* below these a forced split is single */
#define FORCED_MIN_ROWS 14

static int
max_int(int a, int b)
{
	return a > b ? a : b;
}

void
ui_layout_compute(int cols, int rows, enum ui_layout pref,
                  struct ui_geometry *g)
{
	int body_y = 1, body_h;

	cols = max_int(cols, 0);
	rows = max_int(rows, 0);
	memset(g, 0, sizeof *g);
	g->header_y = 0;
	g->message_y = max_int(rows - 1, 0);
	g->status_y = max_int(rows - 2, 0);
	body_h = max_int(rows - 3, 0);
	if (rows < 3) {
		/* No room for bars: the body gets what there is. */
		body_y = 0;
		body_h = rows;
	}
	g->list = (struct ui_rect){body_y, 0, body_h, cols};
	switch (pref) {
	case UI_LAYOUT_AUTO:
		if (cols >= SIDE_MIN_COLS && rows >= SIDE_MIN_ROWS)
			g->split = UI_SPLIT_SIDE;
		else if (cols >= STACK_MIN_COLS && rows >= STACK_MIN_ROWS)
			g->split = UI_SPLIT_STACKED;
		break;
	case UI_LAYOUT_SINGLE:
		break;
	case UI_LAYOUT_SIDE:
	case UI_LAYOUT_STACKED:
		if (cols >= FORCED_MIN_COLS && rows >= FORCED_MIN_ROWS)
			g->split = pref == UI_LAYOUT_SIDE ? UI_SPLIT_SIDE
			                                  : UI_SPLIT_STACKED;
		break;
	}
	if (g->split == UI_SPLIT_SIDE) {
		/* List: two fifths, at least 30 columns; one column of
		 * separator; the reader gets the rest. */
		int lw = max_int(cols * 2 / 5, 30);

		g->list.w = lw;
		g->reader = (struct ui_rect){body_y, lw + 1, body_h,
		                             max_int(cols - lw - 1, 0)};
	} else if (g->split == UI_SPLIT_STACKED) {
		int lh = max_int(body_h / 3, 5);

		g->list.h = lh;
		g->reader = (struct ui_rect){body_y + lh + 1, 0,
		                             max_int(body_h - lh - 1, 0), cols};
	}
}

size_t
ui_clip(const char *s, size_t n, int width, bool ascii, bool *ellipsis,
        int *cols)
{
	size_t i = 0, fit = 0;
	int used = 0, fit_cols = 0;
	int ell = 1; /* "…" and "~" both take one column */

	*ellipsis = false;
	*cols = 0;
	if (s == NULL || width <= 0)
		return 0;
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		int w = ascii && cp >= 0x80 ? 1 : render_cp_width(cp);

		if (used + w > width) {
			*ellipsis = true;
			break;
		}
		used += w;
		i += len;
		/* The last place an ellipsis still fits after. */
		if (used + ell <= width) {
			fit = i;
			fit_cols = used;
		}
	}
	if (!*ellipsis) {
		*cols = used;
		return i;
	}
	/* Zero-width marks after the cut belong to the last character. */
	while (fit < n) {
		uint32_t cp;
		size_t len = utf8_decode(s + fit, n - fit, &cp);

		if (render_cp_width(cp) != 0 || (ascii && cp >= 0x80))
			break;
		fit += len;
	}
	*cols = fit_cols + ell;
	return fit;
}

char *
ui_base64(const char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
	                          "stuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)s;
	char *out = xmalloc((n + 2) / 3 * 4 + 1);
	size_t o = 0, i;

	for (i = 0; i + 2 < n; i += 3) {
		out[o++] = tab[u[i] >> 2];
		out[o++] = tab[((u[i] & 3) << 4) | (u[i + 1] >> 4)];
		out[o++] = tab[((u[i + 1] & 15) << 2) | (u[i + 2] >> 6)];
		out[o++] = tab[u[i + 2] & 63];
	}
	if (i < n) {
		out[o++] = tab[u[i] >> 2];
		if (i + 1 < n) {
			out[o++] = tab[((u[i] & 3) << 4) | (u[i + 1] >> 4)];
			out[o++] = tab[(u[i + 1] & 15) << 2];
		} else {
			out[o++] = tab[(u[i] & 3) << 4];
			out[o++] = '=';
		}
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

bool
ui_url_ok(const char *url)
{
	const char *host;
	size_t n;

	if (url == NULL)
		return false;
	n = strlen(url);
	if (n == 0 || n > 8192 || url[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= ' ' || c == 0x7f)
			return false;
	}
	if (!utf8_is_valid(url, n))
		return false;
	/* C1 and bidi controls too: a link is one argument of a browser
	 * and may land in a clipboard, where they would mislead. */
	for (size_t i = 0; i < n;) {
		uint32_t cp;

		i += utf8_decode(url + i, n - i, &cp);
		if (text_is_forbidden(cp))
			return false;
	}
	if (str_istarts_with(url, "https://"))
		host = url + 8;
	else if (str_istarts_with(url, "http://"))
		host = url + 7;
	else
		return false;
	/* A host must follow, not a path, a query or credentials only. */
	return *host != '\0' && *host != '/' && *host != '?' && *host != '#' &&
	       *host != '@' && *host != ':';
}

void
ui_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (size_t i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

char **
ui_split_command(const char *cmd, struct err *err)
{
	char **argv = NULL;
	size_t n = 0;
	struct buf word;
	const char *p = cmd ? cmd : "";

	buf_init(&word, 0);
	for (;;) {
		bool in_word = false;
		char quote = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		buf_reset(&word);
		while (*p != '\0') {
			if (quote != 0) {
				if (*p == quote)
					quote = 0;
				else if (*p == '\\' && quote == '"' &&
				         p[1] != '\0')
					buf_putc(&word, *++p);
				else
					buf_putc(&word, *p);
				p++;
				continue;
			}
			if (*p == ' ' || *p == '\t')
				break;
			if (*p == '\'' || *p == '"') {
				quote = *p++;
				in_word = true;
				continue;
			}
			if (*p == '\\' && p[1] != '\0')
				p++;
			buf_putc(&word, *p++);
			in_word = true;
		}
		if (quote != 0) {
			err_set(err, ERR_USAGE,
			        "unterminated %c quote in "
			        "command",
			        quote);
			buf_done(&word);
			argv = xreallocarray(argv, n + 1, sizeof *argv);
			argv[n] = NULL;
			ui_argv_free(argv);
			return NULL;
		}
		if (in_word) {
			argv = xreallocarray(argv, n + 2, sizeof *argv);
			argv[n++] = xstrdup(buf_str(&word));
			argv[n] = NULL;
		}
	}
	buf_done(&word);
	if (n == 0) {
		err_set(err, ERR_USAGE, "empty command");
		free(argv);
		return NULL;
	}
	return argv;
}

static const char *const layout_names[] = {"auto", "single", "side", "stacked"};

const char *
ui_layout_name(enum ui_layout layout)
{
	if ((size_t)layout >= sizeof layout_names / sizeof layout_names[0])
		return "auto";
	return layout_names[layout];
}

int
ui_layout_parse(const char *name, enum ui_layout *out, struct err *err)
{
	for (int i = 0; i < 4; i++)
		if (name != NULL && str_eq(name, layout_names[i])) {
			*out = (enum ui_layout)i;
			return 0;
		}
	err_set(err, ERR_USAGE,
	        "unknown layout '%.60s' (auto, single, side, stacked)",
	        name ? name : "");
	return -1;
}

void
ui_options_default(struct ui_options *o)
{
	memset(o, 0, sizeof *o);
	o->layout = UI_LAYOUT_AUTO;
	o->show_read = true;
	o->show_read_feeds = true;
	/* Writing to the terminal's clipboard is opt-in (SECURITY.md 3.4). */
	o->osc52 = false;
}
