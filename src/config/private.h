/* SPDX-License-Identifier: MIT */
/* What the files of src/config share. Nothing here leaves the module. */
#ifndef COURANT_CONFIG_PRIVATE_H
#define COURANT_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "courant/config.h"
#include "courant/err.h"

/*
 * Reads a whole file of the user's (config, urls, OPML): it must be a
 * regular file (or /dev/null, read as empty) of at most max bytes, valid
 * UTF-8 without NUL. A missing file sets *missing and returns 0 with *data
 * NULL. *data is NUL-terminated, for the caller to free. -1 and err.
 */
int cfile_read(const char *path, size_t max, char **data, size_t *len,
               bool *missing, struct err *err);
/* Checks text[0..n) for NUL and invalid UTF-8; the error names the line. */
int cfile_check_text(const char *name, const char *text, size_t n,
                     struct err *err);

/* One line's words: quoted words may hold spaces and \" or \\ escapes; an
 * unquoted word starting with # ends the line (a comment). */
struct words {
	char **v;
	size_t n;
};

/* Splits line[0..len) into w (emptied first). -1 with *why set when a
 * quote is not closed or a control character is found. */
int words_split(struct words *w, const char *line, size_t len,
                const char **why);
void words_done(struct words *w);
/* Iterates over lines: returns the next line start and its length (no
 * '\n', no trailing '\r'), or NULL at the end. *pos is the cursor. */
const char *next_line(const char *text, size_t n, size_t *pos, size_t *len);

void warning_add(struct config_warning **v, size_t *n, const char *file,
                 int line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
void warnings_free(struct config_warning *v, size_t n);

/* Writes data to path atomically (temporary file in the same directory,
 * then rename), with mode `mode`; a symbolic link is followed and its
 * target replaced. Creates the directory (0700) when missing. */
int cfile_replace(const char *path, const char *data, size_t n,
                  struct err *err);

#endif
