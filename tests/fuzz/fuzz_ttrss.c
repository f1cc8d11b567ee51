// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the TT-RSS reply parsers (src/sync/private.h): the
 * input is one reply body given to every parser. Besides never crashing,
 * leaking or reading past the body (ttrss_fuzz_one() runs them all), each
 * parser keeps its promises, checked here: a result code it documents,
 * a message on failure, ids that are positive decimal integers, and
 * strings that went through the sanitizer and their cap.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/sync.h"
#include "courant/text.h"
#include "courant/util.h"

#include "../../src/sync/private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

/* NULL, or sanitized text: valid UTF-8, no control character (but '\n'
 * and '\t' when multiline), at most cap bytes when cap is not 0. */
static void
check_str(const char *s, bool multiline, size_t cap)
{
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	check(cap == 0 || n <= cap);
	check(utf8_is_valid(s, n));
	for (size_t i = 0; i < n;) {
		uint32_t cp;

		i += utf8_decode(s + i, n - i, &cp);
		if (!(multiline && (cp == '\n' || cp == '\t')))
			check(!text_is_forbidden(cp));
	}
}

/* A positive integer in decimal, as the parsers write ids. */
static void
check_id(const char *s)
{
	size_t n;

	check(s != NULL);
	n = strlen(s);
	check(n >= 1 && n <= 19 && s[0] >= '1' && s[0] <= '9');
	for (size_t i = 0; i < n; i++)
		check(s[i] >= '0' && s[i] <= '9');
}

static void
check_rc(int rc, const struct err *err)
{
	check(rc == 0 || rc == -1 || rc == SYNC_RELOGIN);
	if (rc == -1)
		check(err->msg[0] != '\0');
}

static void
check_item(const struct feed_item *it)
{
	check_str(it->id, false, 0);
	check_str(it->key, false, 0);
	check_str(it->title.value, false, 0);
	check_str(it->link, false, TTRSS_MAX_LINE);
	check_str(it->comments, false, 0);
	check_str(it->summary.value, true, 0);
	for (size_t i = 0; i < it->n_content; i++)
		check_str(it->content[i].value, true, 0);
	for (size_t i = 0; i < it->n_authors; i++) {
		check_str(it->authors[i].name, false, 0);
		check_str(it->authors[i].email, false, 0);
		check_str(it->authors[i].uri, false, 0);
	}
	for (size_t i = 0; i < it->n_links; i++)
		check_str(it->links[i].href, false, 0);
	for (size_t i = 0; i < it->n_enclosures; i++)
		check_str(it->enclosures[i].url, false, 0);
	for (size_t i = 0; i < it->n_categories; i++)
		check_str(it->categories[i].term, false, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct err err = {0};
	struct ttrss_cats cats = {0};
	struct sync_feeds feeds = {0};
	struct sync_articles arts = {0};
	struct sync_ids ids = {0};
	char *s = NULL;
	int rc, level = 0;
	long upd = 0;

	/* The entry point the sync module offers for fuzzing. */
	ttrss_fuzz_one(data, size);

	rc = ttrss_parse_login(buf, size, &s, &level, &err);
	check_rc(rc, &err);
	if (rc == 0) {
		check(s != NULL && s[0] != '\0' && strlen(s) <= TTRSS_MAX_SID);
		/* It goes back into every request: printable ASCII, no
		 * quote or backslash. */
		for (const char *c = s; *c != '\0'; c++)
			check(*c > 0x20 && *c < 0x7f && *c != '"' &&
			      *c != '\\');
		check(level >= 0 && level < 1000);
		free(s);
	}
	s = NULL;
	rc = ttrss_parse_subscribe(buf, size, &s, &err);
	check_rc(rc, &err);
	if (rc == 0 && s != NULL)
		check_id(s);
	free(s);
	check_rc(ttrss_parse_status(buf, size, &upd, &err), &err);
	check(upd >= -1);

	rc = ttrss_parse_categories(buf, size, &cats, &err);
	check_rc(rc, &err);
	for (size_t i = 0; rc == 0 && i < cats.n; i++)
		check_str(cats.title[i], false, TTRSS_MAX_LINE);
	rc = ttrss_parse_feeds(buf, size, &cats, &feeds, &err);
	check_rc(rc, &err);
	check(feeds.n <= TTRSS_MAX_ITEMS);
	for (size_t i = 0; i < feeds.n; i++) {
		check_id(feeds.v[i].id);
		check(feeds.v[i].url != NULL);
		check_str(feeds.v[i].url, false, TTRSS_MAX_LINE);
		check_str(feeds.v[i].title, false, TTRSS_MAX_LINE);
		check_str(feeds.v[i].category, false, TTRSS_MAX_LINE);
	}
	rc = ttrss_parse_headlines(buf, size, &arts, &err);
	check_rc(rc, &err);
	check(arts.n <= TTRSS_MAX_ITEMS);
	for (size_t i = 0; i < arts.n; i++) {
		check_id(arts.v[i].id);
		check_id(arts.v[i].feed_id);
		check_item(&arts.v[i].item);
	}
	rc = ttrss_parse_ids(buf, size, &ids, &err);
	check_rc(rc, &err);
	check(ids.n <= TTRSS_MAX_ITEMS);
	for (size_t i = 0; i < ids.n; i++)
		check_id(ids.v[i]);

	sync_feeds_done(&feeds);
	sync_articles_done(&arts);
	sync_ids_done(&ids);
	ttrss_cats_done(&cats);
	return 0;
}
