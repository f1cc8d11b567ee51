# Fuzzing (configure CC=clang --enable-fuzzing): libFuzzer targets with ASan
# and UBSan. Modules list their own targets (noinst_PROGRAMS named
# tests/fuzz/fuzz_NAME); the targets for the policies that span modules
# (sanitizer, URLs, urls file, discovery) and the TT-RSS replies are here.
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_text tests/fuzz/fuzz_url \
	tests/fuzz/fuzz_urls tests/fuzz/fuzz_discover tests/fuzz/fuzz_ttrss
tests_fuzz_fuzz_text_SOURCES = tests/fuzz/fuzz_text.c
tests_fuzz_fuzz_text_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_text_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_url_SOURCES = tests/fuzz/fuzz_url.c
tests_fuzz_fuzz_url_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_url_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_urls_SOURCES = tests/fuzz/fuzz_urls.c
tests_fuzz_fuzz_urls_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_urls_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_discover_SOURCES = tests/fuzz/fuzz_discover.c
tests_fuzz_fuzz_discover_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_discover_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_ttrss_SOURCES = tests/fuzz/fuzz_ttrss.c
tests_fuzz_fuzz_ttrss_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_ttrss_LDFLAGS = $(FUZZ_LDFLAGS)
endif

# `make fuzz` runs each target for FUZZ_TIME seconds from its seed corpus
# tests/fuzz/corpus/NAME (and the dictionary tests/fuzz/NAME.dict when there
# is one). New inputs go to tests/fuzz/found/NAME in the build tree, crashes
# to tests/fuzz/NAME-crash-* there. Any crash, leak, timeout (one input over
# FUZZ_TIMEOUT seconds), memory over FUZZ_RSS_MB or UBSan report fails.
FUZZ_TIME = 60
FUZZ_TIMEOUT = 10
FUZZ_RSS_MB = 2048
FUZZ_DICTS = tests/fuzz/feed.dict tests/fuzz/render.dict \
	tests/fuzz/config.dict tests/fuzz/opml.dict tests/fuzz/date.dict \
	tests/fuzz/text.dict tests/fuzz/url.dict tests/fuzz/urls.dict \
	tests/fuzz/discover.dict tests/fuzz/ttrss.dict
EXTRA_DIST += tests/fuzz/corpus $(FUZZ_DICTS)
CLEANFILES += tests/fuzz/*.log
clean-local: clean-fuzz
clean-fuzz:
	-rm -rf tests/fuzz/found tests/fuzz/*-crash-* tests/fuzz/*-leak-* \
		tests/fuzz/*-timeout-* tests/fuzz/*-oom-*
fuzz: $(noinst_PROGRAMS)
if ENABLE_FUZZING
	@for prog in $(noinst_PROGRAMS); do \
		case $$prog in tests/fuzz/fuzz_*) ;; *) continue ;; esac; \
		name=$${prog#tests/fuzz/fuzz_}; name=$${name%$(EXEEXT)}; \
		dict=; \
		if test -f $(srcdir)/tests/fuzz/$$name.dict; then \
			dict=-dict=$(srcdir)/tests/fuzz/$$name.dict; fi; \
		mkdir -p tests/fuzz/found/$$name; \
		echo "fuzz: $$name for $(FUZZ_TIME) s"; \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ASAN_OPTIONS=detect_leaks=1 \
		./$$prog -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=$(FUZZ_RSS_MB) \
			-error_exitcode=1 -timeout_exitcode=78 $$dict \
			-artifact_prefix=tests/fuzz/$$name- \
			tests/fuzz/found/$$name $(srcdir)/tests/fuzz/corpus/$$name \
			>tests/fuzz/$$name.log 2>&1 || { \
			tail -n 60 tests/fuzz/$$name.log; \
			echo "fuzz: $$name FAILED; see tests/fuzz/$$name.log" >&2; \
			exit 1; }; \
		if grep -q 'runtime error:' tests/fuzz/$$name.log; then \
			grep -m 5 -A 10 'runtime error:' tests/fuzz/$$name.log; \
			echo "fuzz: $$name: UBSan report" >&2; exit 1; fi; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' \
			tests/fuzz/$$name.log); \
		last=$$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE).*cov:' \
			tests/fuzz/$$name.log | tail -n 1); \
		cov=$$(echo "$$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p'); \
		ft=$$(echo "$$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p'); \
		corp=$$(echo "$$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p'); \
		echo "fuzz: $$name: $$runs runs, cov $$cov, ft $$ft, corpus $$corp"; \
	done
else
	@echo "fuzz: configure with CC=clang --enable-fuzzing first" >&2; exit 1
endif
.PHONY: clean-fuzz
