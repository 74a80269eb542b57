/*
 * libFuzzer target for the binary trace reader (tools/vmsim/trace_bin.c,
 * through trace_read.c as `vmsim trace`, `vmsim mrc` and trace-convert
 * read it).  The first byte: bit 0 set puts a valid header (format from
 * bits 1-2: lackey, din, plain, pages) before the rest, so mutations reach
 * the records; clear, the rest is the whole file (magic and header fuzzed
 * too).  Any bytes must read to their end or be refused with a message
 * naming the file, never crash or leak; bytes that read whole must survive
 * the writer: written again, they read back as the same accesses, pages
 * and kept lines, and that copy written once more is the same bytes; read
 * in the replay's batches, any bytes give what single reads give.
 *
 *   make fuzz-tracebin    (FUZZ_TIME seconds)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../tools/vmsim/trace_read.c"
#include "../../tools/vmsim/trace_bin.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A file made once, rewritten for every input, read through /proc/self/fd. */
static int tmp_file(char *path, size_t n)
{
	const char *t = getenv("TMPDIR");
	int fd;

	snprintf(path, n, "%s/vmsim-fuzz-tbin-XXXXXX", t && *t ? t : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	unlink(path);
	snprintf(path, n, "/proc/self/fd/%d", fd);
	return fd;
}

static void put(int fd, const void *p, size_t n)
{
	if (ftruncate(fd, 0) || pwrite(fd, p, n, 0) != (ssize_t)n || lseek(fd, 0, SEEK_SET))
		abort();
}

/* The items of the trace at @path, each folded into @sum; -1 on an error (checked). */
static int read_items(const char *path, uint64_t *sum, uint64_t *count)
{
	struct trace_reader r;
	struct vmsim_access a;
	uint64_t page, h = 0, n = 0;
	char err[512] = "";
	int ret;

	if (trace_open(&r, path, VMSIM_TRACE_AUTO, true, err, sizeof(err)))
		goto refused;
	r.keep_text = true;
	while ((ret = trace_next_item(&r, &a, &page)) > 0) {
		h = vmsim_mix64(h ^ (uint64_t)ret);
		if (ret == 2)
			for (size_t i = 0; i < r.text_len; i++)
				h = vmsim_mix64(h ^ (unsigned char)r.text[i]);
		else if (r.format == TRACE_PAGES)
			h = vmsim_mix64(h ^ page);
		else
			h = vmsim_mix64(vmsim_mix64(h ^ a.addr) ^ (a.size << 2 | a.kind));
		n++;
	}
	h ^= (uint64_t)r.format << 1 | r.unterminated;
	trace_close(&r);
	if (ret < 0)
		goto refused;
	*sum = h;
	*count = n;
	return 0;
refused:
	if (!strstr(err, "/proc/self/fd/")) {
		fprintf(stderr, "trace error without the file name: '%s'\n", err);
		abort();
	}
	return -1;
}

/*
 * The accesses of @path read as the replay reads them (trace_next_batch, in
 * batches of 7 so they end anywhere): must be those trace_next_access gives,
 * with the same line numbers, and end the same way.
 */
static void check_batches(const char *path)
{
	struct trace_reader r1, r2;
	struct vmsim_access v[7], a;
	unsigned long lines[7];
	char e1[512], e2[512];
	size_t n;
	int ret1, ret2;

	if (trace_open(&r1, path, VMSIM_TRACE_AUTO, false, e1, sizeof(e1)))
		return;
	if (trace_open(&r2, path, VMSIM_TRACE_AUTO, false, e2, sizeof(e2)))
		abort();
	do {
		ret1 = trace_next_batch(&r1, v, lines, 7, &n);
		for (size_t k = 0; k < n; k++)
			if (trace_next_access(&r2, &a) != 1 || a.addr != v[k].addr ||
			    a.size != v[k].size || a.kind != v[k].kind || a.value != v[k].value ||
			    r2.lineno != lines[k]) {
				fprintf(stderr, "a batch differs from single reads at line %lu\n",
					lines[k]);
				abort();
			}
	} while (ret1 > 0);
	ret2 = trace_next_access(&r2, &a);
	if (ret1 != ret2 || (ret1 < 0 && strcmp(e1, e2))) {
		fprintf(stderr, "batches end with %d '%s', single reads %d '%s'\n", ret1, e1, ret2,
			e2);
		abort();
	}
	trace_close(&r1);
	trace_close(&r2);
}

/* The trace at @in written again by the writer into @ofd: its size. */
static size_t rewrite(const char *in, int ofd)
{
	struct trace_reader r;
	struct vmt_writer w;
	char err[512];

	if (ftruncate(ofd, 0) || trace_open(&r, in, VMSIM_TRACE_AUTO, true, err, sizeof(err)))
		abort();
	r.keep_text = true;
	if (vmt_writer_init(&w, ofd, "copy", r.format, err, sizeof(err)) ||
	    trace_bin_copy(&r, &w) || vmt_writer_finish(&w)) {
		fprintf(stderr, "a trace that read whole could not be copied: %s\n", err);
		abort();
	}
	trace_close(&r);
	if (lseek(ofd, 0, SEEK_SET))
		abort();
	return (size_t)w.bytes;
}

static bool same_bytes(int a, int b, size_t n)
{
	unsigned char *x = malloc(n + 1), *y = malloc(n + 1);
	bool same = x && y && pread(a, x, n, 0) == (ssize_t)n && pread(b, y, n, 0) == (ssize_t)n &&
		    !memcmp(x, y, n);

	free(x);
	free(y);
	return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64], copy[64], copy2[64];
	static int fd = -1, cfd, cfd2;
	uint64_t h1, h2, n1, n2;
	unsigned char *buf;

	if (fd < 0) {
		fd = tmp_file(path, sizeof(path));
		cfd = tmp_file(copy, sizeof(copy));
		cfd2 = tmp_file(copy2, sizeof(copy2));
	}
	if (size < 1)
		return 0;
	buf = malloc(size + VMT_HEADER_LEN);
	if (!buf)
		abort();
	if (data[0] & 1) {
		static const int formats[] = { VMSIM_TRACE_LACKEY, VMSIM_TRACE_DIN,
					       VMSIM_TRACE_PLAIN, TRACE_PAGES };

		memcpy(buf, VMT_MAGIC "\1\0\20\0\14", 13);
		buf[13] = (unsigned char)formats[(data[0] >> 1) & 3];
		buf[14] = VMT_FLAG_TEXT;
		buf[15] = 0;
		memcpy(buf + VMT_HEADER_LEN, data + 1, size - 1);
		put(fd, buf, size - 1 + VMT_HEADER_LEN);
	} else {
		put(fd, data + 1, size - 1);
	}
	free(buf);
	check_batches(path);
	if (read_items(path, &h1, &n1))
		return 0;
	size_t len = rewrite(path, cfd);

	if (read_items(copy, &h2, &n2) || h1 != h2 || n1 != n2) {
		fprintf(stderr, "the writer's copy reads back differently (%llu vs %llu items)\n",
			(unsigned long long)n1, (unsigned long long)n2);
		abort();
	}
	if (rewrite(copy, cfd2) != len || !same_bytes(cfd, cfd2, len)) {
		fprintf(stderr, "a copy of the copy differs\n");
		abort();
	}
	return 0;
}
