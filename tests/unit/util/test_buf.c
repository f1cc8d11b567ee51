// SPDX-License-Identifier: MIT
/* Buffers with a ceiling, and the ASCII string helpers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "courant/err.h"
#include "courant/util.h"

static void
test_buf_empty(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, 0);
	assert_string_equal(buf_str(&b), "");
	s = buf_take(&b);
	assert_string_equal(s, "");
	free(s);
	buf_done(&b);
}

static void
test_buf_ceiling(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_int_equal(buf_putc(&b, 'x'), -1);
	assert_int_equal(b.len, 10);
	assert_int_equal(buf_append(&b, "y", SIZE_MAX), -1);
	assert_string_equal(buf_str(&b), "0123456789");
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "ok"), 0);
	assert_string_equal(buf_str(&b), "42-ok");
	buf_done(&b);
}

static void
test_buf_growth(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 100000);
	assert_int_equal(b.data[b.len], '\0');
	assert_int_equal(b.data[99999], 'a' + 99999 % 26);
	buf_done(&b);
}

static void
test_strings(void **state)
{
	char s[] = "  \t padded \n";
	char up[] = "MiXeD";

	(void)state;
	assert_false(str_eq(NULL, "a"));
	assert_false(str_ieq("a", NULL));
	assert_true(str_ieq("Content-Type", "content-type"));
	assert_false(str_ieq("abc", "abcd"));
	assert_true(str_istarts_with("HTTP://x", "http://"));
	assert_false(str_istarts_with("ht", "http"));
	assert_string_equal(str_trim(s), "padded");
	assert_string_equal(str_lower(up), "mixed");
}

static void
test_err(void **state)
{
	struct err err = { 0 };
	char big[600];

	(void)state;
	err_set(NULL, ERR_IO, "ignored %d", 1);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	err_set(&err, ERR_DB, "%s", big);
	assert_int_equal(err.code, ERR_DB);
	assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
	assert_string_equal(err_code_name(ERR_DB), "db");
	err_clear(&err);
	assert_int_equal(err.code, ERR_NONE);
	assert_string_equal(err.msg, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_empty),
		cmocka_unit_test(test_buf_ceiling),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
