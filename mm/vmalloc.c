/*
 * mm/vmalloc.c - virtually contiguous kernel memory (vmalloc, vfree, vmap,
 * vunmap), the vmlist of areas with a guard page after each, the kernel
 * page tables behind them (init_mm) and vmalloc_fault, which lets a
 * process page directory pick up kernel mappings made after it was
 * created, as Linux 2.4 (see kern/vmalloc.h for the layout).
 *
 * Kernel page tables are never freed while the machine runs (2.4 does
 * not either: a process pgd may hold a copy of the entry pointing to
 * them).  The table pages vmalloc allocates after boot therefore stay
 * allocated; they are counted (vmalloc_state.kernel_tables) and the
 * machine's boot accounting baseline moves by the same amount, so the
 * exact-accounting check still sees every other page come back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kern/vmalloc.h"
#include "kern/highmem.h"
#include "kern/tlb.h"
#include "kern/mmu.h"
#include "kern/memory.h"
#include "kern/slab.h"
#include "kern/printk.h"

/* x86-64 (4-level): Linux's vmalloc range, 32 TiB. */
#define VMALLOC_START_64	0xffffc90000000000UL
#define VMALLOC_END_64		0xffffe90000000000UL

/* Pages unmapped per TLB shootdown when an area goes. */
#define UNMAP_BATCH		512

/* --- the vmlist ------------------------------------------------------------------ */

struct vm_struct *get_vm_area(unsigned long size, unsigned long flags)
{
	struct vmalloc_state *vs = this_machine()->vmalloc;
	struct vm_struct **p, *tmp, *area;
	unsigned long addr;

	if (!size || size > vs->end - vs->start - PAGE_SIZE)
		return NULL;
	size = PAGE_ALIGN(size) + PAGE_SIZE;	/* the guard page */
	area = kmalloc(sizeof(*area), GFP_KERNEL);
	if (!area)
		return NULL;

	spin_lock(&vs->vmlist_lock);
	addr = vs->start;
	for (p = &vs->vmlist; (tmp = *p); p = &tmp->next) {
		if (tmp->addr >= addr && tmp->addr - addr >= size)
			break;
		addr = tmp->addr + tmp->size;
	}
	if (addr > vs->end || vs->end - addr < size) {
		spin_unlock(&vs->vmlist_lock);
		kfree(area);
		return NULL;
	}
	area->flags = flags;
	area->addr = addr;
	area->size = size;
	area->nr_pages = 0;
	area->phys_addr = 0;
	area->next = *p;
	*p = area;
	vs->nr_areas++;
	vs->used_bytes += size;
	spin_unlock(&vs->vmlist_lock);
	return area;
}

struct vm_struct *remove_vm_area(unsigned long addr)
{
	struct vmalloc_state *vs = this_machine()->vmalloc;
	struct vm_struct **p, *tmp;

	spin_lock(&vs->vmlist_lock);
	for (p = &vs->vmlist; (tmp = *p); p = &tmp->next) {
		if (tmp->addr == addr) {
			*p = tmp->next;
			vs->nr_areas--;
			vs->used_bytes -= tmp->size;
			break;
		}
	}
	spin_unlock(&vs->vmlist_lock);
	return tmp;
}

/* --- kernel PTEs ---------------------------------------------------------------------- */

/*
 * The PTE table entry of @addr in init_mm, allocating the tables on the
 * way (map_lock held).  Kernel tables are lowmem: a host pointer that
 * stays valid while the machine runs.
 */
static ptep_t kernel_pte_alloc(struct mm_struct *init, unsigned long addr)
{
	pgdp_t pgd;
	pudp_t pud;
	pmdp_t pmd;
	ptep_t pte = { NULL, mm_pgt_fmt(init) };

	spin_lock(&init->page_table_lock);
	pgd = pgd_offset(init, addr);
	pud = pud_alloc(init, pgd, addr);
	if (!pud.p)
		goto out;
	pmd = pmd_alloc(init, pud, addr);
	if (!pmd.p)
		goto out;
	pte = pte_alloc_kernel(init, pmd, addr);
out:
	spin_unlock(&init->page_table_lock);
	return pte;
}

/* The PTE of @addr in init_mm without allocating (null if a table is missing). */
static ptep_t kernel_pte_lookup(struct mm_struct *init, unsigned long addr)
{
	const struct pgt_format *f = mm_pgt_fmt(init);
	ptep_t none = { NULL, f };
	pmdp_t pmd = pmd_lookup(init, addr);
	pmd_t v;

	if (!pmd.p)
		return none;
	v = pmdp_get(pmd);
	if (pmd_none(v) || pmd_bad(v))
		return none;
	return pte_offset_kernel(pmd, addr);
}

/*
 * Clear the PTEs of the first @nr pages of @area; with @free_pages give
 * the pages back.  Each batch is flushed from every CPU's TLB before its
 * pages are freed.
 */
static void unmap_vm_area(struct vm_struct *area, unsigned long nr, bool free_pages)
{
	struct machine *m = this_machine();
	struct mm_struct *init = m->init_mm;
	struct page *batch[UNMAP_BATCH];
	unsigned long i = 0;

	while (i < nr) {
		unsigned long first = area->addr + (i << PAGE_SHIFT);
		unsigned int n = 0;

		for (; i < nr && n < UNMAP_BATCH; i++) {
			unsigned long addr = area->addr + (i << PAGE_SHIFT);
			ptep_t p = kernel_pte_lookup(init, addr);
			pte_t pte;

			if (!p.p)
				continue;
			pte = ptep_get_and_clear(p);
			if (!pte_present(pte)) {
				printk(m, "vmalloc: %#lx of area %#lx had no page mapped\n", addr,
				       area->addr);
				continue;
			}
			if (free_pages)
				batch[n++] = pfn_to_page(m, pte_pfn(pte));
		}
		flush_tlb_kernel_range(first, area->addr + (i << PAGE_SHIFT));
		if (free_pages)
			for (unsigned int j = 0; j < n; j++)
				__free_page(batch[j]);
	}
}

/*
 * Map the pages of @area: the caller's @pages (vmap), the frames from
 * area->phys_addr on (VM_IOREMAP) or fresh pages from @gfp_mask
 * (vmalloc).  0, or -ENOMEM with everything mapped so far undone (fresh
 * pages freed); area->nr_pages is set on success.
 */
static int map_vm_area(struct vm_struct *area, pgprot_t prot, struct page **pages,
		       gfp_t gfp_mask)
{
	bool raw = area->flags & VM_IOREMAP;
	struct machine *m = this_machine();
	struct vmalloc_state *vs = m->vmalloc;
	struct mm_struct *init = m->init_mm;
	const struct pgt_format *f = pgt_fmt(m);
	unsigned long nr = (area->size >> PAGE_SHIFT) - 1, i = 0;
	long tables_before;
	int err = 0;

	down(&vs->map_lock);
	tables_before = atomic_load(&init->nr_ptes);
	while (i < nr) {
		unsigned long addr = area->addr + (i << PAGE_SHIFT);
		unsigned long end = pmd_addr_end(f, addr, area->addr + (nr << PAGE_SHIFT));
		ptep_t p = kernel_pte_alloc(init, addr);

		if (!p.p) {
			err = -ENOMEM;
			break;
		}
		/* the area is ours alone: its PTEs need no lock, the tables stay */
		for (; addr < end; addr += PAGE_SIZE, i++, p = ptep_next(p)) {
			struct page *page = raw ? NULL : pages ? pages[i] : alloc_page(gfp_mask);

			if (!raw && !page) {
				err = -ENOMEM;
				goto out;
			}
			VM_BUG_ON_MSG(!pte_none(ptep_get(p)),
				      "vmalloc: %#lx of new area %#lx already mapped (%#llx)", addr,
				      area->addr, (unsigned long long)pte_val(ptep_get(p)));
			if (raw)
				set_pte(p, pfn_pte_fmt(f, (unsigned long)(area->phys_addr >> PAGE_SHIFT) +
							      i, prot));
			else
				set_pte(p, mk_pte(page, prot));
		}
	}
out:
	{
		long delta = atomic_load(&init->nr_ptes) - tables_before;

		if (delta > 0) {
			atomic_fetch_add(&vs->kernel_tables, (unsigned long)delta);
			/* permanent kernel memory: the accounting baseline follows */
			if (m->booted)
				m->boot_free_pages -= (unsigned long)delta;
		}
	}
	up(&vs->map_lock);
	if (err) {
		unmap_vm_area(area, i, !pages && !raw);
		return err;
	}
	area->nr_pages = nr;
	return 0;
}

/* --- vmalloc, vfree, vmap, vunmap ------------------------------------------------------ */

unsigned long __vmalloc(unsigned long size, gfp_t gfp_mask, pgprot_t prot)
{
	struct machine *m = this_machine();
	struct vm_struct *area;

	size = PAGE_ALIGN(size);
	if (!size || (size >> PAGE_SHIFT) > m->totalram_pages)
		return 0;
	area = get_vm_area(size, VM_ALLOC);
	if (!area)
		return 0;
	if (map_vm_area(area, prot, NULL, gfp_mask)) {
		remove_vm_area(area->addr);
		kfree(area);
		return 0;
	}
	return area->addr;
}

unsigned long vmalloc(unsigned long size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM, PAGE_KERNEL);
}

unsigned long vzalloc(unsigned long size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO, PAGE_KERNEL);
}

unsigned long vmalloc_32(unsigned long size)
{
	return __vmalloc(size, GFP_KERNEL, PAGE_KERNEL);
}

/* Take the area of @addr off the list and unmap it; @what names the caller. */
static void __vunmap(unsigned long addr, bool deallocate, const char *what)
{
	struct machine *m = this_machine();
	struct vm_struct *area;

	if (!addr)
		return;
	if (addr & ~PAGE_MASK) {
		printk(m, "Trying to %s() bad address (%#lx)\n", what, addr);
		return;
	}
	area = remove_vm_area(addr);
	if (!area) {
		printk(m, "Trying to %s() nonexistent vm area (%#lx)\n", what, addr);
		return;
	}
	if (area->flags & VM_IOREMAP) {
		deallocate = false;	/* device memory: no pages to give back */
	} else if (deallocate && !(area->flags & VM_ALLOC)) {
		/* vfree of a vmap area: the pages are not ours to free */
		printk(m, "vfree() of vmap area %#lx: unmapped, pages left to their owner\n",
		       addr);
		deallocate = false;
	} else if (!deallocate && (area->flags & VM_ALLOC)) {
		printk(m, "vunmap() of vmalloc area %#lx: freeing its pages as vfree\n", addr);
		deallocate = true;
	}
	unmap_vm_area(area, area->nr_pages, deallocate);
	kfree(area);
}

void vfree(unsigned long addr)
{
	__vunmap(addr, true, "vfree");
}

unsigned long vmap(struct page **pages, unsigned int count, unsigned long flags,
		   pgprot_t prot)
{
	struct machine *m = this_machine();
	struct vm_struct *area;

	if (!count || !pages || count > m->max_pfn)
		return 0;
	area = get_vm_area((unsigned long)count << PAGE_SHIFT, flags | VM_MAP);
	if (!area)
		return 0;
	area->flags &= ~VM_ALLOC;
	if (map_vm_area(area, prot, pages, 0)) {
		remove_vm_area(area->addr);
		kfree(area);
		return 0;
	}
	return area->addr;
}

void vunmap(unsigned long addr)
{
	__vunmap(addr, false, "vunmap");
}

unsigned long __vmap_phys(phys_addr_t phys, unsigned long size, pgprot_t prot)
{
	struct vm_struct *area;

	if (!size || (phys | size) & ~PAGE_MASK)
		return 0;
	area = get_vm_area(size, VM_IOREMAP);
	if (!area)
		return 0;
	area->phys_addr = phys;
	if (map_vm_area(area, prot, NULL, 0)) {
		remove_vm_area(area->addr);
		kfree(area);
		return 0;
	}
	return area->addr;
}

struct page *vmalloc_to_page(unsigned long addr)
{
	struct machine *m = this_machine();
	struct vmalloc_state *vs = m->vmalloc;
	ptep_t p;
	pte_t pte;

	if (addr < vs->start || addr >= vs->end)
		return NULL;
	p = kernel_pte_lookup(m->init_mm, addr);
	if (!p.p)
		return NULL;
	pte = ptep_get(p);
	if (!pte_present(pte) || !pfn_valid(m, pte_pfn(pte)))
		return NULL;
	return pfn_to_page(m, pte_pfn(pte));
}

/* --- kernel-mode access ---------------------------------------------------------------- */

/* A CPU running no address space borrows init_mm (a kernel thread's lazy mm). */
static void ensure_kernel_mm(void)
{
	struct sim_cpu *cpu = this_cpu();

	if (!cpu->active_mm)
		switch_mm(NULL, cpu->machine->init_mm, cpu);
}

unsigned long vread(void *buf, unsigned long addr, unsigned long count)
{
	struct machine *m = this_machine();

	if (addr < TASK_SIZE_OF(m) || addr + count < addr)
		return 0;
	ensure_kernel_mm();
	return count - mmu_kernel_read(buf, addr, count);
}

unsigned long vwrite(unsigned long addr, const void *buf, unsigned long count)
{
	struct machine *m = this_machine();

	if (addr < TASK_SIZE_OF(m) || addr + count < addr)
		return 0;
	ensure_kernel_mm();
	return count - mmu_kernel_write(addr, buf, count);
}

/* --- vmalloc_fault -------------------------------------------------------------------- */

static int kernel_oops(struct machine *m, unsigned long address, unsigned int error_code)
{
	atomic_fetch_add(&m->vmalloc->oopses, 1);
	printk(m, "Unable to handle kernel paging request at virtual address %0*lx\n",
	       pgt_fmt(m)->va_bits == 32 ? 8 : 16, address);
	printk(m, "Oops: %04x (cpu %d)\n", error_code, smp_processor_id());
	return -EFAULT;
}

/*
 * 2.4's vmalloc_fault: the kernel half of a process pgd is a copy of
 * init_mm's made at pgd_alloc time; an entry init_mm gained later is
 * copied here on first use.  Below the copied entry the tables are
 * init_mm's own, so nothing else needs syncing.  A not-present PTE in
 * init_mm (guard page, freed area) is a real fault: an oops.
 */
int vmalloc_fault(struct mm_struct *mm, unsigned long address, unsigned int error_code)
{
	struct machine *m = mm->machine;
	const struct pgt_format *f = pgt_fmt(m);
	struct mm_struct *init = m->init_mm;
	bool copied = false;
	pgdp_t pgd, pgd_k;
	pudp_t pud, pud_k;
	pmdp_t pmd, pmd_k;
	pmd_t pmdv_k;
	ptep_t pte_k;

	if ((error_code & (PF_USER | PF_PROT)) || !pgt_va_valid(f, address))
		return kernel_oops(m, address, error_code);
	pgd = pgd_offset(mm, address);
	pgd_k = pgd_offset_k(m, address);
	if (pgd_none(pgd_k) || !pgd_present(pgd_k))
		return kernel_oops(m, address, error_code);
	if (mm != init && pgd_none(pgd)) {
		set_pgd(pgd, pgdp_get(pgd_k));
		copied = true;
	}
	pud = pud_offset(pgd, address);
	pud_k = pud_offset(pgd_k, address);
	if (pud_none(pud_k) || !pud_present(pud_k))
		return kernel_oops(m, address, error_code);
	if (mm != init && pud_none(pud)) {
		set_pud(pud, pudp_get(pud_k));
		copied = true;
	}
	pmd = pmd_offset(pud, address);
	pmd_k = pmd_offset(pud_k, address);
	pmdv_k = pmdp_get(pmd_k);
	if (!pmd_present(pmdv_k))
		return kernel_oops(m, address, error_code);
	if (mm != init && pmd_none(pmdp_get(pmd))) {
		/* i386: the pmd is the pgd entry of the process */
		set_pmd(pmd, pmdv_k);
		copied = true;
	}
	if (!pmd_large(pmdv_k)) {
		pte_k = pte_offset_kernel(pmd_k, address);
		if (!pte_present(ptep_get(pte_k)) || pte_protnone(ptep_get(pte_k)))
			return kernel_oops(m, address, error_code);
	}
	if (copied)
		atomic_fetch_add(&m->vmalloc->faults_fixed, 1);
	/* nothing changed: the walk raced a new mapping; the retry sees it */
	return 0;
}

/* --- /proc ----------------------------------------------------------------------------- */

/* Largest free gap of the vmalloc range (vmlist_lock held). */
static unsigned long largest_chunk(struct vmalloc_state *vs)
{
	unsigned long addr = vs->start, best = 0;

	for (struct vm_struct *a = vs->vmlist; a; a = a->next) {
		if (a->addr > addr && a->addr - addr > best)
			best = a->addr - addr;
		addr = a->addr + a->size;
	}
	if (vs->end > addr && vs->end - addr > best)
		best = vs->end - addr;
	return best;
}

void show_meminfo_vmalloc(struct machine *m, struct seq_buf *s)
{
	struct vmalloc_state *vs = m->vmalloc;
	unsigned long total = 0, used = 0, chunk = 0;

	if (vs) {
		/* Linux's x86-64 VMALLOC_END is inclusive: its total is one byte short */
		total = vs->end - vs->start - (pgt_fmt(m)->va_bits == 32 ? 0 : 1);
		spin_lock(&vs->vmlist_lock);
		used = vs->used_bytes;
		chunk = largest_chunk(vs);
		spin_unlock(&vs->vmlist_lock);
	}
	seq_printf(s, "%-16s%8lu kB\n", "VmallocTotal:", total >> 10);
	seq_printf(s, "%-16s%8lu kB\n", "VmallocUsed:", used >> 10);
	seq_printf(s, "%-16s%8lu kB\n", "VmallocChunk:", chunk >> 10);
}

void show_vmallocinfo(struct machine *m, struct seq_buf *s)
{
	struct vmalloc_state *vs = m->vmalloc;
	int w = pgt_fmt(m)->va_bits == 32 ? 8 : 16;

	if (!vs)
		return;
	spin_lock(&vs->vmlist_lock);
	for (struct vm_struct *a = vs->vmlist; a; a = a->next) {
		seq_printf(s, "0x%0*lx-0x%0*lx %7lu", w, a->addr, w, a->addr + a->size, a->size);
		if (a->nr_pages)
			seq_printf(s, " pages=%lu", a->nr_pages);
		if (a->flags & VM_IOREMAP)
			seq_printf(s, " phys=0x%016llx ioremap", (unsigned long long)a->phys_addr);
		if (a->flags & VM_ALLOC)
			seq_puts(s, " vmalloc");
		if (a->flags & VM_MAP)
			seq_puts(s, " vmap");
		seq_putc(s, '\n');
	}
	spin_unlock(&vs->vmlist_lock);
}

/* --- validator, init, exit -------------------------------------------------------------- */

bool vmlist_is_valid(struct machine *m)
{
	struct vmalloc_state *vs = m->vmalloc;
	unsigned long prev_end = vs->start, n = 0, used = 0;

	spin_lock(&vs->vmlist_lock);
	for (struct vm_struct *a = vs->vmlist; a; a = a->next) {
		ptep_t guard;

		BUG_ON_MSG(a->addr < prev_end || a->addr & ~PAGE_MASK,
			   "vmlist: area %#lx overlaps or precedes %#lx", a->addr, prev_end);
		BUG_ON_MSG(a->size < 2 * PAGE_SIZE || a->addr + a->size > vs->end,
			   "vmlist: area %#lx size %#lx outside [%#lx, %#lx)", a->addr, a->size,
			   vs->start, vs->end);
		BUG_ON_MSG(a->nr_pages != (a->size >> PAGE_SHIFT) - 1,
			   "vmlist: area %#lx maps %lu pages, size %#lx", a->addr, a->nr_pages,
			   a->size);
		guard = kernel_pte_lookup(m->init_mm, a->addr + a->size - PAGE_SIZE);
		BUG_ON_MSG(guard.p && !pte_none(ptep_get(guard)),
			   "vmlist: guard page %#lx of area %#lx is mapped (%#llx)",
			   a->addr + a->size - PAGE_SIZE, a->addr,
			   (unsigned long long)pte_val(ptep_get(guard)));
		prev_end = a->addr + a->size;
		n++;
		used += a->size;
	}
	BUG_ON_MSG(n != vs->nr_areas || used != vs->used_bytes,
		   "vmlist: %lu areas of %lu bytes, counted %lu of %lu", n, used, vs->nr_areas,
		   vs->used_bytes);
	spin_unlock(&vs->vmlist_lock);
	return true;
}

int vmalloc_init(struct machine *m)
{
	const struct pgt_format *f = pgt_fmt(m);
	struct vmalloc_state *vs = calloc(1, sizeof(*vs));

	if (!vs)
		return -ENOMEM;
	spin_lock_init(&vs->vmlist_lock);
	sema_init_mutex(&vs->map_lock);
	if (f->va_bits == 32) {
		vs->start = (high_memory_of(m) + 2 * VMALLOC_OFFSET - 1) & ~(VMALLOC_OFFSET - 1);
		vs->end = PKMAP_BASE - 2 * PAGE_SIZE;
	} else {
		vs->start = VMALLOC_START_64;
		vs->end = VMALLOC_END_64;
	}
	m->vmalloc = vs;
	return 0;
}

void vmalloc_exit(struct machine *m)
{
	struct vmalloc_state *vs = m->vmalloc;

	if (!vs)
		return;
	/* areas nobody freed: report, then give them back (their tables go with init_mm) */
	while (vs->vmlist) {
		struct vm_struct *a = vs->vmlist;

		BUG_ON_MSG(!m->exit_unchecked,
			   "vmalloc: area %#lx (%lu bytes) still allocated at shutdown", a->addr,
			   a->size);
		__vunmap(a->addr, a->flags & VM_ALLOC, "vfree");
	}
	sema_fini(&vs->map_lock);
	free(vs);
	m->vmalloc = NULL;
}
