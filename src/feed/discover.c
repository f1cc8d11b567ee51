// SPDX-License-Identifier: MIT
/*
 * Feed discovery: the feeds a web page announces with
 * <link rel="alternate" type="application/rss+xml" href="..."> (or
 * atom+xml), so that `courant add https://example.org/` works with a site's
 * address. libxml2's HTML parser builds the tree (no network, no DTD); the
 * walk is iterative, so a deep page costs no stack.
 */
#include "config.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

#define MAX_FOUND 50
#define TITLE_MAX 200
/* libxml2 2.9 compares each attribute of a start tag with every other one
 * (the duplicate check): a 2 MiB page can hold 400,000 attributes, which
 * take many minutes. See markup_cap_attributes(). */
#define MAX_ATTRIBUTES 256

static bool
is_named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name != NULL &&
	       str_ieq((const char *)n->name, name);
}

static char *
attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		if (a->name == NULL || !str_ieq((const char *)a->name, name))
			continue;
		if (a->children != NULL && a->children->content != NULL)
			return str_trim(
			        xstrdup((const char *)a->children->content));
		return xstrdup("");
	}
	return NULL;
}

/* True when the space-separated rel list holds "alternate". */
static bool
rel_is_alternate(const char *rel)
{
	const char *p = rel;

	while (p != NULL && *p != '\0') {
		size_t len;

		while (str_is_space(*p))
			p++;
		len = strcspn(p, " \t\r\n\f");
		if (len == 9 && strncasecmp(p, "alternate", 9) == 0)
			return true;
		p += len;
	}
	return false;
}

static const char *
feed_type(const char *type)
{
	static const char *const types[] = {
	        "application/rss+xml",
	        "application/atom+xml",
	        "application/rdf+xml",
	};
	size_t len;

	if (type == NULL)
		return NULL;
	len = strcspn(type, "; \t");
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (len == strlen(types[i]) &&
		    strncasecmp(type, types[i], len) == 0)
			return types[i];
	return NULL;
}

/* What a browser does to an href before resolving it: tabs and line
 * breaks inside go, other spaces and controls are percent-encoded (attr()
 * has trimmed both ends). A new string. */
static char *
clean_href(const char *href)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;

	buf_init(&b, 0);
	for (const unsigned char *c = (const unsigned char *)href; *c; c++) {
		if (*c == '\t' || *c == '\n' || *c == '\r')
			continue;
		if (*c <= 0x20 || *c == 0x7F) {
			buf_putc(&b, '%');
			buf_putc(&b, hex[*c >> 4]);
			buf_putc(&b, hex[*c & 15]);
		} else {
			buf_putc(&b, (char)*c);
		}
	}
	return buf_take(&b);
}

/* An address the poller would fetch: http(s), a host, no space or
 * control character, at most 8 KiB. */
static bool
is_web_address(const char *url)
{
	const char *host;

	if (str_istarts_with(url, "http://"))
		host = url + 7;
	else if (str_istarts_with(url, "https://"))
		host = url + 8;
	else
		return false;
	if (*host == '\0' || strchr("/?#@:", *host) != NULL ||
	    strlen(url) > 8192)
		return false;
	for (const unsigned char *c = (const unsigned char *)url; *c; c++)
		if (*c <= 0x20 || *c == 0x7F)
			return false;
	return true;
}

static void
add_found(struct feed_found **v, size_t *n, const char *base, const char *href,
          const char *type, const char *title)
{
	char *cleaned = clean_href(href);
	char *url = feed_uri_resolve(base, cleaned);
	char *clean = text_sanitize(url, strlen(url), 0, 0);
	struct feed_found *f;

	free(cleaned);
	free(url);
	/* A page is not the user: what it points to must be a web address
	 * (SECURITY.md rule 3), never file:, one the poller would fetch. */
	if (!is_web_address(clean)) {
		free(clean);
		return;
	}
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].url, clean) == 0) {
			free(clean);
			return;
		}
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	f = &(*v)[(*n)++];
	f->url = clean;
	f->type = xstrdup(type);
	f->title = title != NULL && *title != '\0'
	                   ? text_sanitize(title, strlen(title), 0, TITLE_MAX)
	                   : NULL;
}

/* The next node of a depth-first walk of the tree under (and after) n. */
static xmlNode *
next_node(xmlNode *n)
{
	if (n->children != NULL && n->type == XML_ELEMENT_NODE)
		return n->children;
	while (n != NULL && n->next == NULL)
		n = n->parent;
	return n != NULL ? n->next : NULL;
}

size_t
feed_discover(const char *html, size_t n, const char *base,
              struct feed_found **out)
{
	int opts = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	           HTML_PARSE_NOWARNING | HTML_PARSE_NODEFDTD;
	struct feed_found *v = NULL;
	size_t found = 0;
	char *base_href = NULL;
	struct buf page;
	xmlDoc *doc;

	*out = NULL;
	if (html == NULL || n == 0 || n > INT32_MAX)
		return 0;
	buf_init(&page, 0);
	markup_cap_attributes(&page, html, n, MAX_ATTRIBUTES, MARKUP_HTML);
	/* The page's own <meta charset> decides; titles are sanitized. */
	doc = htmlReadMemory(page.data, (int)page.len, NULL, NULL, opts);
	buf_done(&page);
	if (doc == NULL)
		return 0;
	for (xmlNode *node = xmlDocGetRootElement(doc);
	     node != NULL && found < MAX_FOUND; node = next_node(node)) {
		char *rel, *type, *href, *title;
		const char *kind;

		if (is_named(node, "base") && base_href == NULL) {
			char *h = attr(node, "href");

			if (h != NULL && *h != '\0') {
				char *cleaned = clean_href(h);

				base_href = feed_uri_resolve(base, cleaned);
				free(cleaned);
			}
			free(h);
			continue;
		}
		if (!is_named(node, "link"))
			continue;
		rel = attr(node, "rel");
		type = attr(node, "type");
		href = attr(node, "href");
		kind = feed_type(type);
		if (rel != NULL && rel_is_alternate(rel) && kind != NULL &&
		    href != NULL && *href != '\0') {
			title = attr(node, "title");
			add_found(&v, &found, base_href ? base_href : base,
			          href, kind, title);
			free(title);
		}
		free(rel);
		free(type);
		free(href);
	}
	free(base_href);
	xmlFreeDoc(doc);
	*out = v;
	return found;
}

void
feed_found_free(struct feed_found *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].url);
		free(v[i].type);
		free(v[i].title);
	}
	free(v);
}
