#!/bin/sh
# The vmsim command's flags (tools/vmsim/main.c, getopt_long): each spelling of
# a flag gives the same run, combined short flags work, flags go before or after
# the command's words, and a bad flag or value is an error naming the flag and
# what it allows (exit status 2), before anything boots.  Ends with
# "tool-flags-test: N passed, N failed".
#
#   VMSIM=build/asan/vmsim sh tests/tool-flags-test.sh
set -u
VMSIM=${VMSIM:-build/vmsim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-flags.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

failed() {
	echo "FAIL $1"
	fail=$((fail + 1))
}

# bad NAME 'ARGS' 'FIRST LINE OF STDERR': status 2, nothing on stdout.
bad() {
	# shellcheck disable=SC2086
	$VMSIM $2 >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	got=$(head -n 1 "$tmp/err")
	if [ $st != 2 ] || [ "$got" != "$3" ] || [ -s "$tmp/out" ]; then
		failed "$1: vmsim $2: status $st, stderr '$got', want '$3'"
	else
		pass=$((pass + 1))
	fi
}

# same NAME 'ARGS1' 'ARGS2': both succeed with the same standard output.
same() {
	# shellcheck disable=SC2086
	$VMSIM $2 >"$tmp/a" 2>"$tmp/ea" </dev/null
	sa=$?
	# shellcheck disable=SC2086
	$VMSIM $3 >"$tmp/b" 2>"$tmp/eb" </dev/null
	sb=$?
	if [ $sa != 0 ] || [ $sb != 0 ] || ! cmp -s "$tmp/a" "$tmp/b" || [ ! -s "$tmp/a" ]; then
		failed "$1: 'vmsim $2' (status $sa) and 'vmsim $3' (status $sb) differ"
		diff "$tmp/a" "$tmp/b" | head -5
		head -3 "$tmp/ea" "$tmp/eb"
	else
		pass=$((pass + 1))
	fi
}

# has NAME 'ARGS' 'TEXT': succeeds and standard output contains TEXT.
has() {
	# shellcheck disable=SC2086
	$VMSIM $2 >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	if [ $st != 0 ] || ! grep -qF -- "$3" "$tmp/out"; then
		failed "$1: vmsim $2: status $st, no '$3' in its output"
	else
		pass=$((pass + 1))
	fi
}

s=$tmp/s.vms
printf 'spawn A\nA mmap 0 64K rw- private,anon\nshow sysctl\n' >"$s"
printf 'R 0x1000 8\nW 0x2000 8\n' >"$tmp/t.plain"

# Values out of range name the flag as given and the allowed values (the machine
# does not boot: the error is not blamed on the trace or script).
bad ram-range "trace --ram 8M $tmp/t.plain" "vmsim: --ram 8M: ram must be between 16M and 16G"
bad ram-align "run --ram=18M $s" \
	"vmsim: --ram 18M: ram must be a multiple of 4M (the largest buddy block)"
bad cpus "run --cpus 99 $s" "vmsim: --cpus 99: bad value '99' for machine option 'cpus' (1 .. 16)"
bad nodes "run --nodes=0 $s" \
	"vmsim: --nodes 0: bad value '0' for machine option 'nodes' (1 .. 8, at least 16M of RAM each)"
bad paging "run --paging sparc $s" \
	"vmsim: --paging sparc: bad value 'sparc' for machine option 'paging' (i386, pae or x86_64)"
bad tlb "run --tlb 48 $s" "vmsim: --tlb 48: tlb must be a power of two, 1 .. 65536"
bad set-range "run -o swap=4K $s" "vmsim: -o swap=4K: swap must be between 40K and 8G"
bad set-long "run --set=page_cluster=7 $s" \
	"vmsim: --set page_cluster=7: bad value '7' for machine option 'page_cluster' (0 .. 6)"
bad set-attached "run -qodirty_ratio=0 $s" \
	"vmsim: -o dirty_ratio=0: bad value '0' for machine option 'dirty_ratio' (1 .. 100)"
bad negative "run --seed -1 $s" \
	"vmsim: --seed -1: bad value '-1' for machine option 'seed': negative (a number)"
bad overflow "run --ram 99999999999999999999 $s" \
	"vmsim: --ram 99999999999999999999: bad value '99999999999999999999' for machine option 'ram': more than 2^64 - 1 (a size, 16M .. 16G, a multiple of 4M)"
bad not-number "run --cpus two $s" \
	"vmsim: --cpus two: bad value 'two' for machine option 'cpus' (1 .. 16)"
bad unknown-key "run -o colour=blue $s" "vmsim: -o colour=blue: unknown machine option 'colour'"
bad format "trace --format csv $tmp/t.plain" "vmsim: --format csv: wants auto, lackey, din or plain"
bad map "trace --map=some $tmp/t.plain" "vmsim: --map some: wants auto or none"
bad trace-together "trace --tlbways 128 $tmp/t.plain" \
	"vmsim: the machine flags together: tlb entries and ways must be powers of two, ways <= entries"
bad trace-nodes "trace --nodes 8 --ram 64M $tmp/t.plain" \
	"vmsim: the machine flags together: nodes must be 1..8 with at least 16M each"
bad run-together "run --tlbways 128 $s" \
	"$s:1: bad machine from the flags: tlb entries and ways must be powers of two, ways <= entries"
printf 'machine tlb=256\nspawn A\n' >"$tmp/m.vms"
has run-machine-line "run -q --tlbways 128 $tmp/m.vms" "spawn A = 1"

# Flags getopt_long refuses.
bad unknown "run --bogus $s" "vmsim: unknown option '--bogus'"
bad unknown-first "--bogus run $s" "vmsim: unknown option '--bogus'"
bad unknown-short "run -qx $s" "vmsim: unknown option '-x'"
bad unknown-after-long "run --json -xq $s" "vmsim: unknown option '-x'"
bad no-value "run $s --ram" "vmsim: option '--ram' needs a value"
bad no-value-short "run $s -qo" "vmsim: option '-o' needs a value"
bad takes-no-value "run --json=yes $s" "vmsim: option '--json' takes no value"
bad no-equals "run -o ram $s" "vmsim: expected KEY=VALUE, got 'ram'"
bad format-for-run "run --format din $s" "vmsim: --format is for trace"
bad two-scripts "run $s $s" "vmsim: unexpected argument '$s'"
bad unknown-command "frobnicate" "vmsim: unknown command 'frobnicate'"
bad demo-options "demo -q" "vmsim: demo takes no options"
bad after-dashdash "run -- -q" "vmsim: cannot read -q: No such file or directory"

# The same run, however the flags are spelled, combined and placed.
same short-combined "run -q -o seed=7 -o ram=64M $s" "run -qo seed=7 -oram=64M $s"
same long-forms "run --quiet --set seed=7 --ram 64M $s" "run -q --set=seed=7 --ram=64M $s"
same before-command "--ram 64M -q run $s" "run $s --ram 64M -q"
same json "run --json -q --seed 3 $s" "run -q $s --seed=3 --json"
same dashdash "run -q -- $s" "run -q $s"
has json-seed "run --json -qo seed=7 $s" '"seed": 7'
has ram-applied "run --json --ram 64M $s" '"ram_bytes": 67108864'
has set-applied "run -qo page_cluster=5 $s" "vm.page-cluster = 5"
has decimal "run -qo page_cluster=05 $s" "vm.page-cluster = 5"
has trace-flags "trace -q --format plain --map auto $tmp/t.plain" "format plain, map auto"
has trace-together "trace -q --tlb 256 --tlbways 128 $tmp/t.plain" "format plain, map auto"

# Help and version.
same help "help run" "run --help"
same help-short "run -h" "run --help"
same help-main "help" "-h"
has version "--version" "vmsim "
has help-flags "help run" "-o, --set KEY=VALUE"

# Reclaim policies by name: the list, each name taken, a wrong one refused.
has help-reclaim-2410 "help reclaim" "  2.4.10     Linux 2.4.10+"
has help-reclaim-fifo "help reclaim" "  fifo       first in, first out"
has reclaim-fifo "run --json --reclaim fifo $s" '"reclaim": "fifo"'
has reclaim-set "run --json -o reclaim=2.4.0 $s" '"reclaim": "2.4.0"'
bad reclaim-name "run --reclaim lru9 $s" \
	"vmsim: --reclaim lru9: bad value 'lru9' for machine option 'reclaim' (a reclaim policy of \`vmsim help reclaim\` (2.4.10, 2.4.0, fifo ...) or plugin:PATH)"
if [ -n "${PLUGIN:-}" ]; then
	has reclaim-plugin "run --json --reclaim plugin:$PLUGIN $s" "\"reclaim\": \"plugin:$PLUGIN\""
	bad reclaim-plugin-missing "run --reclaim plugin:$tmp/none.so $s" \
		"vmsim: --reclaim plugin:$tmp/none.so: reclaim=plugin:$tmp/none.so: cannot load it"
fi

echo "tool-flags-test: $pass passed, $fail failed"
[ $fail = 0 ]
