/* SPDX-License-Identifier: MIT */
/*
 * feed: the streaming RSS/Atom parser. Bytes go in chunk by chunk (from a
 * file or from the poller's write callback); each finished item comes out
 * through a callback and is freed right after, so memory grows with one item,
 * never with the document. The channel/feed metadata is complete once
 * feed_parser_finish() returns. The module knows XML and feed formats and
 * nothing of HTTP or SQL; it is the only user of libxml2's XML parser.
 *
 * Every string leaving the parser is valid UTF-8 with no control character
 * (Text and Content values keep newlines and tabs), capped in length.
 */
#ifndef COURANT_FEED_H
#define COURANT_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "courant/err.h"

/* A date as seconds since the epoch, UTC; FEED_DATE_UNKNOWN when absent or
 * unparseable. 64 bits, so years 1 to 9999 all fit. */
typedef int64_t feed_time;
#define FEED_DATE_UNKNOWN INT64_MIN

enum feed_format {
	FEED_FORMAT_UNKNOWN = 0,
	FEED_RSS090,
	FEED_RSS091N, /* 0.91 with Netscape's DOCTYPE */
	FEED_RSS091U, /* 0.91 without it (UserLand) */
	FEED_RSS092,
	FEED_RSS093,
	FEED_RSS094,
	FEED_RSS20,
	FEED_RSS, /* <rss> without a usable version */
	FEED_RSS10,
	FEED_ATOM03,
	FEED_ATOM10,
	FEED_ATOM, /* Atom of another or unknown version */
};

enum feed_text_type { FEED_TEXT_PLAIN, FEED_TEXT_HTML, FEED_TEXT_XHTML };

/* A text construct; value NULL means absent. `lang` is set for content. */
struct feed_text {
	enum feed_text_type type;
	char *value;
	char *lang;
};

struct feed_link {
	char *href;
	char *rel; /* "alternate" when the feed gave none */
	char *type;
	int64_t length; /* -1 when absent or not a number */
};

struct feed_person {
	char *name;
	char *email;
	char *uri;
};

struct feed_enclosure {
	char *url;
	char *type;
	int64_t length; /* -1 when unknown */
};

struct feed_category {
	char *term;
	char *scheme;
	char *label;
};

struct feed_image {
	char *url;
	char *title;
	char *link;
};

struct feed_item {
	/* The store's key for this item, never NULL: "id:" + id, else
	 * "link:" + link, else "hash:" + a hex FNV-1a 64 of title, date and
	 * summary. Stable across refreshes of the same item. */
	char *key;
	char *id;
	struct feed_text title;
	char *link;
	struct feed_link *links;
	size_t n_links;
	feed_time published;
	feed_time updated;
	struct feed_person *authors;
	size_t n_authors;
	struct feed_text summary;
	struct feed_text *content;
	size_t n_content;
	struct feed_enclosure *enclosures;
	size_t n_enclosures;
	struct feed_category *categories;
	size_t n_categories;
	char *comments;
};

/* A deep copy of from into to (whose old contents are not freed), for a
 * caller that keeps an item past the parser's callback; the key is ""
 * when from has none. */
void feed_item_copy(struct feed_item *to, const struct feed_item *from);
/* Frees what an item owns (one from feed_item_copy()) and empties it. */
void feed_item_clear(struct feed_item *it);

struct feed_info {
	enum feed_format format;
	struct feed_text title;
	struct feed_text subtitle;
	char *link;
	struct feed_link *links;
	size_t n_links;
	char *language;
	feed_time updated;
	feed_time published;
	struct feed_person *authors;
	size_t n_authors;
	struct feed_image image; /* all NULL when absent */
	char *generator;
	int ttl_minutes; /* RSS <ttl>, -1 when absent */
};

/* How the bytes were obtained; every field may be NULL. */
struct feed_source {
	const char *url;              /* after redirects: the base URI */
	const char *content_type;     /* whole Content-Type header value */
	const char *content_location; /* Content-Location header */
	const char *content_language; /* Content-Language header */
};

/* Caps that keep a hostile feed from taking the machine (SECURITY.md 8). */
#define FEED_MAX_FIELD_BYTES (1u << 20) /* any one text value */
#define FEED_MAX_ITEMS 100000           /* items per document */
#define FEED_MAX_DEPTH 256              /* element nesting */
#define FEED_MAX_LIST 1000              /* links, authors... per item */

/* Called once per finished item, in document order. The item is lent for
 * the call; return 0 to go on, non-zero to stop parsing (an error). */
typedef int feed_item_fn(const struct feed_item *item, void *arg);

struct feed_parser;

/* A parser for one document; src is copied. Never fails. */
struct feed_parser *feed_parser_new(const struct feed_source *src,
                                    feed_item_fn *on_item, void *arg);
/* Feeds the next n bytes. Returns -1 only when on_item asked to stop or a
 * cap was hit; an ill-formed document is not an error (see wellformed). */
int feed_parser_push(struct feed_parser *p, const char *data, size_t n,
                     struct err *err);
/* Ends the document, delivering any last items. Same returns as push. */
int feed_parser_finish(struct feed_parser *p, struct err *err);
/* The feed metadata, lent until feed_parser_free(); complete after finish. */
const struct feed_info *feed_parser_info(const struct feed_parser *p);
/* False when anything was wrong at the XML or character level. */
bool feed_parser_wellformed(const struct feed_parser *p);
/* Why it was not well-formed (first problem), or NULL. */
const char *feed_parser_error(const struct feed_parser *p);
/* After finish: the document ended inside an element (a download cut
 * short). The items before the cut were delivered, the one being read was
 * dropped. */
bool feed_parser_truncated(const struct feed_parser *p);
/* After finish, when truncated: what was lost, in words (the first error,
 * feed_parser_error(), may be another problem); else NULL. */
const char *feed_parser_truncation(const struct feed_parser *p);
/* The encoding the bytes were decoded with, lowercase; NULL before any. */
const char *feed_parser_encoding(const struct feed_parser *p);
size_t feed_parser_item_count(const struct feed_parser *p);
void feed_parser_free(struct feed_parser *p);

/* The schema name of a format ("rss20", "atom10", ...), NULL if unknown. */
const char *feed_format_name(enum feed_format f);

/*
 * Dates (date.c): parses the date formats feeds use (RFC 822/1123 and its
 * deviations, RFC 3339/W3C-DTF/ISO 8601, asctime and a few more) into UTC
 * seconds, or FEED_DATE_UNKNOWN. Out-of-range fields are rejected.
 */
feed_time feed_date_parse(const char *s);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes) and returns
 * its length, 20; -1 if t is unknown or outside years 0..9999. */
int feed_date_format(feed_time t, char *out, size_t size);

/*
 * URIs (uri.c): resolves ref against base per RFC 3986 section 5; returns a
 * new string, or a copy of ref when it is absolute or base is NULL/unusable.
 */
char *feed_uri_resolve(const char *base, const char *ref);
/* True for an absolute URI with a scheme. */
bool feed_uri_is_absolute(const char *s);

/*
 * Discovery (discover.c): the feeds an HTML page announces with <link
 * rel="alternate" type="application/rss+xml|atom+xml|rdf+xml" href>, in
 * page order, without duplicates, at most 50. Relative addresses are
 * resolved against <base href> or base; urls and titles are sanitized.
 * Only http and https addresses of at most 8 KiB are kept: a page never
 * gets courant to read a file: URL.
 * Returns how many were found and sets *out to an array for
 * feed_found_free() (NULL when none).
 */
struct feed_found {
	char *url;
	char *type;  /* the media type, lowercase */
	char *title; /* the link's title attribute, or NULL */
};

size_t feed_discover(const char *html, size_t n, const char *base,
                     struct feed_found **out);
void feed_found_free(struct feed_found *v, size_t n);

/*
 * OPML (opml.c): subscription lists from and for other readers. Reads OPML
 * 1.0 and 2.0: each outline with an http(s) xmlUrl is a feed; the folders
 * around it become one tag "A/B", and OPML 2.0 categories more tags.
 * Anything else (other schemes, other outline types, a feed listed twice)
 * is skipped with a warning "line N: ...". A DOCTYPE is refused. Strings
 * are sanitized.
 */
struct feed_opml_entry {
	char *url;
	char *title; /* or NULL */
	char *site;  /* htmlUrl, or NULL */
	char **tags;
	size_t n_tags;
};

struct feed_opml {
	char *title; /* the document's, or NULL */
	struct feed_opml_entry *feeds;
	size_t n;
	char **warnings;
	size_t n_warnings;
};

/* Parses data[0..n); NULL and ERR_PARSE when it is not OPML. Free with
 * feed_opml_free(). */
struct feed_opml *feed_opml_parse(const char *data, size_t n, struct err *err);
void feed_opml_free(struct feed_opml *o);
/* Appends an OPML 2.0 document listing feeds: untagged ones first, then a
 * folder per first tag, every tag also in the category attribute. */
struct buf;
void feed_opml_write(struct buf *out, const char *title,
                     const struct feed_opml_entry *feeds, size_t n,
                     feed_time now);

#endif
