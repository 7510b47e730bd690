#!/usr/bin/env bash
# bulkhead rules / explain, docs/rules/ in step with the registry, and coverage: every rule of every area
# (src/rules/registry.def) has an explanation, a remediation printed once, a docs page and a golden case
# where its area keeps them (docs/develop.md):
#   manifest  a tests/golden/cases/*.expected.json naming the id
#   pss       the conformance fixtures of its PSA check
#   inside    an expect…(…, "ID", …) in tests/unit/test_inside*.c
#   watch     a tests/fixtures/watch/*.expected naming the id, or expect_rule / assert_string_equal(…, "ID")
#             in tests/unit/test_watch*.c
#   any other area (node, cluster, audit, netpol…): a file under tests/ other than this script naming the id
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
command -v jq >/dev/null || { skip "jq missing"; finish; exit; }

"$BH" rules >"$T/r.txt"; check "rules exits 0" test $? = 0
check "rules lists BH0001" grep -q '^BH0001 .*privileged-container' "$T/r.txt"
"$BH" rules --format json >"$T/r.json"; check "rules --format json exits 0" test $? = 0
check "rule ids are unique and well-formed" jq -e '[.rules[].id] | (length == (unique | length)) and all(test("^BH[0-9]{4}$"))' "$T/r.json" >/dev/null
check "rule names are unique kebab-case" jq -e '[.rules[].name] | (length == (unique | length)) and all(test("^[a-z0-9]+(-[a-z0-9]+)*$"))' "$T/r.json" >/dev/null
check "every rule above info has a technique; every rule a remediation" jq -e 'all(.rules[]; (.severity == "info" or (.technique | type == "string")) and (.remediation | type == "string" and length > 0))' "$T/r.json" >/dev/null
check "every area is listed" jq -e '[.rules[].area] | unique | (["inside", "node", "scan", "watch"] - .) == [] and (. - ["scan", "inside", "watch", "node", "cluster", "audit", "netpol", "image"]) == []' "$T/r.json" >/dev/null
check "every rule names the registry file (group) it comes from" jq -e 'all(.rules[]; .group | IN("manifest", "pss", "inside", "watch", "node", "cluster", "audit", "netpol", "image"))' "$T/r.json" >/dev/null
check "manifest and PSS rules are reported by scan" jq -e 'all(.rules[] | select(.group == "manifest" or .group == "pss"); .area == "scan")' "$T/r.json" >/dev/null

"$BH" explain BH0001 >"$T/e.txt"; check "explain BH0001 exits 0" test $? = 0
check "explain names the rule" grep -q '^BH0001 privileged-container' "$T/e.txt"
"$BH" explain privileged-container >"$T/e2.txt"; check "explain by name" cmp -s "$T/e.txt" "$T/e2.txt"
"$BH" explain --format json bh0001 >"$T/e.json"; check "explain json, id case-insensitive" jq -e '.id == "BH0001" and .severity == "critical"' "$T/e.json" >/dev/null
"$BH" explain privileged 2>"$T/err" >/dev/null; check "unknown rule exits 2" test $? = 2
check "unknown rule suggests" grep -q 'did you mean: BH0001 privileged-container' "$T/err"
"$BH" explain 2>/dev/null; check "explain without a rule exits 2" test $? = 2

# docs/rules/ is generated from the tables and must be in step
# --area: one area's rows (by the area column or the group), the count line says how many
"$BH" rules --area audit >"$T/area" && check "rules --area audit: only audit rows, counted" \
	sh -c "! grep -v '^BH08' '$T/area' | grep -q '^BH' && grep -q \"^\$(grep -c '^BH08' '$T/area') rules;\" '$T/area'"
"$BH" rules --area pss --format json | jq -e '.rules | length > 10 and all(.[]; .group == "pss")' >/dev/null
check "rules --area pss --format json: the PSS group only" test $? = 0
"$BH" rules --area nope >/dev/null 2>&1; check "rules --area nope: exit 2" test $? = 2
"$BH" rules --docs "$T/docs" && check "docs/rules/ is up to date (bulkhead rules --docs docs/rules)" diff -rq "$T/docs" "$TOP/docs/rules"

# every rule explained
missing=$(jq -r '.rules[] | select(.explained == false) | .id' "$T/r.json" | tr '\n' ' ')
check "every rule has an explanation (missing: ${missing:-none})" test -z "$missing"
# every explanation has the four parts
for id in $(jq -r '.rules[] | select(.explained) | .id' "$T/r.json"); do
	"$BH" explain "$id" >"$T/x"
	for part in "What:" "Why it leads to escape:" "How it is exploited:" "Fix:"; do
		grep -q "^$part" "$T/x" || { fail "$id explanation lacks \"$part\""; continue 2; }
	done
done
ok "explanations have What / Why / How / Fix"
# the fix is printed once: the remediation appears exactly once in `explain`
twice=""
while IFS=$'\t' read -r id rem; do
	n=$("$BH" explain "$id" | grep -cF -- "$rem")
	[ "$n" = 1 ] || twice="$twice $id($n)"
done < <(jq -r '.rules[] | [.id, .remediation] | @tsv' "$T/r.json")
check "explain prints each remediation once (not:${twice:- none})" test -z "$twice"
# every rule has its docs page, listed in the index
nodoc=""
for id in $(jq -r '.rules[].id' "$T/r.json"); do
	[ -s "$TOP/docs/rules/$id.md" ] && grep -q "^| \[$id\]($id.md) " "$TOP/docs/rules/README.md" || nodoc="$nodoc $id"
done
check "every rule has a docs page in docs/rules/ (missing:${nodoc:- none})" test -z "$nodoc"

# every rule has a golden case where its area keeps them (the header above); PSS rows below
golden() { # id group
	case "$2" in
	manifest) grep -lq "\"rule\": \"$1\"" "$TOP"/tests/golden/cases/*.expected.json 2>/dev/null ;;
	inside) grep -Eq "expect[a-z_]*\([^)]*\"$1\"" "$TOP"/tests/unit/test_inside*.c ;;
	watch) grep -qx "$1" "$TOP"/tests/fixtures/watch/*.expected 2>/dev/null ||
		grep -Eq "(expect_rule|assert_string_equal)\([^,]+, \"$1\"\)" "$TOP"/tests/unit/test_watch*.c ;;
	*) grep -rlq --exclude=rules.test.sh "$1" "$TOP"/tests ;;
	esac
}
nogolden=""
while read -r id group; do
	[ "$group" = pss ] || golden "$id" "$group" || nogolden="$nogolden $id"
done < <(jq -r '.rules[] | "\(.id) \(.group)"' "$T/r.json")
check "every rule has a golden case (missing:${nogolden:- none})" test -z "$nogolden"
if [ -d "$SHARED/conformance/pss" ]; then
	nofix=""
	for c in $(jq -r '.rules[] | select(.group == "pss") | .pss.check | ascii_downcase' "$T/r.json"); do
		ls "$SHARED"/conformance/pss/*/v1.*/fail/"$c"[0-9]*.yaml >/dev/null 2>&1 || nofix="$nofix $c"
	done
	check "every PSS row has conformance fixtures (missing:${nofix:- none})" test -z "$nofix"
else
	skip "conformance fixtures absent"
fi
finish
