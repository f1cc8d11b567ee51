/* SPDX-License-Identifier: MIT */
/*
 * err: the one error convention. A function that can fail returns -1 (or
 * NULL) and fills the `struct err *` it was given last; err may be NULL.
 * The message is one line for humans and lives in a fixed buffer, so an
 * error path never has anything to free. Lower modules never print errors:
 * only the CLI and the UI show them, after sanitizing.
 */
#ifndef COURANT_ERR_H
#define COURANT_ERR_H

enum err_code {
	ERR_NONE = 0,
	ERR_IO,    /* files, permissions, disk */
	ERR_NET,   /* transport: resolve, connect, TLS, timeout, size cap */
	ERR_HTTP,  /* a server answered with an error status */
	ERR_PARSE, /* bytes that are not what they claim to be */
	ERR_DB,    /* the store */
	ERR_USAGE, /* the user asked for something impossible */
};

struct err {
	enum err_code code;
	char msg[256];
};

/* Sets code and message (printf format, truncated to fit); err may be NULL. */
void err_set(struct err *err, enum err_code code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Resets err to ERR_NONE with an empty message; err may be NULL. */
void err_clear(struct err *err);

/* A short lowercase name for the code ("io", "net", ...), for logs. */
const char *err_code_name(enum err_code code);

#endif
