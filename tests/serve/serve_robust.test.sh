#!/usr/bin/env bash
# bulkhead serve under stress of the connection kind, with openssl s_client as a raw TLS client: slow and
# stalled clients, certificate reload under a live keep-alive connection, SIGTERM with a request in flight.
# Each step is bounded by timeouts of a few seconds.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/serve/lib-serve.sh"
need_tools timeout
export LC_ALL=C
certs "$W/certs"
mk allow Pod spec-hardened
mk deny Pod spec-privileged

# ---- slow clients: stalled and trickling bodies are cut off; other clients are served meanwhile ----
check "server starts (idle timeout 2 s, read timeout 2 s)" start_server --idle-timeout 2 --read-timeout 2
head_only() { printf 'POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"apiVersion": '; }
# stalled: headers and a bit of body, then silence for longer than the idle timeout
(head_only; sleep 5) | timeout 8 openssl s_client -quiet -connect "127.0.0.1:$PORT" -servername localhost >"$W/stall.out" 2>/dev/null &
stall=$!
# trickling: one byte every 0.3 s, never idle, but slower than the read timeout allows
(head_only; for _ in $(seq 20); do printf ' '; sleep 0.3; done) |
	timeout 10 openssl s_client -quiet -connect "127.0.0.1:$PORT" -servername localhost >"$W/trickle.out" 2>/dev/null &
trickle=$!
sleep 0.5
t0=$(date +%s%N)
code=$(post "$W/allow.json")
t1=$(date +%s%N)
check "a normal request is answered while slow clients hold connections" test "$code" = 200
check "... quickly (under 1 s)" test $(((t1 - t0) / 1000000)) -lt 1000
wait "$stall" "$trickle"
check "stalled client got no answer and was disconnected" test ! -s "$W/stall.out"
check "trickling client was disconnected" test ! -s "$W/trickle.out"
check "slow clients are counted as timeouts" test "$(metric 'bulkhead_errors_total{kind="timeout"}')" -ge 2
check "the read timeout is logged" grep -q 'not received within the read timeout' "$W/log"
# connection limit: more idle TLS connections than allowed do not stop the server for long
check "server stops cleanly" stop_server

check "server starts with --max-connections 4" start_server --max-connections 4 --idle-timeout 2
hold=()
for _ in 1 2 3 4 5 6; do
	(sleep 3) | timeout 5 openssl s_client -quiet -connect "127.0.0.1:$PORT" -servername localhost >/dev/null 2>&1 &
	hold+=($!)
done
sleep 0.5
check "server lives with the connection limit reached" kill -0 "$PID"
wait "${hold[@]}"
check "after idle connections time out, requests are served again" test "$(post "$W/allow.json")" = 200
check "server stops cleanly" stop_server

# ---- certificate reload under a live keep-alive connection ----
check "server starts" start_server
fp() { echo | openssl s_client -connect "127.0.0.1:$PORT" -servername localhost 2>/dev/null | openssl x509 -noout -fingerprint -sha256; }
old_fp=$(fp)
http_request "$W/allow.json" >"$W/req1"
# request 1, keep the connection, (certificate replaced meanwhile), request 2 on the same connection
(cat "$W/req1"; sleep 3; cat "$W/req1"; sleep 1) | sclient >"$W/ka.out" &
ka=$!
sleep 0.8
"$TOP/deploy/gen-certs.sh" --out "$W/new" --ip 127.0.0.1 --dns localhost >/dev/null
# the way a kubelet updates a Secret volume: new files appear whole (rename), key first
cp "$W/new/tls.key" "$W/certs/tls.key.tmp" && mv "$W/certs/tls.key.tmp" "$W/certs/tls.key"
cp "$W/new/tls.crt" "$W/certs/tls.crt.tmp" && mv "$W/certs/tls.crt.tmp" "$W/certs/tls.crt"
sleep 1.5
new_fp=$(fp)
wait "$ka"
check "the server presents the new certificate" test -n "$new_fp" -a "$old_fp" != "$new_fp"
check "new connections verify with the new CA" curl -sS --max-time 5 --cacert "$W/new/ca.crt" -o /dev/null "$(URL /healthz)"
check "new connections no longer verify with the old CA" bash -c "! curl -sS --max-time 5 --cacert '$W/certs/ca.crt' -o /dev/null '$(URL /healthz)' 2>/dev/null"
check "the open keep-alive connection got both answers (not dropped)" test "$(grep -c '^HTTP/1.1 200' "$W/ka.out")" = 2
check "certificate reload is counted" test "$(CURL --cacert "$W/new/ca.crt" "$(URL /metrics)" | awk '$1 == "bulkhead_reloads_total{what=\"certificate\",result=\"ok\"}" {print $2}')" -ge 1
# a broken certificate keeps the working one
echo garbage >"$W/certs/tls.crt.tmp" && mv "$W/certs/tls.crt.tmp" "$W/certs/tls.crt"
sleep 1.5
check "a broken certificate file keeps the previous certificate in use" curl -sS --max-time 5 --cacert "$W/new/ca.crt" -o /dev/null "$(URL /healthz)"
check "the failed reload is logged" grep -q 'certificate not reloaded' "$W/log"
cp "$W/new/tls.crt" "$W/certs/tls.crt"; cp "$W/new/ca.crt" "$W/certs/ca.crt"
check "server stops cleanly" stop_server

# ---- many large bodies at once: the bodies held together are bounded (3 x 19 MiB), the rest get 503 ----
check "server starts" start_server
head -c $((18 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$W/pad"
jq -c --rawfile pad "$W/pad" '.request.object.metadata.annotations = {"pad": $pad}' "$W/deny.json" >"$W/huge.json"
rm -f "$W/pad"
big=()
for i in 1 2 3 4 5 6; do
	curl -sS --max-time 20 --cacert "$W/certs/ca.crt" --limit-rate 4M -H 'Content-Type: application/json' \
		--data-binary @"$W/huge.json" -o /dev/null -w '%{http_code}\n' "$(URL /validate)" >"$W/code.$i" 2>/dev/null &
	big+=($!)
done
peak=0
for _ in $(seq 40); do
	r=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status")
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.25
done
wait "${big[@]}"
codes=$(cat "$W"/code.* | sort | uniq -c | tr -s ' \n' ' ')
echo "# 6 parallel 18 MiB reviews: HTTP codes $codes; server RSS peak $((peak / 1024)) MiB"
check "6 parallel 18 MiB reviews: some decided (200), the rest refused with 503" \
	awk '$1 == 200 {ok = 1} $1 == 503 {busy = 1} $1 != 200 && $1 != 503 {bad = 1} END {exit !(ok && busy && !bad)}' "$W"/code.*
if nm "$BH" 2>/dev/null | grep -q __asan_init; then
	skip "server memory under 256 MiB: not measured under AddressSanitizer (shadow memory, quarantine)"
else
	check "server memory stays under the Deployment's 256 MiB limit (peak $((peak / 1024)) MiB)" test "$peak" -lt $((256 * 1024))
fi
check "server still answers" test "$(post "$W/allow.json")" = 200
check "server stops cleanly" stop_server

# ---- SIGTERM with a request in flight: it is answered, new connections are refused, exit 0 ----
check "server starts" start_server
# a body of about 3 kB sent at 1 kB/s: the request is in flight for about 3 s
head -c 2500 /dev/zero | tr '\0' 'a' >"$W/pad"
jq -c --rawfile pad "$W/pad" '.request.object.metadata.annotations = {"pad": $pad}' "$W/deny.json" >"$W/slow.json"
CURL --limit-rate 1000 -H 'Content-Type: application/json' --data-binary @"$W/slow.json" -D "$W/term.hdr" -o "$W/term.out" "$(URL /validate)" &
cl=$!
sleep 0.7
kill -TERM "$PID"
sleep 0.5
check "readiness gone / listener closed while draining" bash -c "! curl -sS --max-time 2 --cacert '$W/certs/ca.crt' '$(URL /readyz)' 2>/dev/null | grep -q '^ok'"
rc=0
wait "$PID" || rc=$?
PID=
wait "$cl"
check "the in-flight request was answered" grep -q '"allowed": false' "$W/term.out"
check "with Connection: close" grep -qi '^connection: close' "$W/term.hdr"
check "exit code 0 after draining" test "$rc" = 0
check "the drain is logged" grep -q '"event": "stop".*0 requests still in flight' "$W/log"
finish
