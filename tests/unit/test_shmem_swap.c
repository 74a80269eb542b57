/*
 * Shmem pages on swap (mm/shmem.c with mm/vmscan.c, mm/swap_state.c,
 * mm/swapoff.c): MAP_SHARED|MAP_ANONYMOUS memory larger than RAM goes to
 * swap and comes back byte for byte to every sharer; the per-inode table,
 * info->swapped, meminfo (Shmem, SwapCached, SwapFree), smaps "Swap:" and
 * pswpin/pswpout follow; swapoff brings shmem pages back into their inode;
 * the last unmap frees every slot and swap-cache copy.
 */
#include <pthread.h>
#include <unistd.h>
#include "swaptest.h"
#include "kern/shmem_fs.h"
#include "kern/memory.h"
#include "kern/sched.h"
#include "vmsim/swap.h"

#define SHARED	(VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS)

/* The shmem inode behind @addr of @pid (the caller is attached to a CPU). */
static struct inode *shmem_inode_at(struct machine *m, int pid, unsigned long addr)
{
	struct task_struct *t = find_get_task(m, pid);
	struct vm_area_struct *vma;
	struct inode *inode;

	ASSERT_NOT_NULL(t);
	vma = find_vma(t->mm, addr);
	ASSERT(vma && vma_is_shmem(vma));
	inode = vma->vm_file->f_inode;
	put_task_struct(t);
	return inode;
}

/* The value (kB) of meminfo line @name ("Shmem:"). */
static unsigned long meminfo_kb(struct machine *m, const char *name)
{
	char *s = vmsim_proc_read(m, "meminfo"), *p;
	unsigned long v;

	ASSERT_NOT_NULL(s);
	p = strstr(s, name);
	ASSERT_NOT_NULL(p);
	v = strtoul(p + strlen(name), NULL, 10);
	free(s);
	return v;
}

/* smaps "Swap:" (kB) of the VMA starting at @addr. */
static unsigned long smaps_swap_kb(struct machine *m, int pid, unsigned long addr)
{
	char *s = vmsim_proc_pid_read(m, pid, "smaps"), head[32], *p;
	unsigned long v;

	ASSERT_NOT_NULL(s);
	snprintf(head, sizeof(head), "%08lx-", addr);
	p = strstr(s, head);
	ASSERT_NOT_NULL(p);
	p = strstr(p, "\nSwap:");
	ASSERT_NOT_NULL(p);
	v = strtoul(p + 6, NULL, 10);
	free(s);
	return v;
}

/*
 * For every slot of area 0: swap_count = swap PTEs of @pids + 1 if the swap
 * cache holds it + 1 if @inode's table names it.  Returns the swap PTEs.
 */
static unsigned long swap_refs_exact_shmem(struct machine *m, const int *pids, int n,
					   struct inode *inode)
{
	struct swap_info_struct *si = &m->swap->swap_info[0];
	struct shmem_inode_info *info = SHMEM_I(inode);
	unsigned int *refs = calloc(si->max, sizeof(*refs));
	struct shmem_swap_block *blk;
	unsigned long ptes = 0, first = 0, entries = 0;

	ASSERT_NOT_NULL(refs);
	vmsim_cpu_attach(m, 0);
	for (int i = 0; i < n; i++) {
		struct task_struct *t = find_get_task(m, pids[i]);

		ASSERT_NOT_NULL(t);
		for (struct vm_area_struct *vma = t->mm->mmap; vma; vma = vma->vm_next)
			for (unsigned long a = vma->vm_start; a < vma->vm_end; a += PAGE_SIZE) {
				ptep_t p = pgt_walk(t->mm, a);
				pte_t pte;

				if (ptep_is_null(p))
					continue;
				pte = ptep_get(p);
				pte_unmap(p);
				if (!is_swap_pte(pte))
					continue;
				refs[swp_offset(pte_to_swp_entry(pte))]++;
				ptes++;
			}
		put_task_struct(t);
	}
	spin_lock(&info->lock);
	while (radix_tree_gang_lookup(&info->swap_tree, (void **)&blk, first, 1)) {
		for (unsigned int j = 0; j < SHMEM_SWP_BLOCK; j++)
			if (blk->ent[j].val) {
				ASSERT_EQ(swp_type(blk->ent[j]), 0);
				refs[swp_offset(blk->ent[j])]++;
				entries++;
			}
		first = blk->base / SHMEM_SWP_BLOCK + 1;
	}
	ASSERT_EQ(entries, info->swapped);
	spin_unlock(&info->lock);
	for (unsigned long o = 1; o < si->max; o++) {
		swp_entry_t e = swp_entry(0, o);
		struct page *page = lookup_swap_cache(e);
		unsigned int want = refs[o] + (page != NULL);

		if (page)
			put_page(page);
		ASSERT_MSG((unsigned int)swap_count(e) == want,
			   "slot %lu: swap_count %d, PTEs and table %u + cache %d", o, swap_count(e),
			   refs[o], page != NULL);
	}
	free(refs);
	return ptes;
}

static unsigned long swap_used(struct machine *m)
{
	unsigned long total, freep;

	vmsim_cpu_attach(m, 0);
	si_swapinfo(m, &total, &freep);
	return total - freep;
}

/*
 * The bigger-than-RAM case: 6000 shared pages (23 MiB) on a 16 MiB
 * machine, half written before a fork and half after by the parent, all
 * read back by the child.  Both reclaim designs.
 */
static void bigger_than_ram(const char *opts)
{
	struct machine *m = test_boot(opts);
	int parent = vmsim_spawn(m), child;
	unsigned long n = 6000, a;
	struct inode *inode;

	a = (unsigned long)vmsim_mmap(m, parent, 0, n * PAGE_SIZE, RW, SHARED, -1, 0);
	ASSERT_CMP((long)a, >, 0);
	pattern_write(m, parent, a, n / 2, 71);
	child = vmsim_fork(m, parent);
	ASSERT_CMP(child, >, 0);
	/* the second half: pages first touched after the fork, by the parent */
	for (unsigned long i = n / 2; i < n; i += CHUNK_PAGES) {
		unsigned long k = n - i < CHUNK_PAGES ? n - i : CHUNK_PAGES;
		uint8_t *buf = malloc(k * PAGE_SIZE);

		ASSERT_NOT_NULL(buf);
		pattern_fill(buf, 71, i, k);
		ASSERT_EQ(vmsim_write(m, parent, a + i * PAGE_SIZE, buf, k * PAGE_SIZE), 0);
		free(buf);
	}
	vmsim_cpu_attach(m, 0);
	ASSERT_CMP(sum_vm_event(m, PSWPOUT), >, 2000);
	inode = shmem_inode_at(m, parent, a);
	ASSERT_CMP(shmem_swapped(inode), >, 2000);
	ASSERT(shmem_inode_is_valid(inode));
	/* every byte, through the child's own faults */
	ASSERT_EQ(pattern_check(m, child, a, n, 71), 0);
	vmsim_cpu_attach(m, 0);
	ASSERT_CMP(sum_vm_event(m, PSWPIN), >, 2000);
	ASSERT(shmem_inode_is_valid(inode));
	ASSERT(swap_map_is_valid(m));
	ASSERT(swap_cache_is_valid(m));
	ASSERT_EQ(sum_vm_event(m, OOM_KILL), 0);
	{
		struct vmsim_task_info info;

		ASSERT_EQ(vmsim_task_info(m, parent, &info), 0);
		ASSERT(info.alive);
		ASSERT_EQ(vmsim_task_info(m, child, &info), 0);
		ASSERT(info.alive);
	}
	ASSERT_EQ(vmsim_exit(m, parent), 0);
	ASSERT_EQ(vmsim_exit(m, child), 0);
	swap_all_free(m);
	ASSERT_EQ(global_page_state(m, NR_SHMEM), 0);
	test_shutdown(m);
}

TEST(shmem_swap_bigger_than_ram_child_reads_every_byte)
{
	bigger_than_ram("ram=16M swap=64M");
}

TEST(shmem_swap_bigger_than_ram_24_0)
{
	bigger_than_ram("ram=16M swap=64M reclaim=2.4.0");
}

/* Without swap the same workload cannot fit: shmem pages have nowhere to go. */
TEST(shmem_swap_none_means_oom)
{
	struct machine *m = test_boot("ram=16M");
	int pid = vmsim_spawn(m);
	unsigned long a = (unsigned long)vmsim_mmap(m, pid, 0, 6000 * PAGE_SIZE, RW, SHARED,
						    -1, 0);
	struct vmsim_task_info info;
	uint8_t buf[PAGE_SIZE];

	memset(buf, 0x77, sizeof(buf));
	for (unsigned long i = 0; i < 6000; i++)
		if (vmsim_write(m, pid, a + i * PAGE_SIZE, buf, PAGE_SIZE))
			break;
	ASSERT_EQ(vmsim_task_info(m, pid, &info), 0);
	ASSERT(!info.alive);
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(sum_vm_event(m, PSWPOUT), 0);
	ASSERT_EQ(global_page_state(m, NR_SHMEM), 0);
	test_shutdown(m);
}

/*
 * Out to swap and back: the counters of each step.  After shrink every
 * page is on swap (Shmem 0, the table holds the slots, smaps shows them);
 * reading brings them back and frees the slots.
 */
TEST(shmem_swap_out_and_in_counters)
{
	struct machine *m = test_boot("ram=32M swap=64M");
	int pid = vmsim_spawn(m), other = vmsim_spawn(m);
	unsigned long n = 1000, a, out0, in0, used;
	struct inode *inode;

	a = (unsigned long)vmsim_mmap(m, pid, 0, n * PAGE_SIZE, RW, SHARED, -1, 0);
	pattern_write(m, pid, a, n, 81);
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(global_page_state(m, NR_SHMEM), n);
	ASSERT_EQ(meminfo_kb(m, "Shmem:"), n * 4);
	ASSERT_EQ(swap_used(m), 0);
	out0 = sum_vm_event(m, PSWPOUT);
	ASSERT_CMP(vmsim_shrink_memory(m), >=, n);
	vmsim_cpu_attach(m, 0);
	inode = shmem_inode_at(m, pid, a);
	ASSERT_EQ(shmem_swapped(inode), n);
	ASSERT(shmem_inode_is_valid(inode));
	ASSERT_EQ(global_page_state(m, NR_SHMEM), 0);
	ASSERT_EQ(inode->i_mapping->nrpages, 0);
	ASSERT_EQ(meminfo_kb(m, "Shmem:"), 0);
	ASSERT_EQ(sum_vm_event(m, PSWPOUT) - out0, n);
	used = swap_used(m);
	ASSERT_EQ(used, n);
	ASSERT_EQ(meminfo_kb(m, "SwapTotal:") - meminfo_kb(m, "SwapFree:"), n * 4);
	ASSERT_EQ(smaps_swap_kb(m, pid, a), n * 4);
	/* split in two VMAs: each counts its own part of the object */
	ASSERT_EQ(vmsim_mprotect(m, pid, a + 600 * PAGE_SIZE, 400 * PAGE_SIZE, VMSIM_PROT_READ), 0);
	ASSERT_EQ(smaps_swap_kb(m, pid, a), 600 * 4);
	ASSERT_EQ(smaps_swap_kb(m, pid, a + 600 * PAGE_SIZE), 400 * 4);
	ASSERT_EQ(vmsim_mprotect(m, pid, a + 600 * PAGE_SIZE, 400 * PAGE_SIZE, RW), 0);
	ASSERT_EQ(smaps_swap_kb(m, pid, a), n * 4);
	/* the whole object is the process's (not per-PTE): VmSwap stays 0 as Linux */
	{
		char *st = vmsim_proc_pid_read(m, pid, "status");

		ASSERT_CONTAINS(st, "VmSwap:\t       0 kB");
		ASSERT_CONTAINS(st, "RssShmem:\t       0 kB");
		free(st);
	}
	/* every slot is held by the table alone: no PTE names one */
	{
		int pids[2] = { pid, other };

		vmsim_cpu_attach(m, 0);
		ASSERT_EQ(swap_refs_exact_shmem(m, pids, 2, inode), 0);
	}
	in0 = sum_vm_event(m, PSWPIN);
	/* back in, through the faults */
	ASSERT_EQ(pattern_check(m, pid, a, n, 81), 0);
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(sum_vm_event(m, PSWPIN) - in0, n);
	ASSERT_EQ(shmem_swapped(inode), 0);
	ASSERT_EQ(global_page_state(m, NR_SHMEM), n);
	ASSERT_EQ(global_page_state(m, NR_SWAPCACHE), 0);
	ASSERT_EQ(swap_used(m), 0);
	ASSERT_EQ(smaps_swap_kb(m, pid, a), 0);
	ASSERT(shmem_inode_is_valid(inode));
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	ASSERT_EQ(vmsim_exit(m, other), 0);
	swap_all_free(m);
	test_shutdown(m);
}

/* --- swapoff ------------------------------------------------------------------- */

TEST(shmem_swap_swapoff_brings_pages_back)
{
	struct machine *m = test_boot("ram=32M swap=64M");
	int pids[2];
	unsigned long n = 3000, a, p, total, freep;
	struct inode *inode;

	pids[0] = vmsim_spawn(m);
	a = (unsigned long)vmsim_mmap(m, pids[0], 0, n * PAGE_SIZE, RW, SHARED, -1, 0);
	pattern_write(m, pids[0], a, n, 91);
	pids[1] = vmsim_fork(m, pids[0]);
	/* private anonymous pages beside them, on swap too */
	p = (unsigned long)vmsim_mmap(m, pids[1], 0, 500 * PAGE_SIZE, RW, ANON, -1, 0);
	pattern_write(m, pids[1], p, 500, 92);
	ASSERT_CMP(vmsim_shrink_memory(m), >, 0);
	vmsim_cpu_attach(m, 0);
	inode = shmem_inode_at(m, pids[0], a);
	ASSERT_CMP(shmem_swapped(inode), >, 2500);
	ASSERT_CMP(swap_refs_exact_shmem(m, pids, 2, inode), >, 400);
	ASSERT_EQ(vmsim_swapoff(m, 0), 0);
	vmsim_cpu_attach(m, 0);
	si_swapinfo(m, &total, &freep);
	ASSERT_EQ(total, 0);
	ASSERT_EQ(shmem_swapped(inode), 0);
	ASSERT(shmem_inode_is_valid(inode));
	ASSERT_EQ(global_page_state(m, NR_SHMEM), n);
	ASSERT_EQ(inode->i_mapping->nrpages, n);
	ASSERT_EQ(global_page_state(m, NR_SWAPCACHE), 0);
	ASSERT_EQ(smaps_swap_kb(m, pids[0], a), 0);
	/* no fault reads anything from disk now */
	{
		unsigned long in0 = sum_vm_event(m, PSWPIN);

		ASSERT_EQ(pattern_check(m, pids[1], a, n, 91), 0);
		ASSERT_EQ(pattern_check(m, pids[0], a, n, 91), 0);
		ASSERT_EQ(pattern_check(m, pids[1], p, 500, 92), 0);
		vmsim_cpu_attach(m, 0);
		ASSERT_EQ(sum_vm_event(m, PSWPIN), in0);
	}
	/* on again: out again, back again */
	ASSERT_EQ(vmsim_swapon(m, NULL, 64 << 20, -1), 0);
	ASSERT_CMP(vmsim_shrink_memory(m), >, 0);
	vmsim_cpu_attach(m, 0);
	ASSERT_CMP(shmem_swapped(inode), >, 2500);
	ASSERT_EQ(pattern_check(m, pids[1], a, n, 91), 0);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(vmsim_exit(m, pids[i]), 0);
	swap_all_free(m);
	test_shutdown(m);
}

/* Shmem pages that cannot fit back: -ENOMEM, the area stays, nothing is lost. */
TEST(shmem_swap_swapoff_enomem)
{
	struct machine *m = test_boot("ram=16M swap=64M");
	int pid = vmsim_spawn(m);
	unsigned long n = 5000, a;
	struct inode *inode;

	a = (unsigned long)vmsim_mmap(m, pid, 0, n * PAGE_SIZE, RW, SHARED, -1, 0);
	pattern_write(m, pid, a, n, 93);
	ASSERT_EQ(vmsim_swapoff(m, 0), -ENOMEM);
	vmsim_cpu_attach(m, 0);
	ASSERT(swap_map_is_valid(m));
	ASSERT(swap_cache_is_valid(m));
	inode = shmem_inode_at(m, pid, a);
	ASSERT(shmem_inode_is_valid(inode));
	ASSERT_EQ(swap_refs_exact_shmem(m, &pid, 1, inode), 0);
	ASSERT_EQ(sum_vm_event(m, OOM_KILL), 0);
	ASSERT_EQ(pattern_check(m, pid, a, n, 93), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	ASSERT_EQ(vmsim_swapoff(m, 0), 0);
	ASSERT_EQ(vmsim_swapon(m, NULL, 64 << 20, -1), 0);
	swap_all_free(m);
	test_shutdown(m);
}

/* --- the inode goes: every slot and swap-cache copy with it ------------------------ */

/*
 * Pages in every state when the last sharer goes: resident, on swap only,
 * in the swap cache not yet written (dirty), in the swap cache written
 * (clean).  Exit frees them all.
 */
TEST(shmem_swap_exit_frees_slots_and_swap_cache)
{
	struct machine *m = test_boot("ram=32M swap=64M");
	int pid = vmsim_spawn(m), child;
	unsigned long n = 64, a, out0, maj0;
	struct inode *inode;

	a = (unsigned long)vmsim_mmap(m, pid, 0, n * PAGE_SIZE, RW, SHARED, -1, 0);
	pattern_write(m, pid, a, n, 95);
	child = vmsim_fork(m, pid);
	/* nobody maps them: shmem_writepage can take them */
	ASSERT_EQ(vmsim_madvise(m, pid, a, n * PAGE_SIZE, VMSIM_MADV_DONTNEED), 0);
	ASSERT_EQ(vmsim_madvise(m, child, a, n * PAGE_SIZE, VMSIM_MADV_DONTNEED), 0);
	vmsim_cpu_attach(m, 0);
	inode = shmem_inode_at(m, pid, a);
	out0 = sum_vm_event(m, PSWPOUT);
	for (unsigned long idx = 0; idx < 32; idx++) {
		struct page *page = find_lock_page(inode->i_mapping, idx);

		ASSERT_NOT_NULL(page);
		ASSERT_EQ(page_mapcount(page), 0);
		ASSERT_EQ(shmem_writepage(page), 0);
		ASSERT(PageSwapCache(page) && PageDirty(page));
		if (idx < 16) {
			/* written: pageout's second half */
			ClearPageDirty(page);
			ASSERT_EQ(swap_writepage(page), 0);
		}
		unlock_page(page);
		put_page(page);
	}
	ASSERT_EQ(sum_vm_event(m, PSWPOUT) - out0, 16);
	ASSERT_EQ(shmem_swapped(inode), 32);
	ASSERT_EQ(global_page_state(m, NR_SWAPCACHE), 32);
	ASSERT_EQ(global_page_state(m, NR_SHMEM), 32);
	ASSERT_EQ(meminfo_kb(m, "SwapCached:"), 32 * 4);
	ASSERT_EQ(meminfo_kb(m, "Shmem:"), 32 * 4);
	ASSERT_EQ(swap_used(m), 32);
	ASSERT(shmem_inode_is_valid(inode));
	ASSERT_EQ(swap_refs_exact_shmem(m, &pid, 1, inode), 0);
	/* the swap-cache copies come back with no I/O: minor faults */
	maj0 = sum_vm_event(m, PGMAJFAULT);
	ASSERT_EQ(pattern_check_at(m, child, a, 8, 8, 95), 0);	/* written ones */
	ASSERT_EQ(pattern_check_at(m, child, a, 24, 4, 95), 0);	/* dirty ones */
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(sum_vm_event(m, PGMAJFAULT), maj0);
	ASSERT_EQ(shmem_swapped(inode), 20);
	ASSERT_EQ(global_page_state(m, NR_SWAPCACHE), 20);
	ASSERT_EQ(swap_used(m), 20);
	/* the written ones leave the swap cache; the slot alone holds the data */
	ASSERT_CMP(vmsim_shrink_memory(m), >, 0);
	vmsim_cpu_attach(m, 0);
	ASSERT_CMP(shmem_swapped(inode), >=, 20);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	/* the child still maps it: nothing goes yet */
	ASSERT_EQ(pattern_check(m, child, a, n, 95), 0);
	ASSERT_EQ(vmsim_exit(m, child), 0);
	swap_all_free(m);
	ASSERT_EQ(global_page_state(m, NR_SHMEM), 0);
	test_shutdown(m);
}

/* The last munmap (the process lives on) frees the slots too. */
TEST(shmem_swap_munmap_frees_slots)
{
	struct machine *m = test_boot("ram=16M swap=64M");
	int pid = vmsim_spawn(m);
	unsigned long n = 5000, a;

	a = (unsigned long)vmsim_mmap(m, pid, 0, n * PAGE_SIZE, RW, SHARED, -1, 0);
	pattern_write(m, pid, a, n, 97);
	ASSERT_CMP(swap_used(m), >, 1000);
	ASSERT_EQ(vmsim_munmap(m, pid, a, n * PAGE_SIZE), 0);
	swap_all_free(m);
	ASSERT_EQ(global_page_state(m, NR_SHMEM), 0);
	ASSERT_EQ(global_page_state(m, NR_FILE_PAGES), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

/* --- two CPUs fault the same pages while reclaim swaps them (TSan) ----------------- */

struct shmem_stress {
	struct machine *m;
	int cpu, pid;
	unsigned long addr, npages;
	unsigned long bad;
};

/* Each CPU owns one half of every page: both fault the same page indices. */
static void half_fill(uint8_t *buf, uint64_t seed, unsigned long page, int half)
{
	for (unsigned long w = 0; w < PAGE_SIZE / 16; w++) {
		uint64_t v = splitmix64_mix(seed * 0x9e3779b97f4a7c15ULL + (page << 12) +
					    (unsigned long)half * 4096 + w);

		memcpy(buf + w * 8, &v, 8);
	}
}

/* Pages of [0, @n) at @a of @pid whose half @half does not hold @seed. */
static unsigned long pattern_check_half(struct machine *m, int pid, unsigned long a,
					unsigned long n, uint64_t seed, int half)
{
	uint8_t want[PAGE_SIZE / 2], got[PAGE_SIZE / 2];
	unsigned long bad = 0;

	for (unsigned long i = 0; i < n; i++) {
		half_fill(want, seed, i, half);
		if (vmsim_read(m, pid, a + i * PAGE_SIZE + (unsigned long)half * (PAGE_SIZE / 2),
			       got, sizeof(got)) || memcmp(got, want, sizeof(got)))
			bad++;
	}
	return bad;
}

static void *shmem_stress_thread(void *p)
{
	struct shmem_stress *s = p;
	uint8_t want[PAGE_SIZE / 2], got[PAGE_SIZE / 2];
	unsigned long off = (unsigned long)s->cpu * (PAGE_SIZE / 2);

	vmsim_cpu_attach(s->m, s->cpu);
	for (uint64_t round = 0; round < 2; round++) {
		uint64_t seed = 300 + round;

		for (unsigned long i = 0; i < s->npages; i++) {
			half_fill(want, seed, i, s->cpu);
			if (vmsim_write(s->m, s->pid, s->addr + i * PAGE_SIZE + off, want,
					sizeof(want)))
				s->bad++;
		}
		for (unsigned long i = 0; i < s->npages; i++) {
			half_fill(want, seed, i, s->cpu);
			if (vmsim_read(s->m, s->pid, s->addr + i * PAGE_SIZE + off, got,
				       sizeof(got)) || memcmp(got, want, sizeof(got)))
				s->bad++;
		}
	}
	vmsim_cpu_detach();
	return NULL;
}

TEST(shmem_swap_stress_two_cpus)
{
	struct machine *m = test_boot("ram=16M swap=64M cpus=2");
	struct shmem_stress args[2];
	unsigned long n = 4500, a;
	pthread_t th[2];
	int pids[2];

	pids[0] = vmsim_spawn(m);
	a = (unsigned long)vmsim_mmap(m, pids[0], 0, n * PAGE_SIZE, RW, SHARED, -1, 0);
	ASSERT_CMP((long)a, >, 0);
	pids[1] = vmsim_fork(m, pids[0]);
	for (int i = 0; i < 2; i++)
		args[i] = (struct shmem_stress){ m, i, pids[i], a, n, 0 };
	vmsim_cpu_detach();
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, shmem_stress_thread, &args[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	vmsim_cpu_attach(m, 0);
	for (int i = 0; i < 2; i++) {
		struct vmsim_task_info info;

		ASSERT_EQ(vmsim_task_info(m, pids[i], &info), 0);
		ASSERT_MSG(info.alive, "pid %d died with signal %d", pids[i], info.signo);
		ASSERT_EQ(args[i].bad, 0);
	}
	ASSERT_CMP(sum_vm_event(m, PSWPOUT), >, 1000);
	ASSERT_CMP(sum_vm_event(m, PSWPIN), >, 1000);
	/* the two halves of every page, each CPU's last round, seen by the other task */
	for (int half = 0; half < 2; half++)
		ASSERT_EQ(pattern_check_half(m, pids[1 - half], a, n, 301, half), 0);
	vmsim_cpu_attach(m, 0);
	ASSERT(shmem_inode_is_valid(shmem_inode_at(m, pids[0], a)));
	ASSERT(swap_map_is_valid(m));
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(vmsim_exit(m, pids[i]), 0);
	/* copies orphaned by races between the CPUs go with the next scan */
	vmsim_shrink_memory(m);
	swap_all_free(m);
	test_shutdown(m);
}

/* --- swapoff inside shmem_writepage's window (deterministic) ----------------------- */

struct window_race {
	struct machine *m;
	swp_entry_t slot;		/* the slot writepage took, in the table */
	int swapoff_ret;
	atomic_int swapoff_done;
	pthread_t th;
	bool reached;
};

static struct window_race *window_race;

static void *swapoff_area1_thread(void *p)
{
	struct window_race *w = p;

	vmsim_cpu_attach(w->m, 1);
	w->swapoff_ret = vmsim_swapoff(w->m, 1);
	atomic_store(&w->swapoff_done, 1);
	vmsim_cpu_detach();
	return NULL;
}

/*
 * The hook, on CPU 0 inside shmem_writepage: the page is locked, its new
 * slot (area 1) in the table, the page not yet in the swap cache.  CPU 1
 * starts swapoff of area 1; we go on only once it read the slot into the
 * swap cache (a copy of nothing: the slot was never written) and then
 * had 100 ms to pass over the area again and again.
 */
static void swapoff_in_writepage_window(struct page *page, swp_entry_t swap)
{
	struct window_race *w = window_race;
	struct page *copy = NULL;

	(void)page;
	w->m->shmem->debug_writepage_window = NULL;	/* once */
	w->reached = true;
	w->slot = swap;
	ASSERT_EQ(swp_type(swap), 1);
	ASSERT_EQ(pthread_create(&w->th, NULL, swapoff_area1_thread, w), 0);
	for (int i = 0; i < 5000 && !copy; i++) {
		copy = lookup_swap_cache(swap);
		if (!copy)
			usleep(1000);
	}
	ASSERT_NOT_NULL(copy);
	put_page(copy);
	usleep(100 * 1000);
	/* swapoff cannot finish: the slot is ours until the move */
	ASSERT_EQ(atomic_load(&w->swapoff_done), 0);
	ASSERT_EQ(swap_count(swap), 3);		/* table, our cache-to-be, swapoff's copy */
}

/*
 * Swapoff meets a slot shmem_writepage took and recorded in the table but
 * has not yet moved its page to: swapoff reads the slot into the swap
 * cache, finds the table's index still held by the page cache (locked),
 * and waits for that page lock, however long, instead of giving up after
 * a few passes (the BUG "still has 1 slots in use").  shmem_writepage
 * then finds the slot's copy in the swap cache (-EEXIST), leaves the slot
 * to it and takes another one, from area 0 (area 1 takes no new slots).
 */
TEST(shmem_swap_swapoff_waits_for_writepage_in_its_window)
{
	struct machine *m = test_boot("ram=32M swap=64M cpus=2");
	struct window_race w = { .m = m };
	unsigned long n = 8, a;
	struct inode *inode;
	struct page *page;
	int pid;

	ASSERT_EQ(vmsim_swapon(m, NULL, 16 << 20, 10), 1);
	pid = vmsim_spawn(m);
	a = (unsigned long)vmsim_mmap(m, pid, 0, n * PAGE_SIZE, RW, SHARED, -1, 0);
	pattern_write(m, pid, a, n, 111);
	ASSERT_EQ(vmsim_madvise(m, pid, a, n * PAGE_SIZE, VMSIM_MADV_DONTNEED), 0);
	vmsim_cpu_attach(m, 0);
	inode = shmem_inode_at(m, pid, a);
	page = find_lock_page(inode->i_mapping, 3);
	ASSERT_NOT_NULL(page);
	window_race = &w;
	m->shmem->debug_writepage_window = swapoff_in_writepage_window;
	ASSERT_EQ(shmem_writepage(page), 0);
	ASSERT(w.reached);
	ASSERT(PageSwapCache(page));
	ASSERT_EQ(swp_type(page_swp_entry(page)), 0);	/* another slot, in area 0 */
	unlock_page(page);
	put_page(page);
	vmsim_cpu_detach();
	pthread_join(w.th, NULL);
	ASSERT_EQ(w.swapoff_ret, 0);
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(swap_count(w.slot), 0);		/* area 1 is gone */
	ASSERT_EQ(shmem_swapped(inode), 1);
	ASSERT(shmem_inode_is_valid(inode));
	ASSERT(swap_map_is_valid(m));
	ASSERT(swap_cache_is_valid(m));
	ASSERT_EQ(swap_refs_exact_shmem(m, &pid, 1, inode), 0);
	ASSERT_EQ(pattern_check(m, pid, a, n, 111), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
}

/* --- swapoff and swapon on one CPU while the other faults and reclaims ------------- */

struct swapoff_looper {
	struct machine *m;
	atomic_int stop;
	unsigned long cycles, enomem, failed;
};

/* CPU 1: area 1 (priority 10, so preferred) off and on again, until told to stop. */
static void *swapoff_loop_thread(void *p)
{
	struct swapoff_looper *l = p;

	vmsim_cpu_attach(l->m, 1);
	while (!atomic_load(&l->stop)) {
		int err;

		usleep(2000);
		err = vmsim_swapoff(l->m, 1);
		if (err) {
			/* -ENOMEM: memory cannot take its pages back now; the area stays */
			if (err == -ENOMEM)
				l->enomem++;
			else
				l->failed++;
			continue;
		}
		if (vmsim_swapon(l->m, NULL, 16 << 20, 10) != 1)
			l->failed++;
		l->cycles++;
	}
	vmsim_cpu_detach();
	return NULL;
}

/*
 * The half-page writer of shmem_swap_stress_two_cpus on CPU 0 (its faults
 * and its reclaim, shmem_writepage into area 1 first), while CPU 1 takes
 * area 1 away and gives it back every 2 ms: swapoff's shmem_unuse and
 * swap-cache lookups against writepage's moves, slots freed and reused by
 * a new area of the same type.
 */
TEST(shmem_swap_stress_swapoff_vs_reclaim)
{
	struct machine *m = test_boot("ram=16M swap=64M cpus=2");
	struct swapoff_looper l = { .m = m };
	struct shmem_stress w;
	unsigned long n = 4500, a;
	pthread_t th[2];
	int pid;

	ASSERT_EQ(vmsim_swapon(m, NULL, 16 << 20, 10), 1);
	pid = vmsim_spawn(m);
	a = (unsigned long)vmsim_mmap(m, pid, 0, n * PAGE_SIZE, RW, SHARED, -1, 0);
	ASSERT_CMP((long)a, >, 0);
	w = (struct shmem_stress){ m, 0, pid, a, n, 0 };
	vmsim_cpu_detach();
	ASSERT_EQ(pthread_create(&th[0], NULL, shmem_stress_thread, &w), 0);
	ASSERT_EQ(pthread_create(&th[1], NULL, swapoff_loop_thread, &l), 0);
	pthread_join(th[0], NULL);
	atomic_store(&l.stop, 1);
	pthread_join(th[1], NULL);
	vmsim_cpu_attach(m, 0);
	{
		struct vmsim_task_info info;

		ASSERT_EQ(vmsim_task_info(m, pid, &info), 0);
		ASSERT_MSG(info.alive, "pid %d died with signal %d", pid, info.signo);
	}
	ASSERT_EQ(w.bad, 0);
	ASSERT_EQ(l.failed, 0);
	ASSERT_CMP(l.cycles, >, 0);
	ASSERT_CMP(sum_vm_event(m, PSWPOUT), >, 1000);
	ASSERT_EQ(pattern_check_half(m, pid, a, n, 301, 0), 0);
	vmsim_cpu_attach(m, 0);
	ASSERT(shmem_inode_is_valid(shmem_inode_at(m, pid, a)));
	ASSERT(swap_map_is_valid(m));
	ASSERT(swap_cache_is_valid(m));
	/* area 1 off once more with the task alive: every slot must come back */
	ASSERT_EQ(vmsim_swapoff(m, 1), 0);
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(pattern_check_half(m, pid, a, n, 301, 0), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	vmsim_shrink_memory(m);
	swap_all_free(m);
	test_shutdown(m);
}
