// SPDX-License-Identifier: MIT
/* The config file: defaults, every command, every error with its line,
 * includes, per-feed settings, durations, and the man page's list. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/config.h"
#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/util.h"

static char tmpdir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/courant-conf-XXXXXX");
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

static char *
write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct config *
parse(const char *text, struct err *err)
{
	struct config *c = config_new();

	if (config_parse(c, "conf", text, strlen(text), err) < 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

static void
test_defaults(void **state)
{
	struct config *c;
	struct err err = {0};
	struct poller_opts o;
	struct store_retention r;

	(void)state;
	c = config_load("/dev/null", true, &err);
	assert_non_null(c);
	assert_string_equal(c->set.browser, "");
	assert_null(c->set.browser_argv);
	assert_false(c->set.refresh_on_start);
	assert_int_equal(c->set.refresh_interval, 3600);
	assert_int_equal(c->set.parallel_transfers, 16);
	assert_int_equal(c->set.host_connections, 4);
	assert_int_equal(c->set.connect_timeout, 15);
	assert_int_equal(c->set.low_speed_timeout, 30);
	assert_int_equal(c->set.download_timeout, 120);
	assert_int_equal(c->set.max_items, 0);
	assert_int_equal(c->set.default_view, CONFIG_VIEW_FEEDS);
	assert_int_equal(c->set.layout, CONFIG_LAYOUT_AUTO);
	assert_string_equal(c->set.date_format, "%Y-%m-%d");
	assert_true(c->set.show_read_articles);
	assert_false(c->set.osc52);
	assert_false(c->set.mouse);
	assert_string_equal(c->set.user_agent, "");
	assert_int_equal(c->n_binds + c->n_colors + c->n_rules, 0);
	config_poller_opts(c, &o);
	assert_int_equal(o.max_transfers, 16);
	assert_int_equal(o.total_timeout, 120);
	assert_string_equal(o.user_agent, ""); /* "": courant's own */
	assert_null(o.feed_interval);
	config_retention(c, &r);
	assert_int_equal(r.max_items, 0);
	config_free(c);
	config_free(NULL);
	/* A missing default file is the defaults; a missing -c file is
	 * an error. */
	c = config_load("/nonexistent/courant/config", false, &err);
	assert_non_null(c);
	config_free(c);
	assert_null(config_load("/nonexistent/courant/config", true, &err));
	assert_non_null(strstr(err.msg, "no such file"));
}

static void
test_constructs(void **state)
{
	static const char text[] =
	        "# comment\n"
	        "set browser \"firefox --new-tab\"\n"
	        "set refresh-on-start yes\n"
	        "set refresh-interval 15m   # inline comment\n"
	        "set parallel-transfers 8\n"
	        "set host-connections 2\n"
	        "set connect-timeout 5\n"
	        "set low-speed-timeout 1m\n"
	        "set download-timeout 300s\n"
	        "set max-items 500\n"
	        "set max-age-days 90\n"
	        "set cleanup-unread on\n"
	        "set default-view Unread\n"
	        "set layout side\n"
	        "set date-format \"%a %d %b %H:%M\"\n"
	        "set show-read-articles no\n"
	        "set show-read-feeds false\n"
	        "set confirm-quit 1\n"
	        "set mouse true\n"
	        "set osc52 on\n"
	        "set user-agent \"my reader/1.0\"\n"
	        "bind j down\n"
	        "bind ^D article page-down\n"
	        "unbind q\n"
	        "unbind x feeds\n"
	        "color title yellow default bold underline\n"
	        "color unread-count color208 -1\n"
	        "feed news set refresh-interval 3h\n"
	        "feed https://a.example/feed set browser \"lynx -dump\"\n";
	struct err err = {0};
	struct config *c = config_new();

	(void)state;
	if (config_parse(c, "conf", text, strlen(text), &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(c->set.browser, "firefox --new-tab");
	assert_string_equal(c->set.browser_argv[0], "firefox");
	assert_string_equal(c->set.browser_argv[1], "--new-tab");
	assert_null(c->set.browser_argv[2]);
	assert_true(c->set.refresh_on_start);
	assert_int_equal(c->set.refresh_interval, 900);
	assert_int_equal(c->set.parallel_transfers, 8);
	assert_int_equal(c->set.host_connections, 2);
	assert_int_equal(c->set.connect_timeout, 5);
	assert_int_equal(c->set.low_speed_timeout, 60);
	assert_int_equal(c->set.download_timeout, 300);
	assert_int_equal(c->set.max_items, 500);
	assert_int_equal(c->set.max_age_days, 90);
	assert_true(c->set.cleanup_unread);
	assert_int_equal(c->set.default_view, CONFIG_VIEW_UNREAD);
	assert_int_equal(c->set.layout, CONFIG_LAYOUT_SIDE);
	assert_string_equal(c->set.date_format, "%a %d %b %H:%M");
	assert_false(c->set.show_read_articles);
	assert_false(c->set.show_read_feeds);
	assert_true(c->set.confirm_quit);
	assert_true(c->set.mouse);
	assert_true(c->set.osc52);
	assert_string_equal(c->set.user_agent, "my reader/1.0");
	{
		struct poller_opts o;

		/* The poller sends it (CURLOPT_USERAGENT). */
		config_poller_opts(c, &o);
		assert_string_equal(o.user_agent, "my reader/1.0");
	}
	assert_int_equal(c->n_binds, 4);
	assert_string_equal(c->binds[0].key, "j");
	assert_null(c->binds[0].view);
	assert_string_equal(c->binds[0].action, "down");
	assert_int_equal(c->binds[0].line, 22);
	assert_string_equal(c->binds[0].file, "conf");
	assert_string_equal(c->binds[1].view, "article");
	assert_string_equal(c->binds[1].action, "page-down");
	assert_null(c->binds[2].action);
	assert_null(c->binds[2].view);
	assert_string_equal(c->binds[3].view, "feeds");
	assert_int_equal(c->n_colors, 2);
	assert_string_equal(c->colors[0].element, "title");
	assert_string_equal(c->colors[0].fg, "yellow");
	assert_string_equal(c->colors[0].bg, "default");
	assert_int_equal(c->colors[0].n_attrs, 2);
	assert_string_equal(c->colors[0].attrs[1], "underline");
	assert_int_equal(c->colors[1].n_attrs, 0);
	assert_int_equal(c->colors[1].line, 27);
	assert_int_equal(c->n_rules, 2);
	assert_false(c->rules[0].is_url);
	assert_true(c->rules[1].is_url);
	config_free(c);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
	        {"", NULL},
	        {"set\n", "conf:1: expected 'set NAME VALUE'"},
	        {"\nset browser a b\n",
	         "conf:2: expected 'set NAME VALUE' (quote"},
	        {"set no-such-thing 1\n",
	         "conf:1: unknown setting 'no-such-thing'"},
	        {"sett mouse yes\n", "conf:1: unknown command 'sett'"},
	        {"set mouse maybe\n",
	         "conf:1: mouse: 'maybe' is not yes or no"},
	        {"set parallel-transfers 0\n",
	         "conf:1: parallel-transfers: 0 is out of range (1 to 64)"},
	        {"set parallel-transfers 65\n",
	         "conf:1: parallel-transfers: 65 is out"},
	        {"set parallel-transfers 8x\n",
	         "conf:1: parallel-transfers: '8x' is not a number"},
	        {"set parallel-transfers 99999999999999999999\n",
	         "conf:1: parallel-transfers: 9"},
	        {"set refresh-interval 10s\n",
	         "conf:1: refresh-interval: 10s is out of range (60s to "
	         "604800s, or 0 for off)"},
	        {"set refresh-interval 0\n", NULL},
	        {"set refresh-interval 3x\n",
	         "conf:1: refresh-interval: '3x' is not a duration"},
	        {"set connect-timeout 0\n",
	         "conf:1: connect-timeout: 0 is out of range"},
	        {"set default-view list\n", "conf:1: default-view: 'list' is "
	                                    "not one of feeds|articles|unread"},
	        {"set layout \"\"\n", "conf:1: layout: '' is not one of"},
	        {"set date-format \"%Q\"\n",
	         "conf:1: date-format: an unknown %-conversion"},
	        {"set date-format \"%\"\n", "conf:1: date-format: an unknown"},
	        {"set date-format \"\"\n",
	         "conf:1: date-format: an empty format"},
	        {"set browser \"x \\\"unclosed\"\n",
	         "conf:1: browser: a quote is not closed"},
	        {"set user-agent \"a\tb\"\n", "conf:1: a control character"},
	        {"bind\n", "conf:1: expected 'bind KEY [VIEW] ACTION'"},
	        {"bind a b c d\n", "conf:1: expected 'bind KEY [VIEW] ACTION'"},
	        {"unbind\n", "conf:1: expected 'unbind KEY [VIEW]'"},
	        {"color title red\n", "conf:1: expected 'color ELEMENT FG BG"},
	        {"include\n", "conf:1: expected 'include FILE'"},
	        {"include /nonexistent/x\n",
	         "conf:1: '/nonexistent/x' does not exist"},
	        {"include /\n", "conf:1: /: not a regular file"},
	        {"feed news\n",
	         "conf:1: expected 'feed TAG-OR-URL set NAME VALUE'"},
	        {"feed news set mouse yes\n",
	         "conf:1: 'mouse' cannot be set per feed"},
	        {"feed news set max-items -1\n",
	         "conf:1: max-items: -1 is out of range"},
	        {"feed news set refresh-interval 1s\n",
	         "conf:1: refresh-interval: 1s is out"},
	        {"set mouse \"yes\n", "conf:1: a quote is not closed"},
	        {"# ok\n\n\nset osc52 yes\nset mouse on\nbogus\n",
	         "conf:6: unknown command 'bogus'"},
	        {"set mouse yes\n\xc3\x28\n", "conf:2: not valid UTF-8"},
	        /* The password must not cross the network in clear. */
	        {"set sync-url \"https://example.org/tt-rss/\"\n", NULL},
	        {"set sync-url \"http://example.org/tt-rss/\"\n",
	         "conf:1: sync-url: with http:// the password would cross the "
	         "network in clear text: use https://"},
	        {"set sync-url \"HTTP://10.0.0.1:8280/\"\n",
	         "conf:1: sync-url: with http://"},
	        {"set sync-url \"http://127.0.0.1:8280@evil.example/\"\n",
	         "conf:1: sync-url: with http://"},
	        {"set sync-url \"http://localhost.evil.example/\"\n",
	         "conf:1: sync-url: with http://"},
	        {"set sync-url \"http://[::2]/\"\n",
	         "conf:1: sync-url: with http://"},
	        {"set sync-url \"http://127.0.0.1:8280/tt-rss/\"\n", NULL},
	        {"set sync-url \"http://127.9.8.7/\"\n", NULL},
	        {"set sync-url \"http://LocalHost:1/x?y\"\n", NULL},
	        {"set sync-url \"http://me@[::1]:8280/\"\n", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct err err = {0};
		struct config *c = parse(cases[i].text, &err);

		if (cases[i].msg == NULL) {
			if (c == NULL)
				fail_msg("case %zu: %s", i, err.msg);
			config_free(c);
			continue;
		}
		if (c != NULL || !str_starts_with(err.msg, cases[i].msg))
			fail_msg("case %zu: got '%s', want '%s'", i, err.msg,
			         cases[i].msg);
		config_free(c);
	}
}

static void
test_include(void **state)
{
	struct err err = {0};
	struct config *c;
	char *top, *inc, *loop, *want;
	char *deep[CONFIG_MAX_INCLUDE_DEPTH + 1];

	(void)state;
	inc = write_tmp("keys", "bind k up\nset mouse yes\n");
	top = write_tmp("config", "set mouse no\ninclude keys\nbind j down\n");
	c = config_load(top, true, &err);
	assert_non_null(c);
	assert_true(c->set.mouse);
	assert_int_equal(c->n_binds, 2);
	assert_string_equal(c->binds[0].file, inc);
	assert_int_equal(c->binds[0].line, 1);
	assert_string_equal(c->binds[1].file, top);
	assert_int_equal(c->binds[1].line, 3);
	config_free(c);
	/* An error inside an included file names that file. */
	free(write_tmp("keys", "bind k up\n\nset mouse perhaps\n"));
	assert_null(config_load(top, true, &err));
	want = xasprintf("%s:3: mouse: 'perhaps'", inc);
	assert_true(str_starts_with(err.msg, want));
	free(want);
	/* A cycle. */
	loop = write_tmp("loop", "set osc52 no\ninclude config\n");
	free(write_tmp("config", "include loop\n"));
	assert_null(config_load(top, true, &err));
	want = xasprintf("%s:2: '%s' is already being read (an include "
	                 "cycle)",
	                 loop, top);
	assert_string_equal(err.msg, want);
	free(want);
	/* Too deep. */
	for (int i = 0; i <= CONFIG_MAX_INCLUDE_DEPTH; i++) {
		char name[16], text[32];

		snprintf(name, sizeof name, "d%d", i);
		snprintf(text, sizeof text, "include d%d\n", i + 1);
		deep[i] = write_tmp(name, text);
	}
	assert_null(config_load(deep[0], true, &err));
	assert_non_null(strstr(err.msg, "nested more than 8 deep"));
	for (int i = 0; i <= CONFIG_MAX_INCLUDE_DEPTH; i++)
		free(deep[i]);
	free(top);
	free(inc);
	free(loop);
}

static void
test_feed_settings(void **state)
{
	static const char text[] = "set refresh-interval 30m\n"
	                           "set max-items 100\n"
	                           "feed http://a/ set refresh-interval 1d\n"
	                           "feed news set refresh-interval 3h\n"
	                           "feed news set browser \"w3m -o x\"\n"
	                           "feed slow set refresh-interval 0\n"
	                           "feed slow set max-items 5\n";
	struct err err = {0};
	struct config *c = config_new();
	struct config_feed_settings fs;
	const char *news[] = {"news"};
	const char *both[] = {"slow", "news"};

	(void)state;
	assert_int_equal(config_parse(c, "conf", text, strlen(text), &err), 0);
	config_feed_settings(NULL, "http://x/", NULL, 0, &fs);
	assert_int_equal(fs.refresh_interval, 3600);
	config_feed_settings(c, "http://x/", NULL, 0, &fs);
	assert_int_equal(fs.refresh_interval, 1800);
	assert_int_equal(fs.max_items, 100);
	assert_string_equal(fs.browser, "");
	config_feed_settings(c, "http://x/", news, 1, &fs);
	assert_int_equal(fs.refresh_interval, 3 * 3600);
	assert_string_equal(fs.browser, "w3m -o x");
	/* The URL rule wins over the tag rule, whatever the order. */
	config_feed_settings(c, "http://a/", news, 1, &fs);
	assert_int_equal(fs.refresh_interval, 86400);
	/* Between tags, the later rule wins. */
	config_feed_settings(c, "http://b/", both, 2, &fs);
	assert_int_equal(fs.refresh_interval, 0);
	assert_int_equal(fs.max_items, 5);
	config_free(c);
}

static void
test_durations(void **state)
{
	static const struct {
		const char *s;
		long v;
	} cases[] = {
	        {"", -1},
	        {"0", 0},
	        {"90", 90},
	        {"90s", 90},
	        {"15m", 900},
	        {"3h", 10800},
	        {"2d", 172800},
	        {"1w", 604800},
	        {"h", -1},
	        {"1x", -1},
	        {"1hh", -1},
	        {"-5", -1},
	        {" 5", -1},
	        {"99999999999999999999", -1},
	        {"9223372036854775807w", -1},
	};

	(void)state;
	assert_int_equal(config_parse_duration(NULL), -1);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (config_parse_duration(cases[i].s) != cases[i].v)
			fail_msg("'%s': got %ld, want %ld", cases[i].s,
			         config_parse_duration(cases[i].s), cases[i].v);
}

/* Every setting is documented in courant.conf(5) with its default. */
static void
test_documented(void **state)
{
	const char *top = getenv("top_srcdir");
	char *path;
	FILE *f;
	struct buf b;
	char chunk[4096];
	size_t n;

	(void)state;
	if (top == NULL)
		top = "..";
	path = xasprintf("%s/docs/courant.conf.5", top);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		skip();
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	for (size_t i = 0; config_setting_info(i) != NULL; i++) {
		const struct config_setting_info *s = config_setting_info(i);
		char *item = xasprintf(".It Ic %s ", s->name);
		char *def = xasprintf("(default: %s)", s->def);

		if (strstr(buf_str(&b), item) == NULL)
			fail_msg("courant.conf.5 lacks '%s'", item);
		/* The default is said right after the item's line. */
		if (strstr(strstr(buf_str(&b), item), def) == NULL)
			fail_msg("courant.conf.5 lacks '%s' for %s", def,
			         s->name);
		free(item);
		free(def);
	}
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_constructs),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_include),
	        cmocka_unit_test(test_feed_settings),
	        cmocka_unit_test(test_durations),
	        cmocka_unit_test(test_documented),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
