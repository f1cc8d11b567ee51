/* SPDX-License-Identifier: MIT */
/*
 * What the files of src/fetch share: the pure policy functions (header
 * parsing, Retry-After, backoff, cache lifetimes, URL policy, error texts),
 * kept apart from libcurl's state so the unit tests can reach them.
 */
#ifndef COURANT_FETCH_PRIVATE_H
#define COURANT_FETCH_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "courant/err.h"
#include "courant/feed.h"

/* Ceilings: a server cannot push a feed out of reach for longer. */
#define FETCH_RETRY_MAX (24L * 3600)   /* Retry-After */
#define FETCH_BACKOFF_BASE 300L        /* first failure: 5 min */
#define FETCH_BACKOFF_MAX (24L * 3600) /* before jitter */
#define FETCH_CACHE_MAX (24L * 3600)   /* ttl, max-age, Expires */
#define FETCH_VALIDATOR_MAX 1024       /* ETag, Last-Modified bytes */
#define FETCH_URL_MAX 8192

enum fetch_url_kind { FETCH_URL_BAD, FETCH_URL_HTTP, FETCH_URL_FILE };

/* http(s) with a host, file:// with a path, else bad (control characters,
 * spaces, other schemes, over FETCH_URL_MAX bytes). */
enum fetch_url_kind fetch_url_kind(const char *url);
/* "host:port" in lowercase for per-host accounting (port 80/443 implied by
 * the scheme), a new string; "" for file URLs; NULL for a bad URL. */
char *fetch_host_key(const char *url);

/* The status of an HTTP status line ("HTTP/1.1 304 Not Modified"), or -1
 * when the line is not one. */
int fetch_status_line(const char *line, size_t n);
/*
 * Splits a header line "Name: value\r\n" (n bytes, not NUL-terminated).
 * Copies the name (lowercased, truncated to nsize - 1) into name and points
 * value and vlen at the value with surrounding blanks removed. -1 when the
 * line has no colon or an empty name (status lines, the blank line).
 */
int fetch_header_split(const char *line, size_t n, char *name, size_t nsize,
                       const char **value, size_t *vlen);
/* True when a validator can be stored and sent back verbatim: 1 to
 * FETCH_VALIDATOR_MAX bytes, none below 0x20 or 0x7F. */
bool fetch_validator_ok(const char *s, size_t n);

/* Seconds to wait from a Retry-After value (delta-seconds or an HTTP
 * date), clamped to [0, FETCH_RETRY_MAX]; -1 when absent or unreadable. */
long fetch_retry_after(const char *value, feed_time now);
/* Seconds to wait after `failures` consecutive failures (>= 1): doubling
 * from FETCH_BACKOFF_BASE up to FETCH_BACKOFF_MAX, plus a jitter of up to
 * a fifth taken from rnd. 0 for failures <= 0. */
long fetch_backoff(int failures, unsigned rnd);
/*
 * The freshness lifetime in seconds a response announced: Cache-Control
 * max-age (s-maxage ignored; no-cache and no-store give 0) before Expires
 * (minus Date when given, else minus now); -1 when neither says anything.
 */
long fetch_freshness(const char *cache_control, const char *expires,
                     const char *date, feed_time now);
/* Seconds an automatic refresh should wait after a success: the longer of
 * the HTTP freshness and the feed's <ttl>, clamped to FETCH_CACHE_MAX; 0
 * when neither says anything. */
long fetch_cache_delay(long freshness, int ttl_minutes);

struct poller_opts;

/*
 * Applies the hardened settings of SECURITY.md 3.2 to a fresh easy handle
 * (a CURL *, kept opaque here) for url: protocols, redirects, timeouts,
 * sizes, TLS, User-Agent, error buffer (CURL_ERROR_SIZE bytes). -1 and err
 * when libcurl refuses one (an older libcurl without an option).
 */
int fetch_easy_setup(void *curl, const char *url, const struct poller_opts *o,
                     char *errbuf, struct err *err);
/* Calls curl_global_init() the first time, counted; 0 or -1 and err. */
int fetch_global_ref(struct err *err);
void fetch_global_unref(void);

/* A short, clear message for a libcurl error code (CURLcode), or NULL when
 * the code has none of its own. */
const char *fetch_curl_message(int code);

#endif
