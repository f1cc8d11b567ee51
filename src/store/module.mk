# store: the SQLite cache, the only SQL in courant.
libcourant_a_SOURCES += src/store/store.c src/store/schema.c \
	src/store/feeds.c src/store/items.c src/store/search.c \
	src/store/cleanup.c src/store/newsboat.c src/store/maintain.c \
	src/store/sync.c
noinst_HEADERS += include/courant/store.h src/store/private.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/store/test_items tests/unit/store/test_store \
	tests/unit/store/test_sync
TESTS += tests/unit/store/test_items tests/unit/store/test_store \
	tests/unit/store/test_sync
tests_unit_store_test_items_SOURCES = tests/unit/store/test_items.c
tests_unit_store_test_items_CFLAGS = $(UNIT_CFLAGS)
tests_unit_store_test_items_LDADD = $(UNIT_LDADD)
# test_store builds old schemas and damaged files through the connection.
tests_unit_store_test_store_SOURCES = tests/unit/store/test_store.c
tests_unit_store_test_store_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/store
tests_unit_store_test_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_store_test_store_LDADD = $(UNIT_LDADD)
# test_sync looks at the sync tables and builds a version 7 database.
tests_unit_store_test_sync_SOURCES = tests/unit/store/test_sync.c
tests_unit_store_test_sync_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/store
tests_unit_store_test_sync_CFLAGS = $(UNIT_CFLAGS)
tests_unit_store_test_sync_LDADD = $(UNIT_LDADD)
endif

# The store's commands (list, count, search, mark, cleanup) against a
# database that fill, a test-only program, stocks from feed files.
check_PROGRAMS += tests/store/fill
tests_store_fill_SOURCES = tests/store/fill.c
tests_store_fill_LDADD = libcourant.a $(DEPS_LIBS)
TESTS += tests/store/cli.sh
EXTRA_DIST += tests/store/cli.sh
