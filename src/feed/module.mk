# feed: the streaming RSS/Atom parser, dates, URIs, character sets.
libcourant_a_SOURCES += src/feed/parser.c src/feed/elements.c \
	src/feed/capture.c src/feed/model.c src/feed/date.c src/feed/uri.c \
	src/feed/charset.c src/feed/discover.c src/feed/opml.c
noinst_HEADERS += include/courant/feed.h src/feed/private.h src/feed/sax.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/feed/test_date tests/unit/feed/test_uri \
	tests/unit/feed/test_charset tests/unit/feed/test_parser
TESTS += tests/unit/feed/test_date tests/unit/feed/test_uri \
	tests/unit/feed/test_charset tests/unit/feed/test_parser
tests_unit_feed_test_date_SOURCES = tests/unit/feed/test_date.c
tests_unit_feed_test_date_CFLAGS = $(UNIT_CFLAGS)
tests_unit_feed_test_date_LDADD = $(UNIT_LDADD)
tests_unit_feed_test_uri_SOURCES = tests/unit/feed/test_uri.c
tests_unit_feed_test_uri_CFLAGS = $(UNIT_CFLAGS)
tests_unit_feed_test_uri_LDADD = $(UNIT_LDADD)
tests_unit_feed_test_charset_SOURCES = tests/unit/feed/test_charset.c
tests_unit_feed_test_charset_CFLAGS = $(UNIT_CFLAGS)
tests_unit_feed_test_charset_LDADD = $(UNIT_LDADD)
tests_unit_feed_test_parser_SOURCES = tests/unit/feed/test_parser.c
tests_unit_feed_test_parser_CFLAGS = $(UNIT_CFLAGS)
tests_unit_feed_test_parser_LDADD = $(UNIT_LDADD)
endif

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_feed tests/fuzz/fuzz_date
tests_fuzz_fuzz_feed_SOURCES = tests/fuzz/fuzz_feed.c
tests_fuzz_fuzz_feed_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_feed_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_date_SOURCES = tests/fuzz/fuzz_date.c
tests_fuzz_fuzz_date_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_date_LDFLAGS = $(FUZZ_LDFLAGS)
endif
