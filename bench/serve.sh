#!/usr/bin/env bash
# bulkhead serve under wrk over TLS keep-alive on loopback (DESIGN §10: >= 10,000 reviews/s on 2 cores,
# p99 <= 2 ms at half that load, flat memory). A realistic mix of AdmissionReviews (bench/serve.lua):
# hardened pods allowed, privileged Deployments denied, pods with warnings, ReplicaSets from controllers,
# metadata-only updates, a CronJob.
#   1. saturation: wrk -c CONNS for SECONDS → requests/s
#   2. half that rate, paced per connection → p50 / p99 / p99.9
#   3. 60 s sustained at saturation → server RSS before and after
# Usage: bench/serve.sh [SECONDS (default 20)]; env THREADS (server, default nproc), CONNS (default 32),
# SUSTAIN (default 60). Client and server share this machine's cores: the figures are a lower bound.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
conns=${CONNS:-32}
sustain=${SUSTAIN:-60}
threads=${THREADS:-$(nproc)}
for t in wrk jq openssl curl; do command -v $t >/dev/null || { echo "bench/serve.sh: $t is required" >&2; exit 2; }; done
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/bulkhead" >/dev/null
TOP=$PWD BH=$PWD/$BUILD/bulkhead
. tests/lib.sh
. tests/serve/lib-serve.sh
export LC_ALL=C
certs "$W/certs"
mk allow Pod spec-hardened
mk deny Deployment spec-privileged
mk warn Pod spec-warn
mk rs ReplicaSet spec-hardened CREATE '.userInfo.username = "system:serviceaccount:kube-system:replicaset-controller"'
mk meta Pod spec-hardened UPDATE '.oldObject = .object | .object.metadata.labels.rev = "2"'
mk cron CronJob spec-warn
# weights: 4 allowed pods, 2 denied deployments, 2 warned pods, 1 ReplicaSet, 1 metadata update, 1 CronJob
{ for _ in 1 2 3 4; do echo "$W/allow.json"; done; echo "$W/deny.json"; echo "$W/deny.json"
  echo "$W/warn.json"; echo "$W/warn.json"; echo "$W/rs.json"; echo "$W/meta.json"; echo "$W/cron.json"; } >"$W/bodies"
bytes=$(xargs cat <"$W/bodies" | wc -c)
start_server --threads "$threads" --max-connections 4096 >/dev/null || { echo "server did not start" >&2; exit 1; }
url="https://127.0.0.1:$PORT"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
run() { # SECONDS RATE → "key value" lines
	BH_BODIES="$W/bodies" BH_RATE=$2 BH_CONNS=$conns wrk -t2 -c"$conns" -d"$1"s --timeout 5s -s bench/serve.lua "$url" |
		sed -n '/^requests /,$p'
}
get() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -r), $(date -u +%F)"
echo "server: $threads threads; client: wrk -t2 -c$conns on the same cores; mix of 11 reviews, mean $((bytes / 11)) bytes"
run 3 0 >/dev/null # warm-up: TLS sessions, arenas
rss0=$(rss)
run "$secs" 0 >"$W/sat"
rps=$(get rps "$W/sat")
echo "saturation (${secs}s): $rps req/s, non-2xx $(get non2xx "$W/sat"), socket errors $(get socket_errors "$W/sat")"
half=$((rps / 2))
hist() { curl -sS --cacert "$W/certs/ca.crt" "$url/metrics" | sed -n 's/^bulkhead_admission_duration_seconds_bucket{le="\([^"]*\)"} /\1 /p'; }
hist >"$W/h0"
run "$secs" "$half" >"$W/half"
hist >"$W/h1"
# server-side time (first byte to answer queued) at half rate: the histogram bucket each percentile falls in
server_pct=$(paste "$W/h0" "$W/h1" | awk '{le[NR]=$1; c[NR]=$4-$2} END {n=c[NR]; split("50 99 99.9", ps, " ");
	for (k=1; k<=3; k++) {for (i=1; i<=NR; i++) if (c[i] >= n*ps[k]/100) break; printf "p%s <= %s s  ", ps[k], le[i]}}')
printf 'half rate (%s req/s target, %s achieved): p50 %s us, p90 %s us, p99 %s us, p99.9 %s us, max %s us\n' \
	"$half" "$(get rps "$W/half")" "$(get p50_us "$W/half")" "$(get p90_us "$W/half")" "$(get p99_us "$W/half")" \
	"$(get p99.9_us "$W/half")" "$(get max_us "$W/half")"
echo "  server-side at half rate: $server_pct"
before=$(rss)
run "$sustain" 0 >"$W/sus"
after=$(rss)
echo "sustained ${sustain}s at saturation: $(get rps "$W/sus") req/s; server RSS: $((rss0 / 1024)) MiB at start, $((before / 1024)) MiB before, $((after / 1024)) MiB after ($((after - before)) KiB)"
curl -sS --cacert "$W/certs/ca.crt" "$url/metrics" | grep -E '^bulkhead_admission_decisions_total|^bulkhead_errors_total' | tr '\n' ' '
echo
stop_server
