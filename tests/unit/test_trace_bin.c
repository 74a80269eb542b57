/*
 * vmsim's binary trace format (tools/vmsim/trace_bin.c, read through
 * trace_read.c): the exact bytes of a small trace worked by hand; random
 * accesses of every kind, size and distance coming back as written; kept
 * lines and line numbers; every truncation and every one-byte corruption
 * of a trace read to a clean error (never a crash: this runs under ASan);
 * version, flags and page-size mismatches; a kill line in a binary replay
 * equal to the text's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../tools/vmsim/trace_bin.h"
#include "../../tools/vmsim/tool.h"

/* A temporary file: its path, made by the test and removed by bfile_done. */
struct bfile {
	char path[64];
	int fd;
};

static void bfile(struct bfile *b)
{
	snprintf(b->path, sizeof(b->path), "/tmp/vmsim-tbin-XXXXXX");
	b->fd = mkstemp(b->path);
	ASSERT_CMP(b->fd, >=, 0);
}

static void bfile_put(struct bfile *b, const void *data, size_t n)
{
	ASSERT_EQ(ftruncate(b->fd, 0), 0);
	ASSERT_EQ(pwrite(b->fd, data, n, 0), (long)n);
}

static void bfile_done(struct bfile *b)
{
	close(b->fd);
	unlink(b->path);
}

/* The whole file. */
static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long len;

	ASSERT_NOT_NULL(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	p = malloc((size_t)len + 1);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(fread(p, 1, (size_t)len, f), len);
	fclose(f);
	*n = (size_t)len;
	return p;
}

static const struct vmsim_access hand[] = {
	{ .addr = 0x1000, .size = 4, .kind = VMSIM_ACCESS_FETCH },
	{ .addr = 0x1004, .size = 4, .kind = VMSIM_ACCESS_FETCH },
	{ .addr = 0x2000, .size = 8, .kind = VMSIM_ACCESS_LOAD },
	{ .addr = 0x2000, .size = 8, .kind = VMSIM_ACCESS_STORE },
	{ .addr = 0x1ff8, .size = 8, .kind = VMSIM_ACCESS_LOAD },
	{ .addr = 0x2000, .size = 16, .kind = VMSIM_ACCESS_MODIFY },
};

/* The hand trace and a kept line written to @b. */
static void write_hand(struct bfile *b)
{
	struct vmt_writer w;
	char err[256];

	ASSERT_EQ(vmt_writer_init(&w, b->fd, b->path, VMSIM_TRACE_PLAIN, err, sizeof(err)), 0);
	for (size_t i = 0; i < 6; i++)
		ASSERT_EQ(vmt_write_access(&w, &hand[i]), 0);
	ASSERT_EQ(vmt_write_text(&w, VMT_SPECIAL_TEXT, "# hi", 4), 0);
	ASSERT_MSG(!vmt_writer_finish(&w), "%s", err);
}

TEST(trace_bin_bytes_by_hand)
{
	static const unsigned char want[] = {
		0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n',	/* magic */
		1, 0, 16, 0, 12, VMSIM_TRACE_PLAIN, 1, 0,	/* version, length, shift, format, flags */
		0x13, 0x80, 0x40,	/* fetch 4 bytes, delta +0x1000: zigzag 0x2000 */
		0x53,			/* fetch 4, the next one */
		0x20, 0x80, 0x80, 0x01,	/* load 8, +0x2000 (data's own stream) */
		0xa1,			/* store 8, the same address */
		0x20, 0x0f,		/* load 8, -8: zigzag 15 */
		0x42, 0x10,		/* modify, next, size 16 as a varint */
		0xc1, 4, '#', ' ', 'h', 'i',	/* a kept line */
		0xc0, 6, 7, 0,		/* end: 6 accesses, 7 lines, flags */
	};
	struct bfile b;
	unsigned char *got;
	size_t n;

	bfile(&b);
	write_hand(&b);
	got = slurp(b.path, &n);
	ASSERT_EQ(n, sizeof(want));
	ASSERT_MEMEQ(got, want, n);
	free(got);
	bfile_done(&b);
}

TEST(trace_bin_reads_back_with_lines)
{
	struct trace_reader r;
	struct vmsim_access a;
	struct bfile b;
	char err[256];
	uint64_t page;

	bfile(&b);
	write_hand(&b);
	ASSERT_MSG(!trace_open(&r, b.path, VMSIM_TRACE_LACKEY, false, err, sizeof(err)), "%s", err);
	ASSERT(r.binary);
	ASSERT_EQ(r.format, VMSIM_TRACE_PLAIN);		/* the header's, whatever was asked */
	for (size_t i = 0; i < 6; i++) {
		ASSERT_EQ(trace_next_access(&r, &a), 1);
		ASSERT_EQ(a.addr, hand[i].addr);
		ASSERT_EQ(a.size, hand[i].size);
		ASSERT_EQ(a.kind, hand[i].kind);
		ASSERT_EQ(r.lineno, i + 1);
	}
	ASSERT_EQ(trace_next_access(&r, &a), 0);	/* the kept line is skipped */
	ASSERT_EQ(trace_rewind(&r), 0);
	r.keep_text = true;
	for (int i = 0; i < 6; i++)
		ASSERT_EQ(trace_next_item(&r, &a, &page), 1);
	ASSERT_EQ(trace_next_item(&r, &a, &page), 2);
	ASSERT_EQ(r.text_len, 4);
	ASSERT_MEMEQ(r.text, "# hi", 4);
	ASSERT_EQ(r.lineno, 7);
	ASSERT_EQ(trace_next_item(&r, &a, &page), 0);
	trace_close(&r);
	bfile_done(&b);
}

TEST(trace_bin_random_round_trip)
{
	enum { N = 300000 };	/* about 2 MB: the reader's buffer refills in records */
	struct vmsim_access *v = malloc(N * sizeof(*v)), a;
	unsigned long long seed = 5;
	struct trace_reader r;
	struct vmt_writer w;
	struct bfile b;
	char err[256];
	unsigned long addr = 0x400000;

	ASSERT_NOT_NULL(v);
	for (int i = 0; i < N; i++) {
		uint64_t x = vmsim_mix64(seed + (uint64_t)i);

		switch (x % 5) {
		case 0: addr += v[i ? i - 1 : 0].size; break;		/* the next */
		case 1: break;						/* the same */
		case 2: addr += (x >> 8) % 256 - 128; break;		/* near */
		case 3: addr = (unsigned long)vmsim_mix64(x); break;	/* anywhere, 64 bits */
		default: addr = ~0UL - (x >> 40) % 64; break;		/* the top: deltas wrap */
		}
		v[i].addr = addr;
		v[i].size = (x >> 16) % 7 ? 1 + (uint32_t)(x >> 20) % 15 :
			    1 + (uint32_t)(x >> 20) % VMSIM_ACCESS_MAX_SIZE;
		v[i].kind = (uint8_t)((x >> 32) % VMSIM_ACCESS_NR_KINDS);
	}
	bfile(&b);
	ASSERT_EQ(vmt_writer_init(&w, b.fd, b.path, VMSIM_TRACE_LACKEY, err, sizeof(err)), 0);
	for (int i = 0; i < N; i++) {
		if (i % 1000 == 999)		/* a kept line now and then: not an access */
			ASSERT_EQ(vmt_write_text(&w, VMT_SPECIAL_TEXT, "==1== x", 7), 0);
		ASSERT_EQ(vmt_write_access(&w, &v[i]), 0);
	}
	ASSERT_MSG(!vmt_writer_finish(&w), "%s", err);
	ASSERT_MSG(!trace_open(&r, b.path, VMSIM_TRACE_AUTO, false, err, sizeof(err)), "%s", err);
	for (int i = 0; i < N; i++) {
		ASSERT_MSG(trace_next_access(&r, &a) == 1, "%d: %s", i, err);
		ASSERT_EQ(a.addr, v[i].addr);
		ASSERT_EQ(a.size, v[i].size);
		ASSERT_EQ(a.kind, v[i].kind);
	}
	ASSERT_EQ(trace_next_access(&r, &a), 0);
	ASSERT_EQ(trace_rewind(&r), 0);		/* again in the replay's batches */
	for (int i = 0; i < N; ) {
		static struct vmsim_access got[TRACE_BATCH];
		static unsigned long lines[TRACE_BATCH];
		size_t n;
		int ret = trace_next_batch(&r, got, lines, TRACE_BATCH, &n);

		ASSERT_EQ(ret, i + (int)n < N ? 1 : 0);
		for (size_t k = 0; k < n; k++, i++) {
			ASSERT_EQ(got[k].addr, v[i].addr);
			ASSERT_EQ(got[k].value, v[i].addr);
			ASSERT_EQ(got[k].size, v[i].size);
			ASSERT_EQ(got[k].kind, v[i].kind);
			ASSERT_EQ(lines[k], (unsigned long)i + 1 + (unsigned long)(i + 1) / 1000);
		}
	}
	trace_close(&r);
	bfile_done(&b);
	free(v);
}

/* Read all of @path as trace and mrc do: the last result (0, or -1 with @err). */
static int read_whole(const char *path, char *err, size_t n)
{
	struct trace_reader r;
	struct vmsim_access a;
	uint64_t first, last;
	int ret;

	if (trace_open(&r, path, VMSIM_TRACE_AUTO, true, err, n))
		return -1;
	if (r.format == TRACE_PAGES)
		while ((ret = trace_next_pages(&r, &first, &last)) > 0)
			;
	else
		while ((ret = trace_next_access(&r, &a)) > 0)
			;
	trace_close(&r);
	return ret;
}

TEST(trace_bin_truncated_and_corrupt)
{
	struct bfile b;
	unsigned char *good, *bad;
	char err[512];
	size_t n;

	bfile(&b);
	write_hand(&b);
	good = slurp(b.path, &n);
	bad = malloc(n);
	ASSERT_NOT_NULL(bad);
	for (size_t k = 1; k < n; k++) {	/* every prefix: a truncated trace */
		bfile_put(&b, good, k);
		err[0] = 0;
		ASSERT_MSG(read_whole(b.path, err, sizeof(err)) == -1, "%zu bytes read as whole", k);
		ASSERT_MSG(strstr(err, "truncated binary trace"), "%zu bytes: %s", k, err);
	}
	for (size_t k = 0; k < n; k++)		/* every byte changed: read, or a clean error */
		for (int bit = 0; bit < 8; bit++) {
			memcpy(bad, good, n);
			bad[k] ^= (unsigned char)(1 << bit);
			bfile_put(&b, bad, n);
			err[0] = 0;
			if (read_whole(b.path, err, sizeof(err)))
				ASSERT_MSG(strstr(err, b.path) && strlen(err) > strlen(b.path) + 8,
					   "byte %zu bit %d: '%s'", k, bit, err);
		}
	memcpy(bad, good, n);
	bad[8] = 2;		/* version 2 */
	bfile_put(&b, bad, n);
	ASSERT_EQ(read_whole(b.path, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "binary trace version 2, and this vmsim reads version 1 (a newer");
	memcpy(bad, good, n);
	bad[15] = 1;		/* a flag a reader must know */
	bfile_put(&b, bad, n);
	ASSERT_EQ(read_whole(b.path, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "flags 0x0101: it needs features this vmsim does not have");
	memcpy(bad, good, n);
	bad[13] = TRACE_PAGES;
	bad[12] = 13;		/* 8 KiB pages */
	bfile_put(&b, bad, n);
	ASSERT_EQ(read_whole(b.path, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "page-reference trace of 8192-byte pages");
	memcpy(bad, good, n);
	bad[n - 3] = 5;		/* the end record's count */
	bfile_put(&b, bad, n);
	ASSERT_EQ(read_whole(b.path, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "its end record counts 5 accesses in 7 records, 6 and 7 were read");
	free(good);
	free(bad);
	bfile_done(&b);
}

/* Text to binary as trace-convert does it: 0, or -1 with @err. */
static int convert_text(const char *in, struct bfile *out, char *err, size_t n)
{
	struct trace_reader r;
	struct vmt_writer w;
	int ret;

	ASSERT_EQ(ftruncate(out->fd, 0), 0);
	ASSERT_EQ(lseek(out->fd, 0, SEEK_SET), 0);
	if (trace_open(&r, in, VMSIM_TRACE_AUTO, true, err, n))
		return -1;
	r.keep_text = true;
	ASSERT_EQ(vmt_writer_init(&w, out->fd, out->path, r.format, err, n), 0);
	ret = trace_bin_copy(&r, &w);
	ret = ret ? (vmt_writer_free(&w), -1) : vmt_writer_finish(&w);
	trace_close(&r);
	return ret;
}

TEST(trace_bin_replay_kill_line)
{
	struct machine *m = test_boot("ram=32M paging=x86_64");
	struct trace_summary st, sb;
	struct bfile t, b;
	char err[512] = "";
	int p;
	/* comments, a din flush and a blank line shift the lines; line 7 kills */
	static const char text[] = "# a trace\n0 10000 x\n\n4 0\n1 10008\n2 10000\n"
				   "1 7fff00000000\n0 10000\n";

	bfile(&t);
	bfile_put(&t, text, strlen(text));
	bfile(&b);
	ASSERT_MSG(!convert_text(t.path, &b, err, sizeof(err)), "%s", err);
	p = vmsim_spawn(m);
	ASSERT_MSG(!trace_run(m, p, t.path, VMSIM_TRACE_AUTO, false, &st, err, sizeof(err)),
		   "%s", err);
	vmsim_exit(m, p);
	p = vmsim_spawn(m);
	ASSERT_MSG(!trace_run(m, p, b.path, VMSIM_TRACE_AUTO, false, &sb, err, sizeof(err)),
		   "%s", err);
	ASSERT_EQ(st.status, VMSIM_KILLED);
	ASSERT_EQ(st.kill_line, 2);	/* map none: the first access kills */
	ASSERT_EQ(sb.status, st.status);
	ASSERT_EQ(sb.kill_line, st.kill_line);
	ASSERT_EQ(sb.format, VMSIM_TRACE_DIN);
	vmsim_exit(m, p);
	p = vmsim_spawn(m);
	ASSERT_MSG(!trace_run(m, p, b.path, VMSIM_TRACE_AUTO, true, &sb, err, sizeof(err)),
		   "%s", err);	/* map auto: 0x7fff00000000 is mapped too, all run */
	ASSERT_EQ(sb.accesses, 5);
	vmsim_exit(m, p);
	bfile_put(&t, "R 1000\nR 2000 8 x\n", 18);	/* a bad line: no binary, the text's error */
	ASSERT_EQ(convert_text(t.path, &b, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, ":2: bad plain line 'R 2000 8 x'");
	bfile_done(&t);
	bfile_done(&b);
	vmsim_machine_destroy(m);
}
