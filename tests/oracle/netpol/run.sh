#!/usr/bin/env bash
# A longer oracle run: tests/oracle/netpol/run.sh SEED [CLUSTERS (default 5000)] [BULKHEAD]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seed=${1:?usage: run.sh SEED [CLUSTERS] [BULKHEAD]}
clusters=${2:-5000}
bh=${3:-$here/../../../build/bulkhead}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$here/overlay.sh" "$tmp/oracle" >/dev/null
"$tmp/oracle" -bh "$bh" -seed "$seed" -clusters "$clusters"
