# Helpers for shell tests (tests/*/*.test.sh). Source it; call ok/fail/skip; end with `finish`.
# $BH is the bulkhead binary, $TOP the checkout, $SHARED the shared/ folder beside it (may be absent).
: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${BUILD:=build}"
: "${BH:=$TOP/$BUILD/bulkhead}"
: "${SHARED:=$(cd "$TOP/../shared" 2>/dev/null && pwd)}"
_pass=0 _fail=0 _skip=0
# results go to fd 3, a copy of the script's stdout, so `check … >/dev/null` silences the command, not
# the result line
exec 3>&1
ok()   { _pass=$((_pass + 1)); echo "ok   - $*" >&3; }
fail() { _fail=$((_fail + 1)); echo "FAIL - $*" >&3; }
skip() { _skip=$((_skip + 1)); echo "skip - $*" >&3; }
# check DESCRIPTION COMMAND...: passes when COMMAND exits 0
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
finish() { echo "$_pass passed, $_fail failed, $_skip skipped"; [ "$_fail" = 0 ]; }
# The PSS conformance fixtures (<level>/v1.<minor>/{pass,fail}/*.yaml, as kubernetes/pod-security-admission
# test/testdata has them): $BULKHEAD_PSS_FIXTURES, else $SHARED/conformance/pss, else test/testdata of the Go
# module k8s.io/pod-security-admission@$BULKHEAD_PSS_MODULE in the Go module cache (not downloaded here).
# Prints the directory, or nothing. pss_fixtures_hint: how to get them, for a skip message.
: "${BULKHEAD_PSS_MODULE:=v0.37.2}"
pss_fixtures() {
	if [ -n "${BULKHEAD_PSS_FIXTURES:-}" ]; then
		[ -d "$BULKHEAD_PSS_FIXTURES/restricted" ] && echo "$BULKHEAD_PSS_FIXTURES"
		return 0
	fi
	if [ -n "${SHARED:-}" ] && [ -d "$SHARED/conformance/pss/restricted" ]; then echo "$SHARED/conformance/pss"; return 0; fi
	command -v go >/dev/null && command -v jq >/dev/null || return 0
	local dir
	dir=$(cd / && GOFLAGS=-mod=mod GOPROXY=off go mod download -json "k8s.io/pod-security-admission@$BULKHEAD_PSS_MODULE" 2>/dev/null |
		jq -r '.Dir // empty' 2>/dev/null)
	[ -n "$dir" ] && [ -d "$dir/test/testdata/restricted" ] && echo "$dir/test/testdata"
	return 0
}
pss_fixtures_hint() {
	echo "fixtures not found: run 'go mod download k8s.io/pod-security-admission@$BULKHEAD_PSS_MODULE' (Go module cache) or set BULKHEAD_PSS_FIXTURES to a copy of its test/testdata"
}
