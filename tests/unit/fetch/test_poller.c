// SPDX-License-Identifier: MIT
/* The poller's event-loop API, without a network: file:// feeds, a refused
 * URL, the caller's own descriptors in poller_wait(). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cmocka.h needs the headers above; keep it last of its group. */
/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/util.h"

struct seen {
	int n;
	struct poll_report last;
	char msg[256];
};

static void
on_report(const struct poll_report *r, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->last = *r;
	s->last.title = NULL;
	s->last.url = NULL;
	s->last.new_url = NULL;
	s->last.err = NULL;
	snprintf(s->msg, sizeof s->msg, "%s", r->err ? r->err->msg : "");
}

static char *
write_feed(char *dir)
{
	char *path = xasprintf("%s/feed.xml", dir);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("<?xml version='1.0'?><rss version='2.0'><channel>"
	      "<title>Local</title><ttl>60</ttl>"
	      "<item><guid>a</guid><title>A</title></item>"
	      "<item><guid>b</guid><title>B</title></item>"
	      "</channel></rss>",
	      f);
	fclose(f);
	return path;
}

static long
add_feed(struct store *st, const char *url)
{
	struct store_feed_conf c = {0};

	c.url = url;
	return store_feed_ensure(st, &c, NULL);
}

/* Runs the loop the way the UI will, until the poller is idle. */
static void
run_until_idle(struct poller *p)
{
	for (int i = 0; i < 1000 && poller_busy(p); i++) {
		assert_true(poller_wait(p, NULL, 0, 100, NULL) >= 0);
		poller_work(p);
	}
	assert_false(poller_busy(p));
}

static void
test_idle(void **state)
{
	struct store *st = store_open(":memory:", 0, NULL);
	struct poller *p = poller_new(st, NULL, NULL, NULL, NULL);
	struct poller_stats s;

	(void)state;
	assert_non_null(p);
	assert_false(poller_busy(p));
	assert_int_equal(poller_timeout_ms(p), -1);
	assert_int_equal(poller_refresh(p, 0, POLL_AUTO, NULL), 0);
	assert_int_equal(poller_work(p), 0);
	poller_get_stats(p, &s);
	assert_int_equal(s.done, 0);
	poller_set_interval(p, 2);
	assert_true(poller_timeout_ms(p) > 0);
	assert_true(poller_timeout_ms(p) <= 2000);
	poller_free(p);
	poller_free(NULL);
	store_close(st);
}

static void
test_file_feed(void **state)
{
	char dir[] = "/tmp/courant-poller.XXXXXX";
	struct store *st = store_open(":memory:", 0, NULL);
	struct seen seen = {0};
	struct poller *p;
	char *path, *url;
	long id;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = write_feed(dir);
	url = xasprintf("file://%s", path);
	id = add_feed(st, url);
	assert_true(id > 0);
	p = poller_new(st, NULL, on_report, &seen, NULL);
	assert_int_equal(poller_refresh(p, id, POLL_AUTO, NULL), 1);
	/* Queued once, however often asked. */
	assert_int_equal(poller_refresh(p, id, POLL_AUTO, NULL), 0);
	assert_true(poller_busy(p));
	assert_int_equal(poller_timeout_ms(p), 0);
	run_until_idle(p);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.last.outcome, POLL_UPDATED);
	assert_int_equal(seen.last.new_items, 2);
	assert_int_equal(seen.last.feed_id, id);
	/* <ttl>60</ttl>: an automatic refresh now skips it, a manual one
	 * does not. */
	assert_true(seen.last.not_before > 0);
	poller_refresh(p, id, POLL_AUTO, NULL);
	run_until_idle(p);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.last.outcome, POLL_SKIPPED);
	assert_non_null(strstr(seen.msg, "cache lifetime"));
	poller_refresh(p, id, POLL_MANUAL, NULL);
	run_until_idle(p);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.last.outcome, POLL_UPDATED);
	assert_int_equal(seen.last.new_items, 0);
	poller_free(p);
	store_close(st);
	unlink(path);
	rmdir(dir);
	free(path);
	free(url);
}

struct per_feed {
	long never_id;
	int never_reports, due_reports;
	int asked;
};

static void
on_per_feed(const struct poll_report *r, void *arg)
{
	struct per_feed *pf = arg;

	if (r->feed_id == pf->never_id)
		pf->never_reports++;
	else
		pf->due_reports++;
}

static long
interval_of(const struct store_feed *f, void *arg)
{
	struct per_feed *pf = arg;

	pf->asked++;
	return f->id == pf->never_id ? 0 : 1;
}

/* A per-feed interval: 0 keeps a feed out of the periodic refresh, a
 * feed never fetched is due at once. */
static void
test_feed_interval(void **state)
{
	char dir[] = "/tmp/courant-poller.XXXXXX";
	struct store *st = store_open(":memory:", 0, NULL);
	struct per_feed pf = {0};
	struct poller_opts o;
	struct poller *p;
	char *path, *url, *url2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = write_feed(dir);
	url = xasprintf("file://%s", path);
	url2 = xasprintf("file://%s/../%s/feed.xml", dir,
	                 strrchr(dir, '/') + 1);
	pf.never_id = add_feed(st, url);
	assert_true(add_feed(st, url2) > 0);
	poller_opts_default(&o);
	o.feed_interval = interval_of;
	o.feed_interval_arg = &pf;
	p = poller_new(st, &o, on_per_feed, &pf, NULL);
	assert_non_null(p);
	poller_set_interval(p, 1);
	for (int i = 0; i < 40 && pf.due_reports == 0; i++) {
		assert_true(poller_wait(p, NULL, 0, 100, NULL) >= 0);
		poller_work(p);
	}
	run_until_idle(p);
	assert_true(pf.asked >= 2);
	assert_int_equal(pf.due_reports, 1);
	assert_int_equal(pf.never_reports, 0);
	poller_free(p);
	store_close(st);
	unlink(path);
	rmdir(dir);
	free(path);
	free(url);
	free(url2);
}

static void
test_refused_url(void **state)
{
	struct store *st = store_open(":memory:", 0, NULL);
	struct seen seen = {0};
	struct poller *p = poller_new(st, NULL, on_report, &seen, NULL);
	long id = add_feed(st, "ftp://example.org/feed");
	struct store_feed *f;

	(void)state;
	poller_refresh(p, 0, POLL_FORCE, NULL);
	run_until_idle(p);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.last.outcome, POLL_FAILED);
	assert_non_null(strstr(seen.msg, "not an http"));
	f = store_feed_get(st, id, NULL);
	assert_int_equal(f->failures, 1);
	assert_non_null(f->last_error);
	/* Backoff: not before five minutes from now. */
	assert_true(f->next_fetch >= seen.last.not_before - 1);
	store_feed_free(f);
	poller_refresh(p, id, POLL_AUTO, NULL);
	run_until_idle(p);
	assert_int_equal(seen.last.outcome, POLL_SKIPPED);
	poller_free(p);
	store_close(st);
}

/* Counts the outcomes of many reports. */
static void
on_count(const struct poll_report *r, void *arg)
{
	int *by_outcome = arg;

	by_outcome[r->outcome]++;
}

/* Many feeds through few slots: every feed is stored exactly once and the
 * cap on parallel transfers holds while finished feeds wait to be stored. */
static void
test_many_feeds(void **state)
{
	static const struct {
		int n_feeds;
		int max_transfers;
	} cases[] = {
	        {0, 1}, {1, 1}, {10, 1}, {30, 4}, {40, 16},
	};
	char dir[] = "/tmp/courant-poller.XXXXXX";
	char *path;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = write_feed(dir);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct store *st = store_open(":memory:", 0, NULL);
		struct poller_opts o;
		struct poller_stats s;
		struct poller *p;
		int by_outcome[4] = {0};

		poller_opts_default(&o);
		o.max_transfers = cases[c].max_transfers;
		for (int i = 0; i < cases[c].n_feeds; i++) {
			/* One file, many URLs: DIR/./feed.xml, DIR/././... */
			char url[1024];
			int len = snprintf(url, sizeof url, "file://%s", dir);

			for (int k = 0; k < i; k++)
				len += snprintf(url + len,
				                sizeof url - (size_t)len, "/.");
			snprintf(url + len, sizeof url - (size_t)len,
			         "/feed.xml");
			assert_true(add_feed(st, url) > 0);
		}
		p = poller_new(st, &o, on_count, by_outcome, NULL);
		if (c % 2 == 0) {
			assert_int_equal(poller_refresh(p, 0, POLL_FORCE, NULL),
			                 cases[c].n_feeds);
		} else {
			struct store_feed_list *l = store_feeds(st, NULL, NULL);

			assert_non_null(l);
			assert_int_equal(poller_refresh_list(p, l->feeds, l->n,
			                                     POLL_FORCE),
			                 cases[c].n_feeds);
			/* Queued once, however often asked. */
			assert_int_equal(poller_refresh_list(p, l->feeds, l->n,
			                                     POLL_FORCE),
			                 0);
			store_feed_list_free(l);
		}
		run_until_idle(p);
		poller_get_stats(p, &s);
		assert_int_equal(s.done, cases[c].n_feeds);
		assert_int_equal(by_outcome[POLL_UPDATED], cases[c].n_feeds);
		assert_int_equal(s.new_items, 2 * cases[c].n_feeds);
		assert_true(s.max_running <= cases[c].max_transfers);
		/* Queued and never started: freed with the poller. */
		assert_int_equal(poller_refresh(p, 0, POLL_FORCE, NULL),
		                 cases[c].n_feeds);
		poller_free(p);
		store_close(st);
	}
	unlink(path);
	rmdir(dir);
	free(path);
}

static void
test_extra_fds(void **state)
{
	struct store *st = store_open(":memory:", 0, NULL);
	struct poller *p = poller_new(st, NULL, NULL, NULL, NULL);
	int fds[2];
	struct pollfd pfd;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* Nothing to read: the wait times out. */
	assert_int_equal(poller_wait(p, &pfd, 1, 10, NULL), 0);
	assert_int_equal(pfd.revents, 0);
	assert_int_equal(write(fds[1], "x", 1), 1);
	assert_int_equal(poller_wait(p, &pfd, 1, 5000, NULL), 1);
	assert_true(pfd.revents & POLLIN);
	close(fds[0]);
	close(fds[1]);
	poller_free(p);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_idle),
	        cmocka_unit_test(test_file_feed),
	        cmocka_unit_test(test_feed_interval),
	        cmocka_unit_test(test_refused_url),
	        cmocka_unit_test(test_many_feeds),
	        cmocka_unit_test(test_extra_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
