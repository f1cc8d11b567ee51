// SPDX-License-Identifier: MIT
/*
 * One place that says how courant talks HTTP: every easy handle, the
 * poller's and the one-off page fetch of `courant add`, goes through
 * fetch_easy_setup(), so the hardening of SECURITY.md 3.2 cannot be
 * forgotten on one path.
 */
#include "config.h"

#include <curl/curl.h>

#include "courant/fetch.h"
#include "courant/util.h"

#include "private.h"

#define USER_AGENT PACKAGE_NAME "/" PACKAGE_VERSION " (+" PACKAGE_URL ")"

static int global_refs;

int
fetch_global_ref(struct err *err)
{
	if (global_refs == 0) {
		CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

		if (rc != CURLE_OK) {
			err_set(err, ERR_NET, "libcurl: %s",
			        curl_easy_strerror(rc));
			return -1;
		}
	}
	global_refs++;
	return 0;
}

void
fetch_global_unref(void)
{
	if (global_refs > 0 && --global_refs == 0)
		curl_global_cleanup();
}

int
fetch_easy_setup(void *curl, const char *url, const struct poller_opts *o,
                 char *errbuf, struct err *err)
{
	CURL *h = curl;
	enum fetch_url_kind kind = fetch_url_kind(url);
	CURLcode rc = CURLE_OK;

	if (kind == FETCH_URL_BAD) {
		err_set(err, ERR_USAGE, "not an http, https or file URL");
		return -1;
	}
	errbuf[0] = '\0';
	rc |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	rc |= curl_easy_setopt(h, CURLOPT_URL, url);
	/* file:// only for a URL the user wrote; a redirect never goes
	 * anywhere but http and https. */
	rc |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
	                       kind == FETCH_URL_FILE ? "file" : "http,https");
	rc |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(h, CURLOPT_DEFAULT_PROTOCOL, "https");
	rc |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	rc |= curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	rc |= curl_easy_setopt(h, CURLOPT_POSTREDIR, 0L);
	rc |= curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	rc |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	rc |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_limit);
	rc |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->low_speed_time);
	rc |= curl_easy_setopt(h, CURLOPT_TIMEOUT, o->total_timeout);
	rc |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	                       (curl_off_t)o->max_bytes);
	/* Every encoding libcurl was built with; the write callback sees
	 * decoded bytes, so the byte cap bounds a compression bomb. */
	rc |= curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	rc |= curl_easy_setopt(h, CURLOPT_FAILONERROR, 0L);
	rc |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	rc |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	rc |= curl_easy_setopt(h, CURLOPT_SSLVERSION,
	                       (long)CURL_SSLVERSION_TLSv1_2);
	rc |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	rc |= curl_easy_setopt(h, CURLOPT_USERAGENT,
	                       o->user_agent && *o->user_agent ? o->user_agent
	                                                       : USER_AGENT);
	/* Wait for a connection that can multiplex (HTTP/2) rather than
	 * open one more. Only https offers HTTP/2 (ALPN); on http the wait
	 * would hold a host's next transfers until its first connection
	 * has answered, for nothing. */
	rc |= curl_easy_setopt(h, CURLOPT_PIPEWAIT,
	                       str_istarts_with(url, "https:") ? 1L : 0L);
	/* A proxy's CONNECT answer is not the feed's. */
	rc |= curl_easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	if (rc != CURLE_OK) {
		/* The codes were or-ed together: only "some" is known. */
		err_set(err, ERR_NET, "libcurl refused a setting (too old?)");
		return -1;
	}
	return 0;
}
