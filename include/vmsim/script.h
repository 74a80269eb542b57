/*
 * The vmsim script language (docs/script.md): one command per line, parsed
 * here into a struct vmsim_cmd that the vmsim tool executes on a machine.
 * The parser is part of the library so that embedders, the unit tests and
 * the fuzz target use exactly the code the tool runs.
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

#ifdef __cplusplus
extern "C" {
#endif

#define VMSIM_NAME_MAX		32	/* process names, NUL included */
#define VMSIM_LINE_MAX		4096	/* longest script line */

enum vmsim_cmd_op {
	VMSIM_CMD_NONE,		/* blank or comment line */
	VMSIM_CMD_MACHINE,	/* machine key=value ... */
	VMSIM_CMD_SPAWN,	/* spawn A */
	VMSIM_CMD_MMAP,
	VMSIM_CMD_MUNMAP,
	VMSIM_CMD_MPROTECT,
	VMSIM_CMD_MREMAP,
	VMSIM_CMD_BRK,
	VMSIM_CMD_MADVISE,
	VMSIM_CMD_MLOCK,
	VMSIM_CMD_MUNLOCK,
	VMSIM_CMD_MLOCKALL,
	VMSIM_CMD_MUNLOCKALL,
	VMSIM_CMD_MINCORE,
	VMSIM_CMD_SETSP,
	VMSIM_CMD_TOUCH,
	VMSIM_CMD_WRITE,	/* text or pattern */
	VMSIM_CMD_READ,
	VMSIM_CMD_FORK,
	VMSIM_CMD_CLONE,
	VMSIM_CMD_EXIT,
	VMSIM_CMD_SHOW,		/* show meminfo|...|report */
	VMSIM_CMD_SHOW_PROC,	/* show A maps|smaps|status|pagetable ADDR */
	VMSIM_CMD_SHOW_PAGE,	/* show page PFN */
	VMSIM_CMD_EXPECT_READ,	/* expect A read ADDR LEN = HEXBYTES */
	VMSIM_CMD_EXPECT_ALIVE,	/* expect A alive */
	VMSIM_CMD_EXPECT_KILLED,/* expect A killed SIGSEGV [SEGV_ACCERR] */
	VMSIM_CMD_EXPECT_RESULT,/* expect = VALUE (LASTRESULT = VALUE) */
	VMSIM_CMD_SWAPON,	/* swapon SIZE [PRIO] */
	VMSIM_CMD_SWAPOFF,	/* swapoff AREA */
	VMSIM_CMD_TRACE,	/* A trace FILE [FORMAT] [map=auto|none] */
	VMSIM_CMD_EXEC,		/* A exec PATH [ARG ...] */
	VMSIM_CMD_THREAD,	/* A thread B (CLONE_THREAD) */
	VMSIM_CMD_EXIT_GROUP,	/* A exit_group */
	VMSIM_CMD_OPEN,		/* A open PATH [FLAGS [MODE]] */
	VMSIM_CMD_CLOSE,	/* A close FD */
	VMSIM_CMD_PREAD,	/* A pread FD ADDR LEN OFFSET */
	VMSIM_CMD_PWRITE,	/* A pwrite FD ADDR LEN OFFSET */
	VMSIM_CMD_FSYNC,	/* A fsync FD */
	VMSIM_CMD_NR_OPS
};

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
	VMSIM_SHOW_REPORT,
	VMSIM_SHOW_MAPS,
	VMSIM_SHOW_SMAPS,
	VMSIM_SHOW_STATUS,
	VMSIM_SHOW_PAGETABLE,
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

struct vmsim_cmd {
	enum vmsim_cmd_op op;
	char proc[VMSIM_NAME_MAX];	/* A: the process the command is for */
	char child[VMSIM_NAME_MAX];	/* B of fork/clone, the new name of spawn */
	/*
	 * Numeric arguments, by command:
	 *  mmap      addr len prot flags        munmap/mlock/... addr len
	 *  mprotect  addr len prot              mremap addr oldlen newlen flags newaddr
	 *  brk/setsp addr                       madvise addr len advice
	 *  mlockall  flags                      touch addr len stride count seed
	 *  write     addr (len for pattern)     read addr len
	 *  show pagetable addr; show page pfn   expect read addr len
	 *  swapon    len (size) flags (prio, -1 default)   swapoff addr (area)
	 *  mmap      fd newaddr (offset), fd -1 without    open path flags (O_*) prot (mode)
	 *  close/fsync fd                       pread/pwrite fd addr len newaddr (offset)
	 */
	uint64_t addr, len, len2, newaddr;
	int prot;			/* VMSIM_PROT_* bits */
	int flags;			/* MAP_*, MREMAP_*, MCL_*, O_* bits, or madvise advice */
	int fd;				/* mmap (-1: none), close, pread, pwrite, fsync */
	enum vmsim_touch_access access;	/* touch */
	uint64_t stride;		/* touch, default 4096 */
	uint64_t count;			/* touch random=COUNT (0: sequential) */
	uint64_t seed;			/* touch seed=S, write pattern=SEED */
	bool random;			/* touch random= given */
	bool pattern;			/* write pattern=SEED len=N */
	enum vmsim_show show;
	int signal;			/* expect killed: 11, 7, 9 */
	int si_code;			/* expect killed: 0 = any */
	/* write text bytes (escapes resolved), or expect read's wanted bytes */
	unsigned char *data;
	size_t data_len;
	bool data_is_hash;		/* expect read: wanted is fnv1a64:HASH */
	uint64_t data_hash;
	char *value;			/* expect = VALUE (the token as written) */
	char *path;			/* trace FILE, exec PATH (quotes and escapes resolved) */
	char **args;			/* exec: argv (args[0] = PATH), NULL-terminated */
	int nr_args;
	enum vmsim_trace_format format;	/* trace */
	bool map_none;			/* trace map=none */
	/*
	 * machine: key=value pairs, checked against vmsim_config_set, except
	 * root=DIR (any non-empty value), which the vmsim tool handles: the
	 * host directory the machine's files resolve in (vmsim/file.h).
	 */
	int nr_opts;
	char **opt_keys, **opt_values;
	/* The command with single spaces (comments and extra blanks gone). */
	char *text;
};

/*
 * Parse one line (no newline needed; a newline ends it).  Returns 0 with
 * @cmd filled (free it with vmsim_cmd_free), or -1 with a message in @err
 * and @cmd empty.  Does not need a machine: names are resolved when run.
 */
int vmsim_cmd_parse(const char *line, struct vmsim_cmd *cmd, char *err, size_t errlen);
void vmsim_cmd_free(struct vmsim_cmd *cmd);

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
int vmsim_script_parse(const char *text, size_t len, struct vmsim_script *script,
		       char *err, size_t errlen, int *errline);
void vmsim_script_free(struct vmsim_script *script);

/*
 * Numbers: decimal, 0x-hex, with an optional K, M or G suffix (times
 * 1024, 1024^2, 1024^3; either case).  0, or -1 for bad text or overflow.
 */
int vmsim_parse_number(const char *s, uint64_t *out);
/* PROT: three letters as in /proc/PID/maps: [r-][w-][x-].  0 or -1. */
int vmsim_parse_prot(const char *s, int *prot);
/* Comma lists of flag names (see docs/script.md).  0 or -1 (err names the bad word). */
int vmsim_parse_mmap_flags(const char *s, int *flags, char *err, size_t errlen);
int vmsim_parse_mremap_flags(const char *s, int *flags, char *err, size_t errlen);
int vmsim_parse_mlockall_flags(const char *s, int *flags, char *err, size_t errlen);
/* madvise advice name -> VMSIM_MADV_*, or -1 */
int vmsim_parse_advice(const char *s);
/* The value of hex digit @c (either case), or -1. */
int vmsim_hex_digit(int c);
/* Write PROT back as three letters (buf of at least 4 bytes). */
void vmsim_format_prot(int prot, char *buf);

/* The splitmix64 finaliser that defines pattern=SEED and random touches. */
uint64_t vmsim_mix64(uint64_t x);
/* FNV-1a 64-bit: start with VMSIM_FNV1A64_INIT, feed bytes in order. */
#define VMSIM_FNV1A64_INIT	0xcbf29ce484222325ULL
uint64_t vmsim_fnv1a64(uint64_t hash, const void *buf, size_t len);

/* "EINVAL" for EINVAL (positive errno); NULL if the number has no name. */
const char *vmsim_errno_name(int err);
/* The errno of a name ("ENOMEM"), or 0. */
int vmsim_errno_from_name(const char *name);
/* "SIGSEGV" for 11 ...; "SEGV_ACCERR" for (SIGSEGV, 2) ...; NULL if unknown. */
const char *vmsim_signal_name(int sig);
const char *vmsim_sicode_name(int sig, int code);

/* Name of a command, as written in scripts ("mmap"), for messages. */
const char *vmsim_cmd_name(enum vmsim_cmd_op op);
/* "lackey", "din", "plain", "auto"; and back (-1 for an unknown name). */
const char *vmsim_trace_format_name(enum vmsim_trace_format f);
int vmsim_trace_format_parse(const char *s);

/* The word of a `show` form ("meminfo", "maps", ...). */
const char *vmsim_show_name(enum vmsim_show what);
/* The /proc file a `show` form prints ("sys/vm" for sysctl; else its word). */
const char *vmsim_show_proc_name(enum vmsim_show what);
/* Comma list of open flags (rdonly, wronly, rdwr, creat, trunc, excl, append,
 * cloexec) or a number -> O_* bits.  0 or -1 (err names the bad word). */
int vmsim_parse_open_flags(const char *s, int *flags, char *err, size_t errlen);

/*
 * Every command word of the language with its arguments, for help texts:
 * NULL-terminated; process commands start with "A ".
 */
extern const char *const vmsim_cmd_usages[];

#ifdef __cplusplus
}
#endif
#endif
