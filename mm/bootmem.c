/*
 * The boot memory allocator (Linux 2.4 mm/bootmem.c): before the buddy
 * allocator exists, memory is handed out from a bitmap with one bit per
 * frame (1 = reserved).  It places mem_map itself.  free_all_bootmem()
 * then gives every frame whose bit is clear to the buddy allocator, and
 * the bitmap's own frames last: after that, bootmem is gone.
 *
 * Unlike 2.4, which covers lowmem only and frees HIGHMEM page by page in
 * one_highpage_init(), our bitmap spans all of RAM: one loop frees both.
 */
#include <string.h>
#include "kern/mm.h"

#define BOOTMEM_START	0x300000UL	/* right after the kernel image */
#define MAX_DMA_ADDRESS	(16UL << 20)

struct bootmem_data {
	unsigned long node_low_pfn;	/* bootmem may allocate below this */
	unsigned long nr_pfns;		/* bits in the map */
	phys_addr_t map_phys;		/* the bitmap, in simulated RAM */
	unsigned long map_pages;
	unsigned long last_pos;		/* where the last search ended */
	uint8_t *map;
};

static inline bool bm_test(struct bootmem_data *b, unsigned long pfn)
{
	return b->map[pfn >> 3] & (1u << (pfn & 7));
}

static inline void bm_set(struct bootmem_data *b, unsigned long pfn)
{
	b->map[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
}

static inline void bm_clear(struct bootmem_data *b, unsigned long pfn)
{
	b->map[pfn >> 3] &= (uint8_t)~(1u << (pfn & 7));
}

void init_bootmem(struct machine *m)
{
	struct bootmem_data *b;
	unsigned long map_bytes = DIV_ROUND_UP(m->max_pfn, 8);
	phys_addr_t start = BOOTMEM_START;

	/* The descriptor and the bitmap live in simulated RAM, one page apart. */
	b = (struct bootmem_data *)(m->ram + start);
	memset(b, 0, sizeof(*b));
	b->node_low_pfn = m->max_low_pfn;
	b->nr_pfns = m->max_pfn;
	b->map_phys = start + PAGE_SIZE;
	b->map_pages = 1 + DIV_ROUND_UP(map_bytes, PAGE_SIZE);
	b->map = m->ram + b->map_phys;
	memset(b->map, 0, map_bytes);		/* every frame usable ... */
	m->bdata = b;
	reserve_bootmem(m, start, b->map_pages << PAGE_SHIFT);	/* ... but these */
}

void reserve_bootmem(struct machine *m, phys_addr_t addr, phys_addr_t size)
{
	struct bootmem_data *b = m->bdata;
	unsigned long spfn = (unsigned long)(addr >> PAGE_SHIFT);
	unsigned long epfn = (unsigned long)((addr + size + PAGE_SIZE - 1) >> PAGE_SHIFT);

	BUG_ON_MSG(!b, "reserve_bootmem after free_all_bootmem");
	BUG_ON_MSG(epfn > b->nr_pfns, "reserve_bootmem beyond RAM: pfn %lu", epfn);
	for (unsigned long pfn = spfn; pfn < epfn; pfn++)
		bm_set(b, pfn);
}

void free_bootmem(struct machine *m, phys_addr_t addr, phys_addr_t size)
{
	struct bootmem_data *b = m->bdata;
	/* Only whole frames inside the range are freed, as in Linux. */
	unsigned long spfn = (unsigned long)((addr + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long epfn = (unsigned long)((addr + size) >> PAGE_SHIFT);

	BUG_ON_MSG(!b, "free_bootmem after free_all_bootmem");
	for (unsigned long pfn = spfn; pfn < epfn && pfn < b->nr_pfns; pfn++) {
		BUG_ON_MSG(!bm_test(b, pfn), "free_bootmem: pfn %lu not reserved", pfn);
		bm_clear(b, pfn);
	}
}

/* First fit at or above @goal, below node_low_pfn; 0 if nothing fits. */
static phys_addr_t find_free_run(struct bootmem_data *b, unsigned long goal,
				 unsigned long pages)
{
	unsigned long run = 0;

	for (unsigned long pfn = goal; pfn < b->node_low_pfn; pfn++) {
		if (bm_test(b, pfn)) {
			run = 0;
			continue;
		}
		if (++run == pages)
			return (phys_addr_t)(pfn + 1 - pages) << PAGE_SHIFT;
	}
	return 0;
}

/*
 * alloc_bootmem_pages - zeroed, page-aligned memory from lowmem, above
 * 16 MiB when possible so that DMA memory is kept for those who need it.
 */
void *alloc_bootmem_pages(struct machine *m, phys_addr_t size)
{
	struct bootmem_data *b = m->bdata;
	unsigned long pages = (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	phys_addr_t pa;

	BUG_ON_MSG(!b, "alloc_bootmem after free_all_bootmem");
	pa = find_free_run(b, MAX_DMA_ADDRESS >> PAGE_SHIFT, pages);
	if (!pa)
		pa = find_free_run(b, 0, pages);
	BUG_ON_MSG(!pa, "alloc_bootmem: no %lu free pages in lowmem", pages);
	reserve_bootmem(m, pa, (phys_addr_t)pages << PAGE_SHIFT);
	memset(m->ram + pa, 0, (size_t)pages << PAGE_SHIFT);
	return m->ram + pa;
}

void __free_pages_bootmem(struct page *page, unsigned int order, bool zeroed);

/*
 * free_all_bootmem - hand every unreserved frame to the buddy allocator
 * (in the largest aligned blocks possible, as 2.4 frees in BITS_PER_LONG
 * runs), then the bitmap itself.  Returns the frames given.
 */
unsigned long free_all_bootmem(struct machine *m)
{
	struct bootmem_data *b = m->bdata;
	unsigned long pfn = 0, count = 0, map_start, map_pages;
	const unsigned long block = 1UL << (MAX_ORDER - 1);

	while (pfn < b->nr_pfns) {
		if (bm_test(b, pfn)) {
			pfn++;
			continue;
		}
		/* A whole aligned max-order block inside one zone goes at once. */
		if (IS_ALIGNED(pfn, block) && pfn + block <= b->nr_pfns) {
			struct page *first = pfn_to_page(m, pfn);
			struct page *last = pfn_to_page(m, pfn + block - 1);
			unsigned long i;

			for (i = 0; i < block; i++)
				if (bm_test(b, pfn + i))
					break;
			if (i == block && first->zone == last->zone) {
				__free_pages_bootmem(first, MAX_ORDER - 1, true);
				count += block;
				pfn += block;
				continue;
			}
		}
		__free_pages_bootmem(pfn_to_page(m, pfn), 0, true);
		count++;
		pfn++;
	}
	map_start = (unsigned long)((b->map_phys - PAGE_SIZE) >> PAGE_SHIFT);
	map_pages = b->map_pages;
	m->bdata = NULL;
	for (unsigned long i = 0; i < map_pages; i++)
		__free_pages_bootmem(pfn_to_page(m, map_start + i), 0, false);	/* written */
	count += map_pages;
	m->reserved_pages = m->max_pfn - count;
	return count;
}
