// SPDX-License-Identifier: MIT
/*
 * The parser's output structs: building, keying and freeing them.
 */
#include "config.h"

#include <inttypes.h>
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/util.h"

#include "private.h"

void
feed_set_string(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

void *
feed_array_push(void *array_ptr, size_t *n, size_t size)
{
	char **array = array_ptr;
	char *elem;

	if (*n >= FEED_MAX_LIST)
		return NULL;
	/* Grow in powers of two: n is a power of two exactly when full. */
	if (*n == 0 || (*n & (*n - 1)) == 0)
		*array = xreallocarray(*array, *n ? *n * 2 : 1, size);
	elem = *array + *n * size;
	memset(elem, 0, size);
	(*n)++;
	return elem;
}

static void
text_clear(struct feed_text *t)
{
	free(t->value);
	free(t->lang);
	t->value = NULL;
	t->lang = NULL;
	t->type = FEED_TEXT_PLAIN;
}

static char *
copy_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
text_copy(struct feed_text *to, const struct feed_text *from)
{
	to->type = from->type;
	to->value = copy_or_null(from->value);
	to->lang = copy_or_null(from->lang);
}

void
feed_item_copy(struct feed_item *to, const struct feed_item *from)
{
	memset(to, 0, sizeof *to);
	to->key = xstrdup(from->key != NULL ? from->key : "");
	to->id = copy_or_null(from->id);
	text_copy(&to->title, &from->title);
	to->link = copy_or_null(from->link);
	to->published = from->published;
	to->updated = from->updated;
	text_copy(&to->summary, &from->summary);
	to->comments = copy_or_null(from->comments);
	if (from->n_links > 0) {
		to->links = xcalloc(from->n_links, sizeof *to->links);
		for (size_t i = 0; i < from->n_links; i++) {
			to->links[i].href = copy_or_null(from->links[i].href);
			to->links[i].rel = copy_or_null(from->links[i].rel);
			to->links[i].type = copy_or_null(from->links[i].type);
			to->links[i].length = from->links[i].length;
		}
		to->n_links = from->n_links;
	}
	if (from->n_authors > 0) {
		to->authors = xcalloc(from->n_authors, sizeof *to->authors);
		for (size_t i = 0; i < from->n_authors; i++) {
			to->authors[i].name =
			        copy_or_null(from->authors[i].name);
			to->authors[i].email =
			        copy_or_null(from->authors[i].email);
			to->authors[i].uri = copy_or_null(from->authors[i].uri);
		}
		to->n_authors = from->n_authors;
	}
	if (from->n_content > 0) {
		to->content = xcalloc(from->n_content, sizeof *to->content);
		for (size_t i = 0; i < from->n_content; i++)
			text_copy(&to->content[i], &from->content[i]);
		to->n_content = from->n_content;
	}
	if (from->n_enclosures > 0) {
		to->enclosures =
		        xcalloc(from->n_enclosures, sizeof *to->enclosures);
		for (size_t i = 0; i < from->n_enclosures; i++) {
			to->enclosures[i].url =
			        copy_or_null(from->enclosures[i].url);
			to->enclosures[i].type =
			        copy_or_null(from->enclosures[i].type);
			to->enclosures[i].length = from->enclosures[i].length;
		}
		to->n_enclosures = from->n_enclosures;
	}
	if (from->n_categories > 0) {
		to->categories =
		        xcalloc(from->n_categories, sizeof *to->categories);
		for (size_t i = 0; i < from->n_categories; i++) {
			to->categories[i].term =
			        copy_or_null(from->categories[i].term);
			to->categories[i].scheme =
			        copy_or_null(from->categories[i].scheme);
			to->categories[i].label =
			        copy_or_null(from->categories[i].label);
		}
		to->n_categories = from->n_categories;
	}
}

static void
links_free(struct feed_link *links, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(links[i].href);
		free(links[i].rel);
		free(links[i].type);
	}
	free(links);
}

static void
people_free(struct feed_person *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].email);
		free(p[i].uri);
	}
	free(p);
}

void
feed_item_clear(struct feed_item *it)
{
	free(it->key);
	free(it->id);
	text_clear(&it->title);
	free(it->link);
	links_free(it->links, it->n_links);
	people_free(it->authors, it->n_authors);
	text_clear(&it->summary);
	for (size_t i = 0; i < it->n_content; i++)
		text_clear(&it->content[i]);
	free(it->content);
	for (size_t i = 0; i < it->n_enclosures; i++) {
		free(it->enclosures[i].url);
		free(it->enclosures[i].type);
	}
	free(it->enclosures);
	for (size_t i = 0; i < it->n_categories; i++) {
		free(it->categories[i].term);
		free(it->categories[i].scheme);
		free(it->categories[i].label);
	}
	free(it->categories);
	free(it->comments);
	memset(it, 0, sizeof *it);
	it->published = FEED_DATE_UNKNOWN;
	it->updated = FEED_DATE_UNKNOWN;
}

void
feed_info_init(struct feed_info *info)
{
	memset(info, 0, sizeof *info);
	info->updated = FEED_DATE_UNKNOWN;
	info->published = FEED_DATE_UNKNOWN;
	info->ttl_minutes = -1;
}

void
feed_info_clear(struct feed_info *info)
{
	text_clear(&info->title);
	text_clear(&info->subtitle);
	free(info->link);
	links_free(info->links, info->n_links);
	free(info->language);
	people_free(info->authors, info->n_authors);
	free(info->image.url);
	free(info->image.title);
	free(info->image.link);
	free(info->generator);
	feed_info_init(info);
}

static char *
dup_trimmed(const char *s, size_t n)
{
	while (n > 0 && str_is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && str_is_space((unsigned char)s[n - 1]))
		n--;
	return n > 0 ? xstrndup(s, n) : NULL;
}

static bool
looks_like_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);

	return at != NULL && at > s && memchr(s, ' ', n) == NULL;
}

void
feed_person_from_string(struct feed_person *p, const char *s)
{
	const char *open, *close;
	size_t n = strlen(s);

	/* "Name <email>" */
	open = strchr(s, '<');
	close = open ? strchr(open, '>') : NULL;
	if (open != NULL && close != NULL) {
		p->name = dup_trimmed(s, (size_t)(open - s));
		p->email = dup_trimmed(open + 1, (size_t)(close - open - 1));
		return;
	}
	/* "a (b)": one side is the address, the other the name. */
	open = strchr(s, '(');
	close = open ? strrchr(open, ')') : NULL;
	if (open != NULL && close != NULL) {
		char *before = dup_trimmed(s, (size_t)(open - s));
		char *inside =
		        dup_trimmed(open + 1, (size_t)(close - open - 1));

		if (before != NULL &&
		    looks_like_email(before, strlen(before))) {
			p->email = before;
			p->name = inside;
		} else if (inside != NULL &&
		           looks_like_email(inside, strlen(inside))) {
			p->name = before;
			p->email = inside;
		} else {
			free(before);
			free(inside);
			p->name = dup_trimmed(s, n);
		}
		return;
	}
	if (looks_like_email(s, n) && strchr(s, '@') != NULL) {
		const char *mailto = str_istarts_with(s, "mailto:") ? s + 7 : s;

		p->email = dup_trimmed(mailto, strlen(mailto));
	} else {
		p->name = dup_trimmed(s, n);
	}
}

/* FNV-1a, 64 bits: stable across platforms and versions, which is all the
 * item key needs (it is not a security boundary). */
static uint64_t
fnv1a(uint64_t h, const char *s)
{
	if (s == NULL)
		s = "";
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h ^ 0xff; /* separates fields: ("ab","") != ("a","b") */
}

static char *
prefixed(const char *prefix, const char *s)
{
	size_t a = strlen(prefix), b = strlen(s);
	char *key = xmalloc(a + b + 1);

	memcpy(key, prefix, a);
	memcpy(key + a, s, b + 1);
	return key;
}

void
feed_item_make_key(struct feed_item *it)
{
	char date[32];
	uint64_t h = 0xcbf29ce484222325ull;

	free(it->key);
	if (it->id != NULL && *it->id) {
		it->key = prefixed("id:", it->id);
		return;
	}
	if (it->link != NULL && *it->link) {
		it->key = prefixed("link:", it->link);
		return;
	}
	snprintf(date, sizeof date, "%" PRId64,
	         it->published != FEED_DATE_UNKNOWN ? it->published
	                                            : it->updated);
	h = fnv1a(h, it->title.value);
	h = fnv1a(h, date);
	h = fnv1a(h, it->summary.value ? it->summary.value
	             : it->n_content   ? it->content[0].value
	                               : NULL);
	it->key = xasprintf("hash:%016" PRIx64, h);
}

static bool
is_html_element(const char *name, size_t n)
{
	char lower[32];

	if (n == 0 || n >= sizeof lower)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		lower[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	lower[n] = '\0';
	return htmlTagLookup((const xmlChar *)lower) != NULL;
}

bool
feed_looks_like_html(const char *s)
{
	bool evidence = false;

	if (s == NULL)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '<') {
			const char *name = p + 1;
			size_t n = 0;

			if (*name == '/') {
				name++;
				evidence = true;
			}
			while (name[n] && (name[n] == '-' || name[n] == ':' ||
			                   (name[n] >= '0' && name[n] <= '9') ||
			                   ((name[n] | 0x20) >= 'a' &&
			                    (name[n] | 0x20) <= 'z')))
				n++;
			if (n == 0)
				continue; /* "a < b" is not a tag */
			if (!is_html_element(name, n))
				return false;
		} else if (*p == '&') {
			const char *semi = strchr(p, ';');
			size_t n;

			if (semi == NULL)
				continue;
			n = (size_t)(semi - p - 1);
			if (p[1] == '#') {
				evidence = true;
				continue;
			}
			if (n == 0 || n > 31 ||
			    strspn(p + 1, "abcdefghijklmnopqrstuvwxyz"
			                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			                  "0123456789") != n)
				continue;
			{
				char name[32];

				memcpy(name, p + 1, n);
				name[n] = '\0';
				if (htmlEntityLookup((const xmlChar *)name) ==
				    NULL)
					return false;
			}
			evidence = true;
		}
	}
	return evidence;
}
