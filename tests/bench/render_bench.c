// SPDX-License-Identifier: MIT
/*
 * The renderer benchmark (issue 4): builds an HTML article of about SIZE
 * bytes (default 1 MiB) with the constructs real articles have (paragraphs
 * with inline styles and links, lists, quotes, pre, tables, images, some
 * CJK and Hangul), renders it at width 100 several times and prints the
 * best and median times. The issue asks for under 50 ms per MiB.
 *
 *   render_bench [SIZE [RUNS]]
 *
 * Figures are printed one per line, "name value unit".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "courant/feed.h"
#include "courant/render.h"
#include "courant/util.h"

static unsigned long rng = 12345;

static unsigned
next_rand(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng >> 33) % n;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *const words[] = {
        "the",   "reader",  "feeds",   "terminal", "article",
        "wraps", "quickly", "without", "losing",   "anything",
        "which", "matters", "most",    "when",     "lines",
        "are",   "long",    "and",     "short",    "internationalization",
        "a",     "of",
};

static void
sentence(struct buf *b, int n)
{
	for (int i = 0; i < n; i++) {
		unsigned r = next_rand(40);

		if (i > 0)
			buf_putc(b, ' ');
		if (r == 0)
			buf_printf(b, "<a href=\"/post/%u\">%s</a>",
			           next_rand(3000),
			           words[next_rand(sizeof(words) /
			                           sizeof(words[0]))]);
		else if (r == 1)
			buf_printf(b, "<b>%s</b>", words[next_rand(10)]);
		else if (r == 2)
			buf_printf(b, "<code>%s()</code>",
			           words[next_rand(10)]);
		else if (r == 3)
			buf_puts(b, "日本語の文章");
		else if (r == 4)
			buf_puts(b, "한국어 문장");
		else
			buf_puts(b, words[next_rand(sizeof(words) /
			                            sizeof(words[0]))]);
	}
	buf_puts(b, ". ");
}

static void
article(struct buf *b, size_t size)
{
	while (b->len < size) {
		switch (next_rand(8)) {
		case 0:
			buf_puts(b, "<h2>");
			sentence(b, 5);
			buf_puts(b, "</h2>");
			break;
		case 1:
			buf_puts(b, "<ul>");
			for (int i = 0; i < 4; i++) {
				buf_puts(b, "<li>");
				sentence(b, 12);
				buf_puts(b, "</li>");
			}
			buf_puts(b, "</ul>");
			break;
		case 2:
			buf_puts(b, "<blockquote><p>");
			sentence(b, 30);
			buf_puts(b, "</p></blockquote>");
			break;
		case 3:
			buf_puts(b, "<pre>int\nmain(void)\n{\n\treturn 0; /* a "
			            "comment long enough to be cut at width "
			            "one hundred, surely */\n}\n</pre>");
			break;
		case 4:
			buf_puts(b,
			         "<table><tr><th>Name</th><th>Value</th></tr>"
			         "<tr><td>alpha</td><td>1</td></tr><tr><td>"
			         "beta</td><td>22</td></tr></table>");
			break;
		case 5:
			buf_printf(b,
			           "<p><img src=\"/img/%u.png\" alt=\"figure\">"
			           "</p>",
			           next_rand(100));
			break;
		default:
			buf_puts(b, "<p>");
			for (int i = 0; i < 4; i++)
				sentence(b, 20);
			buf_puts(b, "</p>\n");
			break;
		}
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 1u << 20;
	int runs = argc > 2 ? atoi(argv[2]) : 9;
	struct render_opts o = {100, 0, "https://example.com/blog/item"};
	struct buf b;
	double *ms;
	size_t lines = 0, links = 0;

	if (runs < 1)
		runs = 1;
	buf_init(&b, 0);
	article(&b, size);
	ms = xcalloc((size_t)runs, sizeof(*ms));
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();
		struct render_doc *d;

		d = render_content(b.data, b.len, FEED_TEXT_HTML, &o);
		ms[i] = now_ms() - t0;
		lines = d->n_lines;
		links = d->n_links;
		render_doc_free(d);
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
	printf("render_input_bytes %zu bytes\n", b.len);
	printf("render_lines %zu lines\n", lines);
	printf("render_links %zu links\n", links);
	printf("render_best %.1f ms\n", ms[0]);
	printf("render_median %.1f ms\n", ms[runs / 2]);
	printf("render_mib_per_s %.1f MiB/s\n",
	       (double)b.len / (1 << 20) / (ms[runs / 2] / 1e3));
	free(ms);
	buf_done(&b);
	return 0;
}
