#!/bin/sh
# Timelines of runs and vmsim plot (issues 14 and 15): a run's --timeline
# has the replay's columns and leaves the output as it was; --plot-every
# draws a picture per command whose frames agree with the machine (free
# frames == MemFree, a process's resident pages == its VmRSS); charts
# always leave their .gp and .dat, and with gnuplot installed real PNG and
# SVG files; without it the command says so and fails only when an image
# was asked for.  Ends with "plot-test: N passed, N failed".
#
#   VMSIM=build/asan/vmsim sh tests/plot-test.sh
set -u
VMSIM=${VMSIM:-build/vmsim}
data=$(cd "$(dirname "$0")" && pwd)/data
NAME=plot
. "$(dirname "$0")/lib.sh"

# Well-formed XML, when a checker is installed (python3 or xmllint).
wellformed() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"
	elif command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$1"
	else
		grep -q '^</svg>$' "$1"
	fi
}

# The value of attribute $2 of the first element of $1 carrying id="$3".
attr_of_id() {
	grep "id=\"$3\"" "$1" | head -n 1 | sed "s/.* $2=\"\([^\"]*\)\".*/\1/"
}

cat >"$tmp/s.vms" <<'EOF'
machine ram=16M swap=32M
spawn A
A mmap 0x10000000 4M rw- shared,anon,fixed
A write 0x10000000 pattern=5 len=4M
spawn C
C mmap 0x20000000 14M rw- private,anon,fixed
C write 0x20000000 pattern=6 len=14M
A read 0x10000000 64K
C read 0x20000000 4K
show meminfo
show C status
EOF

# --- timelines of runs ------------------------------------------------------------
"$VMSIM" run -q "$tmp/s.vms" >"$tmp/ref" 2>&1
"$VMSIM" run -q --timeline "$tmp/tl.csv" --every 1000 "$tmp/s.vms" >"$tmp/out" 2>&1
check "run --timeline changes the output" cmp -s "$tmp/ref" "$tmp/out"
head="accesses,time_ms,free_pages,anon_pages,file_pages,shmem_pages,dirty_pages"
head="$head,writeback_pages,slab_reclaimable_pages,slab_unreclaimable_pages,faults"
head="$head,major_faults,pgscan_kswapd,pgscan_direct,pgsteal_kswapd,pgsteal_direct,pswpin"
head="$head,pswpout,oom_kills,swap_used_kb,tlb_hits,tlb_misses"
check "run timeline header: $(head -n 1 "$tmp/tl.csv")" \
	test "$(head -n 1 "$tmp/tl.csv")" = "$head"
# rows: as booted (0 accesses), after the commands passing a multiple of
# 1000 accesses, the end; accesses and time never go back; 22 fields each
rows=$(tail -n +2 "$tmp/tl.csv" | awk -F, 'NF != 22 || $1 < a || $2 < t { bad = 1 }
	{ a = $1; t = $2; n++ } END { print (bad ? "bad" : n) }')
first=$(sed -n 2p "$tmp/tl.csv" | cut -d, -f1)
check "run timeline rows: $rows, first $first" test "$rows" != bad -a "$rows" -ge 4 -a "$first" = 0
# the last row is the machine the script's `show meminfo` saw
memfree=$(awk '/^MemFree:/ { print $2 / 4 }' "$tmp/ref")
last=$(tail -n 1 "$tmp/tl.csv")
check "run timeline end: free $(echo "$last" | cut -d, -f3), MemFree $memfree pages" \
	test "$(echo "$last" | cut -d, -f3)" = "$memfree" -a "$(echo "$last" | cut -d, -f18)" -gt 0
# by virtual time: a row when the clock (advanced by swap I/O) passes 10 ms steps
"$VMSIM" run -q --timeline "$tmp/tm.csv" --every 10ms "$tmp/s.vms" >"$tmp/out" 2>&1
tms=$(tail -n +2 "$tmp/tm.csv" | cut -d, -f2 | tr '\n' ' ')
check "run timeline by time: $tms" cmp -s "$tmp/ref" "$tmp/out"
check "run timeline by time rows: $tms" test "$(tail -n +2 "$tmp/tm.csv" | wc -l)" -ge 3 -a \
	"$(tail -n 1 "$tmp/tm.csv" | cut -d, -f2)" -gt 0
"$VMSIM" run --every 10xs --timeline "$tmp/x.csv" "$tmp/s.vms" >/dev/null 2>"$tmp/err"
check "bad --every" test $? = 2 -a -s "$tmp/err"

# --- pictures, a step per command --------------------------------------------------------
"$VMSIM" run -q --plot-every "$tmp/steps" "$tmp/s.vms" >"$tmp/out" 2>&1
check "run --plot-every changes the output" cmp -s "$tmp/ref" "$tmp/out"
n=$(ls "$tmp/steps" | grep -c '^step-[0-9]*\.svg$')
check "steps: $n pictures for 10 commands and the boot" test "$n" = 11
check "index.html lists them" test "$(grep -c '<img src="step-' "$tmp/steps/index.html")" = 11
last=$tmp/steps/step-0010.svg
for f in "$tmp"/steps/step-*.svg; do
	wellformed "$f" || bad "$f is not well-formed XML"
done
ok
check "last step's title" grep -q 'step 10, line 11: show C status' "$last"
# free frames coloured free are MemFree; their squares cover as many frames
free=$(attr_of_id "$last" data-frames frames-free)
check "frames-free $free, MemFree $memfree pages" test "$free" = "$memfree"
cells=$(awk '/id="frames-free"/ { on = 1; next } on && /^<\/g>/ { on = 0 }
	on && /<rect/ { sub(/.*width="/, ""); sub(/".*/, ""); w += $0 } END { print w / 4 }' "$last")
check "frames-free squares $cells" test "$cells" = "$free"
# every frame in one group: 16 MiB is 4096 frames
total=$(grep -o 'data-frames="[0-9]*"' "$last" | tr -dc '0-9\n' | awk '{ s += $1 } END { print s }')
check "frames in all groups: $total" test "$total" = 4096
for name in 'free (buddy lists)' 'anonymous' 'page cache (files)' 'shmem' 'swap cache' 'slab' \
	    'page tables' 'reserved'; do
	grep -q ">$name: [0-9]*</text>" "$last" || bad "legend lacks '$name'"
done
ok
# swapping shows: swap-cache and shmem frames present
check "swap cache frames" test "$(attr_of_id "$last" data-frames frames-swapcache)" -gt 0
# C's resident pages drawn are its VmRSS
rss=$(awk '/^VmRSS:/ { print $2 / 4 }' "$tmp/ref")
res=$(awk '/data-process="C"/ { on = 1 } on && /class="vma"/ {
	sub(/.*data-resident="/, ""); sub(/".*/, ""); r += $0 } on && /^<\/g>$/ && !/vma/ { }
	END { print r }' "$last")
check "C's resident pages $res, VmRSS $rss" test "$res" = "$rss"
# the buddy lists: a bar per order and zone, blocks as the zone's free frames
bars=$(grep -c 'data-order=' "$last")
check "buddy bars: $bars" test $((bars % 11)) = 0 -a "$bars" -gt 0
# the end's picture alone, and a picture kind alone
"$VMSIM" plot memory --output "$tmp/mem" "$tmp/s.vms" >"$tmp/out" 2>&1
check "plot memory SCRIPT" test -s "$tmp/mem.svg" -a ! -s "$tmp/out"
check "plot memory draws no address space" test "$(grep -c 'class="vma"' "$tmp/mem.svg")" = 0
check "plot memory: free == MemFree" test "$(attr_of_id "$tmp/mem.svg" data-frames frames-free)" = "$memfree"
"$VMSIM" plot space --every 3 --output "$tmp/sp" "$tmp/s.vms" >/dev/null 2>&1
check "plot space --every 3" test -s "$tmp/sp/step-0003.svg" -a ! -e "$tmp/sp/step-0004.svg"

# --- charts ----------------------------------------------------------------------
cat >"$tmp/sweep.csv" <<'EOF'
policy,pages,requests,misses,seed
lru,8,100,50,1
lru,4,100,70,1
fifo,4,100,80,1
fifo,8,100,60,1
EOF
# without gnuplot: the .gp and .dat, exit 0; exit 1 when an image was asked for
VMSIM_GNUPLOT=/nonexistent "$VMSIM" plot mrc --output "$tmp/ng" "$tmp/sweep.csv" 2>"$tmp/err"
st=$?
check "no gnuplot: exit $st" test $st = 0 -a -s "$tmp/ng.gp" -a -s "$tmp/ng.dat"
check "no gnuplot: says so" grep -q gnuplot "$tmp/err"
VMSIM_GNUPLOT=/nonexistent "$VMSIM" plot mrc --format png --output "$tmp/ng2" "$tmp/sweep.csv" \
	2>/dev/null
check "no gnuplot, --format png: exit 1" test $? = 1 -a -s "$tmp/ng2.gp"
# a sweep's CSV: misses/requests by policy, sorted by pages
dat=$(grep -v '^#' "$tmp/ng.dat" | tr '\n' ' ')
check "sweep .dat: $dat" test "$dat" = "4 0.7 8 0.5   4 0.8 8 0.6 "
check "sweep .gp: a line per policy" grep -q 'index 1 using 1:2 .*title "fifo"' "$tmp/ng.gp"
# quoted fields (a comma inside), # comments and CRLF line ends
printf '# made by hand\r\nname,x,y\r\n"a,b",2,20\r\n"a,b",1,10\r\n"say ""c""",1,5\r\n' \
	>"$tmp/q.csv"
VMSIM_GNUPLOT=/nonexistent "$VMSIM" plot csv --x x --y y --group name --output "$tmp/q" \
	"$tmp/q.csv" 2>/dev/null
dat=$(grep -v '^#' "$tmp/q.dat" | tr '\n' ' ')
check "quoted CSV .dat: $dat" test "$dat" = "1 10 2 20   1 5 "
check "quoted CSV groups" grep -q '^# group say "c"$' "$tmp/q.dat"
"$VMSIM" plot csv --x pages --y nope "$tmp/sweep.csv" >/dev/null 2>"$tmp/err"
check "unknown column: exit 2" test $? = 2 -a -s "$tmp/err"

if command -v gnuplot >/dev/null 2>&1; then
	for kind in "timeline $tmp/tl.csv" "mrc $data/python-pages.mrc.csv" "mrc $tmp/sweep.csv" \
		    "csv --x pages --y misses --group policy --logy $tmp/sweep.csv"; do
		rm -f "$tmp/c.png" "$tmp/c.svg" "$tmp/c.gp" "$tmp/c.dat"
		# shellcheck disable=SC2086
		if ! "$VMSIM" plot --output "$tmp/c" $kind 2>"$tmp/err"; then
			bad "plot $kind: $(cat "$tmp/err")"
			continue
		fi
		magic=$(od -An -c -N4 "$tmp/c.png" | tr -d ' ')
		check "plot $kind: PNG magic '$magic'" test "$magic" = '211PNG' -a -s "$tmp/c.png"
		check "plot $kind: SVG" wellformed "$tmp/c.svg"
		check "plot $kind: an SVG drawing" grep -q '<path' "$tmp/c.svg"
		check "plot $kind: .gp .dat" test -s "$tmp/c.gp" -a -s "$tmp/c.dat"
	done
	# the legend names the timeline's lines
	"$VMSIM" plot timeline --format svg --output "$tmp/t" "$tmp/tl.csv" 2>/dev/null
	for name in free anon shmem 'swap used' pswpout; do
		grep -q ">$name<" "$tmp/t.svg" || bad "timeline legend lacks $name"
	done
	check "timeline --format svg draws no PNG" test -s "$tmp/t.svg" -a ! -e "$tmp/t.png"
	# the .gp redraws by itself, in its directory
	rm -f "$tmp/t.svg"
	(cd "$tmp" && gnuplot t.gp 2>/dev/null)
	check "gnuplot t.gp redraws" test -s "$tmp/t.svg" -a -s "$tmp/t.png"
else
	echo "plot-test: gnuplot is not installed: images not checked"
fi

echo "plot-test: $pass passed, $fail failed"
[ $fail = 0 ]
