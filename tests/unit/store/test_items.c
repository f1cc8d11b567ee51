// SPDX-License-Identifier: MIT
/* Store: refreshes, item round trips, pages, marks, retention, search. */
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

#include "courant/err.h"
#include "courant/feed.h"
#include "courant/store.h"
#include "courant/util.h"

/* The parser's structs hold `char *`; these tests fill them with literals
 * the store only reads. */
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"

#define DAY 86400

static struct store *
open_mem(void)
{
	struct err err = {0};
	struct store *st = store_open(":memory:", 0, &err);

	assert_non_null(st);
	return st;
}

static long
add_feed(struct store *st, const char *url, int position, const char *tag)
{
	const char *tags[] = {tag};
	struct store_feed_conf c = {
	        .url = url,
	        .position = position,
	        .tags = tags,
	        .n_tags = tag != NULL ? 1 : 0,
	};
	struct err err = {0};
	long id = store_feed_ensure(st, &c, &err);

	assert_true(id > 0);
	return id;
}

/* A plain item: key, title, date; the rest empty. */
static struct feed_item
mk(const char *key, const char *title, feed_time date)
{
	struct feed_item it;

	memset(&it, 0, sizeof it);
	it.key = (char *)key;
	it.title.value = (char *)title;
	it.published = date;
	it.updated = FEED_DATE_UNKNOWN;
	return it;
}

/* Refreshes feed_id with n items; returns the commit's result. */
static int
refresh(struct store *st, long feed_id, const struct feed_item *items, size_t n,
        struct store_refresh_stats *stats)
{
	struct store_refresh *r = store_refresh_new(st, feed_id);
	struct err err = {0};
	int rc;

	for (size_t i = 0; i < n; i++)
		store_refresh_add(r, &items[i]);
	rc = store_refresh_commit(r, NULL, NULL, stats, &err);
	if (rc < 0)
		fprintf(stderr, "refresh: %s\n", err.msg);
	return rc;
}

static long
find_id(struct store *st, long feed_id, const char *title)
{
	struct store_view v = {.scope = STORE_FEED, .feed_id = feed_id};
	struct err err = {0};
	struct store_page *p =
	        store_items(st, &v, NULL, STORE_OLDER, 1000, &err);
	long id = 0;

	assert_non_null(p);
	for (size_t i = 0; i < p->n; i++)
		if (p->rows[i].title != NULL &&
		    strcmp(p->rows[i].title, title) == 0)
			id = p->rows[i].id;
	store_page_free(p);
	return id;
}

static void
test_empty(void **state)
{
	struct store *st = open_mem();
	struct store_view v = {.scope = STORE_ALL};
	struct err err = {0};
	struct store_page *p;
	struct store_feed_list *l;

	(void)state;
	p = store_items(st, &v, NULL, STORE_OLDER, 50, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 0);
	assert_false(p->more);
	store_page_free(p);
	l = store_feeds(st, NULL, &err);
	assert_non_null(l);
	assert_int_equal(l->n, 0);
	store_feed_list_free(l);
	assert_int_equal(store_unread_total(st, &err), 0);
	assert_int_equal(store_next_unread(st, 0, &err), 0);
	p = store_search(st, "", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 0);
	store_page_free(p);
	assert_null(store_item_get(st, 42, &err));
	assert_int_equal(err.code, ERR_USAGE);
	store_page_free(NULL);
	store_item_free(NULL);
	store_feed_free(NULL);
	store_feed_list_free(NULL);
	store_refresh_free(NULL);
	store_close(NULL);
	store_close(st);
}

/* Everything the parser produces comes back as it went in. */
static void
test_roundtrip(void **state)
{
	struct store *st = open_mem();
	long f = add_feed(st, "http://a/feed", 0, NULL);
	struct feed_link links[] = {
	        {"http://a/1", "alternate", "text/html", -1},
	        {"http://a/1.mp3", "enclosure", NULL, 12345},
	};
	struct feed_person authors[] = {{"Ann \"A\" B", NULL, "http://ann"},
	                                {NULL, "x@y", NULL}};
	struct feed_text content[] = {
	        {FEED_TEXT_HTML, "<p>Body\n\ttext</p>", "fr"},
	        {FEED_TEXT_XHTML, "", NULL}};
	struct feed_enclosure enc[] = {{"http://a/1.mp3", "audio/mpeg", 12345}};
	struct feed_category cats[] = {{"c\\1", "http://s", NULL},
	                               {"c2", NULL, "Label"}};
	struct feed_item it = mk("id:1", "T\u00e9st \U0001F600", 1000000);
	struct err err = {0};
	struct store_item *got;

	(void)state;
	it.id = "1";
	it.title.type = FEED_TEXT_HTML;
	it.link = "http://a/1";
	it.links = links;
	it.n_links = 2;
	it.updated = 2000000;
	it.authors = authors;
	it.n_authors = 2;
	it.summary = (struct feed_text){FEED_TEXT_PLAIN, "sum", "en"};
	it.content = content;
	it.n_content = 2;
	it.enclosures = enc;
	it.n_enclosures = 1;
	it.categories = cats;
	it.n_categories = 2;
	it.comments = "http://a/1#c";
	assert_int_equal(refresh(st, f, &it, 1, NULL), 0);

	got = store_item_get(st, find_id(st, f, it.title.value), &err);
	assert_non_null(got);
	assert_int_equal(got->feed_id, f);
	assert_string_equal(got->feed_title, "http://a/feed");
	assert_false(got->is_read);
	assert_int_equal(got->date, 1000000);
	assert_string_equal(got->item.key, "id:1");
	assert_string_equal(got->item.id, "1");
	assert_string_equal(got->item.title.value, it.title.value);
	assert_int_equal(got->item.title.type, FEED_TEXT_HTML);
	assert_null(got->item.title.lang);
	assert_string_equal(got->item.link, "http://a/1");
	assert_int_equal(got->item.published, 1000000);
	assert_int_equal(got->item.updated, 2000000);
	assert_int_equal(got->item.n_links, 2);
	assert_string_equal(got->item.links[1].rel, "enclosure");
	assert_null(got->item.links[1].type);
	assert_int_equal(got->item.links[0].length, -1);
	assert_int_equal(got->item.links[1].length, 12345);
	assert_int_equal(got->item.n_authors, 2);
	assert_string_equal(got->item.authors[0].name, "Ann \"A\" B");
	assert_null(got->item.authors[0].email);
	assert_string_equal(got->item.authors[0].uri, "http://ann");
	assert_null(got->item.authors[1].name);
	assert_string_equal(got->item.authors[1].email, "x@y");
	assert_string_equal(got->item.summary.value, "sum");
	assert_string_equal(got->item.summary.lang, "en");
	assert_int_equal(got->item.n_content, 2);
	assert_string_equal(got->item.content[0].value, "<p>Body\n\ttext</p>");
	assert_string_equal(got->item.content[0].lang, "fr");
	assert_int_equal(got->item.content[0].type, FEED_TEXT_HTML);
	assert_string_equal(got->item.content[1].value, "");
	assert_int_equal(got->item.content[1].type, FEED_TEXT_XHTML);
	assert_int_equal(got->item.n_enclosures, 1);
	assert_string_equal(got->item.enclosures[0].type, "audio/mpeg");
	assert_int_equal(got->item.enclosures[0].length, 12345);
	assert_int_equal(got->item.n_categories, 2);
	assert_string_equal(got->item.categories[0].term, "c\\1");
	assert_null(got->item.categories[0].label);
	assert_string_equal(got->item.categories[1].label, "Label");
	assert_string_equal(got->item.comments, "http://a/1#c");
	store_item_free(got);
	store_close(st);
}

/* Upserts: new, changed, unchanged; read/starred and first-seen kept. */
static void
test_upsert_keeps_state(void **state)
{
	struct store *st = open_mem();
	long f = add_feed(st, "http://a/feed", 0, NULL);
	struct feed_item v1[] = {mk("k1", "one", 1000), mk("k2", "two", 2000),
	                         mk("k3", "three", 3000)};
	struct feed_item v2[] = {mk("k1", "one", 1000),
	                         mk("k2", "two, edited", 2000),
	                         mk("k4", "four", 4000)};
	struct store_refresh_stats stats;
	struct err err = {0};
	struct store_item *it;
	struct store_feed *fd;
	long id1;
	long id2;

	(void)state;
	assert_int_equal(refresh(st, f, v1, 3, &stats), 0);
	assert_int_equal(stats.n_new, 3);
	id1 = find_id(st, f, "one");
	id2 = find_id(st, f, "two");
	assert_int_equal(store_mark_read(st, id1, true, &err), 0);
	assert_int_equal(store_mark_read(st, id2, true, &err), 0);
	assert_int_equal(store_mark_starred(st, id2, true, &err), 0);

	assert_int_equal(refresh(st, f, v2, 3, &stats), 0);
	assert_int_equal(stats.n_new, 1);
	assert_int_equal(stats.n_changed, 1);
	assert_int_equal(stats.n_unchanged, 1);
	/* Same rows, same state; the edit is visible. */
	assert_int_equal(find_id(st, f, "one"), id1);
	assert_int_equal(find_id(st, f, "two, edited"), id2);
	it = store_item_get(st, id2, &err);
	assert_non_null(it);
	assert_true(it->is_read);
	assert_true(it->is_starred);
	store_item_free(it);
	it = store_item_get(st, id1, &err);
	assert_true(it->is_read);
	assert_false(it->is_starred);
	store_item_free(it);
	/* k3 left the feed but stays in the cache. */
	assert_true(find_id(st, f, "three") > 0);

	fd = store_feed_get(st, f, &err);
	assert_non_null(fd);
	assert_int_equal(fd->n_items, 4);
	assert_int_equal(fd->n_unread, 2);
	assert_int_equal(fd->n_starred, 1);
	store_feed_free(fd);
	assert_int_equal(store_unread_total(st, &err), 2);
	store_close(st);
}

/* A refresh that is dropped, or that fails half way, changes nothing. */
static void
test_refresh_all_or_nothing(void **state)
{
	struct store *st = open_mem();
	long f = add_feed(st, "http://a/feed", 0, NULL);
	struct feed_item v1[] = {mk("k1", "one", 1000)};
	struct feed_item v2[] = {mk("k1", "one changed", 1000),
	                         mk("k2", "two", 2000)};
	struct store_fetch fetch = {
	        .time = 5000, .status = 200, .etag = "\"e2\""};
	struct store_view all = {.scope = STORE_ALL};
	struct store_refresh *r;
	struct err err = {0};
	struct store_feed *fd;

	(void)state;
	assert_int_equal(refresh(st, f, v1, 1, NULL), 0);
	/* Dropped before commit: a failed download. */
	r = store_refresh_new(st, f);
	store_refresh_add(r, &v2[0]);
	store_refresh_add(r, &v2[1]);
	assert_int_equal(store_refresh_count(r), 2);
	store_refresh_free(r);
	assert_int_equal(store_count(st, &all, &err), 1);
	assert_true(find_id(st, f, "one") > 0);

	/* A refresh of a feed that is gone fails whole. */
	r = store_refresh_new(st, f + 100);
	store_refresh_add(r, &v2[1]);
	assert_int_equal(store_refresh_commit(r, NULL, &fetch, NULL, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	assert_int_equal(store_count(st, &all, &err), 1);

	/* An item without its key (a parser bug) still stores as "". */
	fd = store_feed_get(st, f, &err);
	assert_null(fd->etag);
	store_feed_free(fd);
	store_close(st);
}

static void
test_fetch_bookkeeping(void **state)
{
	struct store *st = open_mem();
	long f = add_feed(st, "http://a/feed", 0, NULL);
	struct feed_info info;
	struct store_fetch ok = {.time = 100,
	                         .status = 200,
	                         .etag = "\"v1\"",
	                         .last_modified =
	                                 "Mon, 01 Jan 2024 00:00:00 GMT"};
	struct store_fetch not_mod = {
	        .time = 200, .status = 304, .next_fetch = 900};
	struct store_fetch moved = {
	        .time = 250, .status = 301, .new_url = "https://a/feed"};
	struct store_fetch fail = {
	        .time = 300, .status = 503, .next_fetch = 1300};
	struct store_fetch gone = {.time = 400, .status = 410};
	struct store_refresh *r;
	struct err err = {0};
	struct store_feed *fd;

	(void)state;
	memset(&info, 0, sizeof info);
	info.title.value = "Feed A";
	info.link = "http://a/";
	r = store_refresh_new(st, f);
	assert_int_equal(store_refresh_commit(r, &info, &ok, NULL, &err), 0);
	fd = store_feed_get(st, f, &err);
	assert_string_equal(fd->title, "Feed A");
	assert_string_equal(fd->site_link, "http://a/");
	assert_string_equal(fd->etag, "\"v1\"");
	assert_string_equal(fd->last_modified, ok.last_modified);
	assert_int_equal(fd->last_success, 100);
	assert_int_equal(fd->last_status, 200);
	store_feed_free(fd);

	/* 304: validators kept, time recorded. */
	assert_int_equal(store_fetch_unchanged(st, f, &not_mod, &err), 0);
	assert_int_equal(store_fetch_unchanged(st, f, &moved, &err), 0);
	fd = store_feed_get(st, f, &err);
	assert_string_equal(fd->etag, "\"v1\"");
	assert_int_equal(fd->last_fetch, 250);
	assert_string_equal(fd->fetch_url, "https://a/feed");
	assert_string_equal(fd->url, "http://a/feed");
	store_feed_free(fd);

	assert_int_equal(store_fetch_failed(st, f, &fail, "HTTP 503", &err), 0);
	assert_int_equal(store_fetch_failed(st, f, &fail, "HTTP 503", &err), 0);
	fd = store_feed_get(st, f, &err);
	assert_int_equal(fd->failures, 2);
	assert_string_equal(fd->last_error, "HTTP 503");
	assert_int_equal(fd->next_fetch, 1300);
	assert_int_equal(fd->last_success, 250);
	assert_string_equal(fd->etag, "\"v1\"");
	assert_false(fd->is_dead);
	store_feed_free(fd);

	assert_int_equal(store_fetch_failed(st, f, &gone, "Gone", &err), 0);
	fd = store_feed_get(st, f, &err);
	assert_true(fd->is_dead);
	assert_int_equal(fd->failures, 3);
	store_feed_free(fd);
	assert_int_equal(store_feed_revive(st, f, &err), 0);
	assert_int_equal(store_fetch_unchanged(st, f, &not_mod, &err), 0);
	fd = store_feed_get(st, f, &err);
	assert_false(fd->is_dead);
	assert_int_equal(fd->failures, 0);
	assert_null(fd->last_error);
	store_feed_free(fd);
	assert_int_equal(store_fetch_failed(st, 999, &fail, "x", &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	store_close(st);
}

static void
test_feeds_and_tags(void **state)
{
	struct store *st = open_mem();
	const char *tags[] = {"tech", "news"};
	struct store_feed_conf c = {.url = "http://b",
	                            .user_title = "Bee",
	                            .tags = tags,
	                            .n_tags = 2,
	                            .position = 1};
	struct store_feed_list *l;
	struct err err = {0};
	long a;
	long b;

	(void)state;
	assert_int_equal(
	        store_feed_ensure(st, &(struct store_feed_conf){0}, &err), -1);
	b = store_feed_ensure(st, &c, &err);
	a = add_feed(st, "http://a", 0, "tech");
	assert_int_equal(store_feed_ensure(st, &c, &err), b);
	l = store_feeds(st, NULL, &err);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->feeds[0].id, a);
	assert_string_equal(l->feeds[1].title, "Bee");
	assert_int_equal(l->feeds[1].n_tags, 2);
	assert_string_equal(l->feeds[1].tags[0], "news");
	assert_string_equal(l->feeds[1].tags[1], "tech");
	store_feed_list_free(l);
	l = store_feeds(st, "news", &err);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->feeds[0].id, b);
	store_feed_list_free(l);
	/* Re-tagging replaces. */
	c.n_tags = 1;
	assert_int_equal(store_feed_ensure(st, &c, &err), b);
	l = store_feeds(st, "news", &err);
	assert_int_equal(l->n, 0);
	store_feed_list_free(l);
	assert_int_equal(store_feed_remove(st, b, &err), 0);
	assert_null(store_feed_get(st, b, &err));
	assert_null(store_feed_by_url(st, "http://b", &err));
	store_close(st);
}

/*
 * Pages: walk a view older and newer with several page sizes, many equal
 * dates included, and see every item exactly once in the right order.
 */
static void
test_pagination(void **state)
{
	static const int sizes[] = {1, 3, 7, 50, 1000};
	enum { N = 120 };
	struct store *st = open_mem();
	long f1 = add_feed(st, "http://1", 0, "t");
	long f2 = add_feed(st, "http://2", 1, NULL);
	struct feed_item items[N];
	char keys[N][16];
	struct err err = {0};
	struct store_view views[] = {
	        {.scope = STORE_ALL},
	        {.scope = STORE_ALL, .unread_only = true},
	        {.scope = STORE_FEED, .feed_id = f1},
	        {.scope = STORE_TAG, .tag = "t"},
	        {.scope = STORE_ALL, .starred_only = true},
	};

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof keys[i], "k%d", i);
		/* Only 10 distinct dates: ties everywhere. */
		items[i] = mk(keys[i], keys[i], 1000 + (i % 10) * 60);
	}
	assert_int_equal(refresh(st, f1, items, N / 2, NULL), 0);
	assert_int_equal(refresh(st, f2, items + N / 2, N / 2, NULL), 0);
	for (long id = 1; id <= N; id += 3)
		store_mark_read(st, id, true, &err);
	for (long id = 1; id <= N; id += 5)
		store_mark_starred(st, id, true, &err);

	for (size_t v = 0; v < sizeof views / sizeof views[0]; v++) {
		long expect = store_count(st, &views[v], &err);

		assert_true(expect > 0);
		for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
			struct store_cursor cur;
			struct store_row last = {0};
			long seen = 0;
			bool first = true;
			struct store_page *p;

			/* Down, page after page. */
			do {
				p = store_items(st, &views[v],
				                first ? NULL : &cur,
				                STORE_OLDER, sizes[z], &err);
				assert_non_null(p);
				for (size_t i = 0; i < p->n; i++) {
					struct store_row *r = &p->rows[i];

					if (!first || i > 0)
						assert_true(
						        r->date < last.date ||
						        (r->date == last.date &&
						         r->id < last.id));
					if (views[v].unread_only)
						assert_false(r->is_read);
					if (views[v].starred_only)
						assert_true(r->is_starred);
					last.date = r->date;
					last.id = r->id;
					first = false;
					seen++;
				}
				if (p->n > 0)
					cur = store_row_cursor(
					        &p->rows[p->n - 1]);
				assert_true(p->n == (size_t)sizes[z] ||
				            !p->more);
				first = first && p->n == 0;
				if (!p->more) {
					store_page_free(p);
					break;
				}
				store_page_free(p);
			} while (1);
			assert_int_equal(seen, expect);

			/* And back up from the bottom. */
			seen = 0;
			do {
				p = store_items(st, &views[v], &cur,
				                STORE_NEWER, sizes[z], &err);
				assert_non_null(p);
				for (size_t i = 1; i < p->n; i++)
					assert_true(p->rows[i - 1].date >
					                    p->rows[i].date ||
					            (p->rows[i - 1].date ==
					                     p->rows[i].date &&
					             p->rows[i - 1].id >
					                     p->rows[i].id));
				seen += (long)p->n;
				if (p->n > 0)
					cur = store_row_cursor(&p->rows[0]);
				if (!p->more) {
					store_page_free(p);
					break;
				}
				store_page_free(p);
			} while (1);
			assert_int_equal(seen, expect - 1);
		}
	}
	store_close(st);
}

static void
test_neighbors_and_next_unread(void **state)
{
	struct store *st = open_mem();
	long f1 = add_feed(st, "http://1", 0, NULL);
	long f2 = add_feed(st, "http://2", 1, NULL);
	long f3 = add_feed(st, "http://3", 2, NULL);
	struct feed_item a[] = {mk("a1", "a1", 3000), mk("a2", "a2", 2000),
	                        mk("a3", "a3", 1000)};
	struct feed_item c[] = {mk("c1", "c1", 5000)};
	struct store_view all = {.scope = STORE_ALL};
	struct err err = {0};
	long a1;
	long a2;
	long a3;
	long c1;

	(void)state;
	assert_int_equal(refresh(st, f1, a, 3, NULL), 0);
	assert_int_equal(refresh(st, f3, c, 1, NULL), 0);
	(void)f2;
	a1 = find_id(st, f1, "a1");
	a2 = find_id(st, f1, "a2");
	a3 = find_id(st, f1, "a3");
	c1 = find_id(st, f3, "c1");
	assert_int_equal(store_item_neighbor(st, &all, a1, STORE_OLDER, &err),
	                 a2);
	assert_int_equal(store_item_neighbor(st, &all, a1, STORE_NEWER, &err),
	                 c1);
	assert_int_equal(store_item_neighbor(st, &all, c1, STORE_NEWER, &err),
	                 0);
	assert_int_equal(store_item_neighbor(st, &all, 9999, STORE_NEWER, &err),
	                 -1);

	assert_int_equal(store_next_unread(st, 0, &err), a1);
	store_mark_read(st, a2, true, &err);
	assert_int_equal(store_next_unread(st, a1, &err), a3);
	/* Past the feed's last unread: the next feed with unread (f2 is
	 * empty), then around to the top. */
	assert_int_equal(store_next_unread(st, a3, &err), c1);
	assert_int_equal(store_next_unread(st, c1, &err), a1);
	store_mark_read(st, a1, true, &err);
	store_mark_read(st, a3, true, &err);
	assert_int_equal(store_next_unread(st, c1, &err), 0);
	assert_int_equal(store_mark_view_read(st, &all, &err), 1);
	assert_int_equal(store_next_unread(st, 0, &err), 0);
	assert_int_equal(store_unread_total(st, &err), 0);
	store_close(st);
}

static void
test_retention(void **state)
{
	static const struct {
		struct store_retention rule;
		int feed_max_items;
		int expect_left;
	} cases[] = {
	        /* No rule: nothing goes. */
	        {{0, 0, false, false}, 0, 10},
	        /* 30 days: the 6 old ones, but unread and starred stay. */
	        {{0, 30, false, false}, 0, 6},
	        {{0, 30, true, false}, 0, 5},
	        {{0, 30, true, true}, 0, 4},
	        /* Keep 5: the in-feed items (newest 2) count too. */
	        {{5, 0, true, true}, 0, 5},
	        /* The feed's own limit wins. */
	        {{5, 0, true, true}, 8, 8},
	        /* Items still in the feed are never dropped. */
	        {{1, 1, true, true}, 0, 2},
	};
	time_t now = time(NULL);

	(void)state;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct store *st = open_mem();
		struct store_feed_conf conf = {
		        .url = "http://r",
		        .max_items = cases[c].feed_max_items,
		};
		struct feed_item old[8];
		struct feed_item cur[2];
		char keys[10][8];
		struct store_view all = {.scope = STORE_ALL};
		struct err err = {0};
		long f = store_feed_ensure(st, &conf, &err);
		long removed;

		for (int i = 0; i < 10; i++)
			snprintf(keys[i], sizeof keys[i], "k%d", i);
		/* 8 items, 6 of them 100 days old... */
		for (int i = 0; i < 8; i++)
			old[i] = mk(keys[i], keys[i],
			            now - (i < 6 ? 100 : 10) * DAY - i);
		assert_int_equal(refresh(st, f, old, 8, NULL), 0);
		/* ...then a refresh where only two new ones remain. */
		cur[0] = mk(keys[8], keys[8], now - 60);
		cur[1] = mk(keys[9], keys[9], now - 30);
		assert_int_equal(refresh(st, f, cur, 2, NULL), 0);
		/* Of the old: read all but k0; star k1. */
		for (int i = 1; i < 8; i++)
			store_mark_read(st, find_id(st, f, keys[i]), true,
			                &err);
		store_mark_starred(st, find_id(st, f, keys[1]), true, &err);
		removed = store_cleanup(st, &cases[c].rule, 0, &err);
		assert_true(removed >= 0);
		assert_int_equal(store_count(st, &all, &err),
		                 cases[c].expect_left);
		assert_int_equal(removed, 10 - cases[c].expect_left);
		/* The index followed. */
		{
			struct store_page *p = store_search(st, "k0", 10, &err);

			assert_non_null(p);
			assert_int_equal(p->n, find_id(st, f, "k0") > 0);
			store_page_free(p);
		}
		store_close(st);
	}
}

/* Retention runs inside each refresh with the store's rule. */
static void
test_retention_on_refresh(void **state)
{
	struct store *st = open_mem();
	long f = add_feed(st, "http://r", 0, NULL);
	struct store_retention rule = {.max_items = 3, .drop_unread = true};
	struct store_refresh_stats stats;
	struct feed_item it[1];
	char key[16];
	struct store_view all = {.scope = STORE_ALL};
	struct err err = {0};

	(void)state;
	store_set_retention(st, &rule);
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof key, "k%d", i);
		it[0] = mk(key, key, 1000 + i);
		assert_int_equal(refresh(st, f, it, 1, &stats), 0);
	}
	assert_int_equal(stats.n_removed, 1);
	assert_int_equal(store_count(st, &all, &err), 3);
	store_close(st);
}

static void
test_search(void **state)
{
	struct store *st = open_mem();
	long f = add_feed(st, "http://s", 0, NULL);
	struct feed_item it[] = {
	        mk("1", "Cooking pasta", 1000),
	        mk("2", "Garden news", 2000),
	        mk("3", "Weather", 3000),
	        mk("4", "Zebra <b>stripes</b>", 4000),
	};
	struct feed_text body2 = {FEED_TEXT_HTML,
	                          "<p class=\"pasta\">We grew tomatoes for"
	                          " pasta &amp; caf&#xe9;</p>",
	                          NULL};
	struct feed_text body3 = {FEED_TEXT_PLAIN, "Rain, then sun.", NULL};
	struct err err = {0};
	struct store_page *p;
	static const struct {
		const char *q;
		int n;
		const char *first;
	} cases[] = {
	        {"", 0, NULL},
	        {"   \" ", 0, NULL},
	        {"pasta", 2, "Cooking pasta"}, /* the title hit first */
	        {"tomatoes pasta", 1, "Garden news"},
	        {"tomat*", 1, "Garden news"},
	        {"\"grew tomatoes\"", 1, "Garden news"},
	        {"\"tomatoes grew\"", 0, NULL},
	        {"cafe", 1, "Garden news"}, /* entity, diacritics */
	        {"class", 0, NULL},         /* markup is not text */
	        {"AND OR NOT ( ) : ^", 0, NULL},
	        {"rain", 1, "Weather"},
	        {"stripes", 1, "Zebra <b>stripes</b>"},
	};

	(void)state;
	it[1].content = &body2;
	it[1].n_content = 1;
	it[2].summary = body3;
	it[3].title.type = FEED_TEXT_HTML;
	assert_int_equal(refresh(st, f, it, 4, NULL), 0);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		p = store_search(st, cases[c].q, 10, &err);
		assert_non_null(p);
		if ((int)p->n != cases[c].n)
			fail_msg("query '%s': %zu results", cases[c].q, p->n);
		if (cases[c].first != NULL) {
			assert_string_equal(p->rows[0].title, cases[c].first);
			assert_string_equal(p->rows[0].feed_title, "http://s");
			assert_non_null(p->rows[0].snippet);
		}
		store_page_free(p);
	}
	/* An edit re-indexes. */
	it[2].summary.value = "Snow.";
	assert_int_equal(refresh(st, f, it, 4, NULL), 0);
	p = store_search(st, "rain", 10, &err);
	assert_int_equal(p->n, 0);
	store_page_free(p);
	p = store_search(st, "snow", 10, &err);
	assert_int_equal(p->n, 1);
	store_page_free(p);
	store_close(st);
}

/* A feed repeating a key stores it once, the last copy winning. */
static void
test_duplicate_keys(void **state)
{
	struct store *st = open_mem();
	long f = add_feed(st, "http://d", 0, NULL);
	struct feed_item it[] = {
	        mk("a", "First copy", 1000),
	        mk("b", "Other", 2000),
	        mk("a", "Last copy", 1000),
	};
	struct store_view all = {.scope = STORE_ALL};
	struct store_refresh_stats stats;
	struct err err = {0};
	struct store_page *p;

	(void)state;
	assert_int_equal(refresh(st, f, NULL, 0, &stats), 0);
	assert_int_equal(stats.n_new, 0);
	assert_int_equal(refresh(st, f, it, 3, &stats), 0);
	assert_int_equal(stats.n_new, 2);
	assert_int_equal(store_count(st, &all, &err), 2);
	assert_true(find_id(st, f, "Last copy") > 0);
	p = store_search(st, "first", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 0);
	store_page_free(p);
	p = store_search(st, "last", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 1);
	store_page_free(p);
	store_close(st);
}

/* Snippets: a line around the first hit, whitespace folded, cuts marked;
 * phrases match across punctuation, as the tokenizer cuts them. */
static void
test_search_snippets(void **state)
{
	struct store *st = open_mem();
	long f = add_feed(st, "http://n", 0, NULL);
	struct feed_item it[] = {
	        mk("1", "Long one", 1000),
	        mk("2", "Short", 2000),
	        mk("3", "Dash", 3000),
	};
	struct feed_text long_body = {
	        FEED_TEXT_HTML,
	        "<p>Alpha beta gamma delta epsilon zeta eta theta iota kappa"
	        " lambda mu nu xi omicron pi rho sigma tau upsilon phi chi"
	        " psi omega.</p>\n<p>The   needle\tis here, and then the"
	        " text goes on and on for a long while, long enough to be"
	        " cut at the end of the snippet, which shows about one line"
	        " of text and never the whole article body.</p>",
	        NULL};
	struct feed_text short_body = {FEED_TEXT_PLAIN, "A needle.", NULL};
	struct feed_text dash_body = {FEED_TEXT_PLAIN,
	                              "It was state-of-the-art, once.", NULL};
	struct err err = {0};
	struct store_page *p;

	(void)state;
	it[0].summary = long_body;
	it[1].summary = short_body;
	it[2].summary = dash_body;
	assert_int_equal(refresh(st, f, it, 3, NULL), 0);
	p = store_search(st, "needle", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 2);
	/* The shorter text ranks first, all else equal. */
	assert_string_equal(p->rows[0].title, "Short");
	assert_string_equal(p->rows[0].snippet, "A needle.");
	assert_non_null(strstr(p->rows[1].snippet, "The needle is here,"));
	assert_true(strncmp(p->rows[1].snippet, "...", 3) == 0);
	assert_true(strlen(p->rows[1].snippet) < 200);
	assert_string_equal(p->rows[1].snippet + strlen(p->rows[1].snippet) - 3,
	                    "...");
	store_page_free(p);
	/* Phrases, with and without the punctuation. */
	p = store_search(st, "\"state of the art\"", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 1);
	store_page_free(p);
	p = store_search(st, "state-of-the-art", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 1);
	store_page_free(p);
	p = store_search(st, "\"art of the state\"", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 0);
	store_page_free(p);
	/* A prefix at the end of a phrase. */
	p = store_search(st, "\"the nee*\"", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 1);
	store_page_free(p);
	/* The limit, and more. */
	p = store_search(st, "needle", 1, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 1);
	assert_true(p->more);
	store_page_free(p);
	store_close(st);
}

/* An edited item leaves the index by the text it was indexed with, read
 * back from its row: escapes in the stored JSON must come back exact. */
static void
test_reindex_escapes(void **state)
{
	struct store *st = open_mem();
	long f = add_feed(st, "http://e", 0, NULL);
	struct feed_item it[] = {mk("1", "Escapes", 1000)};
	struct feed_text before[] = {
	        {FEED_TEXT_PLAIN, "say \"quoted\" back\\slash tab\there", NULL},
	        {FEED_TEXT_HTML,
	         "<p>ctl\x01"
	         "char caf\xc3\xa9 \xe2\x80\x94 "
	         "slash/ oldword</p>",
	         "fr"},
	        {FEED_TEXT_XHTML, "", NULL},
	        {FEED_TEXT_PLAIN, NULL, NULL},
	};
	struct feed_text after[] = {
	        {FEED_TEXT_PLAIN, "newword only", NULL},
	};
	static const char *const gone[] = {"quoted", "slash", "tab",    "here",
	                                   "char",   "cafe",  "oldword"};
	struct err err = {0};
	struct store_page *p;

	(void)state;
	it[0].content = before;
	it[0].n_content = 4;
	assert_int_equal(refresh(st, f, it, 1, NULL), 0);
	p = store_search(st, "oldword", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 1);
	store_page_free(p);
	it[0].content = after;
	it[0].n_content = 1;
	assert_int_equal(refresh(st, f, it, 1, NULL), 0);
	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
		p = store_search(st, gone[i], 10, &err);
		assert_non_null(p);
		if (p->n != 0)
			fail_msg("'%s' is still indexed", gone[i]);
		store_page_free(p);
	}
	p = store_search(st, "newword", 10, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 1);
	store_page_free(p);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_empty),
	        cmocka_unit_test(test_roundtrip),
	        cmocka_unit_test(test_upsert_keeps_state),
	        cmocka_unit_test(test_refresh_all_or_nothing),
	        cmocka_unit_test(test_fetch_bookkeeping),
	        cmocka_unit_test(test_feeds_and_tags),
	        cmocka_unit_test(test_pagination),
	        cmocka_unit_test(test_neighbors_and_next_unread),
	        cmocka_unit_test(test_retention),
	        cmocka_unit_test(test_retention_on_refresh),
	        cmocka_unit_test(test_search),
	        cmocka_unit_test(test_duplicate_keys),
	        cmocka_unit_test(test_search_snippets),
	        cmocka_unit_test(test_reindex_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
