// SPDX-License-Identifier: MIT
/*
 * The sync password, from a command (`pass show ttrss`) or from a file
 * only its owner can read. courant never stores it: it is read at each
 * sync, kept in memory for the sync only and wiped afterwards. The command
 * runs with posix_spawnp and an argv split when the config was read: no
 * shell, nothing of the password in any argv or environment.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "courant/sync.h"
#include "courant/util.h"

#define PW_MAX 4096            /* bytes of the first line we keep */
#define PW_READ_MAX (1u << 20) /* bytes of output we read at all */
#define PW_TIMEOUT_MS 60000

extern char **environ;

/* The first line of data[0..n) as a new string; NULL when empty. */
static char *
first_line(const char *data, size_t n)
{
	size_t len = 0;

	while (len < n && data[len] != '\n' && data[len] != '\0')
		len++;
	if (len > 0 && data[len - 1] == '\r')
		len--;
	return len > 0 ? xstrndup(data, len) : NULL;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Waits for pid until the deadline, then kills it; its wait status, or
 * -1 when it had to be killed. */
static int
reap(pid_t pid, const struct timespec *t0)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (ms_since(t0) > PW_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		usleep(10000);
	}
}

static char *
from_command(char *const *argv, struct err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	char data[PW_MAX];
	size_t n = 0, total = 0;
	struct timespec t0;
	int pfd[2];
	pid_t pid;
	int rc, status;
	char *pw = NULL;

	if (pipe(pfd) < 0) {
		err_set(err, ERR_IO, "pipe: %s", strerror(errno));
		return NULL;
	}
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pfd[1]);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		err_set(err, ERR_IO,
		        "sync-password-command: cannot run %.100s: %s", argv[0],
		        strerror(rc));
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Read it all (a command killed by SIGPIPE is a failed command),
	 * keeping the first PW_MAX bytes, within the time limit. */
	while (total < PW_READ_MAX) {
		struct pollfd p = {pfd[0], POLLIN, 0};
		long left = PW_TIMEOUT_MS - ms_since(&t0);
		char chunk[4096];
		ssize_t r;

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p.revents == 0)
			continue;
		r = read(pfd[0], chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n < sizeof data) {
			size_t k = (size_t)r < sizeof data - n
			                   ? (size_t)r
			                   : sizeof data - n;

			memcpy(data + n, chunk, k);
			n += k;
		}
		total += (size_t)r;
		explicit_bzero(chunk, sizeof chunk);
	}
	close(pfd[0]);
	status = reap(pid, &t0);
	if (status == -1) {
		err_set(err, ERR_IO,
		        "sync-password-command: %.100s took longer than %d s",
		        argv[0], PW_TIMEOUT_MS / 1000);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			err_set(err, ERR_IO,
			        "sync-password-command: %.100s exited with "
			        "status %d",
			        argv[0], WEXITSTATUS(status));
		else
			err_set(err, ERR_IO,
			        "sync-password-command: %.100s was killed by "
			        "signal %d",
			        argv[0], WTERMSIG(status));
	} else {
		pw = first_line(data, n);
		if (pw == NULL)
			err_set(err, ERR_USAGE,
			        "sync-password-command: %.100s printed no "
			        "password",
			        argv[0]);
	}
	explicit_bzero(data, sizeof data);
	return pw;
}

static char *
from_file(const char *path, struct err *err)
{
	char data[PW_MAX];
	struct stat sb;
	ssize_t r;
	size_t n = 0;
	char *pw;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		err_set(err, errno == ELOOP ? ERR_USAGE : ERR_IO,
		        "sync-password-file %.150s: %s", path,
		        errno == ELOOP ? "a symbolic link (refused)"
		                       : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		err_set(err, ERR_USAGE,
		        "sync-password-file %.150s: not a regular file", path);
		return NULL;
	}
	if (sb.st_uid != geteuid()) {
		close(fd);
		err_set(err, ERR_USAGE,
		        "sync-password-file %.150s: not owned by you (refused)",
		        path);
		return NULL;
	}
	if ((sb.st_mode & 077) != 0) {
		close(fd);
		err_set(err, ERR_USAGE,
		        "sync-password-file %.150s: others may read or change "
		        "it (refused; chmod 600 it)",
		        path);
		return NULL;
	}
	while (n < sizeof data) {
		r = read(fd, data + n, sizeof data - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	pw = first_line(data, n);
	explicit_bzero(data, sizeof data);
	if (pw == NULL)
		err_set(err, ERR_USAGE, "sync-password-file %.150s: empty",
		        path);
	return pw;
}

char *
sync_password_get(char *const *argv, const char *path, struct err *err)
{
	bool has_cmd = argv != NULL && argv[0] != NULL;
	bool has_file = path != NULL && *path != '\0';

	if (has_cmd == has_file) {
		err_set(err, ERR_USAGE,
		        "set exactly one of sync-password-command and "
		        "sync-password-file");
		return NULL;
	}
	return has_cmd ? from_command(argv, err) : from_file(path, err);
}

void
sync_password_free(char *pw)
{
	if (pw == NULL)
		return;
	explicit_bzero(pw, strlen(pw));
	free(pw);
}
