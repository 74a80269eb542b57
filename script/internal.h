/*
 * Shared by the files of the script language (script/): the words of a
 * line, the argument parsers every command uses, the session helpers the
 * executors print through, and every command's functions, declared from
 * its row of the one table (script/commands.h, made into the table by
 * script/table.c).  Public API only below here: nothing in script/ reaches
 * the kernel (docs/architecture.md).
 */
#ifndef SCRIPT_INTERNAL_H
#define SCRIPT_INTERNAL_H

#include <stddef.h>
#include "vmsim/vmsim.h"
#include "vmsim/script.h"

#define MAX_WORDS	16

struct word {
	const char *raw;	/* as written (quotes included) */
	size_t raw_len;
	char *val;		/* NUL-terminated value (escapes resolved) */
	size_t val_len;		/* may hold NUL bytes when quoted */
	bool quoted;
};

struct vmsim_words {
	int n;
	struct word w[MAX_WORDS];
};

/* A process command's call (struct vmsim_cmd_def's run). */
struct vmsim_call {
	int pid;		/* the process, alive when run is called */
	long ret;		/* the result: VMSIM_KILLED when the process died */
	char res[160];		/* printed after `=` */
	bool numeric;		/* res is a number (expect = compares it as one) */
};

/* --- lex.c: words -------------------------------------------------------- */

/* Split @s (len bytes, no newline) into words; # outside quotes ends the line. */
int script_lex(const char *s, size_t len, struct vmsim_words *l, char *err, size_t errlen);
void script_words_free(struct vmsim_words *l);
/* The words joined with single spaces, as written (malloc'd). */
char *script_join_words(const struct vmsim_words *l);

/* --- values.c ------------------------------------------------------------ */

/* Format an error into @err (one clean line: control bytes become '?'). */
__attribute__((format(printf, 3, 4)))
void script_seterr(char *err, size_t errlen, const char *fmt, ...);
/* An int-sized number (raw flag bits, vmsim_parse_number syntax): 0, or -1. */
int script_parse_int(const char *s, int *out);

/* --- parse.c: arguments -------------------------------------------------- */

int script_want_words(const struct vmsim_words *l, int lo, int hi, const char *usage,
		      char *err, size_t errlen);
int script_parse_name(const struct word *w, char *out, char *err, size_t errlen);
int script_parse_num(const struct word *w, uint64_t *out, const char *what,
		     char *err, size_t errlen);
int script_parse_prot(const struct word *w, int *prot, char *err, size_t errlen);
int script_parse_fd(const struct word *w, int *fd, char *err, size_t errlen);
/* "key=value" word: the value if the key matches, else NULL. */
const char *script_kv(const struct word *w, const char *key);

/* --- suggest.c: "did you mean" ------------------------------------------- */

struct script_suggest {
	const char *word;	/* the unknown word */
	const char *best;	/* the nearest candidate so far, NULL: none near enough */
	int dist;		/* its distance (or the bound a candidate must beat) */
};
int script_edit_distance(const char *a, const char *b);
void script_suggest_init(struct script_suggest *sg, const char *word);
void script_suggest_try(struct script_suggest *sg, const char *cand);
/* show --json: a /proc table's text as one JSON line (show_json.c); NULL: no memory. */
char *script_show_json(enum vmsim_show what, const char *text);
/* "; did you mean 'WORD'?" (in @buf), or "" when no candidate was near. */
const char *script_suggest_text(const struct script_suggest *sg, char *buf, size_t len);
/* The nearest command word: @per_process 1 `A word` ones, 0 the others, -1 all. */
const char *script_suggest_cmd(const char *word, int per_process);

/* --- session.c: for the executors ---------------------------------------- */

struct vmsim_proc_name *script_find_name(struct vmsim_session *s, const char *name);
/* "unknown process" when the name is not bound. */
struct vmsim_proc_name *script_lookup(struct vmsim_session *s, const char *name);
/* Bind @name to @pid: a new name, or one whose process is gone. */
enum vmsim_run_status script_bind_name(struct vmsim_session *s, const char *name, int pid);
/* A new name must not belong to a live process. */
enum vmsim_run_status script_check_new_name(struct vmsim_session *s, const char *name);
/* "killed by SIGSEGV (SEGV_ACCERR) at 0x1000", "exited", "alive" */
void script_describe_state(struct vmsim_session *s, int pid, char *buf, size_t n);
void script_print_killed(struct vmsim_session *s, int i);
void script_set_last(struct vmsim_session *s, const char *result, bool numeric);
/* A result printed: `TEXT = RES`, and remembered for expect =. */
void script_print_result(struct vmsim_session *s, const struct vmsim_cmd *c, const char *res,
			 bool numeric);
/* A path of the script relative to its directory (malloc'd). */
char *script_relative(const struct vmsim_session *s, const char *path);
enum vmsim_run_status script_set_root(struct vmsim_session *s, const char *val,
				      bool from_script);
/* Results into @call: an error name, else a hex address / a decimal number. */
void script_fmt_errno(char *buf, size_t n, long err);
void script_fmt_addr(struct vmsim_call *call, long ret);
void script_fmt_num(struct vmsim_call *call, long ret);
/* read: LEN <= 64 bytes in hex, more as fnv1a64:HASH (cmd_access.c). */
/* read's text of @a (through its selector if it has one) */
int script_read_range(struct vmsim_session *s, int pid, const struct vmsim_args_range *a,
		      char *out, size_t outlen);
/*
 * ADDR or SEL:ADDR (a logical address: SEL a selector's name, __USER_DS
 * and the three others, or number): *@seg tells whether a SEL was given,
 * *@sel is it (__USER_DS when not).
 */
int script_parse_addr_seg(const struct word *w, bool *seg, unsigned int *sel, uint64_t *addr,
			  char *err, size_t errlen);
static inline int script_parse_logical(const struct word *w, unsigned int *sel, uint64_t *addr,
				       char *err, size_t errlen)
{
	bool seg;

	return script_parse_addr_seg(w, &seg, sel, addr, err, errlen);
}
int script_read_text(struct vmsim_session *s, int pid, uint64_t addr, uint64_t len, char *out,
		     size_t outlen);

/* --- the commands (their rows are in commands.h) -------------------------- */

/*
 * Each command's functions, declared from its row: its parser, its executor
 * and (when its row names one) the release of what the parser allocated.
 */
#define SCRIPT_CMD(name)							\
	int script_parse_##name(struct vmsim_cmd *c, const struct vmsim_words *l,	\
				const char *usage, char *err, size_t errlen);	\
	enum vmsim_run_status script_run_##name(struct vmsim_session *s,	\
						const struct vmsim_cmd *c,	\
						struct vmsim_call *call);	\
	void script_release_##name(struct vmsim_cmd *c)
#define ROW(w, ...)	SCRIPT_CMD(w);
#include "commands.h"
#undef ROW

/* run.c: a process command's call, its result or kill line printed; in a
 * concurrent @round, others' deaths are left to the round's end. */
enum vmsim_run_status script_run_proc_cmd(struct vmsim_session *s, const struct vmsim_cmd *c,
					  bool round);
/* concurrent.c: serial=off with several CPUs (and no explain or events). */
bool script_concurrent(const struct vmsim_session *s);
/* How many commands from @first form a concurrent round (0: run it alone). */
int script_round_length(const struct vmsim_session *s, const struct vmsim_script *sc, int first);
enum vmsim_run_status script_run_round(struct vmsim_session *s, const struct vmsim_script *sc,
				       int first, int n);

/* The session's end: report and free what K left allocated, forget its names. */
void script_kernel_release(struct vmsim_session *s);
/* ADDR as K takes it (a number, NAME or NAME+OFFSET): 0, or -1 with the error printed. */
int script_kernel_resolve(struct vmsim_session *s, const char *text, const char *what,
			  uint64_t *out);
/* The same for a frame: a number or a name of K alloc_pages (an address's name is an error). */
int script_kernel_resolve_pfn(struct vmsim_session *s, const char *text, uint64_t *out);

/* explain.c: kernel events in the session (`events`, `explain`, `show events`) */
/* The machine's events as the session wants them (after boot, after `events`). */
void script_events_apply(struct vmsim_session *s);
/* Around each command: forget the last one's events; print the explanation. */
void script_explain_begin(struct vmsim_session *s);
void script_explain_end(struct vmsim_session *s);
void script_explain_free(struct vmsim_session *s);
void script_show_events(struct vmsim_session *s);

#endif
