/*
 * Several CPUs from the public API, one host thread running them in turn
 * (serial=on, as the script session): sched_setaffinity says which CPU
 * runs a task's calls; each call that changes a mapping (munmap,
 * mprotect, mremap, madvise DONTNEED, COW breaking, reclaim) on CPU 0
 * shoots down CPU 1, where a thread of the same mm keeps translations: its
 * TLB loses them at once, the IPI is counted as CPU 1's, and CPU 1's next
 * access through the old address faults or sees the new page.  Also the
 * /proc/interrupts line and `show tlb`'s text.
 */
#include <stdlib.h>
#include <string.h>
#include "swaptest.h"
#include "hw/tlb.h"
#include "vmsim/stats.h"
#include "vmsim/swap.h"

#define SRW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define SANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED)
#define SADDR	0x10000000UL
#define SPAGES	4

struct smp {
	struct machine *m;
	int a, t;			/* A on CPU 0, its thread T on CPU 1 */
};

static uint64_t cpu_event(struct machine *m, int cpu, const char *name)
{
	for (int i = 0; i < vmsim_vmstat_count(); i++)
		if (!strcmp(vmsim_vmstat_name(i), name))
			return vmsim_vmstat_cpu_value(m, cpu, i);
	ASSERT_MSG(0, "no counter %s", name);
	return 0;
}

static bool cpu1_caches(struct smp *s, unsigned long addr)
{
	return tlb_probe(s->m->hw.cpu[1].tlb, addr, false);
}

/* A with SPAGES written pages at SADDR, T its thread on CPU 1 having read them. */
static void smp_begin(struct smp *s, const char *opts)
{
	char buf[SPAGES];

	s->m = test_boot(opts);
	vmsim_cpu_detach();	/* tasks pick their CPUs */
	s->a = vmsim_spawn(s->m);
	ASSERT_EQ(vmsim_mmap(s->m, s->a, SADDR, SPAGES * PAGE_SIZE, SRW, SANON, -1, 0), (long)SADDR);
	pattern_write(s->m, s->a, SADDR, SPAGES, 7);
	s->t = vmsim_clone_thread(s->m, s->a);
	ASSERT(s->t > 0);
	ASSERT_EQ(vmsim_sched_setaffinity(s->m, s->t, 1UL << 1), 0);
	for (int i = 0; i < SPAGES; i++)
		ASSERT_EQ(vmsim_read(s->m, s->t, SADDR + i * PAGE_SIZE, buf, 1), 0);
	for (int i = 0; i < SPAGES; i++)
		ASSERT(cpu1_caches(s, SADDR + i * PAGE_SIZE));
}

/* Every process gone (then the accounting is exact), and the machine down. */
static void smp_end(struct smp *s, int other)
{
	vmsim_exit_group(s->m, s->a);
	if (other)
		vmsim_exit_group(s->m, other);
	test_shutdown(s->m);
}

/* T, on CPU 1, was killed by SIGSEGV with @code at @addr. */
static void expect_segv(struct smp *s, int code, unsigned long addr)
{
	struct vmsim_task_info i;

	ASSERT_EQ(vmsim_task_info(s->m, s->t, &i), 0);
	ASSERT(!i.alive);
	ASSERT_EQ(i.signo, 11);
	ASSERT_EQ(i.code, code);
	ASSERT_EQ(i.addr, addr);
}

TEST(smp_affinity_errno_and_inheritance)
{
	struct smp s;
	int c;

	smp_begin(&s, "ram=32M cpus=2 serial=on");
	ASSERT_EQ(vmsim_sched_setaffinity(s.m, s.a, 0), -EINVAL);
	ASSERT_EQ(vmsim_sched_setaffinity(s.m, s.a, 1UL << 2), -EINVAL);	/* no CPU 2 */
	ASSERT_EQ(vmsim_sched_setaffinity(s.m, 999, 1), -ESRCH);
	ASSERT_EQ(vmsim_sched_getaffinity(s.m, s.a), 3);
	ASSERT_EQ(vmsim_sched_getaffinity(s.m, s.t), 2);
	/* bits past the machine's CPUs are dropped, as Linux's online mask */
	ASSERT_EQ(vmsim_sched_setaffinity(s.m, s.a, ~0UL), 0);
	ASSERT_EQ(vmsim_sched_getaffinity(s.m, s.a), 3);
	c = vmsim_fork(s.m, s.t);
	ASSERT(c > 0);
	ASSERT_EQ(vmsim_sched_getaffinity(s.m, c), 2);
	/* the child's first access ran on CPU 1: its mm is loaded there now */
	ASSERT_EQ(pattern_check(s.m, c, SADDR, SPAGES, 7), 0);
	ASSERT(s.m->tasks->lazy_mm[1] != s.m->tasks->lazy_mm[0]);
	smp_end(&s, c);
}

TEST(smp_munmap_shoots_down_other_cpu)
{
	struct smp s;
	uint64_t recv, sent;
	char *text;

	smp_begin(&s, "ram=32M cpus=2 serial=on");
	recv = cpu_event(s.m, 1, "nr_tlb_remote_flush_received");
	sent = cpu_event(s.m, 0, "nr_tlb_remote_flush");
	ASSERT_EQ(vmsim_munmap(s.m, s.a, SADDR, 2 * PAGE_SIZE), 0);
	ASSERT_EQ(cpu_event(s.m, 1, "nr_tlb_remote_flush_received"), recv + 1);
	ASSERT_EQ(cpu_event(s.m, 0, "nr_tlb_remote_flush"), sent + 1);
	ASSERT(!cpu1_caches(&s, SADDR));
	text = vmsim_proc_read(s.m, "interrupts");
	ASSERT_NOT_NULL(text);
	{
		char want[256];

		snprintf(want, sizeof(want), "%11sCPU0       CPU1       \nTLB: %10llu %10llu   "
			 "TLB shootdowns\n", "",
			 (unsigned long long)cpu_event(s.m, 0, "nr_tlb_remote_flush_received"),
			 (unsigned long long)recv + 1);
		ASSERT_STREQ(text, want);
	}
	free(text);
	text = vmsim_tlb_describe(s.m, 1);
	ASSERT_NOT_NULL(text);
	ASSERT(!strncmp(text, "cpu 1: 64 entries, 4-way, 0 valid; mm of pid 1 loaded\n", 55));
	free(text);
	text = vmsim_tlb_describe(s.m, 2);
	ASSERT_NULL(text);
	ASSERT_EQ(errno, EINVAL);
	/* the rest is still T's; the unmapped part faults on CPU 1 */
	ASSERT_EQ(pattern_check_at(s.m, s.t, SADDR, 2, 2, 7), 0);
	ASSERT_EQ(vmsim_write(s.m, s.t, SADDR, "x", 1), VMSIM_KILLED);
	expect_segv(&s, 1, SADDR);
	smp_end(&s, 0);
}

TEST(smp_tlb_describe_lists_entries)
{
	struct smp s;
	char *text;

	smp_begin(&s, "ram=32M cpus=2 serial=on");
	text = vmsim_tlb_describe(s.m, 1);
	ASSERT_NOT_NULL(text);
	ASSERT(strstr(text, "4 valid; mm of pid 1 loaded\n  virtual            frame    flags\n"));
	ASSERT(strstr(text, "  0x0000000010000000 "));
	ASSERT(strstr(text, "  0x0000000010003000 "));
	/* A's writes left the PTEs dirty: T's writes would hit too */
	ASSERT(strstr(text, "  0x0000000010000000 ") && strstr(text, " rw user nx\n"));
	ASSERT(!strstr(text, " r- "));
	free(text);
	smp_end(&s, 0);
}

TEST(smp_mprotect_shoots_down_other_cpu)
{
	struct smp s;
	uint64_t recv;

	smp_begin(&s, "ram=32M cpus=2 serial=on");
	ASSERT_EQ(vmsim_write(s.m, s.t, SADDR, "w", 1), 0);	/* a writable entry on CPU 1 */
	ASSERT(tlb_probe(s.m->hw.cpu[1].tlb, SADDR, true));
	recv = cpu_event(s.m, 1, "nr_tlb_remote_flush_received");
	ASSERT_EQ(vmsim_mprotect(s.m, s.a, SADDR, SPAGES * PAGE_SIZE, VMSIM_PROT_READ), 0);
	ASSERT(cpu_event(s.m, 1, "nr_tlb_remote_flush_received") > recv);
	ASSERT(!tlb_probe(s.m->hw.cpu[1].tlb, SADDR, true));
	ASSERT_EQ(vmsim_write(s.m, s.t, SADDR, "y", 1), VMSIM_KILLED);
	expect_segv(&s, 2, SADDR);
	smp_end(&s, 0);
}

TEST(smp_mremap_shoots_down_other_cpu)
{
	struct smp s;
	unsigned long to = 0x20000000UL;

	smp_begin(&s, "ram=32M cpus=2 serial=on");
	ASSERT_EQ(vmsim_mremap(s.m, s.a, SADDR, SPAGES * PAGE_SIZE, SPAGES * PAGE_SIZE,
			       VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, to), (long)to);
	for (int i = 0; i < SPAGES; i++)
		ASSERT(!cpu1_caches(&s, SADDR + i * PAGE_SIZE));
	ASSERT_EQ(pattern_check(s.m, s.t, to, SPAGES, 7), 0);
	ASSERT_EQ(vmsim_write(s.m, s.t, SADDR + PAGE_SIZE, "z", 1), VMSIM_KILLED);
	expect_segv(&s, 1, SADDR + PAGE_SIZE);
	smp_end(&s, 0);
}

TEST(smp_madvise_dontneed_shoots_down_other_cpu)
{
	struct smp s;
	char buf[8], zero[8] = { 0 };

	smp_begin(&s, "ram=32M cpus=2 serial=on");
	ASSERT_EQ(vmsim_madvise(s.m, s.a, SADDR, SPAGES * PAGE_SIZE, VMSIM_MADV_DONTNEED), 0);
	ASSERT(!cpu1_caches(&s, SADDR));
	/* a fresh zero page, not the freed frame through a stale entry */
	ASSERT_EQ(vmsim_read(s.m, s.t, SADDR + 2 * PAGE_SIZE, buf, sizeof(buf)), 0);
	ASSERT_EQ(memcmp(buf, zero, sizeof(buf)), 0);
	smp_end(&s, 0);
}

TEST(smp_cow_break_shoots_down_other_cpu)
{
	struct smp s;
	char buf[4];
	int b;

	smp_begin(&s, "ram=32M cpus=2 serial=on");
	b = vmsim_fork(s.m, s.a);		/* on CPU 0: A's PTEs write-protected */
	ASSERT(b > 0);
	ASSERT_EQ(vmsim_read(s.m, s.t, SADDR, buf, 1), 0);	/* CPU 1 caches the shared frame */
	ASSERT(cpu1_caches(&s, SADDR));
	ASSERT_EQ(vmsim_write(s.m, s.a, SADDR, "new!", 4), 0);	/* COW break on CPU 0 */
	ASSERT(!cpu1_caches(&s, SADDR));
	ASSERT_EQ(vmsim_read(s.m, s.t, SADDR, buf, 4), 0);
	ASSERT_EQ(memcmp(buf, "new!", 4), 0);
	ASSERT_EQ(pattern_check(s.m, b, SADDR, SPAGES, 7), 0);	/* B keeps the old page */
	/* and T's store lands in A's new page, not the one B still maps */
	ASSERT_EQ(vmsim_write(s.m, s.t, SADDR, "T", 1), 0);
	ASSERT_EQ(vmsim_read(s.m, s.a, SADDR, buf, 4), 0);
	ASSERT_EQ(memcmp(buf, "Tew!", 4), 0);
	ASSERT_EQ(pattern_check(s.m, b, SADDR, SPAGES, 7), 0);
	smp_end(&s, b);
}

TEST(smp_reclaim_shoots_down_other_cpu)
{
	struct smp s;
	uint64_t recv;

	smp_begin(&s, "ram=32M cpus=2 serial=on swap=8M");
	recv = cpu_event(s.m, 1, "nr_tlb_remote_flush_received");
	ASSERT(vmsim_shrink_memory(s.m) >= SPAGES);
	ASSERT(cpu_event(s.m, 1, "nr_tlb_remote_flush_received") > recv);
	for (int i = 0; i < SPAGES; i++)
		ASSERT(!cpu1_caches(&s, SADDR + i * PAGE_SIZE));
	ASSERT_EQ(pattern_check(s.m, s.t, SADDR, SPAGES, 7), 0);	/* swapped back in */
	smp_end(&s, 0);
}

/* Without serial, the IPI waits for CPU 1's next access: counted then. */
TEST(smp_ipi_taken_at_next_access_when_not_serial)
{
	struct smp s;
	uint64_t recv;
	char buf[1];

	smp_begin(&s, "ram=32M cpus=2");
	recv = cpu_event(s.m, 1, "nr_tlb_remote_flush_received");
	ASSERT_EQ(vmsim_munmap(s.m, s.a, SADDR, PAGE_SIZE), 0);
	ASSERT(tlb_ipi_pending(s.m->hw.cpu[1].tlb));
	ASSERT_EQ(cpu_event(s.m, 1, "nr_tlb_remote_flush_received"), recv);
	ASSERT_EQ(vmsim_read(s.m, s.t, SADDR + PAGE_SIZE, buf, 1), 0);
	ASSERT(!tlb_ipi_pending(s.m->hw.cpu[1].tlb));
	ASSERT_EQ(cpu_event(s.m, 1, "nr_tlb_remote_flush_received"), recv + 1);
	ASSERT_EQ(vmsim_write(s.m, s.t, SADDR, "x", 1), VMSIM_KILLED);
	expect_segv(&s, 1, SADDR);
	smp_end(&s, 0);
}
