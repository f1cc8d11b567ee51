// SPDX-License-Identifier: MIT
/*
 * Colours and attributes per screen element. The default theme reads well
 * in monochrome: it leans on bold, reverse and underline, and colours only
 * add to them. No curses here; ui.c turns a style into a colour pair.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/ui.h"
#include "courant/util.h"

#include "private.h"

static const char *const element_names[UI_EL_COUNT] = {
        [UI_EL_TITLE] = "title",         [UI_EL_STATUS] = "status",
        [UI_EL_MESSAGE] = "message",     [UI_EL_ERROR] = "error",
        [UI_EL_SELECTED] = "selected",   [UI_EL_UNREAD] = "unread",
        [UI_EL_STARRED] = "starred",     [UI_EL_DATE] = "date",
        [UI_EL_FEED] = "feed",           [UI_EL_HEADING] = "heading",
        [UI_EL_LINK] = "link",           [UI_EL_QUOTE] = "quote",
        [UI_EL_CODE] = "code",           [UI_EL_DIM] = "dim",
        [UI_EL_BOLD] = "bold",           [UI_EL_ITALIC] = "italic",
        [UI_EL_SEPARATOR] = "separator",
};

static const char *const colour_names[] = {
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

enum { BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE };

static const struct ui_style default_styles[UI_EL_COUNT] = {
        [UI_EL_TITLE] = {-1, -1, UI_A_BOLD},
        [UI_EL_STATUS] = {-1, -1, UI_A_REVERSE},
        [UI_EL_MESSAGE] = {-1, -1, 0},
        [UI_EL_ERROR] = {RED, -1, UI_A_BOLD},
        [UI_EL_SELECTED] = {-1, -1, UI_A_REVERSE},
        [UI_EL_UNREAD] = {-1, -1, UI_A_BOLD},
        [UI_EL_STARRED] = {YELLOW, -1, UI_A_BOLD},
        [UI_EL_DATE] = {CYAN, -1, 0},
        [UI_EL_FEED] = {GREEN, -1, 0},
        [UI_EL_HEADING] = {-1, -1, UI_A_BOLD | UI_A_UNDERLINE},
        [UI_EL_LINK] = {BLUE, -1, UI_A_UNDERLINE},
        [UI_EL_QUOTE] = {-1, -1, UI_A_DIM},
        [UI_EL_CODE] = {MAGENTA, -1, 0},
        [UI_EL_DIM] = {-1, -1, UI_A_DIM},
        [UI_EL_BOLD] = {-1, -1, UI_A_BOLD},
        [UI_EL_ITALIC] = {-1, -1, UI_A_UNDERLINE},
        [UI_EL_SEPARATOR] = {-1, -1, UI_A_DIM},
};

struct ui_theme *
ui_theme_new(void)
{
	struct ui_theme *th = xcalloc(1, sizeof *th);

	memcpy(th->el, default_styles, sizeof th->el);
	return th;
}

void
ui_theme_free(struct ui_theme *th)
{
	free(th);
}

int
ui_color_parse(const char *name, int *out, struct err *err)
{
	if (name == NULL || str_eq(name, "default")) {
		*out = -1;
		return 0;
	}
	for (int i = 0; i < 8; i++)
		if (str_ieq(name, colour_names[i])) {
			*out = i;
			return 0;
		}
	if (str_istarts_with(name, "color") && name[5] != '\0' &&
	    strlen(name) <= 8) {
		char *end;
		long v = strtol(name + 5, &end, 10);

		if (*end == '\0' && v >= 0 && v <= 255 && name[5] != '-' &&
		    name[5] != '+') {
			*out = (int)v;
			return 0;
		}
	}
	err_set(err, ERR_USAGE, "unknown colour '%.60s'", name);
	return -1;
}

int
ui_attrs_parse(const char *s, unsigned *out, struct err *err)
{
	static const struct {
		const char *name;
		unsigned bit;
	} words[] = {
	        {"normal", 0},
	        {"bold", UI_A_BOLD},
	        {"dim", UI_A_DIM},
	        {"underline", UI_A_UNDERLINE},
	        {"reverse", UI_A_REVERSE},
	        {"standout", UI_A_STANDOUT},
	        {"italic", UI_A_ITALIC},
	};
	unsigned bits = 0;
	const char *p = s ? s : "";

	while (*p != '\0') {
		size_t n;
		bool found = false;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, " ,");
		if (n == 0)
			break;
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
			if (strlen(words[i].name) == n &&
			    strncmp(words[i].name, p, n) == 0) {
				bits |= words[i].bit;
				found = true;
			}
		if (!found) {
			err_set(err, ERR_USAGE, "unknown attribute '%.*s'",
			        (int)(n > 40 ? 40 : n), p);
			return -1;
		}
		p += n;
	}
	*out = bits;
	return 0;
}

int
ui_color(struct ui_theme *th, const char *element, const char *fg,
         const char *bg, const char *attrs, struct err *err)
{
	struct ui_style st;

	for (int e = 0; e < UI_EL_COUNT; e++) {
		if (element == NULL || !str_eq(element, element_names[e]))
			continue;
		if (ui_color_parse(fg, &st.fg, err) < 0 ||
		    ui_color_parse(bg, &st.bg, err) < 0 ||
		    ui_attrs_parse(attrs, &st.attrs, err) < 0)
			return -1;
		th->el[e] = st;
		return 0;
	}
	err_set(err, ERR_USAGE, "unknown element '%.60s'",
	        element ? element : "");
	return -1;
}
