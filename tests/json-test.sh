#!/bin/sh
# vmsim's JSON documents (docs/json.md): each one the tool writes is valid
# JSON (tests/json/jsoncheck.c, strict), names its schema, and every key in
# it is listed in docs/json.md's section of that schema (docs/sweep.md for
# sweep records), so the page cannot rot; a failed run still writes one
# document with its error; text passes through as UTF-8; page_cluster is the
# value in effect.  And each `show json` form has the numbers of its text.
#
#   VMSIM=build/asan/vmsim JSONCHECK=build/asan/jsoncheck sh tests/json-test.sh
set -u
VMSIM=${VMSIM:-build/vmsim}
J=${JSONCHECK:-build/jsoncheck}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-json.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# The keys a section of a doc lists: first-column `tokens` of its table rows,
# a trailing [] dropped (zones[] is the key zones).
doc_keys() {	# FILE SECTION-HEADING
	awk -v h="## $2" '
		$0 == h { on = 1; next }
		/^## / { on = 0 }
		on && /^\| `/ { split($0, c, "|"); print c[2] }' "$1" |
	grep -o '`[^`]*`' | tr -d '`' | sed 's/\[\]$//' | sort -u
}

# Every key of document(s) $2 (one per line with -l) is in the key list $3;
# a listed key ending in .* covers any key below it.
keys_listed() {	# NAME FILE KEYLIST [-l]
	if ! "$J" ${4:-} -k "$2" >"$tmp/k.all" 2>"$tmp/k.err"; then
		bad "$1: not valid JSON: $(cat "$tmp/k.err")"
		return
	fi
	# a listed key's parents are listed too (faults.total: faults)
	# a listed key with * is a pattern: * is any part of one key (a.*: any key of a)
	missing=$(sort -u "$tmp/k.all" | awk 'NR == FNR { k[$0] = 1
		for (i = length($0); i > 1; i--) { c = substr($0, i, 1)
			if (c == "." || (c == "[" && substr($0, i, 2) == "[]")) k[substr($0, 1, i - 1)] = 1 }
		if (index($0, "*")) { r = $0; gsub(/[.[\]()]/, "\\\\&", r); gsub(/\*/, "[^.]*", r)
			w["^" r "$"] = 1 }
		next }
		{ if ($0 in k) next; for (p in w) if ($0 ~ p) next; print }' "$3" -)
	if [ -n "$missing" ]; then
		bad "$1: keys emitted but not in the docs: $(echo $missing)"
	else
		ok
	fi
}

# run and trace: report.X and reports[].X are vmsim-report/1's X.
run_keys() {	# SCHEMA-SECTION... -> $tmp/listed
	: >"$tmp/listed"
	for sec in "$@"; do
		doc_keys docs/json.md "$sec" >>"$tmp/listed"
	done
	doc_keys docs/json.md vmsim-report/1 | sed 's/^/report./' >>"$tmp/listed"
	doc_keys docs/json.md vmsim-report/1 | sed 's/^/reports[]./' >>"$tmp/listed"
	sort -u -o "$tmp/listed" "$tmp/listed"
}

has() {	# NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok; else bad "$1: no '$3' in $(head -c 300 "$2")"; fi
}

[ -x "$J" ] || { echo "json-test: $J missing (set JSONCHECK=)" >&2; exit 2; }

# --- the validator itself refuses what it must -----------------------------------
for doc in '{"a":1,}' '[01]' '{"a":1,"a":2}' '"\ud800"' '{"a" 1}' '[1 2]' 'nul' '"a\x"' \
	   "$(printf '"\377"')" '{} {}'; do
	if printf '%s' "$doc" | "$J" 2>/dev/null; then bad "jsoncheck took $doc"; else ok; fi
done
printf '{"a":[1,{"b":"\303\251\\u00e9"}],"c":-1.5e3,"d":null}' | "$J" && ok || bad "jsoncheck refused a good doc"

# --- vmsim-run/1: ok, an expect that failed, an error, an unreadable script --------------
mkdir -p "$tmp/root"
printf 'x\n' >"$tmp/root/f$(printf '\303\251').txt"
cat >"$tmp/ok.vms" <<EOF
machine ram=32M swap=8M cpus=2 root=$tmp/root
spawn A
A mmap 0x10000000 64K rw- private,anon,fixed
A write 0x10000000 "h$(printf '\303\251')llo"
A open "f$(printf '\303\251').txt" rdonly
A touch 0x10000000 64K write
spawn B
B mmap 0x10000000 4K r-- private,anon,fixed
B write 0x10000000 "x"
show report
EOF
run_keys vmsim-run/1
"$VMSIM" run --json "$tmp/ok.vms" >"$tmp/ok.json" 2>"$tmp/ok.err"
keys_listed run-ok "$tmp/ok.json" "$tmp/listed"
has run-schema "$tmp/ok.json" '"schema": "vmsim-run/1"'
has run-report-schema "$tmp/ok.json" '"schema": "vmsim-report/1"'
has run-error-null "$tmp/ok.json" '"error": null'
has run-utf8-write "$tmp/ok.json" "\"A write 0x10000000 \\\"h$(printf '\303\251')llo\\\" = 0\""
has run-utf8-path "$tmp/ok.json" "\"A open \\\"f$(printf '\303\251').txt\\\" rdonly = 0\""
has run-page-cluster "$tmp/ok.json" '"page_cluster": 3'
if grep -q 'u00c3' "$tmp/ok.json"; then bad "run-utf8: UTF-8 escaped as bytes"; else ok; fi
printf 'machine ram=16M page_cluster=1\nspawn A\n' >"$tmp/pc.vms"
"$VMSIM" run --json "$tmp/pc.vms" >"$tmp/pc.json" 2>/dev/null
has run-page-cluster-set "$tmp/pc.json" '"page_cluster": 1'

printf 'spawn A\nA mmap 0x10000000 4K rw- private,anon,fixed\nexpect = 0x20000000\n' >"$tmp/exp.vms"
"$VMSIM" run --json "$tmp/exp.vms" >"$tmp/exp.json" 2>/dev/null
keys_listed run-expect "$tmp/exp.json" "$tmp/listed"
has run-expect-status "$tmp/exp.json" '"status": "expect_failed"'
has run-expect-error "$tmp/exp.json" '"error": {"message": "expect failed: wanted'
has run-expect-line "$tmp/exp.json" '"line": 3}'

printf 'spawn A\nA frob\n' >"$tmp/err.vms"
"$VMSIM" run --json "$tmp/err.vms" >"$tmp/err.json" 2>"$tmp/err.err"
st=$?
[ $st -eq 2 ] && ok || bad "run-error: exit $st"
keys_listed run-error "$tmp/err.json" "$tmp/listed"
has run-error-msg "$tmp/err.json" '"error": {"message": "unknown command '\''frob'\''", "line": 2}'
has run-error-stderr "$tmp/err.err" "unknown command 'frob'"

"$VMSIM" run --json "$tmp/none.vms" >"$tmp/none.json" 2>/dev/null
keys_listed run-unreadable "$tmp/none.json" "$tmp/listed"
has run-unreadable-msg "$tmp/none.json" 'cannot read'

# --- vmsim-trace/1 -------------------------------------------------------------------
run_keys vmsim-run/1 vmsim-trace/1
printf 'S 10000000,8\nL 10001000,4\nS 10002000,4\n' >"$tmp/t.trace"
"$VMSIM" trace --json "$tmp/t.trace" >"$tmp/t.json" 2>/dev/null
keys_listed trace-ok "$tmp/t.json" "$tmp/listed"
has trace-schema "$tmp/t.json" '"schema": "vmsim-trace/1"'
has trace-accesses "$tmp/t.json" '"accesses": 3'
printf 'S 10000000,8\nbogus line\n' >"$tmp/bad.trace"
"$VMSIM" trace --json "$tmp/bad.trace" >"$tmp/tb.json" 2>/dev/null
keys_listed trace-error "$tmp/tb.json" "$tmp/listed"
has trace-error-msg "$tmp/tb.json" '"error": {"message": "'
"$VMSIM" trace --json "$tmp/nothere" >"$tmp/tn.json" 2>/dev/null
keys_listed trace-unreadable "$tmp/tn.json" "$tmp/listed"
has trace-unreadable-msg "$tmp/tn.json" 'cannot open the trace'

# --- vmsim-mrc/1 ---------------------------------------------------------------------
doc_keys docs/json.md vmsim-mrc/1 >"$tmp/listed"
"$VMSIM" mrc --json -q "$tmp/t.trace" >"$tmp/m.json" 2>/dev/null
keys_listed mrc-ok "$tmp/m.json" "$tmp/listed"
has mrc-schema "$tmp/m.json" '"schema": "vmsim-mrc/1"'
has mrc-error-null "$tmp/m.json" '"error": null'
# a path that is not UTF-8: its bad byte as U+FFFD, the é as it is
cp "$tmp/t.trace" "$tmp/t$(printf '\303\251\377')"
"$VMSIM" mrc --json -q "$tmp/t$(printf '\303\251\377')" >"$tmp/m8.json" 2>/dev/null
"$J" "$tmp/m8.json" && ok || bad "mrc-not-utf8: not valid JSON"
has mrc-not-utf8 "$tmp/m8.json" "/t$(printf '\303\251')\\ufffd\""
"$VMSIM" mrc --json "$tmp/nothere" >"$tmp/mn.json" 2>/dev/null
keys_listed mrc-error "$tmp/mn.json" "$tmp/listed"
has mrc-error-msg "$tmp/mn.json" '"error": {"message": "'

# --- vmsim-event/1 (JSON lines) ---------------------------------------------------------
doc_keys docs/json.md vmsim-event/1 >"$tmp/listed"
printf 'spawn A\nA mmap 0x10000000 8K rw- private,anon,fixed\nA touch 0x10000000 8K write\n' \
	>"$tmp/ev.vms"
"$VMSIM" run -q --events all --events-file "$tmp/ev.jsonl" --events-format json "$tmp/ev.vms" \
	>/dev/null 2>&1
[ -s "$tmp/ev.jsonl" ] && ok || bad "events: no JSON lines"
keys_listed events "$tmp/ev.jsonl" "$tmp/listed" -l
has events-schema "$tmp/ev.jsonl" '{"schema": "vmsim-event/1", "time_us": '

# --- vmsim-sweep/1 (keys in docs/sweep.md) -------------------------------------------
doc_keys docs/sweep.md 'A run and its record' >"$tmp/listed"
printf 'trace = %s\nram = 16M 24M\nout = %s\n' "$tmp/t.trace" "$tmp/sw" >"$tmp/s.spec"
"$VMSIM" sweep -j 1 "$tmp/s.spec" >/dev/null 2>&1
cat "$tmp"/sw/*.jsonl >"$tmp/sw.jsonl" 2>/dev/null
[ -s "$tmp/sw.jsonl" ] && ok || bad "sweep: no records"
keys_listed sweep "$tmp/sw.jsonl" "$tmp/listed" -l

# --- show --json: each /proc table with the numbers of its text, in order ------------
# The text's numbers (maps' hex fields as hex) and the JSON's numeric values
# (start, end and offset_bytes printed back in hex) must be the same list.
cat >"$tmp/show.vms" <<EOF
machine ram=32M swap=8M root=$tmp/root
spawn A
A mmap 0x10000000 64K rw- private,anon,fixed
A touch 0x10000000 64K write
A open "f$(printf '\303\251').txt" rdonly
A mmap 0x20000000 4K r-- private 0
A read 0x20000000 1
EOF
text_nums() {	# FORM < text
	case $1 in
	slabinfo) awk 'NR > 2 { $1 = ""; print }' | grep -oE '[0-9]+' ;;
	maps|smaps) awk '$1 ~ /^[0-9a-f]+-[0-9a-f]+$/ { split($1, r, "-"); print r[1]; print r[2]
			print $3; print $5; next } /^VmFlags/ { next } { print }' |
		grep -oE '^[0-9a-f]+$|[0-9]+ kB$|^THPeligible: +[0-9]+' | grep -oE '^[0-9a-f]+$|[0-9]+' ;;
	*) grep -v '^Umask' | grep -oE '(^|[^0-9a-zA-Z_.])[0-9]+' | grep -oE '[0-9]+' ;;
	esac
}
json_nums() {	# < document
	"$J" -v | awk -F '\t' '$2 ~ /^-?[0-9]+$/ { print $1 "\t" $2 }' |
	while IFS="$(printf '\t')" read -r k v; do
		case $k in
		*.start|*.end) printf '%x\n' "$v" ;;
		*.offset_bytes) printf '%08x\n' "$v" ;;
		*) echo "$v" ;;
		esac
	done
}
nlines=$(wc -l <"$tmp/show.vms")
for form in meminfo vmstat buddyinfo zoneinfo slabinfo "A maps" "A smaps" "A status"; do
	w=${form#A }
	{ cat "$tmp/show.vms"; echo "show $form"; } >"$tmp/st.vms"
	{ cat "$tmp/show.vms"; echo "show --json $form"; } >"$tmp/sj.vms"
	"$VMSIM" run -q "$tmp/st.vms" 2>&1 | tail -n +"$nlines" >"$tmp/st.out"
	"$VMSIM" run -q "$tmp/sj.vms" 2>&1 | tail -1 >"$tmp/sj.out"
	if ! "$J" "$tmp/sj.out" 2>"$tmp/sj.err"; then
		bad "show --json $form: not valid JSON: $(cat "$tmp/sj.err")"
		continue
	fi
	has "show-json-$w-schema" "$tmp/sj.out" "{\"schema\": \"vmsim-proc-$w/1\""
	doc_keys docs/json.md "vmsim-proc-$w/1" >"$tmp/listed"
	[ "$w" = smaps ] && doc_keys docs/json.md vmsim-proc-maps/1 >>"$tmp/listed"
	keys_listed "show-json-$w-keys" "$tmp/sj.out" "$tmp/listed"
	text_nums "$w" <"$tmp/st.out" >"$tmp/n.text"
	json_nums <"$tmp/sj.out" >"$tmp/n.json"
	if [ -s "$tmp/n.text" ] && cmp -s "$tmp/n.text" "$tmp/n.json"; then
		ok
	else
		bad "show --json $form: numbers differ from the text: $(diff "$tmp/n.text" "$tmp/n.json" | head -6 | tr '\n' ' ')"
	fi
done
has show-json-status "$tmp/sj.out" '"Name": "A"'
printf 'spawn A\nshow --json kmsg\n' >"$tmp/sk.vms"
if "$VMSIM" run -q "$tmp/sk.vms" >/dev/null 2>"$tmp/sk.err"; then bad "show --json kmsg ran"; else ok; fi
has show-json-kmsg "$tmp/sk.err" 'show --json: only meminfo'

echo "json-test: $pass passed, $fail failed"
[ $fail -eq 0 ]
