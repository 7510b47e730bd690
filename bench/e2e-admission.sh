#!/usr/bin/env bash
# Admission latency as a client of a real kube-apiserver sees it (tests/e2e/lab.sh), with and without
# bulkhead serve registered as its validating webhook (url:, failurePolicy Fail, loopback).
#   REST: N sequential `POST /api/v1/namespaces/team/pods?dryRun=All` on one keep-alive connection (curl),
#         as the tenant user: a hardened pod (allowed) and a privileged pod (denied by the webhook)
#   kubectl: K `kubectl create --dry-run=server` (process start included)
# Prints median and p99 per case, and bulkhead's own mean decision time from its metrics.
# Usage: bench/e2e-admission.sh [N (default 500)] [K (default 20)]. Needs what tests/e2e needs (etcd, a
# built kube-apiserver: tests/e2e/build-kube.sh). Client, API server, etcd and webhook share the cores.
set -uo pipefail # not -e: the helpers of tests/e2e/lib-e2e.sh test exit codes themselves
cd "$(dirname "$0")/.."
n=${1:-500}
k=${2:-20}
BUILD=${BUILD:-build}
make -s "$BUILD/bulkhead" >/dev/null
TOP=$PWD BH=$PWD/$BUILD/bulkhead
. tests/lib.sh
. tests/e2e/lib-e2e.sh
export LC_ALL=C
KUBE_APISERVER=$(tests/e2e/build-kube.sh --check apiserver) ||
	{ echo "bench/e2e-admission.sh: kube-apiserver not built (tests/e2e/build-kube.sh)" >&2; exit 2; }
export KUBE_APISERVER
e2e_lab --namespaces team
serve_certs
printf 'apiVersion: bulkhead.io/v1\nkind: Config\n' >"$W/config.yaml"
start_serve
M=tests/e2e/manifests
to_json "$M/hardened.yaml" >"$W/allow.json"
to_json "$M/privileged.yaml" >"$W/deny.json"

# stats FILE: "median p99" in ms of one number (seconds) per line
stats() { sort -g "$1" | awk '{v[NR] = $1} END {m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.99 + 0.999)];
	printf "%.2f %.2f", m * 1000, p * 1000}'; }

rest() { # JSON OUT: N timed creates on one connection
	local urls=() i
	for i in $(seq "$n"); do urls+=(-o /dev/null "$LAB_SERVER/api/v1/namespaces/team/pods?dryRun=All"); done
	curl -s --cacert "$LAB_CA" -H "Authorization: Bearer $LAB_TENANT_TOKEN" -H 'Content-Type: application/json' \
		--data-binary @"$1" -w '%{http_code} %{time_total}\n' "${urls[@]}" >"$W/raw"
	awk '{print $2}' "$W/raw" >"$2"
	awk '{print $1}' "$W/raw" | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}'
}
kubectl_runs() { # FILE OUT
	local i t0 t1
	: >"$2"
	for i in $(seq "$k"); do
		t0=$(date +%s%N)
		KT create --dry-run=server -f "$1" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		echo "$(( t1 - t0 ))e-9" | awk '{printf "%.6f\n", $1}' >>"$2"
	done
}

row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$(stats "$3" | cut -d' ' -f1)" "$(stats "$3" | cut -d' ' -f2)"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| case | answers | median ms | p99 ms |"
echo "|---|---|---|---|"
rest "$W/allow.json" "$W/t1" >/dev/null # warm-up
c=$(rest "$W/allow.json" "$W/t1"); row "REST, no webhook, hardened pod" "$c" "$W/t1"
c=$(rest "$W/deny.json" "$W/t2"); row "REST, no webhook, privileged pod" "$c" "$W/t2"
kubectl_runs "$W/allow.json" "$W/t3"; row "kubectl, no webhook, hardened pod" "$k runs" "$W/t3"
register Fail 5
wait_webhook
before_n=$(serve_metric bulkhead_admission_duration_seconds_count)
before_s=$(serve_metric bulkhead_admission_duration_seconds_sum)
c=$(rest "$W/allow.json" "$W/t4"); row "REST, webhook, hardened pod (allowed)" "$c" "$W/t4"
c=$(rest "$W/deny.json" "$W/t5"); row "REST, webhook, privileged pod (denied)" "$c" "$W/t5"
kubectl_runs "$W/allow.json" "$W/t6"; row "kubectl, webhook, hardened pod" "$k runs" "$W/t6"
after_n=$(serve_metric bulkhead_admission_duration_seconds_count)
after_s=$(serve_metric bulkhead_admission_duration_seconds_sum)
awk -v n1="$before_n" -v n2="$after_n" -v s1="$before_s" -v s2="$after_s" 'BEGIN {
	if (n2 > n1) printf "bulkhead serve: %d reviews, mean decision %.3f ms (its own histogram)\n", n2 - n1, (s2 - s1) / (n2 - n1) * 1000 }'
echo "webhook cost (median, REST): hardened +$(awk -v a="$(stats "$W/t1" | cut -d' ' -f1)" -v b="$(stats "$W/t4" | cut -d' ' -f1)" 'BEGIN {printf "%.2f", b - a}') ms"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
unregister
