// SPDX-License-Identifier: MIT
/*
 * The reader: views, drawing and the one event loop. Everything is drawn
 * into curses' virtual screen on each pass that something changed, and
 * doupdate() sends the terminal only the cells that differ, so moving the
 * selection costs a few bytes (the selection is a marker and the cursor,
 * not a reversed line, for that reason). Lists hold a few pages of rows
 * around the selection (keyset pagination in the store), so memory does
 * not grow with the number of stored articles.
 */
#include "config.h"

#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "courant/fetch.h"
#include "courant/render.h"
#include "courant/store.h"
#include "courant/text.h"
#include "courant/ui.h"
#include "courant/util.h"

#include "private.h"

#define PAGE_ROWS 100  /* rows per store page */
#define MAX_PAGES 6    /* pages kept around the selection */
#define MAX_UNDO 20000 /* ids kept to undo a mark-all-read */
#define TICK_MS 2000   /* how often another process's writes are checked */
#define SEARCH_LIMIT 500
#define NO_FEEDS_HINT "No feeds yet: add one with 'courant add URL'."

/* ---- state -------------------------------------------------------------- */

enum entry_kind { ENTRY_UNREAD, ENTRY_STARRED, ENTRY_TAG, ENTRY_FEED };

struct entry {
	enum entry_kind kind;
	const char *label; /* lent by the feed list, or static */
	const char *tag;   /* ENTRY_TAG, lent */
	long feed_id;
	long unread, total;
	bool failed;
	const char *const *tags; /* ENTRY_FEED, lent */
	size_t n_tags;
};

struct list {
	struct store_view v;
	char *tag;   /* owned copy behind v.tag */
	char *title; /* the header line */
	char *query; /* a search, or NULL */
	struct store_page **pages;
	size_t n_pages;
	long base; /* index of the first row of pages[0] */
	bool more_older, more_newer;
	bool known; /* base is the true index (the top was seen) */
	long sel, top;
	long count;
};

enum prompt_kind {
	PROMPT_NONE,
	PROMPT_SEARCH,
	PROMPT_COMMAND,
	PROMPT_TAG,
	PROMPT_LINK,
	PROMPT_QUIT,
};

struct ui {
	struct store *st;
	struct poller *p;
	struct ui_options o;
	struct ui_keymap *km, *own_km;
	struct ui_theme *th, *own_th;
	char **env_browser;
	bool ascii, colour, started;
	int cols, rows;
	struct ui_geometry g;
	enum ui_layout layout;
	enum ui_view view, before_help;
	bool unread_only;

	struct store_feed_list *feeds;
	struct entry *entries;
	size_t n_entries;
	char **tag_names;
	size_t n_tags;
	long fsel, ftop;

	struct list list;
	bool have_list;

	long item_id; /* in the reader (or following the selection) */
	struct store_item *item;
	struct render_doc *head, *doc;
	int doc_width;
	long rtop;

	char **help;
	size_t n_help;
	long htop;

	enum prompt_kind prompt;
	struct buf input;
	char message[512];
	bool message_error;
	char *popup; /* a long text shown until the next key */
	long count;  /* digits typed before a key */

	long *undo;
	size_t n_undo;

	int refresh_total, refresh_done, refresh_failed, refresh_new;
	bool feeds_stale, list_stale, dirty, quit;
	bool keep_message; /* the first-run hint outlives the refresh */
	struct timespec last_tick;
	pid_t *children;
	size_t n_children;
	struct ui_job sync; /* `courant sync`, when a server is set up */
	struct timespec last_sync;
	char sync_error[256];
	wchar_t *wbuf;
	size_t wcap;
	char *demo_dir;
};

static void set_message(struct ui *ui, bool is_error, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void
set_message(struct ui *ui, bool is_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	ui->message_error = is_error;
	ui->dirty = true;
}

/* ---- signals: handlers only set a flag and write to the self-pipe ------- */

static volatile sig_atomic_t got_quit, got_winch;
static int sig_pipe[2] = {-1, -1};
static bool curses_on;

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_quit = sig;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], &c, 1) < 0) {
		/* The pipe is full: a wake-up is pending anyway. */
	}
	errno = saved;
}

static void
restore_terminal(void)
{
	if (curses_on) {
		endwin();
		curses_on = false;
	}
}

static int
setup_signals(struct err *err)
{
	struct sigaction sa;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH};

	if (sig_pipe[0] < 0) {
		if (pipe(sig_pipe) < 0) {
			err_set(err, ERR_IO, "pipe: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < 2; i++) {
			fcntl(sig_pipe[i], F_SETFL,
			      fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
			fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	/* Installed before newterm(), so that curses keeps its hands off
	 * them; it still handles SIGTSTP (Ctrl-Z) itself, which suspends
	 * and restores the screen. */
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

static void
reset_signals(void)
{
	struct sigaction sa;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH};

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- drawing: the one helper that puts text on the screen --------------- */

static attr_t
style_attr(const struct ui *ui, enum ui_element e)
{
	const struct ui_style *s = &ui->th->el[e];
	attr_t a = A_NORMAL;

	if (s->attrs & UI_A_BOLD)
		a |= A_BOLD;
	if (s->attrs & UI_A_DIM)
		a |= A_DIM;
	if (s->attrs & UI_A_UNDERLINE)
		a |= A_UNDERLINE;
	if (s->attrs & UI_A_REVERSE)
		a |= A_REVERSE;
	if (s->attrs & UI_A_STANDOUT)
		a |= A_STANDOUT;
#ifdef A_ITALIC
	if (s->attrs & UI_A_ITALIC)
		a |= A_ITALIC;
#endif
	if (ui->colour)
		a |= COLOR_PAIR(e + 1);
	return a;
}

static void
setup_colours(struct ui *ui)
{
	const char *nc = getenv("NO_COLOR");

	ui->colour = false;
	if (!has_colors() || (nc != NULL && *nc != '\0'))
		return;
	if (start_color() == ERR)
		return;
	use_default_colors();
	ui->colour = true;
	for (int e = 0; e < UI_EL_COUNT && e + 1 < COLOR_PAIRS; e++) {
		int fg = ui->th->el[e].fg, bg = ui->th->el[e].bg;

		if (fg >= COLORS)
			fg = -1;
		if (bg >= COLORS)
			bg = -1;
		init_pair((short)(e + 1), (short)fg, (short)bg);
	}
}

/*
 * Draws s[0..n) at (y, x) in at most width columns with attribute a, after
 * the terminal sanitizer (whatever s is, nothing but printable text gets
 * through), clipped with an ellipsis by display width; pads with spaces to
 * width when pad is set. Returns the columns used.
 */
static int
put(struct ui *ui, int y, int x, int width, const char *s, size_t n, attr_t a,
    bool pad)
{
	char *clean;
	size_t keep, nclean, wn = 0;
	bool ell;
	int cols = 0;

	if (width <= 0 || y < 0 || y >= ui->rows || x >= ui->cols)
		return 0;
	if (x + width > ui->cols)
		width = ui->cols - x;
	clean = text_sanitize(s ? s : "", s ? n : 0, TEXT_FOR_TERMINAL, 0);
	nclean = strlen(clean);
	keep = ui_clip(clean, nclean, width, ui->ascii, &ell, &cols);
	if (ui->wcap < keep + 2) {
		ui->wcap = keep + 64;
		ui->wbuf = xreallocarray(ui->wbuf, ui->wcap, sizeof *ui->wbuf);
	}
	for (size_t i = 0; i < keep;) {
		uint32_t cp;

		i += utf8_decode(clean + i, keep - i, &cp);
		if (ui->ascii && cp >= 0x80)
			cp = '?';
		ui->wbuf[wn++] = (wchar_t)cp;
	}
	if (ell)
		ui->wbuf[wn++] = ui->ascii ? L'~' : (wchar_t)0x2026;
	ui->wbuf[wn] = 0;
	attrset(a);
	mvaddnwstr(y, x, ui->wbuf, (int)wn);
	if (pad && cols < width)
		mvhline(y, x + cols, ' ', width - cols);
	attrset(A_NORMAL);
	free(clean);
	return pad ? width : cols;
}

static int
puts_at(struct ui *ui, int y, int x, int width, const char *s, attr_t a,
        bool pad)
{
	return put(ui, y, x, width, s, s ? strlen(s) : 0, a, pad);
}

/* ---- feeds -------------------------------------------------------------- */

static void
free_feeds(struct ui *ui)
{
	store_feed_list_free(ui->feeds);
	ui->feeds = NULL;
	free(ui->entries);
	ui->entries = NULL;
	ui->n_entries = 0;
	free(ui->tag_names);
	ui->tag_names = NULL;
	ui->n_tags = 0;
}

static bool
has_tag(char **tags, size_t n, const char *t)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq(tags[i], t))
			return true;
	return false;
}

static struct entry *
add_entry(struct ui *ui, enum entry_kind kind, const char *label)
{
	struct entry *e;

	ui->entries = xreallocarray(ui->entries, ui->n_entries + 1,
	                            sizeof *ui->entries);
	e = &ui->entries[ui->n_entries++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->label = label;
	return e;
}

/* Re-reads the feed list and its counts, keeping the selection. */
static void
load_feeds(struct ui *ui)
{
	struct err err = {0};
	struct store_feed_list *l = store_feeds(ui->st, NULL, &err);
	long unread = 0, starred = 0, sel_id = -1;
	struct entry *e;

	if (l == NULL) {
		set_message(ui, true, "%s", err.msg);
		return;
	}
	if (ui->fsel >= 0 && (size_t)ui->fsel < ui->n_entries &&
	    ui->entries[ui->fsel].kind == ENTRY_FEED)
		sel_id = ui->entries[ui->fsel].feed_id;
	free_feeds(ui);
	ui->feeds = l;
	for (size_t i = 0; i < l->n; i++) {
		unread += l->feeds[i].n_unread;
		starred += l->feeds[i].n_starred;
		for (size_t t = 0; t < l->feeds[i].n_tags; t++)
			if (!has_tag(ui->tag_names, ui->n_tags,
			             l->feeds[i].tags[t])) {
				ui->tag_names = xreallocarray(
				        ui->tag_names, ui->n_tags + 1,
				        sizeof *ui->tag_names);
				ui->tag_names[ui->n_tags++] =
				        l->feeds[i].tags[t];
			}
	}
	e = add_entry(ui, ENTRY_UNREAD, "All unread");
	e->unread = e->total = unread;
	e = add_entry(ui, ENTRY_STARRED, "Starred");
	e->total = starred;
	for (size_t t = 0; t < ui->n_tags; t++) {
		e = add_entry(ui, ENTRY_TAG, ui->tag_names[t]);
		e->tag = ui->tag_names[t];
		for (size_t i = 0; i < l->n; i++)
			if (has_tag(l->feeds[i].tags, l->feeds[i].n_tags,
			            e->tag)) {
				e->unread += l->feeds[i].n_unread;
				e->total += l->feeds[i].n_items;
			}
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct store_feed *f = &l->feeds[i];

		if ((ui->unread_only || !ui->o.show_read_feeds) &&
		    f->n_unread == 0 && f->id != sel_id)
			continue;
		if (ui->o.feed_conf != NULL) {
			struct ui_feed_conf fc = {0};

			/* Hidden: out of the list, its articles still in
			 * "All unread", "Starred", tags and searches. */
			ui->o.feed_conf(ui->o.files_arg, f->url, &fc);
			if (fc.is_hidden)
				continue;
		}
		e = add_entry(ui, ENTRY_FEED, f->title ? f->title : f->url);
		e->feed_id = f->id;
		e->unread = f->n_unread;
		e->total = f->n_items;
		e->failed = f->last_error != NULL || f->is_dead;
		e->tags = (const char *const *)f->tags;
		e->n_tags = f->n_tags;
		if (f->id == sel_id)
			ui->fsel = (long)ui->n_entries - 1;
	}
	if (ui->fsel >= (long)ui->n_entries)
		ui->fsel = (long)ui->n_entries - 1;
	if (ui->fsel < 0)
		ui->fsel = 0;
	ui->feeds_stale = false;
	ui->dirty = true;
}

static const struct store_feed *
feed_by_id(const struct ui *ui, long id)
{
	if (ui->feeds == NULL)
		return NULL;
	for (size_t i = 0; i < ui->feeds->n; i++)
		if (ui->feeds->feeds[i].id == id)
			return &ui->feeds->feeds[i];
	return NULL;
}

/* ---- article lists: a window of pages around the selection ------------- */

static void
list_drop_pages(struct list *l)
{
	for (size_t i = 0; i < l->n_pages; i++)
		store_page_free(l->pages[i]);
	free(l->pages);
	l->pages = NULL;
	l->n_pages = 0;
}

static void
list_done(struct list *l)
{
	list_drop_pages(l);
	free(l->tag);
	free(l->title);
	free(l->query);
	memset(l, 0, sizeof *l);
}

static long
list_end(const struct list *l)
{
	long n = l->base;

	for (size_t i = 0; i < l->n_pages; i++)
		n += (long)l->pages[i]->n;
	return n;
}

static struct store_row *
list_row(struct list *l, long i)
{
	long at = l->base;

	if (i < at)
		return NULL;
	for (size_t p = 0; p < l->n_pages; p++) {
		if (i < at + (long)l->pages[p]->n)
			return &l->pages[p]->rows[i - at];
		at += (long)l->pages[p]->n;
	}
	return NULL;
}

static struct store_page *
fetch_page(struct ui *ui, struct list *l, const struct store_cursor *after,
           enum store_dir dir)
{
	struct err err = {0};
	struct store_page *pg;

	if (l->query != NULL)
		pg = after == NULL ? store_search(ui->st, l->query,
		                                  SEARCH_LIMIT, &err)
		                   : NULL;
	else
		pg = store_items(ui->st, &l->v, after, dir, PAGE_ROWS, &err);
	if (pg == NULL && err.code != ERR_NONE)
		set_message(ui, true, "%s", err.msg);
	return pg;
}

/* Makes row i present when it exists; false when it does not. */
static bool
list_load(struct ui *ui, struct list *l, long i)
{
	while (i >= list_end(l) && l->more_older && l->n_pages > 0) {
		struct store_page *last = l->pages[l->n_pages - 1];
		struct store_cursor c;
		struct store_page *pg;

		if (last->n == 0)
			break;
		c = store_row_cursor(&last->rows[last->n - 1]);
		pg = fetch_page(ui, l, &c, STORE_OLDER);
		if (pg == NULL)
			break;
		l->more_older = pg->more;
		if (pg->n == 0) {
			store_page_free(pg);
			break;
		}
		l->pages = xreallocarray(l->pages, l->n_pages + 1,
		                         sizeof *l->pages);
		l->pages[l->n_pages++] = pg;
		if (l->n_pages > MAX_PAGES) {
			l->base += (long)l->pages[0]->n;
			store_page_free(l->pages[0]);
			memmove(l->pages, l->pages + 1,
			        --l->n_pages * sizeof *l->pages);
			l->more_newer = true;
		}
	}
	while (i < l->base && l->more_newer && l->n_pages > 0) {
		struct store_cursor c = store_row_cursor(&l->pages[0]->rows[0]);
		struct store_page *pg = fetch_page(ui, l, &c, STORE_NEWER);

		if (pg == NULL)
			break;
		l->more_newer = pg->more;
		if (pg->n == 0) {
			store_page_free(pg);
			l->more_newer = false;
		} else {
			l->pages = xreallocarray(l->pages, l->n_pages + 1,
			                         sizeof *l->pages);
			memmove(l->pages + 1, l->pages,
			        l->n_pages * sizeof *l->pages);
			l->pages[0] = pg;
			l->n_pages++;
			l->base -= (long)pg->n;
			if (l->n_pages > MAX_PAGES) {
				store_page_free(l->pages[--l->n_pages]);
				l->more_older = true;
			}
		}
		if (!l->more_newer && !l->known) {
			/* The top is reached: indexes become true ones. */
			long shift = -l->base;

			l->base += shift;
			l->sel += shift;
			l->top += shift;
			i += shift;
			l->known = true;
		}
	}
	return i >= l->base && i < list_end(l);
}

static void
list_count(struct ui *ui, struct list *l)
{
	if (l->query != NULL)
		l->count = list_end(l);
	else
		l->count = store_count(ui->st, &l->v, NULL);
}

/* Loads the first page of l's view. */
static void
list_reset(struct ui *ui, struct list *l)
{
	struct store_page *pg;

	list_drop_pages(l);
	l->base = l->sel = l->top = 0;
	l->known = true;
	l->more_newer = l->more_older = false;
	pg = fetch_page(ui, l, NULL, STORE_OLDER);
	if (pg != NULL) {
		l->pages = xmalloc(sizeof *l->pages);
		l->pages[0] = pg;
		l->n_pages = 1;
		l->more_older = pg->more;
	}
	list_count(ui, l);
}

/*
 * Loads the oldest page of l's view alone (G), asking the store for it
 * directly: walking there page by page would read every row of a list of
 * 100,000 and fill SQLite's page cache with them. The index of its first
 * row comes from a fresh count.
 */
static void
list_load_last(struct ui *ui, struct list *l)
{
	const struct store_cursor below = {INT64_MIN, LONG_MIN};
	struct store_page *pg;

	if (!l->more_older || l->query != NULL)
		return; /* the whole list is loaded already */
	pg = fetch_page(ui, l, &below, STORE_NEWER);
	if (pg == NULL || pg->n == 0) {
		store_page_free(pg);
		return;
	}
	list_drop_pages(l);
	l->pages = xmalloc(sizeof *l->pages);
	l->pages[0] = pg;
	l->n_pages = 1;
	l->more_older = false;
	l->more_newer = pg->more;
	list_count(ui, l);
	if (l->count < (long)pg->n)
		l->count = (long)pg->n;
	l->base = l->count - (long)pg->n;
	l->known = true;
	l->sel = l->top = l->base;
}

static void open_item(struct ui *ui, long id, bool mark);

/* The reader follows the selection in a split layout. */
static void
follow_selection(struct ui *ui)
{
	struct store_row *r;

	if (ui->g.split == UI_SPLIT_NONE || !ui->have_list ||
	    ui->view != UI_VIEW_ARTICLES)
		return;
	r = list_row(&ui->list, ui->list.sel);
	if (r != NULL && r->id != ui->item_id)
		open_item(ui, r->id, false);
	else if (r == NULL)
		open_item(ui, 0, false);
}

/* Moves the selection to i (clamped to what exists). */
static void
list_select(struct ui *ui, struct list *l, long i)
{
	int h = ui->g.list.h > 0 ? ui->g.list.h : 1;

	if (!list_load(ui, l, i)) {
		if (i < l->base)
			i = l->base;
		else
			i = list_end(l) - 1;
	}
	if (i < l->base)
		i = l->base;
	l->sel = i;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + h)
		l->top = l->sel - h + 1;
	if (l->top < l->base)
		l->top = l->base;
	ui->dirty = true;
	follow_selection(ui);
}

/* Re-reads l keeping the selected article under the selection. */
static void
list_reload(struct ui *ui, struct list *l)
{
	struct store_row *r = list_row(l, l->sel);
	long id = r ? r->id : 0, sel = l->sel, top = l->top;

	if (!l->known || sel > 5000) {
		list_reset(ui, l);
		list_select(ui, l, 0);
		return;
	}
	list_reset(ui, l);
	list_load(ui, l, sel + PAGE_ROWS / 2);
	/* New articles above push it down: find it again nearby. */
	for (long i = sel; id != 0 && i < sel + PAGE_ROWS / 2; i++) {
		r = list_row(l, i);
		if (r != NULL && r->id == id) {
			top += i - sel;
			sel = i;
			break;
		}
	}
	l->top = top;
	list_select(ui, l, sel);
}

static void
list_open_view(struct ui *ui, const struct store_view *v, const char *tag,
               const char *query, const char *title)
{
	list_done(&ui->list);
	ui->list.v = *v;
	if (tag != NULL) {
		ui->list.tag = xstrdup(tag);
		ui->list.v.tag = ui->list.tag;
	}
	ui->list.query = query ? xstrdup(query) : NULL;
	ui->list.title = xstrdup(title);
	ui->list.v.unread_only = ui->list.v.unread_only || ui->unread_only;
	ui->have_list = true;
	list_reset(ui, &ui->list);
	ui->view = UI_VIEW_ARTICLES;
	ui->item_id = -1;
	list_select(ui, &ui->list, 0);
	ui->dirty = true;
}

static void
open_entry(struct ui *ui, const struct entry *e)
{
	struct store_view v = {0};
	char *title;

	switch (e->kind) {
	case ENTRY_UNREAD:
		v.scope = STORE_ALL;
		v.unread_only = true;
		list_open_view(ui, &v, NULL, NULL, "All unread");
		return;
	case ENTRY_STARRED:
		v.scope = STORE_ALL;
		v.starred_only = true;
		list_open_view(ui, &v, NULL, NULL, "Starred");
		return;
	case ENTRY_TAG:
		v.scope = STORE_TAG;
		title = xasprintf("Tag: %s", e->tag);
		list_open_view(ui, &v, e->tag, NULL, title);
		free(title);
		return;
	case ENTRY_FEED:
		v.scope = STORE_FEED;
		v.feed_id = e->feed_id;
		list_open_view(ui, &v, NULL, NULL, e->label);
		return;
	}
}

/* ---- the reader pane ---------------------------------------------------- */

static void
close_item(struct ui *ui)
{
	store_item_free(ui->item);
	ui->item = NULL;
	render_doc_free(ui->head);
	render_doc_free(ui->doc);
	ui->head = ui->doc = NULL;
}

static int
reader_width(const struct ui *ui)
{
	int w = ui->g.split != UI_SPLIT_NONE ? ui->g.reader.w : ui->g.list.w;

	w -= 2; /* a margin on each side */
	if (w > 100)
		w = 100;
	return w < RENDER_MIN_WIDTH ? RENDER_MIN_WIDTH : w;
}

static void
render_item(struct ui *ui)
{
	const struct feed_item *it;
	const struct feed_text *body;
	struct render_opts ro = {0};
	struct render_meta meta = {0};

	render_doc_free(ui->head);
	render_doc_free(ui->doc);
	ui->head = ui->doc = NULL;
	if (ui->item == NULL)
		return;
	it = &ui->item->item;
	ro.width = reader_width(ui);
	ro.flags = ui->ascii ? RENDER_ASCII : 0;
	ro.base_url = it->link;
	meta.title = it->title.value;
	meta.feed = ui->item->feed_title;
	meta.author = it->n_authors > 0
	                      ? (it->authors[0].name ? it->authors[0].name
	                                             : it->authors[0].email)
	                      : NULL;
	meta.date = ui->item->date;
	meta.link = it->link;
	ui->head = render_header(&meta, &ro);
	body = it->n_content > 0 && it->content[0].value != NULL
	               ? &it->content[0]
	               : &it->summary;
	ui->doc = render_content(body->value,
	                         body->value ? strlen(body->value) : 0,
	                         body->type, &ro);
	ui->doc_width = ro.width;
}

static void
update_row_state(struct ui *ui, long id, bool is_read, bool is_starred)
{
	if (!ui->have_list)
		return;
	for (size_t p = 0; p < ui->list.n_pages; p++)
		for (size_t i = 0; i < ui->list.pages[p]->n; i++)
			if (ui->list.pages[p]->rows[i].id == id) {
				ui->list.pages[p]->rows[i].is_read = is_read;
				ui->list.pages[p]->rows[i].is_starred =
				        is_starred;
			}
}

/* Shows item id in the reader; mark: the user opened it (it is read). */
static void
open_item(struct ui *ui, long id, bool mark)
{
	struct err err = {0};

	if (id != ui->item_id || ui->item == NULL) {
		close_item(ui);
		ui->item_id = id;
		ui->rtop = 0;
		if (id <= 0) {
			ui->dirty = true;
			return;
		}
		ui->item = store_item_get(ui->st, id, &err);
		if (ui->item == NULL) {
			set_message(ui, true, "%s", err.msg);
			return;
		}
		render_item(ui);
	}
	if (mark && ui->item != NULL && !ui->item->is_read) {
		if (store_mark_read(ui->st, id, true, &err) < 0) {
			set_message(ui, true, "%s", err.msg);
		} else {
			ui->item->is_read = true;
			update_row_state(ui, id, true, ui->item->is_starred);
			ui->feeds_stale = true;
		}
	}
	ui->dirty = true;
}

static long
reader_lines(const struct ui *ui)
{
	long n = 0;

	if (ui->head != NULL)
		n += (long)ui->head->n_lines + 1;
	if (ui->doc != NULL)
		n += (long)ui->doc->n_lines;
	return n;
}

static const struct render_line *
reader_line(const struct ui *ui, long i)
{
	static const struct render_line blank = {0};

	if (ui->head != NULL) {
		if (i < (long)ui->head->n_lines)
			return &ui->head->lines[i];
		if (i == (long)ui->head->n_lines)
			return &blank;
		i -= (long)ui->head->n_lines + 1;
	}
	if (ui->doc != NULL && i >= 0 && i < (long)ui->doc->n_lines)
		return &ui->doc->lines[i];
	return NULL;
}

static enum ui_element
run_element(enum render_style s)
{
	switch (s) {
	case RENDER_BOLD:
		return UI_EL_BOLD;
	case RENDER_ITALIC:
		return UI_EL_ITALIC;
	case RENDER_HEADING:
		return UI_EL_HEADING;
	case RENDER_LINK:
		return UI_EL_LINK;
	case RENDER_QUOTE:
		return UI_EL_QUOTE;
	case RENDER_CODE:
		return UI_EL_CODE;
	case RENDER_DIM:
		return UI_EL_DIM;
	case RENDER_PLAIN:
		break;
	}
	return UI_EL_MESSAGE;
}

static void
draw_reader(struct ui *ui, const struct ui_rect *r)
{
	for (int y = 0; y < r->h; y++) {
		const struct render_line *ln = reader_line(ui, ui->rtop + y);
		int x = r->x + 1;

		move(r->y + y, r->x);
		hline(' ', r->w);
		if (ln == NULL)
			continue;
		for (size_t k = 0; k < ln->n_runs; k++) {
			const struct render_run *run = &ln->runs[k];
			int left = r->x + r->w - x;

			if (left <= 0)
				break;
			x += put(ui, r->y + y, x, left, run->text, run->len,
			         style_attr(ui, run_element(run->style)),
			         false);
		}
	}
	if (ui->item == NULL && r->h > 0)
		puts_at(ui, r->y, r->x + 1, r->w - 1,
		        ui->have_list && ui->list.count == 0
		                ? "No articles here."
		                : "",
		        style_attr(ui, UI_EL_DIM), false);
}

/* ---- drawing the lists -------------------------------------------------- */

static void
format_date(const struct ui *ui, feed_time t, bool narrow, char *out,
            size_t size)
{
	const char *fmt = ui->o.date_format ? ui->o.date_format : "%Y-%m-%d";

	struct tm tm;
	time_t tt;

	if (t == FEED_DATE_UNKNOWN || t <= 0) {
		snprintf(out, size, "%s", narrow ? "     " : "          ");
		return;
	}
	tt = (time_t)t;
	if (localtime_r(&tt, &tm) == NULL) {
		snprintf(out, size, "?");
		return;
	}
	/* date-format is the user's, checked by the config module (only
	 * plain conversions): strftime needs no literal to be safe. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(out, size, narrow ? "%m-%d" : fmt, &tm) == 0)
		snprintf(out, size, "?");
#pragma GCC diagnostic pop
}

static int
marker(struct ui *ui, int y, int x, bool selected)
{
	return puts_at(ui, y, x, 2, selected ? ">" : " ",
	               selected ? style_attr(ui, UI_EL_SELECTED) : A_NORMAL,
	               true);
}

static void
draw_feeds(struct ui *ui, const struct ui_rect *r, int *cursor_y)
{
	char counts[48];

	if (ui->fsel < ui->ftop)
		ui->ftop = ui->fsel;
	if (r->h > 0 && ui->fsel >= ui->ftop + r->h)
		ui->ftop = ui->fsel - r->h + 1;
	/* Grown back from a tiny size: the entries above come back into
	 * view rather than blank lines below. */
	if (ui->ftop > 0 && ui->ftop + r->h > (long)ui->n_entries)
		ui->ftop = (long)ui->n_entries - r->h > 0
		                   ? (long)ui->n_entries - r->h
		                   : 0;
	for (int y = 0; y < r->h; y++) {
		long i = ui->ftop + y;
		const struct entry *e;
		int x = r->x, w = r->w;
		attr_t a;

		if (i >= (long)ui->n_entries) {
			move(r->y + y, r->x);
			hline(' ', r->w);
			continue;
		}
		e = &ui->entries[i];
		x += marker(ui, r->y + y, x, i == ui->fsel);
		if (i == ui->fsel)
			*cursor_y = r->y + y;
		x += puts_at(ui, r->y + y, x, 2, e->failed ? "!" : " ",
		             style_attr(ui, UI_EL_ERROR), true);
		if (e->kind == ENTRY_STARRED)
			snprintf(counts, sizeof counts, "%11ld  ", e->total);
		else if (e->kind == ENTRY_UNREAD)
			snprintf(counts, sizeof counts, "%5ld        ",
			         e->unread);
		else
			snprintf(counts, sizeof counts, "%5ld/%-5ld  ",
			         e->unread, e->total);
		a = e->unread > 0 ? style_attr(ui, UI_EL_UNREAD) : A_NORMAL;
		x += puts_at(ui, r->y + y, x, r->x + w - x, counts, a, false);
		if (e->kind == ENTRY_TAG) {
			char *s = xasprintf("[%s]", e->tag);

			x += puts_at(ui, r->y + y, x, r->x + w - x, s, a,
			             false);
			free(s);
		} else {
			x += puts_at(ui, r->y + y, x, r->x + w - x, e->label, a,
			             false);
		}
		if (e->n_tags > 0 && r->x + w - x > 4) {
			struct buf b;

			buf_init(&b, 0);
			buf_puts(&b, "  (");
			for (size_t t = 0; t < e->n_tags; t++) {
				if (t > 0)
					buf_puts(&b, ", ");
				buf_puts(&b, e->tags[t]);
			}
			buf_puts(&b, ")");
			x += puts_at(ui, r->y + y, x, r->x + w - x, buf_str(&b),
			             style_attr(ui, UI_EL_DIM), false);
			buf_done(&b);
		}
		if (x < r->x + w)
			mvhline(r->y + y, x, ' ', r->x + w - x);
	}
}

static void
draw_articles(struct ui *ui, const struct ui_rect *r, int *cursor_y)
{
	struct list *l = &ui->list;
	bool several = l->query != NULL || l->v.scope != STORE_FEED;
	bool narrow = r->w < 60;
	int feed_w = several && !narrow ? (r->w >= 100 ? 20 : 14) : 0;
	char date[128];

	list_load(ui, l, l->top + r->h);
	if (!l->more_older && l->top > l->base && l->top + r->h > list_end(l)) {
		/* The same for rows above, as far as they are loaded. */
		l->top = list_end(l) - r->h;
		if (l->top < l->base)
			l->top = l->base;
	}
	for (int y = 0; y < r->h; y++) {
		long i = l->top + y;
		struct store_row *row = list_row(l, i);
		int x = r->x, right = r->x + r->w;
		char flags[3];

		if (row == NULL) {
			move(r->y + y, r->x);
			hline(' ', r->w);
			continue;
		}
		x += marker(ui, r->y + y, x, i == l->sel);
		if (i == l->sel)
			*cursor_y = r->y + y;
		flags[0] = row->is_read ? ' ' : 'N';
		flags[1] = row->is_starred ? '*' : ' ';
		flags[2] = '\0';
		x += puts_at(ui, r->y + y, x, 3, flags,
		             style_attr(ui, row->is_starred ? UI_EL_STARRED
		                                            : UI_EL_UNREAD),
		             true);
		format_date(ui, row->date, narrow, date, sizeof date);
		x += puts_at(ui, r->y + y, x, right - x, date,
		             style_attr(ui, UI_EL_DATE), false);
		x += puts_at(ui, r->y + y, x, right - x, " ", A_NORMAL, false);
		if (feed_w > 0 && right - x > feed_w + 10) {
			put(ui, r->y + y, x, feed_w - 1, row->feed_title,
			    row->feed_title ? strlen(row->feed_title) : 0,
			    style_attr(ui, UI_EL_FEED), true);
			mvaddch(r->y + y, x + feed_w - 1, ' ');
			x += feed_w;
		}
		x += puts_at(
		        ui, r->y + y, x, right - x,
		        row->title && *row->title ? row->title : "(untitled)",
		        row->is_read ? A_NORMAL : style_attr(ui, UI_EL_UNREAD),
		        false);
		if (x < right)
			mvhline(r->y + y, x, ' ', right - x);
	}
}

static void
draw_help(struct ui *ui, const struct ui_rect *r)
{
	for (int y = 0; y < r->h; y++) {
		long i = ui->htop + y;

		if (i < (long)ui->n_help)
			puts_at(ui, r->y + y, r->x + 1, r->w - 1, ui->help[i],
			        ui->help[i][0] == ' '
			                ? A_NORMAL
			                : style_attr(ui, UI_EL_HEADING),
			        true);
		else {
			move(r->y + y, r->x);
			hline(' ', r->w);
		}
	}
}

static const char *
view_title(struct ui *ui)
{
	switch (ui->view) {
	case UI_VIEW_FEEDS:
		return "Feeds";
	case UI_VIEW_HELP:
		return "Keys (q to go back)";
	case UI_VIEW_READER:
		if (ui->item != NULL && ui->item->item.title.value != NULL &&
		    ui->g.split == UI_SPLIT_NONE)
			return ui->item->item.title.value;
		break;
	case UI_VIEW_ARTICLES:
	default:
		break;
	}
	return ui->have_list ? ui->list.title : "";
}

static void
draw_status(struct ui *ui)
{
	char left[160], right[160];
	struct poller_stats ps;

	left[0] = right[0] = '\0';
	switch (ui->view) {
	case UI_VIEW_FEEDS:
		snprintf(left, sizeof left, " %ld/%zu feeds", ui->fsel + 1,
		         ui->n_entries);
		break;
	case UI_VIEW_ARTICLES:
	case UI_VIEW_READER:
		if (ui->view == UI_VIEW_READER &&
		    ui->g.split == UI_SPLIT_NONE) {
			long n = reader_lines(ui);

			snprintf(left, sizeof left, " line %ld/%ld",
			         n ? ui->rtop + 1 : 0, n);
		} else if (ui->list.known) {
			snprintf(left, sizeof left, " %ld/%ld",
			         ui->list.count ? ui->list.sel + 1 : 0,
			         ui->list.count);
		} else {
			snprintf(left, sizeof left, " ?/%ld", ui->list.count);
		}
		if (ui->list.v.unread_only)
			strncat(left, " unread only",
			        sizeof left - strlen(left) - 1);
		break;
	default:
		break;
	}
	if (ui->p != NULL) {
		poller_get_stats(ui->p, &ps);
		if (poller_busy(ui->p))
			snprintf(right, sizeof right, "refreshing %d/%d ",
			         ui->refresh_done, ui->refresh_total);
		else if (ui->refresh_failed > 0)
			snprintf(right, sizeof right, "%d failed ",
			         ui->refresh_failed);
	}
	{
		attr_t a = style_attr(ui, UI_EL_STATUS);
		int rw = (int)strlen(right);

		puts_at(ui, ui->g.status_y, 0, ui->cols, left, a, true);
		if (rw > 0 && rw < ui->cols - (int)strlen(left))
			puts_at(ui, ui->g.status_y, ui->cols - rw, rw, right, a,
			        false);
	}
}

static const char *
prompt_label(enum prompt_kind k)
{
	switch (k) {
	case PROMPT_SEARCH:
		return "/";
	case PROMPT_COMMAND:
		return ":";
	case PROMPT_TAG:
		return "tag: ";
	case PROMPT_LINK:
		return "link number: ";
	case PROMPT_QUIT:
		return "Quit courant? (y/n) ";
	case PROMPT_NONE:
		break;
	}
	return "";
}

static void
draw_popup(struct ui *ui)
{
	/* Wrapped by columns over the bottom of the body. */
	const char *s = ui->popup;
	size_t n = strlen(s), off = 0;
	int lines = 0, w = ui->cols;
	int starts[64];

	if (w <= 0)
		return;
	while (off < n && lines < 64) {
		bool ell;
		int cols;
		size_t k = ui_clip(s + off, n - off, w, ui->ascii, &ell, &cols);

		if (ell) /* no ellipsis: the rest goes on the next line */
			k = ui_clip(s + off, n - off, w - 1, ui->ascii, &ell,
			            &cols);
		starts[lines++] = (int)off;
		if (k == 0)
			break;
		off += k;
	}
	for (int i = 0; i < lines; i++) {
		int y = ui->g.status_y - lines + i;
		size_t end = i + 1 < lines ? (size_t)starts[i + 1] : n;

		if (y < 0)
			continue;
		put(ui, y, 0, ui->cols, s + starts[i], end - (size_t)starts[i],
		    style_attr(ui, UI_EL_MESSAGE) | A_BOLD, true);
	}
}

static void
draw(struct ui *ui)
{
	int cursor_y = -1, cursor_x = 0;
	struct ui_geometry *g = &ui->g;
	bool split;

	if (!ui->dirty)
		return;
	ui->dirty = false;
	/*
	 * Start from a blank virtual screen: writing a wide character over
	 * the halves of older wide characters shifts the line (Hangul titles
	 * came out one column off). Only the differences with what the
	 * terminal shows are sent, so this costs no bytes.
	 */
	erase();
	if (ui->rows < 1 || ui->cols < 1) {
		refresh();
		return;
	}
	split = g->split != UI_SPLIT_NONE && ui->have_list &&
	        (ui->view == UI_VIEW_ARTICLES || ui->view == UI_VIEW_READER);
	if (ui->rows >= 3)
		puts_at(ui, g->header_y, 0, ui->cols, view_title(ui),
		        style_attr(ui, UI_EL_TITLE), true);
	switch (ui->view) {
	case UI_VIEW_FEEDS:
		draw_feeds(ui, &g->list, &cursor_y);
		break;
	case UI_VIEW_HELP:
		draw_help(ui, &g->list);
		break;
	case UI_VIEW_ARTICLES:
	case UI_VIEW_READER:
	default:
		if (split) {
			attr_t sa = style_attr(ui, UI_EL_SEPARATOR);

			draw_articles(ui, &g->list, &cursor_y);
			draw_reader(ui, &g->reader);
			attrset(sa);
			if (g->split == UI_SPLIT_SIDE)
				mvvline(g->list.y, g->list.w,
				        ui->ascii ? '|' : ACS_VLINE, g->list.h);
			else
				mvhline(g->list.y + g->list.h, 0,
				        ui->ascii ? '-' : ACS_HLINE, ui->cols);
			attrset(A_NORMAL);
			if (ui->view == UI_VIEW_READER) {
				cursor_y = g->reader.y;
				cursor_x = g->reader.x;
			}
		} else if (ui->view == UI_VIEW_READER) {
			draw_reader(ui, &g->list);
			cursor_y = g->list.y;
		} else {
			draw_articles(ui, &g->list, &cursor_y);
		}
		break;
	}
	if (ui->rows >= 3)
		draw_status(ui);
	if (ui->prompt != PROMPT_NONE) {
		int x = puts_at(ui, g->message_y, 0, ui->cols,
		                prompt_label(ui->prompt), A_BOLD, false);
		int w;

		/* Show the end of a long input. */
		const char *in = buf_str(&ui->input);
		size_t len = ui->input.len;

		while (render_text_width(in, len) > ui->cols - x - 1 &&
		       len > 0) {
			uint32_t cp;
			size_t k = utf8_decode(in, len, &cp);

			in += k;
			len -= k;
		}
		w = put(ui, g->message_y, x, ui->cols - x, in, len, A_NORMAL,
		        false);
		if (x + w < ui->cols)
			mvhline(g->message_y, x + w, ' ', ui->cols - x - w);
		cursor_y = g->message_y;
		cursor_x = x + w;
	} else if (ui->rows >= 2) {
		puts_at(ui, g->message_y, 0, ui->cols, ui->message,
		        style_attr(ui, ui->message_error ? UI_EL_ERROR
		                                         : UI_EL_MESSAGE),
		        true);
	}
	if (ui->popup != NULL)
		draw_popup(ui);
	if (cursor_y >= 0 && cursor_y < ui->rows)
		move(cursor_y, cursor_x);
	refresh();
}

/* ---- terminal size ------------------------------------------------------ */

static void
relayout(struct ui *ui)
{
	int old_width = reader_width(ui);

	getmaxyx(stdscr, ui->rows, ui->cols);
	ui_layout_compute(ui->cols, ui->rows, ui->layout, &ui->g);
	if (ui->item != NULL && reader_width(ui) != old_width)
		render_item(ui);
	if (ui->have_list)
		list_select(ui, &ui->list, ui->list.sel);
	ui->dirty = true;
}

static void
handle_resize(struct ui *ui)
{
	struct winsize ws;

	/* Only a real change: resizeterm() queues a KEY_RESIZE. */
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	relayout(ui);
}

/* ---- links: the browser and the clipboard -------------------------------- */

static bool
in_ssh_without_display(void)
{
	const char *ssh = getenv("SSH_CONNECTION");
	const char *d = getenv("DISPLAY");
	const char *w = getenv("WAYLAND_DISPLAY");

	return ssh != NULL && *ssh != '\0' && (d == NULL || *d == '\0') &&
	       (w == NULL || *w == '\0');
}

static bool
has_display(void)
{
	const char *d = getenv("DISPLAY");
	const char *w = getenv("WAYLAND_DISPLAY");

	return (d != NULL && *d != '\0') || (w != NULL && *w != '\0');
}

/* The URL of link n of the shown article, or its own link for n 0. */
static const char *
link_url(struct ui *ui, long n)
{
	struct store_row *r =
	        ui->have_list ? list_row(&ui->list, ui->list.sel) : NULL;

	/* In a list, the selected article's: one loaded by an earlier o
	 * or y on another line must not stand in for it. */
	if (ui->view == UI_VIEW_ARTICLES && r != NULL && r->id != ui->item_id)
		open_item(ui, r->id, false);
	if (ui->item == NULL) {
		if (ui->view == UI_VIEW_FEEDS || r == NULL)
			return NULL;
		open_item(ui, r->id, false);
		if (ui->item == NULL)
			return NULL;
	}
	if (n == 0)
		return ui->item->item.link;
	if (ui->doc == NULL || n < 1 || (size_t)n > ui->doc->n_links)
		return NULL;
	return ui->doc->links[n - 1].url;
}

static int
copy_url(struct ui *ui, const char *url)
{
	const char *tmux = getenv("TMUX");
	const char *sty = getenv("STY");
	struct err err = {0};
	char *b64;
	struct buf seq;

	if (tmux != NULL && *tmux != '\0') {
		/* tmux load-buffer fills a paste buffer, and with -w also
		 * the outer terminal's clipboard (OSC 52) when tmux's
		 * set-clipboard allows it: both work with its defaults. */
		char *argv_w[] = {(char *)"tmux", (char *)"load-buffer",
		                  (char *)"-w", (char *)"-", NULL};
		char *argv[] = {(char *)"tmux", (char *)"load-buffer",
		                (char *)"-", NULL};
		size_t n = strlen(url);

		/* Quiet: tmux's own complaints must not land on the screen. */
		if (ui_spawn(argv_w, url, n, UI_SPAWN_QUIET, NULL, &err) == 0 ||
		    ui_spawn(argv, url, n, UI_SPAWN_QUIET, NULL, &err) == 0) {
			set_message(ui, false, "copied to the tmux buffer: %s",
			            url);
			return 0;
		}
	}
	if (!ui->o.osc52) {
		set_message(ui, true,
		            "cannot copy: OSC 52 is off (set osc52 yes)%s%s",
		            err.code ? ": " : "", err.msg);
		return -1;
	}
	b64 = ui_base64(url, strlen(url));
	buf_init(&seq, 0);
	if (sty != NULL && *sty != '\0') {
		/* GNU screen passes a DCS string through to the terminal,
		 * in pieces it does not truncate. */
		size_t n = strlen(b64);

		buf_puts(&seq, "\033P\033]52;c;\033\\");
		for (size_t off = 0; off < n; off += 200) {
			buf_puts(&seq, "\033P");
			buf_append(&seq, b64 + off,
			           n - off > 200 ? 200 : n - off);
			buf_puts(&seq, "\033\\");
		}
		buf_puts(&seq, "\033P\007\033\\");
	} else {
		buf_printf(&seq, "\033]52;c;%s\007", b64);
	}
	fflush(stdout);
	if (write(STDOUT_FILENO, seq.data, seq.len) < 0) {
		/* The terminal is gone; the loop will notice. */
	}
	buf_done(&seq);
	free(b64);
	set_message(ui, false, "copied (OSC 52): %s", url);
	return 0;
}

/* The browser of the feed of the article shown or selected, or NULL. */
static char **
feed_browser(struct ui *ui)
{
	struct ui_feed_conf fc = {0};
	const struct store_feed *f = NULL;

	if (ui->o.feed_conf == NULL)
		return NULL;
	if (ui->item != NULL) {
		f = feed_by_id(ui, ui->item->feed_id);
	} else if (ui->view == UI_VIEW_FEEDS && ui->fsel >= 0 &&
	           (size_t)ui->fsel < ui->n_entries &&
	           ui->entries[ui->fsel].kind == ENTRY_FEED) {
		f = feed_by_id(ui, ui->entries[ui->fsel].feed_id);
	}
	if (f == NULL)
		return NULL;
	ui->o.feed_conf(ui->o.files_arg, f->url, &fc);
	return fc.browser;
}

static void
open_url(struct ui *ui, const char *url)
{
	static char *xdg[] = {(char *)"xdg-open", NULL};
	char **cmd = feed_browser(ui);
	char **argv;
	size_t n = 0;
	struct err err = {0};
	bool gui = has_display();
	pid_t pid;
	int rc;

	if (cmd == NULL)
		cmd = ui->o.browser ? ui->o.browser : ui->env_browser;
	if (cmd == NULL) {
		if (in_ssh_without_display() || !gui) {
			copy_url(ui, url);
			if (!ui->message_error)
				strncat(ui->message,
				        " (no browser: set $BROWSER)",
				        sizeof ui->message -
				                strlen(ui->message) - 1);
			return;
		}
		cmd = xdg;
	}
	while (cmd[n] != NULL)
		n++;
	argv = xcalloc(n + 2, sizeof *argv);
	memcpy(argv, cmd, n * sizeof *argv);
	argv[n] = (char *)url; /* exactly one argument */
	if (gui) {
		rc = ui_spawn(argv, NULL, 0, UI_SPAWN_DETACH, &pid, &err);
		if (rc == 0) {
			ui->children =
			        xreallocarray(ui->children, ui->n_children + 1,
			                      sizeof *ui->children);
			ui->children[ui->n_children++] = pid;
		}
	} else {
		/* A text-mode browser takes the terminal: give it back
		 * whole and take it again afterwards. */
		def_prog_mode();
		endwin();
		rc = ui_spawn(argv, NULL, 0, UI_SPAWN_TERMINAL, NULL, &err);
		reset_prog_mode();
		flushinp();
		clearok(curscr, TRUE);
		if (rc > 0)
			err_set(&err, ERR_IO, "%s exited with status %d",
			        argv[0], rc);
		handle_resize(ui);
	}
	free(argv);
	if (rc != 0)
		set_message(ui, true, "%s", err.msg);
	else
		set_message(ui, false, "opened %s", url);
}

static void
reap_children(struct ui *ui)
{
	for (size_t i = 0; i < ui->n_children;) {
		int status;

		if (waitpid(ui->children[i], &status, WNOHANG) != 0)
			ui->children[i] = ui->children[--ui->n_children];
		else
			i++;
	}
}

/* o, y, Y: act on link n (0: the article's own link). */
static void
link_action(struct ui *ui, enum ui_action a, long n)
{
	const char *url = link_url(ui, n);

	if (url == NULL || *url == '\0') {
		if (n > 0)
			set_message(ui, true, "no link %ld", n);
		else
			set_message(ui, true, "no link");
		return;
	}
	if (a == UI_ACT_SHOW_URL) {
		char *clean = text_sanitize(url, strlen(url), TEXT_FOR_TERMINAL,
		                            8192);

		free(ui->popup);
		ui->popup = clean;
		ui->dirty = true;
		return;
	}
	if (!ui_url_ok(url)) {
		set_message(ui, true,
		            "refused: only http and https links are "
		            "opened or copied");
		return;
	}
	if (a == UI_ACT_COPY_LINK)
		copy_url(ui, url);
	else
		open_url(ui, url);
}

/* ---- actions ------------------------------------------------------------ */

static long
page_height(const struct ui *ui, bool reader)
{
	int h = reader && ui->g.split != UI_SPLIT_NONE ? ui->g.reader.h
	                                               : ui->g.list.h;

	return h > 2 ? h - 1 : 1;
}

static void
scroll_reader(struct ui *ui, long to)
{
	long n = reader_lines(ui);
	long h = ui->g.split != UI_SPLIT_NONE && ui->have_list ? ui->g.reader.h
	                                                       : ui->g.list.h;

	if (to > n - h)
		to = n - h;
	if (to < 0)
		to = 0;
	ui->rtop = to;
	ui->dirty = true;
}

static void
move_by(struct ui *ui, long delta, bool to_end)
{
	switch (ui->view) {
	case UI_VIEW_FEEDS:
		if (to_end)
			ui->fsel = delta < 0 ? 0 : (long)ui->n_entries - 1;
		else
			ui->fsel += delta;
		if (ui->fsel >= (long)ui->n_entries)
			ui->fsel = (long)ui->n_entries - 1;
		if (ui->fsel < 0)
			ui->fsel = 0;
		ui->dirty = true;
		break;
	case UI_VIEW_ARTICLES:
		if (!to_end) {
			list_select(ui, &ui->list, ui->list.sel + delta);
		} else if (delta < 0) {
			list_reset(ui, &ui->list);
			list_select(ui, &ui->list, 0);
		} else {
			list_load_last(ui, &ui->list);
			list_select(ui, &ui->list, list_end(&ui->list) - 1);
		}
		break;
	case UI_VIEW_READER:
		scroll_reader(ui, to_end ? (delta < 0 ? 0 : LONG_MAX / 2)
		                         : ui->rtop + delta);
		break;
	case UI_VIEW_HELP:
		ui->htop = to_end ? (delta < 0 ? 0 : (long)ui->n_help - 1)
		                  : ui->htop + delta;
		if (ui->htop > (long)ui->n_help - ui->g.list.h)
			ui->htop = (long)ui->n_help - ui->g.list.h;
		if (ui->htop < 0)
			ui->htop = 0;
		ui->dirty = true;
		break;
	default:
		break;
	}
}

static struct store_row *
selected_row(struct ui *ui)
{
	return ui->have_list ? list_row(&ui->list, ui->list.sel) : NULL;
}

/* The article the state keys act on: the reader's, else the selection. */
static long
current_item(struct ui *ui, bool *is_read, bool *is_starred)
{
	struct store_row *r;

	if (ui->view == UI_VIEW_READER && ui->item != NULL) {
		*is_read = ui->item->is_read;
		*is_starred = ui->item->is_starred;
		return ui->item->id;
	}
	if (ui->view != UI_VIEW_ARTICLES)
		return 0;
	r = selected_row(ui);
	if (r == NULL)
		return 0;
	*is_read = r->is_read;
	*is_starred = r->is_starred;
	return r->id;
}

static void
toggle(struct ui *ui, bool starred)
{
	bool is_read = false, is_starred = false;
	long id = current_item(ui, &is_read, &is_starred);
	struct err err = {0};
	int rc;

	if (id <= 0) {
		set_message(ui, true, "no article selected");
		return;
	}
	if (starred) {
		is_starred = !is_starred;
		rc = store_mark_starred(ui->st, id, is_starred, &err);
	} else {
		is_read = !is_read;
		rc = store_mark_read(ui->st, id, is_read, &err);
	}
	if (rc < 0) {
		set_message(ui, true, "%s", err.msg);
		return;
	}
	update_row_state(ui, id, is_read, is_starred);
	if (ui->item != NULL && ui->item->id == id) {
		ui->item->is_read = is_read;
		ui->item->is_starred = is_starred;
	}
	set_message(ui, false, "%s",
	            starred ? (is_starred ? "starred" : "unstarred")
	                    : (is_read ? "marked read" : "marked unread"));
	ui->feeds_stale = true;
}

/* The view that A marks, from the feed list's selection or the list. */
static bool
target_view(struct ui *ui, struct store_view *v, const char **query)
{
	*query = NULL;
	memset(v, 0, sizeof *v);
	if (ui->view == UI_VIEW_FEEDS) {
		const struct entry *e;

		if (ui->n_entries == 0)
			return false;
		e = &ui->entries[ui->fsel];
		switch (e->kind) {
		case ENTRY_UNREAD:
			v->scope = STORE_ALL;
			break;
		case ENTRY_STARRED:
			v->scope = STORE_ALL;
			v->starred_only = true;
			break;
		case ENTRY_TAG:
			v->scope = STORE_TAG;
			v->tag = e->tag;
			break;
		case ENTRY_FEED:
			v->scope = STORE_FEED;
			v->feed_id = e->feed_id;
			break;
		}
		return true;
	}
	if (!ui->have_list)
		return false;
	*v = ui->list.v;
	*query = ui->list.query;
	return true;
}

static void
mark_all_read(struct ui *ui)
{
	struct store_view v;
	const char *query;
	struct err err = {0};
	struct store_cursor c;
	long changed = 0;

	if (!target_view(ui, &v, &query)) {
		set_message(ui, true, "nothing to mark");
		return;
	}
	free(ui->undo);
	ui->undo = NULL;
	ui->n_undo = 0;
	if (query != NULL) {
		/* A search: the rows it shows. */
		for (size_t p = 0; p < ui->list.n_pages; p++)
			for (size_t i = 0; i < ui->list.pages[p]->n; i++) {
				struct store_row *r =
				        &ui->list.pages[p]->rows[i];

				if (r->is_read)
					continue;
				if (store_mark_read(ui->st, r->id, true, &err) <
				    0)
					break;
				ui->undo =
				        xreallocarray(ui->undo, ui->n_undo + 1,
				                      sizeof *ui->undo);
				ui->undo[ui->n_undo++] = r->id;
				r->is_read = true;
				changed++;
			}
	} else {
		/* Remember what was unread, for u. */
		struct store_view uv = v;
		bool first = true, more = true;

		uv.unread_only = true;
		while (more && ui->n_undo < MAX_UNDO) {
			struct store_page *pg =
			        store_items(ui->st, &uv, first ? NULL : &c,
			                    STORE_OLDER, 1000, &err);

			if (pg == NULL)
				break;
			for (size_t i = 0; i < pg->n && ui->n_undo < MAX_UNDO;
			     i++) {
				ui->undo =
				        xreallocarray(ui->undo, ui->n_undo + 1,
				                      sizeof *ui->undo);
				ui->undo[ui->n_undo++] = pg->rows[i].id;
			}
			more = pg->more && pg->n > 0;
			if (pg->n > 0)
				c = store_row_cursor(&pg->rows[pg->n - 1]);
			first = false;
			store_page_free(pg);
		}
		changed = store_mark_view_read(ui->st, &v, &err);
	}
	if (changed < 0 || err.code != ERR_NONE) {
		set_message(ui, true, "%s", err.msg);
		return;
	}
	set_message(ui, false, "marked %ld article%s read%s", changed,
	            changed == 1 ? "" : "s",
	            ui->n_undo > 0 ? " (u to undo)" : "");
	ui->feeds_stale = true;
	ui->list_stale = ui->have_list;
}

static void
undo(struct ui *ui)
{
	struct err err = {0};
	size_t n = ui->n_undo;

	if (n == 0) {
		set_message(ui, true, "nothing to undo");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (store_mark_read(ui->st, ui->undo[i], false, &err) < 0) {
			set_message(ui, true, "%s", err.msg);
			break;
		}
	for (size_t i = 0; i < n; i++)
		update_row_state(ui, ui->undo[i], false, false);
	free(ui->undo);
	ui->undo = NULL;
	ui->n_undo = 0;
	if (err.code == ERR_NONE)
		set_message(ui, false, "%zu article%s unread again", n,
		            n == 1 ? "" : "s");
	ui->feeds_stale = true;
	ui->list_stale = ui->have_list;
}

/* ---- sync: `courant sync --progress` as a child, never in this loop ---- */

static void
on_sync_line(const char *line, void *arg)
{
	struct ui *ui = arg;

	/* The child prints sanitized text: progress ("sync: ..."), the
	 * summary ("synced: ...") or its errors ("courant sync: ..."). */
	if (str_starts_with(line, "courant sync: "))
		snprintf(ui->sync_error, sizeof ui->sync_error, "%s", line + 8);
	else
		set_message(ui, false, "%s", line);
}

static void poll_sync(struct ui *ui);

static void
start_sync(struct ui *ui)
{
	struct err err = {0};

	poll_sync(ui); /* the last one may have ended since the last pass */
	if (ui->o.sync_argv == NULL || ui_job_running(&ui->sync))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ui->last_sync);
	ui->sync_error[0] = '\0';
	if (ui_job_start(&ui->sync, ui->o.sync_argv, &err) < 0)
		set_message(ui, true, "sync: %s", err.msg);
	else
		set_message(ui, false, "sync: starting");
}

static void
poll_sync(struct ui *ui)
{
	if (!ui_job_running(&ui->sync) ||
	    ui_job_poll(&ui->sync, on_sync_line, ui) == 0)
		return;
	if (ui->sync.status != 0)
		set_message(ui, true, "%s",
		            ui->sync_error[0] ? ui->sync_error
		                              : "sync: failed");
	ui->feeds_stale = true;
	ui->list_stale = ui->have_list;
}

/* A feed of the sync server: refreshed by a sync, never by the poller. */
static bool
is_remote(const struct ui *ui, long feed_id)
{
	for (size_t i = 0; ui->feeds != NULL && i < ui->feeds->n; i++)
		if (ui->feeds->feeds[i].id == feed_id)
			return ui->feeds->feeds[i].source != NULL;
	return false;
}

static void
queue_refresh(struct ui *ui, long feed_id)
{
	struct err err = {0};
	int n;

	if (feed_id == 0 || is_remote(ui, feed_id))
		start_sync(ui);
	if (feed_id != 0 && is_remote(ui, feed_id))
		return;
	if (ui->p == NULL)
		return;
	if (!poller_busy(ui->p)) {
		ui->refresh_total = ui->refresh_done = 0;
		ui->refresh_failed = ui->refresh_new = 0;
	}
	n = poller_refresh(ui->p, feed_id, POLL_MANUAL, &err);
	if (n < 0) {
		set_message(ui, true, "%s", err.msg);
		return;
	}
	ui->refresh_total += n;
	if (n == 0)
		set_message(ui, false, "already refreshing");
	ui->dirty = true;
}

static void
refresh_selected(struct ui *ui)
{
	bool r, s;
	long id;

	if (ui->view == UI_VIEW_FEEDS && ui->n_entries > 0) {
		const struct entry *e = &ui->entries[ui->fsel];

		if (e->kind == ENTRY_FEED) {
			queue_refresh(ui, e->feed_id);
		} else if (e->kind == ENTRY_TAG && ui->feeds != NULL) {
			for (size_t i = 0; i < ui->feeds->n; i++)
				if (has_tag(ui->feeds->feeds[i].tags,
				            ui->feeds->feeds[i].n_tags, e->tag))
					queue_refresh(ui,
					              ui->feeds->feeds[i].id);
		} else {
			queue_refresh(ui, 0);
		}
		return;
	}
	if (ui->have_list && ui->list.v.scope == STORE_FEED &&
	    ui->list.query == NULL) {
		queue_refresh(ui, ui->list.v.feed_id);
		return;
	}
	id = current_item(ui, &r, &s);
	if (id > 0) {
		struct store_row *row = selected_row(ui);

		if (ui->item != NULL && ui->item->id == id)
			queue_refresh(ui, ui->item->feed_id);
		else if (row != NULL)
			queue_refresh(ui, row->feed_id);
		return;
	}
	queue_refresh(ui, 0);
}

/* Selects item id in the list, loading a little; false if not near. */
static bool
select_item_in_list(struct ui *ui, long id)
{
	struct list *l = &ui->list;

	if (!ui->have_list)
		return false;
	for (long i = l->sel; i < l->sel + 2 * PAGE_ROWS; i++) {
		struct store_row *r;

		if (!list_load(ui, l, i))
			break;
		r = list_row(l, i);
		if (r != NULL && r->id == id) {
			list_select(ui, l, i);
			return true;
		}
	}
	return false;
}

static void
next_unread(struct ui *ui)
{
	struct err err = {0};
	bool r, s;
	long cur = current_item(ui, &r, &s);
	long id = store_next_unread(ui->st, cur > 0 ? cur : 0, &err);
	enum ui_view v = ui->view;

	if (id < 0) {
		set_message(ui, true, "%s", err.msg);
		return;
	}
	if (id == 0) {
		set_message(ui, false, "no unread articles");
		return;
	}
	if (!select_item_in_list(ui, id)) {
		struct store_item *it = store_item_get(ui->st, id, &err);
		const struct store_feed *f;
		struct store_view sv = {0};

		if (it == NULL) {
			set_message(ui, true, "%s", err.msg);
			return;
		}
		f = feed_by_id(ui, it->feed_id);
		sv.scope = STORE_FEED;
		sv.feed_id = it->feed_id;
		list_open_view(ui, &sv, NULL, NULL,
		               f && f->title ? f->title : "Feed");
		store_item_free(it);
		if (!select_item_in_list(ui, id)) {
			open_item(ui, id, true);
			ui->view = UI_VIEW_READER;
			return;
		}
	}
	if (v == UI_VIEW_READER || ui->g.split == UI_SPLIT_NONE) {
		open_item(ui, id, true);
		ui->view = UI_VIEW_READER;
	}
}

static void
prev_unread(struct ui *ui)
{
	struct list *l = &ui->list;

	if (!ui->have_list || ui->view == UI_VIEW_FEEDS) {
		set_message(ui, true, "open a list first");
		return;
	}
	for (long i = l->sel - 1; i > l->sel - 20 * PAGE_ROWS; i--) {
		struct store_row *r;

		if (!list_load(ui, l, i))
			break;
		r = list_row(l, i);
		if (r != NULL && !r->is_read) {
			list_select(ui, l, i);
			if (ui->view == UI_VIEW_READER)
				open_item(ui, r->id, true);
			return;
		}
	}
	set_message(ui, false, "no unread article above");
}

static void
start_prompt(struct ui *ui, enum prompt_kind k)
{
	ui->prompt = k;
	buf_reset(&ui->input);
	ui->dirty = true;
}

static void
toggle_unread_only(struct ui *ui)
{
	ui->unread_only = !ui->unread_only;
	if (ui->have_list && ui->list.query == NULL) {
		ui->list.v.unread_only = ui->unread_only;
		list_reset(ui, &ui->list);
		list_select(ui, &ui->list, 0);
	}
	load_feeds(ui);
	set_message(ui, false, "%s",
	            ui->unread_only ? "unread articles only" : "all articles");
}

static void
set_layout(struct ui *ui, enum ui_layout l)
{
	ui->layout = l;
	relayout(ui);
	if (ui->g.split != UI_SPLIT_NONE)
		follow_selection(ui);
	if (ui->o.remember_layout != NULL)
		ui->o.remember_layout(ui->o.files_arg, l);
	set_message(ui, false, "layout: %s", ui_layout_name(l));
}

static void
add_feed(struct ui *ui, const char *url)
{
	struct store_feed_conf c = {0};
	struct err err = {0};
	long id;

	if (!fetch_url_allowed(url)) {
		set_message(ui, true, "not an http, https or file URL");
		return;
	}
	c.url = url;
	c.position = ui->feeds ? (int)ui->feeds->n : 0;
	id = store_feed_ensure(ui->st, &c, &err);
	if (id < 0) {
		set_message(ui, true, "%s", err.msg);
		return;
	}
	if (ui->p != NULL)
		poller_refresh(ui->p, id, POLL_FORCE, NULL);
	ui->refresh_total++;
	load_feeds(ui);
	set_message(ui, false, "subscribed; fetching it now");
}

/* Re-reads the urls file through the caller, then every list. */
static void
reload_urls(struct ui *ui)
{
	struct err err = {0};

	if (ui->o.reload == NULL) {
		set_message(ui, true, "no urls file to reload");
		return;
	}
	if (ui->o.reload(ui->o.files_arg, &err) < 0) {
		set_message(ui, true, "%s", err.msg);
		return;
	}
	load_feeds(ui);
	if (ui->have_list) {
		list_reload(ui, &ui->list);
		list_count(ui, &ui->list);
	}
	ui->dirty = true;
	if (ui->feeds == NULL || ui->feeds->n == 0)
		set_message(ui, false, NO_FEEDS_HINT);
	else
		set_message(ui, false, "reloaded the urls file: %zu feed%s",
		            ui->feeds->n, ui->feeds->n == 1 ? "" : "s");
}

static void
run_command(struct ui *ui, char *line)
{
	char *cmd = str_trim(line);
	char *arg = cmd + strcspn(cmd, " \t");

	if (*arg != '\0')
		*arg++ = '\0';
	arg = str_trim(arg);
	if (*cmd == '\0')
		return;
	if (str_eq(cmd, "q") || str_eq(cmd, "quit")) {
		ui->quit = true;
	} else if (str_eq(cmd, "refresh")) {
		if (*arg != '\0')
			set_message(ui, true, ":refresh takes no argument");
		else
			queue_refresh(ui, 0);
	} else if (str_eq(cmd, "reload")) {
		reload_urls(ui);
	} else if (str_eq(cmd, "add")) {
		add_feed(ui, arg);
	} else if (str_eq(cmd, "set")) {
		char *val = arg + strcspn(arg, " \t=");
		enum ui_layout l;
		struct err err = {0};

		if (*val != '\0')
			*val++ = '\0';
		val = str_trim(val);
		if (str_eq(arg, "layout")) {
			if (ui_layout_parse(val, &l, &err) < 0)
				set_message(ui, true, "%s", err.msg);
			else
				set_layout(ui, l);
		} else if (str_eq(arg, "unread-only") ||
		           str_eq(arg, "show-read")) {
			bool want = str_eq(val, "yes") || str_eq(val, "on") ||
			            str_eq(val, "true");

			if (str_eq(arg, "show-read"))
				want = !want;
			if (want != ui->unread_only)
				toggle_unread_only(ui);
		} else if (str_eq(arg, "osc52")) {
			ui->o.osc52 = str_eq(val, "yes") || str_eq(val, "on");
		} else {
			set_message(ui, true,
			            "unknown setting '%s' (layout, show-read, "
			            "osc52)",
			            arg);
		}
	} else {
		set_message(ui, true,
		            "unknown command '%s' (refresh, reload, add, "
		            "set, quit)",
		            cmd);
	}
}

static void
submit_prompt(struct ui *ui)
{
	enum prompt_kind k = ui->prompt;
	char *text = xstrdup(buf_str(&ui->input));
	struct store_view v = {0};

	ui->prompt = PROMPT_NONE;
	ui->dirty = true;
	switch (k) {
	case PROMPT_SEARCH:
		if (*str_trim(text) != '\0') {
			char *title = xasprintf("Search: %s", text);

			v.scope = STORE_ALL;
			list_open_view(ui, &v, NULL, text, title);
			set_message(ui, false, "%ld found", ui->list.count);
			free(title);
		}
		break;
	case PROMPT_TAG:
		if (*str_trim(text) != '\0') {
			char *title = xasprintf("Tag: %s", text);

			if (!has_tag(ui->tag_names, ui->n_tags, text))
				set_message(ui, true, "no feed has tag '%s'",
				            text);
			v.scope = STORE_TAG;
			list_open_view(ui, &v, text, NULL, title);
			free(title);
		}
		break;
	case PROMPT_LINK:
		if (*text != '\0')
			link_action(ui, UI_ACT_OPEN_LINK, atol(text));
		break;
	case PROMPT_COMMAND:
		run_command(ui, text);
		break;
	case PROMPT_QUIT:
	case PROMPT_NONE:
		break;
	}
	free(text);
}

static void
prompt_key(struct ui *ui, uint32_t key)
{
	char u[4];

	if (ui->prompt == PROMPT_QUIT) {
		ui->prompt = PROMPT_NONE;
		if (key == 'y' || key == 'Y')
			ui->quit = true;
		ui->dirty = true;
		return;
	}
	if (key == UI_KEY_ENTER || key == '\n') {
		submit_prompt(ui);
	} else if (key == UI_KEY_ESC || key == 7 /* C-g */) {
		ui->prompt = PROMPT_NONE;
	} else if (key == UI_KEY_BACKSPACE || key == 0x7f || key == 8) {
		while (ui->input.len > 0) {
			unsigned char c =
			        (unsigned char)ui->input.data[--ui->input.len];

			if ((c & 0xc0) != 0x80)
				break;
		}
		ui->input.data[ui->input.len] = '\0';
	} else if (key == 0x15 /* C-u */) {
		buf_reset(&ui->input);
	} else if (key >= ' ' && key < UI_KEY_BASE && key != 0x7f &&
	           !text_is_forbidden(key) && ui->input.len < 1000) {
		buf_append(&ui->input, u, utf8_encode(key, u));
	}
	ui->dirty = true;
}

static void
quit_or_ask(struct ui *ui)
{
	if (ui->o.confirm_quit)
		start_prompt(ui, PROMPT_QUIT);
	else
		ui->quit = true;
}

static void
go_back(struct ui *ui)
{
	switch (ui->view) {
	case UI_VIEW_HELP:
		ui->view = ui->before_help;
		break;
	case UI_VIEW_READER:
		ui->view = ui->have_list ? UI_VIEW_ARTICLES : UI_VIEW_FEEDS;
		if (ui->g.split == UI_SPLIT_NONE) {
			close_item(ui);
			ui->item_id = -1;
		}
		break;
	case UI_VIEW_ARTICLES:
		ui->view = UI_VIEW_FEEDS;
		close_item(ui);
		ui->item_id = -1;
		if (ui->feeds_stale)
			load_feeds(ui);
		break;
	case UI_VIEW_FEEDS:
	default:
		quit_or_ask(ui);
		break;
	}
	ui->dirty = true;
}

static void
do_action(struct ui *ui, enum ui_action a, long count)
{
	long n = count > 0 ? count : 1;

	switch (a) {
	case UI_ACT_NONE:
	case UI_ACT_COUNT:
		break;
	case UI_ACT_DOWN:
		move_by(ui, n, false);
		break;
	case UI_ACT_UP:
		move_by(ui, -n, false);
		break;
	case UI_ACT_PAGE_DOWN:
		move_by(ui, n * page_height(ui, ui->view == UI_VIEW_READER),
		        false);
		break;
	case UI_ACT_PAGE_UP:
		move_by(ui, -n * page_height(ui, ui->view == UI_VIEW_READER),
		        false);
		break;
	case UI_ACT_TOP:
		move_by(ui, -1, true);
		break;
	case UI_ACT_BOTTOM:
		move_by(ui, 1, true);
		break;
	case UI_ACT_OPEN:
		if (ui->view == UI_VIEW_FEEDS && ui->n_entries > 0) {
			open_entry(ui, &ui->entries[ui->fsel]);
		} else if (ui->view == UI_VIEW_ARTICLES) {
			struct store_row *r = selected_row(ui);

			if (r != NULL) {
				open_item(ui, r->id, true);
				ui->view = UI_VIEW_READER;
			}
		}
		break;
	case UI_ACT_BACK:
		go_back(ui);
		break;
	case UI_ACT_QUIT:
		quit_or_ask(ui);
		break;
	case UI_ACT_NEXT_PANE:
		if (ui->g.split == UI_SPLIT_NONE || !ui->have_list)
			break;
		if (ui->view == UI_VIEW_ARTICLES) {
			struct store_row *r = selected_row(ui);

			if (r != NULL) {
				open_item(ui, r->id, true);
				ui->view = UI_VIEW_READER;
			}
		} else if (ui->view == UI_VIEW_READER) {
			ui->view = UI_VIEW_ARTICLES;
		}
		ui->dirty = true;
		break;
	case UI_ACT_NEXT_UNREAD:
		next_unread(ui);
		break;
	case UI_ACT_PREV_UNREAD:
		prev_unread(ui);
		break;
	case UI_ACT_NEXT_ARTICLE:
	case UI_ACT_PREV_ARTICLE:
		if (!ui->have_list || ui->view == UI_VIEW_FEEDS)
			break;
		list_select(ui, &ui->list,
		            ui->list.sel + (a == UI_ACT_NEXT_ARTICLE ? n : -n));
		if (ui->view == UI_VIEW_READER) {
			struct store_row *r = selected_row(ui);

			if (r != NULL)
				open_item(ui, r->id, true);
		}
		break;
	case UI_ACT_TOGGLE_READ:
		toggle(ui, false);
		break;
	case UI_ACT_TOGGLE_STARRED:
		toggle(ui, true);
		break;
	case UI_ACT_MARK_ALL_READ:
		mark_all_read(ui);
		break;
	case UI_ACT_UNDO:
		undo(ui);
		break;
	case UI_ACT_REFRESH:
		refresh_selected(ui);
		break;
	case UI_ACT_REFRESH_ALL:
		queue_refresh(ui, 0);
		break;
	case UI_ACT_OPEN_LINK:
	case UI_ACT_COPY_LINK:
	case UI_ACT_SHOW_URL:
		link_action(ui, a, count);
		break;
	case UI_ACT_LINK_NUMBER:
		start_prompt(ui, PROMPT_LINK);
		break;
	case UI_ACT_SEARCH:
		start_prompt(ui, PROMPT_SEARCH);
		break;
	case UI_ACT_TOGGLE_UNREAD_ONLY:
		toggle_unread_only(ui);
		break;
	case UI_ACT_PICK_TAG:
		start_prompt(ui, PROMPT_TAG);
		if (ui->n_tags > 0) {
			struct buf b;

			buf_init(&b, 0);
			buf_puts(&b, "tags:");
			for (size_t i = 0; i < ui->n_tags; i++)
				buf_printf(&b, " %s", ui->tag_names[i]);
			set_message(ui, false, "%s", buf_str(&b));
			buf_done(&b);
		}
		break;
	case UI_ACT_RELOAD:
		reload_urls(ui);
		break;
	case UI_ACT_REDRAW:
		clearok(curscr, TRUE);
		load_feeds(ui);
		ui->list_stale = ui->have_list;
		ui->dirty = true;
		break;
	case UI_ACT_COMMAND:
		start_prompt(ui, PROMPT_COMMAND);
		break;
	case UI_ACT_HELP:
		if (ui->view != UI_VIEW_HELP) {
			ui->before_help = ui->view;
			ui->view = UI_VIEW_HELP;
			ui->htop = 0;
		}
		ui->dirty = true;
		break;
	case UI_ACT_TOGGLE_LAYOUT:
		set_layout(ui, (enum ui_layout)((ui->layout + 1) % 4));
		break;
	}
}

static void
handle_mouse(struct ui *ui)
{
	MEVENT ev;
	const struct ui_rect *r = &ui->g.list;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		do_action(ui, UI_ACT_UP, 3);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED) {
		do_action(ui, UI_ACT_DOWN, 3);
		return;
	}
#endif
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) || ev.y < r->y ||
	    ev.y >= r->y + r->h || ev.x >= r->x + r->w)
		return;
	if (ui->view == UI_VIEW_FEEDS) {
		long i = ui->ftop + (ev.y - r->y);

		if (i < (long)ui->n_entries)
			ui->fsel = i;
		ui->dirty = true;
	} else if (ui->view == UI_VIEW_ARTICLES && ui->have_list) {
		list_select(ui, &ui->list, ui->list.top + (ev.y - r->y));
	}
}

static uint32_t
translate_key(int rc, wint_t wc)
{
	if (rc == OK)
		return wc == '\n' ? UI_KEY_ENTER : (uint32_t)wc;
	switch (wc) {
	case KEY_UP:
		return UI_KEY_UP;
	case KEY_DOWN:
		return UI_KEY_DOWN;
	case KEY_LEFT:
		return UI_KEY_LEFT;
	case KEY_RIGHT:
		return UI_KEY_RIGHT;
	case KEY_PPAGE:
		return UI_KEY_PGUP;
	case KEY_NPAGE:
		return UI_KEY_PGDN;
	case KEY_HOME:
		return UI_KEY_HOME;
	case KEY_END:
		return UI_KEY_END;
	case KEY_IC:
		return UI_KEY_INSERT;
	case KEY_DC:
		return UI_KEY_DELETE;
	case KEY_BACKSPACE:
		return UI_KEY_BACKSPACE;
	case KEY_ENTER:
		return UI_KEY_ENTER;
	case KEY_RESIZE:
		return UI_KEY_RESIZE;
	case KEY_MOUSE:
		return UI_KEY_MOUSE;
	default:
		if (wc >= KEY_F(1) && wc <= KEY_F(12))
			return (uint32_t)(UI_KEY_F1 + (int)(wc - KEY_F(1)));
		return UI_KEY_NONE;
	}
}

static void
handle_key(struct ui *ui, uint32_t key)
{
	enum ui_action a;
	long count;

	if (key == UI_KEY_NONE)
		return;
	if (key == UI_KEY_RESIZE) {
		/* curses has resized already. */
		relayout(ui);
		return;
	}
	if (ui->popup != NULL) {
		free(ui->popup);
		ui->popup = NULL;
		ui->dirty = true;
		if (key == UI_KEY_ESC || key == 'q')
			return;
	}
	if (ui->prompt != PROMPT_NONE) {
		prompt_key(ui, key);
		return;
	}
	if (key == UI_KEY_MOUSE) {
		handle_mouse(ui);
		return;
	}
	a = ui_keymap_lookup(ui->km, ui->view, key);
	if (a == UI_ACT_NONE && key >= '0' && key <= '9') {
		if (ui->count < 100000)
			ui->count = ui->count * 10 + (long)(key - '0');
		set_message(ui, false, "%ld", ui->count);
		return;
	}
	count = ui->count;
	ui->count = 0;
	if (ui->message[0] != '\0' && a != UI_ACT_NONE) {
		ui->message[0] = '\0';
		ui->dirty = true;
	}
	do_action(ui, a, count);
}

/* ---- poller reports and other processes ------------------------------- */

void
ui_poll_report(const struct poll_report *r, void *arg)
{
	struct ui *ui = arg;

	ui->refresh_done++;
	ui->refresh_new += r->new_items;
	if (r->outcome == POLL_FAILED) {
		ui->refresh_failed++;
		set_message(ui, true, "%s: %s",
		            r->title ? r->title
		            : r->url ? r->url
		                     : "?",
		            r->err ? r->err->msg : "failed");
	}
	ui->feeds_stale = true;
	if (r->new_items > 0 && ui->have_list &&
	    (ui->list.v.scope != STORE_FEED ||
	     ui->list.v.feed_id == r->feed_id))
		ui->list_stale = true;
	ui->dirty = true;
}

static void
refresh_finished(struct ui *ui)
{
	if (ui->refresh_total == 0)
		return;
	if (ui->keep_message)
		ui->keep_message = false;
	else if (ui->refresh_failed == 0 || !ui->message_error)
		set_message(ui, ui->refresh_failed > 0,
		            "refreshed %d feed%s: %d new, %d failed",
		            ui->refresh_done, ui->refresh_done == 1 ? "" : "s",
		            ui->refresh_new, ui->refresh_failed);
	ui->refresh_total = 0;
	ui->dirty = true;
}

static long
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void
apply_changes(struct ui *ui)
{
	if (elapsed_ms(&ui->last_tick) >= TICK_MS) {
		clock_gettime(CLOCK_MONOTONIC, &ui->last_tick);
		if (store_changed(ui->st)) {
			/* A cron refresh or another window wrote. */
			ui->feeds_stale = true;
			ui->list_stale = ui->have_list;
		}
	}
	if (ui->feeds_stale && ui->view == UI_VIEW_FEEDS)
		load_feeds(ui);
	if (ui->list_stale && ui->have_list &&
	    (ui->view == UI_VIEW_ARTICLES || ui->view == UI_VIEW_READER)) {
		ui->list_stale = false;
		list_reload(ui, &ui->list);
		list_count(ui, &ui->list);
		ui->dirty = true;
	}
}

/* ---- the first run: the demo feeds --------------------------------------- */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* file:// URL of an absolute path, with what is not plain escaped. */
static char *
file_url(const char *path)
{
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "file://");
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/-._~", c))
			buf_putc(&b, (char)c);
		else
			buf_printf(&b, "%%%02X", c);
	}
	return buf_take(&b);
}

static void
subscribe_demo(struct ui *ui)
{
	const char *dir = ui->o.demo_dir;
	char *abs = NULL;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, added = 0;
	struct err err = {0};
	static const char *const tags[] = {"demo"};

	if (dir == NULL)
		dir = getenv("COURANT_DEMO_DIR");
	if (dir == NULL || *dir == '\0')
		dir = ui->o.demo_dir ? "" : COURANT_DATADIR "/demo";
	if (*dir == '\0') {
		/* The user's urls file lists no feed. */
		set_message(ui, false, NO_FEEDS_HINT);
		return;
	}
	abs = realpath(dir, NULL);
	d = abs ? opendir(abs) : NULL;
	if (d == NULL) {
		set_message(ui, false, NO_FEEDS_HINT);
		free(abs);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		const char *dot = strrchr(de->d_name, '.');

		if (de->d_name[0] == '.' || dot == NULL ||
		    !(str_eq(dot, ".xml") || str_eq(dot, ".rdf") ||
		      str_eq(dot, ".atom") || str_eq(dot, ".rss")))
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", abs, names[i]);
		char *url = file_url(path);
		struct store_feed_conf c = {0};
		long id;

		c.url = url;
		c.tags = tags;
		c.n_tags = 1;
		c.position = (int)i;
		id = store_feed_ensure(ui->st, &c, &err);
		if (id > 0) {
			added++;
			if (ui->p != NULL &&
			    poller_refresh(ui->p, id, POLL_FORCE, NULL) > 0)
				ui->refresh_total++;
		}
		free(url);
		free(path);
		free(names[i]);
	}
	free(names);
	free(abs);
	ui->keep_message = added > 0;
	if (added > 0)
		set_message(ui, false,
		            "No feeds yet: showing %zu demo feeds. Add yours "
		            "with 'courant add URL'.",
		            added);
	else
		set_message(ui, true, "%s", err.msg);
}

/* ---- life cycle ------------------------------------------------------- */

struct ui *
ui_new(struct store *st, const struct ui_options *o)
{
	struct ui *ui = xcalloc(1, sizeof *ui);
	const char *b = getenv("BROWSER");

	ui->st = st;
	if (o != NULL)
		ui->o = *o;
	else
		ui_options_default(&ui->o);
	ui->km = ui->o.keys;
	if (ui->km == NULL)
		ui->km = ui->own_km = ui_keymap_new();
	ui->th = ui->o.theme;
	if (ui->th == NULL)
		ui->th = ui->own_th = ui_theme_new();
	if (b != NULL && *b != '\0')
		ui->env_browser = ui_split_command(b, NULL);
	ui->layout = ui->o.layout;
	ui->unread_only = !ui->o.show_read;
	ui->view = UI_VIEW_FEEDS;
	ui->item_id = -1;
	buf_init(&ui->input, 0);
	ui_job_init(&ui->sync);
	return ui;
}

void
ui_free(struct ui *ui)
{
	if (ui == NULL)
		return;
	ui_job_stop(&ui->sync);
	close_item(ui);
	list_done(&ui->list);
	free_feeds(ui);
	ui_argv_free(ui->help);
	ui_argv_free(ui->env_browser);
	ui_keymap_free(ui->own_km);
	ui_theme_free(ui->own_th);
	buf_done(&ui->input);
	free(ui->undo);
	free(ui->popup);
	free(ui->children);
	free(ui->wbuf);
	free(ui->demo_dir);
	free(ui);
}

/* LINES and COLUMNS override the terminal's own size in curses; a value
 * it cannot use (newterm() fails on 99999) is dropped, so the size the
 * terminal reports wins instead of the reader refusing to start. */
static void
drop_bad_size_env(void)
{
	static const char *const names[] = {"LINES", "COLUMNS"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = getenv(names[i]);
		char *end;
		long n;

		if (v == NULL)
			continue;
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n < 1 || n > 9999)
			unsetenv(names[i]);
	}
}

/* Whether a descriptor is still free: curses must open the terminal's
 * description, and without one it can only say "unknown terminal". */
static bool
descriptor_free(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno != EMFILE && errno != ENFILE;
	close(fd);
	return true;
}

static int
start_terminal(struct ui *ui, struct err *err)
{
	const char *term = getenv("TERM");
	const char *cs;
	SCREEN *scr;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		err_set(err, ERR_USAGE,
		        "the reader needs a terminal; see "
		        "'courant --help' for the commands");
		return -1;
	}
	if (term == NULL || *term == '\0') {
		err_set(err, ERR_USAGE, "TERM is not set");
		return -1;
	}
	if (!descriptor_free()) {
		err_set(err, ERR_IO,
		        "too many open files to start the reader: raise the "
		        "limit (ulimit -n)");
		return -1;
	}
	if (ui_terminfo_check(term, STDOUT_FILENO, err) < 0)
		return -1;
	drop_bad_size_env();
	scr = newterm(NULL, stdout, stdin);
	if (scr == NULL) {
		err_set(err, ERR_USAGE,
		        "cannot start the terminal '%.60s' (TERM)", term);
		return -1;
	}
	set_term(scr);
	curses_on = true;
	cs = nl_langinfo(CODESET);
	ui->ascii = cs == NULL || !str_ieq(cs, "UTF-8");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	/* Without this, erasing a cleared line sends a clear-to-eol even
	 * when nothing changed. */
	idlok(stdscr, FALSE);
	setup_colours(ui);
	if (ui->o.mouse)
		mousemask(BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
		                  | BUTTON5_PRESSED
#endif
		          ,
		          NULL);
	return 0;
}

static void
fail_hook(void)
{
	restore_terminal();
}

/* default-view: the reader may open on every article or the unread ones;
 * back goes to the feed list. */
static void
open_start_view(struct ui *ui)
{
	struct store_view v = {0};
	struct entry e = {0};

	switch (ui->o.start_view) {
	case UI_START_FEEDS:
		break;
	case UI_START_ARTICLES:
		v.scope = STORE_ALL;
		list_open_view(ui, &v, NULL, NULL, "All articles");
		break;
	case UI_START_UNREAD:
		e.kind = ENTRY_UNREAD;
		open_entry(ui, &e);
		break;
	}
}

int
ui_run(struct ui *ui, struct poller *p, struct err *err)
{
	struct store_feed_list *l;
	struct pollfd fds[3];
	int status = 0;

	ui->p = p;
	ui->help = ui_keymap_help(ui->km);
	for (ui->n_help = 0; ui->help[ui->n_help] != NULL; ui->n_help++)
		;
	if (setup_signals(err) < 0)
		return -1;
	if (start_terminal(ui, err) < 0) {
		reset_signals();
		return -1;
	}
	atexit(restore_terminal);
	xalloc_set_fail_hook(fail_hook);
	relayout(ui);
	clock_gettime(CLOCK_MONOTONIC, &ui->last_tick);
	ui->last_sync = ui->last_tick;
	store_changed(ui->st); /* start counting from now */
	l = store_feeds(ui->st, NULL, err);
	if (l == NULL) {
		status = -1;
		goto out;
	}
	if (l->n == 0) {
		subscribe_demo(ui);
		start_sync(ui); /* a first run with a server: its feeds */
	} else if (ui->o.refresh_on_start && p != NULL)
		queue_refresh(ui, 0);
	store_feed_list_free(l);
	if (p != NULL && ui->o.refresh_interval > 0)
		poller_set_interval(p, ui->o.refresh_interval);
	load_feeds(ui);
	open_start_view(ui);
	/* Said on stderr too, but the screen covers that at once: a damaged
	 * file set aside or a read-only one must be seen in the reader. */
	if (store_notice(ui->st) != NULL)
		set_message(ui, true, "%s", store_notice(ui->st));
	draw(ui);
	fds[0].fd = STDIN_FILENO;
	fds[1].fd = sig_pipe[0];
	while (!ui->quit) {
		int ms = p ? poller_timeout_ms(p) : -1;
		bool was_busy = p != NULL && poller_busy(p);
		wint_t wc;
		int rc;

		unsigned nfds = ui->sync.fd >= 0 ? 3 : 2;

		if (ms < 0 || ms > TICK_MS)
			ms = TICK_MS;
		fds[0].events = fds[1].events = fds[2].events = POLLIN;
		fds[0].revents = fds[1].revents = fds[2].revents = 0;
		fds[2].fd = ui->sync.fd;
		if (p != NULL) {
			if (poller_wait(p, fds, nfds, ms, err) < 0) {
				status = -1;
				break;
			}
			poller_work(p);
		} else if (poll(fds, nfds, ms) < 0 && errno != EINTR) {
			err_set(err, ERR_IO, "poll: %s", strerror(errno));
			status = -1;
			break;
		}
		if (fds[1].revents & POLLIN) {
			char drain[64];

			while (read(sig_pipe[0], drain, sizeof drain) > 0)
				;
		}
		if (got_quit)
			break;
		if (got_winch) {
			got_winch = 0;
			handle_resize(ui);
		}
		/* Drain every key ncurses holds before sleeping again. */
		while (!ui->quit && (rc = wget_wch(stdscr, &wc)) != ERR)
			handle_key(ui, translate_key(rc, wc));
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break; /* the terminal is gone */
		if (was_busy && !poller_busy(p))
			refresh_finished(ui);
		poll_sync(ui);
		if (ui->o.sync_argv != NULL && ui->o.refresh_interval > 0 &&
		    elapsed_ms(&ui->last_sync) / 1000 >= ui->o.refresh_interval)
			start_sync(ui);
		reap_children(ui);
		apply_changes(ui);
		draw(ui);
	}
out:
	ui_job_stop(&ui->sync);
	restore_terminal();
	reset_signals();
	xalloc_set_fail_hook(NULL);
	return status;
}
