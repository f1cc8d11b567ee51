#!/bin/sh
# SPDX-License-Identifier: MIT
# Migration from a cache.db the real newsboat made: test_newsboat.py.
. "$top_srcdir/tests/lib.sh"
case ${PYTHON3:-no} in no | '') skip "python3 is needed" ;; esac
command -v newsboat >/dev/null 2>&1 || skip "newsboat is not installed"
"$PYTHON3" "$top_srcdir/tests/config/test_newsboat.py" "$tmp"
