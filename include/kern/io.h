/*
 * Device memory as the kernel reaches it (Linux's <asm/io.h>, trimmed):
 * ioremap maps a physical range outside RAM (the MMIO region of hw/) or
 * reserved RAM into the vmalloc area with caching disabled, as 2.4's
 * __ioremap; readb/writeb and memcpy_fromio/memcpy_toio go through the
 * running CPU's MMU at the address it returned (vread/vwrite), so the
 * bytes are the device's, whoever else maps them.
 */
#ifndef KERN_IO_H
#define KERN_IO_H

#include "kern/vmalloc.h"

/*
 * ioremap - a kernel virtual address for [@phys, @phys + @size): the
 * offset of @phys in its page is kept.  0 if the range is free RAM (only
 * reserved pages and device memory may be remapped: 2.4 refuses the rest),
 * past the physical address space, or vmalloc space runs out.
 */
unsigned long ioremap(phys_addr_t phys, unsigned long size);
/* Remove an ioremap mapping (its address as ioremap returned it). */
void iounmap(unsigned long addr);

static inline void memcpy_fromio(void *dst, unsigned long src, unsigned long n)
{
	vread(dst, src, n);
}
static inline void memcpy_toio(unsigned long dst, const void *src, unsigned long n)
{
	vwrite(dst, src, n);
}

#endif
