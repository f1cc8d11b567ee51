/* SPDX-License-Identifier: MIT */
/* What the files of src/cli share. */
#ifndef COURANT_CLI_PRIVATE_H
#define COURANT_CLI_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A small streaming JSON writer: it tracks commas and nothing else, so a
 * caller can emit items one at a time without holding them.
 */
struct json {
	FILE *f;
	int depth;
	bool need_comma[64];
};

void json_init(struct json *j, FILE *f);
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
/* key is NULL inside arrays. A NULL string prints null. */
void json_string(struct json *j, const char *key, const char *s);
void json_int(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

struct poller_opts;

/* COURANT_TIMEOUTS=CONNECT:LOW_SPEED:TOTAL (seconds) over o's timeouts;
 * -1 after printing when it is malformed (refresh.c). */
int cli_read_timeouts(const char *cmd, struct poller_opts *o);

#endif
