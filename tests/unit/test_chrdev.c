/*
 * Device files and driver mmap (fs/char_dev.c, drivers/char/): /dev/null,
 * /dev/zero (private mapping anonymous, shared one shmem), /dev/mem only
 * over reserved RAM and the MMIO region (-EPERM elsewhere), and the
 * seeds' /dev/mmapdrv: its three mappings carry bytes both ways between a
 * process and the driver's kmalloc, vmalloc and device-memory buffers,
 * its errors (-EINVAL, -ENXIO), the module's use count, and exact
 * accounting once it is unloaded.
 */
#include <fcntl.h>
#include <stdlib.h>
#include "memtest.h"
#include "kern/chrdev.h"
#include "kern/io.h"
#include "kern/slab.h"
#include "vmsim/process.h"
#include "vmsim/file.h"
#include "vmsim/kernel.h"

#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define SHARED	(VMSIM_MAP_SHARED | VMSIM_MAP_FIXED)
#define PRIVATE	(VMSIM_MAP_PRIVATE | VMSIM_MAP_FIXED)

static unsigned long free_now(struct machine *m)
{
	machine_drain(m);
	return nr_free_pages(m);
}

TEST(chrdev_null_zero)
{
	struct machine *m = test_boot("ram=32M");
	int pid = vmsim_spawn(m), fn, fz;
	char buf[16];
	char *maps;

	fn = vmsim_open(m, pid, "/dev/null", O_RDWR, 0);
	fz = vmsim_open(m, pid, "/dev/zero", O_RDWR, 0);
	ASSERT_EQ(fn, 0);
	ASSERT_EQ(fz, 1);
	ASSERT_EQ(vmsim_open(m, pid, "/dev/nosuch", O_RDWR, 0), -ENOENT);
	/* /dev/null: EOF, writes swallowed, no mmap (-ENODEV, as the host) */
	ASSERT_EQ(vmsim_mmap(m, pid, 0x10000000, 4096, RW, PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0),
		  0x10000000);
	ASSERT_EQ(vmsim_write(m, pid, 0x10000000, "xxxxxxxx", 8), 0);
	ASSERT_EQ(vmsim_fd_read(m, pid, fn, 0x10000000, 8), 0);
	ASSERT_EQ(vmsim_fd_write(m, pid, fn, 0x10000000, 8), 8);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x20000000, 4096, RW, SHARED, fn, 0), -ENODEV);
	/* /dev/zero reads zeroes over what was there */
	ASSERT_EQ(vmsim_fd_read(m, pid, fz, 0x10000000, 8), 8);
	ASSERT_EQ(vmsim_read(m, pid, 0x10000000, buf, 8), 0);
	ASSERT_EQ(memcmp(buf, "\0\0\0\0\0\0\0\0", 8), 0);
	ASSERT_EQ(vmsim_ftruncate(m, pid, fz, 0), -EINVAL);
	/* private: anonymous, private to each process; shared: shmem, shared with a child */
	ASSERT_EQ(vmsim_mmap(m, pid, 0x20000000, 8192, RW, PRIVATE, fz, 0), 0x20000000);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x30000000, 8192, RW, SHARED, fz, 0), 0x30000000);
	ASSERT_EQ(vmsim_write(m, pid, 0x20000000, "p", 1), 0);
	ASSERT_EQ(vmsim_write(m, pid, 0x30000000, "s", 1), 0);
	{
		int child = vmsim_fork(m, pid);

		ASSERT(child > 0);
		ASSERT_EQ(vmsim_write(m, child, 0x20000000, "P", 1), 0);
		ASSERT_EQ(vmsim_write(m, child, 0x30000000, "S", 1), 0);
		ASSERT_EQ(vmsim_read(m, pid, 0x20000000, buf, 1), 0);
		ASSERT_EQ(buf[0], 'p');		/* COW: the child's store is its own */
		ASSERT_EQ(vmsim_read(m, pid, 0x30000000, buf, 1), 0);
		ASSERT_EQ(buf[0], 'S');		/* shared: the parent sees it */
		ASSERT_EQ(vmsim_exit(m, child), 0);
	}
	maps = vmsim_proc_pid_read(m, pid, "maps");
	ASSERT_NOT_NULL(maps);
	ASSERT_MSG(strstr(maps, "20000000-20002000 rw-p 00000000 00:06 4") &&
		   strstr(maps, "/dev/zero\n"), "private /dev/zero:\n%s", maps);
	ASSERT_MSG(strstr(maps, "30000000-30002000 rw-s 00000000 00:01") &&
		   strstr(maps, "/dev/zero (deleted)"), "shared /dev/zero:\n%s", maps);
	free(maps);
	/* madvise and mincore over the private /dev/zero mapping (no page cache behind it) */
	ASSERT_EQ(vmsim_madvise(m, pid, 0x20000000, 8192, VMSIM_MADV_WILLNEED), 0);
	{
		unsigned char vec[2];

		ASSERT_EQ(vmsim_mincore(m, pid, 0x20000000, 8192, vec), 0);
		ASSERT_EQ(vec[0] & 1, 1);
		ASSERT_EQ(vec[1] & 1, 0);
	}
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

TEST(chrdev_mem_strict)
{
	struct machine *m = test_boot("ram=32M");
	int pid = vmsim_spawn(m), fd;
	unsigned long reserved_pfn = 0, free_pfn = 0;
	char buf[8];

	for (unsigned long pfn = 0; pfn < m->max_pfn && (!reserved_pfn || !free_pfn); pfn++) {
		struct page *p = pfn_to_page(m, pfn);

		if (!reserved_pfn && pfn && PageReserved(p))
			reserved_pfn = pfn;
		if (!free_pfn && PageBuddy(p))
			free_pfn = pfn;
	}
	ASSERT(reserved_pfn && free_pfn);
	fd = vmsim_open(m, pid, "/dev/mem", O_RDWR, 0);
	ASSERT_EQ(fd, 0);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x10000000, 4096, RW, PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0),
		  0x10000000);
	/* RAM the allocator owns: -EPERM, for read, write and mmap alike */
	ASSERT_EQ(vmsim_pread(m, pid, fd, 0x10000000, 8, free_pfn << PAGE_SHIFT), -EPERM);
	ASSERT_EQ(vmsim_pwrite(m, pid, fd, 0x10000000, 8, free_pfn << PAGE_SHIFT), -EPERM);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x20000000, 4096, VMSIM_PROT_READ, SHARED, fd,
			     free_pfn << PAGE_SHIFT), -EPERM);
	/* past RAM and device memory: -EFAULT (read), -EINVAL (mmap) */
	ASSERT_EQ(vmsim_pread(m, pid, fd, 0x10000000, 8, m->ram_size + PAGE_SIZE), -EFAULT);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x20000000, 4096, VMSIM_PROT_READ, SHARED, fd,
			     m->ram_size + PAGE_SIZE), -EINVAL);
	/* a reserved page: its bytes, as the kernel sees them */
	ASSERT_EQ(vmsim_pread(m, pid, fd, 0x10000000, 8, reserved_pfn << PAGE_SHIFT), 8);
	ASSERT_EQ(vmsim_read(m, pid, 0x10000000, buf, 8), 0);
	ASSERT_EQ(memcmp(buf, page_address(pfn_to_page(m, reserved_pfn)), 8), 0);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x20000000, 4096, VMSIM_PROT_READ, SHARED, fd,
			     reserved_pfn << PAGE_SHIFT), 0x20000000);
	ASSERT_EQ(vmsim_read(m, pid, 0x20000000, buf, 8), 0);
	ASSERT_EQ(memcmp(buf, page_address(pfn_to_page(m, reserved_pfn)), 8), 0);
	/* device memory: written through /dev/mem, read through a mapping of it */
	ASSERT_EQ(vmsim_write(m, pid, 0x10000000, "regs", 4), 0);
	ASSERT_EQ(vmsim_pwrite(m, pid, fd, 0x10000000, 4, m->hw.mmio_base + 8), 4);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x30000000, 4096, RW, SHARED, fd, m->hw.mmio_base),
		  0x30000000);
	ASSERT_EQ(vmsim_read(m, pid, 0x30000008, buf, 4), 0);
	ASSERT_EQ(memcmp(buf, "regs", 4), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

/* Offsets of the three regions, and what the driver put there at load. */
static const struct {
	unsigned long off, size;
	const char *pattern;
} regions[] = {
	{ MMAPDRV_KMALLOC_OFF, MMAPDRV_KMALLOC_SIZE, "abcd" },
	{ MMAPDRV_VMALLOC_OFF, MMAPDRV_VMALLOC_SIZE, "vmal" },
	{ MMAPDRV_MMIO_OFF, 64 << 10, "mmio" },
};

static void mmapdrv_both_ways(const char *opts)
{
	struct machine *m = test_boot(opts);
	unsigned long before = free_now(m), objs = m->slab_active_objs(m);
	unsigned long tables = atomic_load(&m->vmalloc->kernel_tables);
	int pid = vmsim_spawn(m), fd;
	struct mmapdrv_info info;
	char buf[16];

	ASSERT(!chrdev_module_loaded(m, "mmapdrv"));
	fd = vmsim_open(m, pid, "/dev/mmapdrv", O_RDWR, 0);
	ASSERT_EQ(fd, 0);
	ASSERT(chrdev_module_loaded(m, "mmapdrv"));
	ASSERT_EQ(mmapdrv_get_info(m, &info), 0);
	ASSERT(PageReserved(pfn_to_page(m, info.kmalloc_phys >> PAGE_SHIFT)));
	ASSERT_EQ(vmsim_mmap(m, pid, 0x40000000, PAGE_SIZE, RW, PRIVATE | VMSIM_MAP_ANONYMOUS,
			     -1, 0), 0x40000000);
	for (int r = 0; r < 3; r++) {
		unsigned long va = 0x10000000UL * (unsigned long)(r + 1);
		unsigned long at = regions[r].size - 16;

		ASSERT_EQ(vmsim_mmap(m, pid, va, regions[r].size, RW, SHARED, fd, regions[r].off),
			  (long)va);
		/* the kernel wrote first: the process reads it */
		ASSERT_EQ(vmsim_read(m, pid, va + 4, buf, 4), 0);
		ASSERT_EQ(memcmp(buf, regions[r].pattern, 4), 0);
		/* the process stores; the driver's read (the kernel side) returns it */
		ASSERT_EQ(vmsim_write(m, pid, va + at, "from user space", 15), 0);
		ASSERT_EQ(vmsim_pread(m, pid, fd, 0x40000000, 15, regions[r].off + at), 15);
		ASSERT_EQ(vmsim_read(m, pid, 0x40000000, buf, 15), 0);
		ASSERT_EQ(memcmp(buf, "from user space", 15), 0);
		/* the driver writes; the mapping shows it */
		ASSERT_EQ(vmsim_write(m, pid, 0x40000000, "KERNEL", 6), 0);
		ASSERT_EQ(vmsim_pwrite(m, pid, fd, 0x40000000, 6, regions[r].off + 8), 6);
		ASSERT_EQ(vmsim_read(m, pid, va + 8, buf, 6), 0);
		ASSERT_EQ(memcmp(buf, "KERNEL", 6), 0);
	}
	/* the kernel's own view of the same bytes */
	ASSERT_EQ(memcmp((char *)phys_to_virt(m, info.kmalloc_phys) + 8, "KERNEL", 6), 0);
	{
		struct sim_cpu *saved = cpu_enter(m);

		ASSERT_EQ(vread(buf, info.vmalloc_addr + 8, 6), 6);
		ASSERT_EQ(memcmp(buf, "KERNEL", 6), 0);
		memcpy_fromio(buf, info.mmio_addr + 8, 6);
		ASSERT_EQ(memcmp(buf, "KERNEL", 6), 0);
		cpu_leave(saved);
	}
	/* errors: no region, past a region, private, busy module */
	ASSERT_EQ(vmsim_mmap(m, pid, 0x50000000, PAGE_SIZE, RW, SHARED, fd, 0x5000), -EINVAL);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x50000000, 2 * MMAPDRV_KMALLOC_SIZE, RW, SHARED, fd, 0),
		  -ENXIO);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x50000000, 2 * PAGE_SIZE, RW, SHARED, fd,
			     MMAPDRV_VMALLOC_OFF + MMAPDRV_VMALLOC_SIZE - PAGE_SIZE), -ENXIO);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x50000000, PAGE_SIZE, RW, PRIVATE, fd, 0), -EINVAL);
	ASSERT_EQ(vmsim_pread(m, pid, fd, 0x40000000, 8, 0x5000), 0);
	ASSERT_EQ(chrdev_module_unload(m, "mmapdrv"), -EBUSY);
	ASSERT_EQ(vmsim_close(m, pid, fd), 0);
	ASSERT_EQ(chrdev_module_unload(m, "mmapdrv"), -EBUSY);	/* the mappings hold it */
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	ASSERT_EQ(chrdev_module_unload(m, "mmapdrv"), 0);
	ASSERT_EQ(chrdev_module_unload(m, "mmapdrv"), -ENOENT);
	/* every page and object back (kernel page tables vmalloc made stay, as in 2.4) */
	ASSERT_EQ(free_now(m), before - atomic_load(&m->vmalloc->kernel_tables) + tables);
	ASSERT_EQ(m->slab_active_objs(m), objs);
	test_shutdown(m);
}

TEST(chrdev_mmapdrv)
{
	mmapdrv_both_ways("ram=32M");
	mmapdrv_both_ways("ram=64M paging=i386");
	mmapdrv_both_ways("ram=1G paging=pae");
}

/* The end states a run may leave the driver in, each followed by a checked shutdown. */
enum mmapdrv_end { END_OPEN, END_CLOSED, END_MAPPED, END_MAPPED_CLOSED, END_RMMOD, END_INSMOD };

static void mmapdrv_shutdown_from(const char *opts, enum mmapdrv_end end)
{
	struct machine *m = test_boot(opts);
	int pid = vmsim_spawn(m);

	if (end == END_INSMOD) {
		ASSERT_EQ(vmsim_kernel_module(m, "mmapdrv", true), 0);
		goto down;
	}
	ASSERT_EQ(vmsim_open(m, pid, "/dev/mmapdrv", O_RDWR, 0), 0);
	if (end == END_MAPPED || end == END_MAPPED_CLOSED) {
		ASSERT_EQ(vmsim_mmap(m, pid, 0x10000000, PAGE_SIZE, RW, SHARED, 0,
				     MMAPDRV_VMALLOC_OFF), 0x10000000);
		ASSERT_EQ(vmsim_write(m, pid, 0x10000000, "dirty", 5), 0);
		ASSERT_EQ(vmsim_mmap(m, pid, 0x20000000, PAGE_SIZE, RW, SHARED, 0,
				     MMAPDRV_KMALLOC_OFF), 0x20000000);
	}
	if (end != END_OPEN && end != END_MAPPED)
		ASSERT_EQ(vmsim_close(m, pid, 0), 0);
	if (end == END_RMMOD)
		ASSERT_EQ(vmsim_kernel_module(m, "mmapdrv", false), 0);
	else
		ASSERT(chrdev_module_loaded(m, "mmapdrv"));
down:
	/*
	 * Checked teardown: the process exits, the module loaded since boot
	 * is unloaded before the exact-accounting check (which BUGs, and
	 * aborts the test, on a page or object it still holds).
	 */
	vmsim_machine_destroy(m);
}

TEST(chrdev_mmapdrv_unloaded_at_shutdown)
{
	static const char *const machines[] = { "ram=32M paging=pae", "ram=64M paging=i386" };

	for (unsigned int i = 0; i < 2; i++)
		for (int end = END_OPEN; end <= END_INSMOD; end++)
			mmapdrv_shutdown_from(machines[i], (enum mmapdrv_end)end);
}
