// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the sanitizer (text.h). The first byte chooses the
 * flags (its two low bits) and the byte cap (the rest: 0 is none), the rest
 * is the text. The target checks the promises itself, so a broken promise
 * aborts like a crash:
 *  - the output is valid UTF-8 with no NUL, no C0 control but '\n' and
 *    '\t' with TEXT_MULTILINE, no '\r', no DEL, no C1, no bidi control;
 *  - with TEXT_FOR_TERMINAL no invisible format character and at most 4
 *    combining marks in a row;
 *  - a capped output is the longest prefix of the uncapped one that ends
 *    on a character boundary within the cap;
 *  - sanitizing the output again changes nothing;
 *  - text that is already clean passes unchanged with TEXT_MULTILINE;
 *  - a buffer with a ceiling holds a prefix of the output, and -1 is
 *    returned exactly when the output did not fit;
 *  - utf8_decode() and utf8_encode() agree on every valid sequence.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/text.h"
#include "courant/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

/* The same sets as text.c, written out again on purpose: the target
 * checks the documented promise, not the code's own idea of it. */
static bool
is_invisible(uint32_t cp)
{
	return cp == 0x200B || cp == 0x2060 || cp == 0xFEFF ||
	       (cp >= 0xFFF9 && cp <= 0xFFFB);
}

static bool
is_combining(uint32_t cp)
{
	return (cp >= 0x0300 && cp <= 0x036F) ||
	       (cp >= 0x0483 && cp <= 0x0489) ||
	       (cp >= 0x1AB0 && cp <= 0x1AFF) ||
	       (cp >= 0x1DC0 && cp <= 0x1DFF) ||
	       (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

static bool
is_bidi(uint32_t cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The invariants of one output. */
static void
check_output(const char *s, size_t n, unsigned flags)
{
	int marks = 0;

	check(utf8_is_valid(s, n));
	check(memchr(s, '\0', n) == NULL);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if ((flags & TEXT_MULTILINE) && (cp == '\n' || cp == '\t'))
			;
		else
			check(cp >= 0x20 && !(cp >= 0x7F && cp <= 0x9F) &&
			      !is_bidi(cp) && !text_is_forbidden(cp));
		if (flags & TEXT_FOR_TERMINAL) {
			check(!is_invisible(cp));
			marks = is_combining(cp) ? marks + 1 : 0;
			check(marks <= 4);
		}
		i += len;
	}
}

/* True when s passes TEXT_MULTILINE unchanged: valid, and no control
 * but '\n' and '\t'. */
static bool
is_clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (cp == UTF8_REPLACEMENT && len == 1)
			return false;
		if (cp != '\n' && cp != '\t' && text_is_forbidden(cp))
			return false;
		i += len;
	}
	return true;
}

static void
check_codec(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		char enc[4];
		size_t len = utf8_decode(s + i, n - i, &cp);

		check(len >= 1 && len <= 4 && len <= n - i);
		check(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
		if (!(cp == UTF8_REPLACEMENT && len == 1))
			check(utf8_encode(cp, enc) == len &&
			      memcmp(enc, s + i, len) == 0);
		i += len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags;
	size_t cap, n, full_len, len;
	const char *s;
	char *full, *capped, *again;
	struct buf b;
	int rc;

	if (size < 1)
		return 0;
	flags = data[0] & 3;
	cap = data[0] >> 2;
	if (cap == 63)
		cap = 4096;
	s = (const char *)data + 1;
	n = size - 1;

	check_codec(s, n);
	full = text_sanitize(s, n, flags, 0);
	full_len = strlen(full);
	check_output(full, full_len, flags);
	/* The output never grows by more than a replacement per byte. */
	check(full_len <= 3 * n);

	/* Sanitizing twice changes nothing. */
	again = text_sanitize(full, full_len, flags, 0);
	check(strcmp(again, full) == 0);
	free(again);

	if (flags == TEXT_MULTILINE && is_clean(s, n))
		check(full_len == n && memcmp(full, s, n) == 0);

	if (cap != 0) {
		capped = text_sanitize(s, n, flags, cap);
		len = strlen(capped);
		check(len <= cap && len <= full_len);
		check(memcmp(capped, full, len) == 0);
		if (len < full_len) {
			uint32_t cp;
			size_t next =
			        utf8_decode(full + len, full_len - len, &cp);

			/* A character boundary, and the next one did not
			 * fit. */
			check(((unsigned char)full[len] & 0xC0) != 0x80);
			check(len + next > cap);
		}
		check_output(capped, len, flags);
		again = text_sanitize(capped, len, flags, cap);
		check(strcmp(again, capped) == 0);
		free(again);
		free(capped);
	}

	/* A buffer with its own ceiling: a prefix, and -1 when it is full. */
	buf_init(&b, cap != 0 ? cap : 64);
	rc = text_sanitize_into(&b, s, n, flags, 0);
	check(b.len <= b.max);
	check(b.len <= full_len && memcmp(buf_str(&b), full, b.len) == 0);
	check(rc == 0 ? b.len == full_len : rc == -1 && b.len < full_len);
	buf_done(&b);

	/* Appending keeps what was there. */
	buf_init(&b, 0);
	buf_puts(&b, "x\x01");
	check(text_sanitize_into(&b, s, n, flags, cap) == 0);
	check(b.len >= 2 && memcmp(b.data, "x\x01", 2) == 0);
	check(strncmp(b.data + 2, full, b.len - 2) == 0);
	buf_done(&b);

	free(full);
	return 0;
}
