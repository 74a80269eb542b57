/*
 * The running CPU: binding a host thread to one of the machine's CPUs for
 * the kernel and the hardware alike (cpu_enter/cpu_leave), and the
 * machine's deterministic random numbers.
 */
#include "kern/machine.h"

__tls struct sim_cpu *__this_cpu;
/* the CPU this thread's program attached it to: tasks never move it off */
static __tls struct sim_cpu *this_cpu_attached;

struct sim_cpu *cpu_enter(struct machine *m)
{
	struct sim_cpu *saved = __this_cpu;

	if (!saved || saved->machine != m)
		set_this_cpu(&m->cpu[0]);
	return saved;
}

void cpu_leave(struct sim_cpu *saved)
{
	set_this_cpu(saved);
}

void cpu_attach(struct sim_cpu *cpu)
{
	set_this_cpu(cpu);
	this_cpu_attached = cpu;
}

void cpu_detach(void)
{
	set_this_cpu(NULL);
	this_cpu_attached = NULL;
}

struct sim_cpu *cpu_migrate(struct machine *m, unsigned long allowed)
{
	struct sim_cpu *cpu = this_cpu();

	allowed &= cpu_online_mask(m);
	if (this_cpu_attached == cpu || !allowed || (allowed & (1UL << cpu->id)))
		return cpu;
	cpu = &m->cpu[__builtin_ctzl(allowed)];
	set_this_cpu(cpu);
	return cpu;
}

uint64_t splitmix64_mix(uint64_t x)
{
	uint64_t z = x + 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/*
 * splitmix64 is counter based: the state only ever advances by the golden
 * gamma, so one atomic fetch_add hands each caller its own step, whatever
 * CPU it runs on, and a single CPU sees the same sequence as ever.
 */
uint64_t machine_random(struct machine *m)
{
	uint64_t z = __atomic_fetch_add(&m->rng_state, 0x9E3779B97F4A7C15ULL, __ATOMIC_RELAXED);

	return splitmix64_mix(z);
}

