// SPDX-License-Identifier: MIT
/*
 * Full-text search: what the FTS5 index is given (markup stripped, so tag
 * and attribute names do not match) and how a user's words become an FTS5
 * query that can never be a syntax error.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courant/err.h"
#include "courant/store.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

/* Skips an element's content up to its end tag, for script and style. */
static const char *
skip_raw(const char *p, const char *name)
{
	size_t n = strlen(name);

	for (; *p != '\0'; p++) {
		if (p[0] == '<' && p[1] == '/' &&
		    str_istarts_with(p + 2, name) &&
		    !((p[2 + n] >= 'a' && p[2 + n] <= 'z') ||
		      (p[2 + n] >= 'A' && p[2 + n] <= 'Z')))
			return p;
	}
	return p;
}

/* Decodes the entity at p (just after '&'); returns the bytes used, 0 if
 * it is none we know. */
static size_t
entity(struct buf *out, const char *p)
{
	static const struct {
		const char *name;
		const char *text;
	} named[] = {
	        {"amp;", "&"},   {"lt;", "<"},   {"gt;", ">"},
	        {"quot;", "\""}, {"apos;", "'"}, {"nbsp;", " "},
	};
	char utf8[4];
	uint32_t cp = 0;
	size_t i;

	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (str_starts_with(p, named[i].name)) {
			buf_puts(out, named[i].text);
			return strlen(named[i].name);
		}
	}
	if (p[0] != '#')
		return 0;
	if (p[1] == 'x' || p[1] == 'X') {
		for (i = 2; i < 10; i++) {
			char c = p[i];

			if (c >= '0' && c <= '9')
				cp = cp * 16 + (uint32_t)(c - '0');
			else if (c >= 'a' && c <= 'f')
				cp = cp * 16 + (uint32_t)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				cp = cp * 16 + (uint32_t)(c - 'A' + 10);
			else
				break;
		}
		if (i == 2)
			return 0;
	} else {
		for (i = 1; i < 9 && p[i] >= '0' && p[i] <= '9'; i++)
			cp = cp * 10 + (uint32_t)(p[i] - '0');
		if (i == 1)
			return 0;
	}
	if (p[i] == ';')
		i++;
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
	    text_is_forbidden(cp))
		buf_putc(out, ' ');
	else
		buf_append(out, utf8, utf8_encode(cp, utf8));
	return i;
}

void
store_text_for_index(struct buf *out, const struct feed_text *t)
{
	const char *p = t->value;

	if (p == NULL)
		return;
	if (t->type == FEED_TEXT_PLAIN) {
		buf_puts(out, p);
		return;
	}
	while (*p != '\0') {
		if (*p == '<') {
			bool script = str_istarts_with(p, "<script");
			bool style = str_istarts_with(p, "<style");
			const char *end = strchr(p, '>');

			if (end == NULL)
				break;
			p = end + 1;
			if (script)
				p = skip_raw(p, "script");
			else if (style)
				p = skip_raw(p, "style");
			/* Tags separate words: "a<br>b" is two. */
			buf_putc(out, ' ');
		} else if (*p == '&') {
			size_t used = entity(out, p + 1);

			if (used == 0)
				buf_putc(out, '&');
			p += used + 1;
		} else {
			buf_putc(out, *p);
			p++;
		}
	}
}

static bool
has_word_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 || (c >= '0' && c <= '9') ||
		    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return true;
	}
	return false;
}

/* Appends s[0..n) as an FTS5 string, quotes doubled. */
static void
fts_string(struct buf *q, const char *s, size_t n, bool prefix)
{
	if (q->len > 0)
		buf_putc(q, ' ');
	buf_putc(q, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_putc(q, '"');
		buf_putc(q, s[i]);
	}
	buf_putc(q, '"');
	if (prefix)
		buf_putc(q, '*');
}

/*
 * Each word, or "quoted phrase", becomes one FTS5 string, all of them
 * required; a word ending in * is a prefix. Operators and column filters
 * are not offered: a search box should not have syntax errors.
 */
static void
fts_query(struct buf *q, const char *in)
{
	const char *p = in;

	while (*p != '\0') {
		const char *start;
		size_t n;
		bool prefix = false;

		while (str_is_space(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p == '"') {
			start = ++p;
			while (*p != '\0' && *p != '"')
				p++;
			n = (size_t)(p - start);
			if (*p == '"')
				p++;
		} else {
			start = p;
			while (*p != '\0' && !str_is_space(*p))
				p++;
			n = (size_t)(p - start);
		}
		while (n > 0 && start[n - 1] == '*') {
			prefix = true;
			n--;
		}
		if (has_word_char(start, n))
			fts_string(q, start, n, prefix);
	}
}

struct store_page *
store_search(struct store *st, const char *query, int limit, struct err *err)
{
	struct store_page *p;
	sqlite3_stmt *s;
	struct buf q;
	size_t cap = 0;
	int rc;

	p = xcalloc(1, sizeof *p);
	buf_init(&q, 0);
	fts_query(&q, query != NULL ? query : "");
	if (q.len == 0 || limit <= 0) {
		buf_done(&q);
		return p;
	}
	/* bm25 weights: a word in the title counts five times one in the
	 * text. Equal scores fall back to the list order. */
	s = store_prepare(st->db,
	                  "SELECT " ROW_COLUMNS ", snippet(item_fts, 1, '', '',"
	                  " '...', 16) FROM item_fts"
	                  " JOIN items i ON i.id = item_fts.rowid"
	                  " JOIN feeds f ON f.id = i.feed_id"
	                  " WHERE item_fts MATCH ?1"
	                  " ORDER BY bm25(item_fts, 5.0, 1.0), i.date DESC,"
	                  " i.id DESC LIMIT ?2",
	                  err);
	if (s == NULL) {
		buf_done(&q);
		store_page_free(p);
		return NULL;
	}
	sqlite3_bind_text(s, 1, buf_str(&q), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_row *row;

		if (p->n == (size_t)limit) {
			p->more = true;
			continue;
		}
		row = store_page_push(p, &cap);
		store_row_fill(row, s);
		row->snippet = store_col_dup(s, ROW_NCOLUMNS);
	}
	sqlite3_finalize(s);
	buf_done(&q);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "search", err);
		store_page_free(p);
		return NULL;
	}
	return p;
}
