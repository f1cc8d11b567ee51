// SPDX-License-Identifier: MIT
/*
 * A guard in front of libxml2 for markup from strangers: libxml2 2.9
 * compares each attribute of a start tag with every other one (its
 * duplicate check), so one tag with 40,000 attributes costs seconds and a
 * 2 MiB page minutes. Discovery, OPML import and the renderer call it
 * before libxml2 sees the bytes; the feed parser, which gets its input in
 * pieces, has a streaming twin in src/feed/parser.c.
 */
#include "config.h"

#include <string.h>

#include "courant/util.h"

static bool
is_tag_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Can c start a tag's name? XML names may begin with '_', ':' or any
 * non-ASCII character; HTML's tokenizer wants an ASCII letter. */
static bool
is_name_start(unsigned char c, int flags)
{
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return true;
	return (flags & MARKUP_XML) && (c >= 0x80 || c == '_' || c == ':');
}

bool
markup_cap_attributes(struct buf *b, const char *s, size_t n, int max,
                      int flags)
{
	enum { OUT, OPEN, NAME, SPACE, ATTR, DQ, SQ, SKIP, SKIP_DQ, SKIP_SQ };
	int state = OUT, attrs = 0;
	size_t run = 0; /* start of the bytes to copy; n while dropping */
	bool dropped = false, slash = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		const char *hit;

		switch (state) {
		case OUT:
			hit = memchr(s + i, '<', n - i);
			if (hit == NULL)
				i = n - 1;
			else {
				i = (size_t)(hit - s);
				state = OPEN;
			}
			break;
		case OPEN:
			if (is_name_start((unsigned char)c, flags)) {
				state = NAME;
				attrs = 0;
			} else {
				state = OUT;
				i--; /* another '<'? */
			}
			break;
		case NAME:
		case SPACE:
		case ATTR:
			if (c == '>')
				state = OUT;
			else if (is_tag_space(c))
				state = SPACE;
			else if (state == NAME || c == '/')
				;
			else if (c == '"' || c == '\'')
				state = c == '"' ? DQ : SQ;
			else if (state == SPACE && c != '=') {
				if (++attrs > max) {
					if (b != NULL)
						buf_append(b, s + run, i - run);
					run = n;
					state = SKIP;
					dropped = true;
					slash = false;
				} else {
					state = ATTR;
				}
			}
			break;
		case DQ:
		case SQ:
		case SKIP_DQ:
		case SKIP_SQ:
			hit = memchr(s + i,
			             state == DQ || state == SKIP_DQ ? '"'
			                                             : '\'',
			             n - i);
			if (hit == NULL)
				i = n - 1;
			else {
				i = (size_t)(hit - s);
				state = state == DQ || state == SQ ? SPACE
				                                   : SKIP;
			}
			break;
		case SKIP:
			if (c == '>') {
				/* An empty-element tag stays one. */
				if (slash && b != NULL)
					buf_putc(b, '/');
				run = i;
				state = OUT;
			} else if (c == '"' || c == '\'') {
				state = c == '"' ? SKIP_DQ : SKIP_SQ;
			}
			slash = c == '/';
			break;
		}
	}
	if (run < n && b != NULL)
		buf_append(b, s + run, n - run);
	return dropped;
}
