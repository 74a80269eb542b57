/*
 * expect (docs/script.md): checks of a process's memory (exactly what
 * `read` prints), of its fate (alive, killed by a signal with a code) and
 * of the last command's result.  A miss prints FILE:LINE: expect failed:
 * wanted ..., got ... and ends a script with status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "internal.h"

/* Before a failed expect's message: what ran is on standard output. */
static void expect_failed(struct vmsim_session *s, const char *wanted, const char *got)
{
	fflush(stdout);
	fprintf(stderr, "%s:%d: expect failed: wanted %s, got %s\n", s->file, s->line,
		wanted, got);
	if (!s->error[0]) {
		snprintf(s->error, sizeof(s->error), "expect failed: wanted %s, got %s", wanted, got);
		s->error_line = s->line;
	}
}

/* HEXBYTES of expect read: exactly what `read` prints for LEN bytes. */
static int parse_wanted_bytes(const struct word *w, struct vmsim_args_expect *a, char *err,
			      size_t errlen)
{
	const char *s = w->val;

	if (a->len > 64) {
		uint64_t h = 0;
		if (strncmp(s, "fnv1a64:", 8) || strlen(s) != 24)
			goto bad_hash;
		for (int i = 8; i < 24; i++) {
			int d = vmsim_hex_digit((unsigned char)s[i]);
			if (d < 0)
				goto bad_hash;
			h = h << 4 | (uint64_t)d;
		}
		a->is_hash = true;
		a->hash = h;
		return 0;
bad_hash:
		script_seterr(err, errlen, "expect read of more than 64 bytes wants fnv1a64: and "
		       "16 hex digits, got '%.40s'", s);
		return -1;
	}
	if (strlen(s) != 2 * a->len) {
		script_seterr(err, errlen, "expect read of %llu bytes wants %llu hex digits, got %zu",
		       (unsigned long long)a->len, (unsigned long long)(2 * a->len), strlen(s));
		return -1;
	}
	a->data = malloc(a->len);
	if (!a->data) {
		script_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (uint64_t i = 0; i < a->len; i++) {
		int h = vmsim_hex_digit((unsigned char)s[2 * i]), lo = vmsim_hex_digit((unsigned char)s[2 * i + 1]);
		if (h < 0 || lo < 0) {
			script_seterr(err, errlen, "bad hex byte '%.2s' in '%.40s'", s + 2 * i, s);
			return -1;
		}
		a->data[i] = (unsigned char)(h * 16 + lo);
	}
	a->data_len = a->len;
	return 0;
}

static int parse_signal(const char *s, int *sig)
{
	static const int sigs[] = { 7, 9, 11 };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(s, vmsim_signal_name(sigs[i]))) {
			*sig = sigs[i];
			return 0;
		}
	return -1;
}

int script_parse_expect(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage_,
			char *err, size_t errlen)
{
	static const char usage[] = "expect A read ADDR LEN = HEXBYTES | expect A alive | "
		"expect A killed SIGNAL [CODE] | expect = VALUE";
	struct vmsim_args_expect *a = &c->u.expect;
	int v = 1;

	if (l->n >= 2 && !strcmp(l->w[1].val, "LASTRESULT") && !l->w[1].quoted)
		v = 2;
	if (l->n > v && !l->w[v].quoted && !strcmp(l->w[v].val, "=")) {
		if (l->n != v + 2) {
			script_seterr(err, errlen, "expect = VALUE: expected one VALUE after =");
			return -1;
		}
		a->value = strdup(l->w[v + 1].val);
		if (!a->value) {
			script_seterr(err, errlen, "out of memory");
			return -1;
		}
		a->kind = VMSIM_EXPECT_RESULT;
		return 0;
	}
	if (l->n < 3) {
		script_seterr(err, errlen, "expect: expected %s", usage);
		return -1;
	}
	if (script_parse_name(&l->w[1], c->proc, err, errlen))
		return -1;
	const char *what = l->w[2].val;
	if (!strcmp(what, "alive")) {
		a->kind = VMSIM_EXPECT_ALIVE;
		return script_want_words(l, 3, 3, "expect A alive", err, errlen);
	}
	if (!strcmp(what, "killed")) {
		if (script_want_words(l, 4, 5, "expect A killed SIGNAL [CODE]", err, errlen))
			return -1;
		if (parse_signal(l->w[3].val, &a->signal)) {
			script_seterr(err, errlen, "expect killed: unknown signal '%.40s' "
			       "(SIGSEGV, SIGBUS or SIGKILL)", l->w[3].val);
			return -1;
		}
		if (l->n == 5) {
			static const int codes[] = { 1, 2, 3, 0x80 };	/* 0x80: SI_KERNEL */
			const char *cn = NULL;
			int code = 0;

			for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]) && !cn; i++) {
				code = codes[i];
				cn = vmsim_sicode_name(a->signal, code);
				if (cn && strcmp(cn, l->w[4].val))
					cn = NULL;
			}
			if (!cn) {
				script_seterr(err, errlen, "expect killed: '%.40s' is no code of %s",
				       l->w[4].val, l->w[3].val);
				return -1;
			}
			a->si_code = code;
		}
		a->kind = VMSIM_EXPECT_KILLED;
		return 0;
	}
	if (!strcmp(what, "read")) {
		if (l->n != 7 || l->w[5].quoted || strcmp(l->w[5].val, "=")) {
			script_seterr(err, errlen, "expect read: expected expect A read ADDR LEN = HEXBYTES");
			return -1;
		}
		if (script_parse_num(&l->w[3], &a->addr, "ADDR", err, errlen) ||
		    script_parse_num(&l->w[4], &a->len, "LEN", err, errlen))
			return -1;
		if (a->len == 0) {
			script_seterr(err, errlen, "expect read: LEN must be at least 1");
			return -1;
		}
		a->kind = VMSIM_EXPECT_READ;
		return parse_wanted_bytes(&l->w[6], a, err, errlen);
	}
	script_seterr(err, errlen, "expect: unknown form '%.40s' (%s)", what, usage);
	return -1;
}

void script_release_expect(struct vmsim_cmd *c)
{
	free(c->u.expect.data);
	free(c->u.expect.value);
}

/* expect = VALUE: same text, or the same number when the result was one. */
static bool result_matches(const struct vmsim_session *s, const char *want)
{
	uint64_t a, b;

	if (!strcmp(s->last_result, want))
		return true;
	if (!s->last_numeric)
		return false;
	return !vmsim_parse_number(s->last_result, &a) && !vmsim_parse_number(want, &b) &&
	       a == b;
}

enum vmsim_run_status script_run_expect(struct vmsim_session *s, const struct vmsim_cmd *c,
					struct vmsim_call *call)
{
	const struct vmsim_args_expect *a = &c->u.expect;
	struct vmsim_proc_name *p = NULL;
	char got[160], wanted[160];

	if (a->kind == VMSIM_EXPECT_RESULT) {
		if (!s->last_result) {
			vmsim_session_error(s, "expect: no command result before this line");
			return VMSIM_RUN_ERROR;
		}
		if (result_matches(s, a->value))
			return VMSIM_RUN_OK;
		expect_failed(s, a->value, s->last_result);
		return VMSIM_RUN_EXPECT_FAILED;
	}
	p = script_lookup(s, c->proc);
	if (!p)
		return VMSIM_RUN_ERROR;
	script_describe_state(s, p->pid, got, sizeof(got));
	if (a->kind == VMSIM_EXPECT_ALIVE) {
		if (!strcmp(got, "alive"))
			return VMSIM_RUN_OK;
		expect_failed(s, "alive", got);
		return VMSIM_RUN_EXPECT_FAILED;
	}
	if (a->kind == VMSIM_EXPECT_KILLED) {
		struct vmsim_task_info ti;
		const char *code = a->si_code ? vmsim_sicode_name(a->signal, a->si_code) : NULL;

		snprintf(wanted, sizeof(wanted), "killed by %s%s%s%s",
			 vmsim_signal_name(a->signal), code ? " (" : "", code ? code : "",
			 code ? ")" : "");
		if (p->pid > 0 && !vmsim_task_info(s->m, p->pid, &ti) && !ti.alive &&
		    ti.signo == a->signal && (!a->si_code || ti.code == a->si_code))
			return VMSIM_RUN_OK;
		expect_failed(s, wanted, got);
		return VMSIM_RUN_EXPECT_FAILED;
	}
	/* expect A read ADDR LEN = HEXBYTES */
	if (a->is_hash)
		snprintf(wanted, sizeof(wanted), "fnv1a64:%016llx",
			 (unsigned long long)a->hash);
	else
		for (size_t i = 0; i < a->data_len; i++)
			snprintf(wanted + 2 * i, 3, "%02x", a->data[i]);
	int ret = p->pid > 0 ? script_read_text(s, p->pid, a->addr, a->len, got, sizeof(got)) : -ESRCH;
	if (ret == VMSIM_KILLED) {
		int self = (int)(p - s->procs);
		script_print_killed(s, self);
		script_describe_state(s, p->pid, got, sizeof(got));
	} else if (ret) {
		script_fmt_errno(got, sizeof(got), ret);
	}
	if (!ret && !strcmp(got, wanted))
		return VMSIM_RUN_OK;
	expect_failed(s, wanted, got);
	return VMSIM_RUN_EXPECT_FAILED;
}
