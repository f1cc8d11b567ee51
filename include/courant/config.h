/* SPDX-License-Identifier: MIT */
/*
 * config: the user's files. It finds them (XDG base directories), reads the
 * urls file (Newsboat's format) and the config file (set, bind, unbind,
 * color, include, feed), checks every value against its type and range, and
 * makes the store's feed list agree with the urls file. It also edits the
 * urls file in place for `courant add` and `courant remove`, keeping every
 * other line as it was.
 *
 * A file is read only when it is a regular file (or /dev/null) of at most
 * CONFIG_MAX_FILE bytes of valid UTF-8 without NUL (SECURITY.md 3.6). Every
 * error names the file and the line: err->msg is "PATH:LINE: what is wrong"
 * and the caller exits with status 2 before touching the terminal. What is
 * skipped without being an error (an `exec:` line of a Newsboat urls file)
 * is a warning, kept in the loaded object for the caller to show. The module
 * never prints and never runs anything it reads.
 */
#ifndef COURANT_CONFIG_H
#define COURANT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "courant/err.h"

struct store;
struct poller_opts;
struct store_retention;

#define CONFIG_MAX_FILE (1u << 20)
#define CONFIG_MAX_INCLUDE_DEPTH 8

/* ---- paths -------------------------------------------------------------- */

/*
 * The files a run uses. An explicit path (-c, -u, --db, or COURANT_CONFIG,
 * COURANT_URLS, COURANT_DB) wins; otherwise config and urls live in
 * $XDG_CONFIG_HOME/courant/ and the database in $XDG_DATA_HOME/courant/.
 * An XDG variable that is empty or relative is ignored (the spec says so):
 * then ~/.config and ~/.local/share, with ~ from HOME, or from the password
 * database when HOME is unset or relative.
 */
struct config_paths {
	char *config;
	char *urls;
	char *db;
	bool config_is_explicit; /* a missing explicit file is an error */
	bool urls_is_explicit;
	bool db_is_explicit;
};

/* Fills p (any argument may be NULL); -1 and ERR_IO when no home directory
 * can be found. Free with config_paths_done(). */
int config_paths_init(struct config_paths *p, const char *config,
                      const char *urls, const char *db, struct err *err);
void config_paths_done(struct config_paths *p);
/* $XDG_CONFIG_HOME/courant (or ~/.config/courant), a new string; NULL and
 * ERR_IO without a home directory. */
char *config_dir(struct err *err);
/* The user's home directory, a new string; NULL and ERR_IO. */
char *config_home(struct err *err);

/* Reads a whole file of the user's with the checks above: a regular file
 * (or /dev/null) of at most max bytes, and when utf8, valid UTF-8 without
 * NUL. A missing file is ERR_IO. *data is NUL-terminated, for the caller
 * to free; -1 and err. */
int config_read_file(const char *path, size_t max, bool utf8, char **data,
                     size_t *len, struct err *err);

/* What the reader remembers between runs (the layout a key chose): one
 * short value per NAME in $XDG_STATE_HOME/courant/NAME, else in
 * ~/.local/state/courant/NAME. config_state_get() returns the value as a
 * new string, or NULL when there is none or it is unreadable (state is
 * never worth an error); config_state_set() replaces it (file 0600,
 * directories 0700); -1 and err. */
char *config_state_get(const char *name);
int config_state_set(const char *name, const char *value, struct err *err);

/* ---- warnings ----------------------------------------------------------- */

/* Something read and skipped; file is lent by the owning object. */
struct config_warning {
	const char *file;
	int line;
	char *msg;
};

/* ---- the urls file ------------------------------------------------------ */

/* One subscription: `URL [TAG | "~TITLE" | "!"]...`. */
struct urls_entry {
	char *url;
	char *title; /* "~Title", or NULL */
	char **tags;
	size_t n_tags;
	bool is_hidden; /* a "!" token: kept out of the feed list */
	int line;
};

struct urls {
	char *path;
	bool exists; /* false: there is no urls file (first run) */
	struct urls_entry *entries;
	size_t n;
	struct config_warning *warnings;
	size_t n_warnings;
};

/*
 * Reads the urls file at path. A missing file is not an error: the result
 * has exists == false and no entries, which is how "first run" (the demo
 * feeds) differs from an empty file. NULL and err ("path:line: ...", or
 * ERR_IO for the file itself) on failure. Free with urls_free().
 */
struct urls *urls_load(const char *path, struct err *err);
/* Parses text[0..n) as if read from the file `name` (tests, fuzzing). */
struct urls *urls_parse(const char *name, const char *text, size_t n,
                        struct err *err);
void urls_free(struct urls *u);
/* The entry for url, or NULL; lent. */
const struct urls_entry *urls_find(const struct urls *u, const char *url);

/* One subscription to append to a urls file. */
struct urls_add {
	const char *url;
	const char *title; /* NULL: none */
	const char *const *tags;
	size_t n_tags;
	bool is_hidden; /* writes "!" */
};

/*
 * Appends the subscriptions of `add` whose URL the file does not have yet,
 * one line each, keeping the rest of the file byte for byte. Creates the
 * file (0600) and its directory (0700) when missing. The file is replaced
 * atomically (a temporary file renamed over it). Returns how many lines
 * were added, -1 and err on failure (the file is then unchanged); ERR_USAGE
 * and nothing written when one URL is not one urls_parse() accepts.
 */
int urls_file_append(const char *path, const struct urls_add *add, size_t n,
                     struct err *err);
/* Removes the lines subscribing to url, keeping every other line. Returns
 * how many were removed (0 when url is not there), -1 and err. */
int urls_file_remove(const char *path, const char *url, struct err *err);
/* Writes one urls line for a (no newline), quoting as needed. */
char *urls_format_line(const struct urls_add *a);

/* ---- the config file ---------------------------------------------------- */

enum config_view {
	CONFIG_VIEW_FEEDS,
	CONFIG_VIEW_ARTICLES,
	CONFIG_VIEW_UNREAD
};
enum config_layout {
	CONFIG_LAYOUT_AUTO,
	CONFIG_LAYOUT_SINGLE,
	CONFIG_LAYOUT_SIDE,
	CONFIG_LAYOUT_STACKED,
};

enum config_sync { CONFIG_SYNC_NONE, CONFIG_SYNC_TTRSS };

/* Every `set` name, typed. Durations are in seconds. */
struct config_settings {
	char *browser;       /* "": $BROWSER, else xdg-open */
	char **browser_argv; /* browser split once into words, NULL-ended;
	                        NULL when browser is "" */
	bool refresh_on_start;
	long refresh_interval; /* 0: no automatic refresh */
	int parallel_transfers;
	int host_connections;
	long connect_timeout;
	long low_speed_timeout;
	long download_timeout;
	int max_items;    /* per feed, 0: no limit */
	int max_age_days; /* 0: no limit */
	bool cleanup_unread;
	enum config_view default_view;
	enum config_layout layout;
	char *date_format; /* strftime(3) */
	bool show_read_articles;
	bool show_read_feeds;
	bool confirm_quit;
	bool mouse;
	bool osc52;
	char *user_agent; /* "": courant/VERSION */
	/* Sync with a server (courant sync, the reader's refresh). */
	enum config_sync sync;
	char *sync_url;              /* the tt-rss address; API at + "api/" */
	char *sync_user;
	char *sync_password_command; /* "" or a command printing it */
	char **sync_password_argv;   /* that command split once, or NULL */
	char *sync_password_file;    /* "" or a file only the user reads */
	char *sync_where;            /* "FILE:LINE" of `set sync`, or NULL */
};

/* `bind KEY [VIEW] ACTION` and `unbind KEY [VIEW]` (action NULL), in file
 * order, as written: the reader checks them against its own tables and
 * reports errors with file and line. */
struct config_bind {
	char *key;
	char *view;   /* NULL: every view */
	char *action; /* NULL for unbind */
	const char *file;
	int line;
};

/* `color ELEMENT FG BG [ATTR...]`, as written; checked by the reader. */
struct config_color {
	char *element;
	char *fg;
	char *bg;
	char **attrs;
	size_t n_attrs;
	const char *file;
	int line;
};

/* Per-feed settings; -1 (or NULL) where the rule says nothing. */
struct config_feed_settings {
	long refresh_interval;
	int max_items;
	int max_age_days;
	char *browser;
};

/* `feed TAG-OR-URL set NAME VALUE`: a URL (it has "://") names one feed,
 * anything else a tag. */
struct config_feed_rule {
	char *match;
	bool is_url;
	struct config_feed_settings set;
	const char *file;
	int line;
};

struct config {
	struct config_settings set;
	struct config_bind *binds;
	size_t n_binds;
	struct config_color *colors;
	size_t n_colors;
	struct config_feed_rule *rules;
	size_t n_rules;
	struct config_warning *warnings;
	size_t n_warnings;
	char **files; /* every file read, owned; records point into it */
	size_t n_files;
};

/* A config with every default: never fails. */
struct config *config_new(void);
/*
 * Reads the config file at path over the defaults. A missing file gives the
 * defaults unless must_exist (an explicit -c). NULL and err ("path:line:
 * ...") on any error: unknown command or setting, bad value, out of range,
 * an include too deep or in a cycle, sync settings that do not go together
 * (config_check_sync()).
 */
struct config *config_load(const char *path, bool must_exist, struct err *err);
/* With `set sync ttrss`: sync-url, sync-user and exactly one of
 * sync-password-command and sync-password-file must be set; the error
 * names the line of `set sync`. 0 or -1 and err. */
int config_check_sync(const struct config *c, struct err *err);
/* Parses text[0..n) as the file `name` into c; includes are read relative
 * to name's directory. -1 and err. */
int config_parse(struct config *c, const char *name, const char *text, size_t n,
                 struct err *err);
void config_free(struct config *c);

/*
 * Applies one `set NAME VALUE` (the parser's own path, for callers that
 * take settings elsewhere). -1 and err (ERR_USAGE) when the name is unknown
 * or the value wrong; where is prefixed to the message when not NULL.
 */
int config_set(struct config *c, const char *name, const char *value,
               const char *where, struct err *err);

/* The settings table, for documentation checks and completion. */
struct config_setting_info {
	const char *name;
	const char *type; /* "bool", "integer", "duration", "string", or the
	                     choices joined with '|' */
	const char *def;  /* the default, as written in a config file */
	bool per_feed;    /* also valid after `feed X set` */
};
/* The i-th setting, or NULL past the end. */
const struct config_setting_info *config_setting_info(size_t i);

/* The settings for a feed: its URL rules override its tags' rules, which
 * override the global settings; later rules of a kind win. Strings are
 * lent by c. Never fails. */
void config_feed_settings(const struct config *c, const char *url,
                          const char *const *tags, size_t n_tags,
                          struct config_feed_settings *out);

/* Fills the poller's and the store's options from the settings. */
void config_poller_opts(const struct config *c, struct poller_opts *o);
void config_retention(const struct config *c, struct store_retention *r);

/* Parses "90", "90s", "15m", "3h", "2d", "1w" into seconds; -1 if not a
 * duration. */
long config_parse_duration(const char *s);

/* ---- the feed list ------------------------------------------------------ */

struct config_sync_stats {
	int added;
	int updated; /* still there: title, tags, position and limits set */
	int removed;
};

/*
 * Makes the store's feeds those of the urls file, in its order: new URLs
 * are added, feeds no longer listed are removed with their items, the
 * others keep their items and read state while their title, tags, position
 * and per-feed limits (from c, which may be NULL) are updated. -1 and err
 * on a store failure (what was done stays done).
 */
int config_sync_feeds(struct store *st, const struct urls *u,
                      const struct config *c, struct config_sync_stats *stats,
                      struct err *err);

#endif
