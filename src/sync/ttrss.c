// SPDX-License-Identifier: MIT
/*
 * The TT-RSS backend (API level 15 calls only; see shared/TTRSS.md): every
 * request is a JSON body POSTed to URL + "api/" with the session id in the
 * body (no cookies), one fixed User-Agent for the whole session (TT-RSS
 * ties a session to it), id lists as comma-separated strings (a JSON
 * array crashes updateArticle with an HTTP 500). NOT_LOGGED_IN becomes
 * SYNC_RELOGIN for the engine to log in again once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/fetch.h"
#include "courant/sync.h"
#include "courant/util.h"

#include "private.h"

/* getHeadlines' since_id and skip, getFeeds' cat_id -3 and the calls
 * used here are all there from API level 8 on. */
#define MIN_API_LEVEL 8

#define USER_AGENT PACKAGE_NAME "/" PACKAGE_VERSION " (sync; +" PACKAGE_URL ")"

struct ttrss {
	struct sync_backend base; /* first: the engine's view */
	struct fetch_post *http;
	char *api; /* URL + "api/" */
	char *user;
	char *password; /* wiped when freed */
	char *sid;      /* NULL: not logged in */
	int api_level;
	struct buf reply;
};

static struct err *
err_or(struct err *err)
{
	static struct err sink;

	return err != NULL ? err : &sink;
}

/* Sends body and leaves the reply in t->reply; a transport failure or an
 * HTTP error status is -1 with a message naming the server. */
static int
post(struct ttrss *t, struct buf *body, struct err *err)
{
	struct err e = {0};
	int status = 0;
	int rc = fetch_post_send(t->http, t->api, buf_str(body), body->len,
	                         "application/json", &status, &t->reply, &e);

	/* The body may hold the password: it never outlives the call. */
	if (body->data != NULL)
		explicit_bzero(body->data, body->len);
	buf_done(body);
	if (rc == -2) {
		*err_or(err) = e;
		return SYNC_TOO_BIG;
	}
	if (rc < 0) {
		if (e.code == ERR_NET)
			err_set(err, ERR_NET, "cannot reach %.120s: %s", t->api,
			        e.msg);
		else
			*err_or(err) = e;
		return -1;
	}
	if (status != 200) {
		err_set(err, ERR_HTTP,
		        "the server answered HTTP %d for %.120s%s", status,
		        t->api,
		        status == 404   ? " (is sync-url the tt-rss address?)"
		        : status >= 500 ? " (a server error)"
		                        : "");
		return -1;
	}
	return 0;
}

/* A request body with the op and, when logged in, the session id. */
static void
body_begin(struct ttrss *t, struct buf *b, const char *op)
{
	buf_init(b, 0);
	buf_puts(b, "{\"op\":");
	json_put_string(b, op);
	if (t->sid != NULL) {
		buf_puts(b, ",\"sid\":");
		json_put_string(b, t->sid);
	}
}

static void t_logout(struct sync_backend *b);

static int
t_login(struct sync_backend *b, struct err *err)
{
	struct ttrss *t = (struct ttrss *)b;
	struct buf body;
	char *sid = NULL;
	int level = 0;
	int rc;

	free(t->sid);
	t->sid = NULL;
	body_begin(t, &body, "login");
	/* Room for everything at once: a buffer that grows would leave
	 * copies of the password behind in freed memory. */
	buf_reserve(&body, 64 + 6 * (strlen(t->user) + strlen(t->password)));
	buf_puts(&body, ",\"user\":");
	json_put_string(&body, t->user);
	buf_puts(&body, ",\"password\":");
	json_put_string(&body, t->password);
	buf_putc(&body, '}');
	if (post(t, &body, err) < 0)
		return -1;
	rc = ttrss_parse_login(t->reply.data, t->reply.len, &sid, &level, err);
	if (rc != 0)
		return -1; /* NOT_LOGGED_IN from login itself: a failure */
	t->sid = sid;
	t->api_level = level;
	if (level < MIN_API_LEVEL) {
		t_logout(b);
		err_set(err, ERR_USAGE,
		        "the server's API level is %d: courant needs level %d "
		        "or later (upgrade Tiny Tiny RSS)",
		        level, MIN_API_LEVEL);
		return -1;
	}
	return 0;
}

static int
t_feeds(struct sync_backend *b, struct sync_feeds *out, struct err *err)
{
	struct ttrss *t = (struct ttrss *)b;
	struct ttrss_cats cats = {0};
	struct buf body;
	int rc;

	body_begin(t, &body, "getCategories");
	buf_puts(&body, "}");
	if (post(t, &body, err) < 0)
		return -1;
	rc = ttrss_parse_categories(t->reply.data, t->reply.len, &cats, err);
	if (rc != 0)
		return rc;
	/* cat_id -3: every real feed, whatever its category. */
	body_begin(t, &body, "getFeeds");
	buf_puts(&body, ",\"cat_id\":-3}");
	if (post(t, &body, err) < 0) {
		ttrss_cats_done(&cats);
		return -1;
	}
	rc = ttrss_parse_feeds(t->reply.data, t->reply.len, &cats, out, err);
	ttrss_cats_done(&cats);
	return rc;
}

static int
t_subscribe(struct sync_backend *b, const char *url, const char *category,
            char **feed_id, struct err *err)
{
	struct ttrss *t = (struct ttrss *)b;
	struct buf body;
	long cat = 0;
	int rc;

	if (category != NULL && *category != '\0') {
		struct ttrss_cats cats = {0};

		body_begin(t, &body, "getCategories");
		buf_puts(&body, ",\"include_empty\":true}");
		if (post(t, &body, err) < 0)
			return -1;
		rc = ttrss_parse_categories(t->reply.data, t->reply.len, &cats,
		                            err);
		if (rc != 0)
			return rc;
		for (size_t i = 0; i < cats.n && cat == 0; i++)
			if (strcmp(cats.title[i], category) == 0)
				cat = cats.id[i];
		ttrss_cats_done(&cats);
		if (cat == 0) {
			err_set(err, ERR_USAGE,
			        "the server has no category '%.80s' (create "
			        "it there first)",
			        category);
			return -1;
		}
	}
	body_begin(t, &body, "subscribeToFeed");
	buf_puts(&body, ",\"feed_url\":");
	json_put_string(&body, url);
	buf_printf(&body, ",\"category_id\":%ld}", cat);
	if (post(t, &body, err) < 0)
		return -1;
	rc = ttrss_parse_subscribe(t->reply.data, t->reply.len, feed_id, err);
	if (rc != 0)
		return rc;
	/* TT-RSS only checks the URL when subscribing; its articles come
	 * when the server's updater runs, which may be half an hour away
	 * (or never, on a server without its daemon). Ask for the fetch now;
	 * if it fails, the updater will still do it. */
	if (**feed_id != '\0' &&
	    (*feed_id)[strspn(*feed_id, "0123456789")] == '\0') {
		struct err ignored = {0};

		body_begin(t, &body, "updateFeed");
		buf_printf(&body, ",\"feed_id\":%s}", *feed_id);
		(void)post(t, &body, &ignored);
	}
	return 0;
}

/* since_id goes in as a number: only digits are accepted. */
static long long
parse_since(const char *s)
{
	long long v = 0;

	if (s == NULL)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > 99999999999999999LL)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v;
}

static int
t_articles(struct sync_backend *b, const char *since_id, long skip, int limit,
           struct sync_articles *out, struct err *err)
{
	struct ttrss *t = (struct ttrss *)b;
	struct buf body;
	int rc;

	/* feed -4: every article. Newest first, so that when a listing is
	 * cut short by the page limit the newest ones are kept. */
	body_begin(t, &body, "getHeadlines");
	buf_printf(&body,
	           ",\"feed_id\":-4,\"view_mode\":\"all_articles\","
	           "\"show_content\":true,\"include_attachments\":true,"
	           "\"since_id\":%lld,\"skip\":%ld,\"limit\":%d}",
	           parse_since(since_id), skip, limit);
	rc = post(t, &body, err);
	if (rc < 0)
		return rc;
	return ttrss_parse_headlines(t->reply.data, t->reply.len, out, err);
}

static int
t_ids(struct sync_backend *b, enum sync_set set, long skip, int limit,
      struct sync_ids *out, struct err *err)
{
	struct ttrss *t = (struct ttrss *)b;
	struct buf body;
	int rc;

	body_begin(t, &body, "getHeadlines");
	/* -4 unread: every unread article; -1: the starred ones. */
	if (set == SYNC_SET_UNREAD)
		buf_puts(&body, ",\"feed_id\":-4,\"view_mode\":\"unread\"");
	else
		buf_puts(&body,
		         ",\"feed_id\":-1,\"view_mode\":\"all_articles\"");
	buf_printf(&body, ",\"show_content\":false,\"skip\":%ld,\"limit\":%d}",
	           skip, limit);
	rc = post(t, &body, err);
	if (rc < 0)
		return rc;
	return ttrss_parse_ids(t->reply.data, t->reply.len, out, err);
}

static int
t_set_state(struct sync_backend *b, enum store_sync_field field, bool value,
            const char *const *ids, size_t n, struct err *err)
{
	struct ttrss *t = (struct ttrss *)b;
	struct buf body;
	int field_no, mode;

	if (n == 0)
		return 0;
	/* field 2 is "unread", so read is its opposite; field 0 starred. */
	field_no = field == STORE_SYNC_READ ? 2 : 0;
	mode = field == STORE_SYNC_READ ? !value : value;
	body_begin(t, &body, "updateArticle");
	buf_puts(&body, ",\"article_ids\":\"");
	for (size_t i = 0; i < n; i++) {
		long long id = parse_since(ids[i]);

		if (id <= 0) {
			buf_done(&body);
			err_set(err, ERR_USAGE,
			        "not a TT-RSS article id: %.40s", ids[i]);
			return -1;
		}
		buf_printf(&body, "%s%lld", i ? "," : "", id);
	}
	buf_printf(&body, "\",\"field\":%d,\"mode\":%d}", field_no, mode);
	if (post(t, &body, err) < 0)
		return -1;
	return ttrss_parse_status(t->reply.data, t->reply.len, NULL, err);
}

static void
t_logout(struct sync_backend *b)
{
	struct ttrss *t = (struct ttrss *)b;
	struct buf body;

	if (t->sid == NULL)
		return;
	body_begin(t, &body, "logout");
	buf_putc(&body, '}');
	if (post(t, &body, NULL) == 0)
		ttrss_parse_status(t->reply.data, t->reply.len, NULL, NULL);
	free(t->sid);
	t->sid = NULL;
}

static void
t_free(struct sync_backend *b)
{
	struct ttrss *t = (struct ttrss *)b;

	fetch_post_free(t->http);
	free(t->api);
	free(t->user);
	sync_password_free(t->password);
	free(t->sid);
	buf_done(&t->reply);
	free(t);
}

const struct sync_backend_ops sync_ttrss_ops = {
        .source = "ttrss",
        .login = t_login,
        .feeds = t_feeds,
        .subscribe = t_subscribe,
        .articles = t_articles,
        .ids = t_ids,
        .set_state = t_set_state,
        .logout = t_logout,
        .free = t_free,
};

struct sync_backend *
sync_ttrss_new(const struct sync_server *srv, struct err *err)
{
	struct poller_opts o;
	struct ttrss *t;
	size_t len;

	if (srv->url == NULL || !(str_istarts_with(srv->url, "http://") ||
	                          str_istarts_with(srv->url, "https://"))) {
		err_set(err, ERR_USAGE,
		        "sync-url must be an http or https URL");
		return NULL;
	}
	poller_opts_default(&o);
	o.user_agent = srv->user_agent && *srv->user_agent ? srv->user_agent
	                                                   : USER_AGENT;
	o.max_bytes = srv->max_bytes ? srv->max_bytes : SYNC_MAX_REPLY;
	if (srv->connect_timeout > 0)
		o.connect_timeout = srv->connect_timeout;
	if (srv->low_speed_time > 0)
		o.low_speed_time = srv->low_speed_time;
	if (srv->total_timeout > 0)
		o.total_timeout = srv->total_timeout;
	t = xcalloc(1, sizeof *t);
	t->base.ops = &sync_ttrss_ops;
	t->http = fetch_post_new(&o, err);
	if (t->http == NULL) {
		free(t);
		return NULL;
	}
	len = strlen(srv->url);
	t->api = xasprintf("%s%sapi/", srv->url,
	                   len > 0 && srv->url[len - 1] == '/' ? "" : "/");
	t->user = xstrdup(srv->user ? srv->user : "");
	t->password = xstrdup(srv->password ? srv->password : "");
	buf_init(&t->reply, o.max_bytes);
	return &t->base;
}

void
sync_backend_traffic(const struct sync_backend *b, struct sync_traffic *tr)
{
	struct fetch_post_stats s;

	memset(tr, 0, sizeof *tr);
	if (b == NULL || b->ops != &sync_ttrss_ops)
		return;
	fetch_post_get_stats(((const struct ttrss *)b)->http, &s);
	tr->requests = s.requests;
	tr->sent = s.sent;
	tr->received = s.received;
}
