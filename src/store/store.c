// SPDX-License-Identifier: MIT
/*
 * Opening the store: where the file lives, the connection settings of
 * SECURITY.md 3.3, the start-up check with its corrupt-file policy, and the
 * helpers every other file of the module uses (errors, statements,
 * transactions).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "courant/err.h"
#include "courant/store.h"
#include "courant/util.h"

#include "private.h"

/* A file this small is fully checked at every start (about 30 ms); a
 * bigger one only when asked, so that a big cache still opens at once. */
#define FULL_CHECK_MAX_BYTES (64 << 20)
/* With STORE_OPEN_CHEAP_CHECK: a new or tiny file (a few ms). */
#define CHEAP_CHECK_MAX_BYTES (1 << 20)
#define MAX_VALUE_BYTES (16 << 20)
/* Reading the schema is enough to notice a file that is no database. */
#define SCHEMA_READ_SQL "SELECT 'ok' FROM (SELECT count(*) FROM sqlite_schema)"

static const char *const stmt_sql[STMT_COUNT_] = {
        [STMT_ITEM_FIND] = "SELECT id, hash FROM items WHERE feed_id = ?1 "
                           "AND key = ?2",
        [STMT_ITEM_INSERT] =
                "INSERT INTO items (feed_id, key, guid, title, title_type, "
                "title_lang, link, author, published, updated, summary, "
                "summary_type, summary_lang, content, links, authors, "
                "enclosures, categories, comments, hash, seen_gen, first_seen, "
                "date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
                "CASE WHEN ?23 IS NULL OR ?23 > ?22 + 86400 THEN ?22 "
                "ELSE ?23 END)",
        [STMT_ITEM_UPDATE] =
                "UPDATE items SET guid = ?3, title = ?4, title_type = ?5, "
                "title_lang = ?6, link = ?7, author = ?8, published = ?9, "
                "updated = ?10, summary = ?11, summary_type = ?12, "
                "summary_lang = ?13, content = ?14, links = ?15, authors = "
                "?16, "
                "enclosures = ?17, categories = ?18, comments = ?19, "
                "hash = ?20, seen_gen = ?21, "
                "date = CASE WHEN ?23 IS NULL OR ?23 > first_seen + 86400 "
                "THEN first_seen ELSE ?23 END "
                "WHERE id = ?1 AND feed_id = ?2",
        [STMT_FTS_INSERT] = "INSERT INTO item_fts (rowid, title, body) "
                            "VALUES (?1, ?2, ?3)",
        /* A contentless index forgets an entry by its text. */
        [STMT_FTS_DELETE] = "INSERT INTO item_fts (item_fts, rowid, title, "
                            "body) VALUES ('delete', ?1, ?2, ?3)",
        [STMT_FTS_OLD] = "SELECT title, title_type, summary, summary_type, "
                         "content FROM items WHERE id = ?1",
        [STMT_SEARCH_ROW] = "SELECT " ROW_COLUMNS ", i.title, i.title_type, "
                            "i.summary, i.summary_type, i.content FROM items i "
                            "JOIN feeds f ON f.id = i.feed_id WHERE i.id = ?1",
        [STMT_DATA_VERSION] = "PRAGMA data_version",
        /* The marks return the item's source: a remote item's change is
         * queued (items.c) without a second lookup. */
        [STMT_MARK_READ] = "UPDATE items SET is_read = ?2 WHERE id = ?1 "
                           "AND is_read <> ?2 RETURNING source",
        [STMT_MARK_STARRED] = "UPDATE items SET is_starred = ?2 WHERE id = "
                              "?1 AND is_starred <> ?2 RETURNING source",
        /* Replacing the row gives it a new seq and the last value. */
        [STMT_QUEUE_CHANGE] = "INSERT OR REPLACE INTO sync_queue (item_id, "
                              "field, value, made, source) VALUES (?1, ?2, "
                              "?3, ?4, ?5)",
};

void
store_dberr(sqlite3 *db, int rc, const char *what, struct err *err)
{
	const char *detail;

	if (db != NULL && sqlite3_extended_errcode(db) == rc)
		detail = sqlite3_errmsg(db);
	else
		detail = sqlite3_errstr(rc);
	switch (rc & 0xff) {
	case SQLITE_FULL:
		err_set(err, ERR_DB,
		        "%s: the disk is full (%s); nothing was changed", what,
		        detail);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		err_set(err, ERR_DB,
		        "%s: the database stayed locked by another courant "
		        "for %d s; try again",
		        what, STORE_BUSY_TIMEOUT_MS / 1000);
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		err_set(err, ERR_DB,
		        "%s: the database file is damaged (%s); restart "
		        "courant to set it aside",
		        what, detail);
		break;
	case SQLITE_READONLY:
		err_set(err, ERR_DB,
		        "%s: the database is read-only (%s): check the "
		        "permissions of the file and its directory",
		        what, detail);
		break;
	case SQLITE_IOERR:
		err_set(err, ERR_DB, "%s: I/O error on the database (%s)", what,
		        detail);
		break;
	case SQLITE_CANTOPEN:
		err_set(err, ERR_DB, "%s: cannot open the database (%s)", what,
		        detail);
		break;
	case SQLITE_TOOBIG:
		err_set(err, ERR_DB, "%s: a value is too big to store", what);
		break;
	default:
		err_set(err, ERR_DB, "%s: %s", what, detail);
		break;
	}
}

int
store_step_done(struct store *st, sqlite3_stmt *s, const char *what,
                struct err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, what, err);
		return -1;
	}
	return 0;
}

int
store_exec(sqlite3 *db, const char *sql, struct err *err)
{
	int rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_dberr(db, rc, "database", err);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
store_prepare(sqlite3 *db, const char *sql, struct err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		store_dberr(db, rc, "database", err);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

sqlite3_stmt *
store_stmt(struct store *st, enum stmt_id id, struct err *err)
{
	sqlite3_stmt *s = st->stmts[id];
	int rc;

	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	rc = sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
	                        SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK) {
		store_dberr(st->db, rc, "database", err);
		sqlite3_finalize(s);
		return NULL;
	}
	st->stmts[id] = s;
	return s;
}

int
store_begin(struct store *st, struct err *err)
{
	int rc;

	/* IMMEDIATE takes the write lock now, while the busy handler can
	 * still wait for it; a deferred read-then-write would fail with
	 * SQLITE_BUSY under contention instead (SECURITY.md 3.3). */
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_dberr(st->db, rc, "begin a change", err);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_commit(struct store *st, struct err *err)
{
	int rc;

	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_dberr(st->db, rc, "save changes", err);
		/* A failed COMMIT may leave the transaction open: give it
		 * back so the previous state stays what everyone sees. */
		store_rollback(st);
		return -1;
	}
	return 0;
}

int
store_bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
}

int
store_bind_time(sqlite3_stmt *s, int i, feed_time t)
{
	if (t == FEED_DATE_UNKNOWN)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_int64(s, i, t);
}

char *
store_col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(s, i);
	return xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

feed_time
store_col_time(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return FEED_DATE_UNKNOWN;
	return sqlite3_column_int64(s, i);
}

feed_time
store_now(void)
{
	return (feed_time)time(NULL);
}

char *
store_default_path(struct err *err)
{
	const char *data = getenv("XDG_DATA_HOME");
	char *home;
	char *path;

	/* The XDG spec: a relative path in the variable is invalid and
	 * must be ignored. */
	if (data != NULL && data[0] == '/')
		return xasprintf("%s/courant/courant.db", data);
	home = home_dir();
	if (home == NULL) {
		err_set(err, ERR_IO,
		        "cannot find the database: neither XDG_DATA_HOME nor "
		        "HOME is an absolute path, and the user has no home "
		        "directory (use --db PATH)");
		return NULL;
	}
	path = xasprintf("%s/.local/share/courant/courant.db", home);
	free(home);
	return path;
}

/* Creates the missing directories above path, each 0700 whatever the
 * umask; directories that exist are left as the user made them. */
static int
make_parents(const char *path, struct err *err)
{
	char *dir = xstrdup(path);
	char *p;
	int rc = 0;

	p = strrchr(dir, '/');
	if (p == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; rc == 0; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == 0) {
			if (chmod(dir, 0700) < 0)
				rc = -1;
		} else if (errno != EEXIST) {
			/* EACCES on a directory we may not write but which
			 * is there is fine: only a missing one is fatal. */
			int saved = errno;
			struct stat sb;

			if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
				errno = saved;
				rc = -1;
			}
		}
		if (rc < 0)
			err_set(err, ERR_IO, "cannot create directory %s: %s",
			        dir, strerror(errno));
		if (last)
			break;
		*p = '/';
	}
	free(dir);
	return rc;
}

static bool
is_corrupt_rc(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* Runs a check pragma; 0 when it says ok, 1 when it found damage (err
 * says what), -1 when it could not run. */
static int
run_check(sqlite3 *db, const char *sql, struct err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	int result = 0;

	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *msg = (const char *)sqlite3_column_text(s, 0);

		if (msg == NULL || strcmp(msg, "ok") != 0) {
			err_set(err, ERR_DB, "the database file is damaged: %s",
			        msg != NULL ? msg : "unknown problem");
			result = 1;
		}
	} else if (is_corrupt_rc(rc)) {
		store_dberr(db, rc, "check the database", err);
		result = 1;
	} else {
		store_dberr(db, rc, "check the database", err);
		result = -1;
	}
	sqlite3_finalize(s);
	return result;
}

static int
pragma_text(sqlite3 *db, const char *sql, char *out, size_t size,
            struct err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		store_dberr(db, rc, "set up the database", err);
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ? -1 : rc;
	}
	snprintf(out, size, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return 0;
}

static void
add_notice(struct store *st, const char *text)
{
	char *old = st->notice;

	if (old == NULL)
		st->notice = xstrdup(text);
	else
		st->notice = xasprintf("%s; %s", old, text);
	free(old);
}

/* Network filesystems break WAL's shared memory: say so (SECURITY 3.3). */
static void
warn_network_fs(struct store *st)
{
	struct statfs sf;

	if (statfs(st->path, &sf) < 0)
		return;
	switch ((unsigned long)sf.f_type) {
	case 0x6969UL:     /* NFS */
	case 0xFF534D42UL: /* CIFS */
	case 0xFE534D42UL: /* SMB2 */
	case 0x517BUL:     /* SMB */
		add_notice(st, "the database is on a network filesystem, "
		               "where SQLite's locking is unreliable: "
		               "keep it on a local disk");
		break;
	default:
		break;
	}
}

/*
 * One connection with every setting applied and the file checked.
 * Returns 0, -1 on a plain failure, 1 when the file is damaged.
 */
static int
connect_db(struct store *st, struct err *err)
{
	bool memory = strcmp(st->path, ":memory:") == 0;
	bool readonly = (st->flags & STORE_OPEN_READONLY) != 0;
	int oflags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE;
	char mode[32];
	struct stat sb;
	int rc;
	int r;

	oflags |= readonly ? SQLITE_OPEN_READONLY
	                   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(st->path, &st->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		store_dberr(st->db, rc, st->path, err);
		return -1;
	}
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (store_exec(st->db,
	               "PRAGMA trusted_schema = OFF; PRAGMA foreign_keys = ON; "
	               "PRAGMA cell_size_check = ON; PRAGMA mmap_size = 0;",
	               err) < 0)
		return is_corrupt_rc(sqlite3_extended_errcode(st->db)) ? 1 : -1;
	if (store_search_setup(st, err) < 0)
		return -1;

	if (!(st->flags & STORE_OPEN_NO_CHECK) && !memory) {
		off_t max = st->flags & STORE_OPEN_CHEAP_CHECK
		                    ? CHEAP_CHECK_MAX_BYTES
		                    : FULL_CHECK_MAX_BYTES;
		/* SQLite creates the file at the first write: a path that
		 * is not there yet is a new, empty database. */
		bool full = (st->flags & STORE_OPEN_FULL_CHECK) ||
		            stat(st->path, &sb) != 0 || sb.st_size <= max;

		/* The cheap check still reads the header and the whole
		 * schema, and walks the (small) feeds table. */
		if (full)
			r = run_check(st->db, "PRAGMA quick_check", err);
		else
			r = run_check(st->db, "PRAGMA quick_check(feeds)", err);
		if (r != 0)
			return r;
	} else if (!memory) {
		r = run_check(st->db, SCHEMA_READ_SQL, err);
		if (r != 0)
			return r;
	}

	if (readonly || sqlite3_db_readonly(st->db, "main") == 1) {
		if (!readonly)
			add_notice(st, "the database is read-only: changes "
			               "will not be saved");
		return 0;
	}
	r = pragma_text(st->db, "PRAGMA journal_mode = WAL", mode, sizeof mode,
	                err);
	if (r != 0)
		return is_corrupt_rc(r) ? 1 : -1;
	if (strcmp(mode, "wal") != 0 && !memory) {
		err_set(err, ERR_DB,
		        "%s: cannot switch the database to WAL mode (got %s)",
		        st->path, mode);
		return -1;
	}
	/* A refresh touches the items' indexes and the FTS b-trees all
	 * over a big file: with SQLite's default 2 MiB of cache it rereads
	 * pages from the kernel for every item (5x slower at 100,000
	 * items). The cache only grows as pages are used, so a short
	 * `courant list` stays small. */
	/* A commit copies the log into the file itself (and syncs) once it
	 * holds 4,096 pages, not SQLite's 1,000: a 1,000-article refresh
	 * writes over 1,000, so each paid for a checkpoint. Idle time does
	 * them instead (store_maintain()). */
	if (store_exec(
	            st->db,
	            "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;"
	            " PRAGMA wal_autocheckpoint = 4096",
	            err) < 0)
		return -1;
	return 0;
}

static void
disconnect(struct store *st)
{
	for (int i = 0; i < STMT_COUNT_; i++) {
		sqlite3_finalize(st->stmts[i]);
		st->stmts[i] = NULL;
	}
	sqlite3_finalize(st->json_each);
	st->json_each = NULL;
	st->have_vocab = false; /* a temp table, gone with the connection */
	if (st->tok != NULL)
		st->tokenizer.xDelete(st->tok);
	st->tok = NULL;
	if (st->db != NULL) {
		/* A passive checkpoint never waits for other processes; the
		 * last connection to close checkpoints and removes the WAL
		 * file itself. */
		if (!(st->flags & STORE_OPEN_READONLY))
			sqlite3_wal_checkpoint_v2(st->db, NULL,
			                          SQLITE_CHECKPOINT_PASSIVE,
			                          NULL, NULL);
		sqlite3_close_v2(st->db);
		st->db = NULL;
	}
}

/* Renames path and its -wal and -shm to path.corrupt-STAMP*. */
static int
move_aside(struct store *st, struct err *err)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	char *dest = NULL;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char *from = xasprintf("%s%s", st->path, suffixes[i]);
		char *to = xasprintf("%s.corrupt-%s%s", st->path, stamp,
		                     suffixes[i]);

		if (rename(from, to) < 0 && (errno != ENOENT || i == 0)) {
			err_set(err, ERR_IO, "cannot move damaged %s aside: %s",
			        from, strerror(errno));
			free(from);
			free(to);
			free(dest);
			return -1;
		}
		if (i == 0)
			dest = xstrdup(to);
		free(from);
		free(to);
	}
	st->was_reset = true;
	free(st->notice);
	st->notice = xasprintf(
	        "the database %s was damaged; it was moved to %s and a new, "
	        "empty cache was started: feeds will be fetched again, and "
	        "read and starred marks kept only in the moved file",
	        st->path, dest);
	free(dest);
	return 0;
}

static void
read_data_version(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, STMT_DATA_VERSION, NULL);

	if (s == NULL)
		return;
	if (sqlite3_step(s) == SQLITE_ROW) {
		st->data_version = sqlite3_column_int64(s, 0);
		st->have_data_version = true;
	}
	sqlite3_reset(s);
}

struct store *
store_open(const char *path, unsigned flags, struct err *err)
{
	struct store *st;
	bool memory;
	mode_t old_mask;
	int r;

	if (path == NULL || path[0] == '\0') {
		err_set(err, ERR_USAGE, "no database path given");
		return NULL;
	}
	memory = strcmp(path, ":memory:") == 0;
	if (!memory && !(flags & STORE_OPEN_READONLY) &&
	    make_parents(path, err) < 0)
		return NULL;
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->flags = flags;
	buf_init(&st->fts_title, 0);
	buf_init(&st->fts_body, 0);

	/* SQLite creates the file (and the -wal and -shm, which copy its
	 * mode) with 0644 minus the umask: a umask of 077 while it does
	 * makes them 0600 whatever the user's own umask is. */
	old_mask = umask(077);
	r = connect_db(st, err);
	if (r == -1 && !memory && !(flags & STORE_OPEN_READONLY) &&
	    st->db != NULL &&
	    (sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_READONLY) {
		/* A file we may only read: still show what it holds. */
		struct err first = err != NULL ? *err : (struct err){0};

		disconnect(st);
		st->flags |= STORE_OPEN_READONLY;
		r = connect_db(st, err);
		if (r == 0)
			add_notice(st, "the database is read-only: changes "
			               "will not be saved");
		else if (err != NULL)
			*err = first;
	}
	if (r == 1 && !memory && !(st->flags & STORE_OPEN_READONLY)) {
		disconnect(st);
		if (move_aside(st, err) == 0)
			r = connect_db(st, err);
		else
			r = -1;
	}
	if (r == 0 && !(st->flags & STORE_OPEN_READONLY) &&
	    sqlite3_db_readonly(st->db, "main") != 1)
		r = store_schema_migrate(st->db, STORE_SCHEMA_VERSION, err);
	else if (r == 0)
		r = store_schema_migrate(st->db, -1, err);
	umask(old_mask);
	if (r != 0) {
		if (r > 0)
			err_set(err, ERR_DB, "%s: the database file is damaged",
			        path);
		store_close(st);
		return NULL;
	}
	if (!memory)
		warn_network_fs(st);
	read_data_version(st);
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	disconnect(st);
	free(st->path);
	free(st->notice);
	buf_done(&st->fts_title);
	buf_done(&st->fts_body);
	free(st);
}

const char *
store_notice(const struct store *st)
{
	return st->notice;
}

bool
store_was_reset(const struct store *st)
{
	return st->was_reset;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

int
store_check(struct store *st, struct err *err)
{
	return run_check(st->db, "PRAGMA quick_check", err) == 0 ? 0 : -1;
}

bool
store_changed(struct store *st)
{
	int64_t old = st->data_version;
	bool had = st->have_data_version;

	read_data_version(st);
	return had && st->have_data_version && st->data_version != old;
}

void
store_set_retention(struct store *st, const struct store_retention *r)
{
	st->retention = *r;
}
