// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the urls file (urls_parse). Any input parses or
 * fails with "urls:LINE: ...", never crashes or leaks. What parses holds
 * only what the format promises: each URL one the poller may fetch (never
 * starting with '-'), tags and titles non-empty, valid UTF-8 without
 * control characters, no tag twice, no URL twice, entries in file order;
 * urls_find() finds each entry; and the whole list written back with
 * urls_format_line() reads back the same.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/config.h"
#include "courant/fetch.h"
#include "courant/text.h"
#include "courant/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_word(const char *s)
{
	check(*s != '\0');
	check(utf8_is_valid(s, strlen(s)));
	for (; *s != '\0'; s++)
		check((unsigned char)*s >= 0x20 && *s != 0x7f);
}

static bool
same_entry(const struct urls_entry *a, const struct urls_entry *b)
{
	if (strcmp(a->url, b->url) != 0 || a->n_tags != b->n_tags ||
	    a->is_hidden != b->is_hidden ||
	    (a->title == NULL) != (b->title == NULL) ||
	    (a->title != NULL && strcmp(a->title, b->title) != 0))
		return false;
	for (size_t k = 0; k < a->n_tags; k++)
		if (strcmp(a->tags[k], b->tags[k]) != 0)
			return false;
	return true;
}

static void
check_parsed(const struct urls *u, size_t n_lines, bool crlf)
{
	struct buf text;
	struct urls *again;
	struct err err = {0};

	check(u->exists && strcmp(u->path, "urls") == 0);
	for (size_t i = 0; i < u->n_warnings; i++) {
		check(u->warnings[i].line >= 1 &&
		      (size_t)u->warnings[i].line <= n_lines);
		check(u->warnings[i].msg != NULL);
		check_word(u->warnings[i].msg);
	}
	buf_init(&text, 0);
	for (size_t i = 0; i < u->n; i++) {
		const struct urls_entry *e = &u->entries[i];
		struct urls_add a = {e->url, e->title,
		                     (const char *const *)e->tags, e->n_tags,
		                     e->is_hidden};
		char *line;

		check(e->line >= 1 && (size_t)e->line <= n_lines);
		check(i == 0 || e->line > u->entries[i - 1].line);
		check(e->url[0] != '-' && fetch_url_allowed(e->url));
		check_word(e->url);
		check(urls_find(u, e->url) == e);
		if (e->title != NULL)
			check_word(e->title);
		for (size_t k = 0; k < e->n_tags; k++) {
			check_word(e->tags[k]);
			for (size_t j = 0; j < k; j++)
				check(strcmp(e->tags[j], e->tags[k]) != 0);
		}
		line = urls_format_line(&a);
		buf_puts(&text, line);
		buf_puts(&text, crlf ? "\r\n" : "\n");
		free(line);
	}
	again = urls_parse("urls", text.data, text.len, &err);
	check(again != NULL && again->n == u->n && again->n_warnings == 0);
	for (size_t i = 0; i < u->n; i++) {
		check(same_entry(&u->entries[i], &again->entries[i]));
		check(again->entries[i].line == (int)i + 1);
	}
	urls_free(again);
	buf_done(&text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct err err = {0};
	struct urls *u;
	size_t n_lines = 1;

	for (size_t i = 0; i < size; i++)
		n_lines += data[i] == '\n';
	u = urls_parse("urls", text, size, &err);
	if (u == NULL) {
		check(err.code == ERR_PARSE);
		check(strncmp(err.msg, "urls:", 5) == 0 && err.msg[5] >= '1' &&
		      err.msg[5] <= '9');
		return 0;
	}
	check_parsed(u, n_lines, size > 0 && data[0] == '\r');
	urls_free(u);
	return 0;
}
