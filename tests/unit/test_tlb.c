/*
 * The per-CPU TLB (hw/tlb.c, arch/x86/mm/tlb.c): hits and misses, the write-to-clean
 * slow path, flushes (page, range, mm, all; global entries), geometry and
 * replacement, switch_mm, and shootdowns between two simulated CPUs run by
 * two host threads (the stress test runs under TSan).
 */
#include <pthread.h>
#include "memtest.h"

TEST(tlb_hits_and_misses)
{
	struct memtest t;
	unsigned long a, hit, miss;
	uint64_t v;

	memtest_begin(&t, "ram=32M paging=x86_64");
	a = memtest_mmap(&t, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(mmu_user_store64(a, 9), 0);
	hit = ev(t.m, TLB_HIT);
	miss = ev(t.m, TLB_MISS);
	for (int i = 0; i < 10; i++) {
		ASSERT_EQ(mmu_user_load64(a + 8 * i, &v), 0);
		ASSERT_EQ(mmu_user_store64(a + 8 * i, v + 1), 0);
	}
	ASSERT_EQ(ev(t.m, TLB_HIT) - hit, 20);
	ASSERT_EQ(ev(t.m, TLB_MISS), miss);
	/* another page: one miss (read of untouched memory faults once, then hits) */
	ASSERT_EQ(mmu_user_load64(a + PAGE_SIZE, &v), 0);
	ASSERT_EQ(mmu_user_load64(a + PAGE_SIZE + 8, &v), 0);
	ASSERT_EQ(ev(t.m, TLB_MISS) - miss, 1);
	ASSERT_EQ(ev(t.m, TLB_HIT) - hit, 21);
	memtest_end(&t);
}

TEST(tlb_write_to_clean_page_sets_dirty)
{
	struct memtest t;
	struct tlb *tlb;
	unsigned long a;
	uint64_t v;
	ptep_t p;

	memtest_begin(&t, "ram=32M paging=pae");
	tlb = this_cpu()->hw->tlb;
	a = memtest_mmap(&t, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
	ASSERT_EQ(mmu_user_store64(a, 1), 0);
	/* clean the page behind the TLB's back, as writeback would, then invlpg */
	p = pgt_walk(t.mm, a);
	ASSERT(ptep_test_and_clear_dirty(p));
	pte_unmap(p);
	flush_tlb_range(t.mm, a, a + PAGE_SIZE);
	ASSERT(!tlb_probe(tlb, a, false));
	ASSERT_EQ(mmu_user_load64(a, &v), 0);
	ASSERT(tlb_probe(tlb, a, false));
	ASSERT(!tlb_probe(tlb, a, true));	/* writable, but clean: no write hits */
	ASSERT(!(memtest_pte(&t, a) & _PAGE_DIRTY));
	ASSERT_EQ(mmu_user_store64(a, 2), 0);
	ASSERT(memtest_pte(&t, a) & _PAGE_DIRTY);
	ASSERT(tlb_probe(tlb, a, true));
	memtest_end(&t);
}

TEST(tlb_flushes_and_global_entries)
{
	struct memtest t;
	struct tlb *tlb;
	struct page *page;
	unsigned long a, kaddr;
	uint8_t b;

	memtest_begin(&t, "ram=32M paging=i386");
	tlb = this_cpu()->hw->tlb;
	a = memtest_mmap(&t, 0, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	for (int i = 0; i < 8; i++)
		ASSERT_EQ(mmu_user_store64(a + i * PAGE_SIZE, i), 0);
	page = alloc_page(GFP_KERNEL);
	kaddr = PAGE_OFFSET_OF(t.m) + page_to_phys(page);
	ASSERT_EQ(mmu_kernel_read(&b, kaddr, 1), 0);
	ASSERT(tlb_probe(tlb, kaddr, false));
	for (int i = 0; i < 8; i++)
		ASSERT(tlb_probe(tlb, a + i * PAGE_SIZE, true));

	flush_tlb_page(find_vma(t.mm, a), a + 3 * PAGE_SIZE);
	ASSERT(!tlb_probe(tlb, a + 3 * PAGE_SIZE, false));
	ASSERT(tlb_probe(tlb, a + 4 * PAGE_SIZE, false));
	flush_tlb_range(t.mm, a, a + 2 * PAGE_SIZE);
	ASSERT(!tlb_probe(tlb, a, false) && !tlb_probe(tlb, a + PAGE_SIZE, false));
	ASSERT(tlb_probe(tlb, a + 2 * PAGE_SIZE, false));
	/* the cr3-reload flush keeps global (kernel) entries; flush_tlb_all does not */
	flush_tlb_mm(t.mm);
	ASSERT(!tlb_probe(tlb, a + 4 * PAGE_SIZE, false));
	ASSERT(tlb_probe(tlb, kaddr, false));
	ASSERT_EQ(tlb_valid_entries(tlb), 1);
	flush_tlb_all();
	ASSERT_EQ(tlb_valid_entries(tlb), 0);
	__free_page(page);
	memtest_end(&t);
}

TEST(tlb_geometry_and_replacement)
{
	struct memtest t;
	struct tlb *tlb;
	unsigned long a;
	uint64_t v;

	/* 8 entries, 2 ways: 4 sets; pages 4 apart share a set */
	memtest_begin(&t, "ram=32M paging=x86_64 tlb=8 tlbways=2");
	tlb = this_cpu()->hw->tlb;
	ASSERT_EQ(tlb->nr_entries, 8);
	ASSERT_EQ(tlb->ways, 2);
	a = memtest_mmap(&t, 0, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(mmu_user_store64(a + i * PAGE_SIZE, i), 0);
	ASSERT_EQ(tlb_valid_entries(tlb), 8);
	flush_tlb_mm(t.mm);
	ASSERT_EQ(mmu_user_load64(a, &v), 0);
	ASSERT_EQ(mmu_user_load64(a + 4 * PAGE_SIZE, &v), 0);
	ASSERT(tlb_probe(tlb, a, false) && tlb_probe(tlb, a + 4 * PAGE_SIZE, false));
	ASSERT_EQ(mmu_user_load64(a + 8 * PAGE_SIZE, &v), 0);
	/* the set had two ways: one of the first two went */
	ASSERT_EQ(tlb_probe(tlb, a, false) + tlb_probe(tlb, a + 4 * PAGE_SIZE, false), 1);
	ASSERT(tlb_probe(tlb, a + 8 * PAGE_SIZE, false));
	ASSERT_EQ(tlb_valid_entries(tlb), 2);
	ASSERT_EQ(v, 8);
	memtest_end(&t);
}

TEST(tlb_switch_mm_flushes_and_tracks_cpus)
{
	struct memtest t;
	unsigned long a;
	uint64_t flushes;

	memtest_begin(&t, "ram=32M paging=x86_64");
	a = memtest_mmap(&t, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(mmu_user_store64(a, 1), 0);
	ASSERT_EQ(atomic_load(&t.mm->cpu_vm_mask), 1);
	ASSERT(tlb_probe(this_cpu()->hw->tlb, a, true));
	flushes = ev(t.m, TLB_FLUSH);
	switch_mm(t.mm, t.m->init_mm, this_cpu());
	ASSERT_EQ(atomic_load(&t.mm->cpu_vm_mask), 0);
	ASSERT(this_cpu()->active_mm == t.m->init_mm);
	ASSERT(!tlb_probe(this_cpu()->hw->tlb, a, false));
	ASSERT_EQ(ev(t.m, TLB_FLUSH), flushes + 1);
	switch_mm(t.m->init_mm, t.mm, this_cpu());
	ASSERT_EQ(atomic_load(&t.mm->cpu_vm_mask), 1);
	memtest_end(&t);
}

/* --- two CPUs ---------------------------------------------------------------- */

struct cpu1_ctx {
	struct memtest *t;
	struct task_struct task;	/* a thread of t's process, on CPU 1 */
	unsigned long addr;
	int pages;
	atomic_int phase;		/* 0 start, 1 cached, 2 go on, 3 done */
	atomic_int stop;
	long faults, bad;
	int result;
};

static void cpu1_enter(struct cpu1_ctx *c)
{
	vmsim_cpu_attach(c->t->m, 1);
	c->task = c->t->task;
	c->task.pid = 4243;
	this_cpu()->curr = &c->task;
	switch_mm(this_cpu()->active_mm, c->t->mm, this_cpu());
}

static void cpu1_leave(struct cpu1_ctx *c)
{
	switch_mm(c->t->mm, c->t->m->init_mm, this_cpu());
	this_cpu()->curr = NULL;
	vmsim_cpu_detach();
}

static void *cpu1_reader(void *arg)
{
	struct cpu1_ctx *c = arg;
	uint64_t v = 0;

	cpu1_enter(c);
	c->result = mmu_user_load64(c->addr, &v);
	if (c->result == 0 && v != 0x77)
		c->result = -1;
	atomic_store(&c->phase, 1);
	while (atomic_load(&c->phase) != 2)
		sched_yield();
	/* CPU 0 unmapped the page and shot our TLB down: this access faults */
	c->result = mmu_user_load64(c->addr, &v) == -EFAULT ? 0 : -2;
	cpu1_leave(c);
	atomic_store(&c->phase, 3);
	return NULL;
}

TEST(tlb_shootdown_two_cpus)
{
	struct memtest t;
	struct cpu1_ctx c;
	pthread_t th;
	unsigned long shoot;

	memtest_begin(&t, "ram=32M paging=x86_64 cpus=2");
	memset(&c, 0, sizeof(c));
	c.t = &t;
	c.addr = memtest_mmap(&t, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(mmu_user_store64(c.addr, 0x77), 0);
	ASSERT_EQ(pthread_create(&th, NULL, cpu1_reader, &c), 0);
	while (atomic_load(&c.phase) != 1)
		sched_yield();
	ASSERT_EQ(c.result, 0);
	ASSERT_EQ(atomic_load(&t.mm->cpu_vm_mask), 3);
	ASSERT(tlb_probe(t.m->cpu[1].hw->tlb, c.addr, false));
	shoot = ev(t.m, TLB_SHOOTDOWN);
	ASSERT_EQ(do_munmap(t.mm, c.addr, PAGE_SIZE), 0);
	ASSERT(ev(t.m, TLB_SHOOTDOWN) > shoot);
	atomic_store(&c.phase, 2);
	pthread_join(th, NULL);
	ASSERT_EQ(c.result, 0);
	ASSERT_EQ(c.task.pending_signal, SIGSEGV);
	ASSERT_EQ(c.task.pending_si_code, SEGV_MAPERR);
	memtest_end(&t);
}

/*
 * CPU 1 writes and reads back slots of a region while CPU 0 zaps it
 * (MADV_DONTNEED) and rewrites its protections over and over: every read
 * returns the last value written or zero (the page was dropped), never
 * bytes of a freed or foreign page, and no page is lost.
 */
static void *cpu1_writer(void *arg)
{
	struct cpu1_ctx *c = arg;
	uint64_t n = 0;

	cpu1_enter(c);
	while (!atomic_load(&c->stop)) {
		for (int i = 0; i < c->pages; i++) {
			unsigned long slot = c->addr + (unsigned long)i * PAGE_SIZE + 8 * (n % 64);
			uint64_t want = (n << 8) | (uint64_t)i, got = ~0ULL;

			if (mmu_user_store64(slot, want) || mmu_user_load64(slot, &got)) {
				c->faults++;
				continue;
			}
			if (got != want && got != 0)
				c->bad++;
		}
		n++;
		atomic_store(&c->phase, 1);	/* CPU 1 runs the mm: flushes must shoot it down */
	}
	cpu1_leave(c);
	return NULL;
}

TEST(tlb_stress_shootdown_zap)
{
	struct memtest t;
	struct cpu1_ctx c;
	pthread_t th;

	memtest_begin(&t, "ram=32M paging=x86_64 cpus=2");
	memset(&c, 0, sizeof(c));
	c.t = &t;
	c.pages = 8;
	c.addr = memtest_mmap(&t, 0, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(pthread_create(&th, NULL, cpu1_writer, &c), 0);
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
	ASSERT(ev(t.m, TLB_SHOOTDOWN) > 0);
	memtest_end(&t);
}
