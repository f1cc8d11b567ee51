/* SPDX-License-Identifier: MIT */
/*
 * What the render files share. layout.c is the engine: it takes a stream of
 * events (text, block boundaries, prefixes, links, tables) and turns them
 * into wrapped lines; html.c and plain.c produce the events, header.c uses
 * the engine for the header block. Nothing here knows libxml2 except html.c.
 */
#ifndef COURANT_RENDER_PRIVATE_H
#define COURANT_RENDER_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "courant/render.h"
#include "courant/util.h"

/* Longest URL kept as a link (SECURITY.md 3.5). */
#define RENDER_MAX_URL 8192
/* Caps on what one document may produce, whatever its size. */
#define RENDER_MAX_TABLE_CELLS 20000
#define RENDER_MAX_LINKS 100000

/* Break opportunities and invisible marks kept in paragraph text until a
 * line is cut; none of them reaches the output as such. */
#define CP_SHY 0x00ADu  /* soft hyphen: "-" when the line breaks there */
#define CP_ZWSP 0x200Bu /* zero-width space, <wbr>: a silent break */
#define CP_NBSP 0x00A0u /* no-break space: a space that never breaks */

struct span {
	size_t start; /* byte offset in the paragraph text */
	enum render_style style;
	int link;
};

/* Inline content waiting to be wrapped: text plus the styles along it. */
struct para {
	struct buf text; /* '\n' is a hard break */
	struct span *spans;
	size_t n_spans;
	size_t cap_spans;
	bool at_space; /* collapse the next white space */
	bool no_base;  /* a combining mark here would start a line */
	bool visible;  /* holds something besides white space */
	bool is_pre;   /* text from inside pre: cut, never wrapped */
	int pre_col;   /* pre: columns since the last newline, for tabs */
};

/* One level of the line prefix: a quote bar, a list marker and its hanging
 * indent, a definition's indent, a header label. */
struct prefix {
	char first[48]; /* the first line of the first paragraph */
	char cont[48];  /* every other line: the bar, or spaces */
	int width;
	enum render_style style;
	bool used;
	unsigned serial;
};

struct cell {
	struct para p;
	bool is_header;
};

struct row {
	struct cell *cells;
	size_t n_cells;
	size_t cap_cells;
};

struct table {
	struct row *rows;
	size_t n_rows;
	size_t cap_rows;
	size_t n_cells;
	struct para caption;
	bool in_cell;
	bool in_caption;
};

struct link_slot {
	uint64_t hash;
	int number; /* 0: empty */
};

struct layout {
	int width;
	bool ascii;
	bool link_list;
	const char *base_url;

	/* Output, handed over as it is: run texts are offsets into the arena
	 * (run_off) and lines' runs offsets into runs (line_first) until
	 * layout_finish() turns them into pointers. */
	struct buf arena;
	struct render_run *runs;
	size_t *run_off;
	size_t n_runs;
	size_t cap_runs;
	struct render_line *lines;
	size_t *line_first;
	size_t n_lines;
	size_t cap_lines;
	struct buf scratch;
	struct buf in;

	/* Flow. */
	struct para para;
	struct prefix *pfx;
	size_t n_pfx;
	size_t cap_pfx;
	int pfx_width;
	unsigned serial;
	unsigned *last_serials; /* prefixes of the last line written */
	size_t n_last;
	int margin; /* blank lines owed before the next line */
	int pre;
	int counts[RENDER_DIM + 1];
	char *href; /* the open <a>'s URL, numbered at its first text */
	int link;   /* its number once it has one */

	/* Tables: only the outermost one is laid out as a table. */
	int table_depth;
	struct table table;

	/* Links. */
	struct render_link *links;
	size_t n_links;
	size_t cap_links;
	struct link_slot *slots;
	size_t n_slots;
};

void layout_init(struct layout *l, const struct render_opts *opts);
/* Reserves room for the output of about n bytes of input (a hint). */
void layout_expect(struct layout *l, size_t n);
/* Past this, layout_expect() reserves nothing: the arrays just grow. */
#define RENDER_MAX_EXPECT (16u << 20)
/* Ends the document (link list and all) and hands the lines over. */
struct render_doc *layout_finish(struct layout *l);
/* Frees what layout_finish() did not take (for an abandoned layout). */
void layout_done(struct layout *l);

/* Text as it comes from a document: sanitized, collapsed unless in pre. */
void layout_text(struct layout *l, const char *s, size_t n);
/* Text we make ourselves ("[3]", "# "), in a given style. */
void layout_literal(struct layout *l, const char *s, enum render_style style,
                    int link);
void layout_break(struct layout *l); /* <br> */
void layout_wbr(struct layout *l);   /* <wbr> */
/* Ends the current paragraph; `margin` blank lines before what follows. */
void layout_block(struct layout *l, int margin);
void layout_hr(struct layout *l);
/* Pushes a prefix level; returns false when the width has no room left
 * for it (then nothing was pushed and nothing must be popped). */
bool layout_push_prefix(struct layout *l, const char *first,
                        enum render_style style, bool bar);
void layout_pop_prefix(struct layout *l);
void layout_style(struct layout *l, enum render_style style, int delta);
void layout_pre(struct layout *l, int delta);
/* Numbers url (absolute http(s), already checked by render_url) and
 * returns its number, the same for the same url; 0 when over the cap. */
int layout_link(struct layout *l, const char *url, enum render_link_kind kind);
/* Opens a link (takes ownership of url, which may be NULL): the text that
 * follows is its text. It gets a number with its first visible character,
 * so an empty <a> uses none. */
void layout_href_begin(struct layout *l, char *url);
/* Closes it; returns its number, 0 when it had no text. */
int layout_href_end(struct layout *l);
bool layout_in_href(const struct layout *l);

void layout_table_begin(struct layout *l);
void layout_table_row(struct layout *l);
void layout_table_cell(struct layout *l, bool is_header);
void layout_table_cell_end(struct layout *l);
void layout_table_caption(struct layout *l, int delta);
void layout_table_end(struct layout *l);

/* Decorations in UTF-8 or in ASCII. */
const char *layout_bullet(const struct layout *l, int level);

/* url.c: the link policy. A cleaned absolute http(s) URL for href resolved
 * against base, for the caller to free, or NULL when it must not be a
 * link (javascript:, data:, file:, relative without base, too long...). */
char *render_url(const char *href, const char *base);
/* Length of an http(s) URL starting at s in plain text, 0 if none. */
size_t render_url_span(const char *s, size_t n);

/* html.c, plain.c */
void render_html(struct layout *l, const char *s, size_t n);
/* Walks an already parsed tree (libxml2 stops parsing at depth 256; tests
 * build deeper trees by hand to check the walk needs no C stack). */
struct _xmlNode;
void render_html_tree(struct layout *l, struct _xmlNode *first);
void render_plain(struct layout *l, const char *s, size_t n);

#endif
