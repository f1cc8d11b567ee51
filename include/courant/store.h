/* SPDX-License-Identifier: MIT */
/*
 * store: the article cache, one SQLite file shared by every courant process
 * (the UI, a cron `courant refresh`, a second SSH session). It is the only
 * module that speaks SQL and the only includer of <sqlite3.h>; it hands out
 * plain structs and pages of rows, never a statement handle. It owns the
 * schema and its migrations, the read/starred state, the HTTP validators
 * and fetch bookkeeping of each feed, retention and the full-text index.
 * It never prints: failures are `struct err` (ERR_DB for SQLite, ERR_IO for
 * files), and what the user must be told after opening is store_notice().
 *
 * Concurrency: every write is one short BEGIN IMMEDIATE transaction with a
 * busy timeout, readers never block writers (WAL). A refresh collects the
 * parsed items in memory first (store_refresh_add() is called from the
 * parser's item callback while bytes arrive) and writes them all in one
 * transaction in store_refresh_commit(), so no transaction is ever held
 * while waiting for the network or the user.
 *
 * Times are seconds since the epoch (feed_time); FEED_DATE_UNKNOWN when
 * absent.
 */
#ifndef COURANT_STORE_H
#define COURANT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "courant/err.h"
#include "courant/feed.h"

struct store;

/* The schema version this courant writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 8

/*
 * The default database path: $XDG_DATA_HOME/courant/courant.db when that is
 * an absolute path, else $HOME/.local/share/courant/courant.db (the XDG
 * rule: a relative XDG_DATA_HOME is ignored). `--db` and COURANT_DB are the
 * caller's business. Returns a string to free; NULL and ERR_IO without HOME.
 */
char *store_default_path(struct err *err);

enum store_open_flags {
	/* Run PRAGMA quick_check on the whole file even when it is big. By
	 * default the full check runs only on files under 64 MiB, so that a
	 * large cache still opens instantly; bigger files get a cheap check
	 * (header, schema, the feeds table) and store_check() on demand. */
	STORE_OPEN_FULL_CHECK = 1 << 0,
	/* Skip the start-up check altogether (benchmarks). */
	STORE_OPEN_NO_CHECK = 1 << 1,
	/* Open read-only: no migration, no corrupt-file renaming, every
	 * write fails with ERR_DB. */
	STORE_OPEN_READONLY = 1 << 2,
	/* The full check only on a file under 1 MiB, the cheap one above:
	 * for the interactive reader, whose first screen must not wait for
	 * a read of the whole file (PRAGMA quick_check takes 170 ms on a
	 * 36 MiB cache). */
	STORE_OPEN_CHEAP_CHECK = 1 << 3,
};

/*
 * Opens (creating it and its directory, 0700/0600 whatever the umask) the
 * database at path, or ":memory:". Applies the SECURITY.md settings (WAL,
 * NOFOLLOW, defensive...), checks it, migrates an older schema (one
 * transaction per step) and refuses a newer one with ERR_DB. A damaged file
 * is renamed to PATH.corrupt-YYYYMMDDTHHMMSS (with its -wal and -shm) and a
 * fresh cache started; store_notice() then says so. NULL and err on failure.
 */
struct store *store_open(const char *path, unsigned flags, struct err *err);
/* Checkpoints (when last out) and closes; NULL is fine. */
void store_close(struct store *st);
/* What the user must be told about the opening (the corrupt file moved
 * aside), or NULL; lent until store_close(). */
const char *store_notice(const struct store *st);
/* True when store_open() found the file damaged, moved it aside and began
 * an empty cache (store_notice() says where the old file went). */
bool store_was_reset(const struct store *st);
/* The path given to store_open(); lent. */
const char *store_path(const struct store *st);
/* Full PRAGMA quick_check now: 0 if ok, -1 with ERR_DB saying what is wrong. */
int store_check(struct store *st, struct err *err);

/*
 * True when another connection (another process) committed a change since
 * the previous call (PRAGMA data_version, a few microseconds): the UI calls
 * it on its timer and re-reads its counts and page only then. The first
 * call after store_open() returns false. Our own writes never count.
 */
bool store_changed(struct store *st);

/*
 * Feeds. A feed is identified by the URL of the user's urls file; a
 * permanent redirect is kept apart in fetch_url, so the urls file and the
 * store keep agreeing. Tags are plain strings.
 */
struct store_feed {
	long id;
	char *url;        /* as subscribed */
	char *fetch_url;  /* after a permanent redirect, else NULL */
	char *title;      /* for display: user title, feed title or url */
	char *feed_title; /* as the feed said, or NULL */
	char *user_title; /* "~Title" from the urls file, or NULL */
	char *site_link;
	char **tags;
	size_t n_tags;
	int position; /* order of the feed list */
	long n_items;
	long n_unread;
	long n_starred;
	/* Fetch bookkeeping. */
	char *etag;
	char *last_modified;
	feed_time last_fetch;   /* last attempt (any outcome) */
	feed_time last_success; /* last 200 or 304 */
	int last_status;        /* HTTP status of the last attempt, 0 if none */
	char *last_error;       /* NULL after a success */
	int failures;           /* consecutive failed attempts */
	feed_time next_fetch;   /* not before (Retry-After, backoff), or 0 */
	bool is_dead;           /* 410 Gone: never fetched again */
	int max_items;          /* per-feed retention, 0: the global rule */
	int max_age_days;       /* ditto */
	/* Sync (see "Sync with a server" below): NULL for a local feed. */
	char *source;    /* the sync account, e.g. "ttrss" */
	char *remote_id; /* the server's id of the subscription */
};

struct store_feed_list {
	struct store_feed *feeds;
	size_t n;
};

/* What the urls file says about a feed. */
struct store_feed_conf {
	const char *url;
	const char *user_title; /* NULL: none */
	const char *const *tags;
	size_t n_tags;
	int position;
	int max_items;    /* 0: the global rule */
	int max_age_days; /* 0: the global rule */
};

/* Adds the local feed or updates its title, tags, position and limits
 * (read state and items are kept); remote feeds are never matched. Returns its
 * id, -1 and err on failure. */
long store_feed_ensure(struct store *st, const struct store_feed_conf *c,
                       struct err *err);
/* Deletes a feed with all its items (starred ones too). */
int store_feed_remove(struct store *st, long feed_id, struct err *err);
/* All feeds (of tag, or all when tag is NULL) in list order, with their
 * counts, for store_feed_list_free(); NULL and err on failure. The list is
 * bounded by the user's subscriptions, so it is not paged. */
struct store_feed_list *store_feeds(struct store *st, const char *tag,
                                    struct err *err);
void store_feed_list_free(struct store_feed_list *l);
/* One feed by id (or by subscribed URL, local feeds only); NULL and err
 * (ERR_USAGE when it does not exist). Free with store_feed_free(). */
struct store_feed *store_feed_get(struct store *st, long feed_id,
                                  struct err *err);
struct store_feed *store_feed_by_url(struct store *st, const char *url,
                                     struct err *err);
void store_feed_free(struct store_feed *f);
/* Total unread items over all feeds. -1 on failure. */
long store_unread_total(struct store *st, struct err *err);

/*
 * The outcome of one fetch, as the poller saw it. Validators are replaced
 * when non-NULL and kept otherwise (a 304 may bring a new ETag).
 */
struct store_fetch {
	feed_time time;            /* when the fetch ended */
	int status;                /* HTTP status; 0 for file:// or transport */
	const char *etag;          /* ETag header, or NULL */
	const char *last_modified; /* Last-Modified header, or NULL */
	const char *new_url;       /* permanent redirect (301/308) target */
	feed_time next_fetch;      /* not before; 0 for no constraint */
};

/* A 304 or an unchanged body: records the time, status and validators,
 * resets the failure count. */
int store_fetch_unchanged(struct store *st, long feed_id,
                          const struct store_fetch *f, struct err *err);
/* A failed fetch or parse: keeps every item and the validators, records the
 * error text and status, counts one more consecutive failure; status 410
 * marks the feed dead. */
int store_fetch_failed(struct store *st, long feed_id,
                       const struct store_fetch *f, const char *error,
                       struct err *err);
/* Clears the dead flag, the failure count and next_fetch (the user asked). */
int store_feed_revive(struct store *st, long feed_id, struct err *err);

/*
 * A refresh of one feed. store_refresh_new() never touches the database;
 * store_refresh_add() copies a parsed item into memory (call it from the
 * parser's item callback); store_refresh_commit() writes everything in one
 * BEGIN IMMEDIATE transaction: new items inserted, changed items updated,
 * read/starred state and first-seen time kept, the feed's metadata and
 * validators saved, then this feed's retention applied. If anything fails
 * nothing at all changes. store_refresh_free() drops an unfinished refresh
 * (a failed download) without a trace; commit frees r itself, always.
 */
struct store_refresh;

struct store_refresh_stats {
	int n_new;
	int n_changed;
	int n_unchanged;
	int n_removed; /* by retention */
};

struct store_refresh *store_refresh_new(struct store *st, long feed_id);
void store_refresh_add(struct store_refresh *r, const struct feed_item *item);
size_t store_refresh_count(const struct store_refresh *r);
int store_refresh_commit(struct store_refresh *r, const struct feed_info *info,
                         const struct store_fetch *f,
                         struct store_refresh_stats *stats, struct err *err);
void store_refresh_free(struct store_refresh *r);

/*
 * Merges the full-text index's segments, which every refresh adds and no
 * refresh merges (that was most of its time in a big cache). Call it when
 * idle: it works in steps of a few milliseconds, each its own short write
 * transaction, until budget_ms is spent (at least one step) or nothing is
 * left; with nothing to merge it checkpoints the log (without the write
 * lock). Returns 1 when work remains (also at once, having done nothing,
 * while another connection writes: it never waits for the lock), 0 when
 * none does, -1 and err. Nothing to do costs a small read and no write
 * lock. A read-only store does nothing.
 */
int store_maintain(struct store *st, int budget_ms, struct err *err);

/*
 * Items. A view is what a list shows; pages come newest first by the sort
 * date (published, else updated, else first seen; a date in the future is
 * clamped to first seen) with the item id breaking ties, so paging is
 * stable. A cursor is the (date, id) of a row: pass the last row's to get
 * the next (older) page, the first row's with STORE_NEWER to go back.
 */
enum store_scope { STORE_ALL, STORE_FEED, STORE_TAG };

struct store_view {
	enum store_scope scope;
	long feed_id;    /* STORE_FEED */
	const char *tag; /* STORE_TAG */
	bool unread_only;
	bool starred_only;
};

struct store_cursor {
	feed_time date;
	long id;
};

enum store_dir { STORE_OLDER, STORE_NEWER };

/* A row of a list: what a headline needs. */
struct store_row {
	long id;
	long feed_id;
	feed_time date;
	char *title;      /* may be NULL */
	char *link;       /* may be NULL */
	char *author;     /* first author's name or email, may be NULL */
	char *feed_title; /* display title of the feed */
	char *snippet;    /* search results only, else NULL */
	bool is_read;
	bool is_starred;
};

struct store_page {
	struct store_row *rows;
	size_t n;
	bool more; /* there are rows past the last one in this direction */
};

/*
 * Up to limit rows of view v, newest first. after NULL starts at the
 * newest; otherwise the rows strictly older (STORE_OLDER) or newer
 * (STORE_NEWER) than *after, still sorted newest first. Free with
 * store_page_free(); NULL and err on failure.
 */
struct store_page *store_items(struct store *st, const struct store_view *v,
                               const struct store_cursor *after,
                               enum store_dir dir, int limit, struct err *err);
void store_page_free(struct store_page *p);
/* The cursor of row i of a page. */
struct store_cursor store_row_cursor(const struct store_row *row);
/* Number of items in view v. -1 on failure. */
long store_count(struct store *st, const struct store_view *v, struct err *err);

/* The id of the item next to item_id in view v (STORE_OLDER: below it in
 * the list), 0 when there is none, -1 on failure. */
long store_item_neighbor(struct store *st, const struct store_view *v,
                         long item_id, enum store_dir dir, struct err *err);
/* The next unread item after item_id in feed-list order: older unread items
 * of the same feed first, then the newest unread of the following feeds,
 * wrapping around. item_id 0 starts at the first feed. 0 when nothing is
 * unread (but item_id itself), -1 on failure. */
long store_next_unread(struct store *st, long item_id, struct err *err);

/* An item in full: the parser's own struct, as it was stored. */
struct store_item {
	long id;
	long feed_id;
	char *feed_title;
	feed_time date;
	feed_time first_seen;
	bool is_read;
	bool is_starred;
	struct feed_item item; /* owned; empty strings come back as given */
};

/* NULL and err (ERR_USAGE when there is no such item). */
struct store_item *store_item_get(struct store *st, long item_id,
                                  struct err *err);
void store_item_free(struct store_item *it);

/* Marks. Unknown ids are ignored. */
int store_mark_read(struct store *st, long item_id, bool is_read,
                    struct err *err);
int store_mark_starred(struct store *st, long item_id, bool is_starred,
                       struct err *err);
/* Marks every item of view v read (the starred_only/unread_only flags of v
 * apply too). Returns the number changed, -1 on failure. */
long store_mark_view_read(struct store *st, const struct store_view *v,
                          struct err *err);

/*
 * Full-text search (FTS5) over titles and article text, best match first
 * (a title hit weighs five body hits, a shorter text ranks higher), the
 * most recently stored first among equals. Only the 2,000 most recently
 * stored matches are ranked, so a common word costs what a rare one does.
 * query is words, all required (case and accents ignored); "quoted
 * phrases" and a trailing * for a prefix are understood, everything else
 * is taken literally, so no input is a syntax error. Rows carry a snippet
 * of text around the first hit. limit caps the result.
 */
struct store_page *store_search(struct store *st, const char *query, int limit,
                                struct err *err);

/*
 * Retention. An item still present in its feed's last successful refresh is
 * never dropped (it would come back as unread on the next refresh). Starred
 * and unread items are kept unless the flags ask otherwise. A feed's own
 * max_items/max_age_days override the global rule; 0 means no limit.
 */
struct store_retention {
	int max_items;    /* per feed */
	int max_age_days; /* by sort date */
	bool drop_unread;
	bool drop_starred;
};

/* The rule store_refresh_commit() applies to the refreshed feed (cheap,
 * incremental); the default has no limit. */
void store_set_retention(struct store *st, const struct store_retention *r);
/* Applies r to every feed (feed_id 0) or one feed; returns items removed,
 * -1 on failure. */
long store_cleanup(struct store *st, const struct store_retention *r,
                   long feed_id, struct err *err);
/* VACUUM and checkpoint: only on demand, it rewrites the whole file. */
int store_vacuum(struct store *st, struct err *err);

/*
 * Migration from Newsboat (newsboat.c): carries the read and flagged state
 * of the articles in a Newsboat cache.db over to the feeds of st with the
 * same URL, matching articles by guid. The cache is opened read-only and
 * never written. Articles courant does not have (gone from the feed, or a
 * feed not fetched yet) are stored from the cache. A state is only ever
 * added: nothing becomes unread or unstarred. A flagged Newsboat article
 * becomes starred. -1 and err (ERR_DB) on failure; what was done stays.
 */
struct store_newsboat_stats {
	long feeds;   /* courant feeds found in the cache */
	long matched; /* articles courant already had */
	long added;   /* articles stored from the cache */
	long read;    /* marked read */
	long starred; /* marked starred */
};

int store_newsboat_import(struct store *st, const char *cache_path,
                          struct store_newsboat_stats *stats, struct err *err);

/*
 * Sync with a server (sync.c). A feed or item is "remote" when it belongs
 * to a sync account, its `source` (e.g. "ttrss"); local feeds and items
 * have none. Remote feeds are never fetched by the poller nor touched by
 * the urls file (config_sync_feeds() leaves them alone); their items come
 * from store_remote_items_put() and are otherwise ordinary items: lists,
 * search, marks and the feed list show them like local ones. A remote and
 * a local feed may have the same URL: they are different subscriptions.
 *
 * Conflict rule: per item and per field (read, starred), a change made in
 * courant since its last successful push wins over the server's value seen
 * at the next sync (TT-RSS's API gives no change times, so a queued local
 * change is the newest courant can know of); every field courant did not
 * change takes the server's value. Different fields never conflict: read
 * on one machine and starred on another, both survive.
 *
 * The change queue: store_mark_read(), store_mark_starred() and
 * store_mark_view_read() queue a change for every remote item whose state
 * they actually change, in the same transaction, so every path (the
 * reader, `courant mark`) is covered. There is one pending row per (item,
 * field): the last value wins (read then unread is one row, "unread").
 * A sync pushes store_sync_pending(), then store_sync_done() with the
 * highest seq pushed; a failed push drops nothing.
 */

/* One of the server's subscriptions. */
struct store_remote_feed {
	const char *remote_id;   /* the server's id, as text */
	const char *url;         /* the feed's own URL, as the server has it */
	const char *title;       /* NULL: the URL is shown */
	const char *const *tags; /* the server's category, as a tag */
	size_t n_tags;
};

/* Makes the remote feeds of source exactly those given: new ones added
 * (after the local feeds in the list, in the order given), known ones (by
 * remote_id) get their url, title and tags updated, those gone are removed
 * with their items and pending changes. One transaction. 0, or -1 and err.
 * Except an empty list (no entry with a remote_id and a url) while the
 * store has remote feeds of source: a server that lists nothing is more
 * likely broken than emptied, so nothing changes and the number of those
 * feeds, kept, is returned. */
int store_remote_feeds_set(struct store *st, const char *source,
                           const struct store_remote_feed *f, size_t n,
                           struct err *err);
/* The local id of a remote feed, 0 when unknown, -1 and err on failure. */
long store_remote_feed_id(struct store *st, const char *source,
                          const char *remote_id, struct err *err);

/* One article as the server sent it. */
struct store_remote_item {
	const char *remote_id;        /* the server's article id */
	const char *remote_feed_id;   /* its feed's remote_id */
	const struct feed_item *item; /* title, link, content, dates, authors,
	                                 enclosures, tags; item->key unused */
	bool is_read;
	bool is_starred;
};

/*
 * Stores a batch in one transaction: new articles inserted, known ones (by
 * source and remote_id) updated (an article stays in the feed it came
 * with), all indexed for search; the server's read/starred state is
 * applied to each field that has no queued local change (the conflict
 * rule), and never queues anything. An article of a feed not known
 * (call store_remote_feeds_set() first), without remote_id or item, is
 * skipped; one repeated in the batch is stored once (the last copy).
 * Returns the number of articles new or with changed text, -1 and err.
 */
long store_remote_items_put(struct store *st, const char *source,
                            const struct store_remote_item *items, size_t n,
                            struct err *err);

/*
 * The server's complete sets of unread and starred article ids: every
 * remote item of source becomes read unless listed in unread_ids,
 * unstarred unless listed in starred_ids, and those listed become unread
 * or starred, except fields with a queued local change. Ids of articles
 * courant does not have are ignored. One transaction. Returns the number
 * of items whose state changed, -1 and err.
 */
long store_remote_state_apply(struct store *st, const char *source,
                              const char *const *unread_ids, size_t n_unread,
                              const char *const *starred_ids, size_t n_starred,
                              struct err *err);

/* Small per-account key/value state ("since_id", "last_sync"...). get
 * returns a string to free, NULL when unset (err untouched) or on failure
 * (err set: clear err->code first to tell them apart). set with value
 * NULL deletes the key. */
char *store_sync_get(struct store *st, const char *source, const char *key,
                     struct err *err);
int store_sync_set(struct store *st, const char *source, const char *key,
                   const char *value, struct err *err);

enum store_sync_field { STORE_SYNC_READ, STORE_SYNC_STARRED };

struct store_sync_change {
	long seq;        /* queue order, increasing */
	char *remote_id; /* the server's article id */
	enum store_sync_field field;
	bool value;     /* read / starred */
	feed_time when; /* when the user made it */
};

struct store_sync_changes {
	struct store_sync_change *c;
	size_t n;
};

/* Up to limit (<= 0: all) pending changes of source, oldest first; free
 * with store_sync_changes_free(); NULL and err on failure. */
struct store_sync_changes *store_sync_pending(struct store *st,
                                              const char *source, int limit,
                                              struct err *err);
void store_sync_changes_free(struct store_sync_changes *c);
/* Drops the pending changes of source with seq <= up_to_seq (pushed); a
 * change re-queued meanwhile has a higher seq and stays. */
int store_sync_done(struct store *st, const char *source, long up_to_seq,
                    struct err *err);
/* Number of pending changes of source (status line, `courant sync`), -1
 * and err on failure. */
long store_sync_count(struct store *st, const char *source, struct err *err);

#endif
