// SPDX-License-Identifier: MIT
/*
 * The schema and its forward migrations. PRAGMA user_version is the number
 * of steps applied; each step runs in its own BEGIN IMMEDIATE transaction
 * and re-reads the version inside it, so two processes starting at once
 * migrate once. A database newer than this courant is refused untouched.
 *
 * Never edit a step once released: add a new one.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "courant/err.h"
#include "courant/store.h"
#include "courant/util.h"

#include "private.h"

/*
 * Version 1: feeds, tags, items. The per-feed counts are kept by triggers,
 * so the feed list with unread counts never scans the items. The partial
 * indexes serve the "unread" and "starred" views; every list is sorted by
 * (date, id), the rowid being the last column of every index.
 */
static const char schema_v1[] =
        "CREATE TABLE feeds ("
        " id INTEGER PRIMARY KEY,"
        " url TEXT NOT NULL UNIQUE,"
        " fetch_url TEXT,"
        " user_title TEXT,"
        " feed_title TEXT,"
        " site_link TEXT,"
        " position INTEGER NOT NULL DEFAULT 0,"
        " max_items INTEGER NOT NULL DEFAULT 0,"
        " max_age_days INTEGER NOT NULL DEFAULT 0,"
        " etag TEXT,"
        " last_modified TEXT,"
        " last_fetch INTEGER,"
        " last_success INTEGER,"
        " last_status INTEGER NOT NULL DEFAULT 0,"
        " last_error TEXT,"
        " failures INTEGER NOT NULL DEFAULT 0,"
        " next_fetch INTEGER NOT NULL DEFAULT 0,"
        " is_dead INTEGER NOT NULL DEFAULT 0,"
        " refresh_gen INTEGER NOT NULL DEFAULT 0,"
        " n_items INTEGER NOT NULL DEFAULT 0,"
        " n_unread INTEGER NOT NULL DEFAULT 0,"
        " n_starred INTEGER NOT NULL DEFAULT 0,"
        " added INTEGER NOT NULL DEFAULT 0"
        ");"
        "CREATE TABLE feed_tags ("
        " tag TEXT NOT NULL,"
        " feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
        " PRIMARY KEY (tag, feed_id)"
        ") WITHOUT ROWID;"
        "CREATE INDEX feed_tags_feed ON feed_tags(feed_id);"
        "CREATE TABLE items ("
        " id INTEGER PRIMARY KEY,"
        " feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
        " key TEXT NOT NULL,"
        " guid TEXT,"
        " title TEXT,"
        " title_type INTEGER NOT NULL DEFAULT 0,"
        " title_lang TEXT,"
        " link TEXT,"
        " author TEXT,"
        " published INTEGER,"
        " updated INTEGER,"
        " date INTEGER NOT NULL,"
        " first_seen INTEGER NOT NULL,"
        " summary TEXT,"
        " summary_type INTEGER NOT NULL DEFAULT 0,"
        " summary_lang TEXT,"
        " content TEXT," /* JSON arrays from here to categories */
        " links TEXT,"
        " authors TEXT,"
        " enclosures TEXT,"
        " categories TEXT,"
        " comments TEXT,"
        " is_read INTEGER NOT NULL DEFAULT 0,"
        " is_starred INTEGER NOT NULL DEFAULT 0,"
        " hash INTEGER NOT NULL,"
        " seen_gen INTEGER NOT NULL DEFAULT 0,"
        " UNIQUE (feed_id, key)"
        ");"
        "CREATE INDEX items_date ON items(date);"
        "CREATE INDEX items_feed_date ON items(feed_id, date);"
        "CREATE INDEX items_unread ON items(date) WHERE is_read = 0;"
        "CREATE INDEX items_feed_unread ON items(feed_id, date)"
        " WHERE is_read = 0;"
        "CREATE INDEX items_starred ON items(date) WHERE is_starred = 1;"
        "CREATE TRIGGER items_count_insert AFTER INSERT ON items BEGIN"
        " UPDATE feeds SET n_items = n_items + 1,"
        "  n_unread = n_unread + (new.is_read = 0),"
        "  n_starred = n_starred + (new.is_starred <> 0)"
        " WHERE id = new.feed_id;"
        "END;"
        "CREATE TRIGGER items_count_delete AFTER DELETE ON items BEGIN"
        " UPDATE feeds SET n_items = n_items - 1,"
        "  n_unread = n_unread - (old.is_read = 0),"
        "  n_starred = n_starred - (old.is_starred <> 0)"
        " WHERE id = old.feed_id;"
        "END;"
        "CREATE TRIGGER items_count_update AFTER UPDATE OF is_read, is_starred"
        " ON items WHEN old.is_read <> new.is_read"
        " OR old.is_starred <> new.is_starred BEGIN"
        " UPDATE feeds SET"
        "  n_unread = n_unread + (new.is_read = 0) - (old.is_read = 0),"
        "  n_starred = n_starred + (new.is_starred <> 0)"
        "   - (old.is_starred <> 0)"
        " WHERE id = new.feed_id;"
        "END;";

static int
migrate_1(sqlite3 *db, struct err *err)
{
	return store_exec(db, schema_v1, err);
}

/* Indexes every stored item in item_fts (empty when called). */
static int
fill_index(sqlite3 *db, struct err *err)
{
	sqlite3_stmt *rd;
	sqlite3_stmt *wr;
	sqlite3_stmt *each = NULL;
	struct buf title;
	struct buf body;
	int rc = SQLITE_DONE;
	int result = 0;

	rd = store_prepare(db,
	                   "SELECT id, title, title_type, summary, "
	                   "summary_type, content FROM items",
	                   err);
	wr = store_prepare(db,
	                   "INSERT INTO item_fts (rowid, title, body) "
	                   "VALUES (?1, ?2, ?3)",
	                   err);
	if (rd == NULL || wr == NULL) {
		sqlite3_finalize(rd);
		sqlite3_finalize(wr);
		return -1;
	}
	buf_init(&title, 0);
	buf_init(&body, 0);
	while (result == 0 && (rc = sqlite3_step(rd)) == SQLITE_ROW) {
		buf_reset(&title);
		buf_reset(&body);
		if (store_index_row(db, &each, rd, 1, &title, &body, err) < 0) {
			result = -1;
			break;
		}
		sqlite3_reset(wr);
		sqlite3_bind_int64(wr, 1, sqlite3_column_int64(rd, 0));
		sqlite3_bind_text(wr, 2, buf_str(&title), -1, SQLITE_STATIC);
		sqlite3_bind_text(wr, 3, buf_str(&body), -1, SQLITE_STATIC);
		rc = sqlite3_step(wr);
		if (rc != SQLITE_DONE) {
			store_dberr(db, rc, "index articles", err);
			result = -1;
		}
	}
	if (result == 0 && rc != SQLITE_DONE) {
		store_dberr(db, rc, "index articles", err);
		result = -1;
	}
	buf_done(&title);
	buf_done(&body);
	sqlite3_finalize(each);
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	return result;
}

/*
 * Version 2: the full-text index. A plain FTS5 table keeps its own copy of
 * the text with markup stripped; the module keeps it in step with items
 * (an FTS5 table cannot be touched by triggers once trusted_schema is off).
 */
static int
migrate_2(sqlite3 *db, struct err *err)
{
	if (store_exec(db,
	               "CREATE VIRTUAL TABLE item_fts USING fts5(title, body,"
	               " tokenize = 'unicode61 remove_diacritics 2')",
	               err) < 0)
		return -1;
	return fill_index(db, err);
}

/*
 * Version 3: the index becomes contentless. Its copy of every article's
 * text was half the file (about 4 KiB an item) and half of what a refresh
 * wrote; the words and positions stay, so ranking and phrases work as
 * before. Entries are now removed by value (see search.c). It also keeps
 * which columns hold a word but not where (detail=column): positions were
 * two thirds of the cost of indexing a refresh, and phrases are checked
 * on the text of the few candidates instead.
 */
static int
migrate_3(sqlite3 *db, struct err *err)
{
	if (store_exec(db,
	               "DROP TABLE item_fts;"
	               "CREATE VIRTUAL TABLE item_fts USING fts5(title, body,"
	               " content = '', detail = column,"
	               " tokenize = 'unicode61 remove_diacritics 2')",
	               err) < 0)
		return -1;
	return fill_index(db, err);
}

/*
 * Version 4: a refresh no longer rewrites every unchanged item to stamp it
 * seen (items.seen_gen, a whole 4 KiB page per article: 100 ms to 500 ms
 * for an unchanged 1,000-item feed in a big cache). The feed keeps the ids
 * its last refresh saw instead, one JSON array in one row. And the index
 * merges its segments sixteen at a time rather than four: at a million
 * articles the merging FTS5 did after each refresh was most of its time,
 * and fewer, wider merges rewrite each entry half as often.
 */
static int
migrate_4(sqlite3 *db, struct err *err)
{
	return store_exec(db,
	                  "ALTER TABLE feeds ADD COLUMN seen_ids TEXT;"
	                  "UPDATE feeds SET seen_ids = (SELECT"
	                  " json_group_array(id) FROM items WHERE"
	                  " feed_id = feeds.id AND seen_gen ="
	                  " feeds.refresh_gen);"
	                  "INSERT INTO item_fts (item_fts, rank)"
	                  " VALUES ('automerge', 16);",
	                  err);
}

/*
 * Version 5: the feed counts of new items are added once per refresh
 * (count_new() in items.c) instead of by a trigger per row. The trigger
 * made each insert a statement that could write several rows, so SQLite
 * kept a statement journal, a copy of every page the insert touched: a
 * quarter of a 1,000-item refresh. Deletes and marks keep their triggers.
 */
static int
migrate_5(sqlite3 *db, struct err *err)
{
	return store_exec(db, "DROP TRIGGER items_count_insert", err);
}

/*
 * Version 6: FTS5's merging, tuned after a 300,000-item build stalled
 * 17 s in one refresh. FTS5 merges a level incrementally (a budget of
 * pages per commit) once it holds `automerge` segments, but merges it all
 * at once, unbounded, inside the commit that brings it to `crisismerge`
 * segments (16). With automerge at 16 too (version 4) every merge was a
 * crisis merge, cascading up the levels: a multi-second write lock that
 * would make other courant processes give up. Incremental from 8, crisis
 * only at 64: the worst refresh of that build took 0.6 s.
 */
static int
migrate_6(sqlite3 *db, struct err *err)
{
	return store_exec(db,
	                  "INSERT INTO item_fts (item_fts, rank)"
	                  " VALUES ('automerge', 8);"
	                  "INSERT INTO item_fts (item_fts, rank)"
	                  " VALUES ('crisismerge', 64);",
	                  err);
}

/*
 * Version 7: commits no longer merge the index's segments; the merging
 * moves to idle time, in small steps (store_maintain(), maintain.c). At a
 * million articles automerge was 150-235 ms of a 250 ms refresh. Idle
 * merges take a level once it holds 8 segments (usermerge); FTS5's crisis
 * merge, a whole level inside one commit, waits for 200, far above the
 * 48 at which a refresh catches up by itself (store_fts_catch_up()).
 */
static int
migrate_7(sqlite3 *db, struct err *err)
{
	return store_exec(db,
	                  "INSERT INTO item_fts (item_fts, rank)"
	                  " VALUES ('automerge', 0);"
	                  "INSERT INTO item_fts (item_fts, rank)"
	                  " VALUES ('usermerge', 8);"
	                  "INSERT INTO item_fts (item_fts, rank)"
	                  " VALUES ('crisismerge', 200);",
	                  err);
}

/* The per-feed count triggers of version 1, which version 8 drops and
 * makes again around its rebuild of feeds. */
#define COUNT_TRIGGERS                                                         \
	"CREATE TRIGGER items_count_delete AFTER DELETE ON items BEGIN"        \
	" UPDATE feeds SET n_items = n_items - 1,"                             \
	"  n_unread = n_unread - (old.is_read = 0),"                           \
	"  n_starred = n_starred - (old.is_starred <> 0)"                      \
	" WHERE id = old.feed_id;"                                             \
	"END;"                                                                 \
	"CREATE TRIGGER items_count_update AFTER UPDATE OF is_read, "          \
	"is_starred"                                                           \
	" ON items WHEN old.is_read <> new.is_read"                            \
	" OR old.is_starred <> new.is_starred BEGIN"                           \
	" UPDATE feeds SET"                                                    \
	"  n_unread = n_unread + (new.is_read = 0) - (old.is_read = 0),"       \
	"  n_starred = n_starred + (new.is_starred <> 0)"                      \
	"   - (old.is_starred <> 0)"                                           \
	" WHERE id = new.feed_id;"                                             \
	"END;"

/* The columns feeds had at version 7, copied by version 8. */
#define FEEDS_V7_COLUMNS                                                       \
	"id, url, fetch_url, user_title, feed_title, site_link, position,"     \
	" max_items, max_age_days, etag, last_modified, last_fetch,"           \
	" last_success, last_status, last_error, failures, next_fetch,"        \
	" is_dead, refresh_gen, n_items, n_unread, n_starred, added, seen_ids"

/*
 * Version 8: sync with a server (sync.c). Feeds and items may belong to a
 * sync account (`source`, with the server's `remote_id`). A remote and a
 * local feed may share a URL, so the URL is unique among local feeds only:
 * feeds is rebuilt without its UNIQUE (url) column constraint (the caller
 * turned foreign keys off, or dropping the old table would delete every
 * item), and the count triggers, which name feeds, are made again. Items
 * only gain two columns (no rewrite); the partial indexes hold remote rows
 * only, so local feeds pay nothing. sync_queue holds the changes made in
 * courant not yet pushed, one row per (item, field), its AUTOINCREMENT seq
 * never reused so a change queued during a push outlives store_sync_done();
 * sync_state, each account's small bookkeeping (since_id...).
 */
static int foreign_keys(sqlite3 *db, bool *on, struct err *err);

static int
migrate_8(sqlite3 *db, struct err *err)
{
	sqlite3_stmt *s;
	bool fk_on = true;
	int rc;

	/* With foreign keys on, DROP TABLE feeds below would delete every
	 * item by cascade: refuse rather than trust the caller. */
	if (foreign_keys(db, &fk_on, err) < 0)
		return -1;
	if (fk_on) {
		err_set(err, ERR_DB,
		        "cannot upgrade the database to version 8 with foreign "
		        "keys on (its items would be deleted); the database "
		        "was "
		        "not changed");
		return -1;
	}
	if (store_exec(db,
	               "DROP TRIGGER items_count_delete;"
	               "DROP TRIGGER items_count_update;"
	               "CREATE TABLE feeds_v8 ("
	               " id INTEGER PRIMARY KEY,"
	               " url TEXT NOT NULL,"
	               " fetch_url TEXT,"
	               " user_title TEXT,"
	               " feed_title TEXT,"
	               " site_link TEXT,"
	               " position INTEGER NOT NULL DEFAULT 0,"
	               " max_items INTEGER NOT NULL DEFAULT 0,"
	               " max_age_days INTEGER NOT NULL DEFAULT 0,"
	               " etag TEXT,"
	               " last_modified TEXT,"
	               " last_fetch INTEGER,"
	               " last_success INTEGER,"
	               " last_status INTEGER NOT NULL DEFAULT 0,"
	               " last_error TEXT,"
	               " failures INTEGER NOT NULL DEFAULT 0,"
	               " next_fetch INTEGER NOT NULL DEFAULT 0,"
	               " is_dead INTEGER NOT NULL DEFAULT 0,"
	               " refresh_gen INTEGER NOT NULL DEFAULT 0,"
	               " n_items INTEGER NOT NULL DEFAULT 0,"
	               " n_unread INTEGER NOT NULL DEFAULT 0,"
	               " n_starred INTEGER NOT NULL DEFAULT 0,"
	               " added INTEGER NOT NULL DEFAULT 0,"
	               " seen_ids TEXT,"
	               " source TEXT,"
	               " remote_id TEXT"
	               ");"
	               "INSERT INTO feeds_v8 (" FEEDS_V7_COLUMNS ")"
	               " SELECT " FEEDS_V7_COLUMNS " FROM feeds;"
	               "DROP TABLE feeds;"
	               "ALTER TABLE feeds_v8 RENAME TO feeds;"
	               "CREATE UNIQUE INDEX feeds_url ON feeds(url)"
	               " WHERE source IS NULL;"
	               "CREATE UNIQUE INDEX feeds_remote ON feeds(source,"
	               " remote_id) WHERE source IS NOT NULL;" COUNT_TRIGGERS
	               "ALTER TABLE items ADD COLUMN source TEXT;"
	               "ALTER TABLE items ADD COLUMN remote_id TEXT;"
	               "CREATE UNIQUE INDEX items_remote ON items(source,"
	               " remote_id) WHERE remote_id IS NOT NULL;"
	               "CREATE TABLE sync_queue ("
	               " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	               " item_id INTEGER NOT NULL"
	               "  REFERENCES items(id) ON DELETE CASCADE,"
	               " field INTEGER NOT NULL,"
	               " value INTEGER NOT NULL,"
	               " made INTEGER NOT NULL,"
	               " source TEXT NOT NULL,"
	               " UNIQUE (item_id, field)"
	               ");"
	               "CREATE INDEX sync_queue_source ON sync_queue(source);"
	               "CREATE TABLE sync_state ("
	               " source TEXT NOT NULL,"
	               " key TEXT NOT NULL,"
	               " value TEXT NOT NULL,"
	               " PRIMARY KEY (source, key)"
	               ") WITHOUT ROWID;",
	               err) < 0)
		return -1;
	/* What the rebuild must not have broken. */
	s = store_prepare(db, "PRAGMA foreign_key_check", err);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_ROW)
			err_set(err, ERR_DB,
			        "upgrade the database: a foreign key broke");
		else
			store_dberr(db, rc, "upgrade the database", err);
		return -1;
	}
	return 0;
}

typedef int migrate_fn(sqlite3 *db, struct err *err);

/* steps[n] brings version n - 1 to n. */
static migrate_fn *const steps[STORE_SCHEMA_VERSION + 1] = {
        NULL,      migrate_1, migrate_2, migrate_3, migrate_4,
        migrate_5, migrate_6, migrate_7, migrate_8,
};

static int
user_version(sqlite3 *db, int *v, struct err *err)
{
	sqlite3_stmt *s = store_prepare(db, "PRAGMA user_version", err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		store_dberr(db, rc, "read the schema version", err);
		sqlite3_finalize(s);
		return -1;
	}
	*v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int
foreign_keys(sqlite3 *db, bool *on, struct err *err)
{
	sqlite3_stmt *s = store_prepare(db, "PRAGMA foreign_keys", err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	*on = rc == SQLITE_ROW && sqlite3_column_int(s, 0) != 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		store_dberr(db, rc, "read the schema settings", err);
		return -1;
	}
	return 0;
}

static int
refuse_newer(int v, struct err *err)
{
	err_set(err, ERR_DB,
	        "the database was written by a newer courant (schema "
	        "version %d; this courant knows up to %d): upgrade courant, "
	        "or use another file with --db; the database was not changed",
	        v, STORE_SCHEMA_VERSION);
	return -1;
}

int
store_schema_migrate(sqlite3 *db, int target, struct err *err)
{
	char sql[64];
	bool fk_was_on = false;
	int v;
	int rc;

	if (user_version(db, &v, err) < 0)
		return -1;
	if (v > STORE_SCHEMA_VERSION)
		return refuse_newer(v, err);
	if (target < 0) {
		/* Read-only: nothing may be written, not even a migration. */
		if (v != STORE_SCHEMA_VERSION) {
			err_set(err, ERR_DB,
			        "the database (schema version %d) needs an "
			        "upgrade to version %d, but it is read-only",
			        v, STORE_SCHEMA_VERSION);
			return -1;
		}
		return 0;
	}
	/* Version 8 rebuilds feeds: with foreign keys on, dropping the old
	 * table would delete every item. The pragma is a no-op inside a
	 * transaction, so it is turned off around the steps and back on
	 * after, whatever happens (each step checks its keys itself). */
	if (v < target && foreign_keys(db, &fk_was_on, err) < 0)
		return -1;
	if (fk_was_on) {
		rc = sqlite3_exec(db, "PRAGMA foreign_keys = OFF", NULL, NULL,
		                  NULL);
		if (rc != SQLITE_OK) {
			store_dberr(db, rc, "upgrade the database", err);
			return -1;
		}
	}
	while (v < target) {
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			store_dberr(db, rc, "upgrade the database", err);
			goto fail;
		}
		/* Another process may have migrated while we waited. */
		if (user_version(db, &v, err) < 0)
			goto fail;
		if (v > STORE_SCHEMA_VERSION) {
			refuse_newer(v, err);
			goto fail;
		}
		if (v >= target)
			break;
		if (steps[v + 1](db, err) < 0)
			goto fail;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (store_exec(db, sql, err) < 0)
			goto fail;
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			store_dberr(db, rc, "upgrade the database", err);
			goto fail;
		}
		v++;
	}
	if (!sqlite3_get_autocommit(db)) {
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			store_dberr(db, rc, "upgrade the database", err);
			goto fail;
		}
	}
	if (fk_was_on) {
		rc = sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL,
		                  NULL);
		if (rc != SQLITE_OK) {
			store_dberr(db, rc, "upgrade the database", err);
			return -1;
		}
	}
	return 0;
fail:
	/* Best effort: err already says what went wrong. */
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (fk_was_on)
		sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return -1;
}
