// SPDX-License-Identifier: MIT
/*
 * Store: the file itself. Paths, modes, migrations, damaged and read-only
 * files, a full disk, change detection between processes, concurrent
 * writers and a writer killed at random moments. These use real files in
 * a temporary directory; the test reaches into the connection (private.h)
 * only to build old schemas, limit the file size and run integrity_check.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* clang-format off: cmocka needs the headers above first */
#include <cmocka.h>
/* clang-format on */

#include "courant/err.h"
#include "courant/feed.h"
#include "courant/store.h"
#include "courant/util.h"

#include "private.h"

static char tmpdir[64];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/courant-store.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* Searchable, so the read-only test's unprivileged child gets in. */
	return chmod(tmpdir, 0711);
}

static int
teardown_dir(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	(void)state;
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static long
add_feed(struct store *st, const char *url)
{
	struct store_feed_conf c = {.url = url};
	struct err err = {0};
	long id = store_feed_ensure(st, &c, &err);

	if (id < 0)
		fail_msg("add feed: %s", err.msg);
	return id;
}

/* Refreshes feed with n items keyed k0.., all titled `title`. */
static int
refresh_n(struct store *st, long feed, int n, const char *title,
          size_t body_bytes, struct err *err)
{
	struct store_refresh *r = store_refresh_new(st, feed);
	char *body = NULL;
	char key[16];

	if (body_bytes > 0) {
		body = xmalloc(body_bytes + 1);
		for (size_t i = 0; i < body_bytes; i++)
			body[i] = (char)('a' + (i * 7 + i / 5) % 26);
		body[body_bytes] = '\0';
	}
	for (int i = 0; i < n; i++) {
		struct feed_item it;

		memset(&it, 0, sizeof it);
		snprintf(key, sizeof key, "k%d", i);
		it.key = key;
		it.title.value = (char *)title;
		it.summary.value = body;
		it.published = 1000 + i;
		it.updated = FEED_DATE_UNKNOWN;
		store_refresh_add(r, &it);
	}
	free(body);
	return store_refresh_commit(r, NULL, NULL, NULL, err);
}

static int
user_version_of(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
		                       NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

static bool
integrity_ok(struct store *st)
{
	sqlite3_stmt *s;
	bool ok = false;

	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s,
	                       NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
	sqlite3_finalize(s);
	return ok;
}

static void
test_default_path(void **state)
{
	static const struct {
		const char *xdg;
		const char *home;
		const char *expect; /* "~": under the passwd entry's home */
	} cases[] = {
	        {NULL, NULL, "~"},
	        {"relative", NULL, "~"},
	        {NULL, "relative", "~"},
	        {NULL, "/home/u", "/home/u/.local/share/courant/courant.db"},
	        {"", "/home/u", "/home/u/.local/share/courant/courant.db"},
	        {"rel/dir", "/home/u",
	         "/home/u/.local/share/courant/courant.db"},
	        {"/data", "/home/u", "/data/courant/courant.db"},
	        {"/data", "relative", "/data/courant/courant.db"},
	};
	char *saved_xdg = getenv("XDG_DATA_HOME");
	char *saved_home = getenv("HOME");

	(void)state;
	saved_xdg = saved_xdg != NULL ? xstrdup(saved_xdg) : NULL;
	saved_home = saved_home != NULL ? xstrdup(saved_home) : NULL;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct err err = {0};
		char *p;

		if (cases[i].xdg != NULL)
			setenv("XDG_DATA_HOME", cases[i].xdg, 1);
		else
			unsetenv("XDG_DATA_HOME");
		if (cases[i].home != NULL)
			setenv("HOME", cases[i].home, 1);
		else
			unsetenv("HOME");
		p = store_default_path(&err);
		assert_non_null(p);
		if (str_eq(cases[i].expect, "~")) {
			/* Without a usable HOME, the password database's
			 * home (SECURITY.md 3.6). */
			struct passwd *pw = getpwuid(getuid());
			char *want;

			assert_non_null(pw);
			want = xasprintf("%s/.local/share/courant/courant.db",
			                 pw->pw_dir);
			assert_string_equal(p, want);
			free(want);
		} else {
			assert_string_equal(p, cases[i].expect);
		}
		free(p);
	}
	if (saved_xdg != NULL)
		setenv("XDG_DATA_HOME", saved_xdg, 1);
	else
		unsetenv("XDG_DATA_HOME");
	if (saved_home != NULL)
		setenv("HOME", saved_home, 1);
	free(saved_xdg);
	free(saved_home);
}

static void
test_open_errors(void **state)
{
	struct err err = {0};
	char *path;
	char *link;

	(void)state;
	assert_null(store_open(NULL, 0, &err));
	assert_int_equal(err.code, ERR_USAGE);
	assert_null(store_open("", 0, &err));
	/* A parent that is a file. */
	path = tmp_path("file");
	close(open(path, O_CREAT | O_WRONLY, 0600));
	link = tmp_path("file/sub/db");
	assert_null(store_open(link, 0, &err));
	assert_int_equal(err.code, ERR_IO);
	free(link);
	/* NOFOLLOW: a symlink as the database is refused. */
	link = tmp_path("link.db");
	assert_int_equal(symlink(path, link), 0);
	assert_null(store_open(link, 0, &err));
	assert_int_equal(err.code, ERR_DB);
	free(link);
	free(path);
}

/* A database that does not exist yet opens under every check level
 * (SQLite creates the file only at its first write). */
static void
test_open_new_file(void **state)
{
	static const unsigned flags[] = {0, STORE_OPEN_CHEAP_CHECK,
	                                 STORE_OPEN_FULL_CHECK};
	struct err err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		char name[32];
		char *path;
		struct store *st;

		snprintf(name, sizeof name, "new-%zu/courant.db", i);
		path = tmp_path(name);
		st = store_open(path, flags[i], &err);
		if (st == NULL)
			fail_msg("flags %u: %s", flags[i], err.msg);
		assert_int_equal(store_unread_total(st, &err), 0);
		store_close(st);
		free(path);
	}
}

static void
test_modes_under_umask_0(void **state)
{
	static const char *const files[] = {"", "-wal", "-shm"};
	char *path = tmp_path("a/b/courant.db");
	struct err err = {0};
	struct store *st;
	struct store *other;
	mode_t old = umask(0);
	struct stat sb;

	(void)state;
	st = store_open(path, 0, &err);
	assert_non_null(st);
	/* A second connection keeps the WAL files in place to look at. */
	other = store_open(path, 0, &err);
	assert_non_null(other);
	add_feed(st, "http://m");
	umask(old);
	for (size_t i = 0; i < 3; i++) {
		char *f = xasprintf("%s%s", path, files[i]);

		assert_int_equal(stat(f, &sb), 0);
		if ((sb.st_mode & 0777) != 0600)
			fail_msg("%s has mode %o", f, sb.st_mode & 0777);
		free(f);
	}
	for (int i = 0; i < 2; i++) {
		char *d = tmp_path(i == 0 ? "a" : "a/b");

		assert_int_equal(stat(d, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0700);
		free(d);
	}
	store_close(other);
	store_close(st);
	free(path);
}

/* Every earlier version migrates, keeping its data; then FTS finds it. */
static void
test_migrations(void **state)
{
	(void)state;
	for (int from = 0; from < STORE_SCHEMA_VERSION; from++) {
		char name[32];
		char *path;
		struct err err = {0};
		struct store *st;
		sqlite3 *db;
		struct store_page *p;
		struct store_refresh *r;
		struct store_retention old_rule = {.max_age_days = 1,
		                                   .drop_unread = true};

		snprintf(name, sizeof name, "mig%d.db", from);
		path = tmp_path(name);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(store_schema_migrate(db, from, &err), 0);
		if (from >= 1)
			assert_int_equal(
			        sqlite3_exec(
			                db,
			                "INSERT INTO feeds (url) VALUES"
			                " ('http://old');"
			                "INSERT INTO items (feed_id, key, "
			                "title,"
			                " date, first_seen, hash, summary,"
			                " summary_type, content) VALUES (1,"
			                " 'k', 'Old title', 5, 5, 1,"
			                " '<b>kept</b>', 1,"
			                " '[{\"a\":\"<i>deep</i>\",\"n\":1}]')",
			                NULL, NULL, NULL),
			        SQLITE_OK);
		/* From version 3 the index is contentless: what a store
		 * of that version wrote for the item, to the byte. */
		if (from >= 3)
			assert_int_equal(
			        sqlite3_exec(
			                db,
			                "INSERT INTO item_fts (rowid, title,"
			                " body) VALUES (1, 'Old title',"
			                " ' kept ' || char(10) || ' deep ')",
			                NULL, NULL, NULL),
			        SQLITE_OK);
		/* From version 4 a refresh records the ids it saw. */
		if (from >= 4)
			assert_int_equal(
			        sqlite3_exec(db,
			                     "UPDATE feeds SET seen_ids ="
			                     " '[1]'",
			                     NULL, NULL, NULL),
			        SQLITE_OK);
		/* From version 5 the store counts new items itself. */
		if (from >= 5)
			assert_int_equal(
			        sqlite3_exec(db,
			                     "UPDATE feeds SET n_items ="
			                     " 1, n_unread = 1",
			                     NULL, NULL, NULL),
			        SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(user_version_of(path), from);

		st = store_open(path, 0, &err);
		if (st == NULL)
			fail_msg("from %d: %s", from, err.msg);
		assert_int_equal(user_version_of(path), STORE_SCHEMA_VERSION);
		if (from >= 1) {
			p = store_search(st, "deep kept", 5, &err);
			assert_non_null(p);
			assert_int_equal(p->n, 1);
			assert_string_equal(p->rows[0].title, "Old title");
			store_page_free(p);
			/* The counters a later version relies on. */
			assert_int_equal(store_unread_total(st, &err), 1);
			/* Still in its feed's last refresh: kept by the
			 * oldest of rules (version 4 records that apart). */
			assert_int_equal(store_cleanup(st, &old_rule, 0, &err),
			                 0);
			/* Gone from the feed, it goes, index and all. */
			r = store_refresh_new(st, 1);
			assert_int_equal(
			        store_refresh_commit(r, NULL, NULL, NULL, &err),
			        0);
			assert_int_equal(store_cleanup(st, &old_rule, 0, &err),
			                 1);
			p = store_search(st, "deep kept", 5, &err);
			assert_non_null(p);
			assert_int_equal(p->n, 0);
			store_page_free(p);
		}
		store_close(st);
		/* Commits merge nothing (store_maintain() does), crisis
		 * merges far off. */
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		{
			sqlite3_stmt *s = NULL;

			assert_int_equal(
			        sqlite3_prepare_v2(
			                db,
			                "SELECT count(*) FROM item_fts_config"
			                " WHERE (k, v) IN (VALUES "
			                "('automerge', 0), ('usermerge', 8),"
			                " ('crisismerge', 200))",
			                -1, &s, NULL),
			        SQLITE_OK);
			assert_int_equal(sqlite3_step(s), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int(s, 0), 3);
			sqlite3_finalize(s);
		}
		sqlite3_close(db);
		free(path);
	}
}

static void
test_newer_refused(void **state)
{
	char *path = tmp_path("newer.db");
	struct err err = {0};
	struct store *st;
	sqlite3 *db;

	(void)state;
	st = store_open(path, 0, &err);
	assert_non_null(st);
	add_feed(st, "http://n");
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	        sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	        SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, 0, &err);
	assert_null(st);
	assert_int_equal(err.code, ERR_DB);
	assert_non_null(strstr(err.msg, "newer courant"));
	assert_non_null(strstr(err.msg, "99"));
	assert_int_equal(user_version_of(path), 99);
	free(path);
}

static bool
corrupt_copy_exists(const char *name)
{
	char *cmd = xasprintf("ls '%s' | grep -q '^%s.corrupt-'", tmpdir, name);
	int rc = system(cmd);

	free(cmd);
	return rc == 0;
}

static void
test_corrupt_garbage(void **state)
{
	char *path = tmp_path("garbage.db");
	struct err err = {0};
	struct store *st;
	char junk[8192];
	FILE *f;

	(void)state;
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 131 + 7);
	f = fopen(path, "wb");
	fwrite(junk, 1, sizeof junk, f);
	fclose(f);
	st = store_open(path, 0, &err);
	if (st == NULL)
		fail_msg("%s", err.msg);
	assert_non_null(store_notice(st));
	assert_non_null(strstr(store_notice(st), "damaged"));
	assert_true(corrupt_copy_exists("garbage.db"));
	/* A fresh, working cache. */
	assert_true(add_feed(st, "http://fresh") > 0);
	store_close(st);
	free(path);
}

static void
test_corrupt_page(void **state)
{
	char *path = tmp_path("page.db");
	struct err err = {0};
	struct store *st;
	struct stat sb;
	long f;
	int fd;

	(void)state;
	st = store_open(path, 0, &err);
	assert_non_null(st);
	f = add_feed(st, "http://p");
	assert_int_equal(refresh_n(st, f, 200, "x", 2000, &err), 0);
	store_close(st);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 40 * 4096);
	/* Scribble over a run of pages in the middle. */
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	for (off_t off = 20 * 4096; off < 30 * 4096; off += 512)
		assert_int_equal(pwrite(fd, "\xff\x00garbage\x13\x37", 11, off),
		                 11);
	close(fd);
	st = store_open(path, 0, &err);
	assert_non_null(st);
	assert_non_null(store_notice(st));
	assert_true(corrupt_copy_exists("page.db"));
	assert_int_equal(store_unread_total(st, &err), 0);
	store_close(st);
	free(path);
}

/*
 * A database the user may only read, in a child that dropped root (root
 * ignores modes): with a writable directory it opens and every write says
 * "read-only"; with the directory locked too, refusing is fine if the
 * message says why.
 */
static int
readonly_child(const char *dir, const char *path, bool dir_writable)
{
	struct store_view all = {.scope = STORE_ALL};
	struct err err = {0};
	struct store *st;
	long id;

	if (geteuid() == 0) {
		if (chown(dir, 65534, 65534) < 0 ||
		    chown(path, 65534, 65534) < 0 || setgid(65534) < 0 ||
		    setuid(65534) < 0)
			return 10;
	}
	if (access(path, W_OK) == 0)
		return 11; /* still writable: proves nothing */
	st = store_open(path, 0, &err);
	if (st == NULL) {
		fprintf(stderr, "read-only open: %s\n", err.msg);
		if (dir_writable)
			return 12;
		return strstr(err.msg, "read-only") != NULL ? 0 : 13;
	}
	if (store_notice(st) == NULL ||
	    strstr(store_notice(st), "read-only") == NULL)
		return 14;
	if (store_count(st, &all, &err) != 3)
		return 15;
	id = store_next_unread(st, 0, &err);
	if (id <= 0)
		return 16;
	if (store_mark_read(st, id, true, &err) != -1 || err.code != ERR_DB ||
	    strstr(err.msg, "read-only") == NULL) {
		fprintf(stderr, "write on read-only: %s\n", err.msg);
		return 17;
	}
	if (store_count(st, &all, &err) != 3)
		return 18;
	store_close(st);
	return 0;
}

static void
test_readonly(void **state)
{
	char *dir = tmp_path("ro");
	char *path = tmp_path("ro/courant.db");
	struct err err = {0};
	struct store *st;
	long f;

	(void)state;
	st = store_open(path, 0, &err);
	assert_non_null(st);
	f = add_feed(st, "http://ro");
	assert_int_equal(refresh_n(st, f, 3, "ro", 0, &err), 0);
	store_close(st);
	for (int dir_writable = 1; dir_writable >= 0; dir_writable--) {
		pid_t pid;
		int status;

		assert_int_equal(chmod(path, 0400), 0);
		assert_int_equal(chmod(dir, dir_writable ? 0700 : 0500), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(readonly_child(dir, path, dir_writable));
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) != 0)
			fail_msg("dir_writable %d: child said %d", dir_writable,
			         WEXITSTATUS(status));
	}
	chmod(dir, 0700);
	free(dir);
	free(path);
}

/* A full disk (a tiny page limit): the refresh fails whole and clearly,
 * and what was committed before stays. */
static void
test_full(void **state)
{
	char *path = tmp_path("full.db");
	struct store_view all = {.scope = STORE_ALL};
	struct err err = {0};
	struct store *st;
	long f;
	long g;
	int rc = 0;
	int committed = 0;

	(void)state;
	st = store_open(path, 0, &err);
	assert_non_null(st);
	f = add_feed(st, "http://full");
	g = add_feed(st, "http://full2");
	assert_int_equal(refresh_n(st, f, 10, "kept", 100, &err), 0);
	assert_int_equal(sqlite3_exec(st->db, "PRAGMA max_page_count = 120",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	for (int i = 0; i < 50 && rc == 0; i++) {
		char title[16];

		snprintf(title, sizeof title, "t%d", i);
		rc = refresh_n(st, g, 20 + i * 20, title, 3000, &err);
		if (rc == 0)
			committed = 20 + i * 20;
	}
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, ERR_DB);
	assert_non_null(strstr(err.msg, "disk is full"));
	assert_int_equal(store_count(st, &all, &err), 10 + committed);
	assert_true(integrity_ok(st));
	store_close(st);
	st = store_open(path, STORE_OPEN_FULL_CHECK, &err);
	assert_non_null(st);
	assert_null(store_notice(st));
	assert_int_equal(store_count(st, &all, &err), 10 + committed);
	store_close(st);
	free(path);
}

static void
test_data_version(void **state)
{
	char *path = tmp_path("dv.db");
	struct err err = {0};
	struct store *a;
	struct store *b;
	long f;

	(void)state;
	a = store_open(path, 0, &err);
	b = store_open(path, 0, &err);
	assert_non_null(a);
	assert_non_null(b);
	assert_false(store_changed(a));
	assert_false(store_changed(b));
	f = add_feed(a, "http://dv");
	assert_false(store_changed(a)); /* our own write */
	assert_true(store_changed(b));
	assert_false(store_changed(b));
	assert_int_equal(refresh_n(b, f, 5, "dv", 0, &err), 0);
	assert_true(store_changed(a));
	assert_false(store_changed(a));
	assert_false(store_changed(b));
	store_close(a);
	store_close(b);
	free(path);
}

/*
 * Two writers (each 200 refreshes, alternating between two feeds, plus
 * marks) and a reader paging, at once: zero failures. STORE_STRESS_SECONDS
 * turns it into a timed run (the 10 s).
 */
static void
test_concurrent_writers(void **state)
{
	char *path = tmp_path("conc.db");
	struct err err = {0};
	struct store *st;
	const char *env = getenv("STORE_STRESS_SECONDS");
	int seconds = env != NULL ? atoi(env) : 0;
	pid_t pids[3];
	long feeds[2];
	int status;

	(void)state;
	st = store_open(path, 0, &err);
	assert_non_null(st);
	feeds[0] = add_feed(st, "http://c0");
	feeds[1] = add_feed(st, "http://c1");
	store_close(st);
	for (int w = 0; w < 3; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] > 0)
			continue;
		st = store_open(path, 0, &err);
		if (st == NULL)
			_exit(100);
		int failures = 0;
		time_t end = time(NULL) + seconds;

		for (int i = 0; seconds > 0 ? time(NULL) < end : i < 200; i++) {
			char title[32];

			if (w == 2) {
				struct store_view v = {.scope = STORE_ALL};
				struct store_page *p = store_items(
				        st, &v, NULL, STORE_OLDER, 50, &err);

				if (p == NULL ||
				    store_unread_total(st, &err) < 0)
					failures++;
				store_page_free(p);
				continue;
			}
			snprintf(title, sizeof title, "w%d-%d", w, i);
			if (refresh_n(st, feeds[i % 2], 20, title, 200, &err) <
			    0) {
				fprintf(stderr, "writer %d: %s\n", w, err.msg);
				failures++;
			}
			if (store_mark_read(st, 1 + i % 20, i % 3 == 0, &err) <
			    0)
				failures++;
		}
		store_close(st);
		_exit(failures > 99 ? 99 : failures);
	}
	for (int w = 0; w < 3; w++) {
		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) != 0)
			fail_msg("process %d: %d failures", w,
			         WEXITSTATUS(status));
	}
	st = store_open(path, STORE_OPEN_FULL_CHECK, &err);
	assert_non_null(st);
	assert_true(integrity_ok(st));
	store_close(st);
	free(path);
}

/*
 * A refresh loop killed with SIGKILL at random moments, 25 times: after
 * each, the file is intact and the feed holds exactly one refresh's items
 * (all titled alike), never a mix.
 */
static void
test_crash(void **state)
{
	char *path = tmp_path("crash.db");
	struct store_view all = {.scope = STORE_ALL};
	struct err err = {0};
	struct store *st;
	long f;

	(void)state;
	srand((unsigned)time(NULL));
	st = store_open(path, 0, &err);
	assert_non_null(st);
	f = add_feed(st, "http://crash");
	assert_int_equal(refresh_n(st, f, 50, "start", 500, &err), 0);
	store_close(st);
	for (int round = 0; round < 25; round++) {
		struct store_page *p;
		struct timespec ts;
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			st = store_open(path, 0, &err);
			for (int i = 0; st != NULL; i++) {
				char title[32];

				snprintf(title, sizeof title, "r%d-%d", round,
				         i);
				refresh_n(st, f, 50, title, 500, &err);
			}
			_exit(1);
		}
		ts.tv_sec = 0;
		ts.tv_nsec = (5 + rand() % 60) * 1000000L;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));

		st = store_open(path, STORE_OPEN_FULL_CHECK, &err);
		if (st == NULL)
			fail_msg("round %d: %s", round, err.msg);
		assert_null(store_notice(st));
		assert_true(integrity_ok(st));
		p = store_items(st, &all, NULL, STORE_OLDER, 100, &err);
		assert_non_null(p);
		assert_int_equal(p->n, 50);
		for (size_t i = 1; i < p->n; i++)
			assert_string_equal(p->rows[i].title, p->rows[0].title);
		store_page_free(p);
		store_close(st);
	}
	free(path);
}

/* The index text read back from a row (to forget an entry) must be the
 * bytes the item was indexed with: the fast decoder of stored content
 * arrays against SQLite's json_each(), on every shape and escape. */
static void
test_index_row_text(void **state)
{
	static const char *const cases[] = {
	        NULL,
	        "[]",
	        " [ ] ",
	        "[{}]",
	        "[{\"a\":\"plain\",\"n\":0}]",
	        "[{\"a\":\"<p>x &amp; y</p>\",\"b\":\"fr\",\"n\":1},"
	        "{\"a\":\"two\",\"n\":2}]",
	        "[{\"a\":\"q\\\" b\\\\ s\\/ n\\n t\\t r\\r b\\b f\\f\"}]",
	        "[{\"a\":\"ctl\\u0001 caf\\u00e9 \\u2014 \\u00E9\",\"n\":0}]",
	        "[{\"a\":\"pair \\ud83d\\ude00\",\"n\":0}]",
	        "[{\"a\":\"nul \\u0000 x\",\"n\":0}]",
	        "[ { \"n\" : 1 , \"a\" : \"<b>spaced</b>\" } , {\"b\":\"x\"} ]",
	        "[{\"a\":\"x\",\"n\":-3}]",
	        "[{\"a\":5,\"n\":0}]",
	        "[{\"a\":\"dup\",\"a\":\"twice\"}]",
	        "[{\"a\":\"unterminated}]",
	        "[{\"a\":\"x\"}] trailing",
	        "{\"a\":\"not an array\"}",
	        "[{\"a\":\"raw \xc3\xa9 bytes\",\"n\":1}]",
	};
	sqlite3 *db;
	sqlite3_stmt *row;
	sqlite3_stmt *each = NULL;
	sqlite3_stmt *ref;
	struct err err = {0};

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT 'T', 0, '<i>s</i>', 1, ?1",
	                                    -1, &row, NULL),
	                 SQLITE_OK);
	assert_int_equal(
	        sqlite3_prepare_v2(
	                db,
	                "SELECT json_extract(value, '$.a'),"
	                " json_extract(value, '$.n') FROM json_each(?1)",
	                -1, &ref, NULL),
	        SQLITE_OK);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct buf title;
		struct buf body;
		struct buf want;
		char summary[] = "<i>s</i>";
		struct feed_text sum = {FEED_TEXT_HTML, summary, NULL};
		bool valid;
		int rc;

		buf_init(&title, 0);
		buf_init(&body, 0);
		buf_init(&want, 0);
		sqlite3_reset(row);
		if (cases[c] != NULL)
			sqlite3_bind_text(row, 1, cases[c], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(row, 1);
		assert_int_equal(sqlite3_step(row), SQLITE_ROW);
		rc = store_index_row(db, &each, row, 0, &title, &body, &err);
		/* The reference: what json_each() says, when it can read it. */
		store_text_for_index(&want, &sum);
		valid = cases[c] == NULL;
		if (cases[c] != NULL) {
			int r;

			sqlite3_reset(ref);
			sqlite3_bind_text(ref, 1, cases[c], -1, SQLITE_STATIC);
			while ((r = sqlite3_step(ref)) == SQLITE_ROW) {
				struct feed_text t = {
				        .type = (enum feed_text_type)
				                sqlite3_column_int(ref, 1),
				        .value = (char *)sqlite3_column_text(
				                ref, 0),
				};

				buf_putc(&want, '\n');
				store_text_for_index(&want, &t);
			}
			valid = r == SQLITE_DONE;
		}
		if (!valid) {
			/* Malformed JSON: an error, never a guess. */
			if (rc == 0)
				fail_msg("case %zu: accepted bad JSON", c);
		} else {
			if (rc != 0)
				fail_msg("case %zu: %s", c, err.msg);
			assert_string_equal(buf_str(&title), "T");
			if (strcmp(buf_str(&body), buf_str(&want)) != 0)
				fail_msg("case %zu: '%s' != '%s'", c,
				         buf_str(&body), buf_str(&want));
		}
		buf_done(&title);
		buf_done(&body);
		buf_done(&want);
	}
	sqlite3_finalize(each);
	sqlite3_finalize(ref);
	sqlite3_finalize(row);
	sqlite3_close(db);
}

/* The hits of a search, as ids in order, for comparing two states. */
static char *
search_ids(struct store *st, const char *q)
{
	struct err err = {0};
	struct store_page *p = store_search(st, q, 1000, &err);
	struct buf b;

	if (p == NULL)
		fail_msg("search %s: %s", q, err.msg);
	buf_init(&b, 0);
	for (size_t i = 0; i < p->n; i++)
		buf_printf(&b, "%ld ", p->rows[i].id);
	store_page_free(p);
	return buf_take(&b);
}

/*
 * Refreshes leave the index's segments unmerged; store_maintain() merges
 * them in bounded steps without changing a search's results, says when
 * nothing is left, and a refresh catches up by itself when nobody calls
 * it. Cases: a read-only store, an empty index, then many feeds.
 */
static void
test_maintain(void **state)
{
	static const char *const queries[] = {"kept", "delta*", "alpha beta",
	                                      "\"beta gamma\""};
	char *path = tmp_path("maintain.db");
	struct err err = {0};
	struct store *st;
	char *before[4];
	int segs;
	int r;
	int steps = 0;

	(void)state;
	/* An empty index: nothing to do. */
	st = store_open(path, 0, &err);
	assert_non_null(st);
	assert_int_equal(store_maintain(st, 0, &err), 0);
	/* Twenty refreshes, a segment each at least, none merged. */
	for (int f = 0; f < 20; f++) {
		char url[32];
		char title[64];

		snprintf(url, sizeof url, "http://f%d", f);
		snprintf(title, sizeof title, "alpha beta gamma delta%d kept",
		         f % 3);
		assert_int_equal(
		        refresh_n(st, add_feed(st, url), 5, title, 0, &err), 0);
	}
	segs = store_fts_segments(st, &err);
	assert_true(segs >= 20);
	for (size_t q = 0; q < 4; q++)
		before[q] = search_ids(st, queries[q]);
	/* Another connection writing: no wait, work left for later. */
	{
		sqlite3 *other;
		struct timespec t0;
		struct timespec t1;

		assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
		assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL,
		                              NULL, NULL),
		                 SQLITE_OK);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(store_maintain(st, 0, &err), 1);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_true(t1.tv_sec - t0.tv_sec < 2);
		assert_int_equal(store_fts_segments(st, &err), segs);
		sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(other);
	}
	/* One step per call with no budget; each merges a little. */
	do {
		r = store_maintain(st, 0, &err);
		steps++;
	} while (r == 1 && steps < 1000);
	assert_int_equal(r, 0);
	assert_true(store_fts_segments(st, &err) < STORE_FTS_MERGE_MIN);
	assert_int_equal(store_maintain(st, 100, &err), 0);
	for (size_t q = 0; q < 4; q++) {
		char *after = search_ids(st, queries[q]);

		assert_true(strlen(before[q]) > 0);
		assert_string_equal(after, before[q]);
		free(after);
		free(before[q]);
	}
	assert_true(integrity_ok(st));
	store_close(st);

	/* Read-only: nothing written, nothing to report. */
	st = store_open(path, STORE_OPEN_READONLY, &err);
	assert_non_null(st);
	assert_int_equal(store_maintain(st, 0, &err), 0);
	store_close(st);

	/* Nobody maintains: refreshes keep the segments bounded. */
	st = store_open(path, 0, &err);
	assert_non_null(st);
	for (int i = 0; i < 120; i++) {
		char title[32];

		snprintf(title, sizeof title, "round %d", i);
		assert_int_equal(refresh_n(st, 1, 3, title, 0, &err), 0);
		assert_true(store_fts_segments(st, &err) <= 64);
	}
	/* Nor do a clean-up of many feeds, one transaction each, and
	 * feeds removed one after the other. */
	{
		struct store_retention keep_one = {.max_items = 1,
		                                   .drop_unread = true};
		long first = 0;

		for (int f = 0; f < 80; f++) {
			char url[32];
			long id;

			snprintf(url, sizeof url, "http://g%d", f);
			id = add_feed(st, url);
			if (f == 0)
				first = id;
			assert_int_equal(refresh_n(st, id, 3, "gone", 0, &err),
			                 0);
			/* Not in its last refresh: retention may drop it. */
			assert_int_equal(refresh_n(st, id, 1, "gone", 0, &err),
			                 0);
		}
		while (store_maintain(st, 1000, &err) == 1)
			;
		assert_true(store_cleanup(st, &keep_one, 0, &err) >= 80);
		assert_true(store_fts_segments(st, &err) <= 64);
		for (long id = first; id < first + 80; id++) {
			assert_int_equal(store_feed_remove(st, id, &err), 0);
			assert_true(store_fts_segments(st, &err) <= 64);
		}
	}
	assert_true(integrity_ok(st));
	store_close(st);
	free(path);
}

/* The ids FTS5 itself ranks for q (a raw FTS5 query), best first. */
static char *
native_ids(struct store *st, const char *q)
{
	sqlite3_stmt *s;
	struct buf b;

	assert_int_equal(sqlite3_prepare_v2(st->db,
	                                    "SELECT rowid FROM item_fts WHERE"
	                                    " item_fts MATCH ?1 ORDER BY"
	                                    " courant_rank(item_fts) DESC,"
	                                    " rowid DESC",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
	buf_init(&b, 0);
	while (sqlite3_step(s) == SQLITE_ROW)
		buf_printf(&b, "%ld ", (long)sqlite3_column_int64(s, 0));
	sqlite3_finalize(s);
	return buf_take(&b);
}

/*
 * A prefix of few words is searched as those words OR'ed: the same hits
 * in the same order as FTS5's own prefix query. Cases: no word, one, a
 * few (some in the title, some twice in one text), with another word,
 * and more than PREFIX_WORDS_MAX (FTS5's prefix itself).
 */
static void
test_prefix_words(void **state)
{
	static const struct {
		const char *query;
		const char *native;
	} cases[] = {
	        {"zzz*", "\"zzz\"*"}, {"solo*", "\"solo\"*"},
	        {"pre*", "\"pre\"*"}, {"common pre*", "\"common\" \"pre\"*"},
	        {"w*", "\"w\"*"},
	};
	static const char *const words[] = {"pre",    "prefix", "press",
	                                    "preset", "prey",   "pretty"};
	char *path = tmp_path("prefix.db");
	struct err err = {0};
	struct store *st;
	long feed;

	(void)state;
	st = store_open(path, 0, &err);
	assert_non_null(st);
	feed = add_feed(st, "http://p");
	{
		struct store_refresh *r = store_refresh_new(st, feed);

		for (int i = 0; i < 40; i++) {
			struct feed_item it;
			char key[16];
			char title[128];
			char body[256];

			memset(&it, 0, sizeof it);
			snprintf(key, sizeof key, "k%d", i);
			snprintf(title, sizeof title, "%s %s%s", words[i % 6],
			         i % 7 == 0 ? "solo " : "",
			         i % 3 == 0 ? "common" : "other");
			/* Forty words starting with w: past the limit. */
			snprintf(body, sizeof body, "%s w%c%c filler %s text",
			         words[(i * 5) % 6], 'a' + i % 26, 'a' + i / 26,
			         i % 4 == 0 ? words[(i + 1) % 6] : "");
			it.key = key;
			it.title.value = title;
			it.summary.value = body;
			it.published = 1000 + i;
			it.updated = FEED_DATE_UNKNOWN;
			store_refresh_add(r, &it);
		}
		assert_int_equal(
		        store_refresh_commit(r, NULL, NULL, NULL, &err), 0);
	}
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		char *got = search_ids(st, cases[c].query);
		char *want = native_ids(st, cases[c].native);

		if (strcmp(got, want) != 0)
			fail_msg("%s: '%s' != '%s'", cases[c].query, got, want);
		if (c > 0 && strlen(got) == 0)
			fail_msg("%s: no hits", cases[c].query);
		free(got);
		free(want);
	}
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_default_path),
	        cmocka_unit_test(test_open_errors),
	        cmocka_unit_test(test_open_new_file),
	        cmocka_unit_test(test_modes_under_umask_0),
	        cmocka_unit_test(test_migrations),
	        cmocka_unit_test(test_newer_refused),
	        cmocka_unit_test(test_corrupt_garbage),
	        cmocka_unit_test(test_corrupt_page),
	        cmocka_unit_test(test_readonly),
	        cmocka_unit_test(test_full),
	        cmocka_unit_test(test_data_version),
	        cmocka_unit_test(test_concurrent_writers),
	        cmocka_unit_test(test_crash),
	        cmocka_unit_test(test_index_row_text),
	        cmocka_unit_test(test_maintain),
	        cmocka_unit_test(test_prefix_words),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
