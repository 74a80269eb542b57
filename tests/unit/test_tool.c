/*
 * Tests of the script language's parser (kernel/script_parse.c), its fixed
 * helpers (splitmix64 finaliser, FNV-1a 64, errno names) and the
 * introspection API (api/stats.c) behind the vmsim tool's reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "testlib.h"
#include "vmsim/process.h"
#include "vmsim/script.h"
#include "vmsim/stats.h"

static uint64_t num(const char *s)
{
	uint64_t v = 0xdeadbeef;

	ASSERT_MSG(!vmsim_parse_number(s, &v), "'%s' should parse", s);
	return v;
}

static void bad_num(const char *s)
{
	uint64_t v = 7;

	ASSERT_MSG(vmsim_parse_number(s, &v) == -1, "'%s' should not parse", s);
	ASSERT_EQ(v, 7);
}

TEST(tool_parse_number)
{
	ASSERT_EQ(num("0"), 0);
	ASSERT_EQ(num("4096"), 4096);
	ASSERT_EQ(num("0x1000"), 4096);
	ASSERT_EQ(num("0XfF"), 255);
	ASSERT_EQ(num("4K"), 4096);
	ASSERT_EQ(num("4k"), 4096);
	ASSERT_EQ(num("3M"), 3 << 20);
	ASSERT_EQ(num("2G"), 2ULL << 30);
	ASSERT_EQ(num("0x10K"), 16384);
	ASSERT_EQ(num("007"), 7);
	ASSERT_EQ(num("18446744073709551615"), UINT64_MAX);
	ASSERT_EQ(num("0xffffffffffffffff"), UINT64_MAX);
	ASSERT_EQ(num("17179869183G"), 17179869183ULL << 30);
	bad_num("");
	bad_num("K");
	bad_num("0x");
	bad_num("0xK");
	bad_num("-1");
	bad_num("+1");
	bad_num("12a");
	bad_num("1KK");
	bad_num("1T");
	bad_num("1.5M");
	bad_num(" 1");
	bad_num("0x1g0");
	bad_num("18446744073709551616");
	bad_num("0x10000000000000000");
	bad_num("17179869184G");
	bad_num("18014398509481984K");
}

TEST(tool_parse_prot)
{
	int p = -1;
	char buf[4];

	ASSERT_EQ(vmsim_parse_prot("rw-", &p), 0);
	ASSERT_EQ(p, VMSIM_PROT_READ | VMSIM_PROT_WRITE);
	ASSERT_EQ(vmsim_parse_prot("r-x", &p), 0);
	ASSERT_EQ(p, VMSIM_PROT_READ | VMSIM_PROT_EXEC);
	ASSERT_EQ(vmsim_parse_prot("---", &p), 0);
	ASSERT_EQ(p, VMSIM_PROT_NONE);
	ASSERT_EQ(vmsim_parse_prot("rwx", &p), 0);
	ASSERT_EQ(p, 7);
	ASSERT_EQ(vmsim_parse_prot("-w-", &p), 0);
	ASSERT_EQ(p, VMSIM_PROT_WRITE);
	p = 99;
	ASSERT_EQ(vmsim_parse_prot("rw", &p), -1);
	ASSERT_EQ(vmsim_parse_prot("wr-", &p), -1);
	ASSERT_EQ(vmsim_parse_prot("rwxp", &p), -1);
	ASSERT_EQ(vmsim_parse_prot("RW-", &p), -1);
	ASSERT_EQ(vmsim_parse_prot("", &p), -1);
	ASSERT_EQ(vmsim_parse_prot("x--", &p), -1);
	ASSERT_EQ(p, 99);
	for (int i = 0; i < 8; i++) {
		vmsim_format_prot(i, buf);
		ASSERT_EQ(vmsim_parse_prot(buf, &p), 0);
		ASSERT_EQ(p, i);
	}
}

TEST(tool_parse_flag_lists)
{
	char err[200];
	int f = 0;

	ASSERT_EQ(vmsim_parse_mmap_flags("private,anon", &f, err, sizeof(err)), 0);
	ASSERT_EQ(f, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS);
	ASSERT_EQ(vmsim_parse_mmap_flags("shared,anon,fixed,populate,locked,noreserve,growsdown",
					 &f, err, sizeof(err)), 0);
	ASSERT_EQ(f, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED |
		  VMSIM_MAP_POPULATE | VMSIM_MAP_LOCKED | VMSIM_MAP_NORESERVE |
		  VMSIM_MAP_GROWSDOWN);
	ASSERT_EQ(vmsim_parse_mmap_flags("private,anon,noreplace", &f, err, sizeof(err)), 0);
	ASSERT_EQ(f, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED_NOREPLACE);
	ASSERT_EQ(vmsim_parse_mmap_flags("0x22", &f, err, sizeof(err)), 0);
	ASSERT_EQ(f, 0x22);
	ASSERT_EQ(vmsim_parse_mmap_flags("private,,anon", &f, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "empty name");
	ASSERT_EQ(vmsim_parse_mmap_flags("private,bogus", &f, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "unknown mmap flag 'bogus'");
	ASSERT_EQ(vmsim_parse_mmap_flags("anon,anon", &f, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "given twice");
	ASSERT_EQ(vmsim_parse_mmap_flags("private,", &f, err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_parse_mremap_flags("maymove,fixed,dontunmap", &f, err, sizeof(err)), 0);
	ASSERT_EQ(f, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED | VMSIM_MREMAP_DONTUNMAP);
	ASSERT_EQ(vmsim_parse_mremap_flags("private", &f, err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_parse_mlockall_flags("current,future", &f, err, sizeof(err)), 0);
	ASSERT_EQ(f, VMSIM_MCL_CURRENT | VMSIM_MCL_FUTURE);
	ASSERT_EQ(vmsim_parse_advice("dontneed"), VMSIM_MADV_DONTNEED);
	ASSERT_EQ(vmsim_parse_advice("willneed"), VMSIM_MADV_WILLNEED);
	ASSERT_EQ(vmsim_parse_advice("sequential"), VMSIM_MADV_SEQUENTIAL);
	ASSERT_EQ(vmsim_parse_advice("nope"), -1);
}

static struct vmsim_cmd parse_ok(const char *line)
{
	struct vmsim_cmd c;
	char err[256] = "";

	ASSERT_MSG(!vmsim_cmd_parse(line, &c, err, sizeof(err)), "'%s' failed: %s", line, err);
	return c;
}

static void parse_bad(const char *line, const char *msg)
{
	struct vmsim_cmd c;
	char err[256] = "";

	ASSERT_MSG(vmsim_cmd_parse(line, &c, err, sizeof(err)) == -1, "'%s' should fail", line);
	ASSERT_MSG(strstr(err, msg), "'%s': message '%s' lacks '%s'", line, err, msg);
	ASSERT_NULL(c.def);
	ASSERT_NULL(c.text);
}

TEST(tool_parse_commands)
{
	struct vmsim_cmd c;

	c = parse_ok("  A   mmap 0 4K\trw-  private,anon   # a comment");
	ASSERT_STREQ(vmsim_cmd_word(&c), "mmap");
	ASSERT_STREQ(c.proc, "A");
	ASSERT_EQ(c.u.mmap.addr, 0);
	ASSERT_EQ(c.u.mmap.len, 4096);
	ASSERT_EQ(c.u.mmap.prot, VMSIM_PROT_READ | VMSIM_PROT_WRITE);
	ASSERT_EQ(c.u.mmap.flags, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS);
	ASSERT_STREQ(c.text, "A mmap 0 4K rw- private,anon");
	vmsim_cmd_free(&c);

	c = parse_ok("spawn proc_2");
	ASSERT_STREQ(vmsim_cmd_word(&c), "spawn");
	ASSERT_STREQ(c.u.spawn.name, "proc_2");
	vmsim_cmd_free(&c);

	c = parse_ok("A mremap 0x1000 4K 8K maymove");
	ASSERT_STREQ(vmsim_cmd_word(&c), "mremap");
	ASSERT_EQ(c.u.mremap.new_len, 8192);
	ASSERT_EQ(c.u.mremap.flags, VMSIM_MREMAP_MAYMOVE);
	vmsim_cmd_free(&c);

	c = parse_ok("A touch 0x1000 1M write stride=8K random=10 seed=3");
	ASSERT_STREQ(vmsim_cmd_word(&c), "touch");
	ASSERT_EQ(c.u.touch.access, VMSIM_ACCESS_WRITE);
	ASSERT_EQ(c.u.touch.stride, 8192);
	ASSERT(c.u.touch.random);
	ASSERT_EQ(c.u.touch.count, 10);
	ASSERT_EQ(c.u.touch.seed, 3);
	vmsim_cmd_free(&c);

	c = parse_ok("A touch 0x1000 1M");
	ASSERT_EQ(c.u.touch.access, VMSIM_ACCESS_READ);
	ASSERT_EQ(c.u.touch.stride, 4096);
	ASSERT(!c.u.touch.random);
	vmsim_cmd_free(&c);

	c = parse_ok("A write 0x10 \"a\\n\\x41\\\"b # not a comment\\0\"  # comment");
	ASSERT_STREQ(vmsim_cmd_word(&c), "write");
	ASSERT_EQ(c.u.write.data_len, 22);
	ASSERT_MEMEQ(c.u.write.data, "a\nA\"b # not a comment\0", 22);
	ASSERT_STREQ(c.text, "A write 0x10 \"a\\n\\x41\\\"b # not a comment\\0\"");
	vmsim_cmd_free(&c);

	c = parse_ok("A write 0x10 len=4K pattern=0x99");
	ASSERT(c.u.write.pattern);
	ASSERT_EQ(c.u.write.len, 4096);
	ASSERT_EQ(c.u.write.seed, 0x99);
	vmsim_cmd_free(&c);

	c = parse_ok("A mlockall current,future");
	ASSERT_EQ(c.u.mlockall.flags, VMSIM_MCL_CURRENT | VMSIM_MCL_FUTURE);
	vmsim_cmd_free(&c);

	c = parse_ok("A fork B");
	ASSERT_STREQ(vmsim_cmd_word(&c), "fork");
	ASSERT_STREQ(c.u.fork.name, "B");
	vmsim_cmd_free(&c);

	c = parse_ok("show A pagetable 0x7f0000000000");
	ASSERT_STREQ(vmsim_cmd_word(&c), "show");
	ASSERT_STREQ(c.proc, "A");
	ASSERT_EQ(c.u.show.what, VMSIM_SHOW_PAGETABLE);
	ASSERT_EQ(c.u.show.addr, 0x7f0000000000ULL);
	vmsim_cmd_free(&c);

	c = parse_ok("show page 0x100");
	ASSERT_STREQ(vmsim_cmd_word(&c), "show");
	ASSERT_EQ(c.u.show.what, VMSIM_SHOW_PAGE);
	ASSERT_EQ(c.u.show.pfn, 256);
	vmsim_cmd_free(&c);

	c = parse_ok("show page p1");	/* a frame K alloc_pages named, resolved at run time */
	ASSERT_EQ(c.u.show.what, VMSIM_SHOW_PAGE);
	ASSERT_STREQ(c.u.show.kaddr, "p1");
	vmsim_cmd_free(&c);

	c = parse_ok("show slabinfo size-128 vm_area_*");	/* lines kept: globs, as written */
	ASSERT_EQ(c.u.show.what, VMSIM_SHOW_SLABINFO);
	ASSERT_STREQ(c.u.show.keys, "size-128 vm_area_*");
	vmsim_cmd_free(&c);

	c = parse_ok("show meminfo");
	ASSERT_STREQ(c.u.show.keys, "");
	vmsim_cmd_free(&c);

	c = parse_ok("show buddyinfo");
	ASSERT_STREQ(vmsim_cmd_word(&c), "show");
	ASSERT_EQ(c.u.show.what, VMSIM_SHOW_BUDDYINFO);
	vmsim_cmd_free(&c);

	c = parse_ok("expect A read 0x1000 3 = 00FFaa");
	ASSERT_STREQ(vmsim_cmd_word(&c), "expect");
	ASSERT_EQ(c.u.expect.kind, VMSIM_EXPECT_READ);
	ASSERT_EQ(c.u.expect.data_len, 3);
	ASSERT_MEMEQ(c.u.expect.data, "\x00\xff\xaa", 3);
	vmsim_cmd_free(&c);

	c = parse_ok("expect A read 0x1000 65 = fnv1a64:0123456789abcdef");
	ASSERT(c.u.expect.is_hash);
	ASSERT_EQ(c.u.expect.hash, 0x0123456789abcdefULL);
	vmsim_cmd_free(&c);

	c = parse_ok("expect A killed SIGSEGV SEGV_MAPERR");
	ASSERT_STREQ(vmsim_cmd_word(&c), "expect");
	ASSERT_EQ(c.u.expect.kind, VMSIM_EXPECT_KILLED);
	ASSERT_EQ(c.u.expect.signal, 11);
	ASSERT_EQ(c.u.expect.si_code, 1);
	vmsim_cmd_free(&c);

	c = parse_ok("expect = -ENOMEM");
	ASSERT_STREQ(vmsim_cmd_word(&c), "expect");
	ASSERT_EQ(c.u.expect.kind, VMSIM_EXPECT_RESULT);
	ASSERT_STREQ(c.u.expect.value, "-ENOMEM");
	vmsim_cmd_free(&c);

	c = parse_ok("expect LASTRESULT = 0x1000");
	ASSERT_STREQ(vmsim_cmd_word(&c), "expect");
	ASSERT_STREQ(c.u.expect.value, "0x1000");
	vmsim_cmd_free(&c);

	c = parse_ok("machine ram=64M paging=pae cpus=2 seed=9");
	ASSERT_STREQ(vmsim_cmd_word(&c), "machine");
	ASSERT_EQ(c.u.machine.nr_opts, 4);
	ASSERT_STREQ(c.u.machine.keys[1], "paging");
	ASSERT_STREQ(c.u.machine.values[1], "pae");
	vmsim_cmd_free(&c);

	c = parse_ok("   # only a comment");
	ASSERT_NULL(c.def);
	vmsim_cmd_free(&c);
	c = parse_ok("");
	ASSERT_NULL(c.def);
	vmsim_cmd_free(&c);
	c = parse_ok("A exit\r");
	ASSERT_STREQ(vmsim_cmd_word(&c), "exit");
	vmsim_cmd_free(&c);
}

TEST(tool_parse_errors)
{
	parse_bad("frob-nicate x", "unknown command 'frob-nicate'");
	parse_bad("frobnicate", "missing command after 'frobnicate'");
	parse_bad("A frob 1", "unknown command 'frob'");
	parse_bad("A", "missing command after 'A'");
	parse_bad("mmap 0 4K rw- private,anon", "needs a process first");
}

TEST(tool_parse_errors_detail)
{
	parse_bad("A mmap 0 4K rw-", "A mmap ADDR LEN PROT FLAGS [FD [OFFSET]]: expected more words");
	parse_bad("A mmap 0 4K rw- private,anon 3 0 x", "expected fewer words");
	parse_bad("A mmap zero 4K rw- private,anon", "bad ADDR 'zero'");
	parse_bad("A mmap 0 4K rw private,anon", "bad PROT 'rw'");
	parse_bad("A mmap 0 4K rw- private,anno", "unknown mmap flag 'anno'");
	parse_bad("A munmap 0 -4K", "bad LEN '-4K'");
	parse_bad("A read 0x1000 0", "LEN must be at least 1");
	parse_bad("A touch 0 4K stride=0", "stride must be at least 1");
	parse_bad("A touch 0 4K seed=3", "seed= goes with random=");
	parse_bad("A touch 0 1K random=4", "at least one stride");
	parse_bad("A touch 0 4K write read", "given twice");
	parse_bad("A touch 0 4K sideways", "unknown option 'sideways'");
	parse_bad("A write 0 hello", "in quotes");
	parse_bad("A write 0 \"abc", "unterminated string");
	parse_bad("A write 0 \"a\\qb\"", "unknown escape \\q");
	parse_bad("A write 0 \"a\\x4\"", "two hex digits");
	parse_bad("A write 0 \"ab\"c", "right after a closing quote");
	parse_bad("A write 0 pattern=1", "pattern=SEED len=N");
	parse_bad("A write 0 pattern=1 pattern=2", "expected pattern=SEED len=N");
	parse_bad("A madvise 0 4K often", "unknown advice 'often'");
	parse_bad("A mlockall past", "unknown mlockall flag 'past'");
	parse_bad("A fork 9lives", "bad process name '9lives'");
	parse_bad("A fork show", "reserved word");
	parse_bad("spawn mmap", "reserved word");
	parse_bad("spawn", "spawn A: expected more words");
	parse_bad("show", "expected what to show");
	parse_bad("show nothing", "unknown 'nothing'");
	parse_bad("show A pagetable", "show A pagetable ADDR");
	parse_bad("show A pages", "unknown 'pages'");
	parse_bad("show page", "show page PFN");
	parse_bad("expect A killed SIGFOO", "unknown signal 'SIGFOO'");
	parse_bad("expect A killed SIGSEGV BUS_ADRERR", "no code of SIGSEGV");
	parse_bad("expect A read 0x1000 2 = 0011aa", "wants 4 hex digits, got 6");
	parse_bad("expect A read 0x1000 2 = 00zz", "bad hex byte 'zz'");
	parse_bad("expect A read 0x1000 100 = 00", "fnv1a64:");
	parse_bad("expect A read 0x1000 2 00ff", "expect A read ADDR LEN = HEXBYTES");
	parse_bad("expect =", "one VALUE after =");
	parse_bad("expect A dead", "unknown form 'dead'");
	parse_bad("machine ram", "expected KEY=VALUE");
	parse_bad("machine ram=lots", "machine: bad value 'lots'");
	parse_bad("machine colour=blue", "unknown machine option 'colour'");
	parse_bad("\"A\" exit", "cannot start with a string");
	parse_bad("A ex\x01it", "control character 0x01");
	parse_bad("A a b c d e f g h i j k l m n o p q", "too many words");
}

TEST(tool_script_error_lines)
{
	static const char text[] =
		"# comment\n"
		"\n"
		"spawn A\n"
		"A mmap 0 4K rw- private,anon\n"
		"   \n"
		"A mmap 0 4K rw- bogus\n"
		"A exit\n";
	struct vmsim_script sc;
	char err[256];
	int line = -1;

	ASSERT_EQ(vmsim_script_parse(text, sizeof(text) - 1, &sc, err, sizeof(err), &line), -1);
	ASSERT_EQ(line, 6);
	ASSERT_CONTAINS(err, "unknown mmap flag 'bogus'");
	ASSERT_EQ(sc.nr_cmds, 0);

	/* good script: comment and blank lines dropped, numbers kept */
	ASSERT_EQ(vmsim_script_parse(text, 52, &sc, err, sizeof(err), &line), 0);
	ASSERT_EQ(sc.nr_cmds, 2);
	ASSERT_EQ(sc.lines[0], 3);
	ASSERT_EQ(sc.lines[1], 4);
	vmsim_script_free(&sc);

	/* no trailing newline, CRLF endings */
	ASSERT_EQ(vmsim_script_parse("spawn A\r\nA exit", 15, &sc, err, sizeof(err), &line), 0);
	ASSERT_EQ(sc.nr_cmds, 2);
	ASSERT_STREQ(vmsim_cmd_word(&sc.cmds[1]), "exit");
	vmsim_script_free(&sc);

	/* a NUL byte is an error on its line */
	ASSERT_EQ(vmsim_script_parse("spawn A\nA e\0xit\n", 16, &sc, err, sizeof(err), &line), -1);
	ASSERT_EQ(line, 2);
	ASSERT_CONTAINS(err, "NUL byte");

	/* over-long lines */
	char *big = malloc(VMSIM_LINE_MAX + 100);
	ASSERT_NOT_NULL(big);
	memset(big, 'a', VMSIM_LINE_MAX + 99);
	big[0] = '\n';
	ASSERT_EQ(vmsim_script_parse(big, VMSIM_LINE_MAX + 99, &sc, err, sizeof(err), &line), -1);
	ASSERT_EQ(line, 2);
	ASSERT_CONTAINS(err, "line too long");
	free(big);
}

TEST(tool_mix_and_hash)
{
	/* splitmix64's first output from state 0 is the finaliser of 0 + gamma */
	ASSERT_EQ(vmsim_mix64(0), 0xe220a8397b1dcdafULL);
	ASSERT_EQ(vmsim_mix64(0x9E3779B97F4A7C15ULL), 0x6e789e6aa1b965f4ULL);
	ASSERT_EQ(vmsim_fnv1a64(VMSIM_FNV1A64_INIT, "", 0), 0xcbf29ce484222325ULL);
	ASSERT_EQ(vmsim_fnv1a64(VMSIM_FNV1A64_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
	ASSERT_EQ(vmsim_fnv1a64(VMSIM_FNV1A64_INIT, "foobar", 6), 0x85944171f73967e8ULL);
	/* hashing in pieces is hashing the whole */
	ASSERT_EQ(vmsim_fnv1a64(vmsim_fnv1a64(VMSIM_FNV1A64_INIT, "foo", 3), "bar", 3),
		  0x85944171f73967e8ULL);
}

TEST(tool_errno_names)
{
	ASSERT_STREQ(vmsim_errno_name(EINVAL), "EINVAL");
	ASSERT_STREQ(vmsim_errno_name(ENOMEM), "ENOMEM");
	ASSERT_STREQ(vmsim_errno_name(ESRCH), "ESRCH");
	ASSERT_STREQ(vmsim_errno_name(EAGAIN), "EAGAIN");
	ASSERT_STREQ(vmsim_errno_name(EEXIST), "EEXIST");
	ASSERT_STREQ(vmsim_errno_name(EFAULT), "EFAULT");
	ASSERT_STREQ(vmsim_errno_name(EPERM), "EPERM");
	ASSERT_STREQ(vmsim_errno_name(EOVERFLOW), "EOVERFLOW");
	ASSERT_STREQ(vmsim_errno_name(524), "ENOTSUPP");
	ASSERT_NULL(vmsim_errno_name(0));
	ASSERT_NULL(vmsim_errno_name(-1));
	ASSERT_NULL(vmsim_errno_name(100000));
	/* every numbered errno of Linux has a name, and the names are distinct */
	for (int e = 1; e <= 133; e++) {
		if (e == 41 || e == 58)		/* unused numbers on Linux */
			continue;
		const char *n = vmsim_errno_name(e);
		ASSERT_MSG(n, "errno %d has no name", e);
		ASSERT_EQ(vmsim_errno_from_name(n), e);
	}
	ASSERT_EQ(vmsim_errno_from_name("EBOGUS"), 0);
	ASSERT_STREQ(vmsim_signal_name(11), "SIGSEGV");
	ASSERT_STREQ(vmsim_sicode_name(11, 2), "SEGV_ACCERR");
	ASSERT_STREQ(vmsim_sicode_name(7, 2), "BUS_ADRERR");
	ASSERT_NULL(vmsim_sicode_name(9, 1));
}

TEST(tool_stats_machine)
{
	struct machine *m = test_boot("ram=64M paging=i386");
	struct vmsim_mem_stats ms;
	struct vmsim_zone_stats z;
	unsigned long free_sum = 0;
	uint64_t v;
	int i;

	vmsim_mem_stats(m, &ms);
	ASSERT_EQ(ms.total_pages, 64 << 8);
	for (i = 0; !vmsim_zone_stats(m, i, &z); i++) {
		unsigned long blocks = 0;
		ASSERT_CMP(z.min_pages, <=, z.low_pages);
		ASSERT_CMP(z.low_pages, <=, z.high_pages);
		ASSERT_CMP(z.free_pages, <=, z.managed_pages);
		for (int o = 0; o < VMSIM_NR_ORDERS; o++)
			blocks += z.nr_free[o] << o;
		ASSERT_EQ(blocks + z.pcp_pages, z.free_pages);
		free_sum += z.free_pages;
	}
	ASSERT_EQ(i, ms.nr_zones);
	ASSERT_EQ(free_sum, ms.free_pages);
	ASSERT_EQ(vmsim_zone_stats(m, i, &z), -ENOENT);
	ASSERT_EQ(vmsim_zone_stats(m, -1, &z), -ENOENT);

	ASSERT_EQ(vmsim_vmstat_get(m, "nr_free_pages", &v), 0);
	ASSERT_CMP(v, >, 0);
	ASSERT_EQ(vmsim_vmstat_get(m, "no_such_counter", &v), -ENOENT);
	ASSERT_STREQ(vmsim_vmstat_name(0), "nr_free_pages");
	ASSERT_NULL(vmsim_vmstat_name(vmsim_vmstat_count()));

	/* a frame: named zone, no host pointers; past the end: EINVAL */
	char *text = vmsim_page_describe(m, 0);
	ASSERT_NOT_NULL(text);
	ASSERT_CONTAINS(text, "page 0: phys 0x0, node 0, zone DMA");
	ASSERT_CONTAINS(text, "reserved");
	free(text);
	errno = 0;
	ASSERT_NULL(vmsim_page_describe(m, ms.total_pages));
	ASSERT_EQ(errno, EINVAL);
	errno = 0;
	ASSERT_NULL(vmsim_pagetable_describe(m, 12345, 0x1000));
	ASSERT_EQ(errno, ESRCH);
	struct vmsim_task_stats ts;
	ASSERT_EQ(vmsim_task_stats(m, 12345, &ts), -ESRCH);
	test_shutdown(m);
}

TEST(tool_stats_process)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	struct vmsim_task_stats ts;
	struct vmsim_fault_stats f0, f1;
	char *text;
	int pid = vmsim_spawn(m);
	long a;

	ASSERT_CMP(pid, >, 0);
	vmsim_fault_stats(m, &f0);
	a = vmsim_mmap(m, pid, 0x10000000, 64 << 10, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
		       VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED, -1, 0);
	ASSERT_EQ(a, 0x10000000);
	ASSERT_EQ(vmsim_write(m, pid, 0x10001000, "x", 1), 0);
	vmsim_fault_stats(m, &f1);
	ASSERT_CMP(f1.total, >, f0.total);
	ASSERT_EQ(vmsim_task_stats(m, pid, &ts), 0);
	ASSERT_EQ(ts.pid, pid);
	ASSERT_CMP(ts.vm_pages, >=, 16);
	ASSERT_CMP(ts.rss_pages, >=, 1);
	ASSERT_CMP(ts.pte_pages, >=, 3);	/* pud, pmd, pte tables */
	ASSERT_EQ(ts.mm_users, 1);

	text = vmsim_pagetable_describe(m, pid, 0x10001234);
	ASSERT_NOT_NULL(text);
	ASSERT_CONTAINS(text, "x86_64 paging, 4 levels");
	ASSERT_CONTAINS(text, "pgd[0]   = ");
	ASSERT_CONTAINS(text, "pud[0]   = ");
	ASSERT_CONTAINS(text, "pmd[128] = ");
	ASSERT_CONTAINS(text, "pte[1]   = ");
	ASSERT_CONTAINS(text, "present rw user accessed dirty");
	ASSERT_CONTAINS(text, "234\n");		/* physical address keeps the offset */
	ASSERT_CONTAINS(text, "anonymous user page");
	free(text);
	/* a page never touched: the walk stops at the empty PTE */
	text = vmsim_pagetable_describe(m, pid, 0x10002000);
	ASSERT_NOT_NULL(text);
	ASSERT_CONTAINS(text, "pte[2]   = 0x0000000000000000");
	ASSERT_CONTAINS(text, "the PTE is empty");
	free(text);
	/* nothing covers it at all */
	text = vmsim_pagetable_describe(m, pid, 0x500000000000UL);
	ASSERT_NOT_NULL(text);
	ASSERT_CONTAINS(text, "not present");
	free(text);

	ASSERT_EQ(vmsim_exit(m, pid), 0);
	ASSERT_EQ(vmsim_task_stats(m, pid, &ts), -ESRCH);
	test_shutdown(m);
}

TEST(tool_stats_pagetable_i386)
{
	struct machine *m = test_boot("ram=64M paging=i386");
	int pid = vmsim_spawn(m);
	char *text;

	ASSERT_CMP(pid, >, 0);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x10000000, 8192, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			     VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED, -1, 0),
		  0x10000000);
	ASSERT_EQ(vmsim_write(m, pid, 0x10001000, "y", 1), 0);
	text = vmsim_pagetable_describe(m, pid, 0x10001000);
	ASSERT_NOT_NULL(text);
	ASSERT_CONTAINS(text, "i386 paging, 2 levels");
	/* 1024-entry tables: labels as wide as "pgd[1023]", so every walk lines up */
	ASSERT_CONTAINS(text, "pgd[64]   = 0x");		/* 0x10000000 >> 22 */
	ASSERT_CONTAINS(text, "pte[1]    = 0x");
	ASSERT(!strstr(text, "pmd["));
	free(text);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

TEST(tool_parse_swapon_swapoff)
{
	struct vmsim_cmd c;
	char err[256];

	ASSERT_EQ(vmsim_cmd_parse("swapon 8M", &c, err, sizeof(err)), 0);
	ASSERT_STREQ(vmsim_cmd_word(&c), "swapon");
	ASSERT_EQ(c.u.swapon.size, 8 << 20);
	ASSERT_EQ(c.u.swapon.prio, -1);
	vmsim_cmd_free(&c);
	ASSERT_EQ(vmsim_cmd_parse("swapon 0x100000 7", &c, err, sizeof(err)), 0);
	ASSERT_EQ(c.u.swapon.prio, 7);
	vmsim_cmd_free(&c);
	ASSERT_EQ(vmsim_cmd_parse("swapoff 3", &c, err, sizeof(err)), 0);
	ASSERT_STREQ(vmsim_cmd_word(&c), "swapoff");
	ASSERT_EQ(c.u.swapoff.area, 3);
	vmsim_cmd_free(&c);
	ASSERT_EQ(vmsim_cmd_parse("swapon 1M 40000", &c, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "PRIO");
	ASSERT_EQ(vmsim_cmd_parse("swapoff", &c, err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_cmd_parse("spawn swapoff", &c, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "reserved");
}

/* threads, files, sysctl and root=: the commands of the mechanisms added later */
TEST(tool_parse_threads_files)
{
	struct vmsim_cmd c;
	char err[256];
	int f;

	c = parse_ok("A thread T1");
	ASSERT_STREQ(vmsim_cmd_word(&c), "thread");
	ASSERT_STREQ(c.u.thread.name, "T1");
	vmsim_cmd_free(&c);
	c = parse_ok("A exit_group");
	ASSERT_STREQ(vmsim_cmd_word(&c), "exit_group");
	vmsim_cmd_free(&c);
	parse_bad("A thread", "A thread B: expected more words");
	parse_bad("A exit_group now", "expected fewer words");
	parse_bad("spawn thread", "reserved word");

	c = parse_ok("A mmap 0 8K rw- shared 3 4K");
	ASSERT_EQ(c.u.mmap.fd, 3);
	ASSERT_EQ(c.u.mmap.offset, 4096);
	vmsim_cmd_free(&c);
	c = parse_ok("A mmap 0 8K rw- private,anon");
	ASSERT_EQ(c.u.mmap.fd, -1);
	vmsim_cmd_free(&c);
	parse_bad("A mmap 0 8K rw- shared -1", "bad FD");

	c = parse_ok("A open \"/data file\" rdwr,creat,trunc 600");
	ASSERT_STREQ(vmsim_cmd_word(&c), "open");
	ASSERT_STREQ(c.u.open.path, "/data file");
	ASSERT_EQ(c.u.open.flags, O_RDWR | O_CREAT | O_TRUNC);
	ASSERT_EQ(c.u.open.mode, 0600);
	vmsim_cmd_free(&c);
	c = parse_ok("A open /f");
	ASSERT_EQ(c.u.open.flags, O_RDONLY);
	ASSERT_EQ(c.u.open.mode, 0644);
	vmsim_cmd_free(&c);
	parse_bad("A open /f rdwr 999", "bad MODE");
	parse_bad("A open /f rdwr,bogus", "unknown open flag 'bogus'");
	ASSERT_EQ(vmsim_parse_open_flags("rdonly,wronly", &f, err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_parse_open_flags("wronly,rdwr", &f, err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_parse_open_flags("wronly,append,cloexec,excl", &f, err, sizeof(err)), 0);
	ASSERT_EQ(f, O_WRONLY | O_APPEND | O_CLOEXEC | O_EXCL);

	c = parse_ok("A pwrite 3 0x10000000 1M 2M");
	ASSERT_STREQ(vmsim_cmd_word(&c), "pwrite");
	ASSERT_EQ(c.u.pwrite.fd, 3);
	ASSERT_EQ(c.u.pwrite.addr, 0x10000000);
	ASSERT_EQ(c.u.pwrite.len, 1 << 20);
	ASSERT_EQ(c.u.pwrite.offset, 2 << 20);
	vmsim_cmd_free(&c);
	c = parse_ok("A pread 4 0x1000 10 0");
	ASSERT_STREQ(vmsim_cmd_word(&c), "pread");
	vmsim_cmd_free(&c);
	c = parse_ok("A fsync 3");
	ASSERT_STREQ(vmsim_cmd_word(&c), "fsync");
	vmsim_cmd_free(&c);
	c = parse_ok("A close 3");
	ASSERT_STREQ(vmsim_cmd_word(&c), "close");
	vmsim_cmd_free(&c);
	parse_bad("A pwrite 3 0x1000 10", "expected more words");

	c = parse_ok("show sysctl");
	ASSERT_STREQ(vmsim_cmd_word(&c), "show");
	ASSERT_EQ(c.u.show.what, VMSIM_SHOW_SYSCTL);
	ASSERT_STREQ(vmsim_show_proc_name(c.u.show.what), "sys/vm");
	ASSERT_STREQ(vmsim_show_proc_name(VMSIM_SHOW_MEMINFO), "meminfo");
	vmsim_cmd_free(&c);

	c = parse_ok("machine ram=16M root=tmp dirty_ratio=5 page_cluster=0");
	ASSERT_EQ(c.u.machine.nr_opts, 4);	/* root= kept for the tool */
	vmsim_cmd_free(&c);
	parse_bad("machine root=", "root= wants");
}

/*
 * The command table: every row has its help (usage, summary, example), its
 * example parses as that very command, its word is reserved (no process may
 * be named so), and the help lines are the ones the table gives.
 */
TEST(tool_command_table)
{
	char err[256], line[64];
	int n = 0;

	for (const struct vmsim_cmd_def *d; (d = vmsim_cmd_at(n)); n++) {
		struct vmsim_cmd c;

		ASSERT_MSG(d->word && d->args && d->summary && d->example && d->parse && d->run,
			   "row %d (%s) incomplete", n, d->word);
		ASSERT(vmsim_cmd_find(d->word) == d);
		ASSERT_MSG(!vmsim_cmd_parse(d->example, &c, err, sizeof(err)),
			   "example of %s: '%s': %s", d->word, d->example, err);
		ASSERT_MSG(c.def == d, "example of %s parses as %s", d->word, vmsim_cmd_word(&c));
		ASSERT_EQ(c.proc[0] != 0, d->per_process || !strcmp(d->word, "show") ||
			  !strcmp(d->word, "expect"));
		vmsim_cmd_free(&c);
		snprintf(line, sizeof(line), "spawn %s", d->word);
		ASSERT_EQ(vmsim_cmd_parse(line, &c, err, sizeof(err)), -1);
		ASSERT_CONTAINS(err, "reserved word");
	}
	ASSERT_CMP(n, >=, 33);
	ASSERT_NULL(vmsim_cmd_at(n));
	ASSERT_NULL(vmsim_cmd_at(-1));
	ASSERT_NULL(vmsim_cmd_find("nosuch"));
	ASSERT_STREQ(vmsim_cmd_find("munlockall")->args, "");
}

/* The help's command list: each row's usage lines, in table order. */
TEST(tool_usages_cover_commands)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ASSERT_NOT_NULL(f);
	vmsim_cmd_print_usages(f, "  ");
	fclose(f);
	ASSERT_CONTAINS(text, "  machine KEY=VALUE ...\n  spawn A\n  A mmap ADDR LEN PROT FLAGS "
			"[FD [OFFSET]]\n");
	ASSERT_CONTAINS(text, "\n  A munlockall\n");
	ASSERT_CONTAINS(text, "\n  A write [SEL:]ADDR \"TEXT\" | A write [SEL:]ADDR pattern=SEED "
			"len=N\n");
	ASSERT_CONTAINS(text, "\n  show A pagetable ADDR\n  show A translate [SEL:]ADDR\n"
			"  show K pagetable ADDR\n  show page PFN|NAME\n"
			"  show tlb CPU\n  expect A read");
	ASSERT_CONTAINS(text, "\n  K kmalloc SIZE [GFP] [as NAME]\n");
	for (int i = 0; vmsim_cmd_at(i); i++) {
		const struct vmsim_cmd_def *d = vmsim_cmd_at(i);
		char want[64];

		snprintf(want, sizeof(want), "  %s%s%s", d->per_process ? "A " : "", d->word,
			 d->args[0] ? " " : "\n");
		ASSERT_MSG(strstr(text, want), "no usage line for '%s'", d->word);
	}
	for (int s = VMSIM_SHOW_MEMINFO; s <= VMSIM_SHOW_REPORT; s++)
		ASSERT_MSG(strstr(text, vmsim_show_name((enum vmsim_show)s)),
			   "show %s missing from the usage", vmsim_show_name((enum vmsim_show)s));
	free(text);
}

/*
 * The command words the man page's SCRIPTS list names (docs/vmsim.1,
 * between .nf and .fi): each `.B` line holds forms separated by " | ",
 * each form's word is its first, or its second after a process "A".
 */
static int man_words(const char *path, char words[][32], int max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool in_scripts = false, in_list = false;
	int n = 0;

	ASSERT_MSG(f, "cannot open %s (run the tests from the top of the tree)", path);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, ".SH", 3))
			in_scripts = !strncmp(line, ".SH SCRIPTS", 11);
		if (in_scripts && !strncmp(line, ".nf", 3))
			in_list = true;
		else if (!strncmp(line, ".fi", 3))
			in_list = false;
		else if (in_list && !strncmp(line, ".B ", 3)) {
			char *save, *form;

			for (form = strtok_r(line + 3, "|\n", &save); form;
			     form = strtok_r(NULL, "|\n", &save)) {
				char first[32] = "", second[32] = "";

				/* alternatives inside a form (normal|random) are not " | " */
				if (form[0] != ' ' && form != line + 3)
					continue;
				sscanf(form, " %31s %31s", first, second);
				ASSERT(n < max);
				snprintf(words[n++], 32, "%s", strcmp(first, "A") ? first : second);
			}
		}
	}
	fclose(f);
	return n;
}

/* The man page lists every command of the table, and no other. */
TEST(tool_man_page_commands)
{
	char words[128][32];
	int n = man_words("docs/vmsim.1", words, 128);

	ASSERT_CMP(n, >, 0);
	for (int i = 0; i < n; i++)
		ASSERT_MSG(vmsim_cmd_find(words[i]), "docs/vmsim.1 lists '%s', which is no "
			   "command", words[i]);
	for (int i = 0; vmsim_cmd_at(i); i++) {
		bool found = false;

		for (int j = 0; j < n && !found; j++)
			found = !strcmp(words[j], vmsim_cmd_at(i)->word);
		ASSERT_MSG(found, "docs/vmsim.1 misses the command '%s'", vmsim_cmd_at(i)->word);
	}
}

/* A msync ADDR LEN [FLAGS]: sync by default, comma lists, raw bits. */
TEST(tool_parse_msync)
{
	struct vmsim_cmd c = parse_ok("A msync 0x20000000 8K");

	ASSERT_STREQ(vmsim_cmd_word(&c), "msync");
	ASSERT_EQ(c.u.msync.addr, 0x20000000);
	ASSERT_EQ(c.u.msync.len, 8192);
	ASSERT_EQ(c.u.msync.flags, MS_SYNC);
	vmsim_cmd_free(&c);
	c = parse_ok("A msync 0 4K async,invalidate");
	ASSERT_EQ(c.u.msync.flags, MS_ASYNC | MS_INVALIDATE);
	vmsim_cmd_free(&c);
	c = parse_ok("A msync 0 4K 8");		/* raw bits: the call's -EINVAL */
	ASSERT_EQ(c.u.msync.flags, 8);
	vmsim_cmd_free(&c);
	parse_bad("A msync 0 4K sync,sync", "msync: bad flags 'sync,sync'");
	parse_bad("A msync 0 4K sync,", "msync: bad flags");
	parse_bad("A msync 0 4K \"sync\"", "msync: bad flags");
	parse_bad("A msync 0", "A msync ADDR LEN [sync|async|invalidate]: expected more words");
}
