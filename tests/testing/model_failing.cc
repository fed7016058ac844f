// A test that fails on purpose, for model_replay_test.sh: an inline model
// with a lost update, explored by PCT. Not a test target of its own.
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/world.h"
#include "framework/testing/model.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

TEST(Counter, IncrementsAreNotLost) {
  EXPECT_TRUE(CheckModel(PctPlan(2, 500), [](World& world) {
    auto* count = world.Make<Atomic<int>>(0, "count");
    for (const char* name : {"a", "b"}) {
      world.Spawn(name, [count] {
        const int seen = count->load();
        count->store(seen + 1);
      });
    }
    world.AtQuiescence("count", [count] {
      FL_BUG_ON(count->Peek() != 2, "counter.lost_update");
    });
  }));
}

}  // namespace
}  // namespace faultline
