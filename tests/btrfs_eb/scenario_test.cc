// Goal: the btrfs_eb scenarios are registered with the parameters and
// variants plans rely on, build a world with the documented tasks, and
// reject bad parameters and variants with a message naming them.
// Method: look the scenarios up in the global registry and call their build
// function on a World that is never run (tasks are only spawned).
#include "framework/scenario.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/runtime/internal/world_access.h"
#include "framework/runtime/world.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

std::vector<std::string> ParamNames(const ScenarioInfo& info) {
  std::vector<std::string> names;
  for (const ScenarioParam& p : info.params) names.push_back(p.name);
  return names;
}

ScenarioArgs Args(const ScenarioInfo& info, std::string variant,
                  absl::flat_hash_map<std::string, std::string> set = {}) {
  for (const ScenarioParam& p : info.params)
    set.emplace(p.name, p.default_value);
  return ScenarioArgs(std::move(variant), std::move(set));
}

TEST(BtrfsEbScenarios, AreRegisteredWithVariantsDefaultPostfix) {
  for (const char* name : {"btrfs_eb.seed_race", "btrfs_eb.search_stress"}) {
    const ScenarioInfo* info = ScenarioRegistry::Global().Find(name);
    ASSERT_NE(info, nullptr) << name;
    ASSERT_FALSE(info->variants.empty());
    EXPECT_EQ(info->variants[0], "postfix");
    EXPECT_NE(std::find(info->variants.begin(), info->variants.end(), "prefix"),
              info->variants.end());
  }
  const ScenarioInfo* seed =
      ScenarioRegistry::Global().Find("btrfs_eb.seed_race");
  EXPECT_EQ(ParamNames(*seed),
            (std::vector<std::string>{"nodesize", "pagesize", "bug_on_under_io",
                                      "check_io_pinned",
                                      "sweep_invariants_every_step", "block",
                                      "reclaim_passes", "reclaim_page"}));
}

TEST(BtrfsEbScenarios, SeedRaceSpawnsTheSeedsThreeCpus) {
  const ScenarioInfo* info =
      ScenarioRegistry::Global().Find("btrfs_eb.seed_race");
  RunContext run(RuleSet::Empty(), RunOptions{});
  World world(&run);
  ASSERT_TRUE(info->build(world, Args(*info, "prefix")).ok());
  std::vector<internal::WorldAccess::TaskSpec> tasks =
      internal::WorldAccess::TakeSpawned(world);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].name, "cpu0");
  EXPECT_EQ(tasks[0].role, "readahead");
  EXPECT_EQ(tasks[1].name, "cpu1");
  EXPECT_EQ(tasks[2].name, "cpu2");
  EXPECT_EQ(tasks[2].role, "reclaim");
  EXPECT_NE(run.world<void>(), nullptr);
}

TEST(BtrfsEbScenarios, SearchStressSpawnsSearchersWriterAndReclaim) {
  const ScenarioInfo* info =
      ScenarioRegistry::Global().Find("btrfs_eb.search_stress");
  RunContext run(RuleSet::Empty(), RunOptions{});
  World world(&run);
  ASSERT_TRUE(info->build(world, Args(*info, "", {{"searchers", "3"}})).ok());
  EXPECT_EQ(internal::WorldAccess::TakeSpawned(world).size(), 5u);
}

TEST(BtrfsEbScenarios, RejectsBadVariantAndGeometry) {
  const ScenarioInfo* info =
      ScenarioRegistry::Global().Find("btrfs_eb.seed_race");
  RunContext run(RuleSet::Empty(), RunOptions{});
  World world(&run);
  absl::Status bad_variant = info->build(world, Args(*info, "fixed"));
  EXPECT_EQ(bad_variant.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_variant.message().find("prefix"), std::string::npos);
  absl::Status bad_block =
      info->build(world, Args(*info, "", {{"block", "1000"}}));
  EXPECT_NE(bad_block.message().find("block"), std::string::npos);
  absl::Status bad_node =
      info->build(world, Args(*info, "", {{"nodesize", "6000"}}));
  EXPECT_NE(bad_node.message().find("nodesize"), std::string::npos);
}

}  // namespace
}  // namespace faultline
