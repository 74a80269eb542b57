/*
 * x86 segmentation as the hardware defines it (hw/segment.c): the
 * selector and the 8-byte segment descriptor of the GDT, the GDTR, and
 * the segmentation unit that turns a logical address (selector:offset)
 * into a linear address, before the paging unit (hw/mmu.c) turns that
 * into a physical one.
 *
 *   selector    index 13 | TI 1 (0: GDT, 1: LDT) | RPL 2
 *   descriptor  base 31..24 | G D/B L AVL | limit 19..16 | P DPL(2) S type(4) |
 *               base 23..0 | limit 15..0
 *
 * Loading a selector into a data segment register (DS, ES, SS) at
 * privilege level CPL checks the descriptor: present, a code or data
 * segment (S=1), readable, and DPL >= max(CPL, RPL) for data; a failed
 * check is a general protection fault (#GP, vector 13) with the
 * selector as error code (#NP, 11, for a not-present segment).  An
 * access through a loaded segment checks the type (no write to code or
 * a read-only segment) and the limit, then adds the base.  In long mode
 * (x86-64) the base and limit of CS, DS, ES and SS are ignored: the
 * linear address is the offset; the privilege checks of a load remain.
 */
#ifndef HW_SEGMENT_H
#define HW_SEGMENT_H

#include "hw/machine.h"
#include "hw/mmu.h"

/* --- selectors ------------------------------------------------------------- */

#define SEL_RPL(sel)		((unsigned int)(sel) & 3u)
#define SEL_TI(sel)		(((unsigned int)(sel) >> 2) & 1u)
#define SEL_INDEX(sel)		((unsigned int)(sel) >> 3)
#define SEL_MAKE(index, rpl)	((uint16_t)(((index) << 3) | (rpl)))

/* --- descriptors ----------------------------------------------------------- */

/* The access byte (bits 40..47). */
#define DESC_TYPE_ACCESSED	0x1u	/* type bit 0 */
#define DESC_TYPE_RW		0x2u	/* data: writable; code: readable */
#define DESC_TYPE_EC		0x4u	/* data: expand-down; code: conforming */
#define DESC_TYPE_CODE		0x8u	/* code segment (executable) */
#define DESC_S			0x10u	/* code or data (0: a system segment) */
#define DESC_DPL_SHIFT		5
#define DESC_P			0x80u
/* The flags nibble (bits 52..55). */
#define DESC_FLAG_AVL		0x1u
#define DESC_FLAG_L		0x2u	/* 64-bit code segment */
#define DESC_FLAG_DB		0x4u	/* 32-bit segment */
#define DESC_FLAG_G		0x8u	/* limit in 4 KiB units */

/* Encode a descriptor (base, 20-bit limit, access byte, flags nibble). */
static inline uint64_t desc_pack(uint32_t base, uint32_t limit, unsigned int access,
				 unsigned int flags)
{
	return (uint64_t)(limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) |
	       ((uint64_t)(access & 0xffu) << 40) | ((uint64_t)((limit >> 16) & 0xfu) << 48) |
	       ((uint64_t)(flags & 0xfu) << 52) | ((uint64_t)(base >> 24) << 56);
}

/* A descriptor's fields, decoded. */
struct hw_segment {
	uint16_t selector;
	uint64_t raw;			/* the 8 bytes read from the GDT */
	uint32_t base;
	uint64_t limit;			/* last valid offset (G applied) */
	unsigned int type, dpl, flags;	/* type nibble, privilege, G D/B L AVL */
	bool present, system;		/* P; S clear: a system segment */
};

static inline void desc_unpack(uint64_t raw, struct hw_segment *s)
{
	unsigned int access = (unsigned int)(raw >> 40) & 0xffu;
	uint32_t limit = (uint32_t)(raw & 0xffffu) | (uint32_t)((raw >> 48) & 0xfu) << 16;

	s->raw = raw;
	s->base = (uint32_t)((raw >> 16) & 0xffffffu) | (uint32_t)(raw >> 56) << 24;
	s->flags = (unsigned int)(raw >> 52) & 0xfu;
	s->limit = (s->flags & DESC_FLAG_G) ? ((uint64_t)limit << 12) | 0xfff : limit;
	s->type = access & 0xfu;
	s->dpl = (access >> DESC_DPL_SHIFT) & 3u;
	s->present = access & DESC_P;
	s->system = !(access & DESC_S);
}

/* --- the GDT register and the segmentation unit -------------------------------- */

/*
 * lgdt: the table @cpu reads descriptors from.  The simulated GDTR holds
 * the table's physical address (x86 holds a linear one; the kernel's GDT
 * lies in the direct map, whose linear address is PAGE_OFFSET + physical).
 * @limit is the table's size in bytes less one.
 */
static inline void load_gdt(struct hw_cpu *cpu, phys_addr_t base, uint16_t limit)
{
	cpu->gdt_base = base;
	cpu->gdt_limit = limit;
}

/* Exception vectors the segmentation unit raises, and its result encoding. */
#define X86_TRAP_NP		11	/* segment not present */
#define X86_TRAP_GP		13	/* general protection */
#define SEG_FAULT		0x80000000u
#define SEG_FAULT_VECTOR(f)	(((f) >> 16) & 0xffu)
#define SEG_FAULT_ERROR(f)	((f) & 0xffffu)

/*
 * hw_segment_load - load @sel into a data segment register at privilege
 * @cpl: the descriptor read from @cpu's GDT into @seg (the register's
 * hidden part), checked as x86 does.  0, or SEG_FAULT | vector << 16 |
 * error code.  @why (may be NULL) gets a short reason for a fault.
 */
unsigned int hw_segment_load(const struct hw_cpu *cpu, uint16_t sel, unsigned int cpl,
			     struct hw_segment *seg, const char **why);

/*
 * hw_segment_linear - the linear address of @len bytes at @offset through
 * the loaded segment @seg, for @access: *@linear, 0; or SEG_FAULT | #GP's
 * vector (error code 0) past the limit or for a write the type forbids.
 */
unsigned int hw_segment_linear(const struct hw_cpu *cpu, const struct hw_segment *seg,
			       unsigned long offset, unsigned long len, enum mmu_access access,
			       unsigned long *linear, const char **why);

/*
 * mmu_user_segment - a user-mode (CPL 3) access through selector @sel:
 * the load and the limit check; a fault vectors to the kernel's
 * general_protection handler (which signals the task) and gives -EFAULT.
 * 0 with the linear address in *@linear.
 */
int mmu_user_segment(uint16_t sel, unsigned long offset, unsigned long len,
		     enum mmu_access access, unsigned long *linear);

#endif
