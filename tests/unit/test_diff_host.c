/*
 * Differential test against the host kernel: random short sequences of
 * mmap, munmap, mprotect, mremap, madvise, mlock/munlock, loads and stores
 * inside a 64-page window of the x86-64 layout, run as real system calls
 * in a forked child of this process and in a simulated process.  After
 * every step the return value, the errno, the /proc/PID/maps lines of the
 * window and the bytes read must agree.  The child drops root (setuid) so
 * RLIMIT_MEMLOCK applies to it as to the simulated, unprivileged process.
 * The host side makes raw system calls: the sanitizers' interceptors turn
 * mlock/munlock into no-ops.
 *
 * `make test` runs DIFF_SEQS sequences with a fixed seed; VMSIM_DIFF_LONG=N
 * runs N more with seed VMSIM_DIFF_SEED (default 1).
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
#define MAX_OPS		12
#define MAPS_MAX	3072
#define DIFF_SEQS	2000
#define MEMLOCK		(16 * PG)

enum op_kind { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MADVISE, OP_MLOCK,
	       OP_MUNLOCK, OP_WRITE, OP_READ, NR_OPS };

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
};

#define OUTSIDE	(-100000L)	/* a hinted mmap/mremap landed outside the window */
#define FAULT	(-100001L)	/* the access would fault (host: SIGSEGV) */

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
				     PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC };
	static const int advice[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
				      MADV_DONTNEED, MADV_DONTNEED };
	unsigned long page = rnd(s) % WIN_PAGES, npages = 1 + rnd(s) % 8;

	memset(o, 0, sizeof(*o));
	o->kind = (int)(rnd(s) % NR_OPS);
	if (o->kind == OP_MMAP && rnd(s) % 4 == 0)
		o->kind = OP_MMAP;
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
		break;
	case OP_MUNMAP:
		if (rnd(s) % 16 == 0)
			o->addr += 1;	/* EINVAL */
		break;
	case OP_MREMAP: {
		unsigned long np2 = 1 + rnd(s) % 8;

		o->len2 = np2 * PG;
		switch (rnd(s) % 3) {
		case 0: o->flags = 0; break;
		case 1: o->flags = MREMAP_MAYMOVE; break;
		default:
			o->flags = MREMAP_MAYMOVE | MREMAP_FIXED;
			o->addr2 = WIN + (rnd(s) % (WIN_PAGES - 8)) * PG;
			break;
		}
		if (o->flags == MREMAP_MAYMOVE)
			o->flags = 0;	/* a free search lands outside the window: keep it in */
		break;
	}
	case OP_MADVISE:
		o->flags = advice[rnd(s) % ARRAY_SIZE(advice)];
		break;
	case OP_WRITE:
	case OP_READ:
		o->addr += (rnd(s) % (PG / 8)) * 8;
		o->value = rnd(s);
		break;
	}
}

/* --- host side ----------------------------------------------------------- */

static sigjmp_buf host_jmp;

static void host_segv(int sig)
{
	(void)sig;
	siglongjmp(host_jmp, 1);
}

static void host_window_maps(char *out)
{
	char line[512];
	size_t n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start = strtoul(line, NULL, 16);

		if (start >= WIN && start < WIN + WIN_PAGES * PG && n + strlen(line) < MAPS_MAX) {
			strcpy(out + n, line);
			n += strlen(line);
		}
	}
	fclose(f);
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
		if (sigsetjmp(host_jmp, 1))
			return FAULT;
		*(volatile uint64_t *)o->addr = o->value;
		return 0;
	case OP_READ:
		if (sigsetjmp(host_jmp, 1))
			return FAULT;
		*val = *(volatile uint64_t *)o->addr;
		return 0;
	default:
		return -EINVAL;
	}
	return r < 0 ? -errno : r;
}

/* Run @ops in a child; results in the shared @res. */
static void run_host(const struct op *ops, int n, struct result *res)
{
	pid_t pid = fork();
	int status, i;

	ASSERT(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { MEMLOCK, MEMLOCK };
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = host_segv;
		sa.sa_flags = SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		munmap((void *)WIN, WIN_PAGES * PG);
		setrlimit(RLIMIT_MEMLOCK, &rl);
		if (setuid(65534))	/* unprivileged, as the simulated process */
			_exit(2);
		for (i = 0; i < n; i++) {
			res[i].value = 0;
			res[i].ret = host_op(&ops[i], &res[i].value);
			host_window_maps(res[i].maps);
		}
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* --- vmsim side ----------------------------------------------------------- */

static void sim_window_maps(struct machine *m, int pid, char *out)
{
	char *maps = vmsim_proc_pid_read(m, pid, "maps"), *line, *save = NULL;
	size_t n = 0;

	out[0] = 0;
	ASSERT_NOT_NULL(maps);
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long start = strtoul(line, NULL, 16);

		if (start >= WIN && start < WIN + WIN_PAGES * PG && n + strlen(line) + 1 < MAPS_MAX)
			n += (size_t)sprintf(out + n, "%s\n", line);
	}
	free(maps);
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
		return vmsim_mremap(m, pid, o->addr, o->len, o->len2, o->flags, o->addr2);
	case OP_MADVISE:
		return vmsim_madvise(m, pid, o->addr, o->len, o->flags);
	case OP_MLOCK:
		return vmsim_mlock(m, pid, o->addr, o->len);
	case OP_MUNLOCK:
		return vmsim_munlock(m, pid, o->addr, o->len);
	case OP_WRITE:
		/* a fault would kill the simulated task: the maps agree, so trust the host */
		if (host->ret == FAULT)
			return FAULT;
		return vmsim_write(m, pid, o->addr, &o->value, sizeof(o->value));
	case OP_READ:
		if (host->ret == FAULT)
			return FAULT;
		return vmsim_read(m, pid, o->addr, val, sizeof(*val));
	}
	return -EINVAL;
}

static const char *const op_names[NR_OPS] = {
	"mmap", "munmap", "mprotect", "mremap", "madvise", "mlock", "munlock", "write", "read",
};

static void dump_ops(const struct op *ops, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  %2d %-8s addr=%#lx len=%#lx len2=%#lx addr2=%#lx prot=%d flags=%#x\n",
			i, op_names[ops[i].kind], ops[i].addr, ops[i].len, ops[i].len2, ops[i].addr2,
			ops[i].prot, ops[i].flags);
}

static void run_sequences(uint64_t seed, int count)
{
	struct result *host = mmap(NULL, sizeof(struct result) * MAX_OPS, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct machine *m = test_boot("ram=64M paging=x86_64");
	char maps[MAPS_MAX];

	ASSERT(host != MAP_FAILED);
	for (int seq = 0; seq < count; seq++) {
		struct op ops[MAX_OPS];
		int n = 2 + (int)(rnd(&seed) % (MAX_OPS - 1)), pid;

		for (int i = 0; i < n; i++)
			gen_op(&seed, &ops[i]);
		run_host(ops, n, host);
		pid = vmsim_spawn(m);
		ASSERT_CMP(pid, >, 0);
		ASSERT_EQ(vmsim_setrlimit(m, pid, 8 /* RLIMIT_MEMLOCK */, MEMLOCK, MEMLOCK), 0);
		for (int i = 0; i < n; i++) {
			uint64_t val = 0;
			long r = sim_op(m, pid, &ops[i], &host[i], &val);

			sim_window_maps(m, pid, maps);
			if (r != host[i].ret || strcmp(maps, host[i].maps) ||
			    (ops[i].kind == OP_READ && r == 0 && val != host[i].value)) {
				fprintf(stderr, "sequence %d differs at op %d:\n", seq, i);
				dump_ops(ops, n);
				fprintf(stderr, "host ret %ld value %#llx maps:\n%s"
					"vmsim ret %ld value %#llx maps:\n%s", host[i].ret,
					(unsigned long long)host[i].value, host[i].maps, r,
					(unsigned long long)val, maps);
				ASSERT_EQ(r, host[i].ret);
				ASSERT_STREQ(maps, host[i].maps);
				ASSERT_EQ(val, host[i].value);
			}
		}
		ASSERT_EQ(vmsim_exit(m, pid), 0);
	}
	test_shutdown(m);
	munmap(host, sizeof(struct result) * MAX_OPS);
}

TEST(diff_host_vma_sequences)
{
	run_sequences(20240601, DIFF_SEQS);
}

TEST(diff_host_long)
{
	const char *n = getenv("VMSIM_DIFF_LONG"), *s = getenv("VMSIM_DIFF_SEED");

	if (!n)
		return;
	run_sequences(s ? strtoull(s, NULL, 0) : 1, atoi(n));
}
