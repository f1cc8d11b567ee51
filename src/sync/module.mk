# sync: one reading state with an aggregator server (TT-RSS first).
libcourant_a_SOURCES += src/sync/engine.c src/sync/ttrss.c \
	src/sync/ttrss_json.c src/sync/password.c
noinst_HEADERS += include/courant/sync.h src/sync/private.h
