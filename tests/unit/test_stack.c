/*
 * Stack growth below the stack pointer: today's Linux grows the stack
 * VMA down to the guard gap and RLIMIT_STACK wherever the stack pointer
 * is; 2.4 (spcheck=on) refused faults more than 64 KiB + 32 words below it.
 */
#include "testlib.h"
#include "vmsim/process.h"

static int grow_far_below_sp(struct machine *m, struct vmsim_task_info *ti)
{
	int pid = vmsim_spawn(m);
	unsigned long top = 0x7ffffffff000UL;	/* the x86-64 stack top */
	unsigned long sp = top - 0x2000, far = sp - 0x40000;	/* 256 KiB below sp */
	char x = 1;
	int ret;

	ASSERT_CMP(pid, >, 0);
	ASSERT_EQ(vmsim_set_sp(m, pid, sp), 0);
	ret = vmsim_write(m, pid, far, &x, 1);
	ASSERT_EQ(vmsim_task_info(m, pid, ti), 0);
	if (ti->alive)
		ASSERT_EQ(vmsim_exit(m, pid), 0);
	return ret;
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
