/* SPDX-License-Identifier: MIT */
/*
 * ui: the interactive reader. It owns the terminal (ncursesw, the only
 * curses user), the views (feed list, article list, reader, help), the key
 * bindings, the colours and the one event loop: curl_multi_poll() through
 * poller_wait() with stdin and a signal self-pipe as extra descriptors. It
 * asks the store for pages of rows, the renderer for article lines and the
 * poller for refreshes; it never speaks SQL or HTTP. Everything it draws
 * passes the terminal sanitizer. External programs (the browser, tmux for
 * the clipboard) are started with posix_spawnp and an argv array, never a
 * shell.
 *
 * Configuration comes in three parts the config file can fill: a keymap
 * (ui_bind), a theme (ui_color) and struct ui_options. Each setter checks
 * its arguments and says what is wrong in err (ERR_USAGE), so that the
 * caller can prefix the file name and line.
 */
#ifndef COURANT_UI_H
#define COURANT_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "courant/err.h"

struct store;
struct poller;
struct poll_report;

/* ---- key bindings ----------------------------------------------------- */

/*
 * A keymap: a table of (key, view, action). Views are "feeds", "articles",
 * "reader", "help" and "all" (any view, looked up after the view's own
 * bindings). Key names: a single character ("j", "G", "/", "한"), "C-x"
 * or "^X" for control keys, and Enter, Esc, Tab, Space, Backspace, Up,
 * Down, Left, Right, PgUp, PgDn, Home, End, Insert, Delete, F1..F12.
 */
struct ui_keymap;

/* A keymap holding the default bindings; free with ui_keymap_free(). */
struct ui_keymap *ui_keymap_new(void);
void ui_keymap_free(struct ui_keymap *km);
/* Binds key in view to action, replacing that key's binding in that view;
 * action "none" unbinds it. -1 and ERR_USAGE for an unknown key name,
 * view or action. */
int ui_bind(struct ui_keymap *km, const char *key, const char *view,
            const char *action, struct err *err);
/* Removes every binding (before a config that defines all of its own). */
void ui_keymap_clear(struct ui_keymap *km);
/* The action names, in help order, and a one-line description of one
 * (NULL for an unknown name). */
const char *const *ui_action_names(size_t *n);
const char *ui_action_help(const char *action);

/* ---- colours ---------------------------------------------------------- */

/*
 * A theme: a colour pair and attributes per screen element. Elements:
 * "title", "status", "message", "error", "selected", "unread", "starred",
 * "date", "feed", "heading", "link", "quote", "code", "dim", "bold",
 * "italic", "separator". Colours: default, black, red, green, yellow,
 * blue, magenta, cyan, white, or colorN (0-255; shown as default when the
 * terminal has fewer). attrs: words among normal, bold, dim, underline,
 * reverse, standout, italic, separated by spaces or commas (NULL: normal).
 * NO_COLOR in the environment keeps the attributes and drops the colours.
 */
struct ui_theme;

struct ui_theme *ui_theme_new(void);
void ui_theme_free(struct ui_theme *th);
int ui_color(struct ui_theme *th, const char *element, const char *fg,
             const char *bg, const char *attrs, struct err *err);

/* ---- settings --------------------------------------------------------- */

enum ui_layout {
	UI_LAYOUT_AUTO,    /* split when the terminal is large enough */
	UI_LAYOUT_SINGLE,  /* one screen at a time */
	UI_LAYOUT_SIDE,    /* list left, reader right */
	UI_LAYOUT_STACKED, /* list above, reader below */
};

enum ui_start_view {
	UI_START_FEEDS,    /* the feed list */
	UI_START_ARTICLES, /* every article */
	UI_START_UNREAD,   /* the unread articles */
};

/* What the user's files say about one feed (see ui_options.feed_conf). */
struct ui_feed_conf {
	bool is_hidden; /* kept out of the feed list, its articles not */
	char **browser; /* this feed's browser argv, borrowed; NULL: global */
};

struct ui_options {
	/* The browser as an argv (the URL is appended as one more element),
	 * borrowed; NULL: $BROWSER split with ui_split_command(), and with
	 * no browser at all `o` copies the link instead. */
	char **browser;
	enum ui_layout layout;
	bool show_read;        /* false: lists start "unread only" */
	bool confirm_quit;     /* ask before quitting */
	bool mouse;            /* click to select, wheel to scroll */
	bool osc52;            /* `y` may write OSC 52 to the terminal */
	bool refresh_on_start; /* queue every feed when starting */
	long refresh_interval; /* seconds between automatic refreshes, 0 off */
	enum ui_start_view start_view;
	bool show_read_feeds; /* false: the feed list omits feeds with
	                         nothing unread (the selected one stays) */
	/* strftime(3) format of the dates in article lists and the reader,
	 * borrowed; NULL: "%Y-%m-%d". Narrow lists show "%m-%d". */
	const char *date_format;
	/*
	 * The caller's view of the user's files, so that the ui needs no
	 * config module. feed_conf (may be NULL) is asked about each feed
	 * by URL when the feed list is read and when a link is opened:
	 * hidden feeds (Newsboat's "!") are left out of the feed list while
	 * their articles still show in "All unread", "Starred", tags and
	 * searches. reload (may be NULL: the `reload` action says it is not
	 * available) re-reads the urls file and syncs the store's feed list
	 * with it; -1 and err. Both get files_arg.
	 */
	void (*feed_conf)(void *arg, const char *url, struct ui_feed_conf *out);
	int (*reload)(void *arg, struct err *err);
	/* remember_layout (may be NULL) keeps the layout the user picked
	 * with a key or `:set layout`, for the next start. */
	void (*remember_layout)(void *arg, enum ui_layout layout);
	void *files_arg;
	/* Where the demo feeds live (NULL: $COURANT_DEMO_DIR, else the
	 * package data directory): subscribed on a first run with no feed. */
	const char *demo_dir;
	/* `courant --db DB -c CONFIG sync --progress` as an argv (argv[0] a
	 * path), borrowed; NULL: no sync server. A refresh of every feed
	 * (and the periodic one) runs it in the background, a child process
	 * whose output lines become the status message. */
	char **sync_argv;
	struct ui_keymap *keys; /* borrowed; NULL: the defaults */
	struct ui_theme *theme; /* borrowed; NULL: the defaults */
};

/* Defaults: auto layout, read items and feeds shown, no confirmation, no
 * mouse, OSC 52 on, no refresh on start, no interval, the feed list first,
 * no files. */
void ui_options_default(struct ui_options *o);
/* Parses a layout name (auto, single, side, stacked); -1 and ERR_USAGE. */
int ui_layout_parse(const char *name, enum ui_layout *out, struct err *err);
/* The name of a layout, as ui_layout_parse() reads it. */
const char *ui_layout_name(enum ui_layout layout);

/*
 * Splits a command line into an argv once, at load time: words separated
 * by blanks, 'single' and "double" quotes group, a backslash escapes the
 * next character; nothing else (no variables, no globs, no pipes). Returns
 * a NULL-terminated array for ui_argv_free(), NULL and ERR_USAGE for an
 * empty command or an unterminated quote.
 */
char **ui_split_command(const char *cmd, struct err *err);
void ui_argv_free(char **argv);

/* ---- the reader ------------------------------------------------------- */

struct ui;

/* A reader over st (borrowed) with a copy of o (whose pointers stay
 * borrowed). Does not touch the terminal yet. */
struct ui *ui_new(struct store *st, const struct ui_options *o);
void ui_free(struct ui *ui);
/* The poller's report callback: pass it, with the ui as arg, to
 * poller_new(). */
void ui_poll_report(const struct poll_report *r, void *ui);

/*
 * Takes over the terminal and runs until the user quits or a SIGTERM,
 * SIGHUP or SIGINT arrives; the terminal is restored on every way out.
 * p (borrowed) is the poller made with ui_poll_report. Returns 0, or -1
 * and err (an unknown TERM, no terminal, a failed wait) with the terminal
 * already restored so the caller can print it.
 */
int ui_run(struct ui *ui, struct poller *p, struct err *err);

#endif
