#!/usr/bin/env bash
# bulkhead fix on the oracle's adversarial manifests (merge keys in every position, anchors, duplicate and
# case-variant keys, YAML 1.1 scalars, tags, quoting, BOMs, document markers, CRLF, comments, flow style,
# JSON escapes): `build/oracle gen` writes them (fixed seed), fix rewrites copies in place, and for every
# file: fix reports an input error exactly where scan does; the fixed file decodes wherever the original did;
# a second fix changes nothing; and Kubernetes' own decoder stores the same objects before and after except
# under the fields fix says it fixed. Skipped without Go. FIX_ADV_N (default 300) cases, FIX_ADV_SEED (7).
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }
ORACLE=
if [ -x "$TOP/$BUILD/oracle" ]; then ORACLE=$TOP/$BUILD/oracle
elif command -v go >/dev/null && o=$(bash "$TOP/tests/oracle/build.sh" "$T/oracle" 2>/dev/null); then ORACLE=$o
fi
if [ -z "$ORACLE" ]; then skip "Go or the oracle modules are absent: no adversarial cases"; finish; exit; fi
N=${FIX_ADV_N:-300} SEED=${FIX_ADV_SEED:-7}
"$ORACLE" gen -seed "$SEED" -n "$N" -out "$T/gen" >/dev/null 2>&1 || { fail "oracle gen failed"; finish; exit; }
cp -r "$T/gen/cases" "$T/fixed"

leaves() { "$ORACLE" decode "$1" 2>/dev/null | jq -r '. as $o | .stored | paths(scalars) as $p |
	"\($o.index) \($p | map(if type == "number" then "[\(.)]" else ".\(.)" end) | join("") | ltrimstr(".") | gsub("\\.\\["; "["))=\(getpath($p))"' | sort; }

nfiles=0 nchanged=0 nfixed=0 bad_err=0 bad_dec=0 bad_idem=0 bad_obj=0
for f in "$T/gen/cases"/*; do
	b=$(basename "$f") g=$T/fixed/$b
	nfiles=$((nfiles + 1))
	"$BH" fix --format json "$g" >"$T/notes.json" 2>/dev/null; rc=$?
	"$BH" fix --in-place "$g" 2>/dev/null
	"$BH" scan --pss none --fail-on none "$f" >/dev/null 2>&1; src=$?
	if [ "$rc" = 2 ] && [ "$src" != 2 ] || [ "$rc" != 2 ] && [ "$src" = 2 ]; then
		bad_err=$((bad_err + 1)); echo "# $b: fix exit $rc, scan exit $src"
	fi
	cmp -s "$f" "$g" && continue
	nchanged=$((nchanged + 1))
	nfixed=$((nfixed + $(jq '[.notes[] | select(.fixed)] | length' "$T/notes.json")))
	"$BH" scan --pss none --fail-on none "$g" >/dev/null 2>&1; [ $? = 2 ] && [ "$src" != 2 ] &&
		{ bad_dec=$((bad_dec + 1)); echo "# $b: the fixed file no longer decodes"; }
	"$BH" fix "$g" 2>"$T/again" >/dev/null; grep -q ': fixed ' "$T/again" && { bad_idem=$((bad_idem + 1)); echo "# $b: second fix changes it"; }
	leaves "$f" >"$T/lb"; leaves "$g" >"$T/la"
	jq -r '.notes[] | select(.fixed) | .field' "$T/notes.json" | sort -u >"$T/ff"
	# hostNetwork: false also ends the API server's defaulting of hostPort = containerPort (SetDefaults_Pod)
	sed -n 's/^\(.*\)hostNetwork$/~^\1(initContainers|containers)\\[[0-9]+\\]\\.ports\\[[0-9]+\\]\\.hostPort$/p' "$T/ff" >>"$T/ff"
	while IFS= read -r p; do
		p=${p#* }; p=${p%%=*}
		awk -v p="$p" '/^~/ ? p ~ substr($0, 2) : index(p, $0) == 1 { f = 1 } END { exit !f }' "$T/ff" ||
			{ bad_obj=$((bad_obj + 1)); echo "# $b: stored object changed at $p, not a fixed field"; break; }
	done < <(comm -3 "$T/lb" "$T/la" | sed 's/^\t//')
done
echo "# $nfiles generated cases (seed $SEED), $nchanged changed by fix, $nfixed fields fixed"
[ $bad_err = 0 ] && ok "fix reports an input error exactly where scan does ($nfiles cases)" || fail "$bad_err cases: errors differ"
[ $bad_dec = 0 ] && ok "every fixed file still decodes ($nchanged changed)" || fail "$bad_dec fixed files no longer decode"
[ $bad_idem = 0 ] && ok "a second fix changes none of them" || fail "$bad_idem files change again"
[ $bad_obj = 0 ] && ok "Kubernetes' decoder stores the same objects except under the fixed fields" || fail "$bad_obj files changed elsewhere"
[ "$nchanged" -gt 0 ] && ok "fix changed some of the adversarial cases ($nchanged)" || fail "fix changed nothing: the test proves nothing"
finish
