/* SPDX-License-Identifier: MIT */
/*
 * render: an article's content (HTML, XHTML or plain text) turned into the
 * styled, wrapped lines the reading pane paints. A pure function of (content,
 * type, width, options): no terminal, no locale, no I/O. The module is the
 * only user of libxml2's HTML parser; it never fetches anything.
 *
 * Every line is at most `width` display columns (pre blocks are cut with a
 * marker, never wrapped), valid UTF-8 and free of control and bidi
 * characters: all text went through text_sanitize_into(). Links get numbers
 * in document order (the same href keeps its number); only http and https
 * URLs are numbered, so everything in `links` may be opened or copied.
 */
#ifndef COURANT_RENDER_H
#define COURANT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "courant/feed.h"

#define RENDER_MIN_WIDTH 10
#define RENDER_MAX_WIDTH 1000

/* One style per run; the UI maps them to attributes, the CLI drops them. */
enum render_style {
	RENDER_PLAIN,
	RENDER_BOLD,
	RENDER_ITALIC, /* em, i, cite: underline on terminals without italics */
	RENDER_HEADING,
	RENDER_LINK,  /* link text; `link` says which */
	RENDER_QUOTE, /* blockquote text and its bar */
	RENDER_CODE,
	RENDER_DIM, /* link markers [n], rules, cut marks, image labels */
};

struct render_run {
	const char *text; /* not NUL-terminated; lent by the doc */
	size_t len;
	int width; /* display columns */
	enum render_style style;
	int link; /* 1-based number into render_doc.links, 0 for none */
};

struct render_line {
	struct render_run *runs;
	size_t n_runs;
	int width;   /* display columns, at most the width asked for */
	bool is_cut; /* a pre line cut at the width (ends with a marker) */
};

enum render_link_kind { RENDER_LINK_HREF, RENDER_LINK_IMAGE };

struct render_link {
	char *url; /* absolute http(s) URL, sanitized */
	enum render_link_kind kind;
};

struct render_doc {
	struct render_line *lines;
	size_t n_lines;
	struct render_link *links; /* links[n - 1] is link number n */
	size_t n_links;
	char *arena_; /* private: the text the runs point into */
	struct render_run *runs_;
};

enum render_flags {
	/* The terminal is not UTF-8 (LANG=C): transliterate to ASCII, use
	 * ASCII bullets and bars, '?' for what has no ASCII form. */
	RENDER_ASCII = 1 << 0,
	/* Leave out the numbered link list at the end of the article. */
	RENDER_NO_LINK_LIST = 1 << 1,
};

struct render_opts {
	int width; /* clamped to RENDER_MIN_WIDTH..RENDER_MAX_WIDTH */
	unsigned flags;
	const char *base_url; /* resolves relative hrefs; NULL: none */
};

/*
 * Renders content[0..len) of the given type (FEED_TEXT_HTML and _XHTML go
 * through the HTML parser; FEED_TEXT_PLAIN keeps its line breaks and turns
 * http(s) URLs into links). Never fails: NULL or empty content gives a doc
 * with no lines. The caller frees the result with render_doc_free().
 */
struct render_doc *render_content(const char *content, size_t len,
                                  enum feed_text_type type,
                                  const struct render_opts *opts);

/* What the reading pane shows above an article; NULL fields are left out. */
struct render_meta {
	const char *title;
	const char *feed;
	const char *author;
	feed_time date; /* shown in local time; FEED_DATE_UNKNOWN: left out */
	const char *link;
};

/* The header block ("Title: ...", "Feed: ...", ...) wrapped to the width,
 * labels bold, values with hanging indents. Free with render_doc_free(). */
struct render_doc *render_header(const struct render_meta *meta,
                                 const struct render_opts *opts);

void render_doc_free(struct render_doc *doc);

/* The lines without styles, each ending in '\n', as a new string for the
 * caller to free: what `courant render` prints. */
char *render_doc_text(const struct render_doc *doc);

/* Display columns of a code point, the same under any locale: 0 for
 * combining marks and format characters, 2 for East Asian wide and
 * fullwidth characters, 1 otherwise (0 for C0/C1 controls, which the
 * sanitizer removes anyway). Matches glibc's wcwidth() under C.UTF-8. */
int render_cp_width(uint32_t cp);
/* Display columns of s[0..n) (invalid bytes count as U+FFFD). */
int render_text_width(const char *s, size_t n);

#endif
