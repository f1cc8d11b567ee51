/* SPDX-License-Identifier: MIT */
/*
 * fetch: the poller. It downloads due feeds over HTTP(S) with one libcurl
 * multi handle, pushes the bytes straight into the feed parser while they
 * arrive and stores each finished feed in one store transaction. It is the
 * only module that uses libcurl. It never prints and never draws: every
 * outcome is data in the store (status, error text, failures, not-before
 * time) and one call of the report callback.
 *
 * It never blocks: the caller's single event loop asks poller_timeout_ms(),
 * waits in poller_wait() (its own descriptors ride along, e.g. stdin and a
 * signal pipe) and then calls poller_work(), which finishes transfers,
 * starts queued ones and delivers the reports.
 *
 * Politeness: at most max_transfers downloads at once and max_host
 * connections per host; conditional GET from the stored validators;
 * Retry-After and exponential backoff after failures become a "not before"
 * time that every refresh but a forced one respects; <ttl>, Cache-Control
 * max-age and Expires delay automatic refreshes only.
 */
#ifndef COURANT_FETCH_H
#define COURANT_FETCH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "courant/err.h"
#include "courant/feed.h"

struct store;
struct store_feed;
struct poller;

/* Defaults of struct poller_opts. */
#define POLLER_MAX_TRANSFERS 16
#define POLLER_MAX_HOST 4
#define POLLER_MAX_BYTES (16u << 20)

struct poller_opts {
	int max_transfers;    /* downloads at once */
	int max_host;         /* connections (and downloads) per host */
	size_t max_bytes;     /* decoded bytes per response */
	long connect_timeout; /* seconds */
	long low_speed_time;  /* seconds below low_speed_limit B/s */
	long low_speed_limit;
	long total_timeout; /* seconds for a whole transfer */
	/* The User-Agent header, borrowed; NULL or "": courant's own. */
	const char *user_agent;
	/*
	 * The automatic interval of one feed, in seconds (0: never
	 * automatically), asked at each periodic refresh: a feed is queued
	 * only when that long has passed since its last fetch. NULL: every
	 * feed is queued at each periodic refresh.
	 */
	long (*feed_interval)(const struct store_feed *f, void *arg);
	void *feed_interval_arg;
};

/* Fills o with the defaults: 16, 4, 16 MiB, 15 s, 30 s at 100 B/s, 120 s,
 * courant's User-Agent, no per-feed interval. */
void poller_opts_default(struct poller_opts *o);

/*
 * How much a refresh respects the feed's own schedule. A feed marked dead
 * (410 Gone) is skipped except by POLL_FORCE, which revives it when the
 * fetch succeeds.
 */
enum poll_mode {
	/* A timer or cron: respects Retry-After and backoff, and the cache
	 * lifetime the server or the feed announced (ttl, max-age). */
	POLL_AUTO,
	/* The user asked for this feed: the cache lifetime is overridden,
	 * Retry-After and backoff are still respected. */
	POLL_MANUAL,
	/* The user insisted: nothing is respected. */
	POLL_FORCE,
};

enum poll_outcome {
	POLL_UPDATED,   /* 200, parsed and stored (new_items may be 0) */
	POLL_UNCHANGED, /* 304 Not Modified */
	POLL_FAILED,    /* err says why; the store keeps the previous items */
	POLL_SKIPPED,   /* not due: dead, or not before not_before */
};

struct poll_report {
	long feed_id;
	enum poll_outcome outcome;
	const char *title; /* display title, lent for the call; not sanitized */
	const char *url;   /* what was fetched, lent for the call */
	int status;        /* HTTP status, 0 for file:// and transport errors */
	int new_items;
	uint64_t bytes;       /* decoded body bytes received */
	const char *new_url;  /* set when a permanent redirect moved the feed */
	feed_time not_before; /* POLL_SKIPPED, POLL_FAILED: next allowed try */
	bool is_dead;         /* the feed is (now) marked dead */
	/* POLL_FAILED, POLL_SKIPPED: why; POLL_UPDATED: a warning (the
	 * document was cut short) or NULL. Valid for the call. */
	const struct err *err;
};

typedef void poll_report_fn(const struct poll_report *r, void *arg);

/*
 * A poller over the feeds of st (borrowed; it must outlive the poller). o
 * NULL means the defaults. fn is called from poller_work() once per feed
 * processed. NULL and err when libcurl cannot be set up.
 */
struct poller *poller_new(struct store *st, const struct poller_opts *o,
                          poll_report_fn *fn, void *arg, struct err *err);
/* Abandons every transfer (nothing of them is stored); NULL is fine. */
void poller_free(struct poller *p);
/* What the user should know about the set-up (libcurl without an
 * asynchronous resolver: name lookups will freeze the loop), or NULL. */
const char *poller_notice(const struct poller *p);

/*
 * Queues feed_id, or every feed when feed_id is 0, for a refresh in the
 * given mode. A feed already queued or running is not queued twice. Feeds
 * that are not due are reported as POLL_SKIPPED by the next poller_work().
 * Returns the number of feeds queued (skipped ones included), -1 and err
 * when the store cannot list them.
 */
int poller_refresh(struct poller *p, long feed_id, enum poll_mode mode,
                   struct err *err);
/*
 * Queues the n feeds of an array store_feeds() returned (borrowed), as
 * poller_refresh() would one by one, without asking the store again.
 * Returns the number queued.
 */
int poller_refresh_list(struct poller *p, const struct store_feed *feeds,
                        size_t n, enum poll_mode mode);
/* Drops every queued feed that has not started. */
void poller_cancel(struct poller *p);

/*
 * Periodic automatic refresh: every `seconds` (jittered by up to a tenth)
 * poller_work() queues all feeds in POLL_AUTO mode, or with
 * o->feed_interval those that are due by their own interval (then seconds
 * is how often they are checked: the shortest interval in use). 0 turns
 * it off (the default).
 */
void poller_set_interval(struct poller *p, long seconds);

/* Milliseconds until poller_work() has something to do (libcurl timers,
 * queued reports, the periodic refresh); -1 when nothing is pending. */
int poller_timeout_ms(struct poller *p);
/*
 * Waits up to ms milliseconds (capped by poller_timeout_ms()) for network
 * activity or for one of the caller's descriptors, whose revents it fills
 * (POLLIN, POLLPRI, POLLOUT only). Returns the number of caller descriptors
 * ready, -1 and err on failure. poller_wakeup() ends a wait early.
 */
int poller_wait(struct poller *p, struct pollfd *extra, unsigned n, int ms,
                struct err *err);
void poller_wakeup(struct poller *p);
/*
 * Does whatever is ready without waiting: reads and parses arrived bytes,
 * stores finished feeds, starts queued transfers, calls the report
 * callback. Storing stops after about 20 ms (each feed is a transaction
 * of a few milliseconds) so that the caller's loop keeps its pace; what
 * is left makes poller_timeout_ms() 0. Returns the number of reports
 * delivered.
 */
int poller_work(struct poller *p);
/* True while feeds are queued or transfers are running. */
bool poller_busy(const struct poller *p);

struct poller_stats {
	int queued;  /* waiting to start */
	int running; /* transfers in progress */
	int done;    /* reports delivered since poller_new() */
	int failed;
	int new_items;
	uint64_t bytes;  /* decoded bytes received, finished or not */
	int max_running; /* the most transfers ever running at once */
};

void poller_get_stats(const struct poller *p, struct poller_stats *s);

/*
 * A one-off blocking GET with the same safety rules, for `courant add`: at
 * most max bytes of body, with o's timeouts and User-Agent (o NULL: the
 * defaults). When only_html is set and the response is not an HTML page,
 * the download stops after the headers and is_html is false.
 */
struct fetch_page {
	int status;
	bool is_html;
	char *url;          /* after redirects */
	char *content_type; /* or NULL */
	char *body;         /* NUL-terminated, may be empty */
	size_t len;
};

struct fetch_page *fetch_page_get(const char *url, size_t max, bool only_html,
                                  const struct poller_opts *o, struct err *err);
void fetch_page_free(struct fetch_page *pg);

/* True for a URL the poller may fetch: http or https with a host, or a
 * file:// URL (which only a user can add; redirects never reach one). */
bool fetch_url_allowed(const char *url);

/* ---- a blocking POST, for sync (post.c) ---------------------------------- */

/*
 * A client for a JSON API: one libcurl handle reused for every request (the
 * connection is kept alive), the hardening of every other request (http
 * and https only, TLS verified, timeouts, a byte cap on each reply), a
 * fixed User-Agent from o->user_agent, and no redirects: a POST that a
 * server redirects is an error naming the new address, never replayed as
 * a GET. Counts requests and bytes for the caller's statistics.
 */
struct fetch_post;
struct buf;

struct fetch_post_stats {
	long requests;
	uint64_t sent;     /* request headers and bodies */
	uint64_t received; /* response headers and bodies as received */
};

/* A client with o's timeouts, byte cap and User-Agent (o NULL: the
 * defaults); NULL and err when libcurl cannot be set up. */
struct fetch_post *fetch_post_new(const struct poller_opts *o,
                                  struct err *err);
void fetch_post_free(struct fetch_post *fp);
/*
 * POSTs body[0..n) to url with the given Content-Type and waits for the
 * answer: *status gets the HTTP status and reply (emptied first) the body,
 * whatever the status. -1 and err (ERR_NET: unreachable, timeout; ERR_HTTP:
 * a redirect; ERR_USAGE: not an http(s) URL), -2 and ERR_NET when the
 * reply was over the byte cap (a caller may ask for less).
 */
int fetch_post_send(struct fetch_post *fp, const char *url, const char *body,
                    size_t n, const char *content_type, int *status,
                    struct buf *reply, struct err *err);
void fetch_post_get_stats(const struct fetch_post *fp,
                          struct fetch_post_stats *s);

#endif
