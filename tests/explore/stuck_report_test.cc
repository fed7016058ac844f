// Goal: an iteration that cannot be stopped still leaves its report. A task
// that loops without any instrumented operation cannot be interrupted on
// its fiber, so the wall-clock guard ends the process with status 1 a whole
// iteration_timeout_ms after the limit; before it does, RunPlanFile writes
// the report (--json_out and stdout) with the violation livelock.wall_time
// and its replay token, and that token replays to the same end.
// Method: a scenario whose second task spins forever after a few stores,
// run in death tests (the process must exit); the parent reads the JSON
// file the child wrote. Before the guard handed the stuck iteration to the
// explorer, the process exited with an empty --json_out file.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "absl/status/status.h"
#include "framework/explore/report.pb.h"
#include "framework/explore/run_plan.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

absl::Status BuildSpin(World& world, const ScenarioArgs&) {
  auto* x = world.Make<Atomic<int>>(0, "x");
  world.Spawn("worker", [x] {
    for (int i = 0; i < 5; ++i) x->fetch_add(1);
  });
  world.Spawn("spinner", [x] {
    for (int i = 0; i < 5; ++i) x->fetch_add(1);
    volatile bool forever = true;
    while (forever) {
    }
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((ScenarioInfo{
    "stucktest.spin",
    "a task that loops forever without an instrumented operation",
    {},
    {},
    BuildSpin,
    {"worker", "spinner"},
}));

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string WritePlan() {
  const std::string path = TempPath("spin.textproto");
  std::ofstream(path) << R"pb(
    version: 1
    scenario { name: "stucktest.spin" }
    exploration {
      strategy: RANDOM
      seed: 7
      iterations: 5
      iteration_timeout_ms: 100
    }
    expect { no_violation: true }
  )pb";
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

TEST(StuckIterationDeathTest, WritesTheJsonReportAndTokenBeforeExiting) {
  // Forked at each EXPECT_EXIT (this process runs no iteration itself, so
  // it has one thread), so the second sees the token the first wrote.
  GTEST_FLAG_SET(death_test_style, "fast");
  const std::string plan = WritePlan();
  const std::string json_path = TempPath("stuck.json");
  std::remove(json_path.c_str());
  RunPlanOptions options;
  options.json_out = json_path;
  EXPECT_EXIT(RunPlanFile(plan, options, std::cout, std::cerr),
              ::testing::ExitedWithCode(1),
              "livelock.wall_time: stucktest.spin ran longer than 100 ms");

  const std::string json = ReadFile(json_path);
  Report report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &report).ok())
      << "--json_out has no report: \"" << json << "\"";
  EXPECT_EQ(report.stop_reason(), "wall_time");
  EXPECT_EQ(report.iterations_run(), 1u);
  EXPECT_FALSE(report.expectations_met());
  ASSERT_EQ(report.violations_size(), 1);
  const ViolationReport& v = report.violations(0);
  EXPECT_EQ(v.check(), "livelock.wall_time");
  EXPECT_EQ(v.task(), "spinner");
  EXPECT_EQ(v.iteration(), 0u);
  EXPECT_GT(v.step(), 0u);
  EXPECT_THAT(v.message(), HasSubstr("more than 100 ms of real time"));
  ASSERT_FALSE(v.replay_token().empty());

  // The token replays the schedule up to the loop, which hangs again.
  const std::string replayed_path = TempPath("replayed.json");
  std::remove(replayed_path.c_str());
  RunPlanOptions replay;
  replay.json_out = replayed_path;
  replay.replay_token = v.replay_token();
  EXPECT_EXIT(RunPlanFile(plan, replay, std::cout, std::cerr),
              ::testing::ExitedWithCode(1), "livelock.wall_time");
  Report again;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  ReadFile(replayed_path), &again)
                  .ok());
  ASSERT_EQ(again.violations_size(), 1);
  EXPECT_EQ(again.violations(0).check(), "livelock.wall_time");
  EXPECT_EQ(again.violations(0).step(), v.step());
  EXPECT_EQ(again.violations(0).task(), "spinner");
}

}  // namespace
}  // namespace faultline
