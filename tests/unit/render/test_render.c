// SPDX-License-Identifier: MIT
/*
 * The renderer, construct by construct: each case is a snippet rendered at
 * a width and compared with the lines it must give, written out. Every
 * rendering, in every test, is also checked for the invariants the reading
 * pane relies on (valid UTF-8, no control or bidi character, no line wider
 * than asked, no line starting with a combining mark).
 */
#include "config.h"

#include <libxml/tree.h>
#include <locale.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* cmocka.h needs the headers above it. */
/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "courant/render.h"
#include "courant/text.h"

#include "../../../src/render/private.h"

struct render_case {
	const char *name;
	enum feed_text_type type;
	int width;
	unsigned flags;
	const char *in;
	const char *want; /* the lines, each ending in '\n' */
};

#define BASE "https://example.com/news/item.html"

/* clang-format off */
static const struct render_case cases[] = {
	{ "empty", FEED_TEXT_HTML, 40, 0,
	  "",
	  "" },
	{ "paragraphs", FEED_TEXT_HTML, 30, 0,
	  "<p>First paragraph with enough words to wrap.</p><p>Second.<"
			"/p>",
	  "First paragraph with enough\n"
			"words to wrap.\n"
			"\n"
			"Second.\n" },
	{ "whitespace", FEED_TEXT_HTML, 40, 0,
	  "<p>  a \n"
			"\x09 b&nbsp;&nbsp;c  <b> bold </b> <i>it</i>&amp;&lt;&gt;&qu"
			"ot;&#233;&eacute;</p>",
	  "a b  c bold it&<>\"éé\n" },
	{ "headings", FEED_TEXT_HTML, 40, 0,
	  "<h1>Top</h1><p>text</p><h3>Third level</h3>",
	  "# Top\n"
			"\n"
			"text\n"
			"\n"
			"### Third level\n" },
	{ "ul_nested", FEED_TEXT_HTML, 24, 0,
	  "<ul><li>one</li><li>two has a long text that wraps<ul><li>ne"
			"sted item that wraps too</li></ul></li><li>three</li></ul><p"
			">after</p>",
	  "• one\n"
			"• two has a long text\n"
			"  that wraps\n"
			"  ◦ nested item that\n"
			"    wraps too\n"
			"• three\n"
			"\n"
			"after\n" },
	{ "ol_start", FEED_TEXT_HTML, 30, 0,
	  "<ol start=\"9\"><li>nine</li><li>ten with a longer text</li>"
			"<li>eleven</li></ol>",
	  " 9. nine\n"
			"10. ten with a longer text\n"
			"11. eleven\n" },
	{ "blockquote", FEED_TEXT_HTML, 30, 0,
	  "<p>He said:</p><blockquote><p>Quoted words that wrap over li"
			"nes.</p><blockquote>Inner</blockquote></blockquote><p>end</p"
			">",
	  "He said:\n"
			"\n"
			"│ Quoted words that wrap over\n"
			"│ lines.\n"
			"│\n"
			"│ │ Inner\n"
			"\n"
			"end\n" },
	{ "pre", FEED_TEXT_HTML, 20, 0,
	  "<p>code:</p><pre>\n"
			"int x;\n"
			"\x09if (x) return averyveryverylongname;\n"
			"</pre>",
	  "code:\n"
			"\n"
			"int x;\n"
			"        if (x) retu→\n" },
	{ "hr_br", FEED_TEXT_HTML, 20, 0,
	  "<p>line one<br>line two<br><br>after blank</p><hr><p>x</p>",
	  "line one\n"
			"line two\n"
			"\n"
			"after blank\n"
			"\n"
			"────────────────────\n"
			"\n"
			"x\n" },
	{ "dl", FEED_TEXT_HTML, 30, 0,
	  "<dl><dt>Term</dt><dd>Definition text that is long enough</dd"
			"></dl>",
	  "Term\n"
			"    Definition text that is\n"
			"    long enough\n" },
	{ "figure", FEED_TEXT_HTML, 40, 0,
	  "<figure><img src=\"/img/a.png\" alt=\"A cat\"><figcaption>Th"
			"e cat, sleeping</figcaption></figure>",
	  "[image: A cat][1]\n"
			"The cat, sleeping\n"
			"\n"
			"Links:\n"
			"[1] https://example.com/img/a.png\n"
			"    (image)\n" },
	{ "table", FEED_TEXT_HTML, 40, 0,
	  "<table><caption>Prices</caption><tr><th>Item</th><th>Cost</t"
			"h></tr><tr><td>Tea</td><td>2</td></tr><tr><td>Coffee beans</"
			"td><td>11</td></tr></table>",
	  "Prices\n"
			"Item         │ Cost\n"
			"─────────────┼─────\n"
			"Tea          │ 2\n"
			"Coffee beans │ 11\n" },
	{ "table_wide", FEED_TEXT_HTML, 20, 0,
	  "<table><tr><th>Name</th><th>Description</th></tr><tr><td>cou"
			"rant</td><td>a terminal feed reader</td></tr></table>",
	  "Name: courant\n"
			"Description: a\n"
			"terminal feed reader\n" },
	{ "details", FEED_TEXT_HTML, 40, 0,
	  "<details><summary>More</summary><p>Hidden text</p></details>",
	  "▸ More\n"
			"\n"
			"Hidden text\n" },
	{ "hidden", FEED_TEXT_HTML, 40, 0,
	  "<p>a<script>alert(1)</script>b<style>p{}</style>c<!-- commen"
			"t -->d<iframe src=x>frame</iframe><form><input value=v>form<"
			"/form>e</p>",
	  "abcd\n"
			"\n"
			"e\n" },
	{ "links", FEED_TEXT_HTML, 40, 0,
	  "<p><a href=\"https://a.example/\">A</a> <a href=\"rel/b\">B<"
			"/a> <a href=\"https://a.example/\">again</a> <a href=\"javas"
			"cript:alert(1)\">js</a> <a href=\"mailto:x@y\">mail</a> <a>a"
			"nchor</a> <a href=\"/e\"></a>.</p>",
	  "A[1] B[2] again[1] js mail anchor .\n"
			"\n"
			"Links:\n"
			"[1] https://a.example/\n"
			"[2] https://example.com/news/rel/b\n" },
	{ "images", FEED_TEXT_HTML, 40, 0,
	  "<p><img src=\"data:image/png;base64,AAAA\" alt=\"inline\"> <"
			"a href=\"/big.jpg\"><img src=\"/small.jpg\"></a></p>",
	  "[image: inline] [image][2][1]\n"
			"\n"
			"Links:\n"
			"[1] https://example.com/big.jpg\n"
			"[2] https://example.com/small.jpg\n"
			"    (image)\n" },
	{ "soft_hyphen", FEED_TEXT_HTML, 20, 0,
	  "<p>a super&shy;cali&shy;fragi&shy;listic word</p>",
	  "a supercalifragi-\n"
			"listic word\n" },
	{ "wbr", FEED_TEXT_HTML, 20, 0,
	  "<p>path/to/<wbr>some/<wbr>very/<wbr>long/<wbr>file</p>",
	  "path/to/some/very/\n"
			"long/file\n" },
	{ "long_word", FEED_TEXT_HTML, 20, 0,
	  "<p>see https://example.com/a/very/long/path/that/cannot/fit "
			"now</p>",
	  "see\n"
			"https://example.com/\n"
			"a/very/long/path/tha\n"
			"t/cannot/fit now\n" },
	{ "hyphen", FEED_TEXT_HTML, 20, 0,
	  "<p>a state-of-the-art well-known thing</p>",
	  "a state-of-the-art\n"
			"well-known thing\n" },
	{ "ja_20", FEED_TEXT_HTML, 20, 0,
	  "<p>日本語の文章は単語の間に空白を入れないので、文字と文字の間で改行できます。これは二つ目の文です。</p>",
	  "日本語の文章は単語の\n"
			"間に空白を入れないの\n"
			"で、文字と文字の間で\n"
			"改行できます。これは\n"
			"二つ目の文です。\n" },
	{ "ja_41", FEED_TEXT_HTML, 41, 0,
	  "<p>日本語の文章は単語の間に空白を入れないので、文字と文字の間で改行できます。これは二つ目の文です。</p>",
	  "日本語の文章は単語の間に空白を入れないの\n"
			"で、文字と文字の間で改行できます。これは\n"
			"二つ目の文です。\n" },
	{ "ja_80", FEED_TEXT_HTML, 80, 0,
	  "<p>日本語の文章は単語の間に空白を入れないので、文字と文字の間で改行できます。これは二つ目の文です。</p>",
	  "日本語の文章は単語の間に空白を入れないので、文字と文字の間で改行できます。これは\n"
			"二つ目の文です。\n" },
	{ "ko_20", FEED_TEXT_HTML, 20, 0,
	  "<p>한국어 문장은 단어 사이에 띄어쓰기를 합니다. 그래서 줄은 공백에서 나뉩니다.</p>",
	  "한국어 문장은 단어\n"
			"사이에 띄어쓰기를\n"
			"합니다. 그래서 줄은\n"
			"공백에서 나뉩니다.\n" },
	{ "ko_41", FEED_TEXT_HTML, 41, 0,
	  "<p>한국어 문장은 단어 사이에 띄어쓰기를 합니다. 그래서 줄은 공백에서 나뉩니다.</p>",
	  "한국어 문장은 단어 사이에 띄어쓰기를\n"
			"합니다. 그래서 줄은 공백에서 나뉩니다.\n" },
	{ "ko_80", FEED_TEXT_HTML, 80, 0,
	  "<p>한국어 문장은 단어 사이에 띄어쓰기를 합니다. 그래서 줄은 공백에서 나뉩니다.</p>",
	  "한국어 문장은 단어 사이에 띄어쓰기를 합니다. 그래서 줄은 공백에서 나뉩니다.\n" },
	{ "mixed_cjk", FEED_TEXT_HTML, 20, 0,
	  "<p>Latin text 漢字かな交じり文 and more Latin</p>",
	  "Latin text 漢字かな\n"
			"交じり文 and more\n"
			"Latin\n" },
	{ "combining", FEED_TEXT_HTML, 20, 0,
	  "<p>e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e"
			"\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e"
			"\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e"
			"\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e"
			"\xcc\x81" "e\xcc\x81 \xcc\x81orphan</p>",
	  "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e"
			"\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e"
			"\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e"
			"\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81\n"
			"e\xcc\x81" "e\xcc\x81 orphan\n" },
	{ "emoji", FEED_TEXT_HTML, 20, 0,
	  "<p>😀😀😀😀😀😀😀😀😀😀😀 ok</p>",
	  "😀😀😀😀😀😀😀😀😀😀\n"
			"😀 ok\n" },
	{ "malformed", FEED_TEXT_HTML, 40, 0,
	  "<p>one<p>two</b></p></p>three<div>four<span>five",
	  "one\n"
			"\n"
			"two\n"
			"\n"
			"three\n"
			"fourfive\n" },
	{ "table_li_p", FEED_TEXT_HTML, 40, 0,
	  "<table><tr><td><ul><li><p>cell item</p></li></ul></td><td>x<"
			"/td></tr></table><p>after</p>",
	  "cell item │ x\n"
			"\n"
			"after\n" },
	{ "hostile", FEED_TEXT_HTML, 40, 0,
	  "<p>esc\x1b[31mred &#27;[0m c1\xc2\x9b &#x9b;2J bidi\xe2\x80\xae" "e"
			"vil\xe2\x81\xa6 <a href=\"https://x.example/\xe2\x80\xae\x1b]"
			"8;\">link</a> <a href=\"java&#x09;script:alert(1)\">js</a> <"
			"a href=\" JAVASCRIPT:alert(1)\">js2</a></p>",
	  "esc[31mred [0m c1 2J bidievil link[1] js\n"
			"js2\n"
			"\n"
			"Links:\n"
			"[1] https://x.example/%1B]8;\n" },
	{ "plain", FEED_TEXT_PLAIN, 30, 0,
	  "First line\n"
			"second line of the same paragraph that wraps\n"
			"\n"
			"\n"
			"New paragraph: see https://example.com/x_(y). Done.\n",
	  "First line\n"
			"second line of the same\n"
			"paragraph that wraps\n"
			"\n"
			"New paragraph: see\n"
			"https://example.com/x_(y)[1].\n"
			"Done.\n"
			"\n"
			"Links:\n"
			"[1] https://example.com/x_(y)\n" },
	{ "ascii", FEED_TEXT_HTML, 30, RENDER_ASCII,
	  "<ul><li>café “quoted” — dash…</li></ul><blockquote>q 日本</blo"
			"ckquote><hr>",
	  "* cafe \"quoted\" - dash...\n"
			"\n"
			"| q ??\n"
			"\n"
			"------------------------------\n" },
	{ "width_400", FEED_TEXT_HTML, 400, 0,
	  "<p>word word word word word word word word word word word wo"
			"rd word word word word word word word word word word word wo"
			"rd word word word word word word word word word word word wo"
			"rd word word word word word word word word word word word wo"
			"rd word word word word word word word word word word word wo"
			"rd word word word word word word word word word word word wo"
			"rd word word word word word word word word word word word wo"
			"rd word word word word word word word word word word word wo"
			"rd word word word word </p>",
	  "word word word word word word word word word word word word "
			"word word word word word word word word word word word word "
			"word word word word word word word word word word word word "
			"word word word word word word word word word word word word "
			"word word word word word word word word word word word word "
			"word word word word word word word word word word word word "
			"word word word word word word word word\n"
			"word word word word word word word word word word word word "
			"word word word word word word word word\n" },
};
/* clang-format on */

/* The invariants; fails the test with the line number on a breach. */
static void
check_doc(const struct render_doc *d, int width)
{
	for (size_t i = 0; i < d->n_lines; i++) {
		const struct render_line *ln = &d->lines[i];
		int sum = 0;

		if (ln->width > width)
			fail_msg("line %zu: width %d > %d", i, ln->width,
			         width);
		for (size_t k = 0; k < ln->n_runs; k++) {
			const struct render_run *r = &ln->runs[k];
			size_t j = 0;

			assert_true(r->len > 0);
			assert_true(utf8_is_valid(r->text, r->len));
			assert_int_equal(render_text_width(r->text, r->len),
			                 r->width);
			assert_true(r->link >= 0 &&
			            (size_t)r->link <= d->n_links);
			sum += r->width;
			if (k == 0) {
				uint32_t first;

				utf8_decode(r->text, r->len, &first);
				if (render_cp_width(first) == 0)
					fail_msg("line %zu starts with U+%04X",
					         i, (unsigned)first);
			}
			while (j < r->len) {
				uint32_t cp;

				j += utf8_decode(r->text + j, r->len - j, &cp);
				if (text_is_forbidden(cp))
					fail_msg("line %zu: U+%04X", i,
					         (unsigned)cp);
			}
		}
		assert_int_equal(sum, ln->width);
	}
	for (size_t i = 0; i < d->n_links; i++) {
		const char *u = d->links[i].url;

		assert_true(strncmp(u, "http://", 7) == 0 ||
		            strncmp(u, "https://", 8) == 0);
		assert_null(strchr(u, ' '));
		assert_true(utf8_is_valid(u, strlen(u)));
		for (const char *p = u; *p != '\0'; p++)
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7F);
	}
}

static struct render_doc *
render(const char *in, enum feed_text_type type, int width, unsigned flags)
{
	struct render_opts o = {width, flags, BASE};
	struct render_doc *d;

	d = render_content(in, in ? strlen(in) : 0, type, &o);
	assert_non_null(d);
	check_doc(d, width < RENDER_MIN_WIDTH ? RENDER_MIN_WIDTH : width);
	return d;
}

static void
test_null(void **state)
{
	struct render_doc *d;
	char *s;

	(void)state;
	d = render_content(NULL, 0, FEED_TEXT_HTML, NULL);
	assert_int_equal(d->n_lines, 0);
	assert_int_equal(d->n_links, 0);
	s = render_doc_text(d);
	assert_string_equal(s, "");
	free(s);
	render_doc_free(d);
	render_doc_free(NULL);
	s = render_doc_text(NULL);
	assert_string_equal(s, "");
	free(s);
	d = render("   \n\t ", FEED_TEXT_PLAIN, 40, 0);
	assert_int_equal(d->n_lines, 0);
	render_doc_free(d);
	d = render("<p> </p><div></div><script>x</script>", FEED_TEXT_HTML, 40,
	           0);
	assert_int_equal(d->n_lines, 0);
	render_doc_free(d);
}

static void
test_cases(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct render_case *c = &cases[i];
		struct render_doc *d =
		        render(c->in, c->type, c->width, c->flags);
		char *got = render_doc_text(d);

		if (strcmp(got, c->want) != 0) {
			print_error(
			        "case %s (width %d)\n--- want\n%s--- got\n%s",
			        c->name, c->width, c->want, got);
			failed++;
		}
		free(got);
		render_doc_free(d);
	}
	assert_int_equal(failed, 0);
}

static const struct render_run *
find_run(const struct render_doc *d, const char *text)
{
	for (size_t i = 0; i < d->n_lines; i++) {
		for (size_t k = 0; k < d->lines[i].n_runs; k++) {
			const struct render_run *r = &d->lines[i].runs[k];

			if (r->len == strlen(text) &&
			    memcmp(r->text, text, r->len) == 0)
				return r;
		}
	}
	fail_msg("no run \"%s\"", text);
	return NULL;
}

struct style_case {
	const char *in;
	const char *run;
	enum render_style style;
	int link;
};

static const struct style_case style_cases[] = {
        {"<p>plain</p>", "plain", RENDER_PLAIN, 0},
        {"<p>a <b>bold</b> b</p>", "bold", RENDER_BOLD, 0},
        {"<p>a <strong>strong</strong> b</p>", "strong", RENDER_BOLD, 0},
        {"<p>a <em>em</em> b</p>", "em", RENDER_ITALIC, 0},
        {"<p>a <code>code</code> b</p>", "code", RENDER_CODE, 0},
        {"<pre>pre</pre>", "pre", RENDER_CODE, 0},
        {"<h2>Head</h2>", "## Head", RENDER_HEADING, 0},
        {"<blockquote>quoted</blockquote>", "\xe2\x94\x82 quoted", RENDER_QUOTE,
         0},
        {"<p>a <del>gone</del> b</p>", "gone", RENDER_DIM, 0},
        {"<p>a <a href=\"/x\">link</a> b</p>", "link", RENDER_LINK, 1},
        {"<p>a <a href=\"/x\">link</a> b</p>", "[1]", RENDER_DIM, 1},
        {"<p>a <a href=\"/x\"><b>bold link</b></a></p>", "bold link",
         RENDER_LINK, 1},
        {"<table><tr><th>th</th></tr></table>", "th", RENDER_BOLD, 0},
};

static void
test_styles(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(style_cases) / sizeof(style_cases[0]);
	     i++) {
		const struct style_case *c = &style_cases[i];
		struct render_doc *d = render(c->in, FEED_TEXT_HTML, 40, 0);
		const struct render_run *r = find_run(d, c->run);

		if (r->style != c->style || r->link != c->link)
			fail_msg("%s: style %d link %d, want %d %d", c->in,
			         r->style, r->link, c->style, c->link);
		render_doc_free(d);
	}
}

static void
test_links(void **state)
{
	struct render_doc *d;

	(void)state;
	d = render("<a href=\"https://a.example/\">a</a>"
	           "<img src=\"pic.png\" alt=\"p\">"
	           "<a href=\"https://a.example/\">again</a>"
	           "<a href=\"javascript:alert(1)\">js</a>"
	           "<a href=\"data:text/html,x\">data</a>"
	           "<a href=\"file:///etc/passwd\">file</a>"
	           "<a href=\"//other.example/p\">proto</a>",
	           FEED_TEXT_HTML, 80, RENDER_NO_LINK_LIST);
	assert_int_equal(d->n_links, 3);
	assert_string_equal(d->links[0].url, "https://a.example/");
	assert_int_equal(d->links[0].kind, RENDER_LINK_HREF);
	assert_string_equal(d->links[1].url,
	                    "https://example.com/news/pic.png");
	assert_int_equal(d->links[1].kind, RENDER_LINK_IMAGE);
	assert_string_equal(d->links[2].url, "https://other.example/p");
	assert_int_equal(find_run(d, "jsdatafile")->link, 0);
	/* No list at the end when asked. */
	assert_int_equal(d->n_lines, 1);
	render_doc_free(d);
}

struct url_case {
	const char *href;
	const char *base;
	const char *want; /* NULL: not a link */
};

static const struct url_case url_cases[] = {
        {NULL, BASE, NULL},
        {"", BASE, NULL},
        {"https://x.example/a", NULL, "https://x.example/a"},
        {"HTTP://X.example/", NULL, "http://X.example/"},
        {"rel", BASE, "https://example.com/news/rel"},
        {"../up?q=1#f", BASE, "https://example.com/up?q=1#f"},
        {"/abs", BASE, "https://example.com/abs"},
        /* Resolved like a browser would, not refused: an IRI path. */
        {"caf\xc3\xa9/x", BASE, "https://example.com/news/caf\xc3\xa9/x"},
        {"rel", NULL, NULL},
        {"rel", "file:///tmp/x", NULL},
        {"  https://x.example/a b\t\n ", NULL, "https://x.example/a%20b"},
        {"javascript:alert(1)", BASE, NULL},
        {"JaVaScRiPt:alert(1)", BASE, NULL},
        {"java\tscript:alert(1)", BASE, NULL},
        {" \x01javascript:alert(1)", BASE, NULL},
        {"vbscript:x", BASE, NULL},
        {"data:text/html;base64,AAAA", BASE, NULL},
        {"file:///etc/passwd", BASE, NULL},
        {"mailto:a@b.example", BASE, NULL},
        {"http://", BASE, NULL},
        {"https:///path", BASE, NULL},
        /* No host but a port or credentials: the reader would refuse
         * it, so it is no link (found by fuzz_url). */
        {"//:.", BASE, NULL},
        {"https://@x.example/", NULL, NULL},
        {"//:80/p", BASE, NULL},
        /* A base whose host is only controls: none once sanitized. */
        {"x", "https://\x1b\x1b\x01/a", NULL},
        {"x", "https://\x1bh.example/a", "https://h.example/x"},
        {"-oProxyCommand=x", NULL, NULL},
        {"https://x.example/\x1b[31m\xe2\x80\xae\xc2\x9b", NULL,
         "https://x.example/%1B[31m"},
        {"https://x.example/\"><script>", NULL,
         "https://x.example/%22%3E%3Cscript%3E"},
};

static void
test_url_policy(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		const struct url_case *c = &url_cases[i];
		char *got = render_url(c->href, c->base);

		if (c->want == NULL && got != NULL)
			fail_msg("case %zu: got %s, want no link", i, got);
		if (c->want != NULL &&
		    (got == NULL || strcmp(got, c->want) != 0))
			fail_msg("case %zu: got %s, want %s", i,
			         got ? got : "(null)", c->want);
		free(got);
	}
}

struct span_case {
	const char *s;
	size_t want;
};

static const struct span_case span_cases[] = {
        {"", 0},
        {"http://", 0},
        {"ftp://x", 0},
        {"http://x", 8},
        {"https://x.example/a.", 19},
        {"https://x.example/a).", 19},
        {"https://x.example/a_(b)", 23},
        {"https://x.example/a b", 19},
        {"https://x.example/a<b", 19},
        {"https://x.example/\xe6\x97\xa5 x", 21},
        {"https://x.example/a\xc2\xa0"
         "b",
         19},
};

static void
test_url_span(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(span_cases) / sizeof(span_cases[0]);
	     i++) {
		const struct span_case *c = &span_cases[i];

		if (render_url_span(c->s, strlen(c->s)) != c->want)
			fail_msg("\"%s\": %zu, want %zu", c->s,
			         render_url_span(c->s, strlen(c->s)), c->want);
	}
}

/* An article with everything in it, at every width from 20 to 400. */
static const char article[] =
        "<h1>A heading that is rather long for narrow panes</h1>"
        "<p>Intro with <b>bold</b>, <i>italic</i>, <code>code</code> and a "
        "<a href=\"https://example.org/a/really/long/path/that/goes/on\">link"
        "</a>. 日本語の文章と한국어 문장, e\xcc\x81\xcc\x82 and "
        "\xf0\x9f\x98\x80."
        "</p><ul><li>one<ol><li>two<ul><li>three<blockquote>deep quote with "
        "text</blockquote></li></ul></li></ol></li></ul>"
        "<pre>\tcode line that is long enough to be cut at narrow widths, "
        "really\n</pre><table><tr><th>A</th><th>B</th></tr><tr><td>1</td>"
        "<td>a cell with words</td></tr></table><dl><dt>t</dt><dd>d</dd></dl>"
        "<p>Supercalifragilisticexpialidocious&shy;ly"
        "Pneumonoultramicroscopicsilicovolcanoconiosis</p><hr>";

static void
test_all_widths(void **state)
{
	(void)state;
	for (int w = 20; w <= 400; w++) {
		struct render_doc *d = render(article, FEED_TEXT_HTML, w, 0);

		assert_true(d->n_lines > 10);
		assert_int_equal(d->n_links, 1);
		render_doc_free(d);
		d = render(article, FEED_TEXT_HTML, w, RENDER_ASCII);
		for (size_t i = 0; i < d->n_lines; i++) {
			for (size_t k = 0; k < d->lines[i].n_runs; k++) {
				const struct render_run *r =
				        &d->lines[i].runs[k];

				for (size_t j = 0; j < r->len; j++)
					assert_true((unsigned char)r->text[j] <
					            0x80);
			}
		}
		render_doc_free(d);
	}
	/* Widths outside the range are clamped, not trusted. */
	render_doc_free(render(article, FEED_TEXT_HTML, 0, 0));
	render_doc_free(render(article, FEED_TEXT_HTML, -5, 0));
	render_doc_free(render(article, FEED_TEXT_HTML, 5000, 0));
}

static void
test_header(void **state)
{
	struct render_meta m = {
	        .title = "A title long enough to wrap \x1b[2J here",
	        .feed = "Feed",
	        .author = NULL,
	        .date = 86400 * 365,
	        .link = "https://example.com/a",
	};
	struct render_opts o = {30, 0, NULL};
	struct render_doc *d;
	char *s;

	(void)state;
	setenv("TZ", "UTC", 1);
	d = render_header(NULL, &o);
	assert_int_equal(d->n_lines, 0);
	render_doc_free(d);
	d = render_header(&m, &o);
	check_doc(d, 30);
	s = render_doc_text(d);
	assert_string_equal(s, "Title:  A title long enough to\n"
	                       "        wrap [2J here\n"
	                       "Feed:   Feed\n"
	                       "Date:   1971-01-01 00:00 UTC\n"
	                       "Link:   https://example.com/a\n");
	assert_int_equal(d->lines[0].runs[0].style, RENDER_BOLD);
	assert_int_equal(d->lines[0].runs[1].style, RENDER_HEADING);
	assert_int_equal(d->lines[4].runs[1].style, RENDER_LINK);
	free(s);
	render_doc_free(d);
}

/* Builds <div><div>...text...</div></div> `depth` deep by hand (libxml2's
 * parser stops at 256) and renders it. */
static void *
deep_tree(void *arg)
{
	int depth = *(int *)arg;
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr node =
	        xmlNewDocNode(doc, NULL, (const xmlChar *)"div", NULL);
	struct render_opts o = {40, 0, BASE};
	struct layout l;
	struct render_doc *d;
	char *s;

	xmlDocSetRootElement(doc, node);
	for (int i = 1; i < depth; i++) {
		static const char *const names[] = {
		        "div", "blockquote", "ul", "li", "b", "table", "td"};

		node = xmlNewChild(node, NULL, (const xmlChar *)names[i % 7],
		                   NULL);
	}
	xmlNewTextChild(node, NULL, (const xmlChar *)"p",
	                (const xmlChar *)"bottom");
	layout_init(&l, &o);
	render_html_tree(&l, doc->children);
	d = layout_finish(&l);
	check_doc(d, 40);
	s = render_doc_text(d);
	assert_non_null(strstr(s, "bottom"));
	free(s);
	render_doc_free(d);
	xmlFreeDoc(doc);
	return NULL;
}

static void
run_small_stack(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t t;

	/* 256 KiB: a recursive walk 100,000 deep would need megabytes. */
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
	assert_int_equal(pthread_create(&t, &attr, fn, arg), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
}

static void *
deep_html(void *arg)
{
	int depth = *(int *)arg;
	static const char *const open[] = {"<div>", "<blockquote>", "<ul><li>",
	                                   "<table><tr><td>", "<b>"};
	struct buf b;

	for (size_t k = 0; k < sizeof(open) / sizeof(open[0]); k++) {
		struct render_doc *d;

		buf_init(&b, 0);
		buf_puts(&b, "<p>top</p>");
		for (int i = 0; i < depth; i++)
			buf_puts(&b, open[k]);
		buf_puts(&b, "text");
		d = render(b.data, FEED_TEXT_HTML, 40, 0);
		assert_true(d->n_lines >= 1);
		render_doc_free(d);
		buf_done(&b);
	}
	return NULL;
}

static void
test_deep(void **state)
{
	int depth = 100000;

	(void)state;
	run_small_stack(deep_tree, &depth);
	run_small_stack(deep_html, &depth);
}

/* Hostile bytes anywhere: raw and as references, in text, attributes and
 * hrefs; none reaches the output (check_doc looks at every code point). */
static void
test_hostile(void **state)
{
	static const char *const inputs[] = {
	        "\x1b]0;title\x07\x1b[2J\x9b"
	        "31m\xc2\x9b"
	        "2J&#x9b;&#155;&#27;",
	        "<p "
	        "title=\"\x1b[2J\">\xe2\x80\xae\xe2\x81\xa6\xd8\x9c\xe2\x80\x8f"
	        "x</p>",
	        "<img alt=\"\x1b[2J&#x202e;evil\" src=\"\x1b:x\">",
	        "<a href=\"https://x.example/&#x1b;[2J\">&#x200b;&#xfeff;</a>",
	        "<pre>\x1b[1m\r\n\x08\x7f\xc2\x85</pre>",
	        "\xff\xfe\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80",
	        "<table><tr><td>\x1b[2J</td><td>&#x9b;</td></tr></table>",
	        "&amp;#27;[2J &amp;#x9b;",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		render_doc_free(render(inputs[i], FEED_TEXT_HTML, 20, 0));
		render_doc_free(render(inputs[i], FEED_TEXT_PLAIN, 20, 0));
		render_doc_free(
		        render(inputs[i], FEED_TEXT_HTML, 20, RENDER_ASCII));
	}
}

/* A meta charset in the content must not change how UTF-8 is read. */
static void
test_charset(void **state)
{
	struct render_doc *d;
	char *s;

	(void)state;
	d = render("<meta charset=\"iso-8859-1\"><p>café €</p>", FEED_TEXT_HTML,
	           40, 0);
	s = render_doc_text(d);
	assert_string_equal(s, "café €\n");
	free(s);
	render_doc_free(d);
}

/* "a<b" in a comment or a script starts no tag for the attribute cap: the
 * words after it were dropped up to the comment's '>', which then never
 * closed and swallowed the rest. title and textarea hold tags in libxml2
 * 2.9, so their tags are still capped. */
static void
test_attribute_cap_sections(void **state)
{
	static const char *const wraps[][2] = {
	        {"<!-- a<b", " -->"},
	        {"<script>if (a<b) {", "}</script>"},
	        {"<STYLE>a<b", "</style >"},
	        {"<?pi a<b", " ?>"},
	};
	struct buf in, words;

	(void)state;
	buf_init(&words, 0);
	for (int i = 0; i < 400; i++)
		buf_printf(&words, " w%d", i);
	for (size_t k = 0; k < sizeof wraps / sizeof wraps[0]; k++) {
		struct render_doc *d;
		char *text;

		buf_init(&in, 0);
		buf_printf(&in, "<p>before</p>%s%s%s<p>after</p>", wraps[k][0],
		           words.data, wraps[k][1]);
		d = render(in.data, FEED_TEXT_HTML, 72, 0);
		text = render_doc_text(d);
		if (strstr(text, "after") == NULL || strstr(text, "w1") != NULL)
			fail_msg("case %zu: %s", k, text);
		free(text);
		render_doc_free(d);
		buf_done(&in);
	}
	/* A tag in a title is a tag: its attributes are capped. */
	buf_init(&in, 0);
	buf_puts(&in, "<title><b");
	for (int i = 0; i < 300; i++)
		buf_printf(&in, " a%d=\"\"", i);
	buf_puts(&in, "></title>");
	assert_true(markup_cap_attributes(NULL, in.data, in.len, 256,
	                                  MARKUP_HTML));
	buf_done(&in);
	/* HTML has no CDATA sections: a tag after "<![CDATA[ >" is one. */
	buf_init(&in, 0);
	buf_puts(&in, "<![CDATA[ > <b");
	for (int i = 0; i < 300; i++)
		buf_printf(&in, " a%d=\"\"", i);
	buf_puts(&in, "> ]]>");
	assert_true(markup_cap_attributes(NULL, in.data, in.len, 256,
	                                  MARKUP_HTML));
	assert_false(markup_cap_attributes(NULL, in.data, in.len, 256,
	                                   MARKUP_XML));
	buf_done(&in);
	buf_done(&words);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_null),
	        cmocka_unit_test(test_cases),
	        cmocka_unit_test(test_styles),
	        cmocka_unit_test(test_links),
	        cmocka_unit_test(test_url_policy),
	        cmocka_unit_test(test_url_span),
	        cmocka_unit_test(test_all_widths),
	        cmocka_unit_test(test_header),
	        cmocka_unit_test(test_deep),
	        cmocka_unit_test(test_hostile),
	        cmocka_unit_test(test_charset),
	        cmocka_unit_test(test_attribute_cap_sections),
	};

	/* The renderer must not need a UTF-8 locale; run the tests without
	 * one. (test_width compares with wcwidth() under C.UTF-8.) */
	setlocale(LC_ALL, "C");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
