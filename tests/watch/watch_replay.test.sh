#!/usr/bin/env bash
# `bulkhead watch --replay`: recorded lab sessions (tests/fixtures/watch/NAME.bhw, made by watch_lab.test.sh
# with BH_WATCH_FIXTURES) go through the same rules without root; NAME.expected is the exact rule set.
set -u
. "$(dirname "$0")/../lib.sh"
FIX=$TOP/tests/fixtures/watch
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if ! command -v jq >/dev/null; then skip "watch replay: jq missing"; finish; exit; fi
n=0
for rec in "$FIX"/*.bhw; do
	[ -f "$rec" ] || continue
	name=$(basename "$rec" .bhw)
	want=$(cat "$FIX/$name.expected")
	"$BH" watch --replay "$rec" --format json --fail-on none >"$tmp/out" 2>"$tmp/err"; rc=$?
	got=$(jq -r .rule "$tmp/out" | sort -u | tr '\n' ' ' | sed 's/ $//')
	if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then ok "replay $name: {$got}"
	else fail "replay $name: rc $rc, expected {$want}, got {$got}: $(head -c 200 "$tmp/err")"; fi
	n=$((n + 1))
done
check "fixtures present" test "$n" -ge 10

# every alert line is one JSON object with the documented fields
"$BH" watch --replay "$FIX/release-agent.bhw" --format json >"$tmp/ra" 2>"$tmp/ra.err"; rc=$?
check "critical alerts exit 1 (default --fail-on high)" test "$rc" = 1
# (jq 1.6's -e is wrong after a select that drops the last input: slurp and test the array instead)
check "alert fields" jq -s -e 'map(select(.rule == "BH0504")) | length == 1 and all(.severity == "critical"
	and .technique == "T1611" and (.process.pid > 0) and (.process.comm | length > 0)
	and (.container.id | length > 0) and (.parents | length > 0) and (.namespaces.mnt > 0)
	and .event.type == "open" and .event.path_in_fs == "/release_agent" and (.time | test("^20[0-9-]+T")))' "$tmp/ra"
check "stats line on stderr" jq -e '.stats.received > 0 and .stats.alerts >= 3' "$tmp/ra.err"
"$BH" watch --replay "$FIX/benign.bhw" >"$tmp/b" 2>&1; rc=$?
check "benign replay exits 0" test "$rc" = 0
"$BH" watch --replay "$FIX/core-pattern.bhw" --format text >"$tmp/t" 2>/dev/null
check "text format names rule and severity" grep -q "critical BH0506 core-pattern-write" "$tmp/t"

# --metrics: Prometheus text, alerts per rule, events received
"$BH" watch --replay "$FIX/release-agent.bhw" --metrics "$tmp/m.prom" --fail-on none >/dev/null 2>&1
check "metrics: alerts per rule" grep -qx 'bulkhead_watch_alerts_total{rule="BH0504",name="cgroup-release-agent-write"} 1' "$tmp/m.prom"
check "metrics: events received" grep -Eq '^bulkhead_watch_events_total\{stage="received"\} [1-9]' "$tmp/m.prom"
check "metrics: no temporary file left" test ! -e "$tmp/m.prom.tmp"

# config: disabling a rule, changing severity, allow-listing with a reason
cat >"$tmp/cfg.yaml" <<'EOF'
watch:
  disable: [BH0505]
  severity:
    cgroup-mount: low
  allow:
    - rule: BH0504
      comm: sh
      reason: lab test
EOF
"$BH" watch --replay "$FIX/release-agent.bhw" --config "$tmp/cfg.yaml" --format json --show-suppressed \
	>"$tmp/c" 2>"$tmp/c.err"
check "config: disabled rule silent" test "$(jq -r 'select(.rule == "BH0505")' "$tmp/c" | wc -c)" = 0
check "config: severity override" jq -s -e 'map(select(.rule == "BH0502")) | length > 0 and all(.severity == "low")' "$tmp/c"
check "config: allow-listed alert is suppressed with its reason" \
	jq -s -e 'map(select(.rule == "BH0504")) | length > 0 and all(.suppressed and .suppress_reason == "lab test")' "$tmp/c"
printf 'watch:\n  allow:\n    - rule: BH0504\n' >"$tmp/bad.yaml"
"$BH" watch --replay "$FIX/release-agent.bhw" --config "$tmp/bad.yaml" >/dev/null 2>"$tmp/bad.err"; rc=$?
check "config: allow entry without reason is an error (exit 2)" test "$rc" = 2
check "config: error names the problem" grep -q reason "$tmp/bad.err"

# untrusted recordings: bad magic, truncated, not a file
head -c 100 "$FIX/core-pattern.bhw" >"$tmp/trunc.bhw"
"$BH" watch --replay "$tmp/trunc.bhw" >/dev/null 2>"$tmp/e"; rc=$?
check "truncated recording: exit 2" test "$rc" = 2
printf 'garbage garbage garbage garbage garbage garbage garbage' >"$tmp/junk.bhw"
"$BH" watch --replay "$tmp/junk.bhw" >/dev/null 2>"$tmp/e"; rc=$?
check "not a recording: exit 2" test "$rc" = 2
check "not a recording: says so" grep -q "not a bulkhead watch recording" "$tmp/e"
"$BH" watch --replay "$tmp" >/dev/null 2>&1; rc=$?
check "directory: exit 2" test "$rc" = 2
"$BH" watch --replay "$FIX/benign.bhw" --record "$tmp/x.bhw" >/dev/null 2>&1; rc=$?
check "--record with --replay: usage error" test "$rc" = 2
"$BH" watch --bogus >/dev/null 2>&1; rc=$?
check "unknown option: exit 2" test "$rc" = 2
"$BH" watch --help | grep -q -- --replay
check "--help lists --replay" test $? = 0
check "--list-rules lists 33 rules" test "$("$BH" watch --list-rules | grep -c '^BH05')" = 33
# without privileges: a clear message, exit 2 (as root, drop to nobody with setpriv when it exists)
np=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then np=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
if [ "$(id -u)" != 0 ] || [ ${#np[@]} -gt 0 ]; then
	"${np[@]}" "$BH" watch --duration 1 >/dev/null 2>"$tmp/np"; rc=$?
	check "without privileges: exit 2" test "$rc" = 2
	check "without privileges: says what is needed" grep -q "needs root (CAP_BPF and CAP_PERFMON" "$tmp/np"
	"${np[@]}" "$BH" watch --duration 1 --format json >"$tmp/npj" 2>/dev/null
	check "without privileges: JSON error with --format json" jq -e '.error | test("needs root")' "$tmp/npj"
else
	skip "unprivileged start message: root without setpriv"
fi
finish
