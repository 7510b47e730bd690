#!/usr/bin/env bash
# Golden tests: every tests/golden/cases/<case>.{yaml,yml,json} is scanned with `bulkhead scan --format json`
# (plus the arguments in <case>.args, if present) and the projection below must equal <case>.expected.json.
# Adding a case needs no C: write the manifest, run tests/golden/update.sh CASE, review the expected file.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }
dir="$TOP/tests/golden/cases"
project() {
	jq -S --argjson rc "$1" '{exit: $rc,
	  findings: [.findings[] | {rule, severity, container, field, line: .location.line, column: .location.column}],
	  errors: [.errors[] | {line, column}], warnings: (.warnings | length)}'
}
export -f project 2>/dev/null
run_case() { # file → projection on stdout
	local f=$1 args=()
	[ -f "${f%.*}.args" ] && read -r -a args <"${f%.*}.args"
	local out rc
	out=$(cd "$dir" && "$BH" scan --format json "${args[@]}" "$(basename "$f")"); rc=$?
	printf '%s' "$out" | project "$rc"
}
if [ "${1:-}" = --update ]; then
	shift
	for c in "$@"; do
		f=$(ls "$dir/$c".* | grep -E '\.(ya?ml|json)$' | grep -v expected | head -1)
		run_case "$f" >"$dir/$c.expected.json" && echo "wrote $dir/$c.expected.json"
	done
	exit 0
fi
for f in "$dir"/*.yaml "$dir"/*.yml "$dir"/*.json; do
	[ -f "$f" ] || continue
	case "$f" in *.expected.json) continue ;; esac
	name=$(basename "${f%.*}")
	exp="$dir/$name.expected.json"
	if [ ! -f "$exp" ]; then fail "$name: no $name.expected.json"; continue; fi
	got=$(run_case "$f")
	if diff -u <(jq -S . "$exp") <(printf '%s\n' "$got") >/tmp/golden.$$ 2>&1; then
		ok "$name"
	else
		fail "$name"; cat /tmp/golden.$$
	fi
done
rm -f /tmp/golden.$$
finish
