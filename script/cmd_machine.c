/*
 * The commands of the machine (docs/script.md): machine (its configuration,
 * before anything boots it), spawn (a new named process), swapon and
 * swapoff.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "vmsim/swap.h"
#include "internal.h"

/* --- machine KEY=VALUE ... ----------------------------------------------- */

/* "; did you mean 'ram'?" for an unknown key (root= is the session's), else "". */
static const char *machine_key_suggest(const char *key, char *buf, size_t len)
{
	const char *near = strcmp(key, "root") ? vmsim_option_suggest(key) : NULL;

	if (!near)
		return "";
	snprintf(buf, len, "; did you mean '%s'?", near);
	return buf;
}

int script_parse_machine(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			 char *err, size_t errlen)
{
	struct vmsim_args_machine *a = &c->u.machine;
	struct vmsim_config scratch;
	char msg[160], near[64];

	vmsim_config_default(&scratch);
	a->keys = calloc((size_t)l->n, sizeof(char *));
	a->values = calloc((size_t)l->n, sizeof(char *));
	if (!a->keys || !a->values) {
		script_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 1; i < l->n; i++) {
		const char *eq = l->w[i].quoted ? NULL : strchr(l->w[i].val, '=');
		if (!eq || eq == l->w[i].val) {
			script_seterr(err, errlen, "machine: expected KEY=VALUE, got '%.40s'",
				      l->w[i].val);
			return -1;
		}
		char *key = strndup(l->w[i].val, (size_t)(eq - l->w[i].val));
		char *val = strdup(eq + 1);
		a->keys[a->nr_opts] = key;
		a->values[a->nr_opts] = val;
		a->nr_opts++;
		if (!key || !val) {
			script_seterr(err, errlen, "out of memory");
			return -1;
		}
		msg[0] = 0;
		if (!strcmp(key, "root")) {
			/* the session's: the host directory files resolve in */
			if (!val[0]) {
				script_seterr(err, errlen, "machine: root= wants a directory or tmp");
				return -1;
			}
			continue;
		}
		if (vmsim_config_set(&scratch, key, val, msg, sizeof(msg))) {
			script_seterr(err, errlen, "machine: %s%s", msg[0] ? msg : "bad option",
				      machine_key_suggest(key, near, sizeof(near)));
			return -1;
		}
	}
	return 0;
}

void script_release_machine(struct vmsim_cmd *c)
{
	struct vmsim_args_machine *a = &c->u.machine;

	for (int i = 0; i < a->nr_opts; i++) {
		free(a->keys[i]);
		free(a->values[i]);
	}
	free(a->keys);
	free(a->values);
}

/* Runs before the machine boots (its row's before_boot). */
enum vmsim_run_status script_run_machine(struct vmsim_session *s, const struct vmsim_cmd *c,
					 struct vmsim_call *call)
{
	const struct vmsim_args_machine *a = &c->u.machine;
	char err[200];

	if (s->m || s->ran_command) {
		vmsim_session_error(s, "machine: must come before every other command");
		return VMSIM_RUN_ERROR;
	}
	s->machine_line = s->line;
	for (int i = 0; i < a->nr_opts; i++) {
		if (!strcmp(a->keys[i], "root")) {
			if (script_set_root(s, a->values[i], true) != VMSIM_RUN_OK)
				return VMSIM_RUN_ERROR;
			continue;
		}
		if (vmsim_config_set(&s->cfg, a->keys[i], a->values[i], err, sizeof(err))) {
			vmsim_session_error(s, "machine: %s", err);
			return VMSIM_RUN_ERROR;
		}
	}
	return VMSIM_RUN_OK;
}

/* --- spawn A ------------------------------------------------------------- */

int script_parse_spawn(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	if (script_want_words(l, 2, 2, usage, err, errlen) ||
	    script_parse_name(&l->w[1], c->u.spawn.name, err, errlen))
		return -1;
	return 0;
}

enum vmsim_run_status script_run_spawn(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	char res[64];
	int pid;

	if (script_check_new_name(s, c->u.spawn.name) != VMSIM_RUN_OK)
		return VMSIM_RUN_ERROR;
	pid = vmsim_spawn(s->m);
	if (script_bind_name(s, c->u.spawn.name, pid > 0 ? pid : -1) != VMSIM_RUN_OK)
		return VMSIM_RUN_ERROR;
	if (pid < 0)
		script_fmt_errno(res, sizeof(res), pid);
	else
		snprintf(res, sizeof(res), "%d", pid);
	script_print_result(s, c, res, pid >= 0);
	return VMSIM_RUN_OK;
}

/* --- swapon SIZE [PRIO], swapoff AREA ------------------------------------ */

int script_parse_swapon(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			char *err, size_t errlen)
{
	struct vmsim_args_swapon *a = &c->u.swapon;
	uint64_t prio = 0;

	if (script_want_words(l, 2, 3, usage, err, errlen) ||
	    script_parse_num(&l->w[1], &a->size, "SIZE", err, errlen) ||
	    (l->n == 3 && script_parse_num(&l->w[2], &prio, "PRIO", err, errlen)))
		return -1;
	if (prio > 32767) {
		script_seterr(err, errlen, "swapon: PRIO must be 0..32767");
		return -1;
	}
	a->prio = l->n == 3 ? (int)prio : -1;
	return 0;
}

/* A number result of a command that is not a process's. */
static void print_num(struct vmsim_session *s, const struct vmsim_cmd *c, long ret)
{
	char res[64];

	if (ret < 0)
		script_fmt_errno(res, sizeof(res), ret);
	else
		snprintf(res, sizeof(res), "%ld", ret);
	script_print_result(s, c, res, ret >= 0);
}

enum vmsim_run_status script_run_swapon(struct vmsim_session *s, const struct vmsim_cmd *c,
					struct vmsim_call *call)
{
	print_num(s, c, vmsim_swapon(s->m, NULL, c->u.swapon.size, c->u.swapon.prio));
	return VMSIM_RUN_OK;
}

int script_parse_swapoff(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			 char *err, size_t errlen)
{
	if (script_want_words(l, 2, 2, usage, err, errlen) ||
	    script_parse_num(&l->w[1], &c->u.swapoff.area, "AREA", err, errlen))
		return -1;
	return 0;
}

/* --- sysctl vm.NAME=VALUE ---------------------------------------------------- */

int script_parse_sysctl(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			char *err, size_t errlen)
{
	struct vmsim_args_sysctl *a = &c->u.sysctl;
	const char *eq;
	struct word v;

	if (script_want_words(l, 2, 2, usage, err, errlen))
		return -1;
	eq = l->w[1].quoted ? NULL : strchr(l->w[1].val, '=');
	if (!eq || eq == l->w[1].val || (size_t)(eq - l->w[1].val) >= sizeof(a->name)) {
		script_seterr(err, errlen, "sysctl: expected vm.NAME=VALUE, got '%.40s'",
			      l->w[1].val);
		return -1;
	}
	snprintf(a->name, sizeof(a->name), "%.*s", (int)(eq - l->w[1].val), l->w[1].val);
	if (!strcmp(a->name, "vm.bdflush") || !strcmp(a->name, "bdflush")) {
		/* a vector: the kernel reads its nine numbers (commas between) */
		if (strlen(eq + 1) >= sizeof(a->text)) {
			script_seterr(err, errlen, "sysctl: value too long");
			return -1;
		}
		snprintf(a->text, sizeof(a->text), "%s", eq + 1);
		return 0;
	}
	v = l->w[1];
	v.val = (char *)eq + 1;
	v.val_len = strlen(v.val);
	return script_parse_num(&v, &a->value, "VALUE", err, errlen);
}

enum vmsim_run_status script_run_sysctl(struct vmsim_session *s, const struct vmsim_cmd *c,
					struct vmsim_call *call)
{
	const struct vmsim_args_sysctl *a = &c->u.sysctl;

	print_num(s, c, a->text[0] ? vmsim_sysctl_write_text(s->m, a->name, a->text) :
				     vmsim_sysctl_write(s->m, a->name, a->value));
	return VMSIM_RUN_OK;
}

enum vmsim_run_status script_run_swapoff(struct vmsim_session *s, const struct vmsim_cmd *c,
					 struct vmsim_call *call)
{
	uint64_t area = c->u.swapoff.area;

	print_num(s, c, area > 64 ? -EINVAL : vmsim_swapoff(s->m, (int)area));
	return VMSIM_RUN_OK;
}

/* --- sleep TIME ---------------------------------------------------------- */

int script_parse_sleep(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	const char *w;
	size_t n;
	uint64_t v, mult;
	char num[32];

	if (script_want_words(l, 2, 2, usage, err, errlen))
		return -1;
	w = l->w[1].val;
	n = strlen(w);
	/* a number and its unit: s (100 jiffies), ms (a tenth of a jiffy each), j */
	if (n > 2 && !strcmp(w + n - 2, "ms"))
		mult = 1, n -= 2;
	else if (n > 1 && w[n - 1] == 's')
		mult = 1000, n -= 1;
	else if (n > 1 && w[n - 1] == 'j')
		mult = 10, n -= 1;
	else
		n = 0;
	if (!n || n >= sizeof(num)) {
		script_seterr(err, errlen, "sleep: TIME is a number with s, ms or j (%s)", usage);
		return -1;
	}
	memcpy(num, w, n);
	num[n] = 0;
	if (vmsim_parse_number(num, &v) || v > 100000000ULL) {
		script_seterr(err, errlen, "sleep: bad TIME '%.40s' (at most 100000000)", w);
		return -1;
	}
	c->u.sleep.centisecs = v * mult / 10;	/* milliseconds to centiseconds */
	return 0;
}

enum vmsim_run_status script_run_sleep(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	char res[48];

	snprintf(res, sizeof(res), "jiffies %lu", vmsim_sleep(s->m, c->u.sleep.centisecs));
	script_print_result(s, c, res, true);
	return VMSIM_RUN_OK;
}
