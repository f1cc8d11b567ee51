// SPDX-License-Identifier: MIT
/*
 * courant render: an article's HTML (or text) as the reading pane shows it,
 * wrapped to a width, on stdout. For checking by hand and golden tests.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "courant/cli.h"
#include "courant/render.h"
#include "courant/text.h"
#include "courant/util.h"

/* An article bigger than a feed may be is not an article. */
#define MAX_INPUT (16u << 20)

static const char usage_text[] =
        "usage: courant render [--width N] [--type html|xhtml|text] [--base "
        "URL]\n"
        "                      [--ascii] [--no-links] FILE|-\n"
        "\n"
        "Renders an article's HTML as courant's reading pane shows it: wrapped "
        "to\n"
        "N columns (default: the terminal's width, else 80), with numbered "
        "links.\n";

static int
read_all(const char *path, struct buf *out)
{
	static char chunk[65536];
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO
	                                : open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = errno;

			if (fd != STDIN_FILENO)
				close(fd);
			errno = saved;
			return n < 0 ? -1 : 0;
		}
		if (buf_append(out, chunk, (size_t)n) < 0) {
			if (fd != STDIN_FILENO)
				close(fd);
			errno = EFBIG;
			return -1;
		}
	}
}

static int
default_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

int
cli_render(int argc, char **argv)
{
	static const struct option options[] = {
	        {"width", required_argument, NULL, 'w'},
	        {"type", required_argument, NULL, 't'},
	        {"base", required_argument, NULL, 'b'},
	        {"ascii", no_argument, NULL, 'a'},
	        {"no-links", no_argument, NULL, 'n'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct render_opts opts = {.width = 0};
	enum feed_text_type type = FEED_TEXT_HTML;
	struct render_doc *doc;
	struct buf input;
	char *text, *clean, *end;
	long width;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+w:h", options, NULL)) != -1) {
		switch (c) {
		case 'w':
			errno = 0;
			width = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' ||
			    width < RENDER_MIN_WIDTH ||
			    width > RENDER_MAX_WIDTH)
				return cli_usage_error(
				        "render",
				        "--width takes a number from %d to %d",
				        RENDER_MIN_WIDTH, RENDER_MAX_WIDTH);
			opts.width = (int)width;
			break;
		case 't':
			if (strcmp(optarg, "html") == 0)
				type = FEED_TEXT_HTML;
			else if (strcmp(optarg, "xhtml") == 0)
				type = FEED_TEXT_XHTML;
			else if (strcmp(optarg, "text") == 0)
				type = FEED_TEXT_PLAIN;
			else
				return cli_usage_error(
				        "render",
				        "--type is html, xhtml or text");
			break;
		case 'b':
			opts.base_url = optarg;
			break;
		case 'a':
			opts.flags |= RENDER_ASCII;
			break;
		case 'n':
			opts.flags |= RENDER_NO_LINK_LIST;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_usage_error("render",
			                       "unknown or incomplete option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(
		        "render", "expected one FILE, or - for standard input");
	if (opts.width == 0)
		opts.width = default_width();
	/* A terminal that is not UTF-8 gets ASCII, not mojibake. */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		opts.flags |= RENDER_ASCII;

	buf_init(&input, MAX_INPUT);
	if (read_all(argv[optind], &input) < 0) {
		fputs("courant render: ", stderr);
		cli_print_safe(stderr, argv[optind]);
		fprintf(stderr, ": %s\n",
		        errno == EFBIG ? "larger than 16 MiB"
		                       : strerror(errno));
		buf_done(&input);
		return 1;
	}
	doc = render_content(buf_str(&input), input.len, type, &opts);
	text = render_doc_text(doc);
	/* The renderer sanitizes; every output path does it once more. */
	clean = text_sanitize(text, strlen(text),
	                      TEXT_MULTILINE | TEXT_FOR_TERMINAL, 0);
	fputs(clean, stdout);
	free(clean);
	free(text);
	render_doc_free(doc);
	buf_done(&input);
	return 0;
}
