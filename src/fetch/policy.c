// SPDX-License-Identifier: MIT
/*
 * The poller's pure decisions: which URLs it fetches, how it reads headers,
 * how long it waits after a failure or a cache hint, and what it tells the
 * user about a transport error. No state, no I/O: unit-tested directly.
 */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "courant/util.h"

#include "private.h"

static bool
has_forbidden_bytes(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= 0x20 || *c == 0x7f)
			return true;
	return false;
}

enum fetch_url_kind
fetch_url_kind(const char *url)
{
	const char *host;

	if (url == NULL || *url == '\0' || strlen(url) > FETCH_URL_MAX)
		return FETCH_URL_BAD;
	if (has_forbidden_bytes(url))
		return FETCH_URL_BAD;
	if (str_istarts_with(url, "http://"))
		host = url + 7;
	else if (str_istarts_with(url, "https://"))
		host = url + 8;
	else if (str_istarts_with(url, "file://"))
		/* file://host/path is not ours to follow: the path starts
		 * right after the two slashes, or after "localhost". */
		return url[7] == '/' || str_istarts_with(url + 7, "localhost/")
		               ? FETCH_URL_FILE
		               : FETCH_URL_BAD;
	else
		return FETCH_URL_BAD;
	/* A host is required: not empty, not starting with a port, a path,
	 * a query or credentials alone. */
	if (*host == '\0' || strchr("/?#:@", *host) != NULL)
		return FETCH_URL_BAD;
	return FETCH_URL_HTTP;
}

char *
fetch_host_key(const char *url)
{
	enum fetch_url_kind kind = fetch_url_kind(url);
	const char *host, *end, *at, *port = NULL;
	bool tls;
	struct buf b;

	if (kind == FETCH_URL_BAD)
		return NULL;
	if (kind == FETCH_URL_FILE)
		return xstrdup("");
	tls = str_istarts_with(url, "https://");
	host = url + (tls ? 8 : 7);
	end = host + strcspn(host, "/?#");
	/* Credentials come before the last '@' of the authority. */
	for (at = end; at > host; at--)
		if (at[-1] == '@') {
			host = at;
			break;
		}
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (close == NULL)
			return NULL;
		if (close + 1 < end && close[1] == ':')
			port = close + 2;
		else
			port = NULL;
		buf_init(&b, 0);
		buf_append(&b, host, (size_t)(close + 1 - host));
	} else {
		const char *colon = memchr(host, ':', (size_t)(end - host));

		if (colon != NULL)
			port = colon + 1;
		buf_init(&b, 0);
		buf_append(&b, host, (size_t)((colon ? colon : end) - host));
	}
	if (port != NULL && port < end) {
		buf_putc(&b, ':');
		buf_append(&b, port, (size_t)(end - port));
	} else {
		buf_puts(&b, tls ? ":443" : ":80");
	}
	return str_lower(buf_take(&b));
}

int
fetch_status_line(const char *line, size_t n)
{
	size_t i = 5;
	int code = 0;

	if (n < 10 || strncmp(line, "HTTP/", 5) != 0)
		return -1;
	while (i < n && line[i] != ' ')
		i++;
	while (i < n && line[i] == ' ')
		i++;
	if (i + 3 > n)
		return -1;
	for (size_t k = 0; k < 3; k++) {
		if (!isdigit((unsigned char)line[i + k]))
			return -1;
		code = code * 10 + (line[i + k] - '0');
	}
	if (i + 3 < n && line[i + 3] != ' ' && line[i + 3] != '\r' &&
	    line[i + 3] != '\n')
		return -1;
	return code;
}

int
fetch_header_split(const char *line, size_t n, char *name, size_t nsize,
                   const char **value, size_t *vlen)
{
	const char *colon = memchr(line, ':', n);
	const char *v, *end = line + n;
	size_t k;

	if (colon == NULL || colon == line || nsize == 0)
		return -1;
	for (k = 0; k < (size_t)(colon - line) && k + 1 < nsize; k++)
		name[k] = (char)tolower((unsigned char)line[k]);
	name[k] = '\0';
	/* A name with blanks inside is a folded or broken line. */
	if (strpbrk(name, " \t") != NULL)
		return -1;
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && str_is_space(end[-1]))
		end--;
	*value = v;
	*vlen = (size_t)(end - v);
	return 0;
}

bool
fetch_validator_ok(const char *s, size_t n)
{
	if (s == NULL || n == 0 || n > FETCH_VALIDATOR_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Non-negative decimal seconds, saturating; -1 when s is not one. */
static long
parse_seconds(const char *s, size_t n)
{
	long v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		if (v < LONG_MAX / 10 - 10)
			v = v * 10 + (s[i] - '0');
	}
	return v;
}

static long
clamp(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

long
fetch_retry_after(const char *value, feed_time now)
{
	char *copy;
	feed_time t;
	long v;

	if (value == NULL)
		return -1;
	copy = str_trim(xstrdup(value));
	v = parse_seconds(copy, strlen(copy));
	if (v < 0 && *copy != '\0') {
		t = feed_date_parse(copy);
		if (t != FEED_DATE_UNKNOWN)
			v = t <= now                    ? 0
			    : t - now > FETCH_RETRY_MAX ? FETCH_RETRY_MAX
			                                : (long)(t - now);
	}
	free(copy);
	return v < 0 ? -1 : clamp(v, 0, FETCH_RETRY_MAX);
}

long
fetch_backoff(int failures, unsigned rnd)
{
	long delay = FETCH_BACKOFF_BASE;

	if (failures <= 0)
		return 0;
	for (int i = 1; i < failures && delay < FETCH_BACKOFF_MAX; i++)
		delay *= 2;
	if (delay > FETCH_BACKOFF_MAX)
		delay = FETCH_BACKOFF_MAX;
	/* Jitter, so that feeds that failed together (a network outage)
	 * do not all come back in the same second. */
	return delay + (long)(rnd % (unsigned)(delay / 5 + 1));
}

/* The value of directive `name` in a Cache-Control list, as seconds: -1
 * when absent, -2 when present without a number. */
static long
directive(const char *cc, const char *name)
{
	size_t len = strlen(name);
	const char *p = cc;

	while (*p != '\0') {
		const char *end = p + strcspn(p, ",");
		const char *s = p;

		while (s < end && str_is_space(*s))
			s++;
		if ((size_t)(end - s) >= len &&
		    strncasecmp(s, name, len) == 0 &&
		    (s + len == end || s[len] == '=' || str_is_space(s[len]))) {
			const char *v = s + len;
			const char *ve;

			while (v < end && str_is_space(*v))
				v++;
			if (v == end || *v != '=')
				return -2;
			v++;
			while (v < end && (str_is_space(*v) || *v == '"'))
				v++;
			ve = v;
			while (ve < end && isdigit((unsigned char)*ve))
				ve++;
			return ve > v ? parse_seconds(v, (size_t)(ve - v)) : -2;
		}
		p = *end ? end + 1 : end;
	}
	return -1;
}

long
fetch_freshness(const char *cache_control, const char *expires,
                const char *date, feed_time now)
{
	feed_time e, d;

	if (cache_control != NULL) {
		long max_age;

		if (directive(cache_control, "no-store") != -1 ||
		    directive(cache_control, "no-cache") != -1)
			return 0;
		max_age = directive(cache_control, "max-age");
		if (max_age >= 0)
			return max_age;
	}
	if (expires == NULL)
		return -1;
	e = feed_date_parse(expires);
	/* RFC 9111 5.3: an invalid Expires means "already expired". */
	if (e == FEED_DATE_UNKNOWN)
		return 0;
	d = date != NULL ? feed_date_parse(date) : FEED_DATE_UNKNOWN;
	if (d == FEED_DATE_UNKNOWN)
		d = now;
	if (e <= d)
		return 0;
	return e - d > LONG_MAX / 2 ? LONG_MAX / 2 : (long)(e - d);
}

long
fetch_cache_delay(long freshness, int ttl_minutes)
{
	long delay = freshness > 0 ? freshness : 0;

	if (ttl_minutes > 0) {
		long ttl = ttl_minutes > FETCH_CACHE_MAX / 60
		                   ? FETCH_CACHE_MAX
		                   : (long)ttl_minutes * 60;

		if (ttl > delay)
			delay = ttl;
	}
	return clamp(delay, 0, FETCH_CACHE_MAX);
}

const char *
fetch_curl_message(int code)
{
	switch ((CURLcode)code) {
	case CURLE_UNSUPPORTED_PROTOCOL:
		return "refused: redirected to a scheme other than http or "
		       "https";
	case CURLE_URL_MALFORMAT:
		return "malformed URL";
	case CURLE_COULDNT_RESOLVE_PROXY:
		return "could not resolve the proxy";
	case CURLE_COULDNT_RESOLVE_HOST:
		return "could not resolve the host name";
	case CURLE_COULDNT_CONNECT:
		return "could not connect to the server";
	case CURLE_PARTIAL_FILE:
		return "the server closed the connection before the end of "
		       "the feed";
	case CURLE_WRITE_ERROR:
		return "download stopped";
	case CURLE_OUT_OF_MEMORY:
		return "out of memory (a huge header line?)";
	case CURLE_OPERATION_TIMEDOUT:
		return "timed out: the server is too slow or does not answer";
	case CURLE_TOO_MANY_REDIRECTS:
		return "too many redirects";
	case CURLE_GOT_NOTHING:
		return "the server sent nothing";
	case CURLE_SEND_ERROR:
		return "failed to send the request";
	case CURLE_RECV_ERROR:
		return "failed to receive the response";
	case CURLE_SSL_CONNECT_ERROR:
		return "TLS handshake failed";
	case CURLE_PEER_FAILED_VERIFICATION:
		return "TLS certificate verification failed";
	case CURLE_BAD_CONTENT_ENCODING:
		return "bad content encoding";
	case CURLE_FILESIZE_EXCEEDED:
		return "the feed is larger than the size limit";
	case CURLE_FILE_COULDNT_READ_FILE:
		return "could not read the file";
	case CURLE_WEIRD_SERVER_REPLY:
		return "the server's answer is not HTTP";
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return "HTTP/2 error";
	default:
		return NULL;
	}
}
