/* SPDX-License-Identifier: MIT */
/*
 * What the files of src/ui share. keys.c and layout.c are pure (no curses,
 * no terminal) so that the unit tests can reach them.
 */
#ifndef COURANT_UI_PRIVATE_H
#define COURANT_UI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "courant/err.h"
#include "courant/ui.h"

/* Key codes: Unicode code points for characters, then our own codes for
 * the keys curses names (ui.c translates KEY_* into these). */
enum ui_key {
	UI_KEY_ENTER = '\r',
	UI_KEY_TAB = '\t',
	UI_KEY_ESC = 0x1b,
	UI_KEY_SPACE = ' ',
	UI_KEY_BASE = 0x110000,
	UI_KEY_UP = UI_KEY_BASE,
	UI_KEY_DOWN,
	UI_KEY_LEFT,
	UI_KEY_RIGHT,
	UI_KEY_PGUP,
	UI_KEY_PGDN,
	UI_KEY_HOME,
	UI_KEY_END,
	UI_KEY_INSERT,
	UI_KEY_DELETE,
	UI_KEY_BACKSPACE,
	UI_KEY_F1, /* .. UI_KEY_F1 + 11 */
	UI_KEY_RESIZE = UI_KEY_F1 + 12,
	UI_KEY_MOUSE,
	UI_KEY_NONE,
};

/* Parses a key name (see ui.h); -1 and ERR_USAGE when unknown. */
int ui_key_parse(const char *name, uint32_t *key, struct err *err);
/* The canonical name of key into out ("j", "C-l", "Enter", "PgDn"). */
void ui_key_name(uint32_t key, char *out, size_t size);

enum ui_view {
	UI_VIEW_ALL,
	UI_VIEW_FEEDS,
	UI_VIEW_ARTICLES,
	UI_VIEW_READER,
	UI_VIEW_HELP,
	UI_VIEW_COUNT,
};

int ui_view_parse(const char *name, enum ui_view *out, struct err *err);
const char *ui_view_name(enum ui_view v);

/* Actions, in the order of the table in keys.c (and of the help). */
enum ui_action {
	UI_ACT_NONE,
	UI_ACT_DOWN,
	UI_ACT_UP,
	UI_ACT_PAGE_DOWN,
	UI_ACT_PAGE_UP,
	UI_ACT_TOP,
	UI_ACT_BOTTOM,
	UI_ACT_OPEN,
	UI_ACT_BACK,
	UI_ACT_QUIT,
	UI_ACT_NEXT_PANE,
	UI_ACT_NEXT_UNREAD,
	UI_ACT_PREV_UNREAD,
	UI_ACT_NEXT_ARTICLE,
	UI_ACT_PREV_ARTICLE,
	UI_ACT_TOGGLE_READ,
	UI_ACT_TOGGLE_STARRED,
	UI_ACT_MARK_ALL_READ,
	UI_ACT_UNDO,
	UI_ACT_REFRESH,
	UI_ACT_REFRESH_ALL,
	UI_ACT_RELOAD,
	UI_ACT_OPEN_LINK,
	UI_ACT_COPY_LINK,
	UI_ACT_SHOW_URL,
	UI_ACT_LINK_NUMBER,
	UI_ACT_SEARCH,
	UI_ACT_TOGGLE_UNREAD_ONLY,
	UI_ACT_PICK_TAG,
	UI_ACT_REDRAW,
	UI_ACT_COMMAND,
	UI_ACT_HELP,
	UI_ACT_TOGGLE_LAYOUT,
	UI_ACT_COUNT,
};

const char *ui_action_name(enum ui_action a);
int ui_action_parse(const char *name, enum ui_action *out, struct err *err);

struct ui_binding {
	uint32_t key;
	enum ui_view view;
	enum ui_action action;
};

struct ui_keymap {
	struct ui_binding *b;
	size_t n;
};

/* The action bound to key in view (the view's own bindings first, then
 * "all"); UI_ACT_NONE when unbound. */
enum ui_action ui_keymap_lookup(const struct ui_keymap *km, enum ui_view v,
                                uint32_t key);
/* The help text generated from km: one line per action and view with the
 * keys bound to it, as a NULL-terminated array of strings to free with
 * ui_argv_free(). */
char **ui_keymap_help(const struct ui_keymap *km);

/* ---- layout and text (layout.c) ------------------------------------- */

enum ui_split { UI_SPLIT_NONE, UI_SPLIT_SIDE, UI_SPLIT_STACKED };

struct ui_rect {
	int y, x, h, w;
};

struct ui_geometry {
	enum ui_split split;
	struct ui_rect list;   /* the list (or the only pane) */
	struct ui_rect reader; /* h == 0 when not split */
	int header_y;          /* the title line */
	int status_y;          /* the status bar */
	int message_y;         /* the message and prompt line */
};

/* Where everything goes on a cols x rows terminal for the preferred
 * layout. Tiny sizes give empty (h or w 0) panes, never negative. */
void ui_layout_compute(int cols, int rows, enum ui_layout pref,
                       struct ui_geometry *g);

/*
 * Clips UTF-8 text s[0..n) to at most width display columns, never
 * splitting a character: when it does not fit, it ends with an ellipsis
 * ("…", or "~" when ascii). Returns the bytes of s kept in *kept, whether
 * an ellipsis is needed, and the columns used (ellipsis included) in
 * *cols.
 */
size_t ui_clip(const char *s, size_t n, int width, bool ascii, bool *ellipsis,
               int *cols);

/* Standard base64 of s[0..n) into a new string. */
char *ui_base64(const char *s, size_t n);

/* True when url may be handed to a browser or copied: http or https with
 * a host, no control characters or spaces, at most 8 KiB, no leading
 * dash. */
bool ui_url_ok(const char *url);

/* ---- theme (theme.c) ------------------------------------------------- */

enum ui_element {
	UI_EL_TITLE,
	UI_EL_STATUS,
	UI_EL_MESSAGE,
	UI_EL_ERROR,
	UI_EL_SELECTED,
	UI_EL_UNREAD,
	UI_EL_STARRED,
	UI_EL_DATE,
	UI_EL_FEED,
	UI_EL_HEADING,
	UI_EL_LINK,
	UI_EL_QUOTE,
	UI_EL_CODE,
	UI_EL_DIM,
	UI_EL_BOLD,
	UI_EL_ITALIC,
	UI_EL_SEPARATOR,
	UI_EL_COUNT,
};

/* Our own attribute bits; ui.c maps them to curses attributes. */
enum ui_attr {
	UI_A_BOLD = 1 << 0,
	UI_A_DIM = 1 << 1,
	UI_A_UNDERLINE = 1 << 2,
	UI_A_REVERSE = 1 << 3,
	UI_A_STANDOUT = 1 << 4,
	UI_A_ITALIC = 1 << 5,
};

struct ui_style {
	int fg, bg; /* -1: the terminal's default */
	unsigned attrs;
};

struct ui_theme {
	struct ui_style el[UI_EL_COUNT];
};

/* Parses "red", "default", "color42"; -1 and ERR_USAGE. */
int ui_color_parse(const char *name, int *out, struct err *err);
/* Parses "bold underline" or "bold,reverse"; -1 and ERR_USAGE. */
int ui_attrs_parse(const char *s, unsigned *out, struct err *err);

/* ---- spawn.c ---------------------------------------------------------- */

#include <sys/types.h>

enum ui_spawn_mode {
	UI_SPAWN_TERMINAL, /* the child has the terminal; waited for */
	UI_SPAWN_QUIET,    /* output to /dev/null; waited for */
	UI_SPAWN_DETACH,   /* output to /dev/null; *pid set, not waited for */
};

/*
 * Runs argv[0] (found in PATH) with argv, never through a shell. When input
 * is not NULL its n bytes are written to the child's standard input.
 * Returns the child's exit status (0 when detached, the caller reaps it);
 * -1 and err when it cannot be started or dies of a signal.
 */
int ui_spawn(char *const argv[], const char *input, size_t n,
             enum ui_spawn_mode mode, pid_t *pid, struct err *err);

/*
 * A background job (the reader's `courant sync --progress`): argv[0] is run
 * by path (no PATH search, no shell) in a session of its own (no
 * controlling terminal; where posix_spawn cannot, a process group of its
 * own), with stdin on /dev/null and stdout and stderr on a pipe the reader
 * polls (j->fd).
 */
struct ui_job {
	pid_t pid;      /* 0: none */
	int fd;         /* its output, -1 once closed */
	char buf[1024]; /* a line being read */
	size_t n;
	int status; /* exit status once finished (128: killed) */
};

void ui_job_init(struct ui_job *j);
bool ui_job_running(const struct ui_job *j);
/* -1 and err when it cannot be started (or one is running). */
int ui_job_start(struct ui_job *j, char *const argv[], struct err *err);
/* Reads what it wrote without waiting, calling fn with each line; returns
 * 1 once it has exited and been reaped (j->status set), else 0. A job
 * reaped elsewhere (ECHILD) has finished with status 128. */
int ui_job_poll(struct ui_job *j, void (*fn)(const char *line, void *arg),
                void *arg);
/* Stops it and what it started (SIGTERM to its process group, then
 * SIGKILL after 2 s) and reaps it. */
void ui_job_stop(struct ui_job *j);

/* Reads the description of terminal `term` (for output on fd): 0 when
 * curses can run the reader on it, else -1 and err says why (unknown, no
 * terminfo database, no cursor addressing). terminfo.c. */
int ui_terminfo_check(const char *term, int fd, struct err *err);

#endif
