#!/bin/sh
# The shell (vmsim shell, docs/script.md "The shell"), as built with
# readline ($VMSIM) and without ($VMSIM_PLAIN, optional):
#  - through a pipe: no banner, "did you mean" for typos (in `vmsim run`
#    too), `help WORD` with its example, the history file kept across
#    sessions ($VMSIM_HISTORY, --no-history), `machine` booting again;
#  - in a terminal (a tmux pane; skipped with a message when tmux is
#    missing): the banner, TAB completing a command, a process's command,
#    a show form and a machine option, history in ~/.vmsim_history
#    recalled with Up after a restart (readline), `history` (plain build).
# Ends with "shell-test: N passed, N failed".
#
#   VMSIM=build/asan/vmsim VMSIM_PLAIN=build/asan/vmsim-plain sh tests/shell-test.sh
set -u
VMSIM=${VMSIM:-build/vmsim}
PLAIN=${VMSIM_PLAIN:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-shell.XXXXXX") || exit 2
sock=$tmp/tmux.sock	# a server of our own, its socket removed with $tmp
trap 'tmux -S "$sock" kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
unset VMSIM_HISTORY VMSIM_HISTSIZE

ok() {
	pass=$((pass + 1))
}

bad() {
	echo "FAIL $1"
	fail=$((fail + 1))
}

# same NAME FILE TEXT: FILE holds exactly TEXT (and a final newline).
same() {
	if [ "$(cat "$2")" = "$3" ]; then ok; else
		bad "$1: got:"
		sed 's/^/    /' "$2" | head -20
	fi
}

# has NAME FILE TEXT: a line of FILE holds TEXT.
has() {
	if grep -F -q -- "$3" "$2"; then ok; else
		bad "$1: no '$3' in:"
		sed 's/^/    /' "$2" | head -20
	fi
}

# --- through a pipe ------------------------------------------------------------

piped() {
	b=$1
	n=$(basename "$b")
	printf 'spawn A\nA brk 0\n' | HOME="$tmp" "$b" shell >"$tmp/out" 2>"$tmp/err"
	same "$n: no banner on a pipe" "$tmp/out" "spawn A = 1
A brk 0 = 0x555555559000"
	same "$n: nothing on stderr" "$tmp/err" ""
	[ ! -e "$tmp/.vmsim_history" ] && ok || bad "$n: a pipe wrote ~/.vmsim_history"

	printf 'spwan A\nspawn A\nA mmpa 0 4K rw- private,anon\nshow A mpas\nhelp spwan\n' |
		"$b" shell >"$tmp/out" 2>"$tmp/err"
	same "$n: did you mean" "$tmp/err" "<stdin>:1: unknown command 'spwan'; did you mean 'spawn'?
<stdin>:3: unknown command 'mmpa'; did you mean 'mmap'?
<stdin>:4: show: unknown 'mpas'; did you mean 'maps'?
<stdin>:5: no command 'spwan'; did you mean 'spawn'? (help lists them)"

	printf 'help mmap\nhelp history\n' | "$b" shell >"$tmp/out" 2>&1
	same "$n: help WORD" "$tmp/out" "usage:
  A mmap ADDR LEN PROT FLAGS [FD [OFFSET]]

mmap(2): map LEN bytes (anonymous, or FD's file); prints the address.

Example:
  A mmap 0 64K rw- private,anon
history: the lines typed, in this session and earlier ones"

	# the history: kept in $VMSIM_HISTORY, read by the next session
	h=$tmp/hist-$n
	printf 'spawn A\n\nA brk 0\nA brk 0\nquit\n' | VMSIM_HISTORY=$h "$b" shell >/dev/null 2>&1
	same "$n: history file" "$h" "spawn A
A brk 0"
	printf 'history\n' | VMSIM_HISTORY=$h "$b" shell >"$tmp/out" 2>&1
	same "$n: history recalled" "$tmp/out" "    1  spawn A
    2  A brk 0
    3  history"
	printf 'show meminfo\n' | VMSIM_HISTORY=$h VMSIM_HISTSIZE=2 "$b" shell >/dev/null 2>&1
	same "$n: history bounded" "$h" "history
show meminfo"
	printf 'spawn B\n' | VMSIM_HISTORY=$h "$b" shell --no-history >/dev/null 2>&1
	same "$n: --no-history" "$h" "history
show meminfo"
	printf 'spawn B\n' | VMSIM_HISTORY= HOME="$tmp" "$b" shell >/dev/null 2>&1
	[ ! -e "$tmp/.vmsim_history" ] && ok || bad "$n: VMSIM_HISTORY= wrote a file"

	# machine: boots the shell's machine again until a process exists
	printf 'machine ram=64M cpus=2\nshow meminfo\nspawn A\nmachine ram=32M\n' |
		"$b" shell >"$tmp/out" 2>"$tmp/err"
	has "$n: machine again" "$tmp/out" "MemTotal:          62"
	has "$n: machine after spawn" "$tmp/err" "<stdin>:4: machine: the shell's machine has processes"
}

[ -z "${SKIP_PIPED:-}" ] && piped "$VMSIM"
[ -n "$PLAIN" ] && [ -z "${SKIP_PIPED:-}" ] && piped "$PLAIN"

# vmsim run: the same messages, FILE:LINE and exit status 2
printf 'spawn A\nA mumnap 0 4K\n' >"$tmp/typo.vms"
"$VMSIM" run -q "$tmp/typo.vms" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "run: a typo's exit status"
same "run: did you mean" "$tmp/err" "$tmp/typo.vms:2: unknown command 'mumnap'; did you mean 'munmap'?"

# the command line: subcommands, `vmsim help WORD` and -o keys
"$VMSIM" runn >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "runn: exit status"
has "vmsim runn" "$tmp/err" "vmsim: unknown command 'runn'; did you mean 'run'?"
"$VMSIM" help spwan >/dev/null 2>"$tmp/err"
has "vmsim help spwan" "$tmp/err" "vmsim: no help for 'spwan'; did you mean 'spawn'?"
"$VMSIM" run -o rma=64M "$tmp/typo.vms" >/dev/null 2>"$tmp/err"
has "-o rma=" "$tmp/err" "vmsim: -o rma=64M: unknown machine option 'rma'; did you mean 'ram'?"

# --no-history is the shell's flag only
"$VMSIM" run --no-history "$tmp/typo.vms" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "run --no-history: exit status"
has "run --no-history" "$tmp/err" "vmsim: --no-history is for shell"

# --- in a terminal ---------------------------------------------------------------

# wait_for TEXT: until the pane shows TEXT (10 s at most); 1 if it never does.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		tmux -S "$sock" capture-pane -p -N -t sh >"$tmp/pane" 2>/dev/null &&
			grep -F -q -- "$1" "$tmp/pane" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# expect_pane NAME TEXT: the pane comes to show TEXT.
expect_pane() {
	if wait_for "$2"; then ok; else
		bad "$1: the pane never showed '$2':"
		sed 's/^/    /' "$tmp/pane" | grep -v '^ *$' | tail -15
	fi
}

# start BINARY: vmsim shell in a new pane, with $tmp as HOME.
start() {
	tmux -S "$sock" -f /dev/null new-session -d -s sh -x 150 -y 50 \
		"cd '$tmp' && HOME='$tmp/home' INPUTRC=/dev/null TERM=xterm '$1' shell" || return 1
	wait_for "vmsim> "
}

# quit_pane NAME: `quit` ends the shell (and so the pane's session).
quit_pane() {
	tmux -S "$sock" send-keys -t sh C-u "quit" Enter
	i=0
	while tmux -S "$sock" has-session -t sh 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	tmux -S "$sock" has-session -t sh 2>/dev/null && bad "$1: quit did not end the shell" || ok
}

if ! command -v tmux >/dev/null 2>&1; then
	echo "shell-test: tmux not found: the terminal tests (TAB, Up, the banner) are skipped" \
		"(apt-get install tmux)"
else
	mkdir -p "$tmp/home"
	b=$(cd "$(dirname "$VMSIM")" && pwd)/$(basename "$VMSIM")
	if start "$b"; then
		ok
		expect_pane "banner" "Machine: 128M RAM (DMA 16M, Normal 112M), 1 CPU, x86_64 paging"
		if grep -F -q "TAB completes" "$tmp/pane"; then
			# a command word
			tmux -S "$sock" send-keys -t sh "spa" Tab
			expect_pane "TAB: command" "vmsim> spawn "
			tmux -S "$sock" send-keys -t sh "A" Enter
			expect_pane "spawn ran" "spawn A = 1"
			# a process's command, then its arguments
			tmux -S "$sock" send-keys -t sh "A mm" Tab
			expect_pane "TAB: process command" "vmsim> A mmap "
			tmux -S "$sock" send-keys -t sh "0 64K rw- private,anon" Enter
			expect_pane "mmap ran" "A mmap 0 64K rw- private,anon = 0x"
			tmux -S "$sock" send-keys -t sh "A touch 0x7ffff7fef000 8K wr" Tab Enter
			expect_pane "TAB: an option" "A touch 0x7ffff7fef000 8K write = 2"
			# show: a process name, then its form
			tmux -S "$sock" send-keys -t sh "show " Tab Tab
			expect_pane "TAB TAB: the show forms" "vmallocinfo"
			tmux -S "$sock" send-keys -t sh "A sm" Tab Enter
			expect_pane "TAB: show form" "Rss:"
			# a machine option and its value
			tmux -S "$sock" send-keys -t sh "machine recl" Tab "2.4.1" Tab
			expect_pane "TAB: machine option" "vmsim> machine reclaim=2.4.10 "
			quit_pane "first session"
			has "history file" "$tmp/home/.vmsim_history" "show A smaps"
			# a new session recalls the last one's lines
			if start "$b"; then
				tmux -S "$sock" send-keys -t sh Up
				expect_pane "Up: history recall" "vmsim> show A smaps"
				tmux -S "$sock" send-keys -t sh Up
				expect_pane "Up again" "vmsim> A touch 0x7ffff7fef000 8K write"
				tmux -S "$sock" send-keys -t sh C-u "help mun" Tab Tab
				expect_pane "TAB after help" "munlockall"
				quit_pane "second session"
			else
				bad "the second session did not start"
			fi
		else
			echo "shell-test: $VMSIM has no readline: TAB and Up are not tested"
			quit_pane "no readline"
		fi
	else
		bad "vmsim shell did not start in tmux"
	fi
	if [ -n "$PLAIN" ]; then
		b=$(cd "$(dirname "$PLAIN")" && pwd)/$(basename "$PLAIN")
		printf 'spawn Z\n' >>"$tmp/home/.vmsim_history"
		if start "$b"; then
			expect_pane "plain: banner" "\`help\`: the commands; \`help WORD\`: one, with an example; \`quit\` leaves."
			tmux -S "$sock" send-keys -t sh "history" Enter
			expect_pane "plain: history on a terminal" "  spawn Z"
			quit_pane "plain"
		else
			bad "vmsim-plain shell did not start in tmux"
		fi
	fi
fi

echo "shell-test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
