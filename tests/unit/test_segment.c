/*
 * Segments (hw/segment.c, arch/x86/kernel/setup.c's gdt_table): the four
 * flat segments of 2.4's GDT as the hardware decodes them, the checks of
 * a segment load at CPL 3 and 0, the logical -> linear step, and a user
 * access through a kernel segment killing the task with SIGSEGV.
 */
#include <stdlib.h>
#include "testlib.h"
#include "vmsim/process.h"
#include "vmsim/stats.h"
#include "kern/segment.h"

TEST(segment_descriptor_pack_unpack)
{
	struct hw_segment s;

	/* 2.4's head.S: .quad 0x00cf9a000000ffff (kernel 4GB code at 0x00000000) */
	ASSERT_EQ(desc_pack(0, 0xfffff, DESC_P | DESC_S | DESC_TYPE_CODE | DESC_TYPE_RW,
			    DESC_FLAG_G | DESC_FLAG_DB), 0x00cf9a000000ffffULL);
	desc_unpack(0x00cff2000000ffffULL, &s);	/* user 4GB data */
	ASSERT_EQ(s.base, 0);
	ASSERT_EQ(s.limit, 0xffffffffULL);
	ASSERT_EQ(s.dpl, 3);
	ASSERT_EQ(s.type, DESC_TYPE_RW);
	ASSERT(s.present && !s.system);
	desc_unpack(desc_pack(0x12345678, 0xabcde, DESC_P | DESC_S, 0), &s);
	ASSERT_EQ(s.base, 0x12345678);
	ASSERT_EQ(s.limit, 0xabcde);		/* byte granular */
}

/* The GDT as every CPU loaded it: the four selectors, and what CPL 3 may load. */
TEST(segment_gdt_loads)
{
	struct machine *m = test_boot("ram=32M paging=i386 cpus=2");
	struct hw_segment s;
	unsigned long lin;

	for (int c = 0; c < 2; c++) {
		const struct hw_cpu *cpu = m->cpu[c].hw;

		ASSERT_EQ(cpu->gdt_base, GDT_TABLE_PHYS);
		ASSERT_EQ(hw_segment_load(cpu, __USER_DS, 3, &s, NULL), 0);
		ASSERT_EQ(s.raw, 0x00cff2000000ffffULL);
		ASSERT_EQ(hw_segment_load(cpu, __USER_CS, 3, &s, NULL), 0);
		ASSERT_EQ(s.raw, 0x00cffa000000ffffULL);
		/* kernel segments: fine at CPL 0, #GP(selector) at CPL 3 */
		ASSERT_EQ(hw_segment_load(cpu, __KERNEL_DS, 0, &s, NULL), 0);
		ASSERT_EQ(s.raw, 0x00cf92000000ffffULL);
		ASSERT_EQ(hw_segment_load(cpu, __KERNEL_DS, 3, &s, NULL),
			  SEG_FAULT | X86_TRAP_GP << 16 | 0x18);
		ASSERT_EQ(hw_segment_load(cpu, __KERNEL_CS, 3, &s, NULL),
			  SEG_FAULT | X86_TRAP_GP << 16 | 0x10);
		/* RPL 0 of a user segment at CPL 3 is allowed (max(CPL, RPL) = 3) */
		ASSERT_EQ(hw_segment_load(cpu, __USER_DS & ~3, 3, &s, NULL), 0);
		/* past the table, and the LDT */
		ASSERT_EQ(SEG_FAULT_VECTOR(hw_segment_load(cpu, SEL_MAKE(8, 3), 3, &s, NULL)),
			  X86_TRAP_GP);
		ASSERT_EQ(SEG_FAULT_VECTOR(hw_segment_load(cpu, 0x2f, 3, &s, NULL)), X86_TRAP_GP);
	}
	/* linear = base + offset; a write through a code segment faults; the null selector */
	ASSERT_EQ(hw_segment_load(m->cpu[0].hw, __USER_DS, 3, &s, NULL), 0);
	ASSERT_EQ(hw_segment_linear(m->cpu[0].hw, &s, 0xbffff000, 4096, MMU_WRITE, &lin, NULL), 0);
	ASSERT_EQ(lin, 0xbffff000UL);
	ASSERT_EQ(hw_segment_linear(m->cpu[0].hw, &s, 0xfffffffe, 4, MMU_READ, &lin, NULL),
		  SEG_FAULT | X86_TRAP_GP << 16);
	ASSERT_EQ(hw_segment_load(m->cpu[0].hw, __USER_CS, 3, &s, NULL), 0);
	ASSERT_EQ(hw_segment_linear(m->cpu[0].hw, &s, 0x1000, 1, MMU_WRITE, &lin, NULL),
		  SEG_FAULT | X86_TRAP_GP << 16);
	ASSERT_EQ(hw_segment_load(m->cpu[0].hw, 0, 3, &s, NULL), 0);
	ASSERT_EQ(hw_segment_linear(m->cpu[0].hw, &s, 0x1000, 1, MMU_READ, &lin, NULL),
		  SEG_FAULT | X86_TRAP_GP << 16);
	test_shutdown(m);
}

/* Loads and stores with a selector: __USER_DS is the plain access; __KERNEL_DS is SIGSEGV. */
static void user_access_through(const char *opts)
{
	struct machine *m = test_boot(opts);
	struct vmsim_task_info ti;
	char buf[4];
	int pid = vmsim_spawn(m);

	ASSERT_CMP(pid, >, 0);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x10000000, 4096, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			     VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0), 0x10000000);
	ASSERT_EQ(vmsim_write_seg(m, pid, __USER_DS, 0x10000000, "segm", 4), 0);
	ASSERT_EQ(vmsim_read(m, pid, 0x10000000, buf, 4), 0);
	ASSERT_EQ(memcmp(buf, "segm", 4), 0);
	ASSERT_EQ(vmsim_read_seg(m, pid, __USER_CS, 0x10000000, buf, 4), 0);
	ASSERT_EQ(vmsim_read_seg(m, pid, 0x10000, 0x10000000, buf, 4), -EINVAL);
	ASSERT_EQ(vmsim_read_seg(m, pid, __KERNEL_DS, 0x10000000, buf, 4), VMSIM_KILLED);
	ASSERT_EQ(vmsim_task_info(m, pid, &ti), 0);
	ASSERT(!ti.alive);
	ASSERT_EQ(ti.signo, 11);
	ASSERT_EQ(ti.code, 0x80);	/* SI_KERNEL */
	pid = vmsim_spawn(m);
	ASSERT_EQ(vmsim_write_seg(m, pid, __USER_CS, 0x10000000, "x", 1), VMSIM_KILLED);
	test_shutdown(m);
}

TEST(segment_user_access_i386)
{
	user_access_through("ram=32M paging=i386");
}

TEST(segment_user_access_pae)
{
	user_access_through("ram=32M paging=pae");
}

TEST(segment_user_access_x86_64)
{
	user_access_through("ram=32M");
}

/* show A translate's text: each step, and the fault for a kernel selector. */
TEST(segment_translate_describe)
{
	struct machine *m = test_boot("ram=32M paging=pae");
	int pid = vmsim_spawn(m);
	char *t;

	ASSERT_EQ(vmsim_mmap(m, pid, 0x10000000, 4096, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			     VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0), 0x10000000);
	ASSERT_EQ(vmsim_write(m, pid, 0x10000123, "p", 1), 0);
	t = vmsim_translate_describe(m, pid, __USER_DS, 0x10000123);
	ASSERT(t);
	ASSERT(strstr(t, "logical address 0x002b:0x10000123 (__USER_DS)"));
	ASSERT(strstr(t, "gdt[5]   = 0x00cff2000000ffff"));
	ASSERT(strstr(t, "linear address 0x10000123 = base 0x0 + offset 0x10000123"));
	ASSERT(strstr(t, "pae paging, 3 levels"));
	ASSERT(strstr(t, "  pgd[0]"));
	ASSERT(strstr(t, "  pmd[128]"));
	ASSERT(strstr(t, "  pte[0]"));
	ASSERT(strstr(t, "physical address 0x"));
	free(t);
	t = vmsim_translate_describe(m, pid, __KERNEL_DS, 0x10000123);
	ASSERT(t);
	ASSERT(strstr(t, "general protection fault (#GP, error code 0x18)"));
	ASSERT(!strstr(t, "linear address"));
	free(t);
	errno = 0;
	ASSERT(!vmsim_translate_describe(m, 99, __USER_DS, 0));
	ASSERT_EQ(errno, ESRCH);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}
