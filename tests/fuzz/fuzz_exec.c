/*
 * libFuzzer target for the ELF loader (kernel/exec.c): the first bytes
 * choose the machine (fuzz_opts.h: i386 and PAE machines take ELF32, x86-64
 * ELF64), the next one how the file is run (bit 0: not executable, bit 1:
 * a long argument list, bit 2: exec a second time from the new image); the
 * rest is the executable, written into the machine's root directory and
 * run with vmsim_execve.  Any bytes must load or be refused with an errno
 * (-ENOEXEC, -EINVAL, -ENOMEM, -EPERM, -EACCES, -E2BIG ...), leaving the
 * process as it was; a loaded image is read page by page through its maps,
 * its stack written, and the process exits.  Nothing may crash, BUG or leak.
 *
 *   make fuzz-exec     (FUZZ_TIME seconds)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vmsim/process.h"
#include "vmsim/file.h"
#define FUZZ_BOOT
#include "fuzz_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];

/* At exit: the file and the directory go. */
static void remove_root(void)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/a", root);
	unlink(path);
	rmdir(root);
}

/* The machine's root directory, made once; the file is rewritten per input. */
static const char *root_dir(void)
{
	if (!root[0]) {
		const char *t = getenv("TMPDIR");

		snprintf(root, sizeof(root), "%s/vmsim-fuzz-exec-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(root))
			abort();
		atexit(remove_root);
	}
	return root;
}

static void write_file(const char *dir, const uint8_t *data, size_t size, bool exec)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "%s/a", dir);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, exec ? 0755 : 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

/* Read the first and last page of every VMA, write below the stack pointer. */
static void walk_image(vmsim_machine_t *m, int pid)
{
	char *maps = vmsim_proc_pid_read(m, pid, "maps");
	uint8_t buf[64];

	if (!maps)
		return;
	for (const char *l = maps; *l;) {
		unsigned long start, end;

		if (sscanf(l, "%lx-%lx", &start, &end) == 2 && end > start) {
			if (vmsim_read(m, pid, start, buf, sizeof(buf)) == VMSIM_KILLED)
				break;
			if (vmsim_read(m, pid, end - sizeof(buf), buf, sizeof(buf)) == VMSIM_KILLED)
				break;
		}
		l = strchr(l, '\n');
		if (!l)
			break;
		l++;
	}
	free(maps);
	(void)vmsim_brk(m, pid, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const argv[] = { "a", "x", NULL };
	static const char *const envp[] = { "HOME=/", NULL };
	static const char *long_argv[200];
	struct fuzz_opts fo;
	vmsim_machine_t *m;
	int pid, ret, how;

	fuzz_pick_opts(&data, &size, &fo);
	if (size < 1)
		return 0;
	how = data[0];
	data++;
	size--;
	if (!long_argv[0]) {
		static char big[8192];

		memset(big, 'x', sizeof(big) - 1);
		for (int i = 0; i < 199; i++)
			long_argv[i] = big + (i * 37) % 4096;
	}
	write_file(root_dir(), data, size, !(how & 1));
	m = fuzz_boot(&fo);
	if (!m)
		return 0;
	if (vmsim_fs_set_root(m, root_dir()))
		abort();
	pid = vmsim_spawn(m);
	if (pid > 0) {
		ret = vmsim_execve(m, pid, "/a", how & 2 ? long_argv : argv, envp);
		if (ret > 0 || (ret < 0 && ret != VMSIM_KILLED && -ret > 200)) {
			fprintf(stderr, "execve returned %d\n", ret);
			abort();
		}
		if (ret == 0) {
			walk_image(m, pid);
			if (how & 4 && vmsim_execve(m, pid, "/a", argv, NULL) == 0)
				walk_image(m, pid);
		}
		vmsim_exit(m, pid);
	}
	vmsim_machine_destroy(m);
	return 0;
}
