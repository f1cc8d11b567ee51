// SPDX-License-Identifier: MIT
/*
 * Where the user's files are: XDG base directories, as the specification
 * says (a relative value is ignored), with the password database standing
 * in for an unset HOME.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "courant/config.h"
#include "courant/util.h"
#include "private.h"

char *
config_home(struct err *err)
{
	char *home = home_dir();

	if (home == NULL)
		err_set(err, ERR_IO, "no home directory: set HOME");
	return home;
}

/* $VAR/courant when VAR is absolute, else ~/fallback/courant. */
static char *
xdg_dir(const char *var, const char *fallback, struct err *err)
{
	const char *v = getenv(var);
	char *home;
	char *dir;

	if (v != NULL && v[0] == '/')
		return xasprintf("%s/courant", v);
	home = config_home(err);
	if (home == NULL)
		return NULL;
	dir = xasprintf("%s/%s/courant", home, fallback);
	free(home);
	return dir;
}

char *
config_dir(struct err *err)
{
	return xdg_dir("XDG_CONFIG_HOME", ".config", err);
}

static const char *
env_path(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

int
config_paths_init(struct config_paths *p, const char *config, const char *urls,
                  const char *db, struct err *err)
{
	char *cdir = NULL;
	char *ddir = NULL;

	memset(p, 0, sizeof *p);
	if (config == NULL)
		config = env_path("COURANT_CONFIG");
	if (urls == NULL)
		urls = env_path("COURANT_URLS");
	if (db == NULL)
		db = env_path("COURANT_DB");
	if (config == NULL || urls == NULL) {
		cdir = config_dir(err);
		if (cdir == NULL)
			return -1;
	}
	if (db == NULL) {
		ddir = xdg_dir("XDG_DATA_HOME", ".local/share", err);
		if (ddir == NULL) {
			free(cdir);
			return -1;
		}
	}
	p->config_is_explicit = config != NULL;
	p->urls_is_explicit = urls != NULL;
	p->db_is_explicit = db != NULL;
	p->config = config ? xstrdup(config) : xasprintf("%s/config", cdir);
	p->urls = urls ? xstrdup(urls) : xasprintf("%s/urls", cdir);
	p->db = db ? xstrdup(db) : xasprintf("%s/courant.db", ddir);
	free(cdir);
	free(ddir);
	return 0;
}

void
config_paths_done(struct config_paths *p)
{
	free(p->config);
	free(p->urls);
	free(p->db);
	memset(p, 0, sizeof *p);
}

/* State is small: a value is one short word. */
#define STATE_MAX_BYTES 256

static char *
state_path(const char *name, struct err *err)
{
	char *dir = xdg_dir("XDG_STATE_HOME", ".local/state", err);
	char *path;

	if (dir == NULL)
		return NULL;
	path = xasprintf("%s/%s", dir, name);
	free(dir);
	return path;
}

char *
config_state_get(const char *name)
{
	char *path = state_path(name, NULL);
	char *data = NULL;
	size_t len;

	if (path == NULL)
		return NULL;
	if (config_read_file(path, STATE_MAX_BYTES, true, &data, &len, NULL) < 0)
		data = NULL;
	free(path);
	if (data != NULL && *str_trim(data) == '\0') {
		free(data);
		data = NULL;
	}
	return data;
}

int
config_state_set(const char *name, const char *value, struct err *err)
{
	char *path = state_path(name, err);
	char *line;
	int r;

	if (path == NULL)
		return -1;
	line = xasprintf("%s\n", value);
	r = cfile_replace(path, line, strlen(line), err);
	free(line);
	free(path);
	return r;
}
