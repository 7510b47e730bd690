# Helpers for the e2e tests (tests/e2e/*.test.sh): a lab (tests/e2e/lab.sh) per script, bulkhead serve on
# loopback registered as the API server's validating webhook by url:. Source after tests/lib.sh.
# The kube-apiserver must be built already (scripts/dev e2e or tests/e2e/build-kube.sh): the suite never
# starts a 20-minute build on its own. E2E_BUILD=1 lets it build.
E2E="$TOP/tests/e2e"
W=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-e2e.XXXXXX")
LAB=
SPID=
e2e_cleanup() {
	set +e # also when the caller runs under set -e: every step must run
	[ -n "$SPID" ] && { kill -CONT "$SPID"; kill -KILL "$SPID"; wait "$SPID"; } 2>/dev/null
	[ -n "$LAB" ] && "$E2E/lab.sh" stop "$LAB"
	rm -rf "$W"
}
trap e2e_cleanup EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

skip_all() { skip "$*"; finish; exit 0; }

# e2e_prereqs: skips the whole script (with the reason) when etcd, Go/kube-apiserver, jq or openssl is missing
e2e_prereqs() {
	local t
	[ "${E2E_SKIP:-0}" = 1 ] && skip_all "E2E=0 given: e2e tests skipped"
	for t in jq openssl curl ss; do
		command -v "$t" >/dev/null || skip_all "$t is not installed: e2e tests skipped"
	done
	command -v etcd >/dev/null || skip_all "etcd is not installed (Debian package etcd-server): e2e tests skipped"
	[ -x "$BH" ] || { fail "$BH missing (build first)"; finish; exit 1; }
	local flag=--check
	[ "${E2E_BUILD:-0}" = 1 ] && flag=
	if ! KUBE_APISERVER=$("$E2E/build-kube.sh" $flag apiserver 2>"$W/build.err"); then
		if ! command -v go >/dev/null; then
			skip_all "Go is not installed: cannot build kube-apiserver, e2e tests skipped"
		fi
		cat "$W/build.err" >&2
		skip_all "kube-apiserver is not built yet: run scripts/dev e2e (or tests/e2e/build-kube.sh, ~20 min once), e2e tests skipped"
	fi
	export KUBE_APISERVER
	"$E2E/build-kube.sh" kubectl >/dev/null 2>&1 || skip_all "no kubectl and it is not built (tests/e2e/build-kube.sh kubectl)"
}

# e2e_lab [lab.sh start args]: starts a lab in $W/lab, exports its environment
e2e_lab() {
	if ! "$E2E/lab.sh" start --dir "$W/lab" "$@" >"$W/lab.out" 2>"$W/lab.err"; then
		cat "$W/lab.err" >&2
		LAB=$W/lab
		fail "the lab did not start"
		finish
		exit 1
	fi
	LAB=$W/lab
	eval "$("$E2E/lab.sh" env "$LAB")"
}

KA() { kubectl --kubeconfig "$KUBECONFIG" --request-timeout=30s "$@"; }
KT() { kubectl --kubeconfig "$LAB_TENANT_KUBECONFIG" --request-timeout=30s -n team "$@"; }

# serve_certs: the webhook's certificates, made like deploy/gen-certs.sh makes them (it is the same script)
serve_certs() { "$TOP/deploy/gen-certs.sh" --out "$W/certs" --ip 127.0.0.1 --dns localhost >/dev/null; }

# start_serve [ARGS]: bulkhead serve on 127.0.0.1:$SPORT (picked once, kept across restarts so the
# registered URL stays valid), config $W/config.yaml
start_serve() {
	[ -n "${SPORT:-}" ] || SPORT=$(( 32000 + RANDOM % 8000 ))
	"$BH" serve --tls-cert "$W/certs/tls.crt" --tls-key "$W/certs/tls.key" --listen "127.0.0.1:$SPORT" \
		--config "$W/config.yaml" --threads 2 "$@" 2>>"$W/serve.log" &
	SPID=$!
	for _ in $(seq 100); do
		curl -sf --max-time 1 --cacert "$W/certs/ca.crt" "https://127.0.0.1:$SPORT/healthz" >/dev/null 2>&1 && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
stop_serve() {
	[ -n "$SPID" ] || return 0
	kill -CONT "$SPID" 2>/dev/null
	kill -TERM "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
}
serve_metric() {
	curl -s --max-time 5 --cacert "$W/certs/ca.crt" "https://127.0.0.1:$SPORT/metrics" |
		awk -v m="$1" '$1 == m {print $2; f=1} END {if (!f) print 0}'
}

# register POLICY TIMEOUT [EXTRA_RULES_YAML]: the ValidatingWebhookConfiguration "bulkhead-e2e" with the
# rules of deploy/validatingwebhookconfiguration.yaml, clientConfig.url and caBundle
register() {
	local policy=$1 timeout=$2 extra=${3:-}
	KA apply -f - >/dev/null <<EOF
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: bulkhead-e2e}
webhooks:
  - name: validate.bulkhead.io
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: $policy
    timeoutSeconds: $timeout
    matchPolicy: Equivalent
    clientConfig:
      url: https://127.0.0.1:$SPORT/validate
      caBundle: $(base64 -w0 <"$W/certs/ca.crt")
    namespaceSelector:
      matchExpressions:
        - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}
    rules:
      - operations: ["CREATE", "UPDATE"]
        apiGroups: [""]
        apiVersions: ["v1"]
        resources: ["pods", "pods/ephemeralcontainers", "podtemplates", "replicationcontrollers"]
        scope: Namespaced
      - operations: ["CREATE", "UPDATE"]
        apiGroups: ["apps"]
        apiVersions: ["v1"]
        resources: ["deployments", "replicasets", "statefulsets", "daemonsets"]
        scope: Namespaced
      - operations: ["CREATE", "UPDATE"]
        apiGroups: ["batch"]
        apiVersions: ["v1"]
        resources: ["jobs", "cronjobs"]
        scope: Namespaced
$extra
EOF
}
unregister() { KA delete validatingwebhookconfiguration bulkhead-e2e --ignore-not-found >/dev/null; }

# wait_webhook: the API server's webhook informer lags behind the write; waits until a privileged pod
# (dry-run) is refused by bulkhead, up to 20 s
wait_webhook() {
	for _ in $(seq 40); do
		KT create --dry-run=server -f "$E2E/manifests/privileged.yaml" >"$W/wait.out" 2>&1 || true
		grep -q 'validate.bulkhead.io' "$W/wait.out" && return 0
		sleep 0.5
	done
	return 1
}

# to_json FILE: client-side YAML → JSON (no server involved)
# (kubectl fills in the context's namespace: dropped, so -n decides)
to_json() { kubectl create --dry-run=client --validate=false -o json -f "$1" | jq 'del(.metadata.namespace)'; }

# wrap KIND NAME < POD_JSON: a workload of KIND whose pod template is the pod
wrap() {
	jq -c --arg kind "$1" --arg name "$2" '
		{metadata: {labels: {app: $name}}, spec: .spec} as $tpl |
		{kind: $kind, metadata: {name: $name}} +
		if $kind == "Deployment" then {apiVersion: "apps/v1", spec: {replicas: 1, selector: {matchLabels: {app: $name}}, template: $tpl}}
		elif $kind == "CronJob" then {apiVersion: "batch/v1", spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: ($tpl | .spec.restartPolicy = "Never")}}}}
		elif $kind == "Job" then {apiVersion: "batch/v1", spec: {template: ($tpl | .spec.restartPolicy = "Never")}}
		else error("kind") end'
}

# rest_create FILE [NS]: POST the JSON file as it is (kubectl would re-encode it) as the tenant, dryRun=All;
# prints the answer, fails unless 2xx
rest_create() {
	local code
	code=$(curl -sS --max-time 60 --cacert "$LAB_CA" -H "Authorization: Bearer $LAB_TENANT_TOKEN" \
		-H 'Content-Type: application/json' --data-binary @"$1" -o "$W/rest.out" -w '%{http_code}' \
		"$LAB_SERVER/api/v1/namespaces/${2:-team}/pods?dryRun=All") || return 1
	echo "HTTP $code"
	# a Status carries the message JSON-escaped: print it plain, as kubectl would
	jq -r 'if .kind == "Status" then .message else "\(.kind) \(.metadata.name) stored" end' "$W/rest.out" 2>/dev/null ||
		head -c 2000 "$W/rest.out"
	case $code in 2*) return 0 ;; *) return 1 ;; esac
}

# denied DESC RULE CMD...: CMD fails, bulkhead's webhook is named in the error and RULE in its message
denied() {
	local d=$1 rule=$2
	shift 2
	if "$@" >"$W/out" 2>&1; then
		fail "$d: allowed ($(head -c 300 "$W/out"))"
	elif grep -q 'admission webhook "validate.bulkhead.io" denied the request' "$W/out" && grep -q -- "$rule" "$W/out"; then
		ok "$d"
	else
		fail "$d: $(head -c 400 "$W/out")"
	fi
}
# allowed DESC CMD...: CMD succeeds
allowed() {
	local d=$1
	shift
	if "$@" >"$W/out" 2>&1; then ok "$d"; else fail "$d: $(head -c 400 "$W/out")"; fi
}
# refused DESC PATTERN CMD...: CMD fails with PATTERN in its error (not a bulkhead decision)
refused() {
	local d=$1 pat=$2
	shift 2
	if "$@" >"$W/out" 2>&1; then
		fail "$d: allowed ($(head -c 300 "$W/out"))"
	elif grep -Eq -- "$pat" "$W/out"; then
		ok "$d"
	else
		fail "$d: $(head -c 400 "$W/out")"
	fi
}
