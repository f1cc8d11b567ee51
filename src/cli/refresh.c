// SPDX-License-Identifier: MIT
/*
 * courant refresh, add and feeds: the poller without the reader, for cron
 * and scripts. Results go to standard output (one line per feed with
 * something to say, then a summary), failures to standard error after the
 * summary, and a live progress line to standard error only when it is a
 * terminal.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "courant/cli.h"
#include "courant/config.h"
#include "courant/feed.h"
#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/sync.h"
#include "courant/util.h"

#include "private.h"

#define PAGE_MAX (2u << 20) /* an HTML page searched for feed links */

/* ---- shared ------------------------------------------------------------- */

/* COURANT_TIMEOUTS=CONNECT:LOW_SPEED:TOTAL (seconds) overrides the
 * defaults: for tests and for very slow links. */
int
cli_read_timeouts(const char *cmd, struct poller_opts *o)
{
	const char *env = getenv("COURANT_TIMEOUTS");
	long v[3];
	char *end;
	const char *s = env;

	if (env == NULL || *env == '\0')
		return 0;
	for (int i = 0; i < 3; i++) {
		v[i] = strtol(s, &end, 10);
		if (end == s || v[i] <= 0 || v[i] > 86400 ||
		    (i < 2 ? *end != ':' : *end != '\0')) {
			fprintf(stderr,
			        "courant %s: COURANT_TIMEOUTS must be "
			        "CONNECT:LOW_SPEED:TOTAL in seconds\n",
			        cmd);
			return -1;
		}
		s = end + 1;
	}
	o->connect_timeout = v[0];
	o->low_speed_time = v[1];
	o->total_timeout = v[2];
	return 0;
}

static void
format_time(feed_time t, char *out, size_t size)
{
	if (t <= 0 || feed_date_format(t, out, size) < 0)
		snprintf(out, size, "never");
}

static void
format_bytes(uint64_t n, char *out, size_t size)
{
	if (n < 1024)
		snprintf(out, size, "%" PRIu64 " B", n);
	else if (n < 1024 * 1024)
		snprintf(out, size, "%.1f KiB", (double)n / 1024);
	else
		snprintf(out, size, "%.1f MiB", (double)n / (1024 * 1024));
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- refresh ------------------------------------------------------------ */

struct run {
	bool quiet;
	bool progress; /* stderr is a terminal */
	bool progress_shown;
	int total;
	int done, updated, unchanged, failed, skipped, new_items;
	uint64_t bytes;
	char **failures; /* "title: reason" lines, printed at the end */
	size_t n_failures;
	struct poller *p;
};

/* Frees what a run holds: its failure lines and its poller. */
static void
run_done(struct run *run)
{
	for (size_t i = 0; i < run->n_failures; i++)
		free(run->failures[i]);
	free(run->failures);
	poller_free(run->p);
}

static void
clear_progress(struct run *run)
{
	if (run->progress_shown) {
		fputs("\r                                                      "
		      "                        \r",
		      stderr);
		run->progress_shown = false;
	}
}

static void
show_progress(struct run *run)
{
	struct poller_stats s;
	char bytes[32];

	if (!run->progress)
		return;
	poller_get_stats(run->p, &s);
	format_bytes(s.bytes, bytes, sizeof bytes);
	fprintf(stderr, "\rrefresh: %d/%d feeds, %d new, %d failed, %s   ",
	        run->done, run->total, run->new_items, run->failed, bytes);
	fflush(stderr);
	run->progress_shown = true;
}

static void
on_report(const struct poll_report *r, void *arg)
{
	struct run *run = arg;
	const char *title = r->title ? r->title : r->url ? r->url : "?";
	char when[32];

	run->done++;
	run->bytes += r->bytes;
	run->new_items += r->new_items;
	switch (r->outcome) {
	case POLL_UPDATED:
		run->updated++;
		break;
	case POLL_UNCHANGED:
		run->unchanged++;
		break;
	case POLL_SKIPPED:
		run->skipped++;
		break;
	case POLL_FAILED:
		run->failed++;
		break;
	}
	if (r->outcome == POLL_FAILED) {
		char *line = xasprintf("%s: %s", title,
		                       r->err ? r->err->msg : "failed");

		run->failures =
		        xreallocarray(run->failures, run->n_failures + 1,
		                      sizeof *run->failures);
		run->failures[run->n_failures++] = line;
	}
	if (run->quiet)
		return;
	clear_progress(run);
	if (r->new_items > 0) {
		cli_print_safe(stdout, title);
		printf(": %d new item%s\n", r->new_items,
		       r->new_items == 1 ? "" : "s");
	}
	if (r->outcome == POLL_UPDATED && r->err != NULL) {
		cli_print_safe(stdout, title);
		fputs(": ", stdout);
		cli_print_safe(stdout, r->err->msg);
		fputc('\n', stdout);
	}
	if (r->new_url != NULL) {
		cli_print_safe(stdout, title);
		fputs(": moved permanently to ", stdout);
		cli_print_safe(stdout, r->new_url);
		fputc('\n', stdout);
	}
	if (r->outcome == POLL_SKIPPED) {
		cli_print_safe(stdout, title);
		fputs(": skipped, ", stdout);
		cli_print_safe(stdout, r->err ? r->err->msg : "not due");
		if (r->not_before > 0) {
			format_time(r->not_before, when, sizeof when);
			printf(", until %s", when);
		}
		fputc('\n', stdout);
	}
	fflush(stdout);
}

/* Runs the poller until every queued feed is reported. */
static int
drive(struct run *run)
{
	struct err err = {0};

	while (poller_busy(run->p)) {
		if (poller_wait(run->p, NULL, 0, 1000, &err) < 0) {
			clear_progress(run);
			cli_fail("refresh", err.msg);
			return -1;
		}
		poller_work(run->p);
		show_progress(run);
	}
	clear_progress(run);
	return 0;
}

/* The sync step of a refresh, reported like one more feed. */
static void
refresh_sync(struct run *run, const struct config *c, struct store *st)
{
	struct sync_result res;
	struct err err = {0};
	char line[256];

	run->total++;
	run->done++;
	if (cli_sync_run(c, st, NULL, NULL, &res, NULL, &err) < 0) {
		char *msg = xasprintf("sync: %s", err.msg);

		run->failed++;
		run->failures =
		        xreallocarray(run->failures, run->n_failures + 1,
		                      sizeof *run->failures);
		run->failures[run->n_failures++] = msg;
		return;
	}
	run->updated++;
	if (!run->quiet) {
		cli_sync_summary(&res, line, sizeof line);
		printf("sync: %s\n", line);
		fflush(stdout);
	}
}

static const char refresh_usage[] =
        "usage: courant refresh [--feed URL|TITLE]... [--tag TAG] [--force]\n"
        "                       [--quiet] [--db PATH]\n"
        "\n"
        "Downloads the feeds that are due and stores their new articles.\n"
        "  -f, --feed URL|TITLE  only this feed (repeatable); its cache "
        "lifetime\n"
        "                        is not waited for\n"
        "  -t, --tag TAG         only the feeds with this tag\n"
        "      --force           ignore Retry-After, backoff and cache "
        "lifetimes,\n"
        "                        and retry dead feeds\n"
        "  -q, --quiet           print only failures\n"
        "      --db PATH         the database to use\n"
        "With a sync server set up (courant.conf(5)), refreshing every "
        "feed\n"
        "also syncs with it, reported as one more feed.\n"
        "Exit status: 0 when every feed succeeded (or was not due), 1 when "
        "any\n"
        "failed, 2 for usage errors.\n";

static const struct store_feed *
find_feed(const struct store_feed_list *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct store_feed *f = &l->feeds[i];

		if (str_eq(f->url, key) || str_eq(f->fetch_url, key) ||
		    str_eq(f->title, key))
			return f;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->feeds[i].title != NULL &&
		    strcasecmp(l->feeds[i].title, key) == 0)
			return &l->feeds[i];
	return NULL;
}

int
cli_refresh(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"feed", required_argument, NULL, 'f'},
	        {"tag", required_argument, NULL, 't'},
	        {"force", no_argument, NULL, 'F'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct run run = {0};
	struct poller_opts o;
	struct cli_files *files;
	const char **keys = NULL;
	size_t n_keys = 0;
	const char *tag = NULL, *db = NULL;
	bool force = false;
	struct store *st;
	struct store_feed_list *l;
	struct err err = {0};
	enum poll_mode mode;
	bool sync;
	double t0;
	int c, status = 0;

	poller_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			keys = xreallocarray(keys, n_keys + 1, sizeof *keys);
			keys[n_keys++] = optarg;
			break;
		case 't':
			tag = optarg;
			break;
		case 'F':
			force = true;
			break;
		case 'q':
			run.quiet = true;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(refresh_usage, stdout);
			free(keys);
			return 0;
		default:
			free(keys);
			return cli_unknown_option("refresh", argv);
		}
	}
	if (optind < argc) {
		free(keys);
		return cli_usage_error("refresh", "unexpected argument '%s'",
		                       argv[optind]);
	}
	/* The user's files first, as the reader reads them: the config's
	 * poller settings, then the urls file's feeds. */
	files = cli_files_load("refresh");
	if (files == NULL) {
		free(keys);
		return 2;
	}
	cli_files_poller_opts(files, &o);
	if (cli_read_timeouts("refresh", &o) < 0) {
		cli_files_free(files);
		free(keys);
		return 2;
	}
	/* Like the reader, only the cheap start-up check: cron runs this
	 * every few minutes, and PRAGMA quick_check reads the whole file
	 * (60 ms of a warm refresh of 200 feeds on a 20 MiB cache). */
	st = cli_store_open("refresh", db, STORE_OPEN_CHEAP_CHECK);
	if (st == NULL) {
		cli_files_free(files);
		free(keys);
		return 1;
	}
	if (cli_files_sync("refresh", files, st) < 0) {
		store_close(st);
		cli_files_free(files);
		free(keys);
		return 1;
	}
	l = store_feeds(st, tag, &err);
	if (l == NULL)
		goto store_failed;
	run.p = poller_new(st, &o, on_report, &run, &err);
	if (run.p == NULL)
		goto store_failed;
	run.progress = !run.quiet && isatty(STDERR_FILENO);
	/* Naming feeds is a manual refresh: the cache lifetime the server
	 * announced is not waited for, failures still are. */
	mode = force ? POLL_FORCE : n_keys > 0 ? POLL_MANUAL : POLL_AUTO;
	for (size_t i = 0; i < n_keys; i++) {
		const struct store_feed *f = find_feed(l, keys[i]);

		if (f == NULL) {
			status = cli_usage_error(
			        "refresh", "no feed '%s'%s%s", keys[i],
			        tag ? " with tag " : "", tag ? tag : "");
			goto out;
		}
		if (poller_refresh(run.p, f->id, mode, &err) < 0)
			goto store_failed;
	}
	/* The list is fresh: no need to ask the store once per feed. */
	if (n_keys == 0)
		poller_refresh_list(run.p, l->feeds, l->n, mode);
	{
		struct poller_stats s;

		poller_get_stats(run.p, &s);
		run.total = s.queued;
	}
	/* With a sync server, a refresh of everything syncs too. */
	sync = cli_files_config(files)->set.sync != CONFIG_SYNC_NONE &&
	       n_keys == 0 && tag == NULL;
	if (run.total == 0 && !sync) {
		if (!run.quiet)
			printf("no feeds to refresh%s\n",
			       tag ? " with this tag"
			           : "; add one with 'courant add URL'");
		goto out;
	}
	t0 = now_seconds();
	if (drive(&run) < 0) {
		status = 1;
		goto out;
	}
	if (sync)
		refresh_sync(&run, cli_files_config(files), st);
	/* A cron run is the store's idle time: merge what this refresh
	 * added to the search index, within half a second. */
	store_maintain(st, 500, NULL);
	if (!run.quiet) {
		char bytes[32];

		format_bytes(run.bytes, bytes, sizeof bytes);
		printf("%d feed%s: %d updated, %d unchanged, %d failed, "
		       "%d skipped; %d new item%s, %s in %.2f s\n",
		       run.total, run.total == 1 ? "" : "s", run.updated,
		       run.unchanged, run.failed, run.skipped, run.new_items,
		       run.new_items == 1 ? "" : "s", bytes,
		       now_seconds() - t0);
	}
	fflush(stdout);
	for (size_t i = 0; i < run.n_failures; i++) {
		fputs("courant refresh: ", stderr);
		cli_print_safe(stderr, run.failures[i]);
		fputc('\n', stderr);
	}
	status = run.failed > 0 ? 1 : 0;
	goto out;
store_failed:
	cli_fail("refresh", err.msg);
	status = 1;
out:
	run_done(&run);
	store_feed_list_free(l);
	store_close(st);
	cli_files_free(files);
	free(keys);
	return status;
}

/* ---- add ---------------------------------------------------------------- */

static const char add_usage[] =
        "usage: courant add [--db PATH] URL [TAG...]\n"
        "       courant add --remote [--category NAME] [--db PATH] URL\n"
        "\n"
        "Subscribes to a feed and fetches it at once. When URL is a web page,\n"
        "the feeds it links to are found: the only one is added, several are\n"
        "listed for you to choose.\n"
        "  -r, --remote         subscribe on the sync server instead, then "
        "sync\n"
        "  -C, --category NAME  the server's category to put it in\n";

/* courant add --remote: the server subscribes (and finds the feed of a
 * page), then a sync brings the feed into the store. */
static int
add_remote(const char *url, const char *category, const char *db)
{
	struct cli_files *files;
	struct sync_backend *b = NULL;
	struct sync_result res;
	struct store *st = NULL;
	struct err err = {0};
	char *id = NULL;
	char line[256];
	int status = 1;

	if (!str_istarts_with(url, "http://") &&
	    !str_istarts_with(url, "https://"))
		return cli_usage_error("add",
		                       "'%s' is not an http or https URL", url);
	files = cli_files_load("add");
	if (files == NULL)
		return 2;
	b = cli_sync_backend(cli_files_config(files), &err);
	if (b == NULL) {
		cli_fail("add", err.msg);
		status = err.code == ERR_USAGE ? 2 : 1;
		goto out;
	}
	st = cli_store_open("add", db, 0);
	if (st == NULL)
		goto out;
	id = sync_subscribe(b, url, category, &err);
	if (id == NULL) {
		cli_fail("add", err.msg);
		goto out;
	}
	fputs("subscribed on the server: ", stdout);
	cli_print_safe(stdout, url);
	fputc('\n', stdout);
	fflush(stdout);
	if (sync_run(st, b, NULL, &res, &err) < 0) {
		cli_fail("add", err.msg);
		fputs("courant add: subscribed anyway; 'courant sync' will "
		      "bring it\n",
		      stderr);
		goto out;
	}
	cli_sync_summary(&res, line, sizeof line);
	printf("synced: %s\n", line);
	status = 0;
out:
	free(id);
	sync_backend_free(b);
	store_close(st);
	cli_files_free(files);
	return status;
}

/* The config file alone; NULL after saying why. */
static struct config *
load_config(const char *cmd)
{
	struct config_paths paths;
	struct config *c = NULL;
	struct err err = {0};

	if (config_paths_init(&paths, cli_config_path(), NULL, NULL, &err) ==
	    0) {
		c = config_load(paths.config, paths.config_is_explicit, &err);
		config_paths_done(&paths);
	}
	if (c == NULL)
		cli_fail(cmd, err.msg);
	return c;
}

/* Finds the feed behind url: itself, or the one feed its page links to.
 * Returns a new string, or NULL after printing why. */
static char *
resolve_feed_url(const char *url, const struct poller_opts *o)
{
	struct err err = {0};
	struct fetch_page *pg;
	struct feed_found *found = NULL;
	size_t n;
	char *result = NULL;

	if (str_istarts_with(url, "file:"))
		return xstrdup(url);
	pg = fetch_page_get(url, PAGE_MAX, true, o, &err);
	if (pg == NULL) {
		fputs("courant add: ", stderr);
		cli_print_safe(stderr, url);
		fputs(": ", stderr);
		cli_print_safe(stderr, err.msg);
		fputc('\n', stderr);
		return NULL;
	}
	if (pg->status >= 400) {
		fputs("courant add: ", stderr);
		cli_print_safe(stderr, url);
		fprintf(stderr, ": HTTP %d\n", pg->status);
		goto out;
	}
	if (!pg->is_html) {
		result = xstrdup(url);
		goto out;
	}
	n = feed_discover(pg->body, pg->len, pg->url, &found);
	/* feed_discover() keeps only web addresses; checked again here,
	 * where an address is about to be subscribed. */
	if (n == 1 && (!fetch_url_allowed(found[0].url) ||
	               str_istarts_with(found[0].url, "file:"))) {
		feed_found_free(found, n);
		found = NULL;
		n = 0;
	}
	if (n == 0) {
		fputs("courant add: no feed found on ", stderr);
		cli_print_safe(stderr, url);
		fputc('\n', stderr);
	} else if (n == 1) {
		result = xstrdup(found[0].url);
		fputs("found ", stdout);
		cli_print_safe(stdout, result);
		fputc('\n', stdout);
	} else {
		fprintf(stderr,
		        "courant add: the page links to %zu feeds; add one of "
		        "them:\n",
		        n);
		for (size_t i = 0; i < n; i++) {
			cli_print_safe(stdout, found[i].url);
			if (found[i].title != NULL) {
				fputs("  ", stdout);
				cli_print_safe(stdout, found[i].title);
			}
			fputc('\n', stdout);
		}
	}
	feed_found_free(found, n);
out:
	fetch_page_free(pg);
	return result;
}

int
cli_add(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"db", required_argument, NULL, 'd'},
	        {"remote", no_argument, NULL, 'r'},
	        {"category", required_argument, NULL, 'C'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct run run = {0};
	struct poller_opts o;
	struct config *conf_file = NULL;
	struct store_feed_conf conf = {0};
	const char *category = NULL;
	bool remote = false;
	struct store_feed_list *l = NULL;
	struct store_feed *existing;
	struct store *st = NULL;
	struct err err = {0};
	const char *db = NULL;
	char *url = NULL;
	long id;
	int c, status = 1;

	poller_opts_default(&o);
	optind = 1;
	/* "+": tags after the URL are operands even if they start with a
	 * dash. */
	while ((c = getopt_long(argc, argv, "+rC:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'r':
			remote = true;
			break;
		case 'C':
			category = optarg;
			break;
		case 'h':
			fputs(add_usage, stdout);
			return 0;
		default:
			return cli_unknown_option("add", argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("add", "a feed URL is needed");
	if (category != NULL && !remote)
		return cli_usage_error("add", "--category goes with --remote");
	if (remote) {
		/* `add --remote URL --category NAME` reads as well. */
		for (int i = optind + 1; i < argc; i++) {
			if ((str_eq(argv[i], "--category") ||
			     str_eq(argv[i], "-C")) &&
			    i + 1 < argc)
				category = argv[++i];
			else if (str_starts_with(argv[i], "--category="))
				category = argv[i] + 11;
			else
				return cli_usage_error(
				        "add",
				        "no tags with --remote: the server's "
				        "category is its tag (--category)");
		}
		return add_remote(argv[optind], category, db);
	}
	if (!fetch_url_allowed(argv[optind]))
		return cli_usage_error("add",
		                       "'%s' is not an http, https or file URL",
		                       argv[optind]);
	/* The config's timeouts and User-Agent, as refresh has them (the
	 * urls file may not exist yet: add creates it). */
	conf_file = load_config("add");
	if (conf_file == NULL)
		return 2;
	config_poller_opts(conf_file, &o);
	if (cli_read_timeouts("add", &o) < 0) {
		config_free(conf_file);
		return 2;
	}
	st = cli_store_open("add", db, 0);
	if (st == NULL) {
		config_free(conf_file);
		return 1;
	}
	url = resolve_feed_url(argv[optind], &o);
	if (url == NULL)
		goto out;
	/* The urls file is the list the reader syncs with: record it there
	 * first (interop.c says which file goes with this database). */
	{
		struct urls_add a = {url, NULL,
		                     (const char *const *)argv + optind + 1,
		                     (size_t)(argc - optind - 1), false};

		if (cli_urls_add("add", st, &a, 1) < 0)
			goto out;
	}
	existing = store_feed_by_url(st, url, NULL);
	if (existing != NULL) {
		fputs("already subscribed: ", stdout);
		cli_print_safe(stdout, existing->title);
		fputc('\n', stdout);
		store_feed_free(existing);
		status = 0;
		goto out;
	}
	l = store_feeds(st, NULL, &err);
	if (l == NULL)
		goto store_failed;
	conf.url = url;
	conf.tags = (const char *const *)argv + optind + 1;
	conf.n_tags = (size_t)(argc - optind - 1);
	conf.position = (int)l->n;
	id = store_feed_ensure(st, &conf, &err);
	if (id < 0)
		goto store_failed;
	fputs("subscribed to ", stdout);
	cli_print_safe(stdout, url);
	fputc('\n', stdout);
	run.p = poller_new(st, &o, on_report, &run, &err);
	if (run.p == NULL || poller_refresh(run.p, id, POLL_FORCE, &err) < 0)
		goto store_failed;
	run.total = 1;
	run.progress = false;
	if (drive(&run) < 0)
		goto out;
	if (run.failed > 0) {
		fputs("courant add: ", stderr);
		cli_print_safe(stderr, run.failures[0]);
		fputs(" (subscribed anyway; 'courant refresh' will retry)\n",
		      stderr);
		goto out;
	}
	if (run.new_items == 0)
		printf("no items yet\n");
	status = 0;
	goto out;
store_failed:
	cli_fail("add", err.msg);
out:
	run_done(&run);
	store_feed_list_free(l);
	store_close(st);
	config_free(conf_file); /* after the poller: it lends the User-Agent */
	free(url);
	return status;
}

/* ---- feeds -------------------------------------------------------------- */

static const char feeds_usage[] =
        "usage: courant feeds [--errors] [--tag TAG] [--db PATH]\n"
        "\n"
        "Lists the feeds with their unread and total article counts. With\n"
        "--errors, only the feeds whose last fetch failed, that are dead or\n"
        "that wait after failures, each with its health.\n";

static bool
is_unhealthy(const struct store_feed *f)
{
	return f->failures > 0 || f->is_dead || f->last_error != NULL;
}

static void
print_health(const struct store_feed *f)
{
	char last[32], next[32], ok[32];

	format_time(f->last_fetch, last, sizeof last);
	format_time(f->last_success, ok, sizeof ok);
	printf("    status %d, %d failure%s in a row, last try %s, last "
	       "success %s\n",
	       f->last_status, f->failures, f->failures == 1 ? "" : "s", last,
	       ok);
	if (f->last_error != NULL) {
		fputs("    error: ", stdout);
		cli_print_safe(stdout, f->last_error);
		fputc('\n', stdout);
	}
	if (f->is_dead)
		puts("    dead: not fetched again until 'courant refresh "
		     "--force --feed'");
	else if (f->next_fetch > time(NULL)) {
		format_time(f->next_fetch, next, sizeof next);
		printf("    next fetch not before %s\n", next);
	}
}

int
cli_feeds(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"errors", no_argument, NULL, 'e'},
	        {"tag", required_argument, NULL, 't'},
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *tag = NULL, *db = NULL;
	bool errors = false;
	struct store *st;
	struct store_feed_list *l;
	struct err err = {0};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "et:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			errors = true;
			break;
		case 't':
			tag = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(feeds_usage, stdout);
			return 0;
		default:
			return cli_unknown_option("feeds", argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("feeds", "unexpected argument '%s'",
		                       argv[optind]);
	st = cli_store_open("feeds", db, STORE_OPEN_READONLY);
	if (st == NULL)
		return 1;
	l = store_feeds(st, tag, &err);
	if (l == NULL) {
		cli_fail("feeds", err.msg);
		store_close(st);
		return 1;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct store_feed *f = &l->feeds[i];

		if (errors && !is_unhealthy(f))
			continue;
		printf("%6ld %6ld  ", f->n_unread, f->n_items);
		cli_print_safe(stdout, f->title ? f->title : f->url);
		fputs("  ", stdout);
		cli_print_safe(stdout, f->url);
		if (f->fetch_url != NULL) {
			fputs(" (moved to ", stdout);
			cli_print_safe(stdout, f->fetch_url);
			fputc(')', stdout);
		}
		for (size_t k = 0; k < f->n_tags; k++) {
			fputs(k == 0 ? "  [" : ",", stdout);
			cli_print_safe(stdout, f->tags[k]);
		}
		if (f->n_tags > 0)
			fputc(']', stdout);
		fputc('\n', stdout);
		if (errors)
			print_health(f);
	}
	store_feed_list_free(l);
	store_close(st);
	return 0;
}
