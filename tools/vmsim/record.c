/*
 * vmsim record: PROGRAM runs under valgrind's lackey tool with its log
 * (the trace, with valgrind's ==PID== lines) on a pipe (--log-fd), and
 * what comes through the pipe is streamed into the binary writer
 * (trace_bin.c) or, with --replay, into `vmsim trace -` (this executable
 * again, the pipe as its standard input).  No text file is ever written:
 * the text lives only in the pipe's buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "record.h"
#include "trace_bin.h"
#include "tool.h"

#define MAX_PASS	256		/* trace options passed on by --replay */

const char record_usage[] =
"usage: vmsim record [-o OUT.vmt] [-q] [--] PROGRAM [ARGS...]\n"
"       vmsim record --replay [TRACE OPTIONS] -- PROGRAM [ARGS...]\n"
"\n"
"Run PROGRAM under valgrind's lackey tool (valgrind --tool=lackey\n"
"--trace-mem=yes) with its trace streamed through a pipe, never a text file,\n"
"into vmsim's binary trace format (docs/trace-format.md), or with --replay\n"
"straight into `vmsim trace -`.  PROGRAM's standard input, output and error\n"
"stay the command's.  valgrind is looked for on PATH (VMSIM_VALGRIND names\n"
"another).\n"
"\n"
"  -o, --output FILE    the binary trace (default: PROGRAM's name + .vmt in\n"
"                       the working directory; - standard output)\n"
"  --replay             replay the trace as it comes instead: the options\n"
"                       between --replay and -- are vmsim trace's (--ram,\n"
"                       --reclaim, -o KEY=VALUE, --json, --timeline ...)\n"
"  -q, --quiet          no summary line on standard error\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 recorded (whatever PROGRAM's own status, which the summary\n"
"gives), 1 valgrind is missing or could not run PROGRAM, or the trace could\n"
"not be read or written (OUT is removed), 2 a bad flag; with --replay,\n"
"vmsim trace's.\n";

struct record_opts {
	const char *out;		/* -o */
	bool quiet, replay;
	char *pass[MAX_PASS];		/* --replay: "vmsim", "trace", options, "-" */
	int nr_pass;
	char **prog;			/* PROGRAM ARGS..., NULL-terminated */
};

static int record_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vmsim record: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n%s", record_usage);
	return EXIT_USAGE;
}

/* The flags up to PROGRAM: 0, -1 (--help printed) or an exit status. */
static int parse_record(int argc, char **argv, struct record_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->pass[o->nr_pass++] = "vmsim";
	o->pass[o->nr_pass++] = "trace";
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--replay"))
			o->replay = true;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--replay"))
			continue;
		if (o->replay) {		/* vmsim trace checks them */
			if (o->nr_pass >= MAX_PASS - 2)
				return record_usage_error("too many options%s", "");
			o->pass[o->nr_pass++] = argv[i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(record_usage, stdout);
			return -1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (++i == argc)
				return record_usage_error("%s wants a FILE", a);
			o->out = argv[i];
		} else if (!strncmp(a, "--output=", 9)) {
			o->out = a + 9;
		} else if (a[0] == '-' && a[1]) {
			return record_usage_error("unknown flag '%s'", a);
		} else {
			break;			/* PROGRAM */
		}
	}
	if (o->replay && i == argc)
		return record_usage_error("--replay wants -- before PROGRAM (the trace "
					  "options take values)%s", "");
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i == argc)
		return record_usage_error("no PROGRAM given%s", "");
	o->prog = argv + i;
	o->pass[o->nr_pass++] = "-";
	o->pass[o->nr_pass] = NULL;
	return 0;
}

/* valgrind: VMSIM_VALGRIND, or the first on PATH; NULL when there is none. */
static const char *find_valgrind(char *buf, size_t n)
{
	const char *env = getenv("VMSIM_VALGRIND"), *path = getenv("PATH"), *p;

	if (env && *env)
		return access(env, X_OK) ? NULL : env;
	for (p = path && *path ? path : "/usr/bin:/bin"; ; p++) {
		size_t len = strcspn(p, ":");

		snprintf(buf, n, "%.*s/valgrind", len ? (int)len : 1, len ? p : ".");
		if (!access(buf, X_OK))
			return buf;
		p += len;
		if (!*p)
			return NULL;
	}
}

/* valgrind lackey on PROGRAM, its log on @wfd (as its fd 3): the pid, or -1. */
static pid_t start_valgrind(const char *vg, int wfd, char **prog)
{
	size_t n = 0;
	char **argv;
	pid_t pid;

	while (prog[n])
		n++;
	argv = calloc(n + 5, sizeof(*argv));
	if (!argv)
		return -1;
	argv[0] = (char *)vg;
	argv[1] = "--tool=lackey";
	argv[2] = "--trace-mem=yes";
	argv[3] = "--log-fd=3";
	memcpy(argv + 4, prog, n * sizeof(*argv));
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (wfd != 3) {
			dup2(wfd, 3);		/* the copy has no close-on-exec */
			close(wfd);
		} else {
			fcntl(3, F_SETFD, 0);
		}
		execv(vg, argv);
		fprintf(stderr, "vmsim record: cannot run %s: %s\n", vg, strerror(errno));
		_exit(127);
	}
	free(argv);
	return pid;
}

/* What PROGRAM's run ended with, for the summary. */
static void describe_status(int status, char *buf, size_t n)
{
	if (WIFEXITED(status))
		snprintf(buf, n, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, n, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, n, "ended");
}

/* The pipe's trace into the binary trace at o->out: the exit status. */
static int record_binary(const struct record_opts *o, pid_t pid, int rfd)
{
	char err[512], defname[256], how[64];
	const char *out = o->out, *base = strrchr(o->prog[0], '/');
	struct trace_reader r;
	struct vmt_writer w = { .fd = -1 };
	bool regular;
	struct stat st;
	int ofd, ret, status = 0;

	if (!out) {
		snprintf(defname, sizeof(defname), "%s.vmt", base ? base + 1 : o->prog[0]);
		out = defname;
	}
	ofd = strcmp(out, "-") ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) :
	      STDOUT_FILENO;
	if (ofd < 0) {
		fprintf(stderr, "vmsim record: %s: cannot write: %s\n", out, strerror(errno));
		kill(pid, SIGTERM);
		close(rfd);
		waitpid(pid, NULL, 0);
		return 1;
	}
	regular = !fstat(ofd, &st) && S_ISREG(st.st_mode);
	ret = trace_open_fd(&r, rfd, "valgrind's trace", VMSIM_TRACE_LACKEY, false, err,
			    sizeof(err));
	if (!ret) {
		r.keep_text = true;
		ret = trace_bin_write(&r, &w, ofd, out);
		trace_close(&r);
	}
	if (ret)
		kill(pid, SIGTERM);	/* nothing more is read */
	close(rfd);
	waitpid(pid, &status, 0);
	if (!ret && WIFEXITED(status) && WEXITSTATUS(status) == 127 && !w.records) {
		snprintf(err, sizeof(err), "valgrind could not run %s (its message is above)",
			 o->prog[0]);
		ret = -1;
	}
	if (ofd != STDOUT_FILENO && close(ofd) && !ret) {
		snprintf(err, sizeof(err), "%s: cannot write: %s", out, strerror(errno));
		ret = -1;
	}
	if (ret) {
		if (regular)
			unlink(out);	/* no half trace left behind */
		fprintf(stderr, "vmsim record: %s\n", err);
		return 1;
	}
	describe_status(status, how, sizeof(how));
	if (!o->quiet)
		fprintf(stderr, "vmsim record: %s %s; %llu accesses in %llu lines -> %s "
			"(%llu bytes, %.2f an access)\n", o->prog[0], how,
			(unsigned long long)w.records, (unsigned long long)w.lines, out,
			(unsigned long long)w.bytes,
			w.records ? (double)w.bytes / (double)w.records : 0.0);
	return 0;
}

int record_main(int argc, char **argv)
{
	struct record_opts o;
	char vgbuf[4096];
	const char *vg;
	int p[2], ret = parse_record(argc, argv, &o);
	pid_t pid;

	if (ret)
		return ret < 0 ? 0 : ret;
	vg = find_valgrind(vgbuf, sizeof(vgbuf));
	if (!vg) {
		fprintf(stderr, "vmsim record: valgrind is not installed (%s): install it "
			"(Debian, Ubuntu: apt-get install valgrind), or name it with "
			"VMSIM_VALGRIND=PATH\n", getenv("VMSIM_VALGRIND") &&
			*getenv("VMSIM_VALGRIND") ? "VMSIM_VALGRIND is not an executable" :
			"not on PATH");
		return 1;
	}
	if (pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "vmsim record: pipe: %s\n", strerror(errno));
		return 1;
	}
	pid = start_valgrind(vg, p[1], o.prog);
	close(p[1]);
	if (pid < 0) {
		fprintf(stderr, "vmsim record: cannot start valgrind: %s\n", strerror(errno));
		close(p[0]);
		return 1;
	}
	if (!o.replay)
		return record_binary(&o, pid, p[0]);
	/* vmsim trace -, reading the pipe; valgrind stays its child */
	if (dup2(p[0], STDIN_FILENO) < 0) {
		fprintf(stderr, "vmsim record: dup2: %s\n", strerror(errno));
	} else {
		execv("/proc/self/exe", o.pass);
		fprintf(stderr, "vmsim record: cannot start the replay: %s\n", strerror(errno));
	}
	kill(pid, SIGTERM);
	close(p[0]);
	waitpid(pid, NULL, 0);
	return 1;
}
