// SPDX-License-Identifier: MIT
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "courant/cli.h"
#include "courant/store.h"
#include "courant/text.h"
#include "courant/util.h"

void
cli_print_safe(FILE *f, const char *s)
{
	char *clean;

	if (s == NULL)
		return;
	clean = text_sanitize(s, strlen(s), TEXT_FOR_TERMINAL, 0);
	fputs(clean, f);
	free(clean);
}

int
cli_fail(const char *cmd, const char *msg)
{
	fprintf(stderr, "courant %s: ", cmd);
	cli_print_safe(stderr, msg);
	fputc('\n', stderr);
	return 1;
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "courant %s: ", cmd);
	cli_print_safe(stderr, msg);
	fprintf(stderr, "\nTry 'courant %s --help'.\n", cmd);
	free(msg);
	return 2;
}

int
cli_unknown_option(const char *cmd, char *const argv[])
{
	if (optopt != 0)
		return cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

static const char *global_db;

void
cli_set_db_path(const char *path)
{
	global_db = path;
}

/* Why a database path that could not be opened is no database file, in
 * words SQLite's "unable to open database file" does not have; NULL when
 * it is a file (or is not there). */
static const char *
path_problem(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) < 0)
		return NULL;
	if (S_ISLNK(sb.st_mode))
		return "is a symbolic link, which courant does not follow for "
		       "its database: give the real path with --db";
	if (S_ISDIR(sb.st_mode))
		return "is a directory, not a database file";
	if (!S_ISREG(sb.st_mode))
		return "is not a regular file";
	return NULL;
}

struct store *
cli_store_open(const char *cmd, const char *db, unsigned flags)
{
	struct err err = {0};
	struct store *st;
	char *fallback = NULL;
	const char *env = getenv("COURANT_DB");

	if (db == NULL)
		db = global_db;
	if (db == NULL && env != NULL && *env != '\0')
		db = env;
	if (db == NULL) {
		fallback = store_default_path(&err);
		if (fallback == NULL) {
			fprintf(stderr, "courant %s: ", cmd);
			cli_print_safe(stderr, err.msg);
			fputc('\n', stderr);
			return NULL;
		}
		db = fallback;
	}
	st = store_open(db, flags, &err);
	if (st == NULL && path_problem(db) != NULL) {
		fprintf(stderr, "courant %s: ", cmd);
		cli_print_safe(stderr, db);
		fprintf(stderr, " %s\n", path_problem(db));
	} else if (st == NULL) {
		fprintf(stderr, "courant %s: ", cmd);
		cli_print_safe(stderr, err.msg);
		fputc('\n', stderr);
	} else if (store_notice(st) != NULL) {
		fprintf(stderr, "courant %s: ", cmd);
		cli_print_safe(stderr, store_notice(st));
		fputc('\n', stderr);
	}
	free(fallback);
	return st;
}
