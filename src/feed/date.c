// SPDX-License-Identifier: MIT
/*
 * Feed dates: the handful of shapes that real feeds put in pubDate, updated,
 * dc:date and friends, turned into UTC seconds without libc's time functions
 * (timegm and strptime depend on the locale or on time_t's range; feeds have
 * dates before 1970 and, rarely, before year 1000).
 *
 * Two strict grammars are tried in turn on the string (after an optional
 * day name): an ISO 8601 one (W3C-DTF, RFC 3339, reduced and truncated forms,
 * ordinal dates, the MSSQL and Korean variants) and an RFC 822 one (with its
 * common deviations, asctime and the Perforce form). A grammar must consume
 * the whole string, and every field is range-checked rather than normalised:
 * "25:14" is no time of day, and a typo should not become a wrong date.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "courant/feed.h"
#include "courant/util.h"

/* No date in a feed is anywhere near this long; longer input is junk. */
#define DATE_MAX_LEN 256

#define SECS_PER_DAY 86400

struct cursor {
	const char *p;
	const char *end;
};

struct fields {
	int year;
	int month; /* 1..12; 0 while an ordinal day is used instead */
	int day;
	int yday; /* ordinal day 1..366, or 0 */
	int hour;
	int min;
	int sec;
	int offset; /* seconds east of UTC */
	bool has_zone;
	bool is_korean; /* Korean forms default to KST */
	int meridiem;   /* 0 none, 1 AM, 2 PM */
};

struct name_value {
	const char *name;
	int value;
};

/*
 * Month names other than English. Hungarian appears in W3C-DTF-shaped dates
 * of one blog engine; Greek in RFC 822 dates of localised CMSs.
 */
static const struct name_value foreign_months[] = {
        {"január", 1},     {"február", 2},  {"március", 3},   {"április", 4},
        {"május", 5},      {"június", 6},   {"július", 7},    {"augusztus", 8},
        {"szeptember", 9}, {"október", 10}, {"november", 11}, {"december", 12},
        {"Ιαν", 1},        {"Φεβ", 2},      {"Μαρ", 3},       {"Μάρ", 3},
        {"Απρ", 4},        {"Μαΐ", 5},      {"Μαϊ", 5},       {"Μάι", 5},
        {"Μαι", 5},        {"Ιουν", 6},     {"Ιούν", 6},      {"Ιον", 6},
        {"Ιουλ", 7},       {"Ιούλ", 7},     {"Ιολ", 7},       {"Αυγ", 8},
        {"Αύγ", 8},        {"Σεπ", 9},      {"Οκτ", 10},      {"Νοε", 11},
        {"Νοέ", 11},       {"Δεκ", 12},
};

static const char *const english_months[] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december",
};

static const char *const english_days[] = {
        "sunday",   "monday", "tuesday",  "wednesday",
        "thursday", "friday", "saturday",
};

static const char *const greek_days[] = {
        "Κυρ", "Δευ", "Τρι", "Τετ", "Πεμ", "Πέμ", "Παρ", "Σαβ",
};

/* Zone names in minutes east of UTC. RFC 822 defines the US ones; the rest
 * are what feeds actually send. Ambiguous names (IST, BST) are left out. */
static const struct name_value zones[] = {
        {"UT", 0},      {"UTC", 0},     {"GMT", 0},    {"Z", 0},
        {"UCT", 0},     {"Zulu", 0},    {"WET", 0},    {"WEST", 60},
        {"CET", 60},    {"CEST", 120},  {"MET", 60},   {"MEST", 120},
        {"EET", 120},   {"EEST", 180},  {"MSK", 180},  {"JST", 540},
        {"KST", 540},   {"AEST", 600},  {"AEDT", 660}, {"NZST", 720},
        {"NZDT", 780},  {"AT", -240},   {"AST", -240}, {"ADT", -180},
        {"ET", -300},   {"EST", -300},  {"EDT", -240}, {"CT", -360},
        {"CST", -360},  {"CDT", -300},  {"MT", -420},  {"MST", -420},
        {"MDT", -360},  {"PT", -480},   {"PST", -480}, {"PDT", -420},
        {"AKST", -540}, {"AKDT", -480}, {"HST", -600},
};

/* 오전 (a.m.) and 오후 (p.m.), as Korean blog engines write them. */
static const char korean_am[] = "\xec\x98\xa4\xec\xa0\x84";
static const char korean_pm[] = "\xec\x98\xa4\xed\x9b\x84";
/* 년 (year), 월 (month), 일 (day) */
static const char korean_year[] = "\xeb\x85\x84";
static const char korean_month[] = "\xec\x9b\x94";
static const char korean_day[] = "\xec\x9d\xbc";

static const int days_before_month[] = {
        0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
};

/* ------------------------------------------------------------------ */
/* Calendar arithmetic, proleptic Gregorian, year 0 included. */

static bool
is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int
month_length(int y, int m)
{
	static const int len[] = {31, 28, 31, 30, 31, 30,
	                          31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Days from 0000-01-01 to the first of January of year y (y >= 0): 365 a
 * year plus one for each leap year in 0..y-1 (0 itself is a leap year). */
static int64_t
days_before_year(int64_t y)
{
	return 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
}

static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t n = days_before_year(y) + days_before_month[m - 1] + d - 1;

	if (m > 2 && is_leap(y))
		n++;
	return n - days_before_year(1970);
}

/* ------------------------------------------------------------------ */
/* Scanning. The cursor never reads at or past `end`. */

static bool
at_end(const struct cursor *c)
{
	return c->p >= c->end;
}

static int
peek(const struct cursor *c)
{
	return at_end(c) ? -1 : (unsigned char)*c->p;
}

static int
peek_at(const struct cursor *c, size_t i)
{
	return (size_t)(c->end - c->p) > i ? (unsigned char)c->p[i] : -1;
}

static bool
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

/* Word characters: ASCII letters and any byte of a multibyte UTF-8
 * sequence, so Greek, Hungarian and Korean words read as one word. */
static bool
is_word_byte(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch >= 0x80;
}

static bool
accept(struct cursor *c, int ch)
{
	if (peek(c) != ch)
		return false;
	c->p++;
	return true;
}

static bool
accept_str(struct cursor *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

static void
skip_spaces(struct cursor *c)
{
	while (!at_end(c) && str_is_space((unsigned char)*c->p))
		c->p++;
}

/* Skips what may separate the parts of an RFC 822 date: blanks, commas
 * ("13 Feb, 2012") and hyphens ("06-Nov-94", RFC 850). */
static void
skip_separators(struct cursor *c)
{
	while (!at_end(c) && (str_is_space((unsigned char)*c->p) ||
	                      *c->p == ',' || *c->p == '-'))
		c->p++;
}

/* Skips blanks and commas: "Thu,  5 Apr", "Fri,24 Nov", "Aug 30, 2012". */
static void
skip_blanks(struct cursor *c)
{
	while (!at_end(c) &&
	       (str_is_space((unsigned char)*c->p) || *c->p == ','))
		c->p++;
}

/* Length of the run of digits at the cursor, without consuming it. */
static size_t
digit_run(const struct cursor *c)
{
	size_t n = 0;

	while (is_digit(peek_at(c, n)))
		n++;
	return n;
}

/* Consumes exactly n digits (the caller knows they are there). */
static int
take(struct cursor *c, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (*c->p++ - '0');
	return v;
}

/* Consumes a whole run of min..max digits into *v; false otherwise. */
static bool
number(struct cursor *c, size_t min, size_t max, int *v)
{
	size_t n = digit_run(c);

	if (n < min || n > max)
		return false;
	*v = take(c, n);
	return true;
}

/* Consumes a word; returns its length (0 when there is none). */
static size_t
word(struct cursor *c, const char **w)
{
	size_t n = 0;

	*w = c->p;
	while (is_word_byte(peek_at(c, n)))
		n++;
	c->p += n;
	return n;
}

static int
ascii_lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* w[0..n) equals name, ASCII letters compared without case. */
static bool
word_is(const char *w, size_t n, const char *name)
{
	if (strlen(name) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)w[i]) !=
		    ascii_lower((unsigned char)name[i]))
			return false;
	return true;
}

/* w is the start of `full` ("Sept", "Thurs"), at least three letters. */
static bool
word_abbreviates(const char *w, size_t n, const char *full)
{
	if (n < 3 || n > strlen(full))
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)w[i]) != full[i])
			return false;
	return true;
}

static int
month_number(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof english_months / sizeof *english_months;
	     i++)
		if (word_abbreviates(w, n, english_months[i]))
			return (int)i + 1;
	for (size_t i = 0; i < sizeof foreign_months / sizeof *foreign_months;
	     i++)
		if (word_is(w, n, foreign_months[i].name))
			return foreign_months[i].value;
	return 0;
}

static bool
is_day_name(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof english_days / sizeof *english_days; i++)
		if (word_abbreviates(w, n, english_days[i]))
			return true;
	for (size_t i = 0; i < sizeof greek_days / sizeof *greek_days; i++)
		if (word_is(w, n, greek_days[i]))
			return true;
	return false;
}

/* Consumes a month name (with an abbreviation's dot); 0 if none. */
static int
month_word(struct cursor *c)
{
	const char *w;
	size_t n = word(c, &w);
	int m = n > 0 ? month_number(w, n) : 0;

	if (m > 0)
		accept(c, '.');
	return m;
}

/* Two- and three-digit years, as RFC 5322 section 4.3 reads them. */
static int
expand_year(int y, size_t digits)
{
	if (digits == 2)
		return y < 50 ? 2000 + y : 1900 + y;
	if (digits == 3)
		return 1900 + y;
	return y;
}

/* ------------------------------------------------------------------ */
/* Zones and times, shared by both grammars. */

/* "+hh:mm", "+hhmm" or "+hh" (sign required), and "+h" after a zone name
 * ("GMT+1"); seconds east of UTC into *offset. */
static bool
numeric_offset(struct cursor *c, int *offset, bool after_name)
{
	int sign = peek(c) == '-' ? -1 : 1;
	size_t n;
	int h, m = 0;

	if (!accept(c, '+') && !accept(c, '-'))
		return false;
	n = digit_run(c);
	if (n == 4) {
		h = take(c, 2);
		m = take(c, 2);
	} else if (n == 2 || (n == 1 && after_name)) {
		h = take(c, n);
		if (accept(c, ':') && !number(c, 2, 2, &m))
			return false;
	} else {
		return false;
	}
	if (h > 23 || m > 59)
		return false;
	*offset = sign * (h * 3600 + m * 60);
	return true;
}

static bool
zone(struct cursor *c, struct fields *f)
{
	const char *w;
	size_t n;
	int ch = peek(c);

	f->has_zone = true;
	if (ch == '+' || ch == '-')
		return numeric_offset(c, &f->offset, false);
	n = word(c, &w);
	if (n == 0)
		return false;
	if (word_is(w, n, "Etc") && accept(c, '/')) {
		/* tz database names; Etc/GMT+5 is five hours west. */
		n = word(c, &w);
		if (!word_is(w, n, "GMT") && !word_is(w, n, "UTC") &&
		    !word_is(w, n, "UCT") && !word_is(w, n, "UT") &&
		    !word_is(w, n, "Zulu"))
			return false;
		ch = peek(c);
		if (ch == '+' || ch == '-') {
			if (!numeric_offset(c, &f->offset, true) ||
			    f->offset % 3600 != 0)
				return false;
			f->offset = -f->offset;
		}
		return true;
	}
	if (word_is(w, n, "GMT") || word_is(w, n, "UTC") ||
	    word_is(w, n, "UT")) {
		ch = peek(c);
		if (ch == '+' || ch == '-')
			return numeric_offset(c, &f->offset, true);
		f->offset = 0;
		return true;
	}
	for (size_t i = 0; i < sizeof zones / sizeof *zones; i++) {
		if (word_is(w, n, zones[i].name)) {
			f->offset = zones[i].value * 60;
			return true;
		}
	}
	/* Military letters: RFC 1123 found RFC 822 had their signs backwards,
	 * so RFC 5322 says to read them as an unknown zone, i.e. UTC. */
	if (n == 1 && ascii_lower((unsigned char)*w) != 'j')
		return true;
	return false;
}

/* "AM"/"PM", "a.m."/"p.m." or the Korean words; consumed when found. */
static bool
meridiem(struct cursor *c, struct fields *f)
{
	struct cursor save = *c;
	const char *w;
	size_t n = word(c, &w);

	if (word_is(w, n, "am") || word_is(w, n, "pm")) {
		f->meridiem = ascii_lower((unsigned char)*w) == 'a' ? 1 : 2;
		return true;
	}
	if ((word_is(w, n, "a") || word_is(w, n, "p")) && accept(c, '.')) {
		const char *m;

		if (word(c, &m) == 1 && ascii_lower((unsigned char)*m) == 'm' &&
		    accept(c, '.')) {
			f->meridiem =
			        ascii_lower((unsigned char)*w) == 'a' ? 1 : 2;
			return true;
		}
	}
	if (word_is(w, n, korean_am) || word_is(w, n, korean_pm)) {
		f->meridiem = word_is(w, n, korean_am) ? 1 : 2;
		f->is_korean = true;
		return true;
	}
	*c = save;
	return false;
}

/* Skips a decimal fraction of a second: it is truncated, not rounded. */
static void
fraction(struct cursor *c)
{
	int ch = peek(c);

	if ((ch == '.' || ch == ',') && is_digit(peek_at(c, 1))) {
		c->p++;
		while (is_digit(peek(c)))
			c->p++;
	}
}

enum clock_style { CLOCK_RFC, CLOCK_ISO, CLOCK_ISO_BASIC };

/* "h:mm" and "hh:mm:ss"; ISO 8601 also allows "hh" alone and, after a date
 * in the basic format, "hhmm" and "hhmmss". */
static bool
clock_time(struct cursor *c, struct fields *f, enum clock_style style)
{
	bool compact = style == CLOCK_ISO_BASIC;
	size_t n = digit_run(c);

	if (compact && (n == 4 || n == 6)) {
		f->hour = take(c, 2);
		f->min = take(c, 2);
		if (n == 6)
			f->sec = take(c, 2);
		fraction(c);
		return true;
	}
	if (n != 1 && n != 2)
		return false;
	f->hour = take(c, n);
	if (!accept(c, ':')) {
		/* An hour alone is an ISO 8601 reduced time ("T10Z"). */
		return style != CLOCK_RFC && n == 2;
	}
	if (!number(c, 2, 2, &f->min))
		return false;
	if (accept(c, ':') && !number(c, 2, 2, &f->sec))
		return false;
	fraction(c);
	return true;
}

/* What may follow a date and time: a meridiem, a zone, a comment in
 * parentheses (RFC 822 allows one) and blanks, then the end. */
static bool
time_tail(struct cursor *c, struct fields *f)
{
	skip_spaces(c);
	if (!at_end(c) && f->meridiem == 0 && meridiem(c, f))
		skip_spaces(c);
	if (!at_end(c) && peek(c) != '(') {
		if (!zone(c, f))
			return false;
		skip_spaces(c);
	}
	if (accept(c, '(')) {
		while (!at_end(c) && *c->p != ')')
			c->p++;
		if (!accept(c, ')'))
			return false;
		skip_spaces(c);
	}
	return at_end(c);
}

/* ------------------------------------------------------------------ */
/* ISO 8601 and its relatives. */

/* The rest of "2004년 05월 28일 [오후] 01:31:15" after the year. */
static bool
iso_korean(struct cursor *c, struct fields *f)
{
	f->is_korean = true;
	skip_spaces(c);
	if (!number(c, 1, 2, &f->month) || !accept_str(c, korean_month))
		return false;
	skip_spaces(c);
	if (!number(c, 1, 2, &f->day) || !accept_str(c, korean_day))
		return false;
	return true;
}

/* The date part. *compact is set for the basic format (no hyphens), whose
 * time may be compact too. Returns false when the syntax does not fit. */
static bool
iso_date(struct cursor *c, struct fields *f, bool *compact)
{
	size_t n;
	int sep;

	if (accept(c, '-')) {
		/* ISO 8601:1988 truncated forms without the century: "-YYMM"
		 * and "-YY-MM" (a month, no day, no time). */
		n = digit_run(c);
		if (n != 2 && n != 4)
			return false;
		f->year = expand_year(take(c, 2), 2);
		if (n == 2 && (!accept(c, '-') || digit_run(c) != 2))
			return false;
		f->month = take(c, 2);
		f->day = 1;
		return at_end(c);
	}
	n = digit_run(c);
	switch (n) {
	case 8: /* YYYYMMDD */
		f->year = take(c, 4);
		f->month = take(c, 2);
		f->day = take(c, 2);
		*compact = true;
		return true;
	case 7: /* YYYYDDD */
		f->year = take(c, 4);
		f->yday = take(c, 3);
		*compact = true;
		return true;
	case 6: /* YYMMDD */
		f->year = expand_year(take(c, 2), 2);
		f->month = take(c, 2);
		f->day = take(c, 2);
		*compact = true;
		return true;
	case 5: /* YYDDD, ISO 8601:1988. A leading 1 or 2 is far more likely
	         * a mistyped four-digit year ("22013") than 1910-1929 or
	         * 2010-2029 written this way: refuse to guess. */
		if (*c->p == '1' || *c->p == '2')
			return false;
		f->year = expand_year(take(c, 2), 2);
		f->yday = take(c, 3);
		*compact = true;
		return true;
	case 2: /* YY-MM-DD */
		f->year = expand_year(take(c, 2), 2);
		if (!accept(c, '-') || !number(c, 2, 2, &f->month) ||
		    !accept(c, '-') || !number(c, 2, 2, &f->day))
			return false;
		return true;
	case 4:
		break;
	default:
		return false;
	}
	f->year = take(c, 4);
	if (at_end(c)) { /* YYYY */
		f->month = 1;
		f->day = 1;
		return true;
	}
	if (accept_str(c, korean_year))
		return iso_korean(c, f);
	sep = peek(c);
	if (sep != '-' && sep != '/')
		return false;
	c->p++;
	n = digit_run(c);
	if (n == 0) {
		/* A month name: "2004-július-13". */
		f->month = month_word(c);
		return f->month > 0 && accept(c, sep) &&
		       number(c, 1, 2, &f->day);
	}
	if (n == 3 && *c->p == '0' && peek_at(c, 3) == sep) {
		/* "2003-012-31": a month padded to three digits. */
		f->month = take(c, 3);
		return accept(c, sep) && number(c, 2, 2, &f->day);
	}
	if (n == 3 && sep == '-') { /* YYYY-DDD */
		f->yday = take(c, 3);
		return true;
	}
	if (n != 2)
		return false;
	f->month = take(c, 2);
	if (at_end(c)) { /* YYYY-MM */
		f->day = 1;
		return true;
	}
	return accept(c, sep) && number(c, 2, 2, &f->day);
}

static bool
parse_iso(struct cursor *c, struct fields *f)
{
	bool compact = false;

	if (!iso_date(c, f, &compact))
		return false;
	if (at_end(c))
		return true;
	if (peek(c) == 'T' || peek(c) == 't') {
		c->p++;
	} else if (str_is_space(peek(c))) {
		skip_spaces(c);
		/* "2004-05-25 오후 11:23:17" */
		if (meridiem(c, f))
			skip_spaces(c);
	} else {
		return false;
	}
	if (!clock_time(c, f, compact ? CLOCK_ISO_BASIC : CLOCK_ISO))
		return false;
	return time_tail(c, f);
}

/* ------------------------------------------------------------------ */
/* RFC 822 and relatives, after the day name. */

/* Time, zone and year in some order after "Mon DD" or "DD Mon YYYY". */
static bool
rfc_rest(struct cursor *c, struct fields *f, bool need_year)
{
	size_t n;

	skip_blanks(c);
	if (need_year) {
		n = digit_run(c);
		if (n >= 2 && n <= 4 && peek_at(c, n) != ':') {
			f->year = expand_year(take(c, n), n);
			need_year = false;
			skip_blanks(c);
		}
	}
	if (is_digit(peek(c))) {
		if (!clock_time(c, f, CLOCK_RFC))
			return false;
		skip_spaces(c);
		if (!at_end(c) && meridiem(c, f))
			skip_spaces(c);
	}
	if (need_year) {
		/* asctime: "Sun Jan  4 16:29:06 2004", Twitter's API puts a
		 * zone before the year: "Sun Jul 15 01:16:00 +0000 2012". */
		if (!is_digit(peek(c))) {
			if (!zone(c, f))
				return false;
			skip_spaces(c);
		}
		n = digit_run(c);
		if (n != 4)
			return false;
		f->year = take(c, 4);
	}
	return time_tail(c, f);
}

static bool
parse_rfc(struct cursor *c, struct fields *f)
{
	size_t n = digit_run(c);

	if (n == 1 || n == 2) { /* "5 Apr 2012", "06-Nov-94" */
		f->day = take(c, n);
		skip_separators(c);
		f->month = month_word(c);
		if (f->month == 0)
			return false;
		skip_separators(c);
		n = digit_run(c);
		if (n < 2 || n > 4 || peek_at(c, n) == ':')
			return false;
		f->year = expand_year(take(c, n), n);
		return rfc_rest(c, f, false);
	}
	if (n == 0) { /* "Aug 30 2012", asctime */
		f->month = month_word(c);
		if (f->month == 0)
			return false;
		skip_separators(c);
		if (!number(c, 1, 2, &f->day))
			return false;
		return rfc_rest(c, f, true);
	}
	return false;
}

/* ------------------------------------------------------------------ */

static feed_time
fields_time(struct fields *f)
{
	int64_t days;

	if (f->year < 0 || f->year > 9999)
		return FEED_DATE_UNKNOWN;
	if (f->yday > 0) {
		int m = 1;

		if (f->yday > (is_leap(f->year) ? 366 : 365))
			return FEED_DATE_UNKNOWN;
		while (m < 12 && f->yday > days_before_month[m] +
		                                   (m >= 2 && is_leap(f->year)))
			m++;
		f->month = m;
		f->day = f->yday - days_before_month[m - 1] -
		         (m > 2 && is_leap(f->year));
	}
	if (f->month < 1 || f->month > 12 || f->day < 1 ||
	    f->day > month_length(f->year, f->month))
		return FEED_DATE_UNKNOWN;
	if (f->meridiem != 0) {
		if (f->hour < 1 || f->hour > 12)
			return FEED_DATE_UNKNOWN;
		f->hour = f->hour % 12 + (f->meridiem == 2 ? 12 : 0);
	}
	/* 24:00:00 is ISO 8601's end of a day; 60 a leap second, which POSIX
	 * time cannot hold: it stays in its minute. */
	if (f->hour == 24 && (f->min != 0 || f->sec != 0))
		return FEED_DATE_UNKNOWN;
	if (f->hour > 24 || f->min > 59 || f->sec > 60)
		return FEED_DATE_UNKNOWN;
	if (f->sec == 60)
		f->sec = 59;
	if (!f->has_zone && f->is_korean)
		f->offset = 9 * 3600;
	days = days_from_civil(f->year, f->month, f->day);
	return days * SECS_PER_DAY + f->hour * 3600 + f->min * 60 + f->sec -
	       f->offset;
}

feed_time
feed_date_parse(const char *s)
{
	struct cursor c, rest;
	struct fields f;
	const char *w;
	size_t len, n;

	if (s == NULL)
		return FEED_DATE_UNKNOWN;
	len = strnlen(s, DATE_MAX_LEN + 1);
	if (len > DATE_MAX_LEN)
		return FEED_DATE_UNKNOWN;
	c.p = s;
	c.end = s + len;
	skip_spaces(&c);
	while (c.end > c.p && str_is_space((unsigned char)c.end[-1]))
		c.end--;
	if (at_end(&c))
		return FEED_DATE_UNKNOWN;

	/* A day name is never checked against the date: feeds get it wrong
	 * more often than the date itself. */
	rest = c;
	n = word(&c, &w);
	if (n > 0 && is_day_name(w, n)) {
		accept(&c, '.');
		skip_blanks(&c);
		rest = c;
	}

	c = rest;
	memset(&f, 0, sizeof f);
	if (parse_iso(&c, &f))
		return fields_time(&f);
	c = rest;
	memset(&f, 0, sizeof f);
	if (parse_rfc(&c, &f))
		return fields_time(&f);
	return FEED_DATE_UNKNOWN;
}

int
feed_date_format(feed_time t, char *out, size_t size)
{
	int64_t days, secs, d0, y;
	int m, doy, len;

	if (out == NULL || size < 21 || t == FEED_DATE_UNKNOWN)
		return -1;
	days = t / SECS_PER_DAY;
	secs = t % SECS_PER_DAY;
	if (secs < 0) {
		secs += SECS_PER_DAY;
		days--;
	}
	d0 = days + days_before_year(1970); /* days since 0000-01-01 */
	if (d0 < 0 || d0 >= days_before_year(10000))
		return -1;
	/* 146097 days make 400 years: a close guess, then a step or two. */
	y = d0 * 400 / 146097;
	while (y > 0 && days_before_year(y) > d0)
		y--;
	while (days_before_year(y + 1) <= d0)
		y++;
	doy = (int)(d0 - days_before_year(y));
	m = 1;
	while (m < 12 && doy >= days_before_month[m] + (m >= 2 && is_leap(y)))
		m++;
	doy -= days_before_month[m - 1] + (m > 2 && is_leap(y));
	len = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m,
	               doy + 1, (int)(secs / 3600), (int)(secs / 60 % 60),
	               (int)(secs % 60));
	return len;
}
