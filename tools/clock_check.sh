#!/usr/bin/env bash
# Checks that no C++ code reads the wall clock. Decisions must not depend on
# it (a run is a function of its plan and seed), and real-time deadlines
# (the thread backend's watchdog, wait timeouts, a test's "it returned
# promptly") must use the monotonic std::chrono::steady_clock: a fresh
# machine steps its wall clock when it first syncs, and a 10 s step made the
# watchdog report a run of a few milliseconds as a 10 s hang. Looks for
# absl::Now, absl::GetCurrentTimeNanos, absl::ToChronoTime,
# std::chrono::system_clock, gettimeofday, CLOCK_REALTIME and time(NULL).
# Used by tools/test.
#
#   tools/clock_check.sh          # every tracked .cc/.h/.c file
#   tools/clock_check.sh FILE...  # only these files
#
# Prints each offending line and exits 1; exits 0 when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."

pattern='absl::(Now|GetCurrentTimeNanos|ToChronoTime)\b|system_clock|'
pattern+='gettimeofday|CLOCK_REALTIME|\btime\((nullptr|NULL|0)\)'

if (($# > 0)); then
  found=$(grep -nHE "$pattern" -- "$@" || true)
else
  found=$(git grep -nE "$pattern" -- '*.cc' '*.h' '*.c' || true)
fi
if [[ -n $found ]]; then
  echo "$found"
  echo "clock check: the lines above read the wall clock; use" \
    "std::chrono::steady_clock (or the run's virtual time)" >&2
  exit 1
fi
echo "clock check: no wall-clock reads"
