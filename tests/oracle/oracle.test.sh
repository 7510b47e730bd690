#!/usr/bin/env bash
# Differential test against Kubernetes' own code (tests/oracle, Go): the generator writes ORACLE_CASES
# adversarial manifests (default 2000, seed ORACLE_SEED=1); the oracle decodes them as kubectl and the API
# server do and runs pod-security-admission; bulkhead scans the raw files and the stored objects.
#  - a critical/high finding of the stored object that bulkhead's reading of the raw file lacks is a
#    bypass: the test fails;
#  - PSA verdict and check ids must equal bulkhead pss for every level × version (differences that come
#    from a documented riskier reading, which bulkhead warns about, are counted separately);
#  - over-reports, input-error disagreements and wording differences are counted and shown.
# Longer runs: tests/oracle/long.sh SEED [N].
. "$(dirname "$0")/../lib.sh"
oracle=$(bash "$TOP/tests/oracle/build.sh" "$TOP/$BUILD/oracle" 2>/tmp/oracle-build.$$) || {
	skip "oracle: $(cat /tmp/oracle-build.$$)"; rm -f /tmp/oracle-build.$$; finish; exit; }
rm -f /tmp/oracle-build.$$

# the oracle itself reads the measured server behaviours (kube-apiserver v1.34.2) the way the server did
stored() { "$oracle" decode "$TOP/tests/golden/cases/$1" | jq -r "$2"; }
[ "$(stored decode-merge-kind.yaml '.kind + " " + (.stored.spec.containers[0].securityContext.privileged|tostring)')" = "Pod true" ] \
	&& ok "oracle: << replaces kind (ConfigMap → privileged Pod)" || fail "oracle: << replacing kind"
[ "$(stored decode-merge-after-explicit.yaml '.stored.spec.containers[0].securityContext.privileged')" = true ] \
	&& ok "oracle: << after an explicit key overrides it" || fail "oracle: merge order"
[ "$(stored decode-json-integral-float.json '.stored.spec.containers[0].securityContext.runAsUser')" = 0 ] \
	&& ok "oracle: runAsUser 0.0 is stored as 0" || fail "oracle: integral float"
[ "$(stored decode-case-variant-safe.yaml '.stored.spec.containers[0].securityContext.privileged')" = true ] \
	&& ok "oracle: a case-variant key is dropped (Privileged: false leaves privileged: true)" || fail "oracle: case variant"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$("$oracle" run -seed "${ORACLE_SEED:-1}" -n "${ORACLE_CASES:-2000}" -bulkhead "$BH" -work "$work/run" -examples 3); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
num() { printf '%s\n' "$out" | sed -n "s/^$1[^0-9]*\([0-9][0-9]*\).*/\1/p" | head -1; }
[ "$rc" -le 1 ] || fail "oracle run failed (exit $rc)"
b=$(num "bypasses"); d=$(printf '%s\n' "$out" | sed -n 's/.*disagreements: \([0-9]*\).*/\1/p')
[ "$b" = 0 ] && ok "no bypasses in ${ORACLE_CASES:-2000} generated cases" || fail "$b bypasses (see above)"
[ "$d" = 0 ] && ok "PSA verdicts and check ids equal for every level and version" || fail "$d PSA disagreements"
finish
