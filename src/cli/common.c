// SPDX-License-Identifier: MIT
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

static const char *global_db;

void
cli_set_db_path(const char *path)
{
	global_db = path;
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
	if (st == NULL) {
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
