// SPDX-License-Identifier: MIT
/*
 * The layout engine: paragraphs of styled text in, wrapped lines out. Widths
 * are display columns from render_cp_width(); lines break at spaces, soft
 * hyphens, <wbr>, after hyphens inside words and around CJK characters, and,
 * when a word is longer than the line, inside the word, but never before a
 * combining mark and never inside a UTF-8 sequence.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

/* render_cp_width() with the common case inline: below U+0300 every
 * printable character is one column. */
static inline int
cp_width(uint32_t c)
{
	if (c < 0x300)
		return (c >= 0x20 && c < 0x7F) || c >= 0xA0;
	/* render_cp_width()'s own first test, without the call. */
	if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7A3))
		return 2;
	return render_cp_width(c);
}

/* buf_append() for the short pieces the layout appends by the million:
 * inline, and with no call to memcpy() for up to 16 bytes. Our buffers
 * have no maximum. */
static inline void
put(struct buf *b, const char *s, size_t n)
{
	char *d;

	if (b->len + n >= b->cap)
		buf_reserve(b, n);
	d = b->data + b->len;
	if (n >= 8 && n <= 16) {
		uint64_t x, y;

		memcpy(&x, s, 8);
		memcpy(&y, s + n - 8, 8);
		memcpy(d, &x, 8);
		memcpy(d + n - 8, &y, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t x, y;

		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n > 16) {
		memcpy(d, s, n);
	} else {
		for (size_t k = 0; k < n; k++)
			d[k] = s[k];
	}
	b->len += n;
	d[n] = '\0';
}

static inline void
put_char(struct buf *b, char c)
{
	put(b, &c, 1);
}

static bool
is_plain_ascii(unsigned char c)
{
	return c > 0x20 && c < 0x7F;
}

/*
 * text_sanitize_into(), with runs of printable ASCII copied as they are:
 * the sanitizer leaves those unchanged, and cutting its input before an
 * ASCII byte changes nothing either (no sequence spans one, and the
 * combining-mark count restarts at every base), so the output is the
 * same, several times faster on Latin text.
 */
/* Eight bytes at a time (SWAR): a byte's high bit in the result is set
 * for every byte of x below 0x20 or above 0x7E, and maybe for others when
 * one is; it is zero only when all eight are printable ASCII. */
#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

static inline uint64_t
load8(const char *s)
{
	uint64_t x;

	memcpy(&x, s, sizeof(x));
	return x;
}

static inline uint64_t
not_printable8(uint64_t x)
{
	return (((x - 0x20 * ONES) & ~x) | ((x + ONES) | x)) & HIGHS;
}

/* For x of ASCII bytes: the high bit of each byte of x that equals c. */
static inline uint64_t
bytes_equal8(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (c * ONES);

	return ~(((y & ~HIGHS) + ~HIGHS) | y | ~HIGHS);
}

/* The end of the printable ASCII (spaces included) from s[i]. */
static size_t
plain_run(const char *s, size_t i, size_t n)
{
	while (i + 8 <= n && not_printable8(load8(s + i)) == 0)
		i += 8;
	while (i < n && (is_plain_ascii((unsigned char)s[i]) || s[i] == ' '))
		i++;
	return i;
}

/* The end of the ASCII from s[i]. */
static size_t
ascii_run(const char *s, size_t i, size_t n)
{
	while (i + 8 <= n && (load8(s + i) & HIGHS) == 0)
		i += 8;
	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	return i;
}

/*
 * The length of the 2- or 3-byte UTF-8 sequence at s if it encodes a code
 * point that text_sanitize_into() keeps as it is and that ends a run of
 * combining marks, whatever the flags: U+00A0..U+02FF (Latin) and
 * U+3000..U+D7FF (CJK, kana, Hangul), which hold no control, bidi,
 * invisible or combining character. 0 for anything else.
 */
static inline size_t
kept_cp(const char *s, size_t n, uint32_t *cp)
{
	unsigned char b0 = (unsigned char)s[0], b1, b2;

	if (n < 2)
		return 0;
	b1 = (unsigned char)s[1];
	if ((b1 & 0xC0) != 0x80)
		return 0;
	if (b0 >= 0xC2 && b0 <= 0xCB) {
		*cp = ((uint32_t)(b0 & 0x1F) << 6) | (b1 & 0x3F);
		return *cp >= 0xA0 ? 2 : 0;
	}
	if (b0 < 0xE3 || b0 > 0xED || n < 3)
		return 0;
	b2 = (unsigned char)s[2];
	if ((b2 & 0xC0) != 0x80)
		return 0;
	*cp = ((uint32_t)(b0 & 0x0F) << 12) | ((uint32_t)(b1 & 0x3F) << 6) |
	      (b2 & 0x3F);
	return *cp <= 0xD7FF ? 3 : 0;
}

/* Returns the display width of what it appended: a printable ASCII byte
 * is one column, the rest is measured after the sanitizer had its say. */
static int
sanitize(struct buf *out, const char *s, size_t n, unsigned flags)
{
	size_t i = 0;
	int width = 0;

	while (i < n) {
		size_t j = plain_run(s, i, n), len;
		uint32_t cp;

		put(out, s + i, j - i);
		width += (int)(j - i);
		i = j;
		/* Characters the sanitizer would keep: copied, measured. */
		while (j < n && (len = kept_cp(s + j, n - j, &cp)) > 0) {
			width += cp_width(cp);
			j += len;
		}
		put(out, s + i, j - i);
		i = j;
		/* The rest up to the next of those, through the sanitizer.
		 * Cutting before an ASCII byte or a kept character changes
		 * nothing: no sequence spans one, and the combining-mark count
		 * restarts at every such base. */
		while (j < n &&
		       !(is_plain_ascii((unsigned char)s[j]) || s[j] == ' ') &&
		       kept_cp(s + j, n - j, &cp) == 0)
			j++;
		if (j > i) {
			size_t old = out->len;

			text_sanitize_into(out, s + i, j - i, flags, 0);
			width += render_text_width(out->data + old,
			                           out->len - old);
		}
		i = j;
	}
	return width;
}

/* ---- paragraphs ---- */

static void
para_init(struct para *p)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->text, 0);
	p->at_space = true;
	p->no_base = true;
}

static void
para_reset(struct para *p)
{
	buf_reset(&p->text);
	p->n_spans = 0;
	p->at_space = true;
	p->no_base = true;
	p->visible = false;
	p->is_pre = false;
	p->pre_col = 0;
}

static void
para_done(struct para *p)
{
	buf_done(&p->text);
	free(p->spans);
	p->spans = NULL;
	p->n_spans = 0;
	p->cap_spans = 0;
}

/* Makes the text appended next carry style and link. */
static void
para_span(struct para *p, enum render_style style, int link)
{
	struct span *last;

	if (p->n_spans > 0) {
		last = &p->spans[p->n_spans - 1];
		if (last->style == style && last->link == link)
			return;
		if (last->start == p->text.len) {
			/* Nothing was written in the last style: replace it,
			 * and merge with the one before if they now agree. */
			if (p->n_spans > 1 && last[-1].style == style &&
			    last[-1].link == link) {
				p->n_spans--;
				return;
			}
			last->style = style;
			last->link = link;
			return;
		}
	}
	if (p->n_spans == p->cap_spans) {
		p->cap_spans = p->cap_spans ? 2 * p->cap_spans : 8;
		p->spans = xreallocarray(p->spans, p->cap_spans,
		                         sizeof(*p->spans));
	}
	p->spans[p->n_spans].start = p->text.len;
	p->spans[p->n_spans].style = style;
	p->spans[p->n_spans].link = link;
	p->n_spans++;
}

static bool
is_invisible(uint32_t cp)
{
	return cp == 0x2060 || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

/* Appends one code point of sanitized text. Outside pre, white space
 * collapses as in a browser; a zero-width character with nothing to
 * attach to (at the start, after a space or a break) is dropped, so no
 * line can start with a combining mark. */
static void
para_cp(struct para *p, uint32_t cp, bool pre)
{
	char enc[4];
	int w;

	if (pre) {
		p->is_pre = true;
		if (cp == '\n') {
			buf_putc(&p->text, '\n');
			p->pre_col = 0;
			p->no_base = true;
			return;
		}
		if (cp == '\t' || cp == '\f') {
			int n = 8 - p->pre_col % 8;

			buf_append(&p->text, "        ", (size_t)n);
			p->pre_col += n;
			p->no_base = false;
			return;
		}
	} else if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\f') {
		if (!p->at_space) {
			put_char(&p->text, ' ');
			p->at_space = true;
		}
		p->no_base = true;
		return;
	}
	if (is_invisible(cp))
		return;
	if (cp == CP_SHY || cp == CP_ZWSP) {
		w = 0;
	} else {
		w = cp_width(cp);
		if (w == 0 && p->no_base)
			return;
	}
	buf_append(&p->text, enc, utf8_encode(cp, enc));
	p->at_space = false;
	p->no_base = cp == CP_SHY || cp == CP_ZWSP;
	if (cp != ' ' && cp != CP_SHY && cp != CP_ZWSP)
		p->visible = true;
	p->pre_col += w;
}

/* Appends text that is already in paragraph form (from another para). */
static void
para_raw(struct para *p, const char *s, size_t n, enum render_style style,
         int link)
{
	if (n == 0)
		return;
	para_span(p, style, link);
	buf_append(&p->text, s, n);
	p->at_space = s[n - 1] == ' ';
	p->no_base = p->at_space;
	p->visible = true;
}

/* ---- ASCII fallback ---- */

/* Latin-1 letters without their accents, U+00C0 to U+00FF. */
static const char latin1_base[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTs"
                                  "aaaaaaaceeeeiiiidnooooo/ouuuuyty";

static const char *
ascii_fold(uint32_t cp)
{
	static char one[2];

	if (cp >= 0xC0 && cp <= 0xFF) {
		if (cp == 0xDF)
			return "ss";
		if (cp == 0xC6)
			return "AE";
		if (cp == 0xE6)
			return "ae";
		one[0] = latin1_base[cp - 0xC0];
		one[1] = '\0';
		return one;
	}
	switch (cp) {
	case 0x2018:
	case 0x2019:
	case 0x201A:
	case 0x2032:
		return "'";
	case 0x201C:
	case 0x201D:
	case 0x201E:
	case 0x2033:
		return "\"";
	case 0x2010:
	case 0x2011:
	case 0x2012:
	case 0x2013:
	case 0x2014:
	case 0x2015:
	case 0x2212:
		return "-";
	case 0x2026:
		return "...";
	case 0x2022:
	case 0x00B7:
		return "*";
	case 0x00AB:
		return "<<";
	case 0x00BB:
		return ">>";
	case 0x00A9:
		return "(c)";
	case 0x00AE:
		return "(R)";
	case 0x2122:
		return "(TM)";
	case 0x20AC:
		return "EUR";
	case 0x00D7:
		return "x";
	case 0x0152:
		return "OE";
	case 0x0153:
		return "oe";
	case CP_NBSP:
	case 0x2002:
	case 0x2003:
	case 0x2009:
		return " ";
	default:
		break;
	}
	if (cp_width(cp) == 0)
		return "";
	return "?";
}

/* ---- lines ---- */

static void
line_begin(struct layout *l)
{
	struct render_line *ln;

	if (l->n_lines == l->cap_lines) {
		l->cap_lines = l->cap_lines ? 2 * l->cap_lines : 64;
		l->lines = xreallocarray(l->lines, l->cap_lines,
		                         sizeof(*l->lines));
		l->line_first = xreallocarray(l->line_first, l->cap_lines,
		                              sizeof(*l->line_first));
	}
	l->line_first[l->n_lines] = l->n_runs;
	ln = &l->lines[l->n_lines++];
	ln->runs = NULL;
	ln->n_runs = 0;
	ln->width = 0;
	ln->is_cut = false;
}

/* Adds text to the open line, through the sanitizer one last time. */
static void
line_add(struct layout *l, const char *s, size_t n, enum render_style style,
         int link)
{
	struct render_line *ln = &l->lines[l->n_lines - 1];
	size_t old = l->arena.len, len;
	int w;

	w = sanitize(&l->arena, s, n, TEXT_FOR_TERMINAL);
	len = l->arena.len - old;
	if (len == 0)
		return;
	ln->width += w;
	if (ln->n_runs > 0) {
		struct render_run *last = &l->runs[l->n_runs - 1];

		if (last->style == style && last->link == link &&
		    l->run_off[l->n_runs - 1] + last->len == old) {
			last->len += len;
			last->width += w;
			return;
		}
	}
	if (l->n_runs == l->cap_runs) {
		l->cap_runs = l->cap_runs ? 2 * l->cap_runs : 64;
		l->runs = xreallocarray(l->runs, l->cap_runs, sizeof(*l->runs));
		l->run_off = xreallocarray(l->run_off, l->cap_runs,
		                           sizeof(*l->run_off));
	}
	l->run_off[l->n_runs] = old;
	l->runs[l->n_runs].text = NULL;
	l->runs[l->n_runs].len = len;
	l->runs[l->n_runs].width = w;
	l->runs[l->n_runs].style = style;
	l->runs[l->n_runs].link = link;
	l->n_runs++;
	ln->n_runs++;
}

static void
line_end(struct layout *l, bool is_cut)
{
	struct render_line *ln = &l->lines[l->n_lines - 1];

	/* Trailing spaces only make copied text ragged. */
	while (ln->n_runs > 0) {
		struct render_run *r = &l->runs[l->n_runs - 1];
		size_t off = l->run_off[l->n_runs - 1];

		while (r->len > 0 && l->arena.data[off + r->len - 1] == ' ') {
			r->len--;
			r->width--;
			ln->width--;
		}
		if (r->len > 0)
			break;
		l->n_runs--;
		ln->n_runs--;
	}
	ln->is_cut = is_cut;
}

static void
line_prefix(struct layout *l)
{
	for (size_t i = 0; i < l->n_pfx; i++) {
		struct prefix *pf = &l->pfx[i];
		const char *s = pf->used ? pf->cont : pf->first;

		line_add(l, s, strlen(s), pf->style, 0);
	}
}

/* After a line with content: list markers are spent, and the prefixes
 * are remembered so blank lines can continue quote bars. */
static void
line_done(struct layout *l)
{
	if (l->n_pfx > l->n_last) {
		l->last_serials = xreallocarray(l->last_serials, l->n_pfx,
		                                sizeof(*l->last_serials));
	}
	for (size_t i = 0; i < l->n_pfx; i++) {
		l->pfx[i].used = true;
		l->last_serials[i] = l->pfx[i].serial;
	}
	l->n_last = l->n_pfx;
}

/* Writes the blank lines owed between blocks. A blank line keeps the bars
 * of the quotes it sits inside (those open both before and after it). */
static void
emit_margin(struct layout *l)
{
	size_t common = 0;

	if (l->n_lines == 0) {
		l->margin = 0;
		return;
	}
	while (common < l->n_pfx && common < l->n_last &&
	       l->pfx[common].serial == l->last_serials[common])
		common++;
	for (int k = 0; k < l->margin; k++) {
		line_begin(l);
		for (size_t i = 0; i < common; i++) {
			const char *s = l->pfx[i].cont;

			line_add(l, s, strlen(s), l->pfx[i].style, 0);
		}
		line_end(l, false);
	}
	l->margin = 0;
}

/* ---- wrapping ---- */

static bool
is_hangul(uint32_t c)
{
	return (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) ||
	       (c >= 0x3130 && c <= 0x318F);
}

/* Characters a line should not start with (closing marks, small kana). */
static bool
no_break_before(uint32_t c)
{
	static const char ascii[] = "!),.:;?]}\"'%";

	if (c < 0x80)
		return c != 0 && strchr(ascii, (int)c) != NULL;
	switch (c) {
	case 0x3001: /* 、 */
	case 0x3002: /* 。 */
	case 0xFF0C: /* ， */
	case 0xFF0E: /* ． */
	case 0xFF1A: /* ： */
	case 0xFF1B: /* ； */
	case 0xFF01: /* ！ */
	case 0xFF1F: /* ？ */
	case 0xFF09: /* ） */
	case 0x300D: /* 」 */
	case 0x300F: /* 』 */
	case 0x3011: /* 】 */
	case 0x3009: /* 〉 */
	case 0x300B: /* 》 */
	case 0x3015: /* 〕 */
	case 0xFF3D: /* ］ */
	case 0xFF5D: /* ｝ */
	case 0x30FC: /* ー */
	case 0x30FB: /* ・ */
	case 0x3005: /* 々 */
	case 0x201D: /* ” */
	case 0x2019: /* ’ */
		return true;
	default:
		break;
	}
	/* Small hiragana and katakana. */
	return (c >= 0x3041 && c <= 0x3049 && (c & 1)) || c == 0x3063 ||
	       c == 0x3083 || c == 0x3085 || c == 0x3087 || c == 0x308E ||
	       (c >= 0x30A1 && c <= 0x30A9 && (c & 1)) || c == 0x30C3 ||
	       c == 0x30E3 || c == 0x30E5 || c == 0x30E7 || c == 0x30EE ||
	       c == 0x30F5 || c == 0x30F6;
}

/* Characters a line should not end with (opening marks). */
static bool
no_break_after(uint32_t c)
{
	return c == '(' || c == '[' || c == '{' || c == 0x300C || c == 0x300E ||
	       c == 0xFF08 || c == 0x3010 || c == 0x3008 || c == 0x300A ||
	       c == 0x3014 || c == 0xFF3B || c == 0xFF5B || c == 0x201C ||
	       c == 0x2018;
}

static bool
is_word_char(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') ||
		       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
	return c >= 0xC0 && cp_width(c) == 1;
}

/* May a line break between b and c (a precedes b)? Spaces, soft hyphens
 * and <wbr> are handled by the caller. CJK text has no spaces, so a break
 * may come before or after any ideograph or kana; Korean separates words
 * with spaces and is kept whole, as browsers do with word-break: keep-all. */
static bool
break_between(uint32_t a, uint32_t b, uint32_t c)
{
	if (b == 0 || b == ' ')
		return false;
	if (b < 0x80 && c < 0x80)
		return b == '-' && is_word_char(a) && is_word_char(c);
	if (b == '-' && is_word_char(a) && is_word_char(c))
		return true;
	if (no_break_before(c) || no_break_after(b) || b == 0x200D)
		return false;
	if (cp_width(b) == 2 && !is_hangul(b))
		return true;
	return cp_width(c) == 2 && !is_hangul(c);
}

static size_t
next_cp(const char *t, size_t i, size_t n, uint32_t *c)
{
	if ((unsigned char)t[i] < 0x80) {
		*c = (unsigned char)t[i];
		return 1;
	}
	return utf8_decode(t + i, n - i, c);
}

/* The text of p[start, end) without the invisible marks, styled by its
 * spans; *k is the span cursor, which only moves forward. */
static void
emit_range(struct layout *l, const struct para *p, size_t start, size_t end,
           size_t *k)
{
	const char *t = p->text.data;
	size_t i = start;

	while (i < end) {
		size_t stop = end, j, from;
		enum render_style style = RENDER_PLAIN;
		int link = 0;

		while (*k + 1 < p->n_spans && p->spans[*k + 1].start <= i)
			(*k)++;
		if (*k < p->n_spans) {
			style = p->spans[*k].style;
			link = p->spans[*k].link;
			if (*k + 1 < p->n_spans &&
			    p->spans[*k + 1].start < stop)
				stop = p->spans[*k + 1].start;
		}
		/* ASCII has no marks to drop: no copy needed. */
		j = ascii_run(t, i, stop);
		if (j == stop) {
			line_add(l, t + i, stop - i, style, link);
			i = stop;
			continue;
		}
		/* Copy all but the marks: no-break spaces (C2 A0) become
		 * spaces, soft hyphens (C2 AD) and zero-width spaces (E2 80
		 * 8B) go. Lead bytes never occur inside a sequence, so
		 * matching bytes finds exactly the characters. */
		buf_reset(&l->scratch);
		from = i;
		while (j < stop) {
			const unsigned char *u = (const unsigned char *)t + j;
			size_t skip = 0;

			if (u[0] == 0xC2 && j + 1 < stop &&
			    (u[1] == 0xA0 || u[1] == 0xAD))
				skip = 2;
			else if (u[0] == 0xE2 && j + 2 < stop && u[1] == 0x80 &&
			         u[2] == 0x8B)
				skip = 3;
			if (skip == 0) {
				j++;
				continue;
			}
			put(&l->scratch, t + from, j - from);
			if (skip == 2 && u[1] == 0xA0)
				put_char(&l->scratch, ' ');
			j += skip;
			from = j;
		}
		put(&l->scratch, t + from, stop - from);
		line_add(l, buf_str(&l->scratch), l->scratch.len, style, link);
		i = stop;
	}
}

static enum render_style
style_at(const struct para *p, size_t off, int *link)
{
	size_t k = p->n_spans;

	while (k > 0 && p->spans[k - 1].start > off)
		k--;
	*link = k > 0 ? p->spans[k - 1].link : 0;
	return k > 0 ? p->spans[k - 1].style : RENDER_PLAIN;
}

static int
avail(const struct layout *l)
{
	int w = l->width - l->pfx_width;

	return w < 1 ? 1 : w;
}

static void
wrap_normal(struct layout *l, const struct para *p)
{
	const char *t = p->text.data;
	size_t n = p->text.len, pos = 0, k = 0;
	int width = avail(l);

	while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\n'))
		n--;
	while (pos < n) {
		size_t i, end = n, next = n, cand_end = 0, cand_next = 0;
		bool have_cand = false, cand_hyphen = false, hyphen = false;
		uint32_t a = 0, b = 0;
		int col = 0;

		while (pos < n && t[pos] == ' ')
			pos++;
		if (pos >= n)
			break;
		for (i = pos;;) {
			uint32_t c;
			size_t len;
			int w;

			/* Printable ASCII after anything but a hyphen or a
			 * wide character offers no break but at spaces:
			 * count it in a tight loop while it fits. */
			/* Eight at a time when they fit and hold no hyphen
			 * but maybe the last: only the last space counts. */
			while (i + 8 <= n && col + 8 <= width && b < 0x80 &&
			       b != '-') {
				uint64_t x = load8(t + i), sp;

				if (not_printable8(x) != 0 ||
				    (bytes_equal8(x, '-') & ~(0x80ull << 56)) != 0)
					break;
				sp = bytes_equal8(x, ' ');
				if (sp != 0) {
					have_cand = true;
					cand_end = i + (size_t)(63 - __builtin_clzll(sp)) / 8;
					cand_next = cand_end + 1;
					cand_hyphen = false;
				}
				a = (unsigned char)t[i + 6];
				b = (unsigned char)t[i + 7];
				col += 8;
				i += 8;
			}
			while (i < n && col < width && b < 0x80 && b != '-') {
				unsigned char ch = (unsigned char)t[i];

				if (ch == ' ') {
					have_cand = true;
					cand_end = i;
					cand_next = i + 1;
					cand_hyphen = false;
				} else if (!is_plain_ascii(ch)) {
					break;
				}
				a = b;
				b = ch;
				col++;
				i++;
			}
			if (i >= n) {
				end = next = n;
				break;
			}
			len = next_cp(t, i, n, &c);
			if (c == '\n') {
				end = i;
				next = i + 1;
				break;
			}
			if (c == ' ') {
				if (col + 1 > width) {
					end = i;
					next = i + 1;
					break;
				}
				have_cand = true;
				cand_end = i;
				cand_next = i + 1;
				cand_hyphen = false;
				col++;
				i++;
				a = b;
				b = c;
				continue;
			}
			if (c == CP_SHY || c == CP_ZWSP) {
				if (i > pos &&
				    (c == CP_ZWSP || col + 1 <= width)) {
					have_cand = true;
					cand_end = i;
					cand_next = i + len;
					cand_hyphen = c == CP_SHY;
				}
				i += len;
				continue;
			}
			w = c == CP_NBSP ? 1 : cp_width(c);
			if (w > 0 && i > pos && break_between(a, b, c)) {
				have_cand = true;
				cand_end = cand_next = i;
				cand_hyphen = false;
			}
			if (w > 0 && col + w > width) {
				if (have_cand) {
					end = cand_end;
					next = cand_next;
					hyphen = cand_hyphen;
				} else if (i == pos) {
					/* Not even one character fits: take
					 * it with its marks anyway. */
					uint32_t m;

					i += len;
					while (i < n) {
						size_t ml =
						        next_cp(t, i, n, &m);

						if (m == ' ' || m == '\n' ||
						    m == CP_SHY ||
						    m == CP_ZWSP ||
						    cp_width(m) != 0)
							break;
						i += ml;
					}
					end = next = i;
				} else {
					end = next = i;
				}
				break;
			}
			col += w;
			i += len;
			if (w > 0) {
				a = b;
				b = c;
			}
		}
		line_begin(l);
		line_prefix(l);
		emit_range(l, p, pos, end, &k);
		if (hyphen) {
			enum render_style st;
			int link;

			st = style_at(p, end, &link);
			line_add(l, "-", 1, st, link);
		}
		line_end(l, false);
		line_done(l);
		pos = next;
	}
}

static void
wrap_pre(struct layout *l, const struct para *p)
{
	const char *t = p->text.data;
	const char *mark = l->ascii ? ">" : "\xe2\x86\x92"; /* → */
	size_t n = p->text.len, pos = 0, k = 0;
	int width = avail(l);

	/* HTML drops the newline right after <pre>; the last ones only
	 * make a gap before the next block. */
	if (n > 0 && t[0] == '\n')
		pos = 1;
	while (n > pos && (t[n - 1] == '\n' || t[n - 1] == ' '))
		n--;
	while (pos < n) {
		const char *nl = memchr(t + pos, '\n', n - pos);
		size_t eol = nl ? (size_t)(nl - t) : n, i = pos, cut;
		bool is_cut = false;
		int col = 0;

		while (i < eol) {
			uint32_t c;
			size_t len = next_cp(t, i, eol, &c);
			int w = c == CP_SHY || c == CP_ZWSP ? 0 : cp_width(c);

			if (col + w > width) {
				is_cut = true;
				break;
			}
			col += w;
			i += len;
		}
		cut = eol;
		if (is_cut) {
			/* Leave a column for the marker. */
			i = pos;
			col = 0;
			while (i < eol) {
				uint32_t c;
				size_t len = next_cp(t, i, eol, &c);
				int w = c == CP_SHY || c == CP_ZWSP
				                ? 0
				                : cp_width(c);

				if (w > 0 && col + w > width - 1)
					break;
				col += w;
				i += len;
			}
			cut = i;
		}
		line_begin(l);
		line_prefix(l);
		emit_range(l, p, pos, cut, &k);
		if (is_cut)
			line_add(l, mark, strlen(mark), RENDER_DIM, 0);
		line_end(l, is_cut);
		line_done(l);
		pos = eol + 1;
	}
}

static void
flush_para(struct layout *l, struct para *p)
{
	if (p->visible) {
		emit_margin(l);
		if (p->is_pre)
			wrap_pre(l, p);
		else
			wrap_normal(l, p);
	}
	para_reset(p);
}

static void
flush(struct layout *l)
{
	flush_para(l, &l->para);
}

/* ---- the event interface ---- */

void
layout_init(struct layout *l, const struct render_opts *opts)
{
	memset(l, 0, sizeof(*l));
	l->width = opts ? opts->width : 80;
	if (l->width < RENDER_MIN_WIDTH)
		l->width = RENDER_MIN_WIDTH;
	if (l->width > RENDER_MAX_WIDTH)
		l->width = RENDER_MAX_WIDTH;
	l->ascii = opts && (opts->flags & RENDER_ASCII);
	l->link_list = !(opts && (opts->flags & RENDER_NO_LINK_LIST));
	l->base_url = opts ? opts->base_url : NULL;
	buf_init(&l->arena, 0);
	buf_init(&l->scratch, 0);
	buf_init(&l->in, 0);
	para_init(&l->para);
	para_init(&l->table.caption);
}

void
layout_expect(struct layout *l, size_t n)
{
	/* Sizes from typical articles: the output text is shorter than the
	 * input, a run takes some 16 bytes of it, a line some 40. Reserving
	 * once saves copying the arrays as they grow; layout_finish() gives
	 * back what was not used. */
	size_t runs = n / 16 + 64, lines = n / 40 + 64;

	if (n > RENDER_MAX_EXPECT)
		return;
	buf_reserve(&l->arena, n);
	if (runs > l->cap_runs) {
		l->cap_runs = runs;
		l->runs = xreallocarray(l->runs, runs, sizeof(*l->runs));
		l->run_off = xreallocarray(l->run_off, runs,
		                           sizeof(*l->run_off));
	}
	if (lines > l->cap_lines) {
		l->cap_lines = lines;
		l->lines = xreallocarray(l->lines, lines, sizeof(*l->lines));
		l->line_first = xreallocarray(l->line_first, lines,
		                              sizeof(*l->line_first));
	}
}

static struct para *
cur_para(struct layout *l)
{
	struct row *r;

	if (l->table_depth == 0)
		return &l->para;
	if (l->table.in_caption)
		return &l->table.caption;
	if (!l->table.in_cell || l->table.n_rows == 0)
		return NULL;
	r = &l->table.rows[l->table.n_rows - 1];
	return r->n_cells > 0 ? &r->cells[r->n_cells - 1].p : NULL;
}

static enum render_style
cur_style(const struct layout *l)
{
	static const enum render_style order[] = {
	        RENDER_LINK,   RENDER_HEADING, RENDER_CODE,  RENDER_BOLD,
	        RENDER_ITALIC, RENDER_DIM,     RENDER_QUOTE,
	};

	if (l->link != 0)
		return RENDER_LINK;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (l->counts[order[i]] > 0)
			return order[i];
	}
	return RENDER_PLAIN;
}

static void
put_text(struct layout *l, struct para *p, const char *s, size_t n, bool pre)
{
	size_t i = 0;

	while (i < n) {
		uint32_t c;

		if (is_plain_ascii((unsigned char)s[i]) ||
		    (s[i] == ' ' && !pre && !p->at_space)) {
			/* The common case, ASCII words with single spaces
			 * between them, in one copy. */
			size_t j = i + 1;
			bool space = s[i] == ' ';

			/* Eight bytes at a time while they are printable
			 * and hold no two spaces in a row. */
			while (!pre && j + 8 <= n) {
				uint64_t x = load8(s + j), sp;

				if (not_printable8(x) != 0)
					break;
				sp = bytes_equal8(x, ' ');
				if ((sp & (sp << 8)) != 0 || (space && (sp & 0x80)))
					break;
				space = (sp >> 63) != 0;
				j += 8;
			}
			while (j < n) {
				unsigned char b = (unsigned char)s[j];

				if (is_plain_ascii(b))
					space = false;
				else if (b == ' ' && !pre && !space)
					space = true;
				else
					break;
				j++;
			}
			put(&p->text, s + i, j - i);
			p->at_space = space;
			p->no_base = space;
			if (j - i > 1 || !space)
				p->visible = true;
			p->is_pre = p->is_pre || pre;
			p->pre_col += (int)(j - i);
			i = j;
			continue;
		}
		if (!l->ascii) {
			/* Sanitized letters (not the soft hyphen) that take
			 * room, as para_cp() would append them, in one copy. */
			size_t j = i, len;
			int w = 0;

			while (j < n && (len = kept_cp(s + j, n - j, &c)) > 0 &&
			       c != CP_SHY) {
				int cw = cp_width(c);

				if (cw == 0)
					break;
				w += cw;
				j += len;
			}
			if (j > i) {
				put(&p->text, s + i, j - i);
				p->at_space = false;
				p->no_base = false;
				p->visible = true;
				p->is_pre = p->is_pre || pre;
				p->pre_col += w;
				i = j;
				continue;
			}
		}
		i += next_cp(s, i, n, &c);
		if (l->ascii && c >= 0x80 && c != CP_SHY && c != CP_ZWSP &&
		    c != CP_NBSP) {
			const char *f = ascii_fold(c);

			while (*f != '\0')
				para_cp(p, (unsigned char)*f++, pre);
		} else {
			para_cp(p, c, pre);
		}
	}
}

static bool
has_visible(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!str_is_space((unsigned char)s[i]))
			return true;
	}
	return false;
}

void
layout_text(struct layout *l, const char *s, size_t n)
{
	struct para *p = cur_para(l);
	bool pre = l->pre > 0 && l->table_depth == 0;

	if (p == NULL || n == 0)
		return;
	/* Printable ASCII passes the sanitizer unchanged: use it in place. */
	if (plain_run(s, 0, n) < n) {
		buf_reset(&l->in);
		sanitize(&l->in, s, n, TEXT_MULTILINE);
		s = buf_str(&l->in);
		n = l->in.len;
	}
	if (l->href != NULL && l->link == 0 && has_visible(s, n))
		l->link = layout_link(l, l->href, RENDER_LINK_HREF);
	para_span(p, cur_style(l), l->link);
	put_text(l, p, s, n, pre);
}

void
layout_literal(struct layout *l, const char *s, enum render_style style,
               int link)
{
	struct para *p = cur_para(l);

	if (p == NULL || s == NULL)
		return;
	if (l->href != NULL && l->link == 0)
		l->link = layout_link(l, l->href, RENDER_LINK_HREF);
	buf_reset(&l->in);
	sanitize(&l->in, s, strlen(s), 0);
	para_span(p, style, link);
	put_text(l, p, buf_str(&l->in), l->in.len, false);
}

void
layout_break(struct layout *l)
{
	struct para *p = cur_para(l);

	if (p == NULL)
		return;
	if (l->table_depth > 0) {
		para_cp(p, ' ', false);
		return;
	}
	buf_putc(&p->text, '\n');
	p->at_space = true;
	p->no_base = true;
	p->pre_col = 0;
}

void
layout_wbr(struct layout *l)
{
	struct para *p = cur_para(l);

	if (p != NULL && !p->at_space)
		para_cp(p, CP_ZWSP, false);
}

void
layout_block(struct layout *l, int margin)
{
	if (l->table_depth > 0) {
		struct para *p = cur_para(l);

		if (p != NULL)
			para_cp(p, ' ', false);
		return;
	}
	flush(l);
	if (margin > l->margin)
		l->margin = margin;
}

void
layout_hr(struct layout *l)
{
	const char *dash = l->ascii ? "-" : "\xe2\x94\x80"; /* ─ */
	int width;

	layout_block(l, 1);
	if (l->table_depth > 0)
		return;
	emit_margin(l);
	width = avail(l);
	buf_reset(&l->scratch);
	for (int i = 0; i < width; i++)
		buf_puts(&l->scratch, dash);
	line_begin(l);
	line_prefix(l);
	line_add(l, l->scratch.data, l->scratch.len, RENDER_DIM, 0);
	line_end(l, false);
	line_done(l);
	l->margin = 1;
}

bool
layout_push_prefix(struct layout *l, const char *first, enum render_style style,
                   bool bar)
{
	struct prefix *pf;
	size_t len = strlen(first);
	int w = render_text_width(first, len);
	int min = l->width / 3 > 8 ? l->width / 3 : 8;

	if (l->table_depth > 0 || len >= sizeof(pf->first))
		return false;
	if (l->width - l->pfx_width - w < min)
		return false;
	flush(l);
	if (l->n_pfx == l->cap_pfx) {
		l->cap_pfx = l->cap_pfx ? 2 * l->cap_pfx : 8;
		l->pfx = xreallocarray(l->pfx, l->cap_pfx, sizeof(*l->pfx));
	}
	pf = &l->pfx[l->n_pfx++];
	memcpy(pf->first, first, len + 1);
	if (bar) {
		memcpy(pf->cont, first, len + 1);
	} else {
		memset(pf->cont, ' ', (size_t)w);
		pf->cont[w] = '\0';
	}
	pf->width = w;
	pf->style = style;
	pf->used = false;
	pf->serial = ++l->serial;
	l->pfx_width += w;
	return true;
}

void
layout_pop_prefix(struct layout *l)
{
	if (l->n_pfx == 0)
		return;
	flush(l);
	l->n_pfx--;
	l->pfx_width -= l->pfx[l->n_pfx].width;
}

void
layout_style(struct layout *l, enum render_style style, int delta)
{
	l->counts[style] += delta;
}

void
layout_pre(struct layout *l, int delta)
{
	if (l->table_depth == 0)
		flush(l);
	l->pre += delta;
	l->counts[RENDER_CODE] += delta;
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3u;
	}
	return h;
}

static void
slots_insert(struct link_slot *slots, size_t n_slots, uint64_t h, int number)
{
	size_t i = (size_t)h & (n_slots - 1);

	while (slots[i].number != 0)
		i = (i + 1) & (n_slots - 1);
	slots[i].hash = h;
	slots[i].number = number;
}

int
layout_link(struct layout *l, const char *url, enum render_link_kind kind)
{
	uint64_t h = hash_str(url);
	size_t i;

	if (l->n_slots > 0) {
		for (i = (size_t)h & (l->n_slots - 1); l->slots[i].number != 0;
		     i = (i + 1) & (l->n_slots - 1)) {
			int nr = l->slots[i].number;

			if (l->slots[i].hash == h &&
			    strcmp(l->links[nr - 1].url, url) == 0)
				return nr;
		}
	}
	if (l->n_links >= RENDER_MAX_LINKS)
		return 0;
	if (2 * (l->n_links + 1) > l->n_slots) {
		size_t n = l->n_slots ? 2 * l->n_slots : 64;
		struct link_slot *s = xcalloc(n, sizeof(*s));

		for (i = 0; i < l->n_slots; i++) {
			if (l->slots[i].number != 0)
				slots_insert(s, n, l->slots[i].hash,
				             l->slots[i].number);
		}
		free(l->slots);
		l->slots = s;
		l->n_slots = n;
	}
	if (l->n_links == l->cap_links) {
		l->cap_links = l->cap_links ? 2 * l->cap_links : 16;
		l->links = xreallocarray(l->links, l->cap_links,
		                         sizeof(*l->links));
	}
	l->links[l->n_links].url = xstrdup(url);
	l->links[l->n_links].kind = kind;
	l->n_links++;
	slots_insert(l->slots, l->n_slots, h, (int)l->n_links);
	return (int)l->n_links;
}

void
layout_href_begin(struct layout *l, char *url)
{
	free(l->href);
	l->href = url;
	l->link = 0;
}

int
layout_href_end(struct layout *l)
{
	int n = l->link;

	free(l->href);
	l->href = NULL;
	l->link = 0;
	return n;
}

bool
layout_in_href(const struct layout *l)
{
	return l->href != NULL;
}

const char *
layout_bullet(const struct layout *l, int level)
{
	static const char *const utf8[] = {"\xe2\x80\xa2 ", "\xe2\x97\xa6 ",
	                                   "\xe2\x96\xaa "}; /* • ◦ ▪ */
	static const char *const ascii[] = {"* ", "- ", "+ "};

	return (l->ascii ? ascii : utf8)[level % 3];
}

/* ---- tables ---- */

static void
table_free(struct table *t)
{
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->rows[r].n_cells; c++)
			para_done(&t->rows[r].cells[c].p);
		free(t->rows[r].cells);
	}
	free(t->rows);
	t->rows = NULL;
	t->n_rows = 0;
	t->cap_rows = 0;
	t->n_cells = 0;
	t->in_cell = false;
	t->in_caption = false;
}

static void
table_add_row(struct table *t)
{
	if (t->n_rows == t->cap_rows) {
		t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 8;
		t->rows = xreallocarray(t->rows, t->cap_rows, sizeof(*t->rows));
	}
	memset(&t->rows[t->n_rows++], 0, sizeof(struct row));
}

/* A cell's text without its trailing spaces, and its width. */
static size_t
cell_len(const struct para *p, int *width)
{
	size_t n = p->text.len;

	while (n > 0 && p->text.data[n - 1] == ' ')
		n--;
	*width = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;

		i += next_cp(p->text.data, i, n, &c);
		if (c != CP_SHY && c != CP_ZWSP)
			*width += c == CP_NBSP ? 1 : cp_width(c);
	}
	return n;
}

static void
pad(struct layout *l, int n)
{
	static const char spaces[] = "                                ";

	/* Pieces of one style side by side merge into one run. */
	while (n > 0) {
		int k = n < (int)sizeof(spaces) - 1 ? n : (int)sizeof(spaces) - 1;

		line_add(l, spaces, (size_t)k, RENDER_PLAIN, 0);
		n -= k;
	}
}

static void
table_aligned(struct layout *l, const int *colw, size_t ncols, bool header)
{
	struct table *t = &l->table;
	const char *sep = l->ascii ? " | " : " \xe2\x94\x82 "; /* │ */
	const char *cross =
	        l->ascii ? "-+-" : "\xe2\x94\x80\xe2\x94\xbc\xe2\x94\x80";
	const char *dash = l->ascii ? "-" : "\xe2\x94\x80";

	emit_margin(l);
	for (size_t r = 0; r < t->n_rows; r++) {
		struct row *row = &t->rows[r];

		line_begin(l);
		line_prefix(l);
		for (size_t c = 0; c < ncols; c++) {
			int w = 0;

			if (c > 0)
				line_add(l, sep, strlen(sep), RENDER_DIM, 0);
			if (c < row->n_cells) {
				struct para *p = &row->cells[c].p;
				size_t n = cell_len(p, &w), k = 0;

				emit_range(l, p, 0, n, &k);
			}
			if (c + 1 < ncols)
				pad(l, colw[c] - w);
		}
		line_end(l, false);
		line_done(l);
		if (r == 0 && header) {
			line_begin(l);
			line_prefix(l);
			for (size_t c = 0; c < ncols; c++) {
				if (c > 0)
					line_add(l, cross, strlen(cross),
					         RENDER_DIM, 0);
				buf_reset(&l->scratch);
				for (int i = 0; i < colw[c]; i++)
					buf_puts(&l->scratch, dash);
				line_add(l, buf_str(&l->scratch),
				         l->scratch.len, RENDER_DIM, 0);
			}
			line_end(l, false);
			line_done(l);
		}
	}
}

/* Too wide to align: each cell is its own paragraph, labelled with its
 * column's header when there is one, rows apart by a blank line. */
static void
table_stacked(struct layout *l, bool header)
{
	struct table *t = &l->table;
	struct para tmp;

	para_init(&tmp);
	for (size_t r = header ? 1 : 0; r < t->n_rows; r++) {
		struct row *row = &t->rows[r];

		for (size_t c = 0; c < row->n_cells; c++) {
			struct para *p = &row->cells[c].p;
			int w;
			size_t n = cell_len(p, &w);

			if (!p->visible)
				continue;
			if (header && c < t->rows[0].n_cells &&
			    t->rows[0].cells[c].p.visible) {
				struct para *h = &t->rows[0].cells[c].p;
				size_t hn = cell_len(h, &w);

				para_raw(&tmp, h->text.data, hn, RENDER_BOLD,
				         0);
				para_raw(&tmp, ": ", 2, RENDER_BOLD, 0);
			}
			for (size_t k = 0; k < p->n_spans; k++) {
				size_t s = p->spans[k].start;
				size_t e = k + 1 < p->n_spans
				                   ? p->spans[k + 1].start
				                   : n;

				if (e > n)
					e = n;
				if (s < e)
					para_raw(&tmp, p->text.data + s, e - s,
					         p->spans[k].style,
					         p->spans[k].link);
			}
			flush_para(l, &tmp);
		}
		if (l->margin < 1)
			l->margin = 1;
	}
	para_done(&tmp);
}

static void
table_emit(struct layout *l)
{
	struct table *t = &l->table;
	size_t ncols = 0;
	int *colw, total;
	bool header;

	if (t->caption.visible) {
		flush_para(l, &t->caption);
		if (l->margin < 0)
			l->margin = 0;
	}
	para_reset(&t->caption);
	for (size_t r = 0; r < t->n_rows; r++) {
		if (t->rows[r].n_cells > ncols)
			ncols = t->rows[r].n_cells;
	}
	if (ncols == 0)
		return;
	header = t->n_rows > 1 && t->rows[0].n_cells > 0;
	for (size_t c = 0; header && c < t->rows[0].n_cells; c++)
		header = t->rows[0].cells[c].is_header;
	colw = xcalloc(ncols, sizeof(*colw));
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->rows[r].n_cells; c++) {
			int w;

			cell_len(&t->rows[r].cells[c].p, &w);
			if (w > colw[c])
				colw[c] = w;
		}
	}
	total = 3 * (int)(ncols - 1);
	for (size_t c = 0; c < ncols && total <= l->width; c++)
		total += colw[c];
	if (total <= avail(l))
		table_aligned(l, colw, ncols, header);
	else
		table_stacked(l, header);
	free(colw);
}

void
layout_table_begin(struct layout *l)
{
	if (l->table_depth++ > 0) {
		l->table_depth--;
		layout_block(l, 0);
		l->table_depth++;
		return;
	}
	flush(l);
	if (l->margin < 1)
		l->margin = 1;
	para_reset(&l->table.caption);
}

void
layout_table_row(struct layout *l)
{
	if (l->table_depth != 1) {
		layout_block(l, 0);
		return;
	}
	if (l->table.n_cells >= RENDER_MAX_TABLE_CELLS) {
		/* A giant table is laid out in slices. */
		table_emit(l);
		table_free(&l->table);
	}
	table_add_row(&l->table);
	l->table.in_cell = false;
}

void
layout_table_cell(struct layout *l, bool is_header)
{
	struct table *t = &l->table;
	struct row *r;

	if (l->table_depth != 1) {
		layout_block(l, 0);
		return;
	}
	if (t->n_rows == 0)
		table_add_row(t);
	r = &t->rows[t->n_rows - 1];
	if (r->n_cells == r->cap_cells) {
		r->cap_cells = r->cap_cells ? 2 * r->cap_cells : 4;
		r->cells = xreallocarray(r->cells, r->cap_cells,
		                         sizeof(*r->cells));
	}
	para_init(&r->cells[r->n_cells].p);
	r->cells[r->n_cells].is_header = is_header;
	r->n_cells++;
	t->n_cells++;
	t->in_cell = true;
}

void
layout_table_cell_end(struct layout *l)
{
	if (l->table_depth != 1) {
		layout_block(l, 0);
		return;
	}
	l->table.in_cell = false;
}

void
layout_table_caption(struct layout *l, int delta)
{
	if (l->table_depth == 1)
		l->table.in_caption = delta > 0;
}

void
layout_table_end(struct layout *l)
{
	if (l->table_depth == 0)
		return;
	if (l->table_depth > 1) {
		l->table_depth--;
		layout_block(l, 0);
		return;
	}
	l->table_depth = 0;
	table_emit(l);
	table_free(&l->table);
	if (l->margin < 1)
		l->margin = 1;
}

/* ---- the end ---- */

static void
link_list(struct layout *l)
{
	char first[48];
	int digits = 1;

	for (size_t n = l->n_links; n >= 10; n /= 10)
		digits++;
	while (l->n_pfx > 0)
		layout_pop_prefix(l);
	layout_block(l, 1);
	layout_literal(l, "Links:", RENDER_BOLD, 0);
	layout_block(l, 0);
	for (size_t i = 0; i < l->n_links; i++) {
		bool pushed;
		int len = snprintf(first, sizeof(first), "[%zu]", i + 1);

		while (len < digits + 3)
			first[len++] = ' ';
		first[len] = '\0';
		pushed = layout_push_prefix(l, first, RENDER_DIM, false);
		if (!pushed)
			layout_literal(l, first, RENDER_DIM, 0);
		/* The URL wraps anywhere: it has no spaces. */
		para_span(&l->para, RENDER_LINK, (int)i + 1);
		put_text(l, &l->para, l->links[i].url, strlen(l->links[i].url),
		         false);
		if (l->links[i].kind == RENDER_LINK_IMAGE)
			layout_literal(l, " (image)", RENDER_DIM, 0);
		if (pushed)
			layout_pop_prefix(l);
		else
			layout_block(l, 0);
	}
}

struct render_doc *
layout_finish(struct layout *l)
{
	struct render_doc *d = xcalloc(1, sizeof(*d));

	while (l->table_depth > 0)
		layout_table_end(l);
	free(l->href);
	l->href = NULL;
	l->link = 0;
	flush(l);
	while (l->n_pfx > 0)
		layout_pop_prefix(l);
	if (l->link_list && l->n_links > 0)
		link_list(l);
	flush(l);

	/* Give back what layout_expect() reserved and was not used. */
	if (l->arena.data != NULL && l->arena.cap > l->arena.len + 4096) {
		l->arena.data = xrealloc(l->arena.data, l->arena.len + 1);
		l->arena.cap = l->arena.len + 1;
	}
	if (l->cap_runs > l->n_runs + 256) {
		l->cap_runs = l->n_runs + 1;
		l->runs = xreallocarray(l->runs, l->cap_runs, sizeof(*l->runs));
	}
	if (l->cap_lines > l->n_lines + 256) {
		l->cap_lines = l->n_lines + 1;
		l->lines = xreallocarray(l->lines, l->cap_lines,
		                         sizeof(*l->lines));
	}
	d->arena_ = buf_take(&l->arena);
	for (size_t i = 0; i < l->n_runs; i++)
		l->runs[i].text = d->arena_ + l->run_off[i];
	for (size_t i = 0; i < l->n_lines; i++)
		l->lines[i].runs = l->runs + l->line_first[i];
	d->runs_ = l->runs;
	d->lines = l->lines;
	l->runs = NULL;
	l->lines = NULL;
	d->n_lines = l->n_lines;
	d->links = l->links;
	d->n_links = l->n_links;
	l->links = NULL;
	l->n_links = 0;
	layout_done(l);
	return d;
}

void
layout_done(struct layout *l)
{
	for (size_t i = 0; i < l->n_links; i++)
		free(l->links[i].url);
	free(l->links);
	l->links = NULL;
	l->n_links = 0;
	free(l->slots);
	l->slots = NULL;
	buf_done(&l->arena);
	buf_done(&l->scratch);
	buf_done(&l->in);
	free(l->runs);
	l->runs = NULL;
	free(l->run_off);
	l->run_off = NULL;
	free(l->lines);
	l->lines = NULL;
	free(l->line_first);
	l->line_first = NULL;
	para_done(&l->para);
	para_done(&l->table.caption);
	table_free(&l->table);
	free(l->pfx);
	l->pfx = NULL;
	free(l->last_serials);
	l->last_serials = NULL;
	free(l->href);
	l->href = NULL;
}
