/*
 * arch/x86/mm/ioremap.c - ioremap and iounmap (Linux's file of the same
 * name, 2.4's __ioremap): device memory, or RAM the kernel reserved,
 * mapped into the vmalloc area uncached (_PAGE_PCD | _PAGE_PWT) for the
 * kernel's own accesses.  The mapping owns no page: iounmap only clears
 * the PTEs.  vmalloc_fault makes it visible in every address space.
 */
#include "kern/io.h"
#include "kern/printk.h"

/* Only reserved pages of RAM may be remapped (the rest belongs to the allocator). */
static bool ram_range_reserved(struct machine *m, unsigned long first, unsigned long last)
{
	for (unsigned long pfn = first; pfn <= last; pfn++)
		if (!PageReserved(pfn_to_page(m, pfn)))
			return false;
	return true;
}

unsigned long ioremap(phys_addr_t phys, unsigned long size)
{
	struct machine *m = this_machine();
	phys_addr_t last = phys + size - 1, base = phys & PAGE_MASK;
	unsigned long addr;

	if (!size || last < phys)
		return 0;
	if (!hw_is_mmio(&m->hw, phys, size)) {
		if (last >= m->ram_size)
			return 0;
		if (!ram_range_reserved(m, phys >> PAGE_SHIFT, last >> PAGE_SHIFT)) {
			printk(m, "ioremap: refusing to map RAM %#llx-%#llx in use\n",
			       (unsigned long long)phys, (unsigned long long)last);
			return 0;
		}
	}
	addr = __vmap_phys(base, PAGE_ALIGN(last + 1) - base,
			   PAGE_KERNEL | _PAGE_PCD | _PAGE_PWT);
	return addr ? addr + (unsigned long)(phys - base) : 0;
}

void iounmap(unsigned long addr)
{
	vunmap(addr & PAGE_MASK);
}
