/* SPDX-License-Identifier: MIT */
/*
 * cli: the non-interactive commands. Each takes the arguments after its own
 * name (argv[0] is the command name) and returns the process exit status:
 * 0 success, 1 failure, 2 usage error. They print only sanitized text.
 */
#ifndef COURANT_CLI_H
#define COURANT_CLI_H

#include <stdio.h>

/* courant parse: the parser's view of feed files (JSON, headlines, stats)
 * and of single dates. */
int cli_parse(int argc, char **argv);

/* courant refresh: download due feeds (refresh.c). */
int cli_refresh(int argc, char **argv);
/* courant add URL [TAG...]: subscribe, discovering a page's feed. */
int cli_add(int argc, char **argv);
/* courant feeds [--errors]: the feed list with counts and health. */
int cli_feeds(int argc, char **argv);
/* courant sync: one sync with the configured server (sync.c). */
int cli_sync(int argc, char **argv);

/* courant list, count, search, mark and cleanup (src/cli/store_cmds.c):
 * the store for scripts and status bars. */
int cli_list(int argc, char **argv);
int cli_count(int argc, char **argv);
int cli_search(int argc, char **argv);
int cli_mark(int argc, char **argv);
int cli_cleanup(int argc, char **argv);

struct store;

/* The database path from --db before the command (set by main), used by
 * cli_store_open() when a command has no --db of its own. */
void cli_set_db_path(const char *path);

/*
 * Opens the store for a command: `db` (the command's --db) if not NULL, else
 * the global --db, else $COURANT_DB, else store_default_path(). Prints any
 * error or notice on stderr; NULL when it could not be opened.
 */
struct store *cli_store_open(const char *cmd, const char *db, unsigned flags);

/* courant with no command: the interactive reader (src/cli/reader.c). */
int cli_reader(int argc, char **argv);

/* courant render: an article's HTML wrapped as the reading pane shows it. */
int cli_render(int argc, char **argv);

/* Writes "courant CMD: MSG" (sanitized) on stderr and returns 1. */
int cli_fail(const char *cmd, const char *msg);

/* Writes a usage error for `cmd` and returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* The usage error for the option getopt_long() has just refused, named as
 * typed (a short one inside a cluster such as -dog too); returns 2. main()
 * turns getopt's own messages off (opterr), which would print argv raw. */
int cli_unknown_option(const char *cmd, char *const argv[]);

/* Writes s to f through the terminal sanitizer (one line, no escapes). */
void cli_print_safe(FILE *f, const char *s);

/* courant import, export and remove (src/cli/interop.c): subscriptions
 * from and to OPML, Newsboat and the urls file. */
int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_remove(int argc, char **argv);

/* The global -c/--config and -u/--urls (set by main; NULL arguments keep
 * what was set), and what they are (NULL: not given). */
void cli_set_config_paths(const char *config, const char *urls);
const char *cli_config_path(void);
const char *cli_urls_path(void);

struct urls_add;

/* Appends the subscriptions to the urls file that goes with st (the one
 * -u names, else the default one if it exists or st is the default
 * database; else none). Returns how many lines were added, -1 after
 * printing the error. */
int cli_urls_add(const char *cmd, struct store *st, const struct urls_add *add,
                 size_t n);

/*
 * The reader's files (src/cli/files.c). cli_files_load() reads the config
 * and urls files of this run (-c, -u, else XDG), checks binds and colours
 * against the reader's tables and prints warnings; NULL after printing
 * "FILE:LINE: what is wrong", and the caller exits 2 before touching the
 * terminal. cli_files_apply() fills the reader's and the poller's options
 * (pointers stay owned by f: free it after the reader) and syncs the
 * store's feed list with the urls file; -1 after printing.
 */
struct cli_files;
struct ui_options;
struct poller_opts;
struct cli_files *cli_files_load(const char *cmd);
int cli_files_apply(const char *cmd, struct cli_files *f, struct store *st,
                    struct ui_options *o, struct poller_opts *po);
/* For commands without the reader (refresh, import): the poller's options
 * of the config file, and the store's retention set and its feed list
 * synced with the urls file (when there is one); -1 after printing. */
void cli_files_poller_opts(const struct cli_files *f, struct poller_opts *po);
int cli_files_sync(const char *cmd, struct cli_files *f, struct store *st);
void cli_files_free(struct cli_files *f);

#endif
