/*
 * BUG reporting: format the message, keep it for tests, and hand it to the
 * thread's handler (abort by default).  See include/lib/bug.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "lib/bug.h"

static __thread bug_handler_t bug_handler;
static __thread char bug_message[1024];

bug_handler_t set_bug_handler(bug_handler_t h)
{
	bug_handler_t old = bug_handler;

	bug_handler = h;
	return old;
}

const char *last_bug_message(void)
{
	return bug_message;
}

void __bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(bug_message, sizeof(bug_message), "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(bug_message + n, sizeof(bug_message) - (size_t)n, fmt, ap);
	va_end(ap);
	if (bug_handler)
		bug_handler(bug_message);
	fprintf(stderr, "%s\n", bug_message);
	fflush(stderr);
	abort();
}
