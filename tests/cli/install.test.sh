#!/usr/bin/env bash
# `make install` puts the binary, the kubectl plugin name, the man page and the completion under
# DESTDIR/PREFIX, and what it installed works from there.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
make -C "$TOP" -s -o "$BUILD/bulkhead" BUILD="$BUILD" DESTDIR="$T/root" PREFIX=/opt/bh install >"$T/log" 2>&1
check "make install DESTDIR=… PREFIX=/opt/bh exits 0" test $? = 0
p=$T/root/opt/bh
check "binary installed executable" test -x "$p/bin/bulkhead"
check "man page installed" test -s "$p/share/man/man1/bulkhead.1"
check "bash completion installed" test -s "$p/share/bash-completion/completions/bulkhead"
check "installed man page is the checked-in one" cmp -s "$p/share/man/man1/bulkhead.1" "$TOP/docs/bulkhead.1"
"$p/bin/bulkhead" --version >"$T/v" 2>&1
check "installed binary runs (--version)" grep -qE '^bulkhead [0-9]+\.[0-9]+\.[0-9]+$' "$T/v"
check "kubectl plugin name is a link to the binary" test "$(readlink "$p/bin/kubectl-bulkhead")" = bulkhead
# kubectl runs `kubectl-bulkhead ARGS` for `kubectl bulkhead ARGS`; the plugin must work under that name
"$p/bin/kubectl-bulkhead" scan --fail-on none "$TOP/examples/hardened-deployment.yaml" >"$T/s" 2>&1
check "kubectl-bulkhead scan works under the plugin name" test $? = 0
if command -v kubectl >/dev/null 2>&1; then
	PATH="$p/bin:$PATH" kubectl bulkhead --version >"$T/k" 2>&1
	check "kubectl finds the plugin on PATH" grep -qE '^bulkhead [0-9]' "$T/k"
else
	skip "kubectl not installed: plugin discovery not tried"
fi
finish
