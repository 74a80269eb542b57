/*
 * libFuzzer target for the script parser (kernel/script_parse.c): any
 * bytes must parse or fail with a message and a line number, never crash,
 * read out of bounds or leak (ASan).  A script that parses must parse the
 * same again from each command's normalised text (the text the tool
 * echoes in result lines).
 *
 *   make fuzz                      clang + libFuzzer, FUZZ_TIME seconds
 *   build/fuzz/fuzz_script DIR...  run more, or replay a crash file
 *
 * Built without libFuzzer (-DFUZZ_STANDALONE), main() replays the files
 * named on the command line through the same target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const struct vmsim_cmd *c)
{
	struct vmsim_cmd again;
	char err[256];

	if (vmsim_cmd_parse(c->text, &again, err, sizeof(err))) {
		fprintf(stderr, "normalised text does not parse: '%s': %s\n", c->text, err);
		abort();
	}
	if (again.op != c->op || strcmp(again.text, c->text) || strcmp(again.proc, c->proc) ||
	    strcmp(again.child, c->child) || again.addr != c->addr || again.len != c->len ||
	    again.len2 != c->len2 || again.prot != c->prot || again.flags != c->flags ||
	    again.data_len != c->data_len ||
	    (c->data_len && memcmp(again.data, c->data, c->data_len))) {
		fprintf(stderr, "reparse differs: '%s'\n", c->text);
		abort();
	}
	vmsim_cmd_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmsim_script sc;
	char err[256];
	int line = -1;
	uint64_t v;
	int p;

	if (vmsim_script_parse((const char *)data, size, &sc, err, sizeof(err), &line) == 0) {
		for (int i = 0; i < sc.nr_cmds; i++) {
			if (sc.lines[i] < 1 || (i && sc.lines[i] <= sc.lines[i - 1]))
				abort();
			check_roundtrip(&sc.cmds[i]);
		}
		vmsim_script_free(&sc);
	} else if (line < 1 || !err[0] || memchr(err, '\n', strlen(err))) {
		fprintf(stderr, "bad error report: line %d, '%s'\n", line, err);
		abort();
	}
	/* the value parsers on the raw bytes as one word */
	if (size < 64) {
		char word[64];
		memcpy(word, data, size);
		word[size] = 0;
		(void)vmsim_parse_number(word, &v);
		if (vmsim_parse_prot(word, &p) == 0 && (p & ~7))
			abort();
		(void)vmsim_parse_mmap_flags(word, &p, err, sizeof(err));
	}
	return 0;
}

#ifdef FUZZ_STANDALONE
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		static uint8_t buf[1 << 20];
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 2;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
#endif
