// SPDX-License-Identifier: MIT
/* The sanitizer and UTF-8 helpers: every output path depends on them. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "courant/text.h"
#include "courant/util.h"

struct sanitize_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	unsigned flags;
	const char *want;
};

static const struct sanitize_case cases[] = {
	{ "", 0, 0, "" },
	{ "plain text", 0, 0, "plain text" },
	/* C0 controls vanish; the escape that starts every attack first. */
	{ "a\x1b]0;pwned\x07z", 0, 0, "a]0;pwnedz" },
	{ "\x1b[2J\x1b[31mred", 0, 0, "[2J[31mred" },
	{ "bell\x07", 0, 0, "bell" },
	{ "back\bspace", 0, 0, "backspace" },
	{ "del\x7f", 0, 0, "del" },
	/* Line breaks and tabs: spaces on one line, kept in blocks. */
	{ "a\nb\tc", 0, 0, "a b c" },
	{ "a\r\nb\rc", 0, 0, "a b c" },
	{ "a\r\nb\rc\td", 0, TEXT_MULTILINE, "a\nb\nc\td" },
	/* C1 controls, as UTF-8: U+009B is the one-byte CSI. */
	{ "x\xc2\x9b" "31my", 0, 0, "x31my" },
	{ "x\xc2\x85y", 0, 0, "xy" },
	/* Raw 8-bit C1 (invalid UTF-8) becomes U+FFFD, never a raw byte. */
	{ "x\x9by", 0, 0, "x\xef\xbf\xbdy" },
	/* Bidi controls: LRE, RLO, PDF, LRI, PDI, RLM, ALM. */
	{ "a\xe2\x80\xaa" "b\xe2\x80\xae" "c\xe2\x80\xac", 0, 0, "abc" },
	{ "a\xe2\x81\xa6" "b\xe2\x81\xa9" "c\xe2\x80\x8f" "d\xd8\x9c", 0, 0, "abcd" },
	/* Invalid UTF-8: overlong, surrogate, past U+10FFFF, truncated. */
	{ "\xc0\xaf", 0, 0, "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xed\xa0\x80", 0, 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xf4\x90\x80\x80", 0, 0,
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "ab\xe2\x82", 0, 0, "ab\xef\xbf\xbd\xef\xbf\xbd" },
	/* An embedded NUL is a control like the others. */
	{ "a\0b", 3, 0, "ab" },
	/* Valid text passes untouched: Hangul, CJK, emoji, accents. */
	{ "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x93\xb0 caf\xc3\xa9",
	  0, 0,
	  "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x93\xb0 caf\xc3\xa9" },
	/* For terminals: zero-width space and BOM go, marks are capped. */
	{ "a\xe2\x80\x8b" "b\xef\xbb\xbf" "c", 0, TEXT_FOR_TERMINAL, "abc" },
	{ "a\xe2\x80\x8b" "b", 0, 0, "a\xe2\x80\x8b" "b" },
	{ "e\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81!", 0, TEXT_FOR_TERMINAL,
	  "e\xcc\x81\xcc\x81\xcc\x81\xcc\x81!" },
};

static void
test_sanitize_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct sanitize_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		char *got = text_sanitize(c->in, len, c->flags, 0);

		if (strcmp(got, c->want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, c->want);
		free(got);
	}
}

/* The fuzzing invariants, over every byte pair and a few long strings. */
static void
check_invariants(const char *in, size_t n, unsigned flags)
{
	char *once = text_sanitize(in, n, flags, 0);
	char *twice = text_sanitize(once, strlen(once), flags, 0);

	assert_true(utf8_is_valid(once, strlen(once)));
	for (const unsigned char *p = (const unsigned char *)once; *p; p++) {
		if (*p == '\n' || *p == '\t')
			assert_true(flags & TEXT_MULTILINE);
		else
			assert_true(*p >= 0x20 && *p != 0x7f);
	}
	for (size_t i = 0; once[i];) {
		uint32_t cp;

		i += utf8_decode(once + i, strlen(once + i), &cp);
		if (cp != '\n' && cp != '\t')
			assert_false(text_is_forbidden(cp));
	}
	assert_string_equal(once, twice);
	free(once);
	free(twice);
}

static void
test_sanitize_invariants(void **state)
{
	char in[3];

	(void)state;
	for (int a = 0; a < 256; a++) {
		for (int b = 0; b < 256; b += 7) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = (char)0xbf;
			check_invariants(in, 3, 0);
			check_invariants(in, 3, TEXT_MULTILINE | TEXT_FOR_TERMINAL);
		}
	}
}

static void
test_sanitize_cap(void **state)
{
	/* Three-byte characters and a cap of 7: two fit, never half of one. */
	const char *s = "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2";
	char *got = text_sanitize(s, strlen(s), 0, 7);

	(void)state;
	assert_string_equal(got, "\xe6\xbc\xa2\xe5\xad\x97");
	free(got);
	got = text_sanitize(s, strlen(s), 0, 2);
	assert_string_equal(got, "");
	free(got);
}

static void
test_utf8_roundtrip(void **state)
{
	static const uint32_t cps[] = { 0, 0x41, 0x7f, 0x80, 0x7ff, 0x800,
		                        0xd7ff, 0xe000, 0xfffd, 0xffff,
		                        0x10000, 0x10ffff };

	(void)state;
	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		char enc[4];
		uint32_t back;
		size_t n = utf8_encode(cps[i], enc);

		assert_int_equal(utf8_decode(enc, n, &back), n);
		assert_int_equal(back, cps[i]);
		assert_true(utf8_is_valid(enc, n));
	}
	assert_false(utf8_is_valid("\xff", 1));
	assert_true(utf8_is_valid("", 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_sanitize_invariants),
		cmocka_unit_test(test_sanitize_cap),
		cmocka_unit_test(test_utf8_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
