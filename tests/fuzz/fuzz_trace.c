/*
 * libFuzzer target for the memory-access trace readers (tools/vmsim/
 * trace_read.c and trace.c: valgrind lackey, Dinero III din, the plain
 * R/W/X format, the format detection; binary traces have fuzz_tracebin.c): the first bytes choose the
 * machine (fuzz_opts.h), the next one the format (bits 0-1: auto, lackey,
 * din, plain) and map auto or none (bit 2 set: none); the rest is the trace, written to a temporary file
 * and replayed by trace_run as a new process's accesses.  Any bytes must be
 * replayed or refused with a "FILE:LINE: ..." message, never crash, BUG or
 * leak; a trace that replays leaves the process alive or killed by a
 * signal with the line of the killing access.
 *
 *   make fuzz-trace    (FUZZ_TIME seconds)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../tools/vmsim/trace.c"
#include "../../tools/vmsim/trace_read.c"
#include "../../tools/vmsim/trace_bin.c"
#define FUZZ_BOOT
#include "fuzz_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The trace file, made once and rewritten for every input. */
static const char *trace_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		const char *t = getenv("TMPDIR");

		snprintf(path, sizeof(path), "%s/vmsim-fuzz-trace-XXXXXX", t && *t ? t : "/tmp");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		unlink(path);	/* nothing left behind: read through the descriptor */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_summary sum;
	struct fuzz_opts fo;
	vmsim_machine_t *m;
	enum vmsim_trace_format format;
	bool map_auto;
	char err[512];
	int pid, ret;

	fuzz_pick_opts(&data, &size, &fo);
	if (size < 1)
		return 0;
	format = (enum vmsim_trace_format)(data[0] & 3);
	map_auto = !(data[0] & 4);
	data++;
	size--;
	m = fuzz_boot(&fo);
	if (!m)
		return 0;
	pid = vmsim_spawn(m);
	if (pid > 0) {
		err[0] = 0;
		ret = trace_run(m, pid, trace_file(data, size), format, map_auto, &sum, err,
				sizeof(err));
		if (ret && !strstr(err, "/proc/self/fd/")) {
			fprintf(stderr, "trace error without the file name: '%s'\n", err);
			abort();
		}
		if (!ret && sum.status == VMSIM_KILLED && (!sum.kill_line || !sum.signo)) {
			fprintf(stderr, "killed without a line or a signal\n");
			abort();
		}
		vmsim_exit(m, pid);
	}
	vmsim_machine_destroy(m);
	return 0;
}
