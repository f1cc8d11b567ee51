// SPDX-License-Identifier: MIT
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "courant/err.h"

void
err_set(struct err *err, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

void
err_clear(struct err *err)
{
	if (err == NULL)
		return;
	err->code = ERR_NONE;
	err->msg[0] = '\0';
}

const char *
err_code_name(enum err_code code)
{
	switch (code) {
	case ERR_NONE:
		return "none";
	case ERR_IO:
		return "io";
	case ERR_NET:
		return "net";
	case ERR_HTTP:
		return "http";
	case ERR_PARSE:
		return "parse";
	case ERR_DB:
		return "db";
	case ERR_USAGE:
		return "usage";
	}
	return "unknown";
}
