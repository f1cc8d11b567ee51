// SPDX-License-Identifier: MIT
/*
 * OPML, the subscription lists readers exchange: read 1.0 and 2.0, write
 * 2.0. Folders (outlines that hold outlines) become tags joined with '/',
 * as Newsboat names them; OPML 2.0's category attribute adds more. Only
 * http and https feeds are taken (SECURITY.md rule 3): anything else is
 * skipped with a warning naming its line.
 *
 * The document is small (the caller caps it at 1 MiB) and read as a tree.
 * A document with a DTD is refused outright: OPML has no use for one, and
 * without it no entity can expand inside an attribute.
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "courant/feed.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

#define OPML_MAX_TITLE 1024
#define OPML_MAX_URL 8192
#define OPML_MAX_FEEDS 100000
/* libxml2 2.9 compares the attributes of a tag pairwise: see
 * markup_cap_attributes(). */
#define OPML_MAX_ATTRIBUTES 256

static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/* Called at "<!DOCTYPE name", before any declaration is read: the parse
 * stops there, whatever the declarations would have cost (60,000
 * attribute defaults take libxml2 seconds) and whatever the encoding. */
static char doctype_seen;

static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
               const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name;
	(void)external_id;
	(void)system_id;
	ctxt->_private = &doctype_seen;
	xmlStopParser(ctxt);
}

struct reader {
	struct feed_opml *o;
	char **path; /* folder names from the body down */
	size_t depth;
};

static void warn(struct feed_opml *o, long line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void
warn(struct feed_opml *o, long line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	o->warnings = xreallocarray(o->warnings, o->n_warnings + 1,
	                            sizeof *o->warnings);
	o->warnings[o->n_warnings++] = xasprintf("line %ld: %s", line, msg);
	free(msg);
}

/* An attribute as sanitized single-line text, or NULL when absent. */
static char *
attr(xmlNodePtr node, const char *name, size_t max)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = text_sanitize((const char *)v, strlen((const char *)v), 0, max);
	xmlFree(v);
	str_trim(s);
	return s;
}

static bool
is_web_url(const char *u)
{
	const char *host;

	if (str_istarts_with(u, "http://"))
		host = u + 7;
	else if (str_istarts_with(u, "https://"))
		host = u + 8;
	else
		return false;
	/* A host, as the poller wants one: not a port or credentials alone
	 * (the urls file would refuse the line it becomes). */
	if (*host == '\0' || strchr("/?#@:", *host) != NULL || strlen(u) > 8192)
		return false;
	for (const char *p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static bool
has_children(xmlNodePtr node)
{
	for (xmlNodePtr c = node->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(c->name, (const xmlChar *)"outline") == 0)
			return true;
	return false;
}

static void
add_tag(struct feed_opml_entry *e, const char *tag, size_t len)
{
	while (len > 0 && str_is_space(*tag)) {
		tag++;
		len--;
	}
	while (len > 0 && str_is_space(tag[len - 1]))
		len--;
	/* OPML 2.0 writes categories as paths from the root. */
	if (len > 0 && tag[0] == '/') {
		tag++;
		len--;
	}
	if (len == 0)
		return;
	for (size_t i = 0; i < e->n_tags; i++)
		if (strlen(e->tags[i]) == len &&
		    memcmp(e->tags[i], tag, len) == 0)
			return;
	e->tags = xreallocarray(e->tags, e->n_tags + 1, sizeof *e->tags);
	e->tags[e->n_tags++] = xstrndup(tag, len);
}

static const char *
label(const char *title, const char *text)
{
	return title != NULL && *title ? title : text != NULL ? text : "";
}

static void
read_feed(struct reader *r, xmlNodePtr node, char *url, const char *title,
          const char *text)
{
	struct feed_opml *o = r->o;
	long line = xmlGetLineNo(node);
	char *type = attr(node, "type", 64);
	char *cats;
	struct feed_opml_entry *e;
	struct buf path;

	if (type != NULL && *type != '\0' && !str_ieq(type, "rss") &&
	    !str_ieq(type, "atom")) {
		warn(o, line, "'%s': type '%s' is not a feed; skipped",
		     label(title, text), type);
		goto out;
	}
	if (!is_web_url(url)) {
		warn(o, line, "'%s': '%s' is not an http or https URL; skipped",
		     label(title, text), url);
		goto out;
	}
	for (size_t i = 0; i < o->n; i++) {
		if (strcmp(o->feeds[i].url, url) == 0) {
			warn(o, line, "'%s' is listed twice; skipped", url);
			goto out;
		}
	}
	if (o->n >= OPML_MAX_FEEDS) {
		warn(o, line, "more than %d feeds; skipped", OPML_MAX_FEEDS);
		goto out;
	}
	o->feeds = xreallocarray(o->feeds, o->n + 1, sizeof *o->feeds);
	e = &o->feeds[o->n++];
	memset(e, 0, sizeof *e);
	e->url = url;
	url = NULL;
	if (title != NULL && *title != '\0')
		e->title = xstrdup(title);
	else if (text != NULL && *text != '\0')
		e->title = xstrdup(text);
	e->site = attr(node, "htmlUrl", OPML_MAX_URL);
	if (e->site != NULL && !is_web_url(e->site)) {
		free(e->site);
		e->site = NULL;
	}
	buf_init(&path, 0);
	for (size_t i = 0; i < r->depth; i++) {
		if (i > 0)
			buf_putc(&path, '/');
		buf_puts(&path, r->path[i]);
	}
	if (path.len > 0)
		add_tag(e, path.data, path.len);
	buf_done(&path);
	cats = attr(node, "category", OPML_MAX_TITLE);
	for (const char *p = cats; p != NULL && *p != '\0';) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		add_tag(e, p, len);
		p += len + (comma != NULL);
	}
	free(cats);
out:
	free(type);
	free(url);
}

static void
read_outlines(struct reader *r, xmlNodePtr parent)
{
	for (xmlNodePtr n = parent->children; n != NULL; n = n->next) {
		char *url, *title, *text;

		if (n->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(n->name, (const xmlChar *)"outline") != 0)
			continue;
		url = attr(n, "xmlUrl", OPML_MAX_URL);
		if (url == NULL)
			url = attr(n, "xmlurl", OPML_MAX_URL);
		title = attr(n, "title", OPML_MAX_TITLE);
		text = attr(n, "text", OPML_MAX_TITLE);
		if (url != NULL && *url != '\0') {
			read_feed(r, n, url, title, text);
		} else if (has_children(n)) {
			const char *name = label(title, text);

			free(url);
			r->path = xreallocarray(r->path, r->depth + 1,
			                        sizeof *r->path);
			r->path[r->depth++] =
			        xstrdup(*name ? name : "untitled");
			read_outlines(r, n);
			free(r->path[--r->depth]);
		} else {
			free(url);
			warn(r->o, xmlGetLineNo(n),
			     "'%s': no feed address (xmlUrl); skipped",
			     label(title, text));
		}
		free(title);
		free(text);
	}
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(n->name, (const xmlChar *)name) == 0)
			return n;
	return NULL;
}

struct feed_opml *
feed_opml_parse(const char *data, size_t n, struct err *err)
{
	static bool init;
	struct reader r = {0};
	struct feed_opml *o;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlNodePtr root, head, body, t;

	if (!init) {
		init = true;
		xmlInitParser();
		xmlSetExternalEntityLoader(deny_loader);
	}
	if (n > INT32_MAX) {
		err_set(err, ERR_PARSE, "too large");
		return NULL;
	}
	if (markup_cap_attributes(NULL, data, n, OPML_MAX_ATTRIBUTES,
	                          MARKUP_XML)) {
		err_set(err, ERR_PARSE,
		        "an element has more than %d attributes",
		        OPML_MAX_ATTRIBUTES);
		return NULL;
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		abort(); /* only allocation fails here */
	ctxt->sax->internalSubset = refuse_doctype;
	doc = xmlCtxtReadMemory(ctxt, data, (int)n, NULL, NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR |
	                                XML_PARSE_NOWARNING);
	if (ctxt->_private == &doctype_seen) {
		err_set(err, ERR_PARSE, "a DOCTYPE is not accepted in OPML");
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		return NULL;
	}
	if (doc == NULL) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);

		if (e != NULL && e->message != NULL) {
			char *m = text_sanitize(e->message, strlen(e->message),
			                        0, 200);

			err_set(err, ERR_PARSE,
			        "line %d: not well-formed XML: %s", e->line,
			        str_trim(m));
			free(m);
		} else {
			err_set(err, ERR_PARSE, "not well-formed XML");
		}
		xmlFreeParserCtxt(ctxt);
		return NULL;
	}
	xmlFreeParserCtxt(ctxt);
	if (doc->intSubset != NULL) {
		err_set(err, ERR_PARSE, "a DOCTYPE is not accepted in OPML");
		xmlFreeDoc(doc);
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || xmlStrcmp(root->name, (const xmlChar *)"opml")) {
		err_set(err, ERR_PARSE, "not OPML (no <opml> root element)");
		xmlFreeDoc(doc);
		return NULL;
	}
	body = child(root, "body");
	if (body == NULL) {
		err_set(err, ERR_PARSE, "not OPML (no <body>)");
		xmlFreeDoc(doc);
		return NULL;
	}
	o = xcalloc(1, sizeof *o);
	head = child(root, "head");
	t = child(head, "title");
	if (t != NULL) {
		xmlChar *v = xmlNodeGetContent(t);

		if (v != NULL) {
			o->title = text_sanitize((const char *)v,
			                         strlen((const char *)v), 0,
			                         OPML_MAX_TITLE);
			xmlFree(v);
		}
	}
	r.o = o;
	read_outlines(&r, body);
	free(r.path);
	xmlFreeDoc(doc);
	return o;
}

void
feed_opml_free(struct feed_opml *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->n; i++) {
		struct feed_opml_entry *e = &o->feeds[i];

		free(e->url);
		free(e->title);
		free(e->site);
		for (size_t k = 0; k < e->n_tags; k++)
			free(e->tags[k]);
		free(e->tags);
	}
	free(o->feeds);
	for (size_t i = 0; i < o->n_warnings; i++)
		free(o->warnings[i]);
	free(o->warnings);
	free(o->title);
	free(o);
}

/* ---- writing ---------------------------------------------------------- */

static void
put_escaped(struct buf *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\t':
			buf_puts(out, "&#9;");
			break;
		case '\n':
			buf_puts(out, "&#10;");
			break;
		case '\r':
			buf_puts(out, "&#13;");
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

static void
put_attr(struct buf *out, const char *name, const char *value)
{
	char *clean;

	if (value == NULL)
		return;
	clean = text_sanitize(value, strlen(value), 0, 0);
	buf_printf(out, " %s=\"", name);
	put_escaped(out, clean);
	buf_putc(out, '"');
	free(clean);
}

static void
put_feed(struct buf *out, const struct feed_opml_entry *e, const char *indent)
{
	const char *title = e->title != NULL ? e->title : e->url;

	buf_printf(out, "%s<outline type=\"rss\"", indent);
	put_attr(out, "text", title);
	put_attr(out, "title", title);
	put_attr(out, "xmlUrl", e->url);
	put_attr(out, "htmlUrl", e->site);
	if (e->n_tags > 0) {
		struct buf cats;

		buf_init(&cats, 0);
		for (size_t i = 0; i < e->n_tags; i++) {
			if (i > 0)
				buf_putc(&cats, ',');
			buf_putc(&cats, '/');
			buf_puts(&cats, e->tags[i]);
		}
		put_attr(out, "category", cats.data);
		buf_done(&cats);
	}
	buf_puts(out, "/>\n");
}

void
feed_opml_write(struct buf *out, const char *title,
                const struct feed_opml_entry *feeds, size_t n, feed_time now)
{
	static const char days[][4] = {"Sun", "Mon", "Tue", "Wed",
	                               "Thu", "Fri", "Sat"};
	static const char months[][4] = {"Jan", "Feb", "Mar", "Apr",
	                                 "May", "Jun", "Jul", "Aug",
	                                 "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)now;
	struct tm tm;
	bool *done = xcalloc(n + 1, sizeof *done);

	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	              "<opml version=\"2.0\">\n  <head>\n    <title>");
	put_escaped(out, title != NULL ? title : "courant subscriptions");
	buf_puts(out, "</title>\n");
	/* RFC 822, as OPML 2.0 asks, without the locale's names. */
	if (gmtime_r(&t, &tm) != NULL && tm.tm_year >= 0 && tm.tm_year < 8100)
		buf_printf(out,
		           "    <dateCreated>%s, %02d %s %d %02d:%02d:%02d "
		           "GMT</dateCreated>\n",
		           days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	buf_puts(out, "  </head>\n  <body>\n");
	/* Untagged feeds first, then one folder per first tag (in the order
	 * feeds come), which is how other readers show categories; the
	 * category attribute keeps every tag for a round trip. */
	for (size_t i = 0; i < n; i++) {
		if (feeds[i].n_tags == 0) {
			put_feed(out, &feeds[i], "    ");
			done[i] = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *folder;

		if (done[i])
			continue;
		folder = feeds[i].tags[0];
		buf_puts(out, "    <outline");
		put_attr(out, "text", folder);
		put_attr(out, "title", folder);
		buf_puts(out, ">\n");
		for (size_t k = i; k < n; k++) {
			if (done[k] || strcmp(feeds[k].tags[0], folder) != 0)
				continue;
			put_feed(out, &feeds[k], "      ");
			done[k] = true;
		}
		buf_puts(out, "    </outline>\n");
	}
	buf_puts(out, "  </body>\n</opml>\n");
	free(done);
}
