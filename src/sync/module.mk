# sync: one reading state with an aggregator server (TT-RSS first).
libcourant_a_SOURCES +=
noinst_HEADERS +=
