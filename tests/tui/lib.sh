# SPDX-License-Identifier: MIT
# Shared helpers for the reader's end-to-end tests: a private tmux server
# with a fixed-size pane, a temporary HOME and database, waiting for text
# by polling capture-pane (never a fixed sleep). Sourced, never run.
. "$top_srcdir/tests/lib.sh"

tmux_bin=${TMUX_BIN:-tmux}
command -v "$tmux_bin" >/dev/null 2>&1 || skip "tmux is not installed"
unset TMUX TMUX_PANE
sock=courant-test-$$
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share"
mkdir -p "$HOME"
trap 'T kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT

T() { "$tmux_bin" -L "$sock" -f /dev/null "$@"; }

# start COLS ROWS [VAR=VALUE...]: courant on $tmp/db in a new session; its
# exit status lands in $tmp/exit.
start() {
	cols=$1 rows=$2
	shift 2
	# A fresh server each time: tmux 3.3a's server has crashed when a
	# session started on a socket whose old server was still going away.
	T kill-server >/dev/null 2>&1
	starts=$((${starts:-0} + 1))
	sock=courant-test-$$-$starts
	rm -f "$tmp/exit"
	T new-session -d -x "$cols" -y "$rows" \
		"env TZ=UTC LC_ALL=C.UTF-8 $* '$COURANT' --db '$tmp/db' 2>'$tmp/stderr'; echo \$? >'$tmp/exit'; sleep 600"
	# Keep the size we asked for whatever clients come and go.
	T set-option -g window-size manual
}

screen() { T capture-pane -p; }

# wait_for TEXT [SECONDS]: until the pane shows TEXT (a fixed string).
wait_for() {
	i=0
	limit=$((${2:-10} * 10))
	while [ $i -lt $limit ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- waited for '$1'; the pane shows:"
	screen
	return 1
}

# wait_gone TEXT [SECONDS]: until the pane no longer shows TEXT.
wait_gone() {
	i=0
	limit=$((${2:-10} * 10))
	while [ $i -lt $limit ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- waited for '$1' to go; the pane shows:"
	screen
	return 1
}

# wait_exit: until courant has exited; prints its status.
wait_exit() {
	i=0
	while [ $i -lt 100 ] && [ ! -s "$tmp/exit" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cat "$tmp/exit" 2>/dev/null || echo timeout
}

keys() { T send-keys "$@"; }

# check NAME COMMAND...: one pass or fail line per check.
check() {
	name=$1
	shift
	if "$@"; then pass; else fail "$name"; fi
}
