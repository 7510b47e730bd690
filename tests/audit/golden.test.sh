#!/usr/bin/env bash
# Golden cases of `bulkhead audit`: every tests/audit/cases/<case>.jsonl (or .json) is read with
# `bulkhead audit --format jsonl` (plus <case>.args if present); the projection below — "line rule severity"
# per finding, "line:col error" per input error, and the exit code — must equal <case>.expected.
# The events follow the audit.k8s.io/v1 Event schema of the Kubernetes API reference
# (https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event).
# Every case runs twice, with and without the fast path: the fast path may only skip events no rule matches.
# Adding a case: write the events, run `tests/audit/golden.test.sh --update CASE`, review the expected file.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }
dir="$TOP/tests/audit/cases"
TMPDIR_=$(mktemp -d); trap 'rm -rf "$TMPDIR_"' EXIT
run_case() { # file [extra args] → projection
	local f=$1 args=(); shift
	[ -f "${f%.*}.args" ] && read -r -a args <"${f%.*}.args"
	local out rc
	out=$(cd "$dir" && "$BH" audit --format jsonl "${args[@]}" "$@" "$(basename "$f")" 2>/dev/null); rc=$?
	printf '%s\n' "$out" | jq -r 'select(. != null) | if .finding then .finding | "\(.location.line) \(.rule) \(.severity)"
		else .error | "\(.line):\(.column) error" end'
	echo "exit $rc"
}
if [ "${1:-}" = --update ]; then
	shift
	for c in "$@"; do
		f=$(ls "$dir/$c".json* | head -1)
		run_case "$f" >"$dir/$c.expected" && echo "wrote $dir/$c.expected"
	done
	exit 0
fi
for f in "$dir"/*.jsonl "$dir"/*.json; do
	[ -f "$f" ] || continue
	name=$(basename "${f%.*}")
	exp="$dir/$name.expected"
	if [ ! -f "$exp" ]; then fail "$name: no $name.expected"; continue; fi
	if diff -u "$exp" <(run_case "$f") >"$TMPDIR_/d" 2>&1; then ok "$name"; else fail "$name"; cat "$TMPDIR_/d"; fi
	if diff -u "$exp" <(run_case "$f" --no-fast-path) >"$TMPDIR_/d" 2>&1; then ok "$name (no fast path)"
	else fail "$name (no fast path)"; cat "$TMPDIR_/d"; fi
done
# every JSON line has the keys docs/schema/audit.schema.json requires (finding + event, or error)
schema="$TOP/docs/schema/audit.schema.json"
for f in "$dir"/*.jsonl "$dir"/*.json; do
	(cd "$dir" && "$BH" audit --format jsonl $(cat "${f%.*}.args" 2>/dev/null) "$(basename "$f")" 2>/dev/null)
done >"$TMPDIR_/all.jsonl"
if jq -e -s --slurpfile s "$schema" '
	($s[0].oneOf[0].properties.event.required) as $ev | ($s[0].oneOf[1].properties.error.required) as $er |
	length > 20 and all(.[]; if .finding then (.event | keys) - $ev == [] and ($ev - (.event | keys)) == []
		else (.error | keys | sort) == ($er | sort) end)' "$TMPDIR_/all.jsonl" >/dev/null; then
	ok "every jsonl line of every case has exactly the keys of docs/schema/audit.schema.json"
else fail "jsonl lines differ from docs/schema/audit.schema.json"; fi
finish
