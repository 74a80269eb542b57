/*
 * Regression: mappings spanning more than one pud entry (1 GiB on x86-64)
 * are zapped and their tables freed past the first GiB (found by fuzzing
 * the tool: exit BUGged in free_pgtables with pages still mapped).
 */
#include "testlib.h"
#include "vmsim/process.h"

TEST(bigmap_zap_across_pud_boundaries)
{
	struct machine *m = test_boot("ram=64M");
	int pid = vmsim_spawn(m);
	unsigned long base = 0x10000000UL, len = 8UL << 30;
	char x = 'x', y = 0;

	ASSERT_CMP(pid, >, 0);
	/* noreserve: Linux refuses to commit 8 GiB of a 64 MiB machine (overcommit) */
	ASSERT_EQ(vmsim_mmap(m, pid, base, len, 3, 0x4032, -1, 0), (long)base);
	/* one page in each of several GiB-sized pud ranges */
	for (unsigned long off = 0x40000; off < len; off += (1UL << 30) + 0x1000)
		ASSERT_EQ(vmsim_write(m, pid, base + off, &x, 1), 0);
	ASSERT_EQ(vmsim_read(m, pid, base + (3UL << 30) + 3 * 0x1000 + 0x40000, &y, 1), 0);
	ASSERT_EQ(y, 'x');
	/* munmap of a middle part spanning two GiB boundaries */
	ASSERT_EQ(vmsim_munmap(m, pid, base + (1UL << 30), 2UL << 30), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}
