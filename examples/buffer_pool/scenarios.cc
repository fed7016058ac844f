// The scenario the buffer pool's plans run: a reader pins a resident page
// and writes it while another task's miss needs a frame to evict. And a
// hook plans can trigger at a fault point to pin (and so maybe evict for)
// a page on the spot.
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "examples/buffer_pool/buffer_pool.h"
#include "framework/check.h"
#include "framework/hooks.h"
#include "framework/run_context.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace bufpool {
namespace {

absl::Status Build(faultline::World& world,
                   const faultline::ScenarioArgs& args) {
  const Variant variant = args.variant() == "unpinned_hit"
                              ? Variant::kUnpinnedHit
                              : Variant::kFixed;
  auto* disk = world.Make<Disk>();
  auto* pool = world.Make<BufferPool>(disk, /*frames=*/1, variant);
  // For hooks: HookCall::run.world<BufferPool>().
  world.run().set_world(pool);
  // Page 1 is resident and unpinned when the tasks start.
  pool->Unpin(pool->Pin(1), /*dirty=*/false);
  auto* wrote = world.Make<faultline::Atomic<bool>>(false, "test.wrote");
  world.Spawn(
      "reader",
      [pool, wrote] {
        Frame* frame = pool->Pin(1);
        if (frame == nullptr) return;  // the other page holds the frame
        FL_BUG_ON(frame->page.load() != 1, "buffer_pool.pinned_wrong_page");
        frame->data = "written by reader";
        wrote->store(true);
        pool->Unpin(frame, /*dirty=*/true);
      },
      "pin");
  world.Spawn(
      "evictor",
      [pool] {
        Frame* frame = pool->Pin(2);
        if (frame == nullptr) return;
        FL_BUG_ON(frame->page.load() != 2, "buffer_pool.pinned_wrong_page");
        pool->Unpin(frame, /*dirty=*/false);
      },
      "evict");
  world.AtQuiescence("buffer_pool.quiescent", [pool, disk, wrote] {
    for (int i = 0; i < pool->frame_count(); ++i) {
      FL_BUG_ON(pool->frame(i).pins.Peek() != 0, "buffer_pool.pin_leak");
    }
    pool->FlushAll();
    FL_BUG_ON(wrote->Peek() && disk->Read(1) != "written by reader",
              "buffer_pool.lost_write");
  });
  world.SetStateProbe([pool] {
    const Frame& f = pool->frame(0);
    return faultline::StateSnapshot{{"page", std::to_string(f.page.Peek())},
                                    {"pins", std::to_string(f.pins.Peek())},
                                    {"dirty", f.dirty.Peek() ? "1" : "0"}};
  });
  return absl::OkStatus();
}

// Pins and unpins page `arg` on the task that hit the point: a miss evicts
// an unpinned frame right there.
FL_REGISTER_HOOK("buffer_pool.pin_page",
                 "pins and unpins the page numbered by the rule's arg",
                 [](faultline::HookCall& call) {
                   PageId page = 0;
                   FL_CHECK(absl::SimpleAtoi(call.arg, &page));
                   BufferPool* pool = call.run.world<BufferPool>();
                   if (Frame* frame = pool->Pin(page)) {
                     pool->Unpin(frame, /*dirty=*/false);
                   }
                 });

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "buffer_pool.pin_vs_evict",
    "a hit on a resident page racing a miss that evicts its frame",
    {},
    {"fixed", "unpinned_hit"},
    Build,
    {"reader", "evictor", "pin", "evict"},
}));

}  // namespace
}  // namespace bufpool
