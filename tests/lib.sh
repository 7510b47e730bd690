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
