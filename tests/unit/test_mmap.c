/*
 * mm/mmap.c through the process API: mmap/munmap/brk errno paths, the
 * layouts of get_unmapped_area, and VMA merging and splitting checked
 * against /proc/PID/maps text.  Cases are drawn as in Linux's
 * tools/testing/vma: one letter per page, '.' a hole.
 */
#include <errno.h>
#include <stdlib.h>
#include "harness.h"
#include "testlib.h"
#include "vmsim/process.h"

#define PG	4096UL
#define BASE	0x200000000000UL	/* a quiet place in the x86-64 layout */
#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)
#define FIXED	(ANON | VMSIM_MAP_FIXED)

/* The maps lines of [BASE, BASE + 64 pages), concatenated. */
static char *window_maps(struct machine *m, int pid)
{
	char *maps = vmsim_proc_pid_read(m, pid, "maps"), *out, *line, *save = NULL;
	size_t n = 0;

	ASSERT_NOT_NULL(maps);
	out = calloc(1, strlen(maps) + 1);
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long start = strtoul(line, NULL, 16);

		if (start >= BASE && start < BASE + 64 * PG)
			n += (size_t)sprintf(out + n, "%s\n", line);
	}
	free(maps);
	return out;
}

static void expect_window(struct machine *m, int pid, const char *expected)
{
	char *got = window_maps(m, pid);

	ASSERT_STREQ(got, expected);
	free(got);
}

TEST(mmap_errno_paths)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int p = vmsim_spawn(m);

	ASSERT_EQ(vmsim_mmap(m, p, 0, 0, RW, ANON, -1, 0), -EINVAL);		/* len 0 */
	ASSERT_EQ(vmsim_mmap(m, p, BASE + 1, PG, RW, FIXED, -1, 0), -EINVAL);	/* unaligned fixed */
	ASSERT_EQ(vmsim_mmap(m, p, 0, PG, RW, VMSIM_MAP_ANONYMOUS, -1, 0), -EINVAL);	/* no type */
	ASSERT_EQ(vmsim_mmap(m, p, 0, -PG, RW, ANON, -1, 0), -ENOMEM);		/* too long */
	ASSERT_EQ(vmsim_mmap(m, p, BASE, PG, RW, FIXED, -1, 0), (long)BASE);
	ASSERT_EQ(vmsim_mmap(m, p, BASE, PG, RW, ANON | VMSIM_MAP_FIXED_NOREPLACE, -1, 0), -EEXIST);
	ASSERT_EQ(vmsim_mmap(m, p, BASE, PG, RW, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS |
			     VMSIM_MAP_GROWSDOWN, -1, 0), -EINVAL);
	ASSERT_EQ(vmsim_munmap(m, p, BASE + 1, PG), -EINVAL);
	ASSERT_EQ(vmsim_munmap(m, p, BASE, 0), -EINVAL);
	ASSERT_EQ(vmsim_munmap(m, p, BASE + 8 * PG, PG), 0);	/* nothing there: fine */
	/* RLIMIT_AS */
	ASSERT_EQ(vmsim_setrlimit(m, p, 9, 1UL << 20, ~0UL), 0);
	ASSERT_EQ(vmsim_mmap(m, p, 0, 2UL << 20, RW, ANON, -1, 0), -ENOMEM);
	/* MAP_LOCKED over RLIMIT_MEMLOCK */
	ASSERT_EQ(vmsim_setrlimit(m, p, 9, ~0UL, ~0UL), 0);
	ASSERT_EQ(vmsim_setrlimit(m, p, 8, 4 * PG, 4 * PG), 0);
	ASSERT_EQ(vmsim_mmap(m, p, 0, 8 * PG, RW, ANON | VMSIM_MAP_LOCKED, -1, 0), -EAGAIN);
	ASSERT_EQ(vmsim_setrlimit(m, p, 8, 0, 0), 0);
	ASSERT_EQ(vmsim_mmap(m, p, 0, PG, RW, ANON | VMSIM_MAP_LOCKED, -1, 0), -EPERM);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(mmap_topdown_layout_x86_64)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int p = vmsim_spawn(m);
	long a, b;

	/* mmap_base = TASK_SIZE - 128 MiB with an 8 MiB stack limit, top-down below it */
	a = vmsim_mmap(m, p, 0, PG, RW, ANON, -1, 0);
	ASSERT_EQ(a, 0x7ffff7fff000L - (long)PG);
	b = vmsim_mmap(m, p, 0, 2 * PG, VMSIM_PROT_READ, ANON, -1, 0);
	ASSERT_EQ(b, a - 2 * (long)PG);
	/* a free hint is taken as is */
	ASSERT_EQ(vmsim_mmap(m, p, BASE, PG, RW, ANON, -1, 0), (long)BASE);
	/* a taken hint falls back to the search */
	ASSERT_EQ(vmsim_mmap(m, p, BASE, PG, RW, ANON, -1, 0), b - (long)PG);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(mmap_bottomup_layout_i386)
{
	struct machine *m = test_boot("ram=64M paging=i386");
	int p = vmsim_spawn(m);

	ASSERT_EQ(vmsim_mmap(m, p, 0, PG, RW, ANON, -1, 0), 0x40000000L);
	ASSERT_EQ(vmsim_mmap(m, p, 0, 3 * PG, RW, ANON, -1, 0), 0x40000000L + (long)PG);
	ASSERT_EQ(vmsim_munmap(m, p, 0x40000000UL, PG), 0);
	ASSERT_EQ(vmsim_mmap(m, p, 0, PG, RW, ANON, -1, 0), 0x40000000L);
	ASSERT_EQ(vmsim_mmap(m, p, 0xbffff000UL, 2 * PG, RW, FIXED, -1, 0), -ENOMEM);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/*
 * Merging a new mapping with its neighbours:
 *   AA..BB  +  ..XX..  ->  AAAAAA   (all rw-p: one VMA)
 *   AA..BB  +  ..rr..  ->  AArrBB   (different protection: three)
 */
TEST(mmap_merge_new_neighbours)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int p = vmsim_spawn(m);

	ASSERT_EQ(vmsim_mmap(m, p, BASE, 2 * PG, RW, FIXED, -1, 0), (long)BASE);
	ASSERT_EQ(vmsim_mmap(m, p, BASE + 4 * PG, 2 * PG, RW, FIXED, -1, 0), (long)(BASE + 4 * PG));
	expect_window(m, p,
		"200000000000-200000002000 rw-p 00000000 00:00 0 \n"
		"200000004000-200000006000 rw-p 00000000 00:00 0 \n");
	ASSERT_EQ(vmsim_mmap(m, p, BASE + 2 * PG, 2 * PG, RW, FIXED, -1, 0), (long)(BASE + 2 * PG));
	expect_window(m, p, "200000000000-200000006000 rw-p 00000000 00:00 0 \n");
	/* over the middle with PROT_READ: AArrAA */
	ASSERT_EQ(vmsim_mmap(m, p, BASE + 2 * PG, 2 * PG, VMSIM_PROT_READ, FIXED, -1, 0),
		  (long)(BASE + 2 * PG));
	expect_window(m, p,
		"200000000000-200000002000 rw-p 00000000 00:00 0 \n"
		"200000002000-200000004000 r--p 00000000 00:00 0 \n"
		"200000004000-200000006000 rw-p 00000000 00:00 0 \n");
	/* munmap in the middle of one VMA splits it: AAAA -> A..A */
	ASSERT_EQ(vmsim_munmap(m, p, BASE, 6 * PG), 0);
	ASSERT_EQ(vmsim_mmap(m, p, BASE, 4 * PG, RW, FIXED, -1, 0), (long)BASE);
	ASSERT_EQ(vmsim_munmap(m, p, BASE + PG, 2 * PG), 0);
	expect_window(m, p,
		"200000000000-200000001000 rw-p 00000000 00:00 0 \n"
		"200000003000-200000004000 rw-p 00000000 00:00 0 \n");
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/*
 * mprotect splits and merges:
 *   AAAA -> mprotect(1..2, r) -> ArrA -> mprotect(1..2, rw) -> AAAA
 * and stops at a hole with -ENOMEM after changing what came before it.
 */
TEST(mmap_mprotect_split_merge_and_holes)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int p = vmsim_spawn(m);

	ASSERT_EQ(vmsim_mmap(m, p, BASE, 4 * PG, RW, FIXED, -1, 0), (long)BASE);
	ASSERT_EQ(vmsim_mprotect(m, p, BASE + PG, 2 * PG, VMSIM_PROT_READ), 0);
	expect_window(m, p,
		"200000000000-200000001000 rw-p 00000000 00:00 0 \n"
		"200000001000-200000003000 r--p 00000000 00:00 0 \n"
		"200000003000-200000004000 rw-p 00000000 00:00 0 \n");
	ASSERT_EQ(vmsim_mprotect(m, p, BASE + PG, 2 * PG, RW), 0);
	expect_window(m, p, "200000000000-200000004000 rw-p 00000000 00:00 0 \n");
	ASSERT_EQ(vmsim_mprotect(m, p, BASE + 1, PG, RW), -EINVAL);
	ASSERT_EQ(vmsim_mprotect(m, p, BASE, PG, 0x10), -EINVAL);
	ASSERT_EQ(vmsim_mprotect(m, p, BASE, 0, RW), 0);
	/* AAAA.. : the first four pages change, then the hole */
	ASSERT_EQ(vmsim_mprotect(m, p, BASE, 6 * PG, VMSIM_PROT_NONE), -ENOMEM);
	expect_window(m, p, "200000000000-200000004000 ---p 00000000 00:00 0 \n");
	ASSERT_EQ(vmsim_mprotect(m, p, BASE + 8 * PG, PG, RW), -ENOMEM);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(mmap_mremap_shrink_grow_move)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int p = vmsim_spawn(m);
	uint64_t v = 0x1122334455667788ULL, r = 0;

	ASSERT_EQ(vmsim_mmap(m, p, BASE, 4 * PG, RW, FIXED, -1, 0), (long)BASE);
	ASSERT_EQ(vmsim_write(m, p, BASE, &v, sizeof(v)), 0);
	ASSERT_EQ(vmsim_mremap(m, p, BASE, 4 * PG, 2 * PG, 0, 0), (long)BASE);	/* shrink */
	ASSERT_EQ(vmsim_mremap(m, p, BASE, 2 * PG, 6 * PG, 0, 0), (long)BASE);	/* grow in place */
	expect_window(m, p, "200000000000-200000006000 rw-p 00000000 00:00 0 \n");
	ASSERT_EQ(vmsim_mmap(m, p, BASE + 6 * PG, PG, VMSIM_PROT_READ, FIXED, -1, 0),
		  (long)(BASE + 6 * PG));
	ASSERT_EQ(vmsim_mremap(m, p, BASE, 6 * PG, 8 * PG, 0, 0), -ENOMEM);	/* blocked */
	ASSERT_EQ(vmsim_mremap(m, p, BASE, 6 * PG, 8 * PG, VMSIM_MREMAP_MAYMOVE |
			       VMSIM_MREMAP_FIXED, BASE + 16 * PG), (long)(BASE + 16 * PG));
	ASSERT_EQ(vmsim_read(m, p, BASE + 16 * PG, &r, sizeof(r)), 0);
	ASSERT_EQ(r, v);
	ASSERT_EQ(vmsim_mremap(m, p, BASE, PG, PG, 0, 0), -EFAULT);		/* gone */
	ASSERT_EQ(vmsim_mremap(m, p, BASE + 16 * PG, PG, 2 * PG, VMSIM_MREMAP_FIXED, BASE), -EINVAL);
	ASSERT_EQ(vmsim_mremap(m, p, BASE + 16 * PG, PG, 2 * PG, VMSIM_MREMAP_DONTUNMAP |
			       VMSIM_MREMAP_MAYMOVE, 0), -EINVAL);
	ASSERT_EQ(vmsim_mremap(m, p, BASE + 16 * PG, PG, 0, 0, 0), -EINVAL);
	ASSERT_EQ(vmsim_mremap(m, p, BASE + 16 * PG, 4 * PG, 4 * PG, VMSIM_MREMAP_MAYMOVE |
			       VMSIM_MREMAP_FIXED, BASE + 18 * PG), -EINVAL);	/* overlap */
	/* DONTUNMAP: the old range stays, empty; the new one has the bytes */
	ASSERT_EQ(vmsim_mremap(m, p, BASE + 16 * PG, PG, PG, VMSIM_MREMAP_DONTUNMAP |
			       VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, BASE + 40 * PG),
		  (long)(BASE + 40 * PG));
	ASSERT_EQ(vmsim_read(m, p, BASE + 40 * PG, &r, sizeof(r)), 0);
	ASSERT_EQ(r, v);
	ASSERT_EQ(vmsim_read(m, p, BASE + 16 * PG, &r, sizeof(r)), 0);
	ASSERT_EQ(r, 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(mmap_mlock_limits_and_accounting)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int p = vmsim_spawn(m);
	char *st;

	ASSERT_EQ(vmsim_setrlimit(m, p, 8, 4 * PG, 4 * PG), 0);
	ASSERT_EQ(vmsim_mmap(m, p, BASE, 8 * PG, RW, FIXED, -1, 0), (long)BASE);
	ASSERT_EQ(vmsim_mlock(m, p, BASE, 8 * PG), -ENOMEM);		/* over the limit */
	ASSERT_EQ(vmsim_mlock(m, p, BASE + PG, 2 * PG), 0);
	ASSERT_EQ(vmsim_mlock(m, p, BASE + PG, 4 * PG), 0);		/* overlap counted once */
	st = vmsim_proc_pid_read(m, p, "status");
	ASSERT_CONTAINS(st, "VmLck:\t      16 kB\n");
	free(st);
	expect_window(m, p,
		"200000000000-200000001000 rw-p 00000000 00:00 0 \n"
		"200000001000-200000005000 rw-p 00000000 00:00 0 \n"
		"200000005000-200000008000 rw-p 00000000 00:00 0 \n");
	ASSERT_EQ(vmsim_madvise(m, p, BASE + PG, PG, VMSIM_MADV_DONTNEED), -EINVAL);	/* locked */
	ASSERT_EQ(vmsim_mlock(m, p, BASE + 9 * PG, PG), -ENOMEM);	/* unmapped */
	ASSERT_EQ(vmsim_munlock(m, p, BASE, 8 * PG), 0);
	expect_window(m, p, "200000000000-200000008000 rw-p 00000000 00:00 0 \n");
	ASSERT_EQ(vmsim_mlockall(m, p, 0), -EINVAL);
	ASSERT_EQ(vmsim_mlockall(m, p, VMSIM_MCL_CURRENT), -ENOMEM);	/* total_vm > limit */
	ASSERT_EQ(vmsim_mlockall(m, p, VMSIM_MCL_FUTURE), 0);
	ASSERT_EQ(vmsim_mmap(m, p, 0, 8 * PG, RW, ANON, -1, 0), -EAGAIN);
	ASSERT_EQ(vmsim_munlockall(m, p), 0);
	ASSERT_EQ(vmsim_setrlimit(m, p, 8, 0, 0), 0);
	ASSERT_EQ(vmsim_mlock(m, p, BASE, PG), -EPERM);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(mmap_madvise_dontneed_zero_fills_and_mincore)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int p = vmsim_spawn(m);
	uint64_t v = 42, r = 1;
	unsigned char vec[4];

	ASSERT_EQ(vmsim_mmap(m, p, BASE, 4 * PG, RW, FIXED, -1, 0), (long)BASE);
	ASSERT_EQ(vmsim_write(m, p, BASE + PG, &v, sizeof(v)), 0);
	ASSERT_EQ(vmsim_mincore(m, p, BASE, 4 * PG, vec), 0);
	ASSERT_EQ(vec[0] & 1, 0);
	ASSERT_EQ(vec[1] & 1, 1);
	ASSERT_EQ(vmsim_mincore(m, p, BASE + 1, PG, vec), -EINVAL);
	ASSERT_EQ(vmsim_mincore(m, p, BASE, 6 * PG, vec), -ENOMEM);
	ASSERT_EQ(vmsim_madvise(m, p, BASE, 4 * PG, VMSIM_MADV_DONTNEED), 0);
	ASSERT_EQ(vmsim_read(m, p, BASE + PG, &r, sizeof(r)), 0);
	ASSERT_EQ(r, 0);
	ASSERT_EQ(vmsim_madvise(m, p, BASE, PG, 999), -EINVAL);
	ASSERT_EQ(vmsim_madvise(m, p, BASE + 1, PG, VMSIM_MADV_NORMAL), -EINVAL);
	ASSERT_EQ(vmsim_madvise(m, p, BASE, 6 * PG, VMSIM_MADV_WILLNEED), -ENOMEM);
	/* SEQUENTIAL on the middle: split, and sr in smaps' VmFlags */
	ASSERT_EQ(vmsim_madvise(m, p, BASE + PG, PG, VMSIM_MADV_SEQUENTIAL), 0);
	expect_window(m, p,
		"200000000000-200000001000 rw-p 00000000 00:00 0 \n"
		"200000001000-200000002000 rw-p 00000000 00:00 0 \n"
		"200000002000-200000004000 rw-p 00000000 00:00 0 \n");
	char *sm = vmsim_proc_pid_read(m, p, "smaps");
	ASSERT_CONTAINS(sm, "VmFlags: rd wr mr mw me sr ac \n");
	free(sm);
	ASSERT_EQ(vmsim_madvise(m, p, BASE + PG, PG, VMSIM_MADV_NORMAL), 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(mmap_brk_grow_shrink_limits)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int p = vmsim_spawn(m);
	long start = vmsim_brk(m, p, 0);
	char *maps;

	ASSERT_EQ(start, 0x555555559000L);
	ASSERT_EQ(vmsim_brk(m, p, (unsigned long)start + 10000), start + 10000);
	maps = vmsim_proc_pid_read(m, p, "maps");
	ASSERT_CONTAINS(maps, "555555559000-55555555c000 rw-p 00000000 00:00 0"
			"                          [heap]\n");
	free(maps);
	ASSERT_EQ(vmsim_brk(m, p, (unsigned long)start - PG), start + 10000);	/* below start */
	ASSERT_EQ(vmsim_brk(m, p, (unsigned long)start + PG), start + (long)PG);
	ASSERT_EQ(vmsim_setrlimit(m, p, 2, 2 * PG, 2 * PG), 0);
	ASSERT_EQ(vmsim_brk(m, p, (unsigned long)start + 3 * PG), start + (long)PG);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(mmap_max_map_count)
{
	struct machine *m = test_boot("ram=128M paging=x86_64");
	int p = vmsim_spawn(m), i;
	long r = 0;

	/* alternate protections so nothing merges, until the limit */
	for (i = 0; i < 70000; i++) {
		r = vmsim_mmap(m, p, 0x100000000UL + (unsigned long)i * PG, PG,
			       i & 1 ? VMSIM_PROT_READ : RW, FIXED, -1, 0);
		if (r < 0)
			break;
	}
	ASSERT_EQ(r, -ENOMEM);
	ASSERT_CMP(i, >=, 65530);
	ASSERT_CMP(i, <=, 65532);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/* One "Name:   N kB" field of /proc/PID/status, in kB. */
static long status_kb(struct machine *m, int pid, const char *field)
{
	char *st = vmsim_proc_pid_read(m, pid, "status"), *at;
	long kb = -1;

	ASSERT_NOT_NULL(st);
	at = strstr(st, field);
	ASSERT_MSG(at, "status has no %s", field);
	kb = strtol(at + strlen(field) + 1, NULL, 10);
	free(st);
	return kb;
}

/*
 * status follows memory.c as the host kernel does (checked on Linux 6.18
 * with the same calls at an address with no page tables yet): 3 pages
 * written add 12 kB to VmRSS/RssAnon and 12 kB of PUD+PMD+PTE tables to
 * VmPTE; a read maps the zero page, which is no RSS; DONTNEED drops the
 * pages but keeps the tables; munmap frees both.
 */
TEST(mmap_status_rss_and_pte_follow_faults)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int p = vmsim_spawn(m);
	const unsigned long at = 0x310000000000UL;
	long rss, anon, pte, size, data;
	uint64_t one = 1;

	rss = status_kb(m, p, "VmRSS:");
	anon = status_kb(m, p, "RssAnon:");
	pte = status_kb(m, p, "VmPTE:");
	size = status_kb(m, p, "VmSize:");
	data = status_kb(m, p, "VmData:");
	ASSERT_EQ(vmsim_mmap(m, p, at, 64 * PG, RW, FIXED, -1, 0), (long)at);
	ASSERT_EQ(status_kb(m, p, "VmSize:"), size + 256);
	ASSERT_EQ(status_kb(m, p, "VmData:"), data + 256);
	ASSERT_EQ(status_kb(m, p, "VmPTE:"), pte);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(vmsim_write(m, p, at + i * PG, &one, sizeof(one)), 0);
	ASSERT_EQ(status_kb(m, p, "VmRSS:"), rss + 12);
	ASSERT_EQ(status_kb(m, p, "RssAnon:"), anon + 12);
	ASSERT_EQ(status_kb(m, p, "VmPTE:"), pte + 12);
	ASSERT_EQ(vmsim_read(m, p, at + 5 * PG, &one, sizeof(one)), 0);
	ASSERT_EQ(one, 0);
	ASSERT_EQ(status_kb(m, p, "VmRSS:"), rss + 12);
	ASSERT_EQ(vmsim_madvise(m, p, at, 64 * PG, VMSIM_MADV_DONTNEED), 0);
	ASSERT_EQ(status_kb(m, p, "VmRSS:"), rss);
	ASSERT_EQ(status_kb(m, p, "RssAnon:"), anon);
	ASSERT_EQ(status_kb(m, p, "VmPTE:"), pte + 12);
	ASSERT_EQ(vmsim_munmap(m, p, at, 64 * PG), 0);
	ASSERT_EQ(status_kb(m, p, "VmPTE:"), pte);
	ASSERT_EQ(status_kb(m, p, "VmSize:"), size);
	ASSERT_EQ(status_kb(m, p, "VmData:"), data);
	ASSERT_CMP(status_kb(m, p, "VmPeak:"), >=, size + 256);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}
