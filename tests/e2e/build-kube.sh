#!/usr/bin/env bash
# Builds (once) and prints the path of the Kubernetes binaries the e2e lab runs.
#
#   tests/e2e/build-kube.sh [--check] [apiserver|kubectl]   (default: apiserver)
#
# kube-apiserver is built from the Go module proxy with this machine's Go, from tests/e2e/kube/go.mod
# (k8s.io/kubernetes with every staging module replaced by its published v0.X.Y), `go build -p 2`. The
# binary is cached under $BULKHEAD_E2E_CACHE (default /var/cache/bulkhead-e2e when writable, else
# ~/.cache/bulkhead-e2e) in a folder named after the Kubernetes version, the Go version and a hash of
# go.mod: a cached run never rebuilds, a change of any of them builds anew. The Go module cache
# (`go env GOMODCACHE`) keeps the downloaded sources. Concurrent callers wait for one build (flock).
# kubectl: the one on PATH when there is one, else built the same way.
# --check: print the path if it is cached (or on PATH), exit 1 without building otherwise.
# Exit 0 and the absolute path on stdout; 3 when Go is missing (the suite skips); 1 when the build failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
check=0 what=apiserver
for a in "$@"; do
	case $a in
	--check) check=1 ;;
	apiserver|kubectl) what=$a ;;
	*) echo "build-kube.sh: unknown argument $a" >&2; exit 2 ;;
	esac
done
if [ "$what" = kubectl ] && [ -z "${BULKHEAD_E2E_BUILD_KUBECTL:-}" ] && command -v kubectl >/dev/null; then
	command -v kubectl
	exit 0
fi
if [ -n "${BULKHEAD_E2E_CACHE:-}" ]; then
	cache=$BULKHEAD_E2E_CACHE
elif mkdir -p /var/cache/bulkhead-e2e 2>/dev/null && [ -w /var/cache/bulkhead-e2e ]; then
	cache=/var/cache/bulkhead-e2e
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/bulkhead-e2e
fi
kver=$(sed -n 's/^require k8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$here/kube/go.mod")
# go.mod fixes every module version (go.sum only adds their hashes, checked by -mod=readonly)
sum=$(sha256sum <"$here/kube/go.mod" | cut -c1-12)
gover=
command -v go >/dev/null && gover=$(go env GOVERSION)
# the key names the Go version only when Go is there; without Go a binary cached by any Go still serves
pick() {
	local d
	if [ -n "$gover" ]; then
		d="$cache/kube-$kver-$gover-$sum"
		[ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
		return 1
	fi
	for d in "$cache"/kube-"$kver"-*-"$sum"; do
		[ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}
bin=kube-apiserver
[ "$what" = kubectl ] && bin=kubectl
pick "$bin" && exit 0
[ "$check" = 1 ] && exit 1
if [ -z "$gover" ]; then
	echo "build-kube.sh: Go is not installed: cannot build $bin $kver (install Go >= 1.24)" >&2
	exit 3
fi
dir="$cache/kube-$kver-$gover-$sum"
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
[ -x "$dir/$bin" ] && { echo "$dir/$bin"; exit 0; }
echo "build-kube.sh: building $bin $kver with $gover into $dir (first run: ~20 min on 2 cores)" >&2
start=$(date +%s)
cd "$here/kube"
# -mod=readonly: go.sum is checked in; a missing sum is an error, not a silent download of something else
GOFLAGS="-mod=readonly ${GOFLAGS:-}" go build -p 2 -trimpath -o "$dir/$bin.tmp" \
	"k8s.io/kubernetes/cmd/$bin" >&2
mv -f "$dir/$bin.tmp" "$dir/$bin"
echo "build-kube.sh: built $bin in $(( $(date +%s) - start )) s" >&2
echo "$dir/$bin"
