// SPDX-License-Identifier: MIT
/*
 * Housekeeping of the full-text index, off the refresh's critical path.
 *
 * Every commit that touches the index leaves one more FTS5 segment (a
 * b-tree of its words); searches read every segment, so they must be
 * merged. FTS5 would merge some at every commit ('automerge'), which at a
 * million articles was two thirds of a 1,000-item refresh (150-235 ms of
 * 250). Since schema version 7 commits merge nothing; store_maintain()
 * does the merging in idle time, in steps of a few pages, each step its
 * own short transaction, so a writer never holds the lock for long. A
 * level is merged once it holds MERGE_MIN segments ('usermerge').
 *
 * When nobody gives the index idle time (a long run of refreshes), the
 * segments would pile up: past SEGMENTS_HIGH a refresh does a few steps
 * itself after its commit (store_fts_catch_up()). FTS5's own last resort,
 * merging a whole level inside one commit at 'crisismerge' segments, is
 * set far above that, so it never happens in practice: at a million
 * articles it held the lock for seconds.
 *
 * Idle time with nothing left to merge also checkpoints the log, which
 * commits do only past 4,096 pages (store.c).
 */
#include "config.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "courant/err.h"
#include "courant/store.h"

#include "private.h"

/* Index pages (about 4 KB each) written by one step: a few ms. */
#define STEP_PAGES 64
/*
 * A refresh catches up while the index has more segments than this, with
 * at most CATCH_UP_STEPS steps (1,024 pages): more than a refresh of 1,000
 * articles makes merging necessary at a million (its own 150-200 pages
 * rewritten once per level), so even with no idle time at all the count
 * comes down, one short transaction at a time.
 */
#define SEGMENTS_HIGH 48
#define CATCH_UP_STEPS 16

/* What the index's structure record says (fts5_index.c). */
struct shape {
	int segments; /* on all levels */
	int widest;   /* the most segments on one level */
	bool merging; /* an incremental merge is under way */
};

/* An SQLite varint, as FTS5 writes them; 0 past end. */
static size_t
get_varint(const unsigned char *p, const unsigned char *end, uint64_t *v)
{
	uint64_t x = 0;

	for (size_t i = 0; i < 9; i++) {
		if (p + i >= end)
			return 0;
		if (i == 8) {
			*v = (x << 8) | p[i];
			return 9;
		}
		x = (x << 7) | (p[i] & 0x7f);
		if ((p[i] & 0x80) == 0) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

/*
 * Decodes the structure record: a 4-byte cookie, then varints: the number
 * of levels, of segments and the write counter, and for each level the
 * number of segments in a merge, the number of segments and three varints
 * per segment. false for anything else (a format of a later SQLite).
 */
static bool
parse_shape(const unsigned char *p, size_t len, struct shape *sh)
{
	const unsigned char *end = p + len;
	uint64_t n_level;
	uint64_t n_seg;
	uint64_t v;
	size_t k;
	int total = 0;

	*sh = (struct shape){0};
	if (len < 4)
		return false;
	p += 4;
	if ((k = get_varint(p, end, &n_level)) == 0 || n_level > 64)
		return false;
	p += k;
	if ((k = get_varint(p, end, &n_seg)) == 0 || n_seg > 100000)
		return false;
	p += k;
	if ((k = get_varint(p, end, &v)) == 0)
		return false;
	p += k;
	for (uint64_t l = 0; l < n_level; l++) {
		uint64_t merge;
		uint64_t segs;

		if ((k = get_varint(p, end, &merge)) == 0)
			return false;
		p += k;
		if ((k = get_varint(p, end, &segs)) == 0 || segs > n_seg ||
		    merge > segs)
			return false;
		p += k;
		for (uint64_t s = 0; s < segs * 3; s++) {
			if ((k = get_varint(p, end, &v)) == 0)
				return false;
			p += k;
		}
		if (merge > 0)
			sh->merging = true;
		if ((int)segs > sh->widest)
			sh->widest = (int)segs;
		total += (int)segs;
	}
	sh->segments = total;
	return p == end && (uint64_t)total == n_seg;
}

/* 1 with sh filled, 0 when the record cannot be read, -1 and err. */
static int
read_shape(struct store *st, struct shape *sh, struct err *err)
{
	sqlite3_stmt *s;
	int rc;
	int r = 0;

	/* FTS5's structure record has rowid 10 in the data table. */
	s = store_prepare(st->db,
	                  "SELECT block FROM item_fts_data WHERE id = 10", err);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(s, 0);
		int len = sqlite3_column_bytes(s, 0);

		r = b != NULL && parse_shape(b, (size_t)len, sh) ? 1 : 0;
	} else if (rc != SQLITE_DONE) {
		store_dberr(st->db, rc, "read the search index", err);
		r = -1;
	}
	sqlite3_finalize(s);
	return r;
}

static bool
work_left(const struct shape *sh)
{
	return sh->merging || sh->widest >= STORE_FTS_MERGE_MIN;
}

/* What merge_step() says besides an error. */
enum step { STEP_NOTHING, STEP_MERGED, STEP_BUSY };

/*
 * One bounded merge in its own transaction, or STEP_BUSY at once when
 * another connection is writing: merging is optional work, and the UI
 * that calls it in idle time must not wait for a cron refresh's lock.
 * -1 and err on failure.
 */
static int
merge_step(struct store *st, int pages, struct err *err)
{
	char sql[96];
	sqlite3_int64 before;
	int worked;
	int rc;

	sqlite3_busy_timeout(st->db, 0);
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (rc == SQLITE_BUSY)
		return STEP_BUSY;
	if (rc != SQLITE_OK) {
		store_dberr(st->db, rc, "merge the search index", err);
		return -1;
	}
	before = sqlite3_total_changes64(st->db);
	snprintf(sql, sizeof sql,
	         "INSERT INTO item_fts (item_fts, rank) VALUES ('merge', %d)",
	         pages);
	if (store_exec(st->db, sql, err) < 0) {
		store_rollback(st);
		return -1;
	}
	/* The command counts as one change; a merge writes more. */
	worked = sqlite3_total_changes64(st->db) - before >= 2;
	if (store_commit(st, err) < 0)
		return -1;
	return worked ? STEP_MERGED : STEP_NOTHING;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
store_maintain(struct store *st, int budget_ms, struct err *err)
{
	double t0 = now_ms();
	struct shape sh;
	int known;
	int r;

	if (st->flags & STORE_OPEN_READONLY)
		return 0;
	do {
		/* A read first: with nothing to do, no write lock. */
		known = read_shape(st, &sh, err);
		if (known < 0)
			return -1;
		if (known == 1 && !work_left(&sh)) {
			/* Idle and merged: copy the log into the file
			 * (passive: it never waits for, or blocks, a
			 * writer), so no refresh's commit has to. */
			sqlite3_wal_checkpoint_v2(st->db, NULL,
			                          SQLITE_CHECKPOINT_PASSIVE,
			                          NULL, NULL);
			return 0;
		}
		r = merge_step(st, STEP_PAGES, err);
		if (r < 0)
			return -1;
		if (r == STEP_NOTHING)
			return 0;
		if (r == STEP_BUSY)
			return 1; /* another writer: later */
	} while (now_ms() - t0 < budget_ms);
	known = read_shape(st, &sh, err);
	if (known < 0)
		return -1;
	return known == 0 || work_left(&sh) ? 1 : 0;
}

void
store_fts_catch_up(struct store *st)
{
	struct err err = {0};
	struct shape sh;

	for (int i = 0; i < CATCH_UP_STEPS; i++) {
		if (read_shape(st, &sh, &err) != 1 ||
		    sh.segments <= SEGMENTS_HIGH)
			return;
		if (merge_step(st, STEP_PAGES, &err) != STEP_MERGED)
			return;
	}
}

int
store_fts_segments(struct store *st, struct err *err)
{
	struct shape sh;
	int r = read_shape(st, &sh, err);

	if (r < 0)
		return -1;
	return r == 1 ? sh.segments : 0;
}
