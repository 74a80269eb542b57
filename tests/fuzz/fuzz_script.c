/*
 * libFuzzer target for the script parser (script/parse.c): any
 * bytes must parse or fail with a message and a line number, never crash,
 * read out of bounds or leak (ASan).  A script that parses must parse the
 * same again from each command's normalised text (the text the tool
 * echoes in result lines).  Short inputs also go, as one word, through the
 * value parsers, and as KEY=VALUE through the machine options
 * (vmsim_config_set, vmsim_config_validate: what -o and the machine line
 * give the library).
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
#include "vmsim/vmsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (!alen || !memcmp(a, b, alen));
}

/*
 * The arguments of @a and @b are the same: the union's bytes for commands
 * without pointers (parsed into zeroed memory, so padding compares too),
 * field by field for those with.
 */
static bool same_args(const struct vmsim_cmd *a, const struct vmsim_cmd *b)
{
	const char *w = vmsim_cmd_word(a);

	if (!strcmp(w, "write"))
		return a->u.write.addr == b->u.write.addr && a->u.write.len == b->u.write.len &&
		       a->u.write.pattern == b->u.write.pattern &&
		       a->u.write.seed == b->u.write.seed &&
		       same_bytes(a->u.write.data, a->u.write.data_len, b->u.write.data,
				  b->u.write.data_len);
	if (!strcmp(w, "expect"))
		return a->u.expect.kind == b->u.expect.kind && a->u.expect.addr == b->u.expect.addr &&
		       a->u.expect.len == b->u.expect.len && a->u.expect.hash == b->u.expect.hash &&
		       a->u.expect.signal == b->u.expect.signal &&
		       a->u.expect.si_code == b->u.expect.si_code &&
		       same_str(a->u.expect.value, b->u.expect.value) &&
		       same_bytes(a->u.expect.data, a->u.expect.data_len, b->u.expect.data,
				  b->u.expect.data_len);
	if (!strcmp(w, "trace"))
		return same_str(a->u.trace.path, b->u.trace.path) &&
		       a->u.trace.format == b->u.trace.format &&
		       a->u.trace.map_none == b->u.trace.map_none;
	if (!strcmp(w, "open"))
		return same_str(a->u.open.path, b->u.open.path) &&
		       a->u.open.flags == b->u.open.flags && a->u.open.mode == b->u.open.mode;
	if (!strcmp(w, "exec")) {
		if (a->u.exec.argc != b->u.exec.argc)
			return false;
		for (int i = 0; i < a->u.exec.argc; i++)
			if (!same_str(a->u.exec.argv[i], b->u.exec.argv[i]))
				return false;
		return same_str(a->u.exec.path, b->u.exec.path);
	}
	if (!strcmp(w, "machine")) {
		if (a->u.machine.nr_opts != b->u.machine.nr_opts)
			return false;
		for (int i = 0; i < a->u.machine.nr_opts; i++)
			if (!same_str(a->u.machine.keys[i], b->u.machine.keys[i]) ||
			    !same_str(a->u.machine.values[i], b->u.machine.values[i]))
				return false;
		return true;
	}
	return !memcmp(&a->u, &b->u, sizeof(a->u));
}

static void check_roundtrip(const struct vmsim_cmd *c)
{
	struct vmsim_cmd again;
	char err[256];

	if (vmsim_cmd_parse(c->text, &again, err, sizeof(err))) {
		fprintf(stderr, "normalised text does not parse: '%s': %s\n", c->text, err);
		abort();
	}
	if (again.def != c->def || strcmp(again.text, c->text) || strcmp(again.proc, c->proc) ||
	    !same_args(&again, c)) {
		fprintf(stderr, "reparse differs: '%s'\n", c->text);
		abort();
	}
	vmsim_cmd_free(&again);
}

/* KEY=VALUE as a machine option: accepted, or refused with a message. */
static void check_config(char *word)
{
	struct vmsim_config cfg;
	char *eq = strchr(word, '='), err[256];

	if (!eq)
		return;
	*eq = 0;
	vmsim_config_default(&cfg);
	err[0] = 0;
	if (vmsim_config_set(&cfg, word, eq + 1, err, sizeof(err)) == 0) {
		err[0] = 0;
		if (vmsim_config_validate(&cfg, err, sizeof(err)) && !err[0])
			abort();
	} else if (!err[0]) {
		fprintf(stderr, "bad config error: '%s'\n", err);
		abort();
	}
	*eq = '=';
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
		(void)vmsim_parse_mremap_flags(word, &p, err, sizeof(err));
		(void)vmsim_parse_mlockall_flags(word, &p, err, sizeof(err));
		(void)vmsim_parse_advice(word);
		(void)vmsim_parse_size(word, &v);
		check_config(word);
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
