/*
 * The simulated PC powered on and off: RAM, the CPUs and their TLBs
 * (include/hw/machine.h), and the sums of the CPUs' performance counters.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "hw/machine.h"
#include "hw/tlb.h"

__tls struct hw_cpu *__hw_this_cpu;

int hw_machine_init(struct hw_machine *hw, const struct hw_config *cfg)
{
	int err;

	BUG_ON_MSG(cfg->nr_cpus < 1 || cfg->nr_cpus > HW_MAX_CPUS, "hw: %d CPUs", cfg->nr_cpus);
	hw->ram_size = cfg->ram_bytes;
	hw->paging = cfg->paging;
	hw->nr_cpus = cfg->nr_cpus;
	atomic_init(&hw->jiffies, 0);
	for (int i = 0; i < hw->nr_cpus; i++) {
		hw->cpu[i].id = i;
		hw->cpu[i].hw = hw;
	}
	/* the MMIO region one hole above RAM, if the paging mode reaches it */
	hw->mmio_base = ((hw->ram_size + HW_MMIO_ALIGN - 1) & ~(uint64_t)(HW_MMIO_ALIGN - 1)) +
			HW_MMIO_ALIGN;
	hw->mmio_size = HW_MMIO_SIZE;
	if (hw->paging == HW_PAGING_I386 && hw->mmio_base + hw->mmio_size > (1ULL << 32))
		hw->mmio_size = 0;
	hw->map_size = hw->mmio_size ? hw->mmio_base + hw->mmio_size : hw->ram_size;
	/* Untouched RAM costs the host nothing until a frame is first written. */
	hw->ram = mmap(NULL, hw->map_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hw->ram == MAP_FAILED) {
		hw->ram = NULL;
		return -ENOMEM;
	}
	/* the hole between RAM and MMIO: an access there is a simulator bug */
	if (hw->mmio_size && hw->mmio_base > hw->ram_size)
		mprotect(hw->ram + hw->ram_size, hw->mmio_base - hw->ram_size, PROT_NONE);
	err = hw_tlb_init(hw, cfg->tlb_entries, cfg->tlb_ways);
	if (err) {
		munmap(hw->ram, hw->map_size);
		hw->ram = NULL;
	}
	return err;
}

void hw_machine_fini(struct hw_machine *hw)
{
	hw_tlb_fini(hw);
	if (hw->ram)
		munmap(hw->ram, hw->map_size);
	hw->ram = NULL;
}

unsigned long hw_pmc_sum(struct hw_machine *hw, enum hw_pmc pmc)
{
	unsigned long sum = 0;

	for (int i = 0; i < hw->nr_cpus; i++)
		sum += atomic_load_explicit(&hw->cpu[i].pmc[pmc], memory_order_relaxed);
	return sum;
}
