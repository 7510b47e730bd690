#!/usr/bin/env bash
# How `bulkhead scan` and `pss` take their inputs: pipes, process substitution, /dev/stdin and named FIFOs
# are read exactly once; FIFOs, sockets and devices met in a directory are skipped with a warning, never
# opened; a file truncated while it is scanned does not kill the process; sizes are capped.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"; [ -n "${wpid:-}" ] && kill "$wpid" 2>/dev/null; true' EXIT
G="$TOP/tests/golden/cases"
P="$G/privileged-yes.yaml"
TO="timeout 20"

# a pipe through the PSS pre-pass (on by default) and the main pass: one read, the finding is there
$TO "$BH" scan <(cat "$P") >"$T/out" 2>"$T/err"; rc=$?
check "scan <(cmd): exit 1 on the finding" test $rc = 1
check "scan <(cmd): BH0001 reported" grep -q 'BH0001 privileged-container' "$T/out"
check "scan <(cmd): 1 object" grep -q '^1 file, 1 object' "$T/out"
cat "$P" | $TO "$BH" scan /dev/stdin >"$T/out" 2>"$T/err"; rc=$?
check "cmd | scan /dev/stdin: exit 1" test $rc = 1
check "cmd | scan /dev/stdin: BH0001 reported" grep -q 'BH0001' "$T/out"
cat "$P" | $TO "$BH" scan - >"$T/out"; rc=$?
check "cmd | scan -: exit 1" test $rc = 1
# stdin redirected from a file is read from where the shell left it, as before
{ read -r _; "$BH" scan --format json -; } <"$P" >"$T/json"
check "stdin at an offset: read from there (line numbers shift by one)" jq -e '.findings[0].location.line == ('"$("$BH" scan --format json "$P" | jq '.findings[0].location.line')"' - 1)' "$T/json" >/dev/null
# stdin named twice is the same stream: both names see its bytes, as before
cat "$P" | $TO "$BH" scan --format json - /dev/stdin >"$T/json"; rc=$?
check "- and /dev/stdin: both evaluated" jq -e '.summary.files == 2 and .summary.objects == 2' "$T/json" >/dev/null
# a Namespace label read from a pipe applies to the pod in the same pipe
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: prod\nspec:\n  containers:\n  - name: c\n    image: nginx\n' >"$T/ns.yaml"
$TO "$BH" scan --format json <(cat "$T/ns.yaml") >"$T/json"; rc=$?
check "pipe: the enforce label warning" jq -e '[.warnings[] | select(.message | test("enforces Pod Security restricted"))] | length == 1' "$T/json" >/dev/null
"$BH" scan --format json "$T/ns.yaml" >"$T/file.json"
check "pipe: the same findings as the file (but for location and the fingerprint, which includes the file)" test "$(jq -c '[.findings[] | del(.location, .fingerprint)]' "$T/json")" = "$(jq -c '[.findings[] | del(.location, .fingerprint)]' "$T/file.json")"
$TO "$BH" pss --level baseline <(cat "$P") >"$T/out"; rc=$?
check "pss <(cmd): forbidden, exit 1" test $rc = 1
check "pss <(cmd): 1 object evaluated" grep -q '1 object evaluated' "$T/out"

# a named FIFO on the command line is read once and does not hang
mkfifo "$T/fifo.yaml"
(cat "$P" >"$T/fifo.yaml") & wpid=$!
$TO "$BH" scan "$T/fifo.yaml" >"$T/out" 2>"$T/err"; rc=$?
wait "$wpid" 2>/dev/null; wpid=
check "named FIFO: no hang (exit 1, not 124)" test $rc = 1
check "named FIFO: BH0001 reported" grep -q 'BH0001' "$T/out"

# FIFOs, sockets and devices met while walking a directory: warned about, skipped, not opened
mkdir -p "$T/dir"
cp "$P" "$T/dir/a.yaml"
mkfifo "$T/dir/b-fifo.yaml"
ln -s /dev/zero "$T/dir/c-zero.yaml"
if command -v python3 >/dev/null; then
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/dir/d-sock.yaml"
fi
$TO "$BH" scan --format json "$T/dir" >"$T/json" 2>"$T/err"; rc=$?
check "directory with a FIFO and a device: no hang, exit 1" test $rc = 1
check "directory: the FIFO is warned about" jq -e '[.warnings[] | select((.file | endswith("b-fifo.yaml")) and (.message | test("FIFO")))] | length == 1' "$T/json" >/dev/null
check "directory: the device is warned about" jq -e '[.warnings[] | select((.file | endswith("c-zero.yaml")) and (.message | test("character device")))] | length == 1' "$T/json" >/dev/null
if [ -S "$T/dir/d-sock.yaml" ]; then
	check "directory: the socket is warned about" jq -e '[.warnings[] | select(.message | test("socket"))] | length == 1' "$T/json" >/dev/null
else
	skip "directory: socket (no python3 to create one)"
fi
check "directory: the regular file scanned" jq -e '.summary.files == 1 and ([.findings[] | select(.rule == "BH0001")] | length == 1)' "$T/json" >/dev/null

# sizes are capped with a clear error: a sparse regular file and a stream beyond the 256 MiB input limit
truncate -s 300M "$T/huge.yaml"
$TO "$BH" scan "$T/huge.yaml" "$P" >"$T/out" 2>"$T/err"; rc=$?
check "huge file: exit 2" test $rc = 2
check "huge file: says the limit" grep -q 'huge.yaml: error: larger than the input limit of 268435456 bytes' "$T/err"
check "huge file: the other input still scanned" grep -q BH0001 "$T/out"
head -c 300M /dev/zero | $TO "$BH" scan - >"$T/out" 2>"$T/err"; rc=$?
check "huge stream: exit 2" test $rc = 2
check "huge stream: says the limit" grep -q '<stdin>: error: larger than the input limit' "$T/err"

# a file truncated while it is scanned: an input error, never a crash (SIGBUS on a mapping). The race
# is retried with growing delays until the truncation lands during the scan.
for i in $(seq 300); do cat "$G"/*.yaml; printf -- '---\n'; done >"$T/src.yaml"
landed=0 crashed=0
for delay in 0.02 0.05 0.1 0.2 0.4; do
	cp "$T/src.yaml" "$T/t.yaml"
	"$BH" scan --jobs 2 --format json "$T/t.yaml" >"$T/json" 2>"$T/err" & spid=$!
	sleep "$delay"
	truncate -s 4096 "$T/t.yaml"
	wait "$spid"; rc=$?
	[ $rc -gt 2 ] && crashed=$rc
	if jq -e '[.errors[] | select(.message | test("shrank"))] | length == 1' "$T/json" >/dev/null 2>&1; then
		landed=1
		break
	fi
done
check "truncated while scanned: no crash (exit <= 2, was $crashed)" test "$crashed" = 0
if [ $landed = 1 ]; then
	check "truncated while scanned: exit 2" test $rc = 2
	check "truncated while scanned: error names the file" jq -e '.errors[] | select(.message | test("shrank")) | .file | endswith("t.yaml")' "$T/json" >/dev/null
else
	skip "truncated while scanned: the truncation never landed during a scan on this machine"
fi
finish
