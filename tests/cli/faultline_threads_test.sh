#!/usr/bin/env bash
# Goal: the faultline command line on the thread backend: a real-thread run
# reports a token that `replay` reruns on threads until the failure comes
# back, `minimize` refuses it, and `trace` runs its iteration on threads. A
# target of its own so tools/test runs it under ThreadSanitizer (tag "tsan")
# without the fiber cases of faultline_cli_test.sh.
# Method: as faultline_cli_test.sh (cli_test_lib.sh): one process per case,
# exit code and messages matched; every case runs.
#
# usage: faultline_threads_test.sh PATH_TO_FAULTLINE
set -u

FAULTLINE="$1"
source "$(dirname "$0")/cli_test_lib.sh"

# A real-thread run cannot be replayed step by step: replay reruns its seed
# on threads until the failure comes back; minimize refuses the token.
THREADS_PLAN=plans/seed_race_prefix_threads.textproto
run run --json --progress=none "$THREADS_PLAN"
expect_code "threads run" 0
TTOKEN=$(json_token "$OUT")
if [[ -z "$TTOKEN" ]]; then
  fail "threads --json: no replay_token"
else
  run replay "$TTOKEN" "$THREADS_PLAN"
  expect_code "threads replay" 0
  expect_in "threads replay" "$OUT" "VIOLATION btrfs_release_extent_buffer_pages.under_io"
  expect_re "threads replay" "$OUT" "thread backend token: failed again after [0-9]+ attempts"

  run minimize "$TTOKEN" "$THREADS_PLAN"
  expect_code "threads minimize" 2
  expect_in "threads minimize" "$ERR" "only the fiber backend"
fi

# `trace` of a thread-backend plan runs its iteration on threads: every
# operation is in the events, each by a task of the scenario.
run trace plans/seed_race_postfix_threads.textproto --format=events
expect_code "threads trace" 0
expect_re "threads trace" "$OUT" "inc_not_zero|rmw"
expect_in "threads trace" "$OUT" "no violation"

finish
