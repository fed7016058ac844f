// -----------------------------------------------------------------------------
// File: explorer.h
// -----------------------------------------------------------------------------
//
// The Explorer runs a validated plan: iteration after iteration, each with a
// fresh world from the plan's scenario, a seed derived from (plan seed,
// iteration index), and the plan's strategy choosing the interleaving. It
// stops at the first violation (unless the plan collects all), at the
// iteration or time budget, or when bounded exhaustive search has visited
// every schedule. It then minimizes and renders the first failing run of
// each violated check and judges the plan's expectations.
//
// Sharding: iteration i belongs to shard i % total_shards, so the union of
// the shards' iterations is the unsharded run, schedule for schedule.
// Bounded exhaustive search is split into disjoint subtrees of its schedule
// tree, dealt out to the shards (shard_split.h); a systematic search that
// cannot be split (DPOR, fault choices, an expected violation) runs on
// shard 0 only, and every shard's report says why.
//
// Example:
//   absl::StatusOr<Plan> plan = LoadPlanFile("plans/seed_race.textproto");
//   Explorer explorer(*plan, "plans/seed_race.textproto", options);
//   absl::StatusOr<Report> report = explorer.Run();
//   return report->expectations_met() ? 0 : 1;

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_EXPLORER_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_EXPLORER_H_

#include <functional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "framework/explore/explorer_options.h"
#include "framework/explore/report.pb.h"
#include "framework/plan.pb.h"
#include "framework/runtime/iteration.h"

namespace faultline {

class Explorer {
 public:
  // REQUIRES: `plan` passed ValidatePlan (plan_loader.h).
  Explorer(Plan plan, std::string plan_path, ExplorerOptions options);

  // Progress callback: (iterations done, iterations planned, violations).
  using ProgressFn = std::function<void(uint64_t, uint64_t, uint64_t)>;
  void set_progress(ProgressFn progress) { progress_ = std::move(progress); }

  // Called when an iteration cannot be stopped (a task loops without any
  // instrumented operation a whole iteration_timeout_ms past the limit),
  // on the wall-clock guard's thread, just before the process exits with
  // status 1: the report so far, the stuck iteration's livelock.wall_time
  // (with its replay token, neither minimized nor rendered) included.
  using StuckFn = std::function<void(const Report&)>;
  void set_on_stuck(StuckFn on_stuck) { on_stuck_ = std::move(on_stuck); }

  // Runs the exploration. An error means the plan could not run at all (a
  // scenario that failed to build, a corrupt replay token), not that a
  // violation was found.
  absl::StatusOr<Report> Run();

 private:
  Plan plan_;
  std::string plan_path_;
  ExplorerOptions options_;
  ProgressFn progress_;
  StuckFn on_stuck_;
};

// A stable hash of the parts of a plan that decide what one iteration does
// (scenario and rules, not exploration), stored in replay tokens so a token
// is only replayed against the plan it came from.
uint64_t PlanHash(const Plan& plan);

// Iteration `index` of `plan` exactly as an unsharded Explorer::Run runs it
// (the same seed and strategy state; exhaustive search walks the schedules
// before it), with every trace event. OutOfRange if an exhaustive search has
// fewer schedules; errors as Explorer::Run otherwise.
absl::StatusOr<IterationResult> RunPlanIteration(const Plan& plan,
                                                 uint64_t index);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_EXPLORER_H_
