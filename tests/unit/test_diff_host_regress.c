/*
 * Regression tests for the differences between vmsim and the host kernel
 * that test_diff_host.c's argument forms (diff_host_arg_forms) found: each
 * replays the smallest case and checks what the host (Linux 6.18, x86-64,
 * overcommit_memory 0) gives.
 */
/* first: <signal.h> defines si_addr as a macro, which would rename the API's field */
#include "vmsim/process.h"
#include <sys/mman.h>
#include <signal.h>
#include <stdlib.h>
#include "harness.h"
#include "testlib.h"

#define PG	4096UL
#define WIN	0x300000000000UL

/* The maps line of the VMA starting at @start, or "" (static buffer). */
static const char *maps_line(struct machine *m, int pid, unsigned long start)
{
	static char line[256];
	char *text = vmsim_proc_pid_read(m, pid, "maps"), key[32], *p;

	ASSERT_NOT_NULL(text);
	snprintf(key, sizeof(key), "%lx-", start);
	line[0] = 0;
	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, strlen(key))) {
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
			break;
		}
	free(text);
	return line;
}

/* Does the smaps block of the VMA at @start contain @what? */
static bool smaps_has(struct machine *m, int pid, unsigned long start, const char *what)
{
	char *text = vmsim_proc_pid_read(m, pid, "smaps"), key[32], *p, *end;
	bool found = false;

	ASSERT_NOT_NULL(text);
	snprintf(key, sizeof(key), "%lx-", start);
	p = strstr(text, key);
	if (p) {
		end = strstr(p, "VmFlags:");
		end = end ? strchr(end, '\n') : NULL;
		if (end)
			*end = 0;
		found = strstr(p, what) != NULL;
	}
	if (!found)
		fprintf(stderr, "smaps of %#lx without \"%s\":\n%s\n", start, what, p ? p : text);
	free(text);
	return found;
}

static int spawn_plain(struct machine *m)
{
	int pid = vmsim_spawn(m);

	ASSERT_CMP(pid, >, 0);
	return pid;
}

/*
 * The overcommit heuristic: one commitment larger than RAM plus swap is
 * -ENOMEM (private writable, shared anonymous, brk, mprotect to writable,
 * mremap growth); MAP_NORESERVE and read-only private mappings are not
 * charged.  vmsim committed anything.
 */
TEST(diff_host_regress_overcommit)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int pid = spawn_plain(m);
	unsigned long big = 1UL << 39, brk0;

	ASSERT_EQ(vmsim_mmap(m, pid, WIN, big, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), -ENOMEM);
	ASSERT_EQ(vmsim_mmap(m, pid, WIN, big, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0), -ENOMEM);
	ASSERT_STREQ(maps_line(m, pid, WIN), "");
	ASSERT_EQ(vmsim_mmap(m, pid, WIN, big, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0),
		  (long)WIN);
	ASSERT_EQ(vmsim_munmap(m, pid, WIN, big), 0);
	/* read-only: not charged, until mprotect makes it writable */
	ASSERT_EQ(vmsim_mmap(m, pid, WIN, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			     -1, 0), (long)WIN);
	ASSERT_EQ(vmsim_mprotect(m, pid, WIN, big, PROT_READ | PROT_WRITE), -ENOMEM);
	ASSERT_EQ(vmsim_munmap(m, pid, WIN, big), 0);
	/* a small accounted area cannot grow by more than RAM + swap */
	ASSERT_EQ(vmsim_mmap(m, pid, WIN, PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), (long)WIN);
	ASSERT_EQ(vmsim_mremap(m, pid, WIN, PG, big, 0, 0), -ENOMEM);
	/* the heap: brk returns the old break */
	brk0 = (unsigned long)vmsim_brk(m, pid, 0);
	ASSERT_EQ(vmsim_brk(m, pid, brk0 + big), (long)brk0);
	ASSERT_EQ(vmsim_brk(m, pid, brk0 + 16 * PG), (long)(brk0 + 16 * PG));
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

/*
 * A MAP_FIXED mmap that fails its checks after the range was gathered:
 * a private one (overcommit) leaves the old VMA split at the new
 * mapping's start; a shared anonymous one (charged in shmem_zero_setup,
 * after the old PTEs were cleared) leaves a hole where the old one was.
 */
TEST(diff_host_regress_failed_map_fixed)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int pid = spawn_plain(m);
	unsigned long big = (1UL << 40) - 0x9000;

	ASSERT_EQ(vmsim_mmap(m, pid, WIN + 4 * PG, 0x2f * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), (long)(WIN + 4 * PG));
	ASSERT_EQ(vmsim_mmap(m, pid, WIN + 9 * PG, big, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), -ENOMEM);
	ASSERT_STREQ(maps_line(m, pid, WIN + 4 * PG), "300000004000-300000009000 rw-p 00000000 00:00 0 ");
	ASSERT_STREQ(maps_line(m, pid, WIN + 9 * PG), "300000009000-300000033000 rw-p 00000000 00:00 0 ");
	ASSERT_EQ(vmsim_mmap(m, pid, WIN + 9 * PG, big, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0), -ENOMEM);
	ASSERT_STREQ(maps_line(m, pid, WIN + 4 * PG), "300000004000-300000009000 rw-p 00000000 00:00 0 ");
	ASSERT_STREQ(maps_line(m, pid, WIN + 9 * PG), "");
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

/*
 * x86-64: a load or store at a non-canonical address, or one running from
 * the last user bytes into the hole, is a general protection fault:
 * SIGSEGV with SI_KERNEL and si_addr 0 (vmsim gave SEGV_MAPERR at the
 * address).  A canonical kernel address is an ordinary page fault.
 */
TEST(diff_host_regress_noncanonical_access)
{
	static const struct { unsigned long addr; int code; unsigned long fault_addr; } cases[] = {
		{ 1UL << 47, SI_KERNEL, 0 },
		{ 1UL << 63, SI_KERNEL, 0 },
		{ 0x7ffffffffffcUL, SI_KERNEL, 0 },
		{ 0x7ffffffffff8UL, SEGV_MAPERR, 0x7ffffffffff8UL },
		{ 0xfffffffffffff000UL, SEGV_MAPERR, 0xfffffffffffff000UL },
	};
	struct machine *m = test_boot("ram=64M paging=x86_64");

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vmsim_task_info info;
		uint64_t v = 0;
		int pid = spawn_plain(m);

		ASSERT_EQ(vmsim_read(m, pid, cases[i].addr, &v, sizeof(v)), VMSIM_KILLED);
		ASSERT_EQ(vmsim_task_info(m, pid, &info), 0);
		ASSERT_EQ(info.signo, SIGSEGV);
		ASSERT_EQ(info.code, cases[i].code);
		ASSERT_EQ(info.addr, cases[i].fault_addr);
	}
	test_shutdown(m);
}

/*
 * mmap flags Linux 6.x keeps: MAP_STACK is VM_NOHUGEPAGE ("nh"), MAP_SYNC
 * on anonymous memory VM_SYNC ("sf"); MAP_32BIT places the mapping in the
 * second GiB (a hint above it is not taken).  A new shmem page a read
 * fault brings in is clean (vmsim dirtied it).  mprotect finds a hole at
 * the start (-ENOMEM) before refusing PROT_GROWSUP (-EINVAL).
 */
TEST(diff_host_regress_flags)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	int pid = spawn_plain(m);
	uint64_t v = 1;
	long r;

	ASSERT_EQ(vmsim_mmap(m, pid, WIN, 2 * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_STACK, -1, 0), (long)WIN);
	ASSERT(smaps_has(m, pid, WIN, "VmFlags: rd wr mr mw me ac nh "));
	ASSERT_EQ(vmsim_mmap(m, pid, WIN + 4 * PG, PG, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED | MAP_SYNC, -1, 0),
		  (long)(WIN + 4 * PG));
	ASSERT(smaps_has(m, pid, WIN + 4 * PG, "VmFlags: rd wr sh mr mw me ms sf "));
	ASSERT_EQ(vmsim_read(m, pid, WIN + 4 * PG, &v, sizeof(v)), 0);
	ASSERT_EQ(v, 0);
	ASSERT(smaps_has(m, pid, WIN + 4 * PG, "Private_Clean:         4 kB"));
	ASSERT(smaps_has(m, pid, WIN + 4 * PG, "Private_Dirty:         0 kB"));
	r = vmsim_mmap(m, pid, WIN + 8 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);
	ASSERT_CMP(r, >=, 0x40000000L);
	ASSERT_CMP(r, <, 0x80000000L);
	ASSERT_EQ(vmsim_mprotect(m, pid, 0x10000, 4 * PG, PROT_READ | PROT_GROWSUP), -ENOMEM);
	ASSERT_EQ(vmsim_mprotect(m, pid, WIN, PG, PROT_READ | PROT_GROWSUP), -EINVAL);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}
