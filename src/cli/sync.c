// SPDX-License-Identifier: MIT
/*
 * courant sync: one sync with the server the config names, for cron, for
 * the reader (which runs `courant sync --progress` as a child process so
 * that neither libcurl nor JSON ever runs in its loop) and for `courant
 * refresh` and `courant add --remote`, which call cli_sync_run().
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
#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/sync.h"
#include "courant/util.h"

#include "private.h"

struct sync_backend *
cli_sync_backend(const struct config *c, struct err *err)
{
	const struct config_settings *s = &c->set;
	struct sync_server srv = {0};
	struct sync_backend *b;
	struct poller_opts o;
	char *pw;

	if (s->sync == CONFIG_SYNC_NONE) {
		err_set(err, ERR_USAGE,
		        "no sync server is set up (set sync ttrss in the "
		        "config file; see courant.conf(5))");
		return NULL;
	}
	config_poller_opts(c, &o);
	if (cli_read_timeouts("sync", &o) < 0) {
		err_set(err, ERR_USAGE, "COURANT_TIMEOUTS is malformed");
		return NULL;
	}
	pw = sync_password_get(
	        s->sync_password_argv,
	        s->sync_password_file[0] ? s->sync_password_file : NULL, err);
	if (pw == NULL)
		return NULL;
	srv.url = s->sync_url;
	srv.user = s->sync_user;
	srv.password = pw;
	srv.user_agent = s->user_agent[0] ? s->user_agent : NULL;
	srv.connect_timeout = o.connect_timeout;
	srv.low_speed_time = o.low_speed_time;
	srv.total_timeout = o.total_timeout;
	b = sync_ttrss_new(&srv, err);
	sync_password_free(pw);
	return b;
}

void
cli_sync_summary(const struct sync_result *r, char *out, size_t size)
{
	snprintf(out, size,
	         "%ld change%s pushed, %ld feed%s, %ld article%s received, "
	         "%ld state change%s",
	         r->pushed, r->pushed == 1 ? "" : "s", r->feeds,
	         r->feeds == 1 ? "" : "s", r->articles,
	         r->articles == 1 ? "" : "s", r->state_changes,
	         r->state_changes == 1 ? "" : "s");
	if (r->pending > 0)
		snprintf(out + strlen(out), size - strlen(out),
		         "; %ld change%s still queued", r->pending,
		         r->pending == 1 ? "" : "s");
}

int
cli_sync_run(const struct config *c, struct store *st, sync_progress_fn *fn,
             void *arg, struct sync_result *res, struct sync_traffic *tr,
             struct err *err)
{
	struct sync_opts o = {0};
	struct sync_backend *b = cli_sync_backend(c, err);
	int rc;

	memset(res, 0, sizeof *res);
	if (tr != NULL)
		memset(tr, 0, sizeof *tr);
	if (b == NULL) {
		/* The account of the backend the config names. */
		if (c->set.sync == CONFIG_SYNC_TTRSS)
			res->pending = store_sync_count(
			        st, sync_ttrss_ops.source, NULL);
		return err->code == ERR_USAGE ? -2 : -1;
	}
	o.progress = fn;
	o.progress_arg = arg;
	rc = sync_run(st, b, &o, res, err);
	/* The logout is a request too: count it. */
	if (b->is_logged_in && b->ops->logout != NULL) {
		b->ops->logout(b);
		b->is_logged_in = false;
	}
	if (tr != NULL)
		sync_backend_traffic(b, tr);
	sync_backend_free(b);
	return rc;
}

/* ---- courant sync ------------------------------------------------------ */

struct progress {
	bool lines;    /* --progress: one line each on stdout */
	bool terminal; /* a live line on stderr */
	bool shown;
};

static void
on_progress(const char *line, void *arg)
{
	struct progress *p = arg;

	if (p->lines) {
		fputs("sync: ", stdout);
		cli_print_safe(stdout, line);
		fputc('\n', stdout);
		fflush(stdout);
	} else if (p->terminal) {
		fputs("\r\033[Ksync: ", stderr);
		cli_print_safe(stderr, line);
		fflush(stderr);
		p->shown = true;
	}
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char sync_usage[] =
        "usage: courant sync [--quiet] [--stats] [--progress] [--db PATH]\n"
        "\n"
        "Syncs with the server of the config file (set sync ttrss): sends\n"
        "the read and starred changes made here, then receives the\n"
        "subscriptions, new articles and the read and starred state.\n"
        "  -q, --quiet     print only errors\n"
        "      --stats     add a line: requests, bytes and seconds\n"
        "      --progress  print each step as a line on standard output\n"
        "      --db PATH   the database to use\n"
        "Exit status: 0 synced, 1 the sync failed (queued changes are "
        "kept),\n"
        "2 usage or configuration errors.\n";

int
cli_sync(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"quiet", no_argument, NULL, 'q'},
	        {"stats", no_argument, NULL, 's'},
	        {"progress", no_argument, NULL, 'p'},
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct progress prog = {0};
	struct sync_result res;
	struct sync_traffic tr;
	struct cli_files *files;
	struct store *st;
	struct err err = {0};
	const char *db = NULL;
	bool quiet = false, stats = false;
	double t0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 's':
			stats = true;
			break;
		case 'p':
			prog.lines = true;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(sync_usage, stdout);
			return 0;
		default:
			return cli_unknown_option("sync", argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("sync", "unexpected argument '%s'",
		                       argv[optind]);
	files = cli_files_load("sync");
	if (files == NULL)
		return 2;
	if (cli_files_config(files)->set.sync == CONFIG_SYNC_NONE) {
		cli_fail("sync", "no sync server is set up (set sync ttrss in "
		                 "the config file; see courant.conf(5))");
		cli_files_free(files);
		return 2;
	}
	st = cli_store_open("sync", db, STORE_OPEN_CHEAP_CHECK);
	if (st == NULL) {
		cli_files_free(files);
		return 1;
	}
	prog.terminal = !quiet && !prog.lines && isatty(STDERR_FILENO);
	t0 = now_seconds();
	rc = cli_sync_run(cli_files_config(files), st, on_progress, &prog, &res,
	                  &tr, &err);
	if (prog.shown)
		fputs("\r\033[K", stderr);
	if (rc == 0) {
		char line[256];

		/* A cron run is the store's idle time, as for refresh. */
		store_maintain(st, 500, NULL);
		cli_sync_summary(&res, line, sizeof line);
		if (!quiet)
			printf("synced: %s\n", line);
	} else {
		cli_fail("sync", err.msg);
		if (res.pending > 0)
			fprintf(stderr,
			        "courant sync: %ld change%s stay queued for "
			        "the "
			        "next sync\n",
			        res.pending, res.pending == 1 ? "" : "s");
	}
	if (stats)
		printf("requests %ld, bytes %" PRIu64 " (sent %" PRIu64
		       "), seconds %.2f\n",
		       tr.requests, tr.sent + tr.received, tr.sent,
		       now_seconds() - t0);
	fflush(stdout);
	store_close(st);
	cli_files_free(files);
	return rc == 0 ? 0 : rc == -2 ? 2 : 1;
}
