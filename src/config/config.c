// SPDX-License-Identifier: MIT
/*
 * The config file: `set NAME VALUE`, `bind KEY [VIEW] ACTION`, `unbind KEY
 * [VIEW]`, `color ELEMENT FG BG [ATTR...]`, `include FILE` and `feed
 * TAG-OR-URL set NAME VALUE`. Settings are a table: each has a type, a
 * range and a default written as in a file, so the defaults go through the
 * same checks as the user's values and the man page can be tested against
 * the table. Keys and colours are kept as written for the reader, which
 * owns the tables of actions and elements.
 */
#include "config.h"

#include <arpa/inet.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "courant/config.h"
#include "courant/fetch.h"
#include "courant/store.h"
#include "courant/util.h"

#include "private.h"

enum kind { K_BOOL, K_INT, K_DURATION, K_STRING, K_ENUM };

struct setting {
	struct config_setting_info info;
	enum kind kind;
	size_t offset; /* into struct config_settings */
	long min, max; /* K_INT, K_DURATION (0 is always allowed for
	                  durations whose min is above it: "off") */
	bool zero_is_off;
	const char *const *choices; /* K_ENUM, in enum order */
	int (*check)(const char *v, const char **why);
	long feed_offset; /* into struct config_feed_settings, -1: none */
};

static const char *const views[] = {"feeds", "articles", "unread", NULL};
static const char *const layouts[] = {"auto", "single", "side", "stacked",
                                      NULL};
static const char *const syncs[] = {"none", "ttrss", NULL};

#define MAX_STRING 1024

static int check_date_format(const char *v, const char **why);
static int check_printable(const char *v, const char **why);
static int check_sync_url(const char *v, const char **why);

#define OFF(f) offsetof(struct config_settings, f)
#define FOFF(f) ((long)offsetof(struct config_feed_settings, f))

/* clang-format off */
static const struct setting settings[] = {
	{ {"browser", "string", "\"\"", true}, K_STRING, OFF(browser), 0, 0, false, NULL, check_printable, FOFF(browser) },
	{ {"cleanup-unread", "bool", "no", false}, K_BOOL, OFF(cleanup_unread), 0, 0, false, NULL, NULL, -1 },
	{ {"confirm-quit", "bool", "no", false}, K_BOOL, OFF(confirm_quit), 0, 0, false, NULL, NULL, -1 },
	{ {"connect-timeout", "duration", "15s", false}, K_DURATION, OFF(connect_timeout), 1, 600, false, NULL, NULL, -1 },
	{ {"date-format", "string", "\"%Y-%m-%d\"", false}, K_STRING, OFF(date_format), 0, 0, false, NULL, check_date_format, -1 },
	{ {"default-view", "feeds|articles|unread", "feeds", false}, K_ENUM, OFF(default_view), 0, 0, false, views, NULL, -1 },
	{ {"download-timeout", "duration", "2m", false}, K_DURATION, OFF(download_timeout), 1, 3600, false, NULL, NULL, -1 },
	{ {"host-connections", "integer", "4", false}, K_INT, OFF(host_connections), 1, 16, false, NULL, NULL, -1 },
	{ {"layout", "auto|single|side|stacked", "auto", false}, K_ENUM, OFF(layout), 0, 0, false, layouts, NULL, -1 },
	{ {"low-speed-timeout", "duration", "30s", false}, K_DURATION, OFF(low_speed_timeout), 1, 3600, false, NULL, NULL, -1 },
	{ {"max-age-days", "integer", "0", true}, K_INT, OFF(max_age_days), 0, 36500, false, NULL, NULL, FOFF(max_age_days) },
	{ {"max-items", "integer", "0", true}, K_INT, OFF(max_items), 0, 1000000, false, NULL, NULL, FOFF(max_items) },
	{ {"mouse", "bool", "no", false}, K_BOOL, OFF(mouse), 0, 0, false, NULL, NULL, -1 },
	{ {"osc52", "bool", "no", false}, K_BOOL, OFF(osc52), 0, 0, false, NULL, NULL, -1 },
	{ {"parallel-transfers", "integer", "16", false}, K_INT, OFF(parallel_transfers), 1, 64, false, NULL, NULL, -1 },
	{ {"refresh-interval", "duration", "1h", true}, K_DURATION, OFF(refresh_interval), 60, 7 * 86400, true, NULL, NULL, FOFF(refresh_interval) },
	{ {"refresh-on-start", "bool", "no", false}, K_BOOL, OFF(refresh_on_start), 0, 0, false, NULL, NULL, -1 },
	{ {"show-read-articles", "bool", "yes", false}, K_BOOL, OFF(show_read_articles), 0, 0, false, NULL, NULL, -1 },
	{ {"show-read-feeds", "bool", "yes", false}, K_BOOL, OFF(show_read_feeds), 0, 0, false, NULL, NULL, -1 },
	{ {"sync", "none|ttrss", "none", false}, K_ENUM, OFF(sync), 0, 0, false, syncs, NULL, -1 },
	{ {"sync-password-command", "string", "\"\"", false}, K_STRING, OFF(sync_password_command), 0, 0, false, NULL, check_printable, -1 },
	{ {"sync-password-file", "string", "\"\"", false}, K_STRING, OFF(sync_password_file), 0, 0, false, NULL, check_printable, -1 },
	{ {"sync-url", "string", "\"\"", false}, K_STRING, OFF(sync_url), 0, 0, false, NULL, check_sync_url, -1 },
	{ {"sync-user", "string", "\"\"", false}, K_STRING, OFF(sync_user), 0, 0, false, NULL, check_printable, -1 },
	{ {"user-agent", "string", "\"\"", false}, K_STRING, OFF(user_agent), 0, 0, false, NULL, check_printable, -1 },
};
/* clang-format on */

#define N_SETTINGS (sizeof settings / sizeof settings[0])

const struct config_setting_info *
config_setting_info(size_t i)
{
	return i < N_SETTINGS ? &settings[i].info : NULL;
}

static const struct setting *
find_setting(const char *name)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strcmp(settings[i].info.name, name) == 0)
			return &settings[i];
	return NULL;
}

static int
check_printable(const char *v, const char **why)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*why = "a control character";
			return -1;
		}
	}
	return 0;
}

/* True when the host of the authority that starts at p (up to '/', '?'
 * or '#') is this machine: localhost, 127.0.0.0/8 or [::1], written as
 * such (other spellings of an address are not recognised). */
static bool
is_loopback_host(const char *p)
{
	size_t end = strcspn(p, "/?#");
	struct in6_addr a6;
	struct in_addr a4;
	const char *at;
	char host[64];
	size_t n;

	/* user@host: the host is after the last '@'. */
	for (at = p + end; at > p && at[-1] != '@'; at--)
		;
	end -= (size_t)(at - p);
	p = at;
	if (*p == '[') {
		const char *close = memchr(p, ']', end);

		if (close == NULL || (size_t)(close - p - 1) >= sizeof host)
			return false;
		n = (size_t)(close - p - 1);
		memcpy(host, p + 1, n);
		host[n] = '\0';
		return inet_pton(AF_INET6, host, &a6) == 1 &&
		       IN6_IS_ADDR_LOOPBACK(&a6);
	}
	n = strcspn(p, ":/?#");
	if (n > end)
		n = end;
	if (n >= sizeof host)
		return false;
	memcpy(host, p, n);
	host[n] = '\0';
	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return true;
	return inet_pton(AF_INET, host, &a4) == 1 &&
	       (ntohl(a4.s_addr) >> 24) == 127;
}

/* The server's address: http or https with a host, as typed (the API is
 * this plus "api/"); "" is "not set". The login sends the password in
 * its body: plain http is for a server on this machine only. */
static int
check_sync_url(const char *v, const char **why)
{
	const char *host;

	if (v[0] == '\0')
		return 0;
	if (check_printable(v, why) < 0)
		return -1;
	if (str_istarts_with(v, "http://"))
		host = v + 7;
	else if (str_istarts_with(v, "https://"))
		host = v + 8;
	else {
		*why = "not an http or https URL";
		return -1;
	}
	if (*host == '\0' || *host == '/' || strchr(v, ' ') != NULL) {
		*why = "not a URL with a host";
		return -1;
	}
	if (host == v + 7 && !is_loopback_host(host)) {
		*why = "with http:// the password would cross the network in "
		       "clear text: use https:// (http:// is only for a "
		       "server on this machine: localhost, 127.0.0.1, [::1])";
		return -1;
	}
	return 0;
}

/* Only the conversions strftime(3) documents; no field widths or flags
 * that glibc would accept and another libc print literally. */
static int
check_date_format(const char *v, const char **why)
{
	static const char ok[] = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%";

	if (v[0] == '\0') {
		*why = "an empty format";
		return -1;
	}
	if (strlen(v) > 128) {
		*why = "longer than 128 bytes";
		return -1;
	}
	for (const char *p = v; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == 'E' || *p == 'O')
			p++;
		if (*p == '\0' || strchr(ok, *p) == NULL) {
			*why = "an unknown %-conversion (see strftime(3))";
			return -1;
		}
	}
	return check_printable(v, why);
}

long
config_parse_duration(const char *s)
{
	long v = 0;
	long unit = 1;
	const char *p = s;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (LONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case '\0':
	case 's':
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (*p != '\0' && p[1] != '\0')
		return -1;
	if (v > LONG_MAX / unit)
		return -1;
	return v * unit;
}

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (str_ieq(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (str_ieq(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Checks value for s; on success stores the number in *num or the
 * string's validity. -1 and a message in err (without location). */
static int
check_value(const struct setting *s, const char *value, long *num,
            struct err *err)
{
	const char *why = NULL;
	bool b;
	char *end;

	switch (s->kind) {
	case K_BOOL:
		if (parse_bool(value, &b) < 0) {
			err_set(err, ERR_PARSE, "%s: '%s' is not yes or no",
			        s->info.name, value);
			return -1;
		}
		*num = b;
		return 0;
	case K_INT:
		*num = strtol(value, &end, 10);
		if (value[0] == '\0' || *end != '\0' || value[0] == '+' ||
		    str_is_space(value[0])) {
			err_set(err, ERR_PARSE, "%s: '%s' is not a number",
			        s->info.name, value);
			return -1;
		}
		break;
	case K_DURATION:
		*num = config_parse_duration(value);
		if (*num < 0) {
			err_set(err, ERR_PARSE,
			        "%s: '%s' is not a duration (like 90s, 15m, "
			        "3h, 2d)",
			        s->info.name, value);
			return -1;
		}
		if (*num == 0 && s->zero_is_off)
			return 0;
		break;
	case K_STRING:
		if (strlen(value) > MAX_STRING) {
			err_set(err, ERR_PARSE, "%s: longer than %d bytes",
			        s->info.name, MAX_STRING);
			return -1;
		}
		if (s->check != NULL && s->check(value, &why) < 0) {
			err_set(err, ERR_PARSE, "%s: %s", s->info.name, why);
			return -1;
		}
		return 0;
	case K_ENUM:
		for (int i = 0; s->choices[i] != NULL; i++) {
			if (str_ieq(value, s->choices[i])) {
				*num = i;
				return 0;
			}
		}
		err_set(err, ERR_PARSE, "%s: '%s' is not one of %s",
		        s->info.name, value, s->info.type);
		return -1;
	}
	if (*num < s->min || *num > s->max) {
		if (s->kind == K_DURATION)
			err_set(err, ERR_PARSE,
			        "%s: %s is out of range (%lds to %lds%s)",
			        s->info.name, value, s->min, s->max,
			        s->zero_is_off ? ", or 0 for off" : "");
		else
			err_set(err, ERR_PARSE,
			        "%s: %s is out of range (%ld to %ld)",
			        s->info.name, value, s->min, s->max);
		return -1;
	}
	return 0;
}

static void
free_argv(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

/* The browser command split once, at load time (SECURITY.md 3.5): words
 * as in the files, quotes allowed, no shell. */
static int
split_command(const char *name, const char *cmd, char ***out, struct err *err)
{
	struct words w = {0};
	const char *why = NULL;
	char **argv;

	*out = NULL;
	if (words_split(&w, cmd, strlen(cmd), &why) < 0) {
		err_set(err, ERR_PARSE, "%s: %s", name, why);
		return -1;
	}
	if (w.n == 0)
		return 0;
	argv = xcalloc(w.n + 1, sizeof *argv);
	for (size_t i = 0; i < w.n; i++) {
		argv[i] = w.v[i];
		w.v[i] = NULL;
	}
	words_done(&w);
	*out = argv;
	return 0;
}

static int
apply(struct config_settings *cs, const struct setting *s, const char *value,
      struct err *err)
{
	char *base = (char *)cs;
	long num = 0;

	if (check_value(s, value, &num, err) < 0)
		return -1;
	switch (s->kind) {
	case K_BOOL:
		*(bool *)(base + s->offset) = num != 0;
		break;
	case K_INT:
		*(int *)(base + s->offset) = (int)num;
		break;
	case K_DURATION:
		*(long *)(base + s->offset) = num;
		break;
	case K_ENUM:
		/* Both enums are plain ints counting from 0. */
		*(int *)(base + s->offset) = (int)num;
		break;
	case K_STRING: {
		char **slot = (char **)(base + s->offset);

		if (s->offset == OFF(browser)) {
			char **argv;

			if (split_command("browser", value, &argv, err) < 0)
				return -1;
			free_argv(cs->browser_argv);
			cs->browser_argv = argv;
		} else if (s->offset == OFF(sync_password_command)) {
			char **argv;

			if (split_command("sync-password-command", value, &argv,
			                  err) < 0)
				return -1;
			free_argv(cs->sync_password_argv);
			cs->sync_password_argv = argv;
		}
		free(*slot);
		*slot = xstrdup(value);
		break;
	}
	}
	return 0;
}

int
config_set(struct config *c, const char *name, const char *value,
           const char *where, struct err *err)
{
	const struct setting *s = find_setting(name);
	struct err e = {0};

	if (s == NULL) {
		err_set(err, ERR_USAGE, "%s%sunknown setting '%s'",
		        where ? where : "", where ? ": " : "", name);
		return -1;
	}
	if (apply(&c->set, s, value, &e) < 0) {
		err_set(err, ERR_USAGE, "%s%s%s", where ? where : "",
		        where ? ": " : "", e.msg);
		return -1;
	}
	/* Where sync was turned on: its other settings are checked as a
	 * whole once everything is read, and reported there. */
	if (s->offset == OFF(sync)) {
		free(c->set.sync_where);
		c->set.sync_where = where ? xstrdup(where) : NULL;
	}
	return 0;
}

struct config *
config_new(void)
{
	struct config *c = xcalloc(1, sizeof *c);

	for (size_t i = 0; i < N_SETTINGS; i++) {
		const char *def = settings[i].info.def;
		char *v = NULL;

		/* Defaults are written as in a file: "" for empty. */
		if (strcmp(def, "\"\"") == 0)
			def = "";
		else if (def[0] == '"')
			def = v = xstrndup(def + 1, strlen(def) - 2);
		if (apply(&c->set, &settings[i], def, NULL) < 0)
			abort(); /* a bad default is a programming mistake */
		free(v);
	}
	return c;
}

static void
bind_done(struct config_bind *b)
{
	free(b->key);
	free(b->view);
	free(b->action);
}

static void
color_done(struct config_color *cl)
{
	free(cl->element);
	free(cl->fg);
	free(cl->bg);
	for (size_t i = 0; i < cl->n_attrs; i++)
		free(cl->attrs[i]);
	free(cl->attrs);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->set.browser);
	free_argv(c->set.browser_argv);
	free(c->set.date_format);
	free(c->set.user_agent);
	free(c->set.sync_url);
	free(c->set.sync_user);
	free(c->set.sync_password_command);
	free_argv(c->set.sync_password_argv);
	free(c->set.sync_password_file);
	free(c->set.sync_where);
	for (size_t i = 0; i < c->n_binds; i++)
		bind_done(&c->binds[i]);
	free(c->binds);
	for (size_t i = 0; i < c->n_colors; i++)
		color_done(&c->colors[i]);
	free(c->colors);
	for (size_t i = 0; i < c->n_rules; i++) {
		free(c->rules[i].match);
		free(c->rules[i].set.browser);
	}
	free(c->rules);
	warnings_free(c->warnings, c->n_warnings);
	for (size_t i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}

/* ---- the parser ---------------------------------------------------------- */

struct ctx {
	struct config *c;
	int depth;
	char *stack[CONFIG_MAX_INCLUDE_DEPTH + 2]; /* real paths being read */
	int n_stack;
};

static int parse_file(struct ctx *x, const char *path, const char *from,
                      int from_line, struct err *err);

static const char *
keep_name(struct config *c, const char *name)
{
	for (size_t i = 0; i < c->n_files; i++)
		if (strcmp(c->files[i], name) == 0)
			return c->files[i];
	c->files = xreallocarray(c->files, c->n_files + 1, sizeof *c->files);
	c->files[c->n_files] = xstrdup(name);
	return c->files[c->n_files++];
}

static int
do_feed(struct ctx *x, struct words *w, const char *file, int line,
        struct err *err)
{
	struct config_feed_rule r = {0};
	const struct setting *s;
	struct err e = {0};
	char *where;
	long num = 0;

	if (w->n != 5 || strcmp(w->v[2], "set") != 0) {
		err_set(err, ERR_PARSE,
		        "%s:%d: expected 'feed TAG-OR-URL set NAME VALUE'",
		        file, line);
		return -1;
	}
	s = find_setting(w->v[3]);
	if (s == NULL || s->feed_offset < 0) {
		err_set(err, ERR_PARSE,
		        "%s:%d: '%s' cannot be set per feed (only browser, "
		        "max-age-days, max-items, refresh-interval)",
		        file, line, w->v[3]);
		return -1;
	}
	if (check_value(s, w->v[4], &num, &e) < 0) {
		where = xasprintf("%s:%d", file, line);
		err_set(err, ERR_PARSE, "%s: %s", where, e.msg);
		free(where);
		return -1;
	}
	r.match = xstrdup(w->v[1]);
	r.is_url = strstr(r.match, "://") != NULL;
	r.set.refresh_interval = -1;
	r.set.max_items = -1;
	r.set.max_age_days = -1;
	if (s->feed_offset == FOFF(browser)) {
		char **argv;

		if (split_command("browser", w->v[4], &argv, &e) < 0) {
			err_set(err, ERR_PARSE, "%s:%d: %s", file, line, e.msg);
			free(r.match);
			return -1;
		}
		free_argv(argv);
		r.set.browser = xstrdup(w->v[4]);
	} else if (s->feed_offset == FOFF(refresh_interval)) {
		r.set.refresh_interval = num;
	} else if (s->feed_offset == FOFF(max_items)) {
		r.set.max_items = (int)num;
	} else {
		r.set.max_age_days = (int)num;
	}
	r.file = file;
	r.line = line;
	x->c->rules = xreallocarray(x->c->rules, x->c->n_rules + 1,
	                            sizeof *x->c->rules);
	x->c->rules[x->c->n_rules++] = r;
	return 0;
}

static char *
include_path(const char *from, const char *name, struct err *err)
{
	char *copy;
	char *p;

	if (name[0] == '/')
		return xstrdup(name);
	if (name[0] == '~' && name[1] == '/') {
		char *home = config_home(err);

		if (home == NULL)
			return NULL;
		p = xasprintf("%s%s", home, name + 1);
		free(home);
		return p;
	}
	copy = xstrdup(from);
	p = xasprintf("%s/%s", dirname(copy), name);
	free(copy);
	return p;
}

static int
do_line(struct ctx *x, struct words *w, const char *file, int line,
        struct err *err)
{
	struct config *c = x->c;
	const char *cmd = w->v[0];

	if (strcmp(cmd, "set") == 0) {
		char *where;
		int r;

		if (w->n != 3) {
			err_set(err, ERR_PARSE,
			        "%s:%d: expected 'set NAME VALUE'%s", file,
			        line,
			        w->n > 3 ? " (quote a value with spaces)" : "");
			return -1;
		}
		where = xasprintf("%s:%d", file, line);
		r = config_set(c, w->v[1], w->v[2], where, err);
		if (r < 0)
			err->code = ERR_PARSE;
		free(where);
		return r;
	}
	if (strcmp(cmd, "bind") == 0 || strcmp(cmd, "unbind") == 0) {
		bool is_bind = cmd[0] == 'b';
		struct config_bind b = {0};

		if (is_bind ? (w->n != 3 && w->n != 4)
		            : (w->n != 2 && w->n != 3)) {
			err_set(err, ERR_PARSE, "%s:%d: expected '%s'", file,
			        line,
			        is_bind ? "bind KEY [VIEW] ACTION"
			                : "unbind KEY [VIEW]");
			return -1;
		}
		b.key = xstrdup(w->v[1]);
		if ((is_bind && w->n == 4) || (!is_bind && w->n == 3))
			b.view = xstrdup(w->v[2]);
		if (is_bind)
			b.action = xstrdup(w->v[w->n - 1]);
		b.file = file;
		b.line = line;
		c->binds = xreallocarray(c->binds, c->n_binds + 1,
		                         sizeof *c->binds);
		c->binds[c->n_binds++] = b;
		return 0;
	}
	if (strcmp(cmd, "color") == 0) {
		struct config_color cl = {0};

		if (w->n < 4 || w->n > 12) {
			err_set(err, ERR_PARSE,
			        "%s:%d: expected 'color ELEMENT FG BG "
			        "[ATTR...]'",
			        file, line);
			return -1;
		}
		cl.element = xstrdup(w->v[1]);
		cl.fg = xstrdup(w->v[2]);
		cl.bg = xstrdup(w->v[3]);
		cl.n_attrs = w->n - 4;
		cl.attrs = cl.n_attrs ? xcalloc(cl.n_attrs, sizeof *cl.attrs)
		                      : NULL;
		for (size_t i = 0; i < cl.n_attrs; i++)
			cl.attrs[i] = xstrdup(w->v[4 + i]);
		cl.file = file;
		cl.line = line;
		c->colors = xreallocarray(c->colors, c->n_colors + 1,
		                          sizeof *c->colors);
		c->colors[c->n_colors++] = cl;
		return 0;
	}
	if (strcmp(cmd, "include") == 0) {
		char *path;
		int r;

		if (w->n != 2) {
			err_set(err, ERR_PARSE,
			        "%s:%d: expected 'include FILE'", file, line);
			return -1;
		}
		path = include_path(file, w->v[1], err);
		if (path == NULL)
			return -1;
		r = parse_file(x, path, file, line, err);
		free(path);
		return r;
	}
	if (strcmp(cmd, "feed") == 0)
		return do_feed(x, w, file, line, err);
	err_set(err, ERR_PARSE, "%s:%d: unknown command '%s'", file, line, cmd);
	return -1;
}

static int
parse_text(struct ctx *x, const char *name, const char *text, size_t n,
           struct err *err)
{
	const char *file = keep_name(x->c, name);
	struct words w = {0};
	const char *line;
	size_t pos = 0;
	size_t len;
	int lineno = 0;

	if (cfile_check_text(file, text, n, err) < 0)
		return -1;
	if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while ((line = next_line(text, n, &pos, &len)) != NULL) {
		const char *why = NULL;

		lineno++;
		if (words_split(&w, line, len, &why) < 0) {
			err_set(err, ERR_PARSE, "%s:%d: %s", file, lineno, why);
			return -1;
		}
		if (w.n == 0)
			continue;
		if (do_line(x, &w, file, lineno, err) < 0) {
			words_done(&w);
			return -1;
		}
	}
	words_done(&w);
	return 0;
}

static int
parse_file(struct ctx *x, const char *path, const char *from, int from_line,
           struct err *err)
{
	char *data;
	char *real;
	size_t n;
	bool missing;
	int r;

	if (x->depth >= CONFIG_MAX_INCLUDE_DEPTH) {
		err_set(err, ERR_PARSE,
		        "%s:%d: includes nested more than %d deep", from,
		        from_line, CONFIG_MAX_INCLUDE_DEPTH);
		return -1;
	}
	real = realpath(path, NULL);
	for (int i = 0; real != NULL && i < x->n_stack; i++) {
		if (strcmp(x->stack[i], real) == 0) {
			err_set(err, ERR_PARSE,
			        "%s:%d: '%s' is already being read (an "
			        "include cycle)",
			        from, from_line, path);
			free(real);
			return -1;
		}
	}
	if (cfile_read(path, CONFIG_MAX_FILE, &data, &n, &missing, err) < 0 ||
	    missing) {
		if (missing)
			err_set(err, ERR_IO, "%s:%d: '%s' does not exist", from,
			        from_line, path);
		else {
			struct err e = *err;

			err_set(err, e.code, "%s:%d: %s", from, from_line,
			        e.msg);
		}
		free(real);
		return -1;
	}
	x->stack[x->n_stack++] = real != NULL ? real : xstrdup(path);
	x->depth++;
	r = parse_text(x, path, data, n, err);
	x->depth--;
	free(x->stack[--x->n_stack]);
	free(data);
	return r;
}

int
config_parse(struct config *c, const char *name, const char *text, size_t n,
             struct err *err)
{
	struct ctx x = {0};
	char *real;
	int r;

	x.c = c;
	if (name == NULL)
		name = "config";
	real = realpath(name, NULL);
	x.stack[x.n_stack++] = real != NULL ? real : xstrdup(name);
	x.depth = 1;
	r = parse_text(&x, name, text != NULL ? text : "", text ? n : 0, err);
	free(x.stack[0]);
	return r;
}

struct config *
config_load(const char *path, bool must_exist, struct err *err)
{
	struct config *c;
	char *data;
	size_t n;
	bool missing;

	if (cfile_read(path, CONFIG_MAX_FILE, &data, &n, &missing, err) < 0)
		return NULL;
	c = config_new();
	if (missing) {
		if (must_exist) {
			err_set(err, ERR_IO, "%s: no such file", path);
			config_free(c);
			return NULL;
		}
		return c;
	}
	if (config_parse(c, path, data, n, err) < 0 ||
	    config_check_sync(c, err) < 0) {
		config_free(c);
		c = NULL;
	}
	free(data);
	return c;
}

int
config_check_sync(const struct config *c, struct err *err)
{
	const struct config_settings *s = &c->set;
	const char *where = s->sync_where ? s->sync_where : "config";
	bool cmd = s->sync_password_command[0] != '\0';
	bool file = s->sync_password_file[0] != '\0';

	if (s->sync == CONFIG_SYNC_NONE)
		return 0;
	if (s->sync_url[0] == '\0') {
		err_set(err, ERR_PARSE,
		        "%s: sync ttrss needs the server's address: set "
		        "sync-url \"https://HOST/tt-rss/\"",
		        where);
		return -1;
	}
	if (s->sync_user[0] == '\0') {
		err_set(err, ERR_PARSE,
		        "%s: sync ttrss needs a user name: set sync-user NAME",
		        where);
		return -1;
	}
	if (cmd == file) {
		err_set(err, ERR_PARSE,
		        "%s: sync ttrss needs %s of sync-password-command and "
		        "sync-password-file",
		        where, cmd ? "only one" : "one");
		return -1;
	}
	if (cmd && s->sync_password_argv == NULL) {
		err_set(err, ERR_PARSE, "%s: sync-password-command is empty",
		        where);
		return -1;
	}
	return 0;
}

/* ---- using the settings -------------------------------------------------- */

static bool
has_tag(const char *const *tags, size_t n, const char *tag)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tags[i], tag) == 0)
			return true;
	return false;
}

static void
merge(struct config_feed_settings *out, const struct config_feed_settings *r)
{
	if (r->refresh_interval >= 0)
		out->refresh_interval = r->refresh_interval;
	if (r->max_items >= 0)
		out->max_items = r->max_items;
	if (r->max_age_days >= 0)
		out->max_age_days = r->max_age_days;
	if (r->browser != NULL)
		out->browser = r->browser;
}

void
config_feed_settings(const struct config *c, const char *url,
                     const char *const *tags, size_t n_tags,
                     struct config_feed_settings *out)
{
	out->refresh_interval = c ? c->set.refresh_interval : 3600;
	out->max_items = c ? c->set.max_items : 0;
	out->max_age_days = c ? c->set.max_age_days : 0;
	out->browser = c ? c->set.browser : NULL;
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_rules; i++)
		if (!c->rules[i].is_url &&
		    has_tag(tags, n_tags, c->rules[i].match))
			merge(out, &c->rules[i].set);
	for (size_t i = 0; i < c->n_rules; i++)
		if (c->rules[i].is_url && url != NULL &&
		    strcmp(c->rules[i].match, url) == 0)
			merge(out, &c->rules[i].set);
}

void
config_poller_opts(const struct config *c, struct poller_opts *o)
{
	poller_opts_default(o);
	if (c == NULL)
		return;
	o->max_transfers = c->set.parallel_transfers;
	o->max_host = c->set.host_connections;
	o->connect_timeout = c->set.connect_timeout;
	o->low_speed_time = c->set.low_speed_timeout;
	o->total_timeout = c->set.download_timeout;
	o->user_agent = c->set.user_agent; /* lent: c outlives the poller */
}

void
config_retention(const struct config *c, struct store_retention *r)
{
	memset(r, 0, sizeof *r);
	if (c == NULL)
		return;
	r->max_items = c->set.max_items;
	r->max_age_days = c->set.max_age_days;
	r->drop_unread = c->set.cleanup_unread;
}
