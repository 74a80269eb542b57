/*
 * Introspection for reports and learners (include/vmsim/stats.h): reads
 * zones, buddy lists, the vm counters, a task's mm counters, a frame's
 * struct page and a page-table walk, without changing any of them (no
 * allocation in the machine, no TLB or cr3 traffic: the walk reads the
 * tables as a debugger would, it does not run the MMU).
 *
 * Locks taken: zone->lock (free lists), task->run_lock then
 * mm->page_table_lock (a task's mm and its tables), in that order.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/mm.h"
#include "kern/sched.h"
#include "kern/pgtable.h"
#include "kern/tlb.h"
#include "kern/segment.h"
#include "kern/slab.h"
#include "vmsim/stats.h"
#include "vmsim/kernel.h"
#include "entry.h"

_Static_assert(VMSIM_NR_ORDERS == MAX_ORDER, "VMSIM_NR_ORDERS must equal MAX_ORDER");
_Static_assert(VMSIM_PAGE_SIZE == PAGE_SIZE, "VMSIM_PAGE_SIZE must equal PAGE_SIZE");

static zone_t *nth_populated_zone(struct machine *m, int index)
{
	for (int n = 0; n < m->nr_nodes; n++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			zone_t *z = &m->node_data[n].node_zones[j];
			if (z->spanned_pages && index-- == 0)
				return z;
		}
	return NULL;
}

void vmsim_mem_stats(vmsim_machine_t *m, struct vmsim_mem_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->total_pages = m->max_pfn;
	out->managed_pages = m->totalram_pages;
	out->reserved_pages = m->reserved_pages;
	out->high_pages = m->totalhigh_pages;
	for (zone_t *z; (z = nth_populated_zone(m, out->nr_zones)); out->nr_zones++)
		out->free_pages += zone_free_pages(z);
}

int vmsim_zone_stats(vmsim_machine_t *m, int index, struct vmsim_zone_stats *out)
{
	zone_t *z = index >= 0 ? nth_populated_zone(m, index) : NULL;

	memset(out, 0, sizeof(*out));
	if (!z)
		return -ENOENT;
	out->node = z->zone_pgdat->node_id;
	snprintf(out->name, sizeof(out->name), "%s", z->name ? z->name : "?");
	out->start_pfn = z->zone_start_pfn;
	out->spanned_pages = z->spanned_pages;
	out->present_pages = z->present_pages;
	out->managed_pages = z->managed_pages;
	out->min_pages = z->pages_min;
	out->low_pages = z->pages_low;
	out->high_pages = z->pages_high;
	for (int c = 0; c < m->nr_cpus; c++)
		out->pcp_pages += (unsigned long)pcp_count(&z->pageset[c]);
	out->free_pages = zone_free_pages(z);
	spin_lock(&z->lock);
	for (int o = 0; o < MAX_ORDER; o++)
		out->nr_free[o] = z->free_area[o].nr_free;
	spin_unlock(&z->lock);
	return 0;
}

/*
 * Slab totals are the sums of /proc/slabinfo's rows (as slabtop computes
 * them), so they agree with `show slabinfo` by construction.
 */
int vmsim_slab_totals(vmsim_machine_t *m, struct vmsim_slab_totals *out)
{
	char *text = vmsim_proc_read(m, "slabinfo");
	char *line, *save = NULL;

	memset(out, 0, sizeof(*out));
	if (!text)
		return -ENOENT;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned long act, num, size, per, pps, aslabs, nslabs;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %lu %lu %lu %lu %lu : tunables %*u %*u %*u : slabdata %lu %lu",
			   name, &act, &num, &size, &per, &pps, &aslabs, &nslabs) != 8)
			continue;
		out->caches++;
		out->active_objs += act;
		out->total_objs += num;
		out->active_slabs += aslabs;
		out->total_slabs += nslabs;
		out->pages += nslabs * pps;
		out->active_bytes += act * size;
	}
	free(text);
	return 0;
}

/* The mm counters of @t, task @pid (TASK_PEEK: not running, its mm there). */
static int task_stats(struct task_struct *t, int pid, struct vmsim_task_stats *out)
{
	struct mm_struct *mm = t->mm;

	out->pid = pid;
	out->vm_pages = mm->total_vm;
	out->hiwater_vm_pages = max(mm->hiwater_vm, mm->total_vm);
	out->rss_anon_pages = (unsigned long)atomic_load(&mm->rss_anon);
	out->rss_file_pages = (unsigned long)atomic_load(&mm->rss_file);
	out->rss_shmem_pages = (unsigned long)atomic_load(&mm->rss_shmem);
	out->rss_pages = get_mm_rss(mm);
	out->hiwater_rss_pages = max(mm->hiwater_rss, out->rss_pages);
	out->locked_pages = mm->locked_vm;
	out->pte_pages = (unsigned long)atomic_load(&mm->nr_ptes);
	out->swap_pages = (unsigned long)atomic_load(&mm->swap_ents);
	out->data_pages = mm->data_vm;
	out->stack_pages = mm->stack_vm;
	out->exec_pages = mm->exec_vm;
	out->nr_vmas = mm->map_count;
	out->mm_users = atomic_load(&mm->mm_users);
	out->min_flt = t->min_flt;
	out->maj_flt = t->maj_flt;
	return 0;
}

int vmsim_task_stats(vmsim_machine_t *m, int pid, struct vmsim_task_stats *out)
{
	memset(out, 0, sizeof(*out));
	return (int)TASK_PEEK(m, pid, t, task_stats(t, pid, out));
}

void vmsim_fault_stats(vmsim_machine_t *m, struct vmsim_fault_stats *out)
{
	out->total = sum_vm_event(m, PGFAULT);
	out->major = sum_vm_event(m, PGMAJFAULT);
	out->minor = out->total >= out->major ? out->total - out->major : 0;
	out->anon = sum_vm_event(m, PGFAULT_ANON);
	out->zero_page = sum_vm_event(m, PGFAULT_ZERO);
	out->cow = sum_vm_event(m, PGFAULT_COW);
	out->cow_reuse = sum_vm_event(m, PGFAULT_COW_REUSE);
	out->stack_grow = sum_vm_event(m, PGFAULT_STACK_GROW);
	out->sigsegv = sum_vm_event(m, PGFAULT_SIGSEGV);
	out->sigbus = sum_vm_event(m, PGFAULT_SIGBUS);
}

void vmsim_tlb_stats(vmsim_machine_t *m, struct vmsim_tlb_stats *out)
{
	uint64_t lookups;

	out->hits = sum_vm_event(m, TLB_HIT);
	out->misses = sum_vm_event(m, TLB_MISS);
	out->flushes = sum_vm_event(m, TLB_FLUSH);
	out->shootdowns = sum_vm_event(m, TLB_SHOOTDOWN);
	lookups = out->hits + out->misses;
	/* rounded to the nearest hundredth of a percent, in integers (determinism) */
	out->hit_rate_centi_pct = lookups ? (long)((out->hits * 20000 + lookups) / (2 * lookups)) : -1;
}

int vmsim_vmstat_count(void)
{
	return NR_VM_ZONE_STAT_ITEMS + NR_VM_EVENT_ITEMS;
}

const char *vmsim_vmstat_name(int i)
{
	if (i < 0 || i >= vmsim_vmstat_count())
		return NULL;
	if (i < NR_VM_ZONE_STAT_ITEMS)
		return zone_stat_names[i];
	return vm_event_names[i - NR_VM_ZONE_STAT_ITEMS];
}

uint64_t vmsim_vmstat_value(vmsim_machine_t *m, int i)
{
	if (i < 0 || i >= vmsim_vmstat_count())
		return 0;
	if (i < NR_VM_ZONE_STAT_ITEMS)
		return global_page_state(m, (enum zone_stat_item)i);
	return sum_vm_event(m, (enum vm_event_item)(i - NR_VM_ZONE_STAT_ITEMS));
}

int vmsim_vmstat_get(vmsim_machine_t *m, const char *name, uint64_t *val)
{
	for (int i = 0; i < vmsim_vmstat_count(); i++)
		if (!strcmp(vmsim_vmstat_name(i), name)) {
			*val = vmsim_vmstat_value(m, i);
			return 0;
		}
	return -ENOENT;
}

/* --- one frame ------------------------------------------------------------- */

static const char *const pageflag_names[__NR_PAGEFLAGS] = { PAGEFLAG_NAMES };

/* The slab cache a slab page belongs to (slab pages are lowmem: the direct map). */
static const char *page_slab_cache(struct machine *m, struct page *page)
{
	kmem_cache_t *cachep = virt_to_cache(m, m->ram + ((size_t)page_to_pfn(page) << PAGE_SHIFT));

	return cachep ? kmem_cache_name(cachep) : "?";
}

/* What a frame is used for, from its flags and counts. */
static void page_role(struct machine *m, struct page *page, struct seq_buf *s)
{
	int count = page_count(page);

	if (PageBuddy(page))
		seq_printf(s, "free: head of a buddy block of order %lu (%lu pages)\n",
			   page->private, 1UL << (page->private < MAX_ORDER ? page->private : 0));
	else if (page == m->zero_page || PageZero(page))
		seq_puts(s, "the ZERO_PAGE (shared, read-only, all zeroes)\n");
	else if (PageReserved(page) && PageSlab(page))
		/* boot never reserves slab memory: a driver's kmalloc buffer, to be mapped */
		seq_printf(s, "reserved by a driver (mem_map_reserve of its kmalloc buffer, "
			   "slab cache %s)\n", page_slab_cache(m, page));
	else if (PageReserved(page))
		seq_puts(s, "reserved at boot (never given to the buddy allocator)\n");
	else if (PageSlab(page))
		seq_printf(s, "slab: part of a slab of cache %s\n", page_slab_cache(m, page));
	else if (PagePageTable(page))
		seq_puts(s, "page table\n");
	else if (count == 0)
		seq_puts(s, "free: inside a buddy block or on a per-CPU list\n");
	else if (PageAnon(page) || PageSwapBacked(page))
		seq_printf(s, "anonymous user page, mapped by %d PTE%s\n", page_mapcount(page),
			   page_mapcount(page) == 1 ? "" : "s");
	else if (page->mapping)
		seq_printf(s, "page cache, index %lu, mapped by %d PTE%s\n", page->index,
			   page_mapcount(page), page_mapcount(page) == 1 ? "" : "s");
	else
		seq_puts(s, "allocated (kernel)\n");
}

char *vmsim_page_describe(vmsim_machine_t *m, unsigned long pfn)
{
	struct seq_buf s;
	struct page *page;
	unsigned int flags;
	bool any = false;

	if (!pfn_valid(m, pfn)) {
		errno = EINVAL;
		return NULL;
	}
	page = pfn_to_page(m, pfn);
	flags = atomic_load_explicit(&page->flags, memory_order_relaxed);
	seq_init(&s);
	seq_printf(&s, "page %lu: phys 0x%llx", pfn, (unsigned long long)pfn << PAGE_SHIFT);
	if (page->zone)
		seq_printf(&s, ", node %d, zone %s", page->zone->zone_pgdat->node_id,
			   page->zone->name);
	seq_printf(&s, "\n  flags    0x%x (", flags);
	for (int b = 0; b < __NR_PAGEFLAGS; b++)
		if (flags & (1u << b)) {
			seq_printf(&s, "%s%s", any ? "," : "", pageflag_names[b]);
			any = true;
		}
	seq_printf(&s, "%s)\n  count    %d\n  mapcount %d\n", any ? "" : "none", page_count(page),
		   page_mapcount(page));
	/*
	 * Never a host pointer: the text must not change from run to run.  A
	 * slab page's private is its slab_t, in simulated RAM: its kernel address.
	 */
	seq_printf(&s, "  mapping  %s\n  index    %lu\n", page->mapping ? "set" : "none",
		   page->index);
	if (PageSlab(page) && page->private - (uintptr_t)m->ram <
				   ((uintptr_t)m->max_low_pfn << PAGE_SHIFT))
		seq_printf(&s, "  private  0x%lx (the slab_t of cache %s)\n",
			   PAGE_OFFSET_OF(m) + (unsigned long)(page->private - (uintptr_t)m->ram),
			   page_slab_cache(m, page));
	else
		seq_printf(&s, "  private  0x%lx\n", page->private);
	seq_printf(&s, "  age      %u\n", (unsigned int)page->age);
	seq_puts(&s, "  use      ");
	page_role(m, page, &s);
	return seq_take(&s);
}

char *vmsim_tlb_describe(vmsim_machine_t *m, int cpu)
{
	struct seq_buf s;
	int err;

	seq_init(&s);
	err = MACHINE_CALL(m, show_tlb(m, cpu, &s));
	if (err) {
		free(seq_take(&s));
		errno = -err;
		return NULL;
	}
	return seq_take(&s);
}

uint64_t vmsim_vmstat_cpu_value(vmsim_machine_t *m, int cpu, int index)
{
	int ev = index - NR_VM_ZONE_STAT_ITEMS;

	if (cpu < 0 || cpu >= m->nr_cpus || ev < 0 || ev >= NR_VM_EVENT_ITEMS)
		return 0;
	return atomic_load_explicit(&m->cpu[cpu].events[ev], memory_order_relaxed);
}

/* --- a page-table walk ------------------------------------------------------ */

static void entry_flags(uint64_t e, bool wide, bool leaf, struct seq_buf *s)
{
	if (!(e & _PAGE_PRESENT) && !(leaf && (e & _PAGE_PROTNONE))) {
		seq_puts(s, "not present");
		return;
	}
	seq_puts(s, e & _PAGE_PRESENT ? "present" : "protnone");
	seq_puts(s, e & _PAGE_RW ? " rw" : " ro");
	seq_puts(s, e & _PAGE_USER ? " user" : " kernel");
	if (e & _PAGE_ACCESSED)
		seq_puts(s, " accessed");
	if (e & _PAGE_DIRTY)
		seq_puts(s, " dirty");
	if (!leaf && (e & _PAGE_PSE))
		seq_puts(s, " large");
	if (leaf && (e & _PAGE_GLOBAL))
		seq_puts(s, " global");
	if (wide && (e & _PAGE_NX))
		seq_puts(s, " nx");
}

/*
 * The width of a walk's labels, "pgd[511]": the widest index of the
 * format's tables (i386's 1024 entries: "pgd[1023]"), so the entries of
 * one walk line up whatever their index.
 */
static int label_width(const struct pgt_format *f)
{
	unsigned int most = 1;
	int width = 5;		/* "pgd[" and "]" */

	for (int l = 0; l < PGT_NR_LEVELS; l++)
		if (f->ptrs[l] > most)
			most = f->ptrs[l];
	for (most--; most >= 10; most /= 10)
		width++;
	return width + 1;
}

/* One level's line: "  pgd[255] = 0x... table at 0x... (present rw user ...)" */
static void walk_line(struct seq_buf *s, const char *name, unsigned long index, uint64_t e,
		      const struct pgt_format *f, bool leaf)
{
	char label[32];

	snprintf(label, sizeof(label), "%s[%lu]", name, index);
	seq_printf(s, "  %-*s = 0x%0*" PRIx64, label_width(f), label, f->wide ? 16 : 8, e);
	if (e & _PAGE_PRESENT || (leaf && (e & _PAGE_PROTNONE))) {
		uint64_t pa = e & f->phys_mask;
		/* a large page's entry maps frames, as a PTE does: no table below it */
		seq_printf(s, leaf ? "  frame 0x%" PRIx64 " (pfn %" PRIu64 ")" :
			   e & _PAGE_PSE ? "  large page at 0x%" PRIx64 " (pfn %" PRIu64 ")" :
				     "  table at 0x%" PRIx64 " (pfn %" PRIu64 ")",
			   pa, pa >> PAGE_SHIFT);
	}
	seq_puts(s, "  ");
	entry_flags(e, f->wide, leaf, s);
	seq_putc(s, '\n');
}

static unsigned long entry_index(const void *p, const uint8_t *base, const struct pgt_format *f)
{
	return (unsigned long)(((const uint8_t *)p - base) >> f->entry_shift);
}

/* The leaf entry: frame, physical address, or why there is none. */
static void walk_leaf(struct seq_buf *s, struct machine *m, uint64_t e, unsigned long addr)
{
	if (e == 0) {
		seq_puts(s, "  no page: the PTE is empty (never touched, or unmapped)\n");
	} else if (!(e & _PAGE_PRESENT) && (e & _PAGE_PROTNONE)) {
		seq_puts(s, "  PROT_NONE: the page stays mapped for the kernel, the MMU faults\n");
	} else if (!(e & _PAGE_PRESENT)) {
		swp_entry_t se = pte_to_swp_entry(__pte(e));
		seq_printf(s, "  swapped out: swap entry type %u offset %lu\n", swp_type(se),
			   swp_offset(se));
	} else {
		uint64_t pa = (e & pgt_fmt(m)->phys_mask) | (addr & ~PAGE_MASK);
		unsigned long pfn = (unsigned long)(pa >> PAGE_SHIFT);
		seq_printf(s, "  physical address 0x%" PRIx64 "\n", pa);
		if (pfn_valid(m, pfn)) {
			struct page *page = pfn_to_page(m, pfn);
			seq_printf(s, "  page %lu: count %d mapcount %d, ", pfn, page_count(page),
				   page_mapcount(page));
			page_role(m, page, s);
		}
	}
}

static void walk_tables(struct seq_buf *s, struct machine *m, struct mm_struct *mm,
			unsigned long addr)
{
	const struct pgt_format *f = pgt_fmt(m);
	const uint8_t *base = m->ram + mm->pgd;	/* table the next shown entry is in */
	pgdp_t pgd = pgd_offset(mm, addr);
	pudp_t pud;
	pmdp_t pmd;
	ptep_t pte;
	uint64_t e;

	if (!pgd_trivial(pgd)) {
		e = pgd_val(pgdp_get(pgd));
		walk_line(s, "pgd", entry_index(pgd.p, base, f), e, f, false);
		if (!(e & _PAGE_PRESENT)) {
			seq_puts(s, "  no page: no pud table covers this address\n");
			return;
		}
		base = __pgt_table(m, e);
	}
	pud = pud_offset(pgd, addr);
	if (!pud_trivial(pud)) {
		e = pud_val(pudp_get(pud));
		walk_line(s, f->levels == 4 ? "pud" : "pgd", entry_index(pud.p, base, f), e, f, false);
		if (!(e & _PAGE_PRESENT)) {
			seq_puts(s, "  no page: no pmd table covers this address\n");
			return;
		}
		base = __pgt_table(m, e);
	}
	pmd = pmd_offset(pud, addr);
	e = pmd_val(pmdp_get(pmd));
	walk_line(s, f->levels == 2 ? "pgd" : "pmd", entry_index(pmd.p, base, f), e, f, false);
	if (!(e & _PAGE_PRESENT)) {
		seq_puts(s, "  no page: no pte table covers this address\n");
		return;
	}
	if (e & _PAGE_PSE) {
		uint64_t pa = (e & f->phys_mask & ~((1ULL << f->shift[PGT_PMD]) - 1)) |
			      (addr & ((1UL << f->shift[PGT_PMD]) - 1));
		seq_printf(s, "  large page: physical address 0x%" PRIx64 "\n", pa);
		return;
	}
	pte = pte_offset_map(pmd, addr);
	e = pte_val(ptep_get(pte));
	/* the index from the address: the mapped pointer may be a kmap slot */
	walk_line(s, "pte", pte_index(f, addr), e, f, true);
	pte_unmap(pte);
	walk_leaf(s, m, e, addr);
}

/* The walk of user address @addr in @mm's tables, after a heading line of @f. */
static void walk_user(struct seq_buf *s, struct machine *m, struct mm_struct *mm,
		      unsigned long addr)
{
	const struct pgt_format *f = pgt_fmt(m);

	if (!pgt_va_valid(f, addr) || addr >= TASK_SIZE_OF(m)) {
		seq_printf(s, "  not a user address (user space ends at 0x%lx)\n", TASK_SIZE_OF(m));
	} else {
		spin_lock(&mm->page_table_lock);
		walk_tables(s, m, mm, addr);
		spin_unlock(&mm->page_table_lock);
	}
}

/* The walk of @addr in the tables of @t, task @pid (TASK_PEEK), as text in *@text. */
static int pagetable_describe(struct task_struct *t, int pid, unsigned long addr, char **text)
{
	struct machine *m = t->machine;
	const struct pgt_format *f = pgt_fmt(m);
	struct seq_buf s;

	seq_init(&s);
	seq_printf(&s, "pid %d address 0x%lx: %s paging, %u levels, pgd at 0x%lx\n", pid, addr,
		   f->name, f->levels, t->mm->pgd);
	walk_user(&s, m, t->mm, addr);
	*text = seq_take(&s);
	return 0;
}

/* A descriptor's line: "  gdt[5]   = 0x00cff2000000ffff  base ... limit ... data rw DPL 3 ..." */
static void segment_line(struct seq_buf *s, const struct hw_segment *seg, int width)
{
	char label[32];

	snprintf(label, sizeof(label), "gdt[%u]", SEL_INDEX(seg->selector));
	seq_printf(s, "  %-*s = 0x%016" PRIx64 "  base 0x%08" PRIx32 " limit 0x%08" PRIx64, width,
		   label, seg->raw, seg->base, seg->limit);
	if (seg->system)
		seq_printf(s, "  system type %u", seg->type);
	else if (seg->type & DESC_TYPE_CODE)
		seq_puts(s, seg->type & DESC_TYPE_RW ? "  code rx" : "  code x");
	else
		seq_puts(s, seg->type & DESC_TYPE_RW ? "  data rw" : "  data r");
	seq_printf(s, " DPL %u %s%s\n", seg->dpl, seg->present ? "present" : "not present",
		   seg->flags & DESC_FLAG_L ? " 64-bit" : seg->flags & DESC_FLAG_DB ? " 32-bit" :
		   " 16-bit");
}

/* The logical -> linear -> physical translation of @sel:@addr (TASK_PEEK). */
static int translate_describe(struct task_struct *t, int pid, uint16_t sel, unsigned long addr,
			      char **text)
{
	struct machine *m = t->machine;
	const struct pgt_format *f = pgt_fmt(m);
	const struct hw_cpu *cpu = m->cpu[0].hw;	/* every CPU loads the one GDT */
	const char *name = selector_name(sel), *why;
	struct hw_segment seg;
	unsigned long linear;
	unsigned int fault;
	struct seq_buf s;

	seq_init(&s);
	seq_printf(&s, "pid %d logical address 0x%04x:0x%lx%s%s%s, a user-mode read (CPL 3)\n",
		   pid, sel, addr, name ? " (" : "", name ? name : "", name ? ")" : "");
	seq_printf(&s, "  selector 0x%04x: index %u, %s, RPL %u\n", sel, SEL_INDEX(sel),
		   SEL_TI(sel) ? "LDT" : "GDT", SEL_RPL(sel));
	fault = hw_segment_load(cpu, sel, 3, &seg, &why);
	if (seg.raw)
		segment_line(&s, &seg, label_width(f));	/* aligned with the walk below */
	if (!fault)
		fault = hw_segment_linear(cpu, &seg, addr, 1, MMU_READ, &linear, &why);
	if (fault) {
		seq_printf(&s, "  %s fault (#%s, error code 0x%x): %s\n",
			   SEG_FAULT_VECTOR(fault) == X86_TRAP_NP ? "segment not present" :
			   "general protection", SEG_FAULT_VECTOR(fault) == X86_TRAP_NP ? "NP" : "GP",
			   SEG_FAULT_ERROR(fault), why);
		seq_puts(&s, "  a user access through it is SIGSEGV (SI_KERNEL)\n");
		*text = seq_take(&s);
		return 0;
	}
	if (f->levels == 4)
		seq_printf(&s, "  linear address 0x%lx (long mode: the segment base is not used)\n",
			   linear);
	else
		seq_printf(&s, "  linear address 0x%lx = base 0x%" PRIx32 " + offset 0x%lx\n",
			   linear, seg.base, addr);
	seq_printf(&s, "  %s paging, %u levels, pgd at 0x%lx\n", f->name, f->levels, t->mm->pgd);
	walk_user(&s, m, t->mm, linear);
	*text = seq_take(&s);
	return 0;
}

/* The walk of kernel address @addr in init_mm (MACHINE_CALL), as text. */
static char *kernel_pagetable_describe(struct machine *m, unsigned long addr)
{
	const struct pgt_format *f = pgt_fmt(m);
	struct mm_struct *mm = m->init_mm;
	struct seq_buf s;

	seq_init(&s);
	seq_printf(&s, "kernel (init_mm) address 0x%lx: %s paging, %u levels, pgd at 0x%lx\n", addr,
		   f->name, f->levels, mm->pgd);
	if (!pgt_va_valid(f, addr) || addr < TASK_SIZE_OF(m)) {
		seq_printf(&s, "  not a kernel address (kernel space starts at 0x%lx)\n",
			   TASK_SIZE_OF(m));
	} else {
		spin_lock(&mm->page_table_lock);
		walk_tables(&s, m, mm, addr);
		spin_unlock(&mm->page_table_lock);
	}
	return seq_take(&s);
}

char *vmsim_kernel_pagetable_describe(vmsim_machine_t *m, unsigned long addr)
{
	return MACHINE_CALL(m, kernel_pagetable_describe(m, addr));
}

char *vmsim_translate_describe(vmsim_machine_t *m, int pid, unsigned int sel,
			       unsigned long addr)
{
	char *text = NULL;

	if (sel > 0xffff) {
		errno = EINVAL;
		return NULL;
	}
	if (TASK_PEEK(m, pid, t, translate_describe(t, pid, (uint16_t)sel, addr, &text)))
		errno = ESRCH;
	return text;
}

char *vmsim_pagetable_describe(vmsim_machine_t *m, int pid, unsigned long addr)
{
	char *text = NULL;

	if (TASK_PEEK(m, pid, t, pagetable_describe(t, pid, addr, &text)))
		errno = ESRCH;
	return text;
}
