/* SPDX-License-Identifier: MIT */
/*
 * util: what every module needs from libc and nothing more: allocation that
 * cannot fail, growable byte buffers with a ceiling, small string helpers.
 * No library but libc is used here.
 */
#ifndef COURANT_UTIL_H
#define COURANT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The x* allocators never return NULL: on exhaustion they call the hook set
 * with xalloc_set_fail_hook() (the UI restores the terminal there), print a
 * line on stderr and abort. Nobody checks them.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of n elements of `size` bytes; aborts on overflow. */
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
        __attribute__((format(printf, 1, 0)));
void xalloc_set_fail_hook(void (*hook)(void));

/*
 * A growable byte buffer that is always NUL-terminated and never grows past
 * `max` bytes of content (0 means no ceiling, for data we made ourselves).
 * Anything from the network gets a ceiling.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void buf_init(struct buf *b, size_t max);
void buf_done(struct buf *b);
void buf_reset(struct buf *b);
/* Makes room for n more bytes without changing the contents. */
void buf_reserve(struct buf *b, size_t n);
/* Appends n bytes; returns -1 (and appends nothing) when max would be passed.
 */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Gives the contents away as a NUL-terminated string and empties b. */
char *buf_take(struct buf *b);
/* The contents as a string (never NULL), lent until b changes. */
static inline const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

/* ASCII-only helpers: feed vocabularies are ASCII, locales must not matter. */
bool str_eq(const char *a, const char *b);
bool str_ieq(const char *a, const char *b);
bool str_starts_with(const char *s, const char *prefix);
bool str_istarts_with(const char *s, const char *prefix);
static inline bool
str_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}
/* Trims ASCII whitespace at both ends, in place; returns s. */
char *str_trim(char *s);
/* Lowercases ASCII letters in place; returns s. */
char *str_lower(char *s);

/*
 * Appends the markup s[0..n) to b (NULL: only looks) without the
 * attributes of a start tag past the max-th: from the first one too many
 * to the tag's end the bytes are dropped, an empty-element tag staying
 * one. An attribute starts at a non-blank after a blank or a quoted value
 * (a blank around '=' may count one more: keep max far above real tags).
 * True when something was dropped. libxml2 2.9 compares a tag's attributes
 * pairwise; this keeps that cost bounded (src/util/markup.c). flags
 * says whose names: MARKUP_HTML or MARKUP_XML.
 */
enum {
	MARKUP_HTML = 0, /* a tag's name starts with an ASCII letter */
	MARKUP_XML = 1,  /* ... or with '_', ':' or a non-ASCII character */
};
bool markup_cap_attributes(struct buf *b, const char *s, size_t n, int max,
                           int flags);

/* The user's home directory: $HOME when it is an absolute path, else the
 * password database's entry (SECURITY.md 3.6), as a string to free; NULL
 * when neither says. */
char *home_dir(void);

#endif
