/*
 * The segmentation unit of the simulated x86 (include/hw/segment.h): a
 * selector's descriptor read from the GDT in RAM and checked as a segment
 * register load checks it, and the logical -> linear step of an access
 * (type, limit, base).  The kernel's segments are flat (base 0, limit
 * 4 GiB), so for the accesses of a task through its own __USER_DS the
 * step is the identity: mmu_user_* (hw/mmu.c) start from the linear
 * address, as a CPU whose DS cache holds a flat segment adds nothing.
 * mmu_user_segment runs the step for an access through an explicit
 * selector.
 */
#include <string.h>
#include "hw/segment.h"

unsigned int hw_segment_load(const struct hw_cpu *cpu, uint16_t sel, unsigned int cpl,
			     struct hw_segment *seg, const char **why)
{
	const char *dummy;
	unsigned int err = SEG_FAULT | X86_TRAP_GP << 16 | (sel & 0xfffcu);
	uint64_t raw;

	if (!why)
		why = &dummy;
	memset(seg, 0, sizeof(*seg));
	seg->selector = sel;
	if (SEL_INDEX(sel) == 0 && !SEL_TI(sel)) {
		/* a null selector loads, and every access through it faults */
		*why = "null selector";
		return 0;
	}
	if (SEL_TI(sel)) {
		*why = "LDT selector: the LDT is empty";
		return err;
	}
	if (SEL_INDEX(sel) * 8u + 7u > cpu->gdt_limit) {
		*why = "index past the GDT limit";
		return err;
	}
	memcpy(&raw, cpu->hw->ram + cpu->gdt_base + SEL_INDEX(sel) * 8u, sizeof(raw));
	desc_unpack(raw, seg);
	seg->selector = sel;
	if (seg->system) {
		*why = "a system segment";
		return err;
	}
	if ((seg->type & DESC_TYPE_CODE) && !(seg->type & DESC_TYPE_RW)) {
		*why = "an execute-only code segment";
		return err;
	}
	/* data, and non-conforming code: DPL >= max(CPL, RPL) */
	if (!((seg->type & DESC_TYPE_CODE) && (seg->type & DESC_TYPE_EC)) &&
	    (seg->dpl < cpl || seg->dpl < SEL_RPL(sel))) {
		*why = "privilege: DPL below CPL or RPL";
		return err;
	}
	if (!seg->present) {
		*why = "segment not present";
		return SEG_FAULT | X86_TRAP_NP << 16 | (sel & 0xfffcu);
	}
	*why = NULL;
	return 0;
}

unsigned int hw_segment_linear(const struct hw_cpu *cpu, const struct hw_segment *seg,
			       unsigned long offset, unsigned long len, enum mmu_access access,
			       unsigned long *linear, const char **why)
{
	const char *dummy;
	unsigned int err = SEG_FAULT | X86_TRAP_GP << 16;

	if (!why)
		why = &dummy;
	if (SEL_INDEX(seg->selector) == 0 && !SEL_TI(seg->selector)) {
		*why = "access through a null selector";
		return err;
	}
	if (access == MMU_WRITE &&
	    ((seg->type & DESC_TYPE_CODE) || !(seg->type & DESC_TYPE_RW))) {
		*why = "write to a read-only or code segment";
		return err;
	}
	if (cpu->hw->paging == HW_PAGING_X86_64) {
		/* long mode: base and limit ignored */
		*linear = offset;
		*why = NULL;
		return 0;
	}
	if (seg->type & DESC_TYPE_EC && !(seg->type & DESC_TYPE_CODE)) {
		*why = "expand-down segments are not used";
		return err;
	}
	if (len == 0 || offset > seg->limit || len - 1 > seg->limit - offset) {
		*why = "offset past the segment limit";
		return err;
	}
	*linear = (uint32_t)(seg->base + offset);
	*why = NULL;
	return 0;
}

int mmu_user_segment(uint16_t sel, unsigned long offset, unsigned long len,
		     enum mmu_access access, unsigned long *linear)
{
	struct hw_cpu *cpu = hw_this_cpu();
	struct hw_segment seg;
	unsigned int f;

	f = hw_segment_load(cpu, sel, 3, &seg, NULL);
	if (!f)
		f = hw_segment_linear(cpu, &seg, offset, len, access, linear, NULL);
	if (!f)
		return 0;
	BUG_ON_MSG(!cpu->idt || !cpu->idt->general_protection,
		   "cpu %d: #GP at selector %#x with no handler loaded", cpu->id, sel);
	cpu->idt->general_protection(cpu, SEG_FAULT_VECTOR(f), SEG_FAULT_ERROR(f));
	return -EFAULT;
}
