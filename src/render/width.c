// SPDX-License-Identifier: MIT
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "courant/render.h"
#include "courant/text.h"

struct width_range {
	uint32_t lo;
	uint32_t hi;
};

#include "width_table.h"

static bool
in_table(const struct width_range *t, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	if (cp < t[0].lo || cp > t[n - 1].hi)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp > t[mid].hi)
			lo = mid + 1;
		else if (cp < t[mid].lo)
			hi = mid;
		else
			return true;
	}
	return false;
}

/* Our own table rather than wcwidth(): under LANG=C, wcwidth() says -1 for
 * every non-ASCII character, and the caller's locale must not change how an
 * article wraps. */
int
render_cp_width(uint32_t cp)
{
	if (cp < 0x7F)
		return cp < 0x20 ? 0 : 1;
	if (cp < 0xA0)
		return 0;
	/* The big blocks of CJK ideographs and Hangul syllables first: they
	 * are most of the wide text there is. */
	if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3))
		return 2;
	if (in_table(zero_width, sizeof(zero_width) / sizeof(zero_width[0]),
	             cp))
		return 0;
	if (cp >= 0x1100 &&
	    in_table(double_width,
	             sizeof(double_width) / sizeof(double_width[0]), cp))
		return 2;
	return 1;
}

int
render_text_width(const char *s, size_t n)
{
	int w = 0;
	size_t i = 0;

	if (s == NULL)
		return 0;
	while (i < n) {
		uint32_t cp;

		if ((unsigned char)s[i] < 0x80) {
			w += (unsigned char)s[i] >= 0x20 &&
			     (unsigned char)s[i] != 0x7F;
			i++;
			continue;
		}
		i += utf8_decode(s + i, n - i, &cp);
		w += render_cp_width(cp);
	}
	return w;
}
