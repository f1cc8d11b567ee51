// SPDX-License-Identifier: MIT
/*
 * fill: puts articles in a database without the network, for the script
 * tests of the store's commands (tests/store/cli.sh).
 *
 *   fill DB URL FILE [TAG...]        parse FILE as the feed at URL, store it
 *   fill DB URL --raw KEY TITLE [SUMMARY] [DATE]
 *                                    store one item as given, bytes and all
 *
 * --raw skips the parser, which cleans what it reads, so that the commands'
 * own sanitizing is what the tests see. Prints "N new" on success.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "courant/err.h"
#include "courant/feed.h"
#include "courant/store.h"
#include "courant/util.h"

static int
on_item(const struct feed_item *item, void *arg)
{
	store_refresh_add(arg, item);
	return 0;
}

/* Parses path into r; 0, or -1 with a message. */
static int
parse_into(const char *url, const char *path, struct store_refresh *r,
           struct feed_parser **out)
{
	struct feed_source src = {.url = url};
	struct feed_parser *p = feed_parser_new(&src, on_item, r);
	struct err err = {0};
	char chunk[16384];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	*out = p;
	if (fd < 0) {
		fprintf(stderr, "fill: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		if (feed_parser_push(p, chunk, (size_t)n, &err) < 0)
			break;
	}
	close(fd);
	if (n < 0) {
		fprintf(stderr, "fill: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (err.code == ERR_NONE)
		feed_parser_finish(p, &err);
	if (err.code != ERR_NONE) {
		fprintf(stderr, "fill: %s: %s\n", path, err.msg);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct store_feed_conf conf = {0};
	struct store_refresh_stats stats = {0};
	struct feed_parser *parser = NULL;
	struct store_refresh *r;
	struct err err = {0};
	struct store *st;
	bool raw;
	long id;
	int status = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: fill DB URL FILE [TAG...]\n"
		                "       fill DB URL --raw KEY TITLE [SUMMARY] "
		                "[DATE]\n");
		return 2;
	}
	raw = strcmp(argv[3], "--raw") == 0;
	if (raw && argc < 6) {
		fprintf(stderr, "fill: --raw wants KEY and TITLE\n");
		return 2;
	}
	st = store_open(argv[1], 0, &err);
	if (st == NULL) {
		fprintf(stderr, "fill: %s\n", err.msg);
		return 1;
	}
	conf.url = argv[2];
	if (!raw && argc > 4) {
		conf.tags = (const char *const *)argv + 4;
		conf.n_tags = (size_t)(argc - 4);
	}
	id = store_feed_ensure(st, &conf, &err);
	if (id < 0) {
		fprintf(stderr, "fill: %s\n", err.msg);
		goto out;
	}
	r = store_refresh_new(st, id);
	if (raw) {
		struct feed_item it = {0};

		it.key = argv[4];
		it.title.value = argv[5];
		if (argc > 6)
			it.summary.value = argv[6];
		it.published =
		        argc > 7 ? feed_date_parse(argv[7]) : FEED_DATE_UNKNOWN;
		it.updated = FEED_DATE_UNKNOWN;
		store_refresh_add(r, &it);
	} else if (parse_into(argv[2], argv[3], r, &parser) < 0) {
		store_refresh_free(r);
		goto out;
	}
	if (store_refresh_commit(
	            r, parser != NULL ? feed_parser_info(parser) : NULL, NULL,
	            &stats, &err) < 0) {
		fprintf(stderr, "fill: %s\n", err.msg);
		goto out;
	}
	printf("%d new\n", stats.n_new);
	status = 0;
out:
	feed_parser_free(parser);
	store_close(st);
	return status;
}
