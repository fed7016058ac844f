#!/usr/bin/env bash
# The soak's judgment can fail: with a planted leak (reachable memory kept
# per iteration) seed_soak must exit 1 and say the memory grows.
# usage: seed_soak_detects_growth_test.sh SEED_SOAK_BINARY
set -uo pipefail
out=$("$1" --iterations=3000 --sample_every=250 --warmup=500 \
  --leak_bytes_per_iteration=4096 2>&1)
status=$?
echo "$out" | tail -3
if ((status != 1)); then
  echo "FAIL: expected exit 1 with a planted leak, got $status"
  exit 1
fi
grep -q "FAIL: resident memory grows after warm-up" <<<"$out" || {
  echo "FAIL: no growth message"
  exit 1
}
echo "PASS"
