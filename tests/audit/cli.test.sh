#!/usr/bin/env bash
# bulkhead audit on the command line: stdin equals the file, streams with an oversized line, the common
# reporters (text with evidence, json, sarif), usage errors and exit codes.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
C="$TOP/tests/audit/cases"
proj() { jq -r 'select(.finding) | "\(.finding.location.line) \(.finding.rule) \(.finding.severity)"'; }
"$BH" audit --format jsonl "$C/session-pos.jsonl" | proj >"$T/file"
"$BH" audit --format jsonl - <"$C/session-pos.jsonl" | proj >"$T/stdin"
check "stdin gives the same findings as the file" diff "$T/file" "$T/stdin"
check "stdin: findings were found at all" test -s "$T/stdin"
cat "$C/eventlist.json" | "$BH" audit --format jsonl - | proj >"$T/doc"
check "stdin: a pretty-printed EventList is read as a document" test "$(wc -l <"$T/doc")" = 3
# a stream with a line larger than the limit between two good ones: an error for that line only
{ sed -n 1p "$C/session-pos.jsonl"; head -c 300000 /dev/zero | tr '\0' 'x'; echo; sed -n 2p "$C/session-pos.jsonl"; } |
	"$BH" audit --format jsonl --max-event-size 100K - >"$T/big"; rc=$?
check "stream: an oversized line exits 2" test "$rc" = 2
check "stream: the oversized line is an error at line 2" test "$(jq -r 'select(.error) | .error.line' "$T/big")" = 2
check "stream: the lines around it are judged (BH0800, BH0812, BH0801)" test "$(proj <"$T/big" | wc -l)" = 3
"$BH" audit "$C/workload-pos.jsonl" >"$T/text"; rc=$?
check "text: exit 1 with critical findings" test "$rc" = 1
check "text: evidence names user, source IP and audit ID" grep -q 'evidence: user=tenant .*sourceIPs=10.0.0.10 .*auditID=' "$T/text"
"$BH" audit --format json "$C/workload-pos.jsonl" | jq -e '.findings | length == 5 and all(.[]; .evidence and .location.file)' >/dev/null
check "json: the scan report shape with evidence" test $? = 0
"$BH" audit --format sarif "$C/workload-pos.jsonl" | jq -e '.runs[0].results | length == 5' >/dev/null
check "sarif: one result per finding" test $? = 0
"$BH" audit --format json "$C/badinput.jsonl" --max-event-size 65536 | jq -e '.errors | length == 6' >/dev/null
check "json: input errors listed with their position" test $? = 0
"$BH" audit --fail-on none "$C/workload-pos.jsonl" >/dev/null; check "--fail-on none: exit 0" test $? = 0
"$BH" audit --fail-on critical "$C/token-pos.jsonl" >/dev/null; check "--fail-on critical with high findings: exit 0" test $? = 0
"$BH" audit --window 30 --format jsonl "$C/session-pos.jsonl" | proj | grep -q BH0812
check "--window 30: the exec 60 s after the creation is no incident" test $? = 1
"$BH" audit --webhook-name other-policy --format jsonl "$C/webhook-pos.jsonl" | proj >"$T/wh"
check "--webhook-name: another configuration counts as bulkhead's own" grep -q '^2 BH0809 critical' "$T/wh"
head -7 "$TOP/examples/bulkhead-config.yaml" >"$T/cfg.yaml"
printf 'exemptions:\n  - namespace: team\n    rules: [privileged-container]\n    reason: "lab namespace"\n' >>"$T/cfg.yaml"
"$BH" audit --config "$T/cfg.yaml" --format jsonl "$C/workload-pos.jsonl" | jq -r '.finding.message' >"$T/ex"
check "--config: an exempted scan rule is not an avenue (BH0001 gone, BH0002 stays)" \
	sh -c "! grep -q BH0001 '$T/ex' && grep -q 'BH0002 host-pid' '$T/ex' && grep -q 'ephemeral container to pod team/web (code' '$T/ex'"
# the audit: section (disable, severity, allow), as watch: has it
cat >"$T/acfg.yaml" <<'CFG'
audit:
  disable: [audit-escape-incident]
  severity: {BH0800: medium}
  allow:
  - user: bob
    rules: [BH0801]
    reason: "bob is the on-call SRE; ticket OPS-12"
  - group: "tenant*"
    rule: BH0801
    expires: 2020-01-01
    reason: "old exception"
CFG
"$BH" audit --config "$T/acfg.yaml" --format json --show-suppressed "$C/session-pos.jsonl" >"$T/aj" 2>"$T/aerr"
check "audit.disable: no BH0812 incident" sh -c "! jq -r '.findings[].rule' '$T/aj' | grep -q BH0812"
check "audit.severity: BH0800 reported at medium" \
	test "$(jq -r '[.findings[] | select(.rule == "BH0800") | .severity] | unique | join(",")' "$T/aj")" = medium
check "audit.allow user: bob's two execs suppressed with the reason, tenant's stays" \
	test "$(jq -c '[.findings[] | select(.rule == "BH0801") | [(.evidence | split(" ")[0]), .suppressed, (.suppressedReason // "")]] | sort' "$T/aj")" = \
	'[["user=bob",true,"bob is the on-call SRE; ticket OPS-12"],["user=bob",true,"bob is the on-call SRE; ticket OPS-12"],["user=tenant",false,""]]'
check "an expired audit.allow entry applies to nothing and is named at start" \
	grep -q 'warning: audit.allow: exemption at .*acfg.yaml:8 expired on 2020-01-01' "$T/aerr"
"$BH" audit --config "$T/acfg.yaml" --format json "$C/session-pos.jsonl" 2>/dev/null | jq -r .summary.suppressed >"$T/as"
check "json without --show-suppressed: the two hidden, counted in the summary" test "$(cat "$T/as")" = 2
"$BH" audit --config "$T/acfg.yaml" --format jsonl "$C/session-pos.jsonl" 2>/dev/null | proj >"$T/al"
check "jsonl: suppressed findings are not emitted (tenant's BH0801 and BH0800 only)" \
	test "$(cut -d' ' -f2,3 "$T/al" | sort | tr '\n' ' ')" = "BH0800 medium BH0801 high "
printf 'audit:\n  disable: [BH0001]\n' >"$T/bad1.yaml"
"$BH" audit --config "$T/bad1.yaml" "$C/session-pos.jsonl" >/dev/null 2>"$T/b1"; rc=$?
check "audit.disable with a scan rule: exit 2 at its position" sh -c "test $rc = 2 && grep -q 'bad1.yaml:2:13: audit: .BH0001. is not an audit rule' '$T/b1'"
printf 'audit:\n  allow:\n  - exe: /bin/sh\n    reason: x\n' >"$T/bad2.yaml"
"$BH" audit --config "$T/bad2.yaml" "$C/session-pos.jsonl" >/dev/null 2>"$T/b2"; rc=$?
check "audit.allow with a watch selector (exe): exit 2, unknown key" sh -c "test $rc = 2 && grep -q 'unknown key \"exe\" in an audit.allow entry' '$T/b2'"
printf 'audit:\n  allow:\n  - reason: everything\n' >"$T/bad3.yaml"
"$BH" audit --config "$T/bad3.yaml" "$C/session-pos.jsonl" >/dev/null 2>"$T/b3"; rc=$?
check "audit.allow matching everything: exit 2" sh -c "test $rc = 2 && grep -q 'would match everything' '$T/b3'"
"$BH" audit >/dev/null 2>&1; check "no input: exit 2" test $? = 2
"$BH" audit --format junit "$C/workload-pos.jsonl" >/dev/null 2>&1; check "--format junit: exit 2 (text, json, sarif, jsonl)" test $? = 2
"$BH" audit --window 0 x >/dev/null 2>&1; check "--window 0: exit 2" test $? = 2
"$BH" audit --listen 127.0.0.1:0 >/dev/null 2>&1; check "--listen without certificates: exit 2" test $? = 2
"$BH" audit --format json /nonexistent >"$T/ne"; rc=$?
check "a missing file: exit 2 and the error in JSON" sh -c "test $rc = 2 && jq -e '.errors[0].message | test(\"cannot read\")' '$T/ne' >/dev/null"
printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1"' >"$T/trunc"
"$BH" audit "$T/trunc" >/dev/null 2>&1; check "a truncated last line without newline: exit 2" test $? = 2
finish
