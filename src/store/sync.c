// SPDX-License-Identifier: MIT
/*
 * Sync with a server, the store's side: the feeds and articles of a sync
 * account (a `source`), the server's read/starred state applied under the
 * conflict rule of store.h, the queue of changes made in courant (filled by
 * the marks in items.c) and each account's small bookkeeping. The sync
 * module (src/sync/) speaks to the server; this file only stores.
 *
 * A remote item is an ordinary row of items with source and remote_id set
 * and "remote:" + remote_id as its key, so lists, search and the counts
 * treat it like any other.
 */
#include "config.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/err.h"
#include "courant/feed.h"
#include "courant/store.h"
#include "courant/util.h"

#include "private.h"

/* Remote feeds come after the urls file's in the feed list, whose
 * positions count from 0: config_sync_feeds() renumbers only its own. */
#define REMOTE_POSITION_BASE (1 << 30)

/* The queue's field column, as the SQL below writes it. */
_Static_assert(STORE_SYNC_READ == 0 && STORE_SYNC_STARRED == 1,
               "sync_queue.field is 0 for read, 1 for starred");

static bool
bad_source(const char *source, struct err *err)
{
	if (source == NULL || source[0] == '\0') {
		err_set(err, ERR_USAGE, "a sync account needs a name");
		return true;
	}
	return false;
}

/* ---- feeds ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The tags as the feed list reads them back: sorted, without repeats,
 * joined by the unit separator; "" for none. */
static char *
tags_joined(const char *const *tags, size_t n)
{
	const char **v;
	struct buf b;
	size_t k = 0;

	v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		if (tags[i] != NULL && tags[i][0] != '\0')
			v[k++] = tags[i];
	if (k > 0)
		qsort(v, k, sizeof *v, cmp_str);
	buf_init(&b, 0);
	for (size_t i = 0; i < k; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (b.len > 0)
			buf_putc(&b, '\x1f');
		buf_puts(&b, v[i]);
	}
	free(v);
	return buf_take(&b);
}

static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
set_tags(struct store *st, long id, const struct store_remote_feed *f,
         struct err *err)
{
	sqlite3_stmt *s;
	int r = -1;

	s = store_prepare(st->db, "DELETE FROM feed_tags WHERE feed_id = ?1",
	                  err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	r = store_step_done(st, s, "tag a feed", err);
	sqlite3_finalize(s);
	if (r < 0)
		return -1;
	s = store_prepare(st->db,
	                  "INSERT OR IGNORE INTO feed_tags (tag, feed_id)"
	                  " VALUES (?1, ?2)",
	                  err);
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < f->n_tags && r == 0; i++) {
		if (f->tags[i] == NULL || f->tags[i][0] == '\0')
			continue;
		store_bind_text(s, 1, f->tags[i]);
		sqlite3_bind_int64(s, 2, id);
		r = store_step_done(st, s, "tag a feed", err);
	}
	sqlite3_finalize(s);
	return r;
}

/* Adds or updates one remote feed; its id, or -1. Writes nothing when
 * the stored feed already says the same (a sync every few minutes must
 * not wake the other processes for nothing). */
static long
put_feed(struct store *st, const char *source,
         const struct store_remote_feed *f, int position, struct err *err)
{
	char *tags = tags_joined(f->tags, f->n_tags);
	sqlite3_stmt *s;
	long id = 0;
	bool same = false;
	bool same_tags = false;
	int rc;

	s = store_prepare(st->db,
	                  "SELECT id, url, feed_title, position,"
	                  " coalesce((SELECT group_concat(tag, char(31)) FROM"
	                  " (SELECT tag FROM feed_tags WHERE feed_id = f.id"
	                  " ORDER BY tag)), '')"
	                  " FROM feeds f WHERE source = ?1 AND remote_id = ?2",
	                  err);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, f->remote_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		id = (long)sqlite3_column_int64(s, 0);
		same_tags = same_text((const char *)sqlite3_column_text(s, 4),
		                      tags);
		same = same_tags &&
		       same_text((const char *)sqlite3_column_text(s, 1),
		                 f->url) &&
		       same_text((const char *)sqlite3_column_text(s, 2),
		                 f->title) &&
		       sqlite3_column_int(s, 3) == position;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "store the server's feeds", err);
		goto fail;
	}
	if (same) {
		free(tags);
		return id;
	}
	if (id == 0)
		s = store_prepare(
		        st->db,
		        "INSERT INTO feeds (url, feed_title, position,"
		        " source, remote_id, added)"
		        " VALUES (?2, ?3, ?4, ?5, ?6, ?7)",
		        err);
	else
		s = store_prepare(st->db,
		                  "UPDATE feeds SET url = ?2, feed_title = ?3,"
		                  " position = ?4 WHERE id = ?1",
		                  err);
	if (s == NULL)
		goto fail;
	/* Each statement gets only its own parameters. */
	if (id != 0)
		sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, f->url);
	store_bind_text(s, 3, f->title);
	sqlite3_bind_int(s, 4, position);
	if (id == 0) {
		store_bind_text(s, 5, source);
		store_bind_text(s, 6, f->remote_id);
		sqlite3_bind_int64(s, 7, store_now());
	}
	rc = store_step_done(st, s, "store the server's feeds", err);
	sqlite3_finalize(s);
	if (rc < 0)
		goto fail;
	if (id == 0)
		id = (long)sqlite3_last_insert_rowid(st->db);
	if (!same_tags && set_tags(st, id, f, err) < 0)
		goto fail;
	free(tags);
	return id;
fail:
	free(tags);
	return -1;
}

/* Deletes a feed, its items, their index entries and pending changes,
 * inside the caller's transaction. */
static int
drop_feed(struct store *st, long feed_id, struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	/* The index first: FTS5 cannot follow the cascade by trigger. */
	s = store_prepare(st->db, "SELECT id FROM items WHERE feed_id = ?1",
	                  err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, feed_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (store_fts_forget(st, (long)sqlite3_column_int64(s, 0),
		                     err) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "remove a feed", err);
		return -1;
	}
	s = store_prepare(st->db, "DELETE FROM feeds WHERE id = ?1", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, feed_id);
	rc = store_step_done(st, s, "remove a feed", err);
	sqlite3_finalize(s);
	return rc;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a;
	long y = *(const long *)b;

	return x < y ? -1 : x > y;
}

int
store_remote_feeds_set(struct store *st, const char *source,
                       const struct store_remote_feed *f, size_t n,
                       struct err *err)
{
	long *kept = NULL;
	long *gone = NULL;
	size_t n_kept = 0;
	size_t n_gone = 0;
	size_t cap = 0;
	sqlite3_stmt *s;
	int rc;

	if (bad_source(source, err))
		return -1;
	if (store_begin(st, err) < 0)
		return -1;
	kept = xcalloc(n + 1, sizeof *kept);
	for (size_t i = 0; i < n; i++) {
		long id;

		/* Nothing to key it by, or nothing to show: not a feed. */
		if (f[i].remote_id == NULL || f[i].remote_id[0] == '\0' ||
		    f[i].url == NULL || f[i].url[0] == '\0')
			continue;
		id = put_feed(st, source, &f[i], REMOTE_POSITION_BASE + (int)i,
		              err);
		if (id < 0)
			goto fail;
		kept[n_kept++] = id;
	}
	if (n_kept > 0)
		qsort(kept, n_kept, sizeof *kept, cmp_long);
	s = store_prepare(st->db, "SELECT id FROM feeds WHERE source = ?1",
	                  err);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, source);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long id = (long)sqlite3_column_int64(s, 0);

		if (n_kept > 0 &&
		    bsearch(&id, kept, n_kept, sizeof *kept, cmp_long) != NULL)
			continue;
		if (n_gone == cap) {
			cap = cap ? cap * 2 : 8;
			gone = xreallocarray(gone, cap, sizeof *gone);
		}
		gone[n_gone++] = id;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "store the server's feeds", err);
		goto fail;
	}
	/* No feed at all is more likely a server's hiccup than an account
	 * emptied on purpose: dropping every feed with its items (starred
	 * ones too) on that word would be too costly. */
	if (n_kept == 0 && n_gone > 0) {
		free(kept);
		free(gone);
		store_rollback(st);
		return (int)(n_gone < INT_MAX ? n_gone : INT_MAX);
	}
	for (size_t i = 0; i < n_gone; i++)
		if (drop_feed(st, gone[i], err) < 0)
			goto fail;
	free(kept);
	free(gone);
	if (store_commit(st, err) < 0)
		return -1;
	if (n_gone > 0)
		store_fts_catch_up(st);
	return 0;
fail:
	free(kept);
	free(gone);
	store_rollback(st);
	return -1;
}

long
store_remote_feed_id(struct store *st, const char *source,
                     const char *remote_id, struct err *err)
{
	sqlite3_stmt *s;
	long id = 0;
	int rc;

	if (bad_source(source, err))
		return -1;
	s = store_prepare(st->db,
	                  "SELECT id FROM feeds WHERE source = ?1 AND"
	                  " remote_id = ?2",
	                  err);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, remote_id != NULL ? remote_id : "");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = (long)sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "find a feed", err);
		id = -1;
	}
	sqlite3_finalize(s);
	return id;
}

/* ---- items ---- */

enum put_kind { PUT_SKIP, PUT_SAME, PUT_NEW, PUT_CHANGED };

struct put_plan {
	enum put_kind kind;
	long id;
	long feed_id;
	struct store_encoded e;
	bool encoded;
};

struct remote_ref {
	const char *id;
	size_t i;
};

static int
cmp_ref(const void *a, const void *b)
{
	const struct remote_ref *x = a;
	const struct remote_ref *y = b;
	int c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* A batch that repeats an article: only its last copy is stored (the
 * others would collide with it on (source, remote_id)). */
static void
skip_repeats(const struct store_remote_item *items, size_t n,
             struct put_plan *plans)
{
	struct remote_ref *order = xcalloc(n + 1, sizeof *order);
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (plans[i].kind != PUT_SKIP)
			order[k++] = (struct remote_ref){items[i].remote_id, i};
	if (k > 1)
		qsort(order, k, sizeof *order, cmp_ref);
	for (size_t i = 0; i + 1 < k; i++)
		if (strcmp(order[i].id, order[i + 1].id) == 0)
			plans[order[i].i].kind = PUT_SKIP;
	free(order);
}

/* Finds the stored article, else the feed a new one goes to. */
static int
plan_put(struct store *st, sqlite3_stmt *find, sqlite3_stmt *feed,
         const char *source, const struct store_remote_item *ri,
         struct put_plan *pl, struct err *err)
{
	int rc;

	store_item_encode(&pl->e, ri->item);
	pl->encoded = true;
	sqlite3_reset(find);
	store_bind_text(find, 1, source);
	store_bind_text(find, 2, ri->remote_id);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW) {
		/* An article stays in the feed it came with. */
		pl->id = (long)sqlite3_column_int64(find, 0);
		pl->feed_id = (long)sqlite3_column_int64(find, 1);
		pl->kind = sqlite3_column_int64(find, 2) == pl->e.hash
		                   ? PUT_SAME
		                   : PUT_CHANGED;
	}
	sqlite3_reset(find);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_reset(feed);
	store_bind_text(feed, 1, source);
	store_bind_text(feed, 2,
	                ri->remote_feed_id != NULL ? ri->remote_feed_id : "");
	rc = sqlite3_step(feed);
	if (rc == SQLITE_ROW) {
		pl->feed_id = (long)sqlite3_column_int64(feed, 0);
		pl->kind = PUT_NEW;
	} else {
		/* A feed not (yet) among the account's: not stored. */
		pl->kind = PUT_SKIP;
	}
	sqlite3_reset(feed);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
fail:
	store_dberr(st->db, rc, "store the server's articles", err);
	return -1;
}

/* What a batch adds to the counts of one feed. */
struct feed_count {
	long feed_id;
	long n_items;
	long n_unread;
	long n_starred;
};

static void
count_add(struct feed_count **v, size_t *n, long feed_id, bool is_read,
          bool is_starred)
{
	struct feed_count *c = NULL;

	for (size_t i = 0; i < *n && c == NULL; i++)
		if ((*v)[i].feed_id == feed_id)
			c = &(*v)[i];
	if (c == NULL) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		c = &(*v)[(*n)++];
		*c = (struct feed_count){feed_id, 0, 0, 0};
	}
	c->n_items++;
	c->n_unread += !is_read;
	c->n_starred += is_starred;
}

/* The server's state of a known article, field by field unless a local
 * change of that field waits in the queue (the conflict rule). */
#define STATE_SQL                                                              \
	"UPDATE items SET is_read = CASE WHEN EXISTS (SELECT 1 FROM"           \
	" sync_queue q WHERE q.item_id = ?1 AND q.field = 0) THEN is_read"     \
	" ELSE ?2 END, is_starred = CASE WHEN EXISTS (SELECT 1 FROM"           \
	" sync_queue q WHERE q.item_id = ?1 AND q.field = 1) THEN is_starred"  \
	" ELSE ?3 END WHERE id = ?1 AND (is_read <> ?2 OR is_starred <> ?3)"

/* STMT_ITEM_INSERT with the remote columns and the server's state. */
#define INSERT_SQL                                                             \
	"INSERT INTO items (feed_id, key, guid, title, title_type, "           \
	"title_lang, link, author, published, updated, summary, "              \
	"summary_type, summary_lang, content, links, authors, "                \
	"enclosures, categories, comments, hash, seen_gen, first_seen, "       \
	"date, source, remote_id, is_read, is_starred) VALUES (?1, ?2, ?3, "   \
	"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "     \
	"?18, ?19, ?20, ?21, ?22, CASE WHEN ?23 IS NULL OR ?23 > ?22 + 86400 " \
	"THEN ?22 ELSE ?23 END, ?24, ?25, ?26, ?27)"

struct put_stmts {
	sqlite3_stmt *find;
	sqlite3_stmt *feed;
	sqlite3_stmt *insert;
	sqlite3_stmt *state;
	sqlite3_stmt *count;
};

static void
put_stmts_done(struct put_stmts *p)
{
	sqlite3_finalize(p->find);
	sqlite3_finalize(p->feed);
	sqlite3_finalize(p->insert);
	sqlite3_finalize(p->state);
	sqlite3_finalize(p->count);
}

static int
put_stmts_init(struct store *st, struct put_stmts *p, struct err *err)
{
	memset(p, 0, sizeof *p);
	p->find = store_prepare(st->db,
	                        "SELECT id, feed_id, hash FROM items WHERE"
	                        " source = ?1 AND remote_id = ?2",
	                        err);
	if (p->find != NULL)
		p->feed = store_prepare(st->db,
		                        "SELECT id FROM feeds WHERE source = ?1"
		                        " AND remote_id = ?2",
		                        err);
	if (p->feed != NULL)
		p->insert = store_prepare(st->db, INSERT_SQL, err);
	if (p->insert != NULL)
		p->state = store_prepare(st->db, STATE_SQL, err);
	if (p->state != NULL)
		p->count = store_prepare(st->db,
		                         "UPDATE feeds SET n_items = n_items +"
		                         " ?2, n_unread = n_unread + ?3,"
		                         " n_starred = n_starred + ?4"
		                         " WHERE id = ?1",
		                         err);
	if (p->count == NULL) {
		put_stmts_done(p);
		return -1;
	}
	return 0;
}

static int
write_put(struct store *st, struct put_stmts *ps, const char *source,
          const struct store_remote_item *ri, struct put_plan *pl,
          feed_time now, struct err *err)
{
	sqlite3_stmt *s;
	char *key;
	int r;

	if (pl->kind == PUT_NEW) {
		s = ps->insert;
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		store_item_bind(s, ri->item, &pl->e, 0);
		key = xasprintf("remote:%s", ri->remote_id);
		sqlite3_bind_int64(s, 1, pl->feed_id);
		sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
		free(key);
		sqlite3_bind_int64(s, 22, now);
		store_bind_text(s, 24, source);
		store_bind_text(s, 25, ri->remote_id);
		sqlite3_bind_int(s, 26, ri->is_read);
		sqlite3_bind_int(s, 27, ri->is_starred);
		if (store_step_done(st, s, "store the server's articles", err) <
		    0)
			return -1;
		pl->id = (long)sqlite3_last_insert_rowid(st->db);
		return 0;
	}
	if (pl->kind == PUT_CHANGED) {
		s = store_stmt(st, STMT_ITEM_UPDATE, err);
		if (s == NULL)
			return -1;
		store_item_bind(s, ri->item, &pl->e, 0);
		sqlite3_bind_int64(s, 1, pl->id);
		sqlite3_bind_int64(s, 2, pl->feed_id);
		sqlite3_bind_int64(s, 22, now);
		r = store_step_done(st, s, "store the server's articles", err);
		if (r < 0)
			return -1;
	}
	s = ps->state;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, pl->id);
	sqlite3_bind_int(s, 2, ri->is_read);
	sqlite3_bind_int(s, 3, ri->is_starred);
	return store_step_done(st, s, "store the server's articles", err);
}

long
store_remote_items_put(struct store *st, const char *source,
                       const struct store_remote_item *items, size_t n,
                       struct err *err)
{
	struct put_plan *plans = NULL;
	struct feed_count *counts = NULL;
	size_t n_counts = 0;
	struct put_stmts ps;
	feed_time now = store_now();
	long stored = 0;
	bool have_stmts = false;

	if (bad_source(source, err))
		return -1;
	if (store_begin(st, err) < 0)
		return -1;
	if (put_stmts_init(st, &ps, err) < 0)
		goto fail;
	have_stmts = true;
	plans = xcalloc(n + 1, sizeof *plans);
	for (size_t i = 0; i < n; i++)
		plans[i].kind = items[i].remote_id != NULL &&
		                                items[i].remote_id[0] != '\0' &&
		                                items[i].item != NULL
		                        ? PUT_NEW
		                        : PUT_SKIP;
	skip_repeats(items, n, plans);
	for (size_t i = 0; i < n; i++) {
		if (plans[i].kind == PUT_SKIP)
			continue;
		if (plan_put(st, ps.find, ps.feed, source, &items[i], &plans[i],
		             err) < 0)
			goto fail;
	}
	/* In runs of one kind of statement, as a refresh does (items.c):
	 * FTS5 flushes at every statement savepoint. */
	for (size_t i = 0; i < n; i++) {
		if (plans[i].kind == PUT_CHANGED &&
		    store_fts_forget(st, plans[i].id, err) < 0)
			goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (plans[i].kind == PUT_SKIP)
			continue;
		if (write_put(st, &ps, source, &items[i], &plans[i], now, err) <
		    0)
			goto fail;
		if (plans[i].kind == PUT_NEW)
			count_add(&counts, &n_counts, plans[i].feed_id,
			          items[i].is_read, items[i].is_starred);
	}
	/* New rows are counted here, once per feed (the insert trigger went
	 * in schema version 5). */
	for (size_t i = 0; i < n_counts; i++) {
		sqlite3_reset(ps.count);
		sqlite3_bind_int64(ps.count, 1, counts[i].feed_id);
		sqlite3_bind_int64(ps.count, 2, counts[i].n_items);
		sqlite3_bind_int64(ps.count, 3, counts[i].n_unread);
		sqlite3_bind_int64(ps.count, 4, counts[i].n_starred);
		if (store_step_done(st, ps.count, "count items", err) < 0)
			goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (plans[i].kind != PUT_NEW && plans[i].kind != PUT_CHANGED)
			continue;
		if (store_fts_add(st, plans[i].id, items[i].item, err) < 0)
			goto fail;
		stored++;
	}
	put_stmts_done(&ps);
	have_stmts = false;
	if (store_commit(st, err) < 0)
		goto out;
	if (stored > 0)
		store_fts_catch_up(st);
	goto done;
fail:
	if (have_stmts)
		put_stmts_done(&ps);
	store_rollback(st);
out:
	stored = -1;
done:
	for (size_t i = 0; plans != NULL && i < n; i++)
		if (plans[i].encoded)
			store_item_encoded_done(&plans[i].e);
	free(plans);
	free(counts);
	return stored;
}

/* ---- the server's state ---- */

/* A JSON array of the strings, for json_each(). */
static char *
json_ids(const char *const *ids, size_t n)
{
	struct buf b;

	buf_init(&b, 0);
	buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		const char *p = ids[i] != NULL ? ids[i] : "";

		if (i > 0)
			buf_putc(&b, ',');
		buf_putc(&b, '"');
		for (; *p != '\0'; p++) {
			unsigned char c = (unsigned char)*p;

			if (c == '"' || c == '\\')
				buf_printf(&b, "\\%c", c);
			else if (c < 0x20)
				buf_printf(&b, "\\u%04x", c);
			else
				buf_putc(&b, (char)c);
		}
		buf_putc(&b, '"');
	}
	buf_putc(&b, ']');
	return buf_take(&b);
}

long
store_remote_state_apply(struct store *st, const char *source,
                         const char *const *unread_ids, size_t n_unread,
                         const char *const *starred_ids, size_t n_starred,
                         struct err *err)
{
	char *unread;
	char *starred;
	sqlite3_stmt *s;
	long changed = -1;
	int rc;

	if (bad_source(source, err))
		return -1;
	if (store_begin(st, err) < 0)
		return -1;
	unread = json_ids(unread_ids, n_unread);
	starred = json_ids(starred_ids, n_starred);
	/* The id lists are read once each into a temporary index (they do
	 * not depend on the row); the queue is probed by its unique key. */
	s = store_prepare(
	        st->db,
	        "UPDATE items AS i SET is_read = n.r, is_starred = n.s FROM"
	        " (SELECT x.id AS id, CASE WHEN EXISTS (SELECT 1 FROM"
	        "  sync_queue q WHERE q.item_id = x.id AND q.field = 0)"
	        "  THEN x.is_read ELSE x.remote_id NOT IN (SELECT value"
	        "  FROM json_each(?2)) END AS r, CASE WHEN EXISTS (SELECT 1"
	        "  FROM sync_queue q WHERE q.item_id = x.id AND q.field = 1)"
	        "  THEN x.is_starred ELSE x.remote_id IN (SELECT value FROM"
	        "  json_each(?3)) END AS s FROM items x WHERE x.source = ?1"
	        "  AND x.remote_id IS NOT NULL) AS n"
	        " WHERE i.id = n.id AND (i.is_read <> n.r"
	        " OR i.is_starred <> n.s)",
	        err);
	if (s != NULL) {
		store_bind_text(s, 1, source);
		sqlite3_bind_text(s, 2, unread, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, starred, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			changed = (long)sqlite3_changes(st->db);
		else
			store_dberr(st->db, rc, "apply the server's state",
			            err);
		sqlite3_finalize(s);
	}
	free(unread);
	free(starred);
	if (changed < 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, err) < 0)
		return -1;
	return changed;
}

/* ---- bookkeeping ---- */

char *
store_sync_get(struct store *st, const char *source, const char *key,
               struct err *err)
{
	sqlite3_stmt *s;
	char *value = NULL;
	int rc;

	if (bad_source(source, err))
		return NULL;
	s = store_prepare(st->db,
	                  "SELECT value FROM sync_state WHERE source = ?1"
	                  " AND key = ?2",
	                  err);
	if (s == NULL)
		return NULL;
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, key != NULL ? key : "");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		value = store_col_dup(s, 0);
	else if (rc != SQLITE_DONE)
		store_dberr(st->db, rc, "read the sync state", err);
	sqlite3_finalize(s);
	return value;
}

static int
write_once(struct store *st, sqlite3_stmt *s, const char *what, struct err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, what, err);
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

int
store_sync_set(struct store *st, const char *source, const char *key,
               const char *value, struct err *err)
{
	sqlite3_stmt *s;

	if (bad_source(source, err))
		return -1;
	if (key == NULL || key[0] == '\0') {
		err_set(err, ERR_USAGE, "a sync setting needs a name");
		return -1;
	}
	if (store_begin(st, err) < 0)
		return -1;
	if (value != NULL)
		s = store_prepare(st->db,
		                  "INSERT OR REPLACE INTO sync_state (source,"
		                  " key, value) VALUES (?1, ?2, ?3)",
		                  err);
	else
		s = store_prepare(st->db,
		                  "DELETE FROM sync_state WHERE source = ?1"
		                  " AND key = ?2",
		                  err);
	if (s == NULL) {
		store_rollback(st);
		return -1;
	}
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, key);
	if (value != NULL)
		store_bind_text(s, 3, value);
	return write_once(st, s, "save the sync state", err);
}

/* ---- the queue ---- */

void
store_sync_changes_free(struct store_sync_changes *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->c[i].remote_id);
	free(c->c);
	free(c);
}

struct store_sync_changes *
store_sync_pending(struct store *st, const char *source, int limit,
                   struct err *err)
{
	struct store_sync_changes *c;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (bad_source(source, err))
		return NULL;
	s = store_prepare(st->db,
	                  "SELECT q.seq, i.remote_id, q.field, q.value, q.made"
	                  " FROM sync_queue q JOIN items i ON i.id = q.item_id"
	                  " WHERE q.source = ?1 ORDER BY q.seq LIMIT ?2",
	                  err);
	if (s == NULL)
		return NULL;
	store_bind_text(s, 1, source);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	c = xcalloc(1, sizeof *c);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_sync_change *ch;

		if (c->n == cap) {
			cap = cap ? cap * 2 : 16;
			c->c = xreallocarray(c->c, cap, sizeof *c->c);
		}
		ch = &c->c[c->n++];
		ch->seq = (long)sqlite3_column_int64(s, 0);
		ch->remote_id = store_col_dup(s, 1);
		if (ch->remote_id == NULL)
			ch->remote_id = xstrdup("");
		ch->field = sqlite3_column_int(s, 2) == STORE_SYNC_STARRED
		                    ? STORE_SYNC_STARRED
		                    : STORE_SYNC_READ;
		ch->value = sqlite3_column_int(s, 3) != 0;
		ch->when = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "read the sync queue", err);
		store_sync_changes_free(c);
		return NULL;
	}
	return c;
}

int
store_sync_done(struct store *st, const char *source, long up_to_seq,
                struct err *err)
{
	sqlite3_stmt *s;

	if (bad_source(source, err))
		return -1;
	if (store_begin(st, err) < 0)
		return -1;
	s = store_prepare(st->db,
	                  "DELETE FROM sync_queue WHERE source = ?1"
	                  " AND seq <= ?2",
	                  err);
	if (s == NULL) {
		store_rollback(st);
		return -1;
	}
	store_bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, up_to_seq);
	return write_once(st, s, "update the sync queue", err);
}

long
store_sync_count(struct store *st, const char *source, struct err *err)
{
	sqlite3_stmt *s;
	long n = -1;
	int rc;

	if (bad_source(source, err))
		return -1;
	s = store_prepare(st->db,
	                  "SELECT count(*) FROM sync_queue WHERE source = ?1",
	                  err);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, source);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	else
		store_dberr(st->db, rc, "count the sync queue", err);
	sqlite3_finalize(s);
	return n;
}
