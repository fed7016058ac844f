// Goal: the v6.8 folio::private race fixed by f3a5367c679d ("btrfs: protect
// folio::private when attaching extent buffer folios"), driven step by step
// on the fiber backend. The block's 4-page eb is cached with refs 1; reclaim
// runs releasepage on its middle page (page 1) and drops the eb to refs 0;
// alloc_extent_buffer of the same block then finds page 0 still pointing at
// the dying eb. Before the fix alloc tests and detaches page 0's private
// without private_lock, and reclaim's detach of the same page (under the
// lock) overlaps it: both saw PG_private set, both put the page
// (page.bad_state_double_put, the kernel's "Bad page state"). After the fix
// the same choices end clean, with page 0 attached to the new eb.
// Method: a scripted strategy picks the task: reclaim until the old eb's
// refs reach 0, then alloc until it has tested page 0's PG_private inside
// folio_detach_private (a hook on "mm.folio_detach_private.after_test"),
// then reclaim; a task that cannot run yields to the default choice.
#include <google/protobuf/text_format.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/page.h"
#include "framework/hooks.h"
#include "framework/plan.pb.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/scenario.h"
#include "gtest/gtest.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;

// What the hooks saw, for the strategy. Tests in one binary run in turn.
// `fs` and `old_eb` live only while the iteration runs (the World owns
// them); what the tests check afterwards is copied out while it runs, or
// read from the trace's per-step state columns.
struct Seen {
  FsInfo* fs = nullptr;
  const ExtentBuffer* old_eb = nullptr;  // the cached eb reclaim releases
  int64_t old_eb_id = -1;                // -1: not seen
  bool old_eb_reached_zero = false;
  bool alloc_tested_private = false;
};
Seen& Observed() {
  static auto* seen = new Seen();
  return *seen;
}

FL_REGISTER_HOOK("test.folio.reclaim_starts",
                 "records the fs and the block's eb for the scripted strategy",
                 [](HookCall& call) {
                   Seen& seen = Observed();
                   seen.fs = call.run.world<FsInfo>();
                   seen.old_eb = seen.fs->PeekVisibleExtentBuffer(kBlock);
                   if (seen.old_eb != nullptr)
                     seen.old_eb_id = seen.old_eb->id();
                 });
FL_REGISTER_HOOK("test.folio.alloc_tested",
                 "alloc saw PG_private set in folio_detach_private",
                 [](HookCall&) { Observed().alloc_tested_private = true; });

constexpr char kHooks[] = R"pb(
  rules {
    point: "reclaim.scan.before_releasepage"
    trigger { hook: "test.folio.reclaim_starts" }
  }
  rules {
    point: "mm.folio_detach_private.after_test"
    trigger { hook: "test.folio.alloc_tested" }
  })pb";

// Task ordinals in spawn order (BuildFolioAttachRace): alloc, then reclaim.
constexpr uint32_t kAlloc = 1;
constexpr uint32_t kReclaim = 2;

class ScriptedStrategy : public Strategy {
 public:
  bool BeginIteration(uint64_t) override { return true; }
  uint32_t Choose(const SchedulingPoint& point) override {
    const uint32_t want = Wanted();
    if (absl::c_linear_search(point.runnable, want)) return want;
    return DefaultChoice(point);
  }
  std::string Name() const override { return "scripted"; }
  StrategyKind kind() const override { return StrategyKind::kReplay; }

 private:
  static uint32_t Wanted() {
    const Seen& seen = Observed();  // the iteration runs: old_eb is alive
    if (seen.old_eb == nullptr || seen.old_eb->PeekRefs() != 0) {
      return kReclaim;  // until the cached eb is dying
    }
    Observed().old_eb_reached_zero = true;
    return seen.alloc_tested_private ? kReclaim : kAlloc;
  }
};

IterationResult RunScripted(const char* variant) {
  Observed() = Seen();
  Plan plan;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kHooks, &plan));
  auto rules = RuleSet::Compile(plan);
  EXPECT_TRUE(rules.ok()) << rules.status();
  const ScenarioInfo* info =
      ScenarioRegistry::Global().Find("btrfs_eb.folio_attach_race");
  EXPECT_NE(info, nullptr);
  absl::flat_hash_map<std::string, std::string> params;
  for (const ScenarioParam& p : info->params) {
    params.emplace(p.name, p.default_value);
  }
  ScenarioArgs args(variant, std::move(params));
  ScriptedStrategy strategy;
  IterationConfig config;
  config.strategy = &strategy;
  config.scenario = info;
  config.args = &args;
  config.rules = *rules;
  // The state columns after every step (the scenario's probe): the end
  // state the tests check, taken while the World still exists.
  config.record_events = true;
  config.probe_each_step = true;
  IterationResult result = RunIteration(config);
  EXPECT_TRUE(result.build_status.ok()) << result.build_status;
  return result;
}

// Column `name` of the state after the run's last probed step.
std::string LastState(const IterationResult& result, const std::string& name) {
  if (result.trace.step_states.empty()) return "(no state probed)";
  for (const auto& [column, value] : result.trace.step_states.back().state) {
    if (column == name) return value;
  }
  return "(no column " + name + ")";
}

std::vector<std::string> Checks(const IterationResult& result) {
  std::vector<std::string> checks;
  for (const Violation& v : result.violations) checks.push_back(v.check);
  return checks;
}

TEST(FolioAttachRace, DoublePutBeforeFix) {
  IterationResult result = RunScripted("eb_2024_folio_prefix");
  EXPECT_TRUE(Observed().alloc_tested_private);
  ASSERT_EQ(Checks(result),
            std::vector<std::string>{"page.bad_state_double_put"});
  // alloc, the second to clear page 0's private, reports the extra put.
  EXPECT_EQ(result.violations[0].task, "alloc");
  // Page 0's private is cleared: both detached it.
  EXPECT_EQ(LastState(result, "P0 private"), "-");
}

TEST(FolioAttachRace, CleanAfterFix) {
  IterationResult result = RunScripted("eb_2024_folio_postfix");
  // The fixed grab runs under private_lock: no unlocked detach at all.
  EXPECT_FALSE(Observed().alloc_tested_private);
  EXPECT_TRUE(result.violations.empty())
      << result.violations[0].check << ": " << result.violations[0].message;
  ASSERT_GE(Observed().old_eb_id, 0);
  EXPECT_TRUE(Observed().old_eb_reached_zero);  // reclaim did release it
  // Page 0 is attached to the eb now in the tree, a new one (alloc built
  // it): its private names that eb, not the released one.
  const std::string now = LastState(result, "eb");
  EXPECT_EQ(LastState(result, "P0 private"), now);
  EXPECT_NE(now, absl::StrCat("#", Observed().old_eb_id));
  EXPECT_EQ(now.rfind('#', 0), 0u) << now;
  // The page cache's ref, the private's and the new eb's.
  EXPECT_EQ(LastState(result, "P0 refs"), "3");
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
