#!/bin/sh
# Where a trace comes from does not change the replay (issue 14): the same
# trace from a file, standard input (a file, a pipe, /dev/stdin), gzip'd
# and zstd (as files and through pipes) gives the same output, with map
# auto mapping pages on their first touch in one pass.  Ends with
# "trace-input-test: N passed, N failed".
#
#   VMSIM=build/asan/vmsim sh tests/trace-input-test.sh
set -u
VMSIM=${VMSIM:-build/vmsim}
dir=$(dirname "$0")/scenarios
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-trin.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

# The replay's standard output with the trace's name made the same.
norm() {
	sed 's/^trace [^:]*:/trace T:/' "$1"
}

# same NAME REF OUT: OUT's output is REF's (both exit 0).
same() {
	if [ "$(norm "$2")" = "$(norm "$3")" ] && [ -s "$3" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $1: output differs from the plain file's"
		norm "$2" | diff - "$3" | head -5
		fail=$((fail + 1))
	fi
}

# The din trace pushes pages to swap over two batches; the lackey one is
# short, with fetches (rwx mappings).
for t in 0402-trace-swap.din 0400-trace-lackey.lackey; do
	f=$dir/$t
	args="--ram 16M -o swap=16M"
	"$VMSIM" trace $args "$f" >"$tmp/ref" 2>/dev/null || { echo "FAIL $t: file"; fail=$((fail + 1)); }
	"$VMSIM" trace $args - <"$f" >"$tmp/out" 2>/dev/null
	same "$t stdin file" "$tmp/ref" "$tmp/out"
	cat "$f" | "$VMSIM" trace $args - >"$tmp/out" 2>/dev/null
	same "$t pipe" "$tmp/ref" "$tmp/out"
	cat "$f" | "$VMSIM" trace $args /dev/stdin >"$tmp/out" 2>/dev/null
	same "$t /dev/stdin pipe" "$tmp/ref" "$tmp/out"
	if "$VMSIM" trace --help | grep -q gzip && gzip -c "$f" >"$tmp/t.gz"; then
		"$VMSIM" trace $args "$tmp/t.gz" >"$tmp/out" 2>"$tmp/err"
		if grep -q "without zlib" "$tmp/err"; then
			echo "skip gzip: vmsim built without zlib"
		else
			same "$t gzip file" "$tmp/ref" "$tmp/out"
			cat "$tmp/t.gz" | "$VMSIM" trace $args - >"$tmp/out" 2>/dev/null
			same "$t gzip pipe" "$tmp/ref" "$tmp/out"
		fi
	fi
	if command -v zstd >/dev/null 2>&1 && zstd -qc "$f" >"$tmp/t.zst"; then
		"$VMSIM" trace $args "$tmp/t.zst" >"$tmp/out" 2>"$tmp/err"
		if grep -q "without libzstd" "$tmp/err"; then
			echo "skip zstd: vmsim built without libzstd"
		else
			same "$t zstd file" "$tmp/ref" "$tmp/out"
			cat "$tmp/t.zst" | "$VMSIM" trace $args - >"$tmp/out" 2>/dev/null
			same "$t zstd pipe" "$tmp/ref" "$tmp/out"
		fi
	fi
done

# Two gzip members end to end are the two files end to end; a cut gzip or
# zstd file is an error that says so (status 2).
f=$dir/0400-trace-lackey.lackey
cat "$f" "$f" >"$tmp/twice"
"$VMSIM" trace "$tmp/twice" >"$tmp/ref" 2>/dev/null
if [ -s "$tmp/t.gz" ] && ! grep -q "without zlib" "$tmp/err"; then
	cat "$tmp/t.gz" "$tmp/t.gz" | "$VMSIM" trace - >"$tmp/out" 2>/dev/null
	same "gzip members" "$tmp/ref" "$tmp/out"
	head -c 2000 "$tmp/t.gz" | "$VMSIM" trace - >/dev/null 2>"$tmp/err"
	st=$?
	if [ $st = 2 ] && grep -q "^<stdin>:[0-9]*: truncated gzip data" "$tmp/err"; then
		pass=$((pass + 1))
	else
		echo "FAIL cut gzip: status $st, $(cat "$tmp/err")"
		fail=$((fail + 1))
	fi
fi
if [ -s "$tmp/t.zst" ] && "$VMSIM" trace "$tmp/t.zst" >/dev/null 2>&1; then
	head -c 2000 "$tmp/t.zst" >"$tmp/cut.zst"
	"$VMSIM" trace "$tmp/cut.zst" >/dev/null 2>"$tmp/err"
	st=$?
	if [ $st = 2 ] && grep -q "cut.zst:.*truncated zstd data" "$tmp/err"; then
		pass=$((pass + 1))
	else
		echo "FAIL cut zstd: status $st, $(cat "$tmp/err")"
		fail=$((fail + 1))
	fi
fi

# Progress: --progress=always to a file ends with the final plain line
# (accesses, percent of the input, rate, done); auto, stderr not a
# terminal, prints none (only the rate line trace always prints).
# prog NAME 'PATTERN' CMD...: a line of CMD's standard error matches.
prog() {
	name=$1 want=$2
	shift 2
	"$@" >/dev/null 2>"$tmp/err"
	if grep -Eq "$want" "$tmp/err"; then
		pass=$((pass + 1))
	else
		echo "FAIL progress $name: '$(tail -n 1 "$tmp/err")' (want $want)"
		fail=$((fail + 1))
	fi
}
f=$dir/0402-trace-swap.din
n='[0-9]+\.[0-9]+'
prog always "^$f: 7681 accesses, 100\.0% of input, $n M accesses/s, done in $n s\$" \
	"$VMSIM" trace -q --progress=always "$f"
prog pipe "^<stdin>: 7681 accesses, 0\.1 MB read, $n M accesses/s, done in $n s\$" \
	sh -c 'cat "$2" | "$1" trace -q --progress=always -' sh "$VMSIM" "$f"
prog mrc "^$f: 7681 accesses, 100\.0% of input, $n M accesses/s, done in $n s\$" \
	"$VMSIM" mrc -q --progress=always "$f"
for mode in auto never; do
	"$VMSIM" trace -q --progress=$mode "$f" >/dev/null 2>"$tmp/err"
	if [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^trace $f: 7681 accesses in" "$tmp/err"; then
		pass=$((pass + 1))
	else
		echo "FAIL progress $mode: $(cat "$tmp/err")"
		fail=$((fail + 1))
	fi
done
"$VMSIM" trace --progress=sometimes "$f" >/dev/null 2>"$tmp/err"
if [ $? = 2 ] && grep -q "progress" "$tmp/err"; then
	pass=$((pass + 1))
else
	echo "FAIL progress bad value: $(head -n 1 "$tmp/err")"
	fail=$((fail + 1))
fi

# Timeline: a header, a row at 0, every 2000 accesses and at the end;
# swapping shows in its counters; the replay's output does not change.
args="--ram 16M -o swap=16M"
"$VMSIM" trace -q $args "$f" >"$tmp/ref" 2>/dev/null
"$VMSIM" trace -q $args --timeline "$tmp/tl.csv" --every 2000 "$f" >"$tmp/out" 2>/dev/null
head="accesses,time_ms,free_pages,anon_pages,file_pages,shmem_pages,dirty_pages,writeback_pages"
head="$head,slab_reclaimable_pages,slab_unreclaimable_pages,faults,major_faults"
head="$head,pgscan_kswapd,pgscan_direct,pgsteal_kswapd,pgsteal_direct,pswpin,pswpout"
head="$head,oom_kills,swap_used_kb,tlb_hits,tlb_misses"
rows=$(tail -n +2 "$tmp/tl.csv" | cut -d, -f1 | tr '\n' ' ')
last=$(tail -n 1 "$tmp/tl.csv")
if [ "$(head -n 1 "$tmp/tl.csv")" = "$head" ] && [ "$rows" = "0 2000 4000 6000 7681 " ] &&
    [ "$(echo "$last" | cut -d, -f18)" -gt 0 ] && [ "$(echo "$last" | cut -d, -f20)" -gt 0 ] &&
    cmp -s "$tmp/ref" "$tmp/out"; then
	pass=$((pass + 1))
else
	echo "FAIL timeline: rows '$rows', last '$last'"
	head -n 1 "$tmp/tl.csv"
	fail=$((fail + 1))
fi

echo "trace-input-test: $pass passed, $fail failed"
[ $fail = 0 ]
