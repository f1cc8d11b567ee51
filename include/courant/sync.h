/* SPDX-License-Identifier: MIT */
/*
 * sync: one reading state with an aggregator server. A backend speaks one
 * server's API (TT-RSS's JSON API first; the Google Reader API of FreshRSS
 * or Miniflux would be a second struct sync_backend_ops); the engine,
 * sync_run(), drives any backend against the store: it pushes the changes
 * queued in the store first (in batches), then pulls the subscriptions, the
 * new articles (since the last id seen, in pages) and the complete sets of
 * unread and starred ids. It knows nothing of any one server.
 *
 * The module sits above store and fetch (HTTP goes through fetch_post)
 * and below cli and ui; it never prints. A failed sync leaves the store
 * as it was except for the steps that completed, each one transaction, and
 * never drops a queued change that was not pushed. The password is held
 * only in memory, wiped when freed, and never put in an error message.
 */
#ifndef COURANT_SYNC_H
#define COURANT_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "courant/err.h"
#include "courant/feed.h"
#include "courant/store.h"

/* ---- what a backend hands the engine ----------------------------------- */

/* One subscription on the server; strings sanitized, owned. */
struct sync_feed {
	char *id;
	char *url;
	char *title;    /* or NULL */
	char *category; /* or NULL: none ("Uncategorized") */
};

struct sync_feeds {
	struct sync_feed *v;
	size_t n;
};

/* One article; item is owned (feed_item_clear()), its strings sanitized
 * (content stays HTML for the renderer); item.key is NULL: the store keys
 * the article by id. */
struct sync_article {
	char *id;
	char *feed_id;
	bool is_read;
	bool is_starred;
	struct feed_item item;
};

struct sync_articles {
	struct sync_article *v;
	size_t n;
	size_t n_skipped; /* entries of the reply without a usable id */
};

struct sync_ids {
	char **v;
	size_t n;
};

void sync_feeds_done(struct sync_feeds *f);
void sync_articles_done(struct sync_articles *a);
void sync_ids_done(struct sync_ids *ids);

/* ---- the backend interface --------------------------------------------- */

/* Returned by a backend call when the server no longer knows the session:
 * the engine logs in again, once, and repeats the call. */
#define SYNC_RELOGIN (-2)
/* Returned by a listing call when the reply was over the byte cap: the
 * engine asks again for half as many. */
#define SYNC_TOO_BIG (-3)

/* The id sets the engine asks for. */
enum sync_set { SYNC_SET_UNREAD, SYNC_SET_STARRED };

struct sync_backend;

/*
 * Every call returns 0, -1 and err (a message for the user), SYNC_RELOGIN
 * or (articles, ids) SYNC_TOO_BIG. Output structs are filled only on success
 * and freed by the caller with their _done().
 */
struct sync_backend_ops {
	const char *source; /* the store's name of the account: "ttrss" */
	int (*login)(struct sync_backend *b, struct err *err);
	/* Every subscription, with its category. */
	int (*feeds)(struct sync_backend *b, struct sync_feeds *out,
	             struct err *err);
	/* Subscribes to url (in the category of that title, NULL: none);
	 * *feed_id gets the server's id of the feed, to free. */
	int (*subscribe)(struct sync_backend *b, const char *url,
	                 const char *category, char **feed_id, struct err *err);
	/* One page: up to limit articles with content whose id is above
	 * since_id (NULL: all), skipping the first skip of them. */
	int (*articles)(struct sync_backend *b, const char *since_id, long skip,
	                int limit, struct sync_articles *out, struct err *err);
	/* One page of the ids of the unread or starred articles. */
	int (*ids)(struct sync_backend *b, enum sync_set set, long skip,
	           int limit, struct sync_ids *out, struct err *err);
	/* Sets field to value on the server for the n articles ids. */
	int (*set_state)(struct sync_backend *b, enum store_sync_field field,
	                 bool value, const char *const *ids, size_t n,
	                 struct err *err);
	/* Ends the session, if any; failures are ignored. */
	void (*logout)(struct sync_backend *b);
	void (*free)(struct sync_backend *b);
};

/* The base every backend embeds first. */
struct sync_backend {
	const struct sync_backend_ops *ops;
	bool is_logged_in; /* set by the engine after a login */
};

/* Logs out (when logged in) and frees b; NULL is fine. */
void sync_backend_free(struct sync_backend *b);

/* ---- the TT-RSS backend ------------------------------------------------ */

/* How to reach a server. Strings are borrowed for the call (the backend
 * keeps copies; the password's is wiped when the backend is freed). */
struct sync_server {
	const char *url; /* the tt-rss base URL; the API is url + "api/" */
	const char *user;
	const char *password;
	/* One fixed User-Agent for every request: TT-RSS ties a session to
	 * it. NULL: courant's. */
	const char *user_agent;
	long connect_timeout; /* seconds; 0: the defaults of fetch */
	long low_speed_time;
	long total_timeout;
	size_t max_bytes; /* per reply; 0: SYNC_MAX_REPLY */
};

#define SYNC_MAX_REPLY (16u << 20)

/* The TT-RSS backend's calls; its .source names its account in the store
 * even when no backend could be made (no password). */
extern const struct sync_backend_ops sync_ttrss_ops;

/* A TT-RSS backend; NULL and err when libcurl cannot be set up or the URL
 * is not http(s). Nothing is sent before the first call. */
struct sync_backend *sync_ttrss_new(const struct sync_server *srv,
                                    struct err *err);

/* Traffic of a backend made by this module: requests, bytes sent (headers
 * and bodies) and received. Zeros for another backend. */
struct sync_traffic {
	long requests;
	uint64_t sent;
	uint64_t received;
};

void sync_backend_traffic(const struct sync_backend *b, struct sync_traffic *t);

/* ---- the engine -------------------------------------------------------- */

/* Called with one line of progress ("pushing 3 changes", "articles: page
 * 2") as the sync goes; the text is courant's own. */
typedef void sync_progress_fn(const char *line, void *arg);

struct sync_opts {
	int batch;     /* changes pushed per request; 0: 200 */
	int page;      /* articles per page; 0: 200 (TT-RSS's most) */
	int max_pages; /* pages of each listing; 0: 500 */
	sync_progress_fn *progress;
	void *progress_arg;
};

struct sync_result {
	long pushed;        /* changes pushed */
	long pending;       /* changes still queued at the end */
	long feeds;         /* subscriptions on the server */
	long articles;      /* articles received and stored */
	long state_changes; /* items whose read/starred state the server set */
	long relogins;
};

/*
 * One sync of st with b: log in, push the queued changes, pull feeds,
 * articles since the stored since_id and the unread and starred sets. Each
 * step is its own store transaction; a failure stops the sync with err and
 * keeps whatever was not pushed queued. res (may be NULL) is filled as far
 * as the sync got. 0 or -1. A server that lists no feeds while the store
 * has some of its feeds removes none (store_remote_feeds_set()); the
 * progress line says so ("the server lists no feeds: kept the 3 known
 * ones"). The unread and starred sets are paged with one id of overlap:
 * when the list moved meanwhile (read on another machine) it is listed
 * again, once; if it moves again the state is not pulled this time.
 */
int sync_run(struct store *st, struct sync_backend *b,
             const struct sync_opts *o, struct sync_result *res,
             struct err *err);

/*
 * Subscribes on the server (logging in first) and returns the server's feed
 * id as a new string; NULL and err. The caller then runs sync_run() to see
 * the feed in the store.
 */
char *sync_subscribe(struct sync_backend *b, const char *url,
                     const char *category, struct err *err);

/* ---- the password ------------------------------------------------------ */

/*
 * The first line of what argv prints on its standard output (run with
 * posix_spawnp, no shell, standard error and input inherited; at most
 * 4 KiB read and 60 s waited, then it is killed), or of the file at path,
 * which must be a regular file of the user's that neither group nor others
 * may read. Exactly one of argv and path. Returns a string to free with
 * sync_password_free(); NULL and err: ERR_USAGE for a set-up the user must
 * fix (file mode or owner, empty password), ERR_IO when the command fails.
 */
char *sync_password_get(char *const *argv, const char *path, struct err *err);
/* Wipes and frees a password; NULL is fine. */
void sync_password_free(char *pw);

#endif
