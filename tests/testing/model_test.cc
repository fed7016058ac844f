// Goal: an inline model (framework/testing/model.h) finds a race in a lambda
// and fails with the replay token, the rendered table and the command that
// replays it; a correct lambda passes; a plan expecting the race passes; a
// bad plan is a clear failure. The failing-and-replaying round trip over two
// processes is tests/testing/model_replay_test.sh.
// Method: call CheckModel / CheckPlanFile directly and read the
// AssertionResult (its message is what a failing EXPECT_TRUE would print).
#include "framework/testing/model.h"

#include <string>

#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/world.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

// Two tasks increment a counter; `split` does it as load then store.
std::function<void(World&)> Counter(bool split) {
  return [split](World& world) {
    auto* count = world.Make<Atomic<int>>(0, "count");
    for (const char* name : {"a", "b"}) {
      world.Spawn(name, [count, split] {
        if (split) {
          const int seen = count->load();
          count->store(seen + 1);
        } else {
          ++*count;
        }
      });
    }
    world.AtQuiescence("count", [count] {
      FL_BUG_ON(count->Peek() != 2, "model_test.lost_update");
    });
  };
}

TEST(CheckModel, RaceFailsWithTokenTableAndReplayCommand) {
  const testing::AssertionResult result =
      CheckModel(PctPlan(2, 200), Counter(/*split=*/true));
  ASSERT_FALSE(result);
  const std::string message = result.message();
  EXPECT_NE(message.find("model_test.lost_update"), std::string::npos);
  EXPECT_NE(message.find("replay token: fl3-"), std::string::npos) << message;
  EXPECT_NE(message.find("count"), std::string::npos);  // the table's label
  EXPECT_NE(message.find("replay it: "), std::string::npos) << message;
  EXPECT_NE(message.find("FAULTLINE_REPLAY=fl3-"), std::string::npos);
  EXPECT_NE(message.find("CheckModel.RaceFailsWithTokenTableAndReplayCommand"),
            std::string::npos);
}

TEST(CheckModel, CorrectModelPasses) {
  EXPECT_TRUE(CheckModel(PctPlan(2, 200), Counter(/*split=*/false)));
  EXPECT_TRUE(CheckModel(ExhaustivePlan(2), Counter(/*split=*/false)));
}

TEST(CheckModel, ExpectedRaceIsMet) {
  Plan plan = ExhaustivePlan(1);
  plan.add_expect()->set_violation("model_test.lost_update");
  EXPECT_TRUE(CheckModel(plan, Counter(/*split=*/true)));
}

TEST(CheckModel, BadPlanSaysWhy) {
  Plan plan = PctPlan(99, 10);
  const testing::AssertionResult result = CheckModel(plan, Counter(false));
  ASSERT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find("pct_depth"), std::string::npos)
      << result.message();
}

TEST(CheckPlanFile, MissingFileSaysWhich) {
  const testing::AssertionResult result =
      CheckPlanFile("no/such/plan.textproto");
  ASSERT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find("no/such/plan.textproto"),
            std::string::npos);
}

}  // namespace
}  // namespace faultline
