# fetch: the poller, the only libcurl user.
libcourant_a_SOURCES += src/fetch/poller.c src/fetch/easy.c \
	src/fetch/page.c src/fetch/policy.c
noinst_HEADERS += include/courant/fetch.h src/fetch/private.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/fetch/test_policy
TESTS += tests/unit/fetch/test_policy
tests_unit_fetch_test_policy_SOURCES = tests/unit/fetch/test_policy.c
tests_unit_fetch_test_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/fetch
tests_unit_fetch_test_policy_CFLAGS = $(UNIT_CFLAGS)
tests_unit_fetch_test_policy_LDADD = $(UNIT_LDADD)
endif
