#!/usr/bin/env bash
# Goal: a failing inline model prints a command that replays its failure,
# and running the test that way replays that schedule (same violation, same
# table) in a fresh process.
# Method: run model_failing once (it must fail, printing "replay it: ..."),
# take the token from the command, run it again with FAULTLINE_REPLAY set as
# the command says, and compare.
#
# usage: model_replay_test.sh PATH_TO_MODEL_FAILING
set -u
BIN="$1"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
status=0

"$BIN" >"$TMP/first" 2>&1
code=$?
if [[ "$code" == 0 ]]; then echo "FAIL: model_failing passed"; exit 1; fi
grep -q "counter.lost_update" "$TMP/first" || { echo "FAIL: no violation"; status=1; }
cmd=$(grep -m1 "^replay it: " "$TMP/first")
token=$(sed -nE 's/.*FAULTLINE_REPLAY=(fl3-[A-Za-z0-9_-]+).*/\1/p' <<<"$cmd")
if [[ -z "$token" ]]; then
  echo "FAIL: no replay command with a token"; cat "$TMP/first"; exit 1
fi
grep -q -- "--test_filter=Counter.IncrementsAreNotLost" <<<"$cmd" ||
  { echo "FAIL: command lacks the test filter: $cmd"; status=1; }

FAULTLINE_REPLAY="$token" "$BIN" --gtest_filter=Counter.IncrementsAreNotLost \
  >"$TMP/second" 2>&1
code=$?
if [[ "$code" == 0 ]]; then echo "FAIL: replay passed"; status=1; fi
grep -q "(replayed FAULTLINE_REPLAY=$token)" "$TMP/second" ||
  { echo "FAIL: not replayed"; cat "$TMP/second"; status=1; }
grep -q "counter.lost_update" "$TMP/second" ||
  { echo "FAIL: replay lost the violation"; status=1; }

FAULTLINE_REPLAY="fl3-garbage" "$BIN" >"$TMP/third" 2>&1
grep -q "FAULTLINE_REPLAY: " "$TMP/third" ||
  { echo "FAIL: a bad token is not reported"; cat "$TMP/third"; status=1; }

# A token of an older format is refused naming both versions.
FAULTLINE_REPLAY="fl1-garbage" "$BIN" >"$TMP/fourth" 2>&1
grep -q "FAULTLINE_REPLAY: .*version 1 or 2 is not supported: this faultline reads version 3" "$TMP/fourth" ||
  { echo "FAIL: an old token is not refused by version"; cat "$TMP/fourth"; status=1; }

[[ "$status" == 0 ]] && echo "all cases passed"
exit "$status"
