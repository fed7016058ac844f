#!/usr/bin/env bash
# Sharded systematic search against one shard (issue 15 item 3, issue 11
# item 5): runs PLAN with one shard, then as shards 0/2 and 1/2 in two
# concurrent processes, and prints the wall time of each phase, the CPU time
# (user + sys) of each process and the ratios. On a shared machine the wall
# ratio depends on the load (printed); the CPU ratio (the busier shard
# against one shard) is what two free cores would give.
#
# usage: bazel build -c opt //tools/cli:faultline
#        bench/shard_split_bench.sh bazel-bin/tools/cli/faultline PLAN [RUNS]
set -eu
F="$1"
P="$2"
RUNS="${3:-3}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cpu() { awk '{printf "%.2f", $1 + $2}' "$1"; }
for _ in $(seq "$RUNS"); do
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$TMP/c1" "$F" run --progress=none "$P" >"$TMP/one"
  t1=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$TMP/c2" "$F" run --progress=none --shard=0/2 "$P" >"$TMP/s0" &
  a=$!
  /usr/bin/time -f "%U %S" -o "$TMP/c3" "$F" run --progress=none --shard=1/2 "$P" >"$TMP/s1" &
  b=$!
  wait "$a"
  wait "$b"
  t2=$(date +%s.%N)
  grep -q "RESULT: PASS" "$TMP/s0" && grep -q "RESULT: PASS" "$TMP/s1"
  one=$(echo "$t1 - $t0" | bc)
  two=$(echo "$t2 - $t1" | bc)
  c1=$(cpu "$TMP/c1")
  c2=$(cpu "$TMP/c2")
  c3=$(cpu "$TMP/c3")
  mx=$(echo "if ($c2 > $c3) $c2 else $c3" | bc)
  echo "load $(cut -d' ' -f1-3 /proc/loadavg) | wall: 1 shard $(printf %.2f "$one") s," \
    "2 shards $(printf %.2f "$two") s, ratio $(echo "scale=2; $two / $one" | bc) |" \
    "cpu: 1 shard $c1 s, shards $c2 + $c3 s, busier/1 = $(echo "scale=2; $mx / $c1" | bc)"
done
grep -h "split:" "$TMP/s0" "$TMP/s1"
