// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for feed_date_parse() and feed_date_format(): any bytes
 * must parse without reading past the string, and a printed date must parse
 * back to the same instant.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/util.h"

/* The instants a parse may give: year 0 minus a day to 9999 plus a day
 * (an offset can push a date just past either end). */
#define EARLIEST (-62167219200 - 86400)
#define LATEST (253402300799 + 86400)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	char out[32];
	feed_time t, again;

	memcpy(s, data, size);
	s[size] = '\0';
	t = feed_date_parse(s);
	free(s);
	if (t == FEED_DATE_UNKNOWN)
		return 0;
	if (t < EARLIEST || t > LATEST)
		abort();
	if (feed_date_format(t, out, sizeof out) < 0)
		return 0;
	if (strlen(out) != 20)
		abort();
	again = feed_date_parse(out);
	if (again != t)
		abort();
	return 0;
}
