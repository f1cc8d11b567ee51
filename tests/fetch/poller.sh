#!/bin/sh
# SPDX-License-Identifier: MIT
# The poller against a loopback HTTP server: tests/fetch/test_poller.py.
. "$top_srcdir/tests/lib.sh"
case ${PYTHON3:-no} in no | '') skip "python3 is needed" ;; esac
# A HOME of its own: `courant add` may write the user's urls file.
mkdir -p "$tmp/home"
HOME="$tmp/home" XDG_CONFIG_HOME= XDG_DATA_HOME= \
	"$PYTHON3" "$top_srcdir/tests/fetch/test_poller.py" "$tmp"
