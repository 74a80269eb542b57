/*
 * NUMA memory policies from scripts (docs/script.md): A set_mempolicy,
 * A mbind and A get_mempolicy over the calls of the same names
 * (vmsim_set_mempolicy ...), with modes and node lists written as
 * numactl writes them (bind 0,2-3) and Linux's errno as results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "internal.h"

#define NODE_BITS	64	/* a script's node list: nodes 0..63 (one long) */

static const char *const mode_names[] = {
	[VMSIM_MPOL_DEFAULT] = "default", [VMSIM_MPOL_PREFERRED] = "preferred",
	[VMSIM_MPOL_BIND] = "bind", [VMSIM_MPOL_INTERLEAVE] = "interleave",
	[VMSIM_MPOL_LOCAL] = "local",
};

/* MODE: a name with +static or +relative, or a number (any: the call judges it). */
static int parse_mode(const struct word *w, int *mode, char *err, size_t errlen)
{
	char name[32];
	const char *plus = strchr(w->val, '+');
	size_t n = plus ? (size_t)(plus - w->val) : strlen(w->val);
	uint64_t v;

	if (!w->quoted && w->val[0] >= '0' && w->val[0] <= '9') {
		if (script_parse_num(w, &v, "MODE", err, errlen))
			return -1;
		*mode = (int)v;
		return 0;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : 0), w->val);
	*mode = -1;
	for (int i = 0; i < (int)(sizeof(mode_names) / sizeof(mode_names[0])); i++)
		if (!strcmp(name, mode_names[i]))
			*mode = i;
	if (*mode >= 0 && plus && !strcmp(plus, "+static"))
		*mode |= VMSIM_MPOL_F_STATIC_NODES;
	else if (*mode >= 0 && plus && !strcmp(plus, "+relative"))
		*mode |= VMSIM_MPOL_F_RELATIVE_NODES;
	else if (plus)
		*mode = -1;
	if (*mode < 0) {
		script_seterr(err, errlen, "unknown memory policy '%.40s' (default, preferred, bind, "
			      "interleave, local, with +static or +relative, or a number)", w->val);
		return -1;
	}
	return 0;
}

/* NODES: N or N-M, comma separated (0,2-3), nodes below 64. */
static int parse_nodes(const struct word *w, unsigned long *nodes, char *err, size_t errlen)
{
	const char *p = w->val;

	*nodes = 0;
	while (!w->quoted) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p || a >= NODE_BITS)
			break;
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p || b >= NODE_BITS || b < a)
				break;
		}
		for (unsigned long i = a; i <= b; i++)
			*nodes |= 1UL << i;
		if (!*end)
			return 0;
		if (*end != ',')
			break;
		p = end + 1;
	}
	script_seterr(err, errlen, "bad node list '%.40s' (N or N-M, comma separated, below %d)",
		      w->val, NODE_BITS);
	return -1;
}

static bool is_nodes(const struct word *w)
{
	return !w->quoted && w->val[0] >= '0' && w->val[0] <= '9';
}

/* Nodes as Linux's %*pbl prints them: 0-1,3. */
static void fmt_nodes(char *buf, size_t n, unsigned long nodes)
{
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0; i < NODE_BITS && len < n; i++) {
		int j = i;

		if (!(nodes & (1UL << i)))
			continue;
		while (j + 1 < NODE_BITS && (nodes & (1UL << (j + 1))))
			j++;
		len += (size_t)snprintf(buf + len, n - len, j > i ? "%s%d-%d" : "%s%d",
					len ? "," : "", i, j);
		i = j;
	}
}

/* A set_mempolicy MODE [NODES] */
int script_parse_set_mempolicy(struct vmsim_cmd *c, const struct vmsim_words *l,
			       const char *usage, char *err, size_t errlen)
{
	struct vmsim_args_mempolicy *a = &c->u.set_mempolicy;

	memset(a, 0, sizeof(*a));
	if (script_want_words(l, 3, 4, usage, err, errlen) ||
	    parse_mode(&l->w[2], &a->mode, err, errlen))
		return -1;
	a->has_nodes = l->n == 4;
	return a->has_nodes ? parse_nodes(&l->w[3], &a->nodes, err, errlen) : 0;
}

enum vmsim_run_status script_run_set_mempolicy(struct vmsim_session *s, const struct vmsim_cmd *c,
					       struct vmsim_call *call)
{
	const struct vmsim_args_mempolicy *a = &c->u.set_mempolicy;

	script_fmt_num(call, vmsim_set_mempolicy(s->m, call->pid, a->mode,
						 a->has_nodes ? &a->nodes : NULL, NODE_BITS + 1));
	return VMSIM_RUN_OK;
}

/* A mbind ADDR LEN MODE [NODES] [strict,move,move_all] */
int script_parse_mbind(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	struct vmsim_args_mempolicy *a = &c->u.mbind;
	int i = 5;

	memset(a, 0, sizeof(*a));
	if (script_want_words(l, 5, 7, usage, err, errlen) ||
	    script_parse_num(&l->w[2], &a->addr, "ADDR", err, errlen) ||
	    script_parse_num(&l->w[3], &a->len, "LEN", err, errlen) ||
	    parse_mode(&l->w[4], &a->mode, err, errlen))
		return -1;
	if (i < l->n && is_nodes(&l->w[i])) {
		a->has_nodes = true;
		if (parse_nodes(&l->w[i++], &a->nodes, err, errlen))
			return -1;
	}
	if (i < l->n) {
		char *flags = strdup(l->w[i++].val);

		for (char *save = NULL, *f = strtok_r(flags, ",", &save); f;
		     f = strtok_r(NULL, ",", &save)) {
			if (!strcmp(f, "strict"))
				a->flags |= VMSIM_MPOL_MF_STRICT;
			else if (!strcmp(f, "move"))
				a->flags |= VMSIM_MPOL_MF_MOVE;
			else if (!strcmp(f, "move_all"))
				a->flags |= VMSIM_MPOL_MF_MOVE_ALL;
			else {
				script_seterr(err, errlen, "mbind: unknown flag '%.40s' (strict, move, "
					      "move_all)", f);
				free(flags);
				return -1;
			}
		}
		free(flags);
	}
	return i < l->n ? script_want_words(l, 5, i, usage, err, errlen) : 0;
}

enum vmsim_run_status script_run_mbind(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	const struct vmsim_args_mempolicy *a = &c->u.mbind;

	script_fmt_num(call, vmsim_mbind(s->m, call->pid, (unsigned long)a->addr,
					 (unsigned long)a->len, a->mode,
					 a->has_nodes ? &a->nodes : NULL, NODE_BITS + 1, a->flags));
	return VMSIM_RUN_OK;
}

/* A get_mempolicy [ADDR] [node] | A get_mempolicy allowed */
int script_parse_get_mempolicy(struct vmsim_cmd *c, const struct vmsim_words *l,
			       const char *usage, char *err, size_t errlen)
{
	struct vmsim_args_mempolicy *a = &c->u.get_mempolicy;
	int i = 2;

	memset(a, 0, sizeof(*a));
	if (script_want_words(l, 2, 4, usage, err, errlen))
		return -1;
	if (l->n == 3 && !strcmp(l->w[2].val, "allowed")) {
		a->flags = VMSIM_MPOL_F_MEMS_ALLOWED;
		return 0;
	}
	if (i < l->n && strcmp(l->w[i].val, "node")) {
		a->flags |= VMSIM_MPOL_F_ADDR;
		if (script_parse_num(&l->w[i++], &a->addr, "ADDR", err, errlen))
			return -1;
	}
	if (i < l->n && !strcmp(l->w[i].val, "node")) {
		a->flags |= VMSIM_MPOL_F_NODE;
		i++;
	}
	return i < l->n ? script_want_words(l, 2, i, usage, err, errlen) : 0;
}

/* Prints MODE[+FLAG] [NODES], or the node (F_NODE), or -ERRNO. */
enum vmsim_run_status script_run_get_mempolicy(struct vmsim_session *s, const struct vmsim_cmd *c,
					       struct vmsim_call *call)
{
	const struct vmsim_args_mempolicy *a = &c->u.get_mempolicy;
	unsigned long nodes = 0;
	int policy = 0, mode, err;
	char list[128];

	err = vmsim_get_mempolicy(s->m, call->pid, &policy, &nodes, NODE_BITS + 1,
				  (unsigned long)a->addr, a->flags);
	if (err || (a->flags & VMSIM_MPOL_F_NODE)) {
		script_fmt_num(call, err ? err : policy);
		return VMSIM_RUN_OK;
	}
	mode = policy & ~(VMSIM_MPOL_F_STATIC_NODES | VMSIM_MPOL_F_RELATIVE_NODES);
	fmt_nodes(list, sizeof(list), nodes);
	call->ret = 0;
	snprintf(call->res, sizeof(call->res), "%s%s%s%s%s",
		 a->flags & VMSIM_MPOL_F_MEMS_ALLOWED ? "allowed" :
		 mode >= 0 && mode < (int)(sizeof(mode_names) / sizeof(mode_names[0])) ?
		 mode_names[mode] : "?",
		 policy & VMSIM_MPOL_F_STATIC_NODES ? "+static" : "",
		 policy & VMSIM_MPOL_F_RELATIVE_NODES ? "+relative" : "",
		 list[0] ? " " : "", list);
	return VMSIM_RUN_OK;
}
