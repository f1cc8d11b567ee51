# ui: the interactive reader, the only curses user.
libcourant_a_SOURCES += src/ui/ui.c src/ui/keys.c src/ui/layout.c \
	src/ui/theme.c src/ui/spawn.c src/ui/terminfo.c
# The reader command is cli's, but listed here: it exists with the ui.
libcourant_a_SOURCES += src/cli/reader.c
noinst_HEADERS += include/courant/ui.h src/ui/private.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/ui/test_ui
TESTS += tests/unit/ui/test_ui
tests_unit_ui_test_ui_SOURCES = tests/unit/ui/test_ui.c
tests_unit_ui_test_ui_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/ui
tests_unit_ui_test_ui_CFLAGS = $(UNIT_CFLAGS)
tests_unit_ui_test_ui_LDADD = $(UNIT_LDADD)
endif

# End-to-end: the real binary driven in a private tmux server.
TESTS += tests/tui/reader.sh tests/tui/hostile.sh tests/tui/session.sh \
	tests/tui/files.sh
EXTRA_DIST += tests/tui/lib.sh tests/tui/reader.sh tests/tui/hostile.sh \
	tests/tui/session.sh tests/tui/serve.py tests/tui/files.sh
