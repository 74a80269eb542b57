/*
 * The boot memory allocator (Linux 2.4 mm/bootmem.c): before the buddy
 * allocator exists, memory is handed out from a bitmap with one bit per
 * frame (1 = reserved).  It places mem_map itself.  free_all_bootmem()
 * then gives every frame whose bit is clear to the buddy allocator, and
 * the bitmap's own frames last: after that, bootmem is gone.
 *
 * Unlike 2.4, which covers lowmem only and frees HIGHMEM page by page in
 * one_highpage_init(), a node's bitmap spans all of its RAM: one loop
 * frees both.  Each node has its own bootmem (pgdat->bdata, as 2.4's
 * discontigmem init_bootmem_node), which places that node's mem_map.
 */
#include <string.h>
#include "kern/mm.h"

#define BOOTMEM_START	0x300000UL	/* right after the kernel image (node 0) */
#define MAX_DMA_ADDRESS	(16UL << 20)

struct bootmem_data {
	unsigned long node_low_pfn;	/* bootmem may allocate below this */
	unsigned long nr_pfns;		/* bits in the map */
	phys_addr_t map_phys;		/* the bitmap, in simulated RAM */
	unsigned long map_pages;
	unsigned long last_pos;		/* where the last search ended */
	uint8_t *map;
	unsigned long node_boot_start;	/* the node's first pfn: bit 0 of the map */
};

static inline bool bm_test(struct bootmem_data *b, unsigned long pfn)
{
	pfn -= b->node_boot_start;
	return b->map[pfn >> 3] & (1u << (pfn & 7));
}

static inline void bm_set(struct bootmem_data *b, unsigned long pfn)
{
	pfn -= b->node_boot_start;
	b->map[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
}

static inline void bm_clear(struct bootmem_data *b, unsigned long pfn)
{
	pfn -= b->node_boot_start;
	b->map[pfn >> 3] &= (uint8_t)~(1u << (pfn & 7));
}

static inline unsigned long bm_end(const struct bootmem_data *b)
{
	return b->node_boot_start + b->nr_pfns;
}

/*
 * init_bootmem_node - the node's bootmem: its descriptor at @start and
 * the bitmap the page after, both in the node's own RAM (node 0 right
 * after the kernel image, every other node at its first frame).  It may
 * hand out the node's lowmem; a node wholly in HIGHMEM hands out its own
 * frames all the same (its mem_map then sits in its HIGHMEM, reached
 * through the host pointer as Linux 2.6's i386 NUMA remaps it into the
 * kernel's space).
 */
void init_bootmem_node(pg_data_t *pgdat, phys_addr_t start)
{
	struct machine *m = pgdat->machine;
	unsigned long end = pgdat->node_start_pfn + pgdat->node_spanned_pages;
	unsigned long map_bytes = DIV_ROUND_UP(pgdat->node_spanned_pages, 8);
	struct bootmem_data *b;

	/* The descriptor and the bitmap live in simulated RAM, one page apart. */
	b = (struct bootmem_data *)(m->ram + start);
	memset(b, 0, sizeof(*b));
	b->node_boot_start = pgdat->node_start_pfn;
	b->node_low_pfn = pgdat->node_start_pfn >= m->max_low_pfn ? end :
			  min(end, m->max_low_pfn);
	b->nr_pfns = pgdat->node_spanned_pages;
	b->map_phys = start + PAGE_SIZE;
	b->map_pages = 1 + DIV_ROUND_UP(map_bytes, PAGE_SIZE);
	b->map = m->ram + b->map_phys;
	memset(b->map, 0, map_bytes);		/* every frame usable ... */
	pgdat->bdata = b;
	reserve_bootmem(m, start, b->map_pages << PAGE_SHIFT);	/* ... but these */
}

void init_bootmem(struct machine *m)
{
	for (int n = 0; n < m->nr_nodes; n++) {
		pg_data_t *pgdat = &m->node_data[n];

		init_bootmem_node(pgdat, n ? (phys_addr_t)pgdat->node_start_pfn << PAGE_SHIFT
					   : BOOTMEM_START);
	}
}

static struct bootmem_data *pfn_bdata(struct machine *m, unsigned long pfn)
{
	struct bootmem_data *b = m->node_data[pfn_to_nid(m, pfn)].bdata;

	BUG_ON_MSG(!b, "bootmem used after free_all_bootmem (pfn %lu)", pfn);
	BUG_ON_MSG(pfn >= bm_end(b), "bootmem beyond RAM: pfn %lu", pfn);
	return b;
}

void reserve_bootmem(struct machine *m, phys_addr_t addr, phys_addr_t size)
{
	unsigned long spfn = (unsigned long)(addr >> PAGE_SHIFT);
	unsigned long epfn = (unsigned long)((addr + size + PAGE_SIZE - 1) >> PAGE_SHIFT);

	for (unsigned long pfn = spfn; pfn < epfn; pfn++)
		bm_set(pfn_bdata(m, pfn), pfn);
}

void free_bootmem(struct machine *m, phys_addr_t addr, phys_addr_t size)
{
	/* Only whole frames inside the range are freed, as in Linux. */
	unsigned long spfn = (unsigned long)((addr + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long epfn = (unsigned long)((addr + size) >> PAGE_SHIFT);

	for (unsigned long pfn = spfn; pfn < epfn && pfn < m->max_pfn; pfn++) {
		struct bootmem_data *b = pfn_bdata(m, pfn);

		BUG_ON_MSG(!bm_test(b, pfn), "free_bootmem: pfn %lu not reserved", pfn);
		bm_clear(b, pfn);
	}
}

/* First fit at or above @goal, below node_low_pfn; 0 if nothing fits. */
static phys_addr_t find_free_run(struct bootmem_data *b, unsigned long goal,
				 unsigned long pages)
{
	unsigned long run = 0;

	for (unsigned long pfn = max(goal, b->node_boot_start); pfn < b->node_low_pfn; pfn++) {
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
 * alloc_bootmem_pages_node - zeroed, page-aligned memory from @pgdat's
 * lowmem, above 16 MiB when possible so that DMA memory is kept for
 * those who need it.
 */
void *alloc_bootmem_pages_node(pg_data_t *pgdat, phys_addr_t size)
{
	struct machine *m = pgdat->machine;
	struct bootmem_data *b = pgdat->bdata;
	unsigned long pages = (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	phys_addr_t pa;

	BUG_ON_MSG(!b, "alloc_bootmem on node %d after free_all_bootmem", pgdat->node_id);
	pa = find_free_run(b, MAX_DMA_ADDRESS >> PAGE_SHIFT, pages);
	if (!pa)
		pa = find_free_run(b, 0, pages);
	BUG_ON_MSG(!pa, "alloc_bootmem: no %lu free pages on node %d", pages, pgdat->node_id);
	reserve_bootmem(m, pa, (phys_addr_t)pages << PAGE_SHIFT);
	memset(m->ram + pa, 0, (size_t)pages << PAGE_SHIFT);
	return m->ram + pa;
}

void *alloc_bootmem_pages(struct machine *m, phys_addr_t size)
{
	return alloc_bootmem_pages_node(&m->node_data[0], size);
}

void __free_pages_bootmem(struct page *page, unsigned int order, bool zeroed);

/*
 * free_all_bootmem_node - hand every unreserved frame of the node to the
 * buddy allocator (in the largest aligned blocks possible, as 2.4 frees
 * in BITS_PER_LONG runs), then the bitmap itself.  Returns the frames given.
 */
static unsigned long free_all_bootmem_node(pg_data_t *pgdat)
{
	struct machine *m = pgdat->machine;
	struct bootmem_data *b = pgdat->bdata;
	unsigned long pfn = b->node_boot_start, count = 0, map_start, map_pages;
	const unsigned long block = 1UL << (MAX_ORDER - 1);

	while (pfn < bm_end(b)) {
		if (bm_test(b, pfn)) {
			pfn++;
			continue;
		}
		/* A whole aligned max-order block inside one zone goes at once. */
		if (IS_ALIGNED(pfn, block) && pfn + block <= bm_end(b)) {
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
	pgdat->bdata = NULL;
	for (unsigned long i = 0; i < map_pages; i++)
		__free_pages_bootmem(pfn_to_page(m, map_start + i), 0, false);	/* written */
	return count + map_pages;
}

/* free_all_bootmem - every node's free frames to the buddy allocator: bootmem is gone. */
unsigned long free_all_bootmem(struct machine *m)
{
	unsigned long count = 0;

	for (int n = 0; n < m->nr_nodes; n++)
		count += free_all_bootmem_node(&m->node_data[n]);
	m->reserved_pages = m->max_pfn - count;
	return count;
}
