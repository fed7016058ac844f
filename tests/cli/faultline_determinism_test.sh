#!/usr/bin/env bash
# Goal (acceptance criterion): exploration is deterministic across processes.
# Two separate `faultline run --json` processes over the seed race plan give
# the same report, field for field, except the wall-clock fields; a token the
# run reported, replayed in fresh processes against the same plan file, shows
# the same BUG_ON with the same trace hash every time.
# Method: run the binary from the runfiles tree; canonicalize both JSON
# reports (keys sorted, wall_seconds and schedules_per_second dropped) and
# diff them whole; check that the fields that carry schedules (trace hashes,
# tokens) are really there; replay a token twice and compare the "trace
# hash" lines printed.
#
# usage: faultline_determinism_test.sh PATH_TO_FAULTLINE
set -u

FAULTLINE="$1"
PLAN="plans/seed_race_prefix.textproto"
CHECK="btrfs_release_extent_buffer_pages.under_io"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
# Run as a user would, not as a sharded plan test.
unset TEST_TOTAL_SHARDS TEST_SHARD_INDEX TEST_SHARD_STATUS_FILE TEST_RUN_NUMBER
unset FAULTLINE_SEED FAULTLINE_ITERATIONS TEST_UNDECLARED_OUTPUTS_DIR

die() {
  echo "FAIL: $*"
  exit 1
}

# field NAME FILE: the values of every JSON line "NAME": ..., in order.
field() {
  grep -E "\"$1\": " "$2" | sed -E "s/.*\"$1\": *\"?([^\",]*)\"?,?$/\1/"
}

# token_of NAME FILE: field NAME of the first violation of $CHECK.
token_of() {
  awk -v check="$CHECK" -v name="$1" '
    index($0, "\"check\": \"" check "\"") { want = 1 }
    want && index($0, "\"" name "\"") {
      sub(/.*": *"/, ""); sub(/".*/, ""); print; exit
    }' "$2"
}

# run_plan N: one `faultline run --json` process into $TMP/runN.json.
run_plan() {
  "$FAULTLINE" run --json --progress=none "$PLAN" >"$TMP/run$1.json" \
    2>"$TMP/run$1.err"
  local code=$?
  [[ "$code" == 0 ]] || die "run $1: exit $code, want 0: $(cat "$TMP/run$1.err")"
  grep -qF "\"check\": \"$CHECK\"" "$TMP/run$1.json" ||
    die "run $1: no $CHECK in the report"
}

# replay_twice TOKEN LABEL: two fresh replay processes both exit 0, show the
# violation and print the same trace hash.
replay_twice() {
  local n code
  for n in 1 2; do
    "$FAULTLINE" replay "$1" "$PLAN" >"$TMP/$2$n.out" 2>"$TMP/$2$n.err"
    code=$?
    [[ "$code" == 0 ]] ||
      die "replay $n of the $2 token: exit $code, want 0: $(cat "$TMP/$2$n.err")"
    grep -qF "VIOLATION $CHECK" "$TMP/$2$n.out" ||
      die "replay $n of the $2 token does not show VIOLATION $CHECK"
    grep -Eo "trace hash [0-9a-f]+" "$TMP/$2$n.out" >"$TMP/$2$n.hash" ||
      die "replay $n of the $2 token printed no trace hash"
  done
  diff "$TMP/${2}1.hash" "$TMP/${2}2.hash" >/dev/null ||
    die "$2 token: trace hash differs between replays: $(cat "$TMP/${2}1.hash") vs $(cat "$TMP/${2}2.hash")"
  echo "$2 token replays to $(cat "$TMP/${2}1.hash") in both processes"
}

# canonical N: run N's report with sorted keys and no wall-clock fields.
canonical() {
  python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
for key in ("wall_seconds", "schedules_per_second"):
    report.pop(key, None)
json.dump(report, sys.stdout, indent=1, sort_keys=True)
' "$TMP/run$1.json" >"$TMP/canonical$1.json" || die "run $1: report is not JSON"
}

run_plan 1
run_plan 2
canonical 1
canonical 2
for name in trace_hash replay_token minimized_token; do
  [[ -n "$(field "$name" "$TMP/canonical1.json")" ]] ||
    die "run 1 reported no $name"
done
diff "$TMP/canonical1.json" "$TMP/canonical2.json" >"$TMP/report.diff" ||
  die "the reports differ between processes: $(head -20 "$TMP/report.diff")"
echo "two runs agree on the whole report ($(wc -l <"$TMP/canonical1.json") lines)," \
  "$(field trace_hash "$TMP/canonical1.json" | wc -l) trace hash(es) and every token"

TOKEN=$(token_of minimized_token "$TMP/run1.json")
[[ -n "$TOKEN" ]] || die "no minimized_token for $CHECK"
replay_twice "$TOKEN" minimized
FULL=$(token_of replay_token "$TMP/run1.json")
[[ -n "$FULL" ]] || die "no replay_token for $CHECK"
replay_twice "$FULL" full
# ...and the replay is the run that was reported: same trace hash.
HASH=$(token_of trace_hash "$TMP/run1.json")
[[ "trace hash $(printf '%016x' "$HASH")" == "$(cat "$TMP/full1.hash")" ]] ||
  die "the run reported trace hash $HASH, its replay $(cat "$TMP/full1.hash")"
echo PASS
