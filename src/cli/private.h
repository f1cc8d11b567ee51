/* SPDX-License-Identifier: MIT */
/* What the files of src/cli share. */
#ifndef COURANT_CLI_PRIVATE_H
#define COURANT_CLI_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "courant/sync.h"

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

/* ---- sync (sync.c) ---- */

struct cli_files;
struct config;
struct store;
struct sync_backend;
struct sync_result;
struct sync_traffic;
struct err;

/* The config the files of this run hold (files.c); lent. */
const struct config *cli_files_config(const struct cli_files *f);
/* The backend for the server c names, with the password fetched; NULL and
 * err (ERR_USAGE: sync is not set up, or the password set-up is wrong). */
struct sync_backend *cli_sync_backend(const struct config *c, struct err *err);
/* One whole sync of st (fn, may be NULL, gets the progress lines); res and
 * tr (may be NULL) are filled as far as it got. 0, -1 and err when the
 * sync failed, -2 and err for a set-up the user must fix. */
int cli_sync_run(const struct config *c, struct store *st, sync_progress_fn *fn,
                 void *arg, struct sync_result *res, struct sync_traffic *tr,
                 struct err *err);
/* "3 changes pushed, 2 feeds, ..." for a result. */
void cli_sync_summary(const struct sync_result *r, char *out, size_t size);

#endif
