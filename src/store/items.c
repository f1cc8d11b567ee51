// SPDX-License-Identifier: MIT
/*
 * Items: the refresh of a feed (copy while parsing, one transaction at the
 * end), the full item as the parser made it, the pages of the lists, the
 * neighbours of an item and the read/starred marks.
 *
 * What the parser gives in lists (links, authors, enclosures, categories,
 * content constructs) is stored as JSON arrays of small objects with keys
 * a, b, c (strings) and n (a number), absent keys meaning NULL, and read
 * back with SQLite's json_each(); the columns the lists show stay plain.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courant/err.h"
#include "courant/feed.h"
#include "courant/store.h"
#include "courant/util.h"

#include "private.h"

/* ---- the JSON arrays ---- */

/* One element of a stored list, whatever its kind. */
struct quad {
	const char *a;
	const char *b;
	const char *c;
	bool has_n;
	int64_t n;
};

static bool
json_plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

static void
json_string(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	while (*s != '\0') {
		const char *run = s;
		unsigned char c;

		/* Copy runs, not bytes: article bodies are kilobytes of
		 * text with a quote here and there. */
		while (json_plain((unsigned char)*s))
			s++;
		buf_append(b, run, (size_t)(s - run));
		c = (unsigned char)*s;
		if (c == '\0')
			break;
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else {
			buf_printf(b, "\\u%04x", c);
		}
		s++;
	}
	buf_putc(b, '"');
}

static void
json_quad(struct buf *b, const struct quad *q)
{
	const char *keys[] = {"a", "b", "c"};
	const char *vals[] = {q->a, q->b, q->c};
	bool first = true;

	buf_putc(b, '{');
	for (int i = 0; i < 3; i++) {
		if (vals[i] == NULL)
			continue;
		if (!first)
			buf_putc(b, ',');
		buf_printf(b, "\"%s\":", keys[i]);
		json_string(b, vals[i]);
		first = false;
	}
	if (q->has_n)
		buf_printf(b, "%s\"n\":%lld", first ? "" : ",",
		           (long long)q->n);
	buf_putc(b, '}');
}

typedef void get_quad_fn(const struct feed_item *it, size_t i, struct quad *q);

static void
get_link(const struct feed_item *it, size_t i, struct quad *q)
{
	*q = (struct quad){it->links[i].href, it->links[i].rel,
	                   it->links[i].type, true, it->links[i].length};
}

static void
get_author(const struct feed_item *it, size_t i, struct quad *q)
{
	*q = (struct quad){it->authors[i].name, it->authors[i].email,
	                   it->authors[i].uri, false, 0};
}

static void
get_content(const struct feed_item *it, size_t i, struct quad *q)
{
	*q = (struct quad){it->content[i].value, it->content[i].lang, NULL,
	                   true, it->content[i].type};
}

static void
get_enclosure(const struct feed_item *it, size_t i, struct quad *q)
{
	*q = (struct quad){it->enclosures[i].url, it->enclosures[i].type, NULL,
	                   true, it->enclosures[i].length};
}

static void
get_category(const struct feed_item *it, size_t i, struct quad *q)
{
	*q = (struct quad){it->categories[i].term, it->categories[i].scheme,
	                   it->categories[i].label, false, 0};
}

/* The JSON array of n elements, or NULL when n is 0. */
static char *
json_array(const struct feed_item *it, size_t n, get_quad_fn *get)
{
	struct buf b;
	struct quad q;

	if (n == 0)
		return NULL;
	buf_init(&b, 0);
	buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		get(it, i, &q);
		json_quad(&b, &q);
	}
	buf_putc(&b, ']');
	return buf_take(&b);
}

static void
hash_bytes(uint64_t *h, const char *s)
{
	/* FNV-1a; a NULL hashes apart from "" by its marker byte. */
	unsigned char marker = s == NULL ? 0 : 1;

	*h ^= marker;
	*h *= 0x100000001b3ULL;
	for (; s != NULL && *s != '\0'; s++) {
		*h ^= (unsigned char)*s;
		*h *= 0x100000001b3ULL;
	}
	*h ^= 0xff;
	*h *= 0x100000001b3ULL;
}

static void
hash_int(uint64_t *h, int64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof tmp, "%lld", (long long)v);
	hash_bytes(h, tmp);
}

static void
encode(struct store_encoded *e, const struct feed_item *it)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	e->content = json_array(it, it->n_content, get_content);
	e->links = json_array(it, it->n_links, get_link);
	e->authors = json_array(it, it->n_authors, get_author);
	e->enclosures = json_array(it, it->n_enclosures, get_enclosure);
	e->categories = json_array(it, it->n_categories, get_category);
	e->author = NULL;
	if (it->n_authors > 0)
		e->author = it->authors[0].name != NULL ? it->authors[0].name
		                                        : it->authors[0].email;
	hash_bytes(&h, it->id);
	hash_bytes(&h, it->title.value);
	hash_int(&h, it->title.type);
	hash_bytes(&h, it->title.lang);
	hash_bytes(&h, it->link);
	hash_int(&h, it->published);
	hash_int(&h, it->updated);
	hash_bytes(&h, it->summary.value);
	hash_int(&h, it->summary.type);
	hash_bytes(&h, it->summary.lang);
	hash_bytes(&h, e->content);
	hash_bytes(&h, e->links);
	hash_bytes(&h, e->authors);
	hash_bytes(&h, e->enclosures);
	hash_bytes(&h, e->categories);
	hash_bytes(&h, it->comments);
	e->hash = (int64_t)h;
}

static void
encoded_done(struct store_encoded *e)
{
	free(e->content);
	free(e->links);
	free(e->authors);
	free(e->enclosures);
	free(e->categories);
}

/* Binds ?3..?21 and ?23 of the insert and update statements. */
static void
bind_item(sqlite3_stmt *s, const struct feed_item *it,
          const struct store_encoded *e, int64_t gen)
{
	feed_time date = it->published != FEED_DATE_UNKNOWN ? it->published
	                                                    : it->updated;

	store_bind_text(s, 3, it->id);
	store_bind_text(s, 4, it->title.value);
	sqlite3_bind_int(s, 5, (int)it->title.type);
	store_bind_text(s, 6, it->title.lang);
	store_bind_text(s, 7, it->link);
	store_bind_text(s, 8, e->author);
	store_bind_time(s, 9, it->published);
	store_bind_time(s, 10, it->updated);
	store_bind_text(s, 11, it->summary.value);
	sqlite3_bind_int(s, 12, (int)it->summary.type);
	store_bind_text(s, 13, it->summary.lang);
	store_bind_text(s, 14, e->content);
	store_bind_text(s, 15, e->links);
	store_bind_text(s, 16, e->authors);
	store_bind_text(s, 17, e->enclosures);
	store_bind_text(s, 18, e->categories);
	store_bind_text(s, 19, it->comments);
	sqlite3_bind_int64(s, 20, e->hash);
	sqlite3_bind_int64(s, 21, gen);
	store_bind_time(s, 23, date);
}

/* What a refresh does with one of its items. */
enum plan_kind { PLAN_SAME, PLAN_NEW, PLAN_CHANGED, PLAN_DUPLICATE };

struct plan {
	enum plan_kind kind;
	long id;
	struct store_encoded e;
};

/* Looks the item up: PLAN_NEW, or the id and whether its hash changed. */
static int
plan_item(struct store *st, long feed_id, const struct feed_item *it,
          struct plan *pl, struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	s = store_stmt(st, STMT_ITEM_FIND, err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, feed_id);
	store_bind_text(s, 2, it->key);
	rc = sqlite3_step(s);
	pl->kind = PLAN_NEW;
	if (rc == SQLITE_ROW) {
		pl->id = (long)sqlite3_column_int64(s, 0);
		pl->kind = sqlite3_column_int64(s, 1) == pl->e.hash
		                   ? PLAN_SAME
		                   : PLAN_CHANGED;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "store items", err);
		return -1;
	}
	return 0;
}

/* Writes the row the plan says: touched, updated or inserted. */
static int
write_item(struct store *st, long feed_id, int64_t gen, feed_time now,
           const struct feed_item *it, struct plan *pl, struct err *err)
{
	sqlite3_stmt *s;

	/* An unchanged item is not written at all: that it is still in
	 * the feed is recorded once, in feeds.seen_ids (save_feed()). */
	if (pl->kind == PLAN_SAME)
		return 0;
	s = store_stmt(st,
	               pl->kind == PLAN_CHANGED ? STMT_ITEM_UPDATE
	                                        : STMT_ITEM_INSERT,
	               err);
	if (s == NULL)
		return -1;
	bind_item(s, it, &pl->e, gen);
	if (pl->kind == PLAN_CHANGED) {
		sqlite3_bind_int64(s, 1, pl->id);
		sqlite3_bind_int64(s, 2, feed_id);
	} else {
		sqlite3_bind_int64(s, 1, feed_id);
		store_bind_text(s, 2, it->key);
	}
	sqlite3_bind_int64(s, 22, now);
	if (store_step_done(st, s, "store items", err) < 0)
		return -1;
	if (pl->kind == PLAN_NEW)
		pl->id = (long)sqlite3_last_insert_rowid(st->db);
	return 0;
}

void
store_item_encode(struct store_encoded *e, const struct feed_item *it)
{
	encode(e, it);
}

void
store_item_encoded_done(struct store_encoded *e)
{
	encoded_done(e);
}

void
store_item_bind(sqlite3_stmt *s, const struct feed_item *it,
                const struct store_encoded *e, int64_t gen)
{
	bind_item(s, it, e, gen);
}

/* ---- the refresh ---- */

struct store_refresh {
	struct store *st;
	long feed_id;
	struct feed_item *items;
	size_t n;
	size_t cap;
};

struct store_refresh *
store_refresh_new(struct store *st, long feed_id)
{
	struct store_refresh *r = xcalloc(1, sizeof *r);

	r->st = st;
	r->feed_id = feed_id;
	return r;
}

void
store_refresh_add(struct store_refresh *r, const struct feed_item *item)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->items = xreallocarray(r->items, r->cap, sizeof *r->items);
	}
	feed_item_copy(&r->items[r->n++], item);
}

size_t
store_refresh_count(const struct store_refresh *r)
{
	return r->n;
}

void
store_refresh_free(struct store_refresh *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		feed_item_clear(&r->items[i]);
	free(r->items);
	free(r);
}

static int
save_feed(struct store *st, long feed_id, int64_t gen,
          const struct feed_info *info, const struct store_fetch *f,
          feed_time now, const char *seen_ids, struct err *err)
{
	sqlite3_stmt *s;
	int r;

	s = store_prepare(
	        st->db,
	        "UPDATE feeds SET"
	        " feed_title = CASE WHEN ?2 THEN ?3 ELSE feed_title END,"
	        " site_link = CASE WHEN ?2 THEN ?4 ELSE site_link END,"
	        " etag = coalesce(?5, etag),"
	        " last_modified = coalesce(?6, last_modified),"
	        " last_fetch = ?7, last_success = ?7, last_status = ?8,"
	        " last_error = NULL, failures = 0, next_fetch = ?9,"
	        " fetch_url = CASE WHEN ?10 IS NULL THEN fetch_url"
	        "  WHEN ?10 = url THEN NULL ELSE ?10 END,"
	        " refresh_gen = ?11, seen_ids = ?12 WHERE id = ?1",
	        err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int(s, 2, info != NULL);
	if (info != NULL) {
		store_bind_text(s, 3, info->title.value);
		store_bind_text(s, 4, info->link);
	}
	if (f != NULL) {
		store_bind_text(s, 5, f->etag);
		store_bind_text(s, 6, f->last_modified);
		sqlite3_bind_int(s, 8, f->status);
		sqlite3_bind_int64(s, 9, f->next_fetch);
		store_bind_text(s, 10, f->new_url);
	} else {
		sqlite3_bind_int64(s, 9, 0);
		sqlite3_bind_int(s, 8, 0);
	}
	sqlite3_bind_int64(s, 7, now);
	sqlite3_bind_int64(s, 11, gen);
	sqlite3_bind_text(s, 12, seen_ids, -1, SQLITE_STATIC);
	r = store_step_done(st, s, "save the feed", err);
	sqlite3_finalize(s);
	return r;
}

static void
plans_free(struct plan *plans, size_t n)
{
	if (plans == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		encoded_done(&plans[i].e);
	free(plans);
}

/* Adds n new (unread, unstarred) items to the feed's counts: what a
 * trigger per insert did until schema version 5. */
static int
count_new(struct store *st, long feed_id, int n, struct err *err)
{
	sqlite3_stmt *s;
	int r;

	if (n == 0)
		return 0;
	s = store_prepare(st->db,
	                  "UPDATE feeds SET n_items = n_items + ?2,"
	                  " n_unread = n_unread + ?2 WHERE id = ?1",
	                  err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int(s, 2, n);
	r = store_step_done(st, s, "count items", err);
	sqlite3_finalize(s);
	return r;
}

/* The ids of the items this refresh saw, as a JSON array: what retention
 * must never drop (it would come back as new on the next refresh). */
static char *
seen_json(const struct plan *plans, size_t n)
{
	struct buf b;
	bool first = true;

	buf_init(&b, 0);
	buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		if (plans[i].kind == PLAN_DUPLICATE)
			continue;
		buf_printf(&b, first ? "%ld" : ",%ld", plans[i].id);
		first = false;
	}
	buf_putc(&b, ']');
	return buf_take(&b);
}

struct key_ref {
	const char *key;
	size_t i;
};

static int
cmp_key(const void *a, const void *b)
{
	const struct key_ref *x = a;
	const struct key_ref *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* A feed that repeats an item key: only the last copy is stored (the
 * others would collide with it on the table's unique key). */
static void
mark_duplicates(const struct store_refresh *r, struct plan *plans)
{
	struct key_ref *order;

	if (r->n < 2)
		return;
	order = xcalloc(r->n, sizeof *order);
	for (size_t i = 0; i < r->n; i++)
		order[i] = (struct key_ref){r->items[i].key, i};
	qsort(order, r->n, sizeof *order, cmp_key);
	for (size_t i = 0; i + 1 < r->n; i++) {
		if (strcmp(order[i].key, order[i + 1].key) == 0)
			plans[order[i].i].kind = PLAN_DUPLICATE;
	}
	free(order);
}

int
store_refresh_commit(struct store_refresh *r, const struct feed_info *info,
                     const struct store_fetch *f,
                     struct store_refresh_stats *stats, struct err *err)
{
	struct store *st = r->st;
	struct store_refresh_stats tmp = {0};
	feed_time now = f != NULL && f->time > 0 ? f->time : store_now();
	sqlite3_stmt *s;
	int64_t gen = 0;
	struct plan *plans = NULL;
	char *seen = NULL;
	long removed;
	int rc;

	if (store_begin(st, err) < 0)
		goto fail;
	s = store_prepare(st->db, "SELECT refresh_gen FROM feeds WHERE id = ?1",
	                  err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, r->feed_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		gen = sqlite3_column_int64(s, 0) + 1;
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		err_set(err, ERR_USAGE, "no feed with id %ld", r->feed_id);
		goto fail;
	} else if (rc != SQLITE_ROW) {
		store_dberr(st->db, rc, "refresh a feed", err);
		goto fail;
	}
	plans = xcalloc(r->n + 1, sizeof *plans);
	mark_duplicates(r, plans);
	for (size_t i = 0; i < r->n; i++) {
		if (plans[i].kind == PLAN_DUPLICATE)
			continue;
		encode(&plans[i].e, &r->items[i]);
		if (plan_item(st, r->feed_id, &r->items[i], &plans[i], err) < 0)
			goto fail;
	}
	/*
	 * Four runs, each of one kind of statement: FTS5 flushes its
	 * pending terms at every statement savepoint, which an item write
	 * (with its triggers) opens, so interleaving index and row writes
	 * made a 1,000-item refresh five times slower. An edited item's old
	 * text leaves the index before its row changes (it is read back to
	 * be forgotten), its new text comes in at the end.
	 */
	for (size_t i = 0; i < r->n; i++) {
		if (plans[i].kind == PLAN_CHANGED &&
		    store_fts_forget(st, plans[i].id, err) < 0)
			goto fail;
	}
	for (size_t i = 0; i < r->n; i++) {
		if (plans[i].kind == PLAN_DUPLICATE)
			continue;
		if (write_item(st, r->feed_id, gen, now, &r->items[i],
		               &plans[i], err) < 0)
			goto fail;
		if (plans[i].kind == PLAN_SAME)
			tmp.n_unchanged++;
		else if (plans[i].kind == PLAN_NEW)
			tmp.n_new++;
		else
			tmp.n_changed++;
	}
	if (count_new(st, r->feed_id, tmp.n_new, err) < 0)
		goto fail;
	for (size_t i = 0; i < r->n; i++) {
		if ((plans[i].kind == PLAN_NEW ||
		     plans[i].kind == PLAN_CHANGED) &&
		    store_fts_add(st, plans[i].id, &r->items[i], err) < 0)
			goto fail;
	}
	seen = seen_json(plans, r->n);
	if (save_feed(st, r->feed_id, gen, info, f, now, seen, err) < 0)
		goto fail;
	removed = store_retain_feed(st, r->feed_id, &st->retention, err);
	if (removed < 0)
		goto fail;
	tmp.n_removed = (int)removed;
	if (store_commit(st, err) < 0)
		goto fail;
	/* Only if nobody gave the index idle time for long. */
	if (tmp.n_new + tmp.n_changed > 0)
		store_fts_catch_up(st);
	if (stats != NULL)
		*stats = tmp;
	plans_free(plans, r->n);
	free(seen);
	store_refresh_free(r);
	return 0;
fail:
	store_rollback(st);
	free(seen);
	plans_free(plans, r->n);
	store_refresh_free(r);
	return -1;
}

/* ---- one item in full ---- */

/* Reads a stored JSON array into quads whose strings are new. */
static size_t
decode(struct store *st, sqlite3_stmt *row, int col, char ***strs,
       int64_t **nums, struct err *err)
{
	sqlite3_stmt *s;
	size_t n = 0;
	size_t cap = 0;
	int rc;

	*strs = NULL;
	*nums = NULL;
	if (sqlite3_column_type(row, col) == SQLITE_NULL)
		return 0;
	s = store_prepare(st->db,
	                  "SELECT json_extract(value, '$.a'),"
	                  " json_extract(value, '$.b'),"
	                  " json_extract(value, '$.c'),"
	                  " coalesce(json_extract(value, '$.n'), -1)"
	                  " FROM json_each(?1)",
	                  err);
	if (s == NULL)
		return (size_t)-1;
	sqlite3_bind_value(s, 1, sqlite3_column_value(row, col));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			*strs = xreallocarray(*strs, cap * 3, sizeof **strs);
			*nums = xreallocarray(*nums, cap, sizeof **nums);
		}
		for (int i = 0; i < 3; i++)
			(*strs)[n * 3 + i] = store_col_dup(s, i);
		(*nums)[n] = sqlite3_column_int64(s, 3);
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "read an item", err);
		for (size_t i = 0; i < n * 3; i++)
			free((*strs)[i]);
		free(*strs);
		free(*nums);
		*strs = NULL;
		*nums = NULL;
		return (size_t)-1;
	}
	return n;
}

static int
decode_lists(struct store *st, sqlite3_stmt *row, struct feed_item *it,
             struct err *err)
{
	char **q;
	int64_t *num;
	size_t n;

	n = decode(st, row, 18, &q, &num, err);
	if (n == (size_t)-1)
		return -1;
	it->content = n ? xcalloc(n, sizeof *it->content) : NULL;
	for (size_t i = 0; i < n; i++) {
		it->content[i].value = q[i * 3];
		it->content[i].lang = q[i * 3 + 1];
		free(q[i * 3 + 2]);
		it->content[i].type = (enum feed_text_type)num[i];
	}
	it->n_content = n;
	free(q);
	free(num);

	n = decode(st, row, 19, &q, &num, err);
	if (n == (size_t)-1)
		return -1;
	it->links = n ? xcalloc(n, sizeof *it->links) : NULL;
	for (size_t i = 0; i < n; i++) {
		it->links[i].href = q[i * 3];
		it->links[i].rel = q[i * 3 + 1];
		it->links[i].type = q[i * 3 + 2];
		it->links[i].length = num[i];
	}
	it->n_links = n;
	free(q);
	free(num);

	n = decode(st, row, 20, &q, &num, err);
	if (n == (size_t)-1)
		return -1;
	it->authors = n ? xcalloc(n, sizeof *it->authors) : NULL;
	for (size_t i = 0; i < n; i++) {
		it->authors[i].name = q[i * 3];
		it->authors[i].email = q[i * 3 + 1];
		it->authors[i].uri = q[i * 3 + 2];
	}
	it->n_authors = n;
	free(q);
	free(num);

	n = decode(st, row, 21, &q, &num, err);
	if (n == (size_t)-1)
		return -1;
	it->enclosures = n ? xcalloc(n, sizeof *it->enclosures) : NULL;
	for (size_t i = 0; i < n; i++) {
		it->enclosures[i].url = q[i * 3];
		it->enclosures[i].type = q[i * 3 + 1];
		free(q[i * 3 + 2]);
		it->enclosures[i].length = num[i];
	}
	it->n_enclosures = n;
	free(q);
	free(num);

	n = decode(st, row, 22, &q, &num, err);
	if (n == (size_t)-1)
		return -1;
	it->categories = n ? xcalloc(n, sizeof *it->categories) : NULL;
	for (size_t i = 0; i < n; i++) {
		it->categories[i].term = q[i * 3];
		it->categories[i].scheme = q[i * 3 + 1];
		it->categories[i].label = q[i * 3 + 2];
	}
	it->n_categories = n;
	free(q);
	free(num);
	return 0;
}

struct store_item *
store_item_get(struct store *st, long item_id, struct err *err)
{
	struct store_item *out;
	struct feed_item *it;
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(
	        st->db,
	        "SELECT i.id, i.feed_id, coalesce(nullif(f.user_title, ''),"
	        " nullif(f.feed_title, ''), f.url), i.date, i.first_seen,"
	        " i.is_read, i.is_starred, i.key, i.guid, i.title,"
	        " i.title_type, i.title_lang, i.link, i.published, i.updated,"
	        " i.summary, i.summary_type, i.summary_lang, i.content,"
	        " i.links, i.authors, i.enclosures, i.categories, i.comments"
	        " FROM items i JOIN feeds f ON f.id = i.feed_id"
	        " WHERE i.id = ?1",
	        err);
	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, item_id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			err_set(err, ERR_USAGE, "no item with id %ld", item_id);
		else
			store_dberr(st->db, rc, "read an item", err);
		sqlite3_finalize(s);
		return NULL;
	}
	out = xcalloc(1, sizeof *out);
	out->id = (long)sqlite3_column_int64(s, 0);
	out->feed_id = (long)sqlite3_column_int64(s, 1);
	out->feed_title = store_col_dup(s, 2);
	out->date = sqlite3_column_int64(s, 3);
	out->first_seen = sqlite3_column_int64(s, 4);
	out->is_read = sqlite3_column_int(s, 5) != 0;
	out->is_starred = sqlite3_column_int(s, 6) != 0;
	it = &out->item;
	it->key = store_col_dup(s, 7);
	it->id = store_col_dup(s, 8);
	it->title.value = store_col_dup(s, 9);
	it->title.type = (enum feed_text_type)sqlite3_column_int(s, 10);
	it->title.lang = store_col_dup(s, 11);
	it->link = store_col_dup(s, 12);
	it->published = store_col_time(s, 13);
	it->updated = store_col_time(s, 14);
	it->summary.value = store_col_dup(s, 15);
	it->summary.type = (enum feed_text_type)sqlite3_column_int(s, 16);
	it->summary.lang = store_col_dup(s, 17);
	it->comments = store_col_dup(s, 23);
	if (decode_lists(st, s, it, err) < 0) {
		sqlite3_finalize(s);
		store_item_free(out);
		return NULL;
	}
	sqlite3_finalize(s);
	return out;
}

void
store_item_free(struct store_item *it)
{
	if (it == NULL)
		return;
	feed_item_clear(&it->item);
	free(it->feed_title);
	free(it);
}

/* ---- pages ---- */

void
store_row_fill(struct store_row *row, sqlite3_stmt *s)
{
	row->id = (long)sqlite3_column_int64(s, 0);
	row->feed_id = (long)sqlite3_column_int64(s, 1);
	row->date = sqlite3_column_int64(s, 2);
	row->title = store_col_dup(s, 3);
	row->link = store_col_dup(s, 4);
	row->author = store_col_dup(s, 5);
	row->feed_title = store_col_dup(s, 6);
	row->is_read = sqlite3_column_int(s, 7) != 0;
	row->is_starred = sqlite3_column_int(s, 8) != 0;
}

struct store_row *
store_page_push(struct store_page *p, size_t *cap)
{
	if (p->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		p->rows = xreallocarray(p->rows, *cap, sizeof *p->rows);
	}
	memset(&p->rows[p->n], 0, sizeof p->rows[0]);
	return &p->rows[p->n++];
}

void
store_page_free(struct store_page *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->rows[i].title);
		free(p->rows[i].link);
		free(p->rows[i].author);
		free(p->rows[i].feed_title);
		free(p->rows[i].snippet);
	}
	free(p->rows);
	free(p);
}

struct store_cursor
store_row_cursor(const struct store_row *row)
{
	return (struct store_cursor){row->date, row->id};
}

/*
 * A tag view over most of the cache is best read down the date index,
 * filtering feeds; a rare tag is best read feed by feed and sorted. The
 * counts kept on feeds tell which one this is, for nothing.
 */
static bool
tag_is_common(struct store *st, const char *tag)
{
	sqlite3_stmt *s;
	bool common = true;

	s = store_prepare(st->db,
	                  "SELECT (SELECT coalesce(sum(n_items), 0) FROM feeds"
	                  " WHERE id IN (SELECT feed_id FROM feed_tags"
	                  " WHERE tag = ?1)) * 8 >= (SELECT"
	                  " coalesce(sum(n_items), 0) FROM feeds)",
	                  NULL);
	if (s == NULL)
		return true;
	sqlite3_bind_text(s, 1, tag, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		common = sqlite3_column_int(s, 0) != 0;
	sqlite3_finalize(s);
	return common;
}

/* The WHERE conditions of a view, binding ?3 (feed) and ?4 (tag). */
static void
view_where(struct store *st, struct buf *q, const struct store_view *v)
{
	buf_puts(q, " WHERE 1");
	if (v->scope == STORE_FEED)
		buf_puts(q, " AND i.feed_id = ?3");
	else if (v->scope == STORE_TAG)
		buf_printf(q,
		           " AND %si.feed_id IN (SELECT feed_id FROM"
		           " feed_tags WHERE tag = ?4)",
		           tag_is_common(st, v->tag) ? "+" : "");
	/* Literal terms, so the partial indexes apply. */
	if (v->unread_only)
		buf_puts(q, " AND i.is_read = 0");
	if (v->starred_only)
		buf_puts(q, " AND i.is_starred = 1");
}

static void
view_bind(sqlite3_stmt *s, const struct store_view *v)
{
	if (v->scope == STORE_FEED)
		sqlite3_bind_int64(s, 3, v->feed_id);
	else if (v->scope == STORE_TAG)
		store_bind_text(s, 4, v->tag != NULL ? v->tag : "");
}

struct store_page *
store_items(struct store *st, const struct store_view *v,
            const struct store_cursor *after, enum store_dir dir, int limit,
            struct err *err)
{
	bool newer = after != NULL && dir == STORE_NEWER;
	struct store_page *p;
	sqlite3_stmt *s;
	struct buf q;
	size_t cap = 0;
	int rc;

	if (limit < 0)
		limit = 0;
	buf_init(&q, 0);
	buf_puts(&q, "SELECT " ROW_COLUMNS
	             " FROM items i CROSS JOIN feeds f ON f.id = i.feed_id");
	view_where(st, &q, v);
	if (after != NULL)
		buf_printf(&q, " AND (i.date, i.id) %s (?1, ?2)",
		           newer ? ">" : "<");
	buf_printf(&q, " ORDER BY i.date %s, i.id %s LIMIT ?5",
	           newer ? "ASC" : "DESC", newer ? "ASC" : "DESC");
	s = store_prepare(st->db, buf_str(&q), err);
	buf_done(&q);
	if (s == NULL)
		return NULL;
	if (after != NULL) {
		sqlite3_bind_int64(s, 1, after->date);
		sqlite3_bind_int64(s, 2, after->id);
	}
	view_bind(s, v);
	sqlite3_bind_int(s, 5, limit + 1);
	p = xcalloc(1, sizeof *p);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (p->n == (size_t)limit) {
			p->more = true;
			continue;
		}
		store_row_fill(store_page_push(p, &cap), s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "read the list", err);
		store_page_free(p);
		return NULL;
	}
	if (newer) {
		for (size_t i = 0; i < p->n / 2; i++) {
			struct store_row t = p->rows[i];

			p->rows[i] = p->rows[p->n - 1 - i];
			p->rows[p->n - 1 - i] = t;
		}
	}
	return p;
}

static long
single_long(struct store *st, sqlite3_stmt *s, const char *what,
            struct err *err)
{
	long v = 0;
	int rc;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = (long)sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, what, err);
		v = -1;
	}
	sqlite3_finalize(s);
	return v;
}

long
store_count(struct store *st, const struct store_view *v, struct err *err)
{
	sqlite3_stmt *s;
	struct buf q;

	buf_init(&q, 0);
	if (v->unread_only && v->starred_only) {
		buf_puts(&q, "SELECT count(*) FROM items i");
		view_where(st, &q, v);
	} else {
		/* The counts kept on feeds answer without touching items. */
		buf_printf(&q, "SELECT coalesce(sum(%s), 0) FROM feeds f",
		           v->unread_only    ? "n_unread"
		           : v->starred_only ? "n_starred"
		                             : "n_items");
		if (v->scope == STORE_FEED)
			buf_puts(&q, " WHERE f.id = ?3");
		else if (v->scope == STORE_TAG)
			buf_puts(&q, " WHERE f.id IN (SELECT feed_id FROM"
			             " feed_tags WHERE tag = ?4)");
	}
	s = store_prepare(st->db, buf_str(&q), err);
	buf_done(&q);
	if (s == NULL)
		return -1;
	view_bind(s, v);
	return single_long(st, s, "count items", err);
}

/* The (date, id) and feed of an item; 0, or -1 with err. */
static int
item_position(struct store *st, long item_id, struct store_cursor *c,
              long *feed_id, struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st->db,
	                  "SELECT date, id, feed_id FROM items WHERE id = ?1",
	                  err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, item_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->date = sqlite3_column_int64(s, 0);
		c->id = (long)sqlite3_column_int64(s, 1);
		*feed_id = (long)sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		err_set(err, ERR_USAGE, "no item with id %ld", item_id);
		return -1;
	}
	if (rc != SQLITE_ROW) {
		store_dberr(st->db, rc, "find an item", err);
		return -1;
	}
	return 0;
}

long
store_item_neighbor(struct store *st, const struct store_view *v, long item_id,
                    enum store_dir dir, struct err *err)
{
	struct store_cursor c;
	struct store_page *p;
	long feed_id;
	long id;

	if (item_position(st, item_id, &c, &feed_id, err) < 0)
		return -1;
	p = store_items(st, v, &c, dir, 1, err);
	if (p == NULL)
		return -1;
	id = p->n > 0 ? p->rows[0].id : 0;
	store_page_free(p);
	return id;
}

/* The newest unread item of a feed other than skip; 0 if none. */
static long
newest_unread(struct store *st, long feed_id, long skip, struct err *err)
{
	sqlite3_stmt *s;

	s = store_prepare(st->db,
	                  "SELECT id FROM items WHERE feed_id = ?1 AND"
	                  " is_read = 0 AND id <> ?2"
	                  " ORDER BY date DESC, id DESC LIMIT 1",
	                  err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int64(s, 2, skip);
	return single_long(st, s, "find unread items", err);
}

long
store_next_unread(struct store *st, long item_id, struct err *err)
{
	struct store_cursor c = {0, 0};
	long feed_id = 0;
	sqlite3_stmt *s;
	long id;
	int rc;

	if (item_id > 0) {
		if (item_position(st, item_id, &c, &feed_id, err) < 0)
			return -1;
		s = store_prepare(st->db,
		                  "SELECT id FROM items WHERE feed_id = ?1 AND"
		                  " is_read = 0 AND (date, id) < (?2, ?3)"
		                  " ORDER BY date DESC, id DESC LIMIT 1",
		                  err);
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, feed_id);
		sqlite3_bind_int64(s, 2, c.date);
		sqlite3_bind_int64(s, 3, c.id);
		id = single_long(st, s, "find unread items", err);
		if (id != 0)
			return id;
	}
	/* The following feeds in list order, then from the top. */
	s = store_prepare(st->db,
	                  "SELECT f.id FROM feeds f, (SELECT position AS p,"
	                  " id AS q FROM feeds WHERE id = ?1"
	                  " UNION ALL SELECT -9223372036854775807, 0"
	                  " ORDER BY 1 DESC LIMIT 1) AS cur"
	                  " WHERE f.n_unread > 0"
	                  " ORDER BY (f.position > cur.p OR (f.position ="
	                  " cur.p AND f.id > cur.q)) DESC, f.position, f.id",
	                  err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, feed_id);
	id = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long fid = (long)sqlite3_column_int64(s, 0);

		id = newest_unread(st, fid, item_id, err);
		if (id != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "find unread items", err);
		id = -1;
	}
	sqlite3_finalize(s);
	return id;
}

/* ---- marks ---- */

/* Queues the change of one field of a remote item (sync.c reads the queue):
 * the row replaced, so it takes a new seq and the last value. */
static int
queue_change(struct store *st, long id, enum store_sync_field field, bool value,
             const char *source, struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	s = store_stmt(st, STMT_QUEUE_CHANGE, err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, (int)field);
	sqlite3_bind_int(s, 3, value);
	sqlite3_bind_int64(s, 4, store_now());
	store_bind_text(s, 5, source);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "queue a change", err);
		return -1;
	}
	return 0;
}

/* Sets one field of an item; a remote item's change is queued in the same
 * transaction. The update returns the item's source, so a local item costs
 * no second lookup; the statements are kept, as compiling them was most of
 * a mark's time. */
static int
mark_one(struct store *st, enum stmt_id stmt, long id, bool value,
         enum store_sync_field field, const char *what, struct err *err)
{
	sqlite3_stmt *s;
	char *source = NULL;
	int rc;

	if (store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st, stmt, err);
	if (s == NULL) {
		store_rollback(st);
		return -1;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, value);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		source = store_col_dup(s, 0);
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, what, err);
		goto fail;
	}
	if (source != NULL &&
	    queue_change(st, id, field, value, source, err) < 0)
		goto fail;
	free(source);
	return store_commit(st, err);
fail:
	free(source);
	store_rollback(st);
	return -1;
}

int
store_mark_read(struct store *st, long item_id, bool is_read, struct err *err)
{
	return mark_one(st, STMT_MARK_READ, item_id, is_read, STORE_SYNC_READ,
	                "mark an item", err);
}

int
store_mark_starred(struct store *st, long item_id, bool is_starred,
                   struct err *err)
{
	return mark_one(st, STMT_MARK_STARRED, item_id, is_starred,
	                STORE_SYNC_STARRED, "star an item", err);
}

/* Queues "read" for the unread remote items of view v, before they are
 * marked; nothing at all to do (one probe of a small index) while no sync
 * account has feeds. */
static int
queue_view_read(struct store *st, const struct store_view *unread,
                struct err *err)
{
	sqlite3_stmt *s;
	struct buf q;
	int rc;

	s = store_prepare(st->db,
	                  "SELECT 1 FROM feeds WHERE source IS NOT NULL"
	                  " LIMIT 1",
	                  err);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		store_dberr(st->db, rc, "mark items", err);
		return -1;
	}
	buf_init(&q, 0);
	buf_printf(&q,
	           "INSERT OR REPLACE INTO sync_queue (item_id, field,"
	           " value, made, source) SELECT i.id, %d, 1, ?6, i.source"
	           " FROM items i",
	           (int)STORE_SYNC_READ);
	view_where(st, &q, unread);
	buf_puts(&q, " AND i.remote_id IS NOT NULL");
	s = store_prepare(st->db, buf_str(&q), err);
	buf_done(&q);
	if (s == NULL)
		return -1;
	view_bind(s, unread);
	sqlite3_bind_int64(s, 6, store_now());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "queue changes", err);
		return -1;
	}
	return 0;
}

long
store_mark_view_read(struct store *st, const struct store_view *v,
                     struct err *err)
{
	struct store_view unread = *v;
	sqlite3_stmt *s;
	struct buf q;
	long changed;
	int rc;

	unread.unread_only = true;
	buf_init(&q, 0);
	buf_puts(&q, "UPDATE items AS i SET is_read = 1");
	view_where(st, &q, &unread);
	if (store_begin(st, err) < 0) {
		buf_done(&q);
		return -1;
	}
	if (queue_view_read(st, &unread, err) < 0) {
		buf_done(&q);
		store_rollback(st);
		return -1;
	}
	s = store_prepare(st->db, buf_str(&q), err);
	buf_done(&q);
	if (s == NULL) {
		store_rollback(st);
		return -1;
	}
	view_bind(s, v);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "mark items", err);
		store_rollback(st);
		return -1;
	}
	changed = (long)sqlite3_changes(st->db);
	if (store_commit(st, err) < 0)
		return -1;
	return changed;
}
