#!/usr/bin/env bash
# Builds the oracle (Go, test tooling only) into $1 (default build/oracle) with this machine's Go
# toolchain; modules come through the Go module proxy into the default GOMODCACHE, so later builds are
# offline and quick. Exit 3 (and a message on stderr) when Go is absent or the modules cannot be fetched.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../build/oracle}
command -v go >/dev/null || { echo "go is not installed (the oracle needs the Go toolchain)" >&2; exit 3; }
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
if ! (cd "$here" && go build -p 2 -o "$out" . 2>"$out.log"); then
	echo "could not build the oracle (no Go module proxy?): $(tail -n 3 "$out.log")" >&2
	exit 3
fi
echo "$out"
