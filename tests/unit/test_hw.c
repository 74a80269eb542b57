/*
 * The hardware alone (hw/): a machine powered on with no kernel booted,
 * page tables written by hand in its RAM, and a trap table of the test's
 * own.  The MMU must vector a failed walk to the table's page_fault with
 * the x86 error code and retry the access when the handler fixed the
 * tables, and a shootdown must reach the target CPU's invalidate_tlb at its
 * next access.  Only hw/ headers are included: the hardware needs nothing
 * of the kernel.
 */
#include "../harness.h"
#include "hw/machine.h"
#include "hw/mmu.h"
#include "hw/tlb.h"

/* Physical layout of the hand-made x86-64 tables. */
#define PGD	0x1000UL
#define PUD	0x2000UL
#define PMD	0x3000UL
#define PTE	0x4000UL
#define FRAME	0x5000UL
#define VA	0x40000000UL	/* pgd 0, pud 1, pmd 0, pte 0 */
#define UTABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)

static struct {
	int faults, ipis;
	unsigned long address;
	unsigned int error_code;
	int ipi_cpu;
	bool map_on_fault;		/* the handler installs the PTE (else refuses) */
	struct hw_machine *hw;
} trap;

static void *entry(struct hw_machine *hw, unsigned long table, unsigned int idx)
{
	return hw_phys(hw, table) + idx * 8;
}

static uint64_t pte_now(struct hw_machine *hw)
{
	return __pgt_read(entry(hw, PTE, 0), &pgt_formats[HW_PAGING_X86_64]);
}

static int test_page_fault(struct hw_cpu *cpu, unsigned long address, unsigned int error_code)
{
	trap.faults++;
	trap.address = address;
	trap.error_code = error_code;
	if (!trap.map_on_fault)
		return -1;
	__pgt_write(entry(trap.hw, PTE, 0), &pgt_formats[HW_PAGING_X86_64], FRAME | UTABLE);
	return 0;
}

static void test_invalidate_tlb(struct hw_cpu *cpu)
{
	trap.ipis++;
	trap.ipi_cpu = cpu->id;
	tlb_flush_local(cpu->tlb, false);
}

static const struct hw_trap_table test_traps = {
	.page_fault = test_page_fault,
	.invalidate_tlb = test_invalidate_tlb,
};

/* Power on a 2-CPU x86-64 machine with the tables down to an empty PTE table. */
static void hw_setup(struct hw_machine *hw)
{
	const struct pgt_format *f = &pgt_formats[HW_PAGING_X86_64];

	memset(hw, 0, sizeof(*hw));
	memset(&trap, 0, sizeof(trap));
	trap.hw = hw;
	ASSERT_EQ(hw_machine_init(hw, &(struct hw_config){ .ram_bytes = 16UL << 20,
		.nr_cpus = 2, .paging = HW_PAGING_X86_64, .tlb_entries = 64, .tlb_ways = 4 }), 0);
	__pgt_write(entry(hw, PGD, 0), f, PUD | UTABLE);
	__pgt_write(entry(hw, PUD, 1), f, PMD | UTABLE);
	__pgt_write(entry(hw, PMD, 0), f, PTE | UTABLE);
	*(uint64_t *)(hw_phys(hw, FRAME) + 8) = 0x1122334455667788ULL;
	for (int i = 0; i < 2; i++) {
		load_idt(&hw->cpu[i], &test_traps);
		hw_write_cr3(&hw->cpu[i], PGD);
	}
	hw_set_this_cpu(&hw->cpu[0]);
}

static void hw_teardown(struct hw_machine *hw)
{
	hw_set_this_cpu(NULL);
	hw_machine_fini(hw);
}

TEST(hw_page_fault_vectors_to_trap_table)
{
	struct hw_machine hw;
	uint64_t v = 0;

	hw_setup(&hw);
	trap.map_on_fault = true;
	ASSERT_EQ(mmu_user_load64(VA + 8, &v), 0);
	ASSERT_EQ(v, 0x1122334455667788ULL);
	ASSERT_EQ(trap.faults, 1);
	ASSERT_EQ(trap.address, VA + 8);
	ASSERT_EQ(trap.error_code, PF_USER);		/* a user read, not present */
	ASSERT(pte_now(&hw) & _PAGE_ACCESSED);
	ASSERT(!(pte_now(&hw) & _PAGE_DIRTY));
	ASSERT_EQ(hw_pmc_sum(&hw, PMC_TLB_MISS), 1);

	/* again: a TLB hit, no walk, no fault */
	ASSERT_EQ(mmu_user_load64(VA + 8, &v), 0);
	ASSERT_EQ(trap.faults, 1);
	ASSERT_EQ(hw_pmc_sum(&hw, PMC_TLB_HIT), 1);

	/* a write to the clean page misses the TLB and the walk sets Dirty */
	ASSERT_EQ(mmu_user_store64(VA + 16, 7), 0);
	ASSERT_EQ(trap.faults, 1);
	ASSERT(pte_now(&hw) & _PAGE_DIRTY);
	ASSERT_EQ(*(uint64_t *)(hw_phys(&hw, FRAME) + 16), 7);

	/* read-only now: the write faults with PROT|WRITE|USER; a refused fault fails it */
	__pgt_write(entry(&hw, PTE, 0), &pgt_formats[HW_PAGING_X86_64],
		    FRAME | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY);
	tlb_invlpg(hw.cpu[0].tlb, VA);
	trap.map_on_fault = false;
	ASSERT_EQ(mmu_user_store64(VA + 16, 9), -EFAULT);
	ASSERT_EQ(trap.faults, 2);
	ASSERT_EQ(trap.error_code, PF_USER | PF_WRITE | PF_PROT);
	ASSERT_EQ(*(uint64_t *)(hw_phys(&hw, FRAME) + 16), 7);
	ASSERT_EQ(trap.ipis, 0);
	hw_teardown(&hw);
}

TEST(hw_invalidate_ipi_vectors_to_trap_table)
{
	struct hw_machine hw;
	uint64_t v = 0;

	hw_setup(&hw);
	trap.map_on_fault = true;
	hw_set_this_cpu(&hw.cpu[1]);
	ASSERT_EQ(mmu_user_load64(VA + 8, &v), 0);
	ASSERT(tlb_probe(hw.cpu[1].tlb, VA, false));

	/* CPU 0 shoots down CPU 1, which is in no access: the IPI waits for its next one */
	hw_set_this_cpu(&hw.cpu[0]);
	hw_send_invalidate_ipi(&hw, 1UL << 1);
	ASSERT_EQ(trap.ipis, 0);
	ASSERT(tlb_probe(hw.cpu[1].tlb, VA, false));

	hw_set_this_cpu(&hw.cpu[1]);
	ASSERT_EQ(mmu_user_load64(VA + 8, &v), 0);
	ASSERT_EQ(v, 0x1122334455667788ULL);
	ASSERT_EQ(trap.ipis, 1);
	ASSERT_EQ(trap.ipi_cpu, 1);
	ASSERT_EQ(trap.faults, 1);			/* the page stayed mapped */
	ASSERT_EQ(hw_pmc_sum(&hw, PMC_TLB_MISS), 2);	/* the flushed entry walked again */
	hw_teardown(&hw);
}

TEST(hw_machine_init_rejects_bad_tlb)
{
	struct hw_machine hw;

	memset(&hw, 0, sizeof(hw));
	ASSERT_EQ(hw_machine_init(&hw, &(struct hw_config){ .ram_bytes = 16UL << 20,
		.nr_cpus = 1, .paging = HW_PAGING_PAE, .tlb_entries = 4, .tlb_ways = 8 }), -EINVAL);
	ASSERT_NULL(hw.ram);
}

TEST(hw_fault_without_trap_table_is_a_bug)
{
	struct hw_machine hw;
	uint64_t v = 0;

	hw_setup(&hw);
	load_idt(&hw.cpu[0], NULL);
	EXPECT_BUG(mmu_user_load64(VA, &v), "no trap table loaded");
	ASSERT_EQ(trap.faults, 0);
	hw_teardown(&hw);
}
