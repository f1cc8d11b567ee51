// SPDX-License-Identifier: MIT
/*
 * URI references resolved against a base, as RFC 3986 section 5.2 says:
 * split both into scheme, authority, path, query and fragment (section 3),
 * take each part from the reference or the base, merge relative paths and
 * remove "." and ".." segments. Nothing is decoded or normalised otherwise,
 * so IRIs keep their non-ASCII characters as they came.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/util.h"

/* A part of a URI reference; `defined` tells "?" (empty) from no query. */
struct span {
	const char *p;
	size_t n;
	bool defined;
};

struct uri {
	struct span scheme;
	struct span authority;
	struct span path; /* always defined, possibly empty */
	struct span query;
	struct span fragment;
};

static bool
is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Length of the scheme before ':' (RFC 3986 section 3.1), or 0. */
static size_t
scheme_length(const char *s)
{
	size_t i;

	if (!is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i] != '\0' && s[i] != ':'; i++) {
		int ch = (unsigned char)s[i];

		if (!is_alpha(ch) && !(ch >= '0' && ch <= '9') && ch != '+' &&
		    ch != '-' && ch != '.')
			return 0;
	}
	return s[i] == ':' ? i : 0;
}

static struct span
span_until(const char *s, const char *stops)
{
	struct span sp = {s, strcspn(s, stops), true};

	return sp;
}

/* Splits a reference into its five parts (RFC 3986 appendix B). */
static void
uri_split(const char *s, struct uri *u)
{
	size_t n = scheme_length(s);

	memset(u, 0, sizeof *u);
	if (n > 0) {
		u->scheme.p = s;
		u->scheme.n = n;
		u->scheme.defined = true;
		s += n + 1;
	}
	if (s[0] == '/' && s[1] == '/') {
		u->authority = span_until(s + 2, "/?#");
		s = u->authority.p + u->authority.n;
	}
	u->path = span_until(s, "?#");
	s += u->path.n;
	if (*s == '?') {
		u->query = span_until(s + 1, "#");
		s = u->query.p + u->query.n;
	}
	if (*s == '#') {
		u->fragment.p = s + 1;
		u->fragment.n = strlen(s + 1);
		u->fragment.defined = true;
	}
}

static bool
starts(const char *in, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - in) >= n && memcmp(in, prefix, n) == 0;
}

static bool
equals(const char *in, const char *end, const char *s)
{
	return (size_t)(end - in) == strlen(s) && starts(in, end, s);
}

/* Drops the last segment of out[0..*len) and the '/' before it. */
static void
drop_last_segment(const char *out, size_t *len)
{
	while (*len > 0 && out[*len - 1] != '/')
		(*len)--;
	if (*len > 0)
		(*len)--;
}

/*
 * RFC 3986 section 5.2.4, step by step: input is path[0..n), output goes
 * to buf and is never longer than the input. Appends to b.
 */
static void
remove_dot_segments(const char *path, size_t n, struct buf *b)
{
	const char *in = path, *end = path + n;
	char *out = xmalloc(n + 1);
	size_t len = 0;

	while (in < end) {
		if (starts(in, end, "../")) { /* A */
			in += 3;
		} else if (starts(in, end, "./")) {
			in += 2;
		} else if (starts(in, end, "/./")) { /* B */
			in += 2;
		} else if (equals(in, end, "/.")) {
			out[len++] = '/';
			in = end;
		} else if (starts(in, end, "/../")) { /* C */
			in += 3;
			drop_last_segment(out, &len);
		} else if (equals(in, end, "/..")) {
			drop_last_segment(out, &len);
			out[len++] = '/';
			in = end;
		} else if (equals(in, end, ".") || equals(in, end, "..")) {
			in = end; /* D */
		} else { /* E: the first segment, with its leading '/' */
			const char *seg = in;

			in++;
			while (in < end && *in != '/')
				in++;
			memcpy(out + len, seg, (size_t)(in - seg));
			len += (size_t)(in - seg);
		}
	}
	buf_append(b, out, len);
	free(out);
}

static void
put_span(struct buf *b, const char *prefix, const struct span *sp)
{
	if (!sp->defined)
		return;
	buf_puts(b, prefix);
	buf_append(b, sp->p, sp->n);
}

bool
feed_uri_is_absolute(const char *s)
{
	return s != NULL && scheme_length(s) > 0;
}

/* With ref NULL the result is NULL; otherwise a new string to free. */
char *
feed_uri_resolve(const char *base, const char *ref)
{
	struct uri b, r;
	struct buf out;
	const struct span *authority, *query;

	if (ref == NULL)
		return NULL;
	if (feed_uri_is_absolute(ref) || !feed_uri_is_absolute(base))
		return xstrdup(ref);
	uri_split(base, &b);
	uri_split(ref, &r);
	buf_init(&out, 0);
	buf_append(&out, b.scheme.p, b.scheme.n);
	buf_putc(&out, ':');
	if (r.authority.defined) {
		authority = &r.authority;
		query = &r.query;
	} else {
		authority = &b.authority;
		query = r.path.n == 0 && !r.query.defined ? &b.query : &r.query;
	}
	put_span(&out, "//", authority);
	if (r.authority.defined || (r.path.n > 0 && r.path.p[0] == '/')) {
		remove_dot_segments(r.path.p, r.path.n, &out);
	} else if (r.path.n == 0) {
		/* The base path as it is: section 5.2.2 does not clean it. */
		buf_append(&out, b.path.p, b.path.n);
	} else {
		/* Merge (section 5.2.3): the base path up to its last '/',
		 * or "/" for a base with an authority and an empty path. */
		struct buf merged;
		size_t keep = b.path.n;

		buf_init(&merged, 0);
		while (keep > 0 && b.path.p[keep - 1] != '/')
			keep--;
		if (b.authority.defined && b.path.n == 0)
			buf_putc(&merged, '/');
		else
			buf_append(&merged, b.path.p, keep);
		buf_append(&merged, r.path.p, r.path.n);
		remove_dot_segments(merged.data, merged.len, &out);
		buf_done(&merged);
	}
	put_span(&out, "?", query);
	put_span(&out, "#", &r.fragment);
	return buf_take(&out);
}
