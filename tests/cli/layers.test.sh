#!/usr/bin/env bash
# The shape of src/: (1) every #include "…" against the layer order
#     util < decode < objects < rules < engine = netpol < report = config < serve = host = watch = audit = kube = fix < cluster < cmd
#     (main.c on top)
# a folder may include its own files and any folder below it, never one above it or a peer on its level;
# (2) every function under 100 lines and at most 35 in pmccabe's modified cyclomatic complexity.
# Known violations that other work is removing are listed in tests/cli/layers.allow, one per line with
# its owner; a listed line that no longer violates fails too ("remove it"), so the list only shrinks.
. "$(dirname "$0")/../lib.sh"
ALLOW=${LAYERS_ALLOW:-$TOP/tests/cli/layers.allow}
SRC=${LAYERS_SRC:-$TOP/src} # tests point these at a fixture tree
MAX_LINES=100 MAX_CC=35
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

declare -A rank=([util]=0 [decode]=1 [objects]=2 [rules]=3 [engine]=4 [netpol]=4 [report]=5 [config]=5
		 [serve]=6 [host]=6 [watch]=6 [audit]=6 [kube]=6 [fix]=6 [cluster]=7 [cmd]=8)

# ---- (1) includes ----
: >"$T/found"
nfiles=0 nincl=0
while IFS= read -r f; do
	rel=${f#"$SRC"/}
	nfiles=$((nfiles + 1))
	if [[ $rel != */* ]]; then continue; fi # src/main.c: the top, may include anything
	from=${rel%%/*}
	if [ -z "${rank[$from]+x}" ]; then
		fail "src/$from/ is not in the layer order (add it to this test and docs/architecture.md)"
		continue
	fi
	while IFS= read -r inc; do
		nincl=$((nincl + 1))
		to= path=$inc
		if [[ $inc == ../* ]]; then path=${inc#../}; to=${path%%/*}
		elif [[ $inc == */* ]]; then to=${inc%%/*}
		else continue # own folder (or a generated header beside it)
		fi
		if [ -z "${rank[$to]+x}" ]; then
			echo "include src/$rel $path unknown-folder" >>"$T/found"
		elif [ "$to" != "$from" ] && [ "${rank[$to]}" -ge "${rank[$from]}" ]; then
			echo "include src/$rel $path ${from}(${rank[$from]})->${to}(${rank[$to]})" >>"$T/found"
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(find "$SRC" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
echo "# includes: $nincl quoted includes in $nfiles files under src/, checked against the layer order"

# ---- (2) function size and complexity ----
if command -v pmccabe >/dev/null; then
	# pmccabe columns: modified cyclomatic complexity, traditional, statements, first line, lines, file(line): name.
	# *.bpf.c are included: pmccabe parses them (a BPF program shows as SEC, the macro in front of it).
	find "$SRC" -type f -name '*.c' | LC_ALL=C sort | xargs pmccabe >"$T/pm" 2>"$T/pm.err"
	nfun=$(wc -l <"$T/pm")
	awk -v L="$MAX_LINES" -v C="$MAX_CC" -v S="$SRC/" '$1 > C || $5 >= L {
		split($6, a, "("); f = a[1]; sub("^" S, "src/", f); sub(/^\.\//, "", f)
		printf "size %s %s cc=%d,lines=%d\n", f, $7, $1, $5 }' "$T/pm" >>"$T/found"
	worst_l=$(sort -k5,5n "$T/pm" | tail -1 | awk -v S="$SRC/" '{f=$6; sub("^" S, "src/", f); print $5 " lines, " f " " $7}')
	worst_c=$(sort -k1,1n "$T/pm" | tail -1 | awk -v S="$SRC/" '{f=$6; sub("^" S, "src/", f); print "complexity " $1 ", " f " " $7}')
	echo "# sizes: pmccabe on $nfun functions in every src/**/*.c (*.bpf.c too); limit: lines < $MAX_LINES (column 5),"
	echo "#        modified cyclomatic complexity <= $MAX_CC (column 1). Longest: $worst_l; most complex: $worst_c"
else
	skip "pmccabe not installed (apt-get install pmccabe, listed in scripts/packages.txt): sizes not checked"
fi

# ---- compare with the allow-list ----
# allow-list lines: "include FILE TARGET  owner…" or "size FILE FUNCTION  owner…"; # starts a comment
sed 's/#.*//' "$ALLOW" 2>/dev/null | awk 'NF' >"$T/allow"
while read -r kind file what owner; do
	if [ -z "$owner" ]; then fail "layers.allow: '$kind $file $what' names no owner"; fi
done <"$T/allow"
# exact matches on "kind file what" (paths hold dots: no regular expressions)
new=0 known=0
while read -r kind file what detail; do
	owner=$(awk -v k="$kind" -v f="$file" -v w="$what" '$1 == k && $2 == f && $3 == w { $1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }' "$T/allow")
	if [ -n "$owner" ]; then
		known=$((known + 1))
		echo "#   known: $kind $file $what $detail (owner: $owner)"
	else
		new=$((new + 1))
		case $kind in
		include) fail "$file includes \"$what\": $detail (a folder may include only folders below it)" ;;
		size) fail "$file: $what is too big: $detail (limit: under $MAX_LINES lines, complexity <= $MAX_CC)" ;;
		esac
	fi
done <"$T/found"
stale=0
while read -r kind file what owner; do
	if ! awk -v k="$kind" -v f="$file" -v w="$what" '$1 == k && $2 == f && $3 == w { found = 1 } END { exit !found }' "$T/found"; then
		stale=$((stale + 1))
		fail "layers.allow: '$kind $file $what' no longer violates: remove it from the allow-list"
	fi
done <"$T/allow"
[ $new = 0 ] && ok "no include or function size beyond the allow-list ($known known, owned elsewhere)"
[ $stale = 0 ] && ok "every allow-list line still names a violation ($(wc -l <"$T/allow") lines)"

# the documented layout names exactly the folders that exist
if [ -z "${LAYERS_SRC:-}" ]; then
	layout=$(sed -n '/^## Layout/,/^## /p' "$TOP/README.md")
	for d in "$SRC"/*/; do
		d=$(basename "$d")
		check "src/$d/ is in README's Layout and docs/architecture.md" \
			sh -c "printf '%s' \"\$1\" | grep -q 'src/$d/' && grep -q '^| \`src/$d/\`' '$TOP/docs/architecture.md'" _ "$layout"
	done
	for d in $(printf '%s\n' "$layout" | grep -o 'src/[a-z]*/' | sort -u); do
		check "README's Layout names $d, which exists" test -d "$TOP/$d"
	done
fi

# the checker itself on a small tree: an upward include, a peer include, an oversized function, a stale line
if [ -z "${LAYERS_SRC:-}" ]; then
	mkdir -p "$T/t/src/util" "$T/t/src/rules" "$T/t/src/serve" "$T/t/src/host"
	printf '#include "rules/x.h"\n#include "arena.h"\n' >"$T/t/src/util/a.c"
	printf '#include "../host/h.h"\n#include "util/a.h"\n' >"$T/t/src/serve/s.c"
	: >"$T/t/src/rules/x.h"
	{ echo 'int big(int x)'; echo '{'; for i in $(seq 1 40); do echo "	if (x == $i) return $i;"; done; echo '	return 0;'; echo '}'; } >"$T/t/src/host/h.c"
	printf 'include src/util/a.c util/arena.h  nobody\n' >"$T/t/allow"
	LAYERS_SRC="$T/t/src" LAYERS_ALLOW="$T/t/allow" bash "$0" >"$T/self" 2>&1
	check "self-test: an include upward fails" grep -q 'FAIL - src/util/a.c includes "rules/x.h": util(0)->rules(3)' "$T/self"
	check "self-test: an include between peers fails" grep -q 'FAIL - src/serve/s.c includes "host/h.h": serve(6)->host(6)' "$T/self"
	check "self-test: own folder and lower folders pass" sh -c "! grep -q 'arena.h\"\\|util/a.h\"' '$T/self'"
	if command -v pmccabe >/dev/null; then
		check "self-test: a function above complexity 35 fails" grep -q 'FAIL - src/host/h.c: big is too big: cc=41' "$T/self"
	fi
	check "self-test: a stale allow-list line fails" grep -q "'include src/util/a.c util/arena.h' no longer violates: remove it" "$T/self"
fi
finish
