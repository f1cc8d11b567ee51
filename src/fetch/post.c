// SPDX-License-Identifier: MIT
/*
 * A blocking POST for the sync module: one easy handle kept for a whole
 * sync so that its connection is reused (a sync is dozens of requests to
 * one server), set up by fetch_easy_setup() like every other transfer,
 * plus what an API client needs: a body, a Content-Type, no redirects and
 * no "Expect: 100-continue" round trip.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "courant/fetch.h"
#include "courant/util.h"

#include "private.h"

struct fetch_post {
	CURL *h;
	struct poller_opts o;
	char *user_agent;
	struct fetch_post_stats stats;
	/* libcurl's message buffer: the handle keeps pointing at it
	 * between requests and while it is cleaned up. */
	char errbuf[CURL_ERROR_SIZE];
};

struct post_run {
	struct buf *reply;
	bool over_cap;
};

static size_t
on_write(char *data, size_t size, size_t n, void *arg)
{
	struct post_run *run = arg;
	size_t len = size * n;

	if (buf_append(run->reply, data, len) < 0) {
		run->over_cap = true;
		return 0;
	}
	return len;
}

struct fetch_post *
fetch_post_new(const struct poller_opts *o, struct err *err)
{
	struct fetch_post *fp;

	if (fetch_global_ref(err) < 0)
		return NULL;
	fp = xcalloc(1, sizeof *fp);
	fp->h = curl_easy_init();
	if (fp->h == NULL) {
		err_set(err, ERR_NET, "libcurl: cannot create a transfer");
		free(fp);
		fetch_global_unref();
		return NULL;
	}
	if (o != NULL)
		fp->o = *o;
	else
		poller_opts_default(&fp->o);
	/* o is borrowed for the call only. */
	fp->user_agent = xstrdup(fp->o.user_agent ? fp->o.user_agent : "");
	fp->o.user_agent = fp->user_agent;
	fp->o.feed_interval = NULL;
	fp->o.feed_interval_arg = NULL;
	if (fp->o.max_bytes == 0)
		fp->o.max_bytes = POLLER_MAX_BYTES;
	return fp;
}

void
fetch_post_free(struct fetch_post *fp)
{
	if (fp == NULL)
		return;
	curl_easy_cleanup(fp->h);
	free(fp->user_agent);
	free(fp);
	fetch_global_unref();
}

void
fetch_post_get_stats(const struct fetch_post *fp, struct fetch_post_stats *s)
{
	memset(s, 0, sizeof *s);
	if (fp != NULL)
		*s = fp->stats;
}

static void
count_traffic(struct fetch_post *fp)
{
	long req = 0, hdr = 0;
	curl_off_t up = 0, down = 0;

	curl_easy_getinfo(fp->h, CURLINFO_REQUEST_SIZE, &req);
	curl_easy_getinfo(fp->h, CURLINFO_HEADER_SIZE, &hdr);
	curl_easy_getinfo(fp->h, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(fp->h, CURLINFO_SIZE_DOWNLOAD_T, &down);
	fp->stats.sent +=
	        (uint64_t)(req > 0 ? req : 0) + (uint64_t)(up > 0 ? up : 0);
	fp->stats.received +=
	        (uint64_t)(hdr > 0 ? hdr : 0) + (uint64_t)(down > 0 ? down : 0);
}

int
fetch_post_send(struct fetch_post *fp, const char *url, const char *body,
                size_t n, const char *content_type, int *status,
                struct buf *reply, struct err *err)
{
	struct curl_slist *hdrs = NULL;
	struct post_run run = {reply, false};
	char *ct;
	CURLcode rc;
	long code = 0;
	int ret = -1;

	*status = 0;
	buf_reset(reply);
	if (fetch_url_kind(url) != FETCH_URL_HTTP) {
		err_set(err, ERR_USAGE, "not an http or https URL");
		return -1;
	}
	/* The handle keeps its connections and TLS sessions; every option
	 * of the previous request is dropped. */
	curl_easy_reset(fp->h);
	if (fetch_easy_setup(fp->h, url, &fp->o, fp->errbuf, err) < 0)
		return -1;
	ct = xasprintf("Content-Type: %s",
	               content_type ? content_type : "application/json");
	hdrs = curl_slist_append(hdrs, ct);
	/* No 100-continue round trip for a body of a few KiB. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	free(ct);
	rc = curl_easy_setopt(fp->h, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= curl_easy_setopt(fp->h, CURLOPT_HTTPHEADER, hdrs);
	rc |= curl_easy_setopt(fp->h, CURLOPT_POST, 1L);
	rc |= curl_easy_setopt(fp->h, CURLOPT_POSTFIELDS, body);
	rc |= curl_easy_setopt(fp->h, CURLOPT_POSTFIELDSIZE_LARGE,
	                       (curl_off_t)n);
	rc |= curl_easy_setopt(fp->h, CURLOPT_WRITEFUNCTION, on_write);
	rc |= curl_easy_setopt(fp->h, CURLOPT_WRITEDATA, &run);
	if (rc != CURLE_OK) {
		err_set(err, ERR_NET, "libcurl refused a setting (too old?)");
		goto out;
	}
	reply->max = fp->o.max_bytes;
	rc = curl_easy_perform(fp->h);
	fp->stats.requests++;
	count_traffic(fp);
	curl_easy_getinfo(fp->h, CURLINFO_RESPONSE_CODE, &code);
	*status = (int)code;
	/* Over the cap as it came, or announced so by Content-Length
	 * (CURLOPT_MAXFILESIZE_LARGE): the caller may ask for less. */
	if ((rc == CURLE_WRITE_ERROR && run.over_cap) ||
	    rc == CURLE_FILESIZE_EXCEEDED) {
		err_set(err, ERR_NET,
		        "the server's reply is larger than %zu KiB",
		        fp->o.max_bytes >> 10);
		ret = -2;
		goto out;
	}
	if (rc != CURLE_OK) {
		const char *msg = fetch_curl_message(rc);

		err_set(err, ERR_NET, "%s",
		        msg != NULL     ? msg
		        : fp->errbuf[0] ? fp->errbuf
		                        : curl_easy_strerror(rc));
		goto out;
	}
	if (code >= 300 && code < 400) {
		char *loc = NULL;

		curl_easy_getinfo(fp->h, CURLINFO_REDIRECT_URL, &loc);
		err_set(err, ERR_HTTP, "HTTP %ld: the server moved to %.150s",
		        code, loc ? loc : "another address");
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(hdrs);
	return ret;
}
