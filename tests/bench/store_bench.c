// SPDX-License-Identifier: MIT
/*
 * The store benchmark (issue 3): builds a cache of FEEDS x ITEMS articles
 * of realistic size through the public API, one refresh per feed, then
 * times what the UI and CLI do at start-up on it.
 *
 *   store_bench DB [FEEDS [ITEMS]]     (defaults 100 x 1000)
 *
 * An existing DB holding FEEDS x ITEMS articles is reused, so the build
 * cost is paid once (minutes at the 1,000 x 1,000); one of another
 * size is built again. Figures are printed one per line, "name value
 * unit"; the targets are checked by store_bench.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "courant/err.h"
#include "courant/feed.h"
#include "courant/store.h"
#include "courant/util.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A word from a Zipf-like vocabulary of 5,000 made-up words. */
static void
word(struct buf *b)
{
	static const char *const syl[] = {"ka", "lo", "mer", "ti", "sun", "dra",
	                                  "pe", "vo", "lin", "qu", "ra",  "sto",
	                                  "ne", "fi", "gal", "om"};
	uint64_t r = next_rand();
	unsigned n = (unsigned)(r % 5000);

	/* Square the draw towards small numbers: common words are common. */
	n = n * n / 5000;
	for (int i = 0; i < 3; i++) {
		buf_puts(b, syl[n % 16]);
		n /= 16;
		if (n == 0)
			break;
	}
}

static void
sentence(struct buf *b, int words)
{
	for (int i = 0; i < words; i++) {
		if (i > 0)
			buf_putc(b, ' ');
		word(b);
	}
	buf_putc(b, '.');
}

/* About 2.2 KiB of HTML body and a 250-byte summary, as news feeds go. */
static void
make_item(struct feed_item *it, struct buf *title, struct buf *summary,
          struct buf *content, char *key, size_t keysize, int feed, int i,
          feed_time base)
{
	buf_reset(title);
	buf_reset(summary);
	buf_reset(content);
	sentence(title, 6 + (int)(next_rand() % 5));
	sentence(summary, 35);
	for (int p = 0; p < 6; p++) {
		buf_puts(content, "<p>");
		sentence(content, 40);
		buf_puts(content, " <a href=\"https://example.org/x\">");
		word(content);
		buf_puts(content, "</a></p>\n");
	}
	snprintf(key, keysize, "id:https://feed%d.example/item/%d", feed, i);
	memset(it, 0, sizeof *it);
	it->key = key;
	it->id = key + 3;
	it->title.value = title->data;
	it->summary.value = summary->data;
	it->summary.type = FEED_TEXT_HTML;
	it->content = xcalloc(1, sizeof *it->content);
	it->content[0].type = FEED_TEXT_HTML;
	it->content[0].value = content->data;
	it->n_content = 1;
	it->link = key + 3;
	it->published = base - (feed_time)i * 3600 - feed;
	it->updated = FEED_DATE_UNKNOWN;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	printf("%s_median %.2f ms\n", name, v[n / 2]);
	printf("%s_max %.2f ms\n", name, v[n - 1]);
}

/* CPU time of this process (user and system), in ms: on a machine shared
 * with other work, it says what wall time would be on a quiet one. */
static double
cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* The longest single merge step of the index seen so far, their number
 * and total time: each step is one write transaction. Then the longest
 * idle checkpoint (no write lock). */
static double maintain_max;
static double checkpoint_max;
static double maintain_total;
static long maintain_steps;

/*
 * Idle time, as the poller gives it: store_maintain() one step at a time
 * (budget 0) until the index has nothing left to merge, each step timed.
 */
static int
maintain_all(struct store *st)
{
	struct err err = {0};
	int r;

	do {
		double t0 = now_ms();
		double t;

		r = store_maintain(st, 0, &err);
		t = now_ms() - t0;
		if (r < 0) {
			fprintf(stderr, "store_bench: maintain: %s\n", err.msg);
			return -1;
		}
		maintain_steps++;
		maintain_total += t;
		if (t > maintain_max)
			maintain_max = t;
		if (t > 300)
			fprintf(stderr,
			        "store_bench: a merge step took %.0f ms\n", t);
	} while (r > 0);
	/* Nothing left to merge: the next idle call checkpoints. */
	{
		double t0 = now_ms();

		if (store_maintain(st, 0, &err) < 0) {
			fprintf(stderr, "store_bench: maintain: %s\n", err.msg);
			return -1;
		}
		if (now_ms() - t0 > checkpoint_max)
			checkpoint_max = now_ms() - t0;
	}
	return 0;
}

static int
build(const char *path, int feeds, int items)
{
	struct err err = {0};
	struct store *st;
	struct buf title;
	struct buf summary;
	struct buf content;
	double *ms = xcalloc((size_t)feeds, sizeof *ms);
	double *cpu = xcalloc((size_t)feeds, sizeof *cpu);
	feed_time base = 1700000000; /* fixed: a re-run sees the same items */
	char key[80];

	st = store_open(path, 0, &err);
	if (st == NULL) {
		fprintf(stderr, "store_bench: %s\n", err.msg);
		return -1;
	}
	buf_init(&title, 0);
	buf_init(&summary, 0);
	buf_init(&content, 0);
	for (int f = 0; f < feeds; f++) {
		char url[64];
		struct store_feed_conf c = {.url = url, .position = f};
		struct store_refresh *r;
		long id;
		double t0;
		double c0;

		snprintf(url, sizeof url, "https://feed%d.example/rss", f);
		id = store_feed_ensure(st, &c, &err);
		if (id < 0)
			goto fail;
		r = store_refresh_new(st, id);
		for (int i = 0; i < items; i++) {
			struct feed_item it;

			make_item(&it, &title, &summary, &content, key,
			          sizeof key, f, i, base);
			store_refresh_add(r, &it);
			free(it.content);
		}
		/* What the poller pays after the download: the commit. */
		t0 = now_ms();
		c0 = cpu_ms();
		if (store_refresh_commit(r, NULL, NULL, NULL, &err) < 0)
			goto fail;
		ms[f] = now_ms() - t0;
		cpu[f] = cpu_ms() - c0;
		if (ms[f] > 1000)
			fprintf(stderr, "store_bench: feed %d took %.0f ms\n",
			        f, ms[f]);
		if (f % 100 == 99)
			fprintf(stderr, "store_bench: %d feeds\n", f + 1);
		/* The idle time between two feeds' downloads; none with
		 * STORE_BENCH_NO_IDLE, as in a refresh of many feeds at
		 * once, when refreshes must keep the index in shape. */
		if (getenv("STORE_BENCH_NO_IDLE") == NULL &&
		    maintain_all(st) < 0)
			goto fail_quiet;
	}
	/* The commit of each feed as the cache grew: merges of the index
	 * make the slow ones, so the tail says more than the median. */
	report("build_refresh", ms, feeds);
	printf("build_refresh_p99 %.2f ms\n", ms[feeds * 99 / 100]);
	printf("build_maintain_steps %ld\n", maintain_steps);
	printf("build_maintain_total %.0f ms\n", maintain_total);
	printf("build_maintain_max %.2f ms\n", maintain_max);
	printf("build_checkpoint_max %.2f ms\n", checkpoint_max);
	report("build_refresh_cpu", cpu, feeds);
	free(cpu);
	printf("build_transaction_max %.2f ms\n",
	       ms[feeds - 1] > maintain_max ? ms[feeds - 1] : maintain_max);
	free(ms);
	buf_done(&title);
	buf_done(&summary);
	buf_done(&content);
	store_close(st);
	return 0;
fail:
	fprintf(stderr, "store_bench: %s\n", err.msg);
fail_quiet:
	store_close(st);
	return -1;
}

/* The number of items in the cache at path, -1 when it cannot tell. */
#define NEW_FEED_ROUNDS 7

static long
cache_size(const char *path)
{
	struct store_view all = {.scope = STORE_ALL};
	struct err err = {0};
	struct store *st = store_open(path, STORE_OPEN_NO_CHECK, &err);
	long n;

	if (st == NULL)
		return -1;
	n = store_count(st, &all, &err);
	store_close(st);
	return n;
}

static void
remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);

		unlink(p);
		free(p);
	}
}

/*
 * What the poller pays for a feed of `items` new articles at full size:
 * a new feed is added, refreshed (timed) and removed again, three times,
 * so the cache stays as it was. Its dates are the newest in the cache, as
 * new articles' are.
 */
static int
time_new_feed(struct store *st, int items, double *v, double *cpu)
{
	struct buf title;
	struct buf summary;
	struct buf content;
	struct err err = {0};
	char key[80];
	int result = 0;

	buf_init(&title, 0);
	buf_init(&summary, 0);
	buf_init(&content, 0);
	for (int round = 0; round < NEW_FEED_ROUNDS && result == 0; round++) {
		struct store_feed_conf c = {.url = "https://new.example/rss",
		                            .position = 1 << 20};
		struct store_refresh *r;
		long id;
		double t0;
		double c0;

		id = store_feed_ensure(st, &c, &err);
		if (id < 0) {
			result = -1;
			break;
		}
		r = store_refresh_new(st, id);
		for (int i = 0; i < items; i++) {
			struct feed_item it;

			make_item(&it, &title, &summary, &content, key,
			          sizeof key, 1 << 20, i, 1800000000);
			store_refresh_add(r, &it);
			free(it.content);
		}
		t0 = now_ms();
		c0 = cpu_ms();
		if (store_refresh_commit(r, NULL, NULL, NULL, &err) < 0)
			result = -1;
		v[round] = now_ms() - t0;
		cpu[round] = cpu_ms() - c0;
		if (store_feed_remove(st, id, &err) < 0)
			result = -1;
		if (result == 0 && maintain_all(st) < 0)
			result = -1;
	}
	if (result < 0)
		fprintf(stderr, "store_bench: %s\n", err.msg);
	buf_done(&title);
	buf_done(&summary);
	buf_done(&content);
	return result;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "store_bench.db";
	int feeds = argc > 2 ? atoi(argv[2]) : 100;
	int items = argc > 3 ? atoi(argv[3]) : 1000;
	struct store_view unread = {.scope = STORE_ALL, .unread_only = true};
	static const char *const queries[] = {"kaloti", "sunmer dra",
	                                      "\"ka lo\"", "pevo*"};
	struct err err = {0};
	struct store_feed_list *l;
	struct store_page *p;
	struct store *st;
	struct rusage ru;
	double t0;
	double t;
	double v[20];
	long total;

	if (access(path, F_OK) == 0 &&
	    cache_size(path) != (long)feeds * items) {
		fprintf(stderr,
		        "store_bench: %s has another size: rebuilding\n", path);
		remove_db(path);
	}
	if (access(path, F_OK) != 0 && build(path, feeds, items) < 0) {
		remove_db(path);
		return 1;
	}

	/* 0. Idle time first: a cache built by an older courant, or left
	 * behind by an interrupted run, has merging left to do. */
	st = store_open(path, 0, &err);
	if (st == NULL) {
		fprintf(stderr, "store_bench: %s\n", err.msg);
		return 1;
	}
	t0 = now_ms();
	if (maintain_all(st) < 0)
		return 1;
	printf("catch_up_merges %.0f ms\n", now_ms() - t0);
	store_close(st);
	maintain_max = maintain_total = checkpoint_max = 0;
	maintain_steps = 0;

	/* 1. Start-up: open and the first page of "all unread", five times
	 * (the first is the coldest; the machine is shared, so the median
	 * is the figure), the last connection kept. */
	st = NULL;
	for (int i = 0; i < 5; i++) {
		double t1;

		store_close(st);
		t0 = now_ms();
		st = store_open(path, 0, &err);
		if (st == NULL) {
			fprintf(stderr, "store_bench: %s\n", err.msg);
			return 1;
		}
		t1 = now_ms();
		p = store_items(st, &unread, NULL, STORE_OLDER, 50, &err);
		t = now_ms();
		if (p == NULL || p->n != 50) {
			fprintf(stderr, "store_bench: first page: %s\n",
			        err.msg);
			return 1;
		}
		store_page_free(p);
		v[i] = t - t0;
		v[5 + i] = t1 - t0;
		if (i == 0)
			printf("open_first_page_first %.2f ms\n", t - t0);
	}
	getrusage(RUSAGE_SELF, &ru);
	report("open_only", v + 5, 5);
	report("open_first_page", v, 5);
	printf("peak_rss_open_first_page %ld KiB\n", ru.ru_maxrss);

	total = store_count(st, &(struct store_view){.scope = STORE_ALL}, &err);
	printf("items %ld\n", total);

	/* 2. The feed list with unread counts. */
	for (int i = 0; i < 10; i++) {
		t0 = now_ms();
		l = store_feeds(st, NULL, &err);
		v[i] = now_ms() - t0;
		store_feed_list_free(l);
	}
	report("feeds_with_counts", v, 10);

	/* 3. Paging deep: the 200th page costs what the first does. */
	{
		struct store_cursor c;

		p = store_items(st, &unread, NULL, STORE_OLDER, 50, &err);
		for (int i = 0; i < 200 && p != NULL && p->n > 0; i++) {
			c = store_row_cursor(&p->rows[p->n - 1]);
			store_page_free(p);
			t0 = now_ms();
			p = store_items(st, &unread, &c, STORE_OLDER, 50, &err);
			if (i >= 180)
				v[i - 180] = now_ms() - t0;
		}
		store_page_free(p);
		report("page_200_deep", v, 20);
	}

	/* 4. Full-text search, 50 best. */
	for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		char name[64];

		for (int i = 0; i < 5; i++) {
			t0 = now_ms();
			p = store_search(st, queries[q], 50, &err);
			v[i] = now_ms() - t0;
			if (p == NULL) {
				fprintf(stderr, "store_bench: %s\n", err.msg);
				return 1;
			}
			if (i == 0)
				printf("search_%zu_hits %zu%s\n", q, p->n,
				       p->more ? "+" : "");
			store_page_free(p);
		}
		snprintf(name, sizeof name, "search_%zu", q);
		report(name, v, 5);
	}

	/* 5. Refreshing a 1,000-item feed again: unchanged, then with
	 * every item edited (the worst case). */
	{
		struct buf title;
		struct buf summary;
		struct buf content;
		char key[80];
		feed_time base =
		        1700000000; /* fixed: a re-run sees the same items */

		buf_init(&title, 0);
		buf_init(&summary, 0);
		buf_init(&content, 0);
		/* Rounds: put the built items back (a previous run may
		 * have left them edited), the same again (timed), every
		 * one edited (timed), and back to the built ones. */
		for (int round = 0; round < 4; round++) {
			struct store_refresh *r = store_refresh_new(st, 1);
			bool edited = round == 2;

			rng = edited ? 42 : 88172645463325252ULL;
			for (int i = 0; i < items; i++) {
				struct feed_item it;

				make_item(&it, &title, &summary, &content, key,
				          sizeof key, 0, i, base);
				store_refresh_add(r, &it);
				free(it.content);
			}
			t0 = now_ms();
			if (store_refresh_commit(r, NULL, NULL, NULL, &err) <
			    0) {
				fprintf(stderr, "store_bench: %s\n", err.msg);
				return 1;
			}
			if (round == 1 || round == 2)
				printf("refresh_%s %.2f ms\n",
				       edited ? "all_edited" : "again",
				       now_ms() - t0);
		}
		buf_done(&title);
		buf_done(&summary);
		buf_done(&content);
	}

	/* 6. A new feed's worth of new articles. */
	if (time_new_feed(st, items, v, v + NEW_FEED_ROUNDS) < 0)
		return 1;
	report("refresh_new_feed", v, NEW_FEED_ROUNDS);
	printf("maintain_step_max %.2f ms\n", maintain_max);
	printf("checkpoint_max %.2f ms\n", checkpoint_max);
	report("refresh_new_feed_cpu", v + NEW_FEED_ROUNDS, NEW_FEED_ROUNDS);

	/* 7. What the full start-up check would cost at this size: minutes
	 * for a big cache, so only when asked. */
	if (getenv("STORE_BENCH_CHECK") != NULL) {
		t0 = now_ms();
		if (store_check(st, &err) < 0)
			fprintf(stderr, "store_bench: %s\n", err.msg);
		printf("quick_check %.0f ms\n", now_ms() - t0);
	}
	store_close(st);
	return 0;
}
