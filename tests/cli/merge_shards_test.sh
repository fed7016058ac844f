#!/usr/bin/env bash
# Goal: tools/merge_shards gives one verdict for a sharded plan test from
# the layout Bazel leaves under bazel-testlogs (shard_K_of_N/test.outputs/
# outputs.zip holding report.json), and says clearly what is missing.
# Method: a fake testlogs tree whose shards' reports come from real
# `faultline run --shard=K/2 --json_out` runs, zipped as Bazel zips them;
# then cases with a shard's outputs gone and with a malformed label.
#
# usage: merge_shards_test.sh PATH_TO_FAULTLINE PATH_TO_MERGE_SHARDS
set -u

FAULTLINE="$1"
MERGE="$2"
source "$(dirname "$0")/cli_test_lib.sh"

PLAN=plans/seed_race_postfix_exhaustive.textproto
LOGS="$TMP/testlogs/plans/demo_test"
for k in 0 1; do
  dir="$LOGS/shard_$((k + 1))_of_2/test.outputs"
  mkdir -p "$dir"
  run run --shard=$k/2 --preemption_bound=1 --progress=none \
    --json_out="$dir/report.json" "$PLAN"
  expect_code "shard $k/2" 0
  python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + "/outputs.zip", "w") as z:
    z.write(sys.argv[1] + "/report.json", "report.json")' "$dir"
  rm "$dir/report.json"
done

merge() {
  "$MERGE" --faultline="$FAULTLINE" --testlogs="$TMP/testlogs" "$@" \
    >"$OUT" 2>"$ERR"
  CODE=$?
}

merge //plans:demo_test
expect_code "both shards" 0
expect_in "both shards" "$OUT" "2 shards merged"
expect_in "both shards" "$OUT" "[met] search_complete"

merge //plans:demo_test --json
expect_code "--json" 0
expect_in "--json" "$OUT" '"merged_shards": 2'

rm -r "$LOGS/shard_2_of_2/test.outputs"
merge //plans:demo_test
expect_code "a shard without outputs" 2
expect_in "a shard without outputs" "$ERR" "shard_2_of_2: no report.json in the test outputs"

merge plans:demo_test
expect_code "label without //" 2
expect_in "label without //" "$ERR" "is not a test label"

merge //plans:never_run_test
expect_code "a test never run" 2
expect_in "a test never run" "$ERR" "no test logs; run \`bazel test //plans:never_run_test\` first"

finish
