// SPDX-License-Identifier: MIT
/*
 * TT-RSS's replies, read with jansson. Every reply is an envelope
 * {"seq":N,"status":0|1,"content":...}: status 1 carries content.error, a
 * code turned here into words the user can act on. The parsers are pure
 * functions of the bytes; nothing from the server is trusted: types are
 * checked, ids must be positive integers, strings are sanitized and
 * capped (HTML content stays HTML, for the renderer, which is safe).
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

/* The latest date we keep: 9999-12-31T23:59:59Z. */
#define DATE_MAX 253402300799LL

/* ---- helpers ----------------------------------------------------------- */

/* A sanitized copy of a JSON string (one line unless multiline, at most
 * cap bytes); NULL when v is not a string or is empty. */
static char *
get_text(const json_t *v, bool multiline, size_t cap)
{
	char *s;

	if (!json_is_string(v) || json_string_length(v) == 0)
		return NULL;
	s = text_sanitize(json_string_value(v), json_string_length(v),
	                  multiline ? TEXT_MULTILINE : 0, cap);
	if (s[0] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

static char *
get_line(const json_t *obj, const char *key)
{
	return get_text(json_object_get(obj, key), false, TTRSS_MAX_LINE);
}

/* A positive integer id, given as a number or a string of digits (older
 * servers send some ids as strings); 0 when it is neither. */
static long long
get_id(const json_t *v)
{
	long long id = 0;

	if (json_is_integer(v)) {
		id = json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);

		if (n == 0 || n > 18)
			return 0;
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return 0;
			id = id * 10 + (s[i] - '0');
		}
	}
	return id > 0 ? id : 0;
}

/* A category id may be 0 (Uncategorized) or negative (special ones). */
static bool
get_int(const json_t *v, long long *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	return false;
}

/* TT-RSS sends booleans, older versions 0/1 or "t"/"f". */
static bool
get_bool(const json_t *v, bool def)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (str_eq(s, "t") || str_eq(s, "true") || str_eq(s, "1"))
			return true;
		if (str_eq(s, "f") || str_eq(s, "false") || str_eq(s, "0"))
			return false;
	}
	return def;
}

static char *
id_string(long long id)
{
	return xasprintf("%lld", id);
}

/* The error of a status-1 reply, in words. */
static void
server_error(const json_t *content, struct err *err)
{
	const json_t *e = json_object_get(content, "error");
	const char *code = json_is_string(e) ? json_string_value(e) : NULL;
	char *clean;

	if (code == NULL) {
		err_set(err, ERR_HTTP, "the server answered an error");
		return;
	}
	if (str_eq(code, "LOGIN_ERROR")) {
		err_set(err, ERR_HTTP, "login refused: wrong user or password");
	} else if (str_eq(code, "API_DISABLED")) {
		err_set(err, ERR_HTTP,
		        "the server's API is disabled for this user "
		        "(Preferences > Enable API)");
	} else if (str_eq(code, "NOT_LOGGED_IN")) {
		err_set(err, ERR_HTTP, "the server ended the session");
	} else if (str_eq(code, "INCORRECT_USAGE")) {
		err_set(err, ERR_HTTP,
		        "the server refused the request (INCORRECT_USAGE)");
	} else if (str_eq(code, "UNKNOWN_METHOD")) {
		err_set(err, ERR_HTTP,
		        "the server does not know this request "
		        "(UNKNOWN_METHOD: too old a TT-RSS?)");
	} else {
		clean = text_sanitize(code, strlen(code), TEXT_FOR_TERMINAL,
		                      100);
		err_set(err, ERR_HTTP, "the server answered an error: %s",
		        clean);
		free(clean);
	}
}

/*
 * Parses the envelope: *root gets the document (to json_decref) and
 * *content its content. 0, -1 and err, or SYNC_RELOGIN.
 */
static int
envelope(const char *buf, size_t n, json_t **root, json_t **content,
         struct err *err)
{
	json_error_t je;
	json_t *doc, *status;
	long long st;

	*root = NULL;
	*content = NULL;
	if (buf == NULL || n == 0) {
		err_set(err, ERR_PARSE, "the server sent an empty reply");
		return -1;
	}
	doc = json_loadb(buf, n, 0, &je);
	if (doc == NULL) {
		err_set(err, ERR_PARSE,
		        "the reply is not JSON (is sync-url the address of "
		        "tt-rss?): %.80s",
		        je.text);
		return -1;
	}
	status = json_object_get(doc, "status");
	if (!json_is_object(doc) || !get_int(status, &st) ||
	    (st != 0 && st != 1)) {
		json_decref(doc);
		err_set(err, ERR_PARSE,
		        "unexpected reply: not a TT-RSS API answer");
		return -1;
	}
	*content = json_object_get(doc, "content");
	if (st == 1) {
		const json_t *e = json_object_get(*content, "error");
		int rc = json_is_string(e) && str_eq(json_string_value(e),
		                                     "NOT_LOGGED_IN")
		                 ? SYNC_RELOGIN
		                 : -1;

		server_error(*content, err);
		json_decref(doc);
		*content = NULL;
		return rc;
	}
	*root = doc;
	return 0;
}

static int
unexpected(json_t *root, const char *what, struct err *err)
{
	json_decref(root);
	err_set(err, ERR_PARSE, "unexpected reply: %s", what);
	return -1;
}

/* ---- login, status, subscribe ------------------------------------------ */

int
ttrss_parse_login(const char *buf, size_t n, char **sid, int *api_level,
                  struct err *err)
{
	json_t *root, *content;
	const json_t *s;
	long long level = 0;
	int rc = envelope(buf, n, &root, &content, err);

	if (rc != 0)
		return rc;
	s = json_object_get(content, "session_id");
	if (!json_is_string(s) || json_string_length(s) == 0 ||
	    json_string_length(s) > TTRSS_MAX_SID)
		return unexpected(root, "no session id", err);
	/* It goes back into every request: printable ASCII only. */
	for (const char *p = json_string_value(s); *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			return unexpected(root, "a strange session id", err);
	get_int(json_object_get(content, "api_level"), &level);
	*sid = xstrdup(json_string_value(s));
	*api_level = level > 0 && level < 1000 ? (int)level : 0;
	json_decref(root);
	return 0;
}

int
ttrss_parse_status(const char *buf, size_t n, long *updated, struct err *err)
{
	json_t *root, *content;
	long long u = -1;
	int rc = envelope(buf, n, &root, &content, err);

	if (rc != 0)
		return rc;
	if (!json_is_object(content))
		return unexpected(root, "no status", err);
	if (!get_int(json_object_get(content, "updated"), &u) || u < 0)
		u = -1;
	if (updated != NULL)
		*updated = u > 1000000000 ? 1000000000 : (long)u;
	json_decref(root);
	return 0;
}

int
ttrss_parse_subscribe(const char *buf, size_t n, char **feed_id,
                      struct err *err)
{
	json_t *root, *content;
	const json_t *status;
	long long code = -1, id;
	char *msg;
	int rc = envelope(buf, n, &root, &content, err);

	if (rc != 0)
		return rc;
	status = json_object_get(content, "status");
	if (!json_is_object(status) ||
	    !get_int(json_object_get(status, "code"), &code))
		return unexpected(root, "no subscription status", err);
	switch (code) {
	case 0:
	case 1:
		id = get_id(json_object_get(status, "feed_id"));
		if (id == 0)
			return unexpected(root, "no feed id", err);
		*feed_id = id_string(id);
		json_decref(root);
		return 0;
	case 2:
		err_set(err, ERR_USAGE,
		        "the server refused the address (invalid URL)");
		break;
	case 3:
		err_set(err, ERR_USAGE,
		        "the server found no feed at that address");
		break;
	case 4:
		err_set(err, ERR_USAGE,
		        "the page links to several feeds: subscribe to one of "
		        "them (courant add lists them)");
		break;
	case 5:
		msg = get_text(json_object_get(status, "message"), false, 160);
		err_set(err, ERR_NET, "the server could not fetch the feed%s%s",
		        msg ? ": " : "", msg ? msg : "");
		free(msg);
		break;
	default:
		err_set(err, ERR_PARSE,
		        "unexpected reply: subscription code %lld", code);
		break;
	}
	json_decref(root);
	return -1;
}

/* ---- categories and feeds ---------------------------------------------- */

void
ttrss_cats_done(struct ttrss_cats *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->title[i]);
	free(c->id);
	free(c->title);
	memset(c, 0, sizeof *c);
}

const char *
ttrss_cat_title(const struct ttrss_cats *c, long id)
{
	if (c == NULL || id <= 0)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (c->id[i] == id)
			return c->title[i];
	return NULL;
}

int
ttrss_parse_categories(const char *buf, size_t n, struct ttrss_cats *out,
                       struct err *err)
{
	struct ttrss_cats c = {0};
	json_t *root, *content;
	size_t i;
	json_t *v;
	int rc = envelope(buf, n, &root, &content, err);

	if (rc != 0)
		return rc;
	if (!json_is_array(content))
		return unexpected(root, "categories are not a list", err);
	if (json_array_size(content) > TTRSS_MAX_ITEMS)
		return unexpected(root, "too many categories", err);
	c.id = xcalloc(json_array_size(content) + 1, sizeof *c.id);
	c.title = xcalloc(json_array_size(content) + 1, sizeof *c.title);
	json_array_foreach(content, i, v)
	{
		long long id;
		char *title;

		/* Only real categories: the special ones are <= 0. */
		if (!get_int(json_object_get(v, "id"), &id) || id <= 0)
			continue;
		title = get_line(v, "title");
		if (title == NULL)
			continue;
		c.id[c.n] = (long)id;
		c.title[c.n++] = title;
	}
	json_decref(root);
	*out = c;
	return 0;
}

void
sync_feeds_done(struct sync_feeds *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].id);
		free(f->v[i].url);
		free(f->v[i].title);
		free(f->v[i].category);
	}
	free(f->v);
	memset(f, 0, sizeof *f);
}

int
ttrss_parse_feeds(const char *buf, size_t n, const struct ttrss_cats *cats,
                  struct sync_feeds *out, struct err *err)
{
	struct sync_feeds f = {0};
	json_t *root, *content, *v;
	size_t i;
	int rc = envelope(buf, n, &root, &content, err);

	if (rc != 0)
		return rc;
	if (!json_is_array(content))
		return unexpected(root, "feeds are not a list", err);
	if (json_array_size(content) > TTRSS_MAX_ITEMS)
		return unexpected(root, "too many feeds", err);
	f.v = xcalloc(json_array_size(content) + 1, sizeof *f.v);
	json_array_foreach(content, i, v)
	{
		struct sync_feed *sf = &f.v[f.n];
		long long id = get_id(json_object_get(v, "id"));
		long long cat = 0;
		const char *ct;
		char *url;

		url = get_line(v, "feed_url");
		/* Feeds are positive ids with a URL; virtual feeds and
		 * labels (negative ids) are not subscriptions. */
		if (id == 0 || url == NULL) {
			free(url);
			continue;
		}
		sf->id = id_string(id);
		sf->url = url;
		sf->title = get_line(v, "title");
		if (get_int(json_object_get(v, "cat_id"), &cat) &&
		    (ct = ttrss_cat_title(cats, (long)cat)) != NULL)
			sf->category = xstrdup(ct);
		f.n++;
	}
	json_decref(root);
	*out = f;
	return 0;
}

/* ---- headlines --------------------------------------------------------- */

void
sync_articles_done(struct sync_articles *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].id);
		free(a->v[i].feed_id);
		feed_item_clear(&a->v[i].item);
	}
	free(a->v);
	memset(a, 0, sizeof *a);
}

void
sync_ids_done(struct sync_ids *ids)
{
	if (ids == NULL)
		return;
	for (size_t i = 0; i < ids->n; i++)
		free(ids->v[i]);
	free(ids->v);
	memset(ids, 0, sizeof *ids);
}

static void
add_tags(struct feed_item *it, const json_t *tags)
{
	size_t i, n = 0;
	json_t *t;

	if (!json_is_array(tags))
		return;
	it->categories = xcalloc(json_array_size(tags) < FEED_MAX_LIST
	                                 ? json_array_size(tags) + 1
	                                 : FEED_MAX_LIST,
	                         sizeof *it->categories);
	json_array_foreach(tags, i, t)
	{
		char *term;

		if (n >= FEED_MAX_LIST - 1)
			break;
		/* TT-RSS sends [""] for an article without tags. */
		term = get_text(t, false, TTRSS_MAX_LINE);
		if (term != NULL)
			it->categories[n++].term = term;
	}
	it->n_categories = n;
	if (n == 0) {
		free(it->categories);
		it->categories = NULL;
	}
}

static void
add_attachments(struct feed_item *it, const json_t *att)
{
	size_t i, n = 0;
	json_t *a;

	if (!json_is_array(att) || json_array_size(att) == 0)
		return;
	it->enclosures = xcalloc(json_array_size(att) < FEED_MAX_LIST
	                                 ? json_array_size(att) + 1
	                                 : FEED_MAX_LIST,
	                         sizeof *it->enclosures);
	json_array_foreach(att, i, a)
	{
		char *url;

		if (n >= FEED_MAX_LIST - 1)
			break;
		url = get_line(a, "content_url");
		if (url == NULL)
			continue;
		it->enclosures[n].url = url;
		it->enclosures[n].type = get_line(a, "content_type");
		it->enclosures[n].length = -1;
		n++;
	}
	it->n_enclosures = n;
	if (n == 0) {
		free(it->enclosures);
		it->enclosures = NULL;
	}
}

/* One headline into a; false when it has no usable id or feed id. */
static bool
headline(const json_t *h, struct sync_article *a)
{
	long long id = get_id(json_object_get(h, "id"));
	long long feed = get_id(json_object_get(h, "feed_id"));
	long long t;
	struct feed_item *it = &a->item;
	char *s;

	memset(a, 0, sizeof *a);
	if (!json_is_object(h) || id == 0 || feed == 0)
		return false;
	a->id = id_string(id);
	a->feed_id = id_string(feed);
	a->is_read = !get_bool(json_object_get(h, "unread"), true);
	a->is_starred = get_bool(json_object_get(h, "marked"), false);
	it->id = get_line(h, "guid");
	it->title.type = FEED_TEXT_PLAIN;
	it->title.value = get_line(h, "title");
	it->link = get_line(h, "link");
	it->published = it->updated = FEED_DATE_UNKNOWN;
	if (get_int(json_object_get(h, "updated"), &t) && t > 0 &&
	    t <= DATE_MAX)
		it->published = it->updated = t;
	s = get_line(h, "author");
	if (s != NULL) {
		it->authors = xcalloc(1, sizeof *it->authors);
		it->authors[0].name = s;
		it->n_authors = 1;
	}
	s = get_text(json_object_get(h, "content"), true, FEED_MAX_FIELD_BYTES);
	if (s != NULL) {
		it->content = xcalloc(1, sizeof *it->content);
		it->content[0].type = FEED_TEXT_HTML;
		it->content[0].value = s;
		it->content[0].lang = get_line(h, "lang");
		it->n_content = 1;
	}
	it->comments = get_line(h, "comments_link");
	add_tags(it, json_object_get(h, "tags"));
	add_attachments(it, json_object_get(h, "attachments"));
	return true;
}

/* The headline list of a getHeadlines reply, with or without the header
 * include_header asks for. */
static const json_t *
headline_list(const json_t *content)
{
	if (json_is_array(content) && json_array_size(content) == 2 &&
	    json_is_object(json_array_get(content, 0)) &&
	    json_is_array(json_array_get(content, 1)))
		return json_array_get(content, 1);
	return json_is_array(content) ? content : NULL;
}

/* The envelope of a getHeadlines reply and its list, checked; on success
 * the caller owns *root, else it is freed. */
static int
open_headlines(const char *buf, size_t n, json_t **root, const json_t **list,
               struct err *err)
{
	json_t *content;
	int rc = envelope(buf, n, root, &content, err);

	if (rc != 0)
		return rc;
	*list = headline_list(content);
	if (*list == NULL)
		return unexpected(*root, "headlines are not a list", err);
	if (json_array_size(*list) > TTRSS_MAX_ITEMS)
		return unexpected(*root, "too many headlines", err);
	return 0;
}

int
ttrss_parse_headlines(const char *buf, size_t n, struct sync_articles *out,
                      struct err *err)
{
	struct sync_articles a = {0};
	json_t *root, *h;
	const json_t *list;
	size_t i;
	int rc = open_headlines(buf, n, &root, &list, err);

	if (rc != 0)
		return rc;
	a.v = xcalloc(json_array_size(list) + 1, sizeof *a.v);
	json_array_foreach(list, i, h)
	{
		if (headline(h, &a.v[a.n]))
			a.n++;
		else
			a.n_skipped++;
	}
	json_decref(root);
	*out = a;
	return 0;
}

int
ttrss_parse_ids(const char *buf, size_t n, struct sync_ids *out,
                struct err *err)
{
	struct sync_ids ids = {0};
	json_t *root, *h;
	const json_t *list;
	size_t i;
	int rc = open_headlines(buf, n, &root, &list, err);

	if (rc != 0)
		return rc;
	ids.v = xcalloc(json_array_size(list) + 1, sizeof *ids.v);
	json_array_foreach(list, i, h)
	{
		long long id = get_id(json_object_get(h, "id"));

		if (id > 0)
			ids.v[ids.n++] = id_string(id);
	}
	json_decref(root);
	*out = ids;
	return 0;
}

/* ---- requests and fuzzing ---------------------------------------------- */

void
json_put_string(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_putc(b, (char)*p);
	}
	buf_putc(b, '"');
}

void
ttrss_fuzz_one(const uint8_t *data, size_t n)
{
	const char *buf = (const char *)data;
	struct ttrss_cats cats = {0};
	struct sync_feeds feeds = {0};
	struct sync_articles arts = {0};
	struct sync_ids ids = {0};
	char *s = NULL;
	int level;
	long upd;

	if (ttrss_parse_login(buf, n, &s, &level, NULL) == 0)
		free(s);
	s = NULL;
	if (ttrss_parse_subscribe(buf, n, &s, NULL) == 0)
		free(s);
	ttrss_parse_status(buf, n, &upd, NULL);
	ttrss_parse_categories(buf, n, &cats, NULL);
	ttrss_parse_feeds(buf, n, &cats, &feeds, NULL);
	ttrss_parse_headlines(buf, n, &arts, NULL);
	ttrss_parse_ids(buf, n, &ids, NULL);
	sync_feeds_done(&feeds);
	sync_articles_done(&arts);
	sync_ids_done(&ids);
	ttrss_cats_done(&cats);
}
