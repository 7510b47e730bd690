#!/usr/bin/env bash
# Connection floods against bulkhead serve on loopback, bounded: 1,000 TLS slowloris connections (one
# header byte every 3 s), 1,100 connections trickling their TLS ClientHello, 1,100 idle TCP connections
# (more than the 1,024 connections the server takes by default).
# Meanwhile /healthz and /validate are probed from another loopback address every 0.5 s: every probe must
# be answered, and the latencies measured are printed. Attackers come from 127.0.0.2 (a pod's address);
# the probes, like the API server, from 127.0.0.1. Then 4 clients post the worst-case pod back to back.
# FLOOD_SECONDS (default 15) bounds each wave.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/serve/lib-serve.sh"
need_tools python3
export LC_ALL=C
secs=${FLOOD_SECONDS:-15}
if ! python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2", 0))' 2>/dev/null; then
	skip "cannot bind 127.0.0.2: flood tests skipped"
	finish
	exit $?
fi
[ "$(ulimit -n)" -ge 4096 ] || ulimit -n 8192 2>/dev/null || true
certs "$W/certs"
mk allow Pod spec-hardened
mk deny Pod spec-privileged
check "server starts (defaults: 1024 connections, header timeout, per-client limit)" start_server

# probe SECONDS → lines "healthz MS" / "validate MS" / "fail WHAT" in $W/probe
probe() {
	local until=$(($(date +%s) + $1))
	: >"$W/probe"
	while [ "$(date +%s)" -lt "$until" ]; do
		t=$(CURL --max-time 5 -o /dev/null -w '%{http_code} %{time_total}' "$(URL /healthz)" 2>/dev/null)
		[ "${t%% *}" = 200 ] && echo "healthz ${t#* }" >>"$W/probe" || echo "fail healthz ($t)" >>"$W/probe"
		t=$(CURL --max-time 5 -H 'Content-Type: application/json' --data-binary @"$W/deny.json" -o "$W/pbody" \
			-w '%{http_code} %{time_total}' "$(URL /validate)" 2>/dev/null)
		if [ "${t%% *}" = 200 ] && jq -e '.response.allowed == false' "$W/pbody" >/dev/null 2>&1; then
			echo "validate ${t#* }" >>"$W/probe"
		else
			echo "fail validate ($t)" >>"$W/probe"
		fi
		sleep 0.5
	done
}
# summary NAME: prints "NAME: n probes, p50 X ms, max Y ms" per path and returns 1 if a probe failed
summary() {
	local p n v
	for p in healthz validate; do
		v=$(awk -v p="$p" '$1 == p {printf "%.1f\n", $2 * 1000}' "$W/probe" | sort -n)
		n=$(echo "$v" | grep -c .)
		if [ "$n" = 0 ]; then
			echo "$1: /$p never answered"
		else
			echo "$1: /$p $n probes answered, p50 $(echo "$v" | sed -n "$(((n + 1) / 2))p") ms, max $(echo "$v" | tail -n 1) ms"
		fi
	done
	echo "$1: failed probes: $(grep -c '^fail' "$W/probe")"
}

wave() { # NAME MODE CONNS INTERVAL
	python3 "$TOP/tests/serve/slowloris.py" "$PORT" "$2" "$3" "$secs" "$4" 127.0.0.2 >"$W/atk.$1" &
	local atk=$!
	sleep 5 # let the flood build up
	probe $((secs - 7))
	wait "$atk"
	summary "$1" | tee "$W/sum.$1"
	echo "$1: attacker $(cat "$W/atk.$1")"
	! grep -q 'failed probes: [1-9]' "$W/sum.$1"
}
check "1,000 TLS slowloris connections (a header byte every 3 s): every probe answered" wave slowloris tls 1000 3
check "1,100 connections trickling the TLS ClientHello: every probe answered" wave handshake hs 1100 3
check "1,100 idle TCP connections: every probe answered" wave idle idle 1100 3
# 4 clients posting the worst-case pod (2.2 MB, 1,400 containers x 5,000 hostPath volumes) back to back
python3 "$TOP/tests/serve/attack_payloads.py" slow-shape >"$W/slow.json"
heavy() { # SECONDS: 4 parallel loops; the count of answers lands in $W/heavy.N
	local until=$(($(date +%s) + $1)) i
	for i in 1 2 3 4; do
		(n=0; while [ "$(date +%s)" -lt "$until" ]; do
			CURL --max-time 10 -H 'Content-Type: application/json' --data-binary @"$W/slow.json" -o /dev/null \
				-w '%{time_total}\n' --interface 127.0.0.2 "$(URL /validate)" >>"$W/heavy.$i" 2>/dev/null
		done) &
	done
	wait
}
heavy_wave() {
	heavy "$secs" &
	local h=$!
	sleep 3
	probe $((secs - 5))
	wait "$h"
	summary "4 parallel worst-case pods" | tee "$W/sum.heavy"
	sort -n "$W"/heavy.* | awk '{v[NR] = $1 * 1000} END {printf "4 parallel worst-case pods: %d answered, p50 %.0f ms, max %.0f ms each\n", NR, v[int((NR + 1) / 2)], v[NR]}'
	! grep -q 'failed probes: [1-9]' "$W/sum.heavy"
}
check "4 parallel worst-case pods back to back: every probe answered" heavy_wave
check "slow connections were cut by the deadlines or the per-client limit (counted)" \
	test "$(metric 'bulkhead_connections_cut_total{phase="headers"}')" -ge 10
check "server still answers" test "$(CURL "$(URL /healthz)")" = ok
check "server stops cleanly" stop_server

# the same without the per-client limit: the attacker has as many addresses as it likes, so the header
# deadline and the reserve alone must keep the server answering
check "server starts with the per-client limit lifted (header deadline 5 s)" start_server --max-connections-per-client 65536 --header-timeout 5
check "1,000 TLS slowloris connections, no per-client limit: every probe answered" wave slowloris-nolimit tls 1000 3
check "1,100 connections trickling the TLS ClientHello, no per-client limit: every probe answered" wave handshake-nolimit hs 1100 3
check "1,100 idle TCP connections, no per-client limit: every probe answered" wave idle-nolimit idle 1100 3
check "slow connections were cut by the header deadline" test "$(metric 'bulkhead_connections_cut_total{phase="headers"}')" -ge 100
check "idle and slow connections were evicted to keep the reserve free" test "$(metric 'bulkhead_connections_evicted_total')" -ge 100
check "server stops cleanly" stop_server
finish
