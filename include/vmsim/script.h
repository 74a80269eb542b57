/*
 * The vmsim script language (docs/script.md), part of the library
 * (script/): one command per line, parsed into a struct vmsim_cmd whose
 * row of the command table (struct vmsim_cmd_def) holds its word, help,
 * parser and executor, and run by a session (struct vmsim_session) on one
 * machine.  Embedders, the vmsim tool, the unit tests and the fuzz targets
 * all use exactly this code.
 *
 * Also here: the exact helpers the language's meanings are defined by
 * (the splitmix64 finaliser for patterns and random touches, FNV-1a 64 for
 * long reads) and the errno -> "EINVAL" name table used in result lines.
 */
#ifndef VMSIM_SCRIPT_H
#define VMSIM_SCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include "vmsim/vmsim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMSIM_NAME_MAX		32	/* process names, NUL included */
#define VMSIM_LINE_MAX		4096	/* longest script line */

/* What `show` shows. */
enum vmsim_show {
	VMSIM_SHOW_MEMINFO,
	VMSIM_SHOW_BUDDYINFO,
	VMSIM_SHOW_ZONEINFO,
	VMSIM_SHOW_SLABINFO,
	VMSIM_SHOW_VMSTAT,
	VMSIM_SHOW_SWAPS,
	VMSIM_SHOW_KMSG,
	VMSIM_SHOW_VMALLOCINFO,
	VMSIM_SHOW_SYSCTL,	/* /proc/sys/vm, as `sysctl vm` prints it */
	VMSIM_SHOW_INTERRUPTS,	/* /proc/interrupts: the TLB shootdown IPIs per CPU */
	VMSIM_SHOW_NUMASTAT,	/* every node's /sys/devices/system/node/nodeN/numastat */
	VMSIM_SHOW_NODE_MEMINFO,	/* every node's .../nodeN/meminfo */
	VMSIM_SHOW_DISKSTATS,	/* /proc/diskstats: the block devices' I/O (disk=) */
	VMSIM_SHOW_REPORT,
	VMSIM_SHOW_MAPS,	/* show A maps: the forms of a process from here */
	VMSIM_SHOW_SMAPS,
	VMSIM_SHOW_STATUS,
	VMSIM_SHOW_NUMA_MAPS,	/* show A numa_maps: /proc/PID/numa_maps */
	VMSIM_SHOW_PAGETABLE,	/* show A pagetable ADDR (show K pagetable ADDR: the kernel's) */
	VMSIM_SHOW_TRANSLATE,	/* show A translate [SEL:]ADDR: logical -> linear -> physical */
	VMSIM_SHOW_PAGE,	/* show page PFN */
	VMSIM_SHOW_TLB,		/* show tlb CPU */
	VMSIM_SHOW_EVENTS,	/* show events: every kernel event, on or off */
};

/* How `touch` accesses memory. */
enum vmsim_touch_access { VMSIM_ACCESS_READ, VMSIM_ACCESS_WRITE };

/* Memory-access trace formats (docs/script.md, `trace`). */
enum vmsim_trace_format {
	VMSIM_TRACE_AUTO,	/* told from the first access line */
	VMSIM_TRACE_LACKEY,	/* valgrind --tool=lackey --trace-mem=yes */
	VMSIM_TRACE_DIN,	/* Dinero III: LABEL ADDRESS */
	VMSIM_TRACE_PLAIN,	/* R|W|X|M ADDR [SIZE] */
	VMSIM_TRACE_NR_FORMATS
};

/* The forms of `expect`. */
enum vmsim_expect_kind {
	VMSIM_EXPECT_READ,	/* expect A read ADDR LEN = HEXBYTES */
	VMSIM_EXPECT_ALIVE,	/* expect A alive */
	VMSIM_EXPECT_KILLED,	/* expect A killed SIGNAL [CODE] */
	VMSIM_EXPECT_RESULT,	/* expect = VALUE (LASTRESULT = VALUE) */
};

/*
 * The arguments of each command, as parsed (docs/script.md has their
 * meaning).  Numbers are as written; a bad value for the call (a misaligned
 * address, an unknown flag bit) is the call's error when run, not a parse
 * error.
 */
struct vmsim_args_machine {	/* machine KEY=VALUE ... */
	/*
	 * Checked against vmsim_config_set, except root=DIR (any non-empty
	 * value): the host directory the machine's files resolve in (vmsim/file.h).
	 */
	int nr_opts;
	char **keys, **values;
};
struct vmsim_args_name {	/* spawn B, A fork B, A clone B, A thread B */
	char name[VMSIM_NAME_MAX];	/* the new process's name */
};
struct vmsim_args_range {	/* munmap, mlock, munlock, mincore, read */
	uint64_t addr, len;
	bool seg;			/* read SEL:ADDR: through selector sel */
	unsigned int sel;
};
struct vmsim_args_addr {	/* brk, setsp */
	uint64_t addr;
};
struct vmsim_args_cpu {		/* on */
	uint64_t cpu;
};
struct vmsim_args_mempolicy {	/* set_mempolicy, mbind, get_mempolicy (script/cmd_numa.c) */
	uint64_t addr, len;		/* mbind's range; get_mempolicy's ADDR */
	int mode;			/* VMSIM_MPOL_* | its mode flags */
	bool has_nodes;			/* NODES given (else a NULL nodemask) */
	unsigned long nodes;		/* bit N: node N */
	unsigned int flags;		/* mbind's VMSIM_MPOL_MF_*, get_mempolicy's VMSIM_MPOL_F_* */
};
struct vmsim_args_mmap {
	uint64_t addr, len;
	int prot;			/* VMSIM_PROT_* bits */
	int flags;			/* VMSIM_MAP_* bits */
	int fd;				/* -1: none given */
	uint64_t offset;
};
struct vmsim_args_mprotect {
	uint64_t addr, len;
	int prot;
};
struct vmsim_args_mremap {
	uint64_t addr, old_len, new_len;
	int flags;			/* VMSIM_MREMAP_* bits */
	uint64_t new_addr;
};
struct vmsim_args_madvise {
	uint64_t addr, len;
	int advice;			/* VMSIM_MADV_* */
};
struct vmsim_args_mlockall {
	int flags;			/* VMSIM_MCL_* bits */
};
struct vmsim_args_msync {
	uint64_t addr, len;
	int flags;			/* MS_SYNC 4, MS_ASYNC 1, MS_INVALIDATE 2 (vmsim/file.h) */
};
struct vmsim_args_touch {
	uint64_t addr, len;
	enum vmsim_touch_access access;
	uint64_t stride;		/* default 4096 */
	bool random;			/* random=COUNT given */
	uint64_t count;			/* random=COUNT */
	uint64_t seed;			/* seed=S */
};
struct vmsim_args_write {
	uint64_t addr;
	bool seg;			/* write SEL:ADDR: through selector sel */
	unsigned int sel;
	uint64_t len;			/* bytes written: data_len, or len=N of a pattern */
	bool pattern;			/* pattern=SEED len=N, else the text in data */
	uint64_t seed;			/* pattern=SEED */
	unsigned char *data;		/* "TEXT", escapes resolved */
	size_t data_len;
};
struct vmsim_args_trace {
	char *path;			/* quotes and escapes resolved */
	enum vmsim_trace_format format;
	bool map_none;			/* map=none */
};
struct vmsim_args_exec {
	char *path;
	char **argv;			/* argv[0] = PATH, NULL-terminated */
	int argc;
};
struct vmsim_args_open {
	char *path;
	int flags;			/* O_* bits */
	int mode;			/* default 0644 */
};
struct vmsim_args_fd {		/* close, fsync */
	int fd;
};
struct vmsim_args_pio {		/* pread, pwrite */
	int fd;
	uint64_t addr, len, offset;
};
struct vmsim_args_ftruncate {
	int fd;
	int64_t length;			/* may be negative: the call's -EINVAL */
	char *path;			/* truncate PATH LEN (NULL for ftruncate) */
};
struct vmsim_args_swapon {
	uint64_t size;
	int prio;			/* -1: the default */
};
struct vmsim_args_swapoff {
	uint64_t area;
};
struct vmsim_args_sysctl {	/* sysctl vm.NAME=VALUE */
	char name[64];
	uint64_t value;
	char text[128];			/* vm.bdflush: its nine numbers, as written */
};
struct vmsim_args_sleep {	/* sleep TIME */
	uint64_t centisecs;
};
struct vmsim_args_events {	/* events LIST */
	uint64_t mask;
};
struct vmsim_args_explain {	/* explain on|off */
	bool on;
};
struct vmsim_args_show {	/* the process, for its forms, is cmd->proc */
	enum vmsim_show what;
	uint64_t addr;			/* pagetable ADDR, translate [SEL:]ADDR */
	unsigned int sel;		/* translate: the selector (__USER_DS if none) */
	char kaddr[VMSIM_NAME_MAX * 2];	/* show K pagetable ADDR, show page PFN: as written
					   (a K name allowed) */
	uint64_t pfn;			/* page PFN, when a number (0 for a name) */
	uint64_t cpu;			/* tlb CPU */
	char keys[256];			/* meminfo KEY..., vmstat KEY..., slabinfo CACHE...:
					   the lines to keep, blank-separated globs ("" all) */
	bool json;			/* show --json WHAT: the table as JSON (docs/json.md) */
};
struct vmsim_args_expect {	/* the process, for its forms, is cmd->proc */
	enum vmsim_expect_kind kind;
	uint64_t addr, len;		/* read */
	bool is_hash;			/* read: the wanted bytes are fnv1a64:HASH */
	uint64_t hash;
	unsigned char *data;		/* read: the wanted bytes */
	size_t data_len;
	int signal;			/* killed: 11, 7, 9 */
	int si_code;			/* killed: 0 = any */
	char *value;			/* = VALUE: the token as written */
};

struct vmsim_args_kernel {	/* K OP ARGS... [as NAME | in A] (script/cmd_kernel.c) */
	int op;				/* the kernel call (its word in the table there) */
	int nargs;
	char *args[5];			/* the words after OP, as written (strings unquoted) */
	size_t arg_len[5];
	char as[VMSIM_NAME_MAX];	/* as NAME: the result's name ("" if none) */
	char in[VMSIM_NAME_MAX];	/* in A: read/write with A's page tables */
};

struct vmsim_cmd_def;

/* One parsed command line. */
struct vmsim_cmd {
	const struct vmsim_cmd_def *def;	/* its row of the table; NULL: blank line */
	char proc[VMSIM_NAME_MAX];	/* A: the process the command is for ("" if none) */
	char *text;			/* the command with single spaces, no comment */
	union {				/* the arguments: the member named for def->word */
		struct vmsim_args_machine machine;
		struct vmsim_args_name spawn, fork, clone, thread;
		struct vmsim_args_range munmap, mlock, munlock, mincore, read;
		struct vmsim_args_addr brk, setsp;
		struct vmsim_args_cpu on;
		struct vmsim_args_mempolicy set_mempolicy, mbind, get_mempolicy;
		struct vmsim_args_mmap mmap;
		struct vmsim_args_mprotect mprotect;
		struct vmsim_args_mremap mremap;
		struct vmsim_args_madvise madvise;
		struct vmsim_args_mlockall mlockall;
		struct vmsim_args_msync msync;
		struct vmsim_args_touch touch;
		struct vmsim_args_write write;
		struct vmsim_args_trace trace;
		struct vmsim_args_exec exec;
		struct vmsim_args_open open;
		struct vmsim_args_fd close, fsync;
		struct vmsim_args_pio pread, pwrite;
		struct vmsim_args_ftruncate ftruncate, truncate;
		struct vmsim_args_swapon swapon;
		struct vmsim_args_swapoff swapoff;
		struct vmsim_args_sysctl sysctl;
		struct vmsim_args_sleep sleep;
		struct vmsim_args_show show;
		struct vmsim_args_events events;
		struct vmsim_args_explain explain;
		struct vmsim_args_expect expect;
		struct vmsim_args_kernel K;
	} u;
};

/* The words of a line, as the lexer split them (script/internal.h). */
struct vmsim_words;
/* A process command's call, for its executor (script/internal.h). */
struct vmsim_call;
struct vmsim_session;

/* Result of running one command. */
enum vmsim_run_status {
	VMSIM_RUN_OK,
	VMSIM_RUN_EXPECT_FAILED,	/* message printed; vmsim exits 1 */
	VMSIM_RUN_ERROR,		/* script error printed; vmsim exits 2 */
};

/*
 * A row of the command table (script/commands.h, script/table.c):
 * everything about one command word.  Adding a command is adding a row,
 * its argument structure in struct vmsim_cmd's union and its two functions.
 */
struct vmsim_cmd_def {
	const char *word;		/* "mmap" */
	bool per_process;		/* written `A word ...` */
	const char *args;		/* the arguments after the word, for messages */
	const char *usage;		/* help lines ('\n' between forms); NULL: from args */
	const char *summary;		/* one line: what it does */
	const char *example;		/* one line, a working use */
	/*
	 * Parse the words of the line into @c->u (@usage, for messages: "word
	 * ARGS", or "A word ARGS" with the real process name for per-process
	 * commands).  0, or -1 with @err set;
	 * what it allocated is freed by ->release even on failure.
	 */
	int (*parse)(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		     char *err, size_t errlen);
	/*
	 * Run it.  A per-process command gets @call (the pid, alive when
	 * called) and leaves its result there; the session prints it.  Others
	 * get NULL and print what they print.
	 */
	enum vmsim_run_status (*run)(struct vmsim_session *s, const struct vmsim_cmd *c,
				     struct vmsim_call *call);
	void (*release)(struct vmsim_cmd *c);	/* frees what parse allocated; may be NULL */
	bool binds_name;		/* the call makes process u.fork.name (fork, clone, thread) */
	bool before_boot;		/* runs before the machine boots (machine) */
};

/* The rows in table order (the help's), NULL past the last. */
VMSIM_API const struct vmsim_cmd_def *vmsim_cmd_at(int i);
/* The row of a command word ("mmap", "show"), or NULL. */
VMSIM_API const struct vmsim_cmd_def *vmsim_cmd_find(const char *word);
/* The command word nearest to @word, for "did you mean" (a typo's), or NULL. */
VMSIM_API const char *vmsim_cmd_suggest(const char *word);
/* The machine option key nearest to @key (root too), NULL if none or @key is one. */
VMSIM_API const char *vmsim_option_suggest(const char *key);
/* The word of the NULL-terminated @words nearest to @word (a typo's), or NULL. */
VMSIM_API const char *vmsim_suggest(const char *word, const char *const *words);
/* The help lines of a row: "A mmap ADDR ..." (several for show, expect), one per line. */
VMSIM_API void vmsim_cmd_print_usage(const struct vmsim_cmd_def *d, FILE *f, const char *indent);
/* `help WORD`: the usage lines, the summary and the example. */
VMSIM_API void vmsim_cmd_print_help(const struct vmsim_cmd_def *d, FILE *f);
/* Every row's usage lines (the help's command list). */
VMSIM_API void vmsim_cmd_print_usages(FILE *f, const char *indent);

/*
 * Parse one line (no newline needed; a newline ends it).  Returns 0 with
 * @cmd filled (free it with vmsim_cmd_free), or -1 with a message in @err
 * and @cmd empty.  Does not need a machine: names are resolved when run.
 */
VMSIM_API int vmsim_cmd_parse(const char *line, struct vmsim_cmd *cmd, char *err, size_t errlen);
VMSIM_API void vmsim_cmd_free(struct vmsim_cmd *cmd);

/* A whole script: every line parsed, with its line number. */
struct vmsim_script {
	int nr_cmds;
	struct vmsim_cmd *cmds;
	int *lines;			/* 1-based line number of cmds[i] */
};

/*
 * Parse a script text of @len bytes (NUL bytes are an error).  Returns 0,
 * or -1 with the message in @err and the bad line's number in *@errline.
 * Blank and comment lines are dropped.
 */
VMSIM_API int vmsim_script_parse(const char *text, size_t len, struct vmsim_script *script,
		       char *err, size_t errlen, int *errline);
VMSIM_API void vmsim_script_free(struct vmsim_script *script);

/*
 * A session runs commands on one machine (booted at the first command that
 * needs it), binding the script's process names to pids and printing what
 * docs/script.md promises: a result line per process command, the kill line
 * of a process that dies, the /proc texts of `show`, and FILE:LINE messages
 * on standard error for bad lines and failed expects.
 */
struct vmsim_proc_name {		/* a name bound to a pid (-1: its fork failed) */
	char name[VMSIM_NAME_MAX];
	int pid;
};

/* What the embedder provides; each may be NULL. */
struct vmsim_session_ops {
	/* Output (result lines, show texts); NULL: standard output. */
	void (*out)(struct vmsim_session *s, const char *text);
	/* `show report`; NULL: the command is an error. */
	void (*report)(struct vmsim_session *s);
	/*
	 * `A trace FILE` (@path already relative to the script): the count of
	 * accesses, VMSIM_KILLED or -ESRCH; or with *@error set, a message
	 * printed.  NULL: the command is an error.
	 */
	long (*trace)(struct vmsim_session *s, int pid, const char *path,
		      enum vmsim_trace_format format, bool map_auto, bool *error);
};

/* A name the kernel context gave a result (K ... as NAME). */
struct vmsim_khandle {
	char name[VMSIM_NAME_MAX];
	uint64_t value;			/* a kernel address, or a frame number */
	bool pfn;			/* alloc_pages: value is a pfn, order its order */
	unsigned int order;
};

struct vmsim_session {
	const struct vmsim_session_ops *ops;
	void *priv;			/* the embedder's */
	const char *file;		/* for FILE:LINE messages */
	int line;			/* line being run */
	/* machine options of the command line: applied over the machine line */
	int nr_flag_opts;
	const char *const *flag_keys, *const *flag_values;

	struct vmsim_config cfg;
	vmsim_machine_t *m;		/* booted at the first command needing it */
	bool ran_command;		/* a machine line is only allowed before */
	int machine_line;		/* where the machine line was, for boot errors */
	struct vmsim_proc_name *procs;
	int nr_procs, cap_procs;
	char *last_result;		/* result of the last command with one */
	bool last_numeric;		/* it was a number or an address */
	char *root;			/* root=: the machine's file root (host path) */
	bool root_tmp;			/* root=tmp: a directory made and removed here */
	struct vmsim_khandle *khandles;	/* the kernel context's names */
	int nr_khandles, cap_khandles;
	/* kernel events (`events`, vmsim/trace.h) and explained commands (`explain`) */
	uint64_t events_mask;		/* the events printed (bit = event id) */
	bool events_json;		/* printed as JSON lines, not trace_pipe lines */
	FILE *events_file;		/* where they go (the embedder's); NULL: the output */
	bool explain;			/* under each result: the kernel's path and why */
	struct script_explain *explain_state;	/* script/explain.c: this command's events */
	/* the first error message (vmsim_session_error, a failed expect), for --json */
	char error[512];
	int error_line;			/* its line (0: none) */
};

VMSIM_API void vmsim_session_init(struct vmsim_session *s, const char *file,
			const struct vmsim_session_ops *ops, void *priv);
/*
 * The end of a run: what the kernel context (`K`) left allocated is
 * reported ("K: left allocated, freed: ...") and freed, so the report after
 * it sees exact accounting.  vmsim_session_fini does it too; twice is once.
 */
VMSIM_API void vmsim_session_end(struct vmsim_session *s);
/* Destroys the machine (writing dirty file pages), removes root=tmp's directory. */
VMSIM_API void vmsim_session_fini(struct vmsim_session *s);
/* Boot the machine if not yet booted: VMSIM_RUN_OK or VMSIM_RUN_ERROR (printed). */
VMSIM_API enum vmsim_run_status vmsim_session_boot(struct vmsim_session *s);
/* Run one parsed command of line @line. */
VMSIM_API enum vmsim_run_status vmsim_session_run_cmd(struct vmsim_session *s, const struct vmsim_cmd *c,
					    int line);
/* Parse and run a whole script text; stops at the first error. */
VMSIM_API enum vmsim_run_status vmsim_session_run_text(struct vmsim_session *s, const char *text,
					     size_t len);
/* spawn NAME on the booted machine: the pid, or a negative errno. */
VMSIM_API int vmsim_session_spawn(struct vmsim_session *s, const char *name);
/* Output through ops->out (or standard output). */
__attribute__((format(printf, 2, 3)))
VMSIM_API void vmsim_session_printf(struct vmsim_session *s, const char *fmt, ...);
VMSIM_API void vmsim_session_puts(struct vmsim_session *s, const char *text);
/*
 * "FILE:LINE: message" on standard error (standard output flushed first);
 * the first message of a session is kept in s->error (its line in
 * s->error_line) for the embedder's report (the tool's --json "error").
 */
__attribute__((format(printf, 2, 3)))
VMSIM_API void vmsim_session_error(struct vmsim_session *s, const char *fmt, ...);


/*
 * Numbers: vmsim_parse_size's (vmsim.h): decimal (010 is ten), 0x-hex,
 * with an optional K, M or G suffix (times 1024, 1024^2, 1024^3; either
 * case).  0, or -1 with errno EINVAL (bad text) or ERANGE (negative, overflow).
 */
VMSIM_API int vmsim_parse_number(const char *s, uint64_t *out);
/* PROT: three letters as in /proc/PID/maps: [r-][w-][x-].  0 or -1. */
VMSIM_API int vmsim_parse_prot(const char *s, int *prot);
/* Comma lists of flag names (see docs/script.md).  0 or -1 (err names the bad word). */
VMSIM_API int vmsim_parse_mmap_flags(const char *s, int *flags, char *err, size_t errlen);
VMSIM_API int vmsim_parse_mremap_flags(const char *s, int *flags, char *err, size_t errlen);
VMSIM_API int vmsim_parse_mlockall_flags(const char *s, int *flags, char *err, size_t errlen);
/* madvise advice name -> VMSIM_MADV_*, or -1 */
VMSIM_API int vmsim_parse_advice(const char *s);
/* The value of hex digit @c (either case), or -1. */
VMSIM_API int vmsim_hex_digit(int c);
/* Write PROT back as three letters (buf of at least 4 bytes). */
VMSIM_API void vmsim_format_prot(int prot, char *buf);

/* The splitmix64 finaliser that defines pattern=SEED and random touches. */
VMSIM_API uint64_t vmsim_mix64(uint64_t x);
/* FNV-1a 64-bit: start with VMSIM_FNV1A64_INIT, feed bytes in order. */
#define VMSIM_FNV1A64_INIT	0xcbf29ce484222325ULL
VMSIM_API uint64_t vmsim_fnv1a64(uint64_t hash, const void *buf, size_t len);

/* "EINVAL" for EINVAL (positive errno); NULL if the number has no name. */
VMSIM_API const char *vmsim_errno_name(int err);
/* The errno of a name ("ENOMEM"), or 0. */
VMSIM_API int vmsim_errno_from_name(const char *name);
/* "SIGSEGV" for 11 ...; "SEGV_ACCERR" for (SIGSEGV, 2) ...; NULL if unknown. */
VMSIM_API const char *vmsim_signal_name(int sig);
VMSIM_API const char *vmsim_sicode_name(int sig, int code);

/* The word of a command, as written in scripts ("mmap"); "" for a blank line. */
VMSIM_API const char *vmsim_cmd_word(const struct vmsim_cmd *c);
/* "lackey", "din", "plain", "auto"; and back (-1 for an unknown name). */
VMSIM_API const char *vmsim_trace_format_name(enum vmsim_trace_format f);
VMSIM_API int vmsim_trace_format_parse(const char *s);

/* The word of a `show` form ("meminfo", "maps", ...). */
VMSIM_API const char *vmsim_show_name(enum vmsim_show what);
/* The /proc file a `show` form prints ("sys/vm" for sysctl; else its word). */
VMSIM_API const char *vmsim_show_proc_name(enum vmsim_show what);
/* Comma list of open flags (rdonly, wronly, rdwr, creat, trunc, excl, append,
 * cloexec) or a number -> O_* bits.  0 or -1 (err names the bad word). */
VMSIM_API int vmsim_parse_open_flags(const char *s, int *flags, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
