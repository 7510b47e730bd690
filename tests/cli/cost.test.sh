#!/usr/bin/env bash
# The attacker's input for scan's cost: one pod with thousands of containers, each with the findings PSS and
# the escape rules share. Four times the containers must cost about four times the instructions (callgrind
# counts instructions, so the check does not depend on the machine's load); the pairwise test of PSS sites
# against findings and the formatting of every site's full PSA detail made it quadratic (5,000 containers:
# 25 s).
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
if ! command -v valgrind >/dev/null 2>&1; then
	skip "valgrind not installed (Debian package valgrind): instruction counts not measured"
	finish; exit
fi
pod() { # N → a Pod with N root containers adding NET_ADMIN
	{
		printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: big, namespace: x}\nspec:\n  containers:\n'
		for ((i = 0; i < $1; i++)); do
			printf '  - name: c%d\n    image: busybox\n    securityContext: {runAsUser: 0, capabilities: {add: [NET_ADMIN]}}\n' "$i"
		done
	} >"$T/pod$1.yaml"
}
instr() { # N → instructions of scan --pss restricted on pod N
	valgrind --tool=callgrind --callgrind-out-file="$T/cg.$1" "$BH" scan --jobs 1 --pss restricted --format json \
		"$T/pod$1.yaml" >/dev/null 2>"$T/vg.$1"
	sed -n 's/^==[0-9]*== Collected : \([0-9]*\).*/\1/p' "$T/vg.$1"
}
pod 500; pod 2000
a=$(instr 500); b=$(instr 2000)
check "instructions measured ($a for 500 containers, $b for 2000)" test -n "$a" -a -n "$b"
if [ -n "$a" ] && [ -n "$b" ]; then
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}')
	echo "# 4x the containers: ${ratio}x the instructions (linear 4, quadratic 16)"
	check "scan --pss restricted is linear in the number of containers (ratio $ratio < 6)" \
		awk -v r="$ratio" 'BEGIN {exit !(r < 6)}'
fi
finish
