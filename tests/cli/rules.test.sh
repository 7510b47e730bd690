#!/usr/bin/env bash
# bulkhead rules / explain, docs/rules/ in step with the tables, and coverage: every manifest rule has a
# golden case (PSS rows: the conformance fixtures of their check) and every rule of every area an explanation.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
command -v jq >/dev/null || { skip "jq missing"; finish; exit; }

"$BH" rules >"$T/r.txt"; check "rules exits 0" test $? = 0
check "rules lists BH0001" grep -q '^BH0001 .*privileged-container' "$T/r.txt"
"$BH" rules --format json >"$T/r.json"; check "rules --format json exits 0" test $? = 0
check "rule ids are unique and well-formed" jq -e '[.rules[].id] | (length == (unique | length)) and all(test("^BH[0-9]{4}$"))' "$T/r.json" >/dev/null
check "rule names are unique kebab-case" jq -e '[.rules[].name] | (length == (unique | length)) and all(test("^[a-z0-9]+(-[a-z0-9]+)*$"))' "$T/r.json" >/dev/null
check "every rule above info has a technique; every rule a remediation" jq -e 'all(.rules[]; (.severity == "info" or (.technique | type == "string")) and (.remediation | type == "string" and length > 0))' "$T/r.json" >/dev/null
check "every area is listed" jq -e '[.rules[].area] | unique == ["inside", "node", "scan", "watch"]' "$T/r.json" >/dev/null

"$BH" explain BH0001 >"$T/e.txt"; check "explain BH0001 exits 0" test $? = 0
check "explain names the rule" grep -q '^BH0001 privileged-container' "$T/e.txt"
"$BH" explain privileged-container >"$T/e2.txt"; check "explain by name" cmp -s "$T/e.txt" "$T/e2.txt"
"$BH" explain --format json bh0001 >"$T/e.json"; check "explain json, id case-insensitive" jq -e '.id == "BH0001" and .severity == "critical"' "$T/e.json" >/dev/null
"$BH" explain privileged 2>"$T/err" >/dev/null; check "unknown rule exits 2" test $? = 2
check "unknown rule suggests" grep -q 'did you mean: BH0001 privileged-container' "$T/err"
"$BH" explain 2>/dev/null; check "explain without a rule exits 2" test $? = 2

# docs/rules/ is generated from the tables and must be in step
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

# every manifest rule with a check function has a golden case; PSS rows have conformance fixtures
nogolden=""
for id in $(jq -r '.rules[] | select(.area == "scan" and .pss == null or (.area == "scan" and (.id | test("^BH01") | not))) | .id' "$T/r.json" | sort -u); do
	grep -lq "\"rule\": \"$id\"" "$TOP"/tests/golden/cases/*.expected.json 2>/dev/null || nogolden="$nogolden $id"
done
check "every manifest rule has a golden case (missing:${nogolden:- none})" test -z "$nogolden"
if [ -d "$SHARED/conformance/pss" ]; then
	nofix=""
	for c in $(jq -r '.rules[] | select(.id | test("^BH01")) | .pss.check | ascii_downcase' "$T/r.json"); do
		ls "$SHARED"/conformance/pss/*/v1.*/fail/"$c"[0-9]*.yaml >/dev/null 2>&1 || nofix="$nofix $c"
	done
	check "every PSS row has conformance fixtures (missing:${nofix:- none})" test -z "$nofix"
else
	skip "conformance fixtures absent"
fi
finish
