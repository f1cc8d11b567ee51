// SPDX-License-Identifier: MIT
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "courant/cli.h"
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
