// Goal: a rendered table shows every instrumented operation of the run
// (lock, unlock, read-modify-write with its values, bit ops), unless the
// scenario narrows them with World::ShowOpsOn, and every row's state
// columns are the state after that row's step, [fault] rows included; the
// per-step probe that provides it does not change the trace hash.
// Method: tiny one- and two-task programs built in code, run on the fiber
// backend with events and per-step probes, rendered with RenderTaskTable;
// assertions on the rows (squeezed of padding) in order.
#include "framework/explore/trace_render.h"

#include <google/protobuf/text_format.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "framework/fault_point.h"
#include "framework/plan.pb.h"
#include "framework/rule_set.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/mutex.h"
#include "framework/runtime/this_task.h"
#include "framework/scenario.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

ScenarioInfo FromBuild(std::function<void(World&)> build) {
  ScenarioInfo info;
  info.name = "render_test";
  info.build = [build](World& world, const ScenarioArgs&) {
    build(world);
    return absl::OkStatus();
  };
  return info;
}

// The table's body lines (header and rule dropped), runs of spaces
// squeezed to one.
std::vector<std::string> Rows(const std::string& table) {
  std::vector<std::string> rows;
  int line = 0;
  for (absl::string_view l : absl::StrSplit(table, '\n', absl::SkipEmpty())) {
    if (line++ < 2) continue;
    std::string squeezed;
    for (char c : l) {
      if (c == ' ' && !squeezed.empty() && squeezed.back() == ' ') continue;
      squeezed += c;
    }
    rows.push_back(squeezed);
  }
  return rows;
}

// The index of the first row at or after `from` containing `needle`, or -1.
int Find(const std::vector<std::string>& rows, const std::string& needle,
         int from = 0) {
  for (int i = from; i < static_cast<int>(rows.size()); ++i) {
    if (rows[i].find(needle) != std::string::npos) return i;
  }
  return -1;
}

struct Shared {
  Mutex mu{"mu"};
  Atomic<int> x{0, "x"};
  AtomicFlags flags{0, "flags"};
};

// One task: lock, increment, set two bits, unlock, note; the probe shows x
// and the flags word.
ScenarioInfo OneTask(bool narrow) {
  return FromBuild([narrow](World& world) {
    auto* s = world.Make<Shared>();
    world.Spawn("a", [s] {
      s->mu.lock();
      s->x.fetch_add(1);
      s->flags.set_bit(2);
      s->flags.set_bit(0);  // 4 -> 5: a bit op, not an increment
      s->mu.unlock();
      this_task::Note("done");
    });
    world.SetStateProbe([s] {
      return StateSnapshot{{"x", absl::StrCat(s->x.Peek())},
                           {"flags", absl::StrCat(s->flags.Peek())}};
    });
    if (narrow) {
      world.ShowOpsOn([](absl::string_view label) { return label != "x"; });
    }
  });
}

IterationResult RunOnFibers(const ScenarioInfo& scenario, bool probe,
                            std::shared_ptr<const RuleSet> rules = nullptr) {
  IterationConfig config;
  config.scenario = &scenario;
  config.seed = 3;
  config.probe_each_step = probe;
  config.rules = std::move(rules);
  return RunIteration(config);
}

TEST(RenderTaskTable, ShowsEveryOperationWithTheStateAfterItsStep) {
  const ScenarioInfo program = OneTask(/*narrow=*/false);
  const std::string table = RenderTaskTable(RunOnFibers(program, true).trace);
  const std::vector<std::string> rows = Rows(table);
  int at = 0;
  for (const char* needle :
       {"| lock mu |", "| rmw x 0->1 | 1 | 0", "| set bit 2 of flags | 1 | 4",
        "| set bit 0 of flags | 1 | 5", "| unlock mu | 1 | 5",
        "| done | 1 | 5"}) {
    at = Find(rows, needle, at);
    ASSERT_GE(at, 0) << "no row \"" << needle << "\" in order in:\n" << table;
    ++at;
  }
  EXPECT_EQ(rows.size(), 6u) << table;
}

TEST(RenderTaskTable, AScenarioNarrowsTheOperationsShown) {
  const ScenarioInfo program = OneTask(/*narrow=*/true);
  const std::string table = RenderTaskTable(RunOnFibers(program, true).trace);
  const std::vector<std::string> rows = Rows(table);
  EXPECT_EQ(Find(rows, "rmw x"), -1) << table;
  EXPECT_GE(Find(rows, "| lock mu |"), 0) << table;
  EXPECT_GE(Find(rows, "| done |"), 0) << table;
}

TEST(RenderTaskTable, ProbingEveryStepDoesNotChangeTheHash) {
  const ScenarioInfo program = OneTask(/*narrow=*/false);
  const IterationResult probed = RunOnFibers(program, true);
  const IterationResult plain = RunOnFibers(program, false);
  EXPECT_EQ(probed.trace.hash, plain.trace.hash);
  EXPECT_FALSE(probed.trace.step_states.empty());
  EXPECT_TRUE(plain.trace.step_states.empty());
}

void RenderTestPoint() { FL_FAULT_POINT("render_test.pause"); }
bool RenderTestFail() { return FL_FAULT_FAIL("render_test.fail"); }

// A fired rule's row shows the state after its step: the failure path that
// runs in the same step (x set to 7) is in it, not the state before.
TEST(RenderTaskTable, FaultRowsShowTheStateAfterTheirStep) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    auto* seen = world.Make<int>(0);
    world.Spawn("a", [x, seen] {
      x->store(1);
      RenderTestPoint();
      if (RenderTestFail()) *seen = 7;  // plain code: no step of its own
      x->store(2);
    });
    world.SetStateProbe([x, seen] {
      return StateSnapshot{{"x", absl::StrCat(x->Peek())},
                           {"seen", absl::StrCat(*seen)}};
    });
  });
  Plan plan;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(rules {
             point: "render_test.fail"
             name: "fail it"
             fail {}
           })pb",
      &plan));
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules = RuleSet::Compile(plan);
  ASSERT_TRUE(rules.ok()) << rules.status();
  const std::string table =
      RenderTaskTable(RunOnFibers(program, true, *rules).trace);
  const std::vector<std::string> rows = Rows(table);
  const int fault = Find(rows, "[fault] fail it");
  ASSERT_GE(fault, 0) << table;
  EXPECT_NE(rows[fault].find("| 1 | 7"), std::string::npos) << table;
  EXPECT_GE(Find(rows, "| store x 1->2 | 2 | 7", fault), 0) << table;
}

}  // namespace
}  // namespace faultline
