/*
 * The TLB's L0 (the direct-mapped index in front of the set-associative
 * array) and user-mode runs (struct mmu_run): the L0 only ever holds
 * entries the array holds, so it changes no hit or miss; a run counts its
 * hits when it ends, takes faults inside, and is shot down by another CPU
 * at its next access (the stress test runs under TSan).
 */
#include <pthread.h>
#include "memtest.h"

static int run_load(unsigned long addr, uint64_t *v)
{
	struct mmu_run r;
	int err;

	mmu_run_begin(&r);
	err = mmu_run_load64(&r, addr, v);
	mmu_run_end(&r);
	return err;
}

TEST(tlb_l0_mirrors_the_array)
{
	struct memtest t;
	struct tlb *tlb;
	unsigned long a, miss;
	uint64_t v;

	/* 8 entries, 2 ways: pages 4 apart share a set, and the L0 has 64 slots */
	memtest_begin(&t, "ram=32M paging=x86_64 tlb=8 tlbways=2");
	tlb = this_cpu()->hw->tlb;
	a = memtest_mmap(&t, 0, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	for (int i = 0; i < 16; i++) {
		ASSERT_EQ(mmu_user_store64(a + i * PAGE_SIZE, (uint64_t)i), 0);
		ASSERT(tlb_l0_is_valid(tlb));
	}
	ASSERT_EQ(tlb_valid_entries(tlb), 8);
	/* pages 0-7 were replaced in the array: the L0 must not hit them either */
	miss = ev(t.m, TLB_MISS);
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(mmu_user_load64(a + i * PAGE_SIZE, &v), 0);
		ASSERT_EQ(v, (uint64_t)i);
		ASSERT(tlb_l0_is_valid(tlb));
	}
	ASSERT_EQ(ev(t.m, TLB_MISS) - miss, 8);
	/* invlpg drops the copy too */
	flush_tlb_page(find_vma(t.mm, a), a + 7 * PAGE_SIZE);
	ASSERT(tlb_l0_is_valid(tlb));
	miss = ev(t.m, TLB_MISS);
	ASSERT_EQ(mmu_user_load64(a + 7 * PAGE_SIZE, &v), 0);
	ASSERT_EQ(ev(t.m, TLB_MISS) - miss, 1);
	/* a cr3 reload empties both */
	flush_tlb_mm(t.mm);
	ASSERT_EQ(tlb_valid_entries(tlb), 0);
	ASSERT(tlb_l0_is_valid(tlb));
	memtest_end(&t);
}

TEST(tlb_l0_write_needs_a_dirty_entry)
{
	struct memtest t;
	struct tlb *tlb;
	unsigned long a;
	uint64_t v;
	ptep_t p;

	memtest_begin(&t, "ram=32M paging=i386");
	tlb = this_cpu()->hw->tlb;
	a = memtest_mmap(&t, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
	ASSERT_EQ(mmu_user_store64(a, 1), 0);
	p = pgt_walk(t.mm, a);
	ASSERT(ptep_test_and_clear_dirty(p));
	pte_unmap(p);
	flush_tlb_range(t.mm, a, a + PAGE_SIZE);
	/* a read fills a clean entry: the store after it must walk and set Dirty */
	ASSERT_EQ(mmu_user_load64(a, &v), 0);
	ASSERT_EQ(v, 1);
	ASSERT(!(memtest_pte(&t, a) & _PAGE_DIRTY));
	ASSERT_EQ(mmu_user_store64(a, 2), 0);
	ASSERT(memtest_pte(&t, a) & _PAGE_DIRTY);
	ASSERT(tlb_l0_is_valid(tlb));
	memtest_end(&t);
}

TEST(tlb_l0_misaligned_and_supervisor_accesses_miss)
{
	struct memtest t;
	struct page *page;
	unsigned long a, kaddr, hit;
	uint64_t v;

	memtest_begin(&t, "ram=32M paging=pae");
	a = memtest_mmap(&t, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(mmu_user_store64(a, 0x1122334455667788ULL), 0);
	ASSERT_EQ(mmu_user_store64(a + PAGE_SIZE, 0x99aabbccddeeff00ULL), 0);
	/* unaligned, and across the page boundary: the bytes of both pages */
	ASSERT_EQ(mmu_user_load64(a + 1, &v), 0);
	ASSERT_EQ(v, 0x0011223344556677ULL);
	ASSERT_EQ(mmu_user_store64(a + PAGE_SIZE - 4, 0xa1a2a3a4b1b2b3b4ULL), 0);
	ASSERT_EQ(run_load(a + PAGE_SIZE - 4, &v), 0);
	ASSERT_EQ(v, 0xa1a2a3a4b1b2b3b4ULL);
	ASSERT_EQ(run_load(a + PAGE_SIZE, &v), 0);
	ASSERT_EQ(v, 0x99aabbcca1a2a3a4ULL);
	/* a kernel page cached by a kernel access: a user access to it faults */
	page = alloc_page(GFP_KERNEL);
	kaddr = PAGE_OFFSET_OF(t.m) + page_to_phys(page);
	ASSERT_EQ(mmu_kernel_read(&v, kaddr, 8), 0);
	ASSERT(tlb_probe(this_cpu()->hw->tlb, kaddr, false));
	hit = ev(t.m, TLB_HIT);
	ASSERT_EQ(mmu_user_load64(kaddr, &v), -EFAULT);
	ASSERT_EQ(ev(t.m, TLB_HIT), hit);
	ASSERT_EQ(t.task.pending_signal, SIGSEGV);
	t.task.pending_signal = 0;
	__free_page(page);
	memtest_end(&t);
}

TEST(tlb_run_counts_hits_when_it_ends)
{
	struct memtest t;
	struct mmu_run r;
	unsigned long a, hit, miss;
	uint64_t v, sum = 0;

	memtest_begin(&t, "ram=32M paging=x86_64");
	a = memtest_mmap(&t, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(mmu_user_store64(a, 5), 0);
	hit = ev(t.m, TLB_HIT);
	miss = ev(t.m, TLB_MISS);
	mmu_run_begin(&r);
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(mmu_run_store64(&r, a + 8 * (i % 512), (uint64_t)i), 0);
		ASSERT_EQ(mmu_run_load64(&r, a + 8 * (i % 512), &v), 0);
		sum += v;
	}
	/* counted only when the run ends */
	ASSERT_EQ(ev(t.m, TLB_HIT), hit);
	mmu_run_end(&r);
	ASSERT_EQ(sum, 99 * 100 / 2);
	ASSERT_EQ(ev(t.m, TLB_HIT) - hit, 200);
	ASSERT_EQ(ev(t.m, TLB_MISS), miss);
	memtest_end(&t);
}

TEST(tlb_run_takes_faults_inside)
{
	struct memtest t;
	struct mmu_run r;
	unsigned long a, miss, faults;
	uint64_t v;

	memtest_begin(&t, "ram=32M paging=x86_64");
	a = memtest_mmap(&t, 0, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(do_mprotect(t.mm, a + 7 * PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	miss = ev(t.m, TLB_MISS);
	faults = ev(t.m, PGFAULT);
	mmu_run_begin(&r);
	/* demand paging: a fault per page, then hits */
	for (int i = 0; i < 7; i++)
		for (int j = 0; j < 4; j++)
			ASSERT_EQ(mmu_run_store64(&r, a + i * PAGE_SIZE + 8 * j, (uint64_t)(i * 4 + j)),
				  0);
	/* the read-only page reads (zero page) but does not take a store */
	ASSERT_EQ(mmu_run_load64(&r, a + 7 * PAGE_SIZE, &v), 0);
	ASSERT_EQ(v, 0);
	ASSERT_EQ(mmu_run_store64(&r, a + 7 * PAGE_SIZE, 1), -EFAULT);
	mmu_run_end(&r);
	ASSERT_EQ(t.task.pending_signal, SIGSEGV);
	ASSERT_EQ(t.task.pending_si_code, SEGV_ACCERR);
	ASSERT_EQ(t.task.pending_si_addr, a + 7 * PAGE_SIZE);
	t.task.pending_signal = 0;
	ASSERT(ev(t.m, PGFAULT) - faults >= 8);
	ASSERT(ev(t.m, TLB_MISS) - miss >= 8);
	for (int i = 0; i < 7; i++) {
		ASSERT_EQ(mmu_user_load64(a + i * PAGE_SIZE + 24, &v), 0);
		ASSERT_EQ(v, (uint64_t)(i * 4 + 3));
	}
	ASSERT(tlb_l0_is_valid(this_cpu()->hw->tlb));
	memtest_end(&t);
}

/* --- a run on CPU 1, flushes from CPU 0 ------------------------------------------ */

struct run_ctx {
	struct memtest *t;
	struct task_struct task;	/* a thread of t's process, on CPU 1 */
	unsigned long addr;
	int pages;
	atomic_int phase;		/* 0 start, 1 running */
	atomic_int stop;
	long faults, bad, rounds;
};

/* Run a thread of t's process (pid @pid) on CPU 1, and stop again. */
static void run_ctx_enter(struct run_ctx *c, int pid)
{
	vmsim_cpu_attach(c->t->m, 1);
	c->task = c->t->task;
	c->task.pid = pid;
	this_cpu()->curr = &c->task;
	switch_mm(this_cpu()->active_mm, c->t->mm, this_cpu());
}

static void run_ctx_leave(struct run_ctx *c)
{
	switch_mm(c->t->mm, c->t->m->init_mm, this_cpu());
	this_cpu()->curr = NULL;
	vmsim_cpu_detach();
}

/*
 * CPU 1 stays in ONE run for the whole test, storing and reading back
 * slots; CPU 0 zaps and re-protects the region under it.  A shootdown must
 * reach the run at its next access: a read returns what the run stored or
 * zero (the page was dropped), never a freed page's bytes.
 */
static void *run_writer(void *arg)
{
	struct run_ctx *c = arg;
	struct mmu_run r;
	uint64_t n = 0;

	run_ctx_enter(c, 4244);
	mmu_run_begin(&r);
	while (!atomic_load(&c->stop)) {
		for (int i = 0; i < c->pages; i++) {
			unsigned long slot = c->addr + (unsigned long)i * PAGE_SIZE + 8 * (n % 64);
			uint64_t want = (n << 8) | (uint64_t)i, got = ~0ULL;

			if (mmu_run_store64(&r, slot, want) || mmu_run_load64(&r, slot, &got)) {
				c->faults++;
				continue;
			}
			if (got != want && got != 0)
				c->bad++;
		}
		n++;
		atomic_store(&c->phase, 1);
	}
	mmu_run_end(&r);
	c->rounds = (long)n;
	run_ctx_leave(c);
	return NULL;
}

TEST(tlb_stress_run_shootdown)
{
	struct memtest t;
	struct run_ctx c;
	pthread_t th;
	unsigned long shoot;

	memtest_begin(&t, "ram=32M paging=x86_64 cpus=2");
	memset(&c, 0, sizeof(c));
	c.t = &t;
	c.pages = 8;
	c.addr = memtest_mmap(&t, 0, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS);
	shoot = ev(t.m, TLB_SHOOTDOWN);
	ASSERT_EQ(pthread_create(&th, NULL, run_writer, &c), 0);
	while (!atomic_load(&c.phase))
		sched_yield();
	for (int i = 0; i < 300; i++) {
		ASSERT_EQ(do_madvise(t.mm, c.addr + (i % 4) * PAGE_SIZE, 4 * PAGE_SIZE,
				     MADV_DONTNEED), 0);
		ASSERT_EQ(do_mprotect(t.mm, c.addr, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
		if (i % 50 == 0)
			sched_yield();
	}
	atomic_store(&c.stop, 1);
	pthread_join(th, NULL);
	ASSERT_EQ(c.bad, 0);
	ASSERT_EQ(c.faults, 0);
	ASSERT(c.rounds > 0);
	ASSERT(ev(t.m, TLB_SHOOTDOWN) > shoot);
	memtest_end(&t);
}

/*
 * Two CPUs fault the same fresh pages: whichever installs the PTE, the
 * other's MMU walk must see the frame as cleared before its store, and
 * every read returns a value one of them wrote, or zero after a zap.
 */
static void *run_twin(void *arg)
{
	struct run_ctx *c = arg;
	struct mmu_run r;
	uint64_t n = 0;

	run_ctx_enter(c, 4245);
	mmu_run_begin(&r);
	while (!atomic_load(&c->stop)) {
		for (int i = 0; i < c->pages; i++) {
			unsigned long slot = c->addr + (unsigned long)i * PAGE_SIZE + 8 * (n % 256);
			uint64_t got = ~0ULL;

			if (mmu_run_store64(&r, slot, (n << 8) | 1) || mmu_run_load64(&r, slot, &got)) {
				c->faults++;
				continue;
			}
			if (got != 0 && (got & 0xff) != 1 && (got & 0xff) != 2)
				c->bad++;
		}
		n++;
		atomic_store(&c->phase, 1);
	}
	mmu_run_end(&r);
	c->rounds = (long)n;
	run_ctx_leave(c);
	return NULL;
}

TEST(tlb_stress_two_cpus_fault_same_pages)
{
	struct memtest t;
	struct run_ctx c;
	pthread_t th;
	uint64_t n = 0;
	long bad = 0;

	memtest_begin(&t, "ram=32M paging=x86_64 cpus=2");
	memset(&c, 0, sizeof(c));
	c.t = &t;
	c.pages = 16;
	c.addr = memtest_mmap(&t, 0, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(pthread_create(&th, NULL, run_twin, &c), 0);
	while (!atomic_load(&c.phase))
		sched_yield();
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < c.pages; i++) {
			unsigned long slot = c.addr + (unsigned long)i * PAGE_SIZE + 8 * (n % 256);
			uint64_t got = ~0ULL;

			ASSERT_EQ(mmu_user_store64(slot, (n << 8) | 2), 0);
			ASSERT_EQ(mmu_user_load64(slot, &got), 0);
			if (got != 0 && (got & 0xff) != 1 && (got & 0xff) != 2)
				bad++;
		}
		n++;
		if (round % 4 == 0)
			ASSERT_EQ(do_madvise(t.mm, c.addr, 16 * PAGE_SIZE, MADV_DONTNEED), 0);
	}
	atomic_store(&c.stop, 1);
	pthread_join(th, NULL);
	ASSERT_EQ(bad, 0);
	ASSERT_EQ(c.bad, 0);
	ASSERT_EQ(c.faults, 0);
	memtest_end(&t);
}
