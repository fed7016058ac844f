// -----------------------------------------------------------------------------
// File: failure_report.h
// -----------------------------------------------------------------------------
//
// The explanation of one violated check: the first iteration that violated
// it becomes a ViolationReport with its replay token, and (fiber backend)
// the run shrunk by the minimizer (minimize.h) to what the race needs, with
// a token for the shrunk run and its rendered CPU table. A thread-backend
// run cannot be replayed step by step, so its own recorded trace is
// rendered instead.
//
// Internal to the explorer (explorer.h is the interface).

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_FAILURE_REPORT_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_FAILURE_REPORT_H_

#include <cstdint>

#include "framework/explore/report.pb.h"
#include "framework/plan.pb.h"
#include "framework/rule_set.h"
#include "framework/runtime/iteration.h"

namespace faultline {
namespace explore_internal {

// The first failing iteration of one check, kept for minimization.
struct FirstFailure {
  Violation violation;
  uint64_t iteration = 0;
  uint64_t seed = 0;
  Trace trace;
  uint64_t fire_count = 0;
  std::vector<uint64_t> branch_fires;  // the fault choices it ran under
};

// What explaining a failure needs from the exploration that found it.
struct FailureContext {
  const Plan* plan = nullptr;  // as run
  uint64_t plan_hash = 0;      // PlanHash(*plan)
  bool fibers = true;          // false: found by the thread backend
  // Recorded in the token: the strategy that found it, kThreads for the
  // thread backend.
  StrategyKind strategy = StrategyKind::kRandomWalk;
  uint64_t max_steps = 0;
  bool minimize = true;
  bool render = true;
  // For naming the swarm rules that fired (nullptr: the plan has none).
  const RuleSet* rules = nullptr;
};

// The report of `failure`. Minimizing replays the run (fibers only). The
// names of the rules that fired in the run the report shows (its table:
// the minimized replay, or the run itself) are added to `shown_fires`, so
// the report never warns that a rule shown firing never fired.
ViolationReport DescribeFailure(const FirstFailure& failure,
                                const FailureContext& context,
                                std::set<std::string>* shown_fires);

}  // namespace explore_internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_FAILURE_REPORT_H_
