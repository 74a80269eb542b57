#!/bin/sh
# What the vmsim tool says when the host refuses it (issue 10): a swap file
# that cannot be used names the file, what failed and the host's errno text;
# a swap size over the real limit is refused by name; a host file-size
# limit (ulimit -f) ends the run with a message, never with SIGXFSZ.
# Ends with "host-errors-test: N passed, N failed".
#
#   VMSIM=build/asan/vmsim sh tests/host-errors-test.sh
set -u
VMSIM=${VMSIM:-build/vmsim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-hosterr.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

# check NAME STATUS 'STDERR LINE' 'SCRIPT' ARGS...: the run's status and
# the first line of its standard error (a prefix when it ends in '*').
check() {
	name=$1 want_st=$2 want_err=$3 script=$4
	shift 4
	printf '%b' "$script" | "$VMSIM" run -q "$@" - >"$tmp/out" 2>"$tmp/err"
	st=$?
	got=$(head -n 1 "$tmp/err")
	case "$got" in
	$want_err) ok=1 ;;
	*) ok=0 ;;
	esac
	if [ "$st" != "$want_st" ] || [ $ok = 0 ]; then
		echo "FAIL $name: status $st (want $want_st), stderr '$got' (want '$want_err')"
		fail=$((fail + 1))
		return 1
	fi
	pass=$((pass + 1))
}

boot='spawn A\n'
check swapfile-missing 2 \
	'<stdin>:1: cannot boot the machine: swapfile /nonexistent/dir/x: No such file or directory' \
	"$boot" -o swap=1M -o swapfile=/nonexistent/dir/x
check swapfile-directory 2 \
	"<stdin>:1: cannot boot the machine: swapfile $tmp: Is a directory" \
	"$boot" -o swap=1M -o swapfile="$tmp"
# root: its size stays 0 (EINVAL); others: Permission denied.  Never EIO.
check swapfile-proc 2 '<stdin>:1: cannot boot the machine: swapfile /proc/version: *' \
	"$boot" -o swap=1M -o swapfile=/proc/version
if grep -q 'Input/output error' "$tmp/err"; then
	echo "FAIL swapfile-proc: $(cat "$tmp/err")"
	fail=$((fail + 1))
fi
check swap-too-big 2 'vmsim: -o swap=16G: swap must be between 40K and 8G' "$boot" -o swap=16G
check swap-largest 0 '' "$boot" -o swap=8G
check swap-largest-file 0 '' "$boot" -o swap=8G -o swapfile="$tmp/swap8g"

# ulimit -f 100 (blocks of 512 bytes: 51200 bytes), in a subshell
limited() {
	if (ulimit -f 100 && check "$@"); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}
if (ulimit -f 100) 2>/dev/null; then
	limited swap-fsize-limit 2 \
		"<stdin>:1: cannot boot the machine: swapfile $tmp/sw: cannot make it 1048576 bytes long: File too large" \
		"$boot" -o swap=1M -o swapfile="$tmp/sw"
	limited swap-fsize-limit-tmp 2 \
		'<stdin>:1: cannot boot the machine: swap file *: cannot make it 1048576 bytes long: File too large' \
		"$boot" -o swap=1M
	limited file-fsize-limit 0 '' \
		'spawn A\nA mmap 0x10000000 1M rw- private,anon,fixed\nA write 0x10000000 pattern=1 len=1M\nA open /f rdwr,creat\nA pwrite 0 0x10000000 1M 0\nA fsync 0\nshow kmsg\n' \
		-o root=tmp
	if ! grep -q '^A fsync 0 = -EIO$' "$tmp/out" ||
	   ! grep -q 'hostfs: /f: writing 4096 bytes at offset 1044480: File too large' "$tmp/out"; then
		echo "FAIL file-fsize-limit: no -EIO or no kmsg line"
		head -20 "$tmp/out"
		fail=$((fail + 1))
	fi
fi

echo "host-errors-test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
