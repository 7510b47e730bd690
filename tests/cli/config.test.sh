#!/usr/bin/env bash
# bulkhead scan --config: exemptions with reasons and expiry, disabled rules, severity overrides,
# --show-suppressed, config errors.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
unset BULKHEAD_CONFIG # discovery is tested below; a developer's own setting must not leak in
G="$TOP/tests/golden/cases"
command -v jq >/dev/null || { skip "jq missing"; finish; exit; }

cat >"$T/cfg.yaml" <<'Y'
rules:
  severity: {host-network: low}
exemptions:
  - rules: [BH0001]
    namespace: demo
    reason: accepted for the demo
  - rules: [BH0002]
    kind: DaemonSet
    reason: node agent, reviewed
    expires: 2020-01-01
  - rules: [host-ipc]
    name: agent
    reason: until the rewrite
    expires: 2999-12-31
Y
"$BH" scan --format json --config "$T/cfg.yaml" "$G/privileged-yes.yaml" "$G/host-namespaces.yaml" >"$T/o.json"; rc=$?
check "exempted critical does not fail; expired-exempted high does" test $rc = 1
check "suppressed finding hidden by default" jq -e '[.findings[] | select(.rule == "BH0001")] == []' "$T/o.json" >/dev/null
check "summary counts it as suppressed" jq -e '.summary.suppressed == 2' "$T/o.json" >/dev/null
check "expired exemption still reports BH0002" jq -e '[.findings[] | select(.rule == "BH0002" and .suppressed == false)] | length == 1' "$T/o.json" >/dev/null
check "expired exemption is reported as a warning with its line" jq -e '[.warnings[] | select(.message | test("cfg.yaml:7 expired on 2020-01-01"))] | length == 1' "$T/o.json" >/dev/null
check "severity override applied" jq -e '[.findings[] | select(.rule == "BH0004") | .severity] == ["low"]' "$T/o.json" >/dev/null
"$BH" scan --format json --show-suppressed --config "$T/cfg.yaml" "$G/privileged-yes.yaml" "$G/host-namespaces.yaml" >"$T/s.json"
check "--show-suppressed lists them with the reason" jq -e '[.findings[] | select(.suppressed) | .suppressedReason] | sort == ["accepted for the demo", "until the rewrite"]' "$T/s.json" >/dev/null
"$BH" scan --show-suppressed --config "$T/cfg.yaml" "$G/privileged-yes.yaml" >"$T/s.txt"
check "text shows the suppression reason" grep -q 'suppressed: accepted for the demo' "$T/s.txt"

printf 'rules:\n  disable: [privileged-container]\n' >"$T/off.yaml"
"$BH" scan --pss none --config "$T/off.yaml" "$G/privileged-yes.yaml" >/dev/null; check "disabled rule: exit 0" test $? = 0
"$BH" scan --format json --config "$T/off.yaml" "$G/privileged-yes.yaml" >"$T/p.json"
check "disabled escape rule: the PSS check still reports the field" jq -e '[.findings[] | select(.pss.check == "privileged") | .rule] == ["BH0106"]' "$T/p.json" >/dev/null

printf 'exemptions:\n  - rules: [BH0001]\n    namespace: demo\n' >"$T/noreason.yaml"
"$BH" scan --config "$T/noreason.yaml" "$G/privileged-yes.yaml" >/dev/null 2>"$T/err"; rc=$?
check "exemption without reason: config error, exit 2" test $rc = 2
check "the error names file:line:col" grep -q "noreason.yaml:2:5: exemptions: an exemption needs a reason" "$T/err"
printf 'rules:\n  disabled: [BH0001]\n' >"$T/typo.yaml"
"$BH" scan --format json --config "$T/typo.yaml" "$G/privileged-yes.yaml" >"$T/e.json" 2>/dev/null; rc=$?
check "unknown key: exit 2" test $rc = 2
check "unknown key as JSON error" jq -e '.error | test("typo.yaml:2:3: unknown key \"disabled\"")' "$T/e.json" >/dev/null
"$BH" scan --config "$T/missing.yaml" "$G/privileged-yes.yaml" 2>/dev/null; check "missing config: exit 2" test $? = 2

# the bulkhead.io/ignore annotation
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: dbg\n  annotations:\n    bulkhead.io/ignore: "host-pid debugging node 3, remove after incident 77"\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n' >"$T/ann.yaml"
"$BH" scan --format json "$T/ann.yaml" >"$T/a.json"; rc=$?
check "annotation suppresses: exit 0" test $rc = 0
check "annotation reason kept" jq -e '.summary.suppressed == 1' "$T/a.json" >/dev/null
sed -i 's/"host-pid debugging.*"/BH0002/' "$T/ann.yaml"
"$BH" scan --format json "$T/ann.yaml" >"$T/a2.json"; rc=$?
check "annotation without reason does not suppress" test $rc = 1
check "…and says so" jq -e '[.warnings[] | select(.message | test("has no reason"))] | length == 1' "$T/a2.json" >/dev/null

# podTemplatePaths: a CRD whose pod template sits where no built-in row looks
printf 'apiVersion: example.com/v1\nkind: Runner\nmetadata: {name: r}\nspec:\n  worker:\n    pod:\n      hostPID: true\n      containers: [{name: w, image: w}]\n' >"$T/crd.yaml"
"$BH" scan --format json --pss none "$T/crd.yaml" >"$T/c0.json"
check "unknown CRD layout: not scanned without the config" jq -e '.findings == []' "$T/c0.json" >/dev/null
printf 'podTemplatePaths:\n  - {group: example.com, kind: Runner, spec: spec.worker.pod}\n' >"$T/paths.yaml"
"$BH" scan --format json --pss none --config "$T/paths.yaml" "$T/crd.yaml" >"$T/c1.json"
check "podTemplatePaths: the CRD's pod is scanned, field path in its layout" jq -e '[.findings[] | select(.rule == "BH0002") | .field] == ["spec.worker.pod.hostPID"]' "$T/c1.json" >/dev/null

# one file for every command: the watch section is bulkhead watch's, and scan accepts it
printf 'rules:\n  disable: [BH0003]\nwatch:\n  disable: [BH0503]\n' >"$T/shared.yaml"
"$BH" scan --config "$T/shared.yaml" --fail-on none "$G/hardened.yaml" >/dev/null; check "config with a watch section loads in scan" test $? = 0

# the shipped example config is valid
"$BH" scan --config "$TOP/examples/bulkhead-config.yaml" --fail-on none "$TOP/examples" >/dev/null
check "examples/bulkhead-config.yaml loads" test $? = 0
"$BH" watch --config "$TOP/examples/bulkhead-config.yaml" --replay "$TOP/tests/fixtures/watch/benign.bhw" >/dev/null 2>&1
check "examples/bulkhead-config.yaml loads in watch (its watch: section)" test $? = 0
printf 'rules:\n  disable: [BH0300]\nexemptions:\n- rules: [image-unsigned, BH0301]\n  reason: x\n' >"$T/imgrules.yaml"
"$BH" scan --config "$T/imgrules.yaml" --fail-on none "$TOP/examples" >/dev/null 2>&1
check "rules:/exemptions: accept image rules (scan reports them with --vulns/--verify-images)" test $? = 0
printf 'rules:\n  disable: [BH0801]\n' >"$T/auditrule.yaml"
"$BH" scan --config "$T/auditrule.yaml" "$TOP/examples" >/dev/null 2>"$T/ar.err"; rc=$?
check "rules.disable with an audit rule: exit 2, says to use the audit: section" \
	sh -c "test $rc = 2 && grep -q 'auditrule.yaml:2:13: rules.disable: unknown rule \"BH0801\" here (an audit rule: use the audit: section)' '$T/ar.err'"
"$BH" audit --config "$TOP/examples/bulkhead-config.yaml" --fail-on none "$TOP/tests/audit/cases/session-pos.jsonl" >/dev/null
check "examples/bulkhead-config.yaml loads in audit (its audit: section)" test $? = 0
# ---- one loader for every section: unknown keys are errors with file:line:col everywhere ----
printf 'watch:\n  disabel: [BH0503]\n' >"$T/wtypo.yaml"
"$BH" scan --config "$T/wtypo.yaml" "$G/hardened.yaml" >/dev/null 2>"$T/err"; rc=$?
check "typo in the watch section: scan refuses the config (exit 2)" test $rc = 2
check "…naming file:line:col" grep -q 'wtypo.yaml:2:3: unknown key "disabel" in watch' "$T/err"
"$BH" watch --config "$T/wtypo.yaml" --replay "$TOP/tests/fixtures/watch/benign.bhw" >/dev/null 2>"$T/err"; rc=$?
check "typo in the watch section: watch refuses it (exit 2)" test $rc = 2
check "…naming file:line:col" grep -q 'wtypo.yaml:2:3: unknown key "disabel" in watch' "$T/err"
printf 'exemptions:\n  - rules: [BH0001]\n    reason: x\n    namespase: demo\n' >"$T/xtypo.yaml"
"$BH" scan --config "$T/xtypo.yaml" "$G/hardened.yaml" >/dev/null 2>"$T/err"; rc=$?
check "unknown selector in an exemption: exit 2 with line:col" \
	sh -c "test $rc = 2 && grep -q 'xtypo.yaml:4:5: unknown key \"namespase\" in an exemption' '$T/err'"
printf 'watch:\n  allow:\n    - {rule: BH0504, comm: sh, namespace: x, reason: y}\n' >"$T/wsel.yaml"
"$BH" scan --config "$T/wsel.yaml" "$G/hardened.yaml" >/dev/null 2>"$T/err"; rc=$?
check "a manifest selector in a watch exemption is refused" sh -c "test $rc = 2 && grep -q 'unknown key \"namespace\" in a watch.allow entry' '$T/err'"
printf 'watch:\n  allow:\n    - {rule: BH0504, comm: sh, reason: old, expires: 2001-02-03}\n' >"$T/wexp.yaml"
"$BH" watch --config "$T/wexp.yaml" --replay "$TOP/tests/fixtures/watch/benign.bhw" >/dev/null 2>"$T/err"
check "expired watch exemption: a warning naming file:line" grep -q 'warning: exemption at .*wexp.yaml:3 expired on 2001-02-03' "$T/err"
printf '# nothing but a comment\n' >"$T/empty.yaml"
"$BH" scan --config "$T/empty.yaml" "$G/privileged-yes.yaml" >/dev/null 2>&1; rc=$?
check "comment-only config: scan runs with the defaults" test $rc = 1

# ---- discovery: --config, else $BULKHEAD_CONFIG, else ./.bulkhead.yaml, else <git root>/.bulkhead.yaml ----
mkdir -p "$T/repo/.git" "$T/repo/sub/dir" "$T/here" "$T/outer/repo2/.git" "$T/outer/repo2/sub"
printf 'rules:\n  disable: [privileged-container]\n' >"$T/repo/.bulkhead.yaml"
cp "$T/repo/.bulkhead.yaml" "$T/here/.bulkhead.yaml"
cp "$T/repo/.bulkhead.yaml" "$T/outer/.bulkhead.yaml" # above a repository root: never read
printf 'rules:\n  disable: [BH0003]\n' >"$T/other.yaml"
scan_priv() { "$BH" scan --pss none "$@" "$G/privileged-yes.yaml" >/dev/null; }
(cd "$T" && scan_priv 2>/dev/null); check "no config anywhere: privileged fails (exit 1)" test $? = 1
(cd "$T/here" && scan_priv 2>"$T/err"); rc=$?
check ".bulkhead.yaml in the working directory is used" test $rc = 0
check "…and named on stderr" grep -q 'config .bulkhead.yaml (from working directory)' "$T/err"
(cd "$T/repo/sub/dir" && scan_priv 2>"$T/err"); rc=$?
check ".bulkhead.yaml at the git repository root is used from a subdirectory" test $rc = 0
check "…and named on stderr" grep -q "config $T/repo/.bulkhead.yaml (from repository root)" "$T/err"
(cd "$T/outer/repo2/sub" && scan_priv 2>/dev/null); check "the walk stops at the repository root" test $? = 1
(cd "$T/here" && BULKHEAD_CONFIG="$T/other.yaml" scan_priv 2>"$T/err"); rc=$?
check "\$BULKHEAD_CONFIG wins over .bulkhead.yaml" test $rc = 1
check "…and is named" grep -q "config $T/other.yaml (from \$BULKHEAD_CONFIG)" "$T/err"
(cd "$T/here" && BULKHEAD_CONFIG="$T/repo/.bulkhead.yaml" scan_priv --config "$T/other.yaml" 2>"$T/err"); rc=$?
check "--config wins over \$BULKHEAD_CONFIG and .bulkhead.yaml" test $rc = 1
check "…and is not announced (the user named it)" test ! -s "$T/err"
(cd "$T/here" && BULKHEAD_CONFIG="$T/nope.yaml" scan_priv 2>"$T/err"); rc=$?
check "a missing \$BULKHEAD_CONFIG file: exit 2" test $rc = 2
check "…naming it" grep -q "nope.yaml" "$T/err"
(cd "$T/here" && "$BH" scan --config "$T/nope.yaml" "$G/privileged-yes.yaml" >/dev/null 2>"$T/err"); rc=$?
check "a missing --config file: exit 2 even with .bulkhead.yaml present" test $rc = 2
check "…no 0:0 position for a file that cannot be read" sh -c "! grep -q ':0:0' '$T/err'"
(cd "$T/repo/sub" && "$BH" scan --help) >"$T/help"
check "scan --help names the config it would use" grep -q "config in use without --config: $T/repo/.bulkhead.yaml (from repository root)" "$T/help"
(cd "$T/here" && "$BH" watch --help) >"$T/help"
check "watch --help names it too" grep -q "config in use without --config: .bulkhead.yaml (from working directory)" "$T/help"
printf 'watch:\n  disable: [BH0599x]\n' >"$T/here2.yaml"
mkdir -p "$T/wdir" && cp "$T/here2.yaml" "$T/wdir/.bulkhead.yaml"
(cd "$T/wdir" && "$BH" watch --replay "$TOP/tests/fixtures/watch/benign.bhw" >/dev/null 2>"$T/err"); rc=$?
check "watch reads a discovered .bulkhead.yaml (its bad rule id: exit 2 with line:col)" \
	sh -c "test $rc = 2 && grep -q '.bulkhead.yaml:2:13: watch.disable: unknown watch rule' '$T/err'"
finish
