# config: the user's files (paths, urls, config), and syncing the feed list.
libcourant_a_SOURCES += src/config/file.c src/config/paths.c \
	src/config/urls.c src/config/config.c src/config/sync.c
noinst_HEADERS += include/courant/config.h src/config/private.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/config/test_urls tests/unit/config/test_config \
	tests/unit/config/test_opml
TESTS += tests/unit/config/test_urls tests/unit/config/test_config \
	tests/unit/config/test_opml
tests_unit_config_test_urls_SOURCES = tests/unit/config/test_urls.c
tests_unit_config_test_urls_CFLAGS = $(UNIT_CFLAGS)
tests_unit_config_test_urls_LDADD = $(UNIT_LDADD)
tests_unit_config_test_config_SOURCES = tests/unit/config/test_config.c
tests_unit_config_test_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_config_test_config_LDADD = $(UNIT_LDADD)
tests_unit_config_test_opml_SOURCES = tests/unit/config/test_opml.c
tests_unit_config_test_opml_CFLAGS = $(UNIT_CFLAGS)
tests_unit_config_test_opml_LDADD = $(UNIT_LDADD)
endif
