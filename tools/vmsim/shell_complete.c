/*
 * The shell's completion: what may stand at the cursor, read from the
 * command table's help lines (script/commands.h) as a grammar, and from
 * the session and the public API for the words the table only names:
 *
 *   literal words and alternatives   show meminfo|buddyinfo, [read|write]
 *   key=value words                  stride=N -> "stride=", map=auto|none
 *   A                                the names of the session's live processes
 *   PATH                             files under the machine's root= (exec, open)
 *   FILE                             host files (trace)
 *   KEY=VALUE                        machine options (vmsim_config_option), their
 *                                    values: reclaim policies (vmsim_reclaim_policy),
 *                                    choices such as "on or off", host paths
 *   LIST                             kernel events (vmsim_events_name), comma lists
 *   SIGNAL                           signal names (vmsim_signal_name)
 *
 * A line is matched against every form of every row (a row's usage lines,
 * each split at " | "; "[ ]" optional, "..." repeats) and the candidates
 * of every form that still matches are offered.  The core needs no
 * readline, so tests/unit/test_shell.c checks it; the readline glue is
 * at the end (HAVE_READLINE).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "vmsim/stats.h"
#include "vmsim/trace.h"
#include "shell.h"

#ifdef HAVE_READLINE
#include <readline/readline.h>
#endif

#define MAX_TOKS	16
#define TOK_LEN		256	/* show's list of forms is one token */
#define MAX_LINE_WORDS	32

/* The words of the shell's own, besides the table's. */
const char *const shell_extra_words[] = { "help", "history", "quit", "exit", NULL };

struct form_tok {
	char text[TOK_LEN];	/* as in the usage, brackets taken off */
	bool optional;		/* opens a [ ] group: the group may be left out */
	int skip_to;		/* optional: the token after its group */
	bool repeat;		/* followed by ... */
};

struct form {
	int n;
	struct form_tok t[MAX_TOKS];
};

struct complete_ctx {
	struct vmsim_session *s;
	const char *prefix;	/* the word typed so far */
	shell_add_fn add;
	void *arg;
};

/* --- the candidates list -------------------------------------------------- */

void shell_words_add(void *arg, const char *word)
{
	struct shell_words *w = arg;
	char **nv;

	for (int i = 0; i < w->n; i++)
		if (!strcmp(w->v[i], word))
			return;
	nv = realloc(w->v, (size_t)(w->n + 1) * sizeof(*nv));
	if (!nv)
		return;
	w->v = nv;
	w->v[w->n] = strdup(word);
	if (w->v[w->n])
		w->n++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void shell_words_sort(struct shell_words *w)
{
	if (w->n > 1)
		qsort(w->v, (size_t)w->n, sizeof(*w->v), cmp_str);
}

void shell_words_free(struct shell_words *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

/* --- offering words ------------------------------------------------------- */

/* @lead followed by @word, if it begins with what was typed. */
static void offer2(struct complete_ctx *cx, const char *lead, const char *word)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s%s", lead, word);
	if (!strncmp(buf, cx->prefix, strlen(cx->prefix)))
		cx->add(cx->arg, buf);
}

static void offer(struct complete_ctx *cx, const char *word)
{
	offer2(cx, "", word);
}

/* The names of the session's live processes. */
static void offer_processes(struct complete_ctx *cx)
{
	struct vmsim_task_stats st;

	if (!cx->s->m)
		return;
	for (int i = 0; i < cx->s->nr_procs; i++)
		if (cx->s->procs[i].pid > 0 &&
		    !vmsim_task_stats(cx->s->m, cx->s->procs[i].pid, &st))
			offer(cx, cx->s->procs[i].name);
}

/*
 * Files: @typed (after @lead, e.g. "swapfile=") names a path; entries of
 * its directory, under @base (NULL: the working directory; an absolute
 * path is taken under @base too, as the machine's root= takes it).
 * Directories end in '/'.
 */
static void offer_files(struct complete_ctx *cx, const char *base, const char *lead,
			const char *typed)
{
	const char *slash = strrchr(typed, '/');
	size_t dirlen = slash ? (size_t)(slash - typed) + 1 : 0;
	const char *name = typed + dirlen;
	char dir[4096], path[4096 + 256], cand[4096];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (base)
		snprintf(dir, sizeof(dir), "%s/%.*s", base, (int)dirlen, typed);
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)dirlen, dirlen ? typed : "./");
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (e->d_name[0] == '.' && name[0] != '.') ||
		    strncmp(e->d_name, name, strlen(name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(cand, sizeof(cand), "%.*s%s%s", (int)dirlen, typed, e->d_name,
			 !stat(path, &st) && S_ISDIR(st.st_mode) ? "/" : "");
		offer2(cx, lead, cand);
	}
	closedir(d);
}

/*
 * The choices of a machine option when its description lists words
 * ("on or off", "i386, pae or x86_64"); nothing for ranges and sizes.
 */
static void offer_choices(struct complete_ctx *cx, const char *lead, const char *values)
{
	char buf[160], *p, *save;
	const char *words[8];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", values);
	for (p = buf; (p = strstr(p, " or ")); )
		memcpy(p, ",   ", 4);
	for (p = strtok_r(buf, ",", &save); p && n < 8; p = strtok_r(NULL, ",", &save)) {
		size_t len;

		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (!len)
			continue;
		if (p[len + strspn(p + len, " ")])
			return;		/* more than one word: a description */
		p[len] = 0;
		for (const char *c = p; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '_')
				return;
		words[n++] = p;
	}
	for (int i = 0; n > 1 && i < n; i++)
		offer2(cx, lead, words[i]);
}

/* machine KEY=VALUE: the keys, or the values of the key typed. */
static void offer_machine_option(struct complete_ctx *cx)
{
	const char *eq = strchr(cx->prefix, '='), *key, *values, *name, *follows;
	char lead[64];

	if (!eq) {
		for (unsigned int i = 0; !vmsim_config_option(i, &key, &values); i++)
			offer2(cx, key, "=");
		offer(cx, "root=");	/* the script's own (script/cmd_machine.c) */
		return;
	}
	snprintf(lead, sizeof(lead), "%.*s", (int)(eq - cx->prefix + 1), cx->prefix);
	if (!strcmp(lead, "root=") || !strcmp(lead, "swapfile=")) {
		offer_files(cx, NULL, lead, eq + 1);
		return;
	}
	if (!strcmp(lead, "reclaim=")) {
		for (unsigned int i = 0; !vmsim_reclaim_policy(i, &name, &follows); i++)
			offer2(cx, lead, name);
		offer2(cx, lead, "plugin:");
		return;
	}
	for (unsigned int i = 0; !vmsim_config_option(i, &key, &values); i++)
		if (!strncmp(key, lead, strlen(key)) && lead[strlen(key)] == '=')
			offer_choices(cx, lead, values);
}

/* events LIST: every event (SYSTEM:NAME), every system (SYSTEM:*), all, none. */
static void offer_events(struct complete_ctx *cx)
{
	const char *comma = strrchr(cx->prefix, ','), *sys, *name;
	char lead[256];

	snprintf(lead, sizeof(lead), "%.*s", comma ? (int)(comma - cx->prefix + 1) : 0,
		 cx->prefix);
	offer2(cx, lead, "all");
	offer2(cx, lead, "none");
	for (int id = 0; (name = vmsim_events_name(id, &sys)); id++) {
		char w[128];

		snprintf(w, sizeof(w), "%s:*", sys);
		offer2(cx, lead, w);
		snprintf(w, sizeof(w), "%s:%s", sys, name);
		offer2(cx, lead, w);
	}
}

static bool is_placeholder(const char *t)
{
	return (isupper((unsigned char)t[0]) || t[0] == '"') && strcmp(t, "K");
}

/* The candidates of one token of a form. */
static void offer_token(struct complete_ctx *cx, const struct form_tok *t)
{
	char buf[TOK_LEN], *alt, *save, *eq;

	if (!strcmp(t->text, "A"))
		offer_processes(cx);
	else if (!strcmp(t->text, "PATH"))
		offer_files(cx, cx->s->root, "", cx->prefix);
	else if (!strcmp(t->text, "FILE"))
		offer_files(cx, NULL, "", cx->prefix);
	else if (!strcmp(t->text, "KEY=VALUE"))
		offer_machine_option(cx);
	else if (!strcmp(t->text, "LIST"))
		offer_events(cx);
	else if (!strcmp(t->text, "SIGNAL")) {
		for (int sig = 1; sig < 65; sig++)
			if (vmsim_signal_name(sig))
				offer(cx, vmsim_signal_name(sig));
	}
	if (is_placeholder(t->text))
		return;
	/* literal words: alternatives a|b, key=VALUE, key=a|b, word[,more] */
	snprintf(buf, sizeof(buf), "%s", t->text);
	eq = strchr(buf, '=');
	if (eq && eq != buf) {
		char lead[TOK_LEN];

		snprintf(lead, sizeof(lead), "%.*s", (int)(eq - buf + 1), buf);
		for (alt = strtok_r(eq + 1, "|", &save); alt; alt = strtok_r(NULL, "|", &save))
			offer2(cx, lead, is_placeholder(alt) ? "" : alt);
		return;
	}
	for (alt = strtok_r(buf, "|", &save); alt; alt = strtok_r(NULL, "|", &save)) {
		char *br = strchr(alt, '['), whole[TOK_LEN];
		size_t k = 0;

		if (!br) {
			offer(cx, alt);
			continue;
		}
		for (const char *c = alt; *c && k < sizeof(whole) - 1; c++)
			if (*c != '[' && *c != ']')
				whole[k++] = *c;
		whole[k] = 0;
		*br = 0;
		offer(cx, alt);		/* current */
		offer(cx, whole);	/* current,future */
	}
}

/* --- the grammar ---------------------------------------------------------- */

/* Does token @t take the typed word @w? */
static bool tok_accepts(const struct form_tok *t, const char *w)
{
	char buf[TOK_LEN], *alt, *save, *eq;

	if (!strcmp(t->text, "A"))
		return !vmsim_cmd_find(w) && (isalpha((unsigned char)w[0]) || w[0] == '_');
	if (is_placeholder(t->text))
		return true;
	snprintf(buf, sizeof(buf), "%s", t->text);
	eq = strchr(buf, '=');
	if (eq && eq != buf)
		return !strncmp(w, buf, (size_t)(eq - buf + 1));
	for (alt = strtok_r(buf, "|", &save); alt; alt = strtok_r(NULL, "|", &save)) {
		char *br = strchr(alt, '[');

		if (br)
			*br = 0;
		if (!strcmp(alt, w) || (br && !strncmp(w, alt, strlen(alt))))
			return true;
	}
	return false;
}

/* One form of a usage ("A touch ADDR LEN [read|write] ..."), @len bytes, into tokens. */
static void form_parse(const char *p, size_t len, struct form *f)
{
	int open[MAX_TOKS], depth = 0;	/* the tokens that opened the groups still open */
	const char *end = p + len, *gap = NULL;

	f->n = 0;
	memset(f->t, 0, sizeof(f->t));
	/* a note after two blanks ("     GFP: kernel,atomic") is not part of the form */
	for (const char *q = p; q + 1 < end && !gap; q++)
		if (q[0] == ' ' && q[1] == ' ')
			gap = q;
	if (gap)
		end = gap;
	while (p < end && f->n < MAX_TOKS) {
		struct form_tok *t = &f->t[f->n];
		size_t n;
		int close = 0;

		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		n = strcspn(p, " ");
		if (p + n > end)
			n = (size_t)(end - p);
		if (n == 3 && !strncmp(p, "...", 3)) {
			if (f->n)
				f->t[f->n - 1].repeat = true;
			p += n;
			continue;
		}
		t->optional = false;
		t->repeat = false;
		while (n && *p == '[') {
			if (depth < MAX_TOKS)
				open[depth++] = f->n;
			t->optional = true;
			p++;
			n--;
		}
		while (n && p[n - 1] == ']') {
			close++;
			n--;
		}
		snprintf(t->text, sizeof(t->text), "%.*s", (int)n, p);
		for (; close && depth; close--)
			f->t[open[--depth]].skip_to = f->n + 1;
		p += n + (size_t)strspn(p + n, "]");
		f->n++;
	}
}

/* Offer what may follow the typed words @w[0..@nw) in form @f. */
static void form_complete(struct complete_ctx *cx, const struct form *f, char **w, int nw)
{
	bool cur[MAX_TOKS + 1] = { true }, next[MAX_TOKS + 1];

	for (int k = 0; k <= nw; k++) {
		/* optional groups and repeated tokens may be left out */
		for (int i = 0; i < f->n; i++) {
			if (cur[i] && f->t[i].optional)
				cur[f->t[i].skip_to > i ? f->t[i].skip_to : i + 1] = true;
			if (cur[i] && f->t[i].repeat)
				cur[i + 1] = true;
		}
		if (k == nw)
			break;
		memset(next, 0, sizeof(next));
		for (int i = 0; i < f->n; i++)
			if (cur[i] && tok_accepts(&f->t[i], w[k])) {
				next[i + 1] = true;
				if (f->t[i].repeat)
					next[i] = true;
			}
		memcpy(cur, next, sizeof(cur));
	}
	for (int i = 0; i < f->n; i++)
		if (cur[i])
			offer_token(cx, &f->t[i]);
}

/* Each form of row @d: its usage lines split at " | ", or "[A ]word args". */
static void row_complete(struct complete_ctx *cx, const struct vmsim_cmd_def *d, char **w,
			 int nw)
{
	struct form f;

	if (!d->usage) {
		char buf[256];

		snprintf(buf, sizeof(buf), "%s%s %s", d->per_process ? "A " : "", d->word, d->args);
		form_parse(buf, strlen(buf), &f);
		form_complete(cx, &f, w, nw);
		return;
	}
	for (const char *p = d->usage; *p; ) {
		size_t line = strcspn(p, "\n");
		const char *bar = strstr(p, " | ");
		size_t n = bar && bar < p + line ? (size_t)(bar - p) : line;

		form_parse(p, n, &f);
		form_complete(cx, &f, w, nw);
		p += n;
		p += !strncmp(p, " | ", 3) ? 3 : *p == '\n';
	}
}

/* Split @line[0..@point) into the words before the one being typed and that one. */
static int split_line(const char *line, size_t point, char *buf, char **w, const char **prefix)
{
	size_t i = 0, k = 0;
	int n = 0;
	bool quoted = false, in_word = false;

	for (i = 0; i < point; i++) {
		char c = line[i];

		if (!quoted && (c == ' ' || c == '\t')) {
			if (in_word) {
				buf[k++] = 0;
				in_word = false;
			}
			continue;
		}
		if (!in_word) {
			if (n == MAX_LINE_WORDS)
				return -1;
			w[n++] = buf + k;
			in_word = true;
		}
		if (c == '"' && (i == 0 || line[i - 1] != '\\'))
			quoted = !quoted;
		buf[k++] = c;
	}
	buf[k] = 0;
	*prefix = in_word ? w[--n] : buf + k;
	return n;
}

void shell_complete(struct vmsim_session *s, const char *line, size_t point, shell_add_fn add,
		    void *arg)
{
	char *buf = malloc(point + 2), *w[MAX_LINE_WORDS];
	struct complete_ctx cx = { .s = s, .add = add, .arg = arg };
	const struct vmsim_cmd_def *d;
	int nw;

	if (!buf)
		return;
	nw = split_line(line, point, buf, w, &cx.prefix);
	if (nw < 0 || (nw && w[0][0] == '#')) {
		free(buf);
		return;
	}
	if (nw == 0)
		for (int i = 0; shell_extra_words[i]; i++)
			offer(&cx, shell_extra_words[i]);
	if (nw == 1 && !strcmp(w[0], "help")) {
		for (int i = 0; (d = vmsim_cmd_at(i)); i++)
			offer(&cx, d->word);
		for (int i = 0; shell_extra_words[i]; i++)
			offer(&cx, shell_extra_words[i]);
	}
	for (int i = 0; (d = vmsim_cmd_at(i)); i++)
		row_complete(&cx, d, w, nw);
	free(buf);
}

/* --- readline ------------------------------------------------------------- */

#ifdef HAVE_READLINE
static struct vmsim_session *shell_rl_session;
static struct shell_words shell_rl_matches;

static char *shell_rl_next(const char *text, int state)
{
	static int i;

	(void)text;
	if (!state)
		i = 0;
	return i < shell_rl_matches.n ? strdup(shell_rl_matches.v[i++]) : NULL;
}

static char **shell_rl_complete(const char *text, int start, int end)
{
	(void)start;
	rl_attempted_completion_over = 1;	/* ours only: no file names by default */
	shell_words_free(&shell_rl_matches);
	shell_complete(shell_rl_session, rl_line_buffer, (size_t)end, shell_words_add, &shell_rl_matches);
	shell_words_sort(&shell_rl_matches);
	if (shell_rl_matches.n == 1) {
		/* "ram=", "dir/", "kmem:" go on without a blank */
		const char *m = shell_rl_matches.v[0];
		char last = m[0] ? m[strlen(m) - 1] : 0;

		rl_completion_suppress_append = last == '=' || last == '/' || last == ':';
	}
	return rl_completion_matches(text, shell_rl_next);
}

void shell_complete_install(struct vmsim_session *s)
{
	shell_rl_session = s;
	rl_readline_name = "vmsim";
	rl_completer_word_break_characters = (char *)" \t";
	rl_attempted_completion_function = shell_rl_complete;
}

void shell_complete_fini(void)
{
	shell_words_free(&shell_rl_matches);
}
#else
void shell_complete_install(struct vmsim_session *s)
{
	(void)s;
}

void shell_complete_fini(void)
{
}
#endif
