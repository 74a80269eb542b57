/*
 * The test runner: holds the registry that TEST() fills, runs the tests
 * selected on the command line (all by default) in name order, catches
 * assertion failures with longjmp and ends with "N passed, N failed".
 */
#include <stdarg.h>
#include <pthread.h>
#include <stdlib.h>
#include "harness.h"
#include "lib/bug.h"

static struct test_case *tests;
static jmp_buf test_jmp;
static const char *current_test;
__thread jmp_buf *test_bug_jmp;
static char bug_msg[1024];

void test_register(struct test_case *tc)
{
	struct test_case **p = &tests;

	while (*p && strcmp((*p)->name, tc->name) < 0)
		p = &(*p)->next;
	tc->next = *p;
	*p = tc;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: %s: ", file, line, current_test);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	longjmp(test_jmp, 1);
}

void test_bug_handler(const char *msg)
{
	snprintf(bug_msg, sizeof(bug_msg), "%s", msg);
	if (test_bug_jmp)
		longjmp(*test_bug_jmp, 1);
	fprintf(stderr, "unexpected %s\n", msg);
	abort();
}

static bug_handler_t saved_handler;

bool test_bug_expect_begin(void)
{
	bug_msg[0] = 0;
	saved_handler = set_bug_handler(test_bug_handler);
	return true;
}

void test_bug_expect_end(void)
{
	set_bug_handler(saved_handler);
}

const char *test_last_bug(void)
{
	return bug_msg;
}

bool test_debug_build(void)
{
#ifdef CONFIG_DEBUG_VM
	return true;
#else
	return false;
#endif
}

/*
 * A BUG on the runner's thread fails the running test and the runner goes
 * on; on any other thread (a stress test's workers) it aborts as usual.
 */
static pthread_t runner_thread;

static void runner_bug_handler(const char *msg)
{
	if (!pthread_equal(pthread_self(), runner_thread))
		return;		/* __bug prints and aborts */
	fprintf(stderr, "%s: unexpected %s\n", current_test, msg);
	longjmp(test_jmp, 1);
}

static int sel_argc;
static char **sel_argv;

static bool selected(const char *name, int argc, char **argv)
{
	if (argc == 0)
		return true;
	for (int i = 0; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

static int passed, failed;
static bool list;

int main(int argc, char **argv)
{
	struct test_case *volatile tc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	runner_thread = pthread_self();
	if (argc > 1 && !strcmp(argv[1], "-l")) {
		list = true;
		argc--, argv++;
	}
	sel_argc = argc - 1;
	sel_argv = argv + 1;
	for (tc = tests; tc; tc = tc->next) {
		if (!selected(tc->name, sel_argc, sel_argv))
			continue;
		if (list) {
			printf("%s\t%s\n", tc->name, tc->file);
			continue;
		}
		current_test = tc->name;
		set_bug_handler(runner_bug_handler);
		if (setjmp(test_jmp) == 0) {
			tc->fn();
			printf("PASS %s\n", tc->name);
			passed++;
		} else {
			printf("FAIL %s\n", tc->name);
			failed++;
		}
	}
	if (!list)
		printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
