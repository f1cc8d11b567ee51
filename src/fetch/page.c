// SPDX-License-Identifier: MIT
/*
 * A one-off, blocking GET for `courant add`: is the address a feed or a web
 * page that links to feeds? Same hardening as the poller (fetch_easy_setup),
 * a small byte cap, and when only a page is wanted the download stops as
 * soon as the headers say it is not one.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "courant/fetch.h"
#include "courant/util.h"

#include "private.h"

struct page_run {
	struct fetch_page *pg;
	struct buf body;
	bool only_html;
	bool decided; /* whether it is HTML is known */
	bool over_cap;
};

static bool
is_html_type(const char *ct)
{
	return ct != NULL && (str_istarts_with(ct, "text/html") ||
	                      str_istarts_with(ct, "application/xhtml+xml"));
}

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct page_run *run = arg;
	size_t len = size * n;
	char name[32];
	const char *v;
	size_t vlen;
	int status = fetch_status_line(data, len);

	if (status >= 0) {
		if (status / 100 != 1) {
			free(run->pg->content_type);
			run->pg->content_type = NULL;
		}
		return len;
	}
	if (fetch_header_split(data, len, name, sizeof name, &v, &vlen) == 0 &&
	    strcmp(name, "content-type") == 0 && fetch_validator_ok(v, vlen)) {
		free(run->pg->content_type);
		run->pg->content_type = xstrndup(v, vlen);
	}
	return len;
}

static size_t
on_write(char *data, size_t size, size_t n, void *arg)
{
	struct page_run *run = arg;
	size_t len = size * n;

	if (!run->decided) {
		run->decided = true;
		run->pg->is_html = is_html_type(run->pg->content_type);
		/* No type at all: keep the bytes and look at them after. */
		if (run->only_html && !run->pg->is_html &&
		    run->pg->content_type != NULL)
			return 0;
	}
	if (buf_append(&run->body, data, len) < 0) {
		run->over_cap = true;
		return 0;
	}
	return len;
}

/* Without a Content-Type: an HTML page says so in its first bytes. */
static bool
sniff_html(const char *s, size_t n)
{
	size_t lim = n < 1024 ? n : 1024;

	for (size_t i = 0; i + 5 <= lim; i++)
		if (s[i] == '<' && (strncasecmp(s + i, "<html", 5) == 0 ||
		                    strncasecmp(s + i, "<!doc", 5) == 0))
			return true;
	return false;
}

struct fetch_page *
fetch_page_get(const char *url, size_t max, bool only_html,
               const struct poller_opts *opts, struct err *err)
{
	struct page_run run = {0};
	struct poller_opts o;
	char errbuf[CURL_ERROR_SIZE];
	CURL *h;
	CURLcode rc;
	char *eff = NULL;
	long status = 0;

	if (fetch_global_ref(err) < 0)
		return NULL;
	h = curl_easy_init();
	if (h == NULL) {
		err_set(err, ERR_NET, "libcurl: cannot create a transfer");
		fetch_global_unref();
		return NULL;
	}
	if (opts != NULL)
		o = *opts;
	else
		poller_opts_default(&o);
	o.max_bytes = max;
	run.pg = xcalloc(1, sizeof *run.pg);
	run.only_html = only_html;
	buf_init(&run.body, max);
	if (fetch_easy_setup(h, url, &o, errbuf, err) < 0)
		goto fail;
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &run);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &run);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	run.pg->status = (int)status;
	if (rc == CURLE_WRITE_ERROR && !run.over_cap && run.decided) {
		rc = CURLE_OK; /* stopped on purpose: not a page */
	} else if (rc == CURLE_WRITE_ERROR && run.over_cap) {
		err_set(err, ERR_NET, "the page is larger than %zu KiB",
		        max >> 10);
		goto fail;
	}
	if (rc != CURLE_OK) {
		const char *msg = fetch_curl_message(rc);

		err_set(err, ERR_NET, "%s",
		        msg != NULL ? msg : curl_easy_strerror(rc));
		goto fail;
	}
	if (run.pg->content_type == NULL)
		run.pg->is_html = sniff_html(buf_str(&run.body), run.body.len);
	curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
	run.pg->url = xstrdup(eff != NULL ? eff : url);
	run.pg->len = run.body.len;
	run.pg->body = buf_take(&run.body);
	curl_easy_cleanup(h);
	fetch_global_unref();
	return run.pg;
fail:
	buf_done(&run.body);
	fetch_page_free(run.pg);
	curl_easy_cleanup(h);
	fetch_global_unref();
	return NULL;
}

void
fetch_page_free(struct fetch_page *pg)
{
	if (pg == NULL)
		return;
	free(pg->url);
	free(pg->content_type);
	free(pg->body);
	free(pg);
}

bool
fetch_url_allowed(const char *url)
{
	return fetch_url_kind(url) != FETCH_URL_BAD;
}
