/*
 * The fault-injection sweep, as SQLite's malloc-failure loops: every
 * workload script in tests/fault/ runs once with nothing failing (the
 * reference, which counts the page allocations, slab allocations and
 * pages of I/O it makes), then once for each N with the Nth of one kind
 * failing (machine options fail_page_alloc, fail_slab, fail_io).  Each run
 * is a child process (a BUG or a sanitizer report ends only that run) that
 * executes the script through the vmsim tool's own executor, exits every
 * process left and checks exact accounting (pages, slab objects, swap
 * slots); the parent compares its output with the reference, command by
 * command (fault_outcome_check below says what may differ).
 *
 * make test runs a bounded sample (at most SAMPLES values of N per script
 * and kind, a fixed stride with a per-script offset); `make fault-sweep`
 * (FAULT_SWEEP=full) runs every N.  FAULT_SCRIPT=word and FAULT_KIND=
 * page_alloc|slab|io narrow a run; FAULT_N=N runs one case; FAULT_SAMPLES=S
 * samples S values instead of SAMPLES; FAULT_JOBS=J runs J at a time (one
 * per CPU by default).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "testlib.h"
#include "kern/fault_inject.h"
#include "kern/swap.h"
#include "vmsim/process.h"
#include "vmsim/script.h"
/* trace_run (tools/vmsim/trace.c) comes with test_trace.c, which includes it */
#include "../../tools/vmsim/tool.h"

#define FAULT_DIR	"tests/fault"
#define SAMPLES		6	/* values of N per script and kind in make test */
#define RUN_TIMEOUT	120	/* seconds: a run that takes longer hangs */
#define MAX_REPORTS	40	/* failures printed in detail */
#define MAX_JOBS	64	/* FAULT_JOBS: runs at a time */

static const char *const kind_option[NR_FAULT_KINDS] = {
	[FAULT_PAGE_ALLOC] = "fail_page_alloc",
	[FAULT_SLAB] = "fail_slab",
	[FAULT_IO] = "fail_io",
};
static const char *const kind_name[NR_FAULT_KINDS] = {
	[FAULT_PAGE_ALLOC] = "page_alloc", [FAULT_SLAB] = "slab", [FAULT_IO] = "io",
};

/*
 * Known failures being fixed elsewhere, left out of the sweep until their
 * fix lands (remove the row then).  Empty when nothing is pending.
 */
static const struct exclusion {
	const char *script;	/* a substring of the file name */
	enum fault_kind kind;
	uint64_t lo, hi;	/* N in [lo, hi] */
	const char *why;
} exclusions[] = {
	{ NULL, 0, 0, 0, NULL },
};

/* --- one run, in a child -------------------------------------------------- */

/* What a run did: each command's status and output, the calls counted. */
struct run {
	int nr;
	int *st;		/* enum run_status per command; -1 not run */
	char **out;		/* output per command */
	uint64_t calls;		/* calls of the swept kind counted */
	bool exact;		/* accounting exact after every process exited */
	char why[256];		/* if not */
	int wstatus;		/* the child's wait status */
	char *err;		/* the child's stderr */
};

static void run_free(struct run *r)
{
	for (int i = 0; i < r->nr; i++)
		free(r->out[i]);
	free(r->out);
	free(r->st);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* Every process still alive exits; then swap slots, pages and slab objects
 * must all be back.  Returns true if so (@why says what is not). */
static bool end_check(struct machine *m, char *why, size_t n)
{
	struct sim_cpu *saved;
	struct swap_state *ss;
	int pids[256], nr;
	bool ok = true;

	while ((nr = vmsim_task_list(m, pids, 256)) > 0)
		for (int i = 0; i < nr && i < 256; i++)
			vmsim_exit_group(m, pids[i]);
	saved = cpu_enter(m);
	ss = m->swap;
	if (ss && ss->nr_swap_pages != ss->total_swap_pages) {
		snprintf(why, n, "swap slots in use %ld after every process exited",
			 ss->total_swap_pages - ss->nr_swap_pages);
		ok = false;
	}
	cpu_leave(saved);
	if (ok)
		ok = machine_accounting_is_exact(m, why, n);
	return ok;
}

static void put_bytes(FILE *f, const char *s, size_t len)
{
	fprintf(f, "%zu\n", len);
	fwrite(s, 1, len, f);
}

/* A growing text: the session's output. */
struct outbuf {
	char *buf;
	size_t len, cap;
};

static void child_out(struct vmsim_session *vs, const char *text)
{
	struct outbuf *o = vs->priv;
	size_t n = strlen(text);

	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *nb;

		while (cap < o->len + n + 1)
			cap *= 2;
		nb = realloc(o->buf, cap);
		if (!nb)
			abort();
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, text, n + 1);
	o->len += n;
}

/* `A trace FILE`, as the vmsim tool runs it */
static long child_trace(struct vmsim_session *vs, int pid, const char *path,
			enum vmsim_trace_format format, bool map_auto, bool *error)
{
	struct trace_summary sum;
	char err[512];

	*error = false;
	if (trace_run(vs->m, pid, path, format, map_auto, &sum, err, sizeof(err))) {
		vmsim_session_error(vs, "trace: %s", err);
		*error = true;
		return 0;
	}
	return sum.status ? sum.status : (long)sum.accesses;
}

static const struct vmsim_session_ops child_ops = {
	.out = child_out,
	.trace = child_trace,
};

/* The child: run the script with @kind's option set to @nth, write the run to @fd. */
static void child_run(const char *path, const struct vmsim_script *sc, enum fault_kind kind,
		      uint64_t nth, int fd)
{
	char nthbuf[32], why[256] = "";
	const char *keys[1] = { kind_option[kind] }, *values[1] = { nthbuf };
	struct outbuf o = { 0 };
	struct vmsim_session s;
	enum vmsim_run_status st = VMSIM_RUN_OK;
	FILE *f = fdopen(fd, "w");
	bool exact = false;
	uint64_t calls = 0;
	int i;

	if (!f)
		_exit(3);
	set_bug_handler(NULL);		/* a BUG aborts this run, not the harness */
	alarm(RUN_TIMEOUT);
	snprintf(nthbuf, sizeof(nthbuf), "%llu", (unsigned long long)nth);
	vmsim_session_init(&s, path, &child_ops, &o);
	s.nr_flag_opts = 1;
	s.flag_keys = keys;
	s.flag_values = values;
	fprintf(f, "%d\n", sc->nr_cmds);
	for (i = 0; i < sc->nr_cmds && st != VMSIM_RUN_ERROR; i++) {
		size_t before = o.len;

		st = vmsim_session_run_cmd(&s, &sc->cmds[i], sc->lines[i]);
		fprintf(f, "%d ", (int)st);
		put_bytes(f, o.buf ? o.buf + before : "", o.len - before);
	}
	for (; i < sc->nr_cmds; i++)
		fprintf(f, "-1 0\n");
	if (s.m) {
		calls = fault_inject_calls(s.m, kind);
		exact = end_check(s.m, why, sizeof(why));
	}
	vmsim_session_fini(&s);	/* the machine's teardown checks its caches too */
	free(o.buf);
	fprintf(f, "%llu %d\n", (unsigned long long)calls, exact);
	put_bytes(f, why, strlen(why));
	fclose(f);
	_exit(0);
}

/* Read a length-prefixed string. */
static char *get_bytes(char **p, char *end)
{
	char *q;
	size_t len = strtoul(*p, &q, 10), i;
	char *s;

	if (q >= end || *q != '\n' || len > (size_t)(end - q - 1))
		return NULL;
	q++;
	s = malloc(len + 1);
	if (!s)
		return NULL;
	for (i = 0; i < len; i++)
		s[i] = q[i];
	s[len] = 0;
	*p = q + len;
	return s;
}

static bool parse_run(char *buf, size_t len, struct run *r)
{
	char *p = buf, *end = buf + len, *q;

	r->nr = (int)strtol(p, &q, 10);
	if (q == p || r->nr < 0 || r->nr > 100000)
		return false;
	p = q;
	r->st = calloc((size_t)r->nr + 1, sizeof(int));
	r->out = calloc((size_t)r->nr + 1, sizeof(char *));
	if (!r->st || !r->out)
		return false;
	for (int i = 0; i < r->nr; i++) {
		r->st[i] = (int)strtol(p, &q, 10);
		if (q == p || q >= end)
			return false;
		p = q + 1;
		r->out[i] = get_bytes(&p, end);
		if (!r->out[i])
			return false;
	}
	r->calls = strtoull(p, &q, 10);
	if (q == p)
		return false;
	p = q;
	r->exact = strtol(p, &q, 10) == 1;
	if (q == p || q >= end)
		return false;
	p = q + 1;
	q = get_bytes(&p, end);
	if (!q)
		return false;
	snprintf(r->why, sizeof(r->why), "%s", q);
	free(q);
	return true;
}

static char *slurp_fd(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t got;

	while (buf && (got = read(fd, buf + n, cap - n - 1)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)got;
		if (cap - n < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

/* A run in a child: its report and its stderr go to temporary files. */
struct job {
	pid_t pid;
	uint64_t n;
	FILE *out, *err;
};

/* Start @path in a child with @kind's @nth call failing.  False if it could not. */
static bool start_job(const char *path, const struct vmsim_script *sc, enum fault_kind kind,
		      uint64_t nth, struct job *j)
{
	j->n = nth;
	j->out = tmpfile();
	j->err = tmpfile();
	j->pid = -1;
	if (!j->out || !j->err)
		return false;
	fflush(stdout);
	fflush(stderr);
	j->pid = fork();
	if (j->pid == 0) {
		dup2(fileno(j->err), 2);
		child_run(path, sc, kind, nth, dup(fileno(j->out)));
	}
	return j->pid > 0;
}

/*
 * The child of @j ended with @wstatus: read its report into @r.  False if
 * it did not finish normally or the report is unreadable (r->wstatus,
 * r->err tell why).
 */
static bool finish_job(struct job *j, int wstatus, struct run *r)
{
	size_t len = 0, elen = 0;
	char *buf = NULL;
	bool ok;

	memset(r, 0, sizeof(*r));
	r->wstatus = wstatus;
	if (j->out) {
		rewind(j->out);
		buf = slurp_fd(fileno(j->out), &len);
		fclose(j->out);
	}
	if (j->err) {
		rewind(j->err);
		r->err = slurp_fd(fileno(j->err), &elen);
		fclose(j->err);
	}
	j->out = j->err = NULL;
	ok = j->pid > 0 && buf && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 &&
	     parse_run(buf, len, r);
	free(buf);
	return ok;
}

/* Run @path in a child with @kind's Nth call failing, and wait for it. */
static bool spawn_run(const char *path, const struct vmsim_script *sc, enum fault_kind kind,
		      uint64_t nth, struct run *r)
{
	struct job j;
	int wstatus = 0;

	if (start_job(path, sc, kind, nth, &j))
		while (waitpid(j.pid, &wstatus, 0) < 0 && errno == EINTR)
			;
	return finish_job(&j, wstatus, r);
}

/* --- what may differ ---------------------------------------------------- */

/*
 * Per process name, what the failure did to it: dead (killed, or its fork
 * failed: its commands print -ESRCH), or tainted (a call of its own
 * failed, so its memory or files may lawfully differ from the reference
 * from then on).  Processes sharing an mm (clone, thread) share one group
 * and are tainted together; a fork child starts with its parent's taint.
 */
struct pstate {
	char name[VMSIM_NAME_MAX];
	bool dead, tainted;
	int group;
};

struct checker {
	struct pstate *p;
	int nr, cap, groups;
	bool swap_diverged;	/* swapon/swapoff results may differ from now on */
	bool last_diverged;	/* the last result line differed (for expect =) */
	char msg[1024];
};

static struct pstate *pst(struct checker *ck, const char *name)
{
	for (int i = 0; i < ck->nr; i++)
		if (!strcmp(ck->p[i].name, name))
			return &ck->p[i];
	if (ck->nr == ck->cap) {
		int cap = ck->cap ? 2 * ck->cap : 16;
		struct pstate *np = realloc(ck->p, (size_t)cap * sizeof(*np));

		if (!np)
			abort();
		ck->p = np;
		ck->cap = cap;
	}
	memset(&ck->p[ck->nr], 0, sizeof(ck->p[0]));
	snprintf(ck->p[ck->nr].name, VMSIM_NAME_MAX, "%s", name);
	ck->p[ck->nr].group = ++ck->groups;
	return &ck->p[ck->nr++];
}

static void taint(struct checker *ck, struct pstate *ps)
{
	for (int i = 0; i < ck->nr; i++)
		if (ck->p[i].group == ps->group)
			ck->p[i].tainted = true;
}

/* The n-th line (0-based) of @text into @buf; false past the last. */
static bool nth_line(const char *text, int n, char *buf, size_t len)
{
	const char *p = text, *nl;

	for (; n > 0; n--) {
		p = strchr(p, '\n');
		if (!p)
			return false;
		p++;
	}
	if (!*p)
		return false;
	nl = strchr(p, '\n');
	snprintf(buf, len, "%.*s", (int)(nl ? (size_t)(nl - p) : strlen(p)), p);
	return true;
}

/* "A: killed by SIGBUS ..." -> name A and the signal; false for other lines. */
static bool kill_line(const char *line, char *name, char *sig)
{
	const char *colon = strstr(line, ": killed by ");
	size_t n;

	if (!colon || strstr(line, " = "))
		return false;
	n = (size_t)(colon - line);
	if (n >= VMSIM_NAME_MAX)
		return false;
	memcpy(name, line, n);
	name[n] = 0;
	sscanf(colon + strlen(": killed by "), "%15s", sig);
	return true;
}

/* The result of "TEXT = RESULT". */
static const char *result_of(const char *line)
{
	const char *eq = strstr(line, " = ");

	return eq ? eq + 3 : NULL;
}

/* A failing call's errno that an injected failure may lawfully cause. */
static bool injected_errno(const char *res)
{
	static const char *const ok[] = { "-ENOMEM", "-EIO", "-EAGAIN", "-EFAULT", NULL };

	for (int i = 0; ok[i]; i++)
		if (!strcmp(res, ok[i]))
			return true;
	return false;
}

/* A count smaller than the reference's (a short pread, pwrite, touch). */
static bool short_count(const char *res, const char *ref)
{
	char *e1, *e2;
	unsigned long long a = strtoull(res, &e1, 10), b = strtoull(ref, &e2, 10);

	return *res && *ref && !*e1 && !*e2 && a < b;
}

/* Kill lines of the fault run not in the reference (and the reverse). */
static bool check_kills(struct checker *ck, const char *fout, const char *rout, int first)
{
	char line[256], name[VMSIM_NAME_MAX], sig[16];

	for (int k = first; nth_line(fout, k, line, sizeof(line)); k++) {
		if (!kill_line(line, name, sig))
			continue;
		struct pstate *ps = pst(ck, name);

		if (!strstr(rout, line) && strcmp(sig, "SIGKILL") && strcmp(sig, "SIGBUS") &&
		    !ps->tainted) {
			snprintf(ck->msg, sizeof(ck->msg), "unexpected kill: %s", line);
			return false;
		}
		ps->dead = true;
	}
	for (int k = 0; nth_line(rout, k, line, sizeof(line)); k++) {
		if (!kill_line(line, name, sig) || strstr(fout, line))
			continue;
		struct pstate *ps = pst(ck, name);

		if (!ps->dead && !ps->tainted) {
			snprintf(ck->msg, sizeof(ck->msg), "missing kill: %s", line);
			return false;
		}
	}
	return true;
}

static bool is_word(const struct vmsim_cmd *c, const char *word)
{
	return !strcmp(vmsim_cmd_word(c), word);
}

/* fork, clone, thread: the call makes process u.fork.name */
static bool makes_task(const struct vmsim_cmd *c)
{
	return is_word(c, "fork") || is_word(c, "clone") || is_word(c, "thread");
}

/* A process command's outcome: the same, or a lawful failure. */
static bool check_proc_cmd(struct checker *ck, const struct vmsim_cmd *c, const char *fout,
			   const char *rout)
{
	struct pstate *ps = pst(ck, c->proc);
	char fl[256], rl[256], name[VMSIM_NAME_MAX], sig[16];
	const char *fres, *rres;
	bool fresh = false;

	ck->last_diverged = false;
	if (!nth_line(fout, 0, fl, sizeof(fl)))
		fl[0] = 0;
	if (!nth_line(rout, 0, rl, sizeof(rl)))
		rl[0] = 0;
	if (strcmp(fl, rl)) {
		ck->last_diverged = true;
		fres = result_of(fl);
		rres = result_of(rl);
		if (kill_line(fl, name, sig)) {
			if (strcmp(name, c->proc) || (strcmp(sig, "SIGKILL") && strcmp(sig, "SIGBUS") &&
						       !ps->tainted)) {
				snprintf(ck->msg, sizeof(ck->msg), "killed instead of '%s': %s", rl, fl);
				return false;
			}
			ps->dead = true;
		} else if (!fres) {
			snprintf(ck->msg, sizeof(ck->msg), "no result line: '%s'", fl);
			return false;
		} else if (ps->dead && !strcmp(fres, "-ESRCH")) {
			/* gone already */
		} else if (makes_task(c) && rres && atoi(fres) > 0 && atoi(rres) > 0) {
			/* another pid: a failed fork or spawn used none */
		} else if (injected_errno(fres) || (rres && short_count(fres, rres)) ||
			   (is_word(c, "brk") && fres[0] == '0')) {
			/* a failing brk returns the break unchanged */
			fresh = true;
		} else if (!ps->tainted) {
			snprintf(ck->msg, sizeof(ck->msg), "wanted '%s', got '%s'", rl, fl);
			return false;
		}
	}
	if (fresh)
		taint(ck, ps);
	if (!check_kills(ck, fout, rout, 0))
		return false;
	if (makes_task(c)) {
		struct pstate *child = pst(ck, c->u.fork.name);
		const char *res = result_of(fl);

		child->dead = ps->dead || !res || res[0] == '-';
		child->tainted = ps->tainted;
		child->group = is_word(c, "fork") ? ++ck->groups : ps->group;
	}
	return true;
}

/*
 * fault_outcome_check - may the fault run's command @i (output @fout,
 * status @fst) differ from the reference's (@rout) as it does?  Allowed:
 * a call failing with -ENOMEM, -EIO, -EAGAIN or -EFAULT, or a short count;
 * a process killed by SIGKILL (out of memory) or SIGBUS (I/O error);
 * anything for a process a failure already tainted; -ESRCH for a dead
 * one.  An expect may fail only for a dead or tainted process: every
 * surviving process reads back what it wrote.
 */
static bool fault_outcome_check(struct checker *ck, const struct vmsim_cmd *c, int fst,
				const char *fout, const char *rout)
{
	char fl[256], rl[256];

	if (fst == VMSIM_RUN_ERROR || fst < 0) {
		snprintf(ck->msg, sizeof(ck->msg), "script error (%s)", fout);
		return false;
	}
	if (!c->def || is_word(c, "machine") || is_word(c, "show"))
		return true;	/* /proc texts differ with any failure */
	if (is_word(c, "expect") && c->u.expect.kind == VMSIM_EXPECT_RESULT) {
		if (fst != VMSIM_RUN_OK && !ck->last_diverged) {
			snprintf(ck->msg, sizeof(ck->msg), "expect = %s failed", c->u.expect.value);
			return false;
		}
		return true;
	}
	if (is_word(c, "expect")) {
		struct pstate *ps = pst(ck, c->proc);

		if (!check_kills(ck, fout, rout, 0))
			return false;
		if (fst != VMSIM_RUN_OK && !ps->dead && !ps->tainted) {
			snprintf(ck->msg, sizeof(ck->msg), "expect failed for %s, which no failure "
				 "touched: %s", c->proc, c->text);
			return false;
		}
		return true;
	}
	if (is_word(c, "swapon") || is_word(c, "swapoff") || is_word(c, "spawn")) {
		bool spawn = is_word(c, "spawn");

		nth_line(fout, 0, fl, sizeof(fl));
		nth_line(rout, 0, rl, sizeof(rl));
		ck->last_diverged = strcmp(fl, rl) != 0;
		if (ck->last_diverged) {
			const char *res = result_of(fl), *rres = result_of(rl);

			if (spawn && res && rres && atoi(res) > 0 && atoi(rres) > 0)
				return check_kills(ck, fout, rout, 1);	/* another pid */
			if (!res || !(injected_errno(res) || (!spawn && ck->swap_diverged))) {
				snprintf(ck->msg, sizeof(ck->msg), "wanted '%s', got '%s'", rl, fl);
				return false;
			}
			if (spawn)
				pst(ck, c->u.spawn.name)->dead = true;
			else
				ck->swap_diverged = true;
		}
		return check_kills(ck, fout, rout, 1);
	}
	return check_proc_cmd(ck, c, fout, rout);
}

/* --- the sweep ---------------------------------------------------------------- */

struct sweep {
	bool full;
	int runs, failures;
	char report[32768];	/* the first MAX_REPORTS failures */
	size_t len;
};

static bool excluded(const char *path, enum fault_kind kind, uint64_t n)
{
	for (size_t i = 0; i < sizeof(exclusions) / sizeof(exclusions[0]); i++) {
		const struct exclusion *e = &exclusions[i];

		if (e->script && strstr(path, e->script) && e->kind == kind && n >= e->lo &&
		    n <= e->hi)
			return true;
	}
	return false;
}

static void failure(struct sweep *sw, const char *path, enum fault_kind kind, uint64_t n,
		    const char *what, const struct run *r)
{
	sw->failures++;
	if (sw->failures > MAX_REPORTS)
		return;
	sw->len += (size_t)snprintf(sw->report + sw->len, sizeof(sw->report) - sw->len,
				    "  %s %s=%llu: %s\n", path, kind_option[kind],
				    (unsigned long long)n, what);
	if (r && r->err && r->err[0] && sw->len < sizeof(sw->report))
		sw->len += (size_t)snprintf(sw->report + sw->len, sizeof(sw->report) - sw->len,
					    "    stderr: %.600s\n", r->err);
	if (sw->len > sizeof(sw->report))
		sw->len = sizeof(sw->report);
}

static void describe_exit(const struct run *r, char *buf, size_t n)
{
	if (WIFSIGNALED(r->wstatus))
		snprintf(buf, n, "the run died of signal %d%s", WTERMSIG(r->wstatus),
			 WTERMSIG(r->wstatus) == SIGALRM ? " (timeout: a hang)" : "");
	else
		snprintf(buf, n, "the run exited with status %d", WEXITSTATUS(r->wstatus));
}

/* A finished run with the Nth call of @kind failing (@ok: it ended well), checked. */
static void check_run(struct sweep *sw, const char *path, const struct vmsim_script *sc,
		      enum fault_kind kind, uint64_t n, bool ok, struct run *r,
		      const struct run *ref)
{
	struct checker ck = { 0 };
	char what[1200];

	sw->runs++;
	if (!ok) {
		describe_exit(r, what, sizeof(what));
		failure(sw, path, kind, n, what, r);
		return;
	}
	for (int i = 0; i < sc->nr_cmds; i++) {
		if (!fault_outcome_check(&ck, &sc->cmds[i], r->st[i], r->out[i], ref->out[i])) {
			snprintf(what, sizeof(what), "line %d: %s", sc->lines[i], ck.msg);
			failure(sw, path, kind, n, what, r);
			goto out;
		}
	}
	if (!r->exact) {
		snprintf(what, sizeof(what), "accounting: %s", r->why);
		failure(sw, path, kind, n, what, r);
	}
out:
	free(ck.p);
}

/* Wait for one of the running jobs and check its run. */
static void reap_one(struct sweep *sw, const char *path, const struct vmsim_script *sc,
		     enum fault_kind kind, struct job *jobs, int nr, const struct run *ref)
{
	int wstatus;
	pid_t pid;

	while ((pid = waitpid(-1, &wstatus, 0)) < 0 && errno == EINTR)
		;
	for (int i = 0; i < nr; i++) {
		struct run r;
		bool ok;

		if (jobs[i].pid != pid || pid <= 0)
			continue;
		ok = finish_job(&jobs[i], wstatus, &r);
		check_run(sw, path, sc, kind, jobs[i].n, ok, &r, ref);
		run_free(&r);
		jobs[i].pid = 0;
		return;
	}
}

static uint64_t env_u64(const char *name)
{
	const char *v = getenv(name);

	return v ? strtoull(v, NULL, 0) : 0;
}

/*
 * Every N (full), or SAMPLES of them with a stride and an offset from the
 * name; FAULT_JOBS runs at a time (default: one per CPU).
 */
static void sweep_kind(struct sweep *sw, const char *path, const struct vmsim_script *sc,
		       enum fault_kind kind, uint64_t count, const struct run *ref)
{
	uint64_t stride = 1, off = 0, only = env_u64("FAULT_N"), n;
	uint64_t samples = env_u64("FAULT_SAMPLES") ? env_u64("FAULT_SAMPLES") : SAMPLES;
	int nr_jobs = (int)env_u64("FAULT_JOBS"), running = 0;
	struct job jobs[MAX_JOBS] = { 0 };

	if (!nr_jobs)
		nr_jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);	/* default: one per CPU */
	if (nr_jobs < 1 || nr_jobs > MAX_JOBS)
		nr_jobs = nr_jobs < 1 ? 1 : MAX_JOBS;
	if (only) {
		off = only - 1;
		count = only;
	} else if (!sw->full && count > samples) {
		stride = (count + samples - 1) / samples;
		off = vmsim_fnv1a64(VMSIM_FNV1A64_INIT, path, strlen(path)) % stride;
	}
	for (n = 1 + off; n <= count || running; ) {
		int slot = 0;

		if (n > count || running == nr_jobs) {
			reap_one(sw, path, sc, kind, jobs, nr_jobs, ref);
			running--;
			continue;
		}
		if (excluded(path, kind, n)) {
			n += stride;
			continue;
		}
		while (jobs[slot].pid > 0)
			slot++;
		if (!start_job(path, sc, kind, n, &jobs[slot])) {
			struct run r;

			finish_job(&jobs[slot], 0, &r);
			check_run(sw, path, sc, kind, n, false, &r, ref);
			run_free(&r);
			jobs[slot].pid = 0;
		} else {
			running++;
		}
		n += stride;
	}
}

static void sweep_script(struct sweep *sw, const char *path)
{
	const char *want_kind = getenv("FAULT_KIND");
	struct vmsim_script sc;
	char err[256];
	int errline;
	size_t len;
	FILE *f = fopen(path, "r");
	char *text;

	ASSERT_MSG(f, "%s: %s", path, strerror(errno));
	text = slurp_fd(fileno(f), &len);
	fclose(f);
	ASSERT_NOT_NULL(text);
	ASSERT_MSG(!vmsim_script_parse(text, len, &sc, err, sizeof(err), &errline),
		   "%s:%d: %s", path, errline, err);
	free(text);
	for (int k = 0; k < NR_FAULT_KINDS; k++) {
		struct run ref;

		if (want_kind && strcmp(want_kind, kind_name[k]))
			continue;
		/* the reference: the option set beyond reach, so calls are counted */
		if (!spawn_run(path, &sc, k, UINT64_MAX, &ref)) {
			describe_exit(&ref, err, sizeof(err));
			ASSERT_MSG(0, "%s: the reference run failed: %s\n%s", path, err,
				   ref.err ? ref.err : "");
		}
		for (int i = 0; i < sc.nr_cmds; i++)
			ASSERT_MSG(ref.st[i] == VMSIM_RUN_OK, "%s:%d: fails without fault injection:\n%s",
				   path, sc.lines[i], ref.err ? ref.err : "");
		ASSERT_MSG(ref.exact, "%s: accounting without fault injection: %s", path, ref.why);
		printf("  %s: %llu %s calls%s\n", path, (unsigned long long)ref.calls,
		       kind_name[k], sw->full || ref.calls <= SAMPLES ? "" : " (sampled)");
		sweep_kind(sw, path, &sc, k, ref.calls, &ref);
		run_free(&ref);
	}
	vmsim_script_free(&sc);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(fault_sweep)
{
	static struct sweep sw;
	const char *mode = getenv("FAULT_SWEEP");
	const char *only = getenv("FAULT_SCRIPT");
	DIR *d = opendir(FAULT_DIR);
	struct dirent *de;
	char *names[256];
	int nr = 0;

	memset(&sw, 0, sizeof(sw));
	sw.full = mode && !strcmp(mode, "full");
	ASSERT_MSG(d, "%s: %s (run from the top of the tree)", FAULT_DIR, strerror(errno));
	while ((de = readdir(d)) && nr < 256) {
		size_t n = strlen(de->d_name);

		if (n > 4 && !strcmp(de->d_name + n - 4, ".vms") &&
		    (!only || strstr(de->d_name, only)))
			names[nr++] = strdup(de->d_name);
	}
	closedir(d);
	ASSERT_MSG(nr > 0, "no scripts in %s", FAULT_DIR);
	qsort(names, (size_t)nr, sizeof(names[0]), name_cmp);
	for (int i = 0; i < nr; i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", FAULT_DIR, names[i]);
		sweep_script(&sw, path);
		free(names[i]);
	}
	printf("  fault sweep: %d runs, %d failures\n", sw.runs, sw.failures);
	ASSERT_MSG(!sw.failures, "%d of %d fault-injection runs failed%s:\n%s", sw.failures,
		   sw.runs, sw.failures > MAX_REPORTS ? " (the first listed)" : "", sw.report);
}

static struct vmsim_cmd parsed(const char *line)
{
	struct vmsim_cmd c;
	char err[160];

	ASSERT_MSG(!vmsim_cmd_parse(line, &c, err, sizeof(err)), "%s: %s", line, err);
	return c;
}

/* The checker's rules on hand-made outputs: what passes and what does not. */
TEST(fault_sweep_rules)
{
	struct vmsim_cmd mmap = parsed("A mmap 0x1000 4K rw- private,anon,fixed");
	struct vmsim_cmd fork = parsed("A fork B");
	struct vmsim_cmd exp = parsed("expect B read 0x1000 1 = 00");
	struct vmsim_cmd expa = parsed("expect A read 0x1000 1 = 00");
	struct checker ck = { 0 };
	const int OK = VMSIM_RUN_OK, FAILED = VMSIM_RUN_EXPECT_FAILED;

	/* identical: fine */
	ASSERT(fault_outcome_check(&ck, &mmap, OK, "A mmap = 0x1000\n", "A mmap = 0x1000\n"));
	/* another address or errno than an injected failure gives: not fine */
	ASSERT(!fault_outcome_check(&ck, &mmap, OK, "A mmap = 0x2000\n", "A mmap = 0x1000\n"));
	ASSERT(!fault_outcome_check(&ck, &mmap, OK, "A mmap = -EINVAL\n", "A mmap = 0x1000\n"));
	/* an unexpected SIGSEGV of an untainted process: not fine */
	ASSERT(!fault_outcome_check(&ck, &mmap, OK, "A: killed by SIGSEGV (SEGV_MAPERR) at "
				    "0x1000\n", "A mmap = 0x1000\n"));
	/* the fork fails with ENOMEM: B is gone, its expects may fail */
	ASSERT(fault_outcome_check(&ck, &fork, OK, "A fork B = -ENOMEM\n", "A fork B = 2\n"));
	ASSERT(fault_outcome_check(&ck, &exp, FAILED, "", ""));
	free(ck.p);
	memset(&ck, 0, sizeof(ck));
	/* a process no failure touched must read back what it wrote */
	ASSERT(fault_outcome_check(&ck, &fork, OK, "A fork B = 2\n", "A fork B = 2\n"));
	ASSERT(!fault_outcome_check(&ck, &expa, FAILED, "", ""));
	/* an OOM kill of B, printed after A's line, then B's expect fails: fine */
	ASSERT(fault_outcome_check(&ck, &mmap, OK, "A mmap = 0x1000\nB: killed by SIGKILL\n",
				   "A mmap = 0x1000\n"));
	ASSERT(fault_outcome_check(&ck, &exp, FAILED, "", ""));
	ASSERT(!fault_outcome_check(&ck, &expa, FAILED, "", ""));
	/* a script error never */
	ASSERT(!fault_outcome_check(&ck, &mmap, VMSIM_RUN_ERROR, "", "A mmap = 0x1000\n"));
	free(ck.p);
	vmsim_cmd_free(&mmap);
	vmsim_cmd_free(&fork);
	vmsim_cmd_free(&exp);
	vmsim_cmd_free(&expa);
}
