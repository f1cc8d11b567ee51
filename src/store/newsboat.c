// SPDX-License-Identifier: MIT
/*
 * Reading a Newsboat cache.db, for users who switch: the read and flagged
 * state of their articles comes with them. The foreign file is opened
 * read-only, defensively (no trusted schema: its views and triggers run
 * nothing), and never written. Articles are matched by feed URL and guid;
 * Newsboat keys an article without a guid by its link, which is courant's
 * "link:" key, so both keys are tried.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "courant/store.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

struct nb_item {
	char *guid;
	char *title;
	char *author;
	char *link;
	char *content;
	char *enclosure_url;
	char *enclosure_type;
	feed_time published;
	bool is_read;
	bool is_flagged;
};

/* A column as sanitized text: hostile like any other input. */
static char *
col_text(sqlite3_stmt *s, int i, unsigned flags)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);

	if (v == NULL || n == 0)
		return NULL;
	return text_sanitize(v, n, flags, FEED_MAX_FIELD_BYTES);
}

static void
nb_item_done(struct nb_item *it)
{
	free(it->guid);
	free(it->title);
	free(it->author);
	free(it->link);
	free(it->content);
	free(it->enclosure_url);
	free(it->enclosure_type);
}

static void
to_feed_item(const struct nb_item *nb, struct feed_item *it,
             struct feed_person *author, struct feed_text *content,
             struct feed_enclosure *enc)
{
	memset(it, 0, sizeof *it);
	it->key = xasprintf("id:%s", nb->guid);
	it->id = nb->guid;
	it->title.type = FEED_TEXT_PLAIN;
	it->title.value = nb->title;
	it->link = nb->link;
	it->published = nb->published;
	it->updated = FEED_DATE_UNKNOWN;
	if (nb->author != NULL) {
		memset(author, 0, sizeof *author);
		author->name = nb->author;
		it->authors = author;
		it->n_authors = 1;
	}
	if (nb->content != NULL) {
		memset(content, 0, sizeof *content);
		content->type = FEED_TEXT_HTML;
		content->value = nb->content;
		it->content = content;
		it->n_content = 1;
	}
	if (nb->enclosure_url != NULL) {
		enc->url = nb->enclosure_url;
		enc->type = nb->enclosure_type;
		enc->length = -1;
		it->enclosures = enc;
		it->n_enclosures = 1;
	}
}

/* The id of the stored item for a Newsboat guid, 0 if none, -1. */
static long
find_item(struct store *st, sqlite3_stmt *find, long feed_id, const char *guid,
          struct err *err)
{
	long id = 0;
	int rc;

	sqlite3_reset(find);
	sqlite3_bind_int64(find, 1, feed_id);
	sqlite3_bind_text(find, 2, guid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW)
		id = (long)sqlite3_column_int64(find, 0);
	else if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "find an article", err);
		id = -1;
	}
	sqlite3_reset(find);
	return id;
}

/* One feed: stores the articles only Newsboat has, then the states. */
static int
import_feed(struct store *st, const struct store_feed *f, sqlite3_stmt *items,
            const char *nb_title, const char *nb_link,
            struct store_newsboat_stats *stats, struct err *err)
{
	struct nb_item *v = NULL;
	size_t n = 0;
	struct store_refresh *r = NULL;
	sqlite3_stmt *find = NULL;
	sqlite3_stmt *mark = NULL;
	int rc;
	int ret = -1;

	sqlite3_reset(items);
	sqlite3_bind_text(items, 1, f->url, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(items)) == SQLITE_ROW) {
		struct nb_item it = {0};
		const char *flags;

		it.guid = col_text(items, 0, 0);
		if (it.guid == NULL)
			continue;
		it.title = col_text(items, 1, 0);
		it.author = col_text(items, 2, 0);
		it.link = col_text(items, 3, 0);
		it.published = sqlite3_column_int64(items, 4) > 0
		                       ? sqlite3_column_int64(items, 4)
		                       : FEED_DATE_UNKNOWN;
		it.content = col_text(items, 5, TEXT_MULTILINE);
		it.is_read = sqlite3_column_int(items, 6) == 0;
		flags = (const char *)sqlite3_column_text(items, 7);
		it.is_flagged = flags != NULL && flags[0] != '\0';
		it.enclosure_url = col_text(items, 8, 0);
		it.enclosure_type = col_text(items, 9, 0);
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = it;
	}
	if (rc != SQLITE_DONE) {
		err_set(err, ERR_DB, "read the Newsboat cache: %s",
		        sqlite3_errstr(rc));
		goto out;
	}
	find = store_prepare(st->db,
	                     "SELECT id FROM items WHERE feed_id = ?1 AND"
	                     " (key = 'id:' || ?2 OR key = 'link:' || ?2)",
	                     err);
	mark = store_prepare(st->db,
	                     "UPDATE items SET is_read = max(is_read, ?2),"
	                     " is_starred = max(is_starred, ?3) WHERE id = ?1"
	                     " AND (is_read < ?2 OR is_starred < ?3)",
	                     err);
	if (find == NULL || mark == NULL)
		goto out;
	/* Articles gone from the feed (or a feed not fetched yet) are stored
	 * from the cache, in one refresh. */
	for (size_t i = 0; i < n; i++) {
		struct feed_item it;
		struct feed_person author;
		struct feed_text content;
		struct feed_enclosure enc;
		long id = find_item(st, find, f->id, v[i].guid, err);

		if (id < 0)
			goto out;
		if (id > 0) {
			stats->matched++;
			continue;
		}
		if (r == NULL)
			r = store_refresh_new(st, f->id);
		to_feed_item(&v[i], &it, &author, &content, &enc);
		store_refresh_add(r, &it);
		free(it.key);
		stats->added++;
	}
	if (r != NULL) {
		struct feed_info info;

		memset(&info, 0, sizeof info);
		info.title.value = (char *)nb_title;
		info.link = (char *)nb_link;
		info.ttl_minutes = -1;
		info.updated = FEED_DATE_UNKNOWN;
		info.published = FEED_DATE_UNKNOWN;
		/* The feed's own title wins once courant has fetched it. */
		rc = store_refresh_commit(r, f->last_success > 0 ? NULL : &info,
		                          NULL, NULL, err);
		r = NULL;
		if (rc < 0)
			goto out;
	}
	if (store_begin(st, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		long id;

		if (!v[i].is_read && !v[i].is_flagged)
			continue;
		id = find_item(st, find, f->id, v[i].guid, err);
		if (id < 0) {
			store_rollback(st);
			goto out;
		}
		if (id == 0)
			continue;
		sqlite3_reset(mark);
		sqlite3_bind_int64(mark, 1, id);
		sqlite3_bind_int(mark, 2, v[i].is_read);
		sqlite3_bind_int(mark, 3, v[i].is_flagged);
		rc = sqlite3_step(mark);
		if (rc != SQLITE_DONE) {
			store_dberr(st->db, rc, "mark an article", err);
			store_rollback(st);
			goto out;
		}
		stats->read += v[i].is_read;
		stats->starred += v[i].is_flagged;
	}
	if (store_commit(st, err) < 0)
		goto out;
	ret = 0;
out:
	store_refresh_free(r);
	sqlite3_finalize(find);
	sqlite3_finalize(mark);
	for (size_t i = 0; i < n; i++)
		nb_item_done(&v[i]);
	free(v);
	return ret;
}

int
store_newsboat_import(struct store *st, const char *cache_path,
                      struct store_newsboat_stats *stats, struct err *err)
{
	struct store_newsboat_stats tmp = {0};
	struct store_feed_list *l = NULL;
	sqlite3 *nb = NULL;
	sqlite3_stmt *feed = NULL;
	sqlite3_stmt *items = NULL;
	int rc;
	int ret = -1;

	rc = sqlite3_open_v2(cache_path, &nb,
	                     SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		err_set(err, ERR_DB, "%s: %s", cache_path,
		        nb ? sqlite3_errmsg(nb) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_db_config(nb, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(nb, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_busy_timeout(nb, 5000);
	rc = sqlite3_prepare_v2(nb,
	                        "SELECT title, url FROM rss_feed"
	                        " WHERE rssurl = ?1",
	                        -1, &feed, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		        nb,
		        "SELECT guid, title, author, url, pubDate, content,"
		        " unread, flags, enclosure_url, enclosure_type"
		        " FROM rss_item WHERE feedurl = ?1 AND deleted = 0"
		        " ORDER BY pubDate, id",
		        -1, &items, NULL);
	if (rc != SQLITE_OK) {
		err_set(err, ERR_DB, "%s: not a Newsboat cache (%s)",
		        cache_path, sqlite3_errmsg(nb));
		goto out;
	}
	l = store_feeds(st, NULL, err);
	if (l == NULL)
		goto out;
	for (size_t i = 0; i < l->n; i++) {
		char *title, *link;

		/* A sync account's feed takes its state from its server. */
		if (l->feeds[i].source != NULL)
			continue;
		sqlite3_reset(feed);
		sqlite3_bind_text(feed, 1, l->feeds[i].url, -1,
		                  SQLITE_TRANSIENT);
		rc = sqlite3_step(feed);
		if (rc == SQLITE_DONE)
			continue;
		if (rc != SQLITE_ROW) {
			err_set(err, ERR_DB, "%s: %s", cache_path,
			        sqlite3_errmsg(nb));
			goto out;
		}
		title = col_text(feed, 0, 0);
		link = col_text(feed, 1, 0);
		tmp.feeds++;
		rc = import_feed(st, &l->feeds[i], items, title, link, &tmp,
		                 err);
		free(title);
		free(link);
		if (rc < 0)
			goto out;
	}
	ret = 0;
out:
	if (stats != NULL)
		*stats = tmp;
	store_feed_list_free(l);
	sqlite3_finalize(feed);
	sqlite3_finalize(items);
	sqlite3_close(nb);
	return ret;
}
