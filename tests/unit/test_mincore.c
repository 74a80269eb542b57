/*
 * mincore (mm/mincore.c) as Linux's: a mapped page is resident; where no
 * PTE maps a page, a file mapping asks the page cache (a page read with
 * pread but never touched through the mapping is resident), anonymous
 * memory is not; a swapped-out page is resident while its swap-cache copy
 * lasts.
 */
#include "unit/fs_testutil.h"

#define PG	4096UL

static unsigned int resident(struct fs_env *e, unsigned long addr, unsigned long pages,
			     unsigned char *vec)
{
	unsigned int n = 0;

	ASSERT_EQ(vmsim_mincore(e->m, e->pid, addr, pages * PG, vec), 0);
	for (unsigned long i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n;
}

TEST(mincore_file_pages_in_the_page_cache)
{
	static uint8_t data[16 * PG];
	unsigned char vec[16];
	struct fs_env e;
	long a;
	int fd;

	fs_env_up(&e, "ram=64M");
	fs_host_write(&e, "f", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
	ASSERT_CMP(fd, >=, 0);
	a = vmsim_mmap(e.m, e.pid, 0, 16 * PG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(resident(&e, (unsigned long)a, 16, vec), 0);
	/* read through the file, not the mapping: cached, no PTE, still resident */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, PG, 5 * PG), (long)PG);
	ASSERT_CMP(resident(&e, (unsigned long)a, 16, vec), >=, 1);
	ASSERT_EQ(vec[5], 1);
	/* the cache goes with a truncate: nothing resident, though mapped */
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, 0), 0);
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, 16 * PG), 0);
	ASSERT_EQ(resident(&e, (unsigned long)a, 16, vec), 0);
	fs_env_down(&e);
}

TEST(mincore_anonymous_pages)
{
	unsigned char vec[64];
	struct fs_env e;
	unsigned long i, n;
	long a;

	fs_env_up(&e, "ram=64M");
	a = vmsim_mmap(e.m, e.pid, 0, 64 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(resident(&e, (unsigned long)a, 64, vec), 0);
	for (i = 0; i < 64; i += 2)
		ASSERT_EQ(vmsim_store64(e.m, e.pid, (unsigned long)a + i * PG, i + 1), 0);
	n = resident(&e, (unsigned long)a, 64, vec);
	ASSERT_EQ(n, 32);
	for (i = 0; i < 64; i++)
		ASSERT_EQ(vec[i], i % 2 == 0);
	fs_env_down(&e);
}
