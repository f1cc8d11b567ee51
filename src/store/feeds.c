// SPDX-License-Identifier: MIT
/*
 * Feeds: the subscriptions as the urls file names them, their counts (kept
 * by triggers, so the feed list never scans items) and the bookkeeping the
 * poller needs between fetches.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "courant/err.h"
#include "courant/store.h"
#include "courant/util.h"

#include "private.h"

#define FEED_COLUMNS                                                           \
	"f.id, f.url, f.fetch_url, coalesce(nullif(f.user_title, ''),"         \
	" nullif(f.feed_title, ''), f.url), f.feed_title, f.user_title,"       \
	" f.site_link, (SELECT group_concat(tag, char(31)) FROM (SELECT"       \
	" tag FROM feed_tags WHERE feed_id = f.id ORDER BY tag)),"             \
	" f.position, f.n_items, f.n_unread, f.n_starred, f.etag,"             \
	" f.last_modified, f.last_fetch, f.last_success, f.last_status,"       \
	" f.last_error, f.failures, f.next_fetch, f.is_dead, f.max_items,"     \
	" f.max_age_days, f.source, f.remote_id"

static void
split_tags(struct store_feed *f, const char *joined)
{
	const char *p = joined;

	f->tags = NULL;
	f->n_tags = 0;
	if (joined == NULL || joined[0] == '\0')
		return;
	for (;;) {
		const char *end = strchr(p, '\x1f');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		f->tags =
		        xreallocarray(f->tags, f->n_tags + 1, sizeof *f->tags);
		f->tags[f->n_tags++] = xstrndup(p, len);
		if (end == NULL)
			break;
		p = end + 1;
	}
}

static void
feed_fill(struct store_feed *f, sqlite3_stmt *s)
{
	memset(f, 0, sizeof *f);
	f->id = (long)sqlite3_column_int64(s, 0);
	f->url = store_col_dup(s, 1);
	f->fetch_url = store_col_dup(s, 2);
	f->title = store_col_dup(s, 3);
	f->feed_title = store_col_dup(s, 4);
	f->user_title = store_col_dup(s, 5);
	f->site_link = store_col_dup(s, 6);
	split_tags(f, (const char *)sqlite3_column_text(s, 7));
	f->position = sqlite3_column_int(s, 8);
	f->n_items = (long)sqlite3_column_int64(s, 9);
	f->n_unread = (long)sqlite3_column_int64(s, 10);
	f->n_starred = (long)sqlite3_column_int64(s, 11);
	f->etag = store_col_dup(s, 12);
	f->last_modified = store_col_dup(s, 13);
	f->last_fetch = store_col_time(s, 14);
	f->last_success = store_col_time(s, 15);
	f->last_status = sqlite3_column_int(s, 16);
	f->last_error = store_col_dup(s, 17);
	f->failures = sqlite3_column_int(s, 18);
	f->next_fetch = sqlite3_column_int64(s, 19);
	f->is_dead = sqlite3_column_int(s, 20) != 0;
	f->max_items = sqlite3_column_int(s, 21);
	f->max_age_days = sqlite3_column_int(s, 22);
	f->source = store_col_dup(s, 23);
	f->remote_id = store_col_dup(s, 24);
}

static void
feed_done(struct store_feed *f)
{
	free(f->url);
	free(f->fetch_url);
	free(f->title);
	free(f->feed_title);
	free(f->user_title);
	free(f->site_link);
	for (size_t i = 0; i < f->n_tags; i++)
		free(f->tags[i]);
	free(f->tags);
	free(f->etag);
	free(f->last_modified);
	free(f->last_error);
	free(f->source);
	free(f->remote_id);
}

void
store_feed_free(struct store_feed *f)
{
	if (f == NULL)
		return;
	feed_done(f);
	free(f);
}

void
store_feed_list_free(struct store_feed_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		feed_done(&l->feeds[i]);
	free(l->feeds);
	free(l);
}

static struct store_feed *
feed_query(struct store *st, const char *where, long id, const char *url,
           struct err *err)
{
	struct store_feed *f = NULL;
	sqlite3_stmt *s;
	char *sql;
	int rc;

	sql = xasprintf("SELECT " FEED_COLUMNS " FROM feeds f WHERE %s", where);
	s = store_prepare(st->db, sql, err);
	free(sql);
	if (s == NULL)
		return NULL;
	if (url != NULL)
		sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		f = xmalloc(sizeof *f);
		feed_fill(f, s);
	} else if (rc == SQLITE_DONE) {
		if (url != NULL)
			err_set(err, ERR_USAGE, "no feed %s", url);
		else
			err_set(err, ERR_USAGE, "no feed with id %ld", id);
	} else {
		store_dberr(st->db, rc, "read a feed", err);
	}
	sqlite3_finalize(s);
	return f;
}

struct store_feed *
store_feed_get(struct store *st, long feed_id, struct err *err)
{
	return feed_query(st, "f.id = ?1", feed_id, NULL, err);
}

struct store_feed *
store_feed_by_url(struct store *st, const char *url, struct err *err)
{
	return feed_query(st, "f.url = ?1 AND f.source IS NULL", 0,
	                  url != NULL ? url : "", err);
}

struct store_feed_list *
store_feeds(struct store *st, const char *tag, struct err *err)
{
	struct store_feed_list *l;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	s = store_prepare(st->db,
	                  "SELECT " FEED_COLUMNS
	                  " FROM feeds f WHERE ?1 IS NULL"
	                  " OR f.id IN (SELECT feed_id FROM feed_tags"
	                  " WHERE tag = ?1) ORDER BY f.position, f.id",
	                  err);
	if (s == NULL)
		return NULL;
	store_bind_text(s, 1, tag);
	l = xcalloc(1, sizeof *l);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (l->n == cap) {
			cap = cap ? cap * 2 : 16;
			l->feeds =
			        xreallocarray(l->feeds, cap, sizeof *l->feeds);
		}
		feed_fill(&l->feeds[l->n++], s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "read the feeds", err);
		store_feed_list_free(l);
		return NULL;
	}
	return l;
}

long
store_unread_total(struct store *st, struct err *err)
{
	sqlite3_stmt *s;
	long n = -1;
	int rc;

	s = store_prepare(st->db,
	                  "SELECT coalesce(sum(n_unread), 0) FROM feeds", err);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	else
		store_dberr(st->db, rc, "count unread items", err);
	sqlite3_finalize(s);
	return n;
}

static bool
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* True when the stored feed already says what c says. */
static bool
conf_matches(const struct store_feed *f, const struct store_feed_conf *c)
{
	if (!same_str(f->user_title, c->user_title) ||
	    f->position != c->position || f->max_items != c->max_items ||
	    f->max_age_days != c->max_age_days || f->n_tags != c->n_tags)
		return false;
	/* Stored tags come sorted; compare as sets. */
	for (size_t i = 0; i < c->n_tags; i++) {
		bool seen = false;

		for (size_t j = 0; j < f->n_tags && !seen; j++)
			seen = same_str(f->tags[j], c->tags[i]);
		if (!seen)
			return false;
	}
	return true;
}

static int
step_once(struct store *st, sqlite3_stmt *s, const char *what, struct err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_dberr(st->db, rc, what, err);
		return -1;
	}
	return 0;
}

long
store_feed_ensure(struct store *st, const struct store_feed_conf *c,
                  struct err *err)
{
	struct store_feed *f;
	struct err ignored;
	sqlite3_stmt *s;
	long id;

	if (c->url == NULL || c->url[0] == '\0') {
		err_set(err, ERR_USAGE, "a feed needs a URL");
		return -1;
	}
	/* Start-up syncs every feed of the urls file: write only what
	 * changed, so other processes are not woken for nothing. */
	f = store_feed_by_url(st, c->url, &ignored);
	if (f != NULL && conf_matches(f, c)) {
		id = f->id;
		store_feed_free(f);
		return id;
	}
	store_feed_free(f);
	if (store_begin(st, err) < 0)
		return -1;
	s = store_prepare(st->db,
	                  "INSERT INTO feeds (url, user_title, position,"
	                  " max_items, max_age_days, added)"
	                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	                  " ON CONFLICT (url) WHERE source IS NULL"
	                  " DO UPDATE SET"
	                  " user_title = excluded.user_title,"
	                  " position = excluded.position,"
	                  " max_items = excluded.max_items,"
	                  " max_age_days = excluded.max_age_days"
	                  " RETURNING id",
	                  err);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, c->url);
	store_bind_text(s, 2, c->user_title);
	sqlite3_bind_int(s, 3, c->position);
	sqlite3_bind_int(s, 4, c->max_items);
	sqlite3_bind_int(s, 5, c->max_age_days);
	sqlite3_bind_int64(s, 6, store_now());
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_dberr(st->db, sqlite3_extended_errcode(st->db),
		            "add a feed", err);
		sqlite3_finalize(s);
		goto fail;
	}
	id = (long)sqlite3_column_int64(s, 0);
	if (step_once(st, s, "add a feed", err) < 0)
		goto fail;
	s = store_prepare(st->db, "DELETE FROM feed_tags WHERE feed_id = ?1",
	                  err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	if (step_once(st, s, "tag a feed", err) < 0)
		goto fail;
	for (size_t i = 0; i < c->n_tags; i++) {
		s = store_prepare(
		        st->db,
		        "INSERT OR IGNORE INTO feed_tags (tag, feed_id)"
		        " VALUES (?1, ?2)",
		        err);
		if (s == NULL)
			goto fail;
		store_bind_text(s, 1, c->tags[i] != NULL ? c->tags[i] : "");
		sqlite3_bind_int64(s, 2, id);
		if (step_once(st, s, "tag a feed", err) < 0)
			goto fail;
	}
	if (store_commit(st, err) < 0)
		return -1;
	return id;
fail:
	store_rollback(st);
	return -1;
}

/* Runs one write statement binding ?1 = feed_id in its own transaction;
 * bind fills the rest. */
static int
feed_write(struct store *st, const char *sql, long feed_id,
           const struct store_fetch *f, const char *error, const char *what,
           struct err *err)
{
	sqlite3_stmt *s;
	feed_time now;

	if (store_begin(st, err) < 0)
		return -1;
	s = store_prepare(st->db, sql, err);
	if (s == NULL) {
		store_rollback(st);
		return -1;
	}
	sqlite3_bind_int64(s, 1, feed_id);
	if (f != NULL) {
		now = f->time > 0 ? f->time : store_now();
		store_bind_text(s, 2, f->etag);
		store_bind_text(s, 3, f->last_modified);
		sqlite3_bind_int64(s, 4, now);
		sqlite3_bind_int(s, 5, f->status);
		sqlite3_bind_int64(s, 6, f->next_fetch);
		store_bind_text(s, 7, f->new_url);
		store_bind_text(s, 8, error);
	}
	if (step_once(st, s, what, err) < 0) {
		store_rollback(st);
		return -1;
	}
	if (sqlite3_changes(st->db) == 0) {
		err_set(err, ERR_USAGE, "no feed with id %ld", feed_id);
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

int
store_fetch_unchanged(struct store *st, long feed_id,
                      const struct store_fetch *f, struct err *err)
{
	struct store_fetch none = {0};

	return feed_write(st,
	                  "UPDATE feeds SET etag = coalesce(?2, etag),"
	                  " last_modified = coalesce(?3, last_modified),"
	                  " last_fetch = ?4, last_success = ?4,"
	                  " last_status = ?5, next_fetch = ?6,"
	                  " fetch_url = CASE WHEN ?7 IS NULL THEN fetch_url"
	                  "  WHEN ?7 = url THEN NULL ELSE ?7 END,"
	                  " last_error = ?8, failures = 0 WHERE id = ?1",
	                  feed_id, f != NULL ? f : &none, NULL,
	                  "record a fetch", err);
}

int
store_fetch_failed(struct store *st, long feed_id, const struct store_fetch *f,
                   const char *error, struct err *err)
{
	struct store_fetch none = {0};

	/* The validators stay: they describe the items we still have. */
	return feed_write(st,
	                  "UPDATE feeds SET last_fetch = ?4,"
	                  " last_status = ?5, next_fetch = ?6,"
	                  " last_error = coalesce(?8, 'failed'),"
	                  " failures = failures + 1,"
	                  " is_dead = is_dead OR ?5 = 410,"
	                  " fetch_url = CASE WHEN ?7 IS NULL THEN fetch_url"
	                  "  WHEN ?7 = url THEN NULL ELSE ?7 END"
	                  " WHERE id = ?1",
	                  feed_id, f != NULL ? f : &none, error,
	                  "record a failed fetch", err);
}

int
store_feed_revive(struct store *st, long feed_id, struct err *err)
{
	return feed_write(st,
	                  "UPDATE feeds SET is_dead = 0, failures = 0,"
	                  " next_fetch = 0 WHERE id = ?1",
	                  feed_id, NULL, NULL, "revive a feed", err);
}

int
store_feed_remove(struct store *st, long feed_id, struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_begin(st, err) < 0)
		return -1;
	/* The index first: FTS5 cannot follow the cascade by trigger. */
	s = store_prepare(st->db, "SELECT id FROM items WHERE feed_id = ?1",
	                  err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, feed_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (store_fts_forget(st, (long)sqlite3_column_int64(s, 0),
		                     err) < 0) {
			sqlite3_finalize(s);
			goto fail;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "remove a feed", err);
		goto fail;
	}
	s = store_prepare(st->db, "DELETE FROM feeds WHERE id = ?1", err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, feed_id);
	if (step_once(st, s, "remove a feed", err) < 0)
		goto fail;
	if (store_commit(st, err) < 0)
		return -1;
	/* Its index entries left as one more segment: removing many
	 * feeds in a row must not pile them up. */
	store_fts_catch_up(st);
	return 0;
fail:
	store_rollback(st);
	return -1;
}
