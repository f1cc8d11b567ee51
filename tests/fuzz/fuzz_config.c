// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the config and urls parsers: the bytes before a
 * line "---urls---" are a config file, the rest a urls file. Any input must
 * parse or fail with a message naming a line, never crash or leak; what
 * parses must hold only what the parsers promise (no control character in
 * a word, every urls entry an allowed URL), and a urls line written back
 * by urls_format_line() must read back the same.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/config.h"
#include "courant/fetch.h"
#include "courant/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_word(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void
check_urls(const char *text, size_t n)
{
	struct err err = {0};
	struct urls *u = urls_parse("urls", text, n, &err);

	if (u == NULL) {
		if (strncmp(err.msg, "urls:", 5) != 0)
			abort();
		return;
	}
	for (size_t i = 0; i < u->n; i++) {
		const struct urls_entry *e = &u->entries[i];
		struct urls_add a = {e->url, e->title,
		                     (const char *const *)e->tags, e->n_tags,
		                     e->is_hidden};
		char *line = urls_format_line(&a);
		struct urls *again =
		        urls_parse("again", line, strlen(line), &err);

		if (!fetch_url_allowed(e->url) || e->line < 1)
			abort();
		if (again == NULL || again->n != 1 ||
		    strcmp(again->entries[0].url, e->url) != 0 ||
		    again->entries[0].n_tags != e->n_tags ||
		    again->entries[0].is_hidden != e->is_hidden ||
		    (e->title == NULL) != (again->entries[0].title == NULL) ||
		    (e->title && strcmp(e->title, again->entries[0].title)))
			abort();
		for (size_t k = 0; k < e->n_tags; k++) {
			check_word(e->tags[k]);
			if (strcmp(e->tags[k], again->entries[0].tags[k]) != 0)
				abort();
		}
		urls_free(again);
		free(line);
	}
	urls_free(u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n---urls---\n";
	char *s = xmalloc(size + 1);
	const char *split;
	size_t conf_len = size;
	struct config *c = config_new();
	struct err err = {0};

	memcpy(s, data, size);
	s[size] = '\0';
	split = memmem(s, size, sep, sizeof sep - 1);
	if (split != NULL)
		conf_len = (size_t)(split - s);
	/* Includes would read files: the fuzzer's name has no directory
	 * with files to include, so they fail with a message. */
	if (config_parse(c, "/nonexistent/fuzz.conf", s, conf_len, &err) < 0) {
		if (strncmp(err.msg, "/nonexistent/fuzz.conf:", 23) != 0)
			abort();
	} else {
		for (size_t i = 0; i < c->n_binds; i++)
			check_word(c->binds[i].key);
		if (c->set.parallel_transfers < 1 ||
		    c->set.parallel_transfers > 64)
			abort();
	}
	config_free(c);
	if (split != NULL)
		check_urls(split + sizeof sep - 1,
		           size - conf_len - (sizeof sep - 1));
	else
		check_urls(s, size);
	free(s);
	return 0;
}
