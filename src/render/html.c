// SPDX-License-Identifier: MIT
/*
 * HTML to layout events. libxml2's HTML parser builds the tree (options
 * from SECURITY.md 3.1: no network, no implied html/body, input always
 * UTF-8, errors silenced); the walk over it is a loop with a heap stack, so
 * a document nested 100,000 deep costs memory, never C stack.
 */
#include "config.h"

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/encoding.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courant/util.h"

#include "private.h"

/* Larger input is cut: no article is this long (the parser keeps fields
 * under 1 MiB), and libxml2 takes an int. */
#define HTML_MAX_INPUT (64u << 20)
/* libxml2 2.9 compares each attribute of a start tag with every other one
 * (the duplicate check): a tag with 40,000 attributes takes 17 s. */
#define HTML_MAX_ATTRIBUTES 256

enum action {
	A_INLINE, /* arg: a style, or -1 for none */
	A_SKIP,   /* never shown, children included */
	A_BLOCK,  /* a line break before and after */
	A_PARA,   /* a blank line before and after */
	A_HEADING,
	A_LIST, /* arg: 1 for ordered */
	A_LI,
	A_QUOTE,
	A_PRE,
	A_BR,
	A_WBR,
	A_IMG,
	A_HR,
	A_A,
	A_Q,
	A_DT,
	A_DD,
	A_TABLE,
	A_TR,
	A_CELL, /* arg: 1 for th */
	A_CAPTION,
	A_SUMMARY,
	A_FIGCAPTION,
};

struct tag {
	const char *name;
	enum action act;
	int arg;
};

/*
 * Sorted by name for bsearch(). embed, source and track are void elements
 * that libxml2 2.9 does not know as such: it makes what follows them
 * their children, so they must not hide their children.
 */
static const struct tag tags[] = {
        {"a", A_A, 0},
        {"abbr", A_INLINE, -1},
        {"address", A_PARA, RENDER_ITALIC},
        {"applet", A_SKIP, 0},
        {"article", A_BLOCK, 0},
        {"aside", A_PARA, 0},
        {"audio", A_SKIP, 0},
        {"b", A_INLINE, RENDER_BOLD},
        {"big", A_INLINE, RENDER_BOLD},
        {"blockquote", A_QUOTE, 0},
        {"body", A_BLOCK, 0},
        {"br", A_BR, 0},
        {"button", A_SKIP, 0},
        {"canvas", A_SKIP, 0},
        {"caption", A_CAPTION, 0},
        {"center", A_BLOCK, 0},
        {"cite", A_INLINE, RENDER_ITALIC},
        {"code", A_INLINE, RENDER_CODE},
        {"datalist", A_SKIP, 0},
        {"dd", A_DD, 0},
        {"del", A_INLINE, RENDER_DIM},
        {"details", A_PARA, 0},
        {"dfn", A_INLINE, RENDER_ITALIC},
        {"dialog", A_SKIP, 0},
        {"dir", A_LIST, 0},
        {"div", A_BLOCK, 0},
        {"dl", A_PARA, 0},
        {"dt", A_DT, 0},
        {"em", A_INLINE, RENDER_ITALIC},
        {"embed", A_INLINE, -1},
        {"fieldset", A_SKIP, 0},
        {"figcaption", A_FIGCAPTION, 0},
        {"figure", A_PARA, 0},
        {"footer", A_BLOCK, 0},
        {"form", A_SKIP, 0},
        {"frame", A_SKIP, 0},
        {"frameset", A_SKIP, 0},
        {"h1", A_HEADING, 1},
        {"h2", A_HEADING, 2},
        {"h3", A_HEADING, 3},
        {"h4", A_HEADING, 4},
        {"h5", A_HEADING, 5},
        {"h6", A_HEADING, 6},
        {"head", A_SKIP, 0},
        {"header", A_BLOCK, 0},
        {"hgroup", A_BLOCK, 0},
        {"hr", A_HR, 0},
        {"html", A_BLOCK, 0},
        {"i", A_INLINE, RENDER_ITALIC},
        {"iframe", A_SKIP, 0},
        {"img", A_IMG, 0},
        {"input", A_SKIP, 0},
        {"ins", A_INLINE, RENDER_ITALIC},
        {"kbd", A_INLINE, RENDER_CODE},
        {"label", A_SKIP, 0},
        {"legend", A_SKIP, 0},
        {"li", A_LI, 0},
        {"link", A_SKIP, 0},
        {"listing", A_PRE, 0},
        {"main", A_BLOCK, 0},
        {"map", A_SKIP, 0},
        {"mark", A_INLINE, RENDER_BOLD},
        {"math", A_SKIP, 0},
        {"menu", A_LIST, 0},
        {"meta", A_SKIP, 0},
        {"meter", A_SKIP, 0},
        {"nav", A_BLOCK, 0},
        {"noembed", A_SKIP, 0},
        {"noframes", A_SKIP, 0},
        {"object", A_SKIP, 0},
        {"ol", A_LIST, 1},
        {"optgroup", A_SKIP, 0},
        {"option", A_SKIP, 0},
        {"output", A_SKIP, 0},
        {"p", A_PARA, 0},
        {"param", A_SKIP, 0},
        {"picture", A_INLINE, -1},
        {"plaintext", A_PRE, 0},
        {"pre", A_PRE, 0},
        {"progress", A_SKIP, 0},
        {"q", A_Q, 0},
        {"rp", A_SKIP, 0},
        {"s", A_INLINE, RENDER_DIM},
        {"samp", A_INLINE, RENDER_CODE},
        {"script", A_SKIP, 0},
        {"section", A_BLOCK, 0},
        {"select", A_SKIP, 0},
        {"source", A_INLINE, -1},
        {"strike", A_INLINE, RENDER_DIM},
        {"strong", A_INLINE, RENDER_BOLD},
        {"style", A_SKIP, 0},
        {"summary", A_SUMMARY, 0},
        {"svg", A_SKIP, 0},
        {"table", A_TABLE, 0},
        {"td", A_CELL, 0},
        {"template", A_SKIP, 0},
        {"textarea", A_SKIP, 0},
        {"th", A_CELL, 1},
        {"title", A_SKIP, 0},
        {"tr", A_TR, 0},
        {"track", A_INLINE, -1},
        {"tt", A_INLINE, RENDER_CODE},
        {"u", A_INLINE, RENDER_ITALIC},
        {"ul", A_LIST, 0},
        {"var", A_INLINE, RENDER_ITALIC},
        {"video", A_SKIP, 0},
        {"wbr", A_WBR, 0},
        {"xmp", A_PRE, 0},
};

static int
tag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tag *)elem)->name);
}

static const struct tag *
find_tag(const xmlNode *node)
{
	static const struct tag unknown = {"", A_INLINE, -1};
	const char *name = (const char *)node->name;
	const char *colon;
	const struct tag *t;
	char lower[16];
	size_t n;

	if (name == NULL)
		return &unknown;
	/* XHTML content may come with a prefix: "xhtml:p". */
	colon = strrchr(name, ':');
	if (colon != NULL)
		name = colon + 1;
	n = strlen(name);
	if (n >= sizeof(lower))
		return &unknown;
	memcpy(lower, name, n + 1);
	str_lower(lower);
	t = bsearch(lower, tags, sizeof(tags) / sizeof(tags[0]),
	            sizeof(tags[0]), tag_cmp);
	return t ? t : &unknown;
}

struct frame {
	xmlNode *node;
	const struct tag *tag;
	bool pushed;    /* a prefix level to pop */
	bool owns_href; /* this <a> opened the link */
	bool ordered;
	int next;       /* ordered list: the next number */
	int digits;     /* ordered list: the widest number */
	size_t up_list; /* the enclosing list frame + 1, 0 for none */
	int list_level; /* nesting of unordered lists, for bullets */
};

/* Element names repeat: remember what each one looked up to, so most
 * nodes cost a hash and a short compare instead of a binary search. The
 * HTML parser gives every node its own copy of its name, so the key is
 * the text. A slot holds one name; a collision replaces it. */
#define TAG_CACHE_SIZE 128
#define TAG_NAME_MAX 16 /* as find_tag(): longer names are unknown */

struct tag_slot {
	char name[TAG_NAME_MAX];
	const struct tag *tag;
};

struct walk {
	struct layout *l;
	struct frame *frames;
	size_t n;
	size_t cap;
	size_t list; /* innermost list frame + 1 */
	struct tag_slot cache[TAG_CACHE_SIZE];
};

/* find_tag() through the walk's cache: the same name after the last ':',
 * lowercased. */
static const struct tag *
lookup_tag(struct walk *w, const xmlNode *node)
{
	const char *name = (const char *)node->name;
	char lower[TAG_NAME_MAX];
	struct tag_slot *slot;
	size_t start = 0, n = 0;
	uint32_t h = 2166136261u;

	if (name == NULL)
		return find_tag(node);
	for (size_t i = 0; name[i] != '\0'; i++) {
		if (name[i] == ':')
			start = i + 1;
	}
	for (name += start; name[n] != '\0'; n++) {
		char c = name[n];

		if (n + 1 >= TAG_NAME_MAX)
			return find_tag(node);
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		lower[n] = c;
		h = (h ^ (unsigned char)c) * 16777619u;
	}
	lower[n] = '\0';
	slot = &w->cache[(h ^ (h >> 16)) % TAG_CACHE_SIZE];
	if (slot->tag == NULL || memcmp(slot->name, lower, n + 1) != 0) {
		memcpy(slot->name, lower, n + 1);
		slot->tag = find_tag(node);
	}
	return slot->tag;
}

static char *
attr(xmlNode *node, const char *name)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

static int
attr_int(xmlNode *node, const char *name, int def)
{
	char *v = attr(node, name), *end;
	long n;

	if (v == NULL)
		return def;
	n = strtol(v, &end, 10);
	if (end == v || n < -999999 || n > 999999)
		n = def;
	free(v);
	return (int)n;
}

static void
list_begin(struct walk *w, struct frame *f)
{
	int count = 0, last;

	f->ordered = f->tag->arg == 1;
	f->up_list = w->list;
	f->list_level = 0;
	if (w->list != 0)
		f->list_level = w->frames[w->list - 1].list_level + 1;
	layout_block(w->l, w->list == 0 ? 1 : 0);
	w->list = (size_t)(f - w->frames) + 1;
	if (!f->ordered)
		return;
	f->next = attr_int(f->node, "start", 1);
	for (xmlNode *c = f->node->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE &&
		    lookup_tag(w, c)->act == A_LI)
			count++;
	}
	last = f->next + (count > 0 ? count - 1 : 0);
	f->digits = snprintf(NULL, 0, "%d", last);
	if (snprintf(NULL, 0, "%d", f->next) > f->digits)
		f->digits = snprintf(NULL, 0, "%d", f->next);
}

static void
li_begin(struct walk *w, struct frame *f)
{
	struct layout *l = w->l;
	char marker[40];

	layout_block(l, 0);
	if (w->list != 0 && w->frames[w->list - 1].ordered) {
		struct frame *list = &w->frames[w->list - 1];
		int n = attr_int(f->node, "value", list->next);

		snprintf(marker, sizeof(marker), "%*d. ", list->digits, n);
		list->next = n + 1;
	} else {
		int level = w->list ? w->frames[w->list - 1].list_level : 0;

		snprintf(marker, sizeof(marker), "%s", layout_bullet(l, level));
	}
	/* Past the depth the width allows, items go without markers. */
	f->pushed = layout_push_prefix(l, marker, RENDER_PLAIN, false);
}

/* "[n]" for a link number (n > 0), without snprintf(): there is one per
 * link in the text. */
static void
link_mark(char out[24], int n)
{
	char digits[16];
	size_t k = 0, len = 0;

	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && k < sizeof(digits));
	out[len++] = '[';
	while (k > 0)
		out[len++] = digits[--k];
	out[len++] = ']';
	out[len] = '\0';
}

static void
img(struct walk *w, xmlNode *node)
{
	struct layout *l = w->l;
	char *alt = attr(node, "alt"), *src = attr(node, "src"), *url;
	enum render_style style;
	int n = 0;

	/* The label first: inside a link it is the link's text. */
	layout_literal(l, "", RENDER_DIM, 0);
	style = l->link ? RENDER_LINK : RENDER_DIM;
	if (alt != NULL && alt[0] != '\0') {
		layout_literal(l, "[image: ", style, l->link);
		layout_literal(l, alt, style, l->link);
		layout_literal(l, "]", style, l->link);
	} else {
		layout_literal(l, "[image]", style, l->link);
	}
	url = render_url(src, l->base_url);
	if (url != NULL)
		n = layout_link(l, url, RENDER_LINK_IMAGE);
	if (n > 0) {
		char mark[24];

		link_mark(mark, n);
		layout_literal(l, mark, RENDER_DIM, n);
	}
	free(url);
	free(src);
	free(alt);
}

static void
a_begin(struct walk *w, struct frame *f)
{
	char *href, *url;

	if (layout_in_href(w->l))
		return;
	href = attr(f->node, "href");
	url = render_url(href, w->l->base_url);
	free(href);
	if (url == NULL)
		return;
	layout_href_begin(w->l, url);
	f->owns_href = true;
}

static void
a_end(struct walk *w, struct frame *f)
{
	int n;
	char mark[24];

	if (!f->owns_href)
		return;
	n = layout_href_end(w->l);
	if (n > 0) {
		link_mark(mark, n);
		layout_literal(w->l, mark, RENDER_DIM, n);
	}
}

/* Called when an element is entered; returns false when its children
 * must not be visited. */
static bool
enter(struct walk *w, struct frame *f)
{
	struct layout *l = w->l;
	const struct tag *t = f->tag;
	char mark[16];

	switch (t->act) {
	case A_SKIP:
		return false;
	case A_INLINE:
		if (t->arg >= 0)
			layout_style(l, (enum render_style)t->arg, 1);
		break;
	case A_BLOCK:
		layout_block(l, 0);
		break;
	case A_PARA:
		layout_block(l, 1);
		if (t->arg > 0)
			layout_style(l, (enum render_style)t->arg, 1);
		break;
	case A_HEADING:
		layout_block(l, 1);
		layout_style(l, RENDER_HEADING, 1);
		memset(mark, '#', (size_t)t->arg);
		mark[t->arg] = ' ';
		mark[t->arg + 1] = '\0';
		layout_literal(l, mark, RENDER_HEADING, 0);
		break;
	case A_LIST:
		list_begin(w, f);
		break;
	case A_LI:
		li_begin(w, f);
		break;
	case A_QUOTE:
		layout_block(l, 1);
		f->pushed =
		        layout_push_prefix(l, l->ascii ? "| " : "\xe2\x94\x82 ",
		                           RENDER_QUOTE, true);
		layout_style(l, RENDER_QUOTE, 1);
		break;
	case A_PRE:
		layout_block(l, 1);
		layout_pre(l, 1);
		break;
	case A_BR:
		layout_break(l);
		break;
	case A_WBR:
		layout_wbr(l);
		break;
	case A_IMG:
		img(w, f->node);
		return false;
	case A_HR:
		layout_hr(l);
		return false;
	case A_A:
		a_begin(w, f);
		break;
	case A_Q:
		layout_literal(l, l->ascii ? "\"" : "\xe2\x80\x9c",
		               RENDER_PLAIN, 0);
		break;
	case A_DT:
		layout_block(l, 0);
		layout_style(l, RENDER_BOLD, 1);
		break;
	case A_DD:
		layout_block(l, 0);
		f->pushed = layout_push_prefix(l, "    ", RENDER_PLAIN, false);
		break;
	case A_TABLE:
		layout_table_begin(l);
		break;
	case A_TR:
		layout_table_row(l);
		break;
	case A_CELL:
		layout_table_cell(l, t->arg == 1);
		if (t->arg == 1)
			layout_style(l, RENDER_BOLD, 1);
		break;
	case A_CAPTION:
		layout_table_caption(l, 1);
		layout_style(l, RENDER_ITALIC, 1);
		break;
	case A_SUMMARY:
		layout_block(l, 0);
		layout_style(l, RENDER_BOLD, 1);
		layout_literal(l, l->ascii ? "> " : "\xe2\x96\xb8 ",
		               RENDER_BOLD, 0); /* ▸ */
		break;
	case A_FIGCAPTION:
		layout_block(l, 0);
		layout_style(l, RENDER_ITALIC, 1);
		break;
	}
	return true;
}

static void
leave(struct walk *w, struct frame *f)
{
	struct layout *l = w->l;
	const struct tag *t = f->tag;

	switch (t->act) {
	case A_SKIP:
	case A_BR:
	case A_WBR:
	case A_IMG:
	case A_HR:
		break;
	case A_INLINE:
		if (t->arg >= 0)
			layout_style(l, (enum render_style)t->arg, -1);
		break;
	case A_BLOCK:
		layout_block(l, 0);
		break;
	case A_PARA:
		if (t->arg > 0)
			layout_style(l, (enum render_style)t->arg, -1);
		layout_block(l, 1);
		break;
	case A_HEADING:
		layout_style(l, RENDER_HEADING, -1);
		layout_block(l, 1);
		break;
	case A_LIST:
		w->list = f->up_list;
		layout_block(l, w->list == 0 ? 1 : 0);
		break;
	case A_LI:
	case A_DD:
		if (f->pushed)
			layout_pop_prefix(l);
		layout_block(l, 0);
		break;
	case A_QUOTE:
		layout_style(l, RENDER_QUOTE, -1);
		if (f->pushed)
			layout_pop_prefix(l);
		layout_block(l, 1);
		break;
	case A_PRE:
		layout_pre(l, -1);
		layout_block(l, 1);
		break;
	case A_A:
		a_end(w, f);
		break;
	case A_Q:
		layout_literal(l, l->ascii ? "\"" : "\xe2\x80\x9d",
		               RENDER_PLAIN, 0);
		break;
	case A_DT:
	case A_SUMMARY:
	case A_FIGCAPTION:
		layout_style(
		        l, t->act == A_FIGCAPTION ? RENDER_ITALIC : RENDER_BOLD,
		        -1);
		layout_block(l, 0);
		break;
	case A_TABLE:
		layout_table_end(l);
		break;
	case A_TR:
		break;
	case A_CELL:
		if (t->arg == 1)
			layout_style(l, RENDER_BOLD, -1);
		layout_table_cell_end(l);
		break;
	case A_CAPTION:
		layout_style(l, RENDER_ITALIC, -1);
		layout_table_caption(l, -1);
		break;
	}
}

static struct frame *
push(struct walk *w, xmlNode *node)
{
	struct frame *f;

	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->frames =
		        xreallocarray(w->frames, w->cap, sizeof(*w->frames));
	}
	f = &w->frames[w->n++];
	memset(f, 0, sizeof(*f));
	f->node = node;
	f->tag = lookup_tag(w, node);
	return f;
}

static void
walk(struct walk *w, xmlNode *first)
{
	xmlNode *node = first;

	while (node != NULL) {
		bool descend = false;

		if (node->type == XML_TEXT_NODE ||
		    node->type == XML_CDATA_SECTION_NODE) {
			if (node->content != NULL)
				layout_text(
				        w->l, (const char *)node->content,
				        strlen((const char *)node->content));
		} else if (node->type == XML_ELEMENT_NODE) {
			struct frame *f = push(w, node);

			descend = enter(w, f) && node->children != NULL;
			if (!descend) {
				leave(w, f);
				w->n--;
			}
		}
		if (descend) {
			node = node->children;
			continue;
		}
		/* Up until there is a next sibling, leaving elements. */
		while (node->next == NULL && w->n > 0) {
			struct frame *f = &w->frames[w->n - 1];

			leave(w, f);
			node = f->node;
			w->n--;
		}
		node = node->next;
	}
}

void
render_html_tree(struct layout *l, struct _xmlNode *first)
{
	struct walk w = {.l = l};

	walk(&w, first);
	free(w.frames);
}

/* The tree builder's startDocument, and the document then shares the
 * parser's dictionary: see render_html(). */
static void
start_document(void *ctx)
{
	xmlParserCtxtPtr ctxt = ctx;

	xmlSAX2StartDocument(ctx);
	if (ctxt->myDoc != NULL && ctxt->myDoc->dict == NULL &&
	    ctxt->dict != NULL) {
		ctxt->myDoc->dict = ctxt->dict;
		xmlDictReference(ctxt->dict);
	}
}

void
render_html(struct layout *l, const char *s, size_t n)
{
	struct buf in;
	htmlParserCtxtPtr ctxt;
	xmlCharEncodingHandlerPtr utf8;
	htmlDocPtr doc = NULL;
	int opts = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	           HTML_PARSE_NOWARNING | HTML_PARSE_NOIMPLIED |
	           HTML_PARSE_COMPACT | HTML_PARSE_NODEFDTD;

	if (s == NULL || n == 0)
		return;
	if (n > HTML_MAX_INPUT)
		n = HTML_MAX_INPUT;
	/* libxml2 wraps text that has no parent element in an implied <p>,
	 * which would split "<img> caption" into two paragraphs: give it a
	 * parent. */
	buf_init(&in, 0);
	buf_puts(&in, "<body>");
	markup_cap_attributes(&in, s, n, HTML_MAX_ATTRIBUTES, MARKUP_HTML);
	/*
	 * What htmlReadMemory() does, with one change: element names and
	 * short texts go into the parser's dictionary (the HTML options turn
	 * that off), which saves two allocations for most nodes. The
	 * document must then own a reference to the dictionary, or freeing
	 * it would free the names one by one.
	 */
	ctxt = htmlCreateMemoryParserCtxt(in.data, (int)in.len);
	if (ctxt != NULL) {
		htmlCtxtUseOptions(ctxt, opts);
		ctxt->dictNames = 1;
		ctxt->sax->startDocument = start_document;
		/* Always UTF-8: with none, a <meta charset> in the content
		 * would make libxml2 decode our UTF-8 as something else. */
		utf8 = xmlFindCharEncodingHandler("UTF-8");
		if (utf8 != NULL && xmlSwitchToEncoding(ctxt, utf8) == 0) {
			/* As htmlReadMemory(): a known encoding is final. */
			xmlFree((xmlChar *)ctxt->input->encoding);
			ctxt->input->encoding = xmlStrdup(BAD_CAST "UTF-8");
		}
		htmlParseDocument(ctxt);
		doc = ctxt->myDoc;
		ctxt->myDoc = NULL;
		htmlFreeParserCtxt(ctxt);
	}
	buf_done(&in);
	if (doc == NULL)
		return;
	render_html_tree(l, doc->children);
	xmlFreeDoc(doc);
}
