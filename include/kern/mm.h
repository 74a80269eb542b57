/*
 * The physical page allocator's interface (mm/page_alloc.c, mm/bootmem.c)
 * and the page reference helpers every other mechanism uses.
 */
#ifndef KERN_MM_H
#define KERN_MM_H

#include "kern/machine.h"
#include "kern/seq_buf.h"

/* --- buddy allocator (mm/page_alloc.c) ---------------------------------- */

/*
 * __alloc_pages - 2^order contiguous frames from the first zone of
 * @zonelist with enough free pages above its watermark.  Order 0 goes
 * through the running CPU's per-CPU list.  Returns the first page with
 * count 1, or NULL (never sleeps unless __GFP_WAIT, never BUGs on a
 * user-visible shortage).  The running CPU must belong to the machine.
 */
struct page *__alloc_pages(gfp_t gfp_mask, unsigned int order, zonelist_t *zonelist);
/* The same from @nodemask's nodes only (NULL: any): MPOL_BIND. */
struct page *__alloc_pages_nodemask(gfp_t gfp_mask, unsigned int order, zonelist_t *zonelist,
				    const nodemask_t *nodemask);
/* alloc_pages under the running task's memory policy, or numa=roundrobin (mm/mempolicy.c) */
struct page *alloc_pages_current(gfp_t gfp_mask, unsigned int order);
/* numastat: an interleaved allocation got node @nid, the one it aimed at */
void count_numa_interleave_hit(int nid);
struct page *alloc_pages_node(int nid, gfp_t gfp_mask, unsigned int order);
/* alloc_pages - from the running CPU's node (node-local first) */
struct page *alloc_pages(gfp_t gfp_mask, unsigned int order);
#define alloc_page(gfp) alloc_pages(gfp, 0)

/* Kernel address of fresh lowmem pages (never HIGHMEM); 0 on failure. */
unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order);
#define __get_free_page(gfp) __get_free_pages(gfp, 0)
unsigned long get_zeroed_page(gfp_t gfp_mask);

/* __free_pages - drop a reference; the last one gives the block back. */
void __free_pages(struct page *page, unsigned int order);
#define __free_page(page) __free_pages(page, 0)
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr) free_pages(addr, 0)

/*
 * put_page - drop a reference to an order-0 page that may be on an LRU
 * list or in the page cache; frees it when the last reference goes.
 * Pages still on the LRU are taken off by __page_cache_release (swap.c).
 */
void put_page(struct page *page);
/* Free an order-0 page whose count is already 0 and that is off the LRU. */
void free_unref_page(struct page *page);

/* Empty this CPU's per-CPU lists back into the buddy lists. */
void drain_local_pages(void);
/* Drain every CPU's lists (callers ensure the other CPUs are quiescent). */
void drain_all_pages(struct machine *m);

/* Free pages: in one zone (buddy lists + per-CPU lists), in the machine. */
unsigned long zone_free_pages(zone_t *zone);
unsigned long nr_free_pages(struct machine *m);
unsigned long nr_free_highpages(struct machine *m);

/* Validators, for assertions and tests: BUG with the pfn if broken. */
bool free_area_is_valid(zone_t *zone);
bool machine_free_areas_valid(struct machine *m);

/* Zone setup (called at boot by machine.c). */
void free_area_init(struct machine *m);
/* Release what free_area_init made outside simulated RAM (the wait tables). */
void free_area_fini(struct machine *m);
void build_all_zonelists(struct machine *m);
void setup_per_zone_pages_min(struct machine *m);
zone_t *page_zone(const struct page *page);
static inline zone_t *page_zone_inline(const struct page *page) { return page->zone; }

/* Renderers in /proc's formats. */
void show_buddyinfo(struct machine *m, struct seq_buf *s);
void show_zoneinfo(struct machine *m, struct seq_buf *s);
void show_vmstat(struct machine *m, struct seq_buf *s);
void show_meminfo(struct machine *m, struct seq_buf *s);
/* /proc/@name (meminfo, slabinfo, sys/vm ...; fs/proc.c) into @s: 0 or -ENOENT. */
int proc_show(struct machine *m, const char *name, struct seq_buf *s);
/* fs/proc_node.c: the nodes' sysfs files, by path, and every node's at once */
int node_file_show(struct machine *m, const char *name, struct seq_buf *s);
void show_numastat(struct machine *m, struct seq_buf *s);
void show_nodes_meminfo(struct machine *m, struct seq_buf *s);

/* --- bootmem (mm/bootmem.c) ---------------------------------------------- */

/*
 * The boot-time allocator: a bitmap over lowmem frames, used before the
 * buddy allocator exists (mem_map itself comes from it).  After
 * free_all_bootmem() hands every unreserved frame to the buddy allocator,
 * it is gone.
 */
void init_bootmem(struct machine *m);		/* every node's, over setup_node_layout's ranges */
void init_bootmem_node(pg_data_t *pgdat, phys_addr_t start);
void *alloc_bootmem_pages_node(pg_data_t *pgdat, phys_addr_t size);
void reserve_bootmem(struct machine *m, phys_addr_t addr, phys_addr_t size);
void free_bootmem(struct machine *m, phys_addr_t addr, phys_addr_t size);
void *alloc_bootmem_pages(struct machine *m, phys_addr_t size);
unsigned long free_all_bootmem(struct machine *m);

#endif
