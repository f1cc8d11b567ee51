#!/bin/sh
# SPDX-License-Identifier: MIT
# The poller against a loopback HTTP server: tests/fetch/test_poller.py.
. "$top_srcdir/tests/lib.sh"
case ${PYTHON3:-no} in no | '') skip "python3 is needed" ;; esac
"$PYTHON3" "$top_srcdir/tests/fetch/test_poller.py" "$tmp"
