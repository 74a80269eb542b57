/*
 * The kernel context of the public API (api/kernel.c, vmsim/kernel.h):
 * each allocator moves the counters it should (free pages per zone, live
 * slab objects, vmalloc areas) and back; frees of what it did not hand out,
 * a busy cache, a user address, a store outside its own memory are
 * refused with Linux's errors; a kernel load at an unmapped address is an
 * oops in the log, not a crash; kmap of a HIGHMEM page gives a pkmap
 * address whose bytes are the frame's; what is left is freed by
 * release_all (and by destroy), with exact accounting.
 */
#include <stdlib.h>
#include "memtest.h"
#include "kern/vmalloc.h"
#include "kern/highmem.h"
#include "kern/slab.h"
#include "vmsim/kernel.h"
#include "vmsim/process.h"

static unsigned long free_now(struct machine *m)
{
	machine_drain(m);
	return nr_free_pages(m);
}

static unsigned long objs_now(struct machine *m)
{
	machine_drain(m);
	return m->slab_active_objs(m);
}

static void count_line(void *arg, const char *line)
{
	(void)line;
	(*(int *)arg)++;
}

TEST(kernel_ctx_pages_and_kmap)
{
	struct machine *m = test_boot("ram=1G paging=pae");
	unsigned long free0 = free_now(m), pfn, dma, addr;
	char buf[16];

	ASSERT_EQ(vmsim_kernel_alloc_pages(m, 2, VMSIM_GFP_DMA, &dma), 0);
	ASSERT(dma < (16UL << 20) >> PAGE_SHIFT);		/* ZONE_DMA */
	ASSERT_EQ(free_now(m), free0 - 4);
	ASSERT_EQ(vmsim_kernel_alloc_pages(m, 0, VMSIM_GFP_HIGHMEM, &pfn), 0);
	ASSERT(pfn >= m->max_low_pfn);
	ASSERT_EQ(vmsim_kernel_alloc_pages(m, MAX_ORDER, 0, &pfn), -EINVAL);
	ASSERT_EQ(vmsim_kernel_alloc_pages(m, 0, 0x100, &pfn), -EINVAL);
	ASSERT_EQ(vmsim_kernel_alloc_pages(m, 0, VMSIM_GFP_HIGHMEM, &pfn), 0);
	/* kmap: a pkmap address, whose bytes are the frame's */
	ASSERT_EQ(vmsim_kernel_kmap(m, pfn, &addr), 0);
	ASSERT(addr >= PKMAP_BASE && addr < PKMAP_BASE + (512UL << PAGE_SHIFT));
	ASSERT_EQ(vmsim_kernel_write(m, 0, addr + 8, "highmem!", 8), 8);
	ASSERT_EQ(vmsim_kernel_read(m, 0, addr + 8, buf, 8), 8);
	ASSERT_MEMEQ(buf, "highmem!", 8);
	ASSERT_EQ(vmsim_kernel_free_pages(m, pfn, 0), -EBUSY);	/* still kmapped */
	ASSERT_EQ(vmsim_kernel_kunmap(m, pfn), 0);
	ASSERT_EQ(vmsim_kernel_kunmap(m, pfn), -EINVAL);
	ASSERT_EQ(vmsim_kernel_kmap(m, pfn + 1000, &addr), -EINVAL);	/* not ours */
	/* frees: a wrong order or an unknown block are refused, the kernel untouched */
	ASSERT_EQ(vmsim_kernel_free_pages(m, dma, 1), -EINVAL);
	ASSERT_EQ(vmsim_kernel_free_pages(m, dma + 1, 2), -EINVAL);
	ASSERT_EQ(vmsim_kernel_free_pages(m, dma, 2), 0);
	ASSERT_EQ(vmsim_kernel_free_pages(m, dma, 2), -EINVAL);
	ASSERT_EQ(vmsim_kernel_free_pages(m, pfn, 0), 0);
	{
		int n = 0;

		ASSERT_EQ(vmsim_kernel_release_all(m, count_line, &n), 1);	/* the first HIGHMEM page */
		ASSERT_EQ(n, 1);
	}
	ASSERT_EQ(free_now(m), free0);
	test_shutdown(m);
}

TEST(kernel_ctx_slab_and_vmalloc)
{
	struct machine *m = test_boot("ram=64M paging=i386");
	int pid = vmsim_spawn(m);
	unsigned long objs0 = objs_now(m), a, b, o, v, tables;
	struct vmsim_kernel_faults f0, f1;
	char buf[8];

	ASSERT_EQ(vmsim_kernel_kmalloc(m, 100, 0, &a), 0);
	ASSERT(a >= 0xC0000000UL && a < high_memory_of(m));
	ASSERT_EQ(vmsim_kernel_kmalloc(m, 100, VMSIM_GFP_HIGHMEM, &b), -EINVAL);
	ASSERT_EQ(vmsim_kernel_kmalloc(m, 64 << 20, 0, &b), -ENOMEM);
	ASSERT_EQ(objs_now(m), objs0 + 1);
	ASSERT_EQ(vmsim_kernel_kfree(m, a + 8), -EINVAL);
	ASSERT_EQ(vmsim_kernel_kfree(m, a), 0);
	ASSERT_EQ(vmsim_kernel_kfree(m, a), -EINVAL);
	/* a cache with a constructor */
	ASSERT_EQ(vmsim_kernel_cache_create(m, "t", 200, 0, VMSIM_SLAB_HWCACHE_ALIGN, 0x5a), 0);
	ASSERT_EQ(vmsim_kernel_cache_create(m, "t", 200, 0, 0, -1), -EEXIST);
	ASSERT_EQ(vmsim_kernel_cache_create(m, "filp", 200, 0, 0, -1), -EEXIST);
	ASSERT_EQ(vmsim_kernel_cache_create(m, "u", 0, 0, 0, -1), -EINVAL);
	ASSERT_EQ(vmsim_kernel_cache_create(m, "u", 64, 3, 0, -1), -EINVAL);
	ASSERT_EQ(vmsim_kernel_cache_alloc(m, "t", 0, &o), 0);
	ASSERT_EQ(o % 32, 0);
	ASSERT_EQ(vmsim_kernel_read(m, 0, o + 192, buf, 8), 8);
	ASSERT_MEMEQ(buf, "\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a", 8);
	ASSERT_EQ(vmsim_kernel_cache_alloc(m, "nosuch", 0, &b), -ENOENT);
	ASSERT_EQ(vmsim_kernel_cache_destroy(m, "t"), -EBUSY);
	ASSERT_EQ(vmsim_kernel_cache_free(m, "t", o + 4), -EINVAL);
	ASSERT_EQ(vmsim_kernel_cache_free(m, "t", o), 0);
	ASSERT_EQ(vmsim_kernel_cache_shrink(m, "t"), 1);	/* its one slab page */
	ASSERT_EQ(vmsim_kernel_cache_destroy(m, "t"), 0);
	ASSERT_EQ(vmsim_kernel_cache_destroy(m, "t"), -ENOENT);
	ASSERT_EQ(objs_now(m), objs0);
	/* vmalloc: the fault into A's older pgd, the guard page an oops */
	tables = atomic_load(&m->vmalloc->kernel_tables);
	ASSERT_EQ(vmsim_kernel_vmalloc(m, 8192, &v), 0);
	vmsim_kernel_faults(m, &f0);
	ASSERT_EQ(vmsim_kernel_write(m, pid, v, "A's view", 8), 8);
	vmsim_kernel_faults(m, &f1);
	ASSERT_EQ(f1.vmalloc_faults_fixed, f0.vmalloc_faults_fixed + 1);
	ASSERT_EQ(vmsim_kernel_read(m, 0, v + 8192, buf, 4), 0);	/* the guard page */
	vmsim_kernel_faults(m, &f0);
	ASSERT_EQ(f0.oopses, f1.oopses + 1);
	ASSERT_EQ(vmsim_kernel_read(m, 0, 0x1000, buf, 4), -EINVAL);	/* a user address */
	ASSERT_EQ(vmsim_kernel_read(m, 77, v, buf, 4), -ESRCH);
	/* stores only where K or a driver owns memory: not into mem_map */
	ASSERT_EQ(vmsim_kernel_write(m, 0, 0xC0000000UL + 0x100000, "x", 1), -EPERM);
	ASSERT_EQ(vmsim_kernel_write(m, 0, v + 8190, "xyz", 3), -EPERM);
	ASSERT_EQ(vmsim_kernel_vfree(m, v + 4096), -EINVAL);
	ASSERT_EQ(vmsim_kernel_vfree(m, v), 0);
	ASSERT(atomic_load(&m->vmalloc->kernel_tables) >= tables);
	/* left behind: release_all frees them, in reverse order */
	ASSERT_EQ(vmsim_kernel_kmalloc(m, 32, 0, &a), 0);
	ASSERT_EQ(vmsim_kernel_cache_create(m, "left", 40, 0, 0, -1), 0);
	ASSERT_EQ(vmsim_kernel_cache_alloc(m, "left", 0, &o), 0);
	ASSERT_EQ(vmsim_kernel_vmalloc(m, 4096, &v), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	{
		int n = 0;

		ASSERT_EQ(vmsim_kernel_release_all(m, count_line, &n), 4);
		ASSERT_EQ(n, 4);
		ASSERT_EQ(vmsim_kernel_release_all(m, count_line, &n), 0);
	}
	test_shutdown(m);
}

TEST(kernel_ctx_left_at_destroy)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a;

	/* destroy frees what the context left (ASan sees no leak, no BUG at shutdown) */
	ASSERT_EQ(vmsim_kernel_kmalloc(m, 32, 0, &a), 0);
	ASSERT_EQ(vmsim_kernel_cache_create(m, "left", 40, 0, 0, -1), 0);
	ASSERT_EQ(vmsim_kernel_cache_alloc(m, "left", 0, &a), 0);
	ASSERT_EQ(vmsim_kernel_alloc_pages(m, 1, 0, &a), 0);
	ASSERT_EQ(vmsim_kernel_kmap(m, a + 1, &a), 0);
	test_discard(m);
}
