/* SPDX-License-Identifier: MIT */
/*
 * What the three files of the streaming parser share: parser.c (the public
 * face, libxml2's context, entities, the repair pass), elements.c (what each
 * element means, the SAX element callbacks, building items) and capture.c
 * (collecting one text value, serializing inline markup). Nothing outside
 * src/feed includes it.
 */
#ifndef COURANT_FEED_SAX_H
#define COURANT_FEED_SAX_H

#include <libxml/parser.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "courant/feed.h"
#include "courant/util.h"

#define XML_XML_NS "http://www.w3.org/XML/1998/namespace"

/* Namespaces, folded into the vocabularies the parser knows. */
enum ns {
	NS_CORE, /* RSS, RDF-RSS, Atom, or an unknown default namespace */
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
	const char
	        *base; /* xml:base in effect (owned by this frame or above) */
	char *own_base;
	const char *lang; /* xml:lang in effect, NULL for none */
	char *own_lang;
};

struct capture {
	bool active;
	int depth; /* elements open inside the captured one */
	enum field field;
	enum typing typing;
	enum feed_text_type atom_type;
	bool base64;
	bool keep_div; /* Atom 0.3 keeps the xhtml wrapper <div> */
	bool has_children;
	bool pending_open; /* a start tag awaits its '>' or ' />' */
	struct buf raw;    /* the decoded character data */
	struct buf
	        markup; /* character data escaped, child elements serialized */
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
	int owner; /* K_CHANNEL, K_ITEM, K_PERSON or K_IMAGE */
};

/* Where the repair pass is in the XML text (see send_repaired()). */
enum lex_state { LEX_TEXT, LEX_CDATA, LEX_COMMENT };

/* Where the attribute guard is in a start tag (see guard_attributes()). */
enum tag_state {
	TAG_OUT,
	TAG_OPEN,  /* right after '<' */
	TAG_NAME,  /* the element's name */
	TAG_SPACE, /* between attributes */
	TAG_ATTR,  /* in an attribute's name or unquoted value */
	TAG_DQ,    /* in a "value" */
	TAG_SQ,    /* in a 'value' */
	TAG_SKIP,  /* past the cap: dropped up to the '>' */
	TAG_SKIP_DQ,
	TAG_SKIP_SQ,
	TAG_BANG,    /* after "<!": a comment or CDATA section? */
	TAG_SECTION, /* in a comment, CDATA section or PI: up to its end */
};

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
	xmlHashTablePtr refused; /* name -> why its declaration was not taken */
	size_t entity_bytes;     /* bytes expanded from document entities */
	size_t declared_entities;
	size_t made_entities;       /* for HTML or unknown names */
	size_t declared_attributes; /* <!ATTLIST> declarations seen */

	struct frame *frames;
	int depth;    /* frames in use */
	int overflow; /* elements past FEED_MAX_DEPTH, not framed */
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
	int item_frame;  /* the frame of the open item */
	char *guid_link; /* a permalink guid: the link of last resort */
	size_t items;

	bool wellformed;
	bool forgiven; /* the last libxml2 error was not the document's fault */
	enum lex_state lex;
	char last_sent; /* the last byte handed to libxml2 */
	enum tag_state tag;
	int tag_attrs;  /* attributes of the start tag being sent */
	bool tag_slash; /* in TAG_SKIP: the last byte was '/' */
	/* TAG_BANG: the opening looked for; TAG_SECTION: the end mark. */
	const char *tag_want;
	size_t tag_match; /* bytes of tag_want seen */
	char *error;
	bool stopped;
	struct err stop_err;
	bool truncated;         /* the bytes ended inside an element */
	const char *truncation; /* what was lost, when truncated */
	char *root_qname;       /* the root element's name as written */
	/* The last bytes handed to libxml2: a document cut short does not
	 * end with the root's end tag (see feed_parser_finish()). */
	char tail[256];
	size_t tail_len;
};

/* parser.c */
/* Marks the document not well-formed, keeping the first reason. */
void parser_note_error(struct feed_parser *p, const char *msg);
/* Keeps libxml2 reading entity references after an error (see there). */
void parser_keep_recovering(struct feed_parser *p);

/* elements.c: the SAX2 element callbacks and what they share. */
void element_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
                   const xmlChar *uri, int nb_ns, const xmlChar **nss,
                   int nb_attrs, int nb_defaulted, const xmlChar **attrs);
void element_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
                 const xmlChar *uri);
void element_characters(void *ctx, const xmlChar *ch, int len);
/* Closes the innermost open element as if its end tag had come. */
void element_unwind(struct feed_parser *p);
void element_frame_close(struct frame *f);
enum ns element_classify_ns(const char *uri, const char *prefix);
/* An attribute's value (the 5-pointer SAX2 layout) as a new sanitized
 * string, with libxml2's "&#38;" for '&' undone. */
char *element_attr_dup(const xmlChar **a);
/* ref resolved against base, as a new string; NULL for a NULL ref. */
char *element_resolve(const char *base, const char *ref);
/* A language tag with '_' as '-', trimmed; NULL when empty. */
char *element_normalize_lang(const char *lang);
/* The href of the first rel="alternate" link, or NULL. */
const char *element_first_alternate(const struct feed_link *links, size_t n);

/* capture.c: one text value being collected. */
void capture_reset(struct capture *c);
/* Character data; C1 code points are read as windows-1252. */
void capture_text(struct capture *c, const char *s, size_t n);
void capture_start_child(struct capture *c, const xmlChar *local,
                         const xmlChar *prefix, const xmlChar *uri,
                         int nb_attrs, const xmlChar **attrs);
void capture_end_child(struct capture *c, const xmlChar *local,
                       const xmlChar *prefix, const xmlChar *uri);
/* Maps an Atom type attribute to a text type; false when it names
 * something else (which Atom says is base64). */
bool capture_media_type(const char *t, enum feed_text_type *out);
/* The captured value as (type, new string), sanitized and trimmed. */
char *capture_value(struct capture *c, enum feed_text_type *type);
/* A one-line value (URL, id, name), or NULL when empty. */
char *capture_line(struct capture *c);

#endif
