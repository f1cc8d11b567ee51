// SPDX-License-Identifier: MIT
/*
 * What each element means. Meaning comes from position: an element is read
 * only as a direct child of the container that gives it meaning (channel,
 * item, image, person), so an entry's own <title> wins over one nested in an
 * unknown child. Namespaces are folded into the vocabularies courant knows:
 * RSS and Atom in all their dialects are "core".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"
#include "sax.h"

static bool
ns_is(const char *uri, const char *want)
{
	return uri != NULL && strcmp(uri, want) == 0;
}

enum ns
element_classify_ns(const char *uri, const char *prefix)
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
char *
element_attr_dup(const xmlChar **a)
{
	const char *s = (const char *)a[3];
	size_t n = (size_t)(a[4] - a[3]);
	struct buf b;

	buf_init(&b, FEED_MAX_FIELD_BYTES);
	buf_append(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '&' && n - i >= 5 &&
		    memcmp(s + i, "&#38;", 5) == 0) {
			buf_putc(&b, '&');
			i += 4;
		} else {
			buf_putc(&b, s[i]);
		}
	}
	{
		char *clean =
		        text_sanitize(b.data, b.len, 0, FEED_MAX_FIELD_BYTES);

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
		if (want_ns == NULL ? (uri != NULL && *uri)
		                    : !ns_is(uri, want_ns))
			continue;
		return element_attr_dup(a);
	}
	return NULL;
}

static char *
trimmed(char *s)
{
	return s ? str_trim(s) : NULL;
}

char *
element_resolve(const char *base, const char *ref)
{
	if (ref == NULL)
		return NULL;
	return feed_uri_resolve(base, ref);
}

char *
element_normalize_lang(const char *lang)
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

	if ((term == NULL || *term == '\0') &&
	    (label == NULL || *label == '\0'))
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

const char *
element_first_alternate(const struct feed_link *links, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (links[i].href != NULL && str_eq(links[i].rel, "alternate"))
			return links[i].href;
	return NULL;
}

/* Finishes the capture: the value goes where its field says. */
static void
finish_capture(struct feed_parser *p)
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
		t->lang = element_normalize_lang(
		        c->lang ? c->lang : p->src.content_language);
		v = NULL;
		break;
	}
	case F_LINK:
		v = capture_line(c);
		if (v == NULL)
			break;
		if (c->owner == K_IMAGE) {
			feed_set_string(&info->image.link,
			                element_resolve(c->base, v));
		} else if (in_item) {
			add_link(&it->links, &it->n_links,
			         element_resolve(c->base, v), "alternate", NULL,
			         NULL);
		} else {
			add_link(&info->links, &info->n_links,
			         element_resolve(c->base, v), "alternate", NULL,
			         NULL);
		}
		break;
	case F_ATOM_LINK:
		v = capture_line(c);
		if (v == NULL)
			break;
		if (in_item) {
			add_link(&it->links, &it->n_links,
			         element_resolve(c->base, v), c->rel, c->type,
			         c->length);
			if (str_eq(c->rel, "enclosure"))
				add_enclosure(it,
				              it->links[it->n_links - 1].href,
				              c->type, c->length);
		} else {
			add_link(&info->links, &info->n_links,
			         element_resolve(c->base, v), c->rel, c->type,
			         c->length);
		}
		break;
	case F_LANGUAGE:
		v = capture_line(c);
		feed_set_string(&info->language, element_normalize_lang(v));
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
			feed_set_string(&info->image.url,
			                element_resolve(c->base, v));
		break;
	case F_ID:
	case F_GUID:
		/* Ids are opaque keys: never resolved against a base. */
		v = capture_line(c);
		feed_set_string(&it->id, v ? v : xstrdup(""));
		v = NULL;
		if (c->field == F_GUID && !c->not_permalink &&
		    it->id[0] != '\0')
			feed_set_string(&p->guid_link,
			                element_resolve(c->base, it->id));
		else if (c->field == F_GUID)
			feed_set_string(&p->guid_link, NULL);
		break;
	case F_COMMENTS:
		v = capture_line(c);
		if (v != NULL)
			feed_set_string(&it->comments,
			                element_resolve(c->base, v));
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
			feed_set_string(&p->person.uri,
			                element_resolve(c->base, v));
		break;
	case F_IMAGE_URL:
		v = capture_line(c);
		if (v != NULL)
			feed_set_string(&info->image.url,
			                element_resolve(c->base, v));
		break;
	case F_IMAGE_TITLE:
		feed_set_string(&info->image.title, capture_line(c));
		break;
	case F_IMAGE_LINK:
		v = capture_line(c);
		if (v != NULL)
			feed_set_string(&info->image.link,
			                element_resolve(c->base, v));
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
	const char *link = element_first_alternate(it->links, it->n_links);

	p->in_item = false;
	if (p->truncated) {
		/* Cut short: its guid may not have come yet, and a key made
		 * from what did would store it twice. */
		feed_item_clear(it);
		return;
	}
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
	       ns_is((const char *)uri, "http://purl.org/atom/ns#") ||
	       is_atom_doc(p);
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
                enum kind owner, const xmlChar *uri, int n,
                const xmlChar **attrs)
{
	char *type = attr_get(n, attrs, NULL, "type");
	char *mode = attr_get(n, attrs, NULL, "mode");
	bool atom03 =
	        ns_is((const char *)uri, "http://purl.org/atom/ns#") ||
	        (p->info.format == FEED_ATOM03 &&
	         !ns_is((const char *)uri, "http://www.w3.org/2005/Atom"));

	begin_capture(p, f, field, atom03 ? TYPING_ATOM03 : TYPING_ATOM10,
	              owner);
	p->cap.base64 = str_ieq(trimmed(mode), "base64");
	/* RFC 4287 4.1.3.3: content of any other media type is base64. */
	if (!capture_media_type(trimmed(type), &p->cap.atom_type)) {
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
		type = xstrdup(str_eq(rel, "self") ? "application/atom+xml"
		                                   : "text/html");
	if (href != NULL) {
		char *abs = element_resolve(f->base, str_trim(href));

		if (owner == K_ITEM) {
			add_link(&p->item.links, &p->item.n_links, abs, rel,
			         type, length);
			if (str_eq(rel, "enclosure"))
				add_enclosure(&p->item, abs, type, length);
		} else {
			add_link(&p->info.links, &p->info.n_links, abs, rel,
			         type, length);
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
start_common(struct feed_parser *p, struct frame *f, enum kind owner,
             enum ns ns, const char *name, const xmlChar *uri, int n,
             const xmlChar **attrs)
{
	if (ns == NS_CORE) {
		if (name_is(name, "title")) {
			if (is_atom_element(p, uri))
				begin_atom_text(p, f, F_TITLE, owner, uri, n,
				                attrs);
			else
				begin_capture(p, f, F_TITLE, TYPING_GUESS,
				              owner);
		} else if (name_is(name, "link")) {
			begin_link(p, f, owner, uri, n, attrs);
		} else if (name_is(name, "author") ||
		           name_is(name, "contributor")) {
			if (is_atom_element(p, uri) ||
			    name_is(name, "contributor")) {
				f->kind = K_PERSON;
				p->person_is_author = name[0] == 'a';
				p->person_owner = owner;
			} else {
				begin_capture(p, f, F_AUTHOR_STRING,
				              TYPING_PLAIN, owner);
			}
		} else if (name_is(name, "updated") ||
		           name_is(name, "modified")) {
			begin_capture(p, f, F_UPDATED, TYPING_PLAIN, owner);
		} else if (name_is(name, "published") ||
		           name_is(name, "issued") ||
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
			begin_capture(p, f, F_AUTHOR_STRING, TYPING_PLAIN,
			              owner);
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
                 const char *name, const xmlChar *uri, int n,
                 const xmlChar **attrs)
{
	if (start_common(p, f, K_CHANNEL, ns, name, uri, n, attrs))
		return;
	if (ns == NS_CORE) {
		if (name_is(name, "item") || name_is(name, "entry")) {
			f->kind = K_ITEM;
		} else if (name_is(name, "subtitle") ||
		           name_is(name, "tagline")) {
			begin_atom_text(p, f, F_SUBTITLE, K_CHANNEL, uri, n,
			                attrs);
		} else if (name_is(name, "description")) {
			if (is_atom_element(p, uri))
				begin_atom_text(p, f, F_SUBTITLE, K_CHANNEL,
				                uri, n, attrs);
			else
				begin_capture(p, f, F_SUBTITLE, TYPING_HTML,
				              K_CHANNEL);
		} else if (name_is(name, "language")) {
			begin_capture(p, f, F_LANGUAGE, TYPING_PLAIN,
			              K_CHANNEL);
		} else if (name_is(name, "lastBuildDate")) {
			begin_capture(p, f, F_UPDATED, TYPING_PLAIN, K_CHANNEL);
		} else if (name_is(name, "managingEditor")) {
			begin_capture(p, f, F_AUTHOR_STRING, TYPING_PLAIN,
			              K_CHANNEL);
		} else if (name_is(name, "generator")) {
			begin_capture(p, f, F_GENERATOR, TYPING_PLAIN,
			              K_CHANNEL);
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
			begin_capture(p, f, F_ITUNES_SUBTITLE, TYPING_GUESS,
			              K_CHANNEL);
		} else if (name_is(name, "image") || name_is(name, "link")) {
			char *href = attr_get(n, attrs, NULL, "href");
			char *rel = trimmed(attr_get(n, attrs, NULL, "rel"));

			/* Old podcasts wrote url= or a link with rel="image".
			 */
			if (href == NULL && name_is(name, "image"))
				href = attr_get(n, attrs, NULL, "url");
			if (name_is(name, "link") && !str_ieq(rel, "image"))
				feed_set_string(&href, NULL);
			if (href != NULL && p->info.image.url == NULL)
				p->info.image.url = element_resolve(
				        f->base, str_trim(href));
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
			p->cap.scheme = xstrdup(
			        "http://search.yahoo.com/mrss/category_schema");
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
              const char *name, const xmlChar *uri, int n,
              const xmlChar **attrs)
{
	if (start_common(p, f, K_ITEM, ns, name, uri, n, attrs))
		return;
	switch (ns) {
	case NS_CORE:
		if (name_is(name, "description")) {
			if (is_atom_element(p, uri))
				begin_atom_text(p, f, F_SUMMARY, K_ITEM, uri, n,
				                attrs);
			else
				begin_capture(p, f, F_SUMMARY, TYPING_HTML,
				              K_ITEM);
		} else if (name_is(name, "summary") ||
		           name_is(name, "content")) {
			begin_atom_text(p, f,
			                name[0] == 's' ? F_SUMMARY : F_CONTENT,
			                K_ITEM, uri, n, attrs);
		} else if (name_is(name, "fullitem")) {
			begin_capture(p, f, F_CONTENT, TYPING_HTML, K_ITEM);
		} else if (name_is(name, "id")) {
			begin_capture(p, f, F_ID, TYPING_PLAIN, K_ITEM);
		} else if (name_is(name, "guid")) {
			char *permalink = trimmed(
			        attr_get(n, attrs, NULL, "isPermaLink"));

			begin_capture(p, f, F_GUID, TYPING_PLAIN, K_ITEM);
			p->cap.not_permalink = permalink != NULL &&
			                       !str_ieq(permalink, "true");
			free(permalink);
		} else if (name_is(name, "category")) {
			start_category(p, f, uri, n, attrs);
		} else if (name_is(name, "enclosure")) {
			char *url = trimmed(attr_get(n, attrs, NULL, "url"));
			char *type = trimmed(attr_get(n, attrs, NULL, "type"));
			char *length = attr_get(n, attrs, NULL, "length");
			char *abs = url ? element_resolve(f->base, url) : NULL;

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
			begin_capture(p, f, F_ITUNES_SUMMARY, TYPING_GUESS,
			              K_ITEM);
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
			info->format = p->netscape_doctype ? FEED_RSS091N
			                                   : FEED_RSS091U;
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
			else if (ns_is(u, "http://my.netscape.com/rdf/simple/"
			                  "0.9/") &&
			         info->format == FEED_FORMAT_UNKNOWN)
				info->format = FEED_RSS090;
		}
	} else if (ns == NS_CORE && name_is(name, "feed")) {
		char *version = trimmed(attr_get(n, attrs, NULL, "version"));

		f->kind = K_CHANNEL;
		if (ns_is((const char *)uri, "http://purl.org/atom/ns#") ||
		    str_eq(version, "0.3"))
			info->format = FEED_ATOM03;
		else if (ns_is((const char *)uri,
		               "http://www.w3.org/2005/Atom"))
			info->format = FEED_ATOM10;
		else
			info->format = FEED_ATOM;
		free(version);
		feed_set_string(&p->root_lang,
		                f->lang ? xstrdup(f->lang) : NULL);
	} else if (ns == NS_CORE && name_is(name, "channel")) {
		f->kind = K_CHANNEL;
		info->format = FEED_RSS;
		feed_set_string(&p->root_lang,
		                f->lang ? xstrdup(f->lang) : NULL);
	} else {
		f->kind = K_IGNORE;
	}
	if (f->kind == K_ROOT)
		feed_set_string(&p->root_lang,
		                f->lang ? xstrdup(f->lang) : NULL);
}

/* --- SAX callbacks --------------------------------------------------- */

static bool
is_web_url(const char *url)
{
	return url != NULL && (str_istarts_with(url, "http://") ||
	                       str_istarts_with(url, "https://"));
}

static void
frame_open(struct feed_parser *p, struct frame *f, const struct frame *parent,
           int n, const xmlChar **attrs)
{
	char *base = attr_get(n, attrs, XML_XML_NS, "base");
	char *lang = NULL;

	memset(f, 0, sizeof *f);
	f->base = parent ? parent->base : p->doc_base;
	f->lang = parent ? parent->lang : NULL;
	if (base != NULL) {
		f->own_base = element_resolve(f->base, str_trim(base));
		/* A document from the web may not move its links to a local
		 * file or another scheme: its xml:base must stay http(s). */
		if (is_web_url(p->doc_base) && !is_web_url(f->own_base)) {
			free(f->own_base);
			f->own_base = NULL;
		} else {
			f->base = f->own_base;
		}
		free(base);
	}
	for (int i = 0; i < n; i++) {
		const xmlChar **a = attrs + i * 5;

		if (strcmp((const char *)a[0], "lang") == 0 &&
		    ns_is((const char *)a[2], XML_XML_NS)) {
			lang = element_attr_dup(a);
			/* Recovery passes a repeated attribute twice. */
			feed_set_string(&f->own_lang,
			                element_normalize_lang(lang));
			f->lang = f->own_lang; /* xml:lang="" resets to none */
			free(lang);
		}
	}
}

void
element_frame_close(struct frame *f)
{
	free(f->own_base);
	free(f->own_lang);
	f->own_base = f->own_lang = NULL;
}

void
element_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
              const xmlChar *uri, int nb_ns, const xmlChar **nss, int nb_attrs,
              int nb_defaulted, const xmlChar **attrs)
{
	struct feed_parser *p = ctx;
	struct frame *parent, *f;
	const char *name = (const char *)local;
	enum ns ns;

	(void)nb_defaulted;
	parser_keep_recovering(p);
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
		capture_start_child(&p->cap, local, prefix, uri, nb_attrs,
		                    attrs);
		f->kind = K_FIELD;
		return;
	}
	ns = element_classify_ns((const char *)uri, (const char *)prefix);
	if (parent == NULL) {
		if (p->root_qname == NULL)
			p->root_qname =
			        prefix != NULL
			                ? xasprintf("%s:%s",
			                            (const char *)prefix, name)
			                : xstrdup(name);
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
				p->info.format =
				        ns_is((const char *)uri,
				              "http://purl.org/rss/1.0/")
				                ? FEED_RSS10
				                : FEED_RSS090;
			if (f->lang != NULL)
				feed_set_string(&p->root_lang,
				                xstrdup(f->lang));
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
		if (ns == NS_CORE &&
		    (name_is(name, "item") || name_is(name, "entry")))
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
			begin_capture(p, f, F_PERSON_NAME, TYPING_PLAIN,
			              K_PERSON);
		else if (name_is(name, "email"))
			begin_capture(p, f, F_PERSON_EMAIL, TYPING_PLAIN,
			              K_PERSON);
		else if (name_is(name, "uri") || name_is(name, "url") ||
		         name_is(name, "homepage"))
			begin_capture(p, f, F_PERSON_URI, TYPING_PLAIN,
			              K_PERSON);
		break;
	case K_IMAGE:
		if (ns != NS_CORE)
			break;
		if (name_is(name, "url"))
			begin_capture(p, f, F_IMAGE_URL, TYPING_PLAIN, K_IMAGE);
		else if (name_is(name, "title"))
			begin_capture(p, f, F_IMAGE_TITLE, TYPING_PLAIN,
			              K_IMAGE);
		else if (name_is(name, "link"))
			begin_capture(p, f, F_IMAGE_LINK, TYPING_PLAIN,
			              K_IMAGE);
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
		item_begin(
		        p,
		        trimmed(attr_get(
		                nb_attrs, attrs,
		                "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
		                "about")));
	}
}

void
element_unwind(struct feed_parser *p)
{
	struct frame *f = &p->frames[--p->depth];

	if (p->cap.active) {
		if (p->cap.depth > 0) {
			capture_end_child(&p->cap, f->local, f->prefix, f->uri);
		} else {
			finish_capture(p);
			capture_reset(&p->cap);
		}
		element_frame_close(f);
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
	element_frame_close(f);
}

void
element_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
            const xmlChar *uri)
{
	struct feed_parser *p = ctx;

	(void)local;
	(void)prefix;
	(void)uri;
	parser_keep_recovering(p);
	if (p->overflow > 0) {
		p->overflow--;
		return;
	}
	if (p->depth > 0)
		element_unwind(p);
}

void
element_characters(void *ctx, const xmlChar *ch, int len)
{
	struct feed_parser *p = ctx;

	if (!p->cap.active || p->overflow > 0 || p->stopped)
		return;
	parser_keep_recovering(p);
	capture_text(&p->cap, (const char *)ch, (size_t)len);
}
