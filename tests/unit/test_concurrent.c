/*
 * The script language's concurrent mode (script/concurrent.c; serial=off
 * with two CPUs): rounds of process commands run on two host threads at
 * once, A on CPU 0 changing the mm (munmap, mmap, mprotect, mremap,
 * madvise DONTNEED, COW breaking after a fork, reclaim to swap) while its
 * thread T on CPU 1 reads and writes the same mm.  Every byte T reads
 * must be one the script could have left there in some order (never a
 * stale or foreign page), output is grouped per process in script order,
 * and after the run every page, swap slot and slab object is accounted
 * for.  The stress test runs under TSan (make tsan-test).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "kern/swap.h"
#include "vmsim/process.h"
#include "vmsim/script.h"

struct outbuf {
	char *text;
	size_t len, cap;
};

static void collect(struct vmsim_session *s, const char *text)
{
	struct outbuf *o = s->priv;
	size_t n = strlen(text);

	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->text = realloc(o->text, o->cap);
		ASSERT(o->text);
	}
	memcpy(o->text + o->len, text, n + 1);
	o->len += n;
}

static const struct vmsim_session_ops collect_ops = { .out = collect };

static void add(struct outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct outbuf *o, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	collect(&(struct vmsim_session){ .priv = o }, line);
}

/* Run @script; its output in @out; every process then exits: exact accounting. */
static void run_checked(const char *script, struct outbuf *out)
{
	struct vmsim_session s;
	struct sim_cpu *saved;
	char why[256];
	int pids[64], nr;
	long slots;

	memset(out, 0, sizeof(*out));
	vmsim_session_init(&s, "<concurrent>", &collect_ops, out);
	ASSERT_EQ(vmsim_session_run_text(&s, script, strlen(script)), VMSIM_RUN_OK);
	ASSERT(s.m);
	while ((nr = vmsim_task_list(s.m, pids, 64)) > 0)
		for (int i = 0; i < nr; i++)
			vmsim_exit_group(s.m, pids[i]);
	saved = cpu_enter(s.m);
	slots = s.m->swap ? s.m->swap->total_swap_pages - s.m->swap->nr_swap_pages : 0;
	cpu_leave(saved);
	ASSERT_MSG(slots == 0, "%ld swap slots in use", slots);
	ASSERT_MSG(machine_accounting_is_exact(s.m, why, sizeof(why)), "%s", why);
	vmsim_session_fini(&s);
}

/* The result of each line starting with @prefix must be one of @ok (NULL-ended). */
static int check_results(const char *out, const char *prefix, const char *const *ok)
{
	int n = 0;
	size_t plen = strlen(prefix);

	for (const char *p = out; (p = strstr(p, prefix)); p += plen) {
		const char *res = p + plen, *nl = strchr(res, '\n');
		size_t len = nl ? (size_t)(nl - res) : strlen(res);
		bool good = false;

		if (p != out && p[-1] != '\n')
			continue;
		for (int i = 0; ok[i]; i++)
			good |= strlen(ok[i]) == len && !memcmp(ok[i], res, len);
		ASSERT_MSG(good, "%s%.*s: not an outcome of any order", prefix, (int)len, res);
		n++;
	}
	return n;
}

/* The @n-th (from 1) line starting with @prefix has a result in @ok. */
static bool nth_result(const char *out, const char *prefix, int n, const char *const *ok)
{
	const char *p = out;
	size_t plen = strlen(prefix);

	for (int seen = 0; (p = strstr(p, prefix)); p += plen) {
		const char *res = p + plen;
		size_t len = strcspn(res, "\n");

		if ((p != out && p[-1] != '\n') || ++seen < n)
			continue;
		for (int i = 0; ok[i]; i++)
			if (strlen(ok[i]) == len && !memcmp(ok[i], res, len))
				return true;
		return false;
	}
	return false;
}

#define HEX_X	"5858585858585858"	/* "XXXXXXXX" */
#define HEX_T	"5454545454545454"	/* "TTTTTTTT" */
#define HEX_0	"0000000000000000"

/*
 * X (0x10000000, 64K) holds "XXXXXXXX" in its first pages: T reads them
 * while A churns Y (0x20000000: munmap, mmap, touch, mprotect, mremap to
 * 0x30000000 and back), drops X's pages 8-9 (madvise: T sees X or zeros),
 * and forks B each round (A's write of page 4 breaks COW: T sees the old
 * or the new round's value, B the old).  Every 4th round A touches 20 MiB
 * of a 16 MiB machine: reclaim swaps X's pages out under T.
 */
static char *stress_script(int rounds)
{
	struct outbuf o = { 0 };

	add(&o, "machine cpus=2 serial=off ram=16M swap=32M\nspawn A\n");
	add(&o, "A mmap 0x10000000 64K rw- private,anon,fixed\n");
	for (int pg = 0; pg < 16; pg++)
		add(&o, "A write 0x%x \"XXXXXXXX\"\n", 0x10000000 + pg * 4096);
	add(&o, "A write 0x10004000 \"r0r0r0r0\"\n");
	add(&o, "A thread T\nT on 1\nT read 0x10000000 8\n");
	for (int r = 1; r <= rounds; r++) {
		add(&o, "A fork B%d\n", r);
		add(&o, "A mmap 0x20000000 64K rw- private,anon,fixed\n");
		for (int i = 0; i < 3; i++)
			add(&o, "T read 0x%x 8\n", 0x10000000 + i * 4096);
		add(&o, "A write 0x10004000 \"r%dr%dr%dr%d\"\n", r % 10, r % 10, r % 10, r % 10);
		add(&o, "T read 0x10004000 8\nB%d read 0x10004000 8\n", r);
		add(&o, "A touch 0x20000000 64K write\nA mprotect 0x20000000 64K r--\n");
		add(&o, "T read 0x1000c000 8\nT write 0x1000f000 \"TTTTTTTT\"\n");
		add(&o, "A madvise 0x10008000 8K dontneed\nT read 0x10008000 8\n");
		add(&o, "A mprotect 0x20000000 64K rw-\n");
		add(&o, "A mremap 0x20000000 64K 64K maymove,fixed 0x30000000\n");
		add(&o, "T read 0x1000f000 8\nT read 0x10001000 8\n");
		add(&o, "A munmap 0x30000000 64K\n");
		if (r % 4 == 0)
			add(&o, "A mmap 0x40000000 20M rw- private,anon,fixed\n"
				"A touch 0x40000000 20M write\nT read 0x10002000 8\n"
				"A munmap 0x40000000 20M\n");
		add(&o, "B%d exit\n", r);
		if (r % 8 == 0)		/* a barrier: CPU 1's TLB read with no thread on it */
			add(&o, "show tlb 1\n");
		add(&o, "A write 0x10008000 \"XXXXXXXX\"\nA write 0x10009000 \"XXXXXXXX\"\n");
	}
	add(&o, "show interrupts\nexpect A alive\nexpect T alive\n");
	return o.text;
}

TEST(concurrent_script_stress_shootdowns)
{
	static const char *const x[] = { HEX_X, NULL };
	static const char *const x_or_0[] = { HEX_X, HEX_0, NULL };
	static const char *const t[] = { HEX_T, NULL };
	char *script = stress_script(24);
	struct outbuf out;
	char ok_t[3][40], ok_b[40];

	run_checked(script, &out);
	free(script);
	ASSERT(!strstr(out.text, "killed"));
	ASSERT_EQ(check_results(out.text, "T read 0x10000000 8 = ", x), 25);
	ASSERT_EQ(check_results(out.text, "T read 0x10001000 8 = ", x), 48);
	ASSERT_EQ(check_results(out.text, "T read 0x10002000 8 = ", x), 24 + 6);
	ASSERT_EQ(check_results(out.text, "T read 0x1000c000 8 = ", x), 24);
	ASSERT_EQ(check_results(out.text, "T read 0x1000f000 8 = ", t), 24);
	ASSERT_EQ(check_results(out.text, "T read 0x10008000 8 = ", x_or_0), 24);
	/* COW: T sees the last round's value or this round's, B the last round's */
	for (int r = 1; r <= 24; r++) {
		char prefix[64];
		const char *const ok[] = { ok_t[0], ok_t[1], NULL }, *const okb[] = { ok_b, NULL };

		for (int k = 0; k < 2; k++) {
			int v = (r - 1 + k) % 10;

			snprintf(ok_t[k], sizeof(ok_t[k]), "72%02x72%02x72%02x72%02x", '0' + v,
				 '0' + v, '0' + v, '0' + v);
		}
		snprintf(ok_b, sizeof(ok_b), "%s", ok_t[0]);
		snprintf(prefix, sizeof(prefix), "B%d read 0x10004000 8 = ", r);
		ASSERT_EQ(check_results(out.text, prefix, okb), 1);
		ASSERT(nth_result(out.text, "T read 0x10004000 8 = ", r, ok));
	}
	ASSERT(strstr(out.text, "TLB: "));
	ASSERT(strstr(out.text, "cpu 1: 64 entries"));
	free(out.text);
}

/* Output per process in script order, processes by their first command. */
TEST(concurrent_script_output_grouped)
{
	struct outbuf out;

	run_checked("machine cpus=2 serial=off\nspawn A\nspawn B\nB on 1\n"
		    "A mmap 0x10000000 8K rw- private,anon,fixed\n"
		    "B mmap 0x20000000 8K rw- private,anon,fixed\n"
		    "A write 0x10000000 \"aa\"\nB write 0x20000000 \"bb\"\n"
		    "A read 0x10000000 2\nB read 0x20000000 2\n"
		    "expect = 6262\n", &out);
	ASSERT_STREQ(out.text,
		      "spawn A = 1\nspawn B = 2\nB on 1 = 0\n"
		      "A mmap 0x10000000 8K rw- private,anon,fixed = 0x10000000\n"
		      "A write 0x10000000 \"aa\" = 0\nA read 0x10000000 2 = 6161\n"
		      "B mmap 0x20000000 8K rw- private,anon,fixed = 0x20000000\n"
		      "B write 0x20000000 \"bb\" = 0\nB read 0x20000000 2 = 6262\n");
	free(out.text);
}
