// SPDX-License-Identifier: MIT
/*
 * Character sets: a feed's bytes become UTF-8 here, before libxml2 sees them.
 *
 * Which encoding (RFC 7303 section 3, XML 1.0 appendix F):
 *   1. a byte order mark: RFC 7303 gives it precedence over the charset
 *      parameter (a server's default charset is often wrong, a BOM rarely);
 *   2. the HTTP charset parameter (text/xml without one is like
 *      application/xml: no "us-ascii" default, unlike RFC 3023), unless
 *      it names an 8-bit encoding and the bytes show the pattern of 4;
 *   3. the XML declaration's encoding label, read in the layout found by 4;
 *   4. the byte pattern of UTF-16/32 without a BOM ("<" as 00 3C or as
 *      3C 00 00 00): in a document showing one, a declaration can only
 *      confirm it, and one that disagrees makes the decoder not ok;
 *   5. UTF-8.
 * A generic label ("utf-16", "u16", "utf_32") takes its byte order from the
 * BOM or the pattern, so what is reported is always "utf-16le" and the like.
 *
 * Feeds lie about their encoding, so like feedparser we keep the first
 * WINDOW_MAX bytes before deciding: when they do not decode cleanly in the
 * chosen encoding (and it came from a label or the default, not from a BOM
 * or the UTF-16/32 pattern), the declared label, UTF-8, windows-1252 and
 * ISO-8859-2 are tried in turn and the first that fits is used. After the
 * window nothing more is held than a split sequence: invalid bytes become
 * U+FFFD. Either way the decoder is then not "ok".
 *
 * UTF-8, by far the common case, is a validating copy; everything else goes
 * through glibc's iconv with UTF-8 as the target.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courant/util.h"

#include "private.h"

/* Bytes held back before committing to an encoding (bounded memory). */
#define WINDOW_MAX (64 * 1024)
/* A split multibyte sequence is never longer than this. */
#define PEND_MAX 16
/* Longer "labels" are junk. */
#define LABEL_MAX 40
/* How far the XML declaration is looked for. */
#define DECL_MAX 512

static const char replacement[] = "\xEF\xBF\xBD";

enum byte_order {
	ORDER_NONE, /* ASCII-compatible, as far as the first bytes tell */
	ORDER_16LE,
	ORDER_16BE,
	ORDER_32LE,
	ORDER_32BE,
};

struct encoding {
	char name[LABEL_MAX + 1];  /* reported: lowercase, with byte order */
	char iconv[LABEL_MAX + 1]; /* iconv's name; "" for the UTF-8 copy */
	unsigned unit;             /* code unit: skipped on an invalid one */
};

struct charset_decoder {
	bool committed;
	bool ok;
	char http_label[LABEL_MAX + 1]; /* "" when the header gave none */
	bool http_label_bad;            /* a charset that is no label */
	struct buf window;              /* bytes held until committed */
	struct encoding enc;
	iconv_t cd; /* (iconv_t)-1 for the UTF-8 copy */
	unsigned char pend[PEND_MAX];
	size_t npend;
	size_t offset; /* input bytes decoded so far, for messages */
	char error[200];
};

/* The first problem is kept: it is usually the cause of the others. */
static void set_error(struct charset_decoder *d, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
set_error(struct charset_decoder *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->ok)
		return;
	d->ok = false;
	va_start(ap, fmt);
	vsnprintf(d->error, sizeof d->error, fmt, ap);
	va_end(ap);
}

static bool
is_label_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == ':' || c == '+' || c == '(' || c == ')';
}

/* Copies a label of n bytes into out when it looks like one; labels go to
 * iconv_open() and into messages, so nothing else ("//IGNORE") passes. */
static bool
copy_label(char out[LABEL_MAX + 1], const char *s, size_t n)
{
	if (n == 0 || n > LABEL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_label_char((unsigned char)s[i]))
			return false;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* -- labels -------------------------------------------------------------- */

/* Python-style aliases and the names we report. The key is the label
 * lowercased with '-', '_', '.', ':' and spaces removed, the way Python's
 * codec registry folds them, so "UTF_8", "utf-8" and "utf8" meet. */
struct alias {
	const char *key;
	const char *name;
	const char *iconv;
};

static const struct alias aliases[] = {
        {"utf8", "utf-8", ""},
        {"u8", "utf-8", ""},
        {"utf", "utf-8", ""},
        {"utf8sig", "utf-8", ""},
        {"cp65001", "utf-8", ""},
        /* Generic UTF-16/32: the byte order comes from the BOM or pattern. */
        {"utf16", "utf-16", NULL},
        {"u16", "utf-16", NULL},
        {"ucs2", "utf-16", NULL},
        {"iso10646ucs2", "utf-16", NULL},
        {"csunicode", "utf-16", NULL},
        {"utf32", "utf-32", NULL},
        {"u32", "utf-32", NULL},
        {"ucs4", "utf-32", NULL},
        {"iso10646ucs4", "utf-32", NULL},
        {"csucs4", "utf-32", NULL},
        {"utf16le", "utf-16le", "UTF-16LE"},
        {"utf16be", "utf-16be", "UTF-16BE"},
        {"utf32le", "utf-32le", "UTF-32LE"},
        {"utf32be", "utf-32be", "UTF-32BE"},
        {"usascii", "us-ascii", "US-ASCII"},
        {"ascii", "us-ascii", "US-ASCII"},
        {"ansix341968", "us-ascii", "US-ASCII"},
        {"646", "us-ascii", "US-ASCII"},
        {"latin1", "iso-8859-1", "ISO-8859-1"},
        {"l1", "iso-8859-1", "ISO-8859-1"},
        {"latin2", "iso-8859-2", "ISO-8859-2"},
        {"l2", "iso-8859-2", "ISO-8859-2"},
        {"latin9", "iso-8859-15", "ISO-8859-15"},
        {"gb2312", "gb18030", "GB18030"}, /* GB18030 is its superset */
        {"gb231280", "gb18030", "GB18030"},
        {"csgb2312", "gb18030", "GB18030"},
        {"euccn", "gb18030", "GB18030"},
        {"gbk", "gb18030", "GB18030"},
        {"cp936", "gb18030", "GB18030"},
        {"ms936", "gb18030", "GB18030"},
        {"chinese", "gb18030", "GB18030"},
        {"gb18030", "gb18030", "GB18030"},
        {"big5", "big5", "BIG5"},
        {"csbig5", "big5", "BIG5"},
        {"big5tw", "big5", "BIG5"},
        {"big5hkscs", "big5-hkscs", "BIG5-HKSCS"},
        {"cp950", "cp950", "CP950"},
        {"euckr", "euc-kr", "EUC-KR"},
        {"cseuckr", "euc-kr", "EUC-KR"},
        {"korean", "euc-kr", "EUC-KR"},
        {"ksc56011987", "cp949", "CP949"},
        {"ksc5601", "cp949", "CP949"},
        {"cp949", "cp949", "CP949"},
        {"uhc", "cp949", "CP949"},
        {"shiftjis", "shift_jis", "SHIFT_JIS"},
        {"sjis", "shift_jis", "SHIFT_JIS"},
        {"xsjis", "shift_jis", "SHIFT_JIS"},
        {"mskanji", "shift_jis", "SHIFT_JIS"},
        {"csshiftjis", "shift_jis", "SHIFT_JIS"},
        {"cp932", "cp932", "CP932"},
        {"windows31j", "cp932", "CP932"},
        {"mscp932", "cp932", "CP932"},
        {"eucjp", "euc-jp", "EUC-JP"},
        {"ujis", "euc-jp", "EUC-JP"},
        {"cseucpkdfmtjapanese", "euc-jp", "EUC-JP"},
        {"iso2022jp", "iso-2022-jp", "ISO-2022-JP"},
        {"koi8r", "koi8-r", "KOI8-R"},
        {"koi8u", "koi8-u", "KOI8-U"},
        {"tis620", "tis-620", "TIS-620"},
};

/* Folds a label into an alias key; false when it does not fit. */
static bool
fold_label(const char *label, char key[LABEL_MAX + 1])
{
	size_t n = 0;

	for (const char *p = label; *p != '\0'; p++) {
		int c = (unsigned char)*p;

		if (c == '-' || c == '_' || c == '.' || c == ':' || c == ' ')
			continue;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (n == LABEL_MAX)
			return false;
		key[n++] = (char)c;
	}
	key[n] = '\0';
	return true;
}

static void
set_encoding(struct encoding *e, const char *name, const char *iconv_name,
             unsigned unit)
{
	snprintf(e->name, sizeof e->name, "%s", name);
	snprintf(e->iconv, sizeof e->iconv, "%s", iconv_name);
	e->unit = unit;
}

static void
set_utf8(struct encoding *e)
{
	set_encoding(e, "utf-8", "", 1);
}

/* The encoding a byte order implies. */
static void
set_ordered(struct encoding *e, enum byte_order order)
{
	switch (order) {
	case ORDER_16LE:
		set_encoding(e, "utf-16le", "UTF-16LE", 2);
		break;
	case ORDER_16BE:
		set_encoding(e, "utf-16be", "UTF-16BE", 2);
		break;
	case ORDER_32LE:
		set_encoding(e, "utf-32le", "UTF-32LE", 4);
		break;
	case ORDER_32BE:
		set_encoding(e, "utf-32be", "UTF-32BE", 4);
		break;
	case ORDER_NONE:
		set_utf8(e);
		break;
	}
}

static bool
is_wide(const struct encoding *e)
{
	return e->unit > 1;
}

/* True when the iconv encoding reads "<?xml" as itself, i.e. is one we can
 * have found an ASCII declaration in (not EBCDIC, not UTF-7 and the like). */
static bool
ascii_compatible(const char *iconv_name)
{
	static const char probe[] = "<?xml version='1.0' encoding=\"x\"?>\n";
	char in[sizeof probe], outb[2 * sizeof probe];
	char *ip = in, *op = outb;
	size_t il = sizeof probe - 1, ol = sizeof outb;
	iconv_t cd = iconv_open("UTF-8", iconv_name);
	size_t rc;

	if (cd == (iconv_t)-1)
		return false;
	memcpy(in, probe, sizeof probe);
	rc = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	return rc != (size_t)-1 && (size_t)(op - outb) == sizeof probe - 1 &&
	       memcmp(outb, probe, sizeof probe - 1) == 0;
}

/*
 * Resolves a label into e, a generic UTF-16/32 one with the byte order seen
 * in the document (big-endian when none, RFC 2781). Labels we do not list
 * are tried on iconv, keeping only ASCII-compatible encodings and never the
 * platform-dependent "WCHAR_T"/"UNICODE" family. Returns false when unknown.
 */
static bool
resolve_label(const char *label, enum byte_order order, struct encoding *e)
{
	char key[LABEL_MAX + 1], upper[LABEL_MAX + 1];
	size_t i;

	if (!fold_label(label, key) || key[0] == '\0')
		return false;
	for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		const struct alias *a = &aliases[i];

		if (strcmp(a->key, key) != 0)
			continue;
		if (a->iconv == NULL) {
			bool is16 = strcmp(a->name, "utf-16") == 0;

			if (order == ORDER_16LE || order == ORDER_32LE)
				set_ordered(e, is16 ? ORDER_16LE : ORDER_32LE);
			else
				set_ordered(e, is16 ? ORDER_16BE : ORDER_32BE);
		} else if (a->iconv[0] == '\0') {
			set_utf8(e);
		} else {
			unsigned unit = strncmp(a->iconv, "UTF-16", 6) == 0 ? 2
			                : strncmp(a->iconv, "UTF-32", 6) == 0
			                        ? 4
			                        : 1;

			set_encoding(e, a->name, a->iconv, unit);
		}
		return true;
	}
	/* ISO-8859-n and windows-125n / cp125n by pattern. */
	if (strncmp(key, "iso8859", 7) == 0 && key[7] >= '1' && key[7] <= '9' &&
	    strspn(key + 7, "0123456789") == strlen(key + 7) &&
	    strlen(key + 7) <= 2) {
		char name[LABEL_MAX + 1], iname[LABEL_MAX + 1];

		snprintf(name, sizeof name, "iso-8859-%s", key + 7);
		snprintf(iname, sizeof iname, "ISO-8859-%s", key + 7);
		if (!ascii_compatible(iname))
			return false;
		set_encoding(e, name, iname, 1);
		return true;
	}
	if ((strncmp(key, "windows125", 10) == 0 && strlen(key) == 11) ||
	    (strncmp(key, "cp125", 5) == 0 && strlen(key) == 6)) {
		char digit = key[strlen(key) - 1];
		char name[LABEL_MAX + 1], iname[LABEL_MAX + 1];

		if (digit < '0' || digit > '8')
			return false;
		snprintf(name, sizeof name, "windows-125%c", digit);
		snprintf(iname, sizeof iname, "WINDOWS-125%c", digit);
		set_encoding(e, name, iname, 1);
		return true;
	}
	if (strncmp(key, "utf", 3) == 0 || strncmp(key, "ucs", 3) == 0 ||
	    strncmp(key, "unicode", 7) == 0 || strncmp(key, "wchar", 5) == 0 ||
	    strcmp(key, "internal") == 0)
		return false;
	for (i = 0; label[i] != '\0'; i++) {
		char c = label[i];

		upper[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	upper[i] = '\0';
	if (!ascii_compatible(upper))
		return false;
	set_encoding(e, label, upper, 1);
	str_lower(e->name);
	return true;
}

/* -- detection ----------------------------------------------------------- */

/* The BOM's byte order and length, or 0. */
static size_t
sniff_bom(const unsigned char *s, size_t n, enum byte_order *order)
{
	if (n >= 4 && s[0] == 0xFF && s[1] == 0xFE && s[2] == 0 && s[3] == 0) {
		*order = ORDER_32LE;
		return 4;
	}
	if (n >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xFE && s[3] == 0xFF) {
		*order = ORDER_32BE;
		return 4;
	}
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		*order = ORDER_NONE;
		return 3;
	}
	if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
		*order = ORDER_16LE;
		return 2;
	}
	if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		*order = ORDER_16BE;
		return 2;
	}
	*order = ORDER_NONE;
	return 0;
}

/* Appendix F without a BOM, generalised from "<?" to any ASCII first
 * character: ASCII text has no NUL bytes, so NULs tell the layout. */
static enum byte_order
sniff_pattern(const unsigned char *s, size_t n)
{
	if (n < 4)
		return ORDER_NONE;
	if (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] != 0 && s[3] < 0x80)
		return ORDER_32BE;
	if (s[0] != 0 && s[0] < 0x80 && s[1] == 0 && s[2] == 0 && s[3] == 0)
		return ORDER_32LE;
	if (s[0] == 0 && s[1] != 0 && s[1] < 0x80 && s[2] == 0 && s[3] != 0)
		return ORDER_16BE;
	if (s[0] != 0 && s[0] < 0x80 && s[1] == 0 && s[2] != 0 && s[3] == 0)
		return ORDER_16LE;
	return ORDER_NONE;
}

/* The leading ASCII characters of s in the given layout, for reading the
 * XML declaration of a UTF-16/32 document. Returns their count. */
static size_t
narrow_ascii(const unsigned char *s, size_t n, enum byte_order order, char *out,
             size_t max)
{
	size_t unit = (order == ORDER_32LE || order == ORDER_32BE) ? 4 : 2;
	size_t k = 0;

	if (order == ORDER_NONE) {
		k = n < max ? n : max;
		if (k > 0)
			memcpy(out, s, k);
		return k;
	}
	for (size_t i = 0; i + unit <= n && k < max; i += unit) {
		uint32_t v;

		switch (order) {
		case ORDER_16LE:
			v = s[i] | (uint32_t)s[i + 1] << 8;
			break;
		case ORDER_16BE:
			v = (uint32_t)s[i] << 8 | s[i + 1];
			break;
		case ORDER_32LE:
			v = s[i] | (uint32_t)s[i + 1] << 8 |
			    (uint32_t)s[i + 2] << 16 | (uint32_t)s[i + 3] << 24;
			break;
		default:
			v = (uint32_t)s[i] << 24 | (uint32_t)s[i + 1] << 16 |
			    (uint32_t)s[i + 2] << 8 | s[i + 3];
			break;
		}
		if (v == 0 || v >= 0x80)
			break;
		out[k++] = (char)v;
	}
	return k;
}

/* The encoding label of an XML declaration at the start of s, copied into
 * label; false when there is none. *bad is set when there is one but it
 * is no plausible label. */
static bool
read_declaration(const char *s, size_t n, char label[LABEL_MAX + 1], bool *bad)
{
	size_t end, i, start;
	char quote;

	*bad = false;
	/* Blank lines before the declaration are an error libxml2 will
	 * report, but they are common and do not change what it says. */
	while (n > 0 && str_is_space(*s)) {
		s++;
		n--;
	}
	if (n < 6 || memcmp(s, "<?xml", 5) != 0 || !str_is_space(s[5]))
		return false;
	for (end = 5; end + 1 < n; end++) {
		if (s[end] == '?' && s[end + 1] == '>')
			break;
	}
	if (end + 1 >= n)
		return false;
	for (i = 5; i + 8 <= end; i++) {
		if (memcmp(s + i, "encoding", 8) == 0 && str_is_space(s[i - 1]))
			break;
	}
	if (i + 8 > end)
		return false;
	i += 8;
	while (i < end && str_is_space(s[i]))
		i++;
	if (i >= end || s[i] != '=')
		return false;
	i++;
	while (i < end && str_is_space(s[i]))
		i++;
	if (i >= end || (s[i] != '"' && s[i] != '\''))
		return false;
	quote = s[i++];
	start = i;
	while (i < end && s[i] != quote)
		i++;
	if (i >= end)
		return false;
	if (!copy_label(label, s + start, i - start)) {
		*bad = true;
		return false;
	}
	return true;
}

/* -- UTF-8 --------------------------------------------------------------- */

/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, surrogates or values past U+10FFFF), 0 when s[0..n) is a proper
 * prefix of one, -1 when it is invalid.
 */
static int
utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return -1;
	if (c < 0xE0) {
		len = 2;
	} else if (c < 0xF0) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c < 0xF5) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return -1;
	}
	if (n < 2)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return -1;
	for (size_t i = 2; i < len; i++) {
		if (i >= n)
			return 0;
		if ((s[i] & 0xC0) != 0x80)
			return -1;
	}
	return (int)len;
}

/* Skips ASCII eight bytes at a time; returns the index of the first
 * non-ASCII byte at or after i, or n. */
static size_t
skip_ascii(const unsigned char *s, size_t i, size_t n)
{
	while (i + 8 <= n) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if ((w & UINT64_C(0x8080808080808080)) != 0)
			break;
		i += 8;
	}
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

/* How many leading bytes of s form complete valid UTF-8; *invalid says
 * whether the scan stopped at an invalid byte (else at a split sequence
 * or the end). */
static size_t
utf8_valid_prefix(const unsigned char *s, size_t n, bool *invalid)
{
	size_t i = 0;

	*invalid = false;
	for (;;) {
		unsigned c;
		int len;

		i = skip_ascii(s, i, n);
		if (i == n)
			return n;
		/* Runs of two- and three-byte characters (Cyrillic, CJK)
		 * without the general checks; the rare rest goes below. */
		while (i + 3 <= n) {
			c = s[i];
			if (c >= 0xC2 && c <= 0xDF && (s[i + 1] & 0xC0) == 0x80)
				i += 2;
			else if (c >= 0xE1 && c <= 0xEF && c != 0xED &&
			         (s[i + 1] & 0xC0) == 0x80 &&
			         (s[i + 2] & 0xC0) == 0x80)
				i += 3;
			else
				break;
		}
		if (i == n)
			return n;
		if (s[i] < 0x80)
			continue;
		len = utf8_sequence(s + i, n - i);
		if (len <= 0) {
			*invalid = len < 0;
			return i;
		}
		i += (size_t)len;
	}
}

static int
put_replacement(struct charset_decoder *d, struct buf *out, size_t at)
{
	if (d->enc.iconv[0] == '\0')
		set_error(d, "invalid UTF-8 at byte %zu", at);
	else
		set_error(d, "bytes invalid in %s at byte %zu", d->enc.name,
		          at);
	return buf_append(out, replacement, 3);
}

/* Copies valid UTF-8 to out, invalid bytes as U+FFFD, one each; a split
 * sequence at the end waits in d->pend. */
static int
utf8_run(struct charset_decoder *d, const unsigned char *s, size_t n,
         struct buf *out)
{
	size_t i = 0, start = 0;

	while (i < n) {
		bool invalid;

		i += utf8_valid_prefix(s + i, n - i, &invalid);
		if (i == n)
			break;
		if (!invalid) {
			/* A split sequence: at most 3 bytes, kept for later. */
			memcpy(d->pend, s + i, n - i);
			d->npend = n - i;
			n = i;
			break;
		}
		if (i > start && buf_append(out, s + start, i - start) < 0)
			return -1;
		if (put_replacement(d, out, d->offset + i) < 0)
			return -1;
		i++;
		start = i;
	}
	if (n > start && buf_append(out, s + start, n - start) < 0)
		return -1;
	d->offset += n;
	return 0;
}

/* -- iconv --------------------------------------------------------------- */

/* Converts s[0..n) to out through d->cd; invalid units become U+FFFD.
 * Stops before an incomplete sequence at the end; *used says where. */
static int
iconv_run(struct charset_decoder *d, const unsigned char *s, size_t n,
          struct buf *out, size_t *used)
{
	char obuf[8192];
	char *ip = (char *)s;
	size_t left = n, skip;

	for (;;) {
		char *op = obuf;
		size_t oleft = sizeof obuf;
		size_t rc = iconv(d->cd, &ip, &left, &op, &oleft);
		int e = errno;

		if (op > obuf && buf_append(out, obuf, (size_t)(op - obuf)) < 0)
			return -1;
		if (rc != (size_t)-1 || left == 0)
			break;
		if (e == E2BIG)
			continue;
		if (e == EINVAL)
			break;
		/* EILSEQ (or anything else): replace one code unit. */
		skip = d->enc.unit < left ? d->enc.unit : left;
		if (put_replacement(d, out, d->offset + (n - left)) < 0)
			return -1;
		ip += skip;
		left -= skip;
	}
	*used = n - left;
	d->offset += *used;
	return 0;
}

/* Converts s[0..n) through d->cd; an incomplete sequence at the end waits
 * in d->pend, unless it is too long to be one. */
static int
iconv_feed(struct charset_decoder *d, const unsigned char *s, size_t n,
           struct buf *out)
{
	for (;;) {
		size_t used, skip;

		if (iconv_run(d, s, n, out, &used) < 0)
			return -1;
		if (used == n)
			return 0;
		s += used;
		n -= used;
		if (n < PEND_MAX) {
			memcpy(d->pend, s, n);
			d->npend = n;
			return 0;
		}
		skip = d->enc.unit;
		if (put_replacement(d, out, d->offset) < 0)
			return -1;
		d->offset += skip;
		s += skip;
		n -= skip;
	}
}

/* -- decoding once committed ---------------------------------------------- */

static int
run(struct charset_decoder *d, const unsigned char *s, size_t n,
    struct buf *out)
{
	if (d->enc.iconv[0] == '\0')
		return utf8_run(d, s, n, out);
	return iconv_feed(d, s, n, out);
}

/*
 * Decodes s[0..n). A sequence split by the previous push is completed a
 * byte at a time, so the result does not depend on how the input was cut.
 */
static int
decode(struct charset_decoder *d, const unsigned char *s, size_t n,
       struct buf *out)
{
	while (d->npend > 0 && n > 0) {
		unsigned char tmp[PEND_MAX];
		size_t ntmp = d->npend;

		memcpy(tmp, d->pend, ntmp);
		tmp[ntmp++] = *s++;
		n--;
		d->npend = 0;
		if (run(d, tmp, ntmp, out) < 0)
			return -1;
	}
	return n > 0 ? run(d, s, n, out) : 0;
}

/* -- choosing ------------------------------------------------------------- */

/* True when window bytes s[0..n) decode cleanly in e (a split sequence
 * at the end counts only when nothing more will come). */
static bool
decodes_cleanly(const struct encoding *e, const unsigned char *s, size_t n,
                bool final)
{
	char obuf[4096];
	char *ip = (char *)s;
	size_t left = n;
	bool clean = true;
	iconv_t cd;

	if (e->iconv[0] == '\0') {
		bool invalid;
		size_t valid = utf8_valid_prefix(s, n, &invalid);

		return valid == n || (!invalid && !final);
	}
	cd = iconv_open("UTF-8", e->iconv);
	if (cd == (iconv_t)-1)
		return false;
	while (left > 0) {
		char *op = obuf;
		size_t oleft = sizeof obuf;

		if (iconv(cd, &ip, &left, &op, &oleft) != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		clean = errno == EINVAL && !final;
		break;
	}
	iconv_close(cd);
	return clean;
}

static bool
same_encoding(const struct encoding *a, const struct encoding *b)
{
	return strcmp(a->name, b->name) == 0;
}

/* Picks the encoding for the held window and how many BOM bytes to drop. */
static size_t
choose(struct charset_decoder *d, const unsigned char *s, size_t n, bool final)
{
	struct encoding declared, candidates[5];
	enum byte_order order, pattern;
	char label[LABEL_MAX + 1], ascii[DECL_MAX];
	bool have_decl, decl_bad, decl_known = false;
	bool may_fall_back = true;
	size_t bom, nascii, ncand = 0;

	bom = sniff_bom(s, n, &order);
	pattern = bom > 0 ? order : sniff_pattern(s, n);
	nascii = narrow_ascii(s + bom, n - bom, pattern, ascii, sizeof ascii);
	have_decl = read_declaration(ascii, nascii, label, &decl_bad);
	if (have_decl)
		decl_known = resolve_label(label, pattern, &declared);

	if (bom > 0) {
		/* The BOM is how the declaration could be read at all. */
		set_ordered(&d->enc, order);
		may_fall_back = false;
		if (have_decl &&
		    (!decl_known || !same_encoding(&declared, &d->enc)))
			set_error(d,
			          "encoding declared as %s but the byte "
			          "order mark says %s",
			          label, d->enc.name);
		return bom;
	}
	if (d->http_label_bad) {
		set_error(d, "invalid charset in the Content-Type");
	} else if (d->http_label[0] != '\0') {
		if (resolve_label(d->http_label, pattern, &d->enc)) {
			if (pattern != ORDER_NONE && !is_wide(&d->enc)) {
				/* NULs between ASCII: no 8-bit charset fits. */
				set_error(d,
				          "charset %s in the Content-Type but "
				          "the document is UTF-16/32",
				          d->http_label);
				set_ordered(&d->enc, pattern);
				return 0;
			}
			candidates[ncand++] = d->enc;
			if (decl_known && !is_wide(&declared))
				candidates[ncand++] = declared;
			may_fall_back = !is_wide(&d->enc);
			goto fallback;
		}
		set_error(d, "unknown charset %s in the Content-Type",
		          d->http_label);
	}
	if (decl_bad)
		set_error(d, "invalid encoding label in the XML declaration");
	if (pattern != ORDER_NONE) {
		set_ordered(&d->enc, pattern);
		if (have_decl && !decl_known)
			set_error(d, "unknown encoding %s", label);
		else if (have_decl && !same_encoding(&declared, &d->enc))
			set_error(d,
			          "encoding declared as %s but the document "
			          "is %s",
			          label, d->enc.name);
		return 0;
	}
	set_utf8(&d->enc);
	if (have_decl && !decl_known) {
		set_error(d, "unknown encoding %s", label);
	} else if (have_decl && is_wide(&declared)) {
		set_error(d,
		          "encoding declared as %s but the document is "
		          "not %s",
		          label, declared.name);
	} else if (have_decl) {
		d->enc = declared;
	}
	candidates[ncand++] = d->enc;
fallback:
	if (!may_fall_back)
		return 0;
	/* feedparser's last resorts, in its order. */
	set_utf8(&candidates[ncand++]);
	set_encoding(&candidates[ncand++], "windows-1252", "WINDOWS-1252", 1);
	set_encoding(&candidates[ncand++], "iso-8859-2", "ISO-8859-2", 1);
	for (size_t i = 0; i < ncand; i++) {
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen = seen ||
			       same_encoding(&candidates[i], &candidates[j]);
		if (seen || !decodes_cleanly(&candidates[i], s, n, final))
			continue;
		if (i > 0)
			set_error(d, "bytes invalid in %s; decoded as %s",
			          candidates[0].name, candidates[i].name);
		d->enc = candidates[i];
		return 0;
	}
	/* Nothing fits (ISO-8859-2 always does): keep the first choice. */
	d->enc = candidates[0];
	return 0;
}

/* Decides on the encoding from the held window and decodes the window. */
static int
commit(struct charset_decoder *d, bool final, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)d->window.data;
	size_t n = d->window.len, bom;
	int rc;

	bom = choose(d, s, n, final);
	d->committed = true;
	if (d->enc.iconv[0] != '\0') {
		d->cd = iconv_open("UTF-8", d->enc.iconv);
		if (d->cd == (iconv_t)-1) {
			/* Resolved labels were opened once already. */
			set_error(d, "cannot convert from %s", d->enc.name);
			set_utf8(&d->enc);
		}
	}
	d->offset = bom;
	rc = n > bom ? decode(d, s + bom, n - bom, out) : 0;
	buf_done(&d->window);
	return rc;
}

/* -- public ------------------------------------------------------------- */

/* The charset parameter of a Content-Type value ("text/xml; charset=x"),
 * quotes and spaces removed, the way feedparser reads it. */
static void
parse_content_type(struct charset_decoder *d, const char *ct)
{
	const char *p = strchr(ct, ';');

	while (p != NULL) {
		const char *name, *eq, *val, *end;
		size_t nlen;

		p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		name = p;
		while (name < end && str_is_space(*name))
			name++;
		eq = memchr(name, '=', (size_t)(end - name));
		p = *end == ';' ? end : NULL;
		if (eq == NULL)
			continue;
		nlen = (size_t)(eq - name);
		while (nlen > 0 && str_is_space(name[nlen - 1]))
			nlen--;
		if (nlen != 7 || !str_istarts_with(name, "charset"))
			continue;
		val = eq + 1;
		while (val < end &&
		       (str_is_space(*val) || *val == '"' || *val == '\''))
			val++;
		while (end > val && (str_is_space(end[-1]) || end[-1] == '"' ||
		                     end[-1] == '\''))
			end--;
		if (end == val)
			continue;
		d->http_label_bad =
		        !copy_label(d->http_label, val, (size_t)(end - val));
		if (d->http_label_bad)
			d->http_label[0] = '\0';
		return;
	}
}

struct charset_decoder *
charset_decoder_new(const char *content_type)
{
	struct charset_decoder *d = xcalloc(1, sizeof *d);

	d->ok = true;
	d->cd = (iconv_t)-1;
	buf_init(&d->window, 0);
	if (content_type != NULL)
		parse_content_type(d, content_type);
	return d;
}

int
charset_decoder_push(struct charset_decoder *d, const char *data, size_t n,
                     struct buf *out)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t take;

	if (n == 0 || data == NULL)
		return 0;
	if (d->committed)
		return decode(d, s, n, out);
	take = WINDOW_MAX - d->window.len;
	if (take > n)
		take = n;
	buf_append(&d->window, s, take);
	if (d->window.len < WINDOW_MAX)
		return 0;
	if (commit(d, false, out) < 0)
		return -1;
	return n > take ? decode(d, s + take, n - take, out) : 0;
}

int
charset_decoder_finish(struct charset_decoder *d, struct buf *out)
{
	if (!d->committed && commit(d, true, out) < 0)
		return -1;
	if (d->npend > 0) {
		set_error(d, "truncated %s sequence at the end", d->enc.name);
		d->npend = 0;
		if (buf_append(out, replacement, 3) < 0)
			return -1;
	}
	if (d->cd != (iconv_t)-1) {
		/* Stateful encodings (ISO-2022-JP) may owe a reset. */
		char obuf[64], *op = obuf;
		size_t oleft = sizeof obuf;

		iconv(d->cd, NULL, NULL, &op, &oleft);
		if (op > obuf && buf_append(out, obuf, (size_t)(op - obuf)) < 0)
			return -1;
	}
	return 0;
}

const char *
charset_decoder_encoding(const struct charset_decoder *d)
{
	return d->committed ? d->enc.name : NULL;
}

bool
charset_decoder_ok(const struct charset_decoder *d)
{
	return d->ok;
}

const char *
charset_decoder_error(const struct charset_decoder *d)
{
	return d->ok ? NULL : d->error;
}

void
charset_decoder_free(struct charset_decoder *d)
{
	if (d == NULL)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	buf_done(&d->window);
	free(d);
}
