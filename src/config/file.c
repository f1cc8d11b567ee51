// SPDX-License-Identifier: MIT
/*
 * The user's files: reading them with the checks SECURITY.md 3.6 asks for,
 * splitting their lines into words, and replacing one atomically.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "courant/text.h"
#include "courant/util.h"

#include "private.h"

int
cfile_check_text(const char *name, const char *text, size_t n, struct err *err)
{
	int line = 1;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t used;

		if (text[i] == '\0') {
			err_set(err, ERR_PARSE, "%s:%d: a NUL byte", name,
			        line);
			return -1;
		}
		if (text[i] == '\n') {
			line++;
			i++;
			continue;
		}
		if ((unsigned char)text[i] < 0x80) {
			i++;
			continue;
		}
		used = utf8_decode(text + i, n - i, &cp);
		if (cp == UTF8_REPLACEMENT && used == 1) {
			err_set(err, ERR_PARSE, "%s:%d: not valid UTF-8", name,
			        line);
			return -1;
		}
		i += used;
	}
	return 0;
}

static int
read_file(const char *path, size_t max, bool utf8, char **data, size_t *len,
          bool *missing, struct err *err)
{
	struct stat sb;
	char *buf;
	size_t got = 0;
	int fd;

	*data = NULL;
	*len = 0;
	*missing = false;
	if (path == NULL || path[0] == '\0') {
		err_set(err, ERR_USAGE, "an empty file name");
		return -1;
	}
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			*missing = true;
			return 0;
		}
		err_set(err, ERR_IO, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		err_set(err, ERR_IO, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* /dev/null is how tests (and users) say "no file": read as empty. */
	if (S_ISCHR(sb.st_mode) && strcmp(path, "/dev/null") == 0) {
		close(fd);
		*data = xstrdup("");
		return 0;
	}
	if (!S_ISREG(sb.st_mode)) {
		err_set(err, ERR_IO, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if ((uintmax_t)sb.st_size > max) {
		err_set(err, ERR_IO, "%s: larger than %zu bytes", path, max);
		close(fd);
		return -1;
	}
	buf = xmalloc((size_t)sb.st_size + 2);
	/* Read to the end, one byte past the size seen: a file that grew
	 * since fstat() is still capped. */
	for (;;) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(err, ERR_IO, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > (size_t)sb.st_size) {
			err_set(err, ERR_IO, "%s: changed while read", path);
			free(buf);
			close(fd);
			return -1;
		}
	}
	close(fd);
	buf[got] = '\0';
	if (utf8 && cfile_check_text(path, buf, got, err) < 0) {
		free(buf);
		return -1;
	}
	*data = buf;
	*len = got;
	return 0;
}

int
cfile_read(const char *path, size_t max, char **data, size_t *len,
           bool *missing, struct err *err)
{
	return read_file(path, max, true, data, len, missing, err);
}

int
config_read_file(const char *path, size_t max, bool utf8, char **data,
                 size_t *len, struct err *err)
{
	bool missing;

	if (read_file(path, max, utf8, data, len, &missing, err) < 0)
		return -1;
	if (missing) {
		err_set(err, ERR_IO, "%s: no such file", path);
		return -1;
	}
	return 0;
}

const char *
next_line(const char *text, size_t n, size_t *pos, size_t *len)
{
	const char *start;
	const char *nl;

	if (*pos >= n)
		return NULL;
	start = text + *pos;
	nl = memchr(start, '\n', n - *pos);
	*len = nl != NULL ? (size_t)(nl - start) : n - *pos;
	*pos += *len + (nl != NULL);
	if (*len > 0 && start[*len - 1] == '\r')
		(*len)--;
	return start;
}

void
words_done(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

static void
words_push(struct words *w, struct buf *b)
{
	w->v = xreallocarray(w->v, w->n + 1, sizeof *w->v);
	w->v[w->n++] = buf_take(b);
}

int
words_split(struct words *w, const char *line, size_t len, const char **why)
{
	struct buf b;
	size_t i = 0;

	words_done(w);
	buf_init(&b, 0);
	for (;;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		buf_reset(&b);
		if (line[i] == '"') {
			bool closed = false;

			for (i++; i < len; i++) {
				if (line[i] == '\\' && i + 1 < len &&
				    (line[i + 1] == '"' ||
				     line[i + 1] == '\\')) {
					buf_putc(&b, line[++i]);
				} else if (line[i] == '"') {
					closed = true;
					i++;
					break;
				} else {
					buf_putc(&b, line[i]);
				}
			}
			if (!closed) {
				*why = "a quote is not closed";
				goto fail;
			}
			if (i < len && line[i] != ' ' && line[i] != '\t') {
				*why = "text right after a closing quote";
				goto fail;
			}
		} else {
			while (i < len && line[i] != ' ' && line[i] != '\t')
				buf_putc(&b, line[i++]);
		}
		for (size_t k = 0; k < b.len; k++) {
			if ((unsigned char)b.data[k] < 0x20 ||
			    b.data[k] == 0x7f) {
				*why = "a control character";
				goto fail;
			}
		}
		words_push(w, &b);
	}
	buf_done(&b);
	return 0;
fail:
	buf_done(&b);
	words_done(w);
	return -1;
}

void
warning_add(struct config_warning **v, size_t *n, const char *file, int line,
            const char *fmt, ...)
{
	va_list ap;

	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].file = file;
	(*v)[*n].line = line;
	va_start(ap, fmt);
	(*v)[*n].msg = xvasprintf(fmt, ap);
	va_end(ap);
	(*n)++;
}

void
warnings_free(struct config_warning *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].msg);
	free(v);
}

static int
make_dir(const char *dir, struct err *err)
{
	char *copy;
	char *parent;
	int r = 0;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT) {
		err_set(err, ERR_IO, "%s: %s", dir, strerror(errno));
		return -1;
	}
	copy = xstrdup(dir);
	parent = dirname(copy);
	if (strcmp(parent, dir) != 0)
		r = make_dir(parent, err);
	free(copy);
	if (r == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err_set(err, ERR_IO, "%s: %s", dir, strerror(errno));
		r = -1;
	}
	return r;
}

int
cfile_replace(const char *path, const char *data, size_t n, struct err *err)
{
	char *target;
	char *copy;
	char *tmp = NULL;
	struct stat sb;
	mode_t mode = 0600;
	size_t done = 0;
	int fd = -1;
	int r = -1;

	/* A urls file kept with the user's dotfiles is often a symbolic
	 * link: replace what it points to, not the link. */
	target = realpath(path, NULL);
	if (target == NULL)
		target = xstrdup(path);
	if (stat(target, &sb) == 0)
		mode = sb.st_mode & 07777;
	copy = xstrdup(target);
	if (make_dir(dirname(copy), err) < 0)
		goto out;
	tmp = xasprintf("%s.tmp-XXXXXX", target);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err_set(err, ERR_IO, "%s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, mode) < 0)
		goto io_fail;
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto io_fail;
		done += (size_t)w;
	}
	if (fsync(fd) < 0)
		goto io_fail;
	if (close(fd) < 0) {
		fd = -1;
		goto io_fail;
	}
	fd = -1;
	if (rename(tmp, target) < 0)
		goto io_fail;
	free(tmp);
	tmp = NULL;
	r = 0;
	goto out;
io_fail:
	err_set(err, ERR_IO, "%s: %s", target, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(copy);
	free(target);
	return r;
}
