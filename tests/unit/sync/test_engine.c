// SPDX-License-Identifier: MIT
/*
 * The sync engine (src/sync/engine.c) against a fake backend and a real
 * store in memory: push before pull, batches, pages and since_id, the
 * unread and starred sets, one new login on NOT_LOGGED_IN (and no more),
 * halving pages that are too big, and a failure that keeps the queue.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off: cmocka needs the headers above first */
#include <cmocka.h>
/* clang-format on */

#include "courant/store.h"
#include "courant/sync.h"
#include "courant/util.h"

#define MAX_ART 1000

/* A server with n_feeds feeds and articles 1..n_art (article i in feed
 * i % n_feeds + 1); every call is written to log. */
struct fake {
	struct sync_backend base;
	struct buf log;
	int n_feeds;
	int n_art;
	bool unread[MAX_ART + 1];
	bool starred[MAX_ART + 1];
	/* Faults: the op that answers SYNC_RELOGIN `relogins` times, the op
	 * that fails, a page size above which articles are too big. */
	const char *relogin_op;
	int relogins;
	const char *fail_op;
	int too_big_above;
	int set_state_calls;
	size_t max_ids_per_call;
	int logins;
	/* The last hidden_feeds feeds are listed from the second feeds call
	 * on (subscribed during the sync); article orphan (if > 0) is in
	 * feed 0, as TT-RSS's archived articles are. */
	int hidden_feeds;
	int feeds_calls;
	int orphan;
	/* Another machine reads article read_id[i] right after the
	 * read_after[i]-th ids call (counted in ids_calls). */
	int ids_calls;
	int read_after[2];
	int read_id[2];
};

static void
note(struct fake *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(&f->log, "%s;", s);
	free(s);
}

static int
fault(struct fake *f, const char *op, struct err *err)
{
	if (f->fail_op != NULL && strcmp(f->fail_op, op) == 0) {
		err_set(err, ERR_NET, "cannot reach the fake server");
		return -1;
	}
	if (f->relogin_op != NULL && strcmp(f->relogin_op, op) == 0 &&
	    f->relogins > 0) {
		f->relogins--;
		return SYNC_RELOGIN;
	}
	return 0;
}

static int
f_login(struct sync_backend *b, struct err *err)
{
	struct fake *f = (struct fake *)b;

	note(f, "login");
	f->logins++;
	return fault(f, "login", err);
}

static int
f_feeds(struct sync_backend *b, struct sync_feeds *out, struct err *err)
{
	struct fake *f = (struct fake *)b;
	int rc;

	int n;

	note(f, "feeds");
	rc = fault(f, "feeds", err);
	if (rc != 0)
		return rc;
	n = f->feeds_calls++ == 0 ? f->n_feeds - f->hidden_feeds : f->n_feeds;
	out->v = xcalloc((size_t)n + 1, sizeof *out->v);
	for (int i = 0; i < n; i++) {
		out->v[i].id = xasprintf("%d", i + 1);
		out->v[i].url = xasprintf("http://example.org/%d.xml", i + 1);
		out->v[i].title = xasprintf("Feed %d", i + 1);
		out->v[i].category = i % 2 ? xstrdup("odd") : NULL;
	}
	out->n = (size_t)n;
	return 0;
}

static int
f_subscribe(struct sync_backend *b, const char *url, const char *category,
            char **feed_id, struct err *err)
{
	struct fake *f = (struct fake *)b;
	int rc;

	note(f, "subscribe %s", url);
	rc = fault(f, "subscribe", err);
	if (rc != 0)
		return rc;
	f->n_feeds++;
	*feed_id = xasprintf("%d", f->n_feeds);
	(void)category;
	return 0;
}

static int
f_articles(struct sync_backend *b, const char *since_id, long skip, int limit,
           struct sync_articles *out, struct err *err)
{
	struct fake *f = (struct fake *)b;
	int since = since_id ? atoi(since_id) : 0;
	int rc;

	note(f, "articles %d %ld %d", since, skip, limit);
	rc = fault(f, "articles", err);
	if (rc != 0)
		return rc;
	if (f->too_big_above > 0 && limit > f->too_big_above) {
		err_set(err, ERR_NET, "too big");
		return SYNC_TOO_BIG;
	}
	out->v = xcalloc((size_t)limit + 1, sizeof *out->v);
	/* Newest first, as TT-RSS lists them. */
	for (int id = f->n_art - (int)skip; id > since && (int)out->n < limit;
	     id--) {
		struct sync_article *a = &out->v[out->n++];

		a->id = xasprintf("%d", id);
		a->feed_id = xasprintf(
		        "%d", id == f->orphan ? 0 : id % f->n_feeds + 1);
		a->is_read = !f->unread[id];
		a->is_starred = f->starred[id];
		a->item.title.value = xasprintf("article %d", id);
		a->item.link = xasprintf("http://example.org/a/%d", id);
		a->item.published = a->item.updated = 1700000000 + id;
	}
	return 0;
}

static int
f_ids(struct sync_backend *b, enum sync_set set, long skip, int limit,
      struct sync_ids *out, struct err *err)
{
	struct fake *f = (struct fake *)b;
	long seen = 0;
	int rc;

	note(f, "ids %s %ld", set == SYNC_SET_UNREAD ? "unread" : "starred",
	     skip);
	rc = fault(f, set == SYNC_SET_UNREAD ? "unread" : "starred", err);
	if (rc != 0)
		return rc;
	out->v = xcalloc((size_t)limit + 1, sizeof *out->v);
	for (int id = f->n_art; id >= 1 && (int)out->n < limit; id--) {
		bool in =
		        set == SYNC_SET_UNREAD ? f->unread[id] : f->starred[id];

		if (in && seen++ >= skip)
			out->v[out->n++] = xasprintf("%d", id);
	}
	f->ids_calls++;
	for (int i = 0; i < 2; i++)
		if (f->ids_calls == f->read_after[i])
			f->unread[f->read_id[i]] = false;
	return 0;
}

static int
f_set_state(struct sync_backend *b, enum store_sync_field field, bool value,
            const char *const *ids, size_t n, struct err *err)
{
	struct fake *f = (struct fake *)b;
	int rc;

	note(f, "set %s=%d n=%zu", field == STORE_SYNC_READ ? "read" : "star",
	     value, n);
	rc = fault(f, "set", err);
	if (rc != 0)
		return rc;
	f->set_state_calls++;
	if (n > f->max_ids_per_call)
		f->max_ids_per_call = n;
	for (size_t i = 0; i < n; i++) {
		int id = atoi(ids[i]);

		assert_true(id >= 1 && id <= f->n_art);
		if (field == STORE_SYNC_READ)
			f->unread[id] = !value;
		else
			f->starred[id] = value;
	}
	return 0;
}

static void
f_logout(struct sync_backend *b)
{
	note((struct fake *)b, "logout");
}

static void
f_free(struct sync_backend *b)
{
	(void)b; /* on the test's stack */
}

static const struct sync_backend_ops fake_ops = {
        .source = "ttrss",
        .login = f_login,
        .feeds = f_feeds,
        .subscribe = f_subscribe,
        .articles = f_articles,
        .ids = f_ids,
        .set_state = f_set_state,
        .logout = f_logout,
        .free = f_free,
};

static void
fake_init(struct fake *f, int n_feeds, int n_art)
{
	memset(f, 0, sizeof *f);
	f->base.ops = &fake_ops;
	buf_init(&f->log, 0);
	f->n_feeds = n_feeds;
	f->n_art = n_art;
	for (int i = 1; i <= n_art; i++)
		f->unread[i] = true;
}

static void
fake_done(struct fake *f)
{
	buf_done(&f->log);
}

static struct store *
open_mem(void)
{
	struct err err = {0};
	struct store *st = store_open(":memory:", 0, &err);

	assert_non_null(st);
	return st;
}

/* A sync that must succeed; the log starts afresh. */
static void
sync_ok(struct store *st, struct fake *f, const struct sync_opts *o,
        struct sync_result *res)
{
	struct err err = {0};

	buf_reset(&f->log);
	f->base.is_logged_in = false;
	if (sync_run(st, &f->base, o, res, &err) != 0)
		fail_msg("sync failed: %s", err.msg);
}

/* The local id of article n, by its title. */
static long
local_id(struct store *st, int n)
{
	struct store_view v = {.scope = STORE_ALL};
	struct store_page *p =
	        store_items(st, &v, NULL, STORE_OLDER, 2000, NULL);
	char *title = xasprintf("article %d", n);
	long id = 0;

	assert_non_null(p);
	for (size_t i = 0; i < p->n && id == 0; i++)
		if (p->rows[i].title && strcmp(p->rows[i].title, title) == 0)
			id = p->rows[i].id;
	store_page_free(p);
	free(title);
	assert_true(id > 0);
	return id;
}

static bool
is_read(struct store *st, int n)
{
	struct store_item *it = store_item_get(st, local_id(st, n), NULL);
	bool r;

	assert_non_null(it);
	r = it->is_read;
	store_item_free(it);
	return r;
}

static bool
is_starred(struct store *st, int n)
{
	struct store_item *it = store_item_get(st, local_id(st, n), NULL);
	bool r;

	assert_non_null(it);
	r = it->is_starred;
	store_item_free(it);
	return r;
}

static void
test_first_sync(void **state)
{
	struct fake f;
	struct store *st = open_mem();
	struct store_feed_list *l;
	struct sync_result res;
	char *since;

	(void)state;
	fake_init(&f, 3, 10);
	f.unread[4] = false;
	f.starred[7] = true;
	sync_ok(st, &f, NULL, &res);
	/* Nothing queued: no push; then feeds and every article, whose
	 * flags make the id sets needless. */
	assert_string_equal(f.log.data, "login;feeds;articles 0 0 200;");
	assert_int_equal(res.pushed, 0);
	assert_int_equal(res.feeds, 3);
	assert_int_equal(res.articles, 10);
	assert_int_equal(res.pending, 0);
	l = store_feeds(st, NULL, NULL);
	assert_non_null(l);
	assert_int_equal(l->n, 3);
	assert_string_equal(l->feeds[1].source, "ttrss");
	assert_int_equal(l->feeds[1].n_tags, 1);
	assert_string_equal(l->feeds[1].tags[0], "odd");
	store_feed_list_free(l);
	assert_true(is_read(st, 4));
	assert_false(is_read(st, 5));
	assert_true(is_starred(st, 7));
	since = store_sync_get(st, "ttrss", "since_id", NULL);
	assert_string_equal(since, "10");
	free(since);
	/* The next sync asks only for what is above since_id. */
	f.n_art = 12;
	f.unread[11] = f.unread[12] = true;
	f.unread[1] = false;
	sync_ok(st, &f, NULL, &res);
	assert_string_equal(f.log.data, "login;feeds;articles 10 0 200;"
	                                "ids unread 0;ids starred 0;");
	assert_int_equal(res.articles, 2);
	/* Only the id sets tell of changes to articles already stored. */
	assert_true(is_read(st, 1));
	store_close(st);
	fake_done(&f);
}

static void
test_push_then_pull(void **state)
{
	struct fake f;
	struct store *st = open_mem();
	struct sync_result res;
	struct err err = {0};

	(void)state;
	fake_init(&f, 2, 6);
	sync_ok(st, &f, NULL, &res);
	/* Local changes, queued by the marks. */
	assert_int_equal(store_mark_read(st, local_id(st, 1), true, &err), 0);
	assert_int_equal(store_mark_starred(st, local_id(st, 2), true, &err),
	                 0);
	assert_int_equal(store_sync_count(st, "ttrss", NULL), 2);
	/* Meanwhile the server changed other fields. */
	f.unread[3] = false;
	sync_ok(st, &f, NULL, &res);
	assert_string_equal(f.log.data,
	                    "login;set read=1 n=1;set star=1 n=1;feeds;"
	                    "articles 6 0 200;ids unread 0;ids starred 0;");
	assert_int_equal(res.pushed, 2);
	assert_int_equal(res.pending, 0);
	assert_false(f.unread[1]);
	assert_true(f.starred[2]);
	/* Our changes survive the pull; the server's arrive. */
	assert_true(is_read(st, 1));
	assert_true(is_starred(st, 2));
	assert_true(is_read(st, 3));
	assert_false(is_read(st, 4));
	store_close(st);
	fake_done(&f);
}

static void
test_batches(void **state)
{
	struct fake f;
	struct store *st = open_mem();
	struct sync_result res;
	struct sync_opts o = {.batch = 100};
	struct store_view v = {.scope = STORE_ALL};

	(void)state;
	fake_init(&f, 5, 450);
	sync_ok(st, &f, &o, &res);
	assert_int_equal(res.articles, 450);
	/* 450 pages of 200: three article requests. */
	assert_non_null(strstr(f.log.data, "articles 0 0 200;articles 0 200 "
	                                   "200;articles 0 400 200;"));
	assert_null(strstr(f.log.data, "ids"));
	assert_int_equal(store_mark_view_read(st, &v, NULL), 450);
	assert_int_equal(store_sync_count(st, "ttrss", NULL), 450);
	sync_ok(st, &f, &o, &res);
	assert_int_equal(res.pushed, 450);
	assert_int_equal(f.set_state_calls, 5);
	assert_int_equal(f.max_ids_per_call, 100);
	for (int i = 1; i <= 450; i++)
		assert_false(f.unread[i]);
	assert_int_equal(store_sync_count(st, "ttrss", NULL), 0);
	store_close(st);
	fake_done(&f);
}

static void
test_relogin(void **state)
{
	struct fake f;
	struct store *st = open_mem();
	struct sync_result res;
	struct err err = {0};

	(void)state;
	fake_init(&f, 1, 3);
	/* The session ends once: one new login, the call repeated. */
	f.relogin_op = "feeds";
	f.relogins = 1;
	sync_ok(st, &f, NULL, &res);
	assert_string_equal(f.log.data, "login;feeds;login;feeds;articles 0 0 "
	                                "200;");
	assert_int_equal(res.relogins, 1);
	/* Twice in a row: the sync stops rather than loop. */
	f.relogin_op = "unread";
	f.relogins = 5;
	buf_reset(&f.log);
	f.base.is_logged_in = false;
	assert_int_equal(sync_run(st, &f.base, NULL, &res, &err), -1);
	assert_non_null(strstr(err.msg, "session again"));
	assert_int_equal(f.relogins, 3);
	/* A login refused is the sync's error. */
	f.relogin_op = NULL;
	f.fail_op = "login";
	f.base.is_logged_in = false;
	assert_int_equal(sync_run(st, &f.base, NULL, &res, &err), -1);
	assert_non_null(strstr(err.msg, "cannot reach"));
	store_close(st);
	fake_done(&f);
}

static void
test_failure_keeps_queue(void **state)
{
	struct fake f;
	struct store *st = open_mem();
	struct sync_result res;
	struct err err = {0};

	(void)state;
	fake_init(&f, 2, 4);
	sync_ok(st, &f, NULL, &res);
	assert_int_equal(store_mark_read(st, local_id(st, 2), true, &err), 0);
	assert_int_equal(store_mark_starred(st, local_id(st, 3), true, &err),
	                 0);
	/* The server goes away in the middle of the push. */
	f.fail_op = "set";
	f.base.is_logged_in = false;
	assert_int_equal(sync_run(st, &f.base, NULL, &res, &err), -1);
	assert_non_null(strstr(err.msg, "cannot reach"));
	assert_int_equal(res.pushed, 0);
	assert_int_equal(res.pending, 2);
	assert_int_equal(store_sync_count(st, "ttrss", NULL), 2);
	/* The local state stays as the user left it. */
	assert_true(is_read(st, 2));
	assert_true(is_starred(st, 3));
	/* A failure in the pull keeps what was pushed pushed. */
	f.fail_op = "articles";
	f.base.is_logged_in = false;
	assert_int_equal(sync_run(st, &f.base, NULL, &res, &err), -1);
	assert_int_equal(res.pushed, 2);
	assert_int_equal(store_sync_count(st, "ttrss", NULL), 0);
	assert_false(f.unread[2]);
	assert_true(f.starred[3]);
	/* Back: nothing lost either way. */
	f.fail_op = NULL;
	sync_ok(st, &f, NULL, &res);
	assert_true(is_read(st, 2));
	assert_true(is_starred(st, 3));
	store_close(st);
	fake_done(&f);
}

static void
test_too_big(void **state)
{
	struct fake f;
	struct store *st = open_mem();
	struct sync_result res;

	(void)state;
	fake_init(&f, 1, 120);
	f.too_big_above = 60;
	sync_ok(st, &f, NULL, &res);
	assert_int_equal(res.articles, 120);
	assert_non_null(strstr(f.log.data, "articles 0 0 200;articles 0 0 "
	                                   "100;articles 0 0 50;articles 0 "
	                                   "50 50;articles 0 100 50;"));
	store_close(st);
	fake_done(&f);
}

static void
test_subscribe(void **state)
{
	struct fake f;
	struct err err = {0};
	char *id;

	(void)state;
	fake_init(&f, 1, 0);
	id = sync_subscribe(&f.base, "http://example.org/new.xml", NULL, &err);
	assert_non_null(id);
	assert_string_equal(id, "2");
	assert_string_equal(f.log.data,
	                    "login;subscribe http://example.org/new.xml;");
	free(id);
	f.fail_op = "subscribe";
	assert_null(sync_subscribe(&f.base, "http://x/", NULL, &err));
	fake_done(&f);
}

static void
progress_line(const char *line, void *arg)
{
	buf_printf(arg, "%s|", line);
}

/* Articles of a feed subscribed on the server after the feed list was
 * pulled: the list is pulled again, once, and they are stored. One whose
 * feed stays unknown (feed 0) is skipped, and since_id moves past it. */
static void
test_unknown_feed(void **state)
{
	struct fake f;
	struct store *st = open_mem();
	struct sync_result res;
	struct err err = {0};
	char *since;

	(void)state;
	fake_init(&f, 3, 10);
	f.hidden_feeds = 1;
	f.orphan = 9;
	sync_ok(st, &f, NULL, &res);
	assert_int_equal(f.feeds_calls, 2);
	assert_int_equal(res.feeds, 3);
	assert_int_equal(res.articles, 9);
	assert_true(local_id(st, 5) > 0); /* in feed 3, the late one */
	since = store_sync_get(st, "ttrss", "since_id", &err);
	assert_non_null(since);
	assert_string_equal(since, "10");
	free(since);
	/* Nothing new: one feed list, nothing fetched again. */
	sync_ok(st, &f, NULL, &res);
	assert_int_equal(f.feeds_calls, 3);
	assert_int_equal(res.articles, 0);
	assert_non_null(strstr(f.log.data, "articles 10 0 200;"));
	/* A new article of feed 0 only: skipped, since_id past it. */
	f.n_art = 12;
	f.orphan = 12;
	sync_ok(st, &f, NULL, &res);
	assert_int_equal(res.articles, 1);
	since = store_sync_get(st, "ttrss", "since_id", &err);
	assert_string_equal(since, "12");
	free(since);
	store_close(st);
	fake_done(&f);
}

/* The unread list changes on the server while it is paged: the engine
 * sees it and lists again, so no article is marked read by mistake; a
 * list that changes again leaves the state as it is. */
static void
test_ids_moving(void **state)
{
	struct fake f;
	struct store *st = open_mem();
	struct sync_result res;
	struct sync_opts o = {0};
	struct buf lines;

	(void)state;
	buf_init(&lines, 0);
	o.progress = progress_line;
	o.progress_arg = &lines;
	fake_init(&f, 3, 450);
	sync_ok(st, &f, NULL, &res);
	assert_int_equal(res.articles, 450);
	/* 400 is read elsewhere after the first page: every later id moves
	 * up one, and 250 would be missed. */
	f.ids_calls = 0;
	f.read_after[0] = 1;
	f.read_id[0] = 400;
	sync_ok(st, &f, &o, &res);
	assert_non_null(strstr(f.log.data, "ids unread 0;ids unread 199;"
	                                   "ids unread 0;ids unread 199;"
	                                   "ids unread 398;ids starred 0;"));
	assert_non_null(strstr(lines.data, "unread: the list changed "
	                                   "meanwhile, listing again|449 "
	                                   "unread|"));
	assert_false(is_read(st, 250));
	assert_false(is_read(st, 251));
	assert_true(is_read(st, 400));
	/* Changing during both listings: the state is left alone. */
	buf_reset(&lines);
	f.ids_calls = 0;
	f.read_after[0] = 1;
	f.read_id[0] = 300;
	f.read_after[1] = 3;
	f.read_id[1] = 350;
	sync_ok(st, &f, &o, &res);
	assert_non_null(strstr(lines.data,
	                       "the server's lists kept changing: read state "
	                       "not pulled|"));
	assert_int_equal(res.state_changes, 0);
	assert_false(is_read(st, 249));
	assert_false(is_read(st, 300));
	/* The next sync puts it right. */
	f.read_after[0] = f.read_after[1] = 0;
	sync_ok(st, &f, &o, &res);
	assert_int_equal(res.state_changes, 2);
	assert_true(is_read(st, 300));
	assert_true(is_read(st, 350));
	assert_false(is_read(st, 249));
	store_close(st);
	fake_done(&f);
	buf_done(&lines);
}

static void
test_progress(void **state)
{
	struct fake f;
	struct store *st = open_mem();
	struct sync_result res;
	struct buf lines;
	struct sync_opts o = {0};

	(void)state;
	buf_init(&lines, 0);
	o.progress = progress_line;
	o.progress_arg = &lines;
	fake_init(&f, 2, 3);
	sync_ok(st, &f, &o, &res);
	assert_string_equal(lines.data, "logging in|2 subscriptions|"
	                                "articles: 3|");
	buf_reset(&lines);
	sync_ok(st, &f, &o, &res);
	assert_string_equal(lines.data, "logging in|2 subscriptions|"
	                                "articles: 0|3 unread|0 starred|");
	/* A server listing no feeds: the store keeps its own, and says so. */
	buf_reset(&lines);
	f.hidden_feeds = 2;
	f.feeds_calls = 0;
	sync_ok(st, &f, &o, &res);
	assert_string_equal(lines.data,
	                    "logging in|the server lists no feeds: kept the 2 "
	                    "known ones|articles: 0|3 unread|0 starred|");
	assert_int_equal(res.articles, 0);
	assert_int_equal(is_read(st, 3), false);
	buf_done(&lines);
	store_close(st);
	fake_done(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_first_sync),
	        cmocka_unit_test(test_push_then_pull),
	        cmocka_unit_test(test_batches),
	        cmocka_unit_test(test_relogin),
	        cmocka_unit_test(test_failure_keeps_queue),
	        cmocka_unit_test(test_too_big),
	        cmocka_unit_test(test_subscribe),
	        cmocka_unit_test(test_progress),
	        cmocka_unit_test(test_unknown_feed),
	        cmocka_unit_test(test_ids_moving),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
