/*
 * Helpers shared by the unit tests: boot a machine from an option string
 * and shut it down checking exact accounting (every page and slab object
 * back, as xv6's usertests count free pages before and after).
 */
#ifndef TESTS_TESTLIB_H
#define TESTS_TESTLIB_H

#include "../harness.h"
#include "vmsim/vmsim.h"
#include "kern/mm.h"

/* Boot with options "ram=64M paging=i386 ..."; the thread is bound to CPU 0. */
struct machine *test_boot(const char *opts);
/* Drain, assert exact accounting and valid free areas, destroy. */
void test_shutdown(struct machine *m);
/* Destroy without checks (after a deliberate BUG). */
void test_discard(struct machine *m);

#endif
