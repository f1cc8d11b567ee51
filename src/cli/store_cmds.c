// SPDX-License-Identifier: MIT
/*
 * courant list, count, search, mark and cleanup: the store for scripts,
 * status bars and cron jobs. Every string printed passes the terminal
 * sanitizer first: plain lines for people, TSV (a tab or newline inside a
 * field becomes a space) and JSON for programs. Lists are read a page at a
 * time, so memory does not grow with --limit. Exit status: 0 success, 1
 * failure (the store, an unknown feed or item), 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "courant/cli.h"
#include "courant/err.h"
#include "courant/render.h"
#include "courant/store.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

enum format { FORMAT_PLAIN, FORMAT_TSV, FORMAT_JSON };

/* The options list, count and search share. */
struct opts {
	const char *db;
	bool unread;
	bool starred;
	const char *feed;
	const char *tag;
	long limit;
	enum format format;
};

#define DEFAULT_LIMIT 50
/* Rows read per page: the memory a listing needs, whatever its length. */
#define PAGE_ROWS 200
/* Display columns of the feed title in plain lines. */
#define FEED_WIDTH 20

static const char list_usage[] =
        "usage: courant list [--unread] [--starred] [--feed URL|TITLE] "
        "[--tag TAG]\n"
        "                    [--limit N] [--format plain|tsv|json] "
        "[--db PATH]\n"
        "\n"
        "Prints the stored articles, newest first: by default the 50 "
        "newest of every\n"
        "feed (--limit 0: all). Plain lines show the item id, N for "
        "unread, ! for\n"
        "starred, the date, the feed and the title; tsv prints id, date "
        "(UTC),\n"
        "unread (1/0), starred (1/0), feed, title and link.\n";

static const char count_usage[] =
        "usage: courant count [--unread] [--starred] [--feed URL|TITLE] "
        "[--tag TAG]\n"
        "                     [--db PATH]\n"
        "\n"
        "Prints the number of stored articles that match, one number and "
        "a newline:\n"
        "'courant count --unread' for a status bar.\n";

static const char search_usage[] =
        "usage: courant search [--limit N] [--format plain|tsv|json] "
        "[--db PATH] QUERY...\n"
        "\n"
        "Full-text search of titles and article text, best match first "
        "(among the\n"
        "2,000 most recently stored matches). Every word must match; "
        "\"quoted words\"\n"
        "must match in that order; a word ending in * matches as a "
        "prefix. tsv adds\n"
        "a snippet column to the list's. A query that starts with '-' "
        "goes after --.\n";

static const char mark_usage[] =
        "usage: courant mark read|unread|starred|unstarred [--db PATH] "
        "ITEM-ID...\n"
        "\n"
        "Marks articles by the ids 'courant list' shows. Unknown ids are "
        "reported\n"
        "and make the exit status 1; the others are marked all the same.\n";

static const char cleanup_usage[] =
        "usage: courant cleanup [--keep N] [--days D] [--drop-unread] "
        "[--drop-starred]\n"
        "                       [--feed URL|TITLE] [--vacuum] [--db "
        "PATH]\n"
        "\n"
        "Removes old articles: past the newest N of each feed, or older "
        "than D days.\n"
        "A feed's own limits win; unread and starred articles stay unless "
        "asked, and\n"
        "so do the articles a feed still carries. --vacuum then rewrites "
        "the file\n"
        "to give the space back (slow on a big cache).\n";

/* Prints "courant CMD: MSG" on stderr, sanitized; returns 1. */
/* A non-negative decimal number up to max; -1 when s is none. */
static long
parse_count(const char *s, long max)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

static int
parse_format(const char *s, enum format *f)
{
	if (strcmp(s, "plain") == 0)
		*f = FORMAT_PLAIN;
	else if (strcmp(s, "tsv") == 0)
		*f = FORMAT_TSV;
	else if (strcmp(s, "json") == 0)
		*f = FORMAT_JSON;
	else
		return -1;
	return 0;
}

/*
 * Parses the options of list, count and search (`allowed` lists the
 * letters the command takes). Returns -1 after printing --help (exit 0),
 * 2 after a usage error, 0 otherwise with optind at the first operand.
 */
static int
parse_opts(const char *cmd, const char *usage, const char *allowed, int argc,
           char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	        {"unread", no_argument, NULL, 'u'},
	        {"starred", no_argument, NULL, 's'},
	        {"feed", required_argument, NULL, 'f'},
	        {"tag", required_argument, NULL, 't'},
	        {"limit", required_argument, NULL, 'n'},
	        {"format", required_argument, NULL, 'F'},
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct opts){.limit = DEFAULT_LIMIT, .format = FORMAT_PLAIN};
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c != 'h' && c != 'd' && c != '?' && c != ':' &&
		    strchr(allowed, c) == NULL)
			return cli_usage_error(cmd,
			                       "'%s' is not an option of "
			                       "this command",
			                       argv[optind - 1]);
		switch (c) {
		case 'u':
			o->unread = true;
			break;
		case 's':
			o->starred = true;
			break;
		case 'f':
			o->feed = optarg;
			break;
		case 't':
			o->tag = optarg;
			break;
		case 'n':
			o->limit = parse_count(optarg, INT_MAX);
			if (o->limit < 0)
				return cli_usage_error(
				        cmd, "--limit wants a number, not '%s'",
				        optarg);
			break;
		case 'F':
			if (parse_format(optarg, &o->format) < 0)
				return cli_usage_error(
				        cmd,
				        "--format is plain, tsv or json, not "
				        "'%s'",
				        optarg);
			break;
		case 'd':
			o->db = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		case ':':
			return cli_usage_error(cmd, "'%s' needs a value",
			                       argv[optind - 1]);
		default:
			return cli_unknown_option(cmd, argv);
		}
	}
	if (o->feed != NULL && o->tag != NULL)
		return cli_usage_error(cmd, "--feed and --tag do not combine");
	return 0;
}

/* Opens the store; NULL after saying why (a damaged file that was moved
 * aside counts as a failure: what the user asked about is not there). */
static struct store *
open_store(const char *cmd, const char *db)
{
	struct store *st = cli_store_open(cmd, db, 0);

	if (st != NULL && store_was_reset(st)) {
		store_close(st);
		return NULL;
	}
	return st;
}

/*
 * The feed --feed names: its subscribed URL, else its title, exactly and
 * then ignoring ASCII case. -1 after a message when none or several match.
 */
static long
find_feed(struct store *st, const char *cmd, const char *name)
{
	struct err err = {0};
	struct store_feed *f = store_feed_by_url(st, name, &err);
	struct store_feed_list *l;
	long id = -1;

	if (f != NULL) {
		id = f->id;
		store_feed_free(f);
		return id;
	}
	if (err.code != ERR_USAGE) {
		cli_fail(cmd, err.msg);
		return -1;
	}
	l = store_feeds(st, NULL, &err);
	if (l == NULL) {
		cli_fail(cmd, err.msg);
		return -1;
	}
	for (int pass = 0; pass < 2 && id < 0; pass++) {
		size_t matches = 0;

		for (size_t i = 0; i < l->n; i++) {
			const char *t = l->feeds[i].title;

			if (t == NULL || (pass == 0 ? strcmp(t, name) != 0
			                            : !str_ieq(t, name)))
				continue;
			matches++;
			id = l->feeds[i].id;
		}
		if (matches > 1) {
			char *msg = xasprintf("several feeds are titled '%s':"
			                      " name one by its URL",
			                      name);

			cli_fail(cmd, msg);
			free(msg);
			store_feed_list_free(l);
			return -1;
		}
	}
	store_feed_list_free(l);
	if (id < 0) {
		char *msg = xasprintf("no feed has the URL or title '%s' (see "
		                      "'courant feeds')",
		                      name);

		cli_fail(cmd, msg);
		free(msg);
	}
	return id;
}

/* The view the options describe; -1 after a message. */
static int
make_view(struct store *st, const char *cmd, const struct opts *o,
          struct store_view *v)
{
	*v = (struct store_view){.scope = STORE_ALL,
	                         .unread_only = o->unread,
	                         .starred_only = o->starred};
	if (o->tag != NULL) {
		v->scope = STORE_TAG;
		v->tag = o->tag;
	} else if (o->feed != NULL) {
		v->scope = STORE_FEED;
		v->feed_id = find_feed(st, cmd, o->feed);
		if (v->feed_id < 0)
			return -1;
	}
	return 0;
}

/* ---- printing ---- */

/* s sanitized for a terminal, one line; NULL stays "". */
static char *
safe(const char *s)
{
	if (s == NULL)
		return xstrdup("");
	return text_sanitize(s, strlen(s), TEXT_FOR_TERMINAL, 0);
}

/* Prints s in exactly `width` display columns: cut with an ellipsis, or
 * padded with spaces. */
static void
print_column(const char *s, int width)
{
	char *clean = safe(s);
	size_t n = strlen(clean);
	size_t i = 0;
	size_t fit = 0;
	int used = 0;
	int fit_used = 0;

	/* The longest prefix within width - 1, and whether all of it fits
	 * in width (then no ellipsis is needed). */
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(clean + i, n - i, &cp);
		int w = render_cp_width(cp);

		if (used + w > width)
			break;
		used += w;
		i += len;
		if (used <= width - 1) {
			fit = i;
			fit_used = used;
		}
	}
	if (i < n) {
		fwrite(clean, 1, fit, stdout);
		fputs("\u2026", stdout);
		used = fit_used + 1;
	} else {
		fputs(clean, stdout);
	}
	for (; used < width; used++)
		putchar(' ');
	free(clean);
}

static void
print_plain(const struct store_row *r, bool with_snippet)
{
	time_t t = (time_t)r->date;
	struct tm tm;
	char date[32] = "";

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(date, sizeof date, "%-16s", "?");
	printf("%7ld %c%c %s  ", r->id, r->is_read ? ' ' : 'N',
	       r->is_starred ? '!' : ' ', date);
	print_column(r->feed_title, FEED_WIDTH);
	fputs("  ", stdout);
	cli_print_safe(stdout, r->title != NULL && *r->title != '\0'
	                               ? r->title
	                               : "(untitled)");
	putchar('\n');
	if (with_snippet && r->snippet != NULL && *r->snippet != '\0') {
		fputs("            ", stdout);
		cli_print_safe(stdout, r->snippet);
		putchar('\n');
	}
}

static void
print_tsv(const struct store_row *r, bool with_snippet)
{
	char date[32] = "";

	feed_date_format(r->date, date, sizeof date);
	printf("%ld\t%s\t%d\t%d\t", r->id, date, !r->is_read, r->is_starred);
	/* The sanitizer turns tabs and newlines into spaces. */
	cli_print_safe(stdout, r->feed_title);
	putchar('\t');
	cli_print_safe(stdout, r->title);
	putchar('\t');
	cli_print_safe(stdout, r->link);
	if (with_snippet) {
		putchar('\t');
		cli_print_safe(stdout, r->snippet);
	}
	putchar('\n');
}

static void
json_safe(struct json *j, const char *key, const char *s)
{
	char *clean;

	if (s == NULL) {
		json_null(j, key);
		return;
	}
	clean = safe(s);
	json_string(j, key, clean);
	free(clean);
}

static void
print_json(struct json *j, const struct store_row *r, bool with_snippet)
{
	char date[32];

	json_begin_object(j, NULL);
	json_int(j, "id", r->id);
	json_int(j, "feed_id", r->feed_id);
	json_safe(j, "feed", r->feed_title);
	json_safe(j, "title", r->title);
	json_safe(j, "link", r->link);
	json_safe(j, "author", r->author);
	if (feed_date_format(r->date, date, sizeof date) < 0)
		json_null(j, "date");
	else
		json_string(j, "date", date);
	json_bool(j, "unread", !r->is_read);
	json_bool(j, "starred", r->is_starred);
	if (with_snippet)
		json_safe(j, "snippet", r->snippet);
	json_end_object(j);
}

static void
print_row(struct json *j, enum format f, const struct store_row *r,
          bool with_snippet)
{
	switch (f) {
	case FORMAT_PLAIN:
		print_plain(r, with_snippet);
		break;
	case FORMAT_TSV:
		print_tsv(r, with_snippet);
		break;
	case FORMAT_JSON:
		print_json(j, r, with_snippet);
		break;
	}
}

/* 0, or 1 after a message when stdout could not be written. */
static int
flush_out(const char *cmd)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail(cmd, "cannot write the output");
	return 0;
}

/* ---- the commands ---- */

int
cli_list(int argc, char **argv)
{
	struct opts o;
	struct store_view v;
	struct store_cursor c;
	struct json j;
	struct err err = {0};
	struct store *st;
	bool have_cursor = false;
	long left;
	int r;

	r = parse_opts("list", list_usage, "usfntF", argc, argv, &o);
	if (r != 0)
		return r < 0 ? 0 : r;
	if (optind < argc)
		return cli_usage_error("list", "unexpected argument '%s'",
		                       argv[optind]);
	st = open_store("list", o.db);
	if (st == NULL)
		return 1;
	if (make_view(st, "list", &o, &v) < 0) {
		store_close(st);
		return 1;
	}
	json_init(&j, stdout);
	if (o.format == FORMAT_JSON)
		json_begin_array(&j, NULL);
	left = o.limit > 0 ? o.limit : LONG_MAX;
	while (left > 0) {
		int n = left < PAGE_ROWS ? (int)left : PAGE_ROWS;
		struct store_page *p;
		bool more;

		p = store_items(st, &v, have_cursor ? &c : NULL, STORE_OLDER, n,
		                &err);
		if (p == NULL) {
			store_close(st);
			if (o.format == FORMAT_JSON)
				putchar('\n');
			fflush(stdout);
			return cli_fail("list", err.msg);
		}
		for (size_t i = 0; i < p->n; i++)
			print_row(&j, o.format, &p->rows[i], false);
		left -= (long)p->n;
		more = p->more && p->n > 0;
		if (p->n > 0) {
			c = store_row_cursor(&p->rows[p->n - 1]);
			have_cursor = true;
		}
		store_page_free(p);
		if (!more)
			break;
	}
	if (o.format == FORMAT_JSON) {
		json_end_array(&j);
		putchar('\n');
	}
	store_close(st);
	return flush_out("list");
}

int
cli_count(int argc, char **argv)
{
	struct opts o;
	struct store_view v;
	struct err err = {0};
	struct store *st;
	long n;
	int r;

	r = parse_opts("count", count_usage, "usft", argc, argv, &o);
	if (r != 0)
		return r < 0 ? 0 : r;
	if (optind < argc)
		return cli_usage_error("count", "unexpected argument '%s'",
		                       argv[optind]);
	st = open_store("count", o.db);
	if (st == NULL)
		return 1;
	if (make_view(st, "count", &o, &v) < 0) {
		store_close(st);
		return 1;
	}
	n = store_count(st, &v, &err);
	store_close(st);
	if (n < 0)
		return cli_fail("count", err.msg);
	printf("%ld\n", n);
	return flush_out("count");
}

int
cli_search(int argc, char **argv)
{
	struct opts o;
	struct json j;
	struct err err = {0};
	struct store_page *p;
	struct store *st;
	struct buf q;
	int r;

	r = parse_opts("search", search_usage, "nF", argc, argv, &o);
	if (r != 0)
		return r < 0 ? 0 : r;
	/* The words after the options are the query, as typed. */
	buf_init(&q, 0);
	for (int i = optind; i < argc; i++) {
		if (q.len > 0)
			buf_putc(&q, ' ');
		buf_puts(&q, argv[i]);
	}
	if (q.len == 0) {
		buf_done(&q);
		return cli_usage_error("search", "no QUERY given");
	}
	st = open_store("search", o.db);
	if (st == NULL) {
		buf_done(&q);
		return 1;
	}
	p = store_search(st, buf_str(&q), o.limit > 0 ? (int)o.limit : INT_MAX,
	                 &err);
	buf_done(&q);
	store_close(st);
	if (p == NULL)
		return cli_fail("search", err.msg);
	json_init(&j, stdout);
	if (o.format == FORMAT_JSON)
		json_begin_array(&j, NULL);
	for (size_t i = 0; i < p->n; i++)
		print_row(&j, o.format, &p->rows[i], true);
	if (o.format == FORMAT_JSON) {
		json_end_array(&j);
		putchar('\n');
	}
	store_page_free(p);
	return flush_out("search");
}

enum mark_action { MARK_READ, MARK_UNREAD, MARK_STARRED, MARK_UNSTARRED };

int
cli_mark(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	static const char *const actions[] = {"read", "unread", "starred",
	                                      "unstarred"};
	const char *db = NULL;
	enum mark_action action = MARK_READ;
	struct store *st;
	int status = 0;
	size_t a;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(mark_usage, stdout);
			return 0;
		case ':':
			return cli_usage_error("mark", "'%s' needs a value",
			                       argv[optind - 1]);
		default:
			return cli_unknown_option("mark", argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("mark", "say read, unread, starred or "
		                               "unstarred, then ITEM-IDs");
	for (a = 0; a < sizeof actions / sizeof actions[0]; a++) {
		if (strcmp(argv[optind], actions[a]) == 0)
			break;
	}
	if (a == sizeof actions / sizeof actions[0])
		return cli_usage_error("mark",
		                       "'%s' is not read, unread, starred or "
		                       "unstarred",
		                       argv[optind]);
	action = (enum mark_action)a;
	if (optind + 1 >= argc)
		return cli_usage_error("mark", "no ITEM-ID given");
	/* Every id is checked before anything changes. */
	for (int i = optind + 1; i < argc; i++) {
		if (parse_count(argv[i], LONG_MAX) <= 0)
			return cli_usage_error("mark",
			                       "'%s' is not an item id (a "
			                       "number from 'courant list')",
			                       argv[i]);
	}
	st = open_store("mark", db);
	if (st == NULL)
		return 1;
	for (int i = optind + 1; i < argc; i++) {
		long id = parse_count(argv[i], LONG_MAX);
		struct err err = {0};
		struct store_item *it = store_item_get(st, id, &err);
		int rc;

		if (it == NULL) {
			cli_fail("mark", err.msg);
			status = 1;
			if (err.code == ERR_USAGE)
				continue;
			break;
		}
		store_item_free(it);
		if (action == MARK_READ || action == MARK_UNREAD)
			rc = store_mark_read(st, id, action == MARK_READ, &err);
		else
			rc = store_mark_starred(st, id, action == MARK_STARRED,
			                        &err);
		if (rc < 0) {
			/* A store failure (read-only, locked, full) will not
			 * be better for the next id. */
			cli_fail("mark", err.msg);
			status = 1;
			break;
		}
	}
	store_close(st);
	return status;
}

/* The size of the database with its WAL, in bytes; -1 if unknown. */
static long long
db_bytes(const char *path)
{
	struct stat sb;
	long long total;
	char *wal;

	if (stat(path, &sb) < 0)
		return -1;
	total = (long long)sb.st_size;
	wal = xasprintf("%s-wal", path);
	if (stat(wal, &sb) == 0)
		total += (long long)sb.st_size;
	free(wal);
	return total;
}

int
cli_cleanup(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"keep", required_argument, NULL, 'k'},
	        {"days", required_argument, NULL, 'D'},
	        {"drop-unread", no_argument, NULL, 'u'},
	        {"drop-starred", no_argument, NULL, 's'},
	        {"feed", required_argument, NULL, 'f'},
	        {"vacuum", no_argument, NULL, 'v'},
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct store_retention rule = {0};
	const char *db = NULL;
	const char *feed = NULL;
	bool vacuum = false;
	struct err err = {0};
	struct store *st;
	long feed_id = 0;
	long removed;
	long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
		case 'D':
			v = parse_count(optarg, INT_MAX);
			if (v < 0)
				return cli_usage_error(
				        "cleanup",
				        "%s wants a number, not '%s'",
				        c == 'k' ? "--keep" : "--days", optarg);
			if (c == 'k')
				rule.max_items = (int)v;
			else
				rule.max_age_days = (int)v;
			break;
		case 'u':
			rule.drop_unread = true;
			break;
		case 's':
			rule.drop_starred = true;
			break;
		case 'f':
			feed = optarg;
			break;
		case 'v':
			vacuum = true;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(cleanup_usage, stdout);
			return 0;
		case ':':
			return cli_usage_error("cleanup", "'%s' needs a value",
			                       argv[optind - 1]);
		default:
			return cli_unknown_option("cleanup", argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("cleanup", "unexpected argument '%s'",
		                       argv[optind]);
	st = open_store("cleanup", db);
	if (st == NULL)
		return 1;
	if (feed != NULL) {
		feed_id = find_feed(st, "cleanup", feed);
		if (feed_id < 0) {
			store_close(st);
			return 1;
		}
	}
	removed = store_cleanup(st, &rule, feed_id, &err);
	if (removed < 0) {
		store_close(st);
		return cli_fail("cleanup", err.msg);
	}
	printf("removed %ld article%s\n", removed, removed == 1 ? "" : "s");
	/* Clean-up is maintenance the user asked for: merge the search
	 * index too, a second at a time, for at most a minute (and not at
	 * all while another process writes: then it returns at once). */
	for (int i = 0; i < 60 && store_maintain(st, 1000, &err) > 0; i++)
		continue;
	if (vacuum) {
		long long before = db_bytes(store_path(st));
		long long after;

		if (store_vacuum(st, &err) < 0) {
			store_close(st);
			return cli_fail("cleanup", err.msg);
		}
		after = db_bytes(store_path(st));
		if (before >= 0 && after >= 0)
			printf("database: %.1f MB, was %.1f MB\n",
			       (double)after / 1e6, (double)before / 1e6);
	}
	store_close(st);
	return flush_out("cleanup");
}
