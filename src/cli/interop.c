// SPDX-License-Identifier: MIT
/*
 * courant import, export and remove, and the urls file that goes with a
 * database: the commands that move subscriptions between courant, its urls
 * file, OPML files and Newsboat.
 *
 * Which urls file a command edits: the one named by -u/--urls or
 * COURANT_URLS; else the default one ($XDG_CONFIG_HOME/courant/urls) when
 * it exists or when the database is the default one too. A scratch
 * database (--db, COURANT_DB) with no urls file of its own leaves the
 * user's files alone.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "courant/cli.h"
#include "courant/config.h"
#include "courant/feed.h"
#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

static const char *global_config;
static const char *global_urls;

void
cli_set_config_paths(const char *config, const char *urls)
{
	if (config != NULL)
		global_config = config;
	if (urls != NULL)
		global_urls = urls;
}

const char *
cli_config_path(void)
{
	return global_config;
}

const char *
cli_urls_path(void)
{
	return global_urls;
}

static void
say(FILE *f, const char *cmd, const char *what, const char *msg)
{
	fprintf(f, "courant %s: ", cmd);
	if (what != NULL) {
		cli_print_safe(f, what);
		fputs(": ", f);
	}
	cli_print_safe(f, msg);
	fputc('\n', f);
}

static bool
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* The urls file to edit with st, or NULL when none is (or on error, with
 * *failed set after printing it). */
static char *
urls_for(const char *cmd, struct store *st, bool *failed)
{
	struct config_paths p;
	struct err err = {0};
	char *def;
	char *path = NULL;

	*failed = false;
	if (config_paths_init(&p, global_config, global_urls, NULL, &err) < 0) {
		say(stderr, cmd, NULL, err.msg);
		*failed = true;
		return NULL;
	}
	if (p.urls_is_explicit || exists(p.urls)) {
		path = p.urls;
		p.urls = NULL;
	} else {
		def = store_default_path(NULL);
		if (def != NULL && strcmp(def, store_path(st)) == 0) {
			path = p.urls;
			p.urls = NULL;
		}
		free(def);
	}
	config_paths_done(&p);
	return path;
}

/*
 * Moves the feeds of a sync account (the server's subscriptions, which the
 * server owns) behind the local ones; returns how many are local. The urls
 * file, imports, exports and `remove` deal in local feeds only.
 */
static size_t
local_first(struct store_feed_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->feeds[i].source != NULL)
			continue;
		if (i != n) {
			struct store_feed t = l->feeds[n];

			l->feeds[n] = l->feeds[i];
			l->feeds[i] = t;
		}
		n++;
	}
	return n;
}

static bool
is_demo(const struct store_feed *f)
{
	if (!str_starts_with(f->url, "file:"))
		return false;
	for (size_t i = 0; i < f->n_tags; i++)
		if (strcmp(f->tags[i], "demo") == 0)
			return true;
	return false;
}

/* A urls file about to be created starts with the feeds the database
 * already has (but the demo feeds): the reader's next sync would
 * otherwise unsubscribe them. */
static int
seed(const char *path, struct store *st, struct err *err)
{
	struct store_feed_list *l = store_feeds(st, NULL, err);
	struct urls_add *v;
	size_t n = 0, n_local;
	int r;

	if (l == NULL)
		return -1;
	n_local = local_first(l);
	v = xcalloc(n_local + 1, sizeof *v);
	for (size_t i = 0; i < n_local; i++) {
		if (is_demo(&l->feeds[i]))
			continue;
		v[n].url = l->feeds[i].url;
		v[n].title = l->feeds[i].user_title;
		v[n].tags = (const char *const *)l->feeds[i].tags;
		v[n].n_tags = l->feeds[i].n_tags;
		n++;
	}
	r = n > 0 ? urls_file_append(path, v, n, err) : 0;
	free(v);
	store_feed_list_free(l);
	return r;
}

int
cli_urls_add(const char *cmd, struct store *st, const struct urls_add *add,
             size_t n)
{
	struct err err = {0};
	bool failed;
	char *path = urls_for(cmd, st, &failed);
	int r = 0;

	if (path == NULL)
		return failed ? -1 : 0;
	if (!exists(path))
		r = seed(path, st, &err);
	if (r >= 0)
		r = urls_file_append(path, add, n, &err);
	if (r < 0)
		say(stderr, cmd, NULL, err.msg);
	free(path);
	return r;
}

/* ---- import ------------------------------------------------------------- */

static const char import_usage[] =
        "usage: courant import [--db PATH] FILE.opml\n"
        "       courant import --newsboat [--no-refresh] [--db PATH] [DIR]\n"
        "\n"
        "Subscribes to the feeds of an OPML file (folders become tags A/B),\n"
        "or moves a Newsboat set-up over: its urls file (tags, titles) and,\n"
        "from its cache.db, the read and flagged state of the articles.\n"
        "DIR holds Newsboat's urls and cache.db; without it ~/.newsboat, or\n"
        "the XDG directories Newsboat uses. Feeds are fetched first so that\n"
        "articles match (--no-refresh: only from the cache).\n"
        "Only http and https feeds are imported; each skipped entry is\n"
        "reported with its line.\n";

struct sub {
	struct urls_add add;
	const char *site;
};

static int
cmp_feed_url(const void *a, const void *b)
{
	const struct store_feed *x = a;
	const struct store_feed *y = b;

	return strcmp(x->url, y->url);
}

/* Subscribes to subs in the urls file and the store; returns how many
 * were new to the store, -1 after printing an error. ids (n longs, may be
 * NULL) get each feed's id. */
static long
subscribe(const char *cmd, struct store *st, const struct sub *subs, size_t n,
          long *ids)
{
	struct urls_add *adds = xcalloc(n + 1, sizeof *adds);
	struct store_feed_list *l;
	struct err err = {0};
	size_t n_local;
	long added = 0;
	int pos;

	for (size_t i = 0; i < n; i++)
		adds[i] = subs[i].add;
	if (cli_urls_add(cmd, st, adds, n) < 0) {
		free(adds);
		return -1;
	}
	free(adds);
	l = store_feeds(st, NULL, &err);
	if (l == NULL) {
		say(stderr, cmd, NULL, err.msg);
		return -1;
	}
	n_local = local_first(l);
	pos = (int)n_local;
	/* Sorted by URL for the lookups: an import may bring thousands. */
	if (n_local > 0)
		qsort(l->feeds, n_local, sizeof *l->feeds, cmp_feed_url);
	for (size_t i = 0; i < n; i++) {
		struct store_feed_conf conf = {0};
		struct store_feed key = {0};
		const struct store_feed *known = NULL;
		long id;

		key.url = (char *)subs[i].add.url;
		if (n_local > 0)
			known = bsearch(&key, l->feeds, n_local,
			                sizeof *l->feeds, cmp_feed_url);
		if (known != NULL) {
			if (ids != NULL)
				ids[i] = known->id;
			continue;
		}
		conf.url = subs[i].add.url;
		conf.user_title = subs[i].add.title;
		conf.tags = subs[i].add.tags;
		conf.n_tags = subs[i].add.n_tags;
		conf.position = pos++;
		id = store_feed_ensure(st, &conf, &err);
		if (id < 0) {
			say(stderr, cmd, NULL, err.msg);
			store_feed_list_free(l);
			return -1;
		}
		if (ids != NULL)
			ids[i] = id;
		added++;
	}
	store_feed_list_free(l);
	return added;
}

static int
import_opml(const char *path, const char *db)
{
	struct err err = {0};
	struct feed_opml *o;
	struct store *st;
	struct sub *subs;
	char *data;
	size_t n;
	long added;

	/* OPML may declare another encoding: libxml2 checks the bytes. */
	if (config_read_file(path, CONFIG_MAX_FILE, false, &data, &n, &err) <
	    0) {
		say(stderr, "import", NULL, err.msg);
		return 1;
	}
	o = feed_opml_parse(data, n, &err);
	free(data);
	if (o == NULL) {
		say(stderr, "import", path, err.msg);
		return 1;
	}
	for (size_t i = 0; i < o->n_warnings; i++)
		say(stderr, "import", path, o->warnings[i]);
	st = cli_store_open("import", db, 0);
	if (st == NULL) {
		feed_opml_free(o);
		return 1;
	}
	subs = xcalloc(o->n + 1, sizeof *subs);
	for (size_t i = 0; i < o->n; i++) {
		subs[i].add.url = o->feeds[i].url;
		subs[i].add.title = o->feeds[i].title;
		subs[i].add.tags = (const char *const *)o->feeds[i].tags;
		subs[i].add.n_tags = o->feeds[i].n_tags;
	}
	added = subscribe("import", st, subs, o->n, NULL);
	if (added >= 0)
		printf("imported %ld feed%s, %ld already subscribed, %zu "
		       "skipped\n",
		       added, added == 1 ? "" : "s", (long)o->n - added,
		       o->n_warnings);
	free(subs);
	feed_opml_free(o);
	store_close(st);
	return added < 0 ? 1 : 0;
}

struct fetch_run {
	int failed;
};

static void
on_report(const struct poll_report *r, void *arg)
{
	struct fetch_run *run = arg;

	if (r->outcome != POLL_FAILED)
		return;
	run->failed++;
	say(stderr, "import", r->url, r->err ? r->err->msg : "failed");
}

/* Fetches the feeds once so that Newsboat's articles find their match. */
static int
fetch_all(struct store *st, const struct poller_opts *o, const long *ids,
          size_t n)
{
	struct fetch_run run = {0};
	struct poller *p;
	struct err err = {0};

	p = poller_new(st, o, on_report, &run, &err);
	if (p == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (poller_refresh(p, ids[i], POLL_MANUAL, &err) < 0)
			goto fail;
	while (poller_busy(p)) {
		if (poller_wait(p, NULL, 0, 1000, &err) < 0)
			goto fail;
		poller_work(p);
	}
	poller_free(p);
	return run.failed;
fail:
	say(stderr, "import", NULL, err.msg);
	poller_free(p);
	return -1;
}

/* Newsboat's own choice: ~/.newsboat when it exists, else XDG. */
static int
newsboat_paths(const char *dir, char **urls, char **cache)
{
	struct err err = {0};
	char *home;
	const char *cfg = getenv("XDG_CONFIG_HOME");
	const char *data = getenv("XDG_DATA_HOME");

	if (dir != NULL) {
		*urls = xasprintf("%s/urls", dir);
		*cache = xasprintf("%s/cache.db", dir);
		return 0;
	}
	home = config_home(&err);
	if (home == NULL) {
		say(stderr, "import", NULL, err.msg);
		return -1;
	}
	*urls = xasprintf("%s/.newsboat/urls", home);
	if (exists(*urls)) {
		*cache = xasprintf("%s/.newsboat/cache.db", home);
		free(home);
		return 0;
	}
	free(*urls);
	if (cfg != NULL && cfg[0] == '/')
		*urls = xasprintf("%s/newsboat/urls", cfg);
	else
		*urls = xasprintf("%s/.config/newsboat/urls", home);
	if (data != NULL && data[0] == '/')
		*cache = xasprintf("%s/newsboat/cache.db", data);
	else
		*cache = xasprintf("%s/.local/share/newsboat/cache.db", home);
	free(home);
	return 0;
}

static int
import_newsboat(const char *dir, const char *db, bool refresh)
{
	struct store_newsboat_stats ns = {0};
	struct err err = {0};
	struct cli_files *files = NULL;
	struct poller_opts o;
	struct urls *u = NULL;
	struct store *st = NULL;
	struct sub *subs = NULL;
	long *ids = NULL;
	char *urls_path = NULL;
	char *cache = NULL;
	long added;
	int status = 1;

	/* The config's poller settings (and COURANT_TIMEOUTS over them), as
	 * for `courant refresh`; a mistake in the files is status 2. */
	files = cli_files_load("import");
	if (files == NULL)
		return 2;
	cli_files_poller_opts(files, &o);
	if (cli_read_timeouts("import", &o) < 0) {
		cli_files_free(files);
		return 2;
	}
	if (newsboat_paths(dir, &urls_path, &cache) < 0) {
		cli_files_free(files);
		return 1;
	}
	u = urls_load(urls_path, &err);
	if (u == NULL) {
		say(stderr, "import", NULL, err.msg);
		goto out;
	}
	if (!u->exists) {
		say(stderr, "import", urls_path, "no such file");
		goto out;
	}
	for (size_t i = 0; i < u->n_warnings; i++) {
		char *m = xasprintf("%s:%d: %s", u->warnings[i].file,
		                    u->warnings[i].line, u->warnings[i].msg);

		say(stderr, "import", NULL, m);
		free(m);
	}
	st = cli_store_open("import", db, 0);
	if (st == NULL)
		goto out;
	subs = xcalloc(u->n + 1, sizeof *subs);
	ids = xcalloc(u->n + 1, sizeof *ids);
	for (size_t i = 0; i < u->n; i++) {
		subs[i].add.url = u->entries[i].url;
		subs[i].add.title = u->entries[i].title;
		subs[i].add.tags = (const char *const *)u->entries[i].tags;
		subs[i].add.n_tags = u->entries[i].n_tags;
		subs[i].add.is_hidden = u->entries[i].is_hidden;
	}
	added = subscribe("import", st, subs, u->n, ids);
	if (added < 0)
		goto out;
	printf("subscribed to %ld new feed%s of %zu\n", added,
	       added == 1 ? "" : "s", u->n);
	fflush(stdout);
	if (refresh && u->n > 0 && fetch_all(st, &o, ids, u->n) < 0)
		goto out;
	if (!exists(cache)) {
		say(stderr, "import", cache,
		    "no such file; no article state to carry over");
		status = 0;
		goto out;
	}
	if (store_newsboat_import(st, cache, &ns, &err) < 0) {
		say(stderr, "import", NULL, err.msg);
		goto out;
	}
	printf("%ld feed%s found in the cache: %ld article%s matched, %ld "
	       "stored from the cache, %ld marked read, %ld starred\n",
	       ns.feeds, ns.feeds == 1 ? "" : "s", ns.matched,
	       ns.matched == 1 ? "" : "s", ns.added, ns.read, ns.starred);
	status = 0;
out:
	free(ids);
	free(subs);
	store_close(st);
	urls_free(u);
	cli_files_free(files);
	free(urls_path);
	free(cache);
	return status;
}

int
cli_import(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"newsboat", no_argument, NULL, 'n'},
	        {"no-refresh", no_argument, NULL, 'R'},
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	bool newsboat = false;
	bool refresh = true;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			newsboat = true;
			break;
		case 'R':
			refresh = false;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(import_usage, stdout);
			return 0;
		default:
			return cli_unknown_option("import", argv);
		}
	}
	if (newsboat) {
		if (argc - optind > 1)
			return cli_usage_error(
			        "import", "--newsboat takes one directory");
		return import_newsboat(optind < argc ? argv[optind] : NULL, db,
		                       refresh);
	}
	if (argc - optind != 1)
		return cli_usage_error("import", "one OPML file is needed");
	if (!refresh)
		return cli_usage_error("import",
		                       "--no-refresh goes with --newsboat");
	return import_opml(argv[optind], db);
}

/* ---- export ------------------------------------------------------------- */

static const char export_usage[] =
        "usage: courant export [--format opml|urls] [--db PATH]\n"
        "\n"
        "Writes the subscriptions on standard output: OPML 2.0 (the "
        "default),\n"
        "with a folder per first tag and every tag as a category, or a urls\n"
        "file in Newsboat's format.\n";

static char *
clean(const char *s)
{
	return s != NULL ? text_sanitize(s, strlen(s), 0, 0) : NULL;
}

static void
export_urls(const struct store_feed_list *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct store_feed *f = &l->feeds[i];
		char **tags = xcalloc(f->n_tags + 1, sizeof *tags);
		struct urls_add a = {0};
		char *line;

		for (size_t k = 0; k < f->n_tags; k++)
			tags[k] = clean(f->tags[k]);
		a.url = f->url;
		a.title = f->user_title;
		a.tags = (const char *const *)tags;
		a.n_tags = f->n_tags;
		line = urls_format_line(&a);
		cli_print_safe(stdout, line);
		fputc('\n', stdout);
		free(line);
		for (size_t k = 0; k < f->n_tags; k++)
			free(tags[k]);
		free(tags);
	}
}

static void
export_opml(const struct store_feed_list *l, size_t n)
{
	struct feed_opml_entry *v = xcalloc(n + 1, sizeof *v);
	struct buf out;

	for (size_t i = 0; i < n; i++) {
		const struct store_feed *f = &l->feeds[i];

		v[i].url = f->url;
		/* The title the user sees, unless it is only the URL. */
		v[i].title = f->title != NULL && strcmp(f->title, f->url) != 0
		                     ? f->title
		                     : NULL;
		v[i].site = f->site_link;
		v[i].tags = f->tags;
		v[i].n_tags = f->n_tags;
	}
	buf_init(&out, 0);
	feed_opml_write(&out, "courant subscriptions", v, n, time(NULL));
	fwrite(out.data, 1, out.len, stdout);
	buf_done(&out);
	free(v);
}

int
cli_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"format", required_argument, NULL, 'f'},
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	const char *format = "opml";
	struct store_feed_list *l;
	struct err err = {0};
	struct store *st;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(export_usage, stdout);
			return 0;
		default:
			return cli_unknown_option("export", argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("export", "unexpected argument '%s'",
		                       argv[optind]);
	if (strcmp(format, "opml") != 0 && strcmp(format, "urls") != 0)
		return cli_usage_error(
		        "export", "--format is opml or urls, not '%s'", format);
	st = cli_store_open("export", db, STORE_OPEN_READONLY);
	if (st == NULL)
		return 1;
	l = store_feeds(st, NULL, &err);
	if (l == NULL) {
		say(stderr, "export", NULL, err.msg);
		store_close(st);
		return 1;
	}
	/* The server's feeds are the server's to export. */
	if (format[0] == 'o')
		export_opml(l, local_first(l));
	else
		export_urls(l, local_first(l));
	store_feed_list_free(l);
	store_close(st);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- remove ------------------------------------------------------------- */

static const char remove_usage[] =
        "usage: courant remove [--db PATH] URL|TITLE...\n"
        "\n"
        "Unsubscribes: the feed's line leaves the urls file (its other lines\n"
        "and comments stay) and the feed leaves the database with all its\n"
        "articles, starred ones too.\n";

int
cli_remove(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	struct store_feed_list *l = NULL;
	size_t n_local;
	struct err err = {0};
	struct store *st;
	char *urls = NULL;
	bool failed;
	int c, status = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(remove_usage, stdout);
			return 0;
		default:
			return cli_unknown_option("remove", argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("remove",
		                       "a feed URL or title is needed");
	st = cli_store_open("remove", db, 0);
	if (st == NULL)
		return 1;
	urls = urls_for("remove", st, &failed);
	if (failed)
		goto fail;
	l = store_feeds(st, NULL, &err);
	if (l == NULL)
		goto store_fail;
	n_local = local_first(l);
	for (int i = optind; i < argc; i++) {
		const char *key = argv[i];
		const struct store_feed *f = NULL;
		const char *url = key;
		int in_file = 0;

		/* Local feeds first, then the server's: those are only
		 * named, to say where to unsubscribe. */
		for (size_t k = 0; k < l->n && f == NULL; k++)
			if (strcmp(l->feeds[k].url, key) == 0)
				f = &l->feeds[k];
		for (size_t k = 0; k < l->n && f == NULL; k++)
			if (l->feeds[k].title != NULL &&
			    strcmp(l->feeds[k].title, key) == 0)
				f = &l->feeds[k];
		if (f != NULL && f >= l->feeds + n_local) {
			say(stderr, "remove", key,
			    "is a feed of the sync server: unsubscribe there "
			    "(the next sync removes it here)");
			status = 1;
			continue;
		}
		if (f != NULL)
			url = f->url;
		if (urls != NULL) {
			in_file = urls_file_remove(urls, url, &err);
			if (in_file < 0)
				goto store_fail;
		}
		if (f != NULL && store_feed_remove(st, f->id, &err) < 0)
			goto store_fail;
		if (f == NULL && in_file == 0) {
			say(stderr, "remove", key, "no such feed");
			status = 1;
			continue;
		}
		fputs("removed ", stdout);
		cli_print_safe(stdout, url);
		fputc('\n', stdout);
	}
	goto out;
store_fail:
	say(stderr, "remove", NULL, err.msg);
fail:
	status = 1;
out:
	store_feed_list_free(l);
	store_close(st);
	free(urls);
	return status;
}
