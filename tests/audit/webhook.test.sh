#!/usr/bin/env bash
# bulkhead audit --listen: the audit webhook backend over HTTPS on loopback. Batches are EventLists as the
# API server's webhook backend sends them (batch mode); a retried batch must not raise its alerts twice
# (de-duplication by auditID and stage), a bad or oversized body is refused without disturbing the next
# batch, and alerts come out as JSON lines on stdout.
. "$(dirname "$0")/../lib.sh"
for t in curl openssl jq; do command -v $t >/dev/null || { skip "$t is not installed: webhook tests skipped"; finish; exit; }; done
W=$(mktemp -d) PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$W"' EXIT
"$TOP/deploy/gen-certs.sh" --out "$W/certs" --ip 127.0.0.1 >/dev/null 2>&1 || { fail "gen-certs.sh"; finish; exit; }
CASES="$TOP/tests/audit/cases"

"$BH" audit --listen 127.0.0.1:0 --tls-cert "$W/certs/tls.crt" --tls-key "$W/certs/tls.key" --max-body 200K --stats \
	>"$W/out" 2>"$W/err" &
PID=$!
PORT=
for _ in $(seq 100); do
	PORT=$(grep -o 'port [0-9]*' "$W/err" 2>/dev/null | awk '{print $2}')
	[ -n "$PORT" ] && break
	sleep 0.05
done
[ -n "$PORT" ] || { fail "listener did not start: $(cat "$W/err")"; finish; exit; }
post() { # FILE [content-type] → HTTP status. Expect: 100-continue as the API server's Go client may send it:
	# a refusal by Content-Length comes before the body (without it, curl may still be sending when the
	# server answers and closes, and see a reset instead of the 413)
	curl -s -o "$W/body" -w '%{http_code}' --cacert "$W/certs/ca.crt" -H "Content-Type: ${2:-application/json}" \
		-H 'Expect: 100-continue' --data-binary @"$1" "https://127.0.0.1:$PORT/audit"
}
check "a batch (EventList) is answered 200" test "$(post "$CASES/eventlist.json")" = 200
check "the same batch again (a retry) is answered 200" test "$(post "$CASES/eventlist.json")" = 200
# (eventlist.json: pod creation + exec by its creator = BH0800, BH0801, BH0812)
# one EventList with another pod's creation only, then one with an exec into it: correlation across batches
jq -c '{kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items: [inputs]}' -n \
	<(sed -n 1p "$CASES/session-pos.jsonl") >"$W/b1"
jq -c '{kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items: [inputs]}' -n \
	<(sed -n 4p "$CASES/session-pos.jsonl") >"$W/b2"
check "batch 1 of 2 (pod creation) 200" test "$(post "$W/b1")" = 200
check "batch 2 of 2 (attach by another user) 200" test "$(post "$W/b2")" = 200
echo '{"kind":"Pod","apiVersion":"v1"}' >"$W/pod"
check "a body that is no EventList is answered 400" test "$(post "$W/pod")" = 400
head -c 300 "$CASES/eventlist.json" >"$W/trunc"
check "a truncated batch is answered 400" test "$(post "$W/trunc")" = 400
check "a batch with the wrong Content-Type is answered 415" test "$(post "$CASES/eventlist.json" text/plain)" = 415
jq -c '.items[0].requestObject.metadata.annotations = {pad: ("x" * 300000)}' "$CASES/eventlist.json" >"$W/big"
check "a batch over --max-body is answered 413" test "$(post "$W/big")" = 413
check "the next batch after the refusals is answered 200 (a retry of batch 1: no new alert)" test "$(post "$W/b1")" = 200
sleep 0.5
kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
check "SIGTERM stops the listener with exit 0" test "$rc" = 0
jq -r '.finding | "\(.rule) \(.severity)"' "$W/out" 2>/dev/null | sort | uniq -c | awk '{print $2, $3, $1}' >"$W/got"
cat >"$W/want" <<'E'
BH0800 critical 2
BH0801 high 2
BH0812 critical 1
E
if diff -u "$W/want" <(sort "$W/got") >"$W/d"; then ok "alerts: the retried batch raised nothing twice; the attach across batches was seen"
else fail "alerts differ"; cat "$W/d"; cat "$W/out"; fi
check "every output line is a JSON object with finding and event" jq -e -s 'all(.[]; .finding.rule and .event.auditID and (.event.user.username | type == "string"))' "$W/out" >/dev/null
check "duplicates are counted" grep -q '[1-9][0-9]* duplicates' "$W/err"
check "refused batches are logged as JSON lines on stderr" sh -c "grep '\"status\": 400' '$W/err' | jq -e . >/dev/null"
finish
