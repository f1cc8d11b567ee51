// SPDX-License-Identifier: MIT
/*
 * The sync engine: drives any backend against the store, in an order that
 * loses nothing. Push first: the queued local changes go to the server in
 * batches, and each batch leaves the queue only once the server took it,
 * so the pull that follows already sees them there. Then the pull: the
 * subscriptions, the articles above the last id seen (pages, newest
 * first), and the complete unread and starred sets, which the store
 * applies except to fields changed locally meanwhile (the conflict rule
 * in store.h). Each step is its own store transaction.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "courant/store.h"
#include "courant/sync.h"
#include "courant/util.h"

#define DEFAULT_BATCH 200
#define DEFAULT_PAGE 200
#define DEFAULT_MAX_PAGES 500
/* Id listings are small: they may take ten times the pages. */
#define ID_PAGES_FACTOR 10

struct engine {
	struct store *st;
	struct sync_backend *b;
	const char *src;
	struct sync_opts o;
	struct sync_result *res;
	int feed_pulls; /* times the feed list was pulled in this sync */
	bool ids_moved; /* an id set kept changing while it was listed */
};

static void progress(struct engine *e, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
progress(struct engine *e, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (e->o.progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	e->o.progress(line, e->o.progress_arg);
}

void
sync_backend_free(struct sync_backend *b)
{
	if (b == NULL)
		return;
	if (b->is_logged_in && b->ops->logout != NULL)
		b->ops->logout(b);
	b->ops->free(b);
}

static int
login(struct engine *e, struct err *err)
{
	int rc = e->b->ops->login(e->b, err);

	e->b->is_logged_in = rc == 0;
	if (rc == SYNC_RELOGIN) {
		err_set(err, ERR_HTTP, "the server refused the new session");
		return -1;
	}
	return rc == 0 ? 0 : -1;
}

/* After a call: true when it should be repeated after a new login (the
 * server dropped the session), which happens once per call. */
static bool
again(struct engine *e, int *rc, int *tries, struct err *err)
{
	if (*rc != SYNC_RELOGIN)
		return false;
	if ((*tries)++ > 0) {
		err_set(err, ERR_HTTP,
		        "the server dropped the session again right after a "
		        "new login");
		*rc = -1;
		return false;
	}
	e->res->relogins++;
	progress(e, "logging in again");
	if (login(e, err) < 0) {
		*rc = -1;
		return false;
	}
	return true;
}

/* ---- push -------------------------------------------------------------- */

static int
push_group(struct engine *e, const struct store_sync_changes *ch,
           enum store_sync_field field, bool value, struct err *err)
{
	const char **ids = xcalloc(ch->n + 1, sizeof *ids);
	size_t n = 0;
	int rc = 0, tries = 0;

	for (size_t i = 0; i < ch->n; i++)
		if (ch->c[i].field == field && ch->c[i].value == value)
			ids[n++] = ch->c[i].remote_id;
	if (n > 0) {
		do
			rc = e->b->ops->set_state(e->b, field, value, ids, n,
			                          err);
		while (again(e, &rc, &tries, err));
	}
	free(ids);
	return rc == 0 ? 0 : -1;
}

static int
push(struct engine *e, struct err *err)
{
	long total = store_sync_count(e->st, e->src, err);
	long rounds;

	if (total < 0)
		return -1;
	if (total == 0)
		return 0;
	progress(e, "pushing %ld change%s", total, total == 1 ? "" : "s");
	/* Changes queued while this runs (the reader is open) wait for the
	 * next sync rather than keep this one going. */
	rounds = total / e->o.batch + 2;
	for (long r = 0; r < rounds; r++) {
		struct store_sync_changes *ch =
		        store_sync_pending(e->st, e->src, e->o.batch, err);
		long max_seq = 0;
		int rc = 0;

		if (ch == NULL)
			return -1;
		if (ch->n == 0) {
			store_sync_changes_free(ch);
			break;
		}
		/* One pending row per item and field: grouping by value
		 * never reorders two changes of the same thing. */
		for (int f = 0; f < 2 && rc == 0; f++)
			for (int v = 0; v < 2 && rc == 0; v++)
				rc = push_group(e, ch,
				                f ? STORE_SYNC_STARRED
				                  : STORE_SYNC_READ,
				                v != 0, err);
		for (size_t i = 0; i < ch->n; i++)
			if (ch->c[i].seq > max_seq)
				max_seq = ch->c[i].seq;
		if (rc == 0 &&
		    store_sync_done(e->st, e->src, max_seq, err) == 0)
			e->res->pushed += (long)ch->n;
		else
			rc = -1;
		store_sync_changes_free(ch);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- pull -------------------------------------------------------------- */

static int
pull_feeds(struct engine *e, struct err *err)
{
	struct sync_feeds f = {0};
	struct store_remote_feed *rf;
	int rc, tries = 0;

	do
		rc = e->b->ops->feeds(e->b, &f, err);
	while (again(e, &rc, &tries, err));
	if (rc != 0)
		return -1;
	rf = xcalloc(f.n + 1, sizeof *rf);
	for (size_t i = 0; i < f.n; i++) {
		rf[i].remote_id = f.v[i].id;
		rf[i].url = f.v[i].url;
		rf[i].title = f.v[i].title;
		rf[i].tags = (const char *const *)&f.v[i].category;
		rf[i].n_tags = f.v[i].category != NULL ? 1 : 0;
	}
	rc = store_remote_feeds_set(e->st, e->src, rf, f.n, err);
	e->feed_pulls++;
	e->res->feeds = (long)f.n;
	if (rc > 0)
		progress(e,
		         "the server lists no feeds: kept the %d known one%s",
		         rc, rc == 1 ? "" : "s");
	else
		progress(e, "%zu subscription%s", f.n, f.n == 1 ? "" : "s");
	free(rf);
	sync_feeds_done(&f);
	return rc < 0 ? -1 : 0;
}

/* Ids are compared as numbers when they are digits (TT-RSS's are): a
 * longer one is larger, then by bytes. */
static bool
id_above(const char *a, const char *b)
{
	size_t na, nb;

	for (const char *p = a; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	if (b == NULL || *b == '\0')
		return true;
	na = strlen(a);
	nb = strlen(b);
	return na != nb ? na > nb : strcmp(a, b) > 0;
}

/*
 * True when an article of the page names a feed the store does not know
 * (subscribed on the server after the feed list was pulled): then the
 * list is pulled again, once per sync, so that the page is not skipped.
 * An article whose feed is still unknown after that (TT-RSS's archived
 * articles have feed 0, or a feed no longer listed) is skipped for good:
 * since_id moves past it all the same, or every sync would fetch
 * everything again.
 */
static int
page_needs_feeds(struct engine *e, const struct sync_articles *a, bool *needs,
                 struct err *err)
{
	*needs = false;
	if (e->feed_pulls > 1)
		return 0;
	for (size_t i = 0; i < a->n && !*needs; i++) {
		const char *fid = a->v[i].feed_id;
		bool seen = false;
		long id;

		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(a->v[k].feed_id, fid) == 0;
		if (seen)
			continue;
		id = store_remote_feed_id(e->st, e->src, fid, err);
		if (id < 0)
			return -1;
		*needs = id == 0;
	}
	return 0;
}

/*
 * New articles, above the stored since_id. *everything is set when there
 * was no since_id and every page came: then the pages carried the read and
 * starred flags of every article the server has, and the id sets would only
 * say it again (on a first sync of 5,000 articles, 26 more requests).
 */
static int
pull_articles(struct engine *e, bool *everything, struct err *err)
{
	struct err e2 = {0};
	char *since = store_sync_get(e->st, e->src, "since_id", &e2);
	char *top = NULL;
	long done = 0;
	int limit = e->o.page;
	int pages = 0;
	int rc = 0;

	*everything = false;
	if (since == NULL && e2.code != ERR_NONE) {
		*err = e2;
		return -1;
	}
	while (pages < e->o.max_pages) {
		struct sync_articles a = {0};
		struct store_remote_item *items;
		long stored;
		size_t got;
		bool refeed;
		int tries = 0;

		do
			rc = e->b->ops->articles(e->b, since, done, limit, &a,
			                         err);
		while (again(e, &rc, &tries, err));
		if (rc == SYNC_TOO_BIG && limit > 1) {
			/* Long articles: ask for fewer at a time. */
			limit = limit / 2;
			progress(e, "articles: pages of %d", limit);
			continue;
		}
		if (rc != 0)
			break;
		pages++;
		if (page_needs_feeds(e, &a, &refeed, err) < 0 ||
		    (refeed && pull_feeds(e, err) < 0)) {
			sync_articles_done(&a);
			rc = -1;
			break;
		}
		items = xcalloc(a.n + 1, sizeof *items);
		for (size_t i = 0; i < a.n; i++) {
			items[i].remote_id = a.v[i].id;
			items[i].remote_feed_id = a.v[i].feed_id;
			items[i].item = &a.v[i].item;
			items[i].is_read = a.v[i].is_read;
			items[i].is_starred = a.v[i].is_starred;
			if (id_above(a.v[i].id, top ? top : "")) {
				free(top);
				top = xstrdup(a.v[i].id);
			}
		}
		stored = store_remote_items_put(e->st, e->src, items, a.n, err);
		free(items);
		got = a.n + a.n_skipped;
		done += (long)got;
		if (stored > 0)
			e->res->articles += stored;
		sync_articles_done(&a);
		if (stored < 0) {
			rc = -1;
			break;
		}
		progress(e, "articles: %ld", e->res->articles);
		if (got < (size_t)limit) {
			/* A short page: the last. */
			*everything = since == NULL;
			break;
		}
	}
	/* Only once every page is stored: a failed sync fetches them again
	 * (the store updates what it has). Past max_pages the newest were
	 * kept and the rest is left behind for good. */
	if (rc == 0 && top != NULL && id_above(top, since ? since : ""))
		rc = store_sync_set(e->st, e->src, "since_id", top, err);
	free(top);
	free(since);
	return rc == 0 ? 0 : -1;
}

/*
 * One listing of a set. The list may change on the server while it is
 * paged with skip (another machine reads an article: every later id moves
 * up one, and one would be missed and marked read here). So each page
 * after the first starts one id early: that id must be the last one seen,
 * else *moved is set and the listing is dropped.
 */
static int
pull_ids_once(struct engine *e, enum sync_set set, struct sync_ids *out,
              bool *complete, bool *moved, struct err *err)
{
	int limit = e->o.page;
	int max = e->o.max_pages * ID_PAGES_FACTOR;
	size_t cap = 0;

	*complete = false;
	*moved = false;
	memset(out, 0, sizeof *out);
	if (limit < 2)
		limit = 2; /* one id of overlap, at least one new */
	for (int page = 0; page < max; page++) {
		struct sync_ids ids = {0};
		long skip = out->n > 0 ? (long)out->n - 1 : 0;
		size_t from = 0;
		int rc, tries = 0;

		do
			rc = e->b->ops->ids(e->b, set, skip, limit, &ids, err);
		while (again(e, &rc, &tries, err));
		if (rc == SYNC_TOO_BIG && limit > 2) {
			limit /= 2;
			page--;
			continue;
		}
		if (rc != 0) {
			sync_ids_done(out);
			return -1;
		}
		if (out->n > 0) {
			if (ids.n == 0 ||
			    strcmp(ids.v[0], out->v[out->n - 1]) != 0) {
				sync_ids_done(&ids);
				sync_ids_done(out);
				*moved = true;
				return 0;
			}
			free(ids.v[0]);
			from = 1;
		}
		if (out->n + ids.n > cap) {
			cap = (out->n + ids.n) * 2;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		if (ids.n > from)
			memcpy(out->v + out->n, ids.v + from,
			       (ids.n - from) * sizeof *ids.v);
		out->n += ids.n - from;
		free(ids.v);
		if ((int)ids.n < limit) {
			*complete = true;
			break;
		}
	}
	return 0;
}

/* Every id of one set; *complete false when max pages were not enough or
 * the list changed during two listings in a row (e->ids_moved). */
static int
pull_ids(struct engine *e, enum sync_set set, struct sync_ids *out,
         bool *complete, struct err *err)
{
	const char *name = set == SYNC_SET_UNREAD ? "unread" : "starred";
	bool moved = false;

	for (int tries = 0; tries < 2; tries++) {
		if (pull_ids_once(e, set, out, complete, &moved, err) < 0)
			return -1;
		if (!moved)
			return 0;
		progress(e, "%s: the list changed meanwhile, listing again",
		         name);
	}
	e->ids_moved = true;
	return 0;
}

static int
pull_state(struct engine *e, struct err *err)
{
	struct sync_ids unread = {0}, starred = {0};
	bool all_unread, all_starred;
	long changed;

	if (pull_ids(e, SYNC_SET_UNREAD, &unread, &all_unread, err) < 0)
		return -1;
	progress(e, "%zu unread", unread.n);
	if (pull_ids(e, SYNC_SET_STARRED, &starred, &all_starred, err) < 0) {
		sync_ids_done(&unread);
		return -1;
	}
	progress(e, "%zu starred", starred.n);
	if (!all_unread || !all_starred) {
		/* A partial set would mark the rest read: leave the state
		 * as it is rather than guess. */
		progress(e, "%s: read state not pulled",
		         e->ids_moved ? "the server's lists kept changing"
		                      : "too many articles");
		changed = 0;
	} else {
		changed = store_remote_state_apply(
		        e->st, e->src, (const char *const *)unread.v, unread.n,
		        (const char *const *)starred.v, starred.n, err);
	}
	sync_ids_done(&unread);
	sync_ids_done(&starred);
	if (changed < 0)
		return -1;
	e->res->state_changes = changed;
	return 0;
}

/* ---- entry points ------------------------------------------------------ */

static void
engine_init(struct engine *e, struct store *st, struct sync_backend *b,
            const struct sync_opts *o, struct sync_result *res)
{
	memset(e, 0, sizeof *e);
	e->st = st;
	e->b = b;
	e->src = b->ops->source;
	if (o != NULL)
		e->o = *o;
	if (e->o.batch <= 0)
		e->o.batch = DEFAULT_BATCH;
	if (e->o.page <= 0)
		e->o.page = DEFAULT_PAGE;
	if (e->o.max_pages <= 0)
		e->o.max_pages = DEFAULT_MAX_PAGES;
	memset(res, 0, sizeof *res);
	e->res = res;
}

int
sync_run(struct store *st, struct sync_backend *b, const struct sync_opts *o,
         struct sync_result *res, struct err *err)
{
	struct sync_result local;
	struct engine e;
	bool everything = false;
	char now[32];
	int rc = -1;

	engine_init(&e, st, b, o, res != NULL ? res : &local);
	if (!b->is_logged_in) {
		progress(&e, "logging in");
		if (login(&e, err) < 0)
			goto out;
	}
	if (push(&e, err) < 0 || pull_feeds(&e, err) < 0 ||
	    pull_articles(&e, &everything, err) < 0 ||
	    (!everything && pull_state(&e, err) < 0))
		goto out;
	snprintf(now, sizeof now, "%lld", (long long)time(NULL));
	if (store_sync_set(st, e.src, "last_sync", now, err) < 0)
		goto out;
	rc = 0;
out:
	e.res->pending = store_sync_count(st, e.src, NULL);
	return rc;
}

char *
sync_subscribe(struct sync_backend *b, const char *url, const char *category,
               struct err *err)
{
	struct sync_result res;
	struct engine e;
	char *id = NULL;
	int rc, tries = 0;

	engine_init(&e, NULL, b, NULL, &res);
	if (!b->is_logged_in && login(&e, err) < 0)
		return NULL;
	do
		rc = b->ops->subscribe(b, url, category, &id, err);
	while (again(&e, &rc, &tries, err));
	return rc == 0 ? id : NULL;
}
