/*
 * vmalloc tests: the layout per format, sizes up to 64 MiB written and
 * read back page by page through the MMU, guard-page faults (an oops in
 * the log, never an abort), exact page accounting after vfree, the vmlist
 * (first fit, sorted, guard pages), vmalloc_fault into a process pgd made
 * before the area, vmap of HIGHMEM pages, errors and failure unwinding,
 * meminfo and vmallocinfo.
 */
#include <stdlib.h>
#include "memtest.h"
#include "kern/vmalloc.h"
#include "kern/highmem.h"
#include "kern/printk.h"
#include "kern/slab.h"

static char *read_proc(struct machine *m, const char *name)
{
	char *s = vmsim_proc_read(m, name);

	ASSERT_NOT_NULL(s);
	return s;
}

static bool kmsg_contains(struct machine *m, const char *text)
{
	char *s = read_proc(m, "kmsg");
	bool found = strstr(s, text) != NULL;

	free(s);
	return found;
}

/* meminfo's value of @key in kB. */
static unsigned long meminfo_kb(struct machine *m, const char *key)
{
	char *s = read_proc(m, "meminfo");
	char *p = strstr(s, key);
	unsigned long v;

	ASSERT_MSG(p, "meminfo has no %s:\n%s", key, s);
	v = strtoul(p + strlen(key), NULL, 10);
	free(s);
	return v;
}

static unsigned long free_pages_drained(struct machine *m)
{
	machine_drain(m);
	return nr_free_pages(m);
}

/* Fill page @i of a buffer with a pattern that names the area, the page and the offset. */
static void fill_page(uint64_t *buf, unsigned long tag, unsigned long i)
{
	for (unsigned long w = 0; w < PAGE_SIZE / 8; w++)
		buf[w] = (tag << 40) ^ (i << 12) ^ w ^ 0x5a5a000000000000ULL;
}

TEST(vmalloc_layout)
{
	struct machine *m = test_boot("ram=64M paging=i386");

	ASSERT_EQ(high_memory_of(m), 0xC4000000UL);
	ASSERT_EQ(VMALLOC_START_OF(m), 0xC4800000UL);	/* 8 MiB gap, 8 MiB aligned */
	ASSERT_EQ(VMALLOC_END_OF(m), PKMAP_BASE - 2 * PAGE_SIZE);
	ASSERT_EQ(meminfo_kb(m, "VmallocTotal:"), (0xFDFFE000UL - 0xC4800000UL) >> 10);
	test_shutdown(m);

	m = test_boot("ram=1G paging=pae");
	ASSERT_EQ(high_memory_of(m), 0xF8000000UL);	/* 896 MiB of lowmem */
	ASSERT_EQ(VMALLOC_START_OF(m), 0xF8800000UL);
	test_shutdown(m);

	m = test_boot("ram=64M paging=x86_64");
	ASSERT_EQ(VMALLOC_START_OF(m), 0xffffc90000000000UL);
	ASSERT_EQ(VMALLOC_END_OF(m), 0xffffe90000000000UL);
	ASSERT_EQ(meminfo_kb(m, "VmallocTotal:"), 34359738367UL);	/* as Linux shows */
	ASSERT_EQ(meminfo_kb(m, "VmallocUsed:"), 0);
	test_shutdown(m);
}

/* Sizes from one byte to 64 MiB: every page written and read back through the MMU. */
static void sizes_on(const char *opts)
{
	static const unsigned long sizes[] = { 1, PAGE_SIZE, PAGE_SIZE + 1, (1UL << 20) + 123,
					       3UL << 20, 64UL << 20 };
	struct machine *m = test_boot(opts);
	uint64_t *buf = malloc(PAGE_SIZE), *back = malloc(PAGE_SIZE);
	unsigned long free0 = free_pages_drained(m), tables0;
	unsigned long highmem_pages = 0;

	tables0 = atomic_load(&m->vmalloc->kernel_tables);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned long size = sizes[k], npages = PAGE_ALIGN(size) >> PAGE_SHIFT;
		unsigned long a = vmalloc(size);

		ASSERT_MSG(a, "%s: vmalloc(%lu) failed", opts, size);
		ASSERT_EQ(a & ~PAGE_MASK, 0);
		ASSERT(a >= VMALLOC_START_OF(m) && a + npages * PAGE_SIZE <= VMALLOC_END_OF(m));
		for (unsigned long i = 0; i < npages; i++) {
			struct page *pg = vmalloc_to_page(a + i * PAGE_SIZE);

			ASSERT_NOT_NULL(pg);
			highmem_pages += PageHighMemPfn(pg);
			fill_page(buf, k, i);
			ASSERT_EQ(vwrite(a + i * PAGE_SIZE, buf, PAGE_SIZE), PAGE_SIZE);
		}
		for (unsigned long i = 0; i < npages; i++) {
			fill_page(buf, k, i);
			ASSERT_EQ(vread(back, a + i * PAGE_SIZE, PAGE_SIZE), PAGE_SIZE);
			ASSERT_MEMEQ(back, buf, PAGE_SIZE);
		}
		/* an unaligned copy across every page boundary of a small window */
		if (npages > 2) {
			uint8_t in[3 * 4096 / 2], out[sizeof(in)];

			for (size_t b = 0; b < sizeof(in); b++)
				in[b] = (uint8_t)(b * 7 + k);
			ASSERT_EQ(vwrite(a + PAGE_SIZE - 100, in, sizeof(in)), sizeof(in));
			ASSERT_EQ(vread(out, a + PAGE_SIZE - 100, sizeof(out)), sizeof(out));
			ASSERT_MEMEQ(out, in, sizeof(in));
		}
		ASSERT(vmlist_is_valid(m));
		ASSERT_EQ(meminfo_kb(m, "VmallocUsed:"), (npages + 1) * 4);
		vfree(a);
		ASSERT_EQ(meminfo_kb(m, "VmallocUsed:"), 0);
	}
	/* every page back but the kernel page tables, which stay (as Linux) */
	ASSERT_EQ(free_pages_drained(m),
		  free0 - (atomic_load(&m->vmalloc->kernel_tables) - tables0));
	if (m->totalhigh_pages)
		ASSERT_MSG(highmem_pages > 0, "%s: no HIGHMEM page in any area", opts);
	free(buf);
	free(back);
	test_shutdown(m);
}

TEST(vmalloc_sizes_i386_highmem)
{
	sizes_on("ram=1G paging=i386");
}

TEST(vmalloc_sizes_pae)
{
	sizes_on("ram=256M paging=pae");
}

TEST(vmalloc_sizes_x86_64)
{
	sizes_on("ram=256M paging=x86_64");
}

static void guard_on(const char *opts)
{
	struct machine *m = test_boot(opts);
	unsigned long a = vmalloc(2 * PAGE_SIZE), b = vmalloc(PAGE_SIZE);
	uint8_t buf[2 * PAGE_SIZE + 64];
	unsigned long oops0 = atomic_load(&m->vmalloc->oopses);

	ASSERT(a && b);
	/* the guard page after a separates it from b */
	ASSERT_EQ(b, a + 3 * PAGE_SIZE);
	memset(buf, 0xab, sizeof(buf));
	ASSERT_EQ(vwrite(a, buf, 2 * PAGE_SIZE - 16), 2 * PAGE_SIZE - 16);
	/* a read off the end of a stops at the guard page: an oops, not an abort */
	ASSERT_EQ(vread(buf, a + PAGE_SIZE, PAGE_SIZE + 64), PAGE_SIZE);
	ASSERT_EQ(atomic_load(&m->vmalloc->oopses), oops0 + 1);
	ASSERT(kmsg_contains(m, "Unable to handle kernel paging request at virtual address"));
	/* a write straight into the guard page */
	ASSERT_EQ(vwrite(a + 2 * PAGE_SIZE + 8, buf, 8), 0);
	ASSERT_EQ(atomic_load(&m->vmalloc->oopses), oops0 + 2);
	/* b is untouched by all this */
	ASSERT_EQ(vread(buf, b, 8), 8);
	/* a freed area faults too */
	vfree(a);
	ASSERT_EQ(vread(buf, a, 8), 0);
	ASSERT_EQ(atomic_load(&m->vmalloc->oopses), oops0 + 3);
	vfree(b);
	ASSERT(vmlist_is_valid(m));
	test_shutdown(m);
}

TEST(vmalloc_guard_page_faults)
{
	guard_on("ram=64M paging=i386");
	guard_on("ram=64M paging=pae");
	guard_on("ram=64M paging=x86_64");
}

TEST(vmalloc_vfree_exact_accounting)
{
	struct machine *m = test_boot("ram=1G paging=i386");
	unsigned long free0 = free_pages_drained(m);
	unsigned long high0 = nr_free_highpages(m), t0, t1, a;

	t0 = atomic_load(&m->vmalloc->kernel_tables);
	a = vmalloc(10UL << 20);
	ASSERT(a);
	t1 = atomic_load(&m->vmalloc->kernel_tables);
	ASSERT_EQ(t1 - t0, 3);		/* 10 MiB + guard at an 8 MiB boundary: 3 PTE tables */
	/* 2560 pages and the tables gone (plus at most one slab page for the vm_struct) */
	ASSERT_CMP(free0 - free_pages_drained(m) - (t1 - t0), >=, 2560);
	ASSERT_CMP(free0 - free_pages_drained(m) - (t1 - t0), <=, 2561);
	vfree(a);
	ASSERT_EQ(free_pages_drained(m), free0 - (t1 - t0));
	ASSERT_EQ(nr_free_highpages(m), high0);
	/* the same again reuses the tables: not one page more */
	a = vmalloc(10UL << 20);
	ASSERT_EQ(atomic_load(&m->vmalloc->kernel_tables), t1);
	vfree(a);
	ASSERT_EQ(free_pages_drained(m), free0 - (t1 - t0));
	ASSERT_NULL(m->vmalloc->vmlist);
	test_shutdown(m);
}

TEST(vmalloc_vmlist_first_fit_sorted)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	unsigned long a = vmalloc(4 * PAGE_SIZE), b = vmalloc(8 * PAGE_SIZE);
	unsigned long c = vmalloc(PAGE_SIZE), d, e;
	char *info;

	ASSERT_EQ(a, VMALLOC_START_OF(m));
	ASSERT_EQ(b, a + 5 * PAGE_SIZE);
	ASSERT_EQ(c, b + 9 * PAGE_SIZE);
	vfree(b);
	d = vmalloc(3 * PAGE_SIZE);	/* first fit: b's hole */
	ASSERT_EQ(d, b);
	e = vmalloc(4 * PAGE_SIZE);	/* the rest of the hole holds 4 + guard: fits exactly */
	ASSERT_EQ(e, d + 4 * PAGE_SIZE);
	ASSERT(vmlist_is_valid(m));
	info = read_proc(m, "vmallocinfo");
	ASSERT_CONTAINS(info, "0xffffc90000000000-0xffffc90000005000   20480 pages=4 vmalloc\n");
	ASSERT_CONTAINS(info, "0xffffc90000005000-0xffffc90000009000   16384 pages=3 vmalloc\n");
	free(info);
	ASSERT_EQ(meminfo_kb(m, "VmallocUsed:"), (5 + 4 + 5 + 2) * 4);
	vfree(a);
	vfree(c);
	vfree(d);
	vfree(e);
	ASSERT_EQ(m->vmalloc->nr_areas, 0);
	ASSERT_EQ(meminfo_kb(m, "VmallocChunk:"), meminfo_kb(m, "VmallocTotal:") + 1);
	test_shutdown(m);
}

TEST(vmalloc_errors_and_unwinding)
{
	struct machine *m = test_boot("ram=64M paging=i386");
	struct vmalloc_state *vs = m->vmalloc;
	unsigned long free0 = free_pages_drained(m), t0 = atomic_load(&vs->kernel_tables);
	struct vm_struct *all;
	unsigned long a;

	ASSERT_EQ(vmalloc(0), 0);
	ASSERT_EQ(vmalloc(65UL << 20), 0);	/* more than RAM */
	/* the whole range minus the guard page fits once, nothing more */
	all = get_vm_area(vs->end - vs->start - PAGE_SIZE, VM_ALLOC);
	ASSERT_NOT_NULL(all);
	ASSERT_EQ(all->addr, vs->start);
	ASSERT_NULL(get_vm_area(PAGE_SIZE, VM_ALLOC));
	ASSERT_EQ(vmalloc(PAGE_SIZE), 0);
	ASSERT(remove_vm_area(all->addr) == all);
	kfree(all);
	ASSERT_NULL(get_vm_area(vs->end - vs->start, VM_ALLOC));

	vfree(vs->start + 123);
	ASSERT(kmsg_contains(m, "Trying to vfree() bad address"));
	vfree(vs->start);
	ASSERT(kmsg_contains(m, "Trying to vfree() nonexistent vm area"));
	vfree(0);

	/* the 50th page allocation fails: nothing of the area survives */
	m->cfg.fail_page_alloc_nth = 50;
	this_cpu()->fail_page_alloc_count = 0;
	a = vmalloc(100 * PAGE_SIZE);
	m->cfg.fail_page_alloc_nth = 0;
	ASSERT_EQ(a, 0);
	ASSERT_EQ(vs->nr_areas, 0);
	ASSERT_EQ(free_pages_drained(m), free0 - (atomic_load(&vs->kernel_tables) - t0));
	test_shutdown(m);
}

/*
 * A process pgd made before the area lacks the kernel entry; the first
 * kernel-mode access from that address space copies it from init_mm.
 */
static void fault_on(const char *opts, bool expect_copy)
{
	struct memtest t;
	struct machine *m;
	unsigned long a, fixed0;
	uint64_t v = 0x1122334455667788ULL, r = 0;
	pgdp_t pgd, pgd_k;

	memtest_begin(&t, opts);
	m = t.m;
	ASSERT(this_cpu()->active_mm == t.mm);
	fixed0 = atomic_load(&m->vmalloc->faults_fixed);
	a = vmalloc(5 * PAGE_SIZE);
	ASSERT(a);
	ASSERT_EQ(vwrite(a + 4 * PAGE_SIZE + 16, &v, 8), 8);
	ASSERT_EQ(vread(&r, a + 4 * PAGE_SIZE + 16, 8), 8);
	ASSERT_EQ(r, v);
	ASSERT_EQ(atomic_load(&m->vmalloc->faults_fixed) - fixed0, expect_copy ? 1 : 0);
	/* the process's top-level entry now equals init_mm's */
	pgd = pgd_offset(t.mm, a);
	pgd_k = pgd_offset_k(m, a);
	ASSERT_EQ(pgd_val(pgdp_get(pgd)) & ~_PAGE_ACCESSED,
		  pgd_val(pgdp_get(pgd_k)) & ~_PAGE_ACCESSED);
	/* a user-mode access to the same address is a SIGSEGV, not a vmalloc fault */
	ASSERT_EQ(mmu_user_read(a, &r, 8), -EFAULT);
	ASSERT_EQ(t.task.pending_signal, SIGSEGV);
	t.task.pending_signal = 0;
	vfree(a);
	memtest_end(&t);
}

TEST(vmalloc_fault_into_older_pgd)
{
	fault_on("ram=64M paging=i386", true);	/* a new 4 MiB pgd slot */
	fault_on("ram=64M paging=pae", false);	/* the kernel pmd page is shared */
	fault_on("ram=64M paging=x86_64", true);	/* a new 512 GiB pgd slot */
}

TEST(vmalloc_vmap_highmem_pages)
{
	struct machine *m = test_boot("ram=1G paging=i386");
	struct page *pages[16];
	uint64_t buf[PAGE_SIZE / 8], back[PAGE_SIZE / 8];
	unsigned long a;

	for (int i = 0; i < 16; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		ASSERT_NOT_NULL(pages[i]);
		ASSERT(PageHighMemPfn(pages[i]));
		fill_page(buf, 99, (unsigned long)i);
		memcpy_to_page(pages[i], 0, buf, PAGE_SIZE);
	}
	a = vmap(pages, 16, 0, PAGE_KERNEL);
	ASSERT(a);
	for (int i = 0; i < 16; i++) {
		fill_page(buf, 99, (unsigned long)i);
		ASSERT_EQ(vread(back, a + (unsigned long)i * PAGE_SIZE, PAGE_SIZE), PAGE_SIZE);
		ASSERT_MEMEQ(back, buf, PAGE_SIZE);
		ASSERT(vmalloc_to_page(a + (unsigned long)i * PAGE_SIZE) == pages[i]);
	}
	/* a write through the vmap shows in the page (seen through kmap) */
	buf[0] = 0xfeedfacecafebeefULL;
	ASSERT_EQ(vwrite(a + 7 * PAGE_SIZE, buf, 8), 8);
	{
		uint64_t *k = kmap(pages[7]);

		ASSERT_EQ(k[0], 0xfeedfacecafebeefULL);
		kunmap(pages[7]);
	}
	/* read-only vmap: a kernel write faults */
	vunmap(a);
	a = vmap(pages, 2, 0, PAGE_KERNEL_RO);
	ASSERT_EQ(vread(back, a, 8), 8);
	ASSERT_EQ(vwrite(a, buf, 8), 0);
	vunmap(a);
	ASSERT_EQ(vread(back, a, 8), 0);
	for (int i = 0; i < 16; i++)
		__free_page(pages[i]);
	test_shutdown(m);
}
