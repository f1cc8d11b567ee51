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

# The files through the command line; Newsboat migration (skipped without
# newsboat); the man pages through mandoc's linter.
TESTS += tests/config/cli.sh tests/config/newsboat.sh tests/man.sh
EXTRA_DIST += tests/config/cli.sh tests/config/newsboat.sh \
	tests/config/test_newsboat.py tests/config/data tests/man.sh

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_config tests/fuzz/fuzz_opml
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_opml_SOURCES = tests/fuzz/fuzz_opml.c
tests_fuzz_fuzz_opml_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_opml_LDFLAGS = $(FUZZ_LDFLAGS)
endif

# Shell completion, where bash-completion and zsh look for it.
bashcompdir = $(datadir)/bash-completion/completions
dist_bashcomp_DATA = contrib/completion/bash/courant
zshcompdir = $(datadir)/zsh/site-functions
dist_zshcomp_DATA = contrib/completion/zsh/_courant
