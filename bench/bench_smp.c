/*
 * Several CPUs (issue 12 item 5), side by side in one run:
 *   (a) page faults: first writes to fresh anonymous memory, a store per
 *       page, by one process on one simulated CPU, then by two processes
 *       at once on two CPUs (two host threads); pages per second and the
 *       scaling ratio, against the host kernel doing the same with one and
 *       two host threads (two processes' worth: separate mappings);
 *   (b) munmap of populated memory, the same way;
 *   (c) a TLB shootdown: munmap of one page that a thread on another CPU
 *       has touched (its TLB holds the translation, so the unmap sends the
 *       invalidate IPI), against the host kernel's munmap of a page another
 *       host thread pinned to the other core has touched (a real IPI).
 * The "ratio" column is subject / peer as everywhere in bench/; the
 * scaling lines print the 2-CPU throughput over the 1-CPU one (2.0:
 * perfect), for vmsim and the host.  On a loaded host the scaling says
 * more about the load than about vmsim, so the load average is printed
 * beside it.  Measured twice at load 8.6-8.8 on 2 cores: fault scaling
 * vmsim 2.04x/0.78x, host 1.05x/1.14x; munmap vmsim 1.11x/1.17x, host
 * 1.06x/2.54x; a shootdown munmap 3.4-14 us against the host's 28-34 us.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include "bench.h"
#include "kern/sched.h"
#include "kern/mmu.h"
#include "vmsim/process.h"

#define SMP_AREA	(64UL << 20)
#define SMP_ROUNDS	3
#define SHOOT_ITERS	2000

static double smp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void pin_host(int core)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(core % CPU_SETSIZE, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* best effort: one core is fine */
}

/* --- one worker per CPU: vmsim or host, touch or munmap ------------------------ */

struct smp_worker {
	struct machine *m;	/* NULL: the host */
	int cpu, pid;
	unsigned long addr;	/* simulated address, or host pointer */
	bool unmap;		/* munmap the area instead of touching it */
	pthread_barrier_t *start;
	double t0, t1;		/* its own clock: the main thread may sleep meanwhile */
};

static void sim_touch_area(struct smp_worker *w)
{
	struct task_struct *t = find_get_task(w->m, w->pid);
	struct sim_cpu *saved;
	struct mmu_run r;
	bool dead;

	saved = task_enter(w->m, t, &dead);
	mmu_run_begin(&r);
	for (unsigned long off = 0; off < SMP_AREA; off += PAGE_SIZE)
		if (mmu_run_store64(&r, w->addr + off, off))
			abort();
	mmu_run_end(&r);
	task_leave(t, saved);
	put_task_struct(t);
}

static void *smp_worker_fn(void *arg)
{
	struct smp_worker *w = arg;
	if (w->m)
		vmsim_cpu_attach(w->m, w->cpu);
	else
		pin_host(w->cpu);
	pthread_barrier_wait(w->start);
	w->t0 = smp_now();
	if (w->m && w->unmap) {
		if (vmsim_munmap(w->m, w->pid, w->addr, SMP_AREA))
			abort();
	} else if (w->m) {
		sim_touch_area(w);
	} else if (w->unmap) {
		munmap((void *)w->addr, SMP_AREA);
	} else {
		for (unsigned long off = 0; off < SMP_AREA; off += 4096)
			*(volatile uint64_t *)(w->addr + off) = off;
	}
	w->t1 = smp_now();
	if (w->m)
		vmsim_cpu_detach();
	return NULL;
}

/* Wall time of @n workers doing @unmap at once (each on its own area): first start to last end. */
static double smp_run(struct smp_worker *w, int n, bool unmap)
{
	pthread_barrier_t start;
	pthread_t th[2];
	double t0 = 1e300, t1 = 0;

	pthread_barrier_init(&start, NULL, (unsigned int)n + 1);
	for (int i = 0; i < n; i++) {
		w[i].unmap = unmap;
		w[i].start = &start;
		if (pthread_create(&th[i], NULL, smp_worker_fn, &w[i]))
			abort();
	}
	pthread_barrier_wait(&start);
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		t0 = w[i].t0 < t0 ? w[i].t0 : t0;
		t1 = w[i].t1 > t1 ? w[i].t1 : t1;
	}
	pthread_barrier_destroy(&start);
	return t1 - t0;
}

static void smp_map(struct smp_worker *w)
{
	if (w->m) {
		long a = vmsim_mmap(w->m, w->pid, 0, SMP_AREA, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
				    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0);

		if (a <= 0)
			abort();
		w->addr = (unsigned long)a;
	} else {
		void *p = mmap(NULL, SMP_AREA, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			abort();
		w->addr = (unsigned long)p;
	}
}

/* Best-of-rounds nanoseconds per page for faults and munmap with @n workers. */
static void smp_measure(struct machine *m, const int *pids, int n, double *fault_ns,
			double *unmap_ns)
{
	struct smp_worker w[2];

	*fault_ns = *unmap_ns = 1e300;
	for (int r = 0; r < SMP_ROUNDS; r++) {
		double t;

		for (int i = 0; i < n; i++) {
			w[i] = (struct smp_worker){ .m = m, .cpu = i, .pid = m ? pids[i] : 0 };
			smp_map(&w[i]);
		}
		t = smp_run(w, n, false) / (double)(n * (SMP_AREA >> 12));
		*fault_ns = t < *fault_ns ? t : *fault_ns;
		t = smp_run(w, n, true) / (double)(n * (SMP_AREA >> 12));
		*unmap_ns = t < *unmap_ns ? t : *unmap_ns;
	}
}

static struct machine *smp_boot(int cpus)
{
	struct vmsim_config cfg;
	struct machine *m;

	vmsim_config_default(&cfg);
	cfg.ram_bytes = 512ULL << 20;
	cfg.cpus = cpus;
	m = vmsim_machine_create(&cfg);
	if (!m)
		abort();
#ifdef MADV_POPULATE_WRITE
	madvise(m->ram, m->ram_size, MADV_POPULATE_WRITE);	/* host faults are not vmsim's */
#endif
	return m;
}

BENCH(smp_fault_munmap_scaling)
{
	double sf[2], su[2], hf[2], hu[2];

	for (int n = 1; n <= 2; n++) {
		struct machine *m = smp_boot(n);
		int pids[2];

		for (int i = 0; i < n; i++) {
			pids[i] = vmsim_spawn(m);
			if (pids[i] <= 0 || vmsim_sched_setaffinity(m, pids[i], 1UL << i))
				abort();
		}
		smp_measure(m, pids, n, &sf[n - 1], &su[n - 1]);
		vmsim_machine_destroy(m);
		smp_measure(NULL, NULL, n, &hf[n - 1], &hu[n - 1]);
	}
	bench_report("smp_fault_1cpu_per_page", sf[0], "host_1thread", hf[0]);
	bench_report("smp_fault_2cpu_per_page", sf[1], "host_2threads", hf[1]);
	bench_report("smp_munmap_1cpu_per_page", su[0], "host_1thread", hu[0]);
	bench_report("smp_munmap_2cpu_per_page", su[1], "host_2threads", hu[1]);
	double load[1] = { -1 };

	getloadavg(load, 1);
	printf("%-34s vmsim %.2fx  host %.2fx  (2-CPU throughput / 1-CPU; 2.0 is perfect; "
	       "load average %.1f)\n", "smp scaling, page faults", sf[0] / sf[1], hf[0] / hf[1],
	       load[0]);
	printf("%-34s vmsim %.2fx  host %.2fx\n", "smp scaling, munmap", su[0] / su[1],
	       hu[0] / hu[1]);
}

/* --- (c) a shootdown ---------------------------------------------------------------- */

struct shoot {
	struct machine *m;	/* NULL: the host */
	int tid;		/* the thread on CPU 1 */
	_Atomic unsigned long page;	/* what to touch; 0: nothing yet */
	atomic_int seq, done, stop;
};

static void *shoot_toucher(void *arg)
{
	struct shoot *s = arg;
	int seen = 0;

	if (s->m)
		vmsim_cpu_attach(s->m, 1);
	else
		pin_host(1);
	while (!atomic_load(&s->stop)) {
		int q = atomic_load(&s->seq);
		unsigned long page = atomic_load(&s->page);

		if (q == seen) {
			sched_yield();
			continue;
		}
		if (s->m) {
			uint64_t v;

			if (vmsim_read(s->m, s->tid, page, &v, sizeof(v)))
				abort();
		} else {
			bench_keep(*(volatile uint64_t *)page);
		}
		seen = q;
		atomic_store(&s->done, q);
	}
	if (s->m)
		vmsim_cpu_detach();
	return NULL;
}

/* Mean nanoseconds of a munmap of one page the other CPU has just read. */
static double shoot_measure(struct shoot *s, int pid)
{
	pthread_t th;
	double total = 0;

	if (pthread_create(&th, NULL, shoot_toucher, s))
		abort();
	if (s->m)
		vmsim_cpu_attach(s->m, 0);
	else
		pin_host(0);
	for (int i = 1; i <= SHOOT_ITERS; i++) {
		unsigned long page;
		double t0;

		if (s->m) {
			long a = vmsim_mmap(s->m, pid, 0, 4096, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
					    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0);

			if (a <= 0 || vmsim_write(s->m, pid, (unsigned long)a, &i, sizeof(i)))
				abort();
			page = (unsigned long)a;
		} else {
			void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				abort();
			*(volatile int *)p = i;
			page = (unsigned long)p;
		}
		atomic_store(&s->page, page);
		atomic_store(&s->seq, i);
		while (atomic_load(&s->done) != i)
			sched_yield();
		t0 = smp_now();
		if (s->m ? vmsim_munmap(s->m, pid, page, 4096) : munmap((void *)page, 4096))
			abort();
		total += smp_now() - t0;
	}
	atomic_store(&s->stop, 1);
	pthread_join(th, NULL);
	if (s->m)
		vmsim_cpu_detach();
	return total / SHOOT_ITERS;
}

BENCH(smp_shootdown)
{
	struct shoot sim = { 0 }, host = { 0 };
	double sim_ns, host_ns;
	uint64_t before, after;
	cpu_set_t saved;
	int pid;

	/* shoot_measure pins this thread to core 0 for the host's side; later
	 * benchmarks (the sweep's -j 2 children inherit it) need both cores back */
	if (sched_getaffinity(0, sizeof(saved), &saved))
		CPU_ZERO(&saved);
	sim.m = smp_boot(2);
	pid = vmsim_spawn(sim.m);
	sim.tid = vmsim_clone_thread(sim.m, pid);
	if (pid <= 0 || sim.tid <= 0 || vmsim_sched_setaffinity(sim.m, sim.tid, 2))
		abort();
	before = atomic_load(&sim.m->cpu[0].events[TLB_SHOOTDOWN]);
	sim_ns = shoot_measure(&sim, pid);
	after = atomic_load(&sim.m->cpu[0].events[TLB_SHOOTDOWN]);
	vmsim_machine_destroy(sim.m);
	host_ns = shoot_measure(&host, 0);
	if (CPU_COUNT(&saved))
		sched_setaffinity(0, sizeof(saved), &saved);
	bench_report("smp_munmap_shootdown", sim_ns, "host_munmap_shootdown", host_ns);
	printf("%-34s %llu IPIs sent for %d munmaps\n", "smp shootdown check",
	       (unsigned long long)(after - before), SHOOT_ITERS);
}
