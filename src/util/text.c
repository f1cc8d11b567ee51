// SPDX-License-Identifier: MIT
#include "config.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "courant/text.h"
#include "courant/util.h"

size_t
utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c = u[0], min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		goto invalid;
	}
	if (n < len)
		goto invalid;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			goto invalid;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto invalid;
	*cp = c;
	return len;
invalid:
	*cp = UTF8_REPLACEMENT;
	return 1;
}

size_t
utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

bool
utf8_is_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t used;

		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		used = utf8_decode(s + i, n - i, &cp);
		if (cp == UTF8_REPLACEMENT && used == 1)
			return false;
		i += used;
	}
	return true;
}

bool
text_is_forbidden(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return true;
	/* Bidi controls reorder what follows them on screen: a title could
	 * make a link look like another (CVE-2021-42574, "Trojan Source"). */
	return cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static bool
is_invisible(uint32_t cp)
{
	return cp == 0x200B || cp == 0x2060 || cp == 0xFEFF ||
	       (cp >= 0xFFF9 && cp <= 0xFFFB);
}

/* The combining blocks that stacking abuse ("zalgo" text) draws from. */
static bool
is_combining(uint32_t cp)
{
	return (cp >= 0x0300 && cp <= 0x036F) ||
	       (cp >= 0x0483 && cp <= 0x0489) ||
	       (cp >= 0x1AB0 && cp <= 0x1AFF) ||
	       (cp >= 0x1DC0 && cp <= 0x1DFF) ||
	       (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

/* The index of the first byte at or after i that is not printable ASCII
 * (0x20-0x7E), or n: the sanitizer's fast path, since most text is. */
static inline size_t
skip_printable_ascii(const char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i low = _mm_set1_epi8(0x1F), high = _mm_set1_epi8(0x7F);

	/* Signed compares: bytes >= 0x80 are negative, so "> 0x1F and
	 * < 0x7F" holds exactly for printable ASCII. */
	while (n - i >= 16) {
		__m128i v =
		        _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, low),
		                           _mm_cmplt_epi8(v, high));
		unsigned mask = (unsigned)_mm_movemask_epi8(ok) ^ 0xFFFFu;

		if (mask != 0)
			return i + (size_t)__builtin_ctz(mask);
		i += 16;
	}
#endif
	/* Eight bytes at a time: the first test flags any byte >= 0x7F, the
	 * second any < 0x20 (both may flag too much, never too little). */
	while (n - i >= 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if ((((w + 0x0101010101010101ull) | w) &
		     0x8080808080808080ull) ||
		    ((w - 0x2020202020202020ull) & ~w & 0x8080808080808080ull))
			break;
		i += 8;
	}
	while (i < n && (unsigned char)s[i] >= 0x20 &&
	       (unsigned char)s[i] < 0x7F)
		i++;
	return i;
}

/* Appends s[0..n) to out within the max_bytes budget, cutting on a
 * character boundary; false when the budget (or out) is exhausted. */
static bool
emit(struct buf *out, const char *s, size_t n, size_t *written,
     size_t max_bytes, int *rc)
{
	bool room = true;

	if (max_bytes != 0 && n > max_bytes - *written) {
		n = max_bytes - *written;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		room = false;
	}
	if (n > 0 && buf_append(out, s, n) < 0) {
		*rc = -1;
		return false;
	}
	*written += n;
	return room;
}

int
text_sanitize_into(struct buf *out, const char *s, size_t n, unsigned flags,
                   size_t max_bytes)
{
	bool multiline = flags & TEXT_MULTILINE;
	bool terminal = flags & TEXT_FOR_TERMINAL;
	size_t written = 0, i = 0, run = 0;
	int marks = 0, rc = 0;

	/* Characters that pass unchanged are copied in runs; only bytes
	 * outside printable ASCII are decoded. */
	while (i < n) {
		unsigned char b;
		uint32_t cp;
		size_t len;
		char enc[4];

		size_t ascii_end = skip_printable_ascii(s, i, n);

		if (ascii_end != i)
			marks = 0; /* a base character ends a run of marks */
		i = ascii_end;
		if (i >= n)
			break;
		b = (unsigned char)s[i];
		if (b >= 0x80) {
			len = utf8_decode(s + i, n - i, &cp);
			if (cp == UTF8_REPLACEMENT && len == 1) {
				/* invalid: replaced below */
			} else if (!text_is_forbidden(cp) &&
			           !(terminal && is_invisible(cp))) {
				if (!is_combining(cp))
					marks = 0;
				else if (terminal && ++marks > 4)
					goto drop;
				i += len;
				continue;
			} else {
				goto drop;
			}
			cp = UTF8_REPLACEMENT;
		} else if (b == '\r' || b == '\n' || b == '\t') {
			len = 1;
			if (b == '\r' && i + 1 < n && s[i + 1] == '\n')
				len = 2;
			cp = b == '\t' ? '\t' : '\n';
			if (!multiline)
				cp = ' ';
			else if (b == '\n' || b == '\t')
				goto keep; /* already what it should be */
		} else {
			len = 1;
			goto drop; /* other C0 controls and DEL */
		}
		/* Replace s[i..i+len) by cp. */
		if (!emit(out, s + run, i - run, &written, max_bytes, &rc))
			return rc;
		marks = 0;
		if (!emit(out, enc, utf8_encode(cp, enc), &written, max_bytes,
		          &rc))
			return rc;
		i += len;
		run = i;
		continue;
	keep:
		marks = 0;
		i += len;
		continue;
	drop:
		if (!emit(out, s + run, i - run, &written, max_bytes, &rc))
			return rc;
		i += len;
		run = i;
	}
	emit(out, s + run, i - run, &written, max_bytes, &rc);
	return rc;
}

char *
text_sanitize(const char *s, size_t n, unsigned flags, size_t max_bytes)
{
	struct buf b;

	buf_init(&b, 0);
	/* The output is almost always the input or shorter. */
	buf_reserve(&b, max_bytes != 0 && max_bytes < n ? max_bytes : n);
	buf_append(&b, "", 0);
	text_sanitize_into(&b, s, n, flags, max_bytes);
	return buf_take(&b);
}
