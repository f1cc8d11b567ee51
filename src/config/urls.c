// SPDX-License-Identifier: MIT
/*
 * The urls file, in Newsboat's format so that a Newsboat user can point
 * courant at theirs: one feed a line, the URL first, then tags, a
 * "~Display title" and "!" for a feed kept out of the list. Newsboat's
 * command subscriptions (exec:, filter:) and query feeds are skipped with
 * a warning: courant never runs a command it read from a file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/config.h"
#include "courant/fetch.h"
#include "courant/util.h"

#include "private.h"

#define URLS_MAX_TAGS 256

static void
entry_done(struct urls_entry *e)
{
	free(e->url);
	free(e->title);
	for (size_t i = 0; i < e->n_tags; i++)
		free(e->tags[i]);
	free(e->tags);
}

void
urls_free(struct urls *u)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < u->n; i++)
		entry_done(&u->entries[i]);
	free(u->entries);
	warnings_free(u->warnings, u->n_warnings);
	free(u->path);
	free(u);
}

const struct urls_entry *
urls_find(const struct urls *u, const char *url)
{
	if (u == NULL || url == NULL)
		return NULL;
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->entries[i].url, url) == 0)
			return &u->entries[i];
	return NULL;
}

static bool
is_command_line(const char *url)
{
	return str_starts_with(url, "exec:") ||
	       str_starts_with(url, "filter:") ||
	       str_starts_with(url, "query:");
}

/* Fills e from the words of one line; -1 and err. */
static int
parse_entry(struct urls *u, struct urls_entry *e, struct words *w, int line,
            struct err *err)
{
	memset(e, 0, sizeof *e);
	e->line = line;
	if (w->v[0][0] == '-' || !fetch_url_allowed(w->v[0])) {
		err_set(err, ERR_PARSE,
		        "%s:%d: '%s' is not an http, https or file URL",
		        u->path, line, w->v[0]);
		return -1;
	}
	e->url = xstrdup(w->v[0]);
	for (size_t i = 1; i < w->n; i++) {
		const char *t = w->v[i];

		if (strcmp(t, "!") == 0) {
			e->is_hidden = true;
		} else if (t[0] == '~') {
			if (t[1] == '\0' || e->title != NULL) {
				err_set(err, ERR_PARSE, "%s:%d: %s", u->path,
				        line,
				        t[1] == '\0' ? "an empty \"~title\""
				                     : "a second \"~title\"");
				goto fail;
			}
			e->title = xstrdup(t + 1);
		} else if (t[0] == '\0') {
			err_set(err, ERR_PARSE, "%s:%d: an empty tag", u->path,
			        line);
			goto fail;
		} else {
			bool dup = false;

			if (e->n_tags >= URLS_MAX_TAGS) {
				err_set(err, ERR_PARSE,
				        "%s:%d: more than %d tags", u->path,
				        line, URLS_MAX_TAGS);
				goto fail;
			}
			for (size_t k = 0; k < e->n_tags; k++)
				dup = dup || strcmp(e->tags[k], t) == 0;
			if (dup)
				continue;
			e->tags = xreallocarray(e->tags, e->n_tags + 1,
			                        sizeof *e->tags);
			e->tags[e->n_tags++] = xstrdup(t);
		}
	}
	return 0;
fail:
	entry_done(e);
	return -1;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct urls_entry *x = *(const struct urls_entry *const *)a;
	const struct urls_entry *y = *(const struct urls_entry *const *)b;
	int c = strcmp(x->url, y->url);

	return c != 0 ? c : x->line - y->line;
}

static int
cmp_warning(const void *a, const void *b)
{
	const struct config_warning *x = a;
	const struct config_warning *y = b;

	return x->line - y->line;
}

/* A feed listed twice keeps its first line; the others are warnings.
 * Sorted, not compared pairwise: urls files of thousands of feeds exist. */
static void
drop_duplicates(struct urls *u)
{
	struct urls_entry **v;
	bool *dup;
	size_t kept = 0;

	if (u->n < 2)
		return;
	v = xcalloc(u->n, sizeof *v);
	dup = xcalloc(u->n, sizeof *dup);
	for (size_t i = 0; i < u->n; i++)
		v[i] = &u->entries[i];
	qsort(v, u->n, sizeof *v, cmp_entry);
	for (size_t i = 1; i < u->n; i++) {
		size_t first = i - 1;

		if (strcmp(v[i]->url, v[first]->url) != 0)
			continue;
		while (first > 0 && strcmp(v[first - 1]->url, v[i]->url) == 0)
			first--;
		warning_add(&u->warnings, &u->n_warnings, u->path, v[i]->line,
		            "'%s' is already on line %d; skipped", v[i]->url,
		            v[first]->line);
		dup[v[i] - u->entries] = true;
	}
	for (size_t i = 0; i < u->n; i++) {
		if (dup[i])
			entry_done(&u->entries[i]);
		else
			u->entries[kept++] = u->entries[i];
	}
	u->n = kept;
	if (u->n_warnings > 1)
		qsort(u->warnings, u->n_warnings, sizeof *u->warnings,
		      cmp_warning);
	free(v);
	free(dup);
}

struct urls *
urls_parse(const char *name, const char *text, size_t n, struct err *err)
{
	struct urls *u = xcalloc(1, sizeof *u);
	struct words w = {0};
	const char *line;
	size_t pos = 0;
	size_t len;
	int lineno = 0;

	u->path = xstrdup(name != NULL ? name : "urls");
	u->exists = true;
	if (text == NULL)
		return u;
	if (cfile_check_text(u->path, text, n, err) < 0)
		goto fail;
	/* A byte order mark some editors write. */
	if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while ((line = next_line(text, n, &pos, &len)) != NULL) {
		const char *why = NULL;
		struct urls_entry e;

		lineno++;
		if (words_split(&w, line, len, &why) < 0) {
			err_set(err, ERR_PARSE, "%s:%d: %s", u->path, lineno,
			        why);
			goto fail;
		}
		if (w.n == 0)
			continue;
		if (is_command_line(w.v[0])) {
			warning_add(&u->warnings, &u->n_warnings, u->path,
			            lineno,
			            "'%.*s' feeds are not supported (courant "
			            "never runs commands from its files); "
			            "skipped",
			            (int)(strchr(w.v[0], ':') - w.v[0] + 1),
			            w.v[0]);
			continue;
		}
		if (parse_entry(u, &e, &w, lineno, err) < 0)
			goto fail;
		u->entries =
		        xreallocarray(u->entries, u->n + 1, sizeof *u->entries);
		u->entries[u->n++] = e;
	}
	words_done(&w);
	drop_duplicates(u);
	return u;
fail:
	words_done(&w);
	urls_free(u);
	return NULL;
}

struct urls *
urls_load(const char *path, struct err *err)
{
	struct urls *u;
	char *data;
	size_t n;
	bool missing;

	if (cfile_read(path, CONFIG_MAX_FILE, &data, &n, &missing, err) < 0)
		return NULL;
	if (missing) {
		u = xcalloc(1, sizeof *u);
		u->path = xstrdup(path);
		return u;
	}
	u = urls_parse(path, data, n, err);
	free(data);
	return u;
}

/* ---- editing in place ---------------------------------------------------- */

static void
put_word(struct buf *b, const char *prefix, const char *s)
{
	bool quote = prefix[0] != '\0' || s[0] == '\0' || s[0] == '#' ||
	             s[0] == '~' || strcmp(s, "!") == 0 ||
	             strpbrk(s, " \t\"\\") != NULL;

	buf_putc(b, ' ');
	if (!quote) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	buf_puts(b, prefix);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

char *
urls_format_line(const struct urls_add *a)
{
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, a->url);
	for (size_t i = 0; i < a->n_tags; i++)
		put_word(&b, "", a->tags[i]);
	if (a->title != NULL && a->title[0] != '\0')
		put_word(&b, "~", a->title);
	if (a->is_hidden)
		buf_puts(&b, " \"!\"");
	return buf_take(&b);
}

/* Reads the file for editing: its bytes ("" when missing), checked. */
static char *
read_for_edit(const char *path, size_t *n, struct err *err)
{
	char *data;
	bool missing;

	if (cfile_read(path, CONFIG_MAX_FILE, &data, n, &missing, err) < 0)
		return NULL;
	if (missing) {
		*n = 0;
		return xstrdup("");
	}
	return data;
}

/* The URL a line subscribes to, or NULL (comment, blank, unparseable). */
static char *
line_url(const char *line, size_t len)
{
	struct words w = {0};
	const char *why;
	char *url = NULL;

	if (words_split(&w, line, len, &why) == 0 && w.n > 0)
		url = xstrdup(w.v[0]);
	words_done(&w);
	return url;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct add_ref {
	const char *url;
	size_t i;
};

static int
cmp_add(const void *a, const void *b)
{
	const struct add_ref *x = a;
	const struct add_ref *y = b;
	int c = strcmp(x->url, y->url);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
urls_file_append(const char *path, const struct urls_add *add, size_t n,
                 struct err *err)
{
	struct buf out;
	char **have = NULL;
	size_t n_have = 0;
	struct add_ref *order;
	bool *skip;
	const char *line;
	char *data;
	size_t len, l;
	size_t pos = 0;
	int added = 0;
	int r;

	/* A line the file could not read back would stop the next start:
	 * the same rule as urls_parse(). */
	for (size_t i = 0; i < n; i++) {
		if (add[i].url[0] == '-' || !fetch_url_allowed(add[i].url)) {
			err_set(err, ERR_USAGE,
			        "not an address a urls file can hold (http, "
			        "https or file, with a host)");
			return -1;
		}
	}
	data = read_for_edit(path, &len, err);
	if (data == NULL)
		return -1;
	/* Only the URLs matter here: a file with an error elsewhere is still
	 * appended to, and the error stays for the user to see. Lookups are
	 * sorted: an import may bring thousands of feeds. */
	while ((line = next_line(data, len, &pos, &l)) != NULL) {
		char *url = line_url(line, l);

		if (url == NULL)
			continue;
		have = xreallocarray(have, n_have + 1, sizeof *have);
		have[n_have++] = url;
	}
	if (n_have > 0)
		qsort(have, n_have, sizeof *have, cmp_str);
	order = xcalloc(n + 1, sizeof *order);
	skip = xcalloc(n + 1, sizeof *skip);
	for (size_t i = 0; i < n; i++)
		order[i] = (struct add_ref){add[i].url, i};
	if (n > 0)
		qsort(order, n, sizeof *order, cmp_add);
	for (size_t k = 0; k < n; k++) {
		const char *key = order[k].url;

		if ((k > 0 && strcmp(order[k - 1].url, key) == 0) ||
		    (n_have > 0 &&
		     bsearch(&key, have, n_have, sizeof *have, cmp_str)))
			skip[order[k].i] = true;
	}
	buf_init(&out, 0);
	buf_append(&out, data, len);
	for (size_t i = 0; i < n; i++) {
		char *text;

		if (skip[i])
			continue;
		if (out.len > 0 && out.data[out.len - 1] != '\n')
			buf_putc(&out, '\n');
		text = urls_format_line(&add[i]);
		buf_puts(&out, text);
		buf_putc(&out, '\n');
		free(text);
		added++;
	}
	r = added > 0 ? cfile_replace(path, out.data, out.len, err) : 0;
	buf_done(&out);
	for (size_t i = 0; i < n_have; i++)
		free(have[i]);
	free(have);
	free(order);
	free(skip);
	free(data);
	return r < 0 ? -1 : added;
}

int
urls_file_remove(const char *path, const char *url, struct err *err)
{
	struct buf out;
	const char *line;
	char *data;
	size_t len, l;
	size_t pos = 0;
	int removed = 0;
	int r = 0;

	data = read_for_edit(path, &len, err);
	if (data == NULL)
		return -1;
	buf_init(&out, 0);
	for (;;) {
		size_t start = pos;
		char *u;

		line = next_line(data, len, &pos, &l);
		if (line == NULL)
			break;
		u = line_url(line, l);
		if (u != NULL && strcmp(u, url) == 0)
			removed++;
		else
			buf_append(&out, data + start, pos - start);
		free(u);
	}
	if (removed > 0)
		r = cfile_replace(path, buf_str(&out), out.len, err);
	buf_done(&out);
	free(data);
	return r < 0 ? -1 : removed;
}
