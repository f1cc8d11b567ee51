// SPDX-License-Identifier: MIT
#include "config.h"

#include <string.h>

#include "courant/util.h"

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

bool
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

bool
str_ieq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return false;
	for (; *a && *b; a++, b++)
		if (ascii_lower((unsigned char)*a) !=
		    ascii_lower((unsigned char)*b))
			return false;
	return *a == *b;
}

bool
str_starts_with(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_istarts_with(const char *s, const char *prefix)
{
	if (s == NULL)
		return false;
	for (; *prefix; s++, prefix++)
		if (*s == '\0' || ascii_lower((unsigned char)*s) !=
		                          ascii_lower((unsigned char)*prefix))
			return false;
	return true;
}

char *
str_trim(char *s)
{
	size_t start = 0, end = strlen(s);

	while (start < end && str_is_space((unsigned char)s[start]))
		start++;
	while (end > start && str_is_space((unsigned char)s[end - 1]))
		end--;
	if (start > 0)
		memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}

char *
str_lower(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)ascii_lower((unsigned char)*p);
	return s;
}
