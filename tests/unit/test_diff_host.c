/*
 * Differential test against the host kernel: random short sequences of
 * mmap, munmap, mprotect, mremap, madvise, mlock/munlock, loads and stores
 * inside a 64-page window of the x86-64 layout, run as real system calls
 * in a forked child of this process and in a simulated process.  After
 * every step the return value, the errno, the /proc/PID/maps lines of the
 * window, their smaps blocks (Rss, Pss, dirty, Anonymous, Locked, VmFlags, ...)
 * and the bytes read must agree.  The child drops root (setuid) so
 * RLIMIT_MEMLOCK applies to it as to the simulated, unprivileged process.
 * The host side makes raw system calls: the sanitizers' interceptors turn
 * mlock/munlock into no-ops.
 *
 * diff_host_arg_forms mixes in calls with every argument form a program
 * can pass (gen_wild_op: brk, mlock2 and msync too, the top of the address
 * space, the heap, invalid flags) and compares loads and stores faulting
 * anywhere, with si_addr.
 *
 * `make test` runs DIFF_SEQS plain and DIFF_ARG_SEQS argument-form sequences
 * with fixed seeds; VMSIM_DIFF_LONG=N runs N more of each with seed
 * VMSIM_DIFF_SEED (default 1), comparing smaps after every call when
 * VMSIM_DIFF_SMAPS is set (`make diff-long`: 20000 of each, both tests).
 */
/* first: <signal.h> defines si_addr as a macro, which would rename the API's field */
#include "vmsim/process.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include "harness.h"
#include "testlib.h"
#include "vmsim/file.h"

#define PG		4096UL
#define WIN		0x300000000000UL
#define WIN_PAGES	64
#define MAX_OPS		16
#define MAPS_MAX	3072
#define SMAPS_MAX	32768
#define SMAPS_EVERY	8
#define DIFF_SEQS	2000
#define MAX_FORKS	MAX_OPS	/* the sequence goes on in the child: parents wait */
#define MEMLOCK		(16 * PG)

#define DIFF_ARG_SEQS	1200
#define TOP		0x7ffffffff000UL	/* TASK_SIZE of x86-64 with 4-level tables */
#define TOP_PAGES	64			/* the top window: [TOP - TOP_PAGES pages, TOP) */
#define TOPWIN		(TOP - TOP_PAGES * PG)
#define SAFE_LEN	(1UL << 40)		/* the host child has nothing in [WIN, WIN + this) */
#define HEAP_PAGES	64			/* the heap window: [start_brk, + HEAP_PAGES pages) */
#define POPULATE_MAX	(32UL << 20)		/* no larger population (host memory) */

enum op_kind { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MADVISE, OP_MLOCK,
	       OP_MUNLOCK, OP_WRITE, OP_READ, OP_FORK, NR_BASIC_OPS,
	       OP_BRK = NR_BASIC_OPS, OP_MLOCK2, OP_MSYNC, NR_OPS };

struct op {
	int kind;
	unsigned long addr, len, len2, addr2;
	int prot, flags;
	bool heap_rel;		/* addr (brk: the argument) is an offset from start_brk */
	uint64_t value;
};

struct result {
	long ret;		/* value, -errno, or OUTSIDE / FAULT */
	uint64_t value;		/* bytes read */
	char maps[MAPS_MAX];	/* window lines after the op */
	char smaps[SMAPS_MAX];	/* and their smaps blocks */
};

#define OUTSIDE	(-100000L)	/* a hinted mmap/mremap landed outside the window */
#define FAULT	(-100010L)	/* the access faults: FAULT - si_code (SIGBUS: FAULT + 7) */
#define FAULT_LATE (-100030L)	/* only the process itself faults: FAULT_LATE - si_code */
#define IS_FAULT(r, base)	((r) <= (base) + 10 && (r) >= (base) - 10)

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void gen_op(uint64_t *s, struct op *o)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC, PROT_WRITE };
	static const int advice[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
				      MADV_DONTNEED, MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK };
	unsigned long page = rnd(s) % WIN_PAGES, npages = 1 + rnd(s) % 8;

	memset(o, 0, sizeof(*o));
	o->kind = (int)(rnd(s) % (NR_BASIC_OPS + 2));
	if (o->kind >= NR_BASIC_OPS)
		o->kind = OP_MMAP;	/* mmap twice as often: the window fills up */
	if (page + npages > WIN_PAGES)
		npages = WIN_PAGES - page;
	o->addr = WIN + page * PG;
	o->len = npages * PG;
	o->prot = prots[rnd(s) % ARRAY_SIZE(prots)];
	switch (o->kind) {
	case OP_MMAP:
		switch (rnd(s) % 4) {
		case 0: o->flags = MAP_PRIVATE | MAP_ANONYMOUS; break;	/* hint */
		case 1: o->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE; break;
		default: o->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED; break;
		}
		if (rnd(s) % 8 == 0)
			o->flags |= MAP_POPULATE;
		if (rnd(s) % 8 == 0)
			o->flags |= MAP_GROWSDOWN;
		if (rnd(s) % 16 == 0)
			o->flags |= MAP_LOCKED;
		if (rnd(s) % 16 == 0)
			o->flags |= MAP_NORESERVE;
		break;
	case OP_MUNMAP:
		if (rnd(s) % 16 == 0)
			o->addr += 1;	/* EINVAL */
		break;
	case OP_MPROTECT:
		if (rnd(s) % 16 == 0)
			o->prot |= PROT_GROWSDOWN;
		if (rnd(s) % 32 == 0)
			o->len = 0;
		if (rnd(s) % 32 == 0)
			o->len -= 100;	/* rounded up */
		break;
	case OP_MREMAP: {
		unsigned long np2 = 1 + rnd(s) % 8;

		o->len2 = np2 * PG;
		o->addr2 = WIN + (rnd(s) % (WIN_PAGES - 8)) * PG;
		switch (rnd(s) % 6) {
		case 0: o->flags = 0; break;
		case 1: o->flags = MREMAP_MAYMOVE; break;
		case 2: o->flags = MREMAP_MAYMOVE | MREMAP_FIXED; break;
		case 3: o->flags = MREMAP_MAYMOVE | MREMAP_FIXED; o->len2 = o->len; break;
		case 4: o->flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP; o->len2 = o->len; break;
		default:
			o->flags = MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP;
			o->len2 = o->len;
			break;
		}
		if (rnd(s) % 32 == 0)
			o->len = 0;	/* "duplicate" a private mapping: EINVAL */
		/* a multi-VMA move may reach past the window's end */
		if (o->addr2 + o->len2 > WIN + WIN_PAGES * PG)
			o->addr2 = WIN + WIN_PAGES * PG - o->len2;
		break;
	}
	case OP_MADVISE:
		o->flags = advice[rnd(s) % ARRAY_SIZE(advice)];
		break;
	case OP_WRITE:
	case OP_READ: {
		/* a few slots per page, so that reads meet earlier writes */
		static const unsigned long slots[] = { 0, 8, 2048, PG - 8 };

		o->addr += slots[rnd(s) % ARRAY_SIZE(slots)];
		o->value = rnd(s);
		break;
	}
	}
}

/* A sequence starts by mapping a large part of the window, so that later calls meet VMAs. */
static void gen_setup_op(uint64_t *s, struct op *o)
{
	unsigned long page = rnd(s) % 16, npages = 16 + rnd(s) % 40;

	memset(o, 0, sizeof(*o));
	o->kind = OP_MMAP;
	o->addr = WIN + page * PG;
	o->len = min(npages, WIN_PAGES - page) * PG;
	o->prot = rnd(s) % 4 ? PROT_READ | PROT_WRITE : PROT_READ;
	o->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
}

/* --- every argument form (diff_host_arg_forms) ------------------------------ */

/*
 * The "wild" generator: addresses, lengths and flags of every form a
 * program can pass, valid or not: unaligned hints, addresses and lengths,
 * zero lengths, the top of the address space (TASK_SIZE, lengths reaching
 * it or just past it, ~0UL, lengths whose page rounding wraps, addresses
 * whose end wraps), non-canonical and kernel addresses, every mmap,
 * mremap, mlock2 and msync flag with unknown bits, madvise advice values
 * including invalid ones, brk below the heap and far above it, mappings
 * in the heap's way, ranges over holes and over several VMAs.  Compared
 * windows: WIN, the top of the address space and the heap (relative to
 * start_brk).  Huge lengths are 2^39..2^40 bytes (never between 32 MiB and
 * the host's RAM, where the overcommit heuristic depends on the machine).
 *
 * The host child must survive its own calls: a call that unmaps, replaces
 * or (MADV_DONTNEED, MADV_DONTFORK) changes pages is given a range inside
 * the compared windows or SAFE_LEN past WIN, or one the kernel refuses
 * before touching anything (wild_safe()).
 *
 * Left out, as vmsim does not model them (each is refused with -EINVAL by
 * vmsim where the host acts): the madvise advice MADV_FREE, REMOVE,
 * MERGEABLE/UNMERGEABLE, HUGEPAGE/NOHUGEPAGE, DONTDUMP/DODUMP,
 * WIPEONFORK/KEEPONFORK, COLD, PAGEOUT, POPULATE_READ/WRITE,
 * DONTNEED_LOCKED, COLLAPSE, HWPOISON, SOFT_OFFLINE, GUARD_INSTALL/REMOVE;
 * MAP_HUGETLB (the host has no huge page pool) and MAP_DROPPABLE (6.11).
 */
static unsigned long pick(uint64_t *s, const unsigned long *v, size_t n)
{
	return v[rnd(s) % n];
}
#define PICK(s, ...) pick(s, (const unsigned long[]){ __VA_ARGS__ }, \
			  sizeof((const unsigned long[]){ __VA_ARGS__ }) / sizeof(unsigned long))

static unsigned long gen_addr(uint64_t *s, bool top_ok, bool *heap_rel)
{
	unsigned long page = rnd(s) % WIN_PAGES;

	*heap_rel = false;
	switch (rnd(s) % 16) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return WIN + page * PG;
	case 6:
		return WIN + page * PG + PICK(s, 1, 8, 0x7ff, PG - 4, PG - 1);
	case 7: case 8: case 9:
		if (!top_ok)
			return WIN + page * PG;
		return TOP - (1 + rnd(s) % TOP_PAGES) * PG;
	case 10:
		if (!top_ok)
			return WIN + page * PG + 1;
		return TOP - (1 + rnd(s) % 4) * PG + PICK(s, 1, 0x7ff, PG - 4);
	case 11: case 12:
		*heap_rel = true;
		return (rnd(s) % HEAP_PAGES) * PG + (rnd(s) % 8 ? 0 : PICK(s, 1, PG - 4));
	case 13:
		return PICK(s, 0, 1, 0x800, 0xfff, 0x10000, 0x10001);
	default:
		return PICK(s, TOP, TOP + 1, TOP + PG, 1UL << 47, (1UL << 47) - 8, 1UL << 63,
			    ~0UL, ~0UL - 7, -PG, -2 * PG, 0xffff800000000000UL);
	}
}

static unsigned long gen_len(uint64_t *s, unsigned long addr, bool heap_rel)
{
	switch (rnd(s) % 12) {
	case 0:
		return 0;
	case 1:
		return PICK(s, 1, PG - 1, PG + 1, 2 * PG - 1, 8 * PG + 100);
	case 2: case 3: case 4: case 5:
		return (1 + rnd(s) % 8) * PG;
	case 6:
		if (!heap_rel && addr >= TOPWIN && addr < TOP)	/* to the top, or just past it */
			return TOP - addr + PICK(s, 0, 0, 1, PG, 2 * PG);
		return (1 + rnd(s) % 16) * PG;
	case 7:
		if (!heap_rel && addr >= WIN && addr < WIN + SAFE_LEN)	/* up to SAFE_LEN */
			return WIN + SAFE_LEN - addr;
		return SAFE_LEN / 2;
	case 8:
		return PICK(s, SAFE_LEN / 2, 16UL << 20, (32UL << 20) - PG + 1);
	default:
		return PICK(s, TOP, 1UL << 47, ~0UL, -PG, -PG + 1, ~0UL - PG + 2, 1UL << 63,
			    -addr, -addr + PG, -addr - PG, TOP - addr, TOP - addr + PG);
	}
}

static int gen_mmap_flags(uint64_t *s)
{
	static const struct { int bit, one_in; } bits[] = {
		{ MAP_FIXED, 2 }, { MAP_FIXED_NOREPLACE, 6 }, { MAP_NORESERVE, 4 },
		{ MAP_GROWSDOWN, 8 }, { MAP_POPULATE, 8 }, { MAP_LOCKED, 12 }, { MAP_32BIT, 16 },
		{ MAP_NONBLOCK, 16 }, { MAP_STACK, 16 }, { MAP_DENYWRITE, 16 },
		{ MAP_EXECUTABLE, 16 }, { MAP_SYNC, 16 }, { 0x4000000 /* UNINITIALIZED */, 16 },
		{ 0x80, 16 }, { 0x200, 16 }, { 0x400, 16 }, { 0x200000, 16 }, { 0x800000, 16 },
		{ 0x2000000, 16 },
	};
	int f = rnd(s) % 32 ? MAP_ANONYMOUS : 0;	/* none: fd -1 is EBADF */

	switch (rnd(s) % 16) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: f |= MAP_PRIVATE; break;
	case 8: case 9: case 10: case 11: f |= MAP_SHARED; break;
	case 12: f |= MAP_SHARED_VALIDATE; break;
	default: f |= (int)PICK(s, 0, 4, 5, 6, 7, 9, 0xf); break;	/* bad types (not 8) */
	}
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++)
		if (rnd(s) % (unsigned)bits[i].one_in == 0)
			f |= bits[i].bit;
	return f;
}

static void gen_wild_op(uint64_t *s, struct op *o, bool top_ok)
{
	bool rel2;

	memset(o, 0, sizeof(*o));
	o->kind = (int)(rnd(s) % (NR_OPS + 3));
	if (o->kind >= NR_OPS)
		o->kind = o->kind == NR_OPS ? OP_MMAP : OP_BRK;
	if (o->kind == OP_FORK && rnd(s) % 2)
		o->kind = OP_MMAP;			/* forks are slow on the host */
	o->addr = gen_addr(s, top_ok, &o->heap_rel);
	o->len = gen_len(s, o->addr, o->heap_rel);
	o->prot = (int)(rnd(s) % 8);
	o->value = rnd(s);
	switch (o->kind) {
	case OP_MMAP:
		o->flags = gen_mmap_flags(s);
		if (rnd(s) % 8 == 0)
			o->prot |= (int)PICK(s, 0x8, 0x10, 0x100, PROT_GROWSDOWN, 0x40000000);
		break;
	case OP_MPROTECT:
		if (rnd(s) % 6 == 0)
			o->prot |= (int)PICK(s, PROT_GROWSDOWN, PROT_GROWSUP, 0x8, 0x10, 0x80000000);
		break;
	case OP_MREMAP:
		o->len2 = rnd(s) % 2 ? (1 + rnd(s) % 8) * PG : gen_len(s, o->addr, o->heap_rel);
		o->addr2 = gen_addr(s, top_ok, &rel2);
		if (rel2 || rnd(s) % 2)
			o->addr2 = WIN + (rnd(s) % WIN_PAGES) * PG;
		o->flags = (int)(rnd(s) % 8);
		if (rnd(s) % 8 == 0)
			o->flags |= (int)PICK(s, 8, 0x10, 0x80000000);
		break;
	case OP_MADVISE:
		o->flags = (int)PICK(s, MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
				     MADV_DONTNEED, MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK,
				     5, 6, 7, 26, 99, 104, 1000, (unsigned long)-1);
		break;
	case OP_MLOCK2:
		o->flags = (int)PICK(s, 0, 0, 1, 1, 2, 3, 0x80000000);
		break;
	case OP_MSYNC:
		o->flags = (int)PICK(s, 0, MS_ASYNC, MS_SYNC, MS_INVALIDATE, MS_ASYNC | MS_SYNC,
				     MS_SYNC | MS_INVALIDATE, MS_ASYNC | MS_INVALIDATE, 7, 8, 0x10);
		break;
	case OP_BRK:
		o->heap_rel = rnd(s) % 4 != 0;
		if (o->heap_rel)
			o->addr = PICK(s, 0, 1, PG - 1, PG, 3 * PG, 3 * PG + 5, 9 * PG, 16UL << 20,
				       SAFE_LEN, -PG, -1UL, -(1UL << 30));
		else
			o->addr = PICK(s, 0, 1, WIN, TOP, TOP + PG, 1UL << 47, -PG, ~0UL,
				       ~0UL - PG + 2, 1UL << 63);
		break;
	case OP_WRITE:
	case OP_READ:
		if (rnd(s) % 4 == 0) {
			o->heap_rel = false;
			o->addr = PICK(s, TOP - 8, TOP - 4, TOP, (1UL << 47) - 8, 1UL << 47,
				       1UL << 63, ~0UL - 7, -PG, 0, 8);
		}
		break;
	}
	if (o->len > POPULATE_MAX)
		o->flags &= o->kind == OP_MMAP ? ~(MAP_POPULATE | MAP_LOCKED) : ~0;
}

/* The address @o names in a process whose heap starts at @start_brk. */
static unsigned long op_addr(const struct op *o, unsigned long start_brk)
{
	return o->heap_rel ? start_brk + o->addr : o->addr;
}

/*
 * Can the host child make the call @o?  Calls that unmap, replace or
 * discard must stay in the windows (SAFE_LEN past WIN or start_brk), below
 * 0x20000, or be refused up front (an unaligned address, a length whose
 * rounding wraps, an end past TASK_SIZE for munmap, mmap and mremap).
 */
static bool range_ok(unsigned long a, unsigned long len, bool heap_rel, bool top_check)
{
	unsigned long alen = (len + PG - 1) & ~(PG - 1), end = a + alen;

	if ((a & (PG - 1)) || (len && !alen) || end < a || !len)
		return true;		/* EINVAL (or nothing) before anything */
	if (heap_rel)
		return end <= SAFE_LEN;
	if (top_check && end > TOP)
		return true;		/* ENOMEM / EINVAL before anything */
	return (a >= WIN && end <= WIN + SAFE_LEN) || (a >= TOPWIN && end <= TOP) ||
	       end <= 0x20000;
}

/*
 * A length the layouts agree on where the kernel searches for room (a hint,
 * a move): one that fits the free space past WIN in both, or that no
 * address space can hold.  (The host's stack and libraries sit where
 * vmsim's address space is empty.)
 */
static bool placement_len_ok(unsigned long len)
{
	unsigned long alen = (len + PG - 1) & ~(PG - 1);

	return alen <= SAFE_LEN / 2 || alen > TOP || (len && !alen);
}

static bool wild_safe(const struct op *o)
{
	switch (o->kind) {
	case OP_MUNMAP:
		return range_ok(o->addr, o->len, o->heap_rel, true);
	case OP_MMAP:
		if (!(o->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
			return placement_len_ok(o->len);
		return range_ok(o->addr, o->len, o->heap_rel, true);
	case OP_MREMAP:
		if (!range_ok(o->addr, o->len, o->heap_rel, true) || !placement_len_ok(o->len2))
			return false;
		if (o->flags & MREMAP_FIXED)
			return range_ok(o->addr2, o->len2, false, true);
		return true;
	case OP_MADVISE:
		/* any advice over the host's own mappings answers for them (vdso: EINVAL) */
		return range_ok(o->addr, o->len, o->heap_rel, false);
	default:
		return true;
	}
}

/* --- host side ----------------------------------------------------------- */

/*
 * A load or store is first tried in a forked probe: one that faults leaves
 * its side effects (a stack grown before an access error) in the probe
 * only, exactly as on the vmsim side, where a fork of the simulated process
 * takes the fatal fault.  The probe's handler reports si_code through
 * shared memory; a clean probe lets the process itself do the access.
 */
static volatile int *host_fault_code;	/* MAP_SHARED, set up by run_sequences */
static volatile unsigned long *host_fault_addr;	/* the same page: si_addr */
static volatile sig_atomic_t host_in_probe;
static sigjmp_buf host_jmp;

/* SI_KERNEL (a general protection fault: a non-canonical address) as code 9 */
#define CODE_SI_KERNEL	9

static void host_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	*host_fault_code = sig != SIGSEGV ? -sig : si->si_code == SI_KERNEL ? CODE_SI_KERNEL
									     : si->si_code;
	*host_fault_addr = (unsigned long)si->si_addr;
	if (host_in_probe)
		_exit(3);
	siglongjmp(host_jmp, 1);
}

/*
 * The host's loads and stores, in assembly: the sanitizers' checks would
 * fault first (ASan's shadow of a kernel address is non-canonical) or
 * stop at an unaligned access.
 */
static void host_store(unsigned long a, uint64_t v)
{
	__asm__ volatile("movq %1, (%0)" : : "r"(a), "r"(v) : "memory");
}

static uint64_t host_load(unsigned long a)
{
	uint64_t v;

	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}

/* A fault's result: the code, and si_addr (less @base) as the value read. */
static long host_access(const struct op *o, unsigned long a, unsigned long base, uint64_t *val)
{
	pid_t pid;
	int status;

	*host_fault_code = 0;
	pid = fork();
	if (pid < 0)
		_exit(4);
	if (pid == 0) {
		host_in_probe = 1;
		if (o->kind == OP_WRITE)
			host_store(a, o->value);
		else
			(void)host_load(a);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		_exit(5);
	if (WEXITSTATUS(status) == 3) {
		*val = *host_fault_addr - base;
		return FAULT - *host_fault_code;
	}
	if (WEXITSTATUS(status) != 0)
		_exit(6);
	/*
	 * A fork differs from its parent (no mlock, no MADV_DONTFORK areas), so
	 * the access may still fault here: then the sequence ends after it.
	 */
	if (sigsetjmp(host_jmp, 1)) {
		*val = *host_fault_addr - base;
		return FAULT_LATE - *host_fault_code;
	}
	if (o->kind == OP_WRITE)
		host_store(a, o->value);
	else
		*val = host_load(a);
	return 0;
}

/*
 * The whole of a text file, in one of two static buffers (@which), or
 * NULL: no malloc, as the host child may have emptied its brk heap.
 */
static char *slurp(const char *path, int which)
{
	static char bufs[2][1 << 21];
	char *buf = bufs[which];
	size_t n = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	while ((got = read(fd, buf + n, sizeof(bufs[0]) - 1 - n)) > 0)
		n += (size_t)got;
	close(fd);
	if (got < 0 || n == sizeof(bufs[0]) - 1)
		return NULL;
	buf[n] = 0;
	return buf;
}

/*
 * A header line's inode number (of shared anonymous memory's
 * "/dev/zero (deleted)": per machine) and the padding after it, as "I ".
 * Returns the line's new length.
 */
static size_t hide_inode(char *line, size_t len)
{
	char *p = line, *end = line + len, *q;
	int field = 0;

	while (p < end && *p != '\n' && field < 4) {	/* to the fifth field */
		if (*p == ' ' && p + 1 < end && p[1] != ' ')
			field++;
		p++;
	}
	if (field != 4 || *p == '0' || *p < '0' || *p > '9')
		return len;
	for (q = p; q < end && ((*q >= '0' && *q <= '9') || *q == ' '); q++)
		;
	p[0] = 'I';
	p[1] = ' ';
	memmove(p + 2, q, (size_t)(end - q));
	return len - (size_t)(q - p) + 2;
}

/*
 * The lines of maps or smaps text that belong to VMAs starting in the
 * window (and with @start_brk, in the top and heap windows): a
 * "start-end ..." header line and, in smaps, its field lines.  A heap
 * window header is rewritten "brk+START-brk+END ..." (start_brk differs).
 * False if @out (@max bytes) is too small.
 */
static bool window_blocks(const char *text, char *out, size_t max, unsigned long start_brk)
{
	bool in = false;
	size_t n = 0;

	out[0] = 0;
	while (text && *text) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) + 1 : strlen(text);
		unsigned long start, end;
		char hdr[64];

		if (sscanf(text, "%lx-%lx ", &start, &end) == 2) {
			in = (start >= WIN && start < WIN + WIN_PAGES * PG) ||
			     (start_brk && start >= TOPWIN && start < TOP);
			/*
			 * vmsim's start_stack is in the top window (its layout puts
			 * the stack at TASK_SIZE), the host's is not: what maps
			 * there is named [stack] in vmsim only.  Compare without.
			 */
			const char *name = strstr(text, "[stack]");

			if (start_brk && start >= TOPWIN && start < TOP && name &&
			    (!eol || name < eol)) {
				if (n + (size_t)(name - text) + 2 > max)
					return false;
				memcpy(out + n, text, (size_t)(name - text));
				n += (size_t)(name - text);
				while (n && out[n - 1] == ' ')
					n--;
				out[n++] = ' ';		/* as a line without a name */
				out[n++] = '\n';
				out[n] = 0;
				text += len;
				continue;
			}
			if (start_brk && start >= start_brk && start < start_brk + HEAP_PAGES * PG) {
				int h = snprintf(hdr, sizeof(hdr), "brk+%lx-brk+%lx", start - start_brk,
						 end - start_brk);
				const char *rest = strchr(text, ' ');

				if (!rest || n + (size_t)h + len + 2 > max)
					return false;
				memcpy(out + n, hdr, (size_t)h);
				n += (size_t)h;
				len -= (size_t)(rest - text);
				text = rest;
				in = true;
			}
		}
		if (in) {
			if (n + len + 2 > max)
				return false;
			memcpy(out + n, text, len);
			n += hide_inode(out + n, len);
			if (!eol)
				out[n++] = '\n';
			out[n] = 0;
		}
		text += len;
	}
	return true;
}

/* The windows' maps lines, and their smaps blocks if @with_smaps (else ""). */
static void host_window(struct result *res, bool with_smaps, unsigned long start_brk)
{
	char *maps = slurp("/proc/self/maps", 0), *smaps = with_smaps ? slurp("/proc/self/smaps", 1)
								       : NULL;

	res->smaps[0] = 0;
	if (!maps || !window_blocks(maps, res->maps, MAPS_MAX, start_brk) ||
	    (with_smaps && (!smaps || !window_blocks(smaps, res->smaps, SMAPS_MAX, start_brk))))
		_exit(7);
}

/*
 * Where a mapping was placed: its address if it starts in a compared
 * window (heap window: HEAP_TAG + the offset from start_brk), else OUTSIDE
 * (and the caller unmaps it).
 */
#define HEAP_TAG	(1L << 60)

static long placed(unsigned long a, unsigned long start_brk)
{
	if (a >= WIN && a < WIN + WIN_PAGES * PG)
		return (long)a;
	if (start_brk && a >= TOPWIN && a < TOP)
		return (long)a;
	if (start_brk && a >= start_brk && a < start_brk + HEAP_PAGES * PG)
		return HEAP_TAG + (long)(a - start_brk);
	return OUTSIDE;
}

/* brk's result: relative to start_brk when the test knows the heap */
static long brk_result(unsigned long r, unsigned long start_brk)
{
	return (long)(r - start_brk);
}

static long host_op(const struct op *o, unsigned long start_brk, uint64_t *val)
{
	unsigned long a = op_addr(o, start_brk);
	long r;
	void *p;

	switch (o->kind) {
	case OP_MMAP:
		p = (void *)syscall(SYS_mmap, a, o->len, o->prot, o->flags, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		r = placed((unsigned long)p, start_brk);
		if (r == OUTSIDE)
			syscall(SYS_munmap, p, o->len);
		return r;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, a, o->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, a, o->len, o->prot);
		break;
	case OP_MREMAP:
		p = (void *)syscall(SYS_mremap, a, o->len, o->len2, o->flags, o->addr2);
		if (p == MAP_FAILED)
			return -errno;
		r = placed((unsigned long)p, start_brk);
		if (r == OUTSIDE)
			syscall(SYS_munmap, p, o->len2);
		return r;
	case OP_MADVISE:
		r = syscall(SYS_madvise, a, o->len, o->flags);
		break;
	case OP_MLOCK:
		r = syscall(SYS_mlock, a, o->len);
		break;
	case OP_MUNLOCK:
		r = syscall(SYS_munlock, a, o->len);
		break;
	case OP_MLOCK2:
		r = syscall(SYS_mlock2, a, o->len, o->flags);
		break;
	case OP_MSYNC:
		r = syscall(SYS_msync, a, o->len, o->flags);
		break;
	case OP_BRK:
		return brk_result((unsigned long)syscall(SYS_brk, a), start_brk);
	case OP_WRITE:
	case OP_READ:
		return host_access(o, a, o->heap_rel ? start_brk : 0, val);
	default:
		return -EINVAL;
	}
	return r < 0 ? -errno : r;
}

/* start_brk of this process (/proc/self/stat field 47), or 0. */
static unsigned long host_start_brk(void)
{
	char *stat = slurp("/proc/self/stat", 0), *p = stat ? strrchr(stat, ')') : NULL;
	unsigned long v = 0;

	/* fields 3 .. 47 follow the command name */
	for (int field = 2; p && field < 47; field++)
		p = strchr(p + 1, ' ');
	if (p && sscanf(p + 1, "%lu", &v) != 1)
		v = 0;
	return v;
}

/*
 * Run @ops in a child; results in the shared @res.  With @wild the child
 * first empties its heap (brk back to start_brk, which it never uses
 * again: no malloc) and the top and heap windows are compared too.
 */
static void run_host(const struct op *ops, int n, struct result *res, bool smaps_each_op,
		     bool smaps_last, bool wild)
{
	pid_t pid = fork();
	int status, i;

	ASSERT(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { MEMLOCK, MEMLOCK };
		struct sigaction sa;
		unsigned long start_brk = 0;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = host_segv;
		sa.sa_flags = SA_NODEFER | SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		munmap((void *)WIN, WIN_PAGES * PG);
		setrlimit(RLIMIT_MEMLOCK, &rl);
		if (setuid(65534))	/* unprivileged, as the simulated process */
			_exit(2);
		if (wild) {
			start_brk = host_start_brk();
			if (!start_brk || (unsigned long)syscall(SYS_brk, start_brk) != start_brk)
				_exit(10);
		}
		for (i = 0; i < n; i++) {
			res[i].value = 0;
			if (ops[i].kind == OP_FORK) {
				/* the child goes on with the sequence; the parent (its
				 * pages shared copy-on-write) waits and passes its status */
				pid_t c = fork();

				if (c < 0)
					_exit(8);
				if (c > 0) {
					if (waitpid(c, &status, 0) != c || !WIFEXITED(status))
						_exit(9);
					_exit(WEXITSTATUS(status));
				}
				res[i].ret = 0;
			} else {
				res[i].ret = host_op(&ops[i], start_brk, &res[i].value);
			}
			host_window(&res[i], smaps_each_op || (smaps_last && i == n - 1), start_brk);
			if (IS_FAULT(res[i].ret, FAULT_LATE))
				break;
		}
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "host child status %#x", status);
}

/*
 * The top window must be free in the host's layout (its stack is placed
 * randomly below TASK_SIZE; the guard gap below a VM_GROWSDOWN mapping
 * made there must not meet it either): false if something is closer.
 */
static bool host_top_free(void)
{
	char *maps = slurp("/proc/self/maps", 0);
	const char *l = maps;
	bool ok = maps != NULL;

	while (ok && l && *l) {
		unsigned long start, end;

		if (sscanf(l, "%lx-%lx ", &start, &end) == 2 && end > TOPWIN - (2UL << 20) &&
		    start < TOP)	/* not [vsyscall] */
			ok = false;
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return ok;
}

/* --- vmsim side ----------------------------------------------------------- */

static void sim_window(struct machine *m, int pid, char *maps, char *smaps, bool with_smaps,
		       unsigned long start_brk)
{
	char *text = vmsim_proc_pid_read(m, pid, "maps");

	ASSERT_NOT_NULL(text);
	ASSERT(window_blocks(text, maps, MAPS_MAX, start_brk));
	free(text);
	smaps[0] = 0;
	if (!with_smaps)
		return;
	text = vmsim_proc_pid_read(m, pid, "smaps");
	ASSERT_NOT_NULL(text);
	ASSERT(window_blocks(text, smaps, SMAPS_MAX, start_brk));
	free(text);
}

/*
 * An access the host saw fault: made by a fork of the simulated process
 * (@fork_of) when the host's forked probe faulted, else (the process
 * itself faulted on the host) by the process, which then dies and ends
 * the sequence.  Either must be killed by SIGSEGV with the host's si_code;
 * the fault address is returned in *@val (si_addr).
 */
static long sim_faulting_access(struct machine *m, int pid, int fork_of, const struct op *o,
				unsigned long a, unsigned long start_brk, long base, uint64_t *val)
{
	struct vmsim_task_info info;
	uint64_t v = o->value;
	int who = fork_of ? vmsim_fork(m, fork_of) : pid, r;

	ASSERT_CMP(who, >, 0);
	r = o->kind == OP_WRITE ? vmsim_write(m, who, a, &v, sizeof(v))
				: vmsim_read(m, who, a, &v, sizeof(v));
	if (r != VMSIM_KILLED) {
		if (fork_of)
			vmsim_exit(m, who);
		return r;
	}
	ASSERT_EQ(vmsim_task_info(m, who, &info), 0);
	*val = info.addr - (o->heap_rel ? start_brk : 0);
	return info.signo != SIGSEGV ? base + info.signo
	       : info.code == SI_KERNEL ? base - CODE_SI_KERNEL : base - info.code;
}

static long sim_op(struct machine *m, int pid, const struct op *o, const struct result *host,
		   unsigned long start_brk, uint64_t *val)
{
	unsigned long a = op_addr(o, start_brk);
	long r;

	switch (o->kind) {
	case OP_MMAP:
		r = vmsim_mmap(m, pid, a, o->len, o->prot, o->flags, -1, 0);
		if (r >= 0 && placed((unsigned long)r, start_brk) == OUTSIDE) {
			vmsim_munmap(m, pid, (unsigned long)r, o->len);
			return OUTSIDE;
		}
		return r >= 0 ? placed((unsigned long)r, start_brk) : r;
	case OP_MUNMAP:
		return vmsim_munmap(m, pid, a, o->len);
	case OP_MPROTECT:
		return vmsim_mprotect(m, pid, a, o->len, o->prot);
	case OP_MREMAP:
		r = vmsim_mremap(m, pid, a, o->len, o->len2, o->flags, o->addr2);
		if (r >= 0 && placed((unsigned long)r, start_brk) == OUTSIDE) {
			vmsim_munmap(m, pid, (unsigned long)r, o->len2);
			return OUTSIDE;
		}
		return r >= 0 ? placed((unsigned long)r, start_brk) : r;
	case OP_MADVISE:
		return vmsim_madvise(m, pid, a, o->len, o->flags);
	case OP_MLOCK:
		return vmsim_mlock(m, pid, a, o->len);
	case OP_MUNLOCK:
		return vmsim_munlock(m, pid, a, o->len);
	case OP_MLOCK2:
		return vmsim_mlock2(m, pid, a, o->len, o->flags);
	case OP_MSYNC:
		return vmsim_msync(m, pid, a, o->len, o->flags);
	case OP_BRK:
		return brk_result((unsigned long)vmsim_brk(m, pid, a), start_brk);
	case OP_WRITE:
	case OP_READ:
		if (IS_FAULT(host->ret, FAULT))
			return sim_faulting_access(m, pid, pid, o, a, start_brk, FAULT, val);
		if (IS_FAULT(host->ret, FAULT_LATE))
			return sim_faulting_access(m, pid, 0, o, a, start_brk, FAULT_LATE, val);
		if (o->kind == OP_WRITE)
			return vmsim_write(m, pid, a, &o->value, sizeof(o->value));
		return vmsim_read(m, pid, a, val, sizeof(*val));
	}
	return -EINVAL;
}

static const char *const op_names[NR_OPS] = {
	"mmap", "munmap", "mprotect", "mremap", "madvise", "mlock", "munlock", "write", "read",
	"fork", "brk", "mlock2", "msync",
};

static void dump_ops(const struct op *ops, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  %2d %-8s addr=%s%#lx len=%#lx len2=%#lx addr2=%#lx prot=%#x "
			"flags=%#x\n", i, op_names[ops[i].kind], ops[i].heap_rel ? "brk+" : "",
			ops[i].addr, ops[i].len, ops[i].len2, ops[i].addr2, ops[i].prot,
			ops[i].flags);
}

/* Print the first line where two maps/smaps texts differ, with its VMA's header. */
static void print_first_difference(const char *a, const char *b)
{
	const char *hdr = a;

	while (*a && *a == *b) {
		if (*a == '\n') {
			unsigned long x, y;

			if (sscanf(a + 1, "%lx-%lx ", &x, &y) == 2)
				hdr = a + 1;
		}
		a++;
		b++;
	}
	while (a > hdr && a[-1] != '\n') {
		a--;
		b--;
	}
	fprintf(stderr, "first difference in:\n%.*s  host:  %.*s\n  vmsim: %.*s\n",
		(int)strcspn(hdr, "\n") + 1, hdr, (int)strcspn(a, "\n"), a,
		(int)strcspn(b, "\n"), b);
}

/* A new simulated process, as the host child starts its sequence. */
static int sim_start(struct machine *m, bool wild, unsigned long *start_brk)
{
	int pid = wild ? vmsim_spawn_empty(m) : vmsim_spawn(m);

	ASSERT_CMP(pid, >, 0);
	ASSERT_EQ(vmsim_setrlimit(m, pid, 8 /* RLIMIT_MEMLOCK */, MEMLOCK, MEMLOCK), 0);
	/*
	 * Linux since 4.20 grows a stack on any access below it (within the
	 * guard gap and RLIMIT_STACK), wherever the stack pointer is; vmsim
	 * applies 2.4's "not far below %sp" check only when the task has
	 * a stack pointer, so give it none.
	 */
	ASSERT_EQ(vmsim_set_sp(m, pid, 0), 0);
	*start_brk = wild ? (unsigned long)vmsim_brk(m, pid, 0) : 0;
	return pid;
}

/*
 * Reading the host's smaps is slow (the test process's own mappings, ASan's
 * among them, are many): smaps is compared after the last call of every
 * SMAPS_EVERY-th sequence, or after every call with @smaps_each_op.  With
 * @wild, the argument forms of gen_wild_op are mixed in (one call in two).
 */
static void run_sequences(uint64_t seed, int count, bool smaps_each_op, bool wild)
{
	uint64_t seed0 = seed;
	struct result *host = mmap(NULL, sizeof(struct result) * MAX_OPS, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct machine *m = test_boot("ram=64M paging=x86_64");
	char maps[MAPS_MAX], *smaps = malloc(SMAPS_MAX);
	int late_faults = 0;
	bool top_ok = host_top_free();

	ASSERT(host != MAP_FAILED && smaps);
	host_fault_code = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT(host_fault_code != MAP_FAILED);
	host_fault_addr = (volatile unsigned long *)(host_fault_code + 2);
	if (wild && !top_ok)
		fprintf(stderr, "diff_host: the host's stack is near TASK_SIZE: no top window\n");
	for (int seq = 0; seq < count; seq++) {
		struct op ops[MAX_OPS];
		int n = 2 + (int)(rnd(&seed) % (MAX_OPS - 1)), pid;
		unsigned long start_brk;

		for (int i = 0; i < n; i++) {
			if (i == 0 || (i == 1 && rnd(&seed) % 2))
				gen_setup_op(&seed, &ops[i]);
			else if (wild && rnd(&seed) % 2)
				do
					gen_wild_op(&seed, &ops[i], top_ok);
				while (!wild_safe(&ops[i]));
			else
				gen_op(&seed, &ops[i]);
		}
		bool smaps_last = smaps_each_op || seq % SMAPS_EVERY == 0;

		run_host(ops, n, host, smaps_each_op, smaps_last, wild);
		pid = sim_start(m, wild, &start_brk);
		int parents[MAX_FORKS], nparents = 0;

		for (int i = 0; i < n; i++) {
			uint64_t val = 0;
			long r;

			if (ops[i].kind == OP_FORK) {
				int child = vmsim_fork(m, pid);

				ASSERT_CMP(child, >, 0);
				ASSERT_EQ(vmsim_set_sp(m, child, 0), 0);
				parents[nparents++] = pid;
				pid = child;
				r = 0;
			} else {
				r = sim_op(m, pid, &ops[i], &host[i], start_brk, &val);
			}

			if (IS_FAULT(host[i].ret, FAULT_LATE)) {
				/* both processes took the fault themselves: the simulated one died */
				if (r != host[i].ret || val != host[i].value)
					dump_ops(ops, n);
				ASSERT_EQ(r, host[i].ret);
				ASSERT_EQ(val, host[i].value);
				late_faults++;
				break;
			}
			sim_window(m, pid, maps, smaps, smaps_each_op || (smaps_last && i == n - 1),
				   start_brk);
			if (r != host[i].ret || strcmp(maps, host[i].maps) ||
			    strcmp(smaps, host[i].smaps) ||
			    ((ops[i].kind == OP_READ || IS_FAULT(r, FAULT)) && val != host[i].value)) {
				fprintf(stderr, "diff_host seed %llu sequence %d differs at op %d:\n",
					(unsigned long long)seed0, seq, i);
				dump_ops(ops, n);
				fprintf(stderr, "host ret %ld value %#llx maps:\n%s"
					"vmsim ret %ld value %#llx maps:\n%s", host[i].ret,
					(unsigned long long)host[i].value, host[i].maps, r,
					(unsigned long long)val, maps);
				if (strcmp(smaps, host[i].smaps))
					print_first_difference(host[i].smaps, smaps);
				ASSERT_EQ(r, host[i].ret);
				ASSERT_STREQ(maps, host[i].maps);
				ASSERT_EQ(val, host[i].value);
				ASSERT_STREQ(smaps, host[i].smaps);
			}
		}
		int er = vmsim_exit(m, pid);

		if (er) {
			struct vmsim_task_info info;

			ASSERT_EQ(er, -ESRCH);

			ASSERT_EQ(vmsim_task_info(m, pid, &info), 0);
			ASSERT(!info.alive && info.signo);	/* killed by the late fault */
		}
		while (nparents > 0)
			ASSERT_EQ(vmsim_exit(m, parents[--nparents]), 0);
	}
	test_shutdown(m);
	munmap(host, sizeof(struct result) * MAX_OPS);
	munmap((void *)host_fault_code, PG);
	free(smaps);
	/* sequences cut short by a fault only the process itself takes stay rare */
	ASSERT_CMP(late_faults, <=, count / 20 + 1);
}

TEST(diff_host_vma_sequences)
{
	run_sequences(20240601, DIFF_SEQS, false, false);
}

TEST(diff_host_arg_forms)
{
	run_sequences(20261207, DIFF_ARG_SEQS, false, true);
}

/*
 * VMSIM_DIFF_LONG=N: N more sequences of each kind (seed VMSIM_DIFF_SEED,
 * smaps after every call with VMSIM_DIFF_SMAPS); `make diff-long`.
 */
TEST(diff_host_long)
{
	const char *n = getenv("VMSIM_DIFF_LONG"), *s = getenv("VMSIM_DIFF_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 1;

	if (!n)
		return;
	run_sequences(seed, atoi(n), getenv("VMSIM_DIFF_SMAPS") != NULL, false);
	run_sequences(seed, atoi(n), getenv("VMSIM_DIFF_SMAPS") != NULL, true);
}
