// Goal: traces are deterministic and replayable: 1000 reruns of one seed
// give one hash; a failing run's token, decoded and replayed strictly,
// reproduces the same violation, step and hash; lenient replay survives a
// damaged schedule; object ids are by first appearance, not address; a
// trace without decisions (real threads) renders every event, in order.
// Method: run the tiny buggy programs under random walk, record the trace,
// encode a token, decode it, and replay with NewReplayStrategy.
#include <set>
#include <string>

#include "framework/runtime/atomic.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/trace/replay_token.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::FromBuild;
using testing_programs::HasViolation;
using testing_programs::RunFibers;

// The first failing (seed, result) of `program` under random walk.
std::pair<uint64_t, IterationResult> FirstFailure(const ScenarioInfo& program,
                                                  const std::string& check) {
  auto strategy = NewRandomWalkStrategy(3);
  for (uint64_t seed = 0; seed < 500; ++seed) {
    IterationResult result = RunFibers(program, strategy.get(), seed);
    if (HasViolation(result, check)) return {seed, std::move(result)};
  }
  ADD_FAILURE() << "no failure found for " << check;
  return {0, IterationResult{}};
}

TEST(Trace, ThousandRerunsOfOneSeedGiveOneHash) {
  const ScenarioInfo program = testing_programs::RefcountDrop();
  std::set<uint64_t> hashes;
  for (int i = 0; i < 1000; ++i) {
    auto strategy = NewRandomWalkStrategy(11);  // fresh: same state each run
    hashes.insert(RunFibers(program, strategy.get(), 5).trace.hash);
  }
  EXPECT_EQ(hashes.size(), 1u);
}

TEST(Trace, DifferentSeedsGiveDifferentSchedules) {
  const ScenarioInfo program = testing_programs::Stores(3, true);
  auto strategy = NewRandomWalkStrategy(1);
  std::set<uint64_t> hashes;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    hashes.insert(RunFibers(program, strategy.get(), seed).trace.hash);
  }
  EXPECT_GT(hashes.size(), 5u);
}

TEST(Trace, HashDoesNotDependOnKeepingEvents) {
  const ScenarioInfo program = testing_programs::LostUpdate();
  IterationConfig config;
  config.scenario = &program;
  config.seed = 4;
  auto a = NewRandomWalkStrategy(2);
  config.strategy = a.get();
  const IterationResult with = RunIteration(config);
  auto b = NewRandomWalkStrategy(2);
  config.strategy = b.get();
  config.record_events = false;
  const IterationResult without = RunIteration(config);
  EXPECT_EQ(with.trace.hash, without.trace.hash);
  EXPECT_FALSE(with.trace.events.empty());
  EXPECT_TRUE(without.trace.events.empty());
}

TEST(Trace, FailingTokenReplaysStrictlyToSameViolationAndHash) {
  const ScenarioInfo program = testing_programs::RefcountDrop();
  auto [seed, failure] = FirstFailure(program, "refcount.use_after_free");
  const std::string text = MakeReplayToken(failure.trace, /*plan_hash=*/77,
                                           seed, StrategyKind::kRandomWalk)
                               .Encode();
  EXPECT_LE(text.size(), 256u);
  absl::StatusOr<ReplayToken> token = ReplayToken::Decode(text);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->seed, seed);
  auto replay = NewReplayStrategy(token->switches, ReplayMode::kStrict);
  IterationResult again = RunFibers(program, replay.get(), token->seed);
  EXPECT_TRUE(again.strategy_status.ok()) << again.strategy_status;
  ASSERT_TRUE(HasViolation(again, "refcount.use_after_free"));
  EXPECT_EQ(again.trace.hash, failure.trace.hash);
  EXPECT_EQ(again.violations[0].step, failure.violations[0].step);
  EXPECT_EQ(again.violations[0].task, "lookup");
}

TEST(Trace, StrictReplayReportsFirstDivergentStep) {
  const ScenarioInfo program = testing_programs::LostUpdate();
  // Task 7 does not exist: step 2 cannot follow the recording.
  auto replay = NewReplayStrategy({{2, 7}}, ReplayMode::kStrict);
  IterationResult result = RunFibers(program, replay.get(), 0);
  ASSERT_FALSE(result.strategy_status.ok());
  EXPECT_NE(result.strategy_status.message().find("diverged at step 2"),
            std::string::npos)
      << result.strategy_status;
  auto lenient = NewReplayStrategy({{2, 7}, {900, 1}}, ReplayMode::kLenient);
  EXPECT_TRUE(RunFibers(program, lenient.get(), 0).strategy_status.ok());
}

TEST(Trace, DecisionsMarkPreemptionsAndDefaults) {
  const ScenarioInfo program = testing_programs::Stores(2, true);
  // Step 2: task a could continue, b is chosen: a preemption.
  auto replay = NewReplayStrategy({{2, 2}}, ReplayMode::kStrict);
  IterationResult result = RunFibers(program, replay.get(), 0);
  ASSERT_EQ(result.trace.steps(), 4u);
  EXPECT_EQ(result.trace.ChosenTasks(), (std::vector<uint32_t>{1, 2, 2, 1}));
  EXPECT_TRUE(result.trace.decisions[1].preemption);
  EXPECT_FALSE(result.trace.decisions[1].is_default);
  EXPECT_EQ(result.trace.preemptions(), 1u);
  EXPECT_EQ(result.trace.Switches().size(), 1u);
}

TEST(Trace, ObjectsAreNumberedByFirstAppearanceAndNotesCarryState) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* y = world.Make<Atomic<int>>(0, "y");
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.SetStateProbe([x] {
      return StateSnapshot{{"x", std::to_string(x->Peek())}};
    });
    world.Spawn("t", [x, y] {
      x->store(5);
      this_task::Note("stored x");
      y->store(6);
    });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  ASSERT_EQ(result.trace.objects.size(), 3u);  // world (spawn), x, y
  EXPECT_EQ(result.trace.objects[1].label, "x");
  EXPECT_EQ(result.trace.objects[2].label, "y");
  bool saw_note = false;
  for (const TraceEvent& e : result.trace.events) {
    if (e.kind != TraceEventKind::kNote) continue;
    saw_note = true;
    EXPECT_EQ(e.text, "stored x");
    EXPECT_EQ(e.state, (StateSnapshot{{"x", "5"}}));
  }
  EXPECT_TRUE(saw_note);
  EXPECT_NE(result.trace.Render().find("store x 0 -> 5"), std::string::npos)
      << result.trace.Render();
}

// Thread-backend traces have no decisions and their events' steps are not
// monotonic (each thread numbers its op when it starts it, events are
// appended when it ends): Render must show every event in append order.
TEST(Trace, RendersEveryEventOfATraceWithoutDecisions) {
  Trace trace;
  trace.objects = {{"x"}};
  trace.tasks = {{1, "a", ""}, {2, "b", ""}};
  trace.events.push_back(
      {5, 2, TraceEventKind::kOp, internal::OpKind::kRmw, 1, 0, 1, "", {}});
  trace.events.push_back(
      {4, 1, TraceEventKind::kOp, internal::OpKind::kRmw, 1, 1, 2, "", {}});
  const std::string text = trace.Render();
  const size_t first = text.find("rmw x 0 -> 1");
  const size_t second = text.find("rmw x 1 -> 2");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(first, second) << text;
  EXPECT_NE(text.find("trace of real threads, 2 events"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace faultline
