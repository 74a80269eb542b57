/*
 * Helpers shared by the swap and reclaim tests (test_swap_state.c,
 * test_vmscan.c, test_oom.c, test_swapoff.c): seeded page patterns
 * written and checked through the process API, and the exact swap
 * accounting checks.
 */
#ifndef TESTS_UNIT_SWAPTEST_H
#define TESTS_UNIT_SWAPTEST_H

#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "kern/vmscan.h"
#include "kern/pgtable.h"
#include "vmsim/process.h"

#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)
#define CHUNK_PAGES 16

/* The bytes of page @index of a pattern with @seed. */
static inline void pattern_fill(uint8_t *buf, uint64_t seed, unsigned long index,
				unsigned long npages)
{
	for (unsigned long p = 0; p < npages; p++)
		for (unsigned long w = 0; w < PAGE_SIZE / 8; w++) {
			uint64_t v = splitmix64_mix(seed * 0x9e3779b97f4a7c15ULL +
						    ((index + p) << 12) + w);
			memcpy(buf + p * PAGE_SIZE + w * 8, &v, 8);
		}
}

/* Write @npages pages of pattern @seed at @addr of @pid. */
static inline void pattern_write(struct machine *m, int pid, unsigned long addr,
				 unsigned long npages, uint64_t seed)
{
	uint8_t *buf = malloc(CHUNK_PAGES * PAGE_SIZE);

	ASSERT_NOT_NULL(buf);
	for (unsigned long i = 0; i < npages; i += CHUNK_PAGES) {
		unsigned long n = npages - i < CHUNK_PAGES ? npages - i : CHUNK_PAGES;

		pattern_fill(buf, seed, i, n);
		ASSERT_EQ(vmsim_write(m, pid, addr + i * PAGE_SIZE, buf, n * PAGE_SIZE), 0);
	}
	free(buf);
}

/* Pages [@first, @first + @npages) of area @base of @pid not holding pattern @seed. */
static inline unsigned long pattern_check_at(struct machine *m, int pid, unsigned long base,
					     unsigned long first, unsigned long npages, uint64_t seed)
{
	uint8_t *buf = malloc(CHUNK_PAGES * PAGE_SIZE), *want = malloc(CHUNK_PAGES * PAGE_SIZE);
	unsigned long bad = 0;

	ASSERT(buf && want);
	for (unsigned long i = 0; i < npages; i += CHUNK_PAGES) {
		unsigned long n = npages - i < CHUNK_PAGES ? npages - i : CHUNK_PAGES;

		pattern_fill(want, seed, first + i, n);
		ASSERT_EQ(vmsim_read(m, pid, base + (first + i) * PAGE_SIZE, buf, n * PAGE_SIZE), 0);
		for (unsigned long p = 0; p < n; p++)
			bad += memcmp(buf + p * PAGE_SIZE, want + p * PAGE_SIZE, PAGE_SIZE) != 0;
	}
	free(buf);
	free(want);
	return bad;
}

/* Pages of @pid at @addr whose bytes are not pattern @seed. */
static inline unsigned long pattern_check(struct machine *m, int pid, unsigned long addr,
					  unsigned long npages, uint64_t seed)
{
	return pattern_check_at(m, pid, addr, 0, npages, seed);
}

/*
 * swap_refs_exact - for every slot of area 0: swap_count = the swap PTEs
 * naming it in the processes @pids + 1 if the swap cache holds it.
 * Returns the number of swap PTEs found.
 */
static inline unsigned long swap_refs_exact(struct machine *m, const int *pids, int n)
{
	struct swap_info_struct *si = &m->swap->swap_info[0];
	unsigned int *refs = calloc(si->max, sizeof(*refs));
	unsigned long ptes = 0;

	ASSERT_NOT_NULL(refs);
	vmsim_cpu_attach(m, 0);
	for (int i = 0; i < n; i++) {
		struct task_struct *t = find_get_task(m, pids[i]);
		struct vm_area_struct *vma;

		ASSERT_NOT_NULL(t);
		for (vma = t->mm->mmap; vma; vma = vma->vm_next)
			for (unsigned long a = vma->vm_start; a < vma->vm_end; a += PAGE_SIZE) {
				ptep_t p = pgt_walk(t->mm, a);
				pte_t pte;

				if (ptep_is_null(p))
					continue;
				pte = ptep_get(p);
				pte_unmap(p);
				if (!is_swap_pte(pte))
					continue;
				ASSERT_EQ(swp_type(pte_to_swp_entry(pte)), 0);
				ASSERT_CMP(swp_offset(pte_to_swp_entry(pte)), <, si->max);
				refs[swp_offset(pte_to_swp_entry(pte))]++;
				ptes++;
			}
		put_task_struct(t);
	}
	for (unsigned long o = 1; o < si->max; o++) {
		swp_entry_t e = swp_entry(0, o);
		struct page *page = lookup_swap_cache(e);
		unsigned int want = refs[o] + (page != NULL);

		if (page)
			put_page(page);
		ASSERT_MSG((unsigned int)swap_count(e) == want,
			   "slot %lu: swap_count %d, PTEs %u + cache %d", o, swap_count(e),
			   refs[o], page != NULL);
	}
	free(refs);
	return ptes;
}

/* Everything back: no slot used, no swap-cache page, lists valid. */
static inline void swap_all_free(struct machine *m)
{
	unsigned long total, freep;

	vmsim_cpu_attach(m, 0);
	ASSERT(swap_map_is_valid(m));
	ASSERT(lru_is_valid(m));
	ASSERT(swap_cache_is_valid(m));
	si_swapinfo(m, &total, &freep);
	ASSERT_EQ(freep, total);
	ASSERT_EQ(global_page_state(m, NR_SWAPCACHE), 0);
	ASSERT_EQ(m->vmscan->swapper_space.nrpages, 0);
}

#endif
