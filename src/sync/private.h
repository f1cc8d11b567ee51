/* SPDX-License-Identifier: MIT */
/*
 * What the files of src/sync share: the TT-RSS reply parsers, pure
 * functions over a whole reply body (envelope and content), so that the
 * unit tests and the fuzz target reach them without a server.
 *
 * Every parser returns 0, -1 and err (a message for the user: the
 * server's error code turned into words, "not JSON", "unexpected reply"),
 * or SYNC_RELOGIN when the server says NOT_LOGGED_IN. Output is filled
 * only on success. Every string taken from a reply is sanitized
 * (text_sanitize) and capped; ids are checked to be positive integers.
 */
#ifndef COURANT_SYNC_PRIVATE_H
#define COURANT_SYNC_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "courant/err.h"
#include "courant/sync.h"

/* Caps on what one reply may make us keep. */
#define TTRSS_MAX_LINE 4096    /* a title, URL, author, category */
#define TTRSS_MAX_ITEMS 100000 /* entries of one listing */
#define TTRSS_MAX_SID 256      /* a session id */

/* login: the session id (to free) and the API level. */
int ttrss_parse_login(const char *buf, size_t n, char **sid, int *api_level,
                      struct err *err);

/* getCategories: id and title of each category. */
struct ttrss_cats {
	long *id;
	char **title;
	size_t n;
};

int ttrss_parse_categories(const char *buf, size_t n, struct ttrss_cats *out,
                           struct err *err);
void ttrss_cats_done(struct ttrss_cats *c);
/* The title of category id, or NULL (lent by c). */
const char *ttrss_cat_title(const struct ttrss_cats *c, long id);

/* getFeeds: the subscriptions; cats (may be NULL) names their categories
 * (0, "Uncategorized", and unknown ids give none). */
int ttrss_parse_feeds(const char *buf, size_t n, const struct ttrss_cats *cats,
                      struct sync_feeds *out, struct err *err);
/* getHeadlines with content: the articles. Entries without a valid id or
 * feed id are skipped (counted in out->n_skipped). */
int ttrss_parse_headlines(const char *buf, size_t n, struct sync_articles *out,
                          struct err *err);
/* getHeadlines without content: only the ids. */
int ttrss_parse_ids(const char *buf, size_t n, struct sync_ids *out,
                    struct err *err);
/* subscribeToFeed: content.status.code 0 (already) or 1 (added) with the
 * feed id (to free); 2-5 become messages. */
int ttrss_parse_subscribe(const char *buf, size_t n, char **feed_id,
                          struct err *err);
/* updateArticle, logout and other {"status":"OK"} replies; *updated (may
 * be NULL) gets the count the server gave, -1 when none. */
int ttrss_parse_status(const char *buf, size_t n, long *updated,
                       struct err *err);

/*
 * The fuzz target's entry (tests/fuzz/fuzz_ttrss.c): runs every parser
 * above over data[0..n) and frees what they made. Never crashes, leaks or
 * reads past n, whatever the bytes.
 */
void ttrss_fuzz_one(const uint8_t *data, size_t n);

/* Appends s as a JSON string (quoted, escaped) to b. */
struct buf;
void json_put_string(struct buf *b, const char *s);

#endif
