# Helpers for the bulkhead serve tests: certificates, a server on loopback, AdmissionReviews built with jq,
# TLS clients (curl, openssl s_client). Source after tests/lib.sh. Everything lives in $W (removed at exit).
FIX="$TOP/tests/serve/fixtures"
W=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
[ -n "${KEEP_W:-}" ] && trap "kill -KILL \$PID 2>/dev/null; echo kept \$W" EXIT

need_tools() {
	for t in curl openssl jq "$@"; do
		if ! command -v "$t" >/dev/null; then
			skip "$t is not installed: serve tests skipped"
			finish
			exit $?
		fi
	done
	if [ ! -x "$BH" ]; then
		fail "$BH missing (build first)"
		finish
		exit 1
	fi
}

# certs DIR: a CA and a leaf for 127.0.0.1 and localhost
certs() { "$TOP/deploy/gen-certs.sh" --out "$1" --ip 127.0.0.1 --dns localhost >/dev/null; }

# start_server [OPTIONS...]: sets PID and PORT; the log goes to $W/log
start_server() {
	rm -f "$W/port"
	"$BH" serve --tls-cert "$W/certs/tls.crt" --tls-key "$W/certs/tls.key" --listen 127.0.0.1:0 \
		--port-file "$W/port" --threads 2 "$@" 2>>"$W/log" &
	PID=$!
	for _ in $(seq 200); do
		[ -s "$W/port" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	PORT=$(cat "$W/port" 2>/dev/null)
	[ -n "$PORT" ]
}

# stop_server: SIGTERM and wait; returns the exit code
stop_server() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	local rc=0
	wait "$PID" || rc=$?
	PID=
	return $rc
}

J() { jq -e "$@" >/dev/null; }
URL() { echo "https://127.0.0.1:$PORT$1"; }
CURL() { curl -sS --max-time 10 --cacert "$W/certs/ca.crt" "$@"; }

# post FILE [curl args]: POSTs FILE to /validate; the body lands in $W/body; prints the HTTP status
post() {
	local f=$1
	shift
	CURL -H 'Content-Type: application/json' --data-binary @"$f" -o "$W/body" -w '%{http_code}' "$@" "$(URL /validate)"
}

# metric NAME_WITH_LABELS: its value from /metrics (0 when absent)
metric() {
	CURL "$(URL /metrics)" | awk -v m="$1" '$1 == m {print $2; f=1} END {if (!f) print 0}'
}

# object KIND SPECFILE [NAME] [NAMESPACE]: a workload of KIND whose pod template spec is SPECFILE
object() {
	local kind=$1 spec=$2 name=${3:-demo} ns=${4:-team}
	jq -c --arg kind "$kind" --arg name "$name" --arg ns "$ns" '
		. as $s | {metadata: {labels: {app: $name}}, spec: $s} as $tpl |
		{apiVersion: "v1", kind: $kind, metadata: {name: $name, namespace: $ns}} +
		if $kind == "Pod" then {spec: $s}
		elif $kind == "PodTemplate" then {template: $tpl}
		elif $kind == "ReplicationController" then {spec: {replicas: 1, selector: {app: $name}, template: $tpl}}
		elif $kind == "Job" then {apiVersion: "batch/v1", spec: {template: $tpl}}
		elif $kind == "CronJob" then {apiVersion: "batch/v1", spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: $tpl}}}}
		else {apiVersion: "apps/v1", spec: {selector: {matchLabels: {app: $name}}, template: $tpl}}
		end' "$spec"
}

# review OP OBJECTFILE [JQ-FILTER]: an AdmissionReview v1 for the object; the filter edits .request
review() {
	local op=$1 obj=$2 filter=${3:-.}
	jq -c --arg op "$op" "
		(.apiVersion | if test(\"/\") then split(\"/\") else [\"\", .] end) as \$gv |
		{apiVersion: \"admission.k8s.io/v1\", kind: \"AdmissionReview\", request: (
			{uid: \"uid-\\(.kind)-\\(\$op)-1\", kind: {group: \$gv[0], version: \$gv[1], kind: .kind},
			 resource: {group: \$gv[0], version: \$gv[1], resource: ((.kind | ascii_downcase) + \"s\")},
			 namespace: .metadata.namespace, name: .metadata.name, operation: \$op,
			 userInfo: {username: \"alice\", groups: [\"system:authenticated\", \"dev\"]},
			 object: ., dryRun: false} | $filter)}" "$obj"
}

# mk NAME KIND SPEC [OP] [FILTER]: writes $W/NAME.json (an AdmissionReview)
mk() {
	local name=$1 kind=$2 spec=$3 op=${4:-CREATE} filter=${5:-.}
	object "$kind" "$FIX/$spec.json" >"$W/$name.obj"
	review "$op" "$W/$name.obj" "$filter" >"$W/$name.json"
}

# http_request BODYFILE: a raw HTTP/1.1 POST /validate (keep-alive) for openssl s_client
http_request() {
	local n
	n=$(wc -c <"$1")
	printf 'POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n' "$n"
	cat "$1"
}

# sclient: openssl s_client on the server, quiet, trusting the test CA
sclient() {
	timeout "${SCLIENT_TIMEOUT:-8}" openssl s_client -quiet -no_ign_eof -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$W/certs/ca.crt" \
		-verify_return_error "$@" 2>/dev/null
}
