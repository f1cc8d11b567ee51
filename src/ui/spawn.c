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

int
ui_spawn(char *const argv[], const char *input, size_t n,
         enum ui_spawn_mode mode, pid_t *out_pid, struct err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int pfd[2] = {-1, -1};
	pid_t pid;
	int rc, status;

	if (input != NULL && pipe(pfd) < 0) {
		err_set(err, ERR_IO, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* The child starts with default signal handling and no blocked
	 * signals, whatever the reader set up for itself. */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGWINCH);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGTSTP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	                                        POSIX_SPAWN_SETSIGDEF);
	if (input != NULL) {
		posix_spawn_file_actions_adddup2(&fa, pfd[0], STDIN_FILENO);
		posix_spawn_file_actions_addclose(&fa, pfd[0]);
		posix_spawn_file_actions_addclose(&fa, pfd[1]);
	}
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
