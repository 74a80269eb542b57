/*
 * The script language's values (docs/script.md): numbers and sizes,
 * protections, the flag lists of mmap, mremap, mlockall and open, madvise
 * advice, errno and signal names, the words of `show` and the trace
 * formats, and the fixed helpers the language is defined by (the splitmix64
 * finaliser, FNV-1a 64).  Words are split in script/lex.c, commands parsed
 * by their rows of script/commands.h.
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
#include "internal.h"

int vmsim_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void script_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* words from strings may hold any byte: keep the message one clean line */
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* --- fixed helpers ------------------------------------------------------- */

uint64_t vmsim_mix64(uint64_t x)
{
	uint64_t z = x + 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint64_t vmsim_fnv1a64(uint64_t hash, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		hash ^= p[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

/*
 * errno names.  The simulated kernel returns the host's (Linux) errno
 * values, so the table is indexed by the host's constants; aliases
 * (EWOULDBLOCK, EDEADLOCK, ENOTSUP) are left out so each number has one name.
 */
#define E(x) [x] = #x
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ECHRNG),
	E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH), E(ENOCSI),
	E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC),
	E(EBADSLT), E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR),
	E(ENONET), E(ENOPKG), E(EREMOTE), E(ENOLINK), E(EADV), E(ESRMNT),
	E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG), E(EOVERFLOW),
	E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC), E(ELIBBAD), E(ELIBSCN),
	E(ELIBMAX), E(ELIBEXEC), E(EILSEQ), E(ERESTART), E(ESTRPIPE), E(EUSERS),
	E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT),
	E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT),
	E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
	E(ENETUNREACH), E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS),
	E(EISCONN), E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL), E(EISNAM),
	E(EREMOTEIO), E(EDQUOT), E(ENOMEDIUM), E(EMEDIUMTYPE), E(ECANCELED),
	E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED), E(EKEYREJECTED),
	E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL), E(EHWPOISON),
};
#undef E

/* Linux's kernel-internal codes (include/linux/errno.h), should one leak out. */
static const struct { int nr; const char *name; } kernel_errnos[] = {
	{ 512, "ERESTARTSYS" }, { 513, "ERESTARTNOINTR" }, { 514, "ERESTARTNOHAND" },
	{ 515, "ENOIOCTLCMD" }, { 516, "ERESTART_RESTARTBLOCK" },
	{ 517, "EPROBE_DEFER" }, { 518, "EOPENSTALE" }, { 519, "ENOPARAM" },
	{ 521, "EBADHANDLE" }, { 522, "ENOTSYNC" }, { 523, "EBADCOOKIE" },
	{ 524, "ENOTSUPP" }, { 525, "ETOOSMALL" }, { 526, "ESERVERFAULT" },
	{ 527, "EBADTYPE" }, { 528, "EJUKEBOX" }, { 529, "EIOCBQUEUED" },
	{ 530, "ERECALLCONFLICT" },
};

const char *vmsim_errno_name(int err)
{
	if (err > 0 && (size_t)err < sizeof(errno_names) / sizeof(errno_names[0]) &&
	    errno_names[err])
		return errno_names[err];
	for (size_t i = 0; i < sizeof(kernel_errnos) / sizeof(kernel_errnos[0]); i++)
		if (kernel_errnos[i].nr == err)
			return kernel_errnos[i].name;
	return NULL;
}

int vmsim_errno_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i] && !strcmp(errno_names[i], name))
			return (int)i;
	for (size_t i = 0; i < sizeof(kernel_errnos) / sizeof(kernel_errnos[0]); i++)
		if (!strcmp(kernel_errnos[i].name, name))
			return kernel_errnos[i].nr;
	return 0;
}

/* Signals and codes the simulated kernel delivers (Linux's numbers). */
const char *vmsim_signal_name(int sig)
{
	switch (sig) {
	case 7: return "SIGBUS";
	case 9: return "SIGKILL";
	case 11: return "SIGSEGV";
	default: return NULL;
	}
}

const char *vmsim_sicode_name(int sig, int code)
{
	if (sig == 11 && code == 1)
		return "SEGV_MAPERR";
	if (sig == 11 && code == 2)
		return "SEGV_ACCERR";
	if (sig == 11 && code == 0x80)
		return "SI_KERNEL";
	if (sig == 7 && code == 1)
		return "BUS_ADRALN";
	if (sig == 7 && code == 2)
		return "BUS_ADRERR";
	if (sig == 7 && code == 3)
		return "BUS_OBJERR";
	return NULL;
}

/* --- names of show forms and trace formats ----------------------------- */

static const char *const show_names[] = {
	[VMSIM_SHOW_EVENTS] = "events",
	[VMSIM_SHOW_MEMINFO] = "meminfo",
	[VMSIM_SHOW_BUDDYINFO] = "buddyinfo",
	[VMSIM_SHOW_ZONEINFO] = "zoneinfo",
	[VMSIM_SHOW_SLABINFO] = "slabinfo",
	[VMSIM_SHOW_VMSTAT] = "vmstat",
	[VMSIM_SHOW_SWAPS] = "swaps",
	[VMSIM_SHOW_KMSG] = "kmsg",
	[VMSIM_SHOW_VMALLOCINFO] = "vmallocinfo",
	[VMSIM_SHOW_SYSCTL] = "sysctl",
	[VMSIM_SHOW_INTERRUPTS] = "interrupts",
	[VMSIM_SHOW_NUMASTAT] = "numastat",
	[VMSIM_SHOW_NODE_MEMINFO] = "node_meminfo",
	[VMSIM_SHOW_DISKSTATS] = "diskstats",
	[VMSIM_SHOW_REPORT] = "report",
	[VMSIM_SHOW_MAPS] = "maps",
	[VMSIM_SHOW_SMAPS] = "smaps",
	[VMSIM_SHOW_STATUS] = "status",
	[VMSIM_SHOW_NUMA_MAPS] = "numa_maps",
	[VMSIM_SHOW_PAGETABLE] = "pagetable",
	[VMSIM_SHOW_TRANSLATE] = "translate",
	[VMSIM_SHOW_PAGE] = "page",
	[VMSIM_SHOW_TLB] = "tlb",
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

/* --- values -------------------------------------------------------------- */

/* The script's numbers are the machine options' sizes (api/config.c). */
int vmsim_parse_number(const char *s, uint64_t *out)
{
	return vmsim_parse_size(s, out);
}

int vmsim_parse_prot(const char *s, int *prot)
{
	int p = 0;

	if (!s || strlen(s) != 3)
		return -1;
	if (s[0] == 'r')
		p |= VMSIM_PROT_READ;
	else if (s[0] != '-')
		return -1;
	if (s[1] == 'w')
		p |= VMSIM_PROT_WRITE;
	else if (s[1] != '-')
		return -1;
	if (s[2] == 'x')
		p |= VMSIM_PROT_EXEC;
	else if (s[2] != '-')
		return -1;
	*prot = p;
	return 0;
}

void vmsim_format_prot(int prot, char *buf)
{
	buf[0] = prot & VMSIM_PROT_READ ? 'r' : '-';
	buf[1] = prot & VMSIM_PROT_WRITE ? 'w' : '-';
	buf[2] = prot & VMSIM_PROT_EXEC ? 'x' : '-';
	buf[3] = 0;
}

struct flag_name {
	const char *name;
	int value;
};

static const struct flag_name mmap_flag_names[] = {
	{ "private", VMSIM_MAP_PRIVATE },
	{ "shared", VMSIM_MAP_SHARED },
	{ "anon", VMSIM_MAP_ANONYMOUS },
	{ "fixed", VMSIM_MAP_FIXED },
	{ "noreplace", VMSIM_MAP_FIXED_NOREPLACE },
	{ "populate", VMSIM_MAP_POPULATE },
	{ "noreserve", VMSIM_MAP_NORESERVE },
	{ "growsdown", VMSIM_MAP_GROWSDOWN },
	{ "locked", VMSIM_MAP_LOCKED },
	{ NULL, 0 }
};

static const struct flag_name mremap_flag_names[] = {
	{ "maymove", VMSIM_MREMAP_MAYMOVE },
	{ "fixed", VMSIM_MREMAP_FIXED },
	{ "dontunmap", VMSIM_MREMAP_DONTUNMAP },
	{ NULL, 0 }
};

static const struct flag_name mlockall_flag_names[] = {
	{ "current", VMSIM_MCL_CURRENT },
	{ "future", VMSIM_MCL_FUTURE },
	{ NULL, 0 }
};

static const struct flag_name open_flag_names[] = {
	{ "rdonly", O_RDONLY },	/* 0: the default, named for clarity */
	{ "wronly", O_WRONLY },
	{ "rdwr", O_RDWR },
	{ "creat", O_CREAT },
	{ "trunc", O_TRUNC },
	{ "excl", O_EXCL },
	{ "append", O_APPEND },
	{ "cloexec", O_CLOEXEC },
	{ NULL, 0 }
};

static const struct flag_name advice_names[] = {
	{ "normal", VMSIM_MADV_NORMAL },
	{ "random", VMSIM_MADV_RANDOM },
	{ "sequential", VMSIM_MADV_SEQUENTIAL },
	{ "willneed", VMSIM_MADV_WILLNEED },
	{ "dontneed", VMSIM_MADV_DONTNEED },
	{ NULL, 0 }
};

/* An int-sized number (raw flag bits), for testing invalid combinations. */
int script_parse_int(const char *s, int *out)
{
	uint64_t v;

	if (vmsim_parse_number(s, &v) || v > 0xffffffffULL)
		return -1;
	*out = (int)(uint32_t)v;
	return 0;
}

/* "a,b,c" against @names, or a number; each name at most once. */
static int parse_flag_list(const char *s, const struct flag_name *names, int *flags,
			   const char *what, char *err, size_t errlen)
{
	int f = 0;
	const char *p = s;

	if (s[0] >= '0' && s[0] <= '9') {
		if (script_parse_int(s, flags)) {
			script_seterr(err, errlen, "bad %s '%s'", what, s);
			return -1;
		}
		return 0;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const struct flag_name *fn;

		for (fn = names; fn->name; fn++)
			if (strlen(fn->name) == n && !strncmp(fn->name, p, n))
				break;
		if (!fn->name) {
			if (n == 0)
				script_seterr(err, errlen, "empty name in %s '%s'", what, s);
			else
				script_seterr(err, errlen, "unknown %s '%.*s' in '%s'", what,
				       (int)(n > 40 ? 40 : n), p, s);
			return -1;
		}
		if (f & fn->value) {
			script_seterr(err, errlen, "%s '%s' given twice", what, fn->name);
			return -1;
		}
		f |= fn->value;
		if (!comma)
			break;
		p = comma + 1;
	}
	*flags = f;
	return 0;
}

int vmsim_parse_mmap_flags(const char *s, int *flags, char *err, size_t errlen)
{
	return parse_flag_list(s, mmap_flag_names, flags, "mmap flag", err, errlen);
}

int vmsim_parse_mremap_flags(const char *s, int *flags, char *err, size_t errlen)
{
	return parse_flag_list(s, mremap_flag_names, flags, "mremap flag", err, errlen);
}

int vmsim_parse_mlockall_flags(const char *s, int *flags, char *err, size_t errlen)
{
	return parse_flag_list(s, mlockall_flag_names, flags, "mlockall flag", err, errlen);
}

int vmsim_parse_open_flags(const char *s, int *flags, char *err, size_t errlen)
{
	/* rdonly is 0: parse_flag_list cannot see it twice, nor with wronly */
	const char *r = strstr(s, "rdonly");
	int f;

	if (parse_flag_list(s, open_flag_names, &f, "open flag", err, errlen))
		return -1;
	if (r && s[0] > '9' && (f & O_ACCMODE)) {
		script_seterr(err, errlen, "open flags: rdonly with wronly or rdwr in '%.40s'", s);
		return -1;
	}
	if ((f & O_ACCMODE) == O_ACCMODE && s[0] > '9') {
		script_seterr(err, errlen, "open flags: wronly with rdwr in '%.40s'", s);
		return -1;
	}
	*flags = f;
	return 0;
}

int vmsim_parse_advice(const char *s)
{
	int v;

	for (const struct flag_name *fn = advice_names; fn->name; fn++)
		if (!strcmp(fn->name, s))
			return fn->value;
	if (s[0] >= '0' && s[0] <= '9' && !script_parse_int(s, &v) && v >= 0)
		return v;
	return -1;
}
