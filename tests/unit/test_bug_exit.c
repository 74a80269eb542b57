/*
 * A broken invariant stops the run in every build (issue 10): a BUG
 * prints its message and aborts, in the release build (no CONFIG_DEBUG_VM)
 * as in the debug one, and the checks made when a machine goes away are
 * BUGs too: exact accounting once every process has exited (pages, slab
 * objects, swap slots), kmem_cache_destroy of a cache with live objects.
 * Each case runs in a child process with the default handler (abort);
 * the child must die of SIGABRT with the message on its standard error.
 * make test runs these in the test build; CI runs them in the release build
 * too (build/clang/test_runner bug_exit).
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include "testlib.h"
#include "kern/slab.h"
#include "vmsim/process.h"

/* Run @fn in a child; its wait status, its standard error in @err. */
static int in_child(void (*fn)(void), char *err, size_t errlen)
{
	int fds[2], status;
	size_t n = 0;
	ssize_t got;
	pid_t pid;

	ASSERT_EQ(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		set_bug_handler(NULL);	/* as the tool: print and abort */
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (n + 1 < errlen && (got = read(fds[0], err + n, errlen - 1 - n)) > 0)
		n += (size_t)got;
	err[n] = '\0';
	close(fds[0]);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	return status;
}

static void expect_abort(void (*fn)(void), const char *text)
{
	char err[4096];
	int status = in_child(fn, err, sizeof(err));

	ASSERT_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
		   "child status %#x, wanted SIGABRT; stderr: %s", status, err);
	ASSERT_CONTAINS(err, "BUG: ");
	ASSERT_CONTAINS(err, text);
}

static void leak_page(void)
{
	struct machine *m = test_boot("ram=16M");
	int pid = vmsim_spawn(m);

	ASSERT(pid > 0);
	ASSERT_NOT_NULL(alloc_page(GFP_KERNEL));	/* nobody frees it */
	vmsim_machine_destroy(m);			/* the spawned process exits first */
}

static void leak_slab_object(void)
{
	struct machine *m = test_boot("ram=16M");

	ASSERT_NOT_NULL(kmalloc(100, GFP_KERNEL));
	vmsim_machine_destroy(m);
}

static void destroy_busy_cache(void)
{
	struct machine *m = test_boot("ram=16M");
	kmem_cache_t *c = kmem_cache_create("t_busy", 64, 0, 0, NULL, NULL);

	ASSERT_NOT_NULL(c);
	ASSERT_NOT_NULL(kmem_cache_alloc(c, GFP_KERNEL));
	kmem_cache_destroy(c);
	_exit(0);		/* not reached: the destroy is a BUG */
	(void)m;
}

static void clean_exit(void)
{
	struct machine *m = test_boot("ram=16M swap=1M");
	int pid = vmsim_spawn(m);

	ASSERT(pid > 0);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x10000000, 1 << 20, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			     VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED, -1, 0),
		  0x10000000);
	vmsim_machine_destroy(m);	/* a live process: it exits, nothing leaks */
}

TEST(bug_exit_leaked_page_aborts)
{
	expect_abort(leak_page, "machine teardown: after every process exited, free pages");
}

TEST(bug_exit_leaked_slab_object_aborts)
{
	expect_abort(leak_slab_object, "machine teardown: after every process exited, "
		     "live slab objects");
}

TEST(bug_exit_busy_cache_destroy_aborts)
{
	expect_abort(destroy_busy_cache, "kmem_cache_destroy(): cache `t_busy': can't free all "
		     "objects (1 still allocated)");
}

TEST(bug_exit_clean_teardown_exits_0)
{
	char err[4096];
	int status = in_child(clean_exit, err, sizeof(err));

	ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x, stderr: %s",
		   status, err);
	ASSERT_EQ(err[0], '\0');
}
