// SPDX-License-Identifier: MIT
/*
 * Captures: the text of one element being read, kept raw (character data)
 * and, once a child element appears, also as markup (child elements
 * serialized back, character data escaped), because RSS descriptions carry
 * unescaped HTML and Atom carries XHTML. The value's type decides which.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"
#include "sax.h"

void
capture_reset(struct capture *c)
{
	free(c->rel);
	free(c->type);
	free(c->length);
	free(c->scheme);
	free(c->label);
	buf_reset(&c->raw);
	buf_reset(&c->markup);
	c->rel = c->type = c->length = c->scheme = c->label = NULL;
	c->active = false;
	c->depth = 0;
	c->field = F_NONE;
	c->typing = TYPING_PLAIN;
	c->atom_type = FEED_TEXT_PLAIN;
	c->base64 = c->keep_div = c->has_children = c->pending_open = false;
	c->top_elements = 0;
	c->top_text = c->top_is_div = c->nested = false;
	c->div_inner_start = c->div_inner_end = 0;
	c->not_permalink = false;
	c->base = c->lang = NULL;
}

static void
markup_escaped(struct buf *b, const char *s, size_t n, bool attribute)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;

		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = attribute ? "&quot;" : NULL;
			break;
		}
		if (rep == NULL)
			continue;
		buf_append(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_append(b, s + start, n - start);
}

static void
close_pending(struct capture *c)
{
	if (c->pending_open) {
		buf_putc(&c->markup, '>');
		c->pending_open = false;
	}
}

/* Windows-1252's meaning of the C1 code points: feeds written on Windows
 * say &#146; for a right quote. U+0080-U+009F are controls with no use in
 * text, so reading them this way loses nothing (0 = no such character). */
static const uint16_t cp1252_c1[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
        0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static void capture_append(struct capture *c, const char *s, size_t n);

void
capture_text(struct capture *c, const char *s, size_t n)
{
	const char *c2 = memchr(s, 0xC2, n);

	while (c2 != NULL) {
		size_t i = (size_t)(c2 - s);
		unsigned char next = i + 1 < n ? (unsigned char)s[i + 1] : 0;

		if (next >= 0x80 && next <= 0x9F &&
		    cp1252_c1[next - 0x80] != 0) {
			char enc[4];
			size_t len = utf8_encode(cp1252_c1[next - 0x80], enc);

			capture_append(c, s, i);
			capture_append(c, enc, len);
			s += i + 2;
			n -= i + 2;
			c2 = memchr(s, 0xC2, n);
		} else {
			c2 = i + 1 < n ? memchr(c2 + 1, 0xC2, n - i - 1) : NULL;
		}
	}
	capture_append(c, s, n);
}

static bool
has_non_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!str_is_space((unsigned char)s[i]))
			return true;
	return false;
}

/* Markup is only kept once the capture has a child element: until then
 * it would be the raw text escaped, which is made on demand. */
static void
capture_append(struct capture *c, const char *s, size_t n)
{
	/* At the field cap, keep what fits and drop the rest: a whole
	 * chunk of text may arrive in one call. */
	if (n > c->raw.max - c->raw.len) {
		n = c->raw.max - c->raw.len;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	buf_append(&c->raw, s, n);
	if (!c->has_children)
		return;
	close_pending(c);
	if (c->depth == 0 && !c->top_text)
		c->top_text = has_non_space(s, n);
	markup_escaped(&c->markup, s, n, false);
}

static void
write_qname(struct buf *b, const xmlChar *prefix, const xmlChar *local,
            bool xhtml)
{
	if (prefix != NULL && !xhtml) {
		buf_puts(b, (const char *)prefix);
		buf_putc(b, ':');
	}
	buf_puts(b, (const char *)local);
}

void
capture_start_child(struct capture *c, const xmlChar *local,
                    const xmlChar *prefix, const xmlChar *uri, int nb_attrs,
                    const xmlChar **attrs)
{
	bool xhtml = element_classify_ns((const char *)uri,
	                                 (const char *)prefix) == NS_XHTML;

	close_pending(c);
	if (!c->has_children) {
		c->has_children = true;
		c->top_text = has_non_space(buf_str(&c->raw), c->raw.len);
		markup_escaped(&c->markup, buf_str(&c->raw), c->raw.len, false);
	}
	if (c->depth > 0)
		c->nested = true;
	if (c->depth == 0) {
		c->top_elements++;
		c->top_is_div = c->top_elements == 1 && xhtml &&
		                strcmp((const char *)local, "div") == 0;
	}
	buf_putc(&c->markup, '<');
	write_qname(&c->markup, prefix, local, xhtml);
	for (int i = 0; i < nb_attrs; i++) {
		const xmlChar **a = attrs + i * 5;
		char *value = element_attr_dup(a);

		buf_putc(&c->markup, ' ');
		write_qname(&c->markup, a[1], a[0], false);
		buf_puts(&c->markup, "=\"");
		markup_escaped(&c->markup, value, strlen(value), true);
		buf_putc(&c->markup, '"');
		free(value);
	}
	c->pending_open = true;
	c->depth++;
	if (c->depth == 1 && c->top_is_div)
		c->div_inner_start = c->markup.len + 1; /* after the '>' */
}

void
capture_end_child(struct capture *c, const xmlChar *local,
                  const xmlChar *prefix, const xmlChar *uri)
{
	bool xhtml = element_classify_ns((const char *)uri,
	                                 (const char *)prefix) == NS_XHTML;

	c->depth--;
	if (c->pending_open) {
		buf_puts(&c->markup, " />");
		c->pending_open = false;
		if (c->depth == 0 && c->top_is_div)
			c->div_inner_start = c->div_inner_end = c->markup.len;
		return;
	}
	if (c->depth == 0 && c->top_is_div)
		c->div_inner_end = c->markup.len;
	buf_puts(&c->markup, "</");
	write_qname(&c->markup, prefix, local, xhtml);
	buf_putc(&c->markup, '>');
}

/* Decodes base64 in place (Atom 0.3 mode="base64"); skips whitespace and
 * stops at the first character outside the alphabet. */
static void
base64_decode(struct buf *b)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	                               "nopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0;
	size_t out = 0;

	for (size_t i = 0; i < b->len; i++) {
		const char *pos;

		if (str_is_space((unsigned char)b->data[i]))
			continue;
		if (b->data[i] == '=' || b->data[i] == '\0')
			break;
		pos = strchr(alphabet, b->data[i]);
		if (pos == NULL)
			break;
		acc = (acc << 6) | (uint32_t)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b->data[out++] = (char)((acc >> bits) & 0xFF);
		}
	}
	b->len = out;
	if (b->data != NULL)
		b->data[out] = '\0';
}

/* Maps an Atom type attribute (a keyword or a media type) to a text type;
 * false when it names something else, which Atom says is base64. */
bool
capture_media_type(const char *t, enum feed_text_type *out)
{
	size_t n = t ? strlen(t) : 0;

	if (t == NULL || *t == '\0' || str_ieq(t, "text") ||
	    str_ieq(t, "text/plain"))
		*out = FEED_TEXT_PLAIN;
	else if (str_ieq(t, "html") || str_ieq(t, "text/html"))
		*out = FEED_TEXT_HTML;
	else if (strstr(t, "xhtml") != NULL ||
	         (n > 4 &&
	          (str_ieq(t + n - 4, "/xml") || str_ieq(t + n - 4, "+xml"))))
		*out = FEED_TEXT_XHTML;
	else if (str_istarts_with(t, "text/"))
		*out = FEED_TEXT_PLAIN;
	else
		return false;
	return true;
}

/* s[0..n) sanitized and without surrounding whitespace, as a new string.
 * Trimming the window first spares a pass over every value. */
static char *
sanitized_trimmed(const char *s, size_t n, unsigned flags)
{
	char *v;
	size_t len;

	while (n > 0 && str_is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && str_is_space((unsigned char)s[n - 1]))
		n--;
	v = text_sanitize(s, n, flags, FEED_MAX_FIELD_BYTES);
	len = strlen(v);
	/* A dropped control can leave a space at either end. */
	if (len > 0 && (v[0] == ' ' || v[len - 1] == ' ' || v[len - 1] == '\n'))
		str_trim(v);
	return v;
}

/* The captured value as (type, new string), sanitized and trimmed. */
char *
capture_value(struct capture *c, enum feed_text_type *type)
{
	const char *s = buf_str(&c->raw);
	size_t n = c->raw.len;
	enum feed_text_type t = FEED_TEXT_PLAIN;

	close_pending(c);
	switch (c->typing) {
	case TYPING_PLAIN:
		break;
	case TYPING_GUESS:
		if (c->has_children) {
			t = FEED_TEXT_HTML;
			s = buf_str(&c->markup);
			n = c->markup.len;
		} else {
			t = feed_looks_like_html(s) ? FEED_TEXT_HTML
			                            : FEED_TEXT_PLAIN;
		}
		break;
	case TYPING_HTML:
	case TYPING_XHTML:
		t = c->typing == TYPING_HTML ? FEED_TEXT_HTML : FEED_TEXT_XHTML;
		if (c->has_children) {
			s = buf_str(&c->markup);
			n = c->markup.len;
		}
		break;
	case TYPING_ATOM10:
	case TYPING_ATOM03:
		t = c->atom_type;
		if (c->base64) {
			base64_decode(&c->raw);
			s = buf_str(&c->raw);
			n = c->raw.len;
		} else if (c->has_children && t == FEED_TEXT_HTML &&
		           c->top_is_div && c->top_elements == 1 &&
		           !c->nested) {
			/* Escaped HTML inside a stray xhtml <div> (TypePad):
			 * the div is packaging, the text is the HTML. */
		} else if (c->has_children) {
			if (t == FEED_TEXT_PLAIN)
				t = FEED_TEXT_XHTML;
			s = buf_str(&c->markup);
			n = c->markup.len;
			/* Atom 1.0 wraps xhtml in a <div> that is not content.
			 */
			if (!c->keep_div && c->top_elements == 1 &&
			    c->top_is_div && !c->top_text &&
			    c->div_inner_end >= c->div_inner_start) {
				s = buf_str(&c->markup) + c->div_inner_start;
				n = c->div_inner_end - c->div_inner_start;
			}
		}
		break;
	}
	*type = t;
	return sanitized_trimmed(s, n, TEXT_MULTILINE);
}

/* A one-line value (URL, id, name), or NULL when empty. */
char *
capture_line(struct capture *c)
{
	char *v = sanitized_trimmed(buf_str(&c->raw), c->raw.len, 0);

	if (*v == '\0') {
		free(v);
		return NULL;
	}
	return v;
}
