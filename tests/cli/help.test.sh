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
# completion: commands and options come from the binary
words() { # complete the command line "$@" (last word is being completed)
	COMP_WORDS=("$BH" "$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
	. "$TOP/scripts/completion/bulkhead.bash"; _bulkhead; printf '%s\n' "${COMPREPLY[@]}"
}
got=$(words "" | grep -vE '^(help|--help|--version)$' | sort | tr '\n' ' ')
check "completion offers exactly the commands" test "$got" = "$(echo $cmds | tr ' ' '\n' | sort | tr '\n' ' ')"
check "completion offers scan's options" bash -c "$(declare -f words); BH='$BH' TOP='$TOP' words scan --fo | grep -qx -- '--format'"
check "completion offers --fail-on" bash -c "$(declare -f words); BH='$BH' TOP='$TOP' words scan --fail | grep -qx -- '--fail-on'"
finish
