/*
 * Stack growth below the stack pointer: today's Linux grows the stack
 * VMA down to the guard gap and RLIMIT_STACK wherever the stack pointer
 * is; 2.4 (spcheck=on) refused faults more than 32 bytes below it
 * (i386 do_page_fault: "address + 32 < regs->esp").
 */
#include "testlib.h"
#include "vmsim/process.h"

/* A one-byte store at @addr with the stack pointer at @sp, below the stack VMA. */
static int grow_below_sp(struct machine *m, unsigned long sp, unsigned long addr,
			 struct vmsim_task_info *ti)
{
	int pid = vmsim_spawn(m);
	char x = 1;
	int ret;

	ASSERT_CMP(pid, >, 0);
	ASSERT_EQ(vmsim_set_sp(m, pid, sp), 0);
	ret = vmsim_write(m, pid, addr, &x, 1);
	ASSERT_EQ(vmsim_task_info(m, pid, ti), 0);
	if (ti->alive)
		ASSERT_EQ(vmsim_exit(m, pid), 0);
	return ret;
}

#define STACK_TOP	0x7ffffffff000UL	/* the x86-64 stack top */

static int grow_far_below_sp(struct machine *m, struct vmsim_task_info *ti)
{
	unsigned long sp = STACK_TOP - 0x2000;

	return grow_below_sp(m, sp, sp - 0x40000, ti);	/* 256 KiB below sp */
}

TEST(stack_grows_far_below_sp_as_modern_linux)
{
	struct machine *m = test_boot("ram=64M");
	struct vmsim_task_info ti;

	ASSERT_EQ(grow_far_below_sp(m, &ti), 0);
	ASSERT(ti.alive);
	ASSERT_EQ(sum_vm_event(m, PGFAULT_STACK_GROW), 1);
	test_shutdown(m);
}

TEST(stack_spcheck_refuses_far_below_sp_as_2_4)
{
	struct machine *m = test_boot("ram=64M spcheck=on");
	struct vmsim_task_info ti;

	ASSERT_EQ(grow_far_below_sp(m, &ti), VMSIM_KILLED);
	ASSERT(!ti.alive);
	ASSERT_EQ(ti.signo, 11);
	ASSERT_EQ(ti.code, 1);	/* SEGV_MAPERR */
	ASSERT_EQ(sum_vm_event(m, PGFAULT_STACK_GROW), 0);
	test_shutdown(m);
}

/* The boundary itself: 32 bytes below %esp grows (pusha), 33 bytes does not. */
TEST(stack_spcheck_allows_32_bytes_below_sp_refuses_33)
{
	struct machine *m = test_boot("ram=64M spcheck=on");
	unsigned long sp = STACK_TOP - 0x400000 + 0x800;	/* 4 MiB down: below the VMA */
	struct vmsim_task_info ti;

	ASSERT_EQ(grow_below_sp(m, sp, sp - 32, &ti), 0);
	ASSERT(ti.alive);
	ASSERT_EQ(sum_vm_event(m, PGFAULT_STACK_GROW), 1);
	ASSERT_EQ(grow_below_sp(m, sp, sp - 33, &ti), VMSIM_KILLED);
	ASSERT(!ti.alive);
	ASSERT_EQ(ti.signo, 11);
	ASSERT_EQ(ti.code, 1);	/* SEGV_MAPERR */
	ASSERT_EQ(sum_vm_event(m, PGFAULT_STACK_GROW), 1);
	/* 1 KiB below, inside what the later 64 KiB rule allowed: refused as 2.4 */
	ASSERT_EQ(grow_below_sp(m, sp, sp - 1024, &ti), VMSIM_KILLED);
	ASSERT_EQ(ti.signo, 11);
	test_shutdown(m);
}
