/*
 * Concurrent rounds (docs/script.md, "Concurrent mode"): on a machine with
 * several CPUs and serial=off, each maximal run of consecutive process
 * commands (a round) runs truly concurrently, one host thread per CPU
 * attached to it (vmsim_cpu_attach), each running the commands of the
 * processes bound to its CPU in script order.  Every other line (show,
 * expect, spawn, fork, on, trace, K, ...) is a barrier: it runs alone, on
 * the calling thread, after every CPU's thread of the round has ended, so
 * it sees the whole round's effects (and reads each CPU's TLB with no
 * thread running that CPU: the joins order those reads after the writes).
 *
 * Output stays checkable: each process's result lines in script order,
 * the processes in the order of their first command in the round; then
 * the kill lines of processes that died in the round without a command of
 * their own saying so.  `expect =` after a round sees the result of the
 * round's last line.  Which interleaving happened is free: a read racing
 * a munmap on another CPU gives the bytes or a kill, never other bytes.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "internal.h"

/* One command of a round and what it printed. */
struct round_item {
	const struct vmsim_cmd *c;
	int line;
	int proc;		/* index in s->procs, -1 if the name is unknown */
	int cpu;
	char *out;		/* its output (result line, kill line) */
	size_t len, cap;
	char *last;		/* its result for expect = */
	bool numeric;
	enum vmsim_run_status st;
};

/* One CPU's host thread: its copy of the session, writing into items. */
struct round_cpu {
	struct vmsim_session ws;
	struct round_item *items;
	int nr_items;
	int cpu;
	struct round_item *cur;
	atomic_bool *go;	/* every thread started: the CPUs begin together */
};

static void round_out(struct vmsim_session *ws, const char *text)
{
	struct round_cpu *rc = ws->priv;
	struct round_item *it = rc->cur;
	size_t n = strlen(text);

	if (it->len + n + 1 > it->cap) {
		size_t cap = (it->len + n + 1) * 2;
		char *p = realloc(it->out, cap);

		if (!p)
			return;
		it->out = p;
		it->cap = cap;
	}
	memcpy(it->out + it->len, text, n + 1);
	it->len += n;
}

static const struct vmsim_session_ops round_ops = { .out = round_out };

/* A command a round may hold: a process command that binds no name, moves
 * no process to another CPU and needs none of the embedder's callbacks. */
static bool round_eligible(const struct vmsim_cmd *c)
{
	const struct vmsim_cmd_def *d = c->def;

	return d && d->per_process && !d->binds_name && !d->before_boot &&
	       strcmp(d->word, "on") && strcmp(d->word, "trace");
}

bool script_concurrent(const struct vmsim_session *s)
{
	/* explained commands and events are the machine's, printed in order */
	return s->m && !s->cfg.serial && s->cfg.cpus > 1 && !s->explain && !s->events_mask;
}

/* The CPU a process's commands run on: the lowest it may run on (CPU 0 if gone). */
static int proc_cpu(struct vmsim_session *s, int proc)
{
	long mask = proc < 0 ? 0 : vmsim_sched_getaffinity(s->m, s->procs[proc].pid);

	mask &= (1L << s->cfg.cpus) - 1;
	return mask > 0 ? __builtin_ctzl((unsigned long)mask) : 0;
}

static void *round_thread(void *arg)
{
	struct round_cpu *rc = arg;

	vmsim_cpu_attach(rc->ws.m, rc->cpu);
	while (!atomic_load(rc->go))
		sched_yield();
	for (int i = 0; i < rc->nr_items; i++) {
		struct round_item *it = rc->cur = &rc->items[i];

		if (it->cpu != rc->cpu)
			continue;
		rc->ws.line = it->line;
		it->st = script_run_proc_cmd(&rc->ws, it->c, true);
		it->last = rc->ws.last_result;
		it->numeric = rc->ws.last_numeric;
		rc->ws.last_result = NULL;
		if (it->st != VMSIM_RUN_OK)
			break;
	}
	vmsim_cpu_detach();
	return NULL;
}

/* Print the round: per process, its lines in order; processes by first command. */
static void round_print(struct vmsim_session *s, struct round_item *items, int n)
{
	for (int i = 0; i < n; i++) {
		bool first = true;

		for (int j = 0; j < i && first; j++)
			first = items[j].proc != items[i].proc;
		for (int j = i; first && j < n; j++)
			if (items[j].proc == items[i].proc && items[j].out)
				vmsim_session_puts(s, items[j].out);
	}
}

/* Kill lines of processes that died in the round with no line of theirs saying so. */
static void round_print_deaths(struct vmsim_session *s, const bool *alive, int nr_procs,
			       struct round_item *items, int n)
{
	struct vmsim_task_info ti;

	for (int p = 0; p < nr_procs; p++) {
		bool said = false;

		if (!alive[p] || vmsim_task_info(s->m, s->procs[p].pid, &ti) || ti.alive ||
		    !ti.signo)
			continue;
		for (int i = 0; i < n; i++)
			said |= items[i].proc == p && items[i].last &&
				!strcmp(items[i].last, "killed");
		if (!said)
			script_print_killed(s, p);
	}
}

static void round_prepare(struct vmsim_session *s, const struct vmsim_script *sc, int first,
			  struct round_item *items, int n, bool *alive, unsigned long *cpus)
{
	struct vmsim_task_info ti;

	for (int p = 0; p < s->nr_procs; p++)
		alive[p] = s->procs[p].pid > 0 && !vmsim_task_info(s->m, s->procs[p].pid, &ti) &&
			   ti.alive;
	*cpus = 0;
	for (int i = 0; i < n; i++) {
		struct vmsim_proc_name *p = script_find_name(s, sc->cmds[first + i].proc);

		items[i].c = &sc->cmds[first + i];
		items[i].line = sc->lines[first + i];
		items[i].proc = p ? (int)(p - s->procs) : -1;
		items[i].cpu = proc_cpu(s, items[i].proc);
		*cpus |= 1UL << items[i].cpu;
	}
}

/* Run the round of @n commands from sc->cmds[@first]. */
static enum vmsim_run_status run_round(struct vmsim_session *s, const struct vmsim_script *sc,
				       int first, int n)
{
	struct round_item *items = calloc((size_t)n, sizeof(*items));
	bool *alive = calloc((size_t)s->nr_procs + 1, sizeof(bool));
	struct round_cpu rc[VMSIM_MAX_CPUS];
	pthread_t th[VMSIM_MAX_CPUS];
	bool started[VMSIM_MAX_CPUS];
	atomic_bool go = false;
	struct round_cpu *best = NULL;
	enum vmsim_run_status st = VMSIM_RUN_OK;
	unsigned long cpus;
	int nr = 0;

	if (!items || !alive) {
		free(items);
		free(alive);
		vmsim_session_error(s, "out of memory");
		return VMSIM_RUN_ERROR;
	}
	round_prepare(s, sc, first, items, n, alive, &cpus);
	for (int cpu = 0; cpu < s->cfg.cpus; cpu++) {
		if (!(cpus & (1UL << cpu)))
			continue;
		rc[nr] = (struct round_cpu){ .ws = *s, .items = items, .nr_items = n, .cpu = cpu,
					     .go = &go };
		rc[nr].ws.ops = &round_ops;
		rc[nr].ws.priv = &rc[nr];
		rc[nr].ws.last_result = NULL;
		rc[nr].ws.explain_state = NULL;
		nr++;
	}
	/* a CPU whose thread cannot start runs its share here, after the others */
	for (int i = 0; i < nr; i++)
		started[i] = !pthread_create(&th[i], NULL, round_thread, &rc[i]);
	atomic_store(&go, true);
	for (int i = 0; i < nr; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	for (int i = 0; i < nr; i++)
		if (!started[i])
			round_thread(&rc[i]);
	/* the first error in the script's order is the session's (--json's "error") */
	for (int i = 0; i < nr && !s->error[0]; i++)
		if (rc[i].ws.error[0] && (!best || rc[i].ws.error_line < best->ws.error_line))
			best = &rc[i];
	if (best && !s->error[0]) {
		memcpy(s->error, best->ws.error, sizeof(s->error));
		s->error_line = best->ws.error_line;
	}
	round_print(s, items, n);
	round_print_deaths(s, alive, s->nr_procs, items, n);
	for (int i = 0; i < n; i++) {
		if (st == VMSIM_RUN_OK && items[i].st != VMSIM_RUN_OK)
			st = items[i].st;
		if (items[i].last)
			script_set_last(s, items[i].last, items[i].numeric);
		free(items[i].out);
		free(items[i].last);
	}
	s->line = sc->lines[first + n - 1];
	free(items);
	free(alive);
	fflush(stdout);
	return st;
}

int script_round_length(const struct vmsim_session *s, const struct vmsim_script *sc, int first)
{
	int n = 0;

	if (!script_concurrent(s))
		return 0;
	while (first + n < sc->nr_cmds && round_eligible(&sc->cmds[first + n]))
		n++;
	return n;
}

enum vmsim_run_status script_run_round(struct vmsim_session *s, const struct vmsim_script *sc,
				       int first, int n)
{
	s->ran_command = true;
	return run_round(s, sc, first, n);
}
