#!/usr/bin/env bash
# Image signature verification latency at admission (issue 19, item 5): `bulkhead serve` with
# serve.verifyImages against Debian's docker-registry on 127.0.0.1 over TLS, N distinct signed images
# (built from busybox-static, ECDSA P-256 signatures made here).
#   cold:     each image's first review (cache miss: tag → digest, signature manifest, payload, verify)
#   warm:     the same reviews again, ROUNDS times (tag → digest and verdict from the cache)
#   baseline: the same pod with an image of a repository without keys (no verification at all)
# All reviews go over one TLS keep-alive connection (curl --next), so the figures are the webhook's answer
# time as curl measures it (time_total), without the client's handshake. Median and p99 per set, and the
# verifier's counters from /metrics.
# Usage: bench/verify.sh [N (default 100)]; env ROUNDS (default 5). The machine is shared: figures vary.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
ROUNDS=${ROUNDS:-5}
REG=$(command -v docker-registry || true)
BB=$(command -v busybox || echo /bin/busybox)
for t in curl openssl jq "$REG"; do command -v "$t" >/dev/null || { echo "bench/verify.sh: docker-registry, curl, openssl and jq are required" >&2; exit 2; }; done
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/bulkhead" >/dev/null
BH=$PWD/$BUILD/bulkhead
T=$(mktemp -d /tmp/bulkhead-bench-verify.XXXXXX) store_PID= SPID=
trap 'for p in $store_PID $SPID; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export LC_ALL=C
. tests/image/lib.sh
. tests/image/reglib.sh
reg_certs
reg_start store || { echo "bench/verify.sh: docker-registry did not start" >&2; exit 2; }
H=127.0.0.1:$P
sig_keys
mkdir -p $T/m/app; cp "$BB" $T/m/app/server; mktar $T/m $T/m.tgz gzip
for i in $(seq "$N"); do
	d=$(variant "v$i" $((20000 + i)) $T/m.tgz test/bench)
	payload "$d" $T/p test/bench
	put_sig "$d" $T/p "$(sign_ec $T/k1.pem $T/p)" test/bench
	rm -rf $T/v-v$i
done
variant plain 10001 $T/m.tgz test/plain >/dev/null

"$PWD/deploy/gen-certs.sh" --out $T/certs --ip 127.0.0.1 --dns localhost >/dev/null
cat >$T/config.yaml <<EOC
imageSignatures:
  - repository: "127.0.0.1:*/test/bench"
    keys: [$T/k1.pub]
serve:
  verifyImages: true
  imageVerifyTimeoutMs: 800
EOC
"$BH" serve --tls-cert $T/certs/tls.crt --tls-key $T/certs/tls.key --listen 127.0.0.1:0 --port-file $T/port \
	--config $T/config.yaml --registry-ca $T/ca.crt --log-level error 2>$T/serve.log & SPID=$!
for _ in $(seq 200); do [ -s $T/port ] && break; sleep 0.05; done
URL=https://127.0.0.1:$(cat $T/port)

review() { # NAME IMAGE
	printf '{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u-%s", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "resource": {"group": "", "version": "v1", "resource": "pods"}, "namespace": "team", "name": "%s", "operation": "CREATE", "userInfo": {"username": "alice"}, "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "namespace": "team"}, "spec": {"securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "app", "image": "%s", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}}}}' \
		"$1" "$1" "$1" "$2" >$T/r-$1.json
}
for i in $(seq "$N"); do review "v$i" "$H/test/bench:v$i"; done
review plain "$H/test/plain:plain"

run() { # FILE… : one keep-alive connection, one time_total per review (ms)
	local args=() f first=1
	for f in "$@"; do
		[ $first = 1 ] || args+=(--next)
		first=0
		args+=(--cacert $T/certs/ca.crt -H 'Content-Type: application/json' --data-binary @"$f" -o /dev/null -w '%{time_total}\n' "$URL/validate")
	done
	curl -sS "${args[@]}" | awk '{printf "%.3f\n", $1 * 1000}'
}
stats() { # LABEL: times on stdin
	sort -n | awk -v l="$1" '{v[NR] = $1} END {p = int(NR * 0.99 + 0.999); if (p > NR) p = NR;
		printf "%-32s n=%-5d median %8.2f ms   p99 %8.2f ms   max %8.2f ms\n", l, NR, v[int((NR + 1) / 2)], v[p], v[NR]}'
}
metric() { curl -sS --cacert $T/certs/ca.crt "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

echo "# $N signed images in 127.0.0.1 docker-registry (TLS), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
files=(); for i in $(seq "$N"); do files+=($T/r-v$i.json); done
plain=(); for _ in $(seq "$N"); do plain+=($T/r-plain.json); done
run "${plain[@]}" | stats "baseline (no policy)"
run "${files[@]}" >$T/cold
stats "cold (cache miss)" <$T/cold
: >$T/warm
for _ in $(seq "$ROUNDS"); do run "${files[@]}" >>$T/warm; done
stats "warm (cache hit)" <$T/warm
allowed=$(curl -sS --cacert $T/certs/ca.crt -H 'Content-Type: application/json' --data-binary @$T/r-v1.json "$URL/validate" | jq -r .response.allowed)
echo "verifier: requests $(metric bulkhead_image_verify_requests_total), hits $(metric bulkhead_image_verify_cache_hits_total), misses $(metric bulkhead_image_verify_cache_misses_total), verifications $(metric bulkhead_image_verify_verifications_total), timeouts $(metric bulkhead_image_verify_timeouts_total), errors $(metric bulkhead_image_verify_errors_total); a signed image allowed: $allowed"
