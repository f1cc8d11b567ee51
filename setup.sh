#!/bin/sh
# SPDX-License-Identifier: MIT
# courant's one set-up script: installs what is missing (Debian 12 packages),
# builds, then runs courant or its test suite. Safe to run again: it only
# installs, configures or rebuilds what is missing or out of date.
#
#   ./setup.sh                 build and open courant on the bundled demo feeds
#   ./setup.sh check [FLAGS]   build and run the whole test suite; FLAGS go to
#                              configure (CI: --enable-werror --enable-sanitizers)
#   ./setup.sh summary         repeat the last test run's closing line
#
# Environment: BUILD_DIR (default: build), JOBS (default: number of CPUs).
set -eu

top=$(cd "$(dirname "$0")" && pwd)
action=${1:-run}
[ $# -gt 0 ] && shift
build=${BUILD_DIR:-$top/build}

# The closing line of a test run, from automake's log (it lists TOTAL, PASS,
# SKIP, XFAIL, FAIL, XPASS, ERROR; XFAIL is left out).
summary() {
	sed -n 's/^# \(TOTAL\|PASS\|FAIL\|SKIP\|ERROR\|XPASS\): *//p' \
		"$build/test-suite.log" | tr '\n' ' ' |
		awk '{ printf "tests: %d passed, %d failed, %d skipped\n", $2, $4 + $5 + $6, $3 }'
}

case $action in
run | check) ;;
summary)
	summary
	exit 0
	;;
-h | --help)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "setup.sh: unknown action '$action' (use 'run' or 'check')" >&2
	exit 2
	;;
esac

jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Build and test dependencies, as Debian package names.
packages="gcc make libc6-dev autoconf automake autoconf-archive pkg-config
libncurses-dev libcurl4-openssl-dev libxml2-dev libsqlite3-dev libcmocka-dev
libjansson-dev
tmux python3 python3-brotli ca-certificates newsboat mandoc"
case " $* " in
*--enable-fuzzing*) packages="$packages clang libclang-rt-dev" ;;
esac

missing=
for p in $packages; do
	if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "setup.sh: installing$missing"
	if [ "$(id -u)" -eq 0 ]; then
		sudo=
	elif command -v sudo >/dev/null 2>&1; then
		sudo=sudo
	else
		echo "setup.sh: need root or sudo to install:$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi
fi

mkdir -p "$build"
flags="$*"
if [ ! -f "$build/config.status" ] || [ "$(cat "$build/.setup-flags" 2>/dev/null)" != "$flags" ]; then
	# shellcheck disable=SC2086
	(cd "$build" && "$top/configure" --prefix="$build/prefix" $flags)
	printf '%s' "$flags" >"$build/.setup-flags"
fi

make -C "$build" -j"$jobs" >/dev/null
make -C "$build" install >/dev/null

if [ "$action" = check ]; then
	make -C "$build" -j"$jobs" check || {
		# The logs of the failed tests are what CI needs to show.
		for log in $(find "$build/tests" -name '*.log' 2>/dev/null); do
			if grep -q '^FAIL\|^ERROR' "${log%.log}.trs" 2>/dev/null; then
				echo "==== $log"
				tail -n 60 "$log"
			fi
		done
		exit 1
	}
	summary
	exit 0
fi

# The reader on the bundled demo feeds, with its own database in the build
# tree: the quick start never touches your store (~/.local/share/courant).
exec "$build/prefix/bin/courant" --db "$build/demo.db"
