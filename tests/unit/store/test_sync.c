// SPDX-License-Identifier: MIT
/*
 * Store: the sync side (sync.c). Remote feeds beside local ones, the
 * server's articles and state, the conflict rule, the change queue the
 * marks fill, retention around pending changes, and the version 7 -> 8
 * migration. The test reads the tables through the connection (private.h)
 * where the public API has no call for it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* clang-format off: cmocka needs the headers above first */
#include <cmocka.h>
/* clang-format on */

#include "courant/config.h"
#include "courant/err.h"
#include "courant/feed.h"
#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/util.h"

#include "private.h"

/* The parser's structs hold `char *`; these tests fill them with literals
 * the store only reads. */
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"

#define SRC "ttrss"
#define NOW 1800000000

static struct store *
open_mem(void)
{
	struct err err = {0};
	struct store *st;

	st = store_open(":memory:", 0, &err);
	assert_non_null(st);
	return st;
}

static long
add_local(struct store *st, const char *url, int position)
{
	struct store_feed_conf c = {.url = url, .position = position};
	struct err err = {0};
	long id = store_feed_ensure(st, &c, &err);

	assert_true(id > 0);
	return id;
}

/* Runs SQL returning one integer. */
static long
sql_long(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	long v = -1;

	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The local id of a remote article, 0 if absent. */
static long
item_of(struct store *st, const char *rid)
{
	char *sql = xasprintf("SELECT coalesce((SELECT id FROM items WHERE"
	                      " source = '" SRC "' AND remote_id = '%s'), 0)",
	                      rid);
	long id = sql_long(st, sql);

	free(sql);
	return id;
}

/* "rs": read and starred of a remote article as two letters ('r'/'u',
 * 's'/'-'), "--" when absent. */
static void
state_of(struct store *st, const char *rid, char out[3])
{
	struct err err = {0};
	long id = item_of(st, rid);
	struct store_item *it;

	strcpy(out, "--");
	if (id == 0)
		return;
	it = store_item_get(st, id, &err);
	assert_non_null(it);
	out[0] = it->is_read ? 'r' : 'u';
	out[1] = it->is_starred ? 's' : '-';
	store_item_free(it);
}

static void
set_feeds(struct store *st, const struct store_remote_feed *f, size_t n)
{
	struct err err = {0};

	if (store_remote_feeds_set(st, SRC, f, n, &err) < 0)
		fail_msg("feeds_set: %s", err.msg);
}

/* Two remote feeds, "10" and "11". */
static void
two_feeds(struct store *st)
{
	static const char *const tech[] = {"tech"};
	const struct store_remote_feed f[] = {
	        {"10", "http://a.example/feed", "Alpha", tech, 1},
	        {"11", "http://b.example/feed", "Beta", NULL, 0},
	};

	set_feeds(st, f, 2);
}

static struct feed_item
mk(const char *title, const char *body, feed_time date)
{
	struct feed_item it;

	memset(&it, 0, sizeof it);
	it.key = "unused";
	it.title.value = (char *)title;
	it.summary.value = (char *)body;
	it.published = date;
	it.updated = FEED_DATE_UNKNOWN;
	return it;
}

/* Puts one article: rid in feed fid, with title and state "rs". */
static long
put1(struct store *st, const char *rid, const char *fid, const char *title,
     const char *state)
{
	struct feed_item it = mk(title, "some body text", NOW - 3600);
	struct store_remote_item ri = {rid, fid, &it, state[0] == 'r',
	                               state[1] == 's'};
	struct err err = {0};
	long n = store_remote_items_put(st, SRC, &ri, 1, &err);

	if (n < 0)
		fail_msg("put %s: %s", rid, err.msg);
	return n;
}

static struct store_feed *
feed_by_remote(struct store *st, const char *rid)
{
	struct err err = {0};
	long id = store_remote_feed_id(st, SRC, rid, &err);
	struct store_feed *f;

	assert_true(id > 0);
	f = store_feed_get(st, id, &err);
	assert_non_null(f);
	return f;
}

static void
test_empty_and_usage(void **state)
{
	struct store *st = open_mem();
	struct err err = {0};
	struct store_sync_changes *c;

	(void)state;
	assert_int_equal(store_remote_feeds_set(st, NULL, NULL, 0, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	assert_int_equal(store_remote_feeds_set(st, "", NULL, 0, &err), -1);
	err.code = 0;
	assert_int_equal(store_remote_feeds_set(st, SRC, NULL, 0, &err), 0);
	assert_int_equal(store_remote_feed_id(st, SRC, "1", &err), 0);
	assert_int_equal(store_remote_feed_id(st, SRC, NULL, &err), 0);
	assert_int_equal(store_remote_items_put(st, SRC, NULL, 0, &err), 0);
	assert_int_equal(
	        store_remote_state_apply(st, SRC, NULL, 0, NULL, 0, &err), 0);
	assert_int_equal(store_sync_count(st, SRC, &err), 0);
	assert_int_equal(store_sync_count(st, NULL, &err), -1);
	c = store_sync_pending(st, SRC, 0, &err);
	assert_non_null(c);
	assert_int_equal(c->n, 0);
	store_sync_changes_free(c);
	store_sync_changes_free(NULL);
	assert_int_equal(store_sync_done(st, SRC, 100, &err), 0);
	err.code = 0;
	assert_null(store_sync_get(st, SRC, "since_id", &err));
	assert_int_equal(err.code, 0);
	assert_int_equal(store_sync_set(st, SRC, NULL, "1", &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	store_close(st);
}

static void
test_sync_state(void **state)
{
	static const struct {
		const char *source;
		const char *key;
		const char *value; /* NULL: delete */
	} steps[] = {
	        {SRC, "since_id", "10"},    {SRC, "since_id", "25"},
	        {"other", "since_id", "3"}, {SRC, "last_sync", "1800000000"},
	        {SRC, "last_sync", NULL},
	};
	static const struct {
		const char *source;
		const char *key;
		const char *expect;
	} checks[] = {
	        {SRC, "since_id", "25"},
	        {"other", "since_id", "3"},
	        {SRC, "last_sync", NULL},
	        {"other", "last_sync", NULL},
	};
	struct store *st = open_mem();
	struct err err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		assert_int_equal(store_sync_set(st, steps[i].source,
		                                steps[i].key, steps[i].value,
		                                &err),
		                 0);
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		char *v = store_sync_get(st, checks[i].source, checks[i].key,
		                         &err);

		if (checks[i].expect == NULL)
			assert_null(v);
		else
			assert_string_equal(v, checks[i].expect);
		free(v);
	}
	store_close(st);
}

/* A server that lists no feeds while the store has some: a hiccup, not
 * an emptied account; every feed and article (starred too) stays. */
static void
test_empty_list_keeps(void **state)
{
	struct store *st = open_mem();
	struct err err = {0};

	(void)state;
	two_feeds(st);
	put1(st, "100", "10", "kept", "us");
	put1(st, "101", "11", "kept too", "r-");
	assert_int_equal(store_remote_feeds_set(st, SRC, NULL, 0, &err), 2);
	assert_true(store_remote_feed_id(st, SRC, "10", &err) > 0);
	assert_true(store_remote_feed_id(st, SRC, "11", &err) > 0);
	assert_int_equal(sql_long(st, "SELECT count(*) FROM items"), 2);
	/* A list with feeds is still the server's word. */
	set_feeds(st,
	          &(struct store_remote_feed){"11", "http://b.example/feed",
	                                      "Beta", NULL, 0},
	          1);
	assert_int_equal(store_remote_feed_id(st, SRC, "10", &err), 0);
	assert_int_equal(sql_long(st, "SELECT count(*) FROM items"), 1);
	store_close(st);
}

/* The feed list after each step of store_remote_feeds_set(), beside a
 * local feed that shares a URL with a remote one. */
static void
test_feeds_set(void **state)
{
	static const char *const news[] = {"news"};
	static const char *const two[] = {"b", "a", "a"};
	static const struct {
		struct store_remote_feed f[3];
		size_t n;
		/* Expected remote feeds in list order: "rid url title
		 * tags" with tags joined by ','. */
		const char *expect[3];
	} steps[] = {
	        {{{"1", "http://x/feed", "X", news, 1},
	          {"2", "http://y/feed", NULL, NULL, 0}},
	         2,
	         {"1 http://x/feed X news", "2 http://y/feed http://y/feed "}},
	        /* Renamed, moved, retagged, reordered; "3" is new. */
	        {{{"3", "http://z/feed", "Z", NULL, 0},
	          {"2", "http://y2/feed", "Y", two, 3},
	          {"1", "http://x/feed", "X", news, 1}},
	         3,
	         {"3 http://z/feed Z ", "2 http://y2/feed Y a,b",
	          "1 http://x/feed X news"}},
	        /* Invalid entries are skipped; "1" and "3" go. */
	        {{{NULL, "http://n/feed", "N", NULL, 0},
	          {"4", "", "E", NULL, 0},
	          {"2", "http://y2/feed", "Y", two, 3}},
	         3,
	         {"2 http://y2/feed Y a,b"}},
	        /* An empty list removes nothing (a server's hiccup). */
	        {{{NULL, NULL, NULL, NULL, 0}}, 0, {"2 http://y2/feed Y a,b"}},
	};
	struct store *st = open_mem();
	struct err err = {0};
	long local;

	(void)state;
	local = add_local(st, "http://x/feed", 0);
	add_local(st, "http://local/2", 1);
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct store_feed_list *l;
		size_t k = 0;

		set_feeds(st, steps[i].f, steps[i].n);
		l = store_feeds(st, NULL, &err);
		assert_non_null(l);
		/* The local feeds first, untouched. */
		assert_true(l->n >= 2);
		assert_int_equal(l->feeds[0].id, local);
		assert_null(l->feeds[0].source);
		assert_null(l->feeds[1].source);
		for (size_t j = 2; j < l->n; j++, k++) {
			const struct store_feed *f = &l->feeds[j];
			struct buf b;

			assert_non_null(steps[i].expect[k]);
			assert_string_equal(f->source, SRC);
			buf_init(&b, 0);
			buf_printf(&b, "%s %s %s ", f->remote_id, f->url,
			           f->title);
			for (size_t t = 0; t < f->n_tags; t++)
				buf_printf(&b, "%s%s", t ? "," : "",
				           f->tags[t]);
			if (strcmp(buf_str(&b), steps[i].expect[k]) != 0)
				fail_msg("step %zu: got '%s', want '%s'", i,
				         buf_str(&b), steps[i].expect[k]);
			buf_done(&b);
		}
		assert_true(k == 3 || steps[i].expect[k] == NULL);
		store_feed_list_free(l);
	}
	store_close(st);
}

/* A local and a remote subscription of one URL live apart: by_url and
 * ensure see the local one only, removal of either keeps the other. */
static void
test_same_url(void **state)
{
	const struct store_remote_feed f = {"7", "http://same/feed", "Remote",
	                                    NULL, 0};
	struct store *st = open_mem();
	struct err err = {0};
	struct store_feed *byurl;
	long local;
	long remote;

	(void)state;
	set_feeds(st, &f, 1);
	remote = store_remote_feed_id(st, SRC, "7", &err);
	assert_true(remote > 0);
	/* The remote one is not a local subscription. */
	assert_null(store_feed_by_url(st, "http://same/feed", &err));
	assert_int_equal(err.code, ERR_USAGE);
	local = add_local(st, "http://same/feed", 0);
	assert_true(local != remote);
	assert_int_equal(add_local(st, "http://same/feed", 5), local);
	byurl = store_feed_by_url(st, "http://same/feed", &err);
	assert_non_null(byurl);
	assert_int_equal(byurl->id, local);
	assert_null(byurl->source);
	store_feed_free(byurl);
	put1(st, "100", "7", "remote article", "u-");
	assert_int_equal(store_feed_remove(st, local, &err), 0);
	assert_int_equal(store_remote_feed_id(st, SRC, "7", &err), remote);
	assert_true(item_of(st, "100") > 0);
	store_close(st);
}

/* Articles stored, updated and their state taken from the server, with
 * counts and the search index in step. */
static void
test_items_put(void **state)
{
	struct store *st = open_mem();
	struct err err = {0};
	struct feed_item a = mk("Alpha quokka", "first body", NOW - 100);
	struct feed_item b = mk("Beta", "wombat body", NOW - 200);
	struct feed_item b2 = mk("Beta edited", "numbat body", NOW - 200);
	struct feed_item c = mk("Gamma", "nobody", NOW - 300);
	struct store_remote_item batch1[] = {
	        {"1", "10", &a, false, false},  {"2", "10", &b, true, true},
	        {"3", "99", &c, false, false}, /* unknown feed: skipped */
	        {NULL, "10", &c, false, false}, {"4", "11", &c, false, true},
	        {"4", "11", &c, true, true}, /* repeated: the last wins */
	};
	struct store_remote_item batch2[] = {
	        {"1", "10", &a, true, false},  /* same text, now read */
	        {"2", "10", &b2, true, false}, /* edited, unstarred */
	        {"4", "99", &c, true, true},   /* stays in its feed */
	};
	struct store_feed *f;
	struct store_page *p;
	struct store_item *it;
	char s[3];
	long first_seen;

	(void)state;
	two_feeds(st);
	assert_int_equal(store_remote_items_put(st, SRC, batch1, 6, &err), 3);
	state_of(st, "1", s);
	assert_string_equal(s, "u-");
	state_of(st, "2", s);
	assert_string_equal(s, "rs");
	state_of(st, "3", s);
	assert_string_equal(s, "--");
	state_of(st, "4", s);
	assert_string_equal(s, "rs");
	f = feed_by_remote(st, "10");
	assert_int_equal(f->n_items, 2);
	assert_int_equal(f->n_unread, 1);
	assert_int_equal(f->n_starred, 1);
	store_feed_free(f);
	f = feed_by_remote(st, "11");
	assert_int_equal(f->n_items, 1);
	assert_int_equal(f->n_unread, 0);
	assert_int_equal(f->n_starred, 1);
	store_feed_free(f);
	assert_int_equal(store_unread_total(st, &err), 1);
	/* Search finds remote articles like local ones. */
	p = store_search(st, "wombat", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 1);
	assert_string_equal(p->rows[0].title, "Beta");
	store_page_free(p);

	it = store_item_get(st, item_of(st, "2"), &err);
	assert_non_null(it);
	first_seen = it->first_seen;
	store_item_free(it);
	assert_int_equal(store_remote_items_put(st, SRC, batch2, 3, &err), 1);
	state_of(st, "1", s);
	assert_string_equal(s, "r-");
	state_of(st, "2", s);
	assert_string_equal(s, "r-");
	state_of(st, "4", s);
	assert_string_equal(s, "rs");
	it = store_item_get(st, item_of(st, "2"), &err);
	assert_non_null(it);
	assert_string_equal(it->item.title.value, "Beta edited");
	assert_int_equal(it->first_seen, first_seen);
	assert_int_equal(it->feed_id,
	                 store_remote_feed_id(st, SRC, "10", &err));
	store_item_free(it);
	/* The index forgot the old text. */
	p = store_search(st, "wombat", 10, &err);
	assert_int_equal(p->n, 0);
	store_page_free(p);
	p = store_search(st, "numbat", 10, &err);
	assert_int_equal(p->n, 1);
	store_page_free(p);
	f = feed_by_remote(st, "10");
	assert_int_equal(f->n_items, 2);
	assert_int_equal(f->n_unread, 0);
	assert_int_equal(f->n_starred, 0);
	store_feed_free(f);
	/* The server state never queued anything. */
	assert_int_equal(store_sync_count(st, SRC, &err), 0);
	/* A feed gone from the server goes with its articles and their
	 * index entries. */
	{
		const struct store_remote_feed only[] = {
		        {"11", "http://b.example/feed", "Beta", NULL, 0}};

		set_feeds(st, only, 1);
	}
	assert_int_equal(item_of(st, "1"), 0);
	assert_int_equal(item_of(st, "2"), 0);
	assert_true(item_of(st, "4") > 0);
	p = store_search(st, "numbat", 10, &err);
	assert_int_equal(p->n, 0);
	store_page_free(p);
	assert_int_equal(sql_long(st, "SELECT count(*) FROM items"), 1);
	store_close(st);
}

/* One pending row per (item, field), the last value; local items and
 * marks that change nothing queue nothing. */
static void
test_queue(void **state)
{
	static const struct {
		const char *rid; /* NULL: the local item */
		char what; /* 'r' read, 'u' unread, 's' star, '-' unstar */
	} marks[] = {
	        {"1", 'r'},  {"1", 'u'}, {"2", 's'}, {NULL, 'r'},
	        {NULL, 's'}, {"3", 'u'}, /* already unread: no change */
	        {"2", 'r'},  {"1", 'r'},
	};
	/* Oldest first: 2 starred, 2 read, 1 read (re-queued last). */
	static const struct {
		const char *rid;
		enum store_sync_field field;
		bool value;
	} expect[] = {
	        {"2", STORE_SYNC_STARRED, true},
	        {"2", STORE_SYNC_READ, true},
	        {"1", STORE_SYNC_READ, true},
	};
	struct store *st = open_mem();
	struct err err = {0};
	struct store_sync_changes *c;
	struct feed_item li = mk("local", "local body", NOW - 5);
	feed_time t0 = time(NULL);
	long local_feed;
	long local_item;

	(void)state;
	two_feeds(st);
	put1(st, "1", "10", "one", "u-");
	put1(st, "2", "10", "two", "u-");
	put1(st, "3", "11", "three", "u-");
	local_feed = add_local(st, "http://local/feed", 0);
	{
		struct store_refresh *r = store_refresh_new(st, local_feed);

		li.key = "id:local";
		store_refresh_add(r, &li);
		assert_int_equal(
		        store_refresh_commit(r, NULL, NULL, NULL, &err), 0);
	}
	local_item = sql_long(st, "SELECT id FROM items WHERE source IS NULL");
	assert_true(local_item > 0);
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		long id = marks[i].rid ? item_of(st, marks[i].rid) : local_item;
		int r;

		if (marks[i].what == 'r' || marks[i].what == 'u')
			r = store_mark_read(st, id, marks[i].what == 'r', &err);
		else
			r = store_mark_starred(st, id, marks[i].what == 's',
			                       &err);
		assert_int_equal(r, 0);
	}
	assert_int_equal(store_sync_count(st, SRC, &err), 3);
	assert_int_equal(store_sync_count(st, "other", &err), 0);
	c = store_sync_pending(st, SRC, 0, &err);
	assert_non_null(c);
	assert_int_equal(c->n, 3);
	for (size_t i = 0; i < c->n; i++) {
		assert_string_equal(c->c[i].remote_id, expect[i].rid);
		assert_int_equal(c->c[i].field, expect[i].field);
		assert_int_equal(c->c[i].value, expect[i].value);
		assert_true(c->c[i].when >= t0 && c->c[i].when <= time(NULL));
		if (i > 0)
			assert_true(c->c[i].seq > c->c[i - 1].seq);
	}
	store_sync_changes_free(c);
	/* A limit takes the oldest. */
	c = store_sync_pending(st, SRC, 2, &err);
	assert_int_equal(c->n, 2);
	assert_string_equal(c->c[1].remote_id, "2");
	store_sync_changes_free(c);
	/* Read then unread is one row with the last value. */
	assert_int_equal(store_mark_read(st, item_of(st, "1"), false, &err), 0);
	c = store_sync_pending(st, SRC, 0, &err);
	assert_int_equal(c->n, 3);
	assert_string_equal(c->c[2].remote_id, "1");
	assert_false(c->c[2].value);
	store_sync_changes_free(c);
	store_close(st);
}

/* store_sync_done() drops what was pushed, not a change made meanwhile. */
static void
test_done_requeued(void **state)
{
	struct store *st = open_mem();
	struct err err = {0};
	struct store_sync_changes *c;
	long pushed;

	(void)state;
	two_feeds(st);
	put1(st, "1", "10", "one", "u-");
	put1(st, "2", "10", "two", "u-");
	assert_int_equal(store_mark_read(st, item_of(st, "1"), true, &err), 0);
	assert_int_equal(store_mark_read(st, item_of(st, "2"), true, &err), 0);
	c = store_sync_pending(st, SRC, 0, &err);
	assert_int_equal(c->n, 2);
	pushed = c->c[1].seq;
	store_sync_changes_free(c);
	/* While the push is on its way the user changes "1" again. */
	assert_int_equal(store_mark_read(st, item_of(st, "1"), false, &err), 0);
	assert_int_equal(store_sync_done(st, SRC, pushed, &err), 0);
	c = store_sync_pending(st, SRC, 0, &err);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->c[0].remote_id, "1");
	assert_false(c->c[0].value);
	assert_true(c->c[0].seq > pushed);
	assert_int_equal(store_sync_done(st, SRC, c->c[0].seq, &err), 0);
	store_sync_changes_free(c);
	assert_int_equal(store_sync_count(st, SRC, &err), 0);
	/* Sequence numbers are never reused, even with the queue empty. */
	assert_int_equal(store_mark_read(st, item_of(st, "2"), false, &err), 0);
	c = store_sync_pending(st, SRC, 0, &err);
	assert_int_equal(c->n, 1);
	assert_true(c->c[0].seq > pushed + 1);
	store_sync_changes_free(c);
	store_close(st);
}

/*
 * The conflict rule, for put and for the state sets: a queued local
 * change of a field wins, a field not changed locally takes the server's
 * value, different fields merge.
 */
static void
test_conflict_rule(void **state)
{
	static const struct {
		const char *start;  /* stored state before, "rs" */
		const char *local;  /* marks made in courant: r u s - */
		const char *server; /* what the server says */
		bool by_put;        /* put, else the state sets */
		const char *expect;
	} cases[] = {
	        /* Nothing local: the server wins. */
	        {"u-", "", "rs", true, "rs"},
	        {"u-", "", "rs", false, "rs"},
	        {"rs", "", "u-", true, "u-"},
	        {"rs", "", "u-", false, "u-"},
	        /* Read locally, the server still says unread. */
	        {"u-", "r", "u-", true, "r-"},
	        {"u-", "r", "u-", false, "r-"},
	        /* Read locally, starred on the server: both. */
	        {"u-", "r", "us", true, "rs"},
	        {"u-", "r", "us", false, "rs"},
	        /* Unstarred locally, read elsewhere: both. */
	        {"us", "-", "rs", true, "r-"},
	        {"us", "-", "rs", false, "r-"},
	        /* Read then unread locally: the local unread wins. */
	        {"u-", "ru", "r-", true, "u-"},
	        {"u-", "ru", "r-", false, "u-"},
	        /* Both fields local. */
	        {"u-", "rs", "u-", false, "rs"},
	};
	struct err err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct store *st = open_mem();
		const char *srv = cases[i].server;
		long id;
		char s[3];

		two_feeds(st);
		put1(st, "1", "10", "one", cases[i].start);
		/* A bystander the server's sets also cover. */
		put1(st, "2", "10", "two", "u-");
		id = item_of(st, "1");
		for (const char *m = cases[i].local; *m != '\0'; m++) {
			if (*m == 'r' || *m == 'u')
				assert_int_equal(store_mark_read(st, id,
				                                 *m == 'r',
				                                 &err),
				                 0);
			else
				assert_int_equal(store_mark_starred(st, id,
				                                    *m == 's',
				                                    &err),
				                 0);
		}
		if (cases[i].by_put) {
			put1(st, "1", "10", "one", srv);
		} else {
			const char *unread[] = {"1", "2"};
			const char *starred[] = {"1"};
			size_t nu = srv[0] == 'u' ? 2 : 1;
			const char *const *u =
			        srv[0] == 'u' ? unread : unread + 1;

			assert_true(store_remote_state_apply(
			                    st, SRC, u, nu, starred,
			                    srv[1] == 's' ? 1 : 0, &err) >= 0);
		}
		state_of(st, "1", s);
		if (strcmp(s, cases[i].expect) != 0)
			fail_msg("case %zu: got %s, want %s", i, s,
			         cases[i].expect);
		/* The queue is untouched by the server's view. */
		assert_int_equal(store_sync_count(st, SRC, &err),
		                 (long)(strchr(cases[i].local, 'r') ||
		                        strchr(cases[i].local, 'u')) +
		                         (long)(strchr(cases[i].local, 's') ||
		                                strchr(cases[i].local, '-')));
		store_close(st);
	}
}

/* The state sets: every remote item of the account, counted once. */
static void
test_state_apply(void **state)
{
	static const char *const unread[] = {"2", "3", "404", "a\"b"};
	static const char *const starred[] = {"1", "3"};
	struct store *st = open_mem();
	struct err err = {0};
	struct store_feed *f;
	char s[3];

	(void)state;
	two_feeds(st);
	put1(st, "1", "10", "one", "u-");
	put1(st, "2", "10", "two", "r-");
	put1(st, "3", "11", "three", "us");
	put1(st, "4", "11", "four", "rs");
	/* 1: read, starred; 2: unread; 3: as was; 4: unstarred. */
	assert_int_equal(
	        store_remote_state_apply(st, SRC, unread, 4, starred, 2, &err),
	        3);
	state_of(st, "1", s);
	assert_string_equal(s, "rs");
	state_of(st, "2", s);
	assert_string_equal(s, "u-");
	state_of(st, "3", s);
	assert_string_equal(s, "us");
	state_of(st, "4", s);
	assert_string_equal(s, "r-");
	f = feed_by_remote(st, "10");
	assert_int_equal(f->n_unread, 1);
	assert_int_equal(f->n_starred, 1);
	store_feed_free(f);
	f = feed_by_remote(st, "11");
	assert_int_equal(f->n_unread, 1);
	assert_int_equal(f->n_starred, 1);
	store_feed_free(f);
	/* Again: nothing changes. */
	assert_int_equal(
	        store_remote_state_apply(st, SRC, unread, 4, starred, 2, &err),
	        0);
	/* Another account's sets touch nothing of this one. */
	assert_int_equal(
	        store_remote_state_apply(st, "other", NULL, 0, NULL, 0, &err),
	        0);
	state_of(st, "2", s);
	assert_string_equal(s, "u-");
	store_close(st);
}

/* Marking a view read queues its unread remote items, and only them. */
static void
test_view_read_queues(void **state)
{
	static const struct {
		enum store_scope scope;
		const char *feed; /* remote feed id for STORE_FEED */
		const char *tag;
		long changed;
		long queued;
	} cases[] = {
	        {STORE_FEED, "10", NULL, 2, 2},
	        {STORE_TAG, NULL, "tech", 2, 2},
	        {STORE_FEED, "11", NULL, 1, 1},
	        {STORE_ALL, NULL, NULL, 4, 3},
	};
	struct err err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct store *st = open_mem();
		struct store_view v = {.scope = cases[i].scope,
		                       .tag = cases[i].tag};
		struct feed_item li = mk("local", "x", NOW);
		struct store_refresh *r;
		long local;

		two_feeds(st);
		put1(st, "1", "10", "one", "u-");
		put1(st, "2", "10", "two", "us");
		put1(st, "3", "10", "three", "r-");
		put1(st, "4", "11", "four", "u-");
		local = add_local(st, "http://local/feed", 0);
		r = store_refresh_new(st, local);
		li.key = "id:l";
		store_refresh_add(r, &li);
		assert_int_equal(
		        store_refresh_commit(r, NULL, NULL, NULL, &err), 0);
		if (cases[i].feed != NULL)
			v.feed_id = store_remote_feed_id(st, SRC, cases[i].feed,
			                                 &err);
		assert_int_equal(store_mark_view_read(st, &v, &err),
		                 cases[i].changed);
		assert_int_equal(store_sync_count(st, SRC, &err),
		                 cases[i].queued);
		assert_int_equal(sql_long(st,
		                          "SELECT count(*) FROM sync_queue"
		                          " WHERE value <> 1 OR field <> 0"),
		                 0);
		store_close(st);
	}
}

/* Retention never drops an item whose change waits to be pushed. */
static void
test_retention_keeps_pending(void **state)
{
	struct store_retention rule = {.max_items = 1, .drop_unread = true};
	struct store *st = open_mem();
	struct err err = {0};
	struct store_sync_changes *c;

	(void)state;
	two_feeds(st);
	put1(st, "1", "10", "one", "u-");
	put1(st, "2", "10", "two", "u-");
	put1(st, "3", "10", "three", "u-");
	/* All three have the same date; the highest id is the newest. */
	assert_int_equal(store_mark_read(st, item_of(st, "1"), true, &err), 0);
	assert_int_equal(store_cleanup(st, &rule, 0, &err), 1);
	assert_true(item_of(st, "1") > 0);
	assert_int_equal(item_of(st, "2"), 0);
	assert_true(item_of(st, "3") > 0);
	c = store_sync_pending(st, SRC, 0, &err);
	assert_int_equal(c->n, 1);
	assert_int_equal(store_sync_done(st, SRC, c->c[0].seq, &err), 0);
	store_sync_changes_free(c);
	assert_int_equal(store_cleanup(st, &rule, 0, &err), 1);
	assert_int_equal(item_of(st, "1"), 0);
	store_close(st);
}

/* The urls file's sync (config_sync_feeds()) never removes, renumbers or
 * matches a remote feed, even one with a listed URL. */
static void
test_urls_sync_leaves_remote(void **state)
{
	static const struct {
		const char *urls;
		int added;
		int updated;
		int removed;
	} steps[] = {
	        {"http://a.example/feed\nhttp://l2/\n", 2, 0, 0},
	        {"http://a.example/feed\nhttp://l2/\n", 0, 2, 0},
	        {"http://l2/\n", 0, 1, 1},
	        {"", 0, 0, 1},
	};
	struct store *st = open_mem();
	struct err err = {0};

	(void)state;
	two_feeds(st);
	put1(st, "1", "10", "one", "u-");
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct urls *u = urls_parse("urls", steps[i].urls,
		                            strlen(steps[i].urls), &err);
		struct config_sync_stats stats;
		struct store_feed_list *l;
		size_t n_local = 0;

		assert_non_null(u);
		assert_int_equal(config_sync_feeds(st, u, NULL, &stats, &err),
		                 0);
		urls_free(u);
		assert_int_equal(stats.added, steps[i].added);
		assert_int_equal(stats.updated, steps[i].updated);
		assert_int_equal(stats.removed, steps[i].removed);
		l = store_feeds(st, NULL, &err);
		/* Local feeds first, then the account's two, unchanged. */
		while (n_local < l->n && l->feeds[n_local].source == NULL)
			n_local++;
		assert_int_equal(l->n, n_local + 2);
		assert_string_equal(l->feeds[n_local].remote_id, "10");
		assert_string_equal(l->feeds[n_local + 1].remote_id, "11");
		assert_int_equal(l->feeds[n_local].n_items, 1);
		store_feed_list_free(l);
	}
	store_close(st);
}

/* The poller never queues a remote feed, not even forced. */
static void
test_poller_skips_remote(void **state)
{
	static const enum poll_mode modes[] = {POLL_AUTO, POLL_MANUAL,
	                                       POLL_FORCE};
	struct store *st = open_mem();
	struct err err = {0};

	(void)state;
	two_feeds(st);
	add_local(st, "http://a.example/feed", 0);
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		struct poller *p = poller_new(st, NULL, NULL, NULL, &err);
		struct store_feed_list *l;

		assert_non_null(p);
		assert_int_equal(
		        poller_refresh(
		                p, store_remote_feed_id(st, SRC, "10", &err),
		                modes[i], &err),
		        0);
		assert_int_equal(poller_refresh(p, 0, modes[i], &err), 1);
		poller_cancel(p);
		l = store_feeds(st, NULL, &err);
		assert_int_equal(
		        poller_refresh_list(p, l->feeds, l->n, modes[i]), 1);
		store_feed_list_free(l);
		poller_free(p);
	}
	store_close(st);
}

/* Denies every change of the foreign_keys pragma (reading it is fine). */
static int
deny_fk_pragma(void *arg, int action, const char *a1, const char *a2,
               const char *a3, const char *a4)
{
	(void)arg;
	(void)a3;
	(void)a4;
	if (action == SQLITE_PRAGMA && a1 != NULL &&
	    strcmp(a1, "foreign_keys") == 0 && a2 != NULL)
		return SQLITE_DENY;
	return SQLITE_OK;
}

/* Version 8 rebuilds feeds: if foreign keys cannot be turned off, the
 * upgrade stops rather than let DROP TABLE delete every item. */
static void
test_migrate_8_needs_fk_off(void **state)
{
	char dir[] = "/tmp/courant-sync.XXXXXX";
	struct err err = {0};
	sqlite3 *db;
	sqlite3_stmt *s;
	char *path;
	char *cmd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/v7.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(store_schema_migrate(db, 7, &err), 0);
	assert_int_equal(
	        sqlite3_exec(db,
	                     "INSERT INTO feeds (id, url, position) VALUES"
	                     " (3, 'http://old/a', 0);"
	                     "INSERT INTO items (id, feed_id, key, title, date,"
	                     " first_seen, hash) VALUES"
	                     " (5, 3, 'k5', 'Kangaroo', 5, 5, 1);"
	                     "PRAGMA foreign_keys = ON;",
	                     NULL, NULL, NULL),
	        SQLITE_OK);
	sqlite3_set_authorizer(db, deny_fk_pragma, NULL);
	assert_int_equal(store_schema_migrate(db, 8, &err), -1);
	assert_int_equal(err.code, ERR_DB);
	sqlite3_set_authorizer(db, NULL, NULL);
	assert_int_equal(
	        sqlite3_prepare_v2(db,
	                           "SELECT (SELECT count(*) FROM items)"
	                           " * 100 + (SELECT user_version FROM"
	                           " pragma_user_version)",
	                           -1, &s, NULL),
	        SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 107);
	sqlite3_finalize(s);
	sqlite3_close(db);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

/* A version 7 database (local feeds, items, state, the index) migrates
 * with everything kept, and what version 8 adds works on it. */
static void
test_migrate_7_to_8(void **state)
{
	char dir[] = "/tmp/courant-sync.XXXXXX";
	const struct store_remote_feed rf = {"1", "http://old/a", "Remote A",
	                                     NULL, 0};
	struct err err = {0};
	struct store_feed_list *l;
	struct store_page *p;
	struct store *st;
	sqlite3 *db;
	char *path;
	char *cmd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/v7.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(store_schema_migrate(db, 7, &err), 0);
	assert_int_equal(
	        sqlite3_exec(
	                db,
	                "INSERT INTO feeds (id, url, user_title, position,"
	                " etag, seen_ids, n_items, n_unread, n_starred)"
	                " VALUES (3, 'http://old/a', 'A', 0, '\"e1\"',"
	                " '[5]', 2, 1, 1),"
	                " (8, 'http://old/b', NULL, 1, NULL, NULL, 0, 0, 0);"
	                "INSERT INTO feed_tags VALUES ('t1', 3), ('t2', 8);"
	                "INSERT INTO items (id, feed_id, key, title, date,"
	                " first_seen, hash, is_read, is_starred) VALUES"
	                " (5, 3, 'k5', 'Kangaroo', 5, 5, 1, 0, 0),"
	                " (6, 3, 'k6', 'Emu', 6, 6, 2, 1, 1);"
	                "INSERT INTO item_fts (rowid, title, body) VALUES"
	                " (5, 'Kangaroo', ''), (6, 'Emu', '');",
	                NULL, NULL, NULL),
	        SQLITE_OK);
	sqlite3_close(db);

	st = store_open(path, STORE_OPEN_FULL_CHECK, &err);
	if (st == NULL)
		fail_msg("open: %s", err.msg);
	assert_int_equal(sql_long(st, "PRAGMA user_version"), 8);
	assert_int_equal(sql_long(st, "PRAGMA foreign_keys"), 1);
	assert_int_equal(
	        sql_long(st, "SELECT count(*) FROM pragma_foreign_key_check"),
	        0);
	l = store_feeds(st, NULL, &err);
	assert_non_null(l);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->feeds[0].id, 3);
	assert_string_equal(l->feeds[0].title, "A");
	assert_string_equal(l->feeds[0].etag, "\"e1\"");
	assert_int_equal(l->feeds[0].n_items, 2);
	assert_int_equal(l->feeds[0].n_unread, 1);
	assert_int_equal(l->feeds[0].n_starred, 1);
	assert_int_equal(l->feeds[0].n_tags, 1);
	assert_string_equal(l->feeds[0].tags[0], "t1");
	assert_null(l->feeds[0].source);
	assert_int_equal(l->feeds[1].id, 8);
	store_feed_list_free(l);
	p = store_search(st, "kangaroo", 5, &err);
	assert_int_equal(p->n, 1);
	assert_int_equal(p->rows[0].id, 5);
	store_page_free(p);
	/* The count triggers came back. */
	assert_int_equal(store_mark_read(st, 5, true, &err), 0);
	assert_int_equal(store_unread_total(st, &err), 0);
	/* The local URL stays unique, a remote feed may share it. */
	assert_int_equal(sqlite3_exec(st->db,
	                              "INSERT INTO feeds (url) VALUES"
	                              " ('http://old/a')",
	                              NULL, NULL, NULL) &
	                         0xff,
	                 SQLITE_CONSTRAINT);
	set_feeds(st, &rf, 1);
	assert_true(store_remote_feed_id(st, SRC, "1", &err) > 8);
	/* Nothing local was queued; removal still cascades. */
	assert_int_equal(store_sync_count(st, SRC, &err), 0);
	assert_int_equal(store_feed_remove(st, 3, &err), 0);
	assert_int_equal(sql_long(st, "SELECT count(*) FROM items"), 0);
	assert_int_equal(sql_long(st, "SELECT count(*) FROM feed_tags"), 1);
	assert_int_equal(store_check(st, &err), 0);
	store_close(st);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_empty_and_usage),
	        cmocka_unit_test(test_sync_state),
	        cmocka_unit_test(test_feeds_set),
	        cmocka_unit_test(test_empty_list_keeps),
	        cmocka_unit_test(test_same_url),
	        cmocka_unit_test(test_items_put),
	        cmocka_unit_test(test_queue),
	        cmocka_unit_test(test_done_requeued),
	        cmocka_unit_test(test_conflict_rule),
	        cmocka_unit_test(test_state_apply),
	        cmocka_unit_test(test_view_read_queues),
	        cmocka_unit_test(test_retention_keeps_pending),
	        cmocka_unit_test(test_urls_sync_leaves_remote),
	        cmocka_unit_test(test_poller_skips_remote),
	        cmocka_unit_test(test_migrate_7_to_8),
	        cmocka_unit_test(test_migrate_8_needs_fk_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
