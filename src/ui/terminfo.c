// SPDX-License-Identifier: MIT
/*
 * The terminal's description, read before curses takes the screen, so that
 * an unknown TERM or a terminal without cursor addressing is refused in
 * words. newterm() would do for the first, but when it fails it keeps its
 * half-made screen (LeakSanitizer reports it), and it accepts `dumb`, where
 * the reader can only draw spaces. Apart from ui.c because <term.h> defines
 * hundreds of short macros (lines, columns, bell...).
 */
#include "config.h"

#include <curses.h>
#include <stdbool.h>
#include <term.h>

#include "courant/err.h"

#include "private.h"

int
ui_terminfo_check(const char *term, int fd, struct err *err)
{
	TERMINAL *old = cur_term;
	TERMINAL *t;
	const char *cup;
	bool addressable;
	int found = 0;

	if (setupterm((char *)term, fd, &found) != OK) {
		if (found < 0)
			err_set(err, ERR_USAGE,
			        "no terminal descriptions were found (the "
			        "terminfo database): install ncurses-base");
		else
			err_set(err, ERR_USAGE,
			        "unknown terminal type '%.60s' (TERM); try "
			        "TERM=xterm-256color or install ncurses-term",
			        term);
		return -1;
	}
	cup = tigetstr("cup");
	addressable = cup != NULL && cup != (const char *)-1;
	t = cur_term;
	set_curterm(old);
	del_curterm(t);
	if (!addressable) {
		err_set(err, ERR_USAGE,
		        "the terminal '%.60s' (TERM) cannot move the cursor: "
		        "the reader needs a full-screen terminal such as "
		        "xterm-256color; the commands work anywhere (see "
		        "'courant --help')",
		        term);
		return -1;
	}
	return 0;
}
