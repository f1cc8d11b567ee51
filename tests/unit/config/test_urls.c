// SPDX-License-Identifier: MIT
/* The urls file: parsing, its errors and warnings, editing it in place,
 * the file checks, XDG paths and syncing the store with it. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/config.h"
#include "courant/store.h"
#include "courant/util.h"

static char tmpdir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/courant-urls-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int r;

	(void)state;
	r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_take(&b);
}

static struct urls *
parse(const char *text, struct err *err)
{
	return urls_parse("urls", text, strlen(text), err);
}

static void
test_empty(void **state)
{
	struct err err = {0};
	struct urls *u;

	(void)state;
	u = urls_parse("urls", NULL, 0, &err);
	assert_non_null(u);
	assert_true(u->exists);
	assert_int_equal(u->n, 0);
	urls_free(u);
	u = parse("\n\n   \n# only a comment\n\t\n", &err);
	assert_non_null(u);
	assert_int_equal(u->n, 0);
	assert_int_equal(u->n_warnings, 0);
	assert_null(urls_find(u, "http://a/"));
	urls_free(u);
	urls_free(NULL);
}

static void
test_constructs(void **state)
{
	static const char text[] =
	        "\xef\xbb\xbf# my feeds\n"
	        "http://a.example/feed\n"
	        "https://b.example/rss news tech # a comment\n"
	        "  https://c.example/x \"~C's \\\"best\\\" feed\" \"long "
	        "tag\"\r\n"
	        "http://d.example/ \"!\" news news ~Dee\n"
	        "file:///tmp/local.xml local\n"
	        "http://e.example/#frag \"a\\\\b\"\n";
	struct err err = {0};
	struct urls *u = parse(text, &err);
	const struct urls_entry *e;

	(void)state;
	assert_non_null(u);
	assert_int_equal(u->n, 6);
	e = &u->entries[0];
	assert_string_equal(e->url, "http://a.example/feed");
	assert_int_equal(e->line, 2);
	assert_null(e->title);
	assert_int_equal(e->n_tags, 0);
	assert_false(e->is_hidden);
	e = &u->entries[1];
	assert_int_equal(e->n_tags, 2);
	assert_string_equal(e->tags[0], "news");
	assert_string_equal(e->tags[1], "tech");
	e = &u->entries[2];
	assert_int_equal(e->line, 4);
	assert_string_equal(e->title, "C's \"best\" feed");
	assert_int_equal(e->n_tags, 1);
	assert_string_equal(e->tags[0], "long tag");
	e = &u->entries[3];
	assert_true(e->is_hidden);
	assert_string_equal(e->title, "Dee");
	assert_int_equal(e->n_tags, 1); /* the repeated tag once */
	e = urls_find(u, "file:///tmp/local.xml");
	assert_non_null(e);
	assert_string_equal(e->tags[0], "local");
	e = urls_find(u, "http://e.example/#frag");
	assert_non_null(e);
	assert_string_equal(e->tags[0], "a\\b");
	urls_free(u);
}

static void
test_warnings(void **state)
{
	static const char text[] = "http://a/\n"
	                           "exec:~/bin/make-feed.sh\n"
	                           "\"query:unread:unread = \\\"yes\\\"\"\n"
	                           "filter:~/f.sh:http://b/\n"
	                           "http://a/ again\n";
	struct err err = {0};
	struct urls *u = parse(text, &err);

	(void)state;
	assert_non_null(u);
	assert_int_equal(u->n, 1);
	assert_int_equal(u->entries[0].n_tags, 0);
	assert_int_equal(u->n_warnings, 4);
	assert_int_equal(u->warnings[0].line, 2);
	assert_non_null(strstr(u->warnings[0].msg, "'exec:'"));
	assert_int_equal(u->warnings[1].line, 3);
	assert_non_null(strstr(u->warnings[1].msg, "'query:'"));
	assert_int_equal(u->warnings[2].line, 4);
	assert_non_null(strstr(u->warnings[2].msg, "'filter:'"));
	assert_int_equal(u->warnings[3].line, 5);
	assert_non_null(strstr(u->warnings[3].msg, "line 1"));
	assert_string_equal(u->warnings[3].file, "urls");
	urls_free(u);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
	        {"", NULL},
	        {"http://a/\nftp://b/x\n",
	         "urls:2: 'ftp://b/x' is not an http"},
	        {"javascript:alert(1)\n", "urls:1: 'javascript:alert(1)' is"},
	        {"-oProxyCommand=x\n", "urls:1: '-oProxyCommand=x' is not"},
	        {"http://a/ \"unclosed\n", "urls:1: a quote is not closed"},
	        {"\n\nhttp://a/ \"x\"y\n", "urls:3: text right after"},
	        {"http://a/ \"~\"\n", "urls:1: an empty \"~title\""},
	        {"http://a/ ~A ~B\n", "urls:1: a second \"~title\""},
	        {"http://a/ \"\"\n", "urls:1: an empty tag"},
	        {"http://a/\nhttp://b/ t\x01g\n",
	         "urls:2: a control character"},
	        {"http://a/\n\nhttp://b/ caf\xc3\n", "urls:3: not valid UTF-8"},
	        {"http:///nohost\n", "urls:1: 'http:///nohost' is not"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct err err = {0};
		struct urls *u = parse(cases[i].text, &err);

		if (cases[i].msg == NULL) {
			assert_non_null(u);
			urls_free(u);
			continue;
		}
		if (u != NULL || !str_starts_with(err.msg, cases[i].msg))
			fail_msg("case %zu: got '%s', want '%s'", i, err.msg,
			         cases[i].msg);
		assert_int_equal(err.code, ERR_PARSE);
	}
	{
		/* A NUL is refused with its line. */
		struct err err = {0};

		assert_null(urls_parse("urls", "http://a/\nx\0y\n", 14, &err));
		assert_string_equal(err.msg, "urls:2: a NUL byte");
	}
}

static void
test_files(void **state)
{
	struct err err = {0};
	struct urls *u;
	char *path = xasprintf("%s/urls", tmpdir);
	char *big;

	(void)state;
	/* Missing: not an error, and not the same as empty. */
	u = urls_load(path, &err);
	assert_non_null(u);
	assert_false(u->exists);
	urls_free(u);
	write_file(path, "", 0);
	u = urls_load(path, &err);
	assert_non_null(u);
	assert_true(u->exists);
	assert_int_equal(u->n, 0);
	urls_free(u);
	/* /dev/null reads as empty. */
	u = urls_load("/dev/null", &err);
	assert_non_null(u);
	assert_true(u->exists);
	urls_free(u);
	/* Not a regular file. */
	assert_null(urls_load(tmpdir, &err));
	assert_non_null(strstr(err.msg, "not a regular file"));
	/* Over 1 MiB. */
	big = xmalloc(CONFIG_MAX_FILE + 2);
	memset(big, '#', CONFIG_MAX_FILE + 1);
	write_file(path, big, CONFIG_MAX_FILE + 1);
	assert_null(urls_load(path, &err));
	assert_non_null(strstr(err.msg, "larger than"));
	write_file(path, big, CONFIG_MAX_FILE);
	u = urls_load(path, &err);
	assert_non_null(u);
	urls_free(u);
	free(big);
	/* Errors carry the path. */
	write_file(path, "http://a/\n\xff\n", 12);
	assert_null(urls_load(path, &err));
	big = xasprintf("%s:2: not valid UTF-8", path);
	assert_string_equal(err.msg, big);
	free(big);
	free(path);
}

static void
test_edit(void **state)
{
	static const char before[] = "# news\n"
	                             "http://a/ news \"~A\"   # keep me\n"
	                             "\n"
	                             "exec:~/x.sh\n"
	                             "http://b/";
	struct err err = {0};
	char *path = xasprintf("%s/sub/dir/urls", tmpdir);
	const char *tags[] = {"two words", "x\"y", "plain"};
	struct urls_add add[] = {
	        {"http://c/", "C \"q\"", tags, 3, true},
	        {"http://a/", NULL, NULL, 0, false}, /* already there */
	        {"http://c/", NULL, NULL, 0, false}, /* twice */
	};
	struct urls *u;
	char *text;
	struct stat sb;

	(void)state;
	/* Creates the file and its directories. */
	assert_int_equal(urls_file_append(path, add + 1, 1, &err), 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	text = read_all(path);
	assert_string_equal(text, "http://a/\n");
	free(text);
	write_file(path, before, strlen(before));
	assert_int_equal(urls_file_append(path, add, 3, &err), 1);
	text = read_all(path);
	assert_string_equal(text, "# news\n"
	                          "http://a/ news \"~A\"   # keep me\n"
	                          "\n"
	                          "exec:~/x.sh\n"
	                          "http://b/\n"
	                          "http://c/ \"two words\" \"x\\\"y\" plain "
	                          "\"~C \\\"q\\\"\" \"!\"\n");
	free(text);
	/* What was written reads back the same. */
	u = urls_load(path, &err);
	assert_non_null(u);
	assert_int_equal(u->n, 3);
	assert_string_equal(u->entries[2].title, "C \"q\"");
	assert_string_equal(u->entries[2].tags[0], "two words");
	assert_string_equal(u->entries[2].tags[1], "x\"y");
	assert_true(u->entries[2].is_hidden);
	urls_free(u);
	/* A URL the file could not read back is refused, nothing written. */
	{
		static const char *const bad[] = {"http://:80/f", "-x",
		                                  "javascript:alert(1)",
		                                  "http://@/f"};

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			struct urls_add b[] = {
			        {"http://d/", NULL, NULL, 0, false},
			        {bad[i], NULL, NULL, 0, false}};
			struct err e2 = {0};

			assert_int_equal(urls_file_append(path, b, 2, &e2), -1);
			assert_int_equal(e2.code, ERR_USAGE);
		}
		u = urls_load(path, &err);
		assert_non_null(u);
		assert_int_equal(u->n, 3);
		urls_free(u);
	}
	/* Removing keeps comments and blank lines. */
	assert_int_equal(urls_file_remove(path, "http://a/", &err), 1);
	assert_int_equal(urls_file_remove(path, "http://zzz/", &err), 0);
	assert_int_equal(urls_file_remove(path, "http://c/", &err), 1);
	text = read_all(path);
	assert_string_equal(text, "# news\n\nexec:~/x.sh\nhttp://b/\n");
	free(text);
	free(path);
}

static void
test_paths(void **state)
{
	struct config_paths p;
	struct err err = {0};

	(void)state;
	unsetenv("COURANT_CONFIG");
	unsetenv("COURANT_URLS");
	unsetenv("COURANT_DB");
	setenv("HOME", "/home/u", 1);
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("XDG_DATA_HOME", "relative/data", 1);
	assert_int_equal(config_paths_init(&p, NULL, NULL, NULL, &err), 0);
	assert_string_equal(p.config, "/x/conf/courant/config");
	assert_string_equal(p.urls, "/x/conf/courant/urls");
	assert_string_equal(p.db, "/home/u/.local/share/courant/courant.db");
	assert_false(p.config_is_explicit);
	config_paths_done(&p);
	setenv("XDG_CONFIG_HOME", "", 1);
	setenv("COURANT_URLS", "/env/urls", 1);
	assert_int_equal(config_paths_init(&p, "c", NULL, "d.db", &err), 0);
	assert_string_equal(p.config, "c");
	assert_string_equal(p.urls, "/env/urls");
	assert_string_equal(p.db, "d.db");
	assert_true(p.config_is_explicit && p.urls_is_explicit &&
	            p.db_is_explicit);
	config_paths_done(&p);
	unsetenv("COURANT_URLS");
	/* No usable HOME: the password database. */
	setenv("HOME", "not/absolute", 1);
	unsetenv("XDG_CONFIG_HOME");
	{
		char *dir = config_dir(&err);

		assert_non_null(dir);
		assert_true(dir[0] == '/');
		assert_non_null(strstr(dir, "/.config/courant"));
		free(dir);
	}
}

static void
test_sync(void **state)
{
	struct err err = {0};
	struct store *st = store_open(":memory:", 0, &err);
	struct config *c = config_new();
	static const char rules[] = "feed news set max-items 50\n"
	                            "feed http://b/ set max-age-days 7\n";
	struct config_sync_stats s;
	struct store_feed_list *l;
	struct urls *u;
	long keep_id;

	(void)state;
	assert_non_null(st);
	/* No urls at all: everything goes. */
	u = parse("http://a/ news\nhttp://b/ \"~Bee\"\nhttp://c/\n", &err);
	assert_int_equal(config_sync_feeds(st, u, NULL, &s, &err), 0);
	assert_int_equal(s.added, 3);
	urls_free(u);
	l = store_feeds(st, NULL, &err);
	assert_int_equal(l->n, 3);
	assert_string_equal(l->feeds[1].title, "Bee");
	keep_id = l->feeds[1].id;
	store_feed_list_free(l);
	assert_int_equal(config_parse(c, "cfg", rules, strlen(rules), &err), 0);
	u = parse("http://b/ \"~B2\" news\nhttp://d/\nhttp://a/ news\n", &err);
	assert_int_equal(config_sync_feeds(st, u, c, &s, &err), 0);
	assert_int_equal(s.added, 1);
	assert_int_equal(s.updated, 2);
	assert_int_equal(s.removed, 1);
	urls_free(u);
	l = store_feeds(st, NULL, &err);
	assert_int_equal(l->n, 3);
	assert_string_equal(l->feeds[0].url, "http://b/");
	assert_int_equal(l->feeds[0].id, keep_id);
	assert_string_equal(l->feeds[0].title, "B2");
	assert_int_equal(l->feeds[0].max_items, 50);
	assert_int_equal(l->feeds[0].max_age_days, 7);
	assert_string_equal(l->feeds[1].url, "http://d/");
	assert_int_equal(l->feeds[1].max_items, 0);
	assert_string_equal(l->feeds[2].url, "http://a/");
	assert_int_equal(l->feeds[2].max_items, 50);
	store_feed_list_free(l);
	/* Unchanged (tags in another order): nothing to write; then a
	 * changed tag set and title are written. */
	u = parse("http://b/ news \"~B2\"\nhttp://d/\nhttp://a/ news\n", &err);
	assert_int_equal(config_sync_feeds(st, u, c, &s, &err), 0);
	assert_int_equal(s.added + s.removed, 0);
	assert_int_equal(s.updated, 3);
	urls_free(u);
	u = parse("http://b/ zz aa \"~B3\"\nhttp://d/\nhttp://a/ news\n", &err);
	assert_int_equal(config_sync_feeds(st, u, c, &s, &err), 0);
	urls_free(u);
	l = store_feeds(st, NULL, &err);
	assert_string_equal(l->feeds[0].title, "B3");
	assert_int_equal(l->feeds[0].n_tags, 2);
	assert_string_equal(l->feeds[0].tags[0], "aa");
	assert_string_equal(l->feeds[0].tags[1], "zz");
	assert_int_equal(l->feeds[0].max_items, 0); /* no longer "news" */
	store_feed_list_free(l);
	/* An empty file empties the list. */
	u = parse("", &err);
	assert_int_equal(config_sync_feeds(st, u, c, &s, &err), 0);
	assert_int_equal(s.removed, 3);
	urls_free(u);
	config_free(c);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_empty),
	        cmocka_unit_test(test_constructs),
	        cmocka_unit_test(test_warnings),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_files),
	        cmocka_unit_test(test_edit),
	        cmocka_unit_test(test_paths),
	        cmocka_unit_test(test_sync),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
