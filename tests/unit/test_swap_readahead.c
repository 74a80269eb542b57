/*
 * Swap readahead (2.4's swapin_readahead with page_cluster): a swap-in
 * reads the aligned cluster of 2^page_cluster slots around the faulting
 * one into the swap cache, so sequential access to swapped-out memory
 * takes about one major fault per cluster (one per page with
 * page_cluster=0); free slots are never read; read-ahead pages are in the
 * swap cache, unmapped, at exit and at swapoff, with exact accounting.
 */
#include "swaptest.h"
#include "vmsim/swap.h"

#define A_PAGES		1024UL		/* the region that goes to swap and comes back */
#define B_PAGES		3000UL		/* the neighbour that pushes it out (16M machine) */

struct ra_run {
	unsigned long swapped;		/* pages of A not resident before reading it */
	unsigned long majors;		/* major faults reading A back */
	unsigned long ra, ra_hit;	/* swap_ra, swap_ra_hit while reading */
};

/* Pages of [addr, addr + n pages) of @pid whose PTE holds a swap entry. */
static unsigned long not_resident(struct machine *m, int pid, unsigned long addr, unsigned long n)
{
	struct task_struct *t;
	unsigned long out = 0;

	vmsim_cpu_attach(m, 0);
	t = find_get_task(m, pid);
	ASSERT_NOT_NULL(t);
	for (unsigned long i = 0; i < n; i++) {
		ptep_t p = pgt_walk(t->mm, addr + i * PAGE_SIZE);

		if (ptep_is_null(p))
			continue;
		out += is_swap_pte(ptep_get(p));
		pte_unmap(p);
	}
	put_task_struct(t);
	return out;
}

/* A written, B written (A goes to swap), then A read back in order. */
static void run_sequential(const char *opts, struct ra_run *r)
{
	struct machine *m = test_boot(opts);
	int pid = vmsim_spawn(m);
	long a, b;
	unsigned long maj0, ra0, hit0;

	ASSERT_CMP(pid, >, 0);
	/* B first: A lands below it, where swap_out's address-order scan starts */
	b = vmsim_mmap(m, pid, 0, B_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	a = vmsim_mmap(m, pid, 0, A_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT(a > 0 && b > 0);
	pattern_write(m, pid, (unsigned long)a, A_PAGES, 11);
	pattern_write(m, pid, (unsigned long)b, B_PAGES, 12);
	r->swapped = not_resident(m, pid, (unsigned long)a, A_PAGES);
	ASSERT_CMP(r->swapped, >, A_PAGES / 2);
	maj0 = sum_vm_event(m, PGMAJFAULT);
	ra0 = sum_vm_event(m, SWAP_RA);
	hit0 = sum_vm_event(m, SWAP_RA_HIT);
	/* one page at a time, in order: the faults are the test's subject */
	for (unsigned long i = 0; i < A_PAGES; i++)
		ASSERT_EQ(pattern_check_at(m, pid, (unsigned long)a, i, 1, 11), 0);
	r->majors = sum_vm_event(m, PGMAJFAULT) - maj0;
	r->ra = sum_vm_event(m, SWAP_RA) - ra0;
	r->ra_hit = sum_vm_event(m, SWAP_RA_HIT) - hit0;
	ASSERT(swap_cache_is_valid(m));
	swap_refs_exact(m, &pid, 1);
	/* read-ahead pages may still sit in the swap cache: exit frees them */
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
}

TEST(swap_ra_sequential_one_major_fault_per_cluster)
{
	struct ra_run ra, none;

	run_sequential("ram=16M swap=64M page_cluster=3", &ra);
	run_sequential("ram=16M swap=64M page_cluster=0", &none);
	/* without readahead: one major fault per swapped page */
	ASSERT_CMP(none.majors, >=, none.swapped * 9 / 10);
	ASSERT_EQ(none.ra, 0);
	ASSERT_EQ(none.ra_hit, 0);
	/* with 8-page clusters: about one in eight */
	ASSERT_CMP(ra.majors, <=, ra.swapped / 4);
	ASSERT_CMP(ra.majors, >=, ra.swapped / 16);
	ASSERT_CMP(ra.ra, >, 0);
	ASSERT_CMP(ra.ra_hit, >, ra.swapped / 2);
	ASSERT_CMP(ra.ra_hit, <=, ra.ra);
	/* (measured: 129 major faults with readahead, 1024 without, for 1024 pages) */
	ASSERT_CMP(ra.majors * 4, <=, none.majors);
}

TEST(swap_ra_default_page_cluster_is_2_4s)
{
	struct machine *m = test_boot("ram=16M swap=1M");
	char *s;

	ASSERT_EQ(m->swap->page_cluster, 3);	/* 16 MiB and up: 3 */
	s = vmsim_proc_read(m, "sys/vm");
	ASSERT_NOT_NULL(s);
	ASSERT(strstr(s, "vm.page-cluster = 3\n"));
	free(s);
	/* the machine's configuration reports the value in effect, not the default's -1 */
	ASSERT_EQ(vmsim_machine_config(m)->page_cluster, 3);
	test_shutdown(m);
	m = test_boot("ram=16M swap=1M page_cluster=0");
	ASSERT_EQ(m->swap->page_cluster, 0);
	ASSERT_EQ(vmsim_machine_config(m)->page_cluster, 0);
	test_shutdown(m);
}

/* valid_swaphandles' window: aligned, header and free slots left out. */
TEST(swap_ra_window_skips_header_and_free_slots)
{
	struct machine *m = test_boot("ram=16M swap=1M page_cluster=2");
	swp_entry_t e[6];
	unsigned long start;
	uint64_t mask;

	for (int i = 0; i < 6; i++) {
		e[i] = get_swap_page();
		ASSERT_EQ(swp_offset(e[i]), (unsigned long)i + 1);	/* slots 1..6 */
	}
	swap_free(e[1]);		/* slot 2 free */
	/* slot 1's cluster is 0..3: the header (0) and slot 2 are not read */
	ASSERT_EQ(valid_swaphandles(e[0], &start, &mask), 2);
	ASSERT_EQ(start, 0);
	ASSERT_EQ(mask, 0xaULL);
	/* slot 6's cluster is 4..7: 7 is free */
	ASSERT_EQ(valid_swaphandles(e[5], &start, &mask), 3);
	ASSERT_EQ(start, 4);
	ASSERT_EQ(mask, 0x7ULL);
	for (int i = 0; i < 6; i++)
		if (i != 1)
			swap_free(e[i]);
	ASSERT_EQ(valid_swaphandles(e[5], &start, &mask), 0);
	ASSERT_EQ(mask, 0);
	test_shutdown(m);
}

/*
 * Holes in the swapped region (pages unmapped, their slots freed): faults
 * on the rest read every used slot of their cluster and no free one: the
 * swap cache never holds a free slot, and every page read is either a
 * faulting page or a read-ahead one.
 */
TEST(swap_ra_never_reads_a_free_slot)
{
	struct machine *m = test_boot("ram=16M swap=64M page_cluster=3");
	int pid = vmsim_spawn(m);
	unsigned long in0, maj0, ra0;
	long a, b;

	/* B first: A lands below it, where swap_out's address-order scan starts */
	b = vmsim_mmap(m, pid, 0, B_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	a = vmsim_mmap(m, pid, 0, A_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT(a > 0 && b > 0);
	pattern_write(m, pid, (unsigned long)a, A_PAGES, 21);
	pattern_write(m, pid, (unsigned long)b, B_PAGES, 22);
	ASSERT_CMP(not_resident(m, pid, (unsigned long)a, A_PAGES), >, A_PAGES / 2);
	/* punch holes: every third page of A goes, and its slot with it */
	for (unsigned long i = 1; i < A_PAGES; i += 3)
		ASSERT_EQ(vmsim_munmap(m, pid, (unsigned long)a + i * PAGE_SIZE, PAGE_SIZE), 0);
	swap_refs_exact(m, &pid, 1);
	in0 = sum_vm_event(m, PSWPIN);
	maj0 = sum_vm_event(m, PGMAJFAULT);
	ra0 = sum_vm_event(m, SWAP_RA);
	for (unsigned long i = 0; i < A_PAGES; i++) {
		if (i % 3 == 1)
			continue;
		ASSERT_EQ(pattern_check_at(m, pid, (unsigned long)a, i, 1, 21), 0);
	}
	/* each page read from swap was a fault's own or a read-ahead one */
	ASSERT_EQ(sum_vm_event(m, PSWPIN) - in0,
		  (sum_vm_event(m, PGMAJFAULT) - maj0) + (sum_vm_event(m, SWAP_RA) - ra0));
	ASSERT_CMP(sum_vm_event(m, SWAP_RA) - ra0, >, 0);
	ASSERT(swap_cache_is_valid(m));		/* BUGs on a cached free slot */
	swap_refs_exact(m, &pid, 1);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
}

/* Read-ahead pages left in the swap cache at exit and at swapoff. */
TEST(swap_ra_pages_in_cache_at_exit_and_swapoff)
{
	struct machine *m = test_boot("ram=16M swap=64M page_cluster=4");
	int pid = vmsim_spawn(m);
	long a, b;

	/* B first: A lands below it, where swap_out's address-order scan starts */
	b = vmsim_mmap(m, pid, 0, B_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	a = vmsim_mmap(m, pid, 0, A_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT(a > 0 && b > 0);
	pattern_write(m, pid, (unsigned long)a, A_PAGES, 31);
	pattern_write(m, pid, (unsigned long)b, B_PAGES, 32);
	/* touch one page in every 64: each fault leaves 15 unmapped pages read ahead */
	for (unsigned long i = 0; i < A_PAGES; i += 64)
		ASSERT_EQ(pattern_check_at(m, pid, (unsigned long)a, i, 1, 31), 0);
	ASSERT_CMP(sum_vm_event(m, SWAP_RA), >, 0);
	ASSERT_CMP(global_page_state(m, NR_SWAPCACHE), >, 0);
	swap_refs_exact(m, &pid, 1);
	/* B goes (RAM must hold the rest); swapoff brings A in, read-ahead pages included */
	ASSERT_EQ(vmsim_munmap(m, pid, (unsigned long)b, B_PAGES * PAGE_SIZE), 0);
	ASSERT_CMP(global_page_state(m, NR_SWAPCACHE), >, 0);
	ASSERT_EQ(vmsim_swapoff(m, 0), 0);
	ASSERT_EQ(global_page_state(m, NR_SWAPCACHE), 0);
	ASSERT_EQ(not_resident(m, pid, (unsigned long)a, A_PAGES), 0);
	ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, A_PAGES, 31), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

TEST(swap_ra_exit_with_read_ahead_pages_cached)
{
	struct machine *m = test_boot("ram=16M swap=64M page_cluster=4");
	int pid = vmsim_spawn(m);
	long a, b;

	/* B first: A lands below it, where swap_out's address-order scan starts */
	b = vmsim_mmap(m, pid, 0, B_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	a = vmsim_mmap(m, pid, 0, A_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT(a > 0 && b > 0);
	pattern_write(m, pid, (unsigned long)a, A_PAGES, 41);
	pattern_write(m, pid, (unsigned long)b, B_PAGES, 42);
	for (unsigned long i = 0; i < A_PAGES; i += 64)
		ASSERT_EQ(pattern_check_at(m, pid, (unsigned long)a, i, 1, 41), 0);
	ASSERT_CMP(global_page_state(m, NR_SWAPCACHE), >, 0);
	swap_refs_exact(m, &pid, 1);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
}
