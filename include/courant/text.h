/* SPDX-License-Identifier: MIT */
/*
 * text: UTF-8 and the one sanitizer. Every byte that came from a feed, a
 * server, a file or the store passes text_sanitize() before it leaves the
 * parser and again before it reaches a terminal (SECURITY.md rule 1). The
 * sanitizer's output is valid UTF-8 with no C0 control (but newline and tab
 * when asked), no DEL, no C1, no bidi control, and sanitizing twice changes
 * nothing. libc only; no locale is consulted.
 */
#ifndef COURANT_TEXT_H
#define COURANT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

#define UTF8_REPLACEMENT 0xFFFDu

/*
 * Decodes the code point at s (n > 0 bytes available) into *cp and returns
 * the bytes it used. Invalid or truncated sequences, overlongs, surrogates
 * and values past U+10FFFF give *cp = UTF8_REPLACEMENT and use one byte.
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp (a valid scalar value) into out; returns 1 to 4. */
size_t utf8_encode(uint32_t cp, char out[4]);
/* True when s[0..n) is entirely valid UTF-8. */
bool utf8_is_valid(const char *s, size_t n);

enum text_flags {
	/* Keep '\n' and '\t' (CR LF and lone CR become '\n'); without it
	 * every one of them becomes a space. */
	TEXT_MULTILINE = 1 << 0,
	/* Also drop invisible format characters (zero-width space, word
	 * joiner, BOM) and keep at most 4 combining marks per base: for
	 * terminals, where they only serve to confuse. */
	TEXT_FOR_TERMINAL = 1 << 1,
};

/*
 * Appends the sanitized form of s[0..n) to out, stopping before max_bytes of
 * output (0: no cap) on a character boundary. Returns -1 only when out's own
 * ceiling is reached.
 */
int text_sanitize_into(struct buf *out, const char *s, size_t n, unsigned flags,
                       size_t max_bytes);
/* The sanitized form of s as a new string for the caller to free. */
char *text_sanitize(const char *s, size_t n, unsigned flags, size_t max_bytes);
/* True when cp is a control or bidi code point the sanitizer removes. */
bool text_is_forbidden(uint32_t cp);

#endif
