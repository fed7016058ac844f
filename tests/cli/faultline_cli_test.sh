#!/usr/bin/env bash
# Goal: the faultline command line keeps its contract (faultline_main.cc,
# run_plan.h): exit 0 when expectations are met or a command succeeds, 1 when
# expectations are not met, 2 for bad input or usage, and every error names
# what is wrong (the command, the flag, the path, file:line:col, the token).
# Method: run the binary from the runfiles tree once per case, capture its
# stdout, stderr and exit code, and match them (cli_test_lib.sh); temporary
# plans go to TEST_TMPDIR. Every case runs; the test fails if any case
# failed. The thread backend's cases are faultline_threads_test.sh.
#
# The btrfs_eb plans run on tools/cli's binary; the toy inode cache's on
# the binary its package builds with faultline_binary, which is also how a
# user gets a command line for their own scenarios. tools/cli's binary must
# not know the example.
#
# usage: faultline_cli_test.sh PATH_TO_FAULTLINE PATH_TO_ICACHE_FAULTLINE
set -u

FAULTLINE="$1"
ICACHE_FAULTLINE="$2"
source "$(dirname "$0")/cli_test_lib.sh"

# --- usage errors ---------------------------------------------------------

run
expect_code "no args" 2
expect_in "no args" "$OUT" "usage:"
expect_in "no args" "$OUT" "faultline run PLAN"

run frobnicate
expect_code "unknown command" 2
expect_in "unknown command" "$ERR" 'unknown command "frobnicate"'

run run --no_such_flag=1 plans/seed_race_prefix.textproto
expect_code "unknown flag" 2
expect_in "unknown flag" "$ERR" "--no_such_flag"
expect_in "unknown flag" "$ERR" "unknown flag"

run run --seed=abc plans/seed_race_prefix.textproto
expect_code "bad flag value" 2
expect_in "bad flag value" "$ERR" "--seed"
expect_in "bad flag value" "$ERR" '"abc"'

irun run --progress=sometimes examples/inode_cache/buggy.textproto
expect_code "bad --progress" 2
expect_in "bad --progress" "$ERR" "sometimes"

irun run --strategy=replay examples/inode_cache/buggy.textproto
expect_code "--strategy=replay" 2
expect_in "--strategy=replay" "$ERR" "--strategy"

# Sweep flags: one plan serves a sweep; a flag its strategy does not read is
# bad input, like the same field in the plan.
irun run --pct_depth=99 examples/inode_cache/buggy.textproto
expect_code "--pct_depth out of range" 2
expect_in "--pct_depth out of range" "$ERR" "--pct_depth: expected a value in [0, 16], got 99"

irun run --strategy=random --preemption_bound=2 examples/inode_cache/buggy.textproto
expect_code "--preemption_bound under RANDOM" 2
expect_in "--preemption_bound under RANDOM" "$ERR" "only strategies EXHAUSTIVE and DPOR read preemption_bound"

# --iterative_bounding: bounds 0 and 1 in turn, schedules counted per bound.
run run --iterative_bounding --preemption_bound=1 --nominimize --progress=none plans/seed_race_prefix_exhaustive.textproto
expect_code "--iterative_bounding up to bound 1" 1
expect_re "--iterative_bounding up to bound 1" "$OUT" "iterative bounding, schedules per bound: bound 0: [0-9]+, bound 1: [0-9]+; [0-9]+ in all; complete within 1 preemptions"
run run --iterative_bounding plans/seed_race_prefix.textproto
expect_code "--iterative_bounding under PCT" 2
expect_in "--iterative_bounding under PCT" "$ERR" "only strategies EXHAUSTIVE and DPOR search by preemption bound, but strategy is PCT (caused by --iterative_bounding"

# --outcomes: distinct outcomes (what every task saw); fibers only.
run run --outcomes --iterations=200 --progress=none plans/seed_race_postfix.textproto
expect_code "--outcomes" 0
expect_re "--outcomes" "$OUT" "outcomes: [0-9]+ distinct \\(what every task saw\\) among [0-9]+ runs that finished every task"
run run --outcomes plans/seed_race_postfix_threads.textproto
expect_code "--outcomes on threads" 2
expect_in "--outcomes on threads" "$ERR" "--outcomes: the plan runs on the threads backend"

run run --strategy=exhaustive --preemption_bound=1 --nominimize --progress=none plans/seed_race_prefix_exhaustive.textproto
expect_code "--preemption_bound=1 is below the race's 2 preemptions" 1
expect_in "--preemption_bound=1 is below the race's 2 preemptions" "$OUT" "search complete"

# --shard=K/N: shard K (from 0) of N, as Bazel's test sharding. A bounded
# exhaustive search is split into subtrees; one that expects a violation
# is not, and the idle shard says so instead of passing silently.
run run --shard=2/2 plans/seed_race_prefix_exhaustive.textproto
expect_code "--shard=2/2" 2
expect_in "--shard=2/2" "$ERR" "--shard=2/2: K must be below N"
run run --shard=1 plans/seed_race_prefix_exhaustive.textproto
expect_code "--shard=1" 2
expect_in "--shard=1" "$ERR" 'expected K/N (shard K of N, K from 0), got "1"'
run run --shard=-1/2 plans/seed_race_prefix_exhaustive.textproto
expect_code "--shard=-1/2" 2
expect_in "--shard=-1/2" "$ERR" 'got "-1/2"'
run run --shard=1/2 --progress=none plans/seed_race_prefix_exhaustive.textproto
expect_code "--shard=1/2 of a plan expecting a violation" 0
expect_in "--shard=1/2 of a plan expecting a violation" "$OUT" "shard note: this shard ran nothing and judges nothing"
expect_in "--shard=1/2 of a plan expecting a violation" "$OUT" "only the shard owning its subtree"
run run --shard=1/2 --preemption_bound=1 --progress=none plans/seed_race_postfix_exhaustive.textproto
expect_code "--shard=1/2 of a clean exhaustive search" 0
expect_re "--shard=1/2 of a clean exhaustive search" "$OUT" "split: [0-9]+ of [0-9]+ subtrees \(prefixes up to [0-9]+ choices, [0-9]+ probe runs\) on this shard; the search is complete over them"
expect_in "--shard=1/2 of a clean exhaustive search" "$OUT" ", shard 2/2"

# merge: the shards' reports judged together, as one unsharded run would be.
run run --shard=0/2 --preemption_bound=1 --progress=none --json_out="$TMP/s0.json" plans/seed_race_postfix_exhaustive.textproto
expect_code "shard 0/2 with --json_out" 0
run run --shard=1/2 --preemption_bound=1 --progress=none --json_out="$TMP/s1.json" plans/seed_race_postfix_exhaustive.textproto
expect_code "shard 1/2 with --json_out" 0
run merge plans/seed_race_postfix_exhaustive.textproto "$TMP/s1.json" "$TMP/s0.json"
expect_code "merge of both shards" 0
expect_in "merge of both shards" "$OUT" "2 shards merged"
expect_re "merge of both shards" "$OUT" "split: ([0-9]+) of \1 subtrees .* over the shards; the search is complete over them"
expect_in "merge of both shards" "$OUT" "[met] search_complete"
run merge plans/seed_race_postfix_exhaustive.textproto "$TMP/s1.json"
expect_code "merge without shard 0" 2
expect_in "merge without shard 0" "$ERR" "shard 0 of 2 missing"
run merge plans/seed_race_prefix.textproto "$TMP/s0.json" "$TMP/s1.json"
expect_code "merge against another plan" 2
expect_in "merge against another plan" "$ERR" "is of another plan"
printf '{"iterations_run": ' >"$TMP/cut.json"
run merge plans/seed_race_postfix_exhaustive.textproto "$TMP/s0.json" "$TMP/cut.json"
expect_code "merge of a cut-off report" 2
expect_in "merge of a cut-off report" "$ERR" "cut.json: not a faultline report"
run merge plans/seed_race_postfix_exhaustive.textproto "$TMP/s0.json" "$TMP/s1.json" --json
expect_code "merge --json" 0
expect_in "merge --json" "$OUT" '"merged_shards": 2'

run run
expect_code "run without plan" 2
expect_in "run without plan" "$ERR" "PLAN"

# A flag of another subcommand is refused, not silently ignored.
irun run --iteration=5 examples/inode_cache/buggy.textproto
expect_code "run --iteration" 2
expect_in "run --iteration" "$ERR" '--iteration is not a flag of "run"'
expect_in "run --iteration" "$ERR" "it belongs to trace"

irun run --format=chrome examples/inode_cache/buggy.textproto
expect_code "run --format" 2
expect_in "run --format" "$ERR" "it belongs to render, trace"

irun check --nominimize examples/inode_cache/buggy.textproto
expect_code "check --nominimize" 2
expect_in "check --nominimize" "$ERR" '--minimize is not a flag of "check"'

run list-points --flagfile=/dev/null
expect_code "abseil's own flags" 2
expect_in "abseil's own flags" "$ERR" "no command reads it"

run replay only-one-arg
expect_code "replay arity" 2
expect_in "replay arity" "$ERR" "TOKEN and PLAN"

# --- bad plans --------------------------------------------------------------

MISSING="$TMP/no/such/dir/missing_plan.textproto"
run run "$MISSING"
expect_code "missing plan" 2
expect_in "missing plan" "$ERR" "$MISSING"
expect_re "missing plan" "$ERR" "cannot open|not found|No such file"

run check "$MISSING"
expect_code "check missing plan" 2
expect_in "check missing plan" "$ERR" "$MISSING"

TYPO="$TMP/typo.textproto"
cat >"$TYPO" <<'EOF'
version: 1
scenario { name: "icache.igrab_vs_iput" variant: "buggy" }
exploration { strategy: RANDOM iterations: 10 }
expect { violaton: "icache.use_after_free" }
EOF
irun run "$TYPO"
expect_code "typo'd field" 2
expect_re "typo'd field" "$ERR" "typo\.textproto:4:[0-9]+"
expect_in "typo'd field" "$ERR" "violaton"

irun check "$TYPO"
expect_code "check typo'd field" 2
expect_re "check typo'd field" "$ERR" "typo\.textproto:4:[0-9]+"

# A misspelt check name used to pass (no_violation_of) or run the whole
# budget (violation); both are load-time errors now.
CHECK_TYPO="$TMP/check_typo.textproto"
cat >"$CHECK_TYPO" <<'EOF'
version: 1
scenario { name: "icache.igrab_vs_iput" variant: "buggy" }
exploration { strategy: RANDOM iterations: 10 }
expect { no_violation_of: "icache.use_after_fre" }
EOF
irun run --progress=none "$CHECK_TYPO"
expect_code "misspelt check" 2
expect_in "misspelt check" "$ERR" "check_typo.textproto:4:10: expect[0].no_violation_of: unknown check \"icache.use_after_fre\""
expect_in "misspelt check" "$ERR" "did you mean \"icache.use_after_free\"?"

irun check "$CHECK_TYPO"
expect_code "check misspelt check" 2
expect_in "check misspelt check" "$ERR" "did you mean \"icache.use_after_free\"?"

TASK_TYPO="$TMP/task_typo.textproto"
cat >"$TASK_TYPO" <<'EOF'
version: 1
scenario { name: "btrfs_eb.seed_race" }
rules { point: "mm.trylock_page" tasks: "cpu9" fail {} }
expect { no_violation: true }
EOF
run check "$TASK_TYPO"
expect_code "unknown task" 2
expect_in "unknown task" "$ERR" "task_typo.textproto:3:34: rules[0].tasks[0]: no task or role \"cpu9\" in scenario \"btrfs_eb.seed_race\"; did you mean \"cpu0\"?"

# Parameter values were only checked when the scenario was built; a block
# of 1 TiB allocated until killed and `check` said ok.
BIG_BLOCK="$TMP/big_block.textproto"
cat >"$BIG_BLOCK" <<'EOF'
version: 1
scenario { name: "btrfs_eb.seed_race" params { key: "block" value: "1099511627776" } }
expect { no_violation: true }
EOF
run check "$BIG_BLOCK"
expect_code "parameter out of range" 2
expect_in "parameter out of range" "$ERR" "big_block.textproto:2:39: scenario.params[\"block\"]: expected an integer in [0, 16777216], got \"1099511627776\""

# A FIFO used to block the loader forever.
FIFO="$TMP/fifo.textproto"
mkfifo "$FIFO"
run check "$FIFO"
expect_code "fifo plan" 2
expect_in "fifo plan" "$ERR" "not a regular file"

UNKNOWN_SCENARIO="$TMP/unknown_scenario.textproto"
cat >"$UNKNOWN_SCENARIO" <<'EOF'
version: 1
scenario { name: "icache.igrab_vs_iputt" variant: "buggy" }
EOF
irun run "$UNKNOWN_SCENARIO"
expect_code "unknown scenario" 2
expect_re "unknown scenario" "$ERR" "unknown_scenario\.textproto:2:[0-9]+"
expect_in "unknown scenario" "$ERR" 'did you mean "icache.igrab_vs_iput"'

# --- corrupt tokens ---------------------------------------------------------

irun replay not-a-token examples/inode_cache/buggy.textproto
expect_code "token prefix" 2
expect_in "token prefix" "$ERR" "bad prefix"

# A token of format version 2 (pinned by //tests/explore:golden_test before
# version 3) is refused, naming both versions.
irun replay fl1-AvPrmZ7BytanhAGT18PC0LWuihQBAgMDhAEBAJ_davk \
  examples/inode_cache/buggy.textproto
expect_code "version 2 token" 2
expect_in "version 2 token" "$ERR" \
  "replay token: version 2 is not supported: this faultline reads version 3"

# A real token with one character changed fails its checksum (or its
# base64, if the new character is not in the alphabet).
ICACHE_RUN="$TMP/icache.json"
irun run --json --progress=none examples/inode_cache/buggy.textproto
cp "$OUT" "$ICACHE_RUN"
TOKEN=$(json_token "$ICACHE_RUN")
if [[ -z "$TOKEN" ]]; then
  fail "icache --json: no replay_token"
else
  last="${TOKEN: -2:1}"
  if [[ "$last" == "A" ]]; then repl="B"; else repl="A"; fi
  BAD="${TOKEN:0:${#TOKEN}-2}${repl}${TOKEN: -1}"
  irun replay "$BAD" examples/inode_cache/buggy.textproto
  expect_code "altered token" 2
  expect_re "altered token" "$ERR" "replay token: (checksum mismatch|truncated|bad)"

  irun replay "${TOKEN:0:10}" examples/inode_cache/buggy.textproto
  expect_code "cut token" 2
  expect_in "cut token" "$ERR" "replay token:"

  # The token is bound to its plan: the fixed variant refuses it.
  irun replay "$TOKEN" examples/inode_cache/fixed.textproto
  expect_code "token for another plan" 2
  expect_in "token for another plan" "$ERR" "another plan"

  # Same scenario and rules (so the token's plan hash matches) but a step
  # budget the recorded schedule cannot fit in: replay and render say where
  # it diverged and exit 2 instead of showing some other run.
  SHORT="$TMP/buggy_short.textproto"
  sed 's/^exploration {/exploration { max_steps: 2/' \
    examples/inode_cache/buggy.textproto >"$SHORT"
  irun replay "$TOKEN" "$SHORT"
  expect_code "replay diverging token" 2
  expect_re "replay diverging token" "$ERR" "diverged at step [0-9]+"
  irun render "$TOKEN" "$SHORT"
  expect_code "render diverging token" 2
  expect_re "render diverging token" "$ERR" "render: replay diverged at step [0-9]+"

  irun replay "$TOKEN" examples/inode_cache/buggy.textproto
  expect_code "icache replay" 0
  expect_in "icache replay" "$OUT" "VIOLATION icache.use_after_free"

  # minimize prints a token that replays against the plan file it was
  # given, and says so.
  irun minimize "$TOKEN" examples/inode_cache/buggy.textproto
  expect_code "icache minimize" 0
  expect_in "icache minimize" "$OUT" \
    "replays against examples/inode_cache/buggy.textproto"
  MIN=$(sed -nE 's/^token: (.*)$/\1/p' "$OUT")
  if [[ -z "$MIN" ]]; then
    fail "icache minimize: no token line"
  else
    irun replay "$MIN" examples/inode_cache/buggy.textproto
    expect_code "minimized token against the plan file" 0
    expect_in "minimized token against the plan file" "$OUT" \
      "VIOLATION icache.use_after_free"
  fi
fi

# --- listings and checks ----------------------------------------------------

run check plans/*.textproto
expect_code "check all plans" 0
for plan in plans/*.textproto; do
  expect_in "check all plans" "$OUT" "ok: $plan"
done
irun check examples/inode_cache/*.textproto
expect_code "check example plans" 0
for plan in examples/inode_cache/*.textproto; do
  expect_in "check example plans" "$OUT" "ok: $plan"
done

# tools/cli no longer links the examples: their plans name a scenario it
# does not have.
run check examples/inode_cache/buggy.textproto
expect_code "example plan on tools/cli" 2
expect_in "example plan on tools/cli" "$ERR" 'unknown scenario "icache.igrab_vs_iput"'

run list-points
expect_code "list-points" 0
expect_re "list-points" "$OUT" "^mm\.trylock_page "
irun list-points
expect_code "example list-points" 0
expect_re "example list-points" "$OUT" "^icache\.igrab\.after_check "

run list-checks
expect_code "list-checks" 0
expect_re "list-checks" "$OUT" "^btrfs_release_extent_buffer_pages\.under_io +bug "
expect_re "list-checks" "$OUT" "^release_extent_buffer\.refs_zero +warn "
expect_re "list-checks" "$OUT" "^livelock\.step_budget +runtime"
expect_re "list-checks" "$OUT" "^livelock\.wall_time +runtime"
irun list-checks
expect_code "example list-checks" 0
expect_re "example list-checks" "$OUT" "^icache\.use_after_free +bug +examples/inode_cache/inode_cache\.cc:"

run list-scenarios
expect_code "list-scenarios" 0
expect_re "list-scenarios" "$OUT" "^btrfs_eb\.seed_race$"
if grep -q "icache" "$OUT"; then fail "tools/cli lists the example's scenario"; fi
irun list-scenarios
expect_code "example list-scenarios" 0
expect_re "example list-scenarios" "$OUT" "^icache\.igrab_vs_iput$"
if grep -q "btrfs_eb" "$OUT"; then fail "the example's faultline lists btrfs_eb"; fi

run list-hooks
expect_code "list-hooks" 0

run help
expect_code "help" 0
expect_in "help" "$OUT" "usage:"

# --- run outcomes -----------------------------------------------------------

irun run --progress=none examples/inode_cache/buggy.textproto
expect_code "run buggy icache" 0
expect_in "run buggy icache" "$OUT" "icache.use_after_free"

irun run --progress=none examples/inode_cache/fixed.textproto
expect_code "run fixed icache" 0

NOT_MET="$TMP/fixed_expects_violation.textproto"
cat >"$NOT_MET" <<'EOF'
version: 1
description: "fixed variant wrongly expecting the race"
scenario { name: "icache.igrab_vs_iput" variant: "fixed" }
exploration { strategy: EXHAUSTIVE preemption_bound: 2 iterations: 10000 }
expect { violation: "icache.use_after_free" }
EOF
irun run --progress=none "$NOT_MET"
expect_code "expectation not met" 1

irun run --progress=none "$NOT_MET" examples/inode_cache/buggy.textproto
expect_code "worst of two plans" 1
expect_in "worst of two plans" "$OUT" "some expectations NOT met"

# A step budget may run out anywhere (a step check, a release in a lock
# guard's destructor): every small budget ends as the violation, with the
# verdict's exit code, never an uncaught exception (exit 134).
for budget in 1 2 3 4 5 6 7 8 9 10 11 12 20 50; do
  BUDGET_PLAN="$TMP/seed_budget_$budget.textproto"
  sed -e "s/^exploration {/exploration { max_steps: $budget/" \
    -e 's/iterations: 2000/iterations: 20/' \
    plans/seed_race_prefix.textproto >"$BUDGET_PLAN"
  run run --progress=none "$BUDGET_PLAN"
  expect_code "max_steps $budget" 1
  expect_in "max_steps $budget" "$OUT" "livelock.step_budget"
done

# The iteration timeout (fibers: livelock.wall_time; threads: the watchdog)
# is a plan field with a documented range.
TIMEOUT_PLAN="$TMP/timeout.textproto"
sed 's/^exploration {/exploration { iteration_timeout_ms: 3600001/' \
  examples/inode_cache/buggy.textproto >"$TIMEOUT_PLAN"
irun check "$TIMEOUT_PLAN"
expect_code "iteration_timeout_ms too large" 2
expect_re "iteration_timeout_ms too large" "$ERR" \
  "timeout.textproto:[0-9]+:[0-9]+: exploration.iteration_timeout_ms: expected a value in \\[0, 3600000\\]"
sed 's/^exploration {/exploration { iteration_timeout_ms: 60000/' \
  examples/inode_cache/buggy.textproto >"$TIMEOUT_PLAN"
irun run --progress=none "$TIMEOUT_PLAN"
expect_code "iteration_timeout_ms in range" 0

# A flag that makes a valid plan invalid says the flag caused it.
irun run --progress=none --strategy=random examples/inode_cache/buggy.textproto
expect_code "--strategy conflicting with the plan" 2
expect_in "--strategy conflicting with the plan" "$ERR" "preemption_bound"
expect_in "--strategy conflicting with the plan" "$ERR" \
  "caused by --strategy=random on the command line"

JSON_OUT="$TMP/report_copy.json"
irun run --progress=none --json_out="$JSON_OUT" examples/inode_cache/buggy.textproto
expect_code "--json_out" 0
if [[ ! -s "$JSON_OUT" ]]; then
  fail "--json_out: $JSON_OUT not written"
else
  expect_in "--json_out" "$JSON_OUT" '"expectations_met": true'
fi

irun run --progress=none --json_out="$TMP/no/such/dir/report.json" \
  examples/inode_cache/buggy.textproto
expect_code "--json_out unwritable" 2
expect_in "--json_out unwritable" "$ERR" "--json_out: cannot write $TMP/no/such/dir/report.json"

finish
