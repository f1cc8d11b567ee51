// SPDX-License-Identifier: MIT
/*
 * The urls file is the truth about subscriptions: syncing makes the
 * store's feed list say the same, without touching the articles (and their
 * read state) of the feeds that stay.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/config.h"
#include "courant/store.h"
#include "courant/util.h"

int
config_sync_feeds(struct store *st, const struct urls *u,
                  const struct config *c, struct config_sync_stats *stats,
                  struct err *err)
{
	struct config_sync_stats tmp = {0};
	struct store_feed_list *l;
	int r = -1;

	l = store_feeds(st, NULL, err);
	if (l == NULL)
		return -1;
	for (size_t i = 0; u != NULL && i < u->n; i++) {
		const struct urls_entry *e = &u->entries[i];
		struct store_feed_conf conf = {0};
		struct config_feed_settings fs;
		bool known = false;

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
		for (size_t k = 0; k < l->n && !known; k++)
			known = strcmp(l->feeds[k].url, e->url) == 0;
		if (store_feed_ensure(st, &conf, err) < 0)
			goto out;
		if (known)
			tmp.updated++;
		else
			tmp.added++;
	}
	for (size_t k = 0; k < l->n; k++) {
		if (urls_find(u, l->feeds[k].url) != NULL)
			continue;
		if (store_feed_remove(st, l->feeds[k].id, err) < 0)
			goto out;
		tmp.removed++;
	}
	r = 0;
out:
	if (stats != NULL)
		*stats = tmp;
	store_feed_list_free(l);
	return r;
}
