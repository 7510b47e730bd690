#!/usr/bin/env bash
# A longer differential run: tests/oracle/long.sh SEED [CASES] (default 20000). Builds bulkhead's
# current build/bulkhead and the oracle, keeps the cases in /tmp/bulkhead-oracle-SEED for inspection.
# Reuse: `build/oracle gen -seed S -n N -out DIR` writes just the cases (DIR/cases/NNNNN-features.yaml).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
seed=${1:?usage: long.sh SEED [CASES]}
n=${2:-20000}
oracle=$(bash "$top/tests/oracle/build.sh" "$top/build/oracle") || exit 2
exec "$oracle" run -seed "$seed" -n "$n" -bulkhead "${BH:-$top/build/bulkhead}" -work "/tmp/bulkhead-oracle-$seed" -examples 10
