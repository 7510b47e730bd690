#!/usr/bin/env bash
# deploy/ agrees with itself and with bulkhead serve: names, namespace, ports, paths, certificate SANs,
# caBundle; the manifests pass bulkhead scan at medium; the server runs with the Deployment's own
# arguments and config and is reachable under the Service's DNS name with the caBundle as trust root.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/serve/lib-serve.sh"
need_tools base64
export LC_ALL=C
D="$TOP/deploy"
VWC="$D/validatingwebhookconfiguration.yaml"

# first value of "key: value" in a file (our manifests keep one resource per file, plain YAML)
val() { sed -n -E "s/^[[:space:]]*-?[[:space:]]*$2:[[:space:]]*\"?([^\"#]*)\"?.*/\1/p" "$1" | head -n 1 | sed 's/[[:space:]]*$//'; }

ns=$(val "$D/namespace.yaml" name)
check "namespace is named" test -n "$ns"
for f in serviceaccount configmap deployment pdb service networkpolicy; do
	check "$f.yaml lives in namespace $ns" grep -q "^  namespace: $ns\$" "$D/$f.yaml"
done
svc=$(sed -n '/^metadata:/,/^[a-z]/s/^  name: //p' "$D/service.yaml")
wsvc=$(sed -n '/service:/,/caBundle/s/^        name: //p' "$VWC")
wns=$(sed -n '/service:/,/caBundle/s/^        namespace: //p' "$VWC")
wport=$(sed -n '/service:/,/caBundle/s/^        port: //p' "$VWC")
wpath=$(sed -n '/service:/,/caBundle/s/^        path: //p' "$VWC")
check "webhook calls the Service by name ($wsvc = $svc)" test -n "$svc" -a "$wsvc" = "$svc"
check "webhook calls the Service's namespace ($wns = $ns)" test "$wns" = "$ns"
sport=$(sed -n 's/^      port: //p' "$D/service.yaml")
check "webhook port is the Service port ($wport = $sport)" test -n "$sport" -a "$wport" = "$sport"
check "webhook path is /validate" test "$wpath" = /validate
check "bulkhead serve serves $wpath" bash -c "'$BH' serve --help | grep -q 'POST $wpath'"
target=$(sed -n 's/^      targetPort: //p' "$D/service.yaml")
cport=$(awk -v n="$target" '$0 ~ "- name: "n"$" {getline; sub(/.*containerPort: /, ""); print; exit}' "$D/deployment.yaml")
listen=$(sed -n 's/.*--listen=[^:]*:\([0-9]*\).*/\1/p' "$D/deployment.yaml")
check "Service targets the container port $target ($cport) the server listens on ($listen)" test -n "$cport" -a "$cport" = "$listen"
check "probes use HTTPS on the same port" test "$(grep -c 'scheme: HTTPS' "$D/deployment.yaml")" = 2
check "readiness probe is /readyz, liveness /healthz" bash -c "grep -q 'path: /readyz' '$D/deployment.yaml' && grep -q 'path: /healthz' '$D/deployment.yaml'"
check "Deployment runs 2+ replicas" test "$(sed -n 's/^  replicas: //p' "$D/deployment.yaml")" -ge 2
check "Deployment has pod anti-affinity" grep -q podAntiAffinity "$D/deployment.yaml"
check "PodDisruptionBudget keeps one replica" grep -q 'minAvailable: 1' "$D/pdb.yaml"
check "PDB, Service and NetworkPolicy select the Deployment's pods" bash -c "
	for f in pdb service networkpolicy; do grep -q 'app.kubernetes.io/component: admission-webhook' '$D/'\$f.yaml || exit 1; done"
check "NetworkPolicy admits the container port only and denies egress" \
	bash -c "grep -q 'port: $cport' '$D/networkpolicy.yaml' && grep -q 'egress: \[\]' '$D/networkpolicy.yaml'"
certdir=$(sed -n 's/.*--tls-cert=\(.*\)\/tls.crt.*/\1/p' "$D/deployment.yaml")
cfgdir=$(sed -n 's/.*--config=\(.*\)\/config.yaml.*/\1/p' "$D/deployment.yaml")
check "certificate paths are the mounted Secret ($certdir)" grep -q "mountPath: $certdir\$" "$D/deployment.yaml"
check "config path is the mounted ConfigMap ($cfgdir)" grep -q "mountPath: $cfgdir\$" "$D/deployment.yaml"
check "the Secret mounted is the one gen-certs.sh writes ($svc-tls)" grep -q "secretName: $svc-tls\$" "$D/deployment.yaml"
check "the ConfigMap mounted exists" grep -q "name: $(sed -n 's/^            name: //p' "$D/deployment.yaml" | tail -n 1)\$" "$D/configmap.yaml"
check "webhook: admissionReviewVersions v1 only" grep -q 'admissionReviewVersions: \["v1"\]' "$VWC"
check "webhook: sideEffects None" grep -q 'sideEffects: None' "$VWC"
check "webhook: short timeout (<= 10 s)" test "$(val "$VWC" timeoutSeconds)" -le 10
check "webhook: failurePolicy is set and explained" bash -c "grep -q 'failurePolicy: Fail' '$VWC' && grep -q 'emergency brake' '$VWC'"
check "webhook: exempts its own namespace and kube-system by the unforgeable name label" \
	grep -q "values: \[\"$ns\", \"kube-system\"\]" "$VWC"
for r in pods pods/ephemeralcontainers podtemplates replicationcontrollers deployments replicasets statefulsets daemonsets jobs cronjobs; do
	check "webhook rules cover $r" grep -q "\"$r\"" "$VWC"
done

# ---- the webhook is generated from the config: the shipped file is what --print-webhook writes ----
sed -n '/config.yaml: |/,$p' "$D/configmap.yaml" | tail -n +2 | sed 's/^    //' >"$W/cm-config.yaml"
"$BH" serve --print-webhook --config "$W/cm-config.yaml" >"$W/vwc.yaml"
check "deploy/validatingwebhookconfiguration.yaml is bulkhead serve --print-webhook of the ConfigMap's config" \
	cmp -s "$W/vwc.yaml" "$VWC"
check "the shipped config does not honour bulkhead.io/ignore at admission" grep -q 'honorIgnoreAnnotation: false' "$W/cm-config.yaml"
for r in rollouts deploymentconfigs; do
	check "webhook rules send the CRDs bulkhead evaluates: $r" grep -q "\"$r\"" "$VWC"
done
check "webhook rules send the Knative Service (serving.knative.dev services)" \
	bash -c "grep -A2 'apiGroups: \[\"serving.knative.dev\"\]' '$VWC' | grep -q '\"services\"'"
printf 'podTemplatePaths:\n  - group: example.com\n    kind: Runner\n    spec: spec.workload.template.spec\n  - group: example.com\n    kind: Policy\n    spec: spec.template.spec\n' >"$W/crd.yaml"
"$BH" serve --print-webhook --config "$W/crd.yaml" >"$W/crd-vwc.yaml"
check "a CRD in podTemplatePaths is sent: example.com runners and policies" \
	bash -c "grep -A2 'apiGroups: \[\"example.com\"\]' '$W/crd-vwc.yaml' | grep -q 'resources: \[\"runners\", \"policies\"\]'"
printf 'podTemplatePaths: [oops]\n' >"$W/bad.yaml"
rc=0
"$BH" serve --print-webhook --config "$W/bad.yaml" >/dev/null 2>"$W/bad.err" || rc=$?
check "--print-webhook with a broken config: exit 2 with file:line:col" \
	bash -c "test $rc = 2 && grep -q 'bad.yaml:1:' '$W/bad.err'"
certs "$W/ucerts"
"$BH" serve --print-webhook --webhook-url https://127.0.0.1:8443/validate --ca-bundle "$W/ucerts/ca.crt" >"$W/url-vwc.yaml"
check "--webhook-url and --ca-bundle: url and the base64 CA in clientConfig" \
	bash -c "grep -q 'url: \"https://127.0.0.1:8443/validate\"' '$W/url-vwc.yaml' &&
		sed -n 's/^ *caBundle: \"\\(.*\\)\"/\\1/p' '$W/url-vwc.yaml' | base64 -d | cmp -s - '$W/ucerts/ca.crt'"

# ---- certificates: gen-certs.sh fills caBundle and makes a leaf for the Service's DNS name ----
"$D/gen-certs.sh" --out "$W/certs" --namespace "$ns" --service "$svc" --webhook "$VWC" --secret >/dev/null
check "gen-certs.sh writes the leaf, key, CA, Secret and webhook" \
	test -s "$W/certs/tls.crt" -a -s "$W/certs/tls.key" -a -s "$W/certs/ca.crt" -a -s "$W/certs/secret.yaml" -a -s "$W/certs/$(basename "$VWC")"
bundle=$(sed -n 's/^ *caBundle: *//p' "$W/certs/$(basename "$VWC")")
check "caBundle is filled" test -n "$bundle" -a "$bundle" != '""'
echo "$bundle" | base64 -d >"$W/bundle.pem" 2>/dev/null
check "caBundle is the CA" cmp -s "$W/bundle.pem" "$W/certs/ca.crt"
check "the leaf verifies against caBundle" bash -c "openssl verify -CAfile '$W/bundle.pem' '$W/certs/tls.crt' >/dev/null"
check "the leaf names $svc.$ns.svc in its SAN" bash -c "openssl x509 -in '$W/certs/tls.crt' -noout -ext subjectAltName | grep -q 'DNS:$svc.$ns.svc\\b'"
check "the Secret is named $svc-tls in $ns" bash -c "grep -q 'name: $svc-tls' '$W/certs/secret.yaml' && grep -q 'namespace: $ns' '$W/certs/secret.yaml'"
check "the source webhook file is left unfilled" grep -q 'caBundle: ""' "$VWC"

# ---- the server with the Deployment's arguments, the ConfigMap's config, reached by the Service name ----
sed -n '/config.yaml: |/,$p' "$D/configmap.yaml" | tail -n +2 | sed 's/^    //' >"$W/config.yaml"
args=$(sed -n 's/^            - \(--[a-z-]*=.*\)$/\1/p' "$D/deployment.yaml" |
	sed -e "s#=$certdir/#=$W/certs/#" -e "s#=$cfgdir/#=$W/#" -e 's#--listen=.*#--listen=127.0.0.1:0#' | tr '\n' ' ')
# shellcheck disable=SC2086
rm -f "$W/port"
"$BH" serve $args --port-file "$W/port" 2>>"$W/log" &
PID=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
PORT=$(cat "$W/port" 2>/dev/null)
check "bulkhead serve starts with the Deployment's arguments and config" test -n "$PORT"
host="$svc.$ns.svc"
mk priv Pod spec-privileged
code=$(curl -sS --max-time 10 --cacert "$W/bundle.pem" --resolve "$host:$PORT:127.0.0.1" -H 'Content-Type: application/json' \
	--data-binary @"$W/priv.json" -o "$W/body" -w '%{http_code}' "https://$host:$PORT$wpath")
check "the API server's view: https://$host$wpath verifies with caBundle and denies a privileged pod" \
	bash -c "test '$code' = 200 && jq -e '.response.allowed == false' '$W/body' >/dev/null"
check "server stops cleanly" stop_server

# ---- our own manifests pass our own scan ----
"$BH" scan --fail-on medium --quiet "$D" "$W/certs" >"$W/scan" 2>&1
check "bulkhead scan deploy/ reports nothing at medium or above" test $? = 0
nman=$(find "$D" "$W/certs" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l)
check "... and saw every manifest ($nman, deploy/node/ and deploy/watch/ included)" grep -q "^$nman files" "$W/scan"
finish
