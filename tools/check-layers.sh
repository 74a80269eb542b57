#!/bin/sh
# check-layers: the layering that docs/architecture.md describes, checked on the tree.
#
# The rules come from the document's fenced ```layers block (the layers, the paths
# that belong to each, the allowed arrows, the allowlist); the facts come from the
# tree: the #include lines of every .c and .h file and the undefined/defined
# symbols (nm) of the object files.  A violation is an include or a symbol
# reference from a file of layer A to a file of layer B when the block has no
# arrow A -> B (and no allow line covers it).  Also reported: a file in no layer,
# a library or tool source without its object file, arrows that form a cycle, an
# allow line that matches nothing, and include cycles between folders (allowed
# only inside a layer named on a `cycles` line).
#
#   sh tools/check-layers.sh [-r ROOT] [-d DOC] [-o OBJDIR] [-I DIR]...
#     ROOT    the source tree (default .)
#     DOC     the document, relative to ROOT (default docs/architecture.md)
#     OBJDIR  where build/obj/PATH.o is the object of ROOT/PATH.c (default build/obj)
#     -I DIR  include search directories after the including file's own, as the
#             compiler's -I (default: include tests)
# Exit status 0: no violation; 1: violations (listed on standard output); 2: usage.
set -u
root=.
doc=docs/architecture.md
objdir=build/obj
incs=
while getopts r:d:o:I: c; do
	case $c in
	r) root=$OPTARG ;;
	d) doc=$OPTARG ;;
	o) objdir=$OPTARG ;;
	I) incs="$incs $OPTARG" ;;
	*) echo "usage: check-layers.sh [-r ROOT] [-d DOC] [-o OBJDIR] [-I DIR]..." >&2; exit 2 ;;
	esac
done
[ -n "$incs" ] || incs="include tests"
cd "$root" || exit 2
if [ ! -f "$doc" ]; then
	echo "check-layers: no $doc" >&2
	exit 2
fi
if [ ! -d "$objdir" ]; then
	echo "check-layers: no object directory $objdir (build first)" >&2
	exit 2
fi
command -v nm >/dev/null || { echo "check-layers: nm not found (binutils)" >&2; exit 2; }
objdir=${objdir%/}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-layers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# The input of the checker, one fact a line, tagged:
#   D LINE              a line of the ```layers block
#   F PATH              a .c or .h file of the tree (build output and dot-folders left out)
#   I FILE "|< NAME     an #include line of FILE
#   S OBJ: SYM TYPE ... a symbol of an object file (nm -P)
{
	awk '/^```layers[ \t]*$/ { on = 1; next } on && /^```/ { on = 0 } on { print "D " $0 }' "$doc"
	find . \( -name build -o -name '.?*' \) -prune -o -type f \( -name '*.c' -o -name '*.h' \) \
		-print | sed 's|^\./|F |'
	find . \( -name build -o -name '.?*' \) -prune -o -type f \( -name '*.c' -o -name '*.h' \) \
		-exec awk '
		/^[ \t]*#[ \t]*include[ \t]*["<]/ {
			s = $0; sub(/^[ \t]*#[ \t]*include[ \t]*/, "", s)
			q = substr(s, 1, 1); s = substr(s, 2)
			e = index(s, q == "\"" ? "\"" : ">")
			if (e > 1) { f = FILENAME; sub(/^\.\//, "", f); print "I " f " " q " " substr(s, 1, e - 1) }
		}' {} +
	find "$objdir" -name '*.o' | LC_ALL=C sort | xargs nm -A -P | sed 's/^/S /'
} >"$tmp/facts" || { echo "check-layers: cannot read the tree" >&2; exit 2; }

awk -v objdir="$objdir" -v incs="$incs" -v docname="$doc" '
function err(msg) { print msg; nerr++ }
function dirname(p) { return p ~ /\// ? substr(p, 1, match(p, /\/[^\/]*$/)) : "" }
# a/b/../c -> a/c, ./x -> x
function normalize(p,    n, i, k, part, out) {
	n = split(p, part, "/"); k = 0
	for (i = 1; i <= n; i++) {
		if (part[i] == "." || part[i] == "") continue
		if (part[i] == ".." && k > 0 && stack[k] != "..") { k--; continue }
		stack[++k] = part[i]
	}
	out = ""
	for (i = 1; i <= k; i++) out = out (i > 1 ? "/" : "") stack[i]
	return out
}
# The layer entry (path) of the longest PATH that matches file p, "" if none.
function entry_of(p,    i, best) {
	best = ""
	for (i = 1; i <= npaths; i++)
		if ((paths[i] ~ /\/$/ ? index(p, paths[i]) == 1 : p == paths[i]) &&
		    length(paths[i]) > length(best))
			best = paths[i]
	return best
}
function layer_of(p,    e) { e = entry_of(p); return e == "" ? "" : pathlayer[e] }
# The folder node of file p for the cycle check: LAYER:FOLDER/.
function folder_of(p,    e) {
	e = entry_of(p)
	return pathlayer[e] ":" (e ~ /\/$/ ? e : dirname(e))
}
# The n words of array w, sorted, each after a space.
function sorted_words(w, n,    i, j, t, out) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && w[j - 1] > w[j]; j--) { t = w[j]; w[j] = w[j - 1]; w[j - 1] = t }
	out = ""
	for (i = 1; i <= n; i++) out = out " " w[i]
	return out
}
function covered(a, prefix) { return prefix ~ /\/$/ ? index(a, prefix) == 1 : a == prefix }
# An allow line matching the arrow from file a to file b (counted), or 0.
function allowed_by_list(a, b,    i) {
	for (i = 1; i <= nallow; i++)
		if (covered(a, allow_from[i]) && covered(b, allow_to[i])) {
			allow_used[i]++
			return 1
		}
	return 0
}
# 1 if file a (layer la) may use file b (layer lb).
function may_use(a, la, b, lb) {
	if (la == lb || ((la, lb) in arrow)) return 1
	return allowed_by_list(a, b)
}

$1 == "D" {
	line = substr($0, 3); sub(/#.*/, "", line)
	n = split(line, w, /[ \t]+/)
	k = 0
	for (i = 1; i <= n; i++) if (w[i] != "") v[++k] = w[i]
	if (k == 0) next
	if (v[1] == "layer" && k >= 3) {
		if (!(v[2] in layers)) { layers[v[2]] = 1; order[++nlayers] = v[2] }
		for (i = 3; i <= k; i++) {
			if (v[i] in pathlayer) err(docname ": " v[i] " is in two layers")
			pathlayer[v[i]] = v[2]; paths[++npaths] = v[i]
		}
	} else if (v[1] == "outside") {
		for (i = 2; i <= k; i++) { pathlayer[v[i]] = "-"; paths[++npaths] = v[i] }
	} else if (v[2] == "->") {
		arrows_from[v[1]] = 1
		for (i = 3; i <= k; i++) { arrow[v[1], v[i]] = 1; arrow_to[v[i]] = 1; arrow_list[++narrows] = v[1] " " v[i] }
	} else if (v[1] == "public" && k == 4) {
		public_layer = v[2]; public_prefix = v[3]; public_from = v[4]
	} else if (v[1] == "cycles") {
		for (i = 2; i <= k; i++) cycles_ok[v[i]] = 1
	} else if (v[1] == "allow" && k == 4 && v[3] == "->") {
		allow_from[++nallow] = v[2]; allow_to[nallow] = v[4]
	} else {
		err(docname ": cannot read the layers line: " line)
	}
	next
}
$1 == "F" { files[$2] = 1; nfiles++; next }
$1 == "I" { inc_file[++nincs] = $2; inc_q[nincs] = $3; inc_name[nincs] = $4; next }
$1 == "S" {
	o = $2; sub(/:$/, "", o)
	if (index(o, objdir "/") != 1) next
	src = substr(o, length(objdir) + 2); sub(/\.o$/, ".c", src)
	sym = $3; t = $4
	if (!(src in files)) next		# a stale object of a removed source
	has_obj[src] = 1
	if (layer_of(src) == "-") next		# tests may define what the tool does too
	if (sym ~ /^_*(asan|ubsan|odr_asan|sanitizer|tsan|sancov)/) next
	if (t == "U") refs[++nrefs] = src " " sym
	else if (t ~ /^[TDBRCGSVWi]$/ && !(sym in def)) def[sym] = src
	next
}

END {
	if (nlayers == 0) { err(docname ": no ```layers block"); exit 1 }
	for (l in arrows_from) if (!(l in layers)) err(docname ": arrow from unknown layer " l)
	for (l in arrow_to) if (!(l in layers)) err(docname ": arrow to unknown layer " l)
	if (public_layer != "" && (!(public_layer in layers) || !(public_from in layers)))
		err(docname ": public line names an unknown layer")
	# The arrows must form no cycle: closure over the layers.
	for (i = 1; i <= narrows; i++) { split(arrow_list[i], p, " "); reach[p[1], p[2]] = 1 }
	for (k = 1; k <= nlayers; k++) for (i = 1; i <= nlayers; i++)
		if ((order[i], order[k]) in reach) for (j = 1; j <= nlayers; j++)
			if ((order[k], order[j]) in reach) reach[order[i], order[j]] = 1
	for (i = 1; i <= nlayers; i++)
		if ((order[i], order[i]) in reach)
			err(docname ": the arrows form a cycle through layer " order[i])

	# Every file belongs to a layer or is outside; every layer source was compiled.
	for (f in files) {
		l = layer_of(f)
		if (l == "") err("layer: " f " is in no layer of " docname)
		else if (l != "-" && f ~ /\.c$/ && !(f in has_obj))
			err("object: " f " has no object file under " objdir " (build it first)")
	}

	# Includes: resolved as the compiler does ("x": the file s folder first).
	nsearch = split(incs, search, " ")
	for (i = 1; i <= nincs; i++) {
		a = inc_file[i]; la = layer_of(a)
		if (la == "" || la == "-") continue
		b = ""
		if (inc_q[i] == "\"") { c = normalize(dirname(a) inc_name[i]); if (c in files) b = c }
		for (j = 1; b == "" && j <= nsearch; j++) {
			c = normalize(search[j] "/" inc_name[i]); if (c in files) b = c
		}
		if (b == "") continue		# a system header
		lb = layer_of(b)
		if (lb == "") continue		# reported above
		fa = folder_of(a); fb = folder_of(b)
		if (fa != fb && lb != "-") { fedge[fa, fb] = 1; folders[fa] = 1; folders[fb] = 1 }
		if (lb == "-") err("include: " a " -> " b " (" la " -> a file outside the layers)")
		else if (!may_use(a, la, b, lb)) err("include: " a " -> " b " (" la " -> " lb ")")
	}

	# Symbols: a reference to a symbol another object defines.
	for (i = 1; i <= nrefs; i++) {
		split(refs[i], p, " "); a = p[1]; sym = p[2]
		if (!(sym in def)) continue		# libc, libm, the sanitizers
		b = def[sym]; la = layer_of(a); lb = layer_of(b)
		if (la == "-" || la == "" || lb == "" || a == b) continue
		if (public_layer != "" && lb == public_from && index(sym, public_prefix) == 1)
			lb = public_layer
		if (lb == "-" || !may_use(a, la, b, lb)) {
			key = a " -> " b " (" la " -> " (lb == "-" ? "a file outside the layers" : lb) ")"
			if (!(key in symbad)) { symbad[key] = sym; symcount[key] = 1 }
			else if (++symcount[key] <= 4) symbad[key] = symbad[key] " " sym
		}
	}
	for (key in symbad)
		err("symbol: " key ": " symbad[key] (symcount[key] > 4 ? " ... (" symcount[key] ")" : ""))

	for (i = 1; i <= nallow; i++)
		if (!allow_used[i])
			err(docname ": allow " allow_from[i] " -> " allow_to[i] " matches nothing (remove it)")

	# Include cycles between folders: the strongly connected sets of the folder graph.
	nf = 0
	for (f in folders) fl[++nf] = f
	for (i = 1; i <= nf; i++) for (j = 1; j <= nf; j++)
		if ((fl[i], fl[j]) in fedge) freach[fl[i], fl[j]] = 1
	for (k = 1; k <= nf; k++) for (i = 1; i <= nf; i++)
		if ((fl[i], fl[k]) in freach) for (j = 1; j <= nf; j++)
			if ((fl[k], fl[j]) in freach) freach[fl[i], fl[j]] = 1
	for (i = 1; i <= nf; i++) {
		if (fl[i] in done || !((fl[i], fl[i]) in freach)) continue
		ns = 0; same = 1; split(fl[i], p, ":"); l0 = p[1]
		for (j = 1; j <= nf; j++)
			if ((fl[i], fl[j]) in freach && (fl[j], fl[i]) in freach) {
				done[fl[j]] = 1; member[++ns] = fl[j]
				split(fl[j], p, ":"); if (p[1] != l0) same = 0
			}
		set = sorted_words(member, ns)
		if (same && (l0 in cycles_ok)) print "note: include cycle inside layer " l0 ":" set
		else err("cycle: includes between folders go round:" set)
	}
	exit nerr ? 1 : 0
}' "$tmp/facts" >"$tmp/out"
st=$?
sort "$tmp/out"
if [ $st -eq 0 ]; then
	echo "check-layers: the tree follows $doc"
else
	echo "check-layers: $(grep -vc '^note:' "$tmp/out") violation(s) of $doc"
fi
exit $st
