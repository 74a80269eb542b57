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
 * `make test` runs DIFF_SEQS sequences with a fixed seed; VMSIM_DIFF_LONG=N
 * runs N more with seed VMSIM_DIFF_SEED (default 1), comparing smaps after every
 * call when VMSIM_DIFF_SMAPS is set.
 */
/* first: <signal.h> defines si_addr as a macro, which would rename the API's field */
#include "vmsim/process.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include "harness.h"
#include "testlib.h"

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

enum op_kind { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MADVISE, OP_MLOCK,
	       OP_MUNLOCK, OP_WRITE, OP_READ, OP_FORK, NR_OPS };

struct op {
	int kind;
	unsigned long addr, len, len2, addr2;
	int prot, flags;
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
	o->kind = (int)(rnd(s) % (NR_OPS + 2));
	if (o->kind >= NR_OPS)
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

/* --- host side ----------------------------------------------------------- */

/*
 * A load or store is first tried in a forked probe: one that faults leaves
 * its side effects (a stack grown before an access error) in the probe
 * only, exactly as on the vmsim side, where a fork of the simulated process
 * takes the fatal fault.  The probe's handler reports si_code through
 * shared memory; a clean probe lets the process itself do the access.
 */
static volatile int *host_fault_code;	/* MAP_SHARED, set up by run_sequences */
static volatile sig_atomic_t host_in_probe;
static sigjmp_buf host_jmp;

static void host_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	*host_fault_code = sig == SIGSEGV ? si->si_code : -sig;
	if (host_in_probe)
		_exit(3);
	siglongjmp(host_jmp, 1);
}

static long host_access(const struct op *o, uint64_t *val)
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
			*(volatile uint64_t *)o->addr = o->value;
		else
			(void)*(volatile uint64_t *)o->addr;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		_exit(5);
	if (WEXITSTATUS(status) == 3)
		return FAULT - *host_fault_code;
	if (WEXITSTATUS(status) != 0)
		_exit(6);
	/*
	 * A fork differs from its parent (no mlock, no MADV_DONTFORK areas), so
	 * the access may still fault here: then the sequence ends after it.
	 */
	if (sigsetjmp(host_jmp, 1))
		return FAULT_LATE - *host_fault_code;
	if (o->kind == OP_WRITE)
		*(volatile uint64_t *)o->addr = o->value;
	else
		*val = *(volatile uint64_t *)o->addr;
	return 0;
}

/* The whole of a text file (malloc'd), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap);

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	for (size_t got; (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
		n += got;
		if (n + 1 == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
	}
	buf[n] = 0;
	fclose(f);
	return buf;
}

/*
 * The lines of maps or smaps text that belong to VMAs starting in the
 * window: a "start-end ..." header line and, in smaps, its field lines.
 * False if @out (@max bytes) is too small.
 */
static bool window_blocks(const char *text, char *out, size_t max)
{
	bool in = false;
	size_t n = 0;

	out[0] = 0;
	while (text && *text) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) + 1 : strlen(text);
		unsigned long start, end;

		if (sscanf(text, "%lx-%lx ", &start, &end) == 2)
			in = start >= WIN && start < WIN + WIN_PAGES * PG;
		if (in) {
			if (n + len + 2 > max)
				return false;
			memcpy(out + n, text, len);
			n += len;
			if (!eol)
				out[n++] = '\n';
			out[n] = 0;
		}
		text += len;
	}
	return true;
}

/* The window's maps lines, and its smaps blocks if @with_smaps (else ""). */
static void host_window(struct result *res, bool with_smaps)
{
	char *maps = slurp("/proc/self/maps"), *smaps = with_smaps ? slurp("/proc/self/smaps") : NULL;

	res->smaps[0] = 0;
	if (!maps || !window_blocks(maps, res->maps, MAPS_MAX) ||
	    (with_smaps && (!smaps || !window_blocks(smaps, res->smaps, SMAPS_MAX))))
		_exit(7);
	free(maps);
	free(smaps);
}

static bool in_window(unsigned long a, unsigned long len)
{
	return a >= WIN && a + len <= WIN + WIN_PAGES * PG;
}

static long host_op(const struct op *o, uint64_t *val)
{
	long r;
	void *p;

	switch (o->kind) {
	case OP_MMAP:
		p = (void *)syscall(SYS_mmap, o->addr, o->len, o->prot, o->flags, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		if (!in_window((unsigned long)p, o->len)) {
			syscall(SYS_munmap, p, o->len);
			return OUTSIDE;
		}
		return (long)p;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, o->addr, o->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, o->addr, o->len, o->prot);
		break;
	case OP_MREMAP:
		p = (void *)syscall(SYS_mremap, o->addr, o->len, o->len2, o->flags, o->addr2);
		if (p == MAP_FAILED)
			return -errno;
		if (!in_window((unsigned long)p, o->len2)) {
			syscall(SYS_munmap, p, o->len2);
			return OUTSIDE;
		}
		return (long)p;
	case OP_MADVISE:
		r = syscall(SYS_madvise, o->addr, o->len, o->flags);
		break;
	case OP_MLOCK:
		r = syscall(SYS_mlock, o->addr, o->len);
		break;
	case OP_MUNLOCK:
		r = syscall(SYS_munlock, o->addr, o->len);
		break;
	case OP_WRITE:
	case OP_READ:
		return host_access(o, val);
	default:
		return -EINVAL;
	}
	return r < 0 ? -errno : r;
}

/* Run @ops in a child; results in the shared @res. */
static void run_host(const struct op *ops, int n, struct result *res, bool smaps_each_op,
		     bool smaps_last)
{
	pid_t pid = fork();
	int status, i;

	ASSERT(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { MEMLOCK, MEMLOCK };
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = host_segv;
		sa.sa_flags = SA_NODEFER | SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		munmap((void *)WIN, WIN_PAGES * PG);
		setrlimit(RLIMIT_MEMLOCK, &rl);
		if (setuid(65534))	/* unprivileged, as the simulated process */
			_exit(2);
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
				res[i].ret = host_op(&ops[i], &res[i].value);
			}
			host_window(&res[i], smaps_each_op || (smaps_last && i == n - 1));
		}
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "host child status %#x", status);
}

/* --- vmsim side ----------------------------------------------------------- */

static void sim_window(struct machine *m, int pid, char *maps, char *smaps, bool with_smaps)
{
	char *text = vmsim_proc_pid_read(m, pid, "maps");

	ASSERT_NOT_NULL(text);
	ASSERT(window_blocks(text, maps, MAPS_MAX));
	free(text);
	smaps[0] = 0;
	if (!with_smaps)
		return;
	text = vmsim_proc_pid_read(m, pid, "smaps");
	ASSERT_NOT_NULL(text);
	ASSERT(window_blocks(text, smaps, SMAPS_MAX));
	free(text);
}

/*
 * An access the host saw fault: made by a fork of the simulated process
 * (@fork_of) when the host's forked probe faulted, else (the process
 * itself faulted on the host) by the process, which then dies and ends
 * the sequence.  Either must be killed by SIGSEGV with the host's si_code.
 */
static long sim_faulting_access(struct machine *m, int pid, int fork_of, const struct op *o,
				long base)
{
	struct vmsim_task_info info;
	uint64_t v = o->value;
	int who = fork_of ? vmsim_fork(m, fork_of) : pid, r;

	ASSERT_CMP(who, >, 0);
	r = o->kind == OP_WRITE ? vmsim_write(m, who, o->addr, &v, sizeof(v))
				: vmsim_read(m, who, o->addr, &v, sizeof(v));
	if (r != VMSIM_KILLED) {
		if (fork_of)
			vmsim_exit(m, who);
		return r;
	}
	ASSERT_EQ(vmsim_task_info(m, who, &info), 0);
	ASSERT_EQ(info.addr, o->addr);
	return info.signo == SIGSEGV ? base - info.code : base + info.signo;
}

static long sim_op(struct machine *m, int pid, const struct op *o, const struct result *host,
		   uint64_t *val)
{
	long r;

	switch (o->kind) {
	case OP_MMAP:
		r = vmsim_mmap(m, pid, o->addr, o->len, o->prot, o->flags, -1, 0);
		if (r >= 0 && !in_window((unsigned long)r, o->len)) {
			vmsim_munmap(m, pid, (unsigned long)r, o->len);
			return OUTSIDE;
		}
		return r;
	case OP_MUNMAP:
		return vmsim_munmap(m, pid, o->addr, o->len);
	case OP_MPROTECT:
		return vmsim_mprotect(m, pid, o->addr, o->len, o->prot);
	case OP_MREMAP:
		r = vmsim_mremap(m, pid, o->addr, o->len, o->len2, o->flags, o->addr2);
		if (r >= 0 && !in_window((unsigned long)r, o->len2)) {
			vmsim_munmap(m, pid, (unsigned long)r, o->len2);
			return OUTSIDE;
		}
		return r;
	case OP_MADVISE:
		return vmsim_madvise(m, pid, o->addr, o->len, o->flags);
	case OP_MLOCK:
		return vmsim_mlock(m, pid, o->addr, o->len);
	case OP_MUNLOCK:
		return vmsim_munlock(m, pid, o->addr, o->len);
	case OP_WRITE:
	case OP_READ:
		if (IS_FAULT(host->ret, FAULT))
			return sim_faulting_access(m, pid, pid, o, FAULT);
		if (IS_FAULT(host->ret, FAULT_LATE))
			return sim_faulting_access(m, pid, 0, o, FAULT_LATE);
		if (o->kind == OP_WRITE)
			return vmsim_write(m, pid, o->addr, &o->value, sizeof(o->value));
		return vmsim_read(m, pid, o->addr, val, sizeof(*val));
	}
	return -EINVAL;
}

static const char *const op_names[NR_OPS] = {
	"mmap", "munmap", "mprotect", "mremap", "madvise", "mlock", "munlock", "write", "read",
	"fork",
};

static void dump_ops(const struct op *ops, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  %2d %-8s addr=%#lx len=%#lx len2=%#lx addr2=%#lx prot=%d flags=%#x\n",
			i, op_names[ops[i].kind], ops[i].addr, ops[i].len, ops[i].len2, ops[i].addr2,
			ops[i].prot, ops[i].flags);
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

/*
 * Reading the host's smaps is slow (the test process's own mappings, ASan's
 * among them, are many): smaps is compared after the last call of every
 * SMAPS_EVERY-th sequence, or after every call with @smaps_each_op.
 */
static void run_sequences(uint64_t seed, int count, bool smaps_each_op)
{
	struct result *host = mmap(NULL, sizeof(struct result) * MAX_OPS, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct machine *m = test_boot("ram=64M paging=x86_64");
	char maps[MAPS_MAX], *smaps = malloc(SMAPS_MAX);
	int late_faults = 0;

	ASSERT(host != MAP_FAILED && smaps);
	host_fault_code = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT(host_fault_code != MAP_FAILED);
	for (int seq = 0; seq < count; seq++) {
		struct op ops[MAX_OPS];
		int n = 2 + (int)(rnd(&seed) % (MAX_OPS - 1)), pid;

		for (int i = 0; i < n; i++) {
			if (i == 0 || (i == 1 && rnd(&seed) % 2))
				gen_setup_op(&seed, &ops[i]);
			else
				gen_op(&seed, &ops[i]);
		}
		bool smaps_last = smaps_each_op || seq % SMAPS_EVERY == 0;

		run_host(ops, n, host, smaps_each_op, smaps_last);
		pid = vmsim_spawn(m);
		ASSERT_CMP(pid, >, 0);
		ASSERT_EQ(vmsim_setrlimit(m, pid, 8 /* RLIMIT_MEMLOCK */, MEMLOCK, MEMLOCK), 0);
		/*
		 * Linux since 4.20 grows a stack on any access below it (within the
		 * guard gap and RLIMIT_STACK), wherever the stack pointer is; vmsim
		 * applies 2.4's "not far below %sp" check only when the task has
		 * a stack pointer, so give it none.
		 */
		ASSERT_EQ(vmsim_set_sp(m, pid, 0), 0);
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
				r = sim_op(m, pid, &ops[i], &host[i], &val);
			}

			if (IS_FAULT(host[i].ret, FAULT_LATE)) {
				/* both processes took the fault themselves: the simulated one died */
				if (r != host[i].ret)
					dump_ops(ops, n);
				ASSERT_EQ(r, host[i].ret);
				late_faults++;
				break;
			}
			sim_window(m, pid, maps, smaps, smaps_each_op || (smaps_last && i == n - 1));
			if (r != host[i].ret || strcmp(maps, host[i].maps) ||
			    strcmp(smaps, host[i].smaps) ||
			    (ops[i].kind == OP_READ && r == 0 && val != host[i].value)) {
				fprintf(stderr, "sequence %d differs at op %d:\n", seq, i);
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
	run_sequences(20240601, DIFF_SEQS, false);
}

TEST(diff_host_long)
{
	const char *n = getenv("VMSIM_DIFF_LONG"), *s = getenv("VMSIM_DIFF_SEED");

	if (!n)
		return;
	run_sequences(s ? strtoull(s, NULL, 0) : 1, atoi(n), getenv("VMSIM_DIFF_SMAPS") != NULL);
}
