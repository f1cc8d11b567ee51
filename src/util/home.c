// SPDX-License-Identifier: MIT
#include "config.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "courant/util.h"

char *
home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	/* A relative or empty HOME would put the user's files wherever the
	 * command happens to run. */
	if (home != NULL && home[0] == '/')
		return xstrdup(home);
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/')
		return xstrdup(pw->pw_dir);
	return NULL;
}
