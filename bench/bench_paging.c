/*
 * Paging benchmarks (issue 4 item 10): vmsim's fault path, fork/COW,
 * munmap, mprotect and the TLB-hit load path, side by side with the host
 * kernel doing the same in the same run:
 *   (a) first write to 256 MiB of fresh anonymous memory, a store per page
 *   (b) fork of a process with 256 MiB touched, the child writes every page
 *   (c) munmap of 256 MiB populated
 *   (d) mprotect of 256 MiB populated, read-only and back
 *   (e) 8-byte loads through the TLB-hit path against native loads over
 *       the same-size buffer, sequential and random
 * (a)-(d) are reported per page, (e) per load.  The simulated process's
 * stores and loads are its own (mmu_user_store64/load64 in the task's
 * context, as a user instruction would run), not the per-call public API.
 * The host side runs first, before the machine's RAM exists, so the host's
 * fork copies no more than the benchmark's own mappings.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include "bench.h"
#include "kern/sched.h"
#include "kern/mmu.h"
#include "vmsim/process.h"

/* <sys/wait.h> brings <signal.h>, whose si_* names clash with kern/sched.h */
extern pid_t waitpid(pid_t pid, int *status, int options);

#define AREA		(256UL << 20)
#define NPAGES		(AREA >> 12)
#define ROUNDS		3
#define LOAD_PAGES	64		/* the default TLB's reach: 64 entries */
#define NLOADS		(16L << 20)

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double min_d(double a, double b)
{
	return a < b ? a : b;
}

/* --- the host ------------------------------------------------------------------- */

static char *host_map(void)
{
	char *p = mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	return p;
}

static void host_touch(char *p)
{
	for (unsigned long off = 0; off < AREA; off += 4096)
		*(volatile uint64_t *)(p + off) = off;
}

struct host_times {
	double first_write, fork_cow, munmap, mprotect;
};

static void host_measure(struct host_times *h)
{
	h->first_write = h->fork_cow = h->munmap = h->mprotect = 1e300;
	for (int r = 0; r < ROUNDS; r++) {
		char *p = host_map();
		double t0 = now_ns(), t1;
		pid_t pid;

		host_touch(p);
		h->first_write = min_d(h->first_write, now_ns() - t0);

		t0 = now_ns();
		if (mprotect(p, AREA, PROT_READ) || mprotect(p, AREA, PROT_READ | PROT_WRITE))
			abort();
		h->mprotect = min_d(h->mprotect, now_ns() - t0);

		t0 = now_ns();
		pid = fork();
		if (pid < 0)
			abort();
		if (pid == 0) {
			host_touch(p);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		t1 = now_ns();
		h->fork_cow = min_d(h->fork_cow, t1 - t0);

		t0 = now_ns();
		munmap(p, AREA);
		h->munmap = min_d(h->munmap, now_ns() - t0);
	}
}

/* --- vmsim ----------------------------------------------------------------------- */

struct sim {
	struct machine *m;
	int pid;
};

static void sim_boot(struct sim *s)
{
	struct vmsim_config cfg;

	vmsim_config_default(&cfg);
	cfg.ram_bytes = 1ULL << 30;
	s->m = vmsim_machine_create(&cfg);
	if (!s->m)
		abort();
	vmsim_cpu_attach(s->m, 0);
	/*
	 * The simulated RAM is host memory mapped on demand: back it all now
	 * (contents unchanged), as a real machine's RAM is there before the
	 * kernel touches it, so host page faults do not count as vmsim's.
	 */
#ifdef MADV_POPULATE_WRITE
	madvise(s->m->ram, s->m->ram_size, MADV_POPULATE_WRITE);
#endif
	s->pid = vmsim_spawn(s->m);
	if (s->pid <= 0)
		abort();
}

/* Run @fn in task @pid's context (its mm loaded, current = the task). */
static void in_task(struct machine *m, int pid, void (*fn)(void *), void *arg)
{
	struct task_struct *t = find_get_task(m, pid);
	struct sim_cpu *saved;
	bool dead;

	if (!t)
		abort();
	saved = task_enter(m, t, &dead);
	if (dead)
		abort();
	fn(arg);
	task_leave(t, saved);
	put_task_struct(t);
}

struct touch_arg {
	unsigned long addr;
	unsigned long len;
};

static void sim_touch_fn(void *arg)
{
	struct touch_arg *a = arg;

	for (unsigned long off = 0; off < a->len; off += PAGE_SIZE)
		if (mmu_user_store64(a->addr + off, off))
			abort();
}

static unsigned long sim_map(struct sim *s)
{
	long a = vmsim_mmap(s->m, s->pid, 0, AREA, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0);

	if (a <= 0)
		abort();
	return (unsigned long)a;
}

static void sim_measure(struct sim *s, struct host_times *v)
{
	v->first_write = v->fork_cow = v->munmap = v->mprotect = 1e300;
	/* one untimed pass: the host backs the simulated RAM on first touch */
	{
		struct touch_arg ta = { sim_map(s), AREA };

		in_task(s->m, s->pid, sim_touch_fn, &ta);
		vmsim_munmap(s->m, s->pid, ta.addr, AREA);
	}
	for (int r = 0; r < ROUNDS; r++) {
		struct touch_arg ta = { sim_map(s), AREA };
		double t0 = now_ns();
		int child;

		in_task(s->m, s->pid, sim_touch_fn, &ta);
		v->first_write = min_d(v->first_write, now_ns() - t0);

		t0 = now_ns();
		if (vmsim_mprotect(s->m, s->pid, ta.addr, AREA, VMSIM_PROT_READ) ||
		    vmsim_mprotect(s->m, s->pid, ta.addr, AREA, VMSIM_PROT_READ | VMSIM_PROT_WRITE))
			abort();
		v->mprotect = min_d(v->mprotect, now_ns() - t0);

		t0 = now_ns();
		child = vmsim_fork(s->m, s->pid);
		if (child <= 0)
			abort();
		in_task(s->m, child, sim_touch_fn, &ta);
		vmsim_exit(s->m, child);
		v->fork_cow = min_d(v->fork_cow, now_ns() - t0);

		t0 = now_ns();
		if (vmsim_munmap(s->m, s->pid, ta.addr, AREA))
			abort();
		v->munmap = min_d(v->munmap, now_ns() - t0);
	}
}

/* --- (e) loads ----------------------------------------------------------------- */

struct load_arg {
	unsigned long base;		/* simulated address, or host pointer */
	const uint32_t *order;		/* random word indices, NULL: sequential */
	long n;
	uint64_t sum;
};

#define WORDS	(LOAD_PAGES * 4096 / 8)

/* The loads as a user-mode run: the task's instructions between kernel entries. */
static void sim_run_loads_fn(void *arg)
{
	struct load_arg *a = arg;
	uint64_t sum = 0, v;
	struct mmu_run r;

	mmu_run_begin(&r);
	if (a->order) {
		for (long i = 0; i < a->n; i++) {
			if (mmu_run_load64(&r, a->base + ((unsigned long)a->order[i & (WORDS - 1)] << 3),
					   &v))
				abort();
			sum += v;
		}
	} else {
		for (long i = 0; i < a->n; i++) {
			if (mmu_run_load64(&r, a->base + ((unsigned long)(i & (WORDS - 1)) << 3), &v))
				abort();
			sum += v;
		}
	}
	mmu_run_end(&r);
	a->sum = sum;
}

/* The same loads as one-access calls, each with its own bracket and count. */
static void sim_loads_fn(void *arg)
{
	struct load_arg *a = arg;
	uint64_t sum = 0, v;

	if (a->order) {
		for (long i = 0; i < a->n; i++) {
			if (mmu_user_load64(a->base + ((unsigned long)a->order[i & (WORDS - 1)] << 3), &v))
				abort();
			sum += v;
		}
	} else {
		for (long i = 0; i < a->n; i++) {
			if (mmu_user_load64(a->base + ((unsigned long)(i & (WORDS - 1)) << 3), &v))
				abort();
			sum += v;
		}
	}
	a->sum = sum;
}

/* Word i of the buffer holds i, as the native buffer does. */
static void sim_fill_fn(void *arg)
{
	struct load_arg *a = arg;
	struct mmu_run r;

	mmu_run_begin(&r);
	for (unsigned long i = 0; i < WORDS; i++)
		if (mmu_run_store64(&r, a->base + (i << 3), i))
			abort();
	mmu_run_end(&r);
}

static void native_loads(struct load_arg *a)
{
	const volatile uint64_t *p = (const volatile uint64_t *)a->base;
	uint64_t sum = 0;

	if (a->order) {
		for (long i = 0; i < a->n; i++)
			sum += p[a->order[i & (WORDS - 1)]];
	} else {
		for (long i = 0; i < a->n; i++)
			sum += p[i & (WORDS - 1)];
	}
	a->sum = sum;
}

static void loads_bench(struct sim *s)
{
	uint32_t *order = malloc(WORDS * sizeof(*order));
	uint64_t *host = aligned_alloc(4096, LOAD_PAGES * 4096);
	unsigned long long seed = 42;
	long a = vmsim_mmap(s->m, s->pid, 0, LOAD_PAGES * 4096,
			    VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_POPULATE, -1, 0);

	if (!order || !host || a <= 0)
		abort();
	for (unsigned int i = 0; i < WORDS; i++) {
		order[i] = i;
		host[i] = i;
	}
	for (unsigned int i = WORDS - 1; i > 0; i--) {
		unsigned int j = (unsigned int)(bench_rand(&seed) % (i + 1)), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	{
		struct load_arg fa = { (unsigned long)a, NULL, 0, 0 };

		in_task(s->m, s->pid, sim_fill_fn, &fa);
	}
	for (int random = 0; random < 2; random++) {
		struct load_arg sa = { (unsigned long)a, random ? order : NULL, NLOADS, 0 };
		struct load_arg ca = sa;
		struct load_arg na = { (unsigned long)host, random ? order : NULL, NLOADS, 0 };
		double sbest = 1e300, cbest = 1e300, nbest = 1e300;

		for (int r = 0; r < ROUNDS + 1; r++) {
			double t0 = now_ns();

			in_task(s->m, s->pid, sim_run_loads_fn, &sa);
			if (r)
				sbest = min_d(sbest, now_ns() - t0);
			t0 = now_ns();
			in_task(s->m, s->pid, sim_loads_fn, &ca);
			if (r)
				cbest = min_d(cbest, now_ns() - t0);
			t0 = now_ns();
			native_loads(&na);
			if (r)
				nbest = min_d(nbest, now_ns() - t0);
		}
		if (sa.sum != na.sum || ca.sum != na.sum)
			abort();
		bench_keep(na.sum);
		bench_report(random ? "paging (e) load64 TLB hit, random" :
				      "paging (e) load64 TLB hit, sequential",
			     sbest / NLOADS, "native", nbest / NLOADS);
		bench_report(random ? "paging (e) load64 one-access call, random" :
				      "paging (e) load64 one-access call, sequential",
			     cbest / NLOADS, "native", nbest / NLOADS);
	}
	vmsim_munmap(s->m, s->pid, (unsigned long)a, LOAD_PAGES * 4096);
	free(order);
	free(host);
}

BENCH(paging)
{
	struct host_times h, v;
	struct sim s;

	host_measure(&h);
	sim_boot(&s);
	sim_measure(&s, &v);
	bench_report("paging (a) first write, per page", v.first_write / NPAGES, "host-kernel",
		     h.first_write / NPAGES);
	bench_report("paging (b) fork + child COW, per page", v.fork_cow / NPAGES, "host-kernel",
		     h.fork_cow / NPAGES);
	bench_report("paging (c) munmap populated, per page", v.munmap / NPAGES, "host-kernel",
		     h.munmap / NPAGES);
	bench_report("paging (d) mprotect RO and back, per page", v.mprotect / NPAGES,
		     "host-kernel", h.mprotect / NPAGES);
	loads_bench(&s);
	vmsim_exit(s.m, s.pid);
	vmsim_machine_destroy(s.m);
}
