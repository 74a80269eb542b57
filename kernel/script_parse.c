/*
 * The script language's parser (docs/script.md): a line is split into
 * words (a "quoted string" with C escapes is one word, # starts a comment),
 * then checked against the command's grammar into a struct vmsim_cmd.
 * Nothing here touches a machine: the vmsim tool resolves process names and
 * runs the command.  Values (numbers, protections, flag lists, errno and
 * signal names, the fixed hash and mixer) are in kernel/script_values.c.
 *
 * Every error leaves a message naming the bad word and what was wanted;
 * no input makes the parser read out of bounds or leak (fuzzed by
 * tests/fuzz/fuzz_script.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/vmsim.h"
#include "vmsim/process.h"
#include "vmsim/script.h"
#include "script_internal.h"

#define MAX_WORDS	16

struct word {
	const char *raw;	/* as written (quotes included) */
	size_t raw_len;
	char *val;		/* NUL-terminated value (escapes resolved) */
	size_t val_len;		/* may hold NUL bytes when quoted */
	bool quoted;
};

struct line {
	int n;
	struct word w[MAX_WORDS];
};

/* --- words --------------------------------------------------------------- */

static void line_free(struct line *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->w[i].val);
	l->n = 0;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* A "quoted" word starting at s[*i] (the quote): resolve escapes. */
static int lex_quoted(const char *s, size_t len, size_t *i, struct word *w,
		      char *err, size_t errlen)
{
	size_t j = *i + 1, n = 0;
	char *v = malloc(len - *i + 1);

	if (!v) {
		script_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (;;) {
		if (j >= len) {
			script_seterr(err, errlen, "unterminated string (no closing \")");
			goto fail;
		}
		unsigned char c = (unsigned char)s[j];
		if (c == '"') {
			j++;
			break;
		}
		if (c < 0x20 && c != '\t') {
			script_seterr(err, errlen, "control character 0x%02x in string", c);
			goto fail;
		}
		if (c != '\\') {
			v[n++] = (char)c;
			j++;
			continue;
		}
		if (j + 1 >= len) {
			script_seterr(err, errlen, "unterminated string (no closing \")");
			goto fail;
		}
		c = (unsigned char)s[j + 1];
		j += 2;
		switch (c) {
		case 'n': v[n++] = '\n'; break;
		case 't': v[n++] = '\t'; break;
		case 'r': v[n++] = '\r'; break;
		case '0': v[n++] = '\0'; break;
		case '\\': v[n++] = '\\'; break;
		case '"': v[n++] = '"'; break;
		case 'x': {
			int h = j < len ? vmsim_hex_digit((unsigned char)s[j]) : -1;
			int l = j + 1 < len ? vmsim_hex_digit((unsigned char)s[j + 1]) : -1;
			if (h < 0 || l < 0) {
				script_seterr(err, errlen, "\\x needs two hex digits");
				goto fail;
			}
			v[n++] = (char)(h * 16 + l);
			j += 2;
			break;
		}
		default:
			if (c >= 0x20 && c < 0x7f)
				script_seterr(err, errlen, "unknown escape \\%c in string", c);
			else
				script_seterr(err, errlen, "unknown escape in string");
			goto fail;
		}
	}
	if (j < len && !is_blank(s[j]) && s[j] != '#') {
		script_seterr(err, errlen, "text right after a closing quote");
		goto fail;
	}
	v[n] = 0;
	w->raw = s + *i;
	w->raw_len = j - *i;
	w->val = v;
	w->val_len = n;
	w->quoted = true;
	*i = j;
	return 0;
fail:
	free(v);
	return -1;
}

/* Split @s (len bytes, no newline) into words; # outside quotes ends the line. */
static int lex(const char *s, size_t len, struct line *l, char *err, size_t errlen)
{
	size_t i = 0;

	l->n = 0;
	while (len > 0 && s[len - 1] == '\r')	/* CRLF files */
		len--;
	if (len > VMSIM_LINE_MAX) {
		script_seterr(err, errlen, "line too long (over %d characters)", VMSIM_LINE_MAX);
		return -1;
	}
	for (;;) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i >= len || s[i] == '#')
			return 0;
		if (l->n == MAX_WORDS) {
			script_seterr(err, errlen, "too many words (at most %d)", MAX_WORDS);
			goto fail;
		}
		struct word *w = &l->w[l->n];
		if (s[i] == '"') {
			if (lex_quoted(s, len, &i, w, err, errlen))
				goto fail;
			l->n++;
			continue;
		}
		size_t start = i;
		while (i < len && !is_blank(s[i]) && s[i] != '#') {
			unsigned char c = (unsigned char)s[i];
			if (c < 0x20 || c == 0x7f) {
				script_seterr(err, errlen, "control character 0x%02x", c);
				goto fail;
			}
			if (c == '"') {
				script_seterr(err, errlen, "quote in the middle of a word");
				goto fail;
			}
			i++;
		}
		w->raw = s + start;
		w->raw_len = i - start;
		w->val = strndup(s + start, i - start);
		if (!w->val) {
			script_seterr(err, errlen, "out of memory");
			goto fail;
		}
		w->val_len = i - start;
		w->quoted = false;
		l->n++;
	}
fail:
	line_free(l);
	return -1;
}

/* --- commands ------------------------------------------------------------ */

struct cmd_desc {
	const char *name;
	enum vmsim_cmd_op op;
	const char *usage;	/* the arguments after A and the command word */
};

static const struct cmd_desc proc_cmds[] = {
	{ "mmap", VMSIM_CMD_MMAP, "ADDR LEN PROT FLAGS [FD [OFFSET]]" },
	{ "munmap", VMSIM_CMD_MUNMAP, "ADDR LEN" },
	{ "mprotect", VMSIM_CMD_MPROTECT, "ADDR LEN PROT" },
	{ "mremap", VMSIM_CMD_MREMAP, "ADDR OLDLEN NEWLEN [FLAGS [NEWADDR]]" },
	{ "brk", VMSIM_CMD_BRK, "ADDR" },
	{ "madvise", VMSIM_CMD_MADVISE, "ADDR LEN normal|random|sequential|willneed|dontneed" },
	{ "mlock", VMSIM_CMD_MLOCK, "ADDR LEN" },
	{ "munlock", VMSIM_CMD_MUNLOCK, "ADDR LEN" },
	{ "mlockall", VMSIM_CMD_MLOCKALL, "current[,future]" },
	{ "munlockall", VMSIM_CMD_MUNLOCKALL, "" },
	{ "mincore", VMSIM_CMD_MINCORE, "ADDR LEN" },
	{ "setsp", VMSIM_CMD_SETSP, "ADDR" },
	{ "touch", VMSIM_CMD_TOUCH, "ADDR LEN [read|write] [stride=N] [random=COUNT seed=S]" },
	{ "write", VMSIM_CMD_WRITE, "ADDR \"TEXT\" | ADDR pattern=SEED len=N" },
	{ "read", VMSIM_CMD_READ, "ADDR LEN" },
	{ "fork", VMSIM_CMD_FORK, "B" },
	{ "clone", VMSIM_CMD_CLONE, "B" },
	{ "exit", VMSIM_CMD_EXIT, "" },
	{ "trace", VMSIM_CMD_TRACE, "FILE [auto|lackey|din|plain] [map=auto|none]" },
	{ "exec", VMSIM_CMD_EXEC, "PATH [ARG ...]" },
	{ "thread", VMSIM_CMD_THREAD, "B" },
	{ "exit_group", VMSIM_CMD_EXIT_GROUP, "" },
	{ "open", VMSIM_CMD_OPEN, "PATH [FLAGS [MODE]]" },
	{ "close", VMSIM_CMD_CLOSE, "FD" },
	{ "pread", VMSIM_CMD_PREAD, "FD ADDR LEN OFFSET" },
	{ "pwrite", VMSIM_CMD_PWRITE, "FD ADDR LEN OFFSET" },
	{ "fsync", VMSIM_CMD_FSYNC, "FD" },
	{ NULL, VMSIM_CMD_NONE, NULL }
};

static const char *const show_names[] = {
	[VMSIM_SHOW_MEMINFO] = "meminfo",
	[VMSIM_SHOW_BUDDYINFO] = "buddyinfo",
	[VMSIM_SHOW_ZONEINFO] = "zoneinfo",
	[VMSIM_SHOW_SLABINFO] = "slabinfo",
	[VMSIM_SHOW_VMSTAT] = "vmstat",
	[VMSIM_SHOW_SWAPS] = "swaps",
	[VMSIM_SHOW_KMSG] = "kmsg",
	[VMSIM_SHOW_VMALLOCINFO] = "vmallocinfo",
	[VMSIM_SHOW_SYSCTL] = "sysctl",
	[VMSIM_SHOW_REPORT] = "report",
	[VMSIM_SHOW_MAPS] = "maps",
	[VMSIM_SHOW_SMAPS] = "smaps",
	[VMSIM_SHOW_STATUS] = "status",
	[VMSIM_SHOW_PAGETABLE] = "pagetable",
};

static const char *const trace_format_names[] = {
	[VMSIM_TRACE_AUTO] = "auto",
	[VMSIM_TRACE_LACKEY] = "lackey",
	[VMSIM_TRACE_DIN] = "din",
	[VMSIM_TRACE_PLAIN] = "plain",
};

const char *vmsim_trace_format_name(enum vmsim_trace_format f)
{
	return (size_t)f < VMSIM_TRACE_NR_FORMATS ? trace_format_names[f] : "?";
}

int vmsim_trace_format_parse(const char *s)
{
	for (int f = 0; f < VMSIM_TRACE_NR_FORMATS; f++)
		if (!strcmp(s, trace_format_names[f]))
			return f;
	return -1;
}

const char *vmsim_show_name(enum vmsim_show what)
{
	return (size_t)what < sizeof(show_names) / sizeof(show_names[0]) ? show_names[what] : "?";
}

const char *vmsim_show_proc_name(enum vmsim_show what)
{
	return what == VMSIM_SHOW_SYSCTL ? "sys/vm" : vmsim_show_name(what);
}

/* For help texts: every command, as docs/script.md lists them. */
const char *const vmsim_cmd_usages[] = {
	"machine KEY=VALUE ...",
	"spawn A",
	"A mmap ADDR LEN PROT FLAGS [FD [OFFSET]]",
	"A munmap ADDR LEN",
	"A mprotect ADDR LEN PROT",
	"A mremap ADDR OLDLEN NEWLEN [FLAGS [NEWADDR]]",
	"A brk ADDR",
	"A madvise ADDR LEN normal|random|sequential|willneed|dontneed",
	"A mlock ADDR LEN",
	"A munlock ADDR LEN",
	"A mlockall current[,future]",
	"A munlockall",
	"A mincore ADDR LEN",
	"A setsp ADDR",
	"A touch ADDR LEN [read|write] [stride=N] [random=COUNT seed=S]",
	"A write ADDR \"TEXT\" | A write ADDR pattern=SEED len=N",
	"A read ADDR LEN",
	"A trace FILE [auto|lackey|din|plain] [map=auto|none]",
	"A fork B",
	"A clone B",
	"A thread B",
	"A exit",
	"A exit_group",
	"A exec PATH [ARG ...]",
	"A open PATH [FLAGS [MODE]]",
	"A close FD",
	"A pread FD ADDR LEN OFFSET",
	"A pwrite FD ADDR LEN OFFSET",
	"A fsync FD",
	"swapon SIZE [PRIO]",
	"swapoff AREA",
	"show meminfo|buddyinfo|zoneinfo|slabinfo|vmstat|swaps|kmsg|vmallocinfo|sysctl|report",
	"show A maps|smaps|status",
	"show A pagetable ADDR",
	"show page PFN",
	"expect A read ADDR LEN = HEXBYTES",
	"expect A alive",
	"expect A killed SIGNAL [CODE]",
	"expect = VALUE",
	NULL
};

/* Words that cannot name a process: they start other lines or `show` forms. */
static const char *const reserved_words[] = {
	"machine", "spawn", "show", "expect", "page", "LASTRESULT", "swapon", "swapoff",
	"help", "quit", "alive", "killed",
	NULL
};

const char *vmsim_cmd_name(enum vmsim_cmd_op op)
{
	switch (op) {
	case VMSIM_CMD_NONE: return "";
	case VMSIM_CMD_MACHINE: return "machine";
	case VMSIM_CMD_SPAWN: return "spawn";
	case VMSIM_CMD_SWAPON: return "swapon";
	case VMSIM_CMD_SWAPOFF: return "swapoff";
	case VMSIM_CMD_SHOW:
	case VMSIM_CMD_SHOW_PROC:
	case VMSIM_CMD_SHOW_PAGE: return "show";
	case VMSIM_CMD_EXPECT_READ:
	case VMSIM_CMD_EXPECT_ALIVE:
	case VMSIM_CMD_EXPECT_KILLED:
	case VMSIM_CMD_EXPECT_RESULT: return "expect";
	default:
		for (const struct cmd_desc *d = proc_cmds; d->name; d++)
			if (d->op == op)
				return d->name;
		return "?";
	}
}

static bool reserved(const char *s)
{
	for (int i = 0; reserved_words[i]; i++)
		if (!strcmp(reserved_words[i], s))
			return true;
	for (const struct cmd_desc *d = proc_cmds; d->name; d++)
		if (!strcmp(d->name, s))
			return true;
	for (size_t i = 0; i < sizeof(show_names) / sizeof(show_names[0]); i++)
		if (!strcmp(show_names[i], s))
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

static int parse_name(const struct word *w, char *out, char *err, size_t errlen)
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

static int parse_num(const struct word *w, uint64_t *out, const char *what,
		     char *err, size_t errlen)
{
	if (w->quoted || vmsim_parse_number(w->val, out)) {
		script_seterr(err, errlen, "bad %s '%.40s' (decimal, 0x-hex, optional K/M/G)",
		       what, w->val);
		return -1;
	}
	return 0;
}

static int parse_prot_word(const struct word *w, int *prot, char *err, size_t errlen)
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
static int parse_fd(const struct word *w, int *fd, char *err, size_t errlen)
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

/* open's MODE: octal digits, as chmod takes them (644, 0600). */
static int parse_mode(const struct word *w, int *mode, char *err, size_t errlen)
{
	const char *p = w->val;
	int v = 0;

	if (w->quoted || !*p || strlen(p) > 5)
		goto bad;
	for (; *p; p++) {
		if (*p < '0' || *p > '7')
			goto bad;
		v = v * 8 + (*p - '0');
	}
	if (v > 07777)
		goto bad;
	*mode = v;
	return 0;
bad:
	script_seterr(err, errlen, "bad MODE '%.40s' (octal, as 644)", w->val);
	return -1;
}

/* "key=value" word: returns the value if the key matches, else NULL. */
static const char *kv(const struct word *w, const char *key)
{
	size_t n = strlen(key);

	if (w->quoted || strncmp(w->val, key, n) || w->val[n] != '=')
		return NULL;
	return w->val + n + 1;
}

static int want_words(const struct line *l, int lo, int hi, const char *usage,
		      char *err, size_t errlen)
{
	if (l->n < lo || l->n > hi) {
		script_seterr(err, errlen, "%s: expected %s", usage, l->n < lo ? "more words" :
		       "fewer words");
		return -1;
	}
	return 0;
}

static int parse_machine(const struct line *l, struct vmsim_cmd *c, char *err, size_t errlen)
{
	struct vmsim_config scratch;
	char msg[160];

	vmsim_config_default(&scratch);
	c->opt_keys = calloc((size_t)l->n, sizeof(char *));
	c->opt_values = calloc((size_t)l->n, sizeof(char *));
	if (!c->opt_keys || !c->opt_values) {
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
		c->opt_keys[c->nr_opts] = key;
		c->opt_values[c->nr_opts] = val;
		c->nr_opts++;
		if (!key || !val) {
			script_seterr(err, errlen, "out of memory");
			return -1;
		}
		msg[0] = 0;
		if (!strcmp(key, "root")) {
			/* the tool's: the host directory files resolve in */
			if (!val[0]) {
				script_seterr(err, errlen, "machine: root= wants a directory or tmp");
				return -1;
			}
			continue;
		}
		if (vmsim_config_set(&scratch, key, val, msg, sizeof(msg))) {
			script_seterr(err, errlen, "machine: %s", msg[0] ? msg : "bad option");
			return -1;
		}
	}
	c->op = VMSIM_CMD_MACHINE;
	return 0;
}

static int parse_show(const struct line *l, struct vmsim_cmd *c, char *err, size_t errlen)
{
	static const char usage[] = "show meminfo|buddyinfo|zoneinfo|slabinfo|vmstat|swaps|kmsg|vmallocinfo|"
		"sysctl|report, "
		"show page PFN, show A maps|smaps|status|pagetable ADDR";

	if (l->n < 2) {
		script_seterr(err, errlen, "show: expected what to show (%s)", usage);
		return -1;
	}
	for (int s = VMSIM_SHOW_MEMINFO; s <= VMSIM_SHOW_REPORT; s++)
		if (!strcmp(l->w[1].val, show_names[s])) {
			if (want_words(l, 2, 2, "show", err, errlen))
				return -1;
			c->op = VMSIM_CMD_SHOW;
			c->show = (enum vmsim_show)s;
			return 0;
		}
	if (!strcmp(l->w[1].val, "page")) {
		if (want_words(l, 3, 3, "show page PFN", err, errlen) ||
		    parse_num(&l->w[2], &c->addr, "PFN", err, errlen))
			return -1;
		c->op = VMSIM_CMD_SHOW_PAGE;
		return 0;
	}
	if (l->n < 3) {
		script_seterr(err, errlen, "show: unknown '%.40s' (%s)", l->w[1].val, usage);
		return -1;
	}
	if (parse_name(&l->w[1], c->proc, err, errlen))
		return -1;
	for (int s = VMSIM_SHOW_MAPS; s <= VMSIM_SHOW_PAGETABLE; s++)
		if (!strcmp(l->w[2].val, show_names[s])) {
			c->op = VMSIM_CMD_SHOW_PROC;
			c->show = (enum vmsim_show)s;
			if (s == VMSIM_SHOW_PAGETABLE)
				return want_words(l, 4, 4, "show A pagetable ADDR", err, errlen) ||
				       parse_num(&l->w[3], &c->addr, "ADDR", err, errlen) ? -1 : 0;
			return want_words(l, 3, 3, "show A maps|smaps|status", err, errlen);
		}
	script_seterr(err, errlen, "show: unknown '%.40s' (%s)", l->w[2].val, usage);
	return -1;
}

/* HEXBYTES of expect read: exactly what `read` prints for LEN bytes. */
static int parse_wanted_bytes(const struct word *w, struct vmsim_cmd *c, char *err, size_t errlen)
{
	const char *s = w->val;

	if (c->len > 64) {
		uint64_t h = 0;
		if (strncmp(s, "fnv1a64:", 8) || strlen(s) != 24)
			goto bad_hash;
		for (int i = 8; i < 24; i++) {
			int d = vmsim_hex_digit((unsigned char)s[i]);
			if (d < 0)
				goto bad_hash;
			h = h << 4 | (uint64_t)d;
		}
		c->data_is_hash = true;
		c->data_hash = h;
		return 0;
bad_hash:
		script_seterr(err, errlen, "expect read of more than 64 bytes wants fnv1a64: and "
		       "16 hex digits, got '%.40s'", s);
		return -1;
	}
	if (strlen(s) != 2 * c->len) {
		script_seterr(err, errlen, "expect read of %llu bytes wants %llu hex digits, got %zu",
		       (unsigned long long)c->len, (unsigned long long)(2 * c->len), strlen(s));
		return -1;
	}
	c->data = malloc(c->len);
	if (!c->data) {
		script_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (uint64_t i = 0; i < c->len; i++) {
		int h = vmsim_hex_digit((unsigned char)s[2 * i]), lo = vmsim_hex_digit((unsigned char)s[2 * i + 1]);
		if (h < 0 || lo < 0) {
			script_seterr(err, errlen, "bad hex byte '%.2s' in '%.40s'", s + 2 * i, s);
			return -1;
		}
		c->data[i] = (unsigned char)(h * 16 + lo);
	}
	c->data_len = c->len;
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

static int parse_expect(const struct line *l, struct vmsim_cmd *c, char *err, size_t errlen)
{
	static const char usage[] = "expect A read ADDR LEN = HEXBYTES | expect A alive | "
		"expect A killed SIGNAL [CODE] | expect = VALUE";
	int v = 1;

	if (l->n >= 2 && !strcmp(l->w[1].val, "LASTRESULT") && !l->w[1].quoted)
		v = 2;
	if (l->n > v && !l->w[v].quoted && !strcmp(l->w[v].val, "=")) {
		if (l->n != v + 2) {
			script_seterr(err, errlen, "expect = VALUE: expected one VALUE after =");
			return -1;
		}
		c->value = strdup(l->w[v + 1].val);
		if (!c->value) {
			script_seterr(err, errlen, "out of memory");
			return -1;
		}
		c->op = VMSIM_CMD_EXPECT_RESULT;
		return 0;
	}
	if (l->n < 3) {
		script_seterr(err, errlen, "expect: expected %s", usage);
		return -1;
	}
	if (parse_name(&l->w[1], c->proc, err, errlen))
		return -1;
	const char *what = l->w[2].val;
	if (!strcmp(what, "alive")) {
		c->op = VMSIM_CMD_EXPECT_ALIVE;
		return want_words(l, 3, 3, "expect A alive", err, errlen);
	}
	if (!strcmp(what, "killed")) {
		if (want_words(l, 4, 5, "expect A killed SIGNAL [CODE]", err, errlen))
			return -1;
		if (parse_signal(l->w[3].val, &c->signal)) {
			script_seterr(err, errlen, "expect killed: unknown signal '%.40s' "
			       "(SIGSEGV, SIGBUS or SIGKILL)", l->w[3].val);
			return -1;
		}
		if (l->n == 5) {
			int code;
			for (code = 1; code <= 3; code++) {
				const char *cn = vmsim_sicode_name(c->signal, code);
				if (cn && !strcmp(cn, l->w[4].val))
					break;
			}
			if (code > 3) {
				script_seterr(err, errlen, "expect killed: '%.40s' is no code of %s",
				       l->w[4].val, l->w[3].val);
				return -1;
			}
			c->si_code = code;
		}
		c->op = VMSIM_CMD_EXPECT_KILLED;
		return 0;
	}
	if (!strcmp(what, "read")) {
		if (l->n != 7 || l->w[5].quoted || strcmp(l->w[5].val, "=")) {
			script_seterr(err, errlen, "expect read: expected expect A read ADDR LEN = HEXBYTES");
			return -1;
		}
		if (parse_num(&l->w[3], &c->addr, "ADDR", err, errlen) ||
		    parse_num(&l->w[4], &c->len, "LEN", err, errlen))
			return -1;
		if (c->len == 0) {
			script_seterr(err, errlen, "expect read: LEN must be at least 1");
			return -1;
		}
		c->op = VMSIM_CMD_EXPECT_READ;
		return parse_wanted_bytes(&l->w[6], c, err, errlen);
	}
	script_seterr(err, errlen, "expect: unknown form '%.40s' (%s)", what, usage);
	return -1;
}

static int parse_touch(const struct line *l, struct vmsim_cmd *c, char *err, size_t errlen)
{
	bool have_access = false, have_stride = false, have_seed = false;
	const char *v;

	c->stride = 4096;
	for (int i = 4; i < l->n; i++) {
		const struct word *w = &l->w[i];
		if (!w->quoted && (!strcmp(w->val, "read") || !strcmp(w->val, "write"))) {
			if (have_access)
				goto dup;
			have_access = true;
			c->access = w->val[0] == 'w' ? VMSIM_ACCESS_WRITE : VMSIM_ACCESS_READ;
		} else if ((v = kv(w, "stride"))) {
			if (have_stride)
				goto dup;
			have_stride = true;
			struct word t = { .val = (char *)v };
			if (parse_num(&t, &c->stride, "stride", err, errlen))
				return -1;
			if (c->stride == 0) {
				script_seterr(err, errlen, "touch: stride must be at least 1");
				return -1;
			}
		} else if ((v = kv(w, "random"))) {
			if (c->random)
				goto dup;
			c->random = true;
			struct word t = { .val = (char *)v };
			if (parse_num(&t, &c->count, "random COUNT", err, errlen))
				return -1;
		} else if ((v = kv(w, "seed"))) {
			if (have_seed)
				goto dup;
			have_seed = true;
			struct word t = { .val = (char *)v };
			if (parse_num(&t, &c->seed, "seed", err, errlen))
				return -1;
		} else {
			script_seterr(err, errlen, "touch: unknown option '%.40s' (read, write, "
			       "stride=N, random=COUNT, seed=S)", w->val);
			return -1;
		}
		continue;
dup:
		script_seterr(err, errlen, "touch: '%.40s' given twice", w->val);
		return -1;
	}
	if (have_seed && !c->random) {
		script_seterr(err, errlen, "touch: seed= goes with random=COUNT");
		return -1;
	}
	if (c->random && c->len / c->stride == 0) {
		script_seterr(err, errlen, "touch: random= needs LEN of at least one stride");
		return -1;
	}
	return 0;
}

static int parse_write(const struct line *l, struct vmsim_cmd *c, char *err, size_t errlen)
{
	const char *v;

	if (l->n == 4) {
		if (!l->w[3].quoted) {
			script_seterr(err, errlen, "write: expected \"TEXT\" in quotes or pattern=SEED len=N");
			return -1;
		}
		c->data = malloc(l->w[3].val_len ? l->w[3].val_len : 1);
		if (!c->data) {
			script_seterr(err, errlen, "out of memory");
			return -1;
		}
		memcpy(c->data, l->w[3].val, l->w[3].val_len);
		c->data_len = l->w[3].val_len;
		c->len = c->data_len;
		return 0;
	}
	if (l->n != 5) {
		script_seterr(err, errlen, "write: expected ADDR \"TEXT\" or ADDR pattern=SEED len=N");
		return -1;
	}
	bool have_len = false;
	for (int i = 3; i < 5; i++) {
		struct word t = { 0 };
		if ((v = kv(&l->w[i], "pattern")) && !c->pattern) {
			t.val = (char *)v;
			c->pattern = true;
			if (parse_num(&t, &c->seed, "pattern SEED", err, errlen))
				return -1;
		} else if ((v = kv(&l->w[i], "len")) && !have_len) {
			t.val = (char *)v;
			have_len = true;
			if (parse_num(&t, &c->len, "len", err, errlen))
				return -1;
		} else {
			script_seterr(err, errlen, "write: expected pattern=SEED len=N, got '%.40s'",
			       l->w[i].val);
			return -1;
		}
	}
	return 0;
}

/* trace FILE [auto|lackey|din|plain] [map=auto|none]: each option at most once. */
/* exec PATH [ARG ...]: argv is PATH then the ARGs (NUL bytes cannot be passed). */
static int parse_exec(const struct line *l, struct vmsim_cmd *c, char *err, size_t errlen)
{
	for (int i = 2; i < l->n; i++) {
		if (memchr(l->w[i].val, 0, l->w[i].val_len) || (i == 2 && !l->w[i].val_len)) {
			script_seterr(err, errlen, "exec: bad %s '%.40s'", i == 2 ? "PATH" : "ARG",
			       l->w[i].raw);
			return -1;
		}
	}
	c->path = strdup(l->w[2].val);
	c->args = calloc((size_t)(l->n - 1), sizeof(char *));
	if (!c->path || !c->args)
		goto oom;
	for (int i = 2; i < l->n; i++) {
		c->args[c->nr_args] = strdup(l->w[i].val);
		if (!c->args[c->nr_args])
			goto oom;
		c->nr_args++;
	}
	return 0;
oom:
	script_seterr(err, errlen, "out of memory");
	return -1;
}

static int parse_trace(const struct line *l, struct vmsim_cmd *c, char *err, size_t errlen)
{
	bool have_format = false, have_map = false;
	const char *v;

	if (memchr(l->w[2].val, 0, l->w[2].val_len) || !l->w[2].val_len) {
		script_seterr(err, errlen, "trace: bad FILE name");
		return -1;
	}
	c->path = strdup(l->w[2].val);
	if (!c->path) {
		script_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 3; i < l->n; i++) {
		const struct word *w = &l->w[i];
		int f = w->quoted ? -1 : vmsim_trace_format_parse(w->val);

		if (f >= 0) {
			if (have_format)
				goto dup;
			have_format = true;
			c->format = (enum vmsim_trace_format)f;
		} else if ((v = kv(w, "map"))) {
			if (have_map)
				goto dup;
			have_map = true;
			if (strcmp(v, "auto") && strcmp(v, "none")) {
				script_seterr(err, errlen, "trace: map= wants auto or none, got '%.40s'", v);
				return -1;
			}
			c->map_none = !strcmp(v, "none");
		} else {
			script_seterr(err, errlen, "trace: unknown option '%.40s' (auto, lackey, din, "
			       "plain, map=auto, map=none)", w->val);
			return -1;
		}
		continue;
dup:
		script_seterr(err, errlen, "trace: a second %s in '%.40s'", kv(w, "map") ? "map=" :
		       "format", w->val);
		return -1;
	}
	return 0;
}

static int parse_proc_cmd(const struct line *l, struct vmsim_cmd *c, char *err, size_t errlen)
{
	const struct cmd_desc *d;
	char usage[160];

	if (parse_name(&l->w[0], c->proc, err, errlen))
		return -1;
	if (l->n < 2) {
		script_seterr(err, errlen, "missing command after '%s' (mmap, munmap, touch, ...)",
		       c->proc);
		return -1;
	}
	for (d = proc_cmds; d->name; d++)
		if (!l->w[1].quoted && !strcmp(d->name, l->w[1].val))
			break;
	if (!d->name) {
		script_seterr(err, errlen, "unknown command '%.40s'", l->w[1].val);
		return -1;
	}
	snprintf(usage, sizeof(usage), "%s %s%s%s", c->proc, d->name, d->usage[0] ? " " : "",
		 d->usage);
	c->op = d->op;
	switch (d->op) {
	case VMSIM_CMD_MMAP:
		c->fd = -1;
		if (want_words(l, 6, 8, usage, err, errlen) ||
		    parse_num(&l->w[2], &c->addr, "ADDR", err, errlen) ||
		    parse_num(&l->w[3], &c->len, "LEN", err, errlen) ||
		    parse_prot_word(&l->w[4], &c->prot, err, errlen) ||
		    vmsim_parse_mmap_flags(l->w[5].val, &c->flags, err, errlen) ||
		    (l->n >= 7 && parse_fd(&l->w[6], &c->fd, err, errlen)) ||
		    (l->n == 8 && parse_num(&l->w[7], &c->newaddr, "OFFSET", err, errlen)))
			return -1;
		return 0;
	case VMSIM_CMD_OPEN:
		if (want_words(l, 3, 5, usage, err, errlen))
			return -1;
		if (memchr(l->w[2].val, 0, l->w[2].val_len) || !l->w[2].val_len) {
			script_seterr(err, errlen, "open: bad PATH '%.40s'", l->w[2].raw);
			return -1;
		}
		c->prot = 0644;
		if ((l->n >= 4 && vmsim_parse_open_flags(l->w[3].val, &c->flags, err, errlen)) ||
		    (l->n == 5 && parse_mode(&l->w[4], &c->prot, err, errlen)))
			return -1;
		c->path = strdup(l->w[2].val);
		if (!c->path) {
			script_seterr(err, errlen, "out of memory");
			return -1;
		}
		return 0;
	case VMSIM_CMD_CLOSE:
	case VMSIM_CMD_FSYNC:
		if (want_words(l, 3, 3, usage, err, errlen) ||
		    parse_fd(&l->w[2], &c->fd, err, errlen))
			return -1;
		return 0;
	case VMSIM_CMD_PREAD:
	case VMSIM_CMD_PWRITE:
		if (want_words(l, 6, 6, usage, err, errlen) ||
		    parse_fd(&l->w[2], &c->fd, err, errlen) ||
		    parse_num(&l->w[3], &c->addr, "ADDR", err, errlen) ||
		    parse_num(&l->w[4], &c->len, "LEN", err, errlen) ||
		    parse_num(&l->w[5], &c->newaddr, "OFFSET", err, errlen))
			return -1;
		return 0;
	case VMSIM_CMD_MPROTECT:
		if (want_words(l, 5, 5, usage, err, errlen) ||
		    parse_num(&l->w[2], &c->addr, "ADDR", err, errlen) ||
		    parse_num(&l->w[3], &c->len, "LEN", err, errlen) ||
		    parse_prot_word(&l->w[4], &c->prot, err, errlen))
			return -1;
		return 0;
	case VMSIM_CMD_MREMAP:
		if (want_words(l, 5, 7, usage, err, errlen) ||
		    parse_num(&l->w[2], &c->addr, "ADDR", err, errlen) ||
		    parse_num(&l->w[3], &c->len, "OLDLEN", err, errlen) ||
		    parse_num(&l->w[4], &c->len2, "NEWLEN", err, errlen))
			return -1;
		if (l->n >= 6 && vmsim_parse_mremap_flags(l->w[5].val, &c->flags, err, errlen))
			return -1;
		if (l->n == 7 && parse_num(&l->w[6], &c->newaddr, "NEWADDR", err, errlen))
			return -1;
		return 0;
	case VMSIM_CMD_MUNMAP:
	case VMSIM_CMD_MLOCK:
	case VMSIM_CMD_MUNLOCK:
	case VMSIM_CMD_MINCORE:
	case VMSIM_CMD_READ:
		if (want_words(l, 4, 4, usage, err, errlen) ||
		    parse_num(&l->w[2], &c->addr, "ADDR", err, errlen) ||
		    parse_num(&l->w[3], &c->len, "LEN", err, errlen))
			return -1;
		if (d->op == VMSIM_CMD_READ && c->len == 0) {
			script_seterr(err, errlen, "read: LEN must be at least 1");
			return -1;
		}
		return 0;
	case VMSIM_CMD_BRK:
	case VMSIM_CMD_SETSP:
		if (want_words(l, 3, 3, usage, err, errlen) ||
		    parse_num(&l->w[2], &c->addr, "ADDR", err, errlen))
			return -1;
		return 0;
	case VMSIM_CMD_MADVISE:
		if (want_words(l, 5, 5, usage, err, errlen) ||
		    parse_num(&l->w[2], &c->addr, "ADDR", err, errlen) ||
		    parse_num(&l->w[3], &c->len, "LEN", err, errlen))
			return -1;
		c->flags = l->w[4].quoted ? -1 : vmsim_parse_advice(l->w[4].val);
		if (c->flags < 0) {
			script_seterr(err, errlen, "madvise: unknown advice '%.40s' (normal, random, "
			       "sequential, willneed, dontneed)", l->w[4].val);
			return -1;
		}
		return 0;
	case VMSIM_CMD_MLOCKALL:
		if (want_words(l, 3, 3, usage, err, errlen) ||
		    vmsim_parse_mlockall_flags(l->w[2].val, &c->flags, err, errlen))
			return -1;
		return 0;
	case VMSIM_CMD_MUNLOCKALL:
	case VMSIM_CMD_EXIT:
	case VMSIM_CMD_EXIT_GROUP:
		return want_words(l, 2, 2, usage, err, errlen);
	case VMSIM_CMD_TOUCH:
		if (want_words(l, 4, 8, usage, err, errlen) ||
		    parse_num(&l->w[2], &c->addr, "ADDR", err, errlen) ||
		    parse_num(&l->w[3], &c->len, "LEN", err, errlen))
			return -1;
		return parse_touch(l, c, err, errlen);
	case VMSIM_CMD_WRITE:
		if (want_words(l, 4, 5, usage, err, errlen) ||
		    parse_num(&l->w[2], &c->addr, "ADDR", err, errlen))
			return -1;
		return parse_write(l, c, err, errlen);
	case VMSIM_CMD_TRACE:
		if (want_words(l, 3, 5, usage, err, errlen))
			return -1;
		return parse_trace(l, c, err, errlen);
	case VMSIM_CMD_EXEC:
		if (want_words(l, 3, MAX_WORDS, usage, err, errlen))
			return -1;
		return parse_exec(l, c, err, errlen);
	case VMSIM_CMD_FORK:
	case VMSIM_CMD_CLONE:
	case VMSIM_CMD_THREAD:
		if (want_words(l, 3, 3, usage, err, errlen) ||
		    parse_name(&l->w[2], c->child, err, errlen))
			return -1;
		return 0;
	default:
		script_seterr(err, errlen, "unknown command '%.40s'", l->w[1].val);
		return -1;
	}
}

void vmsim_cmd_free(struct vmsim_cmd *c)
{
	for (int i = 0; i < c->nr_opts; i++) {
		free(c->opt_keys[i]);
		free(c->opt_values[i]);
	}
	free(c->opt_keys);
	free(c->opt_values);
	free(c->data);
	free(c->value);
	free(c->path);
	for (int i = 0; c->args && i < c->nr_args; i++)
		free(c->args[i]);
	free(c->args);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

static char *join_words(const struct line *l)
{
	size_t n = 1;
	char *s, *p;

	for (int i = 0; i < l->n; i++)
		n += l->w[i].raw_len + 1;
	s = malloc(n);
	if (!s)
		return NULL;
	p = s;
	for (int i = 0; i < l->n; i++) {
		if (i)
			*p++ = ' ';
		memcpy(p, l->w[i].raw, l->w[i].raw_len);
		p += l->w[i].raw_len;
	}
	*p = 0;
	return s;
}

static int parse_words(const struct line *l, struct vmsim_cmd *c, char *err, size_t errlen)
{
	const char *first = l->w[0].val;

	if (l->w[0].quoted) {
		script_seterr(err, errlen, "a line cannot start with a string");
		return -1;
	}
	if (!strcmp(first, "machine"))
		return parse_machine(l, c, err, errlen);
	if (!strcmp(first, "spawn")) {
		if (want_words(l, 2, 2, "spawn A", err, errlen) ||
		    parse_name(&l->w[1], c->child, err, errlen))
			return -1;
		c->op = VMSIM_CMD_SPAWN;
		return 0;
	}
	if (!strcmp(first, "swapon")) {
		uint64_t prio = 0;

		if (want_words(l, 2, 3, "swapon SIZE [PRIO]", err, errlen) ||
		    parse_num(&l->w[1], &c->len, "SIZE", err, errlen) ||
		    (l->n == 3 && parse_num(&l->w[2], &prio, "PRIO", err, errlen)))
			return -1;
		if (prio > 32767) {
			script_seterr(err, errlen, "swapon: PRIO must be 0..32767");
			return -1;
		}
		c->flags = l->n == 3 ? (int)prio : -1;
		c->op = VMSIM_CMD_SWAPON;
		return 0;
	}
	if (!strcmp(first, "swapoff")) {
		if (want_words(l, 2, 2, "swapoff AREA", err, errlen) ||
		    parse_num(&l->w[1], &c->addr, "AREA", err, errlen))
			return -1;
		c->op = VMSIM_CMD_SWAPOFF;
		return 0;
	}
	if (!strcmp(first, "show"))
		return parse_show(l, c, err, errlen);
	if (!strcmp(first, "expect"))
		return parse_expect(l, c, err, errlen);
	for (const struct cmd_desc *d = proc_cmds; d->name; d++)
		if (!strcmp(d->name, first)) {
			script_seterr(err, errlen, "'%s' needs a process first: A %s %s", d->name,
			       d->name, d->usage);
			return -1;
		}
	if (!name_chars_ok(first)) {
		script_seterr(err, errlen, "unknown command '%.40s'", first);
		return -1;
	}
	return parse_proc_cmd(l, c, err, errlen);
}

int vmsim_cmd_parse(const char *s, struct vmsim_cmd *c, char *err, size_t errlen)
{
	struct line l;
	const char *nl = memchr(s, '\n', strlen(s));
	size_t len = nl ? (size_t)(nl - s) : strlen(s);
	int ret;

	memset(c, 0, sizeof(*c));
	if (lex(s, len, &l, err, errlen))
		return -1;
	if (l.n == 0)
		return 0;
	ret = parse_words(&l, c, err, errlen);
	if (!ret) {
		c->text = join_words(&l);
		if (!c->text) {
			script_seterr(err, errlen, "out of memory");
			ret = -1;
		}
	}
	line_free(&l);
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
		if (c.op == VMSIM_CMD_NONE)
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
