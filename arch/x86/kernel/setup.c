/*
 * setup_arch: the physical memory map of the simulated PC as the firmware
 * and Linux's early setup leave it, before the page allocator exists.
 *
 *   pfn 0              real-mode IVT and BIOS data          reserved
 *   0x9f000-0x100000   EBDA and the ISA hole (VGA, ROMs)    reserved
 *   1 MiB              kernel image (_text .. _end)          reserved
 *                      (gdt_table at 0x105000: setup_gdt)
 *   after the kernel   bootmem bitmap, then mem_map          reserved
 *                      (node N > 0: its bootmem at its first frame,
 *                      its mem_map in its own RAM)
 *   the rest           handed to the buddy allocator by free_all_bootmem()
 *
 * Lowmem (the direct map) ends at 896 MiB on i386 and PAE; x86-64 maps
 * all of RAM.
 */
#include "kern/mm.h"
#include "kern/init.h"
#include "kern/segment.h"
#include <string.h>

#define KERNEL_IMAGE_START	0x100000UL	/* 1 MiB */
#define KERNEL_IMAGE_SIZE	0x200000UL	/* 2 MiB of text and data */
#define ISA_HOLE_START		0x9f000UL
#define ISA_HOLE_END		0x100000UL
#define MAXMEM_32		(896UL << 20)	/* end of the direct map on i386/PAE */

static void setup_memory_layout(struct machine *m)
{
	/* the firmware's memory map: one bank of RAM from physical address 0 */
	m->ram = m->hw.ram;
	m->ram_size = m->hw.ram_size;
	m->max_pfn = (unsigned long)(m->ram_size >> PAGE_SHIFT);
	if (m->cfg.paging == VMSIM_PAGING_X86_64)
		m->max_low_pfn = m->max_pfn;
	else
		m->max_low_pfn = min(m->max_pfn, MAXMEM_32 >> PAGE_SHIFT);
	m->highstart_pfn = m->max_low_pfn;
	m->nr_nodes = m->cfg.nodes;
	m->nr_cpus = m->cfg.cpus;
	m->rng_state = m->cfg.seed;
}

/*
 * The nodes: RAM split evenly into consecutive ranges on MAX_ORDER-aligned
 * boundaries (the firmware's SRAT, had the PC one), each a pg_data_t.
 */
static void setup_node_layout(struct machine *m)
{
	const unsigned long align = 1UL << (MAX_ORDER - 1);

	for (int n = 0; n < m->nr_nodes; n++) {
		pg_data_t *pgdat = &m->node_data[n];
		unsigned long start = ALIGN_DOWN(m->max_pfn / m->nr_nodes * n, align);
		unsigned long end = n == m->nr_nodes - 1 ? m->max_pfn :
			ALIGN_DOWN(m->max_pfn / m->nr_nodes * (n + 1), align);

		pgdat->node_id = n;
		pgdat->machine = m;
		pgdat->node_start_pfn = start;
		pgdat->node_spanned_pages = end - start;
		pgdat->node_present_pages = end - start;
	}
}

void setup_arch(struct machine *m)
{
	setup_memory_layout(m);
	setup_node_layout(m);
	init_bootmem(m);
	reserve_bootmem(m, 0, PAGE_SIZE);
	reserve_bootmem(m, ISA_HOLE_START, ISA_HOLE_END - ISA_HOLE_START);
	reserve_bootmem(m, KERNEL_IMAGE_START, KERNEL_IMAGE_SIZE);
	setup_gdt(m);
	m->kernel_code_pages = KERNEL_IMAGE_SIZE >> PAGE_SHIFT;
	/* each node's mem_map on that node, as 2.4's alloc_bootmem_node in free_area_init_core */
	for (int n = 0; n < m->nr_nodes; n++) {
		pg_data_t *pgdat = &m->node_data[n];

		pgdat->node_mem_map = alloc_bootmem_pages_node(pgdat,
				(phys_addr_t)pgdat->node_spanned_pages * sizeof(struct page));
	}
	m->mem_map = m->node_data[0].node_mem_map;
}

/* --- the GDT ------------------------------------------------------------------ */

static const struct {
	const char *name;
	uint16_t sel;
} selectors[] = {
	{ "__KERNEL_CS", __KERNEL_CS }, { "__KERNEL_DS", __KERNEL_DS },
	{ "__USER_CS", __USER_CS },	{ "__USER_DS", __USER_DS },
};

const char *selector_name(uint16_t sel)
{
	for (size_t i = 0; i < ARRAY_SIZE(selectors); i++)
		if (selectors[i].sel == sel)
			return selectors[i].name;
	return NULL;
}

int selector_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(selectors); i++)
		if (!strcmp(selectors[i].name, name))
			return selectors[i].sel;
	return -1;
}

/*
 * 2.4's gdt_table: code segments readable and executable (type 0xa),
 * data segments writable (type 0x2), all present, 32-bit, 4 KiB
 * granular with limit 0xfffff (4 GiB); x86-64's code segments are
 * 64-bit (L set, D clear), as its kernel's.
 */
void setup_gdt(struct machine *m)
{
	bool lm = m->cfg.paging == VMSIM_PAGING_X86_64;
	unsigned int code = DESC_P | DESC_S | DESC_TYPE_CODE | DESC_TYPE_RW;
	unsigned int data = DESC_P | DESC_S | DESC_TYPE_RW;
	unsigned int cflags = DESC_FLAG_G | (lm ? DESC_FLAG_L : DESC_FLAG_DB);
	unsigned int dflags = DESC_FLAG_G | DESC_FLAG_DB;
	uint64_t gdt[GDT_ENTRIES] = { 0 };

	gdt[GDT_ENTRY_KERNEL_CS] = desc_pack(0, 0xfffff, code, cflags);
	gdt[GDT_ENTRY_KERNEL_DS] = desc_pack(0, 0xfffff, data, dflags);
	gdt[GDT_ENTRY_USER_CS] = desc_pack(0, 0xfffff, code | 3u << DESC_DPL_SHIFT, cflags);
	gdt[GDT_ENTRY_USER_DS] = desc_pack(0, 0xfffff, data | 3u << DESC_DPL_SHIFT, dflags);
	_Static_assert(GDT_TABLE_PHYS + sizeof(gdt) <= KERNEL_IMAGE_START + KERNEL_IMAGE_SIZE,
		       "gdt_table inside the kernel image");
	memcpy(m->hw.ram + GDT_TABLE_PHYS, gdt, sizeof(gdt));
}

void cpu_init(struct machine *m)
{
	for (int i = 0; i < m->nr_cpus; i++)
		load_gdt(m->cpu[i].hw, GDT_TABLE_PHYS, GDT_ENTRIES * 8 - 1);
}
