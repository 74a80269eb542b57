/*
 * Tests of swap areas (mm/swapfile.c), swap I/O (mm/page_io.c) and the
 * simulated disk: slot allocation in clusters, priorities, reference
 * counts, bytes through a real file, /proc/swaps and meminfo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "testlib.h"
#include "kern/swap.h"

TEST(swapfile_swapon_errors)
{
	struct machine *m = test_boot("ram=32M");

	ASSERT_EQ(vmsim_swapon(m, NULL, 9 * 4096, -1), -EINVAL);
	ASSERT_EQ(vmsim_swapon(m, "/nonexistent-dir/x", 1 << 20, -1), -ENOENT);
	ASSERT_EQ(vmsim_swapon(m, NULL, 1 << 20, -1), 0);
	ASSERT_EQ(vmsim_swapon(m, NULL, 1 << 20, -1), 1);
	for (int i = 2; i < MAX_SWAPFILES; i++)
		ASSERT_EQ(vmsim_swapon(m, NULL, 64 << 10, -1), i);
	ASSERT_EQ(vmsim_swapon(m, NULL, 1 << 20, -1), -EPERM);
	test_shutdown(m);	/* swap maps are accounted apart */
}

TEST(swapfile_slots_in_clusters_and_counts)
{
	struct machine *m = test_boot("ram=32M swap=4M");
	unsigned long total, freep;
	swp_entry_t e[300];

	si_swapinfo(m, &total, &freep);
	ASSERT_EQ(total, 1023);
	ASSERT_EQ(freep, 1023);
	for (int i = 0; i < 300; i++) {
		e[i] = get_swap_page();
		ASSERT_EQ(swp_type(e[i]), 0);
		ASSERT_EQ(swp_offset(e[i]), i + 1);	/* one run from slot 1 */
		ASSERT_EQ(swap_count(e[i]), 1);
	}
	si_swapinfo(m, &total, &freep);
	ASSERT_EQ(freep, 1023 - 300);
	ASSERT_EQ(swap_duplicate(e[5]), 1);
	ASSERT_EQ(swap_count(e[5]), 2);
	swap_free(e[5]);
	ASSERT_EQ(swap_count(e[5]), 1);
	ASSERT(swap_map_is_valid(m));
	for (int i = 0; i < 300; i++)
		swap_free(e[i]);
	ASSERT_EQ(swap_count(e[0]), 0);
	ASSERT_EQ(swap_duplicate(e[0]), 0);	/* a free slot cannot be duplicated */
	si_swapinfo(m, &total, &freep);
	ASSERT_EQ(freep, 1023);
	ASSERT(swap_map_is_valid(m));
	test_shutdown(m);
}

TEST(swapfile_full_area_and_bad_free)
{
	struct machine *m = test_boot("ram=32M swap=64K");
	swp_entry_t e[15];

	for (int i = 0; i < 15; i++) {
		e[i] = get_swap_page();
		ASSERT_NE(e[i].val, 0);
	}
	ASSERT_EQ(get_swap_page().val, 0);	/* full: no entry */
	swap_free(e[7]);
	ASSERT_EQ(swp_offset(get_swap_page()), 8);	/* the freed slot comes back */
	for (int i = 0; i < 15; i++)
		swap_free(e[i]);
	ASSERT(swap_map_is_valid(m));
	EXPECT_BUG(swap_free(e[3]), "bad swap entry");
	test_discard(m);
}

TEST(swapfile_priorities_and_round_robin)
{
	struct machine *m = test_boot("ram=32M");

	ASSERT_EQ(vmsim_swapon(m, NULL, 1 << 20, 5), 0);
	ASSERT_EQ(vmsim_swapon(m, NULL, 1 << 20, 10), 1);
	ASSERT_EQ(vmsim_swapon(m, NULL, 1 << 20, 10), 2);
	/* the two prio-10 areas alternate; the prio-5 one waits until both are full */
	int seen[3] = { 0 };
	for (int i = 0; i < 100; i++)
		seen[swp_type(get_swap_page())]++;
	ASSERT_EQ(seen[0], 0);
	ASSERT_EQ(seen[1], 50);
	ASSERT_EQ(seen[2], 50);
	for (int i = 0; i < 2 * 255 - 100; i++)
		ASSERT_NE(swp_type(get_swap_page()), 0);
	ASSERT_EQ(swp_type(get_swap_page()), 0);
	char *sw = vmsim_proc_read(m, "swaps");
	ASSERT_CONTAINS(sw, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	ASSERT_CONTAINS(sw, "file\t\t1020\t\t1020\t\t10\n");
	ASSERT_CONTAINS(sw, "file\t\t1020\t\t4\t\t5\n");
	free(sw);
	test_discard(m);	/* slots deliberately left in use */
}

TEST(swapfile_page_round_trip_through_a_real_file)
{
	char path[] = "/tmp/vmsim-test-swap-XXXXXX";
	int fd = mkstemp(path);
	struct machine *m = test_boot("ram=32M");
	struct page *p = alloc_page(GFP_HIGHUSER), *q = alloc_page(GFP_HIGHUSER);
	uint8_t *pb = __phys_ram(m, page_to_phys(p)), *qb = __phys_ram(m, page_to_phys(q));
	uint8_t disk[4096], sig[10];
	swp_entry_t e;

	ASSERT(fd >= 0);
	ASSERT_EQ(vmsim_swapon(m, path, 1 << 20, -1), 0);
	ASSERT_EQ(vmsim_swapon(m, path, 1 << 20, -1), -EBUSY);
	for (int i = 0; i < 4096; i++)
		pb[i] = (uint8_t)(splitmix64_mix((uint64_t)i) & 0xff);
	e = get_swap_page();
	ASSERT_EQ(rw_swap_page_nolock(WRITE, e, p), 0);
	ASSERT_EQ(rw_swap_page_nolock(READ, e, q), 0);
	ASSERT_MEMEQ(qb, pb, 4096);
	ASSERT(PageUptodate(q));
	/* the bytes are in the host file at the slot's offset, the header in slot 0 */
	ASSERT_EQ(pread(fd, disk, 4096, (off_t)swp_offset(e) * 4096), 4096);
	ASSERT_MEMEQ(disk, pb, 4096);
	ASSERT_EQ(pread(fd, sig, 10, 4096 - 10), 10);
	ASSERT_MEMEQ(sig, "SWAPSPACE2", 10);
	ASSERT_EQ(sum_vm_event(m, PSWPOUT), 1);
	ASSERT_EQ(sum_vm_event(m, PSWPIN), 1);
	ASSERT_EQ(sum_vm_event(m, PGPGOUT), 4);
	ASSERT_EQ(rw_swap_page_nolock(READ, swp_entry(0, 0), q), -EIO);
	swap_free(e);
	ClearPageUptodate(q);
	__free_page(p);
	__free_page(q);
	char *mi = vmsim_proc_read(m, "meminfo");
	ASSERT_CONTAINS(mi, "SwapTotal:          1020 kB\n");
	ASSERT_CONTAINS(mi, "SwapFree:           1020 kB\n");
	free(mi);
	test_shutdown(m);
	close(fd);
	unlink(path);
}
