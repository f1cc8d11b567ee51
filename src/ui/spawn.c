// SPDX-License-Identifier: MIT
/*
 * Starting other programs (the browser, tmux for the clipboard) with
 * posix_spawnp and an argv array: never a shell, so nothing in a URL is
 * ever interpreted (SECURITY.md 3.5).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "courant/err.h"

#include "private.h"

extern char **environ;

/* The child starts with default signal handling and no blocked signals,
 * whatever the reader set up for itself; flags are added to those. */
static void
attr_init(posix_spawnattr_t *attr, short flags)
{
	sigset_t none, dfl;

	posix_spawnattr_init(attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGWINCH);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGTSTP);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setsigdefault(attr, &dfl);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK |
	                                       POSIX_SPAWN_SETSIGDEF | flags);
}

/* Nothing but the standard streams: libcurl's wake-up sockets and whatever
 * else lacks close-on-exec stay with courant (a browser left running, or
 * the sync job, would hold them). Call after the dup2 actions. */
static void
close_the_rest(posix_spawn_file_actions_t *fa)
{
#if defined(__GLIBC__) &&                                                      \
        (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	posix_spawn_file_actions_addclosefrom_np(fa, STDERR_FILENO + 1);
#else
	(void)fa;
#endif
}

int
ui_spawn(char *const argv[], const char *input, size_t n,
         enum ui_spawn_mode mode, pid_t *out_pid, struct err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pfd[2] = {-1, -1};
	pid_t pid;
	int rc, status;

	if (input != NULL && pipe(pfd) < 0) {
		err_set(err, ERR_IO, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	attr_init(&attr, 0);
	if (input != NULL) {
		posix_spawn_file_actions_adddup2(&fa, pfd[0], STDIN_FILENO);
		posix_spawn_file_actions_addclose(&fa, pfd[0]);
		posix_spawn_file_actions_addclose(&fa, pfd[1]);
	}
	close_the_rest(&fa);
	if (mode != UI_SPAWN_TERMINAL) {
		if (input == NULL)
			posix_spawn_file_actions_addopen(
			        &fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
		                                 "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
		                                 "/dev/null", O_WRONLY, 0);
	}
	rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (input != NULL)
		close(pfd[0]);
	if (rc != 0) {
		if (input != NULL)
			close(pfd[1]);
		err_set(err, ERR_IO, "cannot run %.100s: %s", argv[0],
		        strerror(rc));
		return -1;
	}
	if (input != NULL) {
		size_t off = 0;

		while (off < n) {
			ssize_t w = write(pfd[1], input + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		close(pfd[1]);
	}
	if (mode == UI_SPAWN_DETACH) {
		if (out_pid != NULL)
			*out_pid = pid;
		return 0;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			err_set(err, ERR_IO, "wait for %.100s: %s", argv[0],
			        strerror(errno));
			return -1;
		}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	err_set(err, ERR_IO, "%.100s was killed by signal %d", argv[0],
	        WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

/* ---- a background job whose output the reader shows --------------------- */

void
ui_job_init(struct ui_job *j)
{
	memset(j, 0, sizeof *j);
	j->fd = -1;
}

bool
ui_job_running(const struct ui_job *j)
{
	return j->pid > 0;
}

int
ui_job_start(struct ui_job *j, char *const argv[], struct err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pfd[2];
	pid_t pid;
	int rc;

	if (j->pid > 0) {
		err_set(err, ERR_USAGE, "already running");
		return -1;
	}
	if (pipe(pfd) < 0) {
		err_set(err, ERR_IO, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	/* Its own session (glibc 2.36), so no controlling terminal: a
	 * password command (pass, gpg, pinentry-curses) that opens /dev/tty
	 * fails rather than draw over the reader or stop on SIGTTIN. The
	 * terminal's ^C and ^Z are the reader's, which stops the job's whole
	 * process group itself when it quits. Without it, a process group
	 * of its own. */
#ifdef POSIX_SPAWN_SETSID
	attr_init(&attr, POSIX_SPAWN_SETSID);
#else
	attr_init(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
#endif
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	                                 O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDERR_FILENO);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	posix_spawn_file_actions_addclose(&fa, pfd[1]);
	close_the_rest(&fa);
	rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		err_set(err, ERR_IO, "cannot run %.100s: %s", argv[0],
		        strerror(rc));
		return -1;
	}
	fcntl(pfd[0], F_SETFL, fcntl(pfd[0], F_GETFL) | O_NONBLOCK);
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	j->pid = pid;
	j->fd = pfd[0];
	j->n = 0;
	j->status = -1;
	return 0;
}

/* Hands every complete line of j->buf to fn and keeps the rest. */
static void
split_lines(struct ui_job *j, void (*fn)(const char *, void *), void *arg,
            bool flush)
{
	size_t start = 0;

	for (size_t i = 0; i < j->n; i++) {
		if (j->buf[i] != '\n')
			continue;
		j->buf[i] = '\0';
		if (i > start)
			fn(j->buf + start, arg);
		start = i + 1;
	}
	if (flush && start < j->n) {
		j->buf[j->n < sizeof j->buf ? j->n : sizeof j->buf - 1] = '\0';
		fn(j->buf + start, arg);
		start = j->n;
	}
	memmove(j->buf, j->buf + start, j->n - start);
	j->n -= start;
}

int
ui_job_poll(struct ui_job *j, void (*fn)(const char *line, void *arg),
            void *arg)
{
	int status;

	if (j->pid <= 0)
		return 0;
	while (j->fd >= 0) {
		ssize_t r =
		        read(j->fd, j->buf + j->n, sizeof j->buf - 1 - j->n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break; /* EAGAIN: nothing more for now */
		if (r == 0) {
			close(j->fd);
			j->fd = -1;
			split_lines(j, fn, arg, true);
			break;
		}
		j->n += (size_t)r;
		/* A line longer than the buffer is cut, not waited for. */
		if (j->n == sizeof j->buf - 1 &&
		    memchr(j->buf, '\n', j->n) == NULL)
			split_lines(j, fn, arg, true);
		else
			split_lines(j, fn, arg, false);
	}
	if (j->fd >= 0)
		return 0;
	/* Its output is closed: it has exited, or is about to (give it up
	 * to 100 ms, else the next call looks again). */
	for (int i = 0;; i++) {
		pid_t r = waitpid(j->pid, &status, WNOHANG);

		if (r == j->pid)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			/* ECHILD: reaped by someone else, its status lost.
			 * Finished, as a failure, so that a sync can start
			 * again. */
			j->pid = 0;
			j->status = 128;
			return 1;
		}
		if (i == 100)
			return 0;
		usleep(1000);
	}
	j->pid = 0;
	j->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	return 1;
}

void
ui_job_stop(struct ui_job *j)
{
	int status;

	if (j->fd >= 0) {
		close(j->fd);
		j->fd = -1;
	}
	if (j->pid <= 0)
		return;
	/* Each of its store writes is one transaction and a change leaves
	 * the queue only once the server has it: stopping it anywhere
	 * loses nothing. Wait a little, then insist: no zombie is left.
	 * The whole group: a password command it runs goes too. */
	kill(-j->pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		if (waitpid(j->pid, &status, WNOHANG) != 0) {
			j->pid = 0;
			return;
		}
		usleep(10000);
	}
	kill(-j->pid, SIGKILL);
	while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
		;
	j->pid = 0;
}
