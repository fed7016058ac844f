// -----------------------------------------------------------------------------
// File: minimize.h
// -----------------------------------------------------------------------------
//
// Shrinks a failing run to the fewest ingredients that still make the same
// check fail, so the rendered trace shows the race and nothing else:
//
//   1. drop injected faults: replay with subsets of the run's rule fires
//      suppressed (RunOptions::suppressed_fires), delta-debugging style;
//   2. remove preemptions: replay with subsets of the recorded non-default
//      switches removed (lenient replay takes the default choice instead);
//   3. shorten delays: halve each delay rule's duration while it still fails.
//
// Steps 1 and 2 alternate until neither removes anything: a fault may stop
// being needed once a preemption is gone, and the other way round. Each
// candidate is one deterministic replay under the fiber backend; a
// candidate is kept if the iteration reports a violation of the same check.
// The result is 1-minimal for faults and switches with respect to single
// removals (ddmin), within `max_replays`.

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_MINIMIZE_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_MINIMIZE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/plan.pb.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/scenario.h"

namespace faultline {

struct FailingRun {
  Plan plan;  // scenario + rules as run (exploration ignored)
  uint64_t seed = 0;
  std::vector<std::pair<uint32_t, uint32_t>> switches;
  std::vector<uint64_t> suppressed_fires;  // sorted
  std::string check;
  uint64_t max_steps = 100000;
  // Found by the thread backend (token strategy kThreads): `switches` is
  // empty and the run cannot be replayed step by step (RerunThreads).
  bool threads = false;
  // Found by DPOR (token strategy kDpor): replays run under
  // IterationConfig::dpor, the step model it explored.
  bool dpor = false;
  // Fault choices it ran under (IterationConfig::branch_fires).
  std::vector<uint64_t> branch_fires;
};

struct MinimizeResult {
  FailingRun run;        // the minimized run
  IterationResult last;  // its replay, with events
  uint32_t replays = 0;
  uint32_t fires = 0;  // injected faults that fired in the minimized run
  // False if the failing run did not fail when replayed (the program is
  // not deterministic under replay); `run` is then the input, unshrunk.
  bool reproduced = true;
};

struct MinimizeOptions {
  uint32_t max_replays = 400;
  // Step 3. It changes the plan, so the result's token replays only against
  // the minimized plan (printed by `faultline minimize`); the explorer keeps
  // it off so report tokens replay against the plan file as written.
  bool shorten_delays = false;
};

// Shrinks `failing`. If it does not fail when replayed, `reproduced` is false
// and the run comes back unshrunk.
MinimizeResult Minimize(const FailingRun& failing,
                        const MinimizeOptions& options);

// Replays a run with events recorded; `render` also probes the world's
// state after every step (IterationConfig::probe_each_step), for a
// rendered table. Exposed for the CLI's replay command and for tests.
IterationResult ReplayRun(const FailingRun& run,
                          ReplayMode mode = ReplayMode::kLenient,
                          bool render = false);

// A thread-backend run is not reproducible step by step; what can be
// repeated is its seed, so every task makes the same fault decisions at its
// n-th hit of a point. RerunThreads runs the seed on real threads until the
// run's check (any check if empty) fails again, at most `max_attempts`
// times: best-effort replay.
struct ThreadRerun {
  IterationResult last;  // the failing attempt, or the last one
  int attempts = 0;
  bool reproduced = false;
};
ThreadRerun RerunThreads(const FailingRun& run, int max_attempts);

// Fires of rules in a replayed run: fire ordinals that were not suppressed.
uint32_t CountFires(const IterationResult& result);

// True if `result` has a violation of `check`.
bool HasViolation(const IterationResult& result, const std::string& check);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_MINIMIZE_H_
