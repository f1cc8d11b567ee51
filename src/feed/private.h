/* SPDX-License-Identifier: MIT */
/* What the files of src/feed share; nothing outside src/feed includes it. */
#ifndef COURANT_FEED_PRIVATE_H
#define COURANT_FEED_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/*
 * charset.c: turns a document's bytes into UTF-8 before libxml2 sees them,
 * because libxml2 alone gets UTF-32, some labels and fallbacks wrong.
 * The decision follows RFC 7303 section 8 and XML 1.0 Appendix F: a BOM,
 * then the HTTP charset parameter, then the XML declaration, then
 * byte-pattern detection of UTF-16/32, then UTF-8. Output carries no BOM; the XML
 * declaration is left in place (the parser is told to ignore its encoding).
 */
struct charset_decoder;

/* content_type is the whole HTTP Content-Type value, or NULL. */
struct charset_decoder *charset_decoder_new(const char *content_type);
/* Decodes the next n bytes, appending UTF-8 to out. May hold bytes back
 * until the encoding is known. Returns -1 only when out's ceiling is hit. */
int charset_decoder_push(struct charset_decoder *d, const char *data,
                         size_t n, struct buf *out);
/* Flushes what was held back (a truncated sequence becomes U+FFFD). */
int charset_decoder_finish(struct charset_decoder *d, struct buf *out);
/* The encoding in use, lowercase ("utf-8", "utf-16le", "windows-1252"),
 * or NULL while still undecided. */
const char *charset_decoder_encoding(const struct charset_decoder *d);
/* False once an unknown label or bytes invalid in the encoding were seen;
 * then charset_decoder_error() says what. */
bool charset_decoder_ok(const struct charset_decoder *d);
const char *charset_decoder_error(const struct charset_decoder *d);
void charset_decoder_free(struct charset_decoder *d);

/*
 * model.c: building and freeing items and feed metadata.
 */
struct feed_item;
struct feed_info;
struct feed_person;

void feed_info_init(struct feed_info *info);
void feed_info_clear(struct feed_info *info);
/* Appends a zeroed element to an array of n elements of `size` bytes,
 * growing it; returns the new element, or NULL at FEED_MAX_LIST. */
void *feed_array_push(void *array_ptr, size_t *n, size_t size);
/* Replaces *slot with value (which it takes), freeing the old one. */
void feed_set_string(char **slot, char *value);
/* Splits an RSS author string ("Name (email)", "email (Name)",
 * "Name <email>", a bare address or name) into p's fields. */
void feed_person_from_string(struct feed_person *p, const char *s);
/* Computes it->key from id, link, or a hash of title, date and summary. */
void feed_item_make_key(struct feed_item *it);
/* True when a text value with no type information looks like HTML. */
bool feed_looks_like_html(const char *s);

#endif
