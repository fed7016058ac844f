// Goal: a minimized run keeps nothing the failure does not need: without
// any one of its kept fault fires, or any one of its kept switches, the
// check no longer fails (1-minimal, minimize.h). A fault may stop being
// needed only after a switch is gone, so this holds only if the minimizer
// alternates its steps until neither removes anything.
// Method: the btrfs seed race plan is explored in process; its minimized
// token is replayed with each kept fire suppressed, and with each kept
// switch removed, one at a time.
#include "framework/explore/minimize.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "framework/explore/explorer.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"
#include "framework/runtime/trace/replay_token.h"
#include "gtest/gtest.h"
#include "tests/explore/explorer_harness.h"

namespace faultline {
namespace {

using ::faultline::testing_explore::FindViolation;
using ::faultline::testing_explore::kUnderIo;

TEST(Minimize, EveryKeptFaultAndSwitchIsNeeded) {
  absl::StatusOr<Plan> plan = LoadPlanFile("plans/seed_race_prefix.textproto");
  ASSERT_TRUE(plan.ok()) << plan.status();
  Explorer explorer(*plan, "plans/seed_race_prefix.textproto", {});
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  const ViolationReport* v = FindViolation(*report, kUnderIo);
  ASSERT_NE(v, nullptr);
  absl::StatusOr<ReplayToken> token = DecodeReplayToken(v->minimized_token());
  ASSERT_TRUE(token.ok()) << token.status();

  FailingRun run;
  run.plan = *plan;
  run.seed = token->seed;
  run.switches = token->switches;
  run.suppressed_fires = token->suppressed_fires;
  run.check = kUnderIo;
  if (plan->exploration().max_steps() != 0) {
    run.max_steps = plan->exploration().max_steps();
  }
  const IterationResult minimized = ReplayRun(run);
  ASSERT_TRUE(HasViolation(minimized, kUnderIo));

  for (uint64_t fire = 0; fire < minimized.fire_count; ++fire) {
    if (std::binary_search(run.suppressed_fires.begin(),
                           run.suppressed_fires.end(), fire)) {
      continue;
    }
    FailingRun without = run;
    without.suppressed_fires.push_back(fire);
    std::sort(without.suppressed_fires.begin(), without.suppressed_fires.end());
    EXPECT_FALSE(HasViolation(ReplayRun(without), kUnderIo))
        << "fault fire " << fire << " is not needed";
  }
  for (size_t i = 0; i < run.switches.size(); ++i) {
    FailingRun without = run;
    without.switches.erase(without.switches.begin() + i);
    EXPECT_FALSE(HasViolation(ReplayRun(without), kUnderIo))
        << "switch at step " << run.switches[i].first << " is not needed";
  }
}

}  // namespace
}  // namespace faultline
