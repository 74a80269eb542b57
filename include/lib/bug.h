/*
 * BUG() and VM_BUG_ON(): vmsim's own invariants.  A failed check prints
 * "BUG: <what>" naming the object (pfn, address, cache) and calls the
 * thread's bug handler: abort() by default, a longjmp in the tests that
 * provoke a BUG on purpose.  VM_BUG_ON is checked in debug builds
 * (CONFIG_DEBUG_VM, on in `make test`) and still compiled otherwise, so it
 * never rots.  User errors never come here: they get an errno or a signal.
 */
#ifndef LIB_BUG_H
#define LIB_BUG_H

#include "lib/compiler.h"

typedef void (*bug_handler_t)(const char *msg);

/* Install a handler for this thread; returns the previous one (NULL = abort). */
bug_handler_t set_bug_handler(bug_handler_t h);

/*
 * Report a BUG at @file:@line and never return (the name of arm Linux's
 * __bug; not vmsim_*, a prefix kept for the exported API).
 */
__attribute__((noreturn)) __cold __printf(3, 4)
void __bug(const char *file, int line, const char *fmt, ...);

/* The message of the last BUG on this thread (for tests). */
const char *last_bug_message(void);

#define BUG() __bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond) do { if (unlikely(cond)) \
	__bug(__FILE__, __LINE__, "%s", #cond); } while (0)
#define BUG_ON_MSG(cond, ...) do { if (unlikely(cond)) \
	__bug(__FILE__, __LINE__, __VA_ARGS__); } while (0)

#ifdef CONFIG_DEBUG_VM
#define DEBUG_VM 1
#else
#define DEBUG_VM 0
#endif

#define VM_BUG_ON(cond) do { if (DEBUG_VM && unlikely(cond)) \
	__bug(__FILE__, __LINE__, "%s", #cond); } while (0)
#define VM_BUG_ON_MSG(cond, ...) do { if (DEBUG_VM && unlikely(cond)) \
	__bug(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define VM_WARN_ON(cond) (DEBUG_VM && unlikely(cond))

#endif
