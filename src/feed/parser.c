// SPDX-License-Identifier: MIT
/*
 * The streaming feed parser's public face: bytes -> charset decoder ->
 * repair pass -> libxml2 push parser with SAX2 callbacks (elements.c) ->
 * items handed out one at a time.
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
#include "sax.h"

void
parser_note_error(struct feed_parser *p, const char *msg)
{
	p->wellformed = false;
	if (p->error == NULL && msg != NULL) {
		char *clean = text_sanitize(msg, strlen(msg), 0, 200);

		p->error = str_trim(clean);
	}
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
#define MAX_MADE_ENTITIES 1024 /* HTML and unknown names answered */
/* libxml2 2.9 compares each attribute of a start tag with every other one
 * (the duplicate check): a tag with 200,000 attributes takes minutes. */
#define MAX_ATTRIBUTES 256

/* Remembers why a declaration was not taken, for the message when the
 * entity is used ("undefined" would be wrong). */
static void
refuse_declaration(struct feed_parser *p, const xmlChar *name, const char *why)
{
	if (p->refused == NULL)
		p->refused = xmlHashCreate(16);
	if (p->refused != NULL &&
	    xmlHashSize(p->refused) < MAX_DECLARED_ENTITIES)
		xmlHashAddEntry(p->refused, name, (void *)why);
}

static void
sax_entity_decl(void *ctx, const xmlChar *name, int type,
                const xmlChar *public_id, const xmlChar *system_id,
                xmlChar *content)
{
	struct feed_parser *p = ctx;
	const char *text = (const char *)content;

	(void)public_id;
	(void)system_id;
	if (type == XML_EXTERNAL_GENERAL_PARSED_ENTITY ||
	    type == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY) {
		refuse_declaration(p, name, "an external entity");
		return;
	}
	if (type != XML_INTERNAL_GENERAL_ENTITY || text == NULL)
		return;
	if (strlen(text) > MAX_ENTITY_TEXT) {
		refuse_declaration(p, name, "over 1 KiB");
		return;
	}
	if (strpbrk(text, "&<%") != NULL) {
		refuse_declaration(p, name, "it holds references or markup");
		return;
	}
	if (p->declared_entities >= MAX_DECLARED_ENTITIES)
		return;
	if (p->entities != NULL && xmlHashLookup(p->entities, name) != NULL)
		return; /* the first declaration binds (XML 1.0 4.2) */
	p->declared_entities++;
	make_entity(p, name, text);
}

/* Stops the parse for a DTD abuse; the reason becomes the error. */
static void
stop_parse(struct feed_parser *p, const char *why)
{
	if (!p->stopped) {
		p->stopped = true;
		err_set(&p->stop_err, ERR_PARSE, "%s", why);
		/* The reason the parse stopped outranks earlier problems. */
		free(p->error);
		p->error = NULL;
		parser_note_error(p, why);
		if (p->ctxt != NULL)
			xmlStopParser(p->ctxt);
	}
}

static xmlEntityPtr
refuse_entities(struct feed_parser *p, const char *why)
{
	stop_parse(p, why);
	return NULL;
}

/* An attribute declared with a default in the DTD is added by libxml2 to
 * every start tag of its element, past the attribute guard, and then
 * compared pairwise with the others: thousands of declarations make each
 * tag cost seconds. Real feeds declare none; past MAX_ATTRIBUTES the
 * document is hostile and the parse stops. */
static void
sax_attribute_decl(void *ctx, const xmlChar *elem, const xmlChar *name,
                   int type, int def, const xmlChar *default_value,
                   xmlEnumerationPtr tree)
{
	struct feed_parser *p = ctx;

	(void)elem;
	(void)name;
	(void)type;
	(void)def;
	(void)default_value;
	/* libxml2 frees the enumeration only when nobody is called. */
	if (tree != NULL)
		xmlFreeEnumeration(tree);
	if (++p->declared_attributes > MAX_ATTRIBUTES)
		stop_parse(p, "the DTD declares more than 256 attributes");
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
	/* Entities are a way to make a small feed cost a lot: past the
	 * budget, or past a number of distinct made-up names, the document
	 * is hostile and the parse stops (what came before is kept). */
	if (p->entity_bytes > MAX_ENTITY_BUDGET)
		return refuse_entities(p, "entities expand to over 1 MiB");
	if (ent == NULL && p->made_entities >= MAX_MADE_ENTITIES)
		return refuse_entities(p, "too many different entity names");
	if (ent == NULL && p->refused != NULL) {
		const char *why = xmlHashLookup(p->refused, name);

		if (why != NULL) {
			char *msg = xasprintf("entity '%.64s' not expanded: %s",
			                      (const char *)name, why);

			parser_note_error(p, msg);
			free(msg);
		}
	}
	if (ent == NULL) {
		/* Feeds use HTML's entities without declaring them: not
		 * well-formed, but the text is plain to recover. */
		html = htmlEntityLookup(name);
		if (html != NULL) {
			/* &lrm; and friends name bidi controls, which never
			 * leave the parser (SECURITY.md rule 1). */
			n = text_is_forbidden(html->value)
			            ? 0
			            : utf8_encode(html->value, utf8);
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
		p->made_entities++;
		ent->URI = NULL;
		/* Mark it so a later use still counts as a problem. */
		ent->checked = 1;
	}
	if (ent->checked == 1 && !p->external_dtd)
		parser_note_error(
		        p, "undefined entity (an HTML entity without a DTD)");
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
sax_resolve_entity(void *ctx, const xmlChar *public_id,
                   const xmlChar *system_id)
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
	const char *ids[] = {(const char *)external_id,
	                     (const char *)system_id};

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
	if (error->message != NULL &&
	    str_starts_with(error->message, "PEReference:") &&
	    (error->code == XML_WAR_UNDECLARED_ENTITY ||
	     error->code == XML_ERR_UNDECLARED_ENTITY)) {
		p->forgiven = true;
		return;
	}
	/* At the end of a truncated document, libxml2 says "Extra content
	 * at the end of the document": finish() says it better. After the
	 * root's end tag, the content is really extra. */
	if (error->code == XML_ERR_DOCUMENT_END && p->error == NULL &&
	    p->depth > 0) {
		p->wellformed = false;
		return;
	}
	parser_note_error(p, error->message);
}

/* libxml2 skips entity references once a document is known to be broken;
 * courant keeps its own flag and lets recovery read on as if it were not. */
void
parser_keep_recovering(struct feed_parser *p)
{
	if (p->ctxt != NULL && !p->ctxt->wellFormed) {
		if (!p->forgiven)
			p->wellformed = false;
		p->forgiven = false;
		p->ctxt->wellFormed = 1;
	}
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
		char *msg = xasprintf(
		        "served as %.*s, not as an XML media type", (int)n, t);

		parser_note_error(p, msg);
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
		char *loc =
		        element_resolve(p->doc_base, p->src.content_location);

		/* Content-Location replaces the base only when it resolves to
		 * an absolute http(s) URL. */
		if (str_istarts_with(loc, "http://") ||
		    str_istarts_with(loc, "https://"))
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
	p->sax.startElementNs = element_start;
	p->sax.endElementNs = element_end;
	p->sax.characters = element_characters;
	p->sax.ignorableWhitespace = element_characters;
	p->sax.cdataBlock = element_characters;
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
	p->sax.attributeDecl = sax_attribute_decl;
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
	                                   XML_PARSE_NOERROR |
	                                   XML_PARSE_NOWARNING |
	                                   XML_PARSE_IGNORE_ENC);
	xmlSwitchEncoding(p->ctxt, XML_CHAR_ENCODING_UTF8);
}

static void
parse_chunk(struct feed_parser *p, const char *data, size_t n)
{
	/* libxml2 takes an int length: hand it over in slices. */
	while (n > 0 && !p->stopped) {
		size_t slice = n < (1u << 30) ? n : (1u << 30);

		xmlParseChunk(p->ctxt, data, (int)slice, 0);
		data += slice;
		n -= slice;
	}
}

static bool
is_tag_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Hands data to libxml2 without the attributes of a start tag past
 * MAX_ATTRIBUTES: from the first one too many to the tag's end, the bytes
 * are dropped (a self-closing tag stays one). A small state machine that
 * carries over from one call to the next, as a tag may be cut anywhere.
 */
static void
guard_attributes(struct feed_parser *p, const char *s, size_t n)
{
	bool dropping = p->tag == TAG_SKIP || p->tag == TAG_SKIP_DQ ||
	                p->tag == TAG_SKIP_SQ;
	/* The start of the bytes to send; n while dropping. */
	size_t run = dropping ? n : 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		const char *hit;

		switch (p->tag) {
		case TAG_OUT:
			hit = memchr(s + i, '<', n - i);
			if (hit == NULL)
				i = n - 1;
			else {
				i = (size_t)(hit - s);
				p->tag = TAG_OPEN;
			}
			break;
		case TAG_OPEN:
			if ((unsigned char)c >= 0x80 || c == '_' || c == ':' ||
			    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
				p->tag = TAG_NAME;
				p->tag_attrs = 0;
			} else if (c == '!' || c == '?') {
				/* Comments, CDATA sections and PIs hold text:
				 * "a<b" in them starts no tag. */
				p->tag = c == '!' ? TAG_BANG : TAG_SECTION;
				p->tag_want = c == '!' ? NULL : "?>";
				p->tag_match = 0;
			} else if (c != '<') {
				p->tag = TAG_OUT; /* '<' again: stays open */
			}
			break;
		case TAG_BANG:
			if (p->tag_want == NULL)
				p->tag_want = c == '-' ? "--" : "[CDATA[";
			if (c != p->tag_want[p->tag_match]) {
				/* A declaration ("<!DOCTYPE"): not guarded. */
				p->tag = c == '<' ? TAG_OPEN : TAG_OUT;
			} else if (p->tag_want[++p->tag_match] == '\0') {
				p->tag = TAG_SECTION;
				p->tag_want = c == '-' ? "-->" : "]]>";
				p->tag_match = 0;
			}
			break;
		case TAG_SECTION:
			if (p->tag_match == 0) {
				hit = memchr(s + i, p->tag_want[0], n - i);
				if (hit == NULL) {
					i = n - 1;
					break;
				}
				i = (size_t)(hit - s);
				c = *hit;
			}
			if (c == p->tag_want[p->tag_match]) {
				if (p->tag_want[++p->tag_match] == '\0')
					p->tag = TAG_OUT;
			} else if (c != p->tag_want[0]) {
				p->tag_match = 0;
			} else if (p->tag_want[1] != p->tag_want[0]) {
				p->tag_match = 1; /* a "?" more before "?>" */
			} /* else "--->": still two dashes */
			break;
		case TAG_NAME:
		case TAG_SPACE:
		case TAG_ATTR:
			if (c == '>')
				p->tag = TAG_OUT;
			else if (is_tag_space(c))
				p->tag = TAG_SPACE;
			else if (p->tag == TAG_NAME || c == '/')
				;
			else if (c == '"' || c == '\'')
				p->tag = c == '"' ? TAG_DQ : TAG_SQ;
			else if (p->tag == TAG_SPACE && c != '=') {
				if (++p->tag_attrs > MAX_ATTRIBUTES) {
					parse_chunk(p, s + run, i - run);
					run = n;
					p->tag = TAG_SKIP;
					p->tag_slash = false;
					parser_note_error(
					        p,
					        "an element with more than 256 "
					        "attributes (the others were "
					        "dropped)");
				} else {
					p->tag = TAG_ATTR;
				}
			}
			break;
		case TAG_DQ:
		case TAG_SQ:
		case TAG_SKIP_DQ:
		case TAG_SKIP_SQ:
			hit = memchr(s + i,
			             p->tag == TAG_DQ || p->tag == TAG_SKIP_DQ
			                     ? '"'
			                     : '\'',
			             n - i);
			if (hit == NULL)
				i = n - 1;
			else {
				i = (size_t)(hit - s);
				/* A value ends an attribute, even with no
				 * blank after it. */
				p->tag = p->tag == TAG_DQ || p->tag == TAG_SQ
				                 ? TAG_SPACE
				                 : TAG_SKIP;
			}
			break;
		case TAG_SKIP:
			if (c == '>') {
				if (p->tag_slash)
					parse_chunk(p, "/", 1);
				run = i;
				p->tag = TAG_OUT;
			} else if (c == '"' || c == '\'') {
				p->tag = c == '"' ? TAG_SKIP_DQ : TAG_SKIP_SQ;
			}
			p->tag_slash = c == '/';
			break;
		}
	}
	if (run < n)
		parse_chunk(p, s + run, n - run);
}

/* Keeps the last bytes of what libxml2 was given in p->tail. */
static void
keep_tail(struct feed_parser *p, const char *data, size_t n)
{
	size_t room = sizeof p->tail;

	if (n >= room) {
		memcpy(p->tail, data + n - room, room);
		p->tail_len = room;
		return;
	}
	if (p->tail_len + n > room) {
		size_t drop = p->tail_len + n - room;

		memmove(p->tail, p->tail + drop, p->tail_len - drop);
		p->tail_len -= drop;
	}
	memcpy(p->tail + p->tail_len, data, n);
	p->tail_len += n;
}

static void
push_xml(struct feed_parser *p, const char *data, size_t n)
{
	if (n == 0 || p->stopped)
		return;
	if (p->ctxt == NULL)
		create_context(p);
	keep_tail(p, data, n);
	guard_attributes(p, data, n);
}

/* The start of the last occurrence of mark in s[0..n), or NULL. */
static const char *
find_last(const char *s, size_t n, const char *mark)
{
	size_t len = strlen(mark);

	for (size_t i = n; i >= len; i--)
		if (memcmp(s + i - len, mark, len) == 0)
			return s + i - len;
	return NULL;
}

/*
 * Did the document end with the root element's end tag, then nothing but
 * blanks, comments and processing instructions? A download cut short does
 * not; a complete feed with unclosed tags (podcasts' <enclosure ...>) does,
 * even though libxml2's recovery leaves elements open at its end.
 */
static bool
ends_with_root_end(const struct feed_parser *p)
{
	const char *s = p->tail, *start;
	size_t n = p->tail_len, len;

	if (p->root_qname == NULL)
		return false;
	for (;;) {
		while (n > 0 && is_tag_space(s[n - 1]))
			n--;
		if (n >= 3 && memcmp(s + n - 3, "-->", 3) == 0)
			start = find_last(s, n - 3, "<!--");
		else if (n >= 2 && memcmp(s + n - 2, "?>", 2) == 0)
			start = find_last(s, n - 2, "<?");
		else
			break;
		if (start == NULL)
			return false; /* longer than the tail: cannot tell */
		n = (size_t)(start - s);
	}
	if (n == 0 || s[n - 1] != '>')
		return false;
	n--;
	while (n > 0 && is_tag_space(s[n - 1]))
		n--;
	len = strlen(p->root_qname);
	return n >= len + 2 && memcmp(s + n - len, p->root_qname, len) == 0 &&
	       memcmp(s + n - len - 2, "</", 2) == 0;
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
		const __m128i amp = _mm_set1_epi8('&'),
		              bang = _mm_set1_epi8('!');

		while (n - i >= 16) {
			__m128i v = _mm_loadu_si128(
			        (const __m128i *)(const void *)(s + i));
			__m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, amp),
			                           _mm_cmpeq_epi8(v, bang));

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
			      (hex &&
			       ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))))
				return 0;
		}
		return i >= 16 ? 0 : -1;
	}
	for (; i < n && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];
		bool letter = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
		              c == '_' || c == ':' || c >= 0x80;

		if (c == ';')
			return i > 1 ? 1 : 0;
		if (!letter && (i == 1 || !((c >= '0' && c <= '9') ||
		                            c == '-' || c == '.')))
			return 0;
	}
	return i >= 64 ? 0 : -1;
}

/* NUL is never a character of an XML document, and libxml2 stops at the
 * first one (truncating even in recovery mode): NULs are dropped. */
static void
drop_nuls(struct feed_parser *p)
{
	char *s = p->utf8.data, *nul, *out;
	const char *end = s + p->utf8.len;

	nul = memchr(s, '\0', p->utf8.len);
	if (nul == NULL)
		return;
	parser_note_error(p, "NUL bytes (dropped)");
	out = nul;
	for (const char *c = nul; c < end; c++)
		if (*c != '\0')
			*out++ = *c;
	p->utf8.len = (size_t)(out - s);
	s[p->utf8.len] = '\0';
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
	const char *s;
	size_t n, pos = 0, sent = 0;

	/* Nothing decoded yet: no buffer, and NULL + 0 is undefined. */
	if (p->utf8.data == NULL)
		return;
	drop_nuls(p);
	s = p->utf8.data;
	n = p->utf8.len;
	while (pos < n && !p->stopped) {
		const char *amp;
		bool upper_x;
		int verdict;
		size_t i;

		if (p->lex != LEX_TEXT) {
			const char *mark = p->lex == LEX_CDATA ? "]]>" : "-->";
			const char *hit = find_mark(s + pos, n - pos, mark);

			if (hit == NULL) {
				/* Keep two bytes: the mark may straddle chunks.
				 */
				pos = terminate || n - pos <= 2
				              ? (terminate ? n : pos)
				              : n - 2;
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
			            memcmp(s + i, "!--",
			                   avail < 3 ? avail : 3) == 0)) {
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
			parser_note_error(
			        p, verdict != 1
			                   ? "a bare '&' (read as \"&amp;\")"
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
	parser_keep_recovering(p);
}

int
feed_parser_push(struct feed_parser *p, const char *data, size_t n,
                 struct err *err)
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
		parser_note_error(p, "the document is empty");
	/* A truncated document: close what is open. The items before the
	 * cut are kept, the one being read is dropped (see item_end()).
	 * Elements left open by a complete but sloppy document are closed
	 * the same way, their items kept. */
	if (p->depth > 0 && !p->stopped && !ends_with_root_end(p)) {
		p->truncated = true;
		/* Said apart from the first error, which may be anything (a
		 * tag cut in the middle, the media type). */
		p->truncation = p->in_item ? "the document ends inside an "
		                             "item, which was dropped"
		                           : "the document ends before its "
		                             "end tags";
		{
			char *msg = xasprintf("truncated: %s", p->truncation);

			parser_note_error(p, msg);
			free(msg);
		}
	}
	while (p->depth > 0 && !p->stopped)
		element_unwind(p);
	if (!p->saw_root && p->wellformed)
		parser_note_error(p, "no root element");
	link = element_first_alternate(info->links, info->n_links);
	if (link != NULL)
		feed_set_string(&info->link, xstrdup(link));
	if (info->language == NULL)
		info->language = element_normalize_lang(
		        p->root_lang ? p->root_lang : p->src.content_language);
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
	if (!charset_decoder_ok(p->decoder) &&
	    charset_decoder_error(p->decoder))
		return charset_decoder_error(p->decoder);
	if (!p->wellformed)
		return p->error ? p->error : "not well-formed";
	return NULL;
}

bool
feed_parser_truncated(const struct feed_parser *p)
{
	return p->truncated;
}

const char *
feed_parser_truncation(const struct feed_parser *p)
{
	return p->truncated ? p->truncation : NULL;
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
		element_frame_close(&p->frames[--p->depth]);
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
	if (p->refused != NULL)
		xmlHashFree(p->refused, NULL);
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
	free(p->root_qname);
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
