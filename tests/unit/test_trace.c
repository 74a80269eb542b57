/*
 * The vmsim tool's trace reader and replay (tools/vmsim/trace.c, compiled
 * in here): each format from small files written by the test, the
 * detection of the format, errors with FILE:LINE for malformed lines
 * (nothing run when map auto found them), map auto's coalescing and its
 * respect of existing mappings, an i386 machine refusing 64-bit addresses,
 * map none's kill at the right line, and batches longer than one run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../tools/vmsim/trace.c"

struct tfile {
	char path[64];
};

static void tfile_write(struct tfile *t, const char *text, size_t len)
{
	int fd;

	snprintf(t->path, sizeof(t->path), "/tmp/vmsim-trace-XXXXXX");
	fd = mkstemp(t->path);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(write(fd, text, len), (long)len);
	close(fd);
}

static void tfile(struct tfile *t, const char *text)
{
	tfile_write(t, text, strlen(text));
}

static void tfile_done(struct tfile *t)
{
	unlink(t->path);
}

static int nr_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static char *maps(struct machine *m, int pid)
{
	char *s = vmsim_proc_pid_read(m, pid, "maps");

	ASSERT_NOT_NULL(s);
	return s;
}

/* Replay @text, expecting success. */
static void replay_ok(struct machine *m, int pid, const char *text, enum vmsim_trace_format f,
		      bool map_auto, struct trace_summary *sum)
{
	struct tfile t;
	char err[512] = "";

	tfile(&t, text);
	ASSERT_MSG(!trace_run(m, pid, t.path, f, map_auto, sum, err, sizeof(err)),
		   "trace_run failed: %s", err);
	tfile_done(&t);
}

/* Replay @text, expecting an error whose message contains @want after "FILE:". */
static void replay_err(struct machine *m, int pid, const char *text, enum vmsim_trace_format f,
		       bool map_auto, const char *want)
{
	struct tfile t;
	struct trace_summary sum;
	char err[512] = "", full[600];

	tfile(&t, text);
	ASSERT_EQ(trace_run(m, pid, t.path, f, map_auto, &sum, err, sizeof(err)), -1);
	snprintf(full, sizeof(full), "%s:%s", t.path, want);
	ASSERT_CONTAINS(err, full);
	tfile_done(&t);
}

TEST(trace_lackey)
{
	struct machine *m = test_boot("ram=32M paging=x86_64");
	int p = vmsim_spawn(m);
	struct trace_summary sum;
	uint64_t v;
	unsigned char b[4];

	replay_ok(m, p,
		  "==123== Lackey, an example Valgrind tool\n"
		  "==123== Command: ./t\n"
		  "I  0400d7d4,8\n"
		  " S 04010c10,8\n"
		  " L 04010c10,8\n"
		  "I  0400d7dc,3\n"
		  " M 04010c22,4\n"
		  " S 04011ffe,4\n"		/* crosses into the next page */
		  "\n"
		  "==123== \n", VMSIM_TRACE_AUTO, true, &sum);
	ASSERT_EQ(sum.format, VMSIM_TRACE_LACKEY);
	ASSERT_EQ(sum.status, 0);
	ASSERT_EQ(sum.accesses, 6);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_FETCH], 2);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_LOAD], 1);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_STORE], 2);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_MODIFY], 1);
	/* the code page alone (exec), the data pages 0x4010-0x4012 (rw-) */
	ASSERT_EQ(sum.map_regions, 2);
	ASSERT_EQ(sum.map_pages, 4);
	/* a store writes its own address */
	ASSERT_EQ(vmsim_load64(m, p, 0x4010c10, &v), 0);
	ASSERT_EQ(v, 0x4010c10);
	ASSERT_EQ(vmsim_read(m, p, 0x4010c22, b, 4), 0);
	ASSERT_EQ(b[0], 0x22);
	ASSERT_EQ(b[1], 0x0c);
	ASSERT_EQ(b[2], 0x01);
	ASSERT_EQ(b[3], 0x04);
	ASSERT_EQ(vmsim_read(m, p, 0x4011ffe, b, 4), 0);
	ASSERT_EQ(b[0], 0xfe);
	ASSERT_EQ(b[2], 0x01);
	ASSERT_EQ(sum.minor_faults, 4);		/* the code page, three data pages */
	/* one lookup per page an access touches; a modify's load and store are two */
	ASSERT_EQ(sum.tlb_hits + sum.tlb_misses, 8);
	char *s = maps(m, p);
	ASSERT_CONTAINS(s, "0400d000-0400e000 rwxp");
	ASSERT_CONTAINS(s, "04010000-04013000 rw-p");
	free(s);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(trace_din)
{
	struct machine *m = test_boot("ram=32M paging=i386");
	int p = vmsim_spawn(m);
	struct trace_summary sum;
	unsigned char b[8];

	replay_ok(m, p,
		  "2 0x400000\n"
		  "0 401000 the rest of the line is ignored\n"
		  "1 402006\n"
		  "3 403000\n"
		  "4 0\n", VMSIM_TRACE_AUTO, true, &sum);
	ASSERT_EQ(sum.format, VMSIM_TRACE_DIN);
	ASSERT_EQ(sum.accesses, 4);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_FETCH], 1);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_LOAD], 2);	/* 0 and the unknown 3 */
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_STORE], 1);
	/* 4 bytes aligned down to 4: 0x402004..0x402007 hold 0x402004 */
	ASSERT_EQ(vmsim_read(m, p, 0x402003, b, 6), 0);
	ASSERT_EQ(b[0], 0);
	ASSERT_EQ(b[1], 0x04);
	ASSERT_EQ(b[2], 0x20);
	ASSERT_EQ(b[3], 0x40);
	ASSERT_EQ(b[4], 0x00);
	ASSERT_EQ(b[5], 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(trace_plain)
{
	struct machine *m = test_boot("ram=32M paging=pae");
	int p = vmsim_spawn(m);
	struct trace_summary sum;
	uint64_t v;

	replay_ok(m, p,
		  "# a comment\n"
		  "W 0x10000000 8\n"
		  "r 10000000 8   # trailing comment\r\n"
		  "X 0x10100000\n"
		  "M 10000008 2\n"
		  "  W\t0x10000010\t4\n", VMSIM_TRACE_AUTO, true, &sum);
	ASSERT_EQ(sum.format, VMSIM_TRACE_PLAIN);
	ASSERT_EQ(sum.accesses, 5);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_STORE], 2);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_LOAD], 1);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_FETCH], 1);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_MODIFY], 1);
	ASSERT_EQ(vmsim_load64(m, p, 0x10000000, &v), 0);
	ASSERT_EQ(v, 0x10000000);
	ASSERT_EQ(vmsim_load64(m, p, 0x10000008, &v), 0);
	ASSERT_EQ(v, 0x0008);
	ASSERT_EQ(vmsim_load64(m, p, 0x10000010, &v), 0);
	ASSERT_EQ(v, 0x10000010);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(trace_format_forced_and_undetectable)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	char *s;

	/* a din line read as plain, a lackey line read as din */
	replay_err(m, p, "0 1000\n", VMSIM_TRACE_PLAIN, true, "1: bad plain line '0 1000'");
	replay_err(m, p, "# x\nI  0400d7d4,8\n", VMSIM_TRACE_DIN, true,
		   "2: bad din line 'I  0400d7d4,8'");
	replay_err(m, p, "\n\nhello world\n", VMSIM_TRACE_AUTO, true,
		   "3: cannot tell the trace format from 'hello world'");
	s = maps(m, p);
	ASSERT_EQ(nr_lines(s), 1);		/* the stack: nothing was mapped */
	free(s);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(trace_malformed_lines_name_file_and_line)
{
	static const struct { const char *text; int format; const char *want; } bad[] = {
		{ "I  0400d7d4,8\n S 1000\n", VMSIM_TRACE_AUTO, "2: bad lackey line ' S 1000'" },
		{ "I  0400d7d4,8\n S 1000,0\n", VMSIM_TRACE_AUTO, "2: bad lackey line" },
		{ "I  0400d7d4,8\n S 1000,4097\n", VMSIM_TRACE_AUTO, "2: bad lackey line" },
		{ "I  0400d7d4,8\n X 1000,8\n", VMSIM_TRACE_AUTO, "2: bad lackey line" },
		{ "I  0400d7d4,8\n S 1000,8 x\n", VMSIM_TRACE_AUTO, "2: bad lackey line" },
		{ "0 1000\n5 2000\n", VMSIM_TRACE_AUTO, "2: bad din line '5 2000'" },
		{ "0 1000\n1 zz\n", VMSIM_TRACE_AUTO, "2: bad din line" },
		{ "0 1000\n1 12345678123456781\n", VMSIM_TRACE_AUTO, "2: bad din line" },
		{ "W 1000\n\nR 1000 8 9\n", VMSIM_TRACE_AUTO, "3: bad plain line 'R 1000 8 9'" },
		{ "W 1000\nR 0x\n", VMSIM_TRACE_AUTO, "2: bad plain line" },
		{ "W 1000\nR 1000 -1\n", VMSIM_TRACE_AUTO, "2: bad plain line" },
		{ "W 1000\nQ 1000\n", VMSIM_TRACE_AUTO, "2: bad plain line" },
		{ "W 1000\nR1000\n", VMSIM_TRACE_AUTO, "2: bad plain line" },
	};
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	char *s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		replay_err(m, p, bad[i].text, (enum vmsim_trace_format)bad[i].format, true,
			   bad[i].want);
	/* one pass: the accesses before each bad line were mapped and ran */
	s = maps(m, p);
	ASSERT_EQ(nr_lines(s), 3);
	ASSERT_CONTAINS(s, "00001000-00002000 rw-p");
	ASSERT_CONTAINS(s, "0400d000-0400e000 rwxp");
	free(s);

	/* a NUL byte, a line longer than 4096 characters */
	struct tfile t;
	struct trace_summary sum;
	char err[512], *big = malloc(10000);

	tfile_write(&t, "W 1000\nW 10\0 00\n", 16);
	ASSERT_EQ(trace_run(m, p, t.path, VMSIM_TRACE_AUTO, true, &sum, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, ":2: NUL byte");
	tfile_done(&t);
	ASSERT_NOT_NULL(big);
	memset(big, ' ', 10000);
	memcpy(big, "W 1000\n", 7);
	tfile_write(&t, big, 10000);
	ASSERT_EQ(trace_run(m, p, t.path, VMSIM_TRACE_AUTO, true, &sum, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, ":2: line too long");
	tfile_done(&t);
	free(big);
	/* no file (standard input, pipes and compressed files: tests/trace-input-test.sh) */
	ASSERT_EQ(trace_run(m, p, "/nonexistent/trace", VMSIM_TRACE_AUTO, false, &sum, err,
			    sizeof(err)), -1);
	ASSERT_CONTAINS(err, "/nonexistent/trace: cannot open the trace");
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(trace_map_auto_coalesces_and_keeps_existing_mappings)
{
	struct machine *m = test_boot("ram=32M paging=x86_64");
	int p = vmsim_spawn(m);
	struct trace_summary sum;
	char *s;
	uint64_t v;

	/* a mapping of the script's own, read-only, holding a value */
	ASSERT_EQ(vmsim_mmap(m, p, 0x30000000, 0x2000, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			     VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED, -1, 0),
		  0x30000000);
	ASSERT_EQ(vmsim_store64(m, p, 0x30001000, 4242), 0);
	ASSERT_EQ(vmsim_mprotect(m, p, 0x30000000, 0x2000, VMSIM_PROT_READ), 0);
	replay_ok(m, p,
		  "R 100000\n"
		  "R 101000\n"
		  "R 10f000\n"		/* 13 pages (52 KiB) after 0x102000: joined */
		  "R 120000\n"		/* 16 pages (64 KiB) after 0x110000: apart */
		  "X 200000\n"		/* fetched: its own rwx mapping */
		  "R 201000\n"		/* the data after it: rw- */
		  "R 2fffff 2\n"		/* crosses into 0x300000 */
		  "R 2ffffff8 16\n"	/* 0x2ffff000 mapped, 0x30000000 kept */
		  "R 30001000 8\n",
		  VMSIM_TRACE_PLAIN, true, &sum);
	s = maps(m, p);
	ASSERT_CONTAINS(s, "00100000-00110000 rw-p");
	ASSERT_CONTAINS(s, "00120000-00121000 rw-p");
	ASSERT_CONTAINS(s, "00200000-00201000 rwxp");
	ASSERT_CONTAINS(s, "00201000-00202000 rw-p");
	ASSERT_CONTAINS(s, "002ff000-00301000 rw-p");
	ASSERT_CONTAINS(s, "2ffff000-30000000 rw-p");
	ASSERT_CONTAINS(s, "30000000-30002000 r--p");
	ASSERT_EQ(nr_lines(s), 8);		/* with the stack */
	free(s);
	ASSERT_EQ(sum.map_regions, 6);
	ASSERT_EQ(sum.map_pages, 16 + 1 + 1 + 1 + 2 + 1);
	ASSERT_EQ(sum.accesses, 9);
	ASSERT_EQ(sum.status, 0);
	ASSERT_EQ(vmsim_load64(m, p, 0x30001000, &v), 0);
	ASSERT_EQ(v, 4242);
	/* replayed again with map auto: everything is mapped already */
	replay_ok(m, p, "R 100000\nR 201000\n", VMSIM_TRACE_PLAIN, true, &sum);
	ASSERT_EQ(sum.map_regions, 0);
	ASSERT_EQ(sum.accesses, 2);
	/* a store into the kept read-only mapping kills, as it would */
	replay_ok(m, p, "W 100000\nW 30001000 8\nW 100000\n", VMSIM_TRACE_PLAIN, true, &sum);
	ASSERT_EQ(sum.status, VMSIM_KILLED);
	ASSERT_EQ(sum.accesses, 1);
	ASSERT_EQ(sum.kill_line, 2);
	ASSERT_EQ(sum.signo, 11);
	ASSERT_EQ(sum.code, 2);
	ASSERT_EQ(sum.fault_addr, 0x30001000);
	test_shutdown(m);
}

TEST(trace_i386_refuses_64bit_addresses)
{
	struct machine *m = test_boot("ram=32M paging=i386");
	int p = vmsim_spawn(m);
	char *s;

	replay_err(m, p, "I  0400d7d4,8\n S 7ffd12345678,8\n", VMSIM_TRACE_AUTO, true,
		   "2: address 0x7ffd12345678 is outside the machine's user space "
		   "(0 .. 0xbfffffff): a 64-bit trace needs --paging x86_64");
	replay_err(m, p, "W bffffffc 8\n", VMSIM_TRACE_AUTO, true,
		   "1: address 0xbffffffc is outside");
	replay_err(m, p, "W fffffffffffffffe 4\n", VMSIM_TRACE_AUTO, true,
		   "1: address 0xfffffffffffffffe (wraps) is outside");
	/* the fetch before the bad address ran: its page alone was mapped */
	s = maps(m, p);
	ASSERT_EQ(nr_lines(s), 2);
	ASSERT_CONTAINS(s, "0400d000-0400e000 rwxp");
	free(s);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(trace_map_none_kills_at_the_line)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), q;
	struct trace_summary sum;

	ASSERT_EQ(vmsim_mmap(m, p, 0x10000000, 0x1000, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			     VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED, -1, 0),
		  0x10000000);
	q = vmsim_fork(m, p);
	replay_ok(m, p, "W 10000000 8\n# skipped\nR 10000ff8 8\nW 10001000 8\nR 10000000\n",
		  VMSIM_TRACE_AUTO, false, &sum);
	ASSERT_EQ(sum.status, VMSIM_KILLED);
	ASSERT_EQ(sum.accesses, 2);
	ASSERT_EQ(sum.kill_line, 4);
	ASSERT_EQ(sum.code, 1);
	ASSERT_EQ(sum.fault_addr, 0x10001000);
	ASSERT_EQ(sum.map_regions, 0);
	/* the dead process: -ESRCH, nothing read */
	replay_ok(m, p, "R 10000000\n", VMSIM_TRACE_AUTO, false, &sum);
	ASSERT_EQ(sum.status, -ESRCH);
	ASSERT_EQ(sum.accesses, 0);
	/* the forked child replays into its copy: a bad line after a good batch stops it */
	struct tfile t;
	char err[256];

	tfile(&t, "W 10000000 8\nW 10000008 8\nnonsense\n");
	ASSERT_EQ(trace_run(m, q, t.path, VMSIM_TRACE_AUTO, false, &sum, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, ":3: bad plain line");
	ASSERT_EQ(sum.accesses, 2);		/* map none: the lines before it ran */
	tfile_done(&t);
	ASSERT_EQ(vmsim_exit(m, q), 0);
	test_shutdown(m);
}

TEST(trace_many_batches)
{
	struct machine *m = test_boot("ram=32M paging=x86_64 tlb=16");
	int p = vmsim_spawn(m);
	struct trace_summary sum;
	size_t cap = 3 * TRACE_BATCH * 24, len = 0;
	char *text = malloc(cap);
	uint64_t v;

	ASSERT_NOT_NULL(text);
	/* 2.5 batches over 64 pages, each access the 8 bytes at page * 4 KiB + k * 8 */
	for (int i = 0; i < 5 * TRACE_BATCH / 2; i++)
		len += (size_t)snprintf(text + len, cap - len, " S %lx,8\n",
					0x40000000UL + (unsigned long)(i % 64) * 4096 +
					(unsigned long)(i / 64 % 512) * 8);
	replay_ok(m, p, text, VMSIM_TRACE_AUTO, true, &sum);
	ASSERT_EQ(sum.accesses, 5 * TRACE_BATCH / 2);
	ASSERT_EQ(sum.by_kind[VMSIM_ACCESS_STORE], 5 * TRACE_BATCH / 2);
	ASSERT_EQ(sum.map_regions, 1);
	ASSERT_EQ(sum.map_pages, 64);
	ASSERT_EQ(sum.minor_faults, 64);
	/* one lookup per access: a fault preloads the TLB, its retry is not one more */
	ASSERT_EQ(sum.tlb_hits + sum.tlb_misses, sum.accesses);
	ASSERT_CMP(sum.tlb_misses, >=, sum.accesses / 2);	/* 64 pages cycled in a 16-entry TLB */
	ASSERT_EQ(vmsim_load64(m, p, 0x40000000UL + 63 * 4096 + 8 * 8, &v), 0);
	ASSERT_EQ(v, 0x40000000UL + 63 * 4096 + 8 * 8);
	free(text);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/* The script's trace command as the parser reads it. */
static void parse_bad(const char *line, const char *want)
{
	struct vmsim_cmd c;
	char err[256] = "";

	ASSERT_EQ(vmsim_cmd_parse(line, &c, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, want);
}

TEST(trace_command_parse)
{
	struct vmsim_cmd c;
	char err[256];

	ASSERT_EQ(vmsim_cmd_parse("A trace prog.lackey", &c, err, sizeof(err)), 0);
	ASSERT_STREQ(vmsim_cmd_word(&c), "trace");
	ASSERT_STREQ(c.proc, "A");
	ASSERT_STREQ(c.u.trace.path, "prog.lackey");
	ASSERT_EQ(c.u.trace.format, VMSIM_TRACE_AUTO);
	ASSERT(!c.u.trace.map_none);
	ASSERT_STREQ(c.text, "A trace prog.lackey");
	vmsim_cmd_free(&c);
	ASSERT_EQ(vmsim_cmd_parse("B  trace \"my dir/t.din\" map=none din # x", &c, err,
				  sizeof(err)), 0);
	ASSERT_STREQ(c.u.trace.path, "my dir/t.din");
	ASSERT_EQ(c.u.trace.format, VMSIM_TRACE_DIN);
	ASSERT(c.u.trace.map_none);
	ASSERT_STREQ(c.text, "B trace \"my dir/t.din\" map=none din");
	vmsim_cmd_free(&c);
	ASSERT_EQ(vmsim_cmd_parse("A trace t plain map=auto", &c, err, sizeof(err)), 0);
	ASSERT_EQ(c.u.trace.format, VMSIM_TRACE_PLAIN);
	ASSERT(!c.u.trace.map_none);
	vmsim_cmd_free(&c);
	parse_bad("A trace", "A trace FILE [auto|lackey|din|plain] [map=auto|none]: expected more");
	parse_bad("A trace t din lackey", "trace: a second format in 'lackey'");
	parse_bad("A trace t map=none map=auto", "trace: a second map= in 'map=auto'");
	parse_bad("A trace t map=some", "map= wants auto or none, got 'some'");
	parse_bad("A trace t dinero", "trace: unknown option 'dinero'");
	parse_bad("A trace \"\"", "trace: bad FILE name");
	parse_bad("trace t", "'trace' needs a process first");
	parse_bad("spawn trace", "'trace' is a reserved word");
	ASSERT_STREQ(vmsim_trace_format_name(VMSIM_TRACE_LACKEY), "lackey");
	ASSERT_EQ(vmsim_trace_format_parse("din"), VMSIM_TRACE_DIN);
	ASSERT_EQ(vmsim_trace_format_parse("DIN"), -1);
}
