// SPDX-License-Identifier: MIT
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <wchar.h>
/* cmocka.h needs the headers above it. */
/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/render.h"

struct width_case {
	uint32_t cp;
	int width;
};

static const struct width_case cases[] = {
        {0x0000, 0},               /* NUL: a control, never drawn */
        {0x001B, 0},               /* ESC */
        {0x009B, 0},               /* CSI */
        {'a', 1},     {0x00E9, 1}, /* é */
        {0x0301, 0},               /* combining acute */
        {0x200B, 0},               /* zero-width space */
        {0x200D, 0},               /* zero-width joiner */
        {0xAC00, 2},               /* 가 */
        {0xD7A3, 2},               /* 힣 */
        {0x1161, 0},               /* Hangul medial vowel: joins the syllable */
        {0x3042, 2},               /* あ */
        {0x4E00, 2},               /* 一 */
        {0xFF21, 2},               /* fullwidth A */
        {0xFF61, 1},               /* halfwidth ideographic full stop */
        {0x1F600, 2},              /* emoji */
        {0x20000, 2},              /* CJK extension B */
        {0xFE0F, 0},               /* variation selector */
        {0x2502, 1},               /* box drawing: ambiguous, narrow here */
};

static void
test_table(void **state)
{
	(void)state;
	assert_int_equal(render_text_width(NULL, 0), 0);
	assert_int_equal(render_text_width("", 0), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (render_cp_width(cases[i].cp) != cases[i].width)
			fail_msg("U+%04X: got %d, want %d",
			         (unsigned)cases[i].cp,
			         render_cp_width(cases[i].cp), cases[i].width);
	}
}

static void
test_strings(void **state)
{
	(void)state;
	assert_int_equal(render_text_width("abc", 3), 3);
	assert_int_equal(render_text_width("\xed\x95\x9c\xea\xb8\x80", 6), 4);
	assert_int_equal(render_text_width("e\xcc\x81", 3), 1);
	/* An invalid byte counts as one U+FFFD. */
	assert_int_equal(render_text_width("\xff"
	                                   "a",
	                                   2),
	                 2);
}

/* Our table against the C library, code point by code point: wherever
 * wcwidth() knows the character, both must agree. */
static void
test_against_wcwidth(void **state)
{
	size_t checked = 0, differ = 0;

	(void)state;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		skip();
	for (uint32_t cp = 0xA0; cp <= 0x10FFFF; cp++) {
		int want = wcwidth((wchar_t)cp);

		if (want < 0)
			continue;
		checked++;
		if (render_cp_width(cp) != want) {
			if (differ++ < 10)
				print_message("U+%04X: %d, wcwidth %d\n",
				              (unsigned)cp, render_cp_width(cp),
				              want);
		}
	}
	assert_true(checked > 100000);
	assert_int_equal(differ, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_table),
	        cmocka_unit_test(test_strings),
	        cmocka_unit_test(test_against_wcwidth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
