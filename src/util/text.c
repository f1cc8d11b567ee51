// SPDX-License-Identifier: MIT
#include "config.h"

#include <string.h>

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
	return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) ||
	       (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
	       (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

int
text_sanitize_into(struct buf *out, const char *s, size_t n, unsigned flags,
                   size_t max_bytes)
{
	bool multiline = flags & TEXT_MULTILINE;
	bool terminal = flags & TEXT_FOR_TERMINAL;
	size_t written = 0, i = 0;
	int marks = 0;

	while (i < n) {
		uint32_t cp;
		char enc[4];
		size_t len;

		i += utf8_decode(s + i, n - i, &cp);
		if (cp == '\r') {
			/* CR LF and a lone CR are both one line break. */
			if (i < n && s[i] == '\n')
				i++;
			cp = '\n';
		}
		if (cp == '\n' || cp == '\t') {
			if (!multiline)
				cp = ' ';
		} else if (text_is_forbidden(cp)) {
			continue;
		}
		if (terminal && is_invisible(cp))
			continue;
		if (is_combining(cp)) {
			if (terminal && ++marks > 4)
				continue;
		} else {
			marks = 0;
		}
		len = utf8_encode(cp, enc);
		if (max_bytes != 0 && written + len > max_bytes)
			break;
		if (buf_append(out, enc, len) < 0)
			return -1;
		written += len;
	}
	return 0;
}

char *
text_sanitize(const char *s, size_t n, unsigned flags, size_t max_bytes)
{
	struct buf b;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	text_sanitize_into(&b, s, n, flags, max_bytes);
	return buf_take(&b);
}
