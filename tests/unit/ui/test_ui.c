// SPDX-License-Identifier: MIT
/* The reader's pure parts: key names, bindings, clipping by display width,
 * layouts by terminal size, the command splitter, base64, the URL check. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/ui.h"
#include "courant/util.h"

#include "private.h"

struct key_case {
	const char *name;
	int ok;
	uint32_t key;
	const char *canonical; /* NULL: same as name */
};

static const struct key_case key_cases[] = {
        {"", 0, 0, NULL},
        {"j", 1, 'j', NULL},
        {"G", 1, 'G', NULL},
        {"/", 1, '/', NULL},
        {"\xed\x95\x9c", 1, 0xD55C, NULL}, /* 한 */
        {"Enter", 1, UI_KEY_ENTER, NULL},
        {"return", 1, UI_KEY_ENTER, "Enter"},
        {"C-l", 1, 0x0c, NULL},
        {"^L", 1, 0x0c, "C-l"},
        {"c-x", 1, 0x18, "C-x"},
        {"Space", 1, ' ', NULL},
        {"PgDn", 1, UI_KEY_PGDN, NULL},
        {"pagedown", 1, UI_KEY_PGDN, "PgDn"},
        {"F1", 1, UI_KEY_F1, NULL},
        {"F12", 1, UI_KEY_F1 + 11, NULL},
        {"F13", 0, 0, NULL},
        {"F0", 0, 0, NULL},
        {"jk", 0, 0, NULL},
        {"C-", 0, 0, NULL},
        {"C-@", 0, 0, NULL},
        {"\x1b", 0, 0, NULL},
        {"\xe2\x80\xae", 0, 0, NULL}, /* a bidi control is no key */
        {"\xff", 0, 0, NULL},
};

static void
test_key_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++) {
		const struct key_case *c = &key_cases[i];
		struct err err = {0};
		uint32_t key = 0;
		char name[32];
		int rc = ui_key_parse(c->name, &key, &err);

		if (!c->ok) {
			assert_int_equal(rc, -1);
			assert_int_equal(err.code, ERR_USAGE);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(key, c->key);
		ui_key_name(key, name, sizeof name);
		assert_string_equal(name,
		                    c->canonical ? c->canonical : c->name);
	}
	assert_int_equal(ui_key_parse(NULL, &(uint32_t){0}, NULL), -1);
}

static void
test_bind(void **state)
{
	struct ui_keymap *km = ui_keymap_new();
	struct err err = {0};
	char **help;
	bool found = false;

	(void)state;
	/* Defaults. */
	assert_int_equal(ui_keymap_lookup(km, UI_VIEW_FEEDS, 'j'), UI_ACT_DOWN);
	assert_int_equal(ui_keymap_lookup(km, UI_VIEW_READER, UI_KEY_PGDN),
	                 UI_ACT_PAGE_DOWN);
	assert_int_equal(ui_keymap_lookup(km, UI_VIEW_READER, 'z'),
	                 UI_ACT_NONE);
	/* A view's own binding wins over "all". */
	assert_int_equal(ui_bind(km, "j", "reader", "next-article", &err), 0);
	assert_int_equal(ui_keymap_lookup(km, UI_VIEW_READER, 'j'),
	                 UI_ACT_NEXT_ARTICLE);
	assert_int_equal(ui_keymap_lookup(km, UI_VIEW_FEEDS, 'j'), UI_ACT_DOWN);
	/* Rebinding replaces; none unbinds. */
	assert_int_equal(ui_bind(km, "j", "all", "up", &err), 0);
	assert_int_equal(ui_keymap_lookup(km, UI_VIEW_FEEDS, 'j'), UI_ACT_UP);
	assert_int_equal(ui_bind(km, "j", "all", "none", &err), 0);
	assert_int_equal(ui_keymap_lookup(km, UI_VIEW_FEEDS, 'j'), UI_ACT_NONE);
	/* Errors name what is wrong. */
	assert_int_equal(ui_bind(km, "jj", "all", "down", &err), -1);
	assert_non_null(strstr(err.msg, "key"));
	assert_int_equal(ui_bind(km, "x", "pager", "down", &err), -1);
	assert_non_null(strstr(err.msg, "view"));
	assert_int_equal(ui_bind(km, "x", "all", "explode", &err), -1);
	assert_non_null(strstr(err.msg, "action"));
	/* The help is generated from the table in force. */
	assert_int_equal(ui_bind(km, "F5", "all", "refresh-all", &err), 0);
	help = ui_keymap_help(km);
	for (size_t i = 0; help[i] != NULL; i++)
		if (strstr(help[i], "F5") && strstr(help[i], "refresh-all"))
			found = true;
	assert_true(found);
	ui_argv_free(help);
	ui_keymap_clear(km);
	assert_int_equal(ui_keymap_lookup(km, UI_VIEW_FEEDS, 'k'), UI_ACT_NONE);
	ui_keymap_free(km);
	ui_keymap_free(NULL);
	/* Every action name parses back, and has a help line. */
	{
		size_t n;
		const char *const *names = ui_action_names(&n);

		assert_int_equal(n, UI_ACT_COUNT);
		for (size_t i = 0; i < n; i++)
			assert_non_null(ui_action_help(names[i]));
		assert_null(ui_action_help("nope"));
	}
}

struct clip_case {
	const char *in;
	int width;
	bool ascii;
	const char *kept;
	bool ellipsis;
	int cols;
};

static const struct clip_case clip_cases[] = {
        {"", 10, false, "", false, 0},
        {"abc", 0, false, "", false, 0},
        {"abc", 3, false, "abc", false, 3},
        {"abcd", 3, false, "ab", true, 3},
        /* Hangul: two columns each; an odd width never splits one. */
        {"\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", 6, false,
         "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", false, 6},
        {"\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", 5, false,
         "\xed\x95\x9c\xea\xb5\xad", true, 5},
        {"\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", 4, false, "\xed\x95\x9c", true,
         3},
        {"\xed\x95\x9c", 1, false, "", true, 1},
        /* A combining mark stays with its base. */
        {"e\xcc\x81"
         "abc",
         2, false, "e\xcc\x81", true, 2},
        /* ASCII terminals count every character as one column. */
        {"\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", 2, true, "\xed\x95\x9c", true,
         2},
};

static void
test_clip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof clip_cases / sizeof clip_cases[0]; i++) {
		const struct clip_case *c = &clip_cases[i];
		bool ell = !c->ellipsis;
		int cols = -1;
		size_t k = ui_clip(c->in, strlen(c->in), c->width, c->ascii,
		                   &ell, &cols);

		assert_int_equal(k, strlen(c->kept));
		assert_memory_equal(c->in, c->kept, k);
		assert_int_equal(ell, c->ellipsis);
		assert_int_equal(cols, c->cols);
		assert_true(cols <= c->width || c->width <= 0);
	}
}

struct layout_case {
	int cols, rows;
	enum ui_layout pref;
	enum ui_split split;
};

static const struct layout_case layout_cases[] = {
        {0, 0, UI_LAYOUT_AUTO, UI_SPLIT_NONE},
        {1, 1, UI_LAYOUT_AUTO, UI_SPLIT_NONE},
        {40, 10, UI_LAYOUT_AUTO, UI_SPLIT_NONE},
        {80, 24, UI_LAYOUT_AUTO, UI_SPLIT_NONE},
        {120, 40, UI_LAYOUT_AUTO, UI_SPLIT_NONE},
        {160, 40, UI_LAYOUT_AUTO, UI_SPLIT_SIDE},
        {100, 60, UI_LAYOUT_AUTO, UI_SPLIT_STACKED},
        {160, 40, UI_LAYOUT_SINGLE, UI_SPLIT_NONE},
        {80, 24, UI_LAYOUT_SIDE, UI_SPLIT_SIDE},
        {80, 24, UI_LAYOUT_STACKED, UI_SPLIT_STACKED},
        {40, 10, UI_LAYOUT_SIDE, UI_SPLIT_NONE},
};

static void
test_layout(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof layout_cases / sizeof layout_cases[0];
	     i++) {
		const struct layout_case *c = &layout_cases[i];
		struct ui_geometry g;

		ui_layout_compute(c->cols, c->rows, c->pref, &g);
		assert_int_equal(g.split, c->split);
		assert_true(g.list.h >= 0 && g.list.w >= 0);
		assert_true(g.reader.h >= 0 && g.reader.w >= 0);
		assert_true(g.list.y + g.list.h <= c->rows);
		assert_true(g.list.x + g.list.w <= c->cols);
		if (g.split == UI_SPLIT_SIDE) {
			assert_true(g.reader.x > g.list.x + g.list.w - 1);
			assert_true(g.reader.x + g.reader.w <= c->cols);
		}
		if (g.split == UI_SPLIT_STACKED)
			assert_true(g.reader.y + g.reader.h <= g.status_y);
		if (c->rows >= 3) {
			assert_int_equal(g.status_y, c->rows - 2);
			assert_int_equal(g.message_y, c->rows - 1);
		}
	}
}

struct split_case {
	const char *in;
	const char *want[4]; /* NULL-terminated; {NULL}: an error */
};

static const struct split_case split_cases[] = {
        {"", {NULL}},
        {"   ", {NULL}},
        {"w3m", {"w3m", NULL}},
        {"  firefox  --new-tab ", {"firefox", "--new-tab", NULL}},
        {"'my browser' -x", {"my browser", "-x", NULL}},
        {"a\\ b \"c d\"", {"a b", "c d", NULL}},
        {"lynx; rm -rf /", {"lynx;", "rm", "-rf", NULL}},
        {"'unterminated", {NULL}},
};

static void
test_split_command(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof split_cases / sizeof split_cases[0];
	     i++) {
		const struct split_case *c = &split_cases[i];
		struct err err = {0};
		char **argv = ui_split_command(c->in, &err);
		size_t n = 0;

		if (c->want[0] == NULL) {
			assert_null(argv);
			assert_int_equal(err.code, ERR_USAGE);
			continue;
		}
		assert_non_null(argv);
		for (; c->want[n] != NULL && n < 3; n++)
			assert_string_equal(argv[n], c->want[n]);
		if (n < 3)
			assert_null(argv[n]);
		ui_argv_free(argv);
	}
}

static void
test_base64_and_urls(void **state)
{
	static const char *const b64[][2] = {
	        {"", ""},
	        {"f", "Zg=="},
	        {"fo", "Zm8="},
	        {"foo", "Zm9v"},
	        {"foob", "Zm9vYg=="},
	        {"fooba", "Zm9vYmE="},
	        {"foobar", "Zm9vYmFy"},
	};
	static const struct {
		const char *url;
		bool ok;
	} urls[] = {
	        {"", false},
	        {"https://example.org/a?b=c#d", true},
	        {"HTTP://example.org", true},
	        {"javascript:alert(1)", false},
	        {"file:///etc/passwd", false},
	        {"-https://example.org", false},
	        {"https://", false},
	        {"https:///path", false},
	        {"https://exa mple.org", false},
	        {"https://example.org/\x1b]52;c;x\x07", false},
	        {"data:text/html,hi", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof b64 / sizeof b64[0]; i++) {
		char *s = ui_base64(b64[i][0], strlen(b64[i][0]));

		assert_string_equal(s, b64[i][1]);
		free(s);
	}
	assert_false(ui_url_ok(NULL));
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
		assert_int_equal(ui_url_ok(urls[i].url), urls[i].ok);
}

static void
test_theme(void **state)
{
	struct ui_theme *th = ui_theme_new();
	struct err err = {0};
	int c;
	unsigned a;

	(void)state;
	assert_int_equal(ui_color_parse(NULL, &c, &err), 0);
	assert_int_equal(c, -1);
	assert_int_equal(ui_color_parse("red", &c, &err), 0);
	assert_int_equal(c, 1);
	assert_int_equal(ui_color_parse("color255", &c, &err), 0);
	assert_int_equal(c, 255);
	assert_int_equal(ui_color_parse("color256", &c, &err), -1);
	assert_int_equal(ui_color_parse("color-1", &c, &err), -1);
	assert_int_equal(ui_color_parse("mauve", &c, &err), -1);
	assert_int_equal(ui_attrs_parse("", &a, &err), 0);
	assert_int_equal(a, 0);
	assert_int_equal(ui_attrs_parse("bold,underline reverse", &a, &err), 0);
	assert_int_equal(a, UI_A_BOLD | UI_A_UNDERLINE | UI_A_REVERSE);
	assert_int_equal(ui_attrs_parse("bold blink", &a, &err), -1);
	assert_int_equal(
	        ui_color(th, "unread", "green", "default", "bold", &err), 0);
	assert_int_equal(th->el[UI_EL_UNREAD].fg, 2);
	assert_int_equal(ui_color(th, "nothing", "red", NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "element"));
	ui_theme_free(th);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_key_names),
	        cmocka_unit_test(test_bind),
	        cmocka_unit_test(test_clip),
	        cmocka_unit_test(test_layout),
	        cmocka_unit_test(test_split_command),
	        cmocka_unit_test(test_base64_and_urls),
	        cmocka_unit_test(test_theme),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
