// SPDX-License-Identifier: MIT
/*
 * The user's files for the reader: the config file and the urls file of
 * this run are read and checked before the terminal is touched, key
 * bindings and colours are checked against the reader's own tables so
 * that a mistake is reported as FILE:LINE, and the store's feed list is
 * synced with the urls file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courant/cli.h"
#include "courant/config.h"
#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/ui.h"
#include "courant/util.h"

struct cli_files {
	struct config_paths paths;
	struct config *config;
	struct urls *urls;
	struct ui_keymap *keys;
	struct ui_theme *theme;
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

int
cli_files_apply(const char *cmd, struct cli_files *f, struct store *st,
                struct ui_options *o, struct poller_opts *po)
{
	const struct config_settings *s = &f->config->set;
	struct store_retention r;
	struct err err = {0};

	config_poller_opts(f->config, po);
	config_retention(f->config, &r);
	store_set_retention(st, &r);
	o->browser = s->browser_argv;
	o->layout = layout(s->layout);
	o->show_read = s->show_read_articles;
	o->confirm_quit = s->confirm_quit;
	o->mouse = s->mouse;
	o->osc52 = s->osc52;
	o->refresh_on_start = s->refresh_on_start;
	o->refresh_interval = s->refresh_interval;
	o->keys = f->keys;
	o->theme = f->theme;
	/* The demo feeds are for a first run: a urls file, even an empty
	 * one, is the user's own list. */
	if (!f->urls->exists)
		return 0;
	o->demo_dir = "";
	if (config_sync_feeds(st, f->urls, f->config, NULL, &err) < 0) {
		fprintf(stderr, "courant%s%s: ", cmd ? " " : "",
		        cmd ? cmd : "");
		cli_print_safe(stderr, err.msg);
		fputc('\n', stderr);
		return -1;
	}
	return 0;
}

void
cli_files_free(struct cli_files *f)
{
	if (f == NULL)
		return;
	ui_keymap_free(f->keys);
	ui_theme_free(f->theme);
	urls_free(f->urls);
	config_free(f->config);
	config_paths_done(&f->paths);
	free(f);
}
