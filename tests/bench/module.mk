# bench: the parse benchmark, run by 'make bench' (never by make check).
# sax_baseline is an EXTRA_PROGRAM: automake knows how to build it, but only
# the bench target asks for it, so 'make' and 'make check' never do.
EXTRA_PROGRAMS = tests/bench/sax_baseline tests/bench/render_bench
tests_bench_sax_baseline_SOURCES = tests/bench/sax_baseline.c
tests_bench_sax_baseline_LDADD = $(LIBXML2_LIBS)
tests_bench_render_bench_SOURCES = tests/bench/render_bench.c
tests_bench_render_bench_LDADD = libcourant.a $(DEPS_LIBS)
EXTRA_PROGRAMS += tests/bench/store_bench
tests_bench_store_bench_SOURCES = tests/bench/store_bench.c
tests_bench_store_bench_LDADD = libcourant.a $(DEPS_LIBS)
EXTRA_DIST += tests/bench/README.md tests/bench/gen_feed.py \
	tests/bench/parse_bench.sh tests/bench/store_bench.sh
# The generated feed is cached between runs; 'make clean' drops it.
CLEANFILES += tests/bench/feed-*.xml \
	tests/bench/feed-*.xml.tmp tests/bench/feed-*.xml.count

# 'make bench' runs the render, parse and store benchmarks in turn, each
# even when one before it missed a target, and fails at the end if any did.
bench: courant$(EXEEXT) tests/bench/sax_baseline$(EXEEXT) \
		tests/bench/render_bench$(EXEEXT) tests/bench/store_bench$(EXEEXT)
	@status=0; \
	./tests/bench/render_bench || status=1; \
	COURANT='$(abs_top_builddir)/courant$(EXEEXT)' \
	BASELINE='$(abs_top_builddir)/tests/bench/sax_baseline$(EXEEXT)' \
	BENCH_DIR='$(abs_top_builddir)/tests/bench' \
	PYTHON3='$(PYTHON3)' \
	$(SHELL) $(srcdir)/tests/bench/parse_bench.sh || status=1; \
	$(STORE_BENCH_RUN) || status=1; \
	$(REFRESH_BENCH_RUN) || status=1; \
	$(TUI_BENCH_RUN) || status=1; \
	exit $$status

# The store benchmark (issue 3). Its generated cache (about 5 GB at the
# default 1,000 feeds x 1,000 items) outlives 'make clean', being minutes
# to rebuild; 'make distclean' drops it.
DISTCLEANFILES = tests/bench/store-*.db tests/bench/store-*.db-wal \
	tests/bench/store-*.db-shm
STORE_BENCH_RUN = COURANT='$(abs_top_builddir)/courant$(EXEEXT)' \
	STORE_BENCH='$(abs_top_builddir)/tests/bench/store_bench$(EXEEXT)' \
	BENCH_DIR='$(abs_top_builddir)/tests/bench' \
	$(SHELL) $(srcdir)/tests/bench/store_bench.sh
bench-store: courant$(EXEEXT) tests/bench/store_bench$(EXEEXT)
	$(STORE_BENCH_RUN)
.PHONY: bench-store

# The refresh benchmark (issue 5): 200 feeds on 20 loopback ports with
# 100 ms of latency, a cold and a warm `courant refresh`, and Newsboat on
# the same corpus when it is installed.
EXTRA_DIST += tests/bench/refresh_bench.py
REFRESH_BENCH_RUN = COURANT='$(abs_top_builddir)/courant$(EXEEXT)' \
	'$(PYTHON3)' $(srcdir)/tests/bench/refresh_bench.py
bench-refresh: courant$(EXEEXT)
	$(REFRESH_BENCH_RUN)
.PHONY: bench-refresh

# The reader benchmark (issue 6): first screen, peak memory and bytes per
# move on a store of 200 feeds x 500 items, built once (a minute) into
# tests/bench/tui-200x500/ and kept like the store benchmark's cache.
EXTRA_DIST += tests/bench/tui_bench.sh
TUI_BENCH_FEEDS = 200
TUI_BENCH_ITEMS = 500
TUI_BENCH_RUN = COURANT='$(abs_top_builddir)/courant$(EXEEXT)' \
	BENCH_DIR='$(abs_top_builddir)/tests/bench' PYTHON3='$(PYTHON3)' \
	$(SHELL) $(srcdir)/tests/bench/tui_bench.sh \
	$(TUI_BENCH_FEEDS) $(TUI_BENCH_ITEMS)
bench-tui: courant$(EXEEXT)
	$(TUI_BENCH_RUN)
distclean-local: distclean-tui-bench
distclean-tui-bench:
	-rm -rf tests/bench/tui-*x*
.PHONY: bench-tui distclean-tui-bench

# The sync benchmark (issue 9): initial sync of 50 feeds x 100 items from
# the loopback tt-rss of tests/sync/ttrss-server.sh (installed and started
# when missing: needs root), then an incremental sync after 100 changes.
EXTRA_DIST += tests/bench/sync_bench.sh
SYNC_BENCH_RUN = COURANT='$(abs_top_builddir)/courant$(EXEEXT)' \
	top_srcdir='$(abs_top_srcdir)' PYTHON3='$(PYTHON3)' \
	$(SHELL) $(srcdir)/tests/bench/sync_bench.sh
bench-sync: courant$(EXEEXT)
	$(SYNC_BENCH_RUN)
.PHONY: bench-sync
