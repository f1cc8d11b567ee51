// SPDX-License-Identifier: MIT
/* Tables of documents and what the charset decoder must make of them: the
 * encoding it settles on, whether it complains, and the UTF-8 it emits, the
 * same however the bytes are cut into pushes. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above; keep it last of its group. */
/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/text.h"
#include "courant/util.h"

#include "../../../src/feed/private.h"

/* Mirrors WINDOW_MAX in charset.c: what the decoder may hold back. */
#define WINDOW (64 * 1024)

#define DECL(enc) "<?xml version=\"1.0\" encoding=\"" enc "\"?>"

struct result {
	struct buf out;
	char enc[48];
	bool ok;
};

enum cut {
	CUT_WHOLE,  /* one push */
	CUT_BYTES,  /* one byte a push */
	CUT_RANDOM, /* pushes of 1 to 700 bytes */
};

static void
decode(const char *ct, const char *in, size_t n, enum cut cut, unsigned seed,
       struct result *r)
{
	struct charset_decoder *d = charset_decoder_new(ct);
	size_t i = 0;

	buf_init(&r->out, 0);
	srand(seed);
	while (i < n) {
		size_t step = n - i;

		if (cut == CUT_BYTES)
			step = 1;
		else if (cut == CUT_RANDOM && step > 1)
			step = 1 + (size_t)rand() % (step < 700 ? step : 700);
		assert_int_equal(charset_decoder_push(d, in + i, step, &r->out),
		                 0);
		i += step;
	}
	assert_int_equal(charset_decoder_finish(d, &r->out), 0);
	assert_non_null(charset_decoder_encoding(d));
	snprintf(r->enc, sizeof r->enc, "%s", charset_decoder_encoding(d));
	r->ok = charset_decoder_ok(d);
	if (r->ok)
		assert_null(charset_decoder_error(d));
	else
		assert_true(strlen(charset_decoder_error(d)) > 0);
	charset_decoder_free(d);
	if (!utf8_is_valid(r->out.data, r->out.len))
		fail_msg("output is not valid UTF-8");
}

/* Decodes in every way and checks that the results agree. */
static void
decode_all_ways(const char *ct, const char *in, size_t n, struct result *r)
{
	decode(ct, in, n, CUT_WHOLE, 0, r);
	for (int way = 0; way < 4; way++) {
		struct result other;

		decode(ct, in, n, way == 0 ? CUT_BYTES : CUT_RANDOM,
		       (unsigned)way, &other);
		if (strcmp(other.enc, r->enc) != 0 || other.ok != r->ok ||
		    other.out.len != r->out.len ||
		    memcmp(other.out.data, r->out.data, r->out.len) != 0)
			fail_msg("cut %d gives %s/%d (%zu bytes), whole %s/%d "
			         "(%zu bytes)",
			         way, other.enc, other.ok, other.out.len,
			         r->enc, r->ok, r->out.len);
		buf_done(&other.out);
	}
}

struct charset_case {
	const char *what;
	const char *content_type;
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want_enc;
	bool want_ok;
	const char *want_out; /* NULL: same as in */
};

static void
check_cases(const struct charset_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct charset_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		const char *want = c->want_out ? c->want_out : c->in;
		size_t want_len = c->want_out ? strlen(want) : len;
		struct result r;

		decode_all_ways(c->content_type, c->in, len, &r);
		if (strcmp(r.enc, c->want_enc) != 0 || r.ok != c->want_ok)
			fail_msg("%s: want %s/%s, got %s/%s", c->what,
			         c->want_enc, c->want_ok ? "ok" : "not ok",
			         r.enc, r.ok ? "ok" : "not ok");
		if (r.out.len != want_len ||
		    memcmp(buf_str(&r.out), want, want_len) != 0)
			fail_msg("%s: want \"%s\", got \"%s\"", c->what, want,
			         buf_str(&r.out));
		buf_done(&r.out);
	}
}

#define CHECK(cases) check_cases(cases, sizeof cases / sizeof *cases)

/* Encodes UTF-8 text as UTF-16 or UTF-32 (unit 2 or 4, big-endian or
 * not), with a BOM when asked, into out. */
static void
widen(const char *utf8, unsigned unit, bool big, bool bom, struct buf *out)
{
	size_t n = strlen(utf8), i = 0;

	buf_init(out, 0);
	if (bom)
		widen("\xEF\xBB\xBF", unit, big, false, out);
	while (i < n) {
		uint32_t cp, units[2];
		size_t k = 1;

		i += utf8_decode(utf8 + i, n - i, &cp);
		units[0] = cp;
		if (unit == 2 && cp >= 0x10000) {
			units[0] = 0xD800 | ((cp - 0x10000) >> 10);
			units[1] = 0xDC00 | ((cp - 0x10000) & 0x3FF);
			k = 2;
		}
		for (size_t u = 0; u < k; u++) {
			unsigned char b[4];

			for (unsigned j = 0; j < unit; j++) {
				unsigned shift = 8 * (big ? unit - 1 - j : j);

				b[j] = (unsigned char)(units[u] >> shift);
			}
			buf_append(out, b, unit);
		}
	}
}

static void
test_null_and_empty(void **state)
{
	/* Empty or parameterless Content-Type values change nothing. */
	static const char *const types[] = {
	        "",
	        ";",
	        "text/xml",
	        "text/xml;",
	        "text/xml; charset=",
	        "text/xml; charset=\"\"",
	        "application/xml; qs=0.9",
	};
	struct charset_decoder *d;
	struct buf out;

	(void)state;
	charset_decoder_free(NULL);
	buf_init(&out, 0);
	d = charset_decoder_new(NULL);
	assert_null(charset_decoder_encoding(d));
	assert_true(charset_decoder_ok(d));
	assert_null(charset_decoder_error(d));
	assert_int_equal(charset_decoder_push(d, NULL, 0, &out), 0);
	assert_int_equal(charset_decoder_push(d, "", 0, &out), 0);
	assert_null(charset_decoder_encoding(d));
	assert_int_equal(charset_decoder_finish(d, &out), 0);
	assert_string_equal(charset_decoder_encoding(d), "utf-8");
	assert_true(charset_decoder_ok(d));
	assert_int_equal(out.len, 0);
	charset_decoder_free(d);

	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		d = charset_decoder_new(types[i]);
		assert_int_equal(charset_decoder_push(d, "<a/>", 4, &out), 0);
		assert_int_equal(charset_decoder_finish(d, &out), 0);
		assert_string_equal(charset_decoder_encoding(d), "utf-8");
		assert_true(charset_decoder_ok(d));
		charset_decoder_free(d);
	}
	buf_done(&out);
}

static void
test_utf8(void **state)
{
	static const struct charset_case cases[] = {
	        {"ascii, no declaration", NULL, "<rss/>", 0, "utf-8", true,
	         NULL},
	        {"utf-8 text, no declaration", NULL,
	         "<t>caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80</t>", 0, "utf-8",
	         true, NULL},
	        {"declared utf-8", NULL, DECL("utf-8") "<t>\xC3\xA9</t>", 0,
	         "utf-8", true, NULL},
	        {"declared UTF_8", NULL, DECL("UTF_8") "<a/>", 0, "utf-8", true,
	         NULL},
	        {"declared u8", NULL, DECL("u8") "<a/>", 0, "utf-8", true,
	         NULL},
	        {"single quotes, spaces", NULL,
	         "<?xml version='1.0'  encoding = 'utf8' ?><a/>", 0, "utf-8",
	         true, NULL},
	        {"BOM stripped", NULL, "\xEF\xBB\xBF<a>\xC3\xA9</a>", 0,
	         "utf-8", true, "<a>\xC3\xA9</a>"},
	        {"BOM and declaration", NULL,
	         "\xEF\xBB\xBF" DECL("utf-8") "<a/>", 0, "utf-8", true,
	         DECL("utf-8") "<a/>"},
	        {"NUL is valid UTF-8", NULL, "<a>\0</a>", 8, "utf-8", true,
	         NULL},
	};

	(void)state;
	CHECK(cases);
}

static void
test_legacy(void **state)
{
	static const struct charset_case cases[] = {
	        {"latin_1", NULL, DECL("latin_1") "<t>caf\xE9</t>", 0,
	         "iso-8859-1", true, DECL("latin_1") "<t>caf\xC3\xA9</t>"},
	        {"ISO-8859-1", NULL, DECL("ISO-8859-1") "<t>\xFF</t>", 0,
	         "iso-8859-1", true, DECL("ISO-8859-1") "<t>\xC3\xBF</t>"},
	        {"iso-8859-15 euro", NULL, DECL("iso-8859-15") "\xA4", 0,
	         "iso-8859-15", true, DECL("iso-8859-15") "\xE2\x82\xAC"},
	        {"iso-8859-2", NULL, DECL("iso-8859-2") "\xA9", 0, "iso-8859-2",
	         true, DECL("iso-8859-2") "\xC5\xA0"},
	        {"iso8859-7 greek", NULL, DECL("iso8859-7") "\xE1", 0,
	         "iso-8859-7", true, DECL("iso8859-7") "\xCE\xB1"},
	        {"cp1252 quotes", NULL, DECL("cp1252") "\x93x\x94", 0,
	         "windows-1252", true,
	         DECL("cp1252") "\xE2\x80\x9Cx\xE2\x80\x9D"},
	        {"windows-1251", NULL, DECL("Windows-1251") "\xC0", 0,
	         "windows-1251", true, DECL("Windows-1251") "\xD0\x90"},
	        {"gb2312 is gb18030", NULL, DECL("gb2312") "\xD6\xD0", 0,
	         "gb18030", true, DECL("gb2312") "\xE4\xB8\xAD"},
	        {"gbk is gb18030", NULL, DECL("GBK") "\xD6\xD0", 0, "gb18030",
	         true, DECL("GBK") "\xE4\xB8\xAD"},
	        {"gb18030 four-byte", NULL, DECL("gb18030") "\x81\x30\x81\x30",
	         0, "gb18030", true, DECL("gb18030") "\xC2\x80"},
	        {"euc-kr", NULL, DECL("euc-kr") "<t>\xB3\xE2</t>", 0, "euc-kr",
	         true, DECL("euc-kr") "<t>\xEB\x85\x84</t>"},
	        {"shift_jis", NULL, DECL("Shift_JIS") "\x93\xFA\x96\x7B", 0,
	         "shift_jis", true,
	         DECL("Shift_JIS") "\xE6\x97\xA5\xE6\x9C\xAC"},
	        {"sjis alias", NULL, DECL("sjis") "\x93\xFA", 0, "shift_jis",
	         true, DECL("sjis") "\xE6\x97\xA5"},
	        {"euc-jp", NULL, DECL("EUC-JP") "\xC6\xFC", 0, "euc-jp", true,
	         DECL("EUC-JP") "\xE6\x97\xA5"},
	        {"big5", NULL, DECL("big5") "\xA4\xA4", 0, "big5", true,
	         DECL("big5") "\xE4\xB8\xAD"},
	        {"koi8-r", NULL, DECL("koi8-r") "\xC1", 0, "koi8-r", true,
	         DECL("koi8-r") "\xD0\xB0"},
	        {"iconv-only label", NULL, DECL("cp866") "\xA0", 0, "cp866",
	         true, DECL("cp866") "\xD0\xB0"},
	        {"us-ascii", NULL, DECL("us-ascii") "<a/>", 0, "us-ascii", true,
	         NULL},
	};

	(void)state;
	CHECK(cases);
}

/* Which source wins: BOM, then the HTTP charset, then the declaration. */
static void
test_precedence(void **state)
{
	static const struct charset_case cases[] = {
	        {"charset overrides declaration",
	         "text/xml; charset=iso-8859-1", DECL("utf-8") "\xE9", 0,
	         "iso-8859-1", true, DECL("utf-8") "\xC3\xA9"},
	        {"charset in single quotes",
	         "application/rss+xml;charset='windows-1252'", "\x80", 0,
	         "windows-1252", true, "\xE2\x82\xAC"},
	        {"charset with spaces and double quotes",
	         "application/xml;charset = \"ISO-8859-1\" ", "\xE9", 0,
	         "iso-8859-1", true, "\xC3\xA9"},
	        {"charset among other parameters",
	         "text/xml; q=1; CHARSET=gb2312; x=y", "\xD6\xD0", 0, "gb18030",
	         true, "\xE4\xB8\xAD"},
	        {"utf-8 charset over a latin-1 declaration",
	         "application/atom+xml; charset=utf-8",
	         DECL("iso-8859-1") "\xC3\xA9", 0, "utf-8", true, NULL},
	        {"text/xml without charset is not us-ascii", "text/xml",
	         DECL("iso-8859-1") "\xE9", 0, "iso-8859-1", true,
	         DECL("iso-8859-1") "\xC3\xA9"},
	        {"charset: is no parameter", "text/xml; charset:iso-8859-1",
	         "\xC3\xA9", 0, "utf-8", true, NULL},
	        {"us-ascii charset", "application/xml; charset=us-ascii",
	         DECL("iso-8859-1") "<a/>", 0, "us-ascii", true, NULL},
	        {"BOM beats the charset (RFC 7303)",
	         "text/xml; charset=iso-8859-1", "\xEF\xBB\xBF\xC3\xA9", 0,
	         "utf-8", true, "\xC3\xA9"},
	        {"BOM beats a conflicting declaration", NULL,
	         "\xEF\xBB\xBF" DECL("iso-8859-1") "\xC3\xA9", 0, "utf-8",
	         false, DECL("iso-8859-1") "\xC3\xA9"},
	        {"unknown charset: the declaration decides",
	         "text/xml; charset=x-nonsense", DECL("iso-8859-1") "\xE9", 0,
	         "iso-8859-1", false, DECL("iso-8859-1") "\xC3\xA9"},
	        {"charset that is no label", "text/xml; charset=utf-8//IGNORE",
	         "<a/>", 0, "utf-8", false, NULL},
	        {"charset valid, bytes not: the declaration next",
	         "text/xml; charset=us-ascii", DECL("iso-8859-1") "\xE9", 0,
	         "iso-8859-1", false, DECL("iso-8859-1") "\xC3\xA9"},
	};

	(void)state;
	CHECK(cases);
}

static void
test_wide(void **state)
{
	/* Every UTF-16/32 layout, with and without BOM and declaration. */
	static const struct {
		const char *what;
		unsigned unit;
		bool big, bom;
		const char *decl;
		const char *want_enc;
		bool want_ok;
	} cases[] = {
	        {"16le bom", 2, false, true, "utf-16", "utf-16le", true},
	        {"16be bom", 2, true, true, "utf-16", "utf-16be", true},
	        {"16le bom, no declaration", 2, false, true, NULL, "utf-16le",
	         true},
	        {"16le declared", 2, false, false, "utf-16le", "utf-16le",
	         true},
	        {"16be declared", 2, true, false, "UTF-16BE", "utf-16be", true},
	        {"16le generic", 2, false, false, "utf-16", "utf-16le", true},
	        {"16be generic", 2, true, false, "utf-16", "utf-16be", true},
	        {"16be u16", 2, true, false, "u16", "utf-16be", true},
	        {"16be utf_16", 2, true, false, "utf_16", "utf-16be", true},
	        {"16le autodetect", 2, false, false, NULL, "utf-16le", true},
	        {"16be autodetect", 2, true, false, NULL, "utf-16be", true},
	        {"16 wrong order declared", 2, true, false, "utf-16le",
	         "utf-16be", false},
	        {"16 declared 8-bit", 2, false, false, "iso-8859-1", "utf-16le",
	         false},
	        {"16 unknown label", 2, false, false, "bogus", "utf-16le",
	         false},
	        {"32le bom", 4, false, true, "utf-32", "utf-32le", true},
	        {"32be bom", 4, true, true, "utf-32", "utf-32be", true},
	        {"32le declared", 4, false, false, "utf-32le", "utf-32le",
	         true},
	        {"32be declared", 4, true, false, "utf-32be", "utf-32be", true},
	        {"32be utf_32", 4, true, false, "utf_32", "utf-32be", true},
	        {"32le autodetect", 4, false, false, NULL, "utf-32le", true},
	        {"32be autodetect", 4, true, false, NULL, "utf-32be", true},
	        {"32le bom, declared utf-16", 4, false, true, "utf-16",
	         "utf-32le", false},
	};
	const char *body = "<rss><t>caf\xC3\xA9 \xE2\x82\xAC \xED\x95\x9C "
	                   "\xF0\x9F\x98\x80</t></rss>";

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[256];
		struct buf in;
		struct result r;

		if (cases[i].decl != NULL)
			snprintf(text, sizeof text, "%s%s%s\n%s",
			         "<?xml version=\"1.0\" encoding=\"",
			         cases[i].decl, "\"?>", body);
		else
			snprintf(text, sizeof text, "%s", body);
		widen(text, cases[i].unit, cases[i].big, cases[i].bom, &in);
		decode_all_ways(NULL, in.data, in.len, &r);
		if (strcmp(r.enc, cases[i].want_enc) != 0 ||
		    r.ok != cases[i].want_ok)
			fail_msg("%s: want %s/%d, got %s/%d", cases[i].what,
			         cases[i].want_enc, cases[i].want_ok, r.enc,
			         r.ok);
		if (strcmp(buf_str(&r.out), text) != 0)
			fail_msg("%s: got \"%s\"", cases[i].what,
			         buf_str(&r.out));
		buf_done(&r.out);
		buf_done(&in);
	}
}

static void
test_wide_inline(void **state)
{
	/* The same few characters written out by hand, so widen() is not
	 * checking itself; "\xD8\x3D\xDE\x00" is U+1F600 as a pair. */
	static const struct charset_case cases[] = {
	        {"16le bom", NULL, "\xFF\xFE<\0a\0\xE9\0", 8, "utf-16le", true,
	         "<a\xC3\xA9"},
	        {"16be pair", NULL, "\0<\0a\xD8\x3D\xDE\x00", 8, "utf-16be",
	         true, "<a\xF0\x9F\x98\x80"},
	        {"32le bom", NULL, "\xFF\xFE\0\0<\0\0\0\x00\xF6\x01\0", 12,
	         "utf-32le", true, "<\xF0\x9F\x98\x80"},
	        {"32be", NULL, "\0\0\0<\0\0\0a", 8, "utf-32be", true, "<a"},
	        {"16le lone surrogate", NULL,
	         "<\0a\0\x00\xD8"
	         "b\0",
	         8, "utf-16le", false,
	         "<a\xEF\xBF\xBD"
	         "b"},
	        {"32be past U+10FFFF", NULL, "\0\0\0<\0\x11\0\0\0\0\0a", 12,
	         "utf-32be", false,
	         "<\xEF\xBF\xBD"
	         "a"},
	        {"16le odd byte at the end", NULL, "<\0a\0b", 5, "utf-16le",
	         false, "<a\xEF\xBF\xBD"},
	        {"charset utf-16, pattern says le", "text/xml; charset=utf-16",
	         "<\0a\0", 4, "utf-16le", true, "<a"},
	        {"charset utf-16 with a BOM", "text/xml; charset=UTF-16",
	         "\xFF\xFE<\0", 4, "utf-16le", true, "<"},
	        {"charset utf-16, no BOM, no pattern: be",
	         "text/xml; charset=utf-16", "\x4E\x2D\0a", 4, "utf-16be", true,
	         "\xE4\xB8\xAD"
	         "a"},
	        {"charset utf-8, pattern says utf-16le",
	         "text/xml; charset=utf-8", "<\0a\0", 4, "utf-16le", false,
	         "<a"},
	        {"charset utf-8, BOM says utf-16le", "text/xml; charset=utf-8",
	         "\xFF\xFE<\0", 4, "utf-16le", true, "<"},
	        {"declared utf-16 on 8-bit bytes", NULL, DECL("utf-16") "<a/>",
	         0, "utf-8", false, NULL},
	};

	(void)state;
	CHECK(cases);
}

/* Labels we must not take, and bytes that do not fit: feedparser's
 * fallbacks within the window, U+FFFD where there is no choice. */
static void
test_bad_labels_and_bytes(void **state)
{
	static const struct charset_case cases[] = {
	        {"bogus label", NULL, DECL("bogus") "<a/>", 0, "utf-8", false,
	         NULL},
	        {"bogus label, latin-1 bytes", NULL, DECL("bogus") "\xE9", 0,
	         "windows-1252", false, DECL("bogus") "\xC3\xA9"},
	        {"WCHAR_T refused", NULL, DECL("WCHAR_T") "<a/>", 0, "utf-8",
	         false, NULL},
	        {"UNICODE refused", NULL, DECL("unicode") "<a/>", 0, "utf-8",
	         false, NULL},
	        {"EBCDIC refused", NULL, DECL("IBM037") "<a/>", 0, "utf-8",
	         false, NULL},
	        {"iconv suffix refused", NULL, DECL("utf-8//TRANSLIT") "<a/>",
	         0, "utf-8", false, NULL},
	        {"overlong label refused", NULL,
	         DECL("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"), 0,
	         "utf-8", false, NULL},
	        {"latin-1 bytes, no declaration", NULL, "<t>caf\xE9</t>", 0,
	         "windows-1252", false, "<t>caf\xC3\xA9</t>"},
	        {"latin-1 bytes declared utf-8", NULL,
	         DECL("utf-8") "\x93x\x94", 0, "windows-1252", false,
	         DECL("utf-8") "\xE2\x80\x9Cx\xE2\x80\x9D"},
	        {"not windows-1252 either", NULL, "\xE2\x80\x9D\xA9\x81", 0,
	         "iso-8859-2", false,
	         "\xC3\xA2\xC2\x80\xC2\x9D\xC5\xA0\xC2\x81"},
	        {"truncated utf-8 at the very end", NULL, "<a>\xE2\x82", 0,
	         "windows-1252", false, "<a>\xC3\xA2\xE2\x80\x9A"},
	        {"surrogate in utf-8", NULL, "\xED\xA0\x80", 0, "windows-1252",
	         false, "\xC3\xAD\xC2\xA0\xE2\x82\xAC"},
	        {"invalid utf-8 after a BOM: no fallback", NULL,
	         "\xEF\xBB\xBF"
	         "a\xF1"
	         "b\xC3\xA9",
	         0, "utf-8", false,
	         "a\xEF\xBF\xBD"
	         "b\xC3\xA9"},
	        {"invalid shift_jis", NULL, DECL("shift_jis") "\x93\xFA\xA0", 0,
	         "windows-1252", false,
	         DECL("shift_jis") "\xE2\x80\x9C\xC3\xBA\xC2\xA0"},
	        {"invalid euc-kr, not windows-1252", NULL,
	         DECL("euc-kr") "\xB3\xE2\xFF\x81", 0, "iso-8859-2", false,
	         DECL("euc-kr") "\xC5\x82\xC3\xA2\xCB\x99\xC2\x81"},
	};

	(void)state;
	CHECK(cases);
}

/* After the window nothing is held back but a split sequence, and bad
 * bytes become U+FFFD without a change of encoding. */
static void
test_past_the_window(void **state)
{
	static const struct {
		const char *decl, *unit, *want_unit, *bad, *want_enc;
	} cases[] = {
	        {"",
	         "caf\xC3\xA9 "
	         "\xE2\x82\xAC\xF0\x9F\x98\x80\xD0\x96\xED\x95\x9C ",
	         "caf\xC3\xA9 "
	         "\xE2\x82\xAC\xF0\x9F\x98\x80\xD0\x96\xED\x95\x9C ",
	         "\xC3(", "utf-8"},
	        {DECL("shift_jis"), "\x93\xFA\x96\x7B x",
	         "\xE6\x97\xA5\xE6\x9C\xAC x", "\xA0", "shift_jis"},
	        {DECL("gb18030"), "\xD6\xD0\x81\x30\x81\x30.",
	         "\xE4\xB8\xAD\xC2\x80.", "\xFF", "gb18030"},
	        {DECL("euc-kr"), "\xB3\xE2 ", "\xEB\x85\x84 ", "\xFF",
	         "euc-kr"},
	        {DECL("iso-8859-1"), "caf\xE9 ", "caf\xC3\xA9 ", NULL,
	         "iso-8859-1"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf in, want;
		struct result r;

		buf_init(&in, 0);
		buf_init(&want, 0);
		buf_puts(&in, cases[i].decl);
		buf_puts(&want, cases[i].decl);
		while (in.len < 3 * WINDOW) {
			buf_puts(&in, cases[i].unit);
			buf_puts(&want, cases[i].want_unit);
		}
		decode_all_ways(NULL, in.data, in.len, &r);
		assert_string_equal(r.enc, cases[i].want_enc);
		assert_true(r.ok);
		assert_int_equal(r.out.len, want.len);
		assert_memory_equal(r.out.data, want.data, want.len);
		buf_done(&r.out);

		if (cases[i].bad != NULL) {
			/* One bad sequence well past the window. */
			buf_puts(&in, cases[i].bad);
			buf_puts(&in, cases[i].unit);
			decode_all_ways(NULL, in.data, in.len, &r);
			assert_string_equal(r.enc, cases[i].want_enc);
			assert_false(r.ok);
			assert_non_null(
			        strstr(buf_str(&r.out), "\xEF\xBF\xBD"));
			assert_memory_equal(r.out.data, want.data, want.len);
			buf_done(&r.out);
		}
		buf_done(&in);
		buf_done(&want);
	}
}

/* A 1 MB document never makes the decoder hold more than the window, and
 * a UTF-16 one split everywhere comes out whole. */
/* Invalid UTF-8 after the window: one U+FFFD per byte that does not
 * belong to a well-formed sequence (RFC 3629), the encoding unchanged. */
static void
test_invalid_utf8(void **state)
{
	static const struct {
		const char *bad;
		int nrepl;
	} cases[] = {
	        {"\xED\x95\x9C", 0},     /* Hangul, valid */
	        {"\xF4\x8F\xBF\xBF", 0}, /* U+10FFFF, valid */
	        {"\x80", 1},             /* lone continuation */
	        {"\xC3", 1},             /* lead without continuation */
	        {"\xC0\x80", 2},         /* overlong NUL */
	        {"\xE0\x80\x80", 3},     /* overlong */
	        {"\xED\xA0\x80", 3},     /* surrogate */
	        {"\xE2\x82", 2},         /* cut short */
	        {"\xF4\x90\x80\x80", 4}, /* past U+10FFFF */
	        {"\xF5\x80", 2},
	        {"\xFF", 1},
	};
	struct buf in, want;
	struct result r;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf_init(&in, 0);
		while (in.len < WINDOW + 100)
			buf_puts(&in, "<a>x</a>");
		buf_init(&want, 0);
		buf_append(&want, in.data, in.len);
		buf_puts(&in, cases[i].bad);
		buf_puts(&in, "z");
		if (cases[i].nrepl == 0)
			buf_puts(&want, cases[i].bad);
		for (int k = 0; k < cases[i].nrepl; k++)
			buf_puts(&want, "\xEF\xBF\xBD");
		buf_puts(&want, "z");
		decode_all_ways(NULL, in.data, in.len, &r);
		assert_string_equal(r.enc, "utf-8");
		if (r.ok != (cases[i].nrepl == 0))
			fail_msg("case %zu: ok is %d", i, r.ok);
		if (r.out.len != want.len ||
		    memcmp(r.out.data, want.data, want.len) != 0)
			fail_msg("case %zu: \"%s\"", i,
			         r.out.data +
			                 (r.out.len > 8 ? r.out.len - 8 : 0));
		buf_done(&r.out);

		buf_done(&in);
		buf_done(&want);
	}

	/* Cut short at the very end, a split sequence is one U+FFFD. */
	buf_init(&in, 0);
	while (in.len < WINDOW + 100)
		buf_puts(&in, "<a>x</a>");
	buf_init(&want, 0);
	buf_append(&want, in.data, in.len);
	buf_puts(&want, "\xEF\xBF\xBD");
	buf_puts(&in, "\xF0\x9F\x98");
	decode_all_ways(NULL, in.data, in.len, &r);
	assert_false(r.ok);
	assert_int_equal(r.out.len, want.len);
	assert_memory_equal(r.out.data, want.data, want.len);
	buf_done(&r.out);
	buf_done(&in);
	buf_done(&want);
}

/* A document of about `size` bytes: `unit` repeated after `head`. */
static void
repeat(struct buf *b, const char *head, const char *unit, size_t size)
{
	buf_init(b, 0);
	buf_puts(b, head);
	while (b->len < size)
		buf_puts(b, unit);
}

static void
test_bounded_window(void **state)
{
	struct charset_decoder *d;
	struct buf in, out, wide;
	size_t pushed = 0;

	(void)state;
	repeat(&in, DECL("utf-8"), "<i>caf\xC3\xA9</i>\n", 1024 * 1024);
	buf_init(&out, 0);
	d = charset_decoder_new("application/rss+xml");
	while (pushed < in.len) {
		size_t step = in.len - pushed < 1000 ? in.len - pushed : 1000;

		assert_int_equal(
		        charset_decoder_push(d, in.data + pushed, step, &out),
		        0);
		pushed += step;
		assert_true(pushed - out.len <= WINDOW);
		if (pushed >= WINDOW)
			assert_non_null(charset_decoder_encoding(d));
		else
			assert_null(charset_decoder_encoding(d));
	}
	assert_int_equal(charset_decoder_finish(d, &out), 0);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.data, in.data, in.len);
	assert_true(charset_decoder_ok(d));
	charset_decoder_free(d);

	/* Byte by byte, in UTF-16 (2 bytes in, 1 out; 2 of BOM). */
	buf_done(&in);
	repeat(&in, "", "<item>a b c</item>\n", 1024 * 1024);
	widen(in.data, 2, false, true, &wide);
	buf_reset(&out);
	d = charset_decoder_new(NULL);
	for (size_t i = 0; i < wide.len; i++) {
		assert_int_equal(
		        charset_decoder_push(d, wide.data + i, 1, &out), 0);
		assert_true(i + 1 <= WINDOW + 2 + 2 * out.len);
	}
	assert_int_equal(charset_decoder_finish(d, &out), 0);
	assert_string_equal(charset_decoder_encoding(d), "utf-16le");
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.data, in.data, in.len);
	charset_decoder_free(d);
	buf_done(&wide);
	buf_done(&out);
	buf_done(&in);
}

/* The only -1: the output's own ceiling. */
static void
test_output_ceiling(void **state)
{
	struct charset_decoder *d;
	struct buf out;
	char big[100];

	(void)state;
	memset(big, 'a', sizeof big);
	buf_init(&out, 50);
	d = charset_decoder_new(NULL);
	assert_int_equal(charset_decoder_push(d, big, sizeof big, &out), 0);
	assert_int_equal(charset_decoder_finish(d, &out), -1);
	charset_decoder_free(d);

	buf_reset(&out);
	d = charset_decoder_new("text/xml; charset=iso-8859-1");
	for (int i = 0; i < 1000; i++) {
		if (charset_decoder_push(d, big, sizeof big, &out) < 0)
			break;
		assert_true(i < 999);
	}
	assert_true(out.len <= 50);
	charset_decoder_free(d);
	buf_done(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_null_and_empty),
	        cmocka_unit_test(test_utf8),
	        cmocka_unit_test(test_legacy),
	        cmocka_unit_test(test_precedence),
	        cmocka_unit_test(test_wide),
	        cmocka_unit_test(test_wide_inline),
	        cmocka_unit_test(test_bad_labels_and_bytes),
	        cmocka_unit_test(test_invalid_utf8),
	        cmocka_unit_test(test_past_the_window),
	        cmocka_unit_test(test_bounded_window),
	        cmocka_unit_test(test_output_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
