// SPDX-License-Identifier: MIT
/*
 * The urls file is the truth about subscriptions: syncing makes the
 * store's feed list say the same, without touching the articles (and their
 * read state) of the feeds that stay.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "courant/config.h"
#include "courant/store.h"
#include "courant/util.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The URLs of n items of `size` bytes that hold the URL at offset `off`,
 * sorted for bsearch(). */
static const char **
sorted_urls(const void *items, size_t n, size_t size, size_t off)
{
	const char **v = xcalloc(n + 1, sizeof *v);

	for (size_t i = 0; i < n; i++)
		v[i] = *(char *const *)((const char *)items + i * size + off);
	if (n > 0)
		qsort(v, n, sizeof *v, cmp_str);
	return v;
}

static bool
has(const char **v, size_t n, const char *url)
{
	return n > 0 && bsearch(&url, v, n, sizeof *v, cmp_str) != NULL;
}

static int
cmp_feed(const void *a, const void *b)
{
	const struct store_feed *x = *(const struct store_feed *const *)a;
	const struct store_feed *y = *(const struct store_feed *const *)b;

	return strcmp(x->url, y->url);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL || *a == '\0') ? (b == NULL || *b == '\0')
	                                 : (b != NULL && strcmp(a, b) == 0);
}

/* True when the stored feed already says what conf says: the store
 * keeps its tags sorted (byte order), the urls file in its own order. */
static bool
unchanged(const struct store_feed *f, const struct store_feed_conf *c)
{
	const char **tags;
	bool same = true;

	if (f->position != c->position || f->max_items != c->max_items ||
	    f->max_age_days != c->max_age_days ||
	    !same_str(f->user_title, c->user_title) || f->n_tags != c->n_tags)
		return false;
	tags = xcalloc(c->n_tags + 1, sizeof *tags);
	for (size_t i = 0; i < c->n_tags; i++)
		tags[i] = c->tags[i];
	if (c->n_tags > 0)
		qsort(tags, c->n_tags, sizeof *tags, cmp_str);
	for (size_t i = 0; i < c->n_tags && same; i++)
		same = strcmp(tags[i], f->tags[i]) == 0;
	free(tags);
	return same;
}

int
config_sync_feeds(struct store *st, const struct urls *u,
                  const struct config *c, struct config_sync_stats *stats,
                  struct err *err)
{
	struct config_sync_stats tmp = {0};
	struct store_feed_list *l;
	const struct store_feed **stored;
	const char **listed = NULL;
	size_t n_stored = 0;
	int r = -1;

	l = store_feeds(st, NULL, err);
	if (l == NULL)
		return -1;
	/* Lookups are sorted: a start-up sync of thousands of feeds must not
	 * be quadratic. The feeds of a sync account are the server's, not
	 * the urls file's: never matched, renumbered or removed here (the
	 * store keeps them after the local ones in the list). */
	stored = xcalloc(l->n + 1, sizeof *stored);
	for (size_t k = 0; k < l->n; k++)
		if (l->feeds[k].source == NULL)
			stored[n_stored++] = &l->feeds[k];
	if (n_stored > 0)
		qsort(stored, n_stored, sizeof *stored, cmp_feed);
	if (u != NULL)
		listed = sorted_urls(u->entries, u->n, sizeof *u->entries,
		                     offsetof(struct urls_entry, url));
	for (size_t i = 0; u != NULL && i < u->n; i++) {
		const struct urls_entry *e = &u->entries[i];
		struct store_feed_conf conf = {0};
		struct config_feed_settings fs;
		struct store_feed key = {0};
		const struct store_feed *k = &key;
		const struct store_feed *const *known = NULL;

		config_feed_settings(c, e->url, (const char *const *)e->tags,
		                     e->n_tags, &fs);
		conf.url = e->url;
		conf.user_title = e->title;
		conf.tags = (const char *const *)e->tags;
		conf.n_tags = e->n_tags;
		conf.position = (int)i;
		/* The global rule is the store's own; only overrides go to
		 * the feed. */
		conf.max_items = c && fs.max_items != c->set.max_items
		                         ? fs.max_items
		                         : 0;
		conf.max_age_days = c && fs.max_age_days != c->set.max_age_days
		                            ? fs.max_age_days
		                            : 0;
		key.url = e->url;
		if (n_stored > 0)
			known = bsearch(&k, stored, n_stored, sizeof *stored,
			                cmp_feed);
		if (known != NULL && unchanged(*known, &conf)) {
			tmp.updated++;
			continue;
		}
		if (store_feed_ensure(st, &conf, err) < 0)
			goto out;
		if (known != NULL)
			tmp.updated++;
		else
			tmp.added++;
	}
	for (size_t k = 0; k < n_stored; k++) {
		if (has(listed, u != NULL ? u->n : 0, stored[k]->url))
			continue;
		if (store_feed_remove(st, stored[k]->id, err) < 0)
			goto out;
		tmp.removed++;
	}
	r = 0;
out:
	if (stats != NULL)
		*stats = tmp;
	free(stored);
	free(listed);
	store_feed_list_free(l);
	return r;
}
