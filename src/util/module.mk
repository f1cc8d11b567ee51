# util: libc-only helpers shared by every module.
libcourant_a_SOURCES += src/util/err.c src/util/xalloc.c src/util/buf.c \
	src/util/str.c src/util/text.c src/util/home.c src/util/markup.c
noinst_HEADERS += include/courant/err.h include/courant/util.h \
	include/courant/text.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/util/test_text tests/unit/util/test_buf
TESTS += tests/unit/util/test_text tests/unit/util/test_buf
tests_unit_util_test_text_SOURCES = tests/unit/util/test_text.c
tests_unit_util_test_text_CFLAGS = $(UNIT_CFLAGS)
tests_unit_util_test_text_LDADD = $(UNIT_LDADD)
tests_unit_util_test_buf_SOURCES = tests/unit/util/test_buf.c
tests_unit_util_test_buf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_util_test_buf_LDADD = $(UNIT_LDADD)
endif
