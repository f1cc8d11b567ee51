// SPDX-License-Identifier: MIT
/*
 * The poller: a queue of feeds to refresh, one libcurl multi handle running
 * at most max_transfers of them (and max_host per host), and for each
 * transfer a feed parser fed from the write callback and a store refresh
 * collecting its items. A finished transfer is stored in one transaction; a
 * failed one drops what it collected and records only the failure.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

/* The response headers the poller keeps; everything else is dropped. */
enum hdr {
	H_ETAG,
	H_LAST_MODIFIED,
	H_CONTENT_TYPE,
	H_RETRY_AFTER,
	H_CACHE_CONTROL,
	H_EXPIRES,
	H_DATE,
	H_N
};

static const char *const hdr_names[H_N] = {
        "etag",          "last-modified", "content-type", "retry-after",
        "cache-control", "expires",       "date",
};

#define HDR_MAX 1024
/* poller_work() stores no more feeds once it has run this long: the UI's
 * loop gets its turn, and poller_timeout_ms() says 0 meanwhile. */
#define WORK_BUDGET_MS 20

struct pending {
	long feed_id;
	enum poll_mode mode;
	int host; /* index in poller.hosts; -1: takes no connection */
};

/* A host:port, for the per-host cap. Indices into poller.hosts stay
 * valid: hosts are only ever added. */
struct host {
	char *key;
	int n;      /* transfers running */
	int queued; /* feeds waiting in the queue */
	int idle;   /* connections probably left open by finished transfers */
};

struct transfer {
	struct poller *p;
	CURL *h;
	struct transfer *next;
	struct curl_slist *req_headers;
	char errbuf[CURL_ERROR_SIZE];
	long feed_id;
	enum poll_mode mode;
	char *url;
	char *title;
	int host;
	bool in_multi;
	CURLcode result; /* once done */
	bool is_file;
	bool was_dead;
	int failures; /* before this attempt */
	/* The response being received (reset at each status line). */
	int status;
	int n_redirects;
	bool permanent; /* every redirect so far was 301 or 308 */
	char *hdr[H_N];
	uint64_t bytes;
	bool over_cap;
	bool stopped; /* the parser refused more */
	struct err parse_err;
	struct feed_parser *parser;
	struct store_refresh *refresh;
};

struct poller {
	struct store *st;
	struct poller_opts o;
	poll_report_fn *fn;
	void *arg;
	CURLM *m;
	const char *notice;
	struct pending *queue;
	size_t n_queue, cap_queue;
	struct transfer *running;
	int n_running;
	/* Done transfers not yet stored, oldest first. */
	struct transfer *done, **done_tail;
	int n_done; /* at most max_transfers: bounds the memory held */
	struct host *hosts;
	size_t n_hosts;
	long interval;
	time_t next_auto;
	uint64_t rnd;
	struct poller_stats stats;
};

void
poller_opts_default(struct poller_opts *o)
{
	o->max_transfers = POLLER_MAX_TRANSFERS;
	o->max_host = POLLER_MAX_HOST;
	o->max_bytes = POLLER_MAX_BYTES;
	o->connect_timeout = 15;
	o->low_speed_time = 30;
	o->low_speed_limit = 100;
	o->total_timeout = 120;
	o->user_agent = NULL;
	o->feed_interval = NULL;
	o->feed_interval_arg = NULL;
}

static unsigned
next_random(struct poller *p)
{
	/* xorshift64: jitter needs spread, not secrecy. */
	p->rnd ^= p->rnd << 13;
	p->rnd ^= p->rnd >> 7;
	p->rnd ^= p->rnd << 17;
	return (unsigned)(p->rnd >> 32);
}

struct poller *
poller_new(struct store *st, const struct poller_opts *o, poll_report_fn *fn,
           void *arg, struct err *err)
{
	struct poller *p;
	const curl_version_info_data *v;

	if (fetch_global_ref(err) < 0)
		return NULL;
	p = xcalloc(1, sizeof *p);
	p->st = st;
	if (o != NULL)
		p->o = *o;
	else
		poller_opts_default(&p->o);
	if (p->o.max_transfers < 1)
		p->o.max_transfers = 1;
	if (p->o.max_host < 1)
		p->o.max_host = 1;
	p->fn = fn;
	p->arg = arg;
	p->done_tail = &p->done;
	p->rnd = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^
	         (uint64_t)(uintptr_t)p;
	if (p->rnd == 0)
		p->rnd = 1;
	v = curl_version_info(CURLVERSION_NOW);
	if (!(v->features & CURL_VERSION_ASYNCHDNS))
		p->notice = "libcurl resolves host names synchronously: "
		            "the screen may freeze during name lookups";
	p->m = curl_multi_init();
	if (p->m == NULL) {
		err_set(err, ERR_NET, "libcurl: cannot create a multi handle");
		free(p);
		fetch_global_unref();
		return NULL;
	}
	curl_multi_setopt(p->m, CURLMOPT_MAX_HOST_CONNECTIONS,
	                  (long)p->o.max_host);
	curl_multi_setopt(p->m, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	                  (long)p->o.max_transfers);
	curl_multi_setopt(p->m, CURLMOPT_MAXCONNECTS, (long)p->o.max_transfers);
	curl_multi_setopt(p->m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	return p;
}

const char *
poller_notice(const struct poller *p)
{
	return p->notice;
}

static void
transfer_free(struct transfer *t)
{
	if (t == NULL)
		return;
	if (t->h != NULL) {
		if (t->in_multi)
			curl_multi_remove_handle(t->p->m, t->h);
		curl_easy_cleanup(t->h);
	}
	curl_slist_free_all(t->req_headers);
	for (int i = 0; i < H_N; i++)
		free(t->hdr[i]);
	feed_parser_free(t->parser);
	store_refresh_free(t->refresh);
	free(t->url);
	free(t->title);
	free(t);
}

/* The index of url's host in p->hosts, added when new; -1 for a URL that
 * takes no connection (file://) or cannot be used. */
static int
host_index(struct poller *p, const char *url)
{
	char *key = fetch_host_key(url);
	size_t i;

	if (key == NULL || *key == '\0') {
		free(key);
		return -1;
	}
	for (i = 0; i < p->n_hosts; i++)
		if (strcmp(p->hosts[i].key, key) == 0)
			break;
	if (i == p->n_hosts) {
		p->hosts = xreallocarray(p->hosts, p->n_hosts + 1,
		                         sizeof *p->hosts);
		p->hosts[i].key = key;
		p->hosts[i].n = 0;
		p->hosts[i].queued = 0;
		p->hosts[i].idle = 0;
		p->n_hosts++;
	} else {
		free(key);
	}
	return (int)i;
}

void
poller_cancel(struct poller *p)
{
	for (size_t i = 0; i < p->n_hosts; i++)
		p->hosts[i].queued = 0;
	p->n_queue = 0;
}

void
poller_free(struct poller *p)
{
	if (p == NULL)
		return;
	while (p->running != NULL) {
		struct transfer *t = p->running;

		p->running = t->next;
		transfer_free(t);
	}
	while (p->done != NULL) {
		struct transfer *t = p->done;

		p->done = t->next;
		transfer_free(t);
	}
	poller_cancel(p);
	free(p->queue);
	for (size_t i = 0; i < p->n_hosts; i++)
		free(p->hosts[i].key);
	free(p->hosts);
	curl_multi_cleanup(p->m);
	free(p);
	fetch_global_unref();
}

static bool
is_known(const struct poller *p, long feed_id)
{
	for (size_t i = 0; i < p->n_queue; i++)
		if (p->queue[i].feed_id == feed_id)
			return true;
	for (const struct transfer *t = p->running; t; t = t->next)
		if (t->feed_id == feed_id)
			return true;
	for (const struct transfer *t = p->done; t; t = t->next)
		if (t->feed_id == feed_id)
			return true;
	return false;
}

static void
enqueue(struct poller *p, const struct store_feed *f, enum poll_mode mode)
{
	struct pending *q;

	/* A feed of a sync account comes from its server (src/sync/), never
	 * from its own URL, whatever the mode: it is neither fetched nor
	 * reported, as if it were not in the list. */
	if (f->source != NULL)
		return;
	if (is_known(p, f->id))
		return;
	if (p->n_queue == p->cap_queue) {
		p->cap_queue = p->cap_queue ? p->cap_queue * 2 : 32;
		p->queue =
		        xreallocarray(p->queue, p->cap_queue, sizeof *p->queue);
	}
	q = &p->queue[p->n_queue++];
	q->feed_id = f->id;
	q->mode = mode;
	q->host = host_index(p, f->fetch_url ? f->fetch_url : f->url);
	if (q->host >= 0)
		p->hosts[q->host].queued++;
}

int
poller_refresh(struct poller *p, long feed_id, enum poll_mode mode,
               struct err *err)
{
	size_t before = p->n_queue;

	if (feed_id == 0) {
		struct store_feed_list *l = store_feeds(p->st, NULL, err);

		if (l == NULL)
			return -1;
		poller_refresh_list(p, l->feeds, l->n, mode);
		store_feed_list_free(l);
	} else {
		struct store_feed *f = store_feed_get(p->st, feed_id, err);

		if (f == NULL)
			return -1;
		enqueue(p, f, mode);
		store_feed_free(f);
	}
	return (int)(p->n_queue - before);
}

int
poller_refresh_list(struct poller *p, const struct store_feed *feeds, size_t n,
                    enum poll_mode mode)
{
	size_t before = p->n_queue;

	for (size_t i = 0; i < n; i++)
		enqueue(p, &feeds[i], mode);
	return (int)(p->n_queue - before);
}

void
poller_set_interval(struct poller *p, long seconds)
{
	p->interval = seconds > 0 ? seconds : 0;
	if (p->interval > 0)
		p->next_auto = time(NULL) + p->interval;
}

bool
poller_busy(const struct poller *p)
{
	return p->n_queue > 0 || p->running != NULL || p->done != NULL;
}

void
poller_get_stats(const struct poller *p, struct poller_stats *s)
{
	*s = p->stats;
	s->queued = (int)p->n_queue;
	s->running = p->n_running;
}

static void
report(struct poller *p, struct poll_report *r)
{
	p->stats.done++;
	if (r->outcome == POLL_FAILED)
		p->stats.failed++;
	p->stats.new_items += r->new_items;
	if (p->fn != NULL)
		p->fn(r, p->arg);
}

/* Sets err to "what (detail)" with the detail sanitized. */
static void
set_error(struct err *err, enum err_code code, const char *what,
          const char *detail)
{
	char *clean;

	if (detail == NULL || *detail == '\0') {
		err_set(err, code, "%s", what);
		return;
	}
	clean = text_sanitize(detail, strlen(detail), 0, 160);
	err_set(err, code, "%s (%s)", what, clean);
	free(clean);
}

/* ---- callbacks ---------------------------------------------------------- */

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	char name[32];
	const char *v;
	size_t vlen;
	int status = fetch_status_line(data, len);

	if (status >= 0) {
		if (status / 100 == 1)
			return len; /* 100 Continue and friends */
		if (t->status / 100 == 3) {
			/* The previous response was a redirect libcurl is
			 * following: is the chain still all permanent? */
			t->n_redirects++;
			if (t->status != 301 && t->status != 308)
				t->permanent = false;
		}
		t->status = status;
		for (int i = 0; i < H_N; i++) {
			free(t->hdr[i]);
			t->hdr[i] = NULL;
		}
		return len;
	}
	if (fetch_header_split(data, len, name, sizeof name, &v, &vlen) < 0)
		return len;
	for (int i = 0; i < H_N; i++) {
		if (strcmp(name, hdr_names[i]) != 0)
			continue;
		/* Validators go back to the server verbatim; others are
		 * only read. Both are capped and free of control bytes. */
		if (!fetch_validator_ok(v, vlen) || vlen > HDR_MAX)
			break;
		free(t->hdr[i]);
		t->hdr[i] = xstrndup(v, vlen);
		break;
	}
	return len;
}

static int
on_item(const struct feed_item *item, void *arg)
{
	struct transfer *t = arg;

	store_refresh_add(t->refresh, item);
	return 0;
}

static bool
body_is_feed(const struct transfer *t)
{
	if (t->is_file)
		return true;
	return t->status >= 200 && t->status < 300 && t->status != 204 &&
	       t->status != 206;
}

static void
start_parser(struct transfer *t)
{
	struct feed_source src = {0};
	char *eff = NULL;

	curl_easy_getinfo(t->h, CURLINFO_EFFECTIVE_URL, &eff);
	src.url = eff != NULL ? eff : t->url;
	src.content_type = t->hdr[H_CONTENT_TYPE];
	t->parser = feed_parser_new(&src, on_item, t);
	t->refresh = store_refresh_new(t->p->st, t->feed_id);
}

static size_t
on_write(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;

	t->bytes += len;
	t->p->stats.bytes += len;
	/* Decoded bytes: this, not MAXFILESIZE, stops an endless chunked
	 * body or a compression bomb (SECURITY.md 3.2). */
	if (t->bytes > t->p->o.max_bytes) {
		t->over_cap = true;
		return 0;
	}
	if (!body_is_feed(t))
		return len; /* an error page: counted, dropped */
	if (t->parser == NULL)
		start_parser(t);
	if (feed_parser_push(t->parser, data, len, &t->parse_err) < 0) {
		t->stopped = true;
		return 0;
	}
	return len;
}

/* ---- starting ----------------------------------------------------------- */

static void
skip(struct poller *p, const struct store_feed *f, const char *why,
     feed_time until)
{
	struct poll_report r = {0};
	struct err e;

	err_set(&e, ERR_USAGE, "%s", why);
	r.feed_id = f->id;
	r.outcome = POLL_SKIPPED;
	r.title = f->title;
	r.url = f->fetch_url ? f->fetch_url : f->url;
	r.not_before = until;
	r.is_dead = f->is_dead;
	r.err = &e;
	report(p, &r);
}

static void
fail_early(struct poller *p, long feed_id, const char *title, const char *url,
           const struct err *e, feed_time not_before)
{
	struct poll_report r = {0};

	r.feed_id = feed_id;
	r.outcome = POLL_FAILED;
	r.title = title;
	r.url = url;
	r.err = e;
	r.not_before = not_before;
	report(p, &r);
}

static int
setup_transfer(struct transfer *t, const struct store_feed *f, struct err *err)
{
	CURLcode rc = CURLE_OK;

	t->h = curl_easy_init();
	if (t->h == NULL) {
		err_set(err, ERR_NET, "libcurl: cannot create a transfer");
		return -1;
	}
	if (fetch_easy_setup(t->h, t->url, &t->p->o, t->errbuf, err) < 0)
		return -1;
	/* Conditional GET: the validators go back exactly as received. */
	if (!t->is_file && f->etag != NULL) {
		char *h = xasprintf("If-None-Match: %s", f->etag);

		t->req_headers = curl_slist_append(t->req_headers, h);
		free(h);
	}
	if (!t->is_file && f->last_modified != NULL) {
		char *h = xasprintf("If-Modified-Since: %s", f->last_modified);

		t->req_headers = curl_slist_append(t->req_headers, h);
		free(h);
	}
	rc |= curl_easy_setopt(t->h, CURLOPT_HTTPHEADER, t->req_headers);
	rc |= curl_easy_setopt(t->h, CURLOPT_HEADERFUNCTION, on_header);
	rc |= curl_easy_setopt(t->h, CURLOPT_HEADERDATA, t);
	rc |= curl_easy_setopt(t->h, CURLOPT_WRITEFUNCTION, on_write);
	rc |= curl_easy_setopt(t->h, CURLOPT_WRITEDATA, t);
	rc |= curl_easy_setopt(t->h, CURLOPT_PRIVATE, t);
	if (rc != CURLE_OK) {
		err_set(err, ERR_NET, "libcurl refused a setting");
		return -1;
	}
	if (curl_multi_add_handle(t->p->m, t->h) != CURLM_OK) {
		err_set(err, ERR_NET, "libcurl: cannot start a transfer");
		return -1;
	}
	t->in_multi = true;
	return 0;
}

/* Starts the refresh of q, or reports why not. */
static void
start(struct poller *p, const struct pending *q)
{
	struct err err = {0};
	struct store_feed *f = store_feed_get(p->st, q->feed_id, &err);
	struct transfer *t;
	time_t now = time(NULL);
	const char *url;

	if (f == NULL) {
		fail_early(p, q->feed_id, NULL, NULL, &err, 0);
		return;
	}
	if (f->is_dead && q->mode != POLL_FORCE) {
		skip(p, f, "dead: the server said 410 Gone", 0);
		goto out;
	}
	/* After failures, next_fetch is Retry-After or backoff, which only
	 * a forced refresh ignores; after a success it is the cache
	 * lifetime, which binds automatic refreshes only. */
	if (q->mode != POLL_FORCE && f->next_fetch > now &&
	    (f->failures > 0 || q->mode == POLL_AUTO)) {
		skip(p, f,
		     f->failures > 0 ? "waiting after failures (Retry-After "
		                       "or backoff)"
		                     : "fresh: the cache lifetime has not "
		                       "run out",
		     f->next_fetch);
		goto out;
	}
	url = f->fetch_url ? f->fetch_url : f->url;
	t = xcalloc(1, sizeof *t);
	t->p = p;
	t->feed_id = f->id;
	t->mode = q->mode;
	t->url = xstrdup(url);
	t->title = xstrdup(f->title ? f->title : url);
	t->host = q->host;
	t->is_file = fetch_url_kind(url) == FETCH_URL_FILE;
	t->was_dead = f->is_dead;
	t->failures = f->failures;
	t->permanent = true;
	if (setup_transfer(t, f, &err) < 0) {
		struct store_fetch sf = {0};
		struct err ignored;

		sf.time = now;
		sf.next_fetch =
		        now + fetch_backoff(f->failures + 1, next_random(p));
		store_fetch_failed(p->st, f->id, &sf, err.msg, &ignored);
		fail_early(p, f->id, f->title, url, &err, sf.next_fetch);
		transfer_free(t);
		goto out;
	}
	t->next = p->running;
	p->running = t;
	p->n_running++;
	if (p->n_running > p->stats.max_running)
		p->stats.max_running = p->n_running;
	if (t->host >= 0) {
		struct host *h = &p->hosts[t->host];

		h->n++;
		if (h->idle > 0)
			h->idle--;
	}
out:
	store_feed_free(f);
}

/*
 * Index of the queued feed to start next, or -1. file:// and unusable URLs
 * take no connection and go first. Among hosts with room, the one with the
 * most feeds still queued: hosts then run dry together, and the end of a
 * refresh is not left to a few hosts at max_host transfers each. A host
 * with a connection left open by a finished transfer counts two feeds
 * more: reusing it saves a connect (a TLS handshake), and with more hosts
 * than connections libcurl would otherwise close one host's idle
 * connection to open another's. Ties go to the first queued.
 */
static long
pick(const struct poller *p)
{
	long best = -1;
	int best_score = -1;

	for (size_t i = 0; i < p->n_queue; i++) {
		int k = p->queue[i].host;
		const struct host *h;
		int score;

		if (k < 0)
			return (long)i;
		h = &p->hosts[k];
		if (h->n >= p->o.max_host)
			continue;
		score = h->queued + (h->idle > 0 ? 1000000 : 0);
		if (score > best_score) {
			best = (long)i;
			best_score = score;
		}
	}
	return best;
}

/*
 * Starts queued feeds while there is room; returns how many. A done
 * transfer holds its parsed items until stored: when storing falls behind
 * the network, no more start until it catches up.
 */
static int
start_queued(struct poller *p)
{
	int n = 0;
	long i;

	while (p->n_running < p->o.max_transfers &&
	       p->n_done < p->o.max_transfers && (i = pick(p)) >= 0) {
		struct pending q = p->queue[i];

		if (q.host >= 0)
			p->hosts[q.host].queued--;
		memmove(&p->queue[i], &p->queue[i + 1],
		        (p->n_queue - (size_t)i - 1) * sizeof *p->queue);
		p->n_queue--;
		start(p, &q);
		n++;
	}
	return n;
}

/* ---- finishing ---------------------------------------------------------- */

static const char *
http_reason(int status)
{
	switch (status) {
	case 400:
		return "bad request";
	case 401:
		return "authentication required";
	case 403:
		return "forbidden";
	case 404:
		return "not found";
	case 405:
		return "method not allowed";
	case 406:
		return "not acceptable";
	case 408:
		return "request timeout";
	case 410:
		return "gone: the feed was removed, it will not be fetched "
		       "again";
	case 429:
		return "too many requests";
	case 451:
		return "unavailable for legal reasons";
	case 500:
		return "internal server error";
	case 502:
		return "bad gateway";
	case 503:
		return "service unavailable";
	case 504:
		return "gateway timeout";
	default:
		return status >= 500 ? "server error" : "unexpected status";
	}
}

/* The URL a permanent redirect chain led to, when it should replace the
 * stored one: all hops 301/308, never from https down to http. */
static const char *
moved_to(struct transfer *t)
{
	char *eff = NULL;

	if (t->n_redirects == 0 || !t->permanent)
		return NULL;
	curl_easy_getinfo(t->h, CURLINFO_EFFECTIVE_URL, &eff);
	if (eff == NULL || strcmp(eff, t->url) == 0 ||
	    fetch_url_kind(eff) != FETCH_URL_HTTP)
		return NULL;
	if (str_istarts_with(t->url, "https:") &&
	    !str_istarts_with(eff, "https:"))
		return NULL;
	return eff;
}

static long
cache_delay(const struct transfer *t, int ttl_minutes, time_t now)
{
	long fresh = fetch_freshness(t->hdr[H_CACHE_CONTROL], t->hdr[H_EXPIRES],
	                             t->hdr[H_DATE], now);

	return fetch_cache_delay(fresh, ttl_minutes);
}

static void
finish(struct poller *p, struct transfer *t, CURLcode result)
{
	struct poll_report r = {0};
	struct store_fetch sf = {0};
	struct err err = {0};
	time_t now = time(NULL);
	long delay;

	sf.time = now;
	sf.status = t->status;
	r.feed_id = t->feed_id;
	r.title = t->title;
	r.url = t->url;
	r.status = t->status;
	r.bytes = t->bytes;

	if (result != CURLE_OK) {
		const char *msg = fetch_curl_message(result);

		if (t->over_cap)
			err_set(&err, ERR_NET,
			        "the feed is larger than %zu KiB",
			        p->o.max_bytes >> 10);
		else if (t->stopped)
			err = t->parse_err;
		else if (result == CURLE_FILESIZE_EXCEEDED)
			err_set(&err, ERR_NET,
			        "the feed is larger than %zu KiB "
			        "(Content-Length)",
			        p->o.max_bytes >> 10);
		else if (result == CURLE_UNSUPPORTED_PROTOCOL && !t->is_file &&
		         t->status / 100 != 3)
			/* No redirect was refused: libcurl refused an
			 * HTTP/0.9 answer (no status line), which is what
			 * any other protocol's banner looks like. */
			err_set(&err, ERR_NET, "%s",
			        fetch_curl_message(CURLE_WEIRD_SERVER_REPLY));
		else if (result == CURLE_URL_MALFORMAT && t->status / 100 == 3)
			err_set(&err, ERR_NET,
			        "refused: redirected to a malformed URL");
		else if (msg != NULL && result != CURLE_COULDNT_RESOLVE_HOST &&
		         result != CURLE_COULDNT_CONNECT &&
		         result != CURLE_PEER_FAILED_VERIFICATION &&
		         result != CURLE_SSL_CONNECT_ERROR &&
		         result != CURLE_RECV_ERROR &&
		         result != CURLE_SEND_ERROR &&
		         result != CURLE_BAD_CONTENT_ENCODING)
			err_set(&err, ERR_NET, "%s", msg);
		else
			set_error(&err, ERR_NET,
			          msg ? msg : curl_easy_strerror(result),
			          t->errbuf);
		goto failed;
	}
	if (!t->is_file && t->status == 304) {
		delay = cache_delay(t, -1, now);
		sf.etag = t->hdr[H_ETAG];
		sf.last_modified = t->hdr[H_LAST_MODIFIED];
		sf.new_url = moved_to(t);
		sf.next_fetch = delay > 0 ? now + delay : 0;
		if (store_fetch_unchanged(p->st, t->feed_id, &sf, &err) < 0)
			goto failed;
		if (t->was_dead)
			store_feed_revive(p->st, t->feed_id, NULL);
		r.outcome = POLL_UNCHANGED;
		r.new_url = sf.new_url;
		r.not_before = sf.next_fetch;
		goto done;
	}
	if (!body_is_feed(t)) {
		err_set(&err, ERR_HTTP, "HTTP %d: %s", t->status,
		        http_reason(t->status));
		goto failed;
	}
	if (t->parser == NULL)
		start_parser(t); /* an empty body: let the parser say so */
	if (feed_parser_finish(t->parser, &err) < 0)
		goto failed;
	if (feed_parser_info(t->parser)->format == FEED_FORMAT_UNKNOWN) {
		const char *why = feed_parser_error(t->parser);

		set_error(&err, ERR_PARSE,
		          t->bytes == 0 ? "empty response"
		                        : "not an RSS or Atom feed",
		          t->bytes == 0 ? NULL : why);
		goto failed;
	}
	{
		const struct feed_info *info = feed_parser_info(t->parser);
		struct store_refresh_stats st = {0};
		struct store_refresh *ref = t->refresh;

		delay = cache_delay(t, info->ttl_minutes, now);
		sf.etag = t->hdr[H_ETAG];
		sf.last_modified = t->hdr[H_LAST_MODIFIED];
		sf.new_url = moved_to(t);
		sf.next_fetch = delay > 0 ? now + delay : 0;
		t->refresh = NULL; /* commit frees it, always */
		if (store_refresh_commit(ref, info, &sf, &st, &err) < 0)
			goto failed;
		if (t->was_dead)
			store_feed_revive(p->st, t->feed_id, NULL);
		r.outcome = POLL_UPDATED;
		/* Cut short (a lying Content-Length, a file being written):
		 * what came before the cut is stored, and the user told. */
		if (feed_parser_truncated(t->parser)) {
			set_error(&err, ERR_PARSE, "the feed was cut short",
			          feed_parser_truncation(t->parser));
			r.err = &err;
		}
		r.new_items = st.n_new;
		r.new_url = sf.new_url;
		r.not_before = sf.next_fetch;
		goto done;
	}

failed:
	/* Nothing collected is kept: the previous items stay as they were. */
	store_refresh_free(t->refresh);
	t->refresh = NULL;
	if (t->status == 429 || t->status == 503) {
		long ra = fetch_retry_after(t->hdr[H_RETRY_AFTER], now);

		delay = ra >= 0 ? ra
		                : fetch_backoff(t->failures + 1,
		                                next_random(p));
		if (ra >= 0) {
			size_t l = strlen(err.msg);

			snprintf(err.msg + l, sizeof err.msg - l,
			         ", retry after %ld s", ra);
		}
	} else {
		delay = fetch_backoff(t->failures + 1, next_random(p));
	}
	sf.next_fetch = now + delay;
	{
		struct err db = {0};

		if (store_fetch_failed(p->st, t->feed_id, &sf, err.msg, &db) <
		    0) {
			size_t l = strlen(err.msg);

			snprintf(err.msg + l, sizeof err.msg - l,
			         "; not recorded: %.100s", db.msg);
		}
	}
	r.outcome = POLL_FAILED;
	r.not_before = sf.next_fetch;
	r.is_dead = t->status == 410;
	r.err = &err;
done:
	report(p, &r);
}

/* ---- the loop ----------------------------------------------------------- */

/*
 * Moves every transfer libcurl reports done from the running list to the
 * done list, freeing its slot and its connection at once; storing it
 * waits for finish().
 */
static void
collect(struct poller *p)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(p->m, &left)) != NULL) {
		struct transfer *t = NULL, **link;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		                  (char **)&t);
		t->result = msg->data.result;
		for (link = &p->running; *link; link = &(*link)->next)
			if (*link == t) {
				*link = t->next;
				break;
			}
		/* After msg was read: it points into the handle's state. */
		curl_multi_remove_handle(p->m, t->h);
		t->in_multi = false;
		p->n_running--;
		if (t->host >= 0) {
			struct host *h = &p->hosts[t->host];

			h->n--;
			if (t->result == CURLE_OK && h->idle < p->o.max_host)
				h->idle++;
		}
		t->next = NULL;
		*p->done_tail = t;
		p->done_tail = &t->next;
		p->n_done++;
	}
}

static long
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* The periodic refresh: every feed, or those due by their own interval. */
static void
auto_refresh(struct poller *p)
{
	struct store_feed_list *l;
	time_t now = time(NULL);

	if (p->o.feed_interval == NULL) {
		poller_refresh(p, 0, POLL_AUTO, NULL);
		return;
	}
	l = store_feeds(p->st, NULL, NULL);
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		const struct store_feed *f = &l->feeds[i];
		long every = p->o.feed_interval(f, p->o.feed_interval_arg);

		if (every <= 0)
			continue;
		/* A tenth of slack: the check itself is jittered. */
		if (f->last_fetch > 0 &&
		    (feed_time)now - f->last_fetch < every - every / 10)
			continue;
		enqueue(p, f, POLL_AUTO);
	}
	store_feed_list_free(l);
}

int
poller_work(struct poller *p)
{
	int before = p->stats.done;
	int still, stored = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (p->interval > 0 && time(NULL) >= p->next_auto) {
		auto_refresh(p);
		p->next_auto = time(NULL) + p->interval +
		               (long)(next_random(p) %
		                      (unsigned)(p->interval / 10 + 1));
	}
	/*
	 * Storing a feed blocks for milliseconds (one transaction, with
	 * its full-text index). So the network goes first: a finished
	 * transfer's slot is refilled and the new request sent before
	 * anything is stored, and libcurl is given a turn (reading and
	 * parsing what arrived meanwhile) between two feeds stored. With
	 * 16 transfers answering together, storing them all before
	 * starting the next would leave every slot idle for that long.
	 * Starting may finish a transfer at once (file://, a refused URL):
	 * go round until nothing starts and nothing is left to store, or
	 * the time budget is spent (at least one feed is stored per call).
	 */
	for (;;) {
		struct transfer *t;

		curl_multi_perform(p->m, &still);
		collect(p);
		if (start_queued(p) > 0)
			continue; /* perform again: sends the requests */
		t = p->done;
		if (t == NULL ||
		    (stored > 0 && elapsed_ms(&t0) >= WORK_BUDGET_MS))
			break;
		stored++;
		p->done = t->next;
		if (p->done == NULL)
			p->done_tail = &p->done;
		p->n_done--;
		finish(p, t, t->result);
		transfer_free(t);
	}
	/* Nothing left to store: what is left of the budget goes to the
	 * store's index merging, which refreshes no longer do. */
	if (p->done == NULL && elapsed_ms(&t0) < WORK_BUDGET_MS)
		store_maintain(p->st, WORK_BUDGET_MS - (int)elapsed_ms(&t0),
		               NULL);
	return p->stats.done - before;
}

int
poller_timeout_ms(struct poller *p)
{
	long ms = -1;

	if (p->done != NULL)
		return 0;
	if (p->n_queue > 0 && p->n_running < p->o.max_transfers && pick(p) >= 0)
		return 0;
	curl_multi_timeout(p->m, &ms);
	if (p->interval > 0) {
		time_t now = time(NULL);
		long auto_ms = p->next_auto > now
		                       ? (long)(p->next_auto - now) * 1000
		                       : 0;

		if (ms < 0 || auto_ms < ms)
			ms = auto_ms;
	}
	return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

int
poller_wait(struct poller *p, struct pollfd *extra, unsigned n, int ms,
            struct err *err)
{
	struct curl_waitfd small[8];
	struct curl_waitfd *w = n <= 8 ? small : xcalloc(n, sizeof *w);
	int limit = poller_timeout_ms(p);
	int numfds = 0, ready = 0;
	CURLMcode rc;

	if (limit >= 0 && (ms < 0 || limit < ms))
		ms = limit;
	if (ms < 0)
		ms = 0x7fffffff;
	for (unsigned i = 0; i < n; i++) {
		w[i].fd = extra[i].fd;
		w[i].events =
		        (short)(((extra[i].events & POLLIN) ? CURL_WAIT_POLLIN
		                                            : 0) |
		                ((extra[i].events & POLLPRI) ? CURL_WAIT_POLLPRI
		                                             : 0) |
		                ((extra[i].events & POLLOUT) ? CURL_WAIT_POLLOUT
		                                             : 0));
		w[i].revents = 0;
	}
	rc = curl_multi_poll(p->m, w, n, ms, &numfds);
	for (unsigned i = 0; i < n; i++) {
		short re = w[i].revents;

		extra[i].revents =
		        (short)(((re & CURL_WAIT_POLLIN) ? POLLIN : 0) |
		                ((re & CURL_WAIT_POLLPRI) ? POLLPRI : 0) |
		                ((re & CURL_WAIT_POLLOUT) ? POLLOUT : 0));
		if (extra[i].revents != 0)
			ready++;
	}
	if (w != small)
		free(w);
	if (rc != CURLM_OK) {
		err_set(err, ERR_NET, "waiting: %s", curl_multi_strerror(rc));
		return -1;
	}
	return ready;
}

void
poller_wakeup(struct poller *p)
{
	curl_multi_wakeup(p->m);
}
