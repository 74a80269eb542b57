/*
 * The reproductions of fixed failures (the .vms files of tests/repro, issue 10) run
 * through the library's script session, each followed by every process
 * exiting and an exact accounting check: swap slots, pages and slab
 * objects all back.  (make test also runs each file with the tool, which
 * must exit 0 with nothing on standard error.)
 *
 * failslab-leak fails the Nth slab allocation for every N that lands in
 * reclaim (swap_out's add_to_swap_cache and the page cache under memory
 * pressure); the swap-shmem-leak scripts need no fault injection.  Both
 * lost radix_tree_node objects (and their slab page): a slab refill whose
 * grow reclaimed wrote its new objects over those reclaim had just freed
 * into the CPU's array.
 */
#include <stdio.h>
#include <stdlib.h>
#include "testlib.h"
#include "kern/swap.h"
#include "vmsim/process.h"
#include "vmsim/script.h"

static void discard(struct vmsim_session *s, const char *text)
{
	(void)s;
	(void)text;
}

static const struct vmsim_session_ops quiet_ops = { .out = discard };

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(1 << 16);

	ASSERT_MSG(f && buf, "cannot read %s", path);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Run @path with machine option @key=@value (NULL: none); then everything exits. */
static void run_exact(const char *path, const char *key, const char *value)
{
	const char *keys[1] = { key }, *values[1] = { value };
	struct vmsim_session s;
	struct sim_cpu *saved;
	char why[256] = "";
	int pids[64], nr;
	size_t len;
	char *text = read_text(path, &len);
	long slots;

	vmsim_session_init(&s, path, &quiet_ops, NULL);
	if (key) {
		s.nr_flag_opts = 1;
		s.flag_keys = keys;
		s.flag_values = values;
	}
	ASSERT_EQ(vmsim_session_run_text(&s, text, len), VMSIM_RUN_OK);
	ASSERT(s.m);
	while ((nr = vmsim_task_list(s.m, pids, 64)) > 0)
		for (int i = 0; i < nr; i++)
			vmsim_exit_group(s.m, pids[i]);
	saved = cpu_enter(s.m);
	slots = s.m->swap ? s.m->swap->total_swap_pages - s.m->swap->nr_swap_pages : 0;
	cpu_leave(saved);
	ASSERT_MSG(slots == 0, "%s %s=%s: %ld swap slots in use", path, key ? key : "",
		   value ? value : "", slots);
	ASSERT_MSG(machine_accounting_is_exact(s.m, why, sizeof(why)), "%s %s=%s: %s", path,
		   key ? key : "", value ? value : "", why);
	vmsim_session_fini(&s);
	free(text);
}

TEST(repro_failslab_in_reclaim_sweep)
{
	char n[16];

	for (int i = 20; i <= 50; i++) {
		snprintf(n, sizeof(n), "%d", i);
		run_exact("tests/repro/failslab-leak.vms", "fail_slab", n);
	}
}

TEST(repro_swap_shmem_page_cluster)
{
	run_exact("tests/repro/swap-shmem-leak-asan.vms", NULL, NULL);
	run_exact("tests/repro/swap-shmem-leak-full.vms", NULL, NULL);
	run_exact("tests/repro/swap-shmem-leak-full.vms", "page_cluster", "1");
}
