#!/usr/bin/env bash
# bulkhead audit throughput (target: >= 200,000 events/s on one core for typical 1-5 KB events).
#   1. file: N synthetic events (bench/audit-gen.awk: a busy API server's mix, ~2.5 KB each, 1 % pod
#      creations that the rules decode) from a file, pinned to one core (taskset -c 0); with the fast path
#      and with --no-fast-path (every event decoded); best of 3 by wall time, and events per CPU-second
#   2. webhook: the same events as EventList batches of BATCH items (the webhook backend's default is 400;
#      items without kind/apiVersion as the API server sends them) POSTed over one TLS keep-alive connection
#      by curl (pinned to core 1) to `bulkhead audit --listen` pinned to core 0; events/s by wall time and
#      per CPU-second of the listener
# Usage: bench/audit.sh [N (default 200000)]; env BATCH (default 400). The machine is shared: wall times
# vary with load, CPU seconds less so.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
BATCH=${BATCH:-400}
for t in curl openssl taskset awk; do command -v $t >/dev/null || { echo "bench/audit.sh: $t is required" >&2; exit 2; }; done
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/bulkhead" >/dev/null
BH=$PWD/$BUILD/bulkhead
W=$(mktemp -d /tmp/bulkhead-bench-audit.XXXXXX) PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
export LC_ALL=C
awk -v N="$N" -f bench/audit-gen.awk >"$W/audit.log"
bytes=$(stat -c %s "$W/audit.log")
echo "# $N events, $bytes bytes ($((bytes / N)) bytes/event), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
run_file() { # label [args]
	local label=$1 best= cpu= i t
	shift
	for i in 1 2 3; do
		t=$( { /usr/bin/time -f '%e %U %S %M' taskset -c 0 "$BH" audit --format jsonl "$@" "$W/audit.log" >/dev/null; } 2>&1 | tail -1)
		read -r wall user sys rss <<<"$t"
		if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a < b)}'; then best=$wall; cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}'); mem=$rss; fi
	done
	printf 'file %-14s %8.2f s wall  %10.0f events/s  | %6.2f s CPU  %10.0f events/CPU-s | peak RSS %d MB\n' "$label" \
		"$best" "$(awk -v n="$N" -v t="$best" 'BEGIN{print n / t}')" "$cpu" "$(awk -v n="$N" -v t="$cpu" 'BEGIN{print n / (t > 0 ? t : 0.001)}')" $((mem / 1024))
}
run_file "fast path"
run_file "no fast path" --no-fast-path

# ---- webhook ----
deploy/gen-certs.sh --out "$W/certs" --ip 127.0.0.1 >/dev/null 2>&1
sed 's/^{"kind":"Event","apiVersion":"audit.k8s.io\/v1",/{/' "$W/audit.log" |
	awk -v B="$BATCH" -v D="$W" '
	function flush() { if (n) { printf "]}" > f; close(f) }; n = 0 }
	{ if (n == 0) { f = sprintf("%s/b%06d.json", D, ++k); printf "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":[" > f }
	  printf "%s%s", (n ? "," : ""), $0 > f; if (++n == B) flush() }
	END { flush() }'
nb=$(ls "$W"/b*.json | wc -l)
: >"$W/curl.cfg"
for f in "$W"/b*.json; do
	[ -s "$W/curl.cfg" ] && echo next >>"$W/curl.cfg"
	# options end at "next": every transfer names its own
	printf 'url = "https://127.0.0.1:PORT/audit"\ndata-binary = "@%s"\noutput = "/dev/null"\nheader = "Content-Type: application/json"\ncacert = "%s"\nwrite-out = "%%{http_code}\\n"\nsilent\n' \
		"$f" "$W/certs/ca.crt" >>"$W/curl.cfg"
done
webhook() { # label [args]
	local label=$1
	shift
	taskset -c 0 "$BH" audit --listen 127.0.0.1:0 --tls-cert "$W/certs/tls.crt" --tls-key "$W/certs/tls.key" --stats "$@" \
		>"$W/alerts" 2>"$W/err" &
	PID=$!
	local port=
	for _ in $(seq 100); do port=$(grep -o 'port [0-9]*' "$W/err" 2>/dev/null | awk '{print $2}' || true); [ -n "$port" ] && break; sleep 0.05; done
	sed "s/PORT/$port/" "$W/curl.cfg" >"$W/curl.run"
	local c0 t0 t1 c1 codes
	c0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
	t0=$(date +%s.%N)
	codes=$( (taskset -c 1 curl -K "$W/curl.run" || true) | sort | uniq -c | awk '{printf "%s x%s ", $2, $1}')
	t1=$(date +%s.%N)
	c1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
	local rss
	rss=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
	kill -TERM "$PID"; wait "$PID" || true; PID=
	local wall cpu
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')
	cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN{print (b - a) / hz}')
	printf 'webhook %-11s %8.2f s wall  %10.0f events/s  | %6.2f s CPU  %10.0f events/CPU-s | peak RSS %d MB | %d batches of %d: HTTP %s\n' \
		"$label" "$wall" "$(awk -v n="$N" -v t="$wall" 'BEGIN{print n / t}')" "$cpu" \
		"$(awk -v n="$N" -v t="$cpu" 'BEGIN{print n / (t > 0 ? t : 0.01)}')" $((rss / 1024)) "$nb" "$BATCH" "$codes"
	grep '^bulkhead audit:' "$W/err" || true
}
webhook "fast path"
webhook "no fast path" --no-fast-path
