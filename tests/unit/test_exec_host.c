/*
 * exec against the host kernel (we run on Linux x86-64): a tiny static C
 * program is built with gcc -static, started on the host under
 * personality(ADDR_NO_RANDOMIZE) and stopped by ptrace right after its
 * execve (PTRACE_TRACEME: the SIGTRAP comes before its first
 * instruction), then exec'ed in vmsim with the same argv and envp (one
 * argument of 5000 bytes, so the strings span two pages).  Compared:
 *   - every /proc/PID/maps line but the vDSO's (range, flags, offset,
 *     device, inode; the name as vmsim's root shows it), and every byte of
 *     those VMAs but the stack's (host: /proc/PID/mem);
 *   - start/end_code, start/end_data, start_brk (= brk), arg and env
 *     bounds (/proc/PID/stat), VmExe, VmData, VmStk, cmdline, environ;
 *   - the stack: argc, the argv[] and envp[] pointers, the auxv values
 *     vmsim also gives (AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE,
 *     AT_FLAGS, AT_ENTRY, AT_CLKTCK, AT_SECURE, AT_RANDOM's address,
 *     AT_EXECFN, AT_PLATFORM), every byte above the 16 AT_RANDOM bytes
 *     (platform string, padding, strings, file name, the zero word), and
 *     each stack pointer against Linux's rule for its own auxv length (the
 *     host has entries vmsim has not: vDSO, hwcap, uids of root, rseq).
 * Skipped, with a message, when there is no gcc or static libc (Debian:
 * apt-get install libc6-dev) or ptrace is not permitted.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#if defined(__x86_64__)
#include <sys/personality.h>
#include <sys/ptrace.h>
#endif
#include "harness.h"
#include "testlib.h"
#include "vmsim/process.h"
#include "vmsim/file.h"

#if defined(__x86_64__)

/* test_exec.c */
void exec_test_mm_fields(struct machine *m, int pid, unsigned long out[11]);

struct xenv {
	struct machine *m;
	char dir[64];
};

static void host_file(struct xenv *e, const char *name, const void *data, size_t len,
		      mode_t mode)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", e->dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(write(fd, data, len), (long)len);
	close(fd);
}

static void xenv_down(struct xenv *e)
{
	char cmd[128];

	test_shutdown(e->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	ASSERT_EQ(system(cmd), 0);
}

static uint64_t read_word(struct machine *m, int pid, unsigned long addr)
{
	uint64_t v = 0;

	ASSERT_EQ(vmsim_read(m, pid, addr, &v, 8), 0);
	return v;
}

static char *read_str(struct machine *m, int pid, unsigned long addr, char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ASSERT_EQ(vmsim_read(m, pid, addr + i, &buf[i], 1), 0);
		if (!buf[i])
			return buf;
	}
	ASSERT_MSG(0, "string at %#lx too long", addr);
	return buf;
}

/* The value of auxv entry @type in vmsim's frame at @sp (-1 if absent). */
static uint64_t auxv_get(struct machine *m, int pid, unsigned long sp, uint64_t type)
{
	uint64_t argc = read_word(m, pid, sp);
	unsigned long a = sp + 8 * (argc + 2);

	while (read_word(m, pid, a))
		a += 8;
	for (a += 8;; a += 16) {
		uint64_t t = read_word(m, pid, a);

		if (t == type)
			return read_word(m, pid, a + 8);
		if (!t)
			return (uint64_t)-1;
	}
}

static const char host_prog[] =
	"#include <stdio.h>\n"
	"int big[100000];\n"
	"int init = 5;\n"
	"int main(int argc, char **argv) { printf(\"%d %s\\n\", argc, argv[0]); "
	"return big[argc] + init; }\n";

static char *slurp_fd(int fd, size_t *n)
{
	size_t cap = 1 << 16, len = 0;
	char *b = malloc(cap + 1);
	long r;

	ASSERT_NOT_NULL(b);
	while ((r = read(fd, b + len, cap - len)) > 0) {
		len += (size_t)r;
		if (len == cap) {
			cap *= 2;
			b = realloc(b, cap + 1);
			ASSERT_NOT_NULL(b);
		}
	}
	b[len] = 0;
	if (n)
		*n = len;
	return b;
}

static char *slurp_path(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY);
	char *b;

	ASSERT_CMP(fd, >=, 0);
	b = slurp_fd(fd, n);
	close(fd);
	return b;
}

/* field @k (1-based) of /proc/PID/stat */
static unsigned long stat_field(const char *stat, int k)
{
	const char *p = strrchr(stat, ')');
	int f = 2;

	ASSERT_NOT_NULL(p);
	p += 2;
	while (++f < k) {
		p = strchr(p, ' ');
		ASSERT_NOT_NULL(p);
		p++;
	}
	return strtoul(p, NULL, 10);
}

/* The maps line of @text starting at @start (NULL if none); copied into @out. */
static bool maps_line(const char *text, unsigned long start, char *out, size_t n)
{
	char key[32];
	const char *p;
	int k = snprintf(key, sizeof(key), "%08lx-", start);

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, (size_t)k)) {
			const char *end = strchr(p, '\n');
			size_t l = end ? (size_t)(end - p) : strlen(p);

			ASSERT_CMP(l, <, n);
			memcpy(out, p, l);
			out[l] = 0;
			return true;
		}
	}
	return false;
}

static const char *status_line(const char *status, const char *name, char *out, size_t n)
{
	const char *p = strstr(status, name);
	const char *end;

	ASSERT_NOT_NULL(p);
	end = strchr(p, '\n');
	ASSERT_NOT_NULL(end);
	ASSERT_CMP((size_t)(end - p), <, n);
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = 0;
	return out;
}

TEST(exec_diff_host_static_binary)
{
	static const char *const argv[] = { "./prog", "hello", "world", NULL, NULL };
	static const char *const envp[] = { "A=1", "BB=22", "LONGER_VARIABLE=some value", NULL };
	struct xenv e;
	char cmd[512], path[300], host_maps_path[64], *host_maps, *host_stat, *host_status;
	char *sim_maps, *sim_status, *t, hl[256], sl[256], a1[128], a2[128];
	const char *av[5];
	char *bigarg;
	unsigned long rsp, top = 0x7ffffffff000UL, u_rand = 0, execfn = 0, platform = 0;
	unsigned char *hmem, *smem;
	uint64_t hw[512];
	size_t n1, n2;
	int status, pid, memfd, argc = 4;
	pid_t child;

	strcpy(e.dir, "/tmp/vmsim-exec-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(e.dir));
	e.m = test_boot("ram=64M hostino=on");	/* maps compared with the host's: dev, inode */
	ASSERT_EQ(vmsim_fs_set_root(e.m, e.dir), 0);
	snprintf(path, sizeof(path), "%s/prog.c", e.dir);
	host_file(&e, "prog.c", host_prog, strlen(host_prog), 0644);
	snprintf(cmd, sizeof(cmd), "gcc -static -O2 -o %s/prog %s >/dev/null 2>&1", e.dir, path);
	if (system(cmd) != 0) {
		printf("    [skipped: no static libc (apt-get install libc6-dev) or no gcc]\n");
		xenv_down(&e);
		return;
	}
	/* a 5000-byte argument: the strings span two pages */
	bigarg = malloc(5001);
	ASSERT_NOT_NULL(bigarg);
	memset(bigarg, 'z', 5000);
	bigarg[5000] = 0;
	memcpy(av, argv, sizeof(av));
	av[3] = bigarg;

	/* the host: stop the child right after execve (PTRACE_TRACEME), no ASLR */
	child = fork();
	ASSERT_CMP(child, >=, 0);
	if (child == 0) {
		if (chdir(e.dir) || ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ||
		    personality(ADDR_NO_RANDOMIZE) < 0)
			_exit(126);
		execve("./prog", (char *const *)av, (char *const *)envp);
		_exit(127);
	}
	ASSERT_EQ(waitpid(child, &status, 0), child);
	if (!WIFSTOPPED(status)) {
		printf("    [skipped: ptrace not permitted here]\n");
		free(bigarg);
		xenv_down(&e);
		return;
	}
	ASSERT_EQ(WSTOPSIG(status), SIGTRAP);
	snprintf(host_maps_path, sizeof(host_maps_path), "/proc/%d/maps", (int)child);
	host_maps = slurp_path(host_maps_path, NULL);
	snprintf(host_maps_path, sizeof(host_maps_path), "/proc/%d/stat", (int)child);
	host_stat = slurp_path(host_maps_path, NULL);
	snprintf(host_maps_path, sizeof(host_maps_path), "/proc/%d/status", (int)child);
	host_status = slurp_path(host_maps_path, NULL);
	rsp = stat_field(host_stat, 28);	/* startstack: the sp exec left */
	snprintf(host_maps_path, sizeof(host_maps_path), "/proc/%d/mem", (int)child);
	memfd = open(host_maps_path, O_RDONLY);
	ASSERT_CMP(memfd, >=, 0);
	ASSERT_CMP(top - rsp, <=, sizeof(hw) * 2 + 16384);

	/* vmsim: the same binary, argv and envp */
	pid = vmsim_spawn(e.m);
	ASSERT_EQ(vmsim_execve(e.m, pid, "./prog", av, envp), 0);
	sim_maps = vmsim_proc_pid_read(e.m, pid, "maps");
	sim_status = vmsim_proc_pid_read(e.m, pid, "status");
	ASSERT_NOT_NULL(sim_maps);
	ASSERT_NOT_NULL(sim_status);

	/* 1. every line of the host's maps but the vDSO's: the same range, flags, offset,
	 *    device and inode (hostfs shows the host file's), the name as vmsim's root
	 *    sees it; then the same bytes in both (host: /proc/PID/mem) */
	hmem = malloc(1 << 20);
	smem = malloc(1 << 20);
	ASSERT_NOT_NULL(hmem);
	ASSERT_NOT_NULL(smem);
	for (const char *p = host_maps; *p; p = strchr(p, '\n') + 1) {
		unsigned long s, en;
		char line[256];
		const char *nl = strchr(p, '\n');

		ASSERT_NOT_NULL(nl);
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = 0;
		if (strstr(line, "[vvar") || strstr(line, "[vdso]") || strstr(line, "[vsyscall]"))
			continue;
		ASSERT_EQ(sscanf(line, "%lx-%lx", &s, &en), 2);
		ASSERT_MSG(maps_line(sim_maps, s, sl, sizeof(sl)), "vmsim has no VMA at %lx:\n%s",
			   s, sim_maps);
		if (strlen(line) > 73 && line[73] == '/') {
			/* "<dir>/prog" on the host, "/prog" below vmsim's root */
			ASSERT_CMP(strlen(sl), >, 73);
			ASSERT_STREQ(sl + 73, "/prog");
			ASSERT_STREQ(line + 73 + strlen(e.dir), "/prog");
			line[73] = sl[73] = 0;
		}
		ASSERT_STREQ(sl, line);
		if (strstr(line, "[stack]"))
			continue;	/* compared below: the auxv differs */
		ASSERT_CMP(en - s, <=, 1UL << 20);
		ASSERT_EQ(pread(memfd, hmem, en - s, (off_t)s), (long)(en - s));
		ASSERT_EQ(vmsim_read(e.m, pid, s, smem, en - s), 0);
		for (unsigned long i = 0; i < en - s; i++)
			ASSERT_MSG(hmem[i] == smem[i], "byte %#lx: host %#x vmsim %#x", s + i,
				   hmem[i], smem[i]);
	}
	/* and nothing more in vmsim */
	{
		int nh = 0, ns = 0;

		for (const char *p = host_maps; (p = strchr(p, '\n')); p++)
			nh++;
		for (const char *p = sim_maps; (p = strchr(p, '\n')); p++)
			ns++;
		nh -= (strstr(host_maps, "[vdso]") != NULL) + (strstr(host_maps, "[vsyscall]") != NULL);
		for (const char *p = host_maps; (p = strstr(p, "[vvar")); p++)
			nh--;
		ASSERT_EQ(ns, nh);
	}

	/* 2. the mm fields as /proc/PID/stat shows them: code, data, brk, args, env */
	{
		unsigned long f[11];
		static const int field[10] = { 26, 27, 45, 46, 47, 47, 48, 49, 50, 51 };

		exec_test_mm_fields(e.m, pid, f);
		for (int k = 0; k < 10; k++)
			ASSERT_MSG(f[k] == stat_field(host_stat, field[k]),
				   "mm field %d: vmsim %#lx host %#lx (stat field %d)", k, f[k],
				   stat_field(host_stat, field[k]), field[k]);
	}
	ASSERT_STREQ(status_line(sim_status, "VmExe:", sl, sizeof(sl)),
		     status_line(host_status, "VmExe:", hl, sizeof(hl)));
	ASSERT_STREQ(status_line(sim_status, "VmData:", sl, sizeof(sl)),
		     status_line(host_status, "VmData:", hl, sizeof(hl)));
	ASSERT_STREQ(status_line(sim_status, "VmStk:", sl, sizeof(sl)),
		     status_line(host_status, "VmStk:", hl, sizeof(hl)));

	/* 3. cmdline and environ, byte for byte */
	snprintf(host_maps_path, sizeof(host_maps_path), "/proc/%d/cmdline", (int)child);
	t = slurp_path(host_maps_path, &n1);
	free(vmsim_proc_pid_read_len(e.m, pid, "cmdline", &n2));
	ASSERT_EQ(n2, n1);
	{
		char *sc = vmsim_proc_pid_read_len(e.m, pid, "cmdline", &n2);

		ASSERT_MEMEQ(sc, t, n1);
		free(sc);
	}
	free(t);
	snprintf(host_maps_path, sizeof(host_maps_path), "/proc/%d/environ", (int)child);
	t = slurp_path(host_maps_path, &n1);
	{
		char *sc = vmsim_proc_pid_read_len(e.m, pid, "environ", &n2);

		ASSERT_EQ(n2, n1);
		ASSERT_MEMEQ(sc, t, n1);
		free(sc);
	}
	free(t);

	/* 4. the stack frame.  The host's auxv has entries vmsim has not (vDSO, hwcap,
	 *    rseq...): the pointers and what they point at must agree, and each
	 *    stack pointer must be where Linux's create_elf_tables puts it for its
	 *    own auxv length: (AT_RANDOM - (auxv words + argc+envc+3) * 8) & ~15 */
	ASSERT_EQ(pread(memfd, hw, sizeof(hw), (off_t)rsp), (long)sizeof(hw));
	ASSERT_EQ(hw[0], (uint64_t)argc);
	{
		unsigned long f[11], sp, items = argc + 1 + 3 + 1 + 1, haux, saux = 0;
		int i = 1;

		exec_test_mm_fields(e.m, pid, f);
		sp = f[10];
		ASSERT_EQ(read_word(e.m, pid, sp), (uint64_t)argc);
		/* argv[] and envp[]: the same addresses */
		for (; i <= argc + 1 + 3 + 1; i++)
			ASSERT_EQ(read_word(e.m, pid, sp + 8UL * i), hw[i]);
		/* host auxv: its length, and the values vmsim also gives */
		for (haux = 0; hw[i + 2 * haux]; haux++)
			;
		haux++;		/* AT_NULL */
		for (unsigned long k = 0; k < haux; k++) {
			uint64_t type = hw[i + 2 * k], val = hw[i + 2 * k + 1];

			switch (type) {
			case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 17: case 23:
			case 25: case 31: case 15:
				ASSERT_MSG(auxv_get(e.m, pid, sp, type) == val,
					   "auxv %lu: vmsim %#lx host %#lx", (unsigned long)type,
					   (unsigned long)auxv_get(e.m, pid, sp, type),
					   (unsigned long)val);
				break;
			}
			if (type == 25)
				u_rand = val;
			if (type == 31)
				execfn = val;
			if (type == 15)
				platform = val;
		}
		ASSERT_CMP(u_rand, >, rsp);
		ASSERT_CMP(execfn, >, u_rand);
		ASSERT_CMP(platform, >, u_rand);
		for (unsigned long a = sp + 8UL * i;; a += 16) {
			saux++;
			if (!read_word(e.m, pid, a))
				break;
		}
		ASSERT_EQ(rsp, (u_rand - (2 * haux + items) * 8) & ~15UL);
		ASSERT_EQ(sp, (u_rand - (2 * saux + items) * 8) & ~15UL);
		/* everything above the AT_RANDOM bytes: platform, strings, file name */
		n1 = top - (u_rand + 16);
		ASSERT_EQ(pread(memfd, hmem, n1, (off_t)(u_rand + 16)), (long)n1);
		ASSERT_EQ(vmsim_read(e.m, pid, u_rand + 16, smem, n1), 0);
		ASSERT_MEMEQ(smem, hmem, n1);
		ASSERT_STREQ(read_str(e.m, pid, execfn, a1, sizeof(a1)), "./prog");
		ASSERT_STREQ(read_str(e.m, pid, platform, a2, sizeof(a2)), "x86_64");
	}

	close(memfd);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	ASSERT_EQ(vmsim_exit(e.m, pid), 0);
	free(host_maps);
	free(host_stat);
	free(host_status);
	free(sim_maps);
	free(sim_status);
	free(hmem);
	free(smem);
	free(bigarg);
	xenv_down(&e);
}


#endif
