// SPDX-License-Identifier: MIT
/*
 * The user's files for the reader: the config file and the urls file of
 * this run are read and checked before the terminal is touched, key
 * bindings and colours are checked against the reader's own tables so
 * that a mistake is reported as FILE:LINE, and the store's feed list is
 * synced with the urls file.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "courant/cli.h"
#include "courant/config.h"
#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/ui.h"
#include "courant/util.h"

#include "private.h"

/* What the reader asks about one feed of the urls file. */
struct files_feed {
	const char *url; /* lent by urls */
	bool is_hidden;
	char **browser; /* its own browser, split; NULL: the global one */
};

struct cli_files {
	struct config_paths paths;
	struct store *st;         /* for a reload; set by cli_files_apply() */
	struct files_feed *feeds; /* sorted by url */
	size_t n_feeds;
	struct config *config;
	struct urls *urls;
	struct ui_keymap *keys;
	struct ui_theme *theme;
	char **sync_argv; /* the reader's background `courant sync` */
};

static void
print_line_error(const char *cmd, const char *file, int line, const char *msg)
{
	char *m = xasprintf("%s:%d: %s", file, line, msg);

	fprintf(stderr, "courant%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	cli_print_safe(stderr, m);
	fputc('\n', stderr);
	free(m);
}

static void
print_warnings(const char *cmd, const struct config_warning *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *m = xasprintf("warning: %s", w[i].msg);

		print_line_error(cmd, w[i].file, w[i].line, m);
		free(m);
	}
}

static int
cmp_feed(const void *a, const void *b)
{
	return strcmp(((const struct files_feed *)a)->url,
	              ((const struct files_feed *)b)->url);
}

static void
free_feed_table(struct cli_files *f)
{
	for (size_t i = 0; i < f->n_feeds; i++)
		ui_argv_free(f->feeds[i].browser);
	free(f->feeds);
	f->feeds = NULL;
	f->n_feeds = 0;
}

/* The hidden flag and browser of every feed of the urls file. */
static void
build_feed_table(struct cli_files *f)
{
	const char *global = f->config->set.browser;

	free_feed_table(f);
	f->feeds = xcalloc(f->urls->n + 1, sizeof *f->feeds);
	for (size_t i = 0; i < f->urls->n; i++) {
		const struct urls_entry *e = &f->urls->entries[i];
		struct files_feed *ff = &f->feeds[f->n_feeds++];
		struct config_feed_settings fs;

		config_feed_settings(f->config, e->url,
		                     (const char *const *)e->tags, e->n_tags,
		                     &fs);
		ff->url = e->url;
		ff->is_hidden = e->is_hidden;
		/* Checked when the config was read: a split cannot fail. */
		if (fs.browser != NULL && *fs.browser != '\0' &&
		    !str_eq(fs.browser, global ? global : ""))
			ff->browser = ui_split_command(fs.browser, NULL);
	}
	qsort(f->feeds, f->n_feeds, sizeof *f->feeds, cmp_feed);
}

static void
feed_conf(void *arg, const char *url, struct ui_feed_conf *out)
{
	struct cli_files *f = arg;
	struct files_feed key = {.url = url};
	const struct files_feed *ff;

	out->is_hidden = false;
	out->browser = NULL;
	if (url == NULL || f->n_feeds == 0)
		return;
	ff = bsearch(&key, f->feeds, f->n_feeds, sizeof *f->feeds, cmp_feed);
	if (ff != NULL) {
		out->is_hidden = ff->is_hidden;
		out->browser = ff->browser;
	}
}

/* The reader's `reload`: the urls file again, and the store synced. */
static int
reload(void *arg, struct err *err)
{
	struct cli_files *f = arg;
	struct urls *u = urls_load(f->paths.urls, err);

	if (u == NULL)
		return -1;
	if (!u->exists) {
		err_set(err, ERR_IO, "%s: no such file", f->paths.urls);
		urls_free(u);
		return -1;
	}
	if (config_sync_feeds(f->st, u, f->config, NULL, err) < 0) {
		urls_free(u);
		return -1;
	}
	urls_free(f->urls);
	f->urls = u;
	build_feed_table(f);
	return 0;
}

/* The poller's per-feed interval: `feed X set refresh-interval`. */
static long
feed_interval(const struct store_feed *sf, void *arg)
{
	const struct config *c = arg;
	struct config_feed_settings fs;

	config_feed_settings(c, sf->url, (const char *const *)sf->tags,
	                     sf->n_tags, &fs);
	return fs.refresh_interval;
}

static const char *const views[] = {"feeds", "articles", "reader", "help",
                                    "all"};

/* The binds and colours as the reader understands them. */
static int
build_ui_tables(const char *cmd, struct cli_files *f)
{
	struct config *c = f->config;
	struct err err = {0};

	f->keys = ui_keymap_new();
	f->theme = ui_theme_new();
	for (size_t i = 0; i < c->n_binds; i++) {
		const struct config_bind *b = &c->binds[i];
		int r = 0;

		if (b->action != NULL || b->view != NULL) {
			r = ui_bind(f->keys, b->key, b->view ? b->view : "all",
			            b->action ? b->action : "none", &err);
		} else {
			/* unbind KEY: in every view. */
			for (size_t v = 0; v < 5 && r == 0; v++)
				r = ui_bind(f->keys, b->key, views[v], "none",
				            &err);
		}
		if (r < 0) {
			print_line_error(cmd, b->file, b->line, err.msg);
			return -1;
		}
	}
	for (size_t i = 0; i < c->n_colors; i++) {
		const struct config_color *cl = &c->colors[i];
		struct buf attrs;
		int r;

		buf_init(&attrs, 0);
		for (size_t k = 0; k < cl->n_attrs; k++) {
			if (k > 0)
				buf_putc(&attrs, ' ');
			buf_puts(&attrs, cl->attrs[k]);
		}
		r = ui_color(f->theme, cl->element, cl->fg, cl->bg,
		             cl->n_attrs ? attrs.data : NULL, &err);
		buf_done(&attrs);
		if (r < 0) {
			print_line_error(cmd, cl->file, cl->line, err.msg);
			return -1;
		}
	}
	return 0;
}

struct cli_files *
cli_files_load(const char *cmd)
{
	struct cli_files *f = xcalloc(1, sizeof *f);
	struct err err = {0};

	if (config_paths_init(&f->paths, cli_config_path(), cli_urls_path(),
	                      NULL, &err) < 0)
		goto fail;
	f->config =
	        config_load(f->paths.config, f->paths.config_is_explicit, &err);
	if (f->config == NULL)
		goto fail;
	f->urls = urls_load(f->paths.urls, &err);
	if (f->urls == NULL)
		goto fail;
	if (f->urls->exists == false && f->paths.urls_is_explicit) {
		err_set(&err, ERR_IO, "%s: no such file", f->paths.urls);
		goto fail;
	}
	print_warnings(cmd, f->config->warnings, f->config->n_warnings);
	print_warnings(cmd, f->urls->warnings, f->urls->n_warnings);
	if (build_ui_tables(cmd, f) < 0) {
		cli_files_free(f);
		return NULL;
	}
	build_feed_table(f);
	return f;
fail:
	fprintf(stderr, "courant%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	cli_print_safe(stderr, err.msg);
	fputc('\n', stderr);
	cli_files_free(f);
	return NULL;
}

static enum ui_layout
layout(enum config_layout l)
{
	switch (l) {
	case CONFIG_LAYOUT_SINGLE:
		return UI_LAYOUT_SINGLE;
	case CONFIG_LAYOUT_SIDE:
		return UI_LAYOUT_SIDE;
	case CONFIG_LAYOUT_STACKED:
		return UI_LAYOUT_STACKED;
	case CONFIG_LAYOUT_AUTO:
		break;
	}
	return UI_LAYOUT_AUTO;
}

/* The layout picked in the reader, kept for the next start; a failure to
 * save it is not worth interrupting the reader for. */
static void
remember_layout(void *arg, enum ui_layout l)
{
	(void)arg;
	config_state_set("layout", ui_layout_name(l), NULL);
}

static enum ui_start_view
start_view(enum config_view v)
{
	switch (v) {
	case CONFIG_VIEW_ARTICLES:
		return UI_START_ARTICLES;
	case CONFIG_VIEW_UNREAD:
		return UI_START_UNREAD;
	case CONFIG_VIEW_FEEDS:
		break;
	}
	return UI_START_FEEDS;
}

/* Descriptors kept free for what opens after the poller's options are
 * set: curl's wake-up pair, the reader's signal pipe, a terminfo file;
 * and the database, its -wal and -shm when the store is not open yet. */
#define FD_RESERVE 6
#define FD_STORE 3
/* A download holds a socket, and a socket pair while it resolves. */
#define FD_PER_TRANSFER 3

/*
 * Fewer downloads at once under a low `ulimit -n`: with every descriptor
 * taken, curl's socket() fails and each feed reads "could not connect to
 * the server", which sends the user looking at the network. When not even
 * curl's wake-up pair and one socket fit, say why once.
 */
static void
fit_descriptor_limit(struct poller_opts *po, bool store_open)
{
	struct rlimit rl;
	long used = store_open ? 0 : FD_STORE;
	long fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 4096)
		return;
	for (int fd = 0; fd < (int)rl.rlim_cur; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			used++;
	if ((long)rl.rlim_cur - used < 3)
		fprintf(stderr,
		        "courant: only %ld files may be open at once (ulimit "
		        "-n): downloads may fail; raise the limit\n",
		        (long)rl.rlim_cur);
	fit = ((long)rl.rlim_cur - used - FD_RESERVE) / FD_PER_TRANSFER;
	if (fit < 1)
		fit = 1;
	if (po->max_transfers > fit)
		po->max_transfers = (int)fit;
	if (po->max_host > fit)
		po->max_host = (int)fit;
}

void
cli_files_poller_opts(const struct cli_files *f, struct poller_opts *po)
{
	const struct config *c = f->config;

	config_poller_opts(c, po);
	fit_descriptor_limit(po, f->st != NULL);
	for (size_t i = 0; i < c->n_rules; i++)
		if (c->rules[i].set.refresh_interval >= 0) {
			po->feed_interval = feed_interval;
			po->feed_interval_arg = (void *)c;
		}
}

int
cli_files_sync(const char *cmd, struct cli_files *f, struct store *st)
{
	struct store_retention r;
	struct err err = {0};

	f->st = st;
	config_retention(f->config, &r);
	store_set_retention(st, &r);
	if (!f->urls->exists)
		return 0;
	if (config_sync_feeds(st, f->urls, f->config, NULL, &err) < 0) {
		fprintf(stderr, "courant%s%s: ", cmd ? " " : "",
		        cmd ? cmd : "");
		cli_print_safe(stderr, err.msg);
		fputc('\n', stderr);
		return -1;
	}
	return 0;
}

/* The reader syncs in a child process, this very program run as `courant
 * --db DB -c CONFIG [-u URLS] sync --progress`, so that it uses the same
 * store and files and the reader's loop never runs libcurl or JSON. NULL
 * without a sync server (or when this program cannot be found). */
static char **
sync_argv(const struct cli_files *f, struct store *st)
{
	char exe[4096];
	ssize_t n;
	char **argv;
	size_t i = 0;

	if (f->config->set.sync == CONFIG_SYNC_NONE)
		return NULL;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	argv = xcalloc(10, sizeof *argv);
	argv[i++] = xstrdup(exe);
	argv[i++] = xstrdup("--db");
	argv[i++] = xstrdup(store_path(st));
	argv[i++] = xstrdup("-c");
	argv[i++] = xstrdup(f->paths.config);
	if (f->urls->exists) {
		argv[i++] = xstrdup("-u");
		argv[i++] = xstrdup(f->paths.urls);
	}
	argv[i++] = xstrdup("sync");
	argv[i++] = xstrdup("--progress");
	return argv;
}

int
cli_files_apply(const char *cmd, struct cli_files *f, struct store *st,
                struct ui_options *o, struct poller_opts *po)
{
	const struct config_settings *s = &f->config->set;
	long every = s->refresh_interval;

	f->st = st;
	cli_files_poller_opts(f, po);
	o->browser = s->browser_argv;
	o->layout = layout(s->layout);
	/* A layout set in the config file is the user's rule; otherwise the
	 * one last picked in the reader is remembered. */
	if (s->layout == CONFIG_LAYOUT_AUTO) {
		char *last = config_state_get("layout");

		if (last != NULL)
			ui_layout_parse(last, &o->layout, NULL);
		free(last);
	}
	o->show_read = s->show_read_articles;
	o->confirm_quit = s->confirm_quit;
	o->mouse = s->mouse;
	o->osc52 = s->osc52;
	o->refresh_on_start = s->refresh_on_start;
	/* With per-feed intervals the poller looks for due feeds as often
	 * as the shortest one asks. */
	if (po->feed_interval != NULL)
		for (size_t i = 0; i < f->config->n_rules; i++) {
			long r_every = f->config->rules[i].set.refresh_interval;

			if (r_every > 0 && (every == 0 || r_every < every))
				every = r_every;
		}
	o->refresh_interval = every;
	o->start_view = start_view(s->default_view);
	o->show_read_feeds = s->show_read_feeds;
	o->date_format = s->date_format;
	o->keys = f->keys;
	o->theme = f->theme;
	o->feed_conf = feed_conf;
	o->reload = reload;
	o->remember_layout = remember_layout;
	o->files_arg = f;
	o->sync_argv = f->sync_argv = sync_argv(f, st);
	/* The demo feeds are for a first run: a urls file, even an empty
	 * one, is the user's own list, and so are a sync server's feeds. */
	if (f->urls->exists || f->config->set.sync != CONFIG_SYNC_NONE)
		o->demo_dir = "";
	return cli_files_sync(cmd, f, st);
}

const struct config *
cli_files_config(const struct cli_files *f)
{
	return f->config;
}

void
cli_files_free(struct cli_files *f)
{
	if (f == NULL)
		return;
	free_feed_table(f);
	ui_argv_free(f->sync_argv);
	ui_keymap_free(f->keys);
	ui_theme_free(f->theme);
	urls_free(f->urls);
	config_free(f->config);
	config_paths_done(&f->paths);
	free(f);
}
