// SPDX-License-Identifier: MIT
/*
 * sax_baseline: the yardstick of the parse benchmark. It reads a file in
 * 16 KiB chunks and feeds them to libxml2's push parser with a SAX2 handler
 * whose callbacks do nothing, so its speed is what libxml2 alone costs on the
 * same bytes; courant's parser cannot be faster than this, and the benchmark
 * reports how close it gets. Options match what a feed parser must use:
 * no network, no DTD loading, no entity substitution.
 *
 * Prints "N bytes\twell-formed" (or "not-well-formed: why"); exits 1 when
 * the file cannot be read or is not well-formed, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#define CHUNK_SIZE (16 * 1024)

static void
on_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                 const xmlChar *uri, int n_namespaces,
                 const xmlChar **namespaces, int n_attributes, int n_defaulted,
                 const xmlChar **attributes)
{
	(void)ctx;
	(void)localname;
	(void)prefix;
	(void)uri;
	(void)n_namespaces;
	(void)namespaces;
	(void)n_attributes;
	(void)n_defaulted;
	(void)attributes;
}

static void
on_end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
               const xmlChar *uri)
{
	(void)ctx;
	(void)localname;
	(void)prefix;
	(void)uri;
}

/* Text, CDATA and whitespace all arrive here. */
static void
on_text(void *ctx, const xmlChar *s, int len)
{
	(void)ctx;
	(void)s;
	(void)len;
}

/* Errors are counted by libxml2 itself (ctxt->wellFormed); print nothing. */
static void
on_error(void *arg, xmlErrorPtr error)
{
	(void)arg;
	(void)error;
}

static int
read_chunk(int fd, char *buf, size_t size)
{
	for (;;) {
		ssize_t n = read(fd, buf, size);

		if (n >= 0 || errno != EINTR)
			return (int)n;
	}
}

int
main(int argc, char **argv)
{
	static char chunk[CHUNK_SIZE];
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	size_t total = 0;
	int fd, n, wellformed;

	if (argc != 2) {
		fputs("usage: sax_baseline FILE\n", stderr);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "sax_baseline: %s: %s\n", argv[1],
		        strerror(errno));
		return 1;
	}
	LIBXML_TEST_VERSION

	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start_element;
	sax.endElementNs = on_end_element;
	sax.characters = on_text;
	sax.cdataBlock = on_text;
	sax.ignorableWhitespace = on_text;
	sax.serror = on_error;

	/* The first bytes go in with the context so that libxml2 can sniff the
	 * encoding, as courant's parser does. */
	n = read_chunk(fd, chunk, 4);
	if (n < 0) {
		fprintf(stderr, "sax_baseline: %s: %s\n", argv[1],
		        strerror(errno));
		close(fd);
		return 1;
	}
	total += (size_t)n;
	ctxt = xmlCreatePushParserCtxt(&sax, NULL, chunk, n, argv[1]);
	if (ctxt == NULL) {
		fputs("sax_baseline: cannot create a parser\n", stderr);
		close(fd);
		return 1;
	}
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
	for (;;) {
		n = read_chunk(fd, chunk, sizeof chunk);
		if (n < 0) {
			fprintf(stderr, "sax_baseline: %s: %s\n", argv[1],
			        strerror(errno));
			break;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (xmlParseChunk(ctxt, chunk, n, 0) != 0)
			break;
	}
	close(fd);
	if (n >= 0)
		xmlParseChunk(ctxt, NULL, 0, 1);
	wellformed = n >= 0 && ctxt->wellFormed;
	if (wellformed) {
		printf("%zu bytes\twell-formed\n", total);
	} else {
		const xmlError *e = xmlCtxtGetLastError(ctxt);

		printf("%zu bytes\tnot-well-formed: %s", total,
		       e != NULL && e->message != NULL ? e->message : "?\n");
	}
	xmlFreeParserCtxt(ctxt);
	xmlCleanupParser();
	return wellformed ? 0 : 1;
}
