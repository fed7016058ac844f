// Goal: the model reproduces the interleaving of the 2015 fix "Btrfs: fix
// race when reusing stale extent buffers that leads to BUG_ON" (Linux
// v4.0-rc5, docs/btrfs_eb.md): cpu1 stale-frees a leaf it deleted and has
// seen "refs == 2, not under io" under refs_lock; before its TREE_REF
// clear, cpu2 reuses the freed block, finds the cached eb and dirties it.
// Before the fix the dirty eb loses the tree's ref (eb.writeback_tree_ref
// at that clear) and, without the step checks, cpu2's release frees it
// dirty: the kernel's BUG_ON. After it cpu2 waits on refs_lock, takes
// TREE_REF back and the eb stays cached, dirty, refs 1.
// Method: one fiber iteration of the scenario's two tasks under a scripted
// Strategy: cpu1 alone until its next step is the TREE_REF clear (its first
// write after STALE is set while refs_lock is held); then cpu2 whenever it
// can run; else whoever can.
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/extent_tree.h"
#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/invariants.h"
#include "framework/rule_set.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"
#include "gtest/gtest.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;
constexpr uint32_t kCpu1 = 1;  // ordinals in spawn order
constexpr uint32_t kCpu2 = 2;

// Runs cpu1 into the window of free_extent_buffer_stale, then cpu2.
class StaleWindowStrategy : public Strategy {
 public:
  explicit StaleWindowStrategy(FsInfo* const* fs) : fs_(fs) {}

  bool BeginIteration(uint64_t) override { return true; }
  uint32_t Choose(const SchedulingPoint& point) override {
    for (size_t i = 0; i < point.runnable.size(); ++i) {
      if (point.runnable[i] == kCpu1 && !in_window_) {
        if (!AtTreeRefClear(point.next[i])) return kCpu1;
        in_window_ = true;
      }
    }
    for (uint32_t task : point.runnable) {
      if (in_window_ && task == kCpu2) return kCpu2;
    }
    return DefaultChoice(point);
  }
  std::string Name() const override { return "stale-window script"; }
  StrategyKind kind() const override { return StrategyKind::kReplay; }
  bool in_window() const { return in_window_; }

 private:
  bool AtTreeRefClear(const Footprint& next) const {
    const ExtentBuffer* eb = (*fs_)->PeekVisibleExtentBuffer(kBlock);
    return eb != nullptr && eb->PeekFlag(EXTENT_BUFFER_STALE) &&
           eb->PeekRefsLocked() && next.op != internal::OpKind::kLoad &&
           next.op != internal::OpKind::kNote;
  }

  FsInfo* const* fs_;
  bool in_window_ = false;
};

struct Outcome {
  std::string check;  // first violation, "" = none
  bool window = false;
  // cpu2's eb right after its release (btrfs_release_path).
  int refs = -1;
  bool tree_ref = false, dirty = false, reused = false;
};

Outcome RunScripted(KernelVariant variant, bool step_checks) {
  FsInfo* fs = nullptr;
  Outcome out;
  ScenarioInfo info;
  info.name = "test.stale_reuse";
  info.build = [&](World& world, const ScenarioArgs&) {
    FsInfoOptions options;
    options.nodesize = 4096;
    options.io_mode = IoMode::kTask;
    options.variant = variant;
    options.disk_bytes = kBlock + 2 * 4096;
    fs = world.Make<FsInfo>(options);
    fs->set_world(&world);
    world.run().set_world(fs);
    if (step_checks) RegisterInvariants(world, fs);
    auto* space = world.Make<FreeSpace>(kBlock, kBlock + 2 * 4096, 4096);
    world.Spawn("cpu1", [fs, space] {
      EbResult r = btrfs_alloc_tree_block(fs, space);
      FL_CHECK(r.ok() && r.eb->start() == kBlock);
      btrfs_del_leaf(space, r.eb);
    });
    world.Spawn("cpu2", [fs, space, &out] {
      EbResult r = btrfs_alloc_tree_block(fs, space);
      FL_CHECK(r.ok());
      out.reused = r.eb->start() == kBlock;
      free_extent_buffer(r.eb);
      out.refs = r.eb->PeekRefs();
      out.tree_ref = r.eb->PeekFlag(EXTENT_BUFFER_TREE_REF);
      out.dirty = r.eb->PeekFlag(EXTENT_BUFFER_DIRTY);
    });
    return absl::OkStatus();
  };
  ScenarioArgs args("", {});
  auto rules = RuleSet::Compile(Plan());
  EXPECT_TRUE(rules.ok());
  StaleWindowStrategy strategy(&fs);
  IterationConfig config;
  config.scenario = &info;
  config.args = &args;
  config.rules = *rules;
  config.strategy = &strategy;
  config.seed = 1;
  IterationResult result = RunIteration(config);
  EXPECT_TRUE(result.build_status.ok()) << result.build_status;
  if (!result.violations.empty()) out.check = result.violations[0].check;
  out.window = strategy.in_window();
  return out;
}

TEST(StaleReuse2015, BeforeFixTheDirtyEbLosesTreeRef) {
  const Outcome out = RunScripted(KernelVariant::kStale2015PreFix, true);
  EXPECT_TRUE(out.window);
  EXPECT_EQ(out.check, "eb.writeback_tree_ref");
}

// Without the step checks the race runs on to the kernel's crash: cpu2's
// btrfs_release_path takes refs 1 -> 0 on a DIRTY eb.
TEST(StaleReuse2015, BeforeFixReleaseHitsBugOn) {
  const Outcome out = RunScripted(KernelVariant::kStale2015PreFix, false);
  EXPECT_TRUE(out.window);
  EXPECT_EQ(out.check, "btrfs_release_extent_buffer_pages.under_io");
}

TEST(StaleReuse2015, AfterFixTheReusedEbKeepsTreeRef) {
  for (bool step_checks : {true, false}) {
    const Outcome out =
        RunScripted(KernelVariant::kStale2015PostFix, step_checks);
    EXPECT_TRUE(out.window);
    EXPECT_EQ(out.check, "");
    EXPECT_TRUE(out.reused);
    EXPECT_EQ(out.refs, 1);  // the tree's, taken back by cpu2's lookup
    EXPECT_TRUE(out.tree_ref);
    EXPECT_TRUE(out.dirty);
  }
}

// The v5.x rows (which have the 2015 fix) behave as the 2015 post-fix row.
TEST(StaleReuse2015, LaterKernelsHaveTheFix) {
  for (KernelVariant v : {KernelVariant::kPreFix, KernelVariant::kPostFix}) {
    const Outcome out = RunScripted(v, true);
    EXPECT_EQ(out.check, "");
    EXPECT_EQ(out.refs, 1);
    EXPECT_TRUE(out.tree_ref);
  }
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
