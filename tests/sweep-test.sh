#!/bin/sh
# vmsim sweep and vmsim merge (docs/sweep.md): a small sweep (a trace that
# swaps, two memory sizes, two reclaim policies) gives the same merged CSV
# run here with -j 1 and -j 2, through GNU parallel (its --emit parallel
# job file; skipped when GNU parallel is not installed) and through the
# Slurm job-array script (--emit slurm, run for every SLURM_ARRAY_TASK_ID);
# the CSV's numbers are vmsim trace's; a failing run (a missing trace) is
# reported and the others land; running again skips the records that
# exist (their times unchanged) and reruns a deleted one; bad specs are
# refused with SPEC:LINE.  Ends with "sweep-test: N passed, N failed".
#
#   VMSIM=build/asan/vmsim sh tests/sweep-test.sh
set -u
VMSIM=${VMSIM:-build/vmsim}
case $VMSIM in /*) ;; *) VMSIM=$(pwd)/$VMSIM ;; esac
NAME=sweep
. "$(dirname "$0")/lib.sh"
# same NAME A B: files A and B are equal, and A is not empty
same() {
	if [ -s "$2" ] && cmp -s "$2" "$3"; then
		ok
	else
		bad "$1: CSVs differ"
		diff "$2" "$3" | head -6
	fi
}

# A plain trace that pushes pages to swap at 16M: 4608 pages written in
# order, then every other one read back, then the first 512 again.
awk 'BEGIN { b = 268435456
	for (p = 0; p < 4608; p++) printf "W %x\n", b + p * 4096
	for (p = 0; p < 4608; p += 2) printf "R %x\n", b + p * 4096
	for (p = 0; p < 512; p++) printf "R %x\n", b + p * 4096 }' >"$tmp/t.trace"
accesses=$(wc -l <"$tmp/t.trace")
mkdir "$tmp/specs"
cat >"$tmp/specs/s.spec" <<'EOF'
# the test's sweep: 2 sizes x 2 policies
trace = ../t.trace
ram = 16M:20M:4M          # a range: 16M, 20M
reclaim = 2.4.10, fifo
swap = 32M
EOF

# -j 1: four records, the manifest, exit 0, a summary line
"$VMSIM" sweep -j 1 --out "$tmp/j1" "$tmp/specs/s.spec" 2>"$tmp/err"
check "-j 1 exit status" [ $? -eq 0 ]
check "-j 1 records" [ "$(ls "$tmp/j1" | grep -c '\.jsonl$')" -eq 4 ]
check "-j 1 summary" grep -q "4 runs: 4 ran, 0 failed, 0 skipped" "$tmp/err"
check "-j 1 no progress off a terminal" [ "$(grep -c '^sweep ' "$tmp/err")" -eq 0 ]
"$VMSIM" merge --no-time "$tmp/j1" >"$tmp/j1.csv"
check "merge exit status" [ $? -eq 0 ]
check "CSV header" [ "$(head -1 "$tmp/j1.csv")" = "index,id,status,trace,ram,reclaim,swap,policy,pages,ram_mib,ram_bytes,seed,requests,misses,minor_faults,major_faults,swap_in_pages,swap_out_pages,pgscan_pages,pgsteal_pages,oom_kills,killed,tlb_hits,tlb_misses,managed_pages,vmsim_version,error" ]
check "CSV rows in run order" [ "$(cut -d, -f1,3,5,6,8,9 "$tmp/j1.csv" | tr '\n' ' ')" = \
	"index,status,ram,reclaim,policy,pages 0,ok,16M,2.4.10,2.4.10,4096 1,ok,16M,fifo,fifo,4096 2,ok,20M,2.4.10,2.4.10,5120 3,ok,20M,fifo,fifo,5120 " ]
"$VMSIM" merge "$tmp/j1" | head -1 | grep -q ',error,run_seconds$'
check "run_seconds without --no-time" [ $? -eq 0 ]

# Each row is what vmsim trace gives for the same machine.
for row in 2 5; do
	line=$(sed -n "${row}p" "$tmp/j1.csv")
	ram=$(echo "$line" | cut -d, -f5)
	pol=$(echo "$line" | cut -d, -f6)
	"$VMSIM" trace -q --ram "$ram" --reclaim "$pol" -o swap=32M "$tmp/t.trace" >"$tmp/tr" 2>/dev/null
	want=$(sed -n 's/.*faults \([0-9]*\) minor, \([0-9]*\) major.*swap \([0-9]*\) pages in, \([0-9]*\) out/\2,\1,\2,\3,\4/p' "$tmp/tr")
	got=$(echo "$line" | cut -d, -f14-18)
	check "row $row is vmsim trace's ($want)" [ -n "$want" ] && [ "$got" = "$want" ]
	check "row $row requests" [ "$(echo "$line" | cut -d, -f13)" -eq "$accesses" ]
	check "row $row swaps" [ "$(echo "$line" | cut -d, -f18)" -gt 0 ]
done

# A record: schema, version, seed, units, one line.
rec=$(ls "$tmp/j1"/*.jsonl | head -1)
check "record is one line" [ "$(wc -l <"$rec")" -eq 1 ]
for key in '"schema": "vmsim-sweep/1"' '"vmsim_version": "' '"seed": 1,' '"status": "ok"' \
	'"error": null' '"run_seconds": ' '"ram_bytes": ' '"major_faults": '; do
	check "record has $key" grep -q "$key" "$rec"
done

# -j 2: the same CSV, whatever order the runs end in
"$VMSIM" sweep -j 2 --out "$tmp/j2" "$tmp/specs/s.spec" 2>/dev/null
check "-j 2 exit status" [ $? -eq 0 ]
"$VMSIM" merge --no-time "$tmp/j2" >"$tmp/j2.csv"
same "-j 2" "$tmp/j1.csv" "$tmp/j2.csv"
"$VMSIM" sweep -j 2 --progress always --out "$tmp/j2p" "$tmp/specs/s.spec" 2>"$tmp/err"
check "--progress always" grep -q "^sweep .*s.spec: 4/4 runs, 0 failed, 0 skipped, 0 running, done in" "$tmp/err"

# GNU parallel, from the emitted job file (from another directory: absolute paths)
"$VMSIM" sweep --emit parallel --out "$tmp/par" "$tmp/specs/s.spec" >"$tmp/jobs" 2>"$tmp/err"
check "parallel job file: a line per run" [ "$(wc -l <"$tmp/jobs")" -eq 4 ]
check "parallel job file: run 3" grep -q -- "--run-index 3$" "$tmp/jobs"
check "emit names the merge" grep -q "merge '$tmp/par' > '$tmp/par.csv'" "$tmp/err"
if parallel --version 2>/dev/null | grep -q "GNU parallel"; then
	(cd / && parallel -j 2 <"$tmp/jobs") >/dev/null 2>&1
	check "parallel exit status" [ $? -eq 0 ]
	"$VMSIM" merge --no-time "$tmp/par" >"$tmp/par.csv"
	same "GNU parallel" "$tmp/j1.csv" "$tmp/par.csv"
else
	echo "sweep-test: GNU parallel not installed: the parallel run is skipped"
fi

# Slurm: the array script's body for every index
"$VMSIM" sweep --emit slurm --out "$tmp/slurm" "$tmp/specs/s.spec" >"$tmp/job.sh" 2>/dev/null
check "slurm array" grep -q "^#SBATCH --array=0-3$" "$tmp/job.sh"
check "slurm merge step" grep -q "sbatch --dependency=afterany:\$jid --wrap" "$tmp/job.sh"
for i in 0 1 2 3; do
	(cd / && SLURM_ARRAY_TASK_ID=$i sh "$tmp/job.sh") >/dev/null 2>&1
	check "slurm task $i exit status" [ $? -eq 0 ]
done
"$VMSIM" merge --no-time "$tmp/slurm" >"$tmp/slurm.csv"
same "Slurm array" "$tmp/j1.csv" "$tmp/slurm.csv"
(SLURM_ARRAY_TASK_ID=4 sh "$tmp/job.sh") 2>"$tmp/err"
check "slurm index out of range" [ $? -eq 2 ] && grep -q "run-index wants 0 .. 3, got '4'" "$tmp/err"

# Resume: nothing runs again, records untouched; a deleted record is run again
stamp=$(ls -l --time-style=full-iso "$tmp/j1" | grep jsonl)
"$VMSIM" sweep -j 2 --out "$tmp/j1" "$tmp/specs/s.spec" 2>"$tmp/err"
check "resume exit status" [ $? -eq 0 ]
check "resume skips all" grep -q "4 runs: 0 ran, 0 failed, 4 skipped" "$tmp/err"
check "resume leaves records" [ "$stamp" = "$(ls -l --time-style=full-iso "$tmp/j1" | grep jsonl)" ]
rm "$(ls "$tmp/j1"/*.jsonl | sed -n 2p)"
"$VMSIM" merge --no-time "$tmp/j1" >"$tmp/miss.csv" 2>"$tmp/err"
check "merge: a missing record, exit 1" [ $? -eq 1 ] && grep -q "4 runs: 0 failed, 1 missing" "$tmp/err"
check "merge: the missing row" [ "$(grep -c ',missing,' "$tmp/miss.csv")" -eq 1 ]
"$VMSIM" sweep -j 2 --out "$tmp/j1" "$tmp/specs/s.spec" 2>"$tmp/err"
check "resume runs the deleted one" grep -q "4 runs: 1 ran, 0 failed, 3 skipped" "$tmp/err"
"$VMSIM" merge --no-time "$tmp/j1" >"$tmp/again.csv"
same "resumed" "$tmp/j1.csv" "$tmp/again.csv"
"$VMSIM" sweep --out "$tmp/j1" --run-index 1 "$tmp/specs/s.spec" 2>"$tmp/err"
check "--run-index of a done run: skipped" [ $? -eq 0 ] && [ ! -s "$tmp/err" ]

# A failing run (a missing trace) is reported; the others land
cat >"$tmp/f.spec" <<EOF
trace = $tmp/t.trace $tmp/nonesuch.trace
ram = 16M
swap = 32M
EOF
"$VMSIM" sweep -j 2 --out "$tmp/f" "$tmp/f.spec" 2>"$tmp/err"
check "failed run: exit status 1" [ $? -eq 1 ]
check "failed run reported" grep -q "run 1 (.*) failed: .*nonesuch.trace: cannot open" "$tmp/err"
"$VMSIM" merge --no-time "$tmp/f" >"$tmp/f.csv" 2>"$tmp/err"
check "merge with a failed run: exit 0" [ $? -eq 0 ] && grep -q "2 runs: 1 failed, 0 missing" "$tmp/err"
check "the other run landed" [ "$(grep -c '^0,.*,ok,' "$tmp/f.csv")" -eq 1 ]
check "the failed run's row" grep -q '^1,.*,error,.*nonesuch.trace: cannot open the trace' "$tmp/f.csv"
"$VMSIM" sweep -j 1 --out "$tmp/f" "$tmp/f.spec" 2>"$tmp/err"
check "a failed run is tried again" grep -q "2 runs: 0 ran, 1 failed, 1 skipped" "$tmp/err"

# timeline = N: each replay's counters every N accesses, beside its record
printf 'trace = t.trace\nram = 16M\nswap = 32M\ntimeline = 2000\n' >"$tmp/tl.spec"
"$VMSIM" sweep -j 1 -q "$tmp/tl.spec"
tl=$(ls "$tmp"/tl.out/*.timeline.csv 2>/dev/null)
check "timeline file" [ -n "$tl" ] && [ "$(head -1 "$tl" | cut -d, -f1)" = accesses ]
check "timeline rows" [ "$(wc -l <"$tl")" -eq $((accesses / 2000 + 3)) ]

# timeout = SECONDS: a run that hangs (its trace a FIFO nobody writes) fails, the other lands
mkfifo "$tmp/fifo"
printf 'trace = t.trace fifo\nram = 16M\nswap = 32M\ntimeout = 1\n' >"$tmp/to.spec"
"$VMSIM" sweep -j 2 "$tmp/to.spec" 2>"$tmp/err"
check "timeout: exit status 1" [ $? -eq 1 ]
check "timeout: reported" grep -q "run 1 (.*) failed: timed out after 1 s (killed by SIGKILL)" "$tmp/err"
check "timeout: the other ran" grep -q "2 runs: 1 ran, 1 failed" "$tmp/err"

# A script workload; seeds as an axis (a column of its own)
cat >"$tmp/w.vms" <<'EOF'
spawn A
A mmap 0x10000000 20M rw- private,anon
A touch 0x10000000 20M write
A touch 0x10000000 20M read random=2000 seed=3
EOF
printf 'script = w.vms\nram = 16M\nseed = 1 2\nswap = 32M\n' >"$tmp/w.spec"
"$VMSIM" sweep -j 2 "$tmp/w.spec" 2>/dev/null
check "script sweep, default out" [ $? -eq 0 ] && [ -f "$tmp/w.out/sweep.manifest" ]
"$VMSIM" merge --no-time "$tmp/w.out" >"$tmp/w.csv"
check "script rows" [ "$(cut -d, -f3,4,6,12 "$tmp/w.csv" | tr '\n' ' ')" = \
	"status,script,seed,requests ok,w.vms,1, ok,w.vms,2, " ]
check "script run swapped" [ "$(sed -n 2p "$tmp/w.csv" | cut -d, -f16)" -gt 0 ]

# Bad specs: SPEC:LINE: message, exit 2
bad_spec() {
	printf "$2" >"$tmp/b.spec"
	"$VMSIM" sweep --list "$tmp/b.spec" >/dev/null 2>"$tmp/err"
	st=$?
	if [ $st -eq 2 ] && grep -q "$3" "$tmp/err"; then ok; else
		bad "bad spec $1 (exit $st):"; cat "$tmp/err"; fi
}
bad_spec "bad value" 'trace = t\nram = 16M 12M\n' "b.spec:2: ram=12M: ram must be"
bad_spec "no trace" 'ram = 16M\n' "b.spec: no trace or script line"
bad_spec "twice" 'trace = t\nram = 16M\nram = 20M\n' "b.spec:3: ram given twice"
bad_spec "value twice" 'trace = t t\n' "b.spec:1: trace 't' given twice"
bad_spec "no =" 'trace t\n' "b.spec:1: expected KEY = VALUE"
bad_spec "unknown key" 'trace = t\nfoo = 1\n' "b.spec:2: .*foo"
bad_spec "both kinds" 'trace = t\nout = o\nscript = s\n' "one of trace and script"
bad_spec "bad range" 'trace = t\nram = 32M:16M:4M\n' "b.spec:2: bad range"
"$VMSIM" sweep --list "$tmp/specs/s.spec" >"$tmp/list"
check "--list" [ "$(cut -d' ' -f1,3- "$tmp/list" | sed -n 4p)" = \
	"3 trace=../t.trace ram=20M reclaim=fifo swap=32M" ]
check "ids are the manifest's" [ "$(cut -d' ' -f2 "$tmp/list")" = "$(sed 1d "$tmp/j1/sweep.manifest" | cut -d' ' -f2)" ]
# The example of docs/sweep.md: 4 policies x 8 sizes on a trace its script makes
ex=$(dirname "$0")/../examples/sweep
"$VMSIM" sweep --list "$ex/policy-sweep.spec" >"$tmp/list"
check "example: 32 runs" [ "$(wc -l <"$tmp/list")" -eq 32 ]
check "example: policies x sizes" [ "$(cut -d' ' -f4,5 "$tmp/list" | sort -u | wc -l)" -eq 32 ] &&
	grep -q " reclaim=lru ram=44M " "$tmp/list" && grep -q " reclaim=2.4.0 ram=16M " "$tmp/list"
sh "$ex/hot-scan.sh" >"$tmp/hs"
gzip -dc "$ex/hot-scan.trace.gz" | cmp -s - "$tmp/hs"
check "example: hot-scan.sh makes hot-scan.trace.gz" [ $? -eq 0 ]
for c in "help sweep" "sweep --help" "help merge" "merge -h"; do
	"$VMSIM" $c >"$tmp/help" 2>&1
	check "vmsim $c" [ $? -eq 0 ] && grep -q "^usage: vmsim [smerwgp]* \[OPTIONS\]" "$tmp/help"
done
"$VMSIM" sweep --bogus "$tmp/specs/s.spec" 2>/dev/null
check "sweep --bogus refused" [ $? -eq 2 ]
"$VMSIM" merge "$tmp/nonesuch" 2>/dev/null
check "merge of no directory" [ $? -eq 2 ]
"$VMSIM" sweep -j 0 "$tmp/specs/s.spec" 2>/dev/null
check "-j 0 refused" [ $? -eq 2 ]

# vmsim mrc --reclaim --ram (docs/mrc.md): the kernel policies' rows are a sweep of
# the same trace; -j 1 and -j 2 print the same CSV, each row is vmsim trace's numbers,
# exact LRU's major faults never rise with memory, and no temporary directory stays.
mrcflags="-q --reclaim lru,2.4.10 --ram 16M:24M:4M -o swap=32M -o page_cluster=0"
TMPDIR=$tmp/mt
mkdir "$TMPDIR" && export TMPDIR
"$VMSIM" mrc $mrcflags -j 1 "$tmp/t.trace" >"$tmp/mrc1"
check "mrc --reclaim -j 1" [ $? -eq 0 ]
"$VMSIM" mrc $mrcflags -j 2 "$tmp/t.trace" >"$tmp/mrc2"
check "mrc --reclaim -j 2" [ $? -eq 0 ]
same "mrc -j 1 and -j 2" "$tmp/mrc1" "$tmp/mrc2"
check "mrc: header and 6 rows" [ "$(sed -n 1p "$tmp/mrc1")" = \
	"policy,pages,requests,misses,miss_ratio,major_faults,swap_ins" ] &&
	[ "$(sed 1d "$tmp/mrc1" | cut -d, -f1 | uniq -c | tr -s ' ')" = " 3 kernel:lru
 3 kernel:2.4.10" ]
for pol in lru 2.4.10; do
	for ram in 16 20 24; do
		"$VMSIM" trace --reclaim $pol --ram ${ram}M -o swap=32M -o page_cluster=0 \
			"$tmp/t.trace" 2>/dev/null | sed -n 's/^trace [^ ]*: faults [0-9]* minor, \([0-9]*\) major;.* swap \([0-9]*\) pages in.*/\1,\2/p' >"$tmp/want"
		row=$(grep "^kernel:$pol," "$tmp/mrc1" | sed -n "$(( (ram - 16) / 4 + 1 ))p")
		check "mrc row $pol ${ram}M is vmsim trace's ($row)" [ -s "$tmp/want" ] &&
			[ "$(echo "$row" | cut -d, -f3)" = "$accesses" ] &&
			[ "$(echo "$row" | cut -d, -f4)" = "$(cut -d, -f1 "$tmp/want")" ] &&
			[ "$(echo "$row" | cut -d, -f6,7)" = "$(cat "$tmp/want")" ]
	done
done
grep "^kernel:lru," "$tmp/mrc1" | cut -d, -f6 >"$tmp/lru"
check "mrc: lru's major faults fall or stay as memory grows" sort -n -r -c "$tmp/lru"
check "mrc: lru swaps at 16M" [ "$(sed -n 1p "$tmp/lru")" -gt 0 ]
check "mrc: no temporary directory left" [ -z "$(ls "$TMPDIR")" ]
"$VMSIM" mrc --reclaim lru "$tmp/t.trace" 2>/dev/null >"$tmp/out"
check "mrc --reclaim without --ram refused" [ $? -eq 2 ] && [ ! -s "$tmp/out" ]
"$VMSIM" mrc --reclaim nonesuch --ram 16M "$tmp/t.trace" 2>/dev/null >"$tmp/out"
check "mrc --reclaim nonesuch refused" [ $? -eq 2 ] && [ ! -s "$tmp/out" ]
check "mrc: no temporary directory left after a refusal" [ -z "$(ls "$TMPDIR")" ]

echo "sweep-test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
