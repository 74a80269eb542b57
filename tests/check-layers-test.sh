#!/bin/sh
# The layering checker (tools/check-layers.sh) on a tiny synthetic tree: a clean
# tree passes, and each kind of violation (an include, a symbol reference, a
# non-public symbol of the API layer, a file in no layer, a missing object, arrows
# that form a cycle, an include cycle, a stale allow line) must fail with its
# message; a layer of one file inside another layer's folder is told apart.
# Ends with "check-layers-test: N passed, N failed".
#
#   CC=gcc sh tests/check-layers-test.sh
set -u
CC=${CC:-cc}
checker=$(cd "$(dirname "$0")/.." && pwd)/tools/check-layers.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-layers-test.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

# The base tree: lib <- kern (two folders with an include cycle) <- api (defines the
# public pub_* calls and an internal helper) <- pub headers <- tool; tests/ outside.
base=$tmp/base
mkdir -p "$base/docs" "$base/lib" "$base/kern" "$base/mm2" "$base/include/kern" \
	"$base/include/pub" "$base/api" "$base/tool" "$base/tests"
cat >"$base/docs/architecture.md" <<'EOF'
# test tree
```layers
layer lib   lib/ include/kern/lib.h   # a header of lib among the kernel's
layer kern  kern/ mm2/ include/kern/
layer api   api/
layer pub   include/pub/
layer tool  tool/
outside tests/
public pub pub_ api
cycles kern
tool -> pub
api  -> pub kern lib
kern -> lib
```
EOF
w() { f=$1; shift; printf '%s\n' "$@" >"$f"; }
w "$base/include/kern/lib.h" '#pragma once' 'int lib_f(void);'
w "$base/lib/lib.c" '#include "kern/lib.h"' 'int lib_f(void) { return 1; }'
w "$base/include/kern/k.h" '#pragma once' '#include "kern/lib.h"' 'int k_f(void);'
w "$base/kern/x.h" '#pragma once' '#include "../mm2/y.h"'
w "$base/mm2/y.h" '#pragma once' '#include "../kern/x.h"' 'int m_f(void);'
w "$base/kern/a.c" '#include "kern/k.h"' '#include "x.h"' 'int k_f(void) { return lib_f() + m_f(); }'
w "$base/mm2/m.c" '#include "y.h"' 'int m_f(void) { return 2; }'
w "$base/include/pub/pub.h" '#pragma once' 'int pub_open(void);'
w "$base/api/api.c" '#include "pub/pub.h"' '#include "kern/k.h"' 'int api_helper(void);' \
	'int api_helper(void) { return 2; }' 'int pub_open(void) { return k_f() + api_helper(); }'
w "$base/tool/t.c" '#include <stdio.h>' '#include "pub/pub.h"' 'int t_main(void);' \
	'int t_main(void) { return printf("%d", pub_open()); }'
w "$base/tests/u.c" '#include "kern/k.h"' '#include "../api/api.c"'

# A copy of the base tree to change; build builds its objects into obj/.
fresh() { rm -rf "$tmp/t"; cp -r "$base" "$tmp/t"; }
build() {
	(cd "$tmp/t" && for c in $(find . -name '*.c' ! -path './tests/*'); do
		mkdir -p "obj/$(dirname "$c")" &&
		$CC -c -Iinclude "$c" -o "obj/${c%.c}.o" || exit 1
	done)
}
# expect NAME STATUS [PATTERN...]: the checker's status and lines of its output.
expect() {
	name=$1 want=$2
	shift 2
	sh "$checker" -r "$tmp/t" -o obj -I include >"$tmp/out" 2>&1
	st=$?
	ok=1
	[ "$st" = "$want" ] || ok=0
	for p in "$@"; do
		grep -qF -- "$p" "$tmp/out" || { ok=0; echo "  missing: $p"; }
	done
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $name (status $st, want $want):"
		sed 's/^/  | /' "$tmp/out"
		fail=$((fail + 1))
	fi
}

fresh; build
expect clean 0 "note: include cycle inside layer kern: kern:kern/ kern:mm2/" \
	"check-layers: the tree follows docs/architecture.md"

fresh; w "$tmp/t/lib/bad.c" '#include "kern/k.h"' 'int bad(void) { return 0; }'; build
expect include 1 "include: lib/bad.c -> include/kern/k.h (lib -> kern)" "1 violation(s)"

fresh; w "$tmp/t/lib/bad.c" 'int k_f(void);' 'int bad(void);' 'int bad(void) { return k_f(); }'
build
expect symbol 1 "symbol: lib/bad.c -> kern/a.c (lib -> kern): k_f"

fresh; w "$tmp/t/tool/t2.c" 'int api_helper(void); int pub_open(void); int t2(void);' \
	'int t2(void) { return api_helper() + pub_open(); }'; build
expect public 1 "symbol: tool/t2.c -> api/api.c (tool -> api): api_helper" "1 violation(s)"

fresh; w "$tmp/t/lib/bad.c" 'int k_f(void);' 'int bad(void);' 'int bad(void) { return k_f(); }'
sed -i 's|^kern -> lib|&\nallow lib/bad.c -> kern/  # the test|' "$tmp/t/docs/architecture.md"
build
expect allow 0

fresh; sed -i 's|^kern -> lib|&\nallow lib/ -> api/|' "$tmp/t/docs/architecture.md"; build
expect stale-allow 1 "allow lib/ -> api/ matches nothing"

fresh; w "$tmp/t/other.c" 'int o(void);'; build
expect no-layer 1 "layer: other.c is in no layer"

fresh; build; w "$tmp/t/lib/late.c" 'int late(void);'
expect no-object 1 "object: lib/late.c has no object file under obj"

fresh; sed -i 's|^kern -> lib|kern -> lib api|' "$tmp/t/docs/architecture.md"; build
expect arrow-cycle 1 "the arrows form a cycle through layer"

fresh; w "$tmp/t/include/pub/pub.h" '#pragma once' '#include "kern/k.h"' 'int pub_open(void);'
w "$tmp/t/include/kern/k.h" '#pragma once' '#include "kern/lib.h"' '#include "pub/pub.h"' \
	'int k_f(void);'; build
expect layer-cycle 1 "include: include/pub/pub.h -> include/kern/k.h (pub -> kern)" \
	"cycle: includes between folders go round: kern:include/kern/ pub:include/pub/"

fresh; sed -i '/^cycles/d' "$tmp/t/docs/architecture.md"; build
expect cycle-not-allowed 1 "cycle: includes between folders go round: kern:kern/ kern:mm2/"

# an object outside the layers (read first: objects go in name order) defining a
# symbol of the API too is not its definer
fresh; sed -i 's|^outside tests/|outside aa/ tests/|' "$tmp/t/docs/architecture.md"
mkdir -p "$tmp/t/aa"; w "$tmp/t/aa/dup.c" 'int pub_open(void) { return 0; }'; build
expect outside-defines 0

fresh; w "$tmp/t/lib/t.c" '#include "../tests/u.h"'; w "$tmp/t/tests/u.h" 'int u;'; build
expect outside 1 "include: lib/t.c -> tests/u.h (lib -> a file outside the layers)"

# a layer of one file inside another layer's folder (as include/vmsim/config.h, the
# uapi): the kernel may include it, but not the rest of the folder
uapi() {
	fresh
	sed -i -e 's|^layer pub .*|&\nlayer uapi include/pub/types.h|' -e 's|^kern -> lib|kern -> lib uapi\npub -> uapi|' \
		"$tmp/t/docs/architecture.md"
	w "$tmp/t/include/pub/types.h" '#pragma once' 'struct pub_cfg { int x; };'
	w "$tmp/t/include/pub/pub.h" '#pragma once' '#include "pub/types.h"' 'int pub_open(void);'
}
uapi; w "$tmp/t/kern/c.c" '#include "pub/types.h"' 'int c_f(struct pub_cfg *c);' \
	'int c_f(struct pub_cfg *c) { return c->x; }'; build
expect uapi 0
uapi; w "$tmp/t/kern/c.c" '#include "pub/pub.h"' 'int c_f(void);' 'int c_f(void) { return 0; }'
build
expect uapi-rest 1 "include: kern/c.c -> include/pub/pub.h (kern -> pub)" "1 violation(s)"

echo "check-layers-test: $pass passed, $fail failed"
[ $fail = 0 ]
