#!/usr/bin/env bash
# Golden tests for `bulkhead pss`: every tests/golden/pss/<case>.yaml is evaluated at baseline and at
# restricted (latest); the projection below must equal <case>.<level>.expected.json.
# Regenerate for review: bash tests/golden/pss.test.sh --update
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }
dir="$TOP/tests/golden/pss"
project() {
	jq -S --argjson rc "$1" '{exit: $rc,
	  results: [.results[] | {name: .object.name, kind: .object.kind, allowed, violations}],
	  errors: [.errors[] | {line, column}]}'
}
update=0; [ "${1:-}" = --update ] && update=1
for f in "$dir"/*.yaml; do
	[ -f "$f" ] || continue
	name=$(basename "${f%.yaml}")
	for level in baseline restricted; do
		exp="$dir/$name.$level.expected.json"
		out=$(cd "$dir" && "$BH" pss --level "$level" --format json "$(basename "$f")" 2>/dev/null); rc=$?
		got=$(printf '%s' "$out" | project "$rc")
		if [ "$update" = 1 ]; then printf '%s\n' "$got" >"$exp"; echo "wrote $exp"; continue; fi
		if [ ! -f "$exp" ]; then fail "$name/$level: no $(basename "$exp")"; continue; fi
		if d=$(diff -u <(jq -S . "$exp") <(printf '%s\n' "$got")); then
			ok "$name at $level"
		else
			fail "$name at $level"; printf '%s\n' "$d"
		fi
	done
done
finish
