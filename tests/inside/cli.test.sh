#!/usr/bin/env bash
# `bulkhead inside` command line on fixture trees (no root needed): formats, exit codes, errors.
set -u
. "$(dirname "$0")/../lib.sh"
FX=$TOP/tests/fixtures/inside
jqe() { jq -e "$@" >/dev/null; }
out=$(mktemp); trap 'rm -f "$out"' EXIT

"$BH" inside --root "$FX/privileged-docker" --format json >"$out"; rc=$?
check "privileged fixture: exit 1 (critical findings)" test "$rc" = 1
check "privileged fixture: JSON with the scan finding shape" jqe '.tool.name == "bulkhead" and
	(.findings | length > 5) and (.findings[0] | has("rule") and has("severity") and has("evidence") and has("remediation"))
	and .summary.findings.critical > 0' "$out"
check "privileged fixture: docker.sock critical" jqe '[.findings[] | select(.rule == "BH0416" and .severity == "critical")] | length == 1' "$out"

"$BH" inside --root "$FX/k8s-restricted" --format json >"$out"; rc=$?
check "restricted fixture: exit 0 (nothing at or above high)" test "$rc" = 0
check "restricted fixture: no critical or high" jqe '.summary.findings.critical == 0 and .summary.findings.high == 0' "$out"
"$BH" inside --root "$FX/k8s-restricted" --fail-on low >/dev/null; rc=$?
check "restricted fixture: --fail-on low exits 1 (service-account token)" test "$rc" = 1

"$BH" inside --root "$FX/privileged-docker" >"$out"; rc=$?
check "text: facts header and summary" eval 'grep -q "^bulkhead inside: container c0ffee, runtime docker" "$out" && grep -qE "[0-9]+ critical" "$out"'

"$BH" inside --root /nonexistent/x --format json >"$out" 2>/dev/null; rc=$?
check "bad --root: exit 2 with a JSON error" eval 'test "$rc" = 2 && jq -e ".error | test(\"not a directory\")" "$out" >/dev/null'
"$BH" inside --format yaml >/dev/null 2>&1; rc=$?
check "bad --format: exit 2" test "$rc" = 2
"$BH" inside --bogus >/dev/null 2>&1; rc=$?
check "unknown option: exit 2" test "$rc" = 2
printf 'cve CVE-1-1\ncomponent bios\n' >"$out.cve"
"$BH" inside --root "$FX/userns" --cve-data "$out.cve" 2>"$out"; rc=$?
check "bad --cve-data: exit 2 naming the line" eval 'test "$rc" = 2 && grep -q ":2: unknown component" "$out"'
rm -f "$out.cve"
"$BH" inside --help | grep -q -- '--root DIR'
check "--help documents --root" test $? = 0
finish
