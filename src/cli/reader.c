// SPDX-License-Identifier: MIT
/*
 * courant with no command: the interactive reader. It opens the store and
 * the poller and hands both to the ui, which owns the terminal until the
 * user quits; errors are printed here, after the terminal is restored.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "courant/cli.h"
#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/ui.h"

static const char reader_usage[] =
        "usage: courant [--db PATH]\n"
        "       courant [--db PATH] COMMAND [ARGS...]   (courant --help)\n"
        "\n"
        "Opens the reader: the feed list, the articles and the reading pane.\n"
        "Press ? inside for the keys, q to go back or quit. On a first run\n"
        "with no feed, the bundled demo feeds are subscribed; add your own\n"
        "with 'courant add URL'.\n"
        "      --db PATH   the database to use (else $COURANT_DB, else\n"
        "                  $XDG_DATA_HOME/courant/courant.db)\n";

int
cli_reader(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	struct ui_options o;
	struct poller_opts po;
	struct cli_files *files;
	struct err err = {0};
	struct store *st;
	struct poller *p = NULL;
	struct ui *ui = NULL;
	int c, status = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(reader_usage, stdout);
			return 0;
		default:
			return cli_unknown_option("reader", argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("reader", "unexpected argument '%s'",
		                       argv[optind]);
	/* The user's files are checked before anything else: a mistake in
	 * them is exit status 2, said before the terminal is touched. */
	files = cli_files_load(NULL);
	if (files == NULL)
		return 2;
	st = cli_store_open("reader", db, STORE_OPEN_CHEAP_CHECK);
	if (st == NULL) {
		cli_files_free(files);
		return 1;
	}
	ui_options_default(&o);
	if (cli_files_apply(NULL, files, st, &o, &po) < 0)
		goto out;
	ui = ui_new(st, &o);
	p = poller_new(st, &po, ui_poll_report, ui, &err);
	if (p == NULL)
		goto failed;
	if (ui_run(ui, p, &err) < 0)
		goto failed;
	status = 0;
	if (poller_notice(p) != NULL) {
		fputs("courant: ", stderr);
		cli_print_safe(stderr, poller_notice(p));
		fputc('\n', stderr);
	}
	goto out;
failed:
	fputs("courant: ", stderr);
	cli_print_safe(stderr, err.msg);
	fputc('\n', stderr);
out:
	poller_free(p);
	ui_free(ui);
	store_close(st);
	cli_files_free(files);
	return status;
}
