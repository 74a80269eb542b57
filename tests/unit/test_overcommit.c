/*
 * Overcommit (mm/util.c): the three vm.overcommit_memory modes, exact
 * Committed_AS accounting through every call that charges or releases
 * (checked against the VMAs after each step, and 0 after the last exit),
 * and mode 0's outcomes against the host kernel: the same requests, sized
 * from each side's own MemTotal + SwapTotal, must succeed or fail alike.
 */
/* first: <signal.h> defines si_addr as a macro, which would rename the API's field */
#include "vmsim/process.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "testlib.h"
#include "kern/mman.h"
#include "vmsim/vmsim.h"

#define PG	4096UL
#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)

/* MemTotal + SwapTotal of a meminfo text, in pages. */
static unsigned long guess_limit(const char *meminfo)
{
	const char *t = strstr(meminfo, "MemTotal:"), *s = strstr(meminfo, "SwapTotal:");
	unsigned long mem, swap;

	ASSERT(t && s);
	ASSERT_EQ(sscanf(t, "MemTotal: %lu kB", &mem), 1);
	ASSERT_EQ(sscanf(s, "SwapTotal: %lu kB", &swap), 1);
	return (mem + swap) / 4;
}

/* Committed_AS equals the VMAs' charges; returns it (pages). */
static unsigned long committed(struct machine *m)
{
	char why[160];

	ASSERT_MSG(vm_committed_check(m, why, sizeof(why)), "%s", why);
	return vm_memory_committed(m);
}

/* One side of the differential test: the system calls, as -errno or a value. */
struct side {
	long (*mmap)(void *ctx, unsigned long len, int prot, int flags);
	long (*mprotect)(void *ctx, unsigned long addr, unsigned long len, int prot);
	long (*mremap)(void *ctx, unsigned long addr, unsigned long old, unsigned long len);
	long (*munmap)(void *ctx, unsigned long addr, unsigned long len);
	void *ctx;
};

#define NR_OUTCOMES 8

/* Mode 0's cases for a limit of @lim pages: 0 (success) or -errno each. */
static void run_cases(const struct side *s, unsigned long lim, long out[NR_OUTCOMES])
{
	unsigned long big = (lim + 1) * PG, half = lim / 2 * PG;
	long a;
	int i = 0;

	/* one private writable request past RAM + swap: refused */
	a = s->mmap(s->ctx, big, RW, ANON);
	out[i++] = a < 0 ? a : 0;
	/* the same not charged: noreserve, read-only */
	a = s->mmap(s->ctx, big, RW, ANON | VMSIM_MAP_NORESERVE);
	out[i++] = a < 0 ? a : 0;
	if (a >= 0)
		s->munmap(s->ctx, (unsigned long)a, big);
	a = s->mmap(s->ctx, big, VMSIM_PROT_READ, ANON);
	out[i++] = a < 0 ? a : 0;
	/* made writable: the whole mapping is one request */
	out[i++] = a < 0 ? a : s->mprotect(s->ctx, (unsigned long)a, big, RW);
	if (a >= 0)
		s->munmap(s->ctx, (unsigned long)a, big);
	/* shared anonymous memory is charged whole */
	a = s->mmap(s->ctx, big, RW, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS);
	out[i++] = a < 0 ? a : 0;
	/* half of it: allowed, however much is committed */
	a = s->mmap(s->ctx, half, RW, ANON);
	out[i++] = a < 0 ? a : 0;
	/* and growing it past the limit by mremap: refused (the growth alone is not) */
	if (a >= 0) {
		long r = s->mremap(s->ctx, (unsigned long)a, half, half + big);

		out[i++] = r < 0 ? r : 0;
		r = s->mremap(s->ctx, (unsigned long)a, half, 2 * half);
		out[i++] = r < 0 ? r : 0;
	}
}

/* --- the host ---------------------------------------------------------------- */

static long host_ret(long r)
{
	return r == -1 ? -errno : r;
}

static long host_mmap(void *ctx, unsigned long len, int prot, int flags)
{
	(void)ctx;
	return host_ret((long)syscall(SYS_mmap, 0UL, len, prot, flags, -1, 0L));
}

static long host_mprotect(void *ctx, unsigned long addr, unsigned long len, int prot)
{
	(void)ctx;
	return host_ret(syscall(SYS_mprotect, addr, len, prot));
}

static long host_mremap(void *ctx, unsigned long addr, unsigned long old, unsigned long len)
{
	long r = host_ret(syscall(SYS_mremap, addr, old, len, VMSIM_MREMAP_MAYMOVE, 0UL));

	(void)ctx;
	if (r >= 0)	/* put it back, for the next case */
		r = host_ret(syscall(SYS_mremap, (unsigned long)r, len, old, 0, 0UL)) < 0 ? -1000 : r;
	return r;
}

static long host_munmap(void *ctx, unsigned long addr, unsigned long len)
{
	(void)ctx;
	return host_ret(syscall(SYS_munmap, addr, len));
}

/* --- the simulated process ----------------------------------------------------- */

struct vctx {
	struct machine *m;
	int pid;
};

static long v_mmap(void *ctx, unsigned long len, int prot, int flags)
{
	struct vctx *v = ctx;

	return vmsim_mmap(v->m, v->pid, 0, len, prot, flags, -1, 0);
}

static long v_mprotect(void *ctx, unsigned long addr, unsigned long len, int prot)
{
	struct vctx *v = ctx;

	return vmsim_mprotect(v->m, v->pid, addr, len, prot);
}

static long v_mremap(void *ctx, unsigned long addr, unsigned long old, unsigned long len)
{
	struct vctx *v = ctx;
	long r = vmsim_mremap(v->m, v->pid, addr, old, len, VMSIM_MREMAP_MAYMOVE, 0);

	if (r >= 0)
		r = vmsim_mremap(v->m, v->pid, (unsigned long)r, len, old, 0, 0) < 0 ? -1000 : r;
	return r;
}

static long v_munmap(void *ctx, unsigned long addr, unsigned long len)
{
	struct vctx *v = ctx;

	return vmsim_munmap(v->m, v->pid, addr, len);
}

static int host_overcommit_mode(void)
{
	FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
	int mode = -1;

	if (f) {
		if (fscanf(f, "%d", &mode) != 1)
			mode = -1;
		fclose(f);
	}
	return mode;
}

/* The host's outcomes, from a child (its address space takes the mappings). */
static bool host_outcomes(long out[NR_OUTCOMES])
{
	struct side host = { host_mmap, host_mprotect, host_mremap, host_munmap, NULL };
	long *shared = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	FILE *f = fopen("/proc/meminfo", "r");
	char text[8192];
	size_t n;
	pid_t pid;
	int st;

	ASSERT(shared != MAP_FAILED && f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	memset(shared, 0, PG);
	pid = fork();
	ASSERT_CMP(pid, >=, 0);
	if (pid == 0) {
		run_cases(&host, guess_limit(text), shared);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	memcpy(out, shared, NR_OUTCOMES * sizeof(long));
	munmap(shared, PG);
	return true;
}

static void guess_against_host(const char *opts)
{
	struct machine *m = test_boot(opts);
	struct vctx v = { m, vmsim_spawn(m) };
	struct side sim = { v_mmap, v_mprotect, v_mremap, v_munmap, &v };
	static const long want[NR_OUTCOMES] = { -ENOMEM, 0, 0, -ENOMEM, -ENOMEM, 0, -ENOMEM, 0 };
	long got[NR_OUTCOMES] = { 0 }, host[NR_OUTCOMES];
	char *meminfo = vmsim_proc_read(m, "meminfo");

	ASSERT_NOT_NULL(meminfo);
	run_cases(&sim, guess_limit(meminfo), got);
	free(meminfo);
	for (int i = 0; i < NR_OUTCOMES; i++)
		ASSERT_MSG(got[i] == want[i], "case %d: %ld, want %ld", i, got[i], want[i]);
	/* the host kernel is the oracle where it runs the same heuristic */
	if (host_overcommit_mode() == OVERCOMMIT_GUESS && host_outcomes(host))
		for (int i = 0; i < NR_OUTCOMES; i++)
			ASSERT_MSG(got[i] == host[i], "case %d: vmsim %ld, host %ld", i, got[i],
				   host[i]);
	committed(m);
	ASSERT_EQ(vmsim_exit(m, v.pid), 0);
	ASSERT_EQ(committed(m), 0);
	test_shutdown(m);
}

TEST(overcommit_guess_against_host)
{
	guess_against_host("ram=64M");
	guess_against_host("ram=32M swap=16M");
}

/*
 * Every charging and releasing path, with Committed_AS checked against the
 * VMAs after each: mmap (fixed over charged and uncharged mappings), brk,
 * the stack and its growth, mprotect both ways, mremap (grow, shrink,
 * move, dontunmap, fixed), fork, shared anonymous memory, munmap, exit.
 */
TEST(overcommit_exact_accounting)
{
	struct machine *m = test_boot("ram=32M");
	int a = vmsim_spawn(m), b;
	unsigned long base = committed(m), brk0;
	long r;
	char x = 1;

	ASSERT_CMP(base, >, 0);		/* the stack */
	ASSERT_EQ(vmsim_mmap(m, a, 0x10000000, 16 * PG, RW, ANON | VMSIM_MAP_FIXED, -1, 0),
		  0x10000000);
	ASSERT_EQ(committed(m), base + 16);
	/* fixed over half of it, read-only: those pages go */
	ASSERT_EQ(vmsim_mmap(m, a, 0x10008000, 8 * PG, VMSIM_PROT_READ, ANON | VMSIM_MAP_FIXED,
			     -1, 0), 0x10008000);
	ASSERT_EQ(committed(m), base + 8);
	/* fixed and writable over both kinds: only the uncharged part is new */
	ASSERT_EQ(vmsim_mmap(m, a, 0x10004000, 8 * PG, RW, ANON | VMSIM_MAP_FIXED, -1, 0),
		  0x10004000);
	ASSERT_EQ(committed(m), base + 12);
	/* mprotect: read-only and unwritten gives the charge back; writable takes it */
	ASSERT_EQ(vmsim_mprotect(m, a, 0x10008000, 4 * PG, VMSIM_PROT_READ), 0);
	ASSERT_EQ(committed(m), base + 8);
	ASSERT_EQ(vmsim_mprotect(m, a, 0x10008000, 8 * PG, RW), 0);
	ASSERT_EQ(committed(m), base + 16);
	/* written, then read-only: still charged (its pages exist) */
	ASSERT_EQ(vmsim_write(m, a, 0x10000000, &x, 1), 0);
	ASSERT_EQ(vmsim_mprotect(m, a, 0x10000000, 16 * PG, VMSIM_PROT_READ), 0);
	ASSERT_EQ(committed(m), base + 16);
	ASSERT_EQ(vmsim_mprotect(m, a, 0x10000000, 16 * PG, RW), 0);
	ASSERT_EQ(committed(m), base + 16);
	/* mremap: grow in place, shrink, move, dontunmap, fixed */
	ASSERT_EQ(vmsim_mremap(m, a, 0x10000000, 16 * PG, 20 * PG, 0, 0), 0x10000000);
	ASSERT_EQ(committed(m), base + 20);
	ASSERT_EQ(vmsim_mremap(m, a, 0x10000000, 20 * PG, 12 * PG, 0, 0), 0x10000000);
	ASSERT_EQ(committed(m), base + 12);
	ASSERT_EQ(vmsim_mmap(m, a, 0x1000c000, PG, VMSIM_PROT_READ, ANON | VMSIM_MAP_FIXED, -1, 0),
		  0x1000c000);
	r = vmsim_mremap(m, a, 0x10000000, 12 * PG, 14 * PG, VMSIM_MREMAP_MAYMOVE, 0);
	ASSERT_CMP(r, >, 0);
	ASSERT(r != 0x10000000);
	ASSERT_EQ(committed(m), base + 14);
	ASSERT_EQ(vmsim_mremap(m, a, (unsigned long)r, 14 * PG, 14 * PG,
			       VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, 0x20000000), 0x20000000);
	ASSERT_EQ(committed(m), base + 14);
	r = vmsim_mremap(m, a, 0x20000000, 14 * PG, 14 * PG,
			 VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_DONTUNMAP, 0);
	ASSERT_CMP(r, >, 0);
	ASSERT_EQ(committed(m), base + 28);
	ASSERT_EQ(vmsim_munmap(m, a, (unsigned long)r, 14 * PG), 0);
	ASSERT_EQ(committed(m), base + 14);
	/* brk grows and shrinks */
	brk0 = (unsigned long)vmsim_brk(m, a, 0);
	ASSERT_EQ(vmsim_brk(m, a, brk0 + 5 * PG), (long)(brk0 + 5 * PG));
	ASSERT_EQ(committed(m), base + 19);
	ASSERT_EQ(vmsim_brk(m, a, brk0 + PG), (long)(brk0 + PG));
	ASSERT_EQ(committed(m), base + 15);
	/* shared anonymous: charged whole until its last mapping goes; noreserve not */
	r = vmsim_mmap(m, a, 0, 10 * PG, RW, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(r, >, 0);
	ASSERT_EQ(committed(m), base + 25);
	ASSERT_CMP(vmsim_mmap(m, a, 0, 10 * PG, RW,
			      VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_NORESERVE, -1, 0), >, 0);
	ASSERT_EQ(committed(m), base + 25);
	/* fork: the child's copies are charged; its exit gives them back */
	b = vmsim_fork(m, a);
	ASSERT_CMP(b, >, 0);
	ASSERT_EQ(committed(m), 2 * (base + 15) + 10);
	ASSERT_EQ(vmsim_munmap(m, a, (unsigned long)r, 10 * PG), 0);
	ASSERT_EQ(committed(m), 2 * (base + 15) + 10);	/* B still maps it */
	ASSERT_EQ(vmsim_exit(m, b), 0);
	ASSERT_EQ(committed(m), base + 15);
	/* stack growth below the stack VMA */
	{
		char *maps = vmsim_proc_pid_read(m, a, "maps");
		unsigned long lo = 0, hi;
		char *line = maps ? strstr(maps, "[stack]") : NULL;

		ASSERT(line);
		while (line > maps && line[-1] != '\n')
			line--;
		ASSERT_EQ(sscanf(line, "%lx-%lx", &lo, &hi), 2);
		free(maps);
		ASSERT_EQ(vmsim_set_sp(m, a, lo - 2 * PG), 0);
		ASSERT_EQ(vmsim_write(m, a, lo - 2 * PG, &x, 1), 0);
		ASSERT_EQ(committed(m), base + 17);
	}
	ASSERT_EQ(vmsim_exit(m, a), 0);
	ASSERT_EQ(committed(m), 0);
	test_shutdown(m);
}

/* Mode 1 accepts what mode 0 refuses; mode 2 stops at CommitLimit, exactly. */
TEST(overcommit_modes_always_and_never)
{
	struct machine *m = test_boot("ram=32M overcommit_memory=1");
	int a = vmsim_spawn(m), b;
	unsigned long limit, allowed, base;
	long r;

	ASSERT_CMP(vmsim_mmap(m, a, 0, 1UL << 40, RW, ANON, -1, 0), >, 0);
	ASSERT_EQ(vmsim_sysctl_write(m, "vm.overcommit_memory", 0), 0);
	ASSERT_EQ(vmsim_mmap(m, a, 0, 1UL << 40, RW, ANON, -1, 0), -ENOMEM);
	ASSERT_EQ(vmsim_exit(m, a), 0);
	ASSERT_EQ(committed(m), 0);
	/* mode 2: what is left below CommitLimit less the reserves, to the page */
	ASSERT_EQ(vmsim_sysctl_write(m, "overcommit_memory", 2), 0);
	ASSERT_EQ(vmsim_sysctl_write(m, "user_reserve_kbytes", 0), 0);
	ASSERT_EQ(vmsim_sysctl_write(m, "vm.overcommit_memory", 3), -EINVAL);
	ASSERT_EQ(vmsim_sysctl_write(m, "vm.swappiness", 1), -ENOENT);
	limit = vm_commit_limit(m);
	ASSERT_EQ(limit, m->totalram_pages / 2);
	allowed = limit - (m->sysctl_admin_reserve_kbytes >> 2);
	a = vmsim_spawn(m);
	base = committed(m);
	/* committed must stay below allowed: base + n < allowed */
	ASSERT_EQ(vmsim_mmap(m, a, 0, (allowed - base) * PG, RW, ANON, -1, 0), -ENOMEM);
	r = vmsim_mmap(m, a, 0, (allowed - base - 1) * PG, RW, ANON, -1, 0);
	ASSERT_CMP(r, >, 0);
	ASSERT_EQ(committed(m), allowed - 1);
	/* nothing more: brk, fork, a writable mprotect, growth; read-only still maps */
	ASSERT_EQ(vmsim_mmap(m, a, 0, PG, RW, ANON, -1, 0), -ENOMEM);
	ASSERT_EQ(vmsim_fork(m, a), -ENOMEM);
	ASSERT_EQ(committed(m), allowed - 1);
	r = vmsim_mmap(m, a, 0, PG, VMSIM_PROT_READ, ANON, -1, 0);
	ASSERT_CMP(r, >, 0);
	ASSERT_EQ(vmsim_mprotect(m, a, (unsigned long)r, PG, RW), -ENOMEM);
	ASSERT_EQ(vmsim_mmap(m, a, 0, PG, RW, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS, -1, 0),
		  -ENOMEM);
	/* overcommit_kbytes replaces the ratio (and clears it) */
	ASSERT_EQ(vmsim_sysctl_write(m, "overcommit_kbytes", 1UL << 30), 0);
	ASSERT_EQ(m->sysctl_overcommit_ratio, 0);
	ASSERT_EQ(vm_commit_limit(m), (1UL << 30) >> 2);
	b = vmsim_fork(m, a);
	ASSERT_CMP(b, >, 0);
	ASSERT_EQ(vmsim_exit(m, b), 0);
	ASSERT_EQ(vmsim_exit(m, a), 0);
	ASSERT_EQ(committed(m), 0);
	test_shutdown(m);
}
