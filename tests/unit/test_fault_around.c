/*
 * Fault-around (mm/memory.c do_fault_around, Linux 3.15+): a read fault on
 * a file mapping maps the pages of its aligned fault_around_bytes window
 * that are already cached, inside the VMA and EOF; pages not cached are
 * left to their own faults; fault_around_bytes=0 maps only the faulting
 * page, as 2.4.
 */
#include "unit/fs_testutil.h"

#define PG	4096UL

/* Rss in kB of the VMA starting at @addr, from smaps. */
static unsigned long vma_rss_kb(struct fs_env *e, unsigned long addr)
{
	char *text = vmsim_proc_pid_read(e->m, e->pid, "smaps"), *p, head[32];
	unsigned long kb = ~0UL;

	ASSERT_NOT_NULL(text);
	snprintf(head, sizeof(head), "%lx-", addr);
	p = strstr(text, head);
	ASSERT_NOT_NULL(p);
	p = strstr(p, "\nRss:");
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(sscanf(p, "\nRss: %lu kB", &kb), 1);
	free(text);
	return kb;
}

static void read8(struct fs_env *e, unsigned long addr)
{
	uint64_t v;

	ASSERT_EQ(vmsim_load64(e->m, e->pid, addr, &v), 0);
}

static void around(const char *opts, unsigned long window_pages)
{
	static uint8_t data[40 * PG + 100];
	struct fs_env e;
	unsigned long faults;
	long a;
	int fd;

	fs_env_up(&e, opts);
	fs_host_write(&e, "f", data, sizeof(data));	/* 41 pages, the last partial */
	fd = vmsim_open(e.m, e.pid, "/f", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	/* cache pages 0..31 (a pread of 128 KiB; readahead may add more) */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 32 * PG, 0), (long)(32 * PG));
	/* 64 KiB aligned: the windows are pages 0-15, 16-31, ... of the VMA */
	a = vmsim_mmap(e.m, e.pid, 0x10000000, 48 * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	ASSERT_CMP(a, >, 0);
	/* a fault on page 5: its aligned window of cached pages is mapped */
	faults = global_page_state(e.m, NR_FILE_MAPPED);
	read8(&e, (unsigned long)a + 5 * PG);
	ASSERT_EQ(vma_rss_kb(&e, (unsigned long)a), window_pages * 4);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_MAPPED) - faults, window_pages);
	if (window_pages > 1) {
		/* page 20's window: pages 16-31 */
		read8(&e, (unsigned long)a + 20 * PG);
		ASSERT_EQ(vma_rss_kb(&e, (unsigned long)a), (window_pages + window_pages) * 4);
	}
	fs_env_down(&e);
}

TEST(fault_around_maps_the_cached_window)
{
	around("ram=64M", 16);
}

TEST(fault_around_off_maps_one_page)
{
	around("ram=64M fault_around_bytes=0", 1);
}

TEST(fault_around_stops_at_the_vma_and_eof)
{
	static uint8_t data[3 * PG + 10];
	struct fs_env e;
	long a, b;
	int fd;

	fs_env_up(&e, "ram=64M");
	fs_host_write(&e, "f", data, sizeof(data));	/* 4 pages, the last partial */
	fd = vmsim_open(e.m, e.pid, "/f", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 4 * PG, 0), (long)(3 * PG + 10));
	/* a 2-page VMA of pages 1-2: the window is clipped to it */
	a = vmsim_mmap(e.m, e.pid, 0, 2 * PG, PROT_READ, MAP_SHARED, fd, PG);
	ASSERT_CMP(a, >, 0);
	read8(&e, (unsigned long)a);
	ASSERT_EQ(vma_rss_kb(&e, (unsigned long)a), 8);
	/* a 16-page VMA over the 4-page file: nothing past EOF */
	b = vmsim_mmap(e.m, e.pid, 0, 16 * PG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_CMP(b, >, 0);
	read8(&e, (unsigned long)b + 2 * PG);
	ASSERT_EQ(vma_rss_kb(&e, (unsigned long)b), 16);
	fs_env_down(&e);
}
