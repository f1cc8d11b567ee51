# sync: one reading state with an aggregator server (TT-RSS first).
libcourant_a_SOURCES += src/sync/engine.c src/sync/ttrss.c \
	src/sync/ttrss_json.c src/sync/password.c
noinst_HEADERS += include/courant/sync.h src/sync/private.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/sync/test_ttrss tests/unit/sync/test_engine
TESTS += tests/unit/sync/test_ttrss tests/unit/sync/test_engine
tests_unit_sync_test_ttrss_SOURCES = tests/unit/sync/test_ttrss.c
tests_unit_sync_test_ttrss_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/sync
tests_unit_sync_test_ttrss_CFLAGS = $(UNIT_CFLAGS)
tests_unit_sync_test_ttrss_LDADD = $(UNIT_LDADD)
tests_unit_sync_test_engine_SOURCES = tests/unit/sync/test_engine.c
tests_unit_sync_test_engine_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/sync
tests_unit_sync_test_engine_CFLAGS = $(UNIT_CFLAGS)
tests_unit_sync_test_engine_LDADD = $(UNIT_LDADD)
endif

# courant sync and the reader's background sync, against a stand-in
# server (the real TT-RSS tests are tests/sync/).
TESTS += tests/cli/sync.sh tests/tui/sync.sh
EXTRA_DIST += tests/cli/sync.sh tests/tui/sync.sh tests/tui/ttrss_fake.py
