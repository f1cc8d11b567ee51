// SPDX-License-Identifier: MIT
/*
 * The streaming feed parser: bytes -> charset decoder -> libxml2 push parser
 * with SAX2 callbacks -> items handed out one at a time.
 *
 * Meaning comes from position: an element is read only as a direct child of
 * the container that gives it meaning (channel, item, image, person), so an
 * entry's own <title> wins over one nested in an unknown child. Text is
 * collected by one "capture" at a time; elements inside a capture are
 * serialized back to markup, for inline XHTML and sloppy RSS.
 *
 * Safety (SECURITY.md rules 1, 4 and 8): no DTD is loaded, no external
 * entity is resolved, entities declared in the document are expanded only
 * when they are plain text and small, HTML's named entities are answered
 * from libxml2's table, and every field, list, item count and depth has a
 * cap. Text leaves through the sanitizer.
 */
#include "config.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "courant/feed.h"
#include "courant/text.h"
#include "courant/util.h"
#include "private.h"

/* Namespaces, folded into the vocabularies the parser knows. */
enum ns {
	NS_CORE,   /* RSS, RDF-RSS, Atom, or an unknown default namespace */
	NS_RDF,
	NS_DC,
	NS_DCTERMS,
	NS_CONTENT,
	NS_MEDIA,
	NS_ITUNES,
	NS_XHTML,
	NS_OTHER, /* an unrelated vocabulary: never taken for a core one */
};

/* What an open element is to the parser. */
enum kind {
	K_IGNORE,
	K_ROOT,
	K_CHANNEL, /* RSS channel, RDF channel, Atom feed: feed metadata */
	K_ITEM,
	K_IMAGE,
	K_PERSON,
	K_MEDIA_GROUP,
	K_ITUNES_CATEGORY,
	K_FIELD, /* a text capture is running for it */
};

/* What a captured text becomes. */
enum field {
	F_NONE,
	F_TITLE,
	F_SUBTITLE,
	F_ITUNES_SUBTITLE,
	F_LINK,      /* RSS <link> text */
	F_ATOM_LINK, /* Atom <link> without href: the text is the href */
	F_LANGUAGE,
	F_UPDATED,
	F_PUBLISHED,
	F_AUTHOR_STRING,
	F_GENERATOR,
	F_TTL,
	F_LOGO,
	F_ID,
	F_GUID,
	F_SUMMARY,
	F_ITUNES_SUMMARY,
	F_CONTENT,
	F_COMMENTS,
	F_CATEGORY,
	F_KEYWORDS,
	F_MEDIA_TITLE,
	F_PERSON_NAME,
	F_PERSON_EMAIL,
	F_PERSON_URI,
	F_IMAGE_URL,
	F_IMAGE_TITLE,
	F_IMAGE_LINK,
};

/* How a captured value's type is decided. */
enum typing {
	TYPING_PLAIN,  /* a plain string: URL, date, name */
	TYPING_GUESS,  /* no type information: text unless it looks like HTML */
	TYPING_HTML,   /* RSS description, content:encoded */
	TYPING_XHTML,  /* xhtml:body */
	TYPING_ATOM10, /* the type attribute of Atom 1.0 */
	TYPING_ATOM03, /* type (a media type) and mode of Atom 0.3 */
};

struct frame {
	enum kind kind;
	/* libxml2's interned names, valid while the parser context lives. */
	const xmlChar *local, *prefix, *uri;
	const char *base; /* xml:base in effect (owned by this frame or above) */
	char *own_base;
	const char *lang; /* xml:lang in effect, NULL for none */
	char *own_lang;
};

struct capture {
	bool active;
	int depth;       /* elements open inside the captured one */
	enum field field;
	enum typing typing;
	enum feed_text_type atom_type;
	bool base64;
	bool keep_div;   /* Atom 0.3 keeps the xhtml wrapper <div> */
	bool has_children;
	bool pending_open; /* a start tag awaits its '>' or ' />' */
	struct buf raw;  /* the decoded character data */
	struct buf markup; /* character data escaped, child elements serialized */
	/* Where a lone wrapper <div> starts and ends inside markup. */
	int top_elements;
	bool top_text;
	bool top_is_div;
	bool nested; /* an element below the top level was seen */
	size_t div_inner_start, div_inner_end;
	/* Attributes kept from the start tag for the end. */
	char *rel, *type, *length, *scheme, *label;
	bool not_permalink;
	const char *base;
	const char *lang;
	int owner;       /* K_CHANNEL, K_ITEM, K_PERSON or K_IMAGE */
};

/* Where the repair pass is in the XML text (see send_repaired()). */
enum lex_state { LEX_TEXT, LEX_CDATA, LEX_COMMENT };

struct feed_parser {
	struct feed_source src; /* strings owned */
	char *doc_base;
	feed_item_fn *on_item;
	void *arg;

	struct charset_decoder *decoder;
	struct buf utf8; /* decoder output waiting for libxml2 */
	xmlParserCtxtPtr ctxt;
	xmlSAXHandler sax;
	xmlHashTablePtr entities; /* name -> xmlEntityPtr we made */
	size_t entity_bytes;      /* bytes expanded from document entities */
	size_t declared_entities;

	struct frame *frames;
	int depth;      /* frames in use */
	int overflow;   /* elements past FEED_MAX_DEPTH, not framed */
	struct capture cap;

	struct feed_info info;
	char *root_lang;
	bool saw_root;
	bool netscape_doctype;
	bool external_dtd;

	struct feed_item item;
	bool in_item;
	struct feed_person person;
	bool person_is_author;
	enum kind person_owner;
	bool item_has_title;
	int item_frame; /* the frame of the open item */
	char *guid_link; /* a permalink guid: the link of last resort */
	size_t items;

	bool wellformed;
	bool forgiven; /* the last libxml2 error was not the document's fault */
	enum lex_state lex;
	char last_sent; /* the last byte handed to libxml2 */
	char *error;
	bool stopped;
	struct err stop_err;
};

static const char *const xml_ns = "http://www.w3.org/XML/1998/namespace";

/* --- small helpers --------------------------------------------------- */

static void
note_error(struct feed_parser *p, const char *msg)
{
	p->wellformed = false;
	if (p->error == NULL && msg != NULL) {
		char *clean = text_sanitize(msg, strlen(msg), 0, 200);

		p->error = str_trim(clean);
	}
}

static bool
ns_is(const char *uri, const char *want)
{
	return uri != NULL && strcmp(uri, want) == 0;
}

static enum ns
classify_ns(const char *uri, const char *prefix)
{
	static const char *const core[] = {
		"http://www.w3.org/2005/Atom",
		"http://purl.org/atom/ns#",
		"http://purl.org/rss/1.0/",
		"http://my.netscape.com/rdf/simple/0.9/",
		"http://backend.userland.com/rss",
		"http://backend.userland.com/rss2",
		"http://blogs.law.harvard.edu/tech/rss",
		"http://purl.org/net/rss1.1#",
	};

	if (uri == NULL || *uri == '\0')
		return NS_CORE;
	for (size_t i = 0; i < sizeof core / sizeof core[0]; i++)
		if (strcmp(uri, core[i]) == 0)
			return NS_CORE;
	if (strcmp(uri, "http://www.w3.org/1999/02/22-rdf-syntax-ns#") == 0)
		return NS_RDF;
	if (strcmp(uri, "http://purl.org/dc/elements/1.1/") == 0)
		return NS_DC;
	if (strcmp(uri, "http://purl.org/dc/terms/") == 0)
		return NS_DCTERMS;
	if (strcmp(uri, "http://purl.org/rss/1.0/modules/content/") == 0)
		return NS_CONTENT;
	if (str_starts_with(uri, "http://search.yahoo.com/mrss"))
		return NS_MEDIA;
	/* iTunes is written with any case of "DTDs" in the wild. */
	if (str_ieq(uri, "http://www.itunes.com/dtds/podcast-1.0.dtd") ||
	    str_ieq(uri, "http://www.itunes.com/DTDs/Podcast-1.0.dtd"))
		return NS_ITUNES;
	if (strcmp(uri, "http://www.w3.org/1999/xhtml") == 0)
		return NS_XHTML;
	/* A vocabulary we do not know, used as the default namespace, is
	 * how Atom drafts and odd RSS dialects look: read it as core. */
	if (prefix == NULL || *prefix == '\0')
		return NS_CORE;
	return NS_OTHER;
}

/* Element names are matched without regard to case: feeds in the wild
 * write <pubdate> and <TITLE>, and readers have always accepted them. */
static inline bool
name_is(const char *name, const char *want)
{
	/* The first letter settles most comparisons: check it inline. */
	return ((name[0] | 0x20) == (want[0] | 0x20)) && str_ieq(name, want);
}

/* Attribute values: libxml2 hands over '&' from references as "&#38;"
 * when entities are not substituted; this undoes exactly that. */
static char *
attr_dup(const xmlChar **a)
{
	const char *s = (const char *)a[3];
	size_t n = (size_t)(a[4] - a[3]);
	struct buf b;

	buf_init(&b, FEED_MAX_FIELD_BYTES);
	buf_append(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '&' && n - i >= 5 && memcmp(s + i, "&#38;", 5) == 0) {
			buf_putc(&b, '&');
			i += 4;
		} else {
			buf_putc(&b, s[i]);
		}
	}
	{
		char *clean = text_sanitize(b.data, b.len, 0, FEED_MAX_FIELD_BYTES);

		buf_done(&b);
		return clean;
	}
}

/* The value of attribute `name` in no namespace (or, when want_ns is set,
 * in that namespace), as a new sanitized string, or NULL. */
static char *
attr_get(int n, const xmlChar **attrs, const char *want_ns, const char *name)
{
	for (int i = 0; i < n; i++) {
		const xmlChar **a = attrs + i * 5;
		const char *uri = (const char *)a[2];

		if (strcmp((const char *)a[0], name) != 0)
			continue;
		if (want_ns == NULL ? (uri != NULL && *uri) : !ns_is(uri, want_ns))
			continue;
		return attr_dup(a);
	}
	return NULL;
}

static char *
trimmed(char *s)
{
	return s ? str_trim(s) : NULL;
}

static char *
resolve(const char *base, const char *ref)
{
	if (ref == NULL)
		return NULL;
	return feed_uri_resolve(base, ref);
}

static char *
normalize_lang(const char *lang)
{
	char *s;

	if (lang == NULL || *lang == '\0')
		return NULL;
	s = xstrdup(lang);
	for (char *c = s; *c; c++)
		if (*c == '_')
			*c = '-';
	return str_trim(s);
}

static int64_t
parse_length(const char *s)
{
	int64_t v = 0;

	if (s == NULL)
		return -1;
	while (str_is_space((unsigned char)*s))
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (str_is_space((unsigned char)*s))
		s++;
	return *s == '\0' ? v : -1;
}

/* --- entities -------------------------------------------------------- */

static void
free_entity(void *payload, const xmlChar *name)
{
	xmlEntityPtr ent = payload;

	(void)name;
	xmlFree((xmlChar *)ent->name);
	xmlFree(ent->content);
	xmlFree(ent->orig); /* libxml2 hands us the declared text here */
	xmlFree(ent);
}

/* An entity that libxml2 inserts as plain characters: the "predefined"
 * kind is the one it copies without parsing its content again. */
static xmlEntityPtr
make_entity(struct feed_parser *p, const xmlChar *name, const char *utf8)
{
	xmlEntityPtr ent = xmlMalloc(sizeof *ent);

	if (ent == NULL)
		return NULL;
	memset(ent, 0, sizeof *ent);
	ent->type = XML_ENTITY_DECL;
	ent->etype = XML_INTERNAL_PREDEFINED_ENTITY;
	ent->name = xmlStrdup(name);
	ent->content = xmlStrdup((const xmlChar *)utf8);
	ent->length = (int)strlen(utf8);
	if (p->entities == NULL)
		p->entities = xmlHashCreate(64);
	if (xmlHashAddEntry(p->entities, name, ent) != 0) {
		free_entity(ent, NULL);
		return xmlHashLookup(p->entities, name);
	}
	return ent;
}

/* Internal entities declared in the document's DTD are expanded only when
 * their text holds no markup and no further references, and only up to a
 * budget: billion laughs and quadratic blowup have nothing to expand. */
#define MAX_ENTITY_TEXT 1024
#define MAX_ENTITY_BUDGET (1u << 20)
#define MAX_DECLARED_ENTITIES 256

static void
sax_entity_decl(void *ctx, const xmlChar *name, int type,
                const xmlChar *public_id, const xmlChar *system_id,
                xmlChar *content)
{
	struct feed_parser *p = ctx;
	const char *text = (const char *)content;

	(void)public_id;
	(void)system_id;
	if (type != XML_INTERNAL_GENERAL_ENTITY || text == NULL)
		return;
	if (strlen(text) > MAX_ENTITY_TEXT || strpbrk(text, "&<%") != NULL)
		return;
	if (p->declared_entities >= MAX_DECLARED_ENTITIES)
		return;
	if (p->entities != NULL && xmlHashLookup(p->entities, name) != NULL)
		return; /* the first declaration binds (XML 1.0 4.2) */
	p->declared_entities++;
	make_entity(p, name, text);
}

static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	struct feed_parser *p = ctx;
	const htmlEntityDesc *html;
	xmlEntityPtr ent = NULL;
	char utf8[5];
	size_t n;

	if (p->entities != NULL)
		ent = xmlHashLookup(p->entities, name);
	/* libxml2 also asks while reading the DTD itself, after each
	 * declaration: answer only from what was declared. */
	if (p->ctxt != NULL && p->ctxt->inSubset != 0)
		return ent;
	if (ent == NULL) {
		/* Feeds use HTML's entities without declaring them: not
		 * well-formed, but the text is plain to recover. */
		html = htmlEntityLookup(name);
		if (html != NULL) {
			/* &lrm; and friends name bidi controls, which never
			 * leave the parser (SECURITY.md rule 1). */
			n = text_is_forbidden(html->value) ? 0 : utf8_encode(html->value, utf8);
			utf8[n] = '\0';
			ent = make_entity(p, name, utf8);
		} else if (xmlStrlen(name) < 64) {
			/* An entity nobody defines: keep it as written, as a
			 * browser would, rather than lose the text. */
			char *literal = xasprintf("&%s;", (const char *)name);

			ent = make_entity(p, name, literal);
			free(literal);
		}
		if (ent == NULL)
			return NULL;
		ent->URI = NULL;
		/* Mark it so a later use still counts as a problem. */
		ent->checked = 1;
	}
	if (ent->checked == 1 && !p->external_dtd)
		note_error(p, "undefined entity (an HTML entity without a DTD)");
	if (p->entity_bytes > MAX_ENTITY_BUDGET)
		return NULL;
	p->entity_bytes += (size_t)ent->length;
	return ent;
}

static xmlEntityPtr
sax_get_parameter_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	(void)name;
	return NULL; /* parameter entities are never expanded */
}

static xmlParserInputPtr
sax_resolve_entity(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
	(void)ctx;
	(void)public_id;
	(void)system_id;
	return NULL;
}

static xmlParserInputPtr
deny_external_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void
sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                    const xmlChar *system_id)
{
	struct feed_parser *p = ctx;
	const char *ids[] = { (const char *)external_id, (const char *)system_id };

	(void)name;
	for (size_t i = 0; i < 2; i++) {
		if (ids[i] == NULL)
			continue;
		p->external_dtd = true;
		for (const char *s = ids[i]; *s; s++)
			if (str_istarts_with(s, "netscape"))
				p->netscape_doctype = true;
	}
}

static void
sax_error(void *ctx, xmlErrorPtr error)
{
	struct feed_parser *p = ctx;

	if (error == NULL || error->level < XML_ERR_ERROR)
		return;
	/* External parameter entities are never loaded (SECURITY.md rule
	 * 4); libxml2 reports each one, but the document is not at fault. */
	if (error->message != NULL && str_starts_with(error->message, "PEReference:") &&
	    (error->code == XML_WAR_UNDECLARED_ENTITY ||
	     error->code == XML_ERR_UNDECLARED_ENTITY)) {
		p->forgiven = true;
		return;
	}
	note_error(p, error->message);
}

/* libxml2 skips entity references once a document is known to be broken;
 * courant keeps its own flag and lets recovery read on as if it were not. */
static void
keep_recovering(struct feed_parser *p)
{
	if (p->ctxt != NULL && !p->ctxt->wellFormed) {
		if (!p->forgiven)
			p->wellformed = false;
		p->forgiven = false;
		p->ctxt->wellFormed = 1;
	}
}

/* --- captures -------------------------------------------------------- */

static void
capture_reset(struct capture *c)
{
	free(c->rel);
	free(c->type);
	free(c->length);
	free(c->scheme);
	free(c->label);
	buf_reset(&c->raw);
	buf_reset(&c->markup);
	c->rel = c->type = c->length = c->scheme = c->label = NULL;
	c->active = false;
	c->depth = 0;
	c->field = F_NONE;
	c->typing = TYPING_PLAIN;
	c->atom_type = FEED_TEXT_PLAIN;
	c->base64 = c->keep_div = c->has_children = c->pending_open = false;
	c->top_elements = 0;
	c->top_text = c->top_is_div = c->nested = false;
	c->div_inner_start = c->div_inner_end = 0;
	c->not_permalink = false;
	c->base = c->lang = NULL;
}

static void
markup_escaped(struct buf *b, const char *s, size_t n, bool attribute)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;

		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = attribute ? "&quot;" : NULL;
			break;
		}
		if (rep == NULL)
			continue;
		buf_append(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_append(b, s + start, n - start);
}

static void
close_pending(struct capture *c)
{
	if (c->pending_open) {
		buf_putc(&c->markup, '>');
		c->pending_open = false;
	}
}

/* Windows-1252's meaning of the C1 code points: feeds written on Windows
 * say &#146; for a right quote. U+0080-U+009F are controls with no use in
 * text, so reading them this way loses nothing (0 = no such character). */
static const uint16_t cp1252_c1[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static void capture_append(struct capture *c, const char *s, size_t n);

static void
capture_text(struct capture *c, const char *s, size_t n)
{
	const char *c2 = memchr(s, 0xC2, n);

	while (c2 != NULL) {
		size_t i = (size_t)(c2 - s);
		unsigned char next = i + 1 < n ? (unsigned char)s[i + 1] : 0;

		if (next >= 0x80 && next <= 0x9F && cp1252_c1[next - 0x80] != 0) {
			char enc[4];
			size_t len = utf8_encode(cp1252_c1[next - 0x80], enc);

			capture_append(c, s, i);
			capture_append(c, enc, len);
			s += i + 2;
			n -= i + 2;
			c2 = memchr(s, 0xC2, n);
		} else {
			c2 = i + 1 < n ? memchr(c2 + 1, 0xC2, n - i - 1) : NULL;
		}
	}
	capture_append(c, s, n);
}

static bool
has_non_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!str_is_space((unsigned char)s[i]))
			return true;
	return false;
}

/* Markup is only kept once the capture has a child element: until then
 * it would be the raw text escaped, which is made on demand. */
static void
capture_append(struct capture *c, const char *s, size_t n)
{
	/* At the field cap, keep what fits and drop the rest: a whole
	 * chunk of text may arrive in one call. */
	if (n > c->raw.max - c->raw.len) {
		n = c->raw.max - c->raw.len;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	buf_append(&c->raw, s, n);
	if (!c->has_children)
		return;
	close_pending(c);
	if (c->depth == 0 && !c->top_text)
		c->top_text = has_non_space(s, n);
	markup_escaped(&c->markup, s, n, false);
}

static void
write_qname(struct buf *b, const xmlChar *prefix, const xmlChar *local, bool xhtml)
{
	if (prefix != NULL && !xhtml) {
		buf_puts(b, (const char *)prefix);
		buf_putc(b, ':');
	}
	buf_puts(b, (const char *)local);
}

static void
capture_start_child(struct capture *c, const xmlChar *local,
                    const xmlChar *prefix, const xmlChar *uri, int nb_attrs,
                    const xmlChar **attrs)
{
	bool xhtml = classify_ns((const char *)uri, (const char *)prefix) == NS_XHTML;

	close_pending(c);
	if (!c->has_children) {
		c->has_children = true;
		c->top_text = has_non_space(buf_str(&c->raw), c->raw.len);
		markup_escaped(&c->markup, buf_str(&c->raw), c->raw.len, false);
	}
	if (c->depth > 0)
		c->nested = true;
	if (c->depth == 0) {
		c->top_elements++;
		c->top_is_div = c->top_elements == 1 && xhtml &&
		                strcmp((const char *)local, "div") == 0;
	}
	buf_putc(&c->markup, '<');
	write_qname(&c->markup, prefix, local, xhtml);
	for (int i = 0; i < nb_attrs; i++) {
		const xmlChar **a = attrs + i * 5;
		char *value = attr_dup(a);

		buf_putc(&c->markup, ' ');
		write_qname(&c->markup, a[1], a[0], false);
		buf_puts(&c->markup, "=\"");
		markup_escaped(&c->markup, value, strlen(value), true);
		buf_putc(&c->markup, '"');
		free(value);
	}
	c->pending_open = true;
	c->depth++;
	if (c->depth == 1 && c->top_is_div)
		c->div_inner_start = c->markup.len + 1; /* after the '>' */
}

static void
capture_end_child(struct capture *c, const xmlChar *local,
                  const xmlChar *prefix, const xmlChar *uri)
{
	bool xhtml = classify_ns((const char *)uri, (const char *)prefix) == NS_XHTML;

	c->depth--;
	if (c->pending_open) {
		buf_puts(&c->markup, " />");
		c->pending_open = false;
		if (c->depth == 0 && c->top_is_div)
			c->div_inner_start = c->div_inner_end = c->markup.len;
		return;
	}
	if (c->depth == 0 && c->top_is_div)
		c->div_inner_end = c->markup.len;
	buf_puts(&c->markup, "</");
	write_qname(&c->markup, prefix, local, xhtml);
	buf_putc(&c->markup, '>');
}

/* Decodes base64 in place (Atom 0.3 mode="base64"); skips whitespace and
 * stops at the first character outside the alphabet. */
static void
base64_decode(struct buf *b)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0;
	size_t out = 0;

	for (size_t i = 0; i < b->len; i++) {
		const char *pos;

		if (str_is_space((unsigned char)b->data[i]))
			continue;
		if (b->data[i] == '=' || b->data[i] == '\0')
			break;
		pos = strchr(alphabet, b->data[i]);
		if (pos == NULL)
			break;
		acc = (acc << 6) | (uint32_t)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b->data[out++] = (char)((acc >> bits) & 0xFF);
		}
	}
	b->len = out;
	if (b->data != NULL)
		b->data[out] = '\0';
}

/* Maps an Atom type attribute (a keyword or a media type) to a text type;
 * false when it names something else, which Atom says is base64. */
static bool
media_text_type(const char *t, enum feed_text_type *out)
{
	size_t n = t ? strlen(t) : 0;

	if (t == NULL || *t == '\0' || str_ieq(t, "text") || str_ieq(t, "text/plain"))
		*out = FEED_TEXT_PLAIN;
	else if (str_ieq(t, "html") || str_ieq(t, "text/html"))
		*out = FEED_TEXT_HTML;
	else if (strstr(t, "xhtml") != NULL ||
	         (n > 4 && (str_ieq(t + n - 4, "/xml") || str_ieq(t + n - 4, "+xml"))))
		*out = FEED_TEXT_XHTML;
	else if (str_istarts_with(t, "text/"))
		*out = FEED_TEXT_PLAIN;
	else
		return false;
	return true;
}

/* s[0..n) sanitized and without surrounding whitespace, as a new string.
 * Trimming the window first spares a pass over every value. */
static char *
sanitized_trimmed(const char *s, size_t n, unsigned flags)
{
	char *v;
	size_t len;

	while (n > 0 && str_is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && str_is_space((unsigned char)s[n - 1]))
		n--;
	v = text_sanitize(s, n, flags, FEED_MAX_FIELD_BYTES);
	len = strlen(v);
	/* A dropped control can leave a space at either end. */
	if (len > 0 && (v[0] == ' ' || v[len - 1] == ' ' || v[len - 1] == '\n'))
		str_trim(v);
	return v;
}

/* The captured value as (type, new string), sanitized and trimmed. */
static char *
capture_value(struct capture *c, enum feed_text_type *type)
{
	const char *s = buf_str(&c->raw);
	size_t n = c->raw.len;
	enum feed_text_type t = FEED_TEXT_PLAIN;

	close_pending(c);
	switch (c->typing) {
	case TYPING_PLAIN:
		break;
	case TYPING_GUESS:
		if (c->has_children) {
			t = FEED_TEXT_HTML;
			s = buf_str(&c->markup);
			n = c->markup.len;
		} else {
			t = feed_looks_like_html(s) ? FEED_TEXT_HTML : FEED_TEXT_PLAIN;
		}
		break;
	case TYPING_HTML:
	case TYPING_XHTML:
		t = c->typing == TYPING_HTML ? FEED_TEXT_HTML : FEED_TEXT_XHTML;
		if (c->has_children) {
			s = buf_str(&c->markup);
			n = c->markup.len;
		}
		break;
	case TYPING_ATOM10:
	case TYPING_ATOM03:
		t = c->atom_type;
		if (c->base64) {
			base64_decode(&c->raw);
			s = buf_str(&c->raw);
			n = c->raw.len;
		} else if (c->has_children && t == FEED_TEXT_HTML && c->top_is_div &&
		           c->top_elements == 1 && !c->nested) {
			/* Escaped HTML inside a stray xhtml <div> (TypePad):
			 * the div is packaging, the text is the HTML. */
		} else if (c->has_children) {
			if (t == FEED_TEXT_PLAIN)
				t = FEED_TEXT_XHTML;
			s = buf_str(&c->markup);
			n = c->markup.len;
			/* Atom 1.0 wraps xhtml in a <div> that is not content. */
			if (!c->keep_div && c->top_elements == 1 && c->top_is_div &&
			    !c->top_text && c->div_inner_end >= c->div_inner_start) {
				s = buf_str(&c->markup) + c->div_inner_start;
				n = c->div_inner_end - c->div_inner_start;
			}
		}
		break;
	}
	*type = t;
	return sanitized_trimmed(s, n, TEXT_MULTILINE);
}

/* A one-line value (URL, id, name), or NULL when empty. */
static char *
capture_line(struct capture *c)
{
	char *v = sanitized_trimmed(buf_str(&c->raw), c->raw.len, 0);

	if (*v == '\0') {
		free(v);
		return NULL;
	}
	return v;
}

/* --- building the output ------------------------------------------- */

static struct feed_link *
add_link(struct feed_link **links, size_t *n, char *href, const char *rel,
         const char *type, const char *length)
{
	struct feed_link *l = feed_array_push(links, n, sizeof **links);

	if (l == NULL) {
		free(href);
		return NULL;
	}
	l->href = href;
	l->rel = xstrdup(rel && *rel ? rel : "alternate");
	l->type = type && *type ? xstrdup(type) : NULL;
	l->length = parse_length(length);
	return l;
}

static void
add_enclosure(struct feed_item *it, const char *url, const char *type,
              const char *length)
{
	struct feed_enclosure *e =
		feed_array_push(&it->enclosures, &it->n_enclosures, sizeof *e);

	if (e == NULL)
		return;
	e->url = url ? xstrdup(url) : NULL;
	e->type = type && *type ? xstrdup(type) : NULL;
	e->length = parse_length(length);
}

static void
add_category(struct feed_item *it, const char *term, const char *scheme,
             const char *label)
{
	struct feed_category *c;

	if ((term == NULL || *term == '\0') && (label == NULL || *label == '\0'))
		return;
	c = feed_array_push(&it->categories, &it->n_categories, sizeof *c);
	if (c == NULL)
		return;
	c->term = term && *term ? xstrdup(term) : NULL;
	c->scheme = scheme && *scheme ? xstrdup(scheme) : NULL;
	c->label = label && *label ? xstrdup(label) : NULL;
}

static void
add_keywords(struct feed_item *it, const char *list, const char *scheme)
{
	const char *s = list;

	while (s != NULL && *s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		char *word = xstrndup(s, n);

		str_trim(word);
		add_category(it, word, scheme, NULL);
		free(word);
		s = comma ? comma + 1 : NULL;
	}
}

static void
add_author_string(struct feed_person **people, size_t *n, const char *s)
{
	struct feed_person *p;

	if (s == NULL || *s == '\0')
		return;
	p = feed_array_push(people, n, sizeof *p);
	if (p != NULL)
		feed_person_from_string(p, s);
}

static void
set_text(struct feed_text *t, char *value, enum feed_text_type type)
{
	feed_set_string(&t->value, value);
	t->type = type;
}

static const char *
first_alternate(const struct feed_link *links, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (links[i].href != NULL && str_eq(links[i].rel, "alternate"))
			return links[i].href;
	return NULL;
}

/* Finishes the capture: the value goes where its field says. */
static void
capture_finish(struct feed_parser *p)
{
	struct capture *c = &p->cap;
	bool in_item = c->owner == K_ITEM;
	struct feed_item *it = &p->item;
	struct feed_info *info = &p->info;
	enum feed_text_type type;
	char *v = NULL;

	switch (c->field) {
	case F_NONE:
		break;
	case F_TITLE:
	case F_MEDIA_TITLE:
		v = capture_value(c, &type);
		if (c->owner == K_IMAGE) {
			feed_set_string(&info->image.title, v);
		} else if (in_item) {
			if (c->field == F_MEDIA_TITLE && p->item_has_title) {
				free(v);
			} else {
				set_text(&it->title, v, type);
				p->item_has_title |= c->field == F_TITLE;
			}
		} else if (c->field == F_TITLE) {
			set_text(&info->title, v, type);
		} else {
			free(v);
		}
		v = NULL;
		break;
	case F_SUBTITLE:
	case F_ITUNES_SUBTITLE:
		v = capture_value(c, &type);
		if (c->field == F_SUBTITLE || info->subtitle.value == NULL)
			set_text(&info->subtitle, v, type);
		else
			free(v);
		v = NULL;
		break;
	case F_SUMMARY:
	case F_ITUNES_SUMMARY:
		v = capture_value(c, &type);
		if (!in_item) {
			if (info->subtitle.value == NULL)
				set_text(&info->subtitle, v, type);
			else
				free(v);
		} else if (c->field == F_SUMMARY || it->summary.value == NULL) {
			set_text(&it->summary, v, type);
		} else {
			free(v);
		}
		v = NULL;
		break;
	case F_CONTENT: {
		struct feed_text *t;

		v = capture_value(c, &type);
		t = feed_array_push(&it->content, &it->n_content, sizeof *t);
		if (t == NULL)
			break;
		t->type = type;
		t->value = v;
		t->lang = normalize_lang(c->lang ? c->lang : p->src.content_language);
		v = NULL;
		break;
	}
	case F_LINK:
		v = capture_line(c);
		if (v == NULL)
			break;
		if (c->owner == K_IMAGE) {
			feed_set_string(&info->image.link, resolve(c->base, v));
		} else if (in_item) {
			add_link(&it->links, &it->n_links, resolve(c->base, v),
			         "alternate", NULL, NULL);
		} else {
			add_link(&info->links, &info->n_links, resolve(c->base, v),
			         "alternate", NULL, NULL);
		}
		break;
	case F_ATOM_LINK:
		v = capture_line(c);
		if (v == NULL)
			break;
		if (in_item) {
			add_link(&it->links, &it->n_links, resolve(c->base, v), c->rel,
			         c->type, c->length);
			if (str_eq(c->rel, "enclosure"))
				add_enclosure(it, it->links[it->n_links - 1].href,
				              c->type, c->length);
		} else {
			add_link(&info->links, &info->n_links, resolve(c->base, v),
			         c->rel, c->type, c->length);
		}
		break;
	case F_LANGUAGE:
		v = capture_line(c);
		feed_set_string(&info->language, normalize_lang(v));
		break;
	case F_UPDATED:
	case F_PUBLISHED: {
		feed_time t;

		v = capture_line(c);
		t = v ? feed_date_parse(v) : FEED_DATE_UNKNOWN;
		if (in_item) {
			if (c->field == F_UPDATED)
				it->updated = t;
			else
				it->published = t;
		} else if (c->field == F_UPDATED) {
			info->updated = t;
		} else {
			info->published = t;
		}
		break;
	}
	case F_AUTHOR_STRING:
		v = capture_line(c);
		if (in_item)
			add_author_string(&it->authors, &it->n_authors, v);
		else
			add_author_string(&info->authors, &info->n_authors, v);
		break;
	case F_GENERATOR:
		v = capture_line(c);
		feed_set_string(&info->generator, v);
		v = NULL;
		break;
	case F_TTL: {
		int64_t ttl;

		v = capture_line(c);
		ttl = parse_length(v);
		info->ttl_minutes = ttl >= 0 && ttl < 1000000 ? (int)ttl : -1;
		break;
	}
	case F_LOGO:
		v = capture_line(c);
		if (v != NULL)
			feed_set_string(&info->image.url, resolve(c->base, v));
		break;
	case F_ID:
	case F_GUID:
		/* Ids are opaque keys: never resolved against a base. */
		v = capture_line(c);
		feed_set_string(&it->id, v ? v : xstrdup(""));
		v = NULL;
		if (c->field == F_GUID && !c->not_permalink && it->id[0] != '\0')
			feed_set_string(&p->guid_link, resolve(c->base, it->id));
		else if (c->field == F_GUID)
			feed_set_string(&p->guid_link, NULL);
		break;
	case F_COMMENTS:
		v = capture_line(c);
		if (v != NULL)
			feed_set_string(&it->comments, resolve(c->base, v));
		break;
	case F_CATEGORY:
		v = capture_line(c);
		add_category(it, v, c->scheme, c->label);
		break;
	case F_KEYWORDS:
		v = capture_line(c);
		add_keywords(it, v, c->scheme);
		break;
	case F_PERSON_NAME:
		feed_set_string(&p->person.name, capture_line(c));
		break;
	case F_PERSON_EMAIL:
		feed_set_string(&p->person.email, capture_line(c));
		break;
	case F_PERSON_URI:
		v = capture_line(c);
		if (v != NULL)
			feed_set_string(&p->person.uri, resolve(c->base, v));
		break;
	case F_IMAGE_URL:
		v = capture_line(c);
		if (v != NULL)
			feed_set_string(&info->image.url, resolve(c->base, v));
		break;
	case F_IMAGE_TITLE:
		feed_set_string(&info->image.title, capture_line(c));
		break;
	case F_IMAGE_LINK:
		v = capture_line(c);
		if (v != NULL)
			feed_set_string(&info->image.link, resolve(c->base, v));
		break;
	}
	free(v);
}

/* --- items and people ------------------------------------------------ */

static void
item_begin(struct feed_parser *p, char *about)
{
	feed_item_clear(&p->item);
	feed_set_string(&p->guid_link, NULL);
	p->in_item = true;
	p->item_has_title = false;
	p->item.id = about;
}

static void
item_end(struct feed_parser *p)
{
	struct feed_item *it = &p->item;
	const char *link = first_alternate(it->links, it->n_links);

	p->in_item = false;
	if (link != NULL)
		feed_set_string(&it->link, xstrdup(link));
	else if (p->guid_link != NULL)
		feed_set_string(&it->link, xstrdup(p->guid_link));
	feed_item_make_key(it);
	p->items++;
	if (!p->stopped && p->on_item != NULL && p->on_item(it, p->arg) != 0) {
		p->stopped = true;
		err_set(&p->stop_err, ERR_PARSE, "stopped by the item handler");
		if (p->ctxt != NULL)
			xmlStopParser(p->ctxt);
	}
	feed_item_clear(it);
}

static void
person_end(struct feed_parser *p)
{
	struct feed_person *src = &p->person, *dst;
	struct feed_person **list;
	size_t *n;

	if (!p->person_is_author ||
	    (src->name == NULL && src->email == NULL && src->uri == NULL)) {
		free(src->name);
		free(src->email);
		free(src->uri);
		memset(src, 0, sizeof *src);
		return;
	}
	if (p->person_owner == K_ITEM) {
		list = &p->item.authors;
		n = &p->item.n_authors;
	} else {
		list = &p->info.authors;
		n = &p->info.n_authors;
	}
	dst = feed_array_push(list, n, sizeof *dst);
	if (dst != NULL) {
		*dst = *src;
	} else {
		free(src->name);
		free(src->email);
		free(src->uri);
	}
	memset(src, 0, sizeof *src);
}

/* --- what each element means ---------------------------------------- */

static bool
is_atom_doc(const struct feed_parser *p)
{
	return p->info.format == FEED_ATOM03 || p->info.format == FEED_ATOM10 ||
	       p->info.format == FEED_ATOM;
}

static bool
is_atom_element(const struct feed_parser *p, const xmlChar *uri)
{
	return ns_is((const char *)uri, "http://www.w3.org/2005/Atom") ||
	       ns_is((const char *)uri, "http://purl.org/atom/ns#") || is_atom_doc(p);
}

static void
begin_capture(struct feed_parser *p, struct frame *f, enum field field,
              enum typing typing, enum kind owner)
{
	struct capture *c = &p->cap;

	c->active = true;
	c->depth = 0;
	c->field = field;
	c->typing = typing;
	c->owner = owner;
	c->base = f->base;
	c->lang = f->lang;
	f->kind = K_FIELD;
}

/* Atom text constructs carry their type in attributes. */
static void
begin_atom_text(struct feed_parser *p, struct frame *f, enum field field,
                enum kind owner, const xmlChar *uri, int n, const xmlChar **attrs)
{
	char *type = attr_get(n, attrs, NULL, "type");
	char *mode = attr_get(n, attrs, NULL, "mode");
	bool atom03 = ns_is((const char *)uri, "http://purl.org/atom/ns#") ||
	              (p->info.format == FEED_ATOM03 &&
	               !ns_is((const char *)uri, "http://www.w3.org/2005/Atom"));

	begin_capture(p, f, field, atom03 ? TYPING_ATOM03 : TYPING_ATOM10, owner);
	p->cap.base64 = str_ieq(trimmed(mode), "base64");
	/* RFC 4287 4.1.3.3: content of any other media type is base64. */
	if (!media_text_type(trimmed(type), &p->cap.atom_type)) {
		p->cap.atom_type = FEED_TEXT_PLAIN;
		p->cap.base64 = !atom03;
	}
	p->cap.keep_div = atom03;
	free(type);
	free(mode);
}

static void
begin_link(struct feed_parser *p, struct frame *f, enum kind owner,
           const xmlChar *uri, int n, const xmlChar **attrs)
{
	char *href = attr_get(n, attrs, NULL, "href");
	char *rel = trimmed(attr_get(n, attrs, NULL, "rel"));
	char *type = trimmed(attr_get(n, attrs, NULL, "type"));
	char *length = attr_get(n, attrs, NULL, "length");

	/* An Atom link without a type is taken to be a page, or the feed
	 * itself for rel="self" (as Universal Feed Parser does). */
	if (type == NULL && is_atom_element(p, uri))
		type = xstrdup(str_eq(rel, "self") ? "application/atom+xml" : "text/html");
	if (href != NULL) {
		char *abs = resolve(f->base, str_trim(href));

		if (owner == K_ITEM) {
			add_link(&p->item.links, &p->item.n_links, abs, rel, type, length);
			if (str_eq(rel, "enclosure"))
				add_enclosure(&p->item, abs, type, length);
		} else {
			add_link(&p->info.links, &p->info.n_links, abs, rel, type, length);
		}
		free(href);
		free(rel);
		free(type);
		free(length);
		f->kind = K_IGNORE;
		return;
	}
	if (is_atom_element(p, uri) && (rel != NULL || type != NULL)) {
		begin_capture(p, f, F_ATOM_LINK, TYPING_PLAIN, owner);
		p->cap.rel = rel;
		p->cap.type = type;
		p->cap.length = length;
		return;
	}
	if (is_atom_element(p, uri)) {
		begin_capture(p, f, F_ATOM_LINK, TYPING_PLAIN, owner);
	} else {
		begin_capture(p, f, F_LINK, TYPING_PLAIN, owner);
	}
	free(rel);
	free(type);
	free(length);
}

/* Elements shared by the channel and the item level. `owner` says which. */
static bool
start_common(struct feed_parser *p, struct frame *f, enum kind owner, enum ns ns,
             const char *name, const xmlChar *uri, int n, const xmlChar **attrs)
{
	if (ns == NS_CORE) {
		if (name_is(name, "title")) {
			if (is_atom_element(p, uri))
				begin_atom_text(p, f, F_TITLE, owner, uri, n, attrs);
			else
				begin_capture(p, f, F_TITLE, TYPING_GUESS, owner);
		} else if (name_is(name, "link")) {
			begin_link(p, f, owner, uri, n, attrs);
		} else if (name_is(name, "author") || name_is(name, "contributor")) {
			if (is_atom_element(p, uri) || name_is(name, "contributor")) {
				f->kind = K_PERSON;
				p->person_is_author = name[0] == 'a';
				p->person_owner = owner;
			} else {
				begin_capture(p, f, F_AUTHOR_STRING, TYPING_PLAIN, owner);
			}
		} else if (name_is(name, "updated") || name_is(name, "modified")) {
			begin_capture(p, f, F_UPDATED, TYPING_PLAIN, owner);
		} else if (name_is(name, "published") || name_is(name, "issued") ||
		           name_is(name, "pubDate")) {
			begin_capture(p, f, F_PUBLISHED, TYPING_PLAIN, owner);
		} else {
			return false;
		}
		return true;
	}
	if (ns == NS_DC) {
		if (name_is(name, "title"))
			begin_capture(p, f, F_TITLE, TYPING_GUESS, owner);
		else if (name_is(name, "creator") || name_is(name, "author"))
			begin_capture(p, f, F_AUTHOR_STRING, TYPING_PLAIN, owner);
		else if (name_is(name, "date"))
			begin_capture(p, f, F_UPDATED, TYPING_PLAIN, owner);
		else
			return false;
		return true;
	}
	if (ns == NS_DCTERMS) {
		if (name_is(name, "modified"))
			begin_capture(p, f, F_UPDATED, TYPING_PLAIN, owner);
		else if (name_is(name, "issued"))
			begin_capture(p, f, F_PUBLISHED, TYPING_PLAIN, owner);
		else
			return false;
		return true;
	}
	if (ns == NS_ITUNES && name_is(name, "author")) {
		begin_capture(p, f, F_AUTHOR_STRING, TYPING_PLAIN, owner);
		return true;
	}
	return false;
}

static void
start_in_channel(struct feed_parser *p, struct frame *f, enum ns ns,
                 const char *name, const xmlChar *uri, int n, const xmlChar **attrs)
{
	if (start_common(p, f, K_CHANNEL, ns, name, uri, n, attrs))
		return;
	if (ns == NS_CORE) {
		if (name_is(name, "item") || name_is(name, "entry")) {
			f->kind = K_ITEM;
		} else if (name_is(name, "subtitle") || name_is(name, "tagline")) {
			begin_atom_text(p, f, F_SUBTITLE, K_CHANNEL, uri, n, attrs);
		} else if (name_is(name, "description")) {
			if (is_atom_element(p, uri))
				begin_atom_text(p, f, F_SUBTITLE, K_CHANNEL, uri, n, attrs);
			else
				begin_capture(p, f, F_SUBTITLE, TYPING_HTML, K_CHANNEL);
		} else if (name_is(name, "language")) {
			begin_capture(p, f, F_LANGUAGE, TYPING_PLAIN, K_CHANNEL);
		} else if (name_is(name, "lastBuildDate")) {
			begin_capture(p, f, F_UPDATED, TYPING_PLAIN, K_CHANNEL);
		} else if (name_is(name, "managingEditor")) {
			begin_capture(p, f, F_AUTHOR_STRING, TYPING_PLAIN, K_CHANNEL);
		} else if (name_is(name, "generator")) {
			begin_capture(p, f, F_GENERATOR, TYPING_PLAIN, K_CHANNEL);
		} else if (name_is(name, "ttl")) {
			begin_capture(p, f, F_TTL, TYPING_PLAIN, K_CHANNEL);
		} else if (name_is(name, "image")) {
			f->kind = K_IMAGE;
		} else if (name_is(name, "logo")) {
			begin_capture(p, f, F_LOGO, TYPING_PLAIN, K_CHANNEL);
		}
		return;
	}
	if (ns == NS_DC && name_is(name, "language")) {
		begin_capture(p, f, F_LANGUAGE, TYPING_PLAIN, K_CHANNEL);
	} else if (ns == NS_ITUNES) {
		if (name_is(name, "summary") || name_is(name, "subtitle")) {
			begin_capture(p, f, F_ITUNES_SUBTITLE, TYPING_GUESS, K_CHANNEL);
		} else if (name_is(name, "image") || name_is(name, "link")) {
			char *href = attr_get(n, attrs, NULL, "href");
			char *rel = trimmed(attr_get(n, attrs, NULL, "rel"));

			/* Old podcasts wrote url= or a link with rel="image". */
			if (href == NULL && name_is(name, "image"))
				href = attr_get(n, attrs, NULL, "url");
			if (name_is(name, "link") && !str_ieq(rel, "image"))
				feed_set_string(&href, NULL);
			if (href != NULL && p->info.image.url == NULL)
				p->info.image.url = resolve(f->base, str_trim(href));
			free(href);
			free(rel);
		}
	}
}

static void
start_category(struct feed_parser *p, struct frame *f, const xmlChar *uri,
               int n, const xmlChar **attrs)
{
	char *term = trimmed(attr_get(n, attrs, NULL, "term"));

	if (term != NULL || is_atom_element(p, uri)) {
		char *scheme = trimmed(attr_get(n, attrs, NULL, "scheme"));
		char *label = trimmed(attr_get(n, attrs, NULL, "label"));

		add_category(&p->item, term, scheme, label);
		free(term);
		free(scheme);
		free(label);
		return;
	}
	begin_capture(p, f, F_CATEGORY, TYPING_PLAIN, K_ITEM);
	p->cap.scheme = trimmed(attr_get(n, attrs, NULL, "domain"));
}

static void
start_media(struct feed_parser *p, struct frame *f, const char *name, int n,
            const xmlChar **attrs)
{
	if (name_is(name, "title")) {
		begin_capture(p, f, F_MEDIA_TITLE, TYPING_GUESS, K_ITEM);
	} else if (name_is(name, "category")) {
		begin_capture(p, f, F_CATEGORY, TYPING_PLAIN, K_ITEM);
		p->cap.scheme = trimmed(attr_get(n, attrs, NULL, "scheme"));
		if (p->cap.scheme == NULL)
			p->cap.scheme = xstrdup("http://search.yahoo.com/mrss/category_schema");
		p->cap.label = trimmed(attr_get(n, attrs, NULL, "label"));
	} else if (name_is(name, "keywords")) {
		begin_capture(p, f, F_KEYWORDS, TYPING_PLAIN, K_ITEM);
	} else if (name_is(name, "group")) {
		f->kind = K_MEDIA_GROUP;
	}
}

static void
start_itunes_category(struct feed_parser *p, struct frame *f, int n,
                      const xmlChar **attrs)
{
	char *text = trimmed(attr_get(n, attrs, NULL, "text"));

	add_category(&p->item, text, "http://www.itunes.com/", NULL);
	free(text);
	f->kind = K_ITUNES_CATEGORY;
}

static void
start_in_item(struct feed_parser *p, struct frame *f, enum ns ns,
              const char *name, const xmlChar *uri, int n, const xmlChar **attrs)
{
	if (start_common(p, f, K_ITEM, ns, name, uri, n, attrs))
		return;
	switch (ns) {
	case NS_CORE:
		if (name_is(name, "description")) {
			if (is_atom_element(p, uri))
				begin_atom_text(p, f, F_SUMMARY, K_ITEM, uri, n, attrs);
			else
				begin_capture(p, f, F_SUMMARY, TYPING_HTML, K_ITEM);
		} else if (name_is(name, "summary") || name_is(name, "content")) {
			begin_atom_text(p, f, name[0] == 's' ? F_SUMMARY : F_CONTENT,
			                K_ITEM, uri, n, attrs);
		} else if (name_is(name, "fullitem")) {
			begin_capture(p, f, F_CONTENT, TYPING_HTML, K_ITEM);
		} else if (name_is(name, "id")) {
			begin_capture(p, f, F_ID, TYPING_PLAIN, K_ITEM);
		} else if (name_is(name, "guid")) {
			char *permalink = trimmed(attr_get(n, attrs, NULL, "isPermaLink"));

			begin_capture(p, f, F_GUID, TYPING_PLAIN, K_ITEM);
			p->cap.not_permalink = permalink != NULL && !str_ieq(permalink, "true");
			free(permalink);
		} else if (name_is(name, "category")) {
			start_category(p, f, uri, n, attrs);
		} else if (name_is(name, "enclosure")) {
			char *url = trimmed(attr_get(n, attrs, NULL, "url"));
			char *type = trimmed(attr_get(n, attrs, NULL, "type"));
			char *length = attr_get(n, attrs, NULL, "length");
			char *abs = url ? resolve(f->base, url) : NULL;

			add_enclosure(&p->item, abs, type, length);
			if (abs != NULL)
				add_link(&p->item.links, &p->item.n_links, abs,
				         "enclosure", type, length);
			free(url);
			free(type);
			free(length);
		} else if (name_is(name, "comments")) {
			begin_capture(p, f, F_COMMENTS, TYPING_PLAIN, K_ITEM);
		} else if (name_is(name, "tags")) {
			begin_capture(p, f, F_KEYWORDS, TYPING_PLAIN, K_ITEM);
		}
		break;
	case NS_CONTENT:
		if (name_is(name, "encoded"))
			begin_capture(p, f, F_CONTENT, TYPING_HTML, K_ITEM);
		break;
	case NS_XHTML:
		if (name_is(name, "body"))
			begin_capture(p, f, F_CONTENT, TYPING_XHTML, K_ITEM);
		break;
	case NS_DC:
		if (name_is(name, "subject"))
			begin_capture(p, f, F_CATEGORY, TYPING_PLAIN, K_ITEM);
		else if (name_is(name, "description"))
			begin_capture(p, f, F_SUMMARY, TYPING_HTML, K_ITEM);
		break;
	case NS_ITUNES:
		if (name_is(name, "summary"))
			begin_capture(p, f, F_ITUNES_SUMMARY, TYPING_GUESS, K_ITEM);
		else if (name_is(name, "category"))
			start_itunes_category(p, f, n, attrs);
		else if (name_is(name, "keywords"))
			begin_capture(p, f, F_KEYWORDS, TYPING_PLAIN, K_ITEM);
		break;
	case NS_MEDIA:
		start_media(p, f, name, n, attrs);
		break;
	default:
		break;
	}
}

static void
start_root(struct feed_parser *p, struct frame *f, enum ns ns, const char *name,
           const xmlChar *uri, int nb_ns, const xmlChar **nss, int n,
           const xmlChar **attrs)
{
	struct feed_info *info = &p->info;

	p->saw_root = true;
	if (ns == NS_CORE && name_is(name, "rss")) {
		char *version = trimmed(attr_get(n, attrs, NULL, "version"));

		f->kind = K_ROOT;
		if (version == NULL || *version == '\0')
			info->format = FEED_RSS;
		else if (strcmp(version, "0.91") == 0)
			info->format = p->netscape_doctype ? FEED_RSS091N : FEED_RSS091U;
		else if (strcmp(version, "0.92") == 0)
			info->format = FEED_RSS092;
		else if (strcmp(version, "0.93") == 0)
			info->format = FEED_RSS093;
		else if (strcmp(version, "0.94") == 0)
			info->format = FEED_RSS094;
		else if (str_starts_with(version, "2."))
			info->format = FEED_RSS20;
		else if (strcmp(version, "0.90") == 0)
			info->format = FEED_RSS090;
		else
			info->format = FEED_RSS;
		free(version);
	} else if (ns == NS_RDF && name_is(name, "RDF")) {
		f->kind = K_ROOT;
		for (int i = 0; i < nb_ns; i++) {
			const char *u = (const char *)nss[2 * i + 1];

			if (ns_is(u, "http://purl.org/rss/1.0/"))
				info->format = FEED_RSS10;
			else if (ns_is(u, "http://my.netscape.com/rdf/simple/0.9/") &&
			         info->format == FEED_FORMAT_UNKNOWN)
				info->format = FEED_RSS090;
		}
	} else if (ns == NS_CORE && name_is(name, "feed")) {
		char *version = trimmed(attr_get(n, attrs, NULL, "version"));

		f->kind = K_CHANNEL;
		if (ns_is((const char *)uri, "http://purl.org/atom/ns#") ||
		    str_eq(version, "0.3"))
			info->format = FEED_ATOM03;
		else if (ns_is((const char *)uri, "http://www.w3.org/2005/Atom"))
			info->format = FEED_ATOM10;
		else
			info->format = FEED_ATOM;
		free(version);
		feed_set_string(&p->root_lang, f->lang ? xstrdup(f->lang) : NULL);
	} else if (ns == NS_CORE && name_is(name, "channel")) {
		f->kind = K_CHANNEL;
		info->format = FEED_RSS;
		feed_set_string(&p->root_lang, f->lang ? xstrdup(f->lang) : NULL);
	} else {
		f->kind = K_IGNORE;
	}
	if (f->kind == K_ROOT)
		feed_set_string(&p->root_lang, f->lang ? xstrdup(f->lang) : NULL);
}

/* --- SAX callbacks --------------------------------------------------- */

static void
frame_open(struct feed_parser *p, struct frame *f, const struct frame *parent,
           int n, const xmlChar **attrs)
{
	char *base = attr_get(n, attrs, xml_ns, "base");
	char *lang = NULL;

	memset(f, 0, sizeof *f);
	f->base = parent ? parent->base : p->doc_base;
	f->lang = parent ? parent->lang : NULL;
	if (base != NULL) {
		f->own_base = resolve(f->base, str_trim(base));
		f->base = f->own_base;
		free(base);
	}
	for (int i = 0; i < n; i++) {
		const xmlChar **a = attrs + i * 5;

		if (strcmp((const char *)a[0], "lang") == 0 &&
		    ns_is((const char *)a[2], xml_ns)) {
			lang = attr_dup(a);
			/* Recovery passes a repeated attribute twice. */
			feed_set_string(&f->own_lang, normalize_lang(lang));
			f->lang = f->own_lang; /* xml:lang="" resets to none */
			free(lang);
		}
	}
}

static void
frame_close(struct frame *f)
{
	free(f->own_base);
	free(f->own_lang);
	f->own_base = f->own_lang = NULL;
}

static void
sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
          const xmlChar *uri, int nb_ns, const xmlChar **nss, int nb_attrs,
          int nb_defaulted, const xmlChar **attrs)
{
	struct feed_parser *p = ctx;
	struct frame *parent, *f;
	const char *name = (const char *)local;
	enum ns ns;

	(void)nb_defaulted;
	keep_recovering(p);
	if (p->stopped)
		return;
	if (p->depth >= FEED_MAX_DEPTH || p->overflow > 0) {
		p->overflow++;
		return;
	}
	parent = p->depth > 0 ? &p->frames[p->depth - 1] : NULL;
	f = &p->frames[p->depth++];
	frame_open(p, f, parent, nb_attrs, attrs);
	f->local = local;
	f->prefix = prefix;
	f->uri = uri;
	if (p->cap.active) {
		capture_start_child(&p->cap, local, prefix, uri, nb_attrs, attrs);
		f->kind = K_FIELD;
		return;
	}
	ns = classify_ns((const char *)uri, (const char *)prefix);
	if (parent == NULL) {
		start_root(p, f, ns, name, uri, nb_ns, nss, nb_attrs, attrs);
		return;
	}
	f->kind = K_IGNORE;
	switch (parent->kind) {
	case K_ROOT:
		if (ns != NS_CORE)
			break;
		if (name_is(name, "channel")) {
			f->kind = K_CHANNEL;
			if (p->info.format == FEED_FORMAT_UNKNOWN)
				p->info.format = ns_is((const char *)uri, "http://purl.org/rss/1.0/")
				                         ? FEED_RSS10
				                         : FEED_RSS090;
			if (f->lang != NULL)
				feed_set_string(&p->root_lang, xstrdup(f->lang));
		} else if (name_is(name, "item")) {
			f->kind = K_ITEM;
		} else if (name_is(name, "image")) {
			f->kind = K_IMAGE;
		}
		break;
	case K_CHANNEL:
		start_in_channel(p, f, ns, name, uri, nb_attrs, attrs);
		break;
	case K_ITEM:
		if (ns == NS_CORE && (name_is(name, "item") || name_is(name, "entry")))
			f->kind = K_ITEM; /* recovery nested it: see below */
		else
			start_in_item(p, f, ns, name, uri, nb_attrs, attrs);
		break;
	case K_MEDIA_GROUP:
		if (ns == NS_MEDIA)
			start_media(p, f, name, nb_attrs, attrs);
		break;
	case K_ITUNES_CATEGORY:
		if (ns == NS_ITUNES && name_is(name, "category"))
			start_itunes_category(p, f, nb_attrs, attrs);
		break;
	case K_PERSON:
		if (ns != NS_CORE)
			break;
		if (name_is(name, "name"))
			begin_capture(p, f, F_PERSON_NAME, TYPING_PLAIN, K_PERSON);
		else if (name_is(name, "email"))
			begin_capture(p, f, F_PERSON_EMAIL, TYPING_PLAIN, K_PERSON);
		else if (name_is(name, "uri") || name_is(name, "url") ||
		         name_is(name, "homepage"))
			begin_capture(p, f, F_PERSON_URI, TYPING_PLAIN, K_PERSON);
		break;
	case K_IMAGE:
		if (ns != NS_CORE)
			break;
		if (name_is(name, "url"))
			begin_capture(p, f, F_IMAGE_URL, TYPING_PLAIN, K_IMAGE);
		else if (name_is(name, "title"))
			begin_capture(p, f, F_IMAGE_TITLE, TYPING_PLAIN, K_IMAGE);
		else if (name_is(name, "link"))
			begin_capture(p, f, F_IMAGE_LINK, TYPING_PLAIN, K_IMAGE);
		break;
	case K_IGNORE:
	case K_FIELD:
		break;
	}
	if (f->kind == K_ITEM) {
		if (p->items >= FEED_MAX_ITEMS) {
			f->kind = K_IGNORE;
			return;
		}
		if (p->in_item) {
			/* Only recovery nests items (an unclosed tag before
			 * it): the open item ends here, and the rest of its
			 * element is ignored. */
			p->frames[p->item_frame].kind = K_IGNORE;
			item_end(p);
		}
		p->item_frame = p->depth - 1;
		item_begin(p, trimmed(attr_get(nb_attrs, attrs,
		                               "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
		                               "about")));
	}
}

static void
end_frame(struct feed_parser *p)
{
	struct frame *f = &p->frames[--p->depth];

	if (p->cap.active) {
		if (p->cap.depth > 0) {
			capture_end_child(&p->cap, f->local, f->prefix, f->uri);
		} else {
			capture_finish(p);
			capture_reset(&p->cap);
		}
		frame_close(f);
		return;
	}
	switch (f->kind) {
	case K_ITEM:
		item_end(p);
		break;
	case K_PERSON:
		person_end(p);
		break;
	default:
		break;
	}
	frame_close(f);
}

static void
sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct feed_parser *p = ctx;

	(void)local;
	(void)prefix;
	(void)uri;
	keep_recovering(p);
	if (p->overflow > 0) {
		p->overflow--;
		return;
	}
	if (p->depth > 0)
		end_frame(p);
}

static void
sax_characters(void *ctx, const xmlChar *ch, int len)
{
	struct feed_parser *p = ctx;

	if (!p->cap.active || p->overflow > 0 || p->stopped)
		return;
	keep_recovering(p);
	capture_text(&p->cap, (const char *)ch, (size_t)len);
}

/* --- the public face ------------------------------------------------- */

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
init_once(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	xmlInitParser();
	/* SECURITY.md rule 4: no external entity is ever loaded, whatever
	 * the options of any parse. */
	xmlSetExternalEntityLoader(deny_external_entity);
}

static bool
media_suffix(const char *t, size_t n, const char *suffix)
{
	size_t len = strlen(suffix);

	return n > len && strncasecmp(t + n - len, suffix, len) == 0;
}

/* A feed served as text/plain or text/html was not offered as XML: still
 * read, but flagged, as RFC 7303 and every feed validator would. */
static void
check_media_type(struct feed_parser *p)
{
	const char *t = p->src.content_type;
	size_t n;

	if (t == NULL)
		return;
	while (str_is_space((unsigned char)*t))
		t++;
	n = strcspn(t, ";");
	while (n > 0 && str_is_space((unsigned char)t[n - 1]))
		n--;
	if (n == 0)
		return;
	if (media_suffix(t, n, "/xml") || media_suffix(t, n, "+xml") ||
	    media_suffix(t, n, "/xml-external-parsed-entity") ||
	    media_suffix(t, n, "/xml-parsed-entity") ||
	    media_suffix(t, n, "/xml-dtd"))
		return;
	{
		char *msg = xasprintf("served as %.*s, not as an XML media type", (int)n, t);

		note_error(p, msg);
		free(msg);
	}
}

struct feed_parser *
feed_parser_new(const struct feed_source *src, feed_item_fn *on_item, void *arg)
{
	struct feed_parser *p = xcalloc(1, sizeof *p);

	init_once();
	if (src != NULL) {
		p->src.url = dup_or_null(src->url);
		p->src.content_type = dup_or_null(src->content_type);
		p->src.content_location = dup_or_null(src->content_location);
		p->src.content_language = dup_or_null(src->content_language);
	}
	p->doc_base = dup_or_null(p->src.url);
	if (p->src.content_location != NULL) {
		char *loc = resolve(p->doc_base, p->src.content_location);

		/* Content-Location replaces the base only when it resolves to
		 * an absolute http(s) URL. */
		if (str_istarts_with(loc, "http://") || str_istarts_with(loc, "https://"))
			feed_set_string(&p->doc_base, loc);
		else
			free(loc);
	}
	p->on_item = on_item;
	p->arg = arg;
	p->wellformed = true;
	check_media_type(p);
	p->decoder = charset_decoder_new(p->src.content_type);
	buf_init(&p->utf8, 0);
	p->frames = xcalloc(FEED_MAX_DEPTH, sizeof *p->frames);
	buf_init(&p->cap.raw, FEED_MAX_FIELD_BYTES);
	buf_init(&p->cap.markup, FEED_MAX_FIELD_BYTES);
	feed_info_init(&p->info);
	feed_item_clear(&p->item);

	xmlSAXVersion(&p->sax, 2);
	p->sax.startElementNs = sax_start;
	p->sax.endElementNs = sax_end;
	p->sax.characters = sax_characters;
	p->sax.ignorableWhitespace = sax_characters;
	p->sax.cdataBlock = sax_characters;
	p->sax.getEntity = sax_get_entity;
	p->sax.getParameterEntity = sax_get_parameter_entity;
	p->sax.entityDecl = sax_entity_decl;
	p->sax.resolveEntity = sax_resolve_entity;
	p->sax.internalSubset = sax_internal_subset;
	p->sax.externalSubset = NULL;
	p->sax.serror = sax_error;
	p->sax.warning = NULL;
	p->sax.error = NULL;
	p->sax.fatalError = NULL;
	/* No tree is built: none of the SAX2 tree callbacks may run. */
	p->sax.startDocument = NULL;
	p->sax.endDocument = NULL;
	p->sax.reference = NULL;
	p->sax.comment = NULL;
	p->sax.processingInstruction = NULL;
	p->sax.elementDecl = NULL;
	p->sax.attributeDecl = NULL;
	p->sax.notationDecl = NULL;
	p->sax.unparsedEntityDecl = NULL;
	p->sax.setDocumentLocator = NULL;
	p->sax.startElement = NULL;
	p->sax.endElement = NULL;
	return p;
}

static void
create_context(struct feed_parser *p)
{
	p->ctxt = xmlCreatePushParserCtxt(&p->sax, p, NULL, 0, NULL);
	if (p->ctxt == NULL)
		abort(); /* only allocation fails here */
	/* RECOVER: many real feeds are broken. NONET and no NOENT, DTDLOAD
	 * or HUGE: SECURITY.md 3.1. IGNORE_ENC: the bytes are UTF-8 by now,
	 * whatever the declaration says. */
	xmlCtxtUseOptions(p->ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
	                                   XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                                   XML_PARSE_IGNORE_ENC);
	xmlSwitchEncoding(p->ctxt, XML_CHAR_ENCODING_UTF8);
}

static void
push_xml(struct feed_parser *p, const char *data, size_t n)
{
	if (n == 0 || p->stopped)
		return;
	if (p->ctxt == NULL)
		create_context(p);
	/* libxml2 takes an int length: hand it over in slices. */
	while (n > 0 && !p->stopped) {
		size_t slice = n < (1u << 30) ? n : (1u << 30);

		xmlParseChunk(p->ctxt, data, (int)slice, 0);
		data += slice;
		n -= slice;
	}
}

/* True when some byte of the word w equals c (the classic zero-byte test
 * on w XOR c, exact for the "any" question). */
static inline bool
has_byte(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (0x0101010101010101ull * c);

	return ((x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull) != 0;
}

/* The index of the first '&', or of the first '!' right after a '<', in
 * s[pos..n); n when there is none. `before` is the byte before s[0].
 * '<' is in every tag, so the scan looks for '&' and '!', which are rare. */
static size_t
find_amp_or_bang(const char *s, size_t pos, size_t n, char before)
{
	size_t i = pos;

	for (;;) {
		size_t stop;

#ifdef __SSE2__
		const __m128i amp = _mm_set1_epi8('&'), bang = _mm_set1_epi8('!');

		while (n - i >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			__m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, bang));

			if (_mm_movemask_epi8(hit) != 0)
				break;
			i += 16;
		}
#endif
		while (n - i >= 8) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (has_byte(w, '&') || has_byte(w, '!'))
				break;
			i += 8;
		}
		stop = n - i >= 8 ? i + 8 : n;
		while (i < stop && s[i] != '&' &&
		       !(s[i] == '!' && (i > 0 ? s[i - 1] : before) == '<'))
			i++;
		if (i < stop || i == n)
			return i;
	}
}

/* The first "]]>" or "-->" in s[0..n): memchr on its first byte. */
static const char *
find_mark(const char *s, size_t n, const char *mark)
{
	const char *end = s + n;

	while (s < end) {
		const char *hit = memchr(s, mark[0], (size_t)(end - s));

		if (hit == NULL || end - hit < 3)
			return NULL;
		if (hit[1] == mark[1] && hit[2] == mark[2])
			return hit;
		s = hit + 1;
	}
	return NULL;
}

/* Is s[0..n), which starts with '&', a reference? 1 yes, 0 no (a bare
 * ampersand), -1 cannot tell yet. *upper_x is set for "&#X41;". */
static int
check_reference(const char *s, size_t n, bool *upper_x)
{
	size_t i = 1;

	*upper_x = false;
	if (n < 2)
		return -1;
	if (s[1] == '#') {
		bool hex = false;

		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = true;
			*upper_x = s[i] == 'X';
			i++;
		}
		for (size_t start = i; i < n && i < 16; i++) {
			char c = s[i];

			if (c == ';')
				return i > start ? 1 : 0;
			if (!((c >= '0' && c <= '9') ||
			      (hex && ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))))
				return 0;
		}
		return i >= 16 ? 0 : -1;
	}
	for (; i < n && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];
		bool letter = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' ||
		              c == ':' || c >= 0x80;

		if (c == ';')
			return i > 1 ? 1 : 0;
		if (!letter && (i == 1 || !((c >= '0' && c <= '9') || c == '-' || c == '.')))
			return 0;
	}
	return i >= 64 ? 0 : -1;
}

/*
 * Hands the UTF-8 text to libxml2, repairing two mistakes that real feeds
 * make and that would otherwise cost text: a bare '&' (a URL's query
 * string) becomes "&amp;", and "&#X41;" becomes "&#x41;". CDATA sections
 * and comments pass untouched. A tail that cannot be judged yet stays in
 * p->utf8 for the next call.
 */
static void
send_repaired(struct feed_parser *p, bool terminate)
{
	const char *s = p->utf8.data;
	size_t n = p->utf8.len, pos = 0, sent = 0;

	while (pos < n && !p->stopped) {
		const char *amp;
		bool upper_x;
		int verdict;
		size_t i;

		if (p->lex != LEX_TEXT) {
			const char *mark = p->lex == LEX_CDATA ? "]]>" : "-->";
			const char *hit = find_mark(s + pos, n - pos, mark);

			if (hit == NULL) {
				/* Keep two bytes: the mark may straddle chunks. */
				pos = terminate || n - pos <= 2 ? (terminate ? n : pos) : n - 2;
				break;
			}
			pos = (size_t)(hit - s) + 3;
			p->lex = LEX_TEXT;
			continue;
		}
		/* Only '&' and "<!" matter. '<' is in every tag, so the scan
		 * looks for '&' and '!' instead, eight bytes at a time. */
		i = find_amp_or_bang(s, pos, n, p->last_sent);
		if (i == n) {
			pos = n;
			break;
		}
		if (s[i] == '!') {
			/* Markers compared from the '!': the '<' may have
			 * gone out with the previous chunk. */
			size_t avail = n - i;

			if (avail >= 8 && memcmp(s + i, "![CDATA[", 8) == 0) {
				p->lex = LEX_CDATA;
				pos = i + 8;
			} else if (avail >= 3 && memcmp(s + i, "!--", 3) == 0) {
				p->lex = LEX_COMMENT;
				pos = i + 3;
			} else if (!terminate && avail < 8 &&
			           (memcmp(s + i, "![CDATA[", avail) == 0 ||
			            memcmp(s + i, "!--", avail < 3 ? avail : 3) == 0)) {
				pos = i;
				break;
			} else {
				pos = i + 1;
			}
			continue;
		}
		amp = s + i;
		i = (size_t)(amp - s);
		verdict = check_reference(amp, n - i, &upper_x);
		if (verdict < 0 && !terminate) {
			pos = i;
			break;
		}
		if (verdict != 1 || upper_x)
			note_error(p, verdict != 1 ? "a bare '&' (read as \"&amp;\")"
			                           : "a character reference with 'X'");
		if (verdict == 1 && upper_x) {
			push_xml(p, s + sent, i + 2 - sent);
			push_xml(p, "x", 1);
			sent = i + 3;
		} else if (verdict != 1) {
			push_xml(p, s + sent, i + 1 - sent);
			push_xml(p, "amp;", 4);
			sent = i + 1;
		}
		pos = i + 1;
	}
	push_xml(p, s + sent, pos - sent);
	if (pos > 0)
		p->last_sent = s[pos - 1];
	if (pos < n)
		memmove(p->utf8.data, s + pos, n - pos);
	p->utf8.len = n - pos;
	if (p->utf8.data != NULL)
		p->utf8.data[p->utf8.len] = '\0';
}

static void
feed_xml(struct feed_parser *p, bool terminate)
{
	if (p->stopped)
		return;
	send_repaired(p, terminate);
	if (terminate && p->ctxt != NULL && !p->stopped)
		xmlParseChunk(p->ctxt, NULL, 0, 1);
	keep_recovering(p);
}

int
feed_parser_push(struct feed_parser *p, const char *data, size_t n, struct err *err)
{
	if (p->stopped) {
		err_set(err, p->stop_err.code, "%s", p->stop_err.msg);
		return -1;
	}
	charset_decoder_push(p->decoder, data, n, &p->utf8);
	feed_xml(p, false);
	if (p->stopped) {
		err_set(err, p->stop_err.code, "%s", p->stop_err.msg);
		return -1;
	}
	return 0;
}

int
feed_parser_finish(struct feed_parser *p, struct err *err)
{
	struct feed_info *info = &p->info;
	const char *link;

	charset_decoder_finish(p->decoder, &p->utf8);
	feed_xml(p, true);
	if (p->ctxt == NULL)
		note_error(p, "the document is empty");
	/* A truncated document: close what is open, so that the item being
	 * read is not lost. */
	while (p->depth > 0 && !p->stopped)
		end_frame(p);
	if (!p->saw_root && p->wellformed)
		note_error(p, "no root element");
	link = first_alternate(info->links, info->n_links);
	if (link != NULL)
		feed_set_string(&info->link, xstrdup(link));
	if (info->language == NULL)
		info->language = normalize_lang(p->root_lang ? p->root_lang
		                                             : p->src.content_language);
	if (p->stopped) {
		err_set(err, p->stop_err.code, "%s", p->stop_err.msg);
		return -1;
	}
	return 0;
}

const struct feed_info *
feed_parser_info(const struct feed_parser *p)
{
	return &p->info;
}

bool
feed_parser_wellformed(const struct feed_parser *p)
{
	return p->wellformed && charset_decoder_ok(p->decoder);
}

const char *
feed_parser_error(const struct feed_parser *p)
{
	if (!charset_decoder_ok(p->decoder) && charset_decoder_error(p->decoder))
		return charset_decoder_error(p->decoder);
	if (!p->wellformed)
		return p->error ? p->error : "not well-formed";
	return NULL;
}

const char *
feed_parser_encoding(const struct feed_parser *p)
{
	return charset_decoder_encoding(p->decoder);
}

size_t
feed_parser_item_count(const struct feed_parser *p)
{
	return p->items;
}

void
feed_parser_free(struct feed_parser *p)
{
	if (p == NULL)
		return;
	while (p->depth > 0)
		frame_close(&p->frames[--p->depth]);
	free(p->frames);
	if (p->ctxt != NULL) {
		/* libxml2 builds a stand-in document for entity declarations
		 * even in SAX mode ("SAX compatibility mode"); it is ours. */
		if (p->ctxt->myDoc != NULL)
			xmlFreeDoc(p->ctxt->myDoc);
		xmlFreeParserCtxt(p->ctxt);
	}
	if (p->entities != NULL)
		xmlHashFree(p->entities, free_entity);
	charset_decoder_free(p->decoder);
	buf_done(&p->utf8);
	capture_reset(&p->cap);
	buf_done(&p->cap.raw);
	buf_done(&p->cap.markup);
	feed_item_clear(&p->item);
	free(p->guid_link);
	free(p->person.name);
	free(p->person.email);
	free(p->person.uri);
	feed_info_clear(&p->info);
	free(p->root_lang);
	free(p->error);
	free(p->doc_base);
	free((char *)p->src.url);
	free((char *)p->src.content_type);
	free((char *)p->src.content_location);
	free((char *)p->src.content_language);
	free(p);
}

const char *
feed_format_name(enum feed_format f)
{
	static const char *const names[] = {
		[FEED_FORMAT_UNKNOWN] = NULL, [FEED_RSS090] = "rss090",
		[FEED_RSS091N] = "rss091n",   [FEED_RSS091U] = "rss091u",
		[FEED_RSS092] = "rss092",     [FEED_RSS093] = "rss093",
		[FEED_RSS094] = "rss094",     [FEED_RSS20] = "rss20",
		[FEED_RSS] = "rss",           [FEED_RSS10] = "rss10",
		[FEED_ATOM03] = "atom03",     [FEED_ATOM10] = "atom10",
		[FEED_ATOM] = "atom",
	};

	if ((size_t)f >= sizeof names / sizeof names[0])
		return NULL;
	return names[f];
}
