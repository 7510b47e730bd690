#!/usr/bin/env bash
# bulkhead's NetworkPolicy decisions against SIG Network's reference implementation
# (sigs.k8s.io/kube-network-policies v0.8.0) on random clusters and packets, fixed seed: every
# disagreement fails, minimized in the message. Needs Go and the module (module cache or proxy); skips
# without them. Cost: building the oracle once (cached by Go afterwards) and ~12,000 packets in about a
# second. A longer run: tests/oracle/netpol/run.sh SEED [CLUSTERS].
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ORACLE_DIR=$TOP/tests/oracle/netpol
SEED=${NETPOL_ORACLE_SEED:-20261201}

if ! command -v go >/dev/null 2>&1; then
	skip "the reference-implementation oracle: no Go toolchain (install golang-go or Go from go.dev)"
	finish; exit $?
fi
if ! (cd "$ORACLE_DIR" && go mod download sigs.k8s.io/kube-network-policies) >"$T/dl" 2>&1; then
	skip "the reference-implementation oracle: sigs.k8s.io/kube-network-policies is neither in the module cache nor downloadable: $(head -c 300 "$T/dl")"
	finish; exit $?
fi
if "$ORACLE_DIR/overlay.sh" "$T/oracle" >"$T/build" 2>&1; then
	ok "the oracle builds against the reference implementation"
else
	fail "the oracle builds against the reference implementation: $(tail -5 "$T/build")"
	finish; exit $?
fi

# the harness can fail: a decider that allows everything disagrees, and the case comes back minimized
printf '#!/bin/sh\n# a stand-in for bulkhead that allows every packet\nwhile read -r l; do echo allow; done <"$3"\n' >"$T/fake"
chmod +x "$T/fake"
"$T/oracle" -bh "$T/fake" -seed 7 -clusters 20 >"$T/fake.out" 2>&1
rc=$?
check "a decider that allows everything fails the oracle (exit 1)" [ "$rc" = 1 ]
check "the disagreement is printed with the packet and a minimized snapshot" \
	grep -q 'DISAGREEMENT (seed 7, cluster [0-9]*): packet {"src".*reference deny, bulkhead allow' "$T/fake.out"
awk '/minimized snapshot/{f=1} f{print} f&&/^\]\}/{exit}' "$T/fake.out" >"$T/min"
npods=$(grep -c '"kind":"Pod"' "$T/min") npols=$(grep -Ec '"kind":"(Baseline)?(Admin)?NetworkPolicy"' "$T/min")
check "minimized: only the packet's two pods and at most two policies are left ($npods pods, $npols policies)" \
	test "$npods" -le 2 -a "$npols" -le 2 -a "$npols" -ge 1

start=$(date +%s.%N)
"$T/oracle" -bh "$BH" -seed "$SEED" -clusters 200 >"$T/out" 2>&1
rc=$?
end=$(date +%s.%N)
summary=$(grep '^netpol oracle:' "$T/out")
echo "# $summary ($(echo "$end - $start" | bc) s)"
check "bulkhead agrees with the reference implementation on every packet (seed $SEED)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || head -c 4000 "$T/out"
check "at least 10,000 packets were compared, both verdicts seen" \
	sh -c "echo '$summary' | awk '{ if (\$7 >= 10000 && \$8 > \"(0\" ) exit 0; exit 1 }'"
finish
