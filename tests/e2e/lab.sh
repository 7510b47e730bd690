#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for tests and by hand: Debian's etcd and a kube-apiserver
# built by tests/e2e/build-kube.sh. No controller-manager, scheduler or kubelet: objects are stored and
# admitted, never run.
#
#   tests/e2e/lab.sh start [--dir DIR] [--namespaces "team other"] [--audit-policy FILE]
#                          [--audit-webhook-config FILE] [--admission-config FILE] [--apiserver-arg ARG]...
#       Starts etcd and kube-apiserver (token auth, RBAC, --allow-privileged=true, audit log, serving
#       certificates made with openssl), waits until /readyz answers, creates each namespace with its
#       `default` ServiceAccount and the tenant's Role there, and prints the admin kubeconfig's path
#       (the last line of stdout). DIR defaults to a new /tmp/bulkhead-kube.XXXXXX.
#   tests/e2e/lab.sh env DIR        shell `export` lines: KUBECONFIG (admin), LAB_DIR, LAB_SERVER,
#                                   LAB_TENANT_KUBECONFIG, LAB_ADMIN_TOKEN, LAB_TENANT_TOKEN, LAB_AUDIT_LOG, LAB_CA
#   tests/e2e/lab.sh namespace DIR NAME...   creates namespaces (+ default ServiceAccount, tenant Role)
#   tests/e2e/lab.sh stop DIR [--keep]       stops both processes, removes DIR (kept with --keep)
#   tests/e2e/lab.sh status DIR              exit 0 when the API server answers /readyz
#
# Users (static token file DIR/tokens.csv): `admin` in group system:masters, and `tenant` in group
# `tenants`, who may do what a namespace editor does with pods and workloads (and kubectl debug) in each
# namespace the lab created, nothing cluster-wide. Kubeconfigs: DIR/admin.kubeconfig, DIR/tenant.kubeconfig.
# Audit: DIR/audit.log (JSON lines, audit.k8s.io/v1) with tests/e2e/audit-policy.yaml unless --audit-policy;
# --audit-webhook-config FILE adds the webhook backend (batch mode). Ports are picked free on 127.0.0.1.
# Exit codes: 0 ok, 2 usage, 3 a prerequisite is missing (etcd, Go/kube-apiserver, openssl), 1 failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# loopback only; a proxy in the environment would take the webhook and kubectl traffic elsewhere
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

die() { echo "lab.sh: $*" >&2; exit 1; }
# daemon CMD...: CMD in its own session with every descriptor above 2 closed (an inherited pipe, such as a
# test runner's stdout, would otherwise stay open as long as the lab runs); $! is its pid
daemon() {
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec setsid "$@"
	) &
}
missing() { echo "lab.sh: $*" >&2; exit 3; }

# free_port: a TCP port nothing listens on (the range below the kernel's ephemeral range)
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 12000))
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

kubeconfig() { # FILE USER TOKEN
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $dir/pki/ca.crt
users:
- name: $2
  user:
    token: $3
contexts:
- name: $2@lab
  context: {cluster: lab, user: $2}
current-context: $2@lab
EOF
	chmod 0600 "$1"
}

make_pki() {
	mkdir -p "$dir/pki"
	local k=$dir/pki
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 30 \
		-subj "/CN=bulkhead lab CA" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$k/ca.key" -out "$k/ca.crt" 2>/dev/null
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -subj "/CN=kube-apiserver" \
		-keyout "$k/apiserver.key" -out "$k/apiserver.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >"$k/apiserver.ext"
	openssl x509 -req -in "$k/apiserver.csr" -CA "$k/ca.crt" -CAkey "$k/ca.key" -CAcreateserial -sha256 \
		-days 30 -extfile "$k/apiserver.ext" -out "$k/apiserver.crt" 2>/dev/null
	# service-account token signing key pair (the API server refuses to start without one)
	openssl ecparam -name prime256v1 -genkey -noout -out "$k/sa.key" 2>/dev/null
	openssl ec -in "$k/sa.key" -pubout -out "$k/sa.pub" 2>/dev/null
}

start_etcd() {
	local cport pport
	cport=$(free_port) && pport=$(free_port) || die "no free port"
	echo "$cport" >"$dir/etcd.port"
	daemon etcd --name lab --data-dir "$dir/etcd" \
		--listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
		--listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
		--initial-cluster "lab=http://127.0.0.1:$pport" --initial-cluster-state new \
		--quota-backend-bytes 1073741824 --log-level warn \
		</dev/null >"$dir/etcd.log" 2>&1
	echo $! >"$dir/etcd.pid"
	for _ in $(seq 100); do
		curl -sf --max-time 1 "http://127.0.0.1:$cport/health" >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$dir/etcd.pid")" 2>/dev/null || break
		sleep 0.2
	done
	tail -n 20 "$dir/etcd.log" >&2
	die "etcd did not start (log: $dir/etcd.log)"
}

start_apiserver() {
	local bin=$1
	shift
	daemon "$bin" \
		--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port" \
		--etcd-servers="http://127.0.0.1:$(cat "$dir/etcd.port")" \
		--tls-cert-file="$dir/pki/apiserver.crt" --tls-private-key-file="$dir/pki/apiserver.key" \
		--client-ca-file="$dir/pki/ca.crt" \
		--token-auth-file="$dir/tokens.csv" --anonymous-auth=false \
		--authorization-mode=RBAC \
		--allow-privileged=true \
		--service-account-issuer=https://kubernetes.default.svc \
		--service-account-key-file="$dir/pki/sa.pub" --service-account-signing-key-file="$dir/pki/sa.key" \
		--api-audiences=https://kubernetes.default.svc \
		--service-cluster-ip-range=10.96.0.0/24 \
		--audit-policy-file="$audit_policy" --audit-log-path="$dir/audit.log" --audit-log-format=json \
		--audit-log-maxsize=200 --audit-log-maxbackup=1 \
		--profiling=false --enable-priority-and-fairness=false \
		--storage-media-type=application/json \
		"$@" </dev/null >"$dir/apiserver.log" 2>&1
	echo $! >"$dir/apiserver.pid"
}

wait_ready() {
	local i t0=$SECONDS
	for i in $(seq 600); do
		if curl -sf --max-time 2 --cacert "$dir/pki/ca.crt" -H "Authorization: Bearer $(admin_token)" \
			"https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
			echo "lab.sh: kube-apiserver ready after $((SECONDS - t0)) s" >&2
			return 0
		fi
		kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null || break
		sleep 0.2
	done
	tail -n 30 "$dir/apiserver.log" >&2
	die "kube-apiserver did not become ready (log: $dir/apiserver.log)"
}

admin_token() { cut -d, -f1 "$dir/tokens.csv" | head -n 1; }
tenant_token() { sed -n 2p "$dir/tokens.csv" | cut -d, -f1; }

# add_namespaces [--no-tenant] NAME...: namespace, its default ServiceAccount (no controller-manager makes
# it), and (unless --no-tenant) the tenant's Role + RoleBinding
add_namespaces() {
	local ns tenant=1
	[ "${1:-}" = --no-tenant ] && { tenant=0; shift; }
	for ns in "$@"; do
		KUBECONFIG=$dir/admin.kubeconfig kubectl get namespace "$ns" >/dev/null 2>&1 ||
			KUBECONFIG=$dir/admin.kubeconfig kubectl create namespace "$ns" >/dev/null
		KUBECONFIG=$dir/admin.kubeconfig kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: $ns}
EOF
		[ "$tenant" = 1 ] || continue
		KUBECONFIG=$dir/admin.kubeconfig kubectl apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: tenant, namespace: $ns}
rules:
- apiGroups: [""]
  resources: [pods, pods/ephemeralcontainers, pods/exec, pods/attach, pods/log, podtemplates,
              replicationcontrollers, configmaps, services, serviceaccounts, events]
  verbs: ["*"]
- apiGroups: [apps]
  resources: [deployments, replicasets, statefulsets, daemonsets]
  verbs: ["*"]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: tenant, namespace: $ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: tenant}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: tenants}
EOF
	done
}

cmd_start() {
	local namespaces="team" extra=() audit_webhook= admission_config=
	audit_policy=$here/audit-policy.yaml dir=
	while [ $# -gt 0 ]; do
		case $1 in
		--dir) dir=$2; shift 2 ;;
		--namespaces) namespaces=$2; shift 2 ;;
		--audit-policy) audit_policy=$2; shift 2 ;;
		--audit-webhook-config) audit_webhook=$2; shift 2 ;;
		--admission-config) admission_config=$2; shift 2 ;;
		--apiserver-arg) extra+=("$2"); shift 2 ;;
		*) echo "lab.sh start: unknown argument $1" >&2; exit 2 ;;
		esac
	done
	command -v etcd >/dev/null || missing "etcd is not installed (Debian package etcd-server)"
	command -v openssl >/dev/null || missing "openssl is not installed"
	local bin kubectl_bin
	bin=${KUBE_APISERVER:-$("$here/build-kube.sh" apiserver)} || missing "no kube-apiserver (tests/e2e/build-kube.sh needs Go)"
	kubectl_bin=$("$here/build-kube.sh" kubectl) || missing "no kubectl"
	export PATH="$(dirname "$kubectl_bin"):$PATH"
	if [ -z "$dir" ]; then dir=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-kube.XXXXXX"); else mkdir -p "$dir"; fi
	dir=$(cd "$dir" && pwd)
	chmod 0700 "$dir"
	[ -n "$audit_webhook" ] && extra+=("--audit-webhook-config-file=$audit_webhook" "--audit-webhook-mode=batch" \
		"--audit-webhook-batch-max-wait=1s")
	[ -n "$admission_config" ] && extra+=("--admission-control-config-file=$admission_config")
	make_pki
	printf '%s,admin,uid-admin,"system:masters"\n%s,tenant,uid-tenant,"tenants"\n' \
		"$(openssl rand -hex 24)" "$(openssl rand -hex 24)" >"$dir/tokens.csv"
	chmod 0600 "$dir/tokens.csv"
	start_etcd
	local try
	for try in 1 2 3; do
		port=$(free_port) || die "no free port"
		start_apiserver "$bin" "${extra[@]+"${extra[@]}"}"
		sleep 0.5
		# a port taken between the check and the bind: pick another one
		if ! kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null && grep -q 'address already in use' "$dir/apiserver.log"; then
			continue
		fi
		break
	done
	echo "$port" >"$dir/apiserver.port"
	echo "$kubectl_bin" >"$dir/kubectl.path"
	kubeconfig "$dir/admin.kubeconfig" admin "$(admin_token)"
	kubeconfig "$dir/tenant.kubeconfig" tenant "$(tenant_token)"
	wait_ready
	# the bootstrap RBAC and the default namespace come from post-start hooks: wait for the namespace
	for _ in $(seq 100); do
		KUBECONFIG=$dir/admin.kubeconfig kubectl get serviceaccounts -n default >/dev/null 2>&1 && break
		sleep 0.2
	done
	add_namespaces --no-tenant default kube-system
	# shellcheck disable=SC2086
	add_namespaces $namespaces
	echo "$dir/admin.kubeconfig"
}

load() {
	dir=$(cd "${1:?lab.sh: DIR missing}" && pwd) || exit 2
	[ -f "$dir/apiserver.port" ] || die "$dir is not a lab directory"
	port=$(cat "$dir/apiserver.port")
	export PATH="$(dirname "$(cat "$dir/kubectl.path")"):$PATH"
}

stop_pid() { # PIDFILE: TERM, wait up to 10 s, then KILL
	local pid
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	kill -TERM "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$1"
}

cmd=${1:-}
shift || true
case $cmd in
start) cmd_start "$@" ;;
env)
	load "${1:-}"
	cat <<EOF
export KUBECONFIG=$dir/admin.kubeconfig
export LAB_DIR=$dir
export LAB_SERVER=https://127.0.0.1:$port
export LAB_CA=$dir/pki/ca.crt
export LAB_TENANT_KUBECONFIG=$dir/tenant.kubeconfig
export LAB_ADMIN_TOKEN=$(admin_token)
export LAB_TENANT_TOKEN=$(tenant_token)
export LAB_AUDIT_LOG=$dir/audit.log
export PATH=$(dirname "$(cat "$dir/kubectl.path")"):\$PATH
EOF
	;;
namespace)
	load "${1:-}"
	shift
	add_namespaces "$@"
	;;
status)
	load "${1:-}"
	curl -sf --max-time 2 --cacert "$dir/pki/ca.crt" -H "Authorization: Bearer $(admin_token)" \
		"https://127.0.0.1:$port/readyz" >/dev/null
	;;
stop)
	d=${1:?lab.sh stop: DIR missing}
	[ -d "$d" ] || exit 0
	stop_pid "$d/apiserver.pid"
	stop_pid "$d/etcd.pid"
	[ "${2:-}" = --keep ] || rm -rf "$d"
	;;
*)
	sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
