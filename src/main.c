// SPDX-License-Identifier: MIT
/*
 * courant: start-up and dispatch. Each subcommand lives in src/cli/; the
 * interactive reader (src/cli/reader.c, src/ui/) is what runs without one.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "courant/cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* One command a line reads best as a table. */
/* clang-format off */
static const struct command commands[] = {
	{ "add", cli_add, "subscribe to a feed (or a web page's feed)" },
	{ "cleanup", cli_cleanup, "remove old articles; --vacuum to shrink the file" },
	{ "count", cli_count, "print how many articles match (--unread)" },
	{ "export", cli_export, "write the subscriptions as OPML or a urls file" },
	{ "feeds", cli_feeds, "list feeds with counts; --errors for feed health" },
	{ "import", cli_import, "subscribe from an OPML file or a Newsboat set-up" },
	{ "list", cli_list, "print stored headlines (plain, tsv or json)" },
	{ "mark", cli_mark, "mark articles read, unread, starred or unstarred" },
	{ "parse", cli_parse, "parse feed files or dates, as JSON or headlines" },
	{ "refresh", cli_refresh, "download due feeds and store new articles" },
	{ "remove", cli_remove, "unsubscribe from a feed" },
	{ "render", cli_render, "render an article's HTML as wrapped text" },
	{ "search", cli_search, "full-text search of the stored articles" },
	{ "sync", cli_sync, "sync subscriptions and read state with a server" },
};
/* clang-format on */

static void
usage(FILE *f)
{
	fprintf(f, "usage: courant [--help] [--version] [-c CONFIG] [-u URLS] "
	           "[--db PATH]\n"
	           "               [COMMAND [ARGS...]]\n\n"
	           "With no command, courant opens the reader (press ? in it "
	           "for the keys).\n\n"
	           "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
		        commands[i].summary);
	fprintf(f, "\nRun 'courant COMMAND --help' for a command's options, "
	           "'man courant' for everything.\n");
}

int
main(int argc, char **argv)
{
	const char *name;

	setlocale(LC_ALL, "");
	/* getopt's own messages would print what was typed unfiltered; each
	 * command names a bad option itself (cli_unknown_option()). */
	opterr = 0;
	/* Options before the command apply to every command. */
	while (argc >= 3) {
		if (strcmp(argv[1], "--db") == 0)
			cli_set_db_path(argv[2]);
		else if (strcmp(argv[1], "-c") == 0 ||
		         strcmp(argv[1], "--config") == 0)
			cli_set_config_paths(argv[2], NULL);
		else if (strcmp(argv[1], "-u") == 0 ||
		         strcmp(argv[1], "--urls") == 0)
			cli_set_config_paths(NULL, argv[2]);
		else
			break;
		argc -= 2;
		argv += 2;
	}
	/* No command: the reader. */
	if (argc < 2)
		return cli_reader(argc, argv);
	name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("courant %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fputs("courant: unknown command '", stderr);
	cli_print_safe(stderr, name);
	fputs("'\n", stderr);
	usage(stderr);
	return 2;
}
