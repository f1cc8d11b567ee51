# fetch: the poller, the only libcurl user.
libcourant_a_SOURCES += src/fetch/poller.c src/fetch/easy.c \
	src/fetch/page.c src/fetch/policy.c src/fetch/post.c
noinst_HEADERS += include/courant/fetch.h src/fetch/private.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/fetch/test_policy tests/unit/fetch/test_discover \
	tests/unit/fetch/test_poller
TESTS += tests/unit/fetch/test_policy tests/unit/fetch/test_discover \
	tests/unit/fetch/test_poller
tests_unit_fetch_test_policy_SOURCES = tests/unit/fetch/test_policy.c
tests_unit_fetch_test_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/fetch
tests_unit_fetch_test_policy_CFLAGS = $(UNIT_CFLAGS)
tests_unit_fetch_test_policy_LDADD = $(UNIT_LDADD)
tests_unit_fetch_test_poller_SOURCES = tests/unit/fetch/test_poller.c
tests_unit_fetch_test_poller_CFLAGS = $(UNIT_CFLAGS)
tests_unit_fetch_test_poller_LDADD = $(UNIT_LDADD)
# Discovery lives in src/feed (libxml2) but serves courant add.
tests_unit_fetch_test_discover_SOURCES = tests/unit/fetch/test_discover.c
tests_unit_fetch_test_discover_CFLAGS = $(UNIT_CFLAGS)
tests_unit_fetch_test_discover_LDADD = $(UNIT_LDADD)
endif

# Integration: courant add/refresh/feeds against tests/fetch/server.py.
TESTS += tests/fetch/poller.sh
EXTRA_DIST += tests/fetch/poller.sh tests/fetch/test_poller.py \
	tests/fetch/server.py
# The refresh benchmark is tests/bench/refresh_bench.py (make bench-refresh).
