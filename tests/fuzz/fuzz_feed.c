// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the feed parser: any bytes, fed in two chunks split
 * where the input says, must parse without a crash or leak, and everything
 * that comes out must be valid UTF-8 with no control character (C0, DEL,
 * C1) or bidi control, but newline and tab in multi-line text (the
 * parser's promise in feed.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/text.h"

/* Valid UTF-8 with no control character (C0, DEL, C1) and no bidi
 * control: what text_sanitize() makes, newline and tab aside when
 * multiline. */
static void
check_str(const char *s, bool multiline)
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
		if (multiline && (cp == '\n' || cp == '\t'))
			continue;
		if (text_is_forbidden(cp))
			abort();
	}
}

static void
check_line(const char *s)
{
	check_str(s, false);
}

static void
check_text(const char *s)
{
	check_str(s, true);
}

static void
check_links(const struct feed_link *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (l[i].href == NULL || l[i].rel == NULL)
			abort();
		check_line(l[i].href);
		check_line(l[i].rel);
		check_line(l[i].type);
	}
}

static void
check_people(const struct feed_person *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		check_line(p[i].name);
		check_line(p[i].email);
		check_line(p[i].uri);
	}
}

static int
on_item(const struct feed_item *it, void *arg)
{
	(void)arg;
	if (it->key == NULL)
		abort();
	check_line(it->key);
	check_line(it->id);
	check_line(it->link);
	check_text(it->title.value);
	check_text(it->summary.value);
	for (size_t i = 0; i < it->n_content; i++)
		check_text(it->content[i].value);
	check_links(it->links, it->n_links);
	check_people(it->authors, it->n_authors);
	for (size_t i = 0; i < it->n_enclosures; i++) {
		check_line(it->enclosures[i].url);
		check_line(it->enclosures[i].type);
	}
	for (size_t i = 0; i < it->n_categories; i++) {
		check_line(it->categories[i].term);
		check_line(it->categories[i].scheme);
		check_line(it->categories[i].label);
	}
	check_line(it->comments);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
	        NULL, "application/rss+xml", "text/xml; charset=iso-8859-1",
	        "application/atom+xml; charset=utf-16"};
	struct feed_source src = {.url = "http://example.org/feed"};
	struct feed_parser *p;
	const struct feed_info *info;
	struct err err;
	size_t split;

	if (size == 0)
		return 0;
	src.content_type = types[data[0] % 4];
	split = size > 1 ? data[size / 2] % size : 0;
	p = feed_parser_new(&src, on_item, NULL);
	if (feed_parser_push(p, (const char *)data, split, &err) == 0 &&
	    feed_parser_push(p, (const char *)data + split, size - split,
	                     &err) == 0)
		feed_parser_finish(p, &err);
	info = feed_parser_info(p);
	check_text(info->title.value);
	check_text(info->subtitle.value);
	check_line(info->link);
	check_line(info->language);
	check_links(info->links, info->n_links);
	check_people(info->authors, info->n_authors);
	check_line(info->image.url);
	check_text(info->image.title);
	check_line(info->image.link);
	check_line(info->generator);
	check_line(feed_parser_error(p));
	check_line(feed_parser_truncation(p));
	feed_parser_free(p);
	return 0;
}
