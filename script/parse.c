/*
 * The script language's parser (docs/script.md): the words of a line
 * (script/lex.c) name a row of the command table (script/commands.h), whose
 * parser fills the command's own argument structure; the argument parsers
 * every row shares are here, and the help texts made from the table.
 * Nothing here touches a machine: a session (script/session.c) resolves
 * process names and runs the command.
 *
 * Every error leaves a message naming the bad word and what was wanted;
 * no input makes the parser read out of bounds or leak (fuzzed by
 * tests/fuzz/fuzz_script.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "internal.h"

/* Words that cannot name a process besides the commands and `show` forms. */
static const char *const reserved_words[] = {
	"LASTRESULT", "help", "quit", "alive", "killed",
	NULL
};

static bool reserved(const char *s)
{
	for (int i = 0; reserved_words[i]; i++)
		if (!strcmp(reserved_words[i], s))
			return true;
	if (vmsim_cmd_find(s))
		return true;
	for (int i = 0; i <= VMSIM_SHOW_PAGE; i++)
		if (!strcmp(vmsim_show_name((enum vmsim_show)i), s))
			return true;
	return false;
}

static bool name_chars_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= VMSIM_NAME_MAX)
		return false;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

int script_parse_name(const struct word *w, char *out, char *err, size_t errlen)
{
	if (w->quoted || !name_chars_ok(w->val)) {
		script_seterr(err, errlen, "bad process name '%.40s' (letters, digits and _, "
		       "starting with a letter, at most %d)", w->val, VMSIM_NAME_MAX - 1);
		return -1;
	}
	if (reserved(w->val)) {
		script_seterr(err, errlen, "'%s' is a reserved word, not a process name", w->val);
		return -1;
	}
	memcpy(out, w->val, strlen(w->val) + 1);
	return 0;
}

int script_parse_num(const struct word *w, uint64_t *out, const char *what,
		     char *err, size_t errlen)
{
	if (w->quoted || vmsim_parse_number(w->val, out)) {
		bool range = !w->quoted && errno == ERANGE;

		script_seterr(err, errlen, "bad %s '%.40s' (%s)", what, w->val,
			      !range ? "decimal, 0x-hex, optional K/M/G" :
			      w->val[0] == '-' ? "negative" : "more than 2^64 - 1");
		return -1;
	}
	return 0;
}

int script_parse_addr_seg(const struct word *w, bool *seg, unsigned int *sel, uint64_t *addr,
			  char *err, size_t errlen)
{
	const char *colon = w->quoted ? NULL : strchr(w->val, ':');
	struct word off;
	char name[32];
	uint64_t v;
	int n;

	*seg = colon != NULL;
	*sel = (unsigned int)vmsim_selector("__USER_DS");
	if (!colon)
		return script_parse_num(w, addr, "ADDR", err, errlen);
	snprintf(name, sizeof(name), "%.*s", (int)(colon - w->val), w->val);
	n = vmsim_selector(name);
	if (n >= 0) {
		*sel = (unsigned int)n;
	} else if (!vmsim_parse_number(name, &v) && v <= 0xffff) {
		*sel = (unsigned int)v;
	} else {
		script_seterr(err, errlen, "bad selector '%.40s' (__KERNEL_CS, __KERNEL_DS, "
			      "__USER_CS, __USER_DS or a number up to 0xffff)", name);
		return -1;
	}
	off = *w;
	off.val = (char *)colon + 1;
	off.val_len = strlen(off.val);
	return script_parse_num(&off, addr, "ADDR", err, errlen);
}

int script_parse_prot(const struct word *w, int *prot, char *err, size_t errlen)
{
	if (!w->quoted && w->val[0] >= '0' && w->val[0] <= '9' &&
	    !script_parse_int(w->val, prot))
		return 0;
	if (w->quoted || vmsim_parse_prot(w->val, prot)) {
		script_seterr(err, errlen, "bad PROT '%.40s' (three letters as in maps: rw-, r-x, ---)",
		       w->val);
		return -1;
	}
	return 0;
}

/* A descriptor: 0 .. INT_MAX (a bad one is the call's -EBADF, not a parse error). */
int script_parse_fd(const struct word *w, int *fd, char *err, size_t errlen)
{
	uint64_t v;

	if (w->quoted || vmsim_parse_number(w->val, &v) || v > 0x7fffffff) {
		script_seterr(err, errlen, "bad FD '%.40s' (a descriptor number, as open printed)",
		       w->val);
		return -1;
	}
	*fd = (int)v;
	return 0;
}

/* "key=value" word: returns the value if the key matches, else NULL. */
const char *script_kv(const struct word *w, const char *key)
{
	size_t n = strlen(key);

	if (w->quoted || strncmp(w->val, key, n) || w->val[n] != '=')
		return NULL;
	return w->val + n + 1;
}

int script_want_words(const struct vmsim_words *l, int lo, int hi, const char *usage,
		      char *err, size_t errlen)
{
	if (l->n < lo || l->n > hi) {
		script_seterr(err, errlen, "%s: expected %s", usage, l->n < lo ? "more words" :
		       "fewer words");
		return -1;
	}
	return 0;
}

/* --- commands ------------------------------------------------------------ */

static void unknown_command(const char *word, const char *near, char *err, size_t errlen)
{
	if (near)
		script_seterr(err, errlen, "unknown command '%.40s'; did you mean '%s'?", word, near);
	else
		script_seterr(err, errlen, "unknown command '%.40s'", word);
}

/*
 * "NAME WORD ..." where WORD is no command of a process: a typo of WORD
 * (A mmpa), or of a first word that is not a process (spwan A, shwo maps).
 */
static int unknown_process_command(const struct vmsim_words *l, char *err, size_t errlen)
{
	const char *first = l->w[0].val;
	const char *near_first = script_suggest_cmd(first, 0);
	const char *near_second = l->n < 2 ? NULL : script_suggest_cmd(l->w[1].val, 1);

	if (near_second || (l->n >= 2 && !near_first))
		unknown_command(l->w[1].val, near_second, err, errlen);
	else if (near_first)
		unknown_command(first, near_first, err, errlen);
	else
		script_seterr(err, errlen, "missing command after '%s' (mmap, munmap, touch, ...)",
			      first);
	return -1;
}

static int parse_words(const struct vmsim_words *l, struct vmsim_cmd *c, char *err,
		       size_t errlen)
{
	const char *first = l->w[0].val;
	const struct vmsim_cmd_def *d;
	char usage[160];

	if (l->w[0].quoted) {
		script_seterr(err, errlen, "a line cannot start with a string");
		return -1;
	}
	d = vmsim_cmd_find(first);
	if (d && !d->per_process) {
		snprintf(usage, sizeof(usage), "%s %s", d->word, d->args);
		c->def = d;
		return d->parse(c, l, usage, err, errlen);
	}
	if (d) {
		script_seterr(err, errlen, "'%s' needs a process first: A %s %s", d->word,
			      d->word, d->args);
		return -1;
	}
	if (!name_chars_ok(first)) {
		unknown_command(first, script_suggest_cmd(first, -1), err, errlen);
		return -1;
	}
	/* A WORD ARGS...: a command of process A */
	if (script_parse_name(&l->w[0], c->proc, err, errlen))
		return -1;
	d = l->n < 2 || l->w[1].quoted ? NULL : vmsim_cmd_find(l->w[1].val);
	if (!d || !d->per_process)
		return unknown_process_command(l, err, errlen);
	snprintf(usage, sizeof(usage), "%s %s%s%s", c->proc, d->word, d->args[0] ? " " : "",
		 d->args);
	c->def = d;
	return d->parse(c, l, usage, err, errlen);
}

void vmsim_cmd_free(struct vmsim_cmd *c)
{
	if (c->def && c->def->release)
		c->def->release(c);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

const char *vmsim_cmd_word(const struct vmsim_cmd *c)
{
	return c->def ? c->def->word : "";
}

int vmsim_cmd_parse(const char *s, struct vmsim_cmd *c, char *err, size_t errlen)
{
	struct vmsim_words l;
	const char *nl = memchr(s, '\n', strlen(s));
	size_t len = nl ? (size_t)(nl - s) : strlen(s);
	int ret;

	memset(c, 0, sizeof(*c));
	if (script_lex(s, len, &l, err, errlen))
		return -1;
	if (l.n == 0)
		return 0;
	ret = parse_words(&l, c, err, errlen);
	if (!ret) {
		c->text = script_join_words(&l);
		if (!c->text) {
			script_seterr(err, errlen, "out of memory");
			ret = -1;
		}
	}
	script_words_free(&l);
	if (ret)
		vmsim_cmd_free(c);
	return ret;
}

void vmsim_script_free(struct vmsim_script *sc)
{
	for (int i = 0; i < sc->nr_cmds; i++)
		vmsim_cmd_free(&sc->cmds[i]);
	free(sc->cmds);
	free(sc->lines);
	memset(sc, 0, sizeof(*sc));
}

int vmsim_script_parse(const char *text, size_t len, struct vmsim_script *sc,
		       char *err, size_t errlen, int *errline)
{
	size_t pos = 0;
	int lineno = 0, cap = 0;
	char *buf = malloc(VMSIM_LINE_MAX + 2);

	memset(sc, 0, sizeof(*sc));
	*errline = 0;
	if (!buf) {
		script_seterr(err, errlen, "out of memory");
		return -1;
	}
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		struct vmsim_cmd c;

		lineno++;
		pos += n + (nl ? 1 : 0);
		if (memchr(start, '\0', n)) {
			script_seterr(err, errlen, "NUL byte in script");
			goto fail;
		}
		if (n > VMSIM_LINE_MAX + 1) {
			script_seterr(err, errlen, "line too long (over %d characters)", VMSIM_LINE_MAX);
			goto fail;
		}
		memcpy(buf, start, n);
		buf[n] = 0;
		if (vmsim_cmd_parse(buf, &c, err, errlen))
			goto fail;
		if (!c.def)
			continue;
		if (sc->nr_cmds == cap) {
			int ncap = cap ? 2 * cap : 64;
			struct vmsim_cmd *nc = realloc(sc->cmds, (size_t)ncap * sizeof(*nc));
			int *nlines;
			if (nc)
				sc->cmds = nc;
			nlines = nc ? realloc(sc->lines, (size_t)ncap * sizeof(int)) : NULL;
			if (!nc || !nlines) {
				vmsim_cmd_free(&c);
				script_seterr(err, errlen, "out of memory");
				goto fail;
			}
			sc->lines = nlines;
			cap = ncap;
		}
		sc->cmds[sc->nr_cmds] = c;
		sc->lines[sc->nr_cmds] = lineno;
		sc->nr_cmds++;
	}
	free(buf);
	return 0;
fail:
	*errline = lineno;
	free(buf);
	vmsim_script_free(sc);
	return -1;
}

/* --- help texts, from the table ------------------------------------------ */

void vmsim_cmd_print_usage(const struct vmsim_cmd_def *d, FILE *f, const char *indent)
{
	const char *p = d->usage;

	if (!p) {
		fprintf(f, "%s%s%s%s%s\n", indent, d->per_process ? "A " : "", d->word,
			d->args[0] ? " " : "", d->args);
		return;
	}
	while (*p) {
		size_t n = strcspn(p, "\n");

		fprintf(f, "%s%.*s\n", indent, (int)n, p);
		p += n + (p[n] == '\n');
	}
}

void vmsim_cmd_print_usages(FILE *f, const char *indent)
{
	for (int i = 0; vmsim_cmd_at(i); i++)
		vmsim_cmd_print_usage(vmsim_cmd_at(i), f, indent);
}

void vmsim_cmd_print_help(const struct vmsim_cmd_def *d, FILE *f)
{
	fputs("usage:\n", f);
	vmsim_cmd_print_usage(d, f, "  ");
	fprintf(f, "\n%s\n\nExample:\n  %s\n", d->summary, d->example);
}
