# render: HTML to styled, wrapped lines (libxml2's HTML parser, own widths).
libcourant_a_SOURCES += src/render/render.c src/render/layout.c \
	src/render/html.c src/render/plain.c src/render/url.c \
	src/render/width.c
noinst_HEADERS += include/courant/render.h src/render/private.h \
	src/render/width_table.h
EXTRA_DIST += src/render/gen_width.py

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/render/test_render tests/unit/render/test_width
TESTS += tests/unit/render/test_render tests/unit/render/test_width
tests_unit_render_test_render_SOURCES = tests/unit/render/test_render.c
tests_unit_render_test_render_CFLAGS = $(UNIT_CFLAGS)
tests_unit_render_test_render_LDADD = $(UNIT_LDADD)
tests_unit_render_test_width_SOURCES = tests/unit/render/test_width.c
tests_unit_render_test_width_CFLAGS = $(UNIT_CFLAGS)
tests_unit_render_test_width_LDADD = $(UNIT_LDADD)
endif

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_render
tests_fuzz_fuzz_render_SOURCES = tests/fuzz/fuzz_render.c
tests_fuzz_fuzz_render_LDADD = libcourant.a $(DEPS_LIBS)
tests_fuzz_fuzz_render_LDFLAGS = $(FUZZ_LDFLAGS)
endif
