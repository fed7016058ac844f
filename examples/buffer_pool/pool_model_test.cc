// Goal: the pin-versus-evict race as an inline model (framework/testing/
// model.h), next to the plan files: PCT finds the buggy variant's wrong
// page within its budget and never fails the fixed one.
// Method: CheckModel with a Plan built in code over the same pool.
#include "examples/buffer_pool/buffer_pool.h"
#include "framework/check.h"
#include "framework/runtime/world.h"
#include "framework/testing/model.h"
#include "gtest/gtest.h"

namespace bufpool {
namespace {

std::function<void(faultline::World&)> PinVersusEvict(Variant variant) {
  return [variant](faultline::World& world) {
    auto* disk = world.Make<Disk>();
    auto* pool = world.Make<BufferPool>(disk, /*frames=*/1, variant);
    pool->Unpin(pool->Pin(1), false);
    for (PageId page : {1, 2}) {
      world.Spawn(page == 1 ? "hit" : "miss", [pool, page] {
        Frame* frame = pool->Pin(page);
        if (frame == nullptr) return;
        FL_BUG_ON(frame->page.load() != page, "pool_model.wrong_page");
        pool->Unpin(frame, false);
      });
    }
  };
}

TEST(PoolModel, FixedPoolPinsTheRightPage) {
  EXPECT_TRUE(faultline::CheckModel(faultline::PctPlan(3, 300),
                                    PinVersusEvict(Variant::kFixed)));
}

TEST(PoolModel, UnpinnedHitIsFound) {
  faultline::Plan plan = faultline::PctPlan(3, 300);
  plan.add_expect()->set_violation("pool_model.wrong_page");
  EXPECT_TRUE(
      faultline::CheckModel(plan, PinVersusEvict(Variant::kUnpinnedHit)));
}

}  // namespace
}  // namespace bufpool
