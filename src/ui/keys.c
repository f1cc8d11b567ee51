// SPDX-License-Identifier: MIT
/*
 * Key names, actions and the keymap: one table of (key, view, action). The
 * defaults, the config's `bind` lines and the `?` help all go through it,
 * so the help always shows the bindings in force. No curses here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courant/text.h"
#include "courant/ui.h"
#include "courant/util.h"

#include "private.h"

struct action_info {
	const char *name;
	const char *help;
};

/* Indexed by enum ui_action. */
static const struct action_info actions[UI_ACT_COUNT] = {
        [UI_ACT_NONE] = {"none", "unbind the key"},
        [UI_ACT_DOWN] = {"down", "move down one line"},
        [UI_ACT_UP] = {"up", "move up one line"},
        [UI_ACT_PAGE_DOWN] = {"page-down", "move down one page"},
        [UI_ACT_PAGE_UP] = {"page-up", "move up one page"},
        [UI_ACT_TOP] = {"top", "go to the first line"},
        [UI_ACT_BOTTOM] = {"bottom", "go to the last line"},
        [UI_ACT_OPEN] = {"open", "open the selected feed or article"},
        [UI_ACT_BACK] = {"back", "go back (quit from the feed list)"},
        [UI_ACT_QUIT] = {"quit", "quit courant"},
        [UI_ACT_NEXT_PANE] = {"next-pane", "switch panes in a split layout"},
        [UI_ACT_NEXT_UNREAD] = {"next-unread", "next unread article"},
        [UI_ACT_PREV_UNREAD] = {"prev-unread", "previous unread article"},
        [UI_ACT_NEXT_ARTICLE] = {"next-article", "next article"},
        [UI_ACT_PREV_ARTICLE] = {"prev-article", "previous article"},
        [UI_ACT_TOGGLE_READ] = {"toggle-read", "toggle read"},
        [UI_ACT_TOGGLE_STARRED] = {"toggle-starred", "toggle starred"},
        [UI_ACT_MARK_ALL_READ] = {"mark-all-read",
                                  "mark the feed or view read"},
        [UI_ACT_UNDO] = {"undo", "undo the last mark-all-read"},
        [UI_ACT_REFRESH] = {"refresh", "refresh the selected feed"},
        [UI_ACT_REFRESH_ALL] = {"refresh-all", "refresh every feed"},
        [UI_ACT_RELOAD] = {"reload", "re-read the urls file (and :reload)"},
        [UI_ACT_OPEN_LINK] = {"open-link",
                              "open the link (N o: link N) in the browser"},
        [UI_ACT_COPY_LINK] = {"copy-link", "copy the link (N y: link N)"},
        [UI_ACT_SHOW_URL] = {"show-url", "show the link in full"},
        [UI_ACT_LINK_NUMBER] = {"link-number", "open link number ..."},
        [UI_ACT_SEARCH] = {"search", "full-text search"},
        [UI_ACT_TOGGLE_UNREAD_ONLY] = {"toggle-unread-only",
                                       "show unread articles only, or all"},
        [UI_ACT_PICK_TAG] = {"pick-tag", "show the articles of a tag"},
        [UI_ACT_REDRAW] = {"redraw", "redraw the screen, re-read counts"},
        [UI_ACT_COMMAND] = {"command", "command line (:refresh, :add URL, "
                                       ":reload, :set, :quit)"},
        [UI_ACT_HELP] = {"help", "this help"},
        [UI_ACT_TOGGLE_LAYOUT] = {"toggle-layout",
                                  "switch layout: auto, single, side, "
                                  "stacked"},
};

static const char *const view_names[UI_VIEW_COUNT] = {
        [UI_VIEW_ALL] = "all",           [UI_VIEW_FEEDS] = "feeds",
        [UI_VIEW_ARTICLES] = "articles", [UI_VIEW_READER] = "reader",
        [UI_VIEW_HELP] = "help",
};

struct key_default {
	const char *key;
	enum ui_view view;
	enum ui_action action;
};

/* One binding a line reads best as a table. */
/* clang-format off */
static const struct key_default defaults[] = {
	{ "j", UI_VIEW_ALL, UI_ACT_DOWN },
	{ "Down", UI_VIEW_ALL, UI_ACT_DOWN },
	{ "k", UI_VIEW_ALL, UI_ACT_UP },
	{ "Up", UI_VIEW_ALL, UI_ACT_UP },
	{ "PgDn", UI_VIEW_ALL, UI_ACT_PAGE_DOWN },
	{ "Space", UI_VIEW_ALL, UI_ACT_PAGE_DOWN },
	{ "PgUp", UI_VIEW_ALL, UI_ACT_PAGE_UP },
	{ "g", UI_VIEW_ALL, UI_ACT_TOP },
	{ "Home", UI_VIEW_ALL, UI_ACT_TOP },
	{ "G", UI_VIEW_ALL, UI_ACT_BOTTOM },
	{ "End", UI_VIEW_ALL, UI_ACT_BOTTOM },
	{ "Enter", UI_VIEW_ALL, UI_ACT_OPEN },
	{ "l", UI_VIEW_ALL, UI_ACT_OPEN },
	{ "Right", UI_VIEW_ALL, UI_ACT_OPEN },
	{ "q", UI_VIEW_ALL, UI_ACT_BACK },
	{ "h", UI_VIEW_ALL, UI_ACT_BACK },
	{ "Esc", UI_VIEW_ALL, UI_ACT_BACK },
	{ "Left", UI_VIEW_ALL, UI_ACT_BACK },
	{ "Q", UI_VIEW_ALL, UI_ACT_QUIT },
	{ "Tab", UI_VIEW_ALL, UI_ACT_NEXT_PANE },
	{ "n", UI_VIEW_ALL, UI_ACT_NEXT_UNREAD },
	{ "N", UI_VIEW_ALL, UI_ACT_PREV_UNREAD },
	{ "J", UI_VIEW_ALL, UI_ACT_NEXT_ARTICLE },
	{ "K", UI_VIEW_ALL, UI_ACT_PREV_ARTICLE },
	{ "m", UI_VIEW_ALL, UI_ACT_TOGGLE_READ },
	{ "s", UI_VIEW_ALL, UI_ACT_TOGGLE_STARRED },
	{ "A", UI_VIEW_ALL, UI_ACT_MARK_ALL_READ },
	{ "u", UI_VIEW_ALL, UI_ACT_UNDO },
	{ "r", UI_VIEW_ALL, UI_ACT_REFRESH },
	{ "R", UI_VIEW_ALL, UI_ACT_REFRESH_ALL },
	{ "C-r", UI_VIEW_ALL, UI_ACT_RELOAD },
	{ "o", UI_VIEW_ALL, UI_ACT_OPEN_LINK },
	{ "y", UI_VIEW_ALL, UI_ACT_COPY_LINK },
	{ "Y", UI_VIEW_ALL, UI_ACT_SHOW_URL },
	{ "#", UI_VIEW_ALL, UI_ACT_LINK_NUMBER },
	{ "/", UI_VIEW_ALL, UI_ACT_SEARCH },
	{ "f", UI_VIEW_ALL, UI_ACT_TOGGLE_UNREAD_ONLY },
	{ "t", UI_VIEW_ALL, UI_ACT_PICK_TAG },
	{ "C-l", UI_VIEW_ALL, UI_ACT_REDRAW },
	{ ":", UI_VIEW_ALL, UI_ACT_COMMAND },
	{ "?", UI_VIEW_ALL, UI_ACT_HELP },
	{ "v", UI_VIEW_ALL, UI_ACT_TOGGLE_LAYOUT },
	{ "q", UI_VIEW_HELP, UI_ACT_BACK },
};
/* clang-format on */

struct key_word {
	const char *name;
	uint32_t key;
};

static const struct key_word key_words[] = {
        {"Enter", UI_KEY_ENTER},
        {"Return", UI_KEY_ENTER},
        {"Esc", UI_KEY_ESC},
        {"Escape", UI_KEY_ESC},
        {"Tab", UI_KEY_TAB},
        {"Space", UI_KEY_SPACE},
        {"Up", UI_KEY_UP},
        {"Down", UI_KEY_DOWN},
        {"Left", UI_KEY_LEFT},
        {"Right", UI_KEY_RIGHT},
        {"PgUp", UI_KEY_PGUP},
        {"PageUp", UI_KEY_PGUP},
        {"PgDn", UI_KEY_PGDN},
        {"PageDown", UI_KEY_PGDN},
        {"Home", UI_KEY_HOME},
        {"End", UI_KEY_END},
        {"Insert", UI_KEY_INSERT},
        {"Delete", UI_KEY_DELETE},
        {"Backspace", UI_KEY_BACKSPACE},
};

int
ui_key_parse(const char *name, uint32_t *key, struct err *err)
{
	size_t n;
	uint32_t cp;

	if (name == NULL || *name == '\0') {
		err_set(err, ERR_USAGE, "empty key name");
		return -1;
	}
	n = strlen(name);
	for (size_t i = 0; i < sizeof key_words / sizeof key_words[0]; i++)
		if (str_ieq(name, key_words[i].name)) {
			*key = key_words[i].key;
			return 0;
		}
	/* Control keys: C-x, ^X. C-? is not a thing; C-Space would be NUL. */
	if ((n == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-') ||
	    (n == 2 && name[0] == '^')) {
		char c = name[n - 1];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c >= '@' && c <= '_' && c != '@') {
			*key = (uint32_t)(c - '@');
			return 0;
		}
	}
	if ((name[0] == 'F' || name[0] == 'f') && n >= 2 && n <= 3 &&
	    name[1] >= '1' && name[1] <= '9') {
		int f = atoi(name + 1);

		if (f >= 1 && f <= 12 &&
		    (n == 2 || (name[2] >= '0' && name[2] <= '9'))) {
			*key = (uint32_t)(UI_KEY_F1 + f - 1);
			return 0;
		}
	}
	/* One printable character, in UTF-8. */
	if (utf8_decode(name, n, &cp) == n && cp != UTF8_REPLACEMENT &&
	    cp > ' ' && !text_is_forbidden(cp)) {
		*key = cp;
		return 0;
	}
	err_set(err, ERR_USAGE, "unknown key '%.60s'", name);
	return -1;
}

void
ui_key_name(uint32_t key, char *out, size_t size)
{
	char u[5] = {0};

	if (size == 0)
		return;
	for (size_t i = 0; i < sizeof key_words / sizeof key_words[0]; i++)
		if (key_words[i].key == key) {
			/* The first spelling of each key is the canonical
			 * one, and the table lists it first. */
			snprintf(out, size, "%s", key_words[i].name);
			return;
		}
	if (key >= UI_KEY_F1 && key < UI_KEY_F1 + 12) {
		snprintf(out, size, "F%u", key - UI_KEY_F1 + 1);
		return;
	}
	if (key < 0x20) {
		snprintf(out, size, "C-%c", (char)(key + 'a' - 1));
		return;
	}
	if (key < UI_KEY_BASE && !text_is_forbidden(key)) {
		utf8_encode(key, u);
		snprintf(out, size, "%s", u);
		return;
	}
	snprintf(out, size, "?");
}

int
ui_view_parse(const char *name, enum ui_view *out, struct err *err)
{
	for (int v = 0; v < UI_VIEW_COUNT; v++)
		if (name != NULL && str_eq(name, view_names[v])) {
			*out = (enum ui_view)v;
			return 0;
		}
	err_set(err, ERR_USAGE,
	        "unknown view '%.60s' (all, feeds, articles, reader, help)",
	        name ? name : "");
	return -1;
}

const char *
ui_view_name(enum ui_view v)
{
	return v < UI_VIEW_COUNT ? view_names[v] : "?";
}

const char *
ui_action_name(enum ui_action a)
{
	return a < UI_ACT_COUNT ? actions[a].name : "?";
}

int
ui_action_parse(const char *name, enum ui_action *out, struct err *err)
{
	for (int a = 0; a < UI_ACT_COUNT; a++)
		if (name != NULL && str_eq(name, actions[a].name)) {
			*out = (enum ui_action)a;
			return 0;
		}
	err_set(err, ERR_USAGE, "unknown action '%.60s'", name ? name : "");
	return -1;
}

const char *const *
ui_action_names(size_t *n)
{
	static const char *names[UI_ACT_COUNT];

	for (int a = 0; a < UI_ACT_COUNT; a++)
		names[a] = actions[a].name;
	if (n != NULL)
		*n = UI_ACT_COUNT;
	return names;
}

const char *
ui_action_help(const char *action)
{
	enum ui_action a;

	if (ui_action_parse(action, &a, NULL) < 0)
		return NULL;
	return actions[a].help;
}

static void
set_binding(struct ui_keymap *km, uint32_t key, enum ui_view v,
            enum ui_action a)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->b[i].key == key && km->b[i].view == v) {
			if (a == UI_ACT_NONE) {
				memmove(&km->b[i], &km->b[i + 1],
				        (km->n - i - 1) * sizeof km->b[0]);
				km->n--;
			} else {
				km->b[i].action = a;
			}
			return;
		}
	if (a == UI_ACT_NONE)
		return;
	km->b = xreallocarray(km->b, km->n + 1, sizeof km->b[0]);
	km->b[km->n].key = key;
	km->b[km->n].view = v;
	km->b[km->n].action = a;
	km->n++;
}

struct ui_keymap *
ui_keymap_new(void)
{
	struct ui_keymap *km = xcalloc(1, sizeof *km);

	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
		uint32_t key;

		if (ui_key_parse(defaults[i].key, &key, NULL) == 0)
			set_binding(km, key, defaults[i].view,
			            defaults[i].action);
	}
	return km;
}

void
ui_keymap_free(struct ui_keymap *km)
{
	if (km == NULL)
		return;
	free(km->b);
	free(km);
}

void
ui_keymap_clear(struct ui_keymap *km)
{
	km->n = 0;
}

int
ui_bind(struct ui_keymap *km, const char *key, const char *view,
        const char *action, struct err *err)
{
	uint32_t k;
	enum ui_view v;
	enum ui_action a;

	if (ui_key_parse(key, &k, err) < 0 ||
	    ui_view_parse(view, &v, err) < 0 ||
	    ui_action_parse(action, &a, err) < 0)
		return -1;
	set_binding(km, k, v, a);
	return 0;
}

enum ui_action
ui_keymap_lookup(const struct ui_keymap *km, enum ui_view v, uint32_t key)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->b[i].key == key && km->b[i].view == v)
			return km->b[i].action;
	for (size_t i = 0; i < km->n; i++)
		if (km->b[i].key == key && km->b[i].view == UI_VIEW_ALL)
			return km->b[i].action;
	return UI_ACT_NONE;
}

char **
ui_keymap_help(const struct ui_keymap *km)
{
	char **lines = NULL;
	size_t n = 0;

	for (int v = 0; v < UI_VIEW_COUNT; v++) {
		bool heading = false;

		for (int a = 1; a < UI_ACT_COUNT; a++) {
			struct buf keys;
			char name[32];

			buf_init(&keys, 0);
			for (size_t i = 0; i < km->n; i++) {
				if (km->b[i].view != (enum ui_view)v ||
				    km->b[i].action != (enum ui_action)a)
					continue;
				ui_key_name(km->b[i].key, name, sizeof name);
				if (keys.len > 0)
					buf_puts(&keys, " ");
				buf_puts(&keys, name);
			}
			if (keys.len == 0) {
				buf_done(&keys);
				continue;
			}
			lines = xreallocarray(lines, n + 3, sizeof *lines);
			if (!heading) {
				lines[n++] =
				        v == UI_VIEW_ALL
				                ? xstrdup("Keys in every view:")
				                : xasprintf("Keys in the %s "
				                            "view:",
				                            view_names[v]);
				heading = true;
			}
			lines[n++] =
			        xasprintf("  %-16s %-18s %s", buf_str(&keys),
			                  actions[a].name, actions[a].help);
			buf_done(&keys);
		}
	}
	lines = xreallocarray(lines, n + 1, sizeof *lines);
	lines[n] = NULL;
	return lines;
}
