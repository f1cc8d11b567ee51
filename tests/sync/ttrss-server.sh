#!/bin/sh
# SPDX-License-Identifier: MIT
# A real Tiny Tiny RSS (Debian 12's tt-rss, PostgreSQL 15, Apache 2.4 with
# mod_php) on loopback for the sync tests.
#
#   ttrss-server.sh start        install what is missing, start, configure
#   ttrss-server.sh stop         stop what an earlier 'start' started
#   ttrss-server.sh offline      stop Apache only ('start' brings it back)
#   ttrss-server.sh status       exit 0 when the API answers
#   ttrss-server.sh env          shell assignments: TTRSS_URL, TTRSS_USER, ...
#   ttrss-server.sh user NAME    create (or reset) user NAME: the test
#                                password, API enabled, no feeds or articles
#   ttrss-server.sh deluser NAME drop user NAME with everything it owns
#   ttrss-server.sh busy [NAME]  exit 0 when another test run or a user
#                                other than NAME uses the server
#   ttrss-server.sh api NAME on|off   enable or disable NAME's API access
#   ttrss-server.sh category NAME TITLE   give NAME a category TITLE
#   ttrss-server.sh reset        'user admin': admin back to a clean state
#                                ('start' only sets admin's password and API)
#
# Everything listens on loopback only: tt-rss on 127.0.0.1:8280, the test
# fixtures on [::1]:80 (tt-rss refuses to fetch 127.* and any port but 80
# or 443; a bracketed [::1] passes its checks), or without IPv6 on lo on
# 127.0.0.1:80 as http://0.0.0.0/ (which passes them too, and Linux
# connects to loopback). PostgreSQL keeps Debian's
# default of listening on localhost. Exit status 77 means the server
# cannot be had here (not root, packages not installable):
# the tests skip. Every step prints how long it took on stderr.
set -eu

PORT=8280
URL="http://127.0.0.1:$PORT/tt-rss/"
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
	FIXTURES="[::1]:80"
	FEED_URL="http://[::1]/"
else
	FIXTURES="127.0.0.1:80"
	FEED_URL="http://0.0.0.0/"
fi
PASSWORD="ct-sync-Pw-4d1e"
state=/var/lib/courant-ttrss
docroot=$state/www
db=ttrss
packages="tt-rss dbconfig-pgsql php-pgsql php-curl apache2 libapache2-mod-php"
# This script's and the tests' own tools, missing from minimal images.
tools="curl procps"

say() { echo "ttrss-server: $*" >&2; }
unavailable() {
	say "$*"
	exit 77
}
die() {
	say "$*"
	exit 1
}

now() { date +%s.%N; }
step_start=
step() {
	step_name=$1
	step_start=$(now)
}
step_done() {
	awk -v a="$step_start" -v b="$(now)" -v n="$step_name" \
		'BEGIN { printf "ttrss-server: %s: %.2f s\n", n, b - a }' >&2
}

missing_packages() {
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null |
			grep -qx installed || printf '%s ' "$p"
	done
}

apt_get_install() {
	# --no-install-recommends: tt-rss recommends php-mcrypt and the
	# MariaDB alternatives; what it needs is named in $packages.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		-o DPkg::Lock::Timeout=300 --no-install-recommends "$@" \
		>>"$state/apt.log" 2>&1 9>&-
}

apt_install() {
	: >"$state/apt.log"
	apt_get_install "$@" && return 0
	# A fresh container may have no package lists yet.
	apt-get update -q >>"$state/apt.log" 2>&1 9>&- &&
		apt_get_install "$@" && return 0
	tail -n 20 "$state/apt.log" >&2
	return 1
}

psql_db() {
	runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"
}

pg_running() {
	pg_ctlcluster 15 main status >/dev/null 2>&1
}

apache_pid() {
	pid=$(cat /run/apache2/apache2.pid 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

api_up() {
	command -v curl >/dev/null || return 1
	curl -s -m 5 -A courant-ttrss-server -d '{"op":"isLoggedIn"}' \
		"${URL}api/" 2>/dev/null | grep -q '"status"'
}

# A user with the test password and the API on. MODE2 is tt-rss's
# sha256(salt . password); the schema's admin starts with a SHA1 hash.
sql_user() {
	name=$1
	case $name in
	*[!A-Za-z0-9_-]* | '') die "bad user name '$name'" ;;
	esac
	psql_db <<EOF
BEGIN;
INSERT INTO ttrss_users (login, pwd_hash, salt, access_level, created)
	SELECT '$name', 'x', 's', 0, NOW()
	WHERE NOT EXISTS (SELECT 1 FROM ttrss_users WHERE login = '$name');
UPDATE ttrss_users SET salt = 's', otp_enabled = false,
	pwd_hash = 'MODE2:' || encode(sha256(convert_to('s' || '$PASSWORD',
		'UTF8')), 'hex')
	WHERE login = '$name';
DELETE FROM ttrss_user_prefs WHERE pref_name = 'ENABLE_API_ACCESS'
	AND owner_uid = (SELECT id FROM ttrss_users WHERE login = '$name');
INSERT INTO ttrss_user_prefs (owner_uid, pref_name, profile, value)
	SELECT id, 'ENABLE_API_ACCESS', NULL, 'true' FROM ttrss_users
	WHERE login = '$name';
COMMIT;
EOF
}

# Drops user $1's feeds, categories and articles.
sql_wipe() {
	name=$1
	psql_db <<EOF
BEGIN;
DELETE FROM ttrss_feeds WHERE owner_uid =
	(SELECT id FROM ttrss_users WHERE login = '$name');
DELETE FROM ttrss_feed_categories WHERE owner_uid =
	(SELECT id FROM ttrss_users WHERE login = '$name');
DELETE FROM ttrss_user_entries WHERE owner_uid =
	(SELECT id FROM ttrss_users WHERE login = '$name');
COMMIT;
EOF
	sql_orphans
}

# Articles no user links to any more: tt-rss's housekeeping would purge
# them later, and until then a new subscription would not relink them.
sql_orphans() {
	psql_db -c 'DELETE FROM ttrss_entries WHERE id NOT IN
		(SELECT ref_id FROM ttrss_user_entries)'
}

sql_api() {
	name=$1
	value=$2
	psql_db <<EOF
BEGIN;
DELETE FROM ttrss_user_prefs WHERE pref_name = 'ENABLE_API_ACCESS'
	AND owner_uid = (SELECT id FROM ttrss_users WHERE login = '$name');
INSERT INTO ttrss_user_prefs (owner_uid, pref_name, profile, value)
	SELECT id, 'ENABLE_API_ACCESS', NULL, '$value' FROM ttrss_users
	WHERE login = '$name';
COMMIT;
EOF
}

need_root() {
	[ "$(id -u)" -eq 0 ] ||
		unavailable "needs root (installs and starts tt-rss, PostgreSQL, Apache)"
}

lock() {
	mkdir -p "$state"
	# Daemons started below get 9>&-: one holding the lock would
	# block every later call.
	exec 9>"$state/lock"
	flock -n 9 || {
		say "waiting for another ttrss-server.sh"
		flock -w 600 9 || die "$state/lock stays locked"
	}
}

do_install() {
	missing=$(missing_packages postgresql)
	if [ -n "$missing" ]; then
		step "install PostgreSQL"
		apt_install $missing ||
			unavailable "cannot install postgresql (see $state/apt.log)"
		step_done
	fi
	# dbconfig-common creates tt-rss's database during the install: the
	# cluster must run first (nothing starts by itself under policy-rc.d).
	do_start_pg
	missing=$(missing_packages $packages $tools)
	[ -z "$missing" ] && return 0
	step "install tt-rss, Apache, PHP"
	debconf-set-selections <<EOF
tt-rss tt-rss/dbconfig-install boolean true
tt-rss tt-rss/database-type select pgsql
tt-rss tt-rss/pgsql/method select TCP/IP
tt-rss tt-rss/remote/host string localhost
tt-rss tt-rss/pgsql/authmethod-admin select ident
tt-rss tt-rss/pgsql/authmethod-user select password
tt-rss tt-rss/pgsql/app-pass password ttrss-db-local
tt-rss tt-rss/app-password-confirm password ttrss-db-local
tt-rss tt-rss/db/app-user string ttrss
tt-rss tt-rss/db/dbname string $db
tt-rss tt-rss/reconfigure-webserver multiselect apache2
EOF
	# Apache's own Listen 80 must never come up, even for a moment:
	# policy-rc.d keeps the postinst from starting it, and the ports
	# are rewritten before this script starts it.
	apt_install $missing ||
		unavailable "cannot install $missing(see $state/apt.log)"
	step_done
}

do_start_pg() {
	pg_running && return 0
	step "start PostgreSQL"
	pg_ctlcluster 15 main start 9>&- || die "PostgreSQL 15 does not start"
	touch "$state/started-pg"
	step_done
}

# Writes $1 from stdin when its content differs; returns 0 when it wrote.
put_file() {
	cat >"$state/new"
	if cmp -s "$state/new" "$1"; then
		rm -f "$state/new"
		return 1
	fi
	mv "$state/new" "$1"
	return 0
}

do_configure() {
	step "configure"
	changed=no
	mkdir -p "$docroot"
	put_file /etc/apache2/ports.conf <<EOF && changed=yes
# courant's sync tests (tests/sync/ttrss-server.sh): loopback only.
Listen 127.0.0.1:$PORT
Listen $FIXTURES
EOF
	put_file /etc/apache2/sites-available/courant-ttrss.conf <<EOF && changed=yes
# courant's sync tests: tt-rss (its Alias /tt-rss is in conf-enabled) on
# 127.0.0.1:$PORT; the test fixture feeds on $FIXTURES.
ServerName 127.0.0.1
<VirtualHost 127.0.0.1:$PORT>
	ServerName 127.0.0.1
	DocumentRoot $docroot
</VirtualHost>
<VirtualHost $FIXTURES>
	ServerName courant-fixtures
	DocumentRoot $docroot
	<Directory $docroot>
		Require all granted
		Options None
		AllowOverride None
	</Directory>
</VirtualHost>
EOF
	if [ -e /etc/apache2/sites-enabled/000-default.conf ]; then
		a2dissite -q 000-default >/dev/null
		changed=yes
	fi
	if [ ! -e /etc/apache2/sites-enabled/courant-ttrss.conf ]; then
		a2ensite -q courant-ttrss >/dev/null
		changed=yes
	fi
	if [ ! -e /etc/apache2/conf-enabled/50-tt-rss.conf ]; then
		a2enconf -q 50-tt-rss >/dev/null
		changed=yes
	fi
	conf=/etc/tt-rss/config.php
	[ -f "$conf" ] || die "$conf is missing: is tt-rss installed?"
	if ! grep -q "define('SELF_URL_PATH', '$URL');" "$conf"; then
		sed -i "s|define('SELF_URL_PATH', *'[^']*');|define('SELF_URL_PATH', '$URL');|" "$conf"
		grep -q "define('SELF_URL_PATH', '$URL');" "$conf" ||
			die "cannot set SELF_URL_PATH in $conf"
	fi
	step_done
	[ "$changed" = no ] || apache_reload=yes
}

do_start_apache() {
	if pid=$(apache_pid); then
		[ "${apache_reload:-no}" = yes ] || return 0
		step "reload Apache"
		apache2ctl graceful 9>&- || die "Apache does not reload"
	else
		step "start Apache"
		apache2ctl start 9>&- || die "Apache does not start"
		touch "$state/started-apache"
	fi
	i=0
	until api_up; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "tt-rss does not answer at $URL"
		sleep 0.1
	done
	step_done
}

start() {
	need_root
	lock
	t0=$(now)
	do_install
	do_start_pg
	do_configure
	do_start_apache
	step "users"
	sql_user admin >/dev/null
	step_done
	step_start=$t0
	step_name="start (total)"
	step_done
}

stop_apache() {
	step "stop Apache"
	apache2ctl stop || say "Apache does not stop"
	# apache2ctl returns before the children are gone.
	i=0
	while apache_pid >/dev/null && [ $i -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	step_done
}

stop() {
	need_root
	lock
	if [ -e "$state/started-apache" ]; then
		if apache_pid >/dev/null; then
			stop_apache
		fi
		rm -f "$state/started-apache"
	fi
	if [ -e "$state/started-pg" ]; then
		if pg_running; then
			step "stop PostgreSQL"
			pg_ctlcluster 15 main stop || say "PostgreSQL does not stop"
			step_done
		fi
		rm -f "$state/started-pg"
	fi
}

case ${1:-} in
start) start ;;
stop) stop ;;
offline)
	need_root
	lock
	if apache_pid >/dev/null; then
		stop_apache
	fi
	;;
status)
	api_up
	;;
env)
	cat <<EOF
TTRSS_URL='$URL'
TTRSS_USER=admin
TTRSS_PASSWORD='$PASSWORD'
TTRSS_FEED_DIR='$docroot'
TTRSS_FEED_URL='$FEED_URL'
EOF
	;;
user)
	need_root
	sql_user "${2:?user NAME}" >/dev/null
	sql_wipe "$2" >/dev/null
	;;
busy)
	# Test runs name their users ct-PID-EPOCH: any other than $2 not
	# older than an hour (older ones are a killed run's, dropped here)
	# means another run uses the server; so does any other user's login
	# in the last 10 minutes (a developer's).
	need_root
	case ${2:-} in
	*[!A-Za-z0-9_-]*) die "bad user name '$2'" ;;
	esac
	old=$(($(date +%s) - 3600))
	psql_db >/dev/null <<EOF
DELETE FROM ttrss_users WHERE login ~ '^ct-.*-[0-9]+\$'
	AND substring(login from '-([0-9]+)\$')::bigint < $old;
EOF
	sql_orphans >/dev/null
	n=$(psql_db -c "SELECT count(*) FROM ttrss_users
		WHERE login <> '${2:-}' AND (login LIKE 'ct-%'
		OR last_login > NOW() - INTERVAL '10 minutes')")
	[ "$n" -gt 0 ]
	;;
deluser)
	need_root
	name=${2:?deluser NAME}
	case $name in
	*[!A-Za-z0-9_-]* | '' | admin) die "will not delete user '$name'" ;;
	esac
	# ttrss_users' foreign keys cascade to feeds, user entries, prefs.
	psql_db -c "DELETE FROM ttrss_users WHERE login = '$name'" >/dev/null
	sql_orphans >/dev/null
	;;
api)
	need_root
	case ${3:-} in
	on) sql_api "${2:?api NAME on|off}" true ;;
	off) sql_api "${2:?api NAME on|off}" false ;;
	*) die "usage: api NAME on|off" ;;
	esac
	;;
category)
	need_root
	name=${2:?category NAME TITLE}
	title=${3:?category NAME TITLE}
	case $title in
	*[!A-Za-z0-9_\ -]* | '') die "bad category name '$title'" ;;
	esac
	# The API (level 15) cannot create categories.
	psql_db >/dev/null <<EOF
INSERT INTO ttrss_feed_categories (owner_uid, title)
	SELECT id, '$title' FROM ttrss_users WHERE login = '$name'
	AND NOT EXISTS (SELECT 1 FROM ttrss_feed_categories c
		WHERE c.owner_uid = ttrss_users.id AND c.title = '$title');
EOF
	;;
reset)
	need_root
	sql_user admin >/dev/null
	sql_wipe admin >/dev/null
	;;
*)
	sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
