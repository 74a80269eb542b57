/*
 * mm/highmem.c - temporary kernel mappings of HIGHMEM pages: kmap/kunmap
 * over the pkmap area (pkmap_count, flush on wrap), kmap_atomic/
 * kunmap_atomic over per-CPU fixmap slots, page_address() for kmapped
 * HIGHMEM pages through a hash, the page-content helpers (clear_highpage,
 * copy_highpage, ...) and the mapping of HIGHMEM PTE tables for
 * pte_offset_map, as Linux 2.4 (see kern/highmem.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "kern/highmem.h"
#include "kern/tlb.h"
#include "kern/printk.h"
#include "kern/page.h"

static inline struct kmap_atomic_cpu *cpu_slots(struct sim_cpu *cpu)
{
	return cpu->kmap_atomic_slots;
}

static inline uint8_t *frame_host(struct machine *m, const struct page *page)
{
	return __phys_ram(m, page_to_phys(page));
}

/* --- the page-address hash (kmap_lock held) -------------------------------------- */

static unsigned int pa_hash(const struct page *page)
{
	uint64_t pfn = page_to_pfn(page);

	return (unsigned int)((pfn * 0x9E3779B97F4A7C15ULL) >> (64 - PA_HASH_ORDER));
}

/* The pkmap entry mapping @page, or -1. */
static int pkmap_lookup(struct pkmap_state *ps, const struct page *page)
{
	struct list_head *head = &ps->hash[pa_hash(page)];

	for (struct list_head *l = head->next; l != head; l = l->next) {
		struct page_address_map *pam = list_entry(l, struct page_address_map, list);

		if (pam->page == page)
			return (int)(pam - ps->maps);
	}
	return -1;
}

static inline uint8_t *pkmap_pte_ptr(struct machine *m, unsigned int nr)
{
	return m->pkmap->pkmap_table + ((size_t)nr << pgt_fmt(m)->entry_shift);
}

static inline ptep_t fixmap_pte(struct machine *m, unsigned long vaddr)
{
	const struct pgt_format *f = pgt_fmt(m);

	return (ptep_t){ m->pkmap->fixmap_table + (pte_index(f, vaddr) << f->entry_shift), f };
}

/* --- kmap / kunmap ---------------------------------------------------------------- */

/*
 * Entries whose last user went (count 1) still have their PTE and may be
 * cached in TLBs: clear them all, then one global flush makes every such
 * entry reusable (count 0).
 */
static void flush_all_zero_pkmaps(struct machine *m)
{
	struct pkmap_state *ps = m->pkmap;
	const struct pgt_format *f = pgt_fmt(m);

	for (unsigned int i = 0; i < ps->last_pkmap; i++) {
		if (ps->pkmap_count[i] != 1)
			continue;
		ps->pkmap_count[i] = 0;
		VM_BUG_ON_MSG(!__pgt_read(pkmap_pte_ptr(m, i), f),
			      "pkmap entry %u: count 1 but no PTE", i);
		__pgt_write(pkmap_pte_ptr(m, i), f, 0);
		list_del(&ps->maps[i].list);
		ps->maps[i].page = NULL;
	}
	ps->nr_flushes++;
	flush_tlb_kernel_range(PKMAP_BASE, PKMAP_ADDR(ps->last_pkmap));
}

/* Map @page at a free pkmap entry (kmap_lock held; may drop it to wait). */
static int map_new_virtual(struct machine *m, struct page *page)
{
	struct pkmap_state *ps = m->pkmap;
	const struct pgt_format *f = pgt_fmt(m);
	unsigned int nr;

	for (;;) {
		unsigned int count = ps->last_pkmap;
		unsigned long seq;
		int again;

		for (;;) {
			ps->last_pkmap_nr = (ps->last_pkmap_nr + 1) & (ps->last_pkmap - 1);
			if (!ps->last_pkmap_nr) {
				flush_all_zero_pkmaps(m);
				count = ps->last_pkmap;
			}
			if (!ps->pkmap_count[ps->last_pkmap_nr])
				goto found;
			if (--count == 0)
				break;
		}
		/*
		 * Every entry is in use: sleep on pkmap_map_wait until a kunmap
		 * frees one, as 2.4.  With one CPU the holders are all on this
		 * thread and nobody can wake us.
		 */
		ps->nr_waits++;
		BUG_ON_MSG(m->nr_cpus == 1,
			   "kmap: all %u pkmap entries in use mapping pfn %lu (one CPU: nobody can kunmap)",
			   ps->last_pkmap, page_to_pfn(page));
		seq = atomic_load_explicit(&ps->unmap_seq, memory_order_relaxed);
		spin_unlock(&ps->kmap_lock);
		/* until a kunmap after @seq (read under kmap_lock) freed an entry */
		wait_event(&ps->pkmap_map_wait,
			   atomic_load_explicit(&ps->unmap_seq, memory_order_seq_cst) != seq);
		spin_lock(&ps->kmap_lock);
		/* someone else may have mapped it meanwhile */
		again = pkmap_lookup(ps, page);
		if (again >= 0)
			return again;
	}
found:
	nr = ps->last_pkmap_nr;
	__pgt_write(pkmap_pte_ptr(m, nr), f, pte_val(mk_pte(page, PAGE_KERNEL)));
	ps->pkmap_count[nr] = 1;
	ps->maps[nr].page = page;
	list_add(&ps->maps[nr].list, &ps->hash[pa_hash(page)]);
	return (int)nr;
}

void *kmap_high(struct page *page)
{
	struct machine *m = page_machine(page);
	struct pkmap_state *ps = m->pkmap;
	int nr;

	spin_lock(&ps->kmap_lock);
	nr = pkmap_lookup(ps, page);
	if (nr < 0)
		nr = map_new_virtual(m, page);
	ps->pkmap_count[nr]++;
	BUG_ON_MSG(ps->pkmap_count[nr] < 2, "kmap pfn %lu: pkmap entry %d count %d",
		   page_to_pfn(page), nr, ps->pkmap_count[nr]);
	spin_unlock(&ps->kmap_lock);
	return frame_host(m, page);
}

void kunmap_high(struct page *page)
{
	struct machine *m = page_machine(page);
	struct pkmap_state *ps = m->pkmap;
	int nr;

	spin_lock(&ps->kmap_lock);
	nr = pkmap_lookup(ps, page);
	BUG_ON_MSG(nr < 0, "kunmap: HIGHMEM pfn %lu is not kmapped", page_to_pfn(page));
	BUG_ON_MSG(ps->pkmap_count[nr] < 2, "kunmap pfn %lu: pkmap entry %d count %d",
		   page_to_pfn(page), nr, ps->pkmap_count[nr]);
	/* at 1 the entry is free but stale: reused after the next wrap's flush */
	if (--ps->pkmap_count[nr] == 1)
		atomic_fetch_add_explicit(&ps->unmap_seq, 1, memory_order_seq_cst);
	spin_unlock(&ps->kmap_lock);
	/* a kmap may be waiting for a free entry (pkmap_map_wait) */
	wake_up_all(&ps->pkmap_map_wait);
}

void *kmap(struct page *page)
{
	if (!PageHighMemPfn(page))
		return page_address(page);
	return kmap_high(page);
}

void kunmap(struct page *page)
{
	if (!PageHighMemPfn(page))
		return;
	kunmap_high(page);
}

unsigned long kmap_vaddr(struct page *page)
{
	struct machine *m = page_machine(page);
	struct pkmap_state *ps = m->pkmap;
	int nr;

	if (!ps || !ps->enabled || !PageHighMemPfn(page))
		return 0;
	spin_lock(&ps->kmap_lock);
	nr = pkmap_lookup(ps, page);
	spin_unlock(&ps->kmap_lock);
	return nr < 0 ? 0 : PKMAP_ADDR(nr);
}

void *highmem_page_address_or_null(const struct page *page)
{
	struct machine *m = page_machine(page);
	struct pkmap_state *ps = m->pkmap;
	int nr = -1;

	if (!ps || !ps->enabled)
		return NULL;
	spin_lock(&ps->kmap_lock);
	nr = pkmap_lookup(ps, page);
	spin_unlock(&ps->kmap_lock);
	return nr < 0 ? NULL : frame_host(m, page);
}

void *highmem_page_address(const struct page *page)
{
	void *p = highmem_page_address_or_null(page);

	VM_BUG_ON_MSG(!p, "page_address: HIGHMEM pfn %lu has no kmap (kernel touching HIGHMEM bytes without a mapping)",
		      page_to_pfn(page));
	return p;
}

/* --- kmap_atomic -------------------------------------------------------------------- */

void *kmap_atomic(struct page *page, enum km_type type)
{
	struct machine *m = page_machine(page);
	struct sim_cpu *cpu = this_cpu();
	struct kmap_atomic_cpu *slots;
	unsigned long vaddr;

	if (!PageHighMemPfn(page))
		return page_address(page);
	BUG_ON_MSG((unsigned int)type >= KM_TYPE_NR, "kmap_atomic pfn %lu: bad type %d",
		   page_to_pfn(page), type);
	BUG_ON_MSG(cpu->machine != m, "kmap_atomic pfn %lu from a CPU of another machine",
		   page_to_pfn(page));
	slots = cpu_slots(cpu);
	BUG_ON_MSG(slots->page[type], "kmap_atomic pfn %lu: cpu %d slot %d still maps pfn %lu",
		   page_to_pfn(page), cpu->id, type, page_to_pfn(slots->page[type]));
	vaddr = kmap_atomic_vaddr(cpu->id, type);
	set_pte(fixmap_pte(m, vaddr), mk_pte(page, PAGE_KERNEL));
	local_flush_tlb_page(vaddr);
	slots->page[type] = page;
	return frame_host(m, page);
}

void kunmap_atomic(void *kvaddr, enum km_type type)
{
	struct sim_cpu *cpu = this_cpu();
	struct machine *m = cpu->machine;
	unsigned long pfn = (unsigned long)(((uint8_t *)kvaddr - m->ram) >> PAGE_SHIFT);
	struct kmap_atomic_cpu *slots = cpu_slots(cpu);
	unsigned long vaddr;

	if (pfn < m->max_low_pfn)
		return;		/* a lowmem page: kmap_atomic took no slot */
	BUG_ON_MSG((unsigned int)type >= KM_TYPE_NR || !slots->page[type] ||
		   page_to_pfn(slots->page[type]) != pfn,
		   "kunmap_atomic of pfn %lu: cpu %d slot %d maps %s", pfn, cpu->id, type,
		   (unsigned int)type < KM_TYPE_NR && slots->page[type] ? "another page" : "nothing");
	vaddr = kmap_atomic_vaddr(cpu->id, type);
	pte_clear(fixmap_pte(m, vaddr));
	local_flush_tlb_page(vaddr);
	slots->page[type] = NULL;
}

/* --- HIGHMEM PTE tables ------------------------------------------------------------ */

/* PTE tables of processes may be HIGHMEM: pte_offset_map maps one in a KM_PTE slot. */
uint8_t *kmap_pte_table(struct page *table)
{
	struct kmap_atomic_cpu *slots;

	if (!PageHighMemPfn(table))
		return frame_host(page_machine(table), table);
	slots = cpu_slots(this_cpu());
	for (int t = KM_PTE0; t <= KM_PTE2; t++)
		if (!slots->page[t])
			return kmap_atomic(table, (enum km_type)t);
	BUG_ON_MSG(1, "pte_offset_map pfn %lu: cpu %d maps three PTE tables already",
		   page_to_pfn(table), smp_processor_id());
	return NULL;
}

void kunmap_pte_table(void *entry)
{
	struct sim_cpu *cpu = this_cpu();
	struct machine *m = cpu->machine;
	unsigned long pfn = (unsigned long)(((uint8_t *)entry - m->ram) >> PAGE_SHIFT);
	struct kmap_atomic_cpu *slots;

	if (pfn < m->max_low_pfn)
		return;
	slots = cpu_slots(cpu);
	/* the latest slot first (the same table may be mapped twice, nested) */
	for (int t = KM_PTE2; t >= KM_PTE0; t--) {
		if (slots->page[t] && page_to_pfn(slots->page[t]) == pfn) {
			kunmap_atomic(entry, (enum km_type)t);
			return;
		}
	}
	BUG_ON_MSG(1, "pte_unmap: PTE table pfn %lu is not mapped on cpu %d", pfn, cpu->id);
}

/* --- page contents ----------------------------------------------------------------- */

void clear_highpage(struct page *page)
{
	void *kaddr = kmap_atomic(page, KM_USER0);

	memset(kaddr, 0, PAGE_SIZE);
	kunmap_atomic(kaddr, KM_USER0);
}

void copy_highpage(struct page *to, struct page *from)
{
	void *vfrom = kmap_atomic(from, KM_USER0);
	void *vto = kmap_atomic(to, KM_USER1);

	copy_page(vto, vfrom);
	page_copy_done();
	kunmap_atomic(vfrom, KM_USER0);
	kunmap_atomic(vto, KM_USER1);
}

void memcpy_to_page(struct page *page, unsigned int offset, const void *buf, unsigned int len)
{
	uint8_t *kaddr;

	BUG_ON_MSG(offset > PAGE_SIZE || len > PAGE_SIZE - offset,
		   "memcpy_to_page pfn %lu: [%u, +%u) outside the page", page_to_pfn(page),
		   offset, len);
	kaddr = kmap_atomic(page, KM_USER0);
	memcpy(kaddr + offset, buf, len);
	kunmap_atomic(kaddr, KM_USER0);
}

void memcpy_from_page(void *buf, struct page *page, unsigned int offset, unsigned int len)
{
	uint8_t *kaddr;

	BUG_ON_MSG(offset > PAGE_SIZE || len > PAGE_SIZE - offset,
		   "memcpy_from_page pfn %lu: [%u, +%u) outside the page", page_to_pfn(page),
		   offset, len);
	kaddr = kmap_atomic(page, KM_USER0);
	memcpy(buf, kaddr + offset, len);
	kunmap_atomic(kaddr, KM_USER0);
}

/* --- validator, init, exit -------------------------------------------------------- */

bool pkmap_is_valid(struct machine *m)
{
	struct pkmap_state *ps = m->pkmap;
	const struct pgt_format *f = pgt_fmt(m);

	if (!ps->enabled)
		return true;
	spin_lock(&ps->kmap_lock);
	for (unsigned int i = 0; i < ps->last_pkmap; i++) {
		uint64_t e = __pgt_read(pkmap_pte_ptr(m, i), f);
		struct page *page = ps->maps[i].page;

		BUG_ON_MSG(ps->pkmap_count[i] < 0, "pkmap entry %u: count %d", i,
			   ps->pkmap_count[i]);
		if (!ps->pkmap_count[i]) {
			BUG_ON_MSG(e || page, "pkmap entry %u: free but PTE %#llx", i,
				   (unsigned long long)e);
			continue;
		}
		BUG_ON_MSG(!page || !(e & _PAGE_PRESENT) ||
			   pte_pfn(__pte(e)) != page_to_pfn(page) || pkmap_lookup(ps, page) != (int)i,
			   "pkmap entry %u: count %d, PTE %#llx, page pfn %lu disagree", i,
			   ps->pkmap_count[i], (unsigned long long)e, page ? page_to_pfn(page) : 0);
	}
	spin_unlock(&ps->kmap_lock);
	return true;
}

/* The host view of the kernel PTE table covering @addr, allocated (boot). */
static uint8_t *boot_pte_table(struct machine *m, unsigned long addr)
{
	struct mm_struct *init = m->init_mm;
	const struct pgt_format *f = pgt_fmt(m);
	uint8_t *table = NULL;
	pudp_t pud;
	pmdp_t pmd;
	ptep_t pte;

	spin_lock(&init->page_table_lock);
	pud = pud_alloc(init, pgd_offset(init, addr), addr);
	if (!pud.p)
		goto out;
	pmd = pmd_alloc(init, pud, addr);
	if (!pmd.p)
		goto out;
	pte = pte_alloc_kernel(init, pmd, addr);
	if (pte.p)
		table = (uint8_t *)pte.p - (pte_index(f, addr) << f->entry_shift);
out:
	spin_unlock(&init->page_table_lock);
	return table;
}

int highmem_init(struct machine *m)
{
	const struct pgt_format *f = pgt_fmt(m);
	struct pkmap_state *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return -ENOMEM;
	m->pkmap = ps;
	spin_lock_init(&ps->kmap_lock);
	init_waitqueue_head(&ps->pkmap_map_wait);
	atomic_init(&ps->unmap_seq, 0);
	for (unsigned int i = 0; i < (1u << PA_HASH_ORDER); i++)
		INIT_LIST_HEAD(&ps->hash[i]);
	for (int c = 0; c < m->nr_cpus; c++) {
		m->cpu[c].kmap_atomic_slots = calloc(1, sizeof(struct kmap_atomic_cpu));
		if (!m->cpu[c].kmap_atomic_slots)
			goto nomem;
	}
	if (f->va_bits != 32)
		return 0;	/* x86-64: no HIGHMEM, kmap is page_address */

	/* the fixmap must sit in one PTE table, the pkmap area is one */
	BUG_ON_MSG((FIXADDR_START >> f->shift[PGT_PMD]) != ((FIXADDR_TOP - 1) >> f->shift[PGT_PMD]),
		   "fixmap [%#lx, %#lx) spans two PTE tables", FIXADDR_START, FIXADDR_TOP);
	ps->last_pkmap = LAST_PKMAP_OF(m);
	ps->pkmap_count = calloc(ps->last_pkmap, sizeof(*ps->pkmap_count));
	ps->maps = calloc(ps->last_pkmap, sizeof(*ps->maps));
	if (!ps->pkmap_count || !ps->maps)
		goto nomem;
	ps->pkmap_table = boot_pte_table(m, PKMAP_BASE);
	ps->fixmap_table = boot_pte_table(m, FIXADDR_START);
	if (!ps->pkmap_table || !ps->fixmap_table)
		goto nomem;
	ps->enabled = true;
	return 0;
nomem:
	highmem_exit(m);
	return -ENOMEM;
}

void highmem_exit(struct machine *m)
{
	struct pkmap_state *ps = m->pkmap;

	if (!ps)
		return;
	if (ps->enabled) {
		const struct pgt_format *f = pgt_fmt(m);

		for (unsigned int i = 0; i < ps->last_pkmap; i++) {
			BUG_ON_MSG(ps->pkmap_count[i] > 1 && !m->exit_unchecked,
				   "kmap: pfn %lu still kmapped %d times at shutdown",
				   page_to_pfn(ps->maps[i].page), ps->pkmap_count[i] - 1);
			__pgt_write(pkmap_pte_ptr(m, i), f, 0);
		}
	}
	for (int c = 0; c < m->nr_cpus; c++) {
		struct kmap_atomic_cpu *slots = m->cpu[c].kmap_atomic_slots;

		if (slots && ps->enabled)
			for (int t = 0; t < KM_TYPE_NR; t++)
				if (slots->page[t])
					pte_clear(fixmap_pte(m, kmap_atomic_vaddr(c, (enum km_type)t)));
		free(slots);
		m->cpu[c].kmap_atomic_slots = NULL;
	}
	free(ps->pkmap_count);
	free(ps->maps);
	destroy_waitqueue_head(&ps->pkmap_map_wait);
	free(ps);
	m->pkmap = NULL;
}
