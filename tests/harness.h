/*
 * vmsim's test harness.  A test is `TEST(name) { ... }` in any file under
 * tests/unit/; it registers itself.  ASSERT_* stop the test at the first
 * failure, printing file:line and the expected and actual values; the
 * runner goes on with the next test and ends with "N passed, N failed".
 *
 *   build/asan/test_runner            run all
 *   build/asan/test_runner buddy slab run tests whose name contains a word
 *   build/asan/test_runner -l         list
 *
 * EXPECT_BUG(stmt, "text") runs stmt and requires it to hit a BUG whose
 * message contains text (needs a debug build; skipped otherwise).
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdbool.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	const char *file;
	struct test_case *next;
};

void test_register(struct test_case *tc);
__attribute__((noreturn, format(printf, 3, 4)))
void test_fail(const char *file, int line, const char *fmt, ...);

#define TEST(tname)							\
	static void test_##tname(void);					\
	static struct test_case tc_##tname = { #tname, test_##tname, __FILE__, NULL }; \
	__attribute__((constructor)) static void reg_##tname(void)	\
	{ test_register(&tc_##tname); }					\
	static void test_##tname(void)

#define ASSERT(cond) do { if (!(cond))					\
	test_fail(__FILE__, __LINE__, "assertion failed: %s", #cond); } while (0)

#define ASSERT_MSG(cond, ...) do { if (!(cond))				\
	test_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)

#define ASSERT_EQ(actual, expected) do {					\
	long long _a = (long long)(actual), _e = (long long)(expected);	\
	if (_a != _e) test_fail(__FILE__, __LINE__,				\
		"%s == %s: expected %lld (%#llx), got %lld (%#llx)",		\
		#actual, #expected, _e, (unsigned long long)_e, _a, (unsigned long long)_a); \
} while (0)

#define ASSERT_NE(actual, unexpected) do {				\
	long long _a = (long long)(actual), _e = (long long)(unexpected); \
	if (_a == _e) test_fail(__FILE__, __LINE__,				\
		"%s != %s: both are %lld (%#llx)", #actual, #unexpected,	\
		_a, (unsigned long long)_a); } while (0)

#define ASSERT_CMP(a, op, b) do {					\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (!(_a op _b)) test_fail(__FILE__, __LINE__,			\
		"%s %s %s: %lld vs %lld", #a, #op, #b, _a, _b); } while (0)

#define ASSERT_NULL(p) do { const void *_p = (p); if (_p)		\
	test_fail(__FILE__, __LINE__, "%s: expected NULL, got %p", #p, _p); } while (0)
#define ASSERT_NOT_NULL(p) do { if (!(p))				\
	test_fail(__FILE__, __LINE__, "%s: unexpected NULL", #p); } while (0)

#define ASSERT_STREQ(actual, expected) do {				\
	const char *_a = (actual), *_e = (expected);			\
	if (!_a || !_e || strcmp(_a, _e))					\
		test_fail(__FILE__, __LINE__, "%s:\n--- expected\n%s\n--- got\n%s", \
			  #actual, _e ? _e : "(null)", _a ? _a : "(null)"); } while (0)

#define ASSERT_CONTAINS(haystack, needle) do {				\
	const char *_h = (haystack), *_n = (needle);			\
	if (!_h || !strstr(_h, _n))					\
		test_fail(__FILE__, __LINE__, "%s: expected to contain \"%s\", got:\n%s", \
			  #haystack, _n, _h ? _h : "(null)"); } while (0)

#define ASSERT_MEMEQ(a, b, n) do {					\
	const unsigned char *_x = (const void *)(a), *_y = (const void *)(b); \
	size_t _n = (n);						\
	for (size_t _i = 0; _i < _n; _i++) if (_x[_i] != _y[_i])	\
		test_fail(__FILE__, __LINE__, "%s vs %s: byte %zu differs: %#x vs %#x", \
			  #a, #b, _i, _x[_i], _y[_i]); } while (0)

/* BUG capture */
extern __thread jmp_buf *test_bug_jmp;
void test_bug_handler(const char *msg);
bool test_debug_build(void);
const char *test_last_bug(void);
bool test_bug_expect_begin(void);
void test_bug_expect_end(void);

#define EXPECT_BUG(stmt, text) EXPECT_BUG_IF(test_debug_build(), stmt, text)
/* For a BUG_ON (checked in every build, not only with CONFIG_DEBUG_VM). */
#define EXPECT_BUG_ALWAYS(stmt, text) EXPECT_BUG_IF(true, stmt, text)
#define EXPECT_BUG_IF(cond, stmt, text) do {				\
	if (cond) {							\
		jmp_buf _jb; volatile bool _hit = false;		\
		test_bug_expect_begin();				\
		test_bug_jmp = &_jb;					\
		if (setjmp(_jb) == 0) { stmt; } else { _hit = true; }	\
		test_bug_jmp = NULL;					\
		test_bug_expect_end();					\
		if (!_hit) test_fail(__FILE__, __LINE__, "expected BUG \"%s\" from %s", text, #stmt); \
		ASSERT_CONTAINS(test_last_bug(), text);			\
	}								\
} while (0)

#endif
