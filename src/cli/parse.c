// SPDX-License-Identifier: MIT
/*
 * courant parse: the feed parser's view of local files, for people (the
 * headlines), for the conformance suite (--json, SCHEMA.md of the suite) and
 * for benchmarks (--stats), and of single dates (--date).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "courant/cli.h"
#include "courant/feed.h"
#include "courant/util.h"

#include "private.h"

enum parse_mode { MODE_HEADLINES, MODE_JSON, MODE_STATS };

struct parse_run {
	enum parse_mode mode;
	const char *path;
	struct feed_parser *parser;
	bool header_done;
	struct json json;
	size_t items;
	size_t bytes;
};

static const char usage_text[] =
        "usage: courant parse [--json | --stats] [--url URL] [--content-type "
        "TYPE]\n"
        "                     [--content-location URL] [--content-language "
        "LANG] FILE...\n"
        "       courant parse --date STRING\n"
        "\n"
        "Parses RSS and Atom files as courant's poller would and prints their\n"
        "headlines, or with --json everything the parser saw, or with --stats "
        "only\n"
        "counts. The HTTP options say how the bytes were fetched.\n";

static void
print_text(struct json *j, const char *key, const struct feed_text *t)
{
	static const char *const names[] = {"text", "html", "xhtml"};

	if (t->value == NULL) {
		json_null(j, key);
		return;
	}
	json_begin_object(j, key);
	json_string(j, "type", names[t->type]);
	json_string(j, "value", t->value);
	json_end_object(j);
}

static void
print_date(struct json *j, const char *key, feed_time t)
{
	char s[32];

	if (feed_date_format(t, s, sizeof s) < 0)
		json_null(j, key);
	else
		json_string(j, key, s);
}

static void
print_length(struct json *j, const char *key, int64_t length)
{
	if (length < 0)
		json_null(j, key);
	else
		json_int(j, key, length);
}

static void
print_links(struct json *j, const struct feed_link *links, size_t n)
{
	json_begin_array(j, "links");
	for (size_t i = 0; i < n; i++) {
		json_begin_object(j, NULL);
		json_string(j, "href", links[i].href);
		json_string(j, "rel", links[i].rel);
		json_string(j, "type", links[i].type);
		print_length(j, "length", links[i].length);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
print_authors(struct json *j, const struct feed_person *p, size_t n)
{
	json_begin_array(j, "authors");
	for (size_t i = 0; i < n; i++) {
		json_begin_object(j, NULL);
		json_string(j, "name", p[i].name);
		json_string(j, "email", p[i].email);
		json_string(j, "uri", p[i].uri);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
print_item_json(struct json *j, const struct feed_item *it)
{
	static const char *const types[] = {"text", "html", "xhtml"};

	json_begin_object(j, NULL);
	json_string(j, "key", it->key);
	json_string(j, "id", it->id);
	print_text(j, "title", &it->title);
	json_string(j, "link", it->link);
	print_links(j, it->links, it->n_links);
	print_date(j, "published", it->published);
	print_date(j, "updated", it->updated);
	print_authors(j, it->authors, it->n_authors);
	print_text(j, "summary", &it->summary);
	json_begin_array(j, "content");
	for (size_t i = 0; i < it->n_content; i++) {
		json_begin_object(j, NULL);
		json_string(j, "type", types[it->content[i].type]);
		json_string(j, "value", it->content[i].value);
		json_string(j, "lang", it->content[i].lang);
		json_end_object(j);
	}
	json_end_array(j);
	json_begin_array(j, "enclosures");
	for (size_t i = 0; i < it->n_enclosures; i++) {
		json_begin_object(j, NULL);
		json_string(j, "url", it->enclosures[i].url);
		json_string(j, "type", it->enclosures[i].type);
		print_length(j, "length", it->enclosures[i].length);
		json_end_object(j);
	}
	json_end_array(j);
	json_begin_array(j, "categories");
	for (size_t i = 0; i < it->n_categories; i++) {
		json_begin_object(j, NULL);
		json_string(j, "term", it->categories[i].term);
		json_string(j, "scheme", it->categories[i].scheme);
		json_string(j, "label", it->categories[i].label);
		json_end_object(j);
	}
	json_end_array(j);
	json_string(j, "comments", it->comments);
	json_end_object(j);
}

static void
print_feed_json(struct json *j, const struct feed_parser *p)
{
	const struct feed_info *f = feed_parser_info(p);

	json_begin_object(j, "feed");
	json_string(j, "format", feed_format_name(f->format));
	print_text(j, "title", &f->title);
	print_text(j, "subtitle", &f->subtitle);
	json_string(j, "link", f->link);
	print_links(j, f->links, f->n_links);
	json_string(j, "language", f->language);
	print_date(j, "updated", f->updated);
	print_date(j, "published", f->published);
	print_authors(j, f->authors, f->n_authors);
	if (f->image.url == NULL && f->image.title == NULL &&
	    f->image.link == NULL) {
		json_null(j, "image");
	} else {
		json_begin_object(j, "image");
		json_string(j, "url", f->image.url);
		json_string(j, "title", f->image.title);
		json_string(j, "link", f->image.link);
		json_end_object(j);
	}
	json_string(j, "generator", f->generator);
	json_end_object(j);
}

/* The header of a file's headlines: the feed's title once known (it
 * precedes the items in nearly every feed), else the file name. */
static void
print_headline_header(struct parse_run *run)
{
	const struct feed_info *info = feed_parser_info(run->parser);

	if (run->header_done)
		return;
	run->header_done = true;
	fputs("== ", stdout);
	cli_print_safe(stdout,
	               info->title.value ? info->title.value : run->path);
	fputs(" ==\n", stdout);
}

static int
on_item(const struct feed_item *it, void *arg)
{
	struct parse_run *run = arg;
	char date[32];
	feed_time when;

	run->items++;
	switch (run->mode) {
	case MODE_JSON:
		print_item_json(&run->json, it);
		break;
	case MODE_HEADLINES:
		print_headline_header(run);
		when = it->published != FEED_DATE_UNKNOWN ? it->published
		                                          : it->updated;
		if (feed_date_format(when, date, sizeof date) >= 0)
			printf("  %.10s  ", date);
		else
			printf("  %-10s  ", "");
		cli_print_safe(stdout, it->title.value ? it->title.value
		                                       : "(untitled)");
		putchar('\n');
		break;
	case MODE_STATS:
		break;
	}
	return 0;
}

/* Parses one file in the given mode; 0, or 1 when it cannot be read. */
static int
parse_file(const char *path, const struct feed_source *src,
           enum parse_mode mode)
{
	struct parse_run run = {.mode = mode, .path = path};
	struct feed_parser *p;
	struct err err = {0};
	static char chunk[64 * 1024];
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fputs("courant parse: ", stderr);
		cli_print_safe(stderr, path);
		fprintf(stderr, ": %s\n", strerror(errno));
		return 1;
	}
	p = feed_parser_new(src, on_item, &run);
	run.parser = p;
	if (mode == MODE_JSON) {
		json_init(&run.json, stdout);
		json_begin_object(&run.json, NULL);
		json_begin_array(&run.json, "items");
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fputs("courant parse: ", stderr);
			cli_print_safe(stderr, path);
			fprintf(stderr, ": %s\n", strerror(errno));
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		run.bytes += (size_t)n;
		if (feed_parser_push(p, chunk, (size_t)n, &err) < 0)
			break;
	}
	close(fd);
	if (err.code == ERR_NONE)
		feed_parser_finish(p, &err);
	if (err.code != ERR_NONE) {
		fputs("courant parse: ", stderr);
		cli_print_safe(stderr, path);
		fputs(": ", stderr);
		cli_print_safe(stderr, err.msg);
		fputc('\n', stderr);
	}

	/* Said apart when the first error is another problem. */
	if (feed_parser_truncated(p) && mode != MODE_JSON &&
	    (feed_parser_error(p) == NULL ||
	     strstr(feed_parser_error(p), feed_parser_truncation(p)) == NULL)) {
		fputs("courant parse: ", stderr);
		cli_print_safe(stderr, path);
		fputs(": truncated: ", stderr);
		cli_print_safe(stderr, feed_parser_truncation(p));
		fputc('\n', stderr);
	}

	switch (mode) {
	case MODE_JSON:
		json_end_array(&run.json);
		print_feed_json(&run.json, p);
		json_bool(&run.json, "wellformed", feed_parser_wellformed(p));
		json_string(&run.json, "encoding", feed_parser_encoding(p));
		json_string(&run.json, "error", feed_parser_error(p));
		json_end_object(&run.json);
		putchar('\n');
		break;
	case MODE_HEADLINES:
		print_headline_header(&run);
		if (run.items == 0)
			puts("  (no items)");
		if (!feed_parser_wellformed(p)) {
			fputs("courant parse: ", stderr);
			cli_print_safe(stderr, path);
			fputs(": not well-formed: ", stderr);
			cli_print_safe(stderr, feed_parser_error(p));
			fputc('\n', stderr);
		}
		break;
	case MODE_STATS:
		printf("%s\t%zu bytes\t%zu items\t%s\t%s\n",
		       feed_format_name(feed_parser_info(p)->format)
		               ? feed_format_name(feed_parser_info(p)->format)
		               : "unknown",
		       run.bytes, run.items,
		       feed_parser_encoding(p) ? feed_parser_encoding(p) : "-",
		       feed_parser_wellformed(p) ? "well-formed"
		                                 : "not-well-formed");
		break;
	}
	feed_parser_free(p);
	return rc;
}

int
cli_parse(int argc, char **argv)
{
	static const struct option options[] = {
	        {"json", no_argument, NULL, 'j'},
	        {"stats", no_argument, NULL, 's'},
	        {"date", required_argument, NULL, 'd'},
	        {"url", required_argument, NULL, 'u'},
	        {"content-type", required_argument, NULL, 't'},
	        {"content-location", required_argument, NULL, 'l'},
	        {"content-language", required_argument, NULL, 'g'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct feed_source src = {0};
	enum parse_mode mode = MODE_HEADLINES;
	int c, status = 0;

	/* --date takes its value verbatim, even one that starts with '-'
	 * ("-0800" alone is a date a test may ask about). */
	if (argc == 3 && strcmp(argv[1], "--date") == 0) {
		char out[32];

		if (feed_date_format(feed_date_parse(argv[2]), out,
		                     sizeof out) < 0)
			puts("invalid");
		else
			puts(out);
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			mode = MODE_JSON;
			break;
		case 's':
			mode = MODE_STATS;
			break;
		case 'd':
			return cli_usage_error("parse",
			                       "--date takes exactly one "
			                       "STRING and nothing else");
		/* An empty value means "no such header" (the suite's
		 * SCHEMA.md). */
		case 'u':
			src.url = *optarg ? optarg : NULL;
			break;
		case 't':
			src.content_type = *optarg ? optarg : NULL;
			break;
		case 'l':
			src.content_location = *optarg ? optarg : NULL;
			break;
		case 'g':
			src.content_language = *optarg ? optarg : NULL;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_usage_error("parse",
			                       "unknown or incomplete option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("parse", "no FILE given");
	if (mode == MODE_JSON && argc - optind > 1)
		return cli_usage_error("parse",
		                       "--json takes exactly one FILE");
	for (int i = optind; i < argc; i++) {
		if (parse_file(argv[i], &src, mode) != 0)
			status = 1;
	}
	return status;
}
