/* SPDX-License-Identifier: MIT */
/* What the files of src/store share. Nothing here leaves the module. */
#ifndef COURANT_STORE_PRIVATE_H
#define COURANT_STORE_PRIVATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "courant/err.h"
#include "courant/store.h"
#include "courant/util.h"

/* How long a write waits for another process's transaction. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* Prepared statements kept for the life of the connection. */
enum stmt_id {
	STMT_ITEM_FIND,
	STMT_ITEM_INSERT,
	STMT_ITEM_UPDATE,
	STMT_FTS_INSERT,
	STMT_FTS_DELETE,
	STMT_FTS_OLD,
	STMT_SEARCH_ROW,
	STMT_DATA_VERSION,
	STMT_MARK_READ,
	STMT_MARK_STARRED,
	STMT_QUEUE_CHANGE,
	STMT_COUNT_
};

struct store {
	sqlite3 *db;
	char *path;
	char *notice;
	unsigned flags;
	sqlite3_stmt *stmts[STMT_COUNT_];
	int64_t data_version;
	bool have_data_version;
	bool was_reset; /* the damaged file was moved aside */
	struct store_retention retention;
	/* Scratch for the index texts, and the json_each() statement that
	 * reads stored content back (store_index_row()). */
	struct buf fts_title;
	struct buf fts_body;
	sqlite3_stmt *json_each;
	/* temp.courant_vocab, the index's term list, exists (search.c). */
	bool have_vocab;
	/* The index's tokenizer, for queries and phrase checks. */
	fts5_tokenizer tokenizer;
	Fts5Tokenizer *tok;
};

/* Fills err from the connection's last error for rc, saying what we were
 * doing; SQLITE_FULL, BUSY, CORRUPT, READONLY... get a plain message. */
void store_dberr(sqlite3 *db, int rc, const char *what, struct err *err);
/* Runs SQL without results; -1 and err on failure. */
int store_exec(sqlite3 *db, const char *sql, struct err *err);
/* Steps a statement that returns no row and resets it; -1 and err (saying
 * what) on failure. */
int store_step_done(struct store *st, sqlite3_stmt *s, const char *what,
                    struct err *err);
/* A cached prepared statement, reset and unbound; NULL and err. */
sqlite3_stmt *store_stmt(struct store *st, enum stmt_id id, struct err *err);
/* Prepares a one-off statement; NULL and err. */
sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql, struct err *err);
/* BEGIN IMMEDIATE; COMMIT (with ROLLBACK after a failure); ROLLBACK. */
int store_begin(struct store *st, struct err *err);
int store_commit(struct store *st, struct err *err);
void store_rollback(struct store *st);

/* Binds s, or NULL when s is NULL. */
int store_bind_text(sqlite3_stmt *s, int i, const char *text);
/* Binds t, or NULL when it is FEED_DATE_UNKNOWN. */
int store_bind_time(sqlite3_stmt *s, int i, feed_time t);
/* A column as a new string, NULL when it is NULL. */
char *store_col_dup(sqlite3_stmt *s, int i);
/* A column as a time, FEED_DATE_UNKNOWN when it is NULL. */
feed_time store_col_time(sqlite3_stmt *s, int i);
/* The current time; COURANT_NOW in the environment overrides (tests). */
feed_time store_now(void);

/* schema.c: brings db up to version target (<= STORE_SCHEMA_VERSION), one
 * transaction per step; refuses a newer database. */
int store_schema_migrate(sqlite3 *db, int target, struct err *err);
/* The strip of markup the full-text index sees. */
void store_text_for_index(struct buf *out, const struct feed_text *t);
/* The title and body texts indexed for an item, from the parser's item or
 * from a stored row (columns col.. are title, title_type, summary,
 * summary_type, content); both give the same bytes for the same item.
 * *each is a statement the caller keeps (NULL at first) and finalizes. */
void store_index_item(struct buf *title, struct buf *body,
                      const struct feed_item *it);
int store_index_row(sqlite3 *db, sqlite3_stmt **each, sqlite3_stmt *row,
                    int col, struct buf *title, struct buf *body,
                    struct err *err);
/* Adds item id to the index; removes it (read from items, so call it
 * before the row changes). Inside the caller's transaction. */
int store_fts_add(struct store *st, long id, const struct feed_item *it,
                  struct err *err);
int store_fts_forget(struct store *st, long id, struct err *err);
/* maintain.c: a level of the index is merged once it holds this many
 * segments (FTS5's 'usermerge', set by schema version 7). */
#define STORE_FTS_MERGE_MIN 8
/* After a refresh's commit: a few merge steps, each its own transaction,
 * when the index has many more segments than it should (nobody called
 * store_maintain()). Errors are ignored: the refresh is already saved. */
void store_fts_catch_up(struct store *st);
/* The number of segments in the index (0 if unknown); -1 and err. */
int store_fts_segments(struct store *st, struct err *err);
/* Registers courant_rank() on a new connection and makes its tokenizer. */
int store_search_setup(struct store *st, struct err *err);

/* The columns every list query selects first, in this order; the row
 * helpers below read them. */
#define ROW_COLUMNS                                                            \
	"i.id, i.feed_id, i.date, i.title, i.link, i.author, "                 \
	"coalesce(nullif(f.user_title, ''), nullif(f.feed_title, ''), "        \
	"f.url), i.is_read, i.is_starred"
#define ROW_NCOLUMNS 9
/* Fills row from the current result of s (ROW_COLUMNS first). */
void store_row_fill(struct store_row *row, sqlite3_stmt *s);
/* Appends a zeroed row to p and returns it. */
struct store_row *store_page_push(struct store_page *p, size_t *cap);

/* items.c: an item ready to bind, its lists as JSON and its hash. */
struct store_encoded {
	char *content;
	char *links;
	char *authors;
	char *enclosures;
	char *categories;
	const char *author; /* lent by the item */
	int64_t hash;
};
void store_item_encode(struct store_encoded *e, const struct feed_item *it);
void store_item_encoded_done(struct store_encoded *e);
/* Binds ?3..?21 and ?23 of STMT_ITEM_INSERT and STMT_ITEM_UPDATE (and of
 * statements written like them): everything but the feed, the key, the
 * time (?22) and the row. */
void store_item_bind(sqlite3_stmt *s, const struct feed_item *it,
                     const struct store_encoded *e, int64_t gen);

/* items.c / cleanup.c: applies a retention rule to one feed inside the
 * current transaction; returns the number of items removed or -1. */
long store_retain_feed(struct store *st, long feed_id,
                       const struct store_retention *r, struct err *err);

#endif
