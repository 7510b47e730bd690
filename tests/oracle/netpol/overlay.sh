#!/usr/bin/env bash
# Builds the oracle: the reference implementation's module (from the Go module cache, unmodified there)
# is copied to a temporary directory, export.go.in is added to its pkg/networkpolicy, and the harness is
# built against that copy through a temporary go.mod (-modfile) with a replace directive. Nothing is
# copied into this repository. Usage: overlay.sh [OUT]; prints OUT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/oracle}
cd "$here"
mod=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kube-network-policies)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cp -r "$mod" "$tmp/knp"
chmod -R u+w "$tmp/knp"
cp export.go.in "$tmp/knp/pkg/networkpolicy/zz_bulkhead_export.go"
cp go.mod "$tmp/go.mod"
cp go.sum "$tmp/go.sum"
go mod edit -modfile="$tmp/go.mod" -replace "sigs.k8s.io/kube-network-policies=$tmp/knp"
go build -modfile="$tmp/go.mod" -o "$out" .
echo "$out"
