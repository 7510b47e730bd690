#!/usr/bin/env bash
# --help, the man page and shell completion stay in step with the command table.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$BH" --help >"$T/h"; check "--help exits 0" test $? = 0
cmds=$(awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on=0}' "$T/h")
check "--help lists commands" test -n "$cmds"
for c in $cmds; do
	"$BH" "$c" --help >"$T/c" 2>&1; rc=$?
	check "$c --help exits 0" test $rc = 0
	check "$c --help starts with its usage line" grep -q "^usage: bulkhead $c" "$T/c"
	"$BH" help "$c" >"$T/c2" 2>&1
	check "bulkhead help $c = $c --help" cmp -s "$T/c" "$T/c2"
done
"$BH" --version | grep -qE '^bulkhead [0-9]+\.[0-9]+\.[0-9]+$'; check "--version" test $? = 0
# the man page is generated from the same texts
"$TOP/scripts/gen-man" "$BH" >"$T/bulkhead.1"
check "docs/bulkhead.1 is up to date (scripts/gen-man build/bulkhead > docs/bulkhead.1)" diff -u "$TOP/docs/bulkhead.1" "$T/bulkhead.1"
if command -v man >/dev/null; then
	MANWIDTH=100 man -l "$T/bulkhead.1" >"$T/man.txt" 2>"$T/man.err"
	check "man renders the page" test -s "$T/man.txt"
	for c in $cmds; do grep -q "^   $c\$" "$T/man.txt" || grep -q "^ *$c\$" "$T/man.txt" || fail "man page lacks $c"; done
fi
# the man page lists every rule of every area (from the rule registry, through bulkhead rules)
"$BH" rules | awk '/^BH[0-9]/ {print $1, $4}' >"$T/rules"
check "bulkhead rules lists rules" test -s "$T/rules"
nman=""
while read -r id name; do grep -qx "\.B $id $name" "$T/bulkhead.1" || nman="$nman $id"; done <"$T/rules"
check "the man page lists every rule (missing:${nman:- none})" test -z "$nman"
check "the man page lists no other rule" test "$(grep -c '^\.B BH[0-9]' "$T/bulkhead.1")" = "$(wc -l <"$T/rules")"
# completion: commands and options come from the binary
words() { # complete the command line "$@" (last word is being completed)
	COMP_WORDS=("$BH" "$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
	. "$TOP/scripts/completion/bulkhead.bash"; _bulkhead; printf '%s\n' "${COMPREPLY[@]}"
}
got=$(words "" | grep -vE '^(help|--help|--version)$' | sort | tr '\n' ' ')
check "completion offers exactly the commands" test "$got" = "$(echo $cmds | tr ' ' '\n' | sort | tr '\n' ' ')"
check "completion offers scan's options" bash -c "$(declare -f words); BH='$BH' TOP='$TOP' words scan --fo | grep -qx -- '--format'"
check "completion offers --fail-on" bash -c "$(declare -f words); BH='$BH' TOP='$TOP' words scan --fail | grep -qx -- '--fail-on'"
# completion: explain offers rule ids and names of every area, from the registry
for id in BH0001 BH0106 BH0400 BH0515; do
	check "completion offers $id to explain" bash -c "$(declare -f words); BH='$BH' TOP='$TOP' words explain ${id%?} | grep -qx $id"
done
check "completion offers rule names to explain" bash -c "$(declare -f words); BH='$BH' TOP='$TOP' words explain ptrace-att | grep -qx ptrace-attach"
check "completion offers every rule to explain" test "$(words explain BH | wc -l)" = "$(wc -l <"$T/rules")"
check "completion still offers files to scan" bash -c "cd '$TOP' && $(declare -f words); BH='$BH' TOP='$TOP' words scan READM | grep -qx README.md"
finish
