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
#include <strings.h>

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

/* The first "</name" (any case) in s[0..n), or NULL. */
static const char *
find_end_tag(const char *s, size_t n, const char *name)
{
	size_t len = strlen(name);
	const char *end = s + n;

	while (s < end) {
		const char *hit = memchr(s, '<', (size_t)(end - s));

		if (hit == NULL || (size_t)(end - hit) < len + 2)
			return NULL;
		if (hit[1] == '/' && strncasecmp(hit + 2, name, len) == 0)
			return hit;
		s = hit + 1;
	}
	return NULL;
}

/* The element whose content the HTML parser reads as raw text (libxml2
 * 2.9: script and style only; title and textarea hold tags) when s[0..n)
 * starts with its name, else NULL. */
static const char *
raw_text_element(const char *s, size_t n)
{
	static const char *const names[] = {"script", "style"};

	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t len = strlen(names[k]);

		if (n > len && strncasecmp(s, names[k], len) == 0 &&
		    (is_tag_space(s[len]) || s[len] == '>' || s[len] == '/'))
			return names[k];
	}
	return NULL;
}

bool
markup_cap_attributes(struct buf *b, const char *s, size_t n, int max,
                      int flags)
{
	enum {
		OUT,
		OPEN,
		NAME,
		SPACE,
		ATTR,
		DQ,
		SQ,
		SKIP,
		SKIP_DQ,
		SKIP_SQ,
		SECTION, /* a comment, CDATA section or PI: up to its end */
		RAW,     /* script or style: up to its end tag */
	};
	int state = OUT, attrs = 0;
	size_t run = 0; /* start of the bytes to copy; n while dropping */
	bool dropped = false, slash = false, xml = flags & MARKUP_XML;
	const char *raw = NULL, *end_mark = NULL;

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
			/* Markup that holds text, not tags: "a<b" in it is
			 * no start tag. HTML's comments end at "-->", its
			 * PIs at '>'; it has no CDATA sections. */
			end_mark = NULL;
			if (c == '!' && n - i >= 3 &&
			    memcmp(s + i, "!--", 3) == 0)
				end_mark = "-->";
			else if (c == '!' && xml && n - i >= 8 &&
			         memcmp(s + i, "![CDATA[", 8) == 0)
				end_mark = "]]>";
			else if (c == '?')
				end_mark = xml ? "?>" : ">";
			if (end_mark != NULL) {
				state = SECTION;
				i += c == '?' ? 0 : end_mark[0] == '-' ? 2 : 7;
			} else if (is_name_start((unsigned char)c, flags)) {
				state = NAME;
				attrs = 0;
				raw = xml ? NULL
				          : raw_text_element(s + i, n - i);
			} else if (c != '<') {
				state = OUT; /* '<' again: another start */
			}
			break;
		case SECTION:
			hit = memmem(s + i, n - i, end_mark, strlen(end_mark));
			if (hit == NULL) {
				i = n - 1;
			} else {
				i = (size_t)(hit - s) + strlen(end_mark) - 1;
				state = OUT;
			}
			break;
		case RAW:
			hit = find_end_tag(s + i, n - i, raw);
			if (hit == NULL) {
				i = n - 1;
			} else {
				i = (size_t)(hit - s);
				state = OPEN; /* then '/': an end tag */
			}
			break;
		case NAME:
		case SPACE:
		case ATTR:
			if (c == '>')
				state = raw != NULL ? RAW : OUT;
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
				state = raw != NULL ? RAW : OUT;
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
