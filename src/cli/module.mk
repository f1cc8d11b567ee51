# cli: the non-interactive commands.
libcourant_a_SOURCES += src/cli/common.c src/cli/json.c src/cli/parse.c src/cli/render.c src/cli/refresh.c src/cli/store_cmds.c src/cli/interop.c src/cli/files.c src/cli/sync.c
noinst_HEADERS += include/courant/cli.h src/cli/private.h
