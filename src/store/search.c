// SPDX-License-Identifier: MIT
/*
 * Full-text search: what the FTS5 index is given (markup stripped, so tag
 * and attribute names do not match), how a user's words become an FTS5
 * query that can never be a syntax error, and how matches are ranked.
 *
 * The index is contentless (schema version 3): it keeps the words and
 * their positions but no copy of the text, which halved the file and the
 * bytes a refresh writes. The price is that an entry is removed by giving
 * back the very text it was made from, so store_index_item() and
 * store_index_row() below are the only definition of that text: they must
 * agree to the byte, and changing what they produce needs a migration that
 * rebuilds the index.
 */
#include "config.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
			size_t run = strcspn(p, "<&");

			buf_append(out, p, run);
			p += run;
		}
	}
}

void
store_index_item(struct buf *title, struct buf *body,
                 const struct feed_item *it)
{
	store_text_for_index(title, &it->title);
	store_text_for_index(body, &it->summary);
	for (size_t i = 0; i < it->n_content; i++) {
		buf_putc(body, '\n');
		store_text_for_index(body, &it->content[i]);
	}
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Decodes the JSON string at p (past its opening quote) into out; returns
 * what follows the closing quote, NULL for anything unexpected. */
static const char *
json_str(const char *p, struct buf *out)
{
	static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";

	for (;;) {
		const char *run = p;
		const char *e;
		uint32_t cp = 0;
		char utf8[4];

		while (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			p++;
		buf_append(out, run, (size_t)(p - run));
		if (*p == '"')
			return p + 1;
		if (*p != '\\' || p[1] == '\0')
			return NULL;
		p++;
		if (*p != 'u') {
			e = strchr(escapes, *p);
			if (e == NULL || (e - escapes) % 2 != 0)
				return NULL;
			buf_putc(out, e[1]);
			p++;
			continue;
		}
		for (int i = 1; i <= 4; i++) {
			int d = hex_digit(p[i]);

			if (d < 0)
				return NULL;
			cp = cp * 16 + (uint32_t)d;
		}
		/* items.c escapes only C0 controls; a NUL or a surrogate is
		 * left to SQLite's own decoder. */
		if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
			return NULL;
		buf_append(out, utf8, utf8_encode(cp, utf8));
		p += 5;
	}
}

/*
 * Appends the index text of a content array, [{"a": text, "n": type}...]
 * as items.c writes it, to body: what the json_each() path below gives,
 * several times faster (a search checks the text of up to 2,000
 * candidates). false, with body as it was, for anything else.
 */
static bool
fast_contents(const char *json, struct buf *body)
{
	size_t mark = body->len;
	struct buf a;
	struct buf other;
	const char *p = skip_ws(json);
	bool ok = false;

	buf_init(&a, 0);
	buf_init(&other, 0);
	if (*p++ != '[')
		goto out;
	p = skip_ws(p);
	if (*p == ']') {
		ok = *skip_ws(p + 1) == '\0';
		goto out;
	}
	for (;;) {
		bool has_a = false;
		long n = 0;

		p = skip_ws(p);
		if (*p++ != '{')
			goto out;
		buf_reset(&a);
		p = skip_ws(p);
		while (*p != '}') {
			char key;

			if (p[0] != '"' || p[1] == '\0' || p[2] != '"')
				goto out;
			key = p[1];
			p = skip_ws(p + 3);
			if (*p++ != ':')
				goto out;
			p = skip_ws(p);
			if (*p == '"') {
				if (key == 'a' && has_a)
					goto out;
				buf_reset(&other);
				p = json_str(p + 1, key == 'a' ? &a : &other);
				has_a = has_a || key == 'a';
			} else if (key == 'n' &&
			           (*p == '-' || (*p >= '0' && *p <= '9'))) {
				char *end;

				n = strtol(p, &end, 10);
				p = end;
			} else {
				goto out;
			}
			if (p == NULL)
				goto out;
			p = skip_ws(p);
			if (*p == ',')
				p = skip_ws(p + 1);
			else if (*p != '}')
				goto out;
		}
		p = skip_ws(p + 1);
		buf_putc(body, '\n');
		if (has_a) {
			struct feed_text c = {
			        .type = (enum feed_text_type)n,
			        .value = a.data,
			};

			store_text_for_index(body, &c);
		}
		if (*p == ',') {
			p++;
			continue;
		}
		ok = *p == ']' && *skip_ws(p + 1) == '\0';
		break;
	}
out:
	if (!ok) {
		body->len = mark;
		if (body->data != NULL)
			body->data[mark] = '\0';
	}
	buf_done(&a);
	buf_done(&other);
	return ok;
}

int
store_index_row(sqlite3 *db, sqlite3_stmt **each, sqlite3_stmt *row, int col,
                struct buf *title, struct buf *body, struct err *err)
{
	struct feed_text t = {
	        .type = (enum feed_text_type)sqlite3_column_int(row, col + 1),
	        .value = (char *)sqlite3_column_text(row, col),
	};
	struct feed_text sum = {
	        .type = (enum feed_text_type)sqlite3_column_int(row, col + 3),
	        .value = (char *)sqlite3_column_text(row, col + 2),
	};
	int rc;

	store_text_for_index(title, &t);
	store_text_for_index(body, &sum);
	if (sqlite3_column_type(row, col + 4) == SQLITE_NULL)
		return 0;
	if (fast_contents((const char *)sqlite3_column_text(row, col + 4),
	                  body))
		return 0;
	/* The content constructs, stored as [{"a": text, "n": type}...]. */
	if (*each == NULL) {
		*each = store_prepare(db,
		                      "SELECT json_extract(value, '$.a'),"
		                      " json_extract(value, '$.n')"
		                      " FROM json_each(?1)",
		                      err);
		if (*each == NULL)
			return -1;
	}
	sqlite3_reset(*each);
	sqlite3_bind_value(*each, 1, sqlite3_column_value(row, col + 4));
	while ((rc = sqlite3_step(*each)) == SQLITE_ROW) {
		struct feed_text c = {
		        .type = (enum feed_text_type)sqlite3_column_int(*each,
		                                                        1),
		        .value = (char *)sqlite3_column_text(*each, 0),
		};

		buf_putc(body, '\n');
		store_text_for_index(body, &c);
	}
	sqlite3_reset(*each);
	if (rc != SQLITE_DONE) {
		store_dberr(db, rc, "index articles", err);
		return -1;
	}
	return 0;
}

int
store_fts_add(struct store *st, long id, const struct feed_item *it,
              struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	buf_reset(&st->fts_title);
	buf_reset(&st->fts_body);
	store_index_item(&st->fts_title, &st->fts_body, it);
	s = store_stmt(st, STMT_FTS_INSERT, err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, buf_str(&st->fts_title), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, buf_str(&st->fts_body), -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "index articles", err);
		return -1;
	}
	return 0;
}

int
store_fts_forget(struct store *st, long id, struct err *err)
{
	sqlite3_stmt *row;
	sqlite3_stmt *del;
	int rc;

	row = store_stmt(st, STMT_FTS_OLD, err);
	if (row == NULL)
		return -1;
	sqlite3_bind_int64(row, 1, id);
	rc = sqlite3_step(row);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(row);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		store_dberr(st->db, rc, "index articles", err);
		sqlite3_reset(row);
		return -1;
	}
	buf_reset(&st->fts_title);
	buf_reset(&st->fts_body);
	if (store_index_row(st->db, &st->json_each, row, 0, &st->fts_title,
	                    &st->fts_body, err) < 0) {
		sqlite3_reset(row);
		return -1;
	}
	sqlite3_reset(row);
	del = store_stmt(st, STMT_FTS_DELETE, err);
	if (del == NULL)
		return -1;
	sqlite3_bind_int64(del, 1, id);
	sqlite3_bind_text(del, 2, buf_str(&st->fts_title), -1, SQLITE_STATIC);
	sqlite3_bind_text(del, 3, buf_str(&st->fts_body), -1, SQLITE_STATIC);
	rc = sqlite3_step(del);
	sqlite3_reset(del);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "index articles", err);
		return -1;
	}
	return 0;
}

/* ---- the query ---- */

/* A word or "quoted phrase" of the query, as the index's tokenizer cut
 * it; the last token may be a prefix. */
struct phrase {
	char **tok;
	size_t n;
	bool prefix;
};

/* What the user asked for: the phrases, and the words as typed
 * (lowercased) for the snippets. */
struct terms {
	struct phrase *ph;
	size_t n_ph;
	char **words;
	size_t n;
};

static int
add_token(void *arg, int tflags, const char *tok, int n, int start, int end)
{
	struct phrase *ph = arg;

	(void)start;
	(void)end;
	/* Synonyms (colocated tokens) are not produced by unicode61. */
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	ph->tok = xreallocarray(ph->tok, ph->n + 1, sizeof *ph->tok);
	ph->tok[ph->n++] = xstrndup(tok, (size_t)n);
	return SQLITE_OK;
}

/* Appends tok as an FTS5 string, quotes doubled; all of them required
 * (an explicit AND: FTS5 joins a string and a group only with one). */
static void
fts_string(struct buf *q, const char *tok, bool prefix)
{
	if (q->len > 0)
		buf_puts(q, " AND ");
	buf_putc(q, '"');
	for (const char *p = tok; *p != '\0'; p++) {
		if (*p == '"')
			buf_putc(q, '"');
		buf_putc(q, *p);
	}
	buf_putc(q, '"');
	if (prefix)
		buf_putc(q, '*');
}

/*
 * A prefix matching at most this many words of the index is searched as
 * those words, OR'ed (see prefix_words()); a wider one as a prefix.
 */
#define PREFIX_WORDS_MAX 32

/*
 * The words of the index that start with tok, when there are at most
 * PREFIX_WORDS_MAX: FTS5 answers a prefix by merging the whole lists of
 * every matching word before it can give the newest match, 120 ms for a
 * prefix of two thirds of a million articles, while the same words OR'ed
 * are read from the newest end, lazily (3 ms), and listing them costs a
 * seek each. Returns the count, 0 for none, -1 for too many or
 * a failure (then the prefix is searched as FTS5 does it).
 */
static int
prefix_words(struct store *st, const char *tok, char ***out)
{
	sqlite3_stmt *s;
	size_t len = strlen(tok);
	char *from = xstrdup(tok);
	int n = 0;
	int got = 0; /* entries of *out allocated so far */
	int rc = SQLITE_DONE;

	*out = NULL;
	if (!st->have_vocab) {
		/* One row per place a word is (lazily), so that the first
		 * word from a point on costs a seek, unlike the 'row'
		 * table's, which counts all of a word's documents first. */
		if (sqlite3_exec(st->db,
		                 "CREATE VIRTUAL TABLE IF NOT EXISTS"
		                 " temp.courant_vocab USING"
		                 " fts5vocab(main, item_fts, instance)",
		                 NULL, NULL, NULL) != SQLITE_OK) {
			free(from);
			return -1;
		}
		st->have_vocab = true;
	}
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT term FROM temp.courant_vocab"
	                       " WHERE term >= ?1 LIMIT 1",
	                       -1, &s, NULL) != SQLITE_OK) {
		free(from);
		return -1;
	}
	/* Word after word, in order, each found by a seek past the last
	 * (a word with \x01 appended: no word holds a control byte). */
	for (;;) {
		const char *t;

		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		t = (const char *)sqlite3_column_text(s, 0);
		if (t == NULL || strncmp(t, tok, len) != 0) {
			rc = SQLITE_DONE;
			break;
		}
		if (n == PREFIX_WORDS_MAX) {
			n = -1;
			break;
		}
		*out = xreallocarray(*out, (size_t)n + 1, sizeof **out);
		(*out)[n++] = xstrdup(t);
		got = n;
		free(from);
		from = xasprintf("%s\x01", t);
	}
	sqlite3_finalize(s);
	free(from);
	if (n >= 0 && rc != SQLITE_DONE)
		n = -1;
	if (n < 0) {
		/* Only what was filled in: an error can come half-way. */
		for (int i = 0; i < got; i++)
			free((*out)[i]);
		free(*out);
		*out = NULL;
	}
	return n;
}

/* Appends the group of the next FTS5 phrase to groups ("0,1,1,2"). */
static void
add_group(struct buf *groups, int g)
{
	buf_printf(groups, groups->len > 0 ? ",%d" : "%d", g);
}

/* Appends tok, a prefix, as the words it stands for, or as a prefix. */
static void
fts_prefix(struct store *st, struct buf *q, struct buf *groups, int g,
           const char *tok)
{
	char **words;
	int n = prefix_words(st, tok, &words);

	if (n <= 0) {
		fts_string(q, tok, true);
		add_group(groups, g);
		return;
	}
	if (q->len > 0)
		buf_puts(q, " AND ");
	buf_putc(q, '(');
	for (int i = 0; i < n; i++) {
		struct buf one;

		buf_init(&one, 0);
		fts_string(&one, words[i], false);
		if (i > 0)
			buf_puts(q, " OR ");
		buf_puts(q, buf_str(&one));
		buf_done(&one);
		add_group(groups, g);
		free(words[i]);
	}
	buf_putc(q, ')');
	free(words);
}

/*
 * Each word, or "quoted phrase", is cut into tokens by the index's own
 * tokenizer and every token becomes one FTS5 string, all of them required;
 * a word ending in * is a prefix. Operators and column filters are not
 * offered: a search box should not have syntax errors. The index keeps no
 * positions (detail=column), so the order of a phrase's words is checked
 * afterwards, on the text (phrase_in()).
 */
static void
fts_query(struct store *st, struct buf *q, struct buf *groups, struct terms *t,
          const char *in)
{
	const char *p = in;
	int g = 0;

	while (*p != '\0') {
		const char *start;
		size_t n;
		bool prefix = false;
		struct phrase ph = {NULL, 0, false};
		char *word;

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
		if (n == 0 || n > INT_MAX)
			continue;
		word = xstrndup(start, n);
		if (st->tok != NULL)
			st->tokenizer.xTokenize(st->tok, &ph,
			                        FTS5_TOKENIZE_QUERY, word,
			                        (int)n, add_token);
		if (ph.n == 0) {
			free(word);
			free(ph.tok);
			continue;
		}
		ph.prefix = prefix;
		for (size_t i = 0; i < ph.n; i++, g++) {
			if (prefix && i + 1 == ph.n) {
				fts_prefix(st, q, groups, g, ph.tok[i]);
				continue;
			}
			fts_string(q, ph.tok[i], false);
			add_group(groups, g);
		}
		t->ph = xreallocarray(t->ph, t->n_ph + 1, sizeof *t->ph);
		t->ph[t->n_ph++] = ph;
		t->words = xreallocarray(t->words, t->n + 1, sizeof *t->words);
		t->words[t->n++] = str_lower(word);
	}
}

static void
terms_done(struct terms *t)
{
	for (size_t i = 0; i < t->n_ph; i++) {
		for (size_t j = 0; j < t->ph[i].n; j++)
			free(t->ph[i].tok[j]);
		free(t->ph[i].tok);
	}
	free(t->ph);
	for (size_t i = 0; i < t->n; i++)
		free(t->words[i]);
	free(t->words);
}

static bool
has_phrases(const struct terms *t)
{
	for (size_t i = 0; i < t->n_ph; i++) {
		if (t->ph[i].n > 1)
			return true;
	}
	return false;
}

/* The tokens of a text, each NUL-terminated, one after the other. */
struct token_run {
	struct buf b;
	size_t n;
};

static int
keep_token(void *arg, int tflags, const char *tok, int n, int start, int end)
{
	struct token_run *run = arg;

	(void)start;
	(void)end;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	buf_append(&run->b, tok, (size_t)n);
	buf_putc(&run->b, '\0');
	run->n++;
	return SQLITE_OK;
}

static bool
phrase_at(const char *p, const char *end, const struct phrase *ph)
{
	for (size_t i = 0; i < ph->n; i++) {
		bool last = i + 1 == ph->n;

		if (p >= end)
			return false;
		if (last && ph->prefix ? !str_starts_with(p, ph->tok[i])
		                       : strcmp(p, ph->tok[i]) != 0)
			return false;
		p += strlen(p) + 1;
	}
	return true;
}

static bool tokenized_phrases_in(struct store *st, const struct terms *t,
                                 const char *title, const char *body);

static bool
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool
is_ascii_text(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return false;
	}
	return true;
}

static bool
ascii_tokens(const struct phrase *ph)
{
	for (size_t i = 0; i < ph->n; i++) {
		for (const char *p = ph->tok[i]; *p != '\0'; p++) {
			if (!is_alnum((unsigned char)*p))
				return false;
		}
	}
	return true;
}

/*
 * The phrase in ASCII text, without the tokenizer: there unicode61 only
 * folds case and cuts at every byte that is not a letter or digit, so a
 * byte scan decides exactly, ten times faster (most candidates of a
 * phrase of common words fail, and each is checked).
 */
static bool
ascii_phrase_in(const char *text, const struct phrase *ph)
{
	for (const char *s = text; *s != '\0'; s++) {
		const char *p = s;
		size_t k;

		if (s > text && is_alnum((unsigned char)s[-1]))
			continue;
		for (k = 0; k < ph->n; k++) {
			size_t len = strlen(ph->tok[k]);
			bool last = k + 1 == ph->n;

			if (strncasecmp(p, ph->tok[k], len) != 0)
				break;
			p += len;
			if (last && ph->prefix)
				return true;
			if (is_alnum((unsigned char)*p))
				break;
			if (last)
				return true;
			while (*p != '\0' && !is_alnum((unsigned char)*p))
				p++;
		}
	}
	return false;
}

/* True when every phrase of t appears, in order, in one of the texts. */
static bool
phrases_in(struct store *st, const struct terms *t, const char *title,
           const char *body)
{
	bool ascii = is_ascii_text(title) && is_ascii_text(body);

	for (size_t i = 0; ascii && i < t->n_ph; i++)
		ascii = ascii_tokens(&t->ph[i]);
	if (ascii) {
		for (size_t i = 0; i < t->n_ph; i++) {
			if (t->ph[i].n > 1 &&
			    !ascii_phrase_in(title, &t->ph[i]) &&
			    !ascii_phrase_in(body, &t->ph[i]))
				return false;
		}
		return true;
	}
	return tokenized_phrases_in(st, t, title, body);
}

/* The same with the index's tokenizer, for any text. */
static bool
tokenized_phrases_in(struct store *st, const struct terms *t, const char *title,
                     const char *body)
{
	const char *texts[2] = {title, body};
	struct token_run runs[2];
	bool all = true;

	for (int c = 0; c < 2; c++) {
		buf_init(&runs[c].b, 0);
		runs[c].n = 0;
		if (strlen(texts[c]) <= INT_MAX)
			st->tokenizer.xTokenize(
			        st->tok, &runs[c], FTS5_TOKENIZE_DOCUMENT,
			        texts[c], (int)strlen(texts[c]), keep_token);
	}
	for (size_t i = 0; all && i < t->n_ph; i++) {
		bool found = false;

		if (t->ph[i].n < 2)
			continue;
		for (int c = 0; !found && c < 2; c++) {
			const char *p = runs[c].b.data;
			const char *end = p + runs[c].b.len;

			for (; !found && p != NULL && p < end;
			     p += strlen(p) + 1)
				found = phrase_at(p, end, &t->ph[i]);
		}
		all = found;
	}
	buf_done(&runs[0].b);
	buf_done(&runs[1].b);
	return all;
}

/* The first place in text where one of the words starts a word; 0. */
static size_t
first_hit(const char *text, const struct terms *t)
{
	for (const char *p = text; *p != '\0'; p++) {
		unsigned char prev = p > text ? (unsigned char)p[-1] : ' ';

		if (prev >= 0x80 || (prev >= '0' && prev <= '9') ||
		    ((prev | 0x20) >= 'a' && (prev | 0x20) <= 'z'))
			continue;
		for (size_t i = 0; i < t->n; i++) {
			if (str_istarts_with(p, t->words[i]))
				return (size_t)(p - text);
		}
	}
	return 0;
}

#define SNIPPET_BEFORE 60
#define SNIPPET_BYTES 180

static bool
is_cont(const char *p)
{
	return ((unsigned char)*p & 0xC0) == 0x80;
}

/*
 * A line of text around the first hit: whitespace runs become one space,
 * cuts fall between words where there are spaces (else between
 * characters) and are marked with "...". Not FTS5's snippet(), which a
 * contentless index cannot give.
 */
static char *
make_snippet(const char *text, const struct terms *t)
{
	size_t len = strlen(text);
	size_t hit = first_hit(text, t);
	size_t start = hit > SNIPPET_BEFORE ? hit - SNIPPET_BEFORE : 0;
	size_t end;
	struct buf out;
	bool space = false;

	while (start > 0 && is_cont(text + start))
		start--;
	if (start > 0) {
		/* Start at the next word, unless the hit is in this one. */
		size_t s = start;

		while (s < hit && !str_is_space(text[s]))
			s++;
		if (s < hit)
			start = s;
	}
	while (text[start] != '\0' && str_is_space(text[start]))
		start++;
	end = start + SNIPPET_BYTES < len ? start + SNIPPET_BYTES : len;
	while (end < len && end > start && is_cont(text + end))
		end--;
	if (end < len) {
		size_t e = end;

		while (e > start && !str_is_space(text[e]))
			e--;
		if (e > hit)
			end = e;
	}
	buf_init(&out, 0);
	if (start > 0)
		buf_puts(&out, "...");
	for (size_t i = start; i < end; i++) {
		if (str_is_space(text[i])) {
			space = true;
			continue;
		}
		if (space && out.len > 0 && strcmp(buf_str(&out), "...") != 0)
			buf_putc(&out, ' ');
		space = false;
		buf_putc(&out, text[i]);
	}
	if (end < len)
		buf_puts(&out, "...");
	return buf_take(&out);
}

/*
 * courant_rank(item_fts): BM25 with a term frequency of one per column
 * that holds the word (all the index knows), a title hit weighing five body
 * hits, shorter texts ahead. The inverse document frequency is left out:
 * FTS5's bm25() counts every document holding each word to get it, which
 * for a common word in a big cache is a scan of a million entries, the
 * very cost we rank a bounded set of matches to avoid. With all words
 * required, each result holds each of them anyway.
 *
 * courant_rank(item_fts, groups): the same, with the query word each FTS5
 * phrase stands for ("0,1,1,1"): a prefix searched as the words it
 * matches, OR'ed, is one word, hit once per column whichever of them
 * is there, as FTS5's own prefix phrase would be.
 */
static void
rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
        int n_val, sqlite3_value **val)
{
	static const double weight[2] = {5.0, 1.0};
	const double k1 = 1.2;
	const double b = 0.75;
	int n_phrase = api->xPhraseCount(fts);
	const char *groups = NULL;
	sqlite3_int64 n_rows = 0;
	double score = 0;
	int n_group = 0;
	int *group;
	int *hits;

	if (n_val > 0)
		groups = (const char *)sqlite3_value_text(val[0]);
	if (n_phrase <= 0) {
		sqlite3_result_double(ctx, 0);
		return;
	}
	/* The query word each phrase stands for ("0,1,1": a prefix given
	 * as two words counts as one word, as FTS5's prefix would). */
	group = xcalloc((size_t)n_phrase, sizeof *group);
	for (int p = 0; p < n_phrase; p++) {
		char *end;
		long v = groups != NULL && *groups != '\0'
		                 ? strtol(groups, &end, 10)
		                 : -1;

		if (v < 0 || v >= n_phrase || v < n_group - 1) {
			/* No map, or a bad one: each phrase its own. */
			for (int k = 0; k < n_phrase; k++)
				group[k] = k;
			n_group = n_phrase;
			break;
		}
		group[p] = (int)v;
		if (v + 1 > n_group)
			n_group = (int)v + 1;
		groups = *end == ',' ? end + 1 : end;
	}
	hits = xcalloc((size_t)n_phrase * 2, sizeof *hits);
	/* With detail=column the index says in which columns a word is,
	 * not how often: a hit counts once per column. */
	for (int p = 0; p < n_phrase; p++) {
		Fts5PhraseIter it;
		int col = -1;

		if (api->xPhraseFirstColumn(fts, p, &it, &col) != SQLITE_OK)
			continue;
		while (col >= 0) {
			if (col < 2)
				hits[group[p] * 2 + col] = 1;
			api->xPhraseNextColumn(fts, &it, &col);
		}
	}
	free(group);
	n_phrase = n_group;
	api->xRowCount(fts, &n_rows);
	for (int col = 0; col < 2; col++) {
		sqlite3_int64 total = 0;
		int len = 0;
		double avg;

		api->xColumnTotalSize(fts, col, &total);
		api->xColumnSize(fts, col, &len);
		avg = n_rows > 0 && total > 0 ? (double)total / (double)n_rows
		                              : 1.0;
		for (int p = 0; p < n_phrase; p++) {
			double tf = hits[p * 2 + col];

			score += weight[col] * tf * (k1 + 1) /
			         (tf + k1 * (1 - b + b * len / avg));
		}
	}
	free(hits);
	sqlite3_result_double(ctx, score);
}

int
store_search_setup(struct store *st, struct err *err)
{
	static const char *const args[] = {"remove_diacritics", "2"};
	sqlite3 *db = st->db;
	fts5_api *api = NULL;
	void *ctx = NULL;
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(db, "SELECT fts5(?1)", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW || api == NULL || api->iVersion < 2) {
		err_set(err, ERR_DB, "this SQLite has no usable FTS5");
		return -1;
	}
	rc = api->xCreateFunction(api, "courant_rank", NULL, rank_fn, NULL);
	if (rc != SQLITE_OK) {
		store_dberr(db, rc, "set up search", err);
		return -1;
	}
	/* The tokenizer of the index, with its arguments (schema.c), cuts
	 * queries and checks phrases exactly as the index was cut. */
	rc = api->xFindTokenizer(api, "unicode61", &ctx, &st->tokenizer);
	if (rc == SQLITE_OK)
		rc = st->tokenizer.xCreate(ctx, (const char **)args, 2,
		                           &st->tok);
	if (rc != SQLITE_OK) {
		st->tok = NULL;
		store_dberr(db, rc, "set up search", err);
		return -1;
	}
	return 0;
}

/*
 * How many matches are ranked: the most recently stored ones. Ranking all
 * the matches of a common word costs time in proportion to the cache
 * (seconds at a million items); the newest few thousand are what a news
 * reader's user looks for, and finding them is cheap because FTS5 walks
 * its lists backwards by rowid, which grows as items arrive.
 */
#define SEARCH_RANKED 2000

/* The ids of the matches to rank (the newest `cap`), best first; -1. */
static int
ranked_ids(struct store *st, const char *q, const char *groups, int cap,
           long **ids, size_t *n, struct err *err)
{
	sqlite3_stmt *s;
	size_t alloc = 0;
	int rc;

	/* Only ids and scores are sorted: the rows are read one by one
	 * afterwards, as many as the page needs. Ties go to the most
	 * recently stored, like the candidates. */
	s = store_prepare(
	        st->db,
	        "WITH hits (id, score) AS MATERIALIZED (SELECT rowid,"
	        " courant_rank(item_fts, ?3) FROM item_fts WHERE item_fts"
	        " MATCH ?1 ORDER BY rowid DESC LIMIT ?2)"
	        " SELECT id FROM hits ORDER BY score DESC, id DESC",
	        err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, cap);
	sqlite3_bind_text(s, 3, groups, -1, SQLITE_STATIC);
	*ids = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			*ids = xreallocarray(*ids, alloc, sizeof **ids);
		}
		(*ids)[(*n)++] = (long)sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "search", err);
		free(*ids);
		*ids = NULL;
		return -1;
	}
	return 0;
}

struct store_page *
store_search(struct store *st, const char *query, int limit, struct err *err)
{
	struct terms terms = {NULL, 0, NULL, 0};
	struct store_page *p;
	sqlite3_stmt *row_s;
	struct buf q;
	struct buf title;
	struct buf body;
	long *ids = NULL;
	size_t n_ids = 0;
	size_t cap = 0;
	struct buf groups;
	bool failed = false;
	bool phrases;
	bool snapshot;
	int r = 0;

	p = xcalloc(1, sizeof *p);
	buf_init(&q, 0);
	buf_init(&groups, 0);
	/* One snapshot for the words a prefix stands for and the search:
	 * a word first stored in between would be missed. */
	snapshot = sqlite3_get_autocommit(st->db) &&
	           sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	fts_query(st, &q, &groups, &terms, query != NULL ? query : "");
	phrases = has_phrases(&terms);
	if (limit > INT_MAX - 1)
		limit = INT_MAX - 1;
	if (q.len > 0 && limit > 0)
		r = ranked_ids(st, buf_str(&q), buf_str(&groups),
		               SEARCH_RANKED > limit ? SEARCH_RANKED
		                                     : limit + 1,
		               &ids, &n_ids, err);
	if (snapshot)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	buf_done(&groups);
	if (q.len == 0 || limit <= 0) {
		buf_done(&q);
		terms_done(&terms);
		return p;
	}
	if (r < 0) {
		buf_done(&q);
		terms_done(&terms);
		store_page_free(p);
		return NULL;
	}
	buf_done(&q);
	buf_init(&title, 0);
	buf_init(&body, 0);
	for (size_t i = 0; i < n_ids && !failed; i++) {
		struct store_row *row;
		int rc;

		row_s = store_stmt(st, STMT_SEARCH_ROW, err);
		if (row_s == NULL) {
			failed = true;
			break;
		}
		sqlite3_bind_int64(row_s, 1, ids[i]);
		rc = sqlite3_step(row_s);
		if (rc == SQLITE_DONE)
			continue; /* an index entry without its row */
		if (rc != SQLITE_ROW) {
			store_dberr(st->db, rc, "search", err);
			failed = true;
			break;
		}
		buf_reset(&title);
		buf_reset(&body);
		if (store_index_row(st->db, &st->json_each, row_s, ROW_NCOLUMNS,
		                    &title, &body, err) < 0) {
			failed = true;
			break;
		}
		if (phrases &&
		    !phrases_in(st, &terms, buf_str(&title), buf_str(&body)))
			continue;
		if (p->n == (size_t)limit) {
			p->more = true;
			break;
		}
		row = store_page_push(p, &cap);
		store_row_fill(row, row_s);
		row->snippet = make_snippet(body.len > 0 ? buf_str(&body)
		                                         : buf_str(&title),
		                            &terms);
	}
	if (st->stmts[STMT_SEARCH_ROW] != NULL)
		sqlite3_reset(st->stmts[STMT_SEARCH_ROW]);
	free(ids);
	buf_done(&title);
	buf_done(&body);
	terms_done(&terms);
	if (failed) {
		store_page_free(p);
		return NULL;
	}
	return p;
}
