/*
 * execve from a thread group (kernel/exec.c, de_thread): the other threads
 * die (SIGKILL) and are waited for, the old image is freed once, a thread
 * that is not the leader takes the tgid (/proc/TGID shows the new image,
 * the old tid is gone), a thread running a call on another CPU is waited
 * for until its return, exec fails cleanly with -EAGAIN when the exec'ing
 * thread is killed while it waits, and a two-CPU stress of exec against a
 * thread faulting on the other CPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "swaptest.h"
#include "kern/sched.h"
#include "kern/mmu.h"
#include "vmsim/process.h"
#include "vmsim/file.h"
#include "vmsim/stats.h"

#define PG	4096UL

struct xenv {
	struct machine *m;
	char dir[64];
};

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/*
 * A static ELF64 executable at 0x400000: text (R+X, one page and a bit),
 * data (RW, one file page, two bss pages), written under the fresh root.
 */
static void xenv_up(struct xenv *e, const char *opts)
{
	unsigned char img[4 * PG];
	char p[128];
	int fd;

	memset(img, 0, sizeof(img));
	for (size_t o = 64 + 2 * 56; o < sizeof(img); o++)
		img[o] = (unsigned char)(splitmix64_mix(o) | 1);
	memcpy(img, "\177ELF", 4);
	img[4] = 2;
	img[5] = 1;
	img[6] = 1;
	put_le(img + 16, 2, 2);			/* ET_EXEC */
	put_le(img + 18, 62, 2);		/* EM_X86_64 */
	put_le(img + 20, 1, 4);
	put_le(img + 24, 0x400100, 8);
	put_le(img + 32, 64, 8);
	put_le(img + 52, 64, 2);
	put_le(img + 54, 56, 2);
	put_le(img + 56, 2, 2);
	for (int i = 0; i < 2; i++) {
		unsigned char *ph = img + 64 + 56 * i;

		put_le(ph, 1, 4);				/* PT_LOAD */
		put_le(ph + 4, i ? 6 : 5, 4);			/* RW / RX */
		put_le(ph + 8, i ? 2 * PG : 0, 8);
		put_le(ph + 16, i ? 0x600000 : 0x400000, 8);
		put_le(ph + 24, i ? 0x600000 : 0x400000, 8);
		put_le(ph + 32, i ? 0x200 : PG + 0x80, 8);
		put_le(ph + 40, i ? 3 * PG : PG + 0x80, 8);
		put_le(ph + 48, PG, 8);
	}
	strcpy(e->dir, "/tmp/vmsim-xthr-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(e->dir));
	snprintf(p, sizeof(p), "%s/img", e->dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(write(fd, img, sizeof(img)), (long)sizeof(img));
	close(fd);
	e->m = test_boot(opts);
	ASSERT_EQ(vmsim_fs_set_root(e->m, e->dir), 0);
}

static void xenv_down(struct xenv *e)
{
	char cmd[128];

	test_shutdown(e->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	ASSERT_EQ(system(cmd), 0);
}

static const char *const xargv[] = { "img", "x", NULL };

static struct vmsim_task_info xinfo(struct machine *m, int pid)
{
	struct vmsim_task_info i;

	memset(&i, 0, sizeof(i));
	ASSERT_EQ(vmsim_task_info(m, pid, &i), 0);
	return i;
}

static unsigned long xfree(struct machine *m)
{
	struct vmsim_mem_stats ms;

	vmsim_mem_stats(m, &ms);
	return ms.free_pages;
}

/* A process with @pages written anonymous pages at *@addr and @n - 1 more threads. */
static void make_group(struct machine *m, int n, unsigned long pages, int *tids,
		       unsigned long *addr)
{
	long a;

	tids[0] = vmsim_spawn(m);
	ASSERT_CMP(tids[0], >, 0);
	a = vmsim_mmap(m, tids[0], 0, pages * PG, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	pattern_write(m, tids[0], (unsigned long)a, pages, 5);
	for (int i = 1; i < n; i++) {
		tids[i] = vmsim_clone_thread(m, tids[0]);
		ASSERT_CMP(tids[i], >, 0);
	}
	*addr = (unsigned long)a;
}

/* @pid is the one-thread process of the new image. */
static void check_new_image(struct machine *m, int pid)
{
	struct vmsim_task_stats st;
	struct vmsim_task_info i = xinfo(m, pid);
	char *s, want[64];
	int pids[8];

	ASSERT(i.alive);
	ASSERT_EQ(i.tgid, pid);
	ASSERT_EQ(i.threads, 1);
	ASSERT_EQ(vmsim_task_list(m, pids, 8), 1);
	ASSERT_EQ(pids[0], pid);
	ASSERT_EQ(vmsim_task_stats(m, pid, &st), 0);
	ASSERT_EQ(st.pid, pid);
	ASSERT_EQ(st.mm_users, 1);
	ASSERT_EQ(st.nr_vmas, 4);		/* text, data, bss, stack */
	s = vmsim_proc_pid_read(m, pid, "status");
	ASSERT_NOT_NULL(s);
	ASSERT_CONTAINS(s, "Name:\timg\n");
	snprintf(want, sizeof(want), "Tgid:\t%d\n", pid);
	ASSERT_CONTAINS(s, want);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", pid);
	ASSERT_CONTAINS(s, want);
	ASSERT_CONTAINS(s, "Threads:\t1\n");
	free(s);
	s = vmsim_proc_pid_read(m, pid, "maps");
	ASSERT_NOT_NULL(s);
	ASSERT_CONTAINS(s, "00400000-00402000 r-xp 00000000");
	ASSERT_CONTAINS(s, "/img\n");
	ASSERT_CONTAINS(s, "[stack]");
	free(s);
	/* the text's bytes are the file's */
	{
		unsigned char b;

		ASSERT_EQ(vmsim_read(m, pid, 0x400000 + 0x300, &b, 1), 0);
		ASSERT_EQ(b, (unsigned char)(splitmix64_mix(0x300) | 1));
	}
}

/* A killed thread of the old image. */
static void check_killed(struct machine *m, int pid, int tgid)
{
	struct vmsim_task_info i = xinfo(m, pid);

	ASSERT(!i.alive);
	ASSERT_EQ(i.signo, SIGKILL);
	ASSERT_EQ(i.tgid, tgid);
	ASSERT_NULL(vmsim_proc_pid_read(m, pid, "status"));
}

/*
 * Exec from the leader with two other threads: they die, the old image
 * (64 written pages) goes once, and the free count is exactly that of a
 * one-thread process exec'd the same way.
 */
TEST(exec_thread_from_leader)
{
	struct xenv e;
	unsigned long a, free_single = 0, free_base;
	struct vmsim_task_stats single, st;
	int t[3], q;

	xenv_up(&e, "ram=32M");
	/* the same image, exec'd by a one-thread process: the reference count */
	free_base = xfree(e.m);
	for (int round = 0; round < 2; round++) {
		make_group(e.m, 3, 64, t, &a);
		ASSERT_EQ(vmsim_exit_group(e.m, t[0]), 0);
		q = vmsim_spawn(e.m);
		ASSERT_EQ(vmsim_execve(e.m, q, "/img", xargv, NULL), 0);
		free_single = xfree(e.m);
		ASSERT_EQ(vmsim_task_stats(e.m, q, &single), 0);
		ASSERT_EQ(vmsim_exit(e.m, q), 0);
	}
	free_base = xfree(e.m);

	make_group(e.m, 3, 64, t, &a);
	ASSERT_CMP(xfree(e.m), <, free_base - 64);
	ASSERT_EQ(vmsim_task_stats(e.m, t[1], &(struct vmsim_task_stats){ 0 }), 0);
	ASSERT_EQ(vmsim_execve(e.m, t[0], "/img", xargv, NULL), 0);
	/* the new image is what a one-thread process's exec makes, nothing of the old */
	ASSERT_EQ(vmsim_task_stats(e.m, t[0], &st), 0);
	ASSERT_EQ(st.rss_pages, single.rss_pages);
	ASSERT_EQ(st.rss_anon_pages, single.rss_anon_pages);
	ASSERT_EQ(st.pte_pages, single.pte_pages);
	ASSERT_EQ(st.vm_pages, single.vm_pages);
	/* the old image's 64 pages and its tables are free again, once */
	ASSERT_EQ(xfree(e.m), free_single);
	check_new_image(e.m, t[0]);
	check_killed(e.m, t[1], t[0]);
	check_killed(e.m, t[2], t[0]);
	/* the old image's address is gone from the new one: the read kills */
	{
		unsigned char b;

		ASSERT_EQ(vmsim_read(e.m, t[0], a, &b, 1), VMSIM_KILLED);
	}
	ASSERT_EQ(xinfo(e.m, t[0]).signo, SIGSEGV);
	ASSERT_EQ(xfree(e.m), free_base);
	ASSERT_EQ(vmsim_task_list(e.m, NULL, 0), 0);
	xenv_down(&e);
}

/*
 * Exec from a thread that is not the leader: it takes the tgid, /proc/TGID
 * is the new image, the old tid is gone; also with a leader that had
 * already exited (a zombie naming the group).
 */
TEST(exec_thread_from_non_leader)
{
	struct xenv e;
	unsigned long a;
	int t[3];

	xenv_up(&e, "ram=32M");
	for (int zombie = 0; zombie < 2; zombie++) {
		struct vmsim_task_info i;

		make_group(e.m, 3, 16, t, &a);
		if (zombie) {
			ASSERT_EQ(vmsim_exit(e.m, t[0]), 0);
			ASSERT(!xinfo(e.m, t[0]).alive);
			ASSERT_EQ(xinfo(e.m, t[0]).threads, 3);
		}
		ASSERT_EQ(vmsim_execve(e.m, t[2], "/img", xargv, NULL), 0);
		check_new_image(e.m, t[0]);
		/* the old tid is gone */
		i = xinfo(e.m, t[2]);
		ASSERT(!i.alive);
		ASSERT_EQ(i.threads, 0);
		ASSERT_NULL(vmsim_proc_pid_read(e.m, t[2], "maps"));
		ASSERT_EQ(vmsim_task_stats(e.m, t[2], &(struct vmsim_task_stats){ 0 }), -ESRCH);
		ASSERT_EQ(vmsim_read(e.m, t[2], 0x400000, &i, 1), -ESRCH);
		check_killed(e.m, t[1], t[0]);
		/* the new leader can have threads again, and they die with it */
		t[1] = vmsim_clone_thread(e.m, t[0]);
		ASSERT_CMP(t[1], >, t[2]);
		ASSERT_EQ(xinfo(e.m, t[1]).tgid, t[0]);
		ASSERT_EQ(xinfo(e.m, t[0]).threads, 2);
		ASSERT_EQ(vmsim_exit_group(e.m, t[1]), 0);
		ASSERT(!xinfo(e.m, t[0]).alive);
		ASSERT_EQ(vmsim_task_list(e.m, NULL, 0), 0);
	}
	xenv_down(&e);
}

/* --- a thread running a call on CPU 1 --------------------------------------- */

struct cpu1_call {
	struct machine *m;
	int tid;
	unsigned long addr;
	pthread_barrier_t *bar;
	bool kill_execer;		/* SIGKILL the group once exec waits (the -EAGAIN case) */
	int begin, check, saw_kill;
};

static bool exec_waiting(struct machine *m, struct task_struct *t)
{
	bool w;

	spin_lock(&m->tasks->tasklist_lock);
	w = t->group_leader->group_exec;
	spin_unlock(&m->tasks->tasklist_lock);
	return w;
}

/*
 * Enter @tid on CPU 1 and stay in the call until exec (on CPU 0) has
 * killed it: the old mm is intact meanwhile; then return, and die there.
 */
static void *cpu1_call(void *arg)
{
	struct cpu1_call *o = arg;
	struct task_call c;
	uint8_t buf[64], want[PAGE_SIZE];

	vmsim_cpu_attach(o->m, 1);
	o->begin = task_call_begin(o->m, o->tid, &c);
	pthread_barrier_wait(o->bar);		/* we run: CPU 0 may exec */
	if (!o->begin) {
		while (!task_sigkill_pending(c.t) || !exec_waiting(o->m, c.t))
			sched_yield();
		o->saw_kill = 1;
		pattern_fill(want, 5, 3, 1);
		o->check = mmu_user_read(o->addr + 3 * PAGE_SIZE, buf, sizeof(buf)) ||
			   memcmp(buf, want, sizeof(buf));
		if (o->kill_execer) {
			/* the OOM killer's group SIGKILL reaches the exec'ing thread too */
			spin_lock(&o->m->tasks->tasklist_lock);
			group_send_sigkill_locked(c.t);
			spin_unlock(&o->m->tasks->tasklist_lock);
		}
		task_call_end(&c);		/* the return: it dies, exec goes on */
	}
	vmsim_cpu_detach();
	return NULL;
}

TEST(exec_thread_waits_for_a_thread_on_another_cpu)
{
	struct xenv e;
	pthread_barrier_t bar;
	pthread_t th;
	unsigned long a;
	int t[3];
	struct cpu1_call o;

	xenv_up(&e, "ram=32M cpus=2");
	make_group(e.m, 3, 8, t, &a);
	pthread_barrier_init(&bar, NULL, 2);
	o = (struct cpu1_call){ .m = e.m, .tid = t[1], .addr = a, .bar = &bar };
	ASSERT_EQ(pthread_create(&th, NULL, cpu1_call, &o), 0);
	pthread_barrier_wait(&bar);
	ASSERT_EQ(o.begin, 0);
	ASSERT_EQ(vmsim_execve(e.m, t[2], "/img", xargv, NULL), 0);
	/* exec returned only once the thread on CPU 1 returned and died */
	ASSERT_EQ(o.saw_kill, 1);
	ASSERT_EQ(o.check, 0);
	pthread_join(th, NULL);
	check_new_image(e.m, t[0]);
	check_killed(e.m, t[1], t[0]);
	ASSERT(!xinfo(e.m, t[2]).alive);
	ASSERT_EQ(vmsim_exit(e.m, t[0]), 0);
	pthread_barrier_destroy(&bar);
	xenv_down(&e);
}

/*
 * The exec'ing thread killed while it waits: exec fails with -EAGAIN (as
 * Linux's de_thread), the new image is dropped, the thread dies at its
 * return, and nothing of either image is left.
 */
TEST(exec_thread_killed_while_waiting_fails_eagain)
{
	struct xenv e;
	pthread_barrier_t bar;
	pthread_t th;
	unsigned long a, free_base;
	int t[3], pids[4];
	struct cpu1_call o;

	xenv_up(&e, "ram=32M cpus=2");
	/* the binary in the page cache, the slab caches grown: then the base */
	make_group(e.m, 3, 8, t, &a);
	ASSERT_EQ(vmsim_execve(e.m, t[0], "/img", xargv, NULL), 0);
	ASSERT_EQ(vmsim_exit(e.m, t[0]), 0);
	free_base = xfree(e.m);
	make_group(e.m, 3, 8, t, &a);
	pthread_barrier_init(&bar, NULL, 2);
	o = (struct cpu1_call){ .m = e.m, .tid = t[1], .addr = a, .bar = &bar,
				.kill_execer = true };
	ASSERT_EQ(pthread_create(&th, NULL, cpu1_call, &o), 0);
	pthread_barrier_wait(&bar);
	ASSERT_EQ(vmsim_execve(e.m, t[0], "/img", xargv, NULL), -EAGAIN);
	pthread_join(th, NULL);
	ASSERT_EQ(o.check, 0);
	for (int k = 0; k < 3; k++) {
		struct vmsim_task_info i = xinfo(e.m, t[k]);

		ASSERT(!i.alive);
		ASSERT_EQ(i.signo, SIGKILL);
		ASSERT_EQ(i.tgid, t[0]);
	}
	ASSERT_EQ(vmsim_task_list(e.m, pids, 4), 0);
	/* both images are gone */
	ASSERT_EQ(xfree(e.m), free_base);
	pthread_barrier_destroy(&bar);
	xenv_down(&e);
}

/* Another group action in progress: a second exec gets -EAGAIN at once. */
TEST(exec_thread_group_exiting_gives_eagain)
{
	struct xenv e;
	unsigned long a;
	int t[2];
	struct task_struct *leader;

	xenv_up(&e, "ram=32M");
	make_group(e.m, 2, 4, t, &a);
	vmsim_cpu_attach(e.m, 0);
	leader = find_get_task(e.m, t[0]);
	ASSERT_NOT_NULL(leader);
	spin_lock(&e.m->tasks->tasklist_lock);
	leader->group_exec = true;	/* as if the leader were exec'ing */
	spin_unlock(&e.m->tasks->tasklist_lock);
	ASSERT_EQ(vmsim_execve(e.m, t[1], "/img", xargv, NULL), -EAGAIN);
	ASSERT(xinfo(e.m, t[1]).alive);
	spin_lock(&e.m->tasks->tasklist_lock);
	leader->group_exec = false;
	spin_unlock(&e.m->tasks->tasklist_lock);
	put_task_struct(leader);
	ASSERT_EQ(vmsim_execve(e.m, t[1], "/img", xargv, NULL), 0);
	check_new_image(e.m, t[0]);
	ASSERT_EQ(vmsim_exit(e.m, t[0]), 0);
	xenv_down(&e);
}

/* --- stress: exec on CPU 0 while a thread faults on CPU 1 -------------------- */

#define XSTRESS_ROUNDS	24
#define XSTRESS_PAGES	128

struct xstress {
	struct machine *m;
	pthread_barrier_t *bar;
	int tid;
	unsigned long addr;
	int bad, killed;
};

static void *xstress_worker(void *arg)
{
	struct xstress *s = arg;

	vmsim_cpu_attach(s->m, 1);
	for (int round = 0; round < XSTRESS_ROUNDS; round++) {
		pthread_barrier_wait(s->bar);
		for (unsigned long i = 0;; i++) {
			unsigned long pg = (i * 7) % XSTRESS_PAGES;
			int r = vmsim_store64(s->m, s->tid, s->addr + pg * PAGE_SIZE + 8,
					      ((uint64_t)round << 32) | i);

			if (r == VMSIM_KILLED || r == -ESRCH) {
				s->killed++;
				break;
			}
			if (r)
				s->bad++;
		}
		pthread_barrier_wait(s->bar);
	}
	vmsim_cpu_detach();
	return NULL;
}

TEST(exec_thread_stress_exec_while_thread_runs_two_cpus)
{
	struct xenv e;
	pthread_barrier_t bar;
	pthread_t th;
	struct xstress s;

	xenv_up(&e, "ram=64M cpus=2");
	pthread_barrier_init(&bar, NULL, 2);
	s = (struct xstress){ .m = e.m, .bar = &bar };
	vmsim_cpu_detach();
	ASSERT_EQ(pthread_create(&th, NULL, xstress_worker, &s), 0);
	for (int round = 0; round < XSTRESS_ROUNDS; round++) {
		int t[3], execer;
		unsigned long a;

		vmsim_cpu_attach(e.m, 0);
		make_group(e.m, 3, XSTRESS_PAGES, t, &a);
		vmsim_cpu_detach();
		s.tid = t[1];
		s.addr = a;
		execer = round % 2 ? t[2] : t[0];
		pthread_barrier_wait(&bar);
		/* let the worker get going for a varying while */
		for (int k = 0; k < round % 5; k++)
			sched_yield();
		vmsim_cpu_attach(e.m, 0);
		ASSERT_EQ(vmsim_execve(e.m, execer, "/img", xargv, NULL), 0);
		vmsim_cpu_detach();
		pthread_barrier_wait(&bar);
		vmsim_cpu_attach(e.m, 0);
		check_new_image(e.m, t[0]);
		check_killed(e.m, t[1], t[0]);
		ASSERT(!xinfo(e.m, t[2]).alive);
		ASSERT_EQ(vmsim_exit(e.m, t[0]), 0);
		ASSERT_EQ(vmsim_task_list(e.m, NULL, 0), 0);
		vmsim_cpu_detach();
	}
	pthread_join(th, NULL);
	ASSERT_EQ(s.bad, 0);
	ASSERT_EQ(s.killed, XSTRESS_ROUNDS);
	pthread_barrier_destroy(&bar);
	vmsim_cpu_attach(e.m, 0);
	xenv_down(&e);
}
