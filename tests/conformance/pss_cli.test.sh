#!/usr/bin/env bash
# bulkhead pss exit codes and JSON shape; PSS in scan: --pss, namespace labels in either order, no duplicates.
. "$(dirname "$0")/../lib.sh"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
cat >"$t/priv.yaml" <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: web}
spec:
  template:
    spec:
      containers:
      - {name: app, image: nginx, securityContext: {privileged: true}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
Y
cat >"$t/ok.yaml" <<'Y'
apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: web}
spec:
  securityContext: {runAsUser: 0}
  containers: [{name: app, image: nginx}]
Y
cat >"$t/ns.yaml" <<'Y'
apiVersion: v1
kind: Namespace
metadata:
  name: web
  labels: {pod-security.kubernetes.io/enforce: restricted}
Y
"$BH" pss --level baseline "$t/ok.yaml" >/dev/null; check "allowed → exit 0" [ $? = 0 ]
"$BH" pss --level baseline "$t/priv.yaml" >/dev/null; check "forbidden → exit 1" [ $? = 1 ]
"$BH" pss --level baseline "$t/missing.yaml" >/dev/null 2>&1; check "unreadable input → exit 2" [ $? = 2 ]
"$BH" pss "$t/ok.yaml" >/dev/null 2>&1; check "no --level → exit 2" [ $? = 2 ]
out=$("$BH" pss --level baseline --format json "$t/priv.yaml")
got=$(printf '%s' "$out" | jq -r '"\(.results | length) \(.results[0].violations[0].detail)"')
check "JSON: one result, detail in PSA wording" [ "$got" = '1 container "app" must not set securityContext.privileged=true' ]
out=$("$BH" pss --level baseline "$t/priv.yaml")
check "text: skipped objects counted" grep -q '1 object without a pod template skipped' <<<"$out"
# BH0001 and the PSS rows (BH01xx); the other escape rules fire on these manifests too and are not the point here
rules() { "$BH" scan --format json "$@" 2>/dev/null | jq -r '[.findings[].rule | select(. == "BH0001" or startswith("BH01"))] | sort | join(",")'; }
check "scan: no duplicate of BH0001 at baseline" [ "$(rules "$t/priv.yaml")" = BH0001 ]
check "scan --pss none: no PSS findings" [ "$(rules --pss none "$t/ok.yaml")" = "" ]
check "scan --pss restricted:v1.30: restricted findings" [ -n "$(rules --pss restricted:v1.30 "$t/ok.yaml")" ]
a=$(rules "$t/ok.yaml" "$t/ns.yaml"); b=$(rules "$t/ns.yaml" "$t/ok.yaml")
# restricted checks that an escape rule covers (allowPrivilegeEscalation, capabilities, runAsNonRoot, seccomp) are
# reported once, by that rule; runAsNonRoot on the container and runAsUser=0 on the pod are PSA sites no escape
# rule reports on the same field
check "scan: Namespace label applies before and after its objects" [ "$a" = "$b" -a "$a" = BH0116,BH0117 ]
check "scan: the namespace label is announced" sh -c "'$BH' scan '$t/ok.yaml' '$t/ns.yaml' 2>&1 >/dev/null | grep -q 'Namespace web enforces Pod Security restricted:latest'"
"$BH" scan --pss bogus "$t/ok.yaml" >/dev/null 2>&1; check "scan --pss bogus → exit 2" [ $? = 2 ]
finish
