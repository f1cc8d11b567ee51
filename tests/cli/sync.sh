#!/bin/sh
# SPDX-License-Identifier: MIT
# courant sync, add --remote and refresh against a stand-in TT-RSS
# (tests/tui/ttrss_fake.py): the settings' errors with their line, the
# password from a command or a private file (never printed), the summary
# and --stats, wrong password, an unreachable server keeping the queue
# and the next sync pushing it. The real server is tests/sync/'s.
. "$top_srcdir/tests/lib.sh"
[ -n "${PYTHON3:-}" ] && [ "$PYTHON3" != no ] || skip "python3 is not installed"
export HOME="$tmp/home"
mkdir -p "$HOME"
db=$tmp/db
conf=$tmp/conf
fake_pid=
trap '[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

serve() {
	rm -f "$tmp/port"
	"$PYTHON3" "$top_srcdir/tests/tui/ttrss_fake.py" "$tmp/port" "$tmp/updates" &
	fake_pid=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(cat "$tmp/port")
}
unserve() {
	kill "$fake_pid" 2>/dev/null
	wait "$fake_pid" 2>/dev/null
	fake_pid=
}
# config PASSWORD-LINE: the config with a sync block for the fake.
config() {
	{
		echo "set sync ttrss"
		echo "set sync-url \"http://127.0.0.1:$port/tt-rss\""
		echo "set sync-user someone"
		echo "$1"
	} >"$conf"
}
run() { # run ARGS...: courant with our files; out, err, rc
	"$COURANT" -c "$conf" --db "$db" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	cat "$tmp/out" "$tmp/err" >>"$tmp/all"
}
expect() { # expect RC TEXT: exit status and a line of the output
	if [ "$rc" = "$1" ] && grep -qF -- "$2" "$tmp/out" "$tmp/err"; then
		pass
	else
		fail "wanted $1 and '$2', got $rc: $(cat "$tmp/out" "$tmp/err")"
	fi
}

serve
# Set-up mistakes: exit 2, with the line of `set sync`.
: >"$conf"
run sync
expect 2 "no sync server is set up"
printf 'set mouse no\nset sync ttrss\n' >"$conf"
run sync
expect 2 "conf:2: sync ttrss needs the server's address"
printf 'set sync-url "ftp://x/"\n' >"$conf"
run sync
expect 2 "conf:1: sync-url: not an http or https URL"
config 'set sync-password-file "'"$tmp"'/pw"'
echo "set sync-password-command \"printf x\"" >>"$conf"
run sync
expect 2 "needs only one of sync-password-command and sync-password-file"

# A password file others may read is refused; a private one works.
printf 'fake-pw\n' >"$tmp/pw"
chmod 640 "$tmp/pw"
config 'set sync-password-file "'"$tmp"'/pw"'
run sync
expect 2 "others may read or change it"
chmod 600 "$tmp/pw"
# login, getFeeds, getCategories, one page of headlines, logout: a first
# sync learns the read and starred state from the articles themselves.
run sync --stats
expect 0 "synced: 0 changes pushed, 2 feeds, 5 articles received"
if grep -Eq '^requests 5, bytes [0-9]+ \(sent [0-9]+\), seconds [0-9]+\.[0-9][0-9]$' "$tmp/out"; then
	pass
else
	fail "--stats: $(cat "$tmp/out")"
fi
"$COURANT" --db "$db" feeds >"$tmp/feeds"
if grep -q 'Fake feed one.*\[News\]' "$tmp/feeds" && grep -q 'Fake feed two' "$tmp/feeds"; then
	pass
else
	fail "feeds: $(cat "$tmp/feeds")"
fi
# The server's feeds are the server's: never exported, removed only there.
run export --format urls
if [ "$rc" = 0 ] && ! grep -q 'example.invalid' "$tmp/out"; then
	pass
else
	fail "export showed the server's feeds: $(cat "$tmp/out" "$tmp/err")"
fi
run remove "Fake feed two"
expect 1 "is a feed of the sync server: unsubscribe there"
run -u "$tmp/urls" remove http://example.invalid/1.xml
expect 1 "is a feed of the sync server"
if [ "$("$COURANT" --db "$db" feeds | grep -c 'Fake feed')" = 2 ] && [ ! -s "$tmp/urls" ]; then
	pass
else
	fail "remove touched a server feed or wrote the urls file"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	# Owned by someone else (CI runs as root: hand the file away).
	cp "$tmp/pw" "$tmp/pw-nobody"
	chown nobody "$tmp/pw-nobody"
	config 'set sync-password-file "'"$tmp"'/pw-nobody"'
	run sync
	expect 2 "not owned by you"
fi

# The password from a command: only its first line counts.
config 'set sync-password-command "printf \"fake-pw\\nsecond line\\n\""'
run sync -q
if [ "$rc" = 0 ] && [ ! -s "$tmp/out" ]; then pass; else fail "quiet sync: $rc $(cat "$tmp/out" "$tmp/err")"; fi
config 'set sync-password-command "false"'
run sync
expect 1 "sync-password-command: false exited with status 1"
config 'set sync-password-command "printf wrong"'
run sync
expect 1 "courant sync: login refused: wrong user or password"

# Changes made offline stay queued and go at the next sync.
config 'set sync-password-command "printf fake-pw"'
id=$("$COURANT" --db "$db" list --format tsv | grep 'fake article 4' | cut -f1)
"$COURANT" --db "$db" mark starred "$id"
unserve
run sync
expect 1 "courant sync: cannot reach http://127.0.0.1:$port/tt-rss/api/"
expect 1 "1 change stay queued for the next sync"
serve
config 'set sync-password-command "printf fake-pw"'
: >"$tmp/updates"
run sync
expect 0 "synced: 1 change pushed"
if grep -q '"article_ids": "4", "field": 0, "mode": 1' "$tmp/updates"; then pass; else fail "push: $(cat "$tmp/updates")"; fi

# refresh syncs too, reported like a feed.
run refresh
expect 0 "sync: 0 changes pushed, 2 feeds"
# add --remote: subscribed on the server, then synced.
run add --remote "http://example.invalid/new.xml"
expect 0 "subscribed on the server: http://example.invalid/new.xml"
expect 0 "synced: 0 changes pushed, 3 feeds"
# ...and the server asked to fetch it now rather than at its next update.
if grep -q '"updateFeed": 3' "$tmp/updates"; then pass; else fail "no updateFeed: $(cat "$tmp/updates")"; fi
run add --remote "http://example.invalid/new.xml" --category Nope
expect 1 "the server has no category 'Nope'"
run add --remote "file:///etc/passwd"
expect 2 "is not an http or https URL"

# A reply whose Content-Length is over the cap: smaller pages, not a
# failure.
unserve
export TTRSS_FAKE_BIG_ABOVE=3
serve
unset TTRSS_FAKE_BIG_ABOVE
config 'set sync-password-command "printf fake-pw"'
"$COURANT" -c "$conf" --db "$tmp/db-big" sync --progress >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 0 "sync: articles: pages of 3"
expect 0 "synced: 0 changes pushed, 2 feeds, 5 articles received"

# A server too old for the calls courant makes: a clear refusal.
unserve
export TTRSS_FAKE_API_LEVEL=7
serve
unset TTRSS_FAKE_API_LEVEL
config 'set sync-password-command "printf fake-pw"'
run sync
expect 1 "the server's API level is 7: courant needs level 8 or later"

# The password never shows, whatever happened.
if grep -q 'fake-pw' "$tmp/all"; then fail "the password was printed"; else pass; fi
unserve
finish
