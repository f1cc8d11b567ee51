// SPDX-License-Identifier: MIT
/*
 * Retention: which old items go. The rule is applied to one feed at the
 * end of each of its refreshes (inside that transaction: cheap, bounded by
 * the feed's size), and to every feed, one short transaction each, by
 * store_cleanup(). VACUUM only on demand.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>

#include "courant/err.h"
#include "courant/store.h"
#include "courant/util.h"

#include "private.h"

long
store_retain_feed(struct store *st, long feed_id,
                  const struct store_retention *r, struct err *err)
{
	sqlite3_stmt *s;
	sqlite3_stmt *del = NULL;
	long *ids = NULL;
	size_t n = 0;
	size_t cap = 0;
	long removed = -1;
	int rc;

	char *seen;
	int max_items;
	int max_days;

	s = store_prepare(st->db,
	                  "SELECT seen_ids, max_items, max_age_days FROM"
	                  " feeds WHERE id = ?1",
	                  err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, feed_id);
	rc = sqlite3_step(s);
	seen = store_col_dup(s, 0);
	max_items = sqlite3_column_int(s, 1);
	max_days = sqlite3_column_int(s, 2);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		store_dberr(st->db, rc, "clean up old items", err);
		free(seen);
		return -1;
	}
	/* A feed's own limits win over the global ones; 0 is no limit. */
	if (max_items <= 0)
		max_items = r->max_items > 0 ? r->max_items : 0;
	if (max_days <= 0)
		max_days = r->max_age_days > 0 ? r->max_age_days : 0;
	if (max_items == 0 && max_days == 0) {
		free(seen);
		return 0;
	}

	/*
	 * Candidates: not in the last successful refresh (or they would
	 * come back as new), starred and unread only when asked, without a
	 * change waiting to be pushed to a sync server (dropping the item
	 * would drop the change), and either older than the age limit or
	 * past the newest max_items.
	 */
	s = store_prepare(
	        st->db,
	        "SELECT i.id FROM items i WHERE i.feed_id = ?1"
	        " AND i.id NOT IN (SELECT value FROM"
	        "  json_each(coalesce(?7, '[]')))"
	        " AND (?4 OR i.is_read <> 0) AND (?5 OR i.is_starred = 0)"
	        " AND NOT EXISTS (SELECT 1 FROM sync_queue q"
	        "  WHERE q.item_id = i.id)"
	        " AND ((?3 > 0 AND i.date < ?6 - ?3 * 86400)"
	        "  OR (?2 > 0 AND i.id NOT IN (SELECT id FROM items"
	        "   WHERE feed_id = ?1 ORDER BY date DESC, id DESC"
	        "   LIMIT ?2)))",
	        err);
	if (s == NULL) {
		free(seen);
		return -1;
	}
	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int(s, 2, max_items);
	sqlite3_bind_int(s, 3, max_days);
	sqlite3_bind_int(s, 4, r->drop_unread);
	sqlite3_bind_int(s, 5, r->drop_starred);
	sqlite3_bind_int64(s, 6, store_now());
	store_bind_text(s, 7, seen);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xreallocarray(ids, cap, sizeof *ids);
		}
		ids[n++] = (long)sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	free(seen);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "clean up old items", err);
		goto out;
	}
	if (n == 0) {
		removed = 0;
		goto out;
	}
	/* All index removals first (each reads its row back), then the
	 * rows: FTS5 flushes at every statement savepoint, which each row
	 * delete (with triggers) opens. */
	for (size_t i = 0; i < n; i++) {
		if (store_fts_forget(st, ids[i], err) < 0)
			goto out;
	}
	del = store_prepare(st->db, "DELETE FROM items WHERE id = ?1", err);
	if (del == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(del, 1, ids[i]);
		rc = sqlite3_step(del);
		sqlite3_reset(del);
		if (rc != SQLITE_DONE) {
			store_dberr(st->db, rc, "clean up old items", err);
			goto out;
		}
	}
	removed = (long)n;
out:
	sqlite3_finalize(del);
	free(ids);
	return removed;
}

long
store_cleanup(struct store *st, const struct store_retention *r, long feed_id,
              struct err *err)
{
	struct store_feed_list *l = NULL;
	long total = 0;
	long one;
	size_t n;

	if (feed_id == 0) {
		l = store_feeds(st, NULL, err);
		if (l == NULL)
			return -1;
	}
	n = l != NULL ? l->n : 1;
	/* One transaction per feed: a refresh running meanwhile waits for
	 * one feed's worth of deletes at most. */
	for (size_t i = 0; i < n; i++) {
		long id = l != NULL ? l->feeds[i].id : feed_id;

		if (store_begin(st, err) < 0)
			goto fail;
		one = store_retain_feed(st, id, r, err);
		if (one < 0) {
			store_rollback(st);
			goto fail;
		}
		if (store_commit(st, err) < 0)
			goto fail;
		/* Each feed's deletes leave an index segment: a thousand
		 * feeds' worth must not pile up unmerged. */
		if (one > 0)
			store_fts_catch_up(st);
		total += one;
	}
	store_feed_list_free(l);
	return total;
fail:
	store_feed_list_free(l);
	return -1;
}

int
store_vacuum(struct store *st, struct err *err)
{
	/* Merge the index segments first, then rewrite the file. */
	if (store_begin(st, err) < 0)
		return -1;
	if (store_exec(st->db,
	               "INSERT INTO item_fts (item_fts) VALUES ('optimize')",
	               err) < 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, err) < 0)
		return -1;
	if (store_exec(st->db, "VACUUM", err) < 0)
		return -1;
	return store_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", err);
}
