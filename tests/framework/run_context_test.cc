// Goal: RunContext::Hit decides exactly what framework/rule.h promises: each
// firing condition (probability, nth, skip, max_fires, task, key), the
// precedence between rules at one point, every action, deterministic
// decisions keyed by (seed, point, task, hit), and isolation between runs.
// Method: test-only sites in this file; rules compiled from textproto with
// RuleSet::Compile (no scenario needed); a recording Executor observes
// delays and yields; tasks come from RunContext::NewTask + SetCurrentTask.
#include "framework/run_context.h"

#include <google/protobuf/text_format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "framework/fault_point.h"
#include "framework/hooks.h"
#include "framework/internal/task_identity.h"
#include "framework/rule_set.h"
#include "framework/site_registry.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

bool Fail(uint64_t key = 0) { return FL_FAULT_FAIL("rctest.fail", key); }
bool MultiFail() { return FL_FAULT_FAIL("rctest.multi"); }
int64_t MultiError() { return FL_FAULT_ERROR("rctest.multi"); }
void Point(uint64_t key = 0) { FL_FAULT_POINT("rctest.point", key); }
void Target() { FL_FAULT_POINT("rctest.target"); }

struct HookRecord {
  std::string arg;
  uint64_t key;
};
std::vector<HookRecord>& HookCalls() {
  static auto* calls = new std::vector<HookRecord>;
  return *calls;
}
FL_REGISTER_HOOK("rctest.record", "test-only: records its arg and key",
                 [](HookCall& call) {
                   HookCalls().push_back({std::string(call.arg), call.key});
                 });

int32_t PointIndex(const char* name) {
  const int32_t index = SiteRegistry::Get().Find(name);
  EXPECT_GE(index, 0) << name;
  return index;
}

std::shared_ptr<const RuleSet> Rules(const char* text) {
  Plan plan;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &plan))
      << text;
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules = RuleSet::Compile(plan);
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : RuleSet::Empty();
}

// Records what the actions asked for instead of sleeping.
class RecordingExecutor : public Executor {
 public:
  void Delay(int64_t ns) override { delays.push_back(ns); }
  void Yield() override { ++yields; }
  bool WaitUntil(absl::FunctionRef<bool()> ready, int64_t) override {
    return ready();
  }
  std::vector<int64_t> delays;
  int yields = 0;
};

// Makes `task` current on this thread for the scope.
class ScopedTask {
 public:
  explicit ScopedTask(TaskIdentity* task) : previous_(CurrentTask()) {
    SetCurrentTask(task);
  }
  ~ScopedTask() { SetCurrentTask(previous_); }

 private:
  TaskIdentity* previous_;
};

// Outcomes of `hits` calls of Fail(key) under `rules`.
std::vector<bool> FailHits(std::shared_ptr<const RuleSet> rules, int hits,
                           uint64_t seed = 1, uint64_t key = 0) {
  RunContext run(std::move(rules), RunOptions{.seed = seed});
  ScopedRunContext install(&run);
  std::vector<bool> out;
  for (int i = 0; i < hits; ++i) out.push_back(Fail(key));
  return out;
}

int CountTrue(const std::vector<bool>& v) {
  int n = 0;
  for (bool b : v) n += b;
  return n;
}

TEST(RuleProbability, ZeroNeverFiresOneAlwaysFires) {
  EXPECT_EQ(CountTrue(FailHits(Rules(R"pb(rules {
                                            point: "rctest.fail"
                                            probability: 0
                                            fail {}
                                          })pb"),
                               1000)),
            0);
  EXPECT_EQ(CountTrue(FailHits(Rules(R"pb(rules {
                                            point: "rctest.fail"
                                            probability: 1
                                            fail {}
                                          })pb"),
                               1000)),
            1000);
}

TEST(RuleProbability, HalfFiresAboutHalfTheTime) {
  constexpr int kHits = 20000;
  const int fired = CountTrue(FailHits(Rules(R"pb(rules {
                                                    point: "rctest.fail"
                                                    probability: 0.5
                                                    fail {}
                                                  })pb"),
                                       kHits, /*seed=*/1234));
  // Binomial standard deviation is ~71; 400 is more than 5 of them.
  EXPECT_NEAR(fired, kHits / 2, 400);
}

TEST(RuleCounts, NthFiresOnlyOnTheNthMatchingHit) {
  EXPECT_EQ(FailHits(Rules(R"pb(rules {
                                  point: "rctest.fail"
                                  nth: 3
                                  fail {}
                                })pb"),
                     5),
            (std::vector<bool>{false, false, true, false, false}));
}

TEST(RuleCounts, SkipIgnoresTheFirstHits) {
  EXPECT_EQ(FailHits(Rules(R"pb(rules {
                                  point: "rctest.fail"
                                  skip: 2
                                  fail {}
                                })pb"),
                     5),
            (std::vector<bool>{false, false, true, true, true}));
}

TEST(RuleCounts, MaxFiresStopsFiring) {
  EXPECT_EQ(FailHits(Rules(R"pb(rules {
                                  point: "rctest.fail"
                                  max_fires: 2
                                  fail {}
                                })pb"),
                     5),
            (std::vector<bool>{true, true, false, false, false}));
}

// Goal: a branching rule (a fault choice) fires exactly at the hits the
// search names, and reports every hit it could have fired at, up to
// max_fires fires.
TEST(FaultChoices, BranchingRuleFiresExactlyWhereTheSearchSays) {
  std::shared_ptr<const RuleSet> rules = Rules(R"pb(rules {
                                                      point: "rctest.fail"
                                                      branch: true
                                                      max_fires: 1
                                                      fail {}
                                                    })pb");
  RunContext run(rules, RunOptions{.seed = 1,
                                   .concurrent = false,
                                   .branch_fires = {BranchKey(0, 0, 2)}});
  ScopedRunContext install(&run);
  std::vector<bool> out;
  for (int i = 0; i < 5; ++i) out.push_back(Fail());
  EXPECT_EQ(out, (std::vector<bool>{false, false, true, false, false}));
  // Hits after the one fire cannot fire (max_fires): not choices.
  EXPECT_EQ(run.branch_hits(),
            (std::vector<uint64_t>{BranchKey(0, 0, 0), BranchKey(0, 0, 1),
                                   BranchKey(0, 0, 2)}));
}

TEST(RuleCounts, CountOnlyHitsThatPassTheFilters) {
  RunContext run(Rules(R"pb(rules {
                              point: "rctest.fail"
                              keys: 5
                              nth: 2
                              fail {}
                            })pb"),
                 RunOptions{});
  ScopedRunContext install(&run);
  std::vector<bool> got;
  for (uint64_t key : {1, 5, 1, 5, 5}) got.push_back(Fail(key));
  EXPECT_EQ(got, (std::vector<bool>{false, false, false, true, false}));
  EXPECT_EQ(run.rule_counters(0).matched, 3u);
  EXPECT_EQ(run.rule_counters(0).fired, 1u);
}

TEST(RuleFilters, KeyFilterMatchesListedKeysOnly) {
  RunContext run(Rules(R"pb(rules {
                              point: "rctest.fail"
                              keys: [ 3, 5 ]
                              fail {}
                            })pb"),
                 RunOptions{});
  ScopedRunContext install(&run);
  EXPECT_FALSE(Fail(0));
  EXPECT_TRUE(Fail(3));
  EXPECT_FALSE(Fail(4));
  EXPECT_TRUE(Fail(5));
}

TEST(RuleFilters, TaskFilterMatchesByNameOrByRole) {
  RunContext run(Rules(R"pb(rules {
                              point: "rctest.fail"
                              tasks: "writer"
                              fail {}
                            }
                            rules {
                              point: "rctest.point"
                              tasks: "reader-2"
                              yield {}
                            })pb"),
                 RunOptions{});
  ScopedRunContext install(&run);
  std::unique_ptr<TaskIdentity> writer = run.NewTask("writer-1", "writer");
  std::unique_ptr<TaskIdentity> reader = run.NewTask("reader-2", "reader");
  EXPECT_FALSE(Fail()) << "the implicit main task is not a writer";
  {
    ScopedTask as(writer.get());
    EXPECT_TRUE(Fail()) << "matched by role";
  }
  {
    ScopedTask as(reader.get());
    EXPECT_FALSE(Fail());
    Point();  // matched by name
  }
  EXPECT_EQ(run.rule_counters(1).fired, 1u);
  EXPECT_EQ(writer->ordinal, 1u);
  EXPECT_EQ(reader->ordinal, 2u);
}

TEST(RulePrecedence, FirstOutcomeWinsLaterOutcomeRulesAreNotEvaluated) {
  RecordingExecutor executor;
  RunContext run(Rules(R"pb(rules {
                              point: "rctest.multi"
                              fail {}
                            }
                            rules { point: "rctest.multi" error: -5 }
                            rules {
                              point: "rctest.multi"
                              delay { ns: 7 }
                            }
                            rules {
                              point: "rctest.multi"
                              fail {}
                            })pb"),
                 RunOptions{.executor = &executor});
  ScopedRunContext install(&run);
  EXPECT_TRUE(MultiFail());
  EXPECT_EQ(MultiError(), 0) << "the fail rule took the outcome";
  EXPECT_EQ(run.rule_counters(0).fired, 2u);
  EXPECT_EQ(run.rule_counters(1).matched, 0u) << "not evaluated";
  EXPECT_EQ(run.rule_counters(3).matched, 0u) << "not evaluated";
  EXPECT_EQ(executor.delays, (std::vector<int64_t>{7, 7}))
      << "delays after the outcome still run";
}

TEST(RulePrecedence, AnErrorRuleBeforeAFailRuleWins) {
  RunContext run(Rules(R"pb(rules { point: "rctest.multi" error: -5 }
                            rules {
                              point: "rctest.multi"
                              fail {}
                            })pb"),
                 RunOptions{});
  ScopedRunContext install(&run);
  EXPECT_EQ(MultiError(), -5);
  EXPECT_FALSE(MultiFail());
  EXPECT_EQ(run.rule_counters(1).matched, 0u);
}

TEST(RulePrecedence, ARuleThatDoesNotFireLeavesTheOutcomeOpen) {
  RunContext run(Rules(R"pb(rules { point: "rctest.multi" error: -5 keys: 9 }
                            rules { point: "rctest.multi" error: -7 })pb"),
                 RunOptions{});
  ScopedRunContext install(&run);
  EXPECT_EQ(MultiError(), -7);
}

TEST(RuleActions, TriggerRunsTheHookWithArgAndKey) {
  HookCalls().clear();
  RunContext run(Rules(R"pb(rules {
                              point: "rctest.point"
                              trigger { hook: "rctest.record" arg: "page=3" }
                            })pb"),
                 RunOptions{});
  ScopedRunContext install(&run);
  Point(41);
  Point(42);
  ASSERT_EQ(HookCalls().size(), 2u);
  EXPECT_EQ(HookCalls()[0].arg, "page=3");
  EXPECT_EQ(HookCalls()[0].key, 41u);
  EXPECT_EQ(HookCalls()[1].key, 42u);
}

TEST(RuleActions, DelayIsFixedOrDrawnFromItsRange) {
  RecordingExecutor executor;
  RunContext run(Rules(R"pb(rules {
                              point: "rctest.point"
                              keys: 0
                              delay { ns: 50 }
                            }
                            rules {
                              point: "rctest.point"
                              keys: 1
                              delay { ns: 100 max_ns: 200 }
                            }
                            rules {
                              point: "rctest.target"
                              yield {}
                            })pb"),
                 RunOptions{.executor = &executor});
  ScopedRunContext install(&run);
  Point(0);
  EXPECT_EQ(executor.delays, (std::vector<int64_t>{50}));
  executor.delays.clear();
  for (int i = 0; i < 2000; ++i) Point(1);
  int64_t low = 1000, high = 0;
  for (int64_t ns : executor.delays) {
    ASSERT_GE(ns, 100);
    ASSERT_LE(ns, 200);
    low = std::min(low, ns);
    high = std::max(high, ns);
  }
  EXPECT_EQ(low, 100) << "both ends of [ns, max_ns] are reachable";
  EXPECT_EQ(high, 200);
  Target();
  EXPECT_EQ(executor.yields, 1);
}

TEST(RuleActions, WaitForReturnsOnceTheOtherPointIsReached) {
  RunContext run(
      Rules(R"pb(rules {
                   point: "rctest.point"
                   wait_for { point: "rctest.target" timeout_ns: 10000000000 }
                 })pb"),
      RunOptions{});
  // Causal, not timed: Point() may return only after the other thread has
  // headed for the target (a lower bound on elapsed time failed under load).
  std::atomic<bool> heading_for_target{false};
  std::thread other([&run, &heading_for_target] {
    ScopedRunContext install(&run);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    heading_for_target.store(true);
    Target();
  });
  const auto start = std::chrono::steady_clock::now();
  bool returned_after_target;
  {
    ScopedRunContext install(&run);
    Point();
    returned_after_target = heading_for_target.load();
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  other.join();
  EXPECT_TRUE(run.point_reached(PointIndex("rctest.target")));
  EXPECT_TRUE(returned_after_target) << "returned before the target was hit";
  EXPECT_LT(waited, std::chrono::seconds(5)) << "returned well before timeout";
}

// Arriving counts as reaching: two tasks that each wait at their own point
// for the other's meet at once. If a point were reached only when a task left
// it, each would hold the other until the 10 s timeout.
TEST(RuleActions, WaitForCountsATaskHeldAtThePointAsHavingReachedIt) {
  RunContext run(
      Rules(R"pb(rules {
                   point: "rctest.point"
                   wait_for { point: "rctest.target" timeout_ns: 10000000000 }
                 }
                 rules {
                   point: "rctest.target"
                   wait_for { point: "rctest.point" timeout_ns: 10000000000 }
                 })pb"),
      RunOptions{});
  const auto start = std::chrono::steady_clock::now();
  std::thread other([&run] {
    ScopedRunContext install(&run);
    Target();
  });
  {
    ScopedRunContext install(&run);
    Point();
  }
  other.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
      << "the tasks met instead of waiting out each other's timeout";
}

TEST(RuleActions, WaitForTimesOutWhenThePointIsNeverReached) {
  RunContext run(
      Rules(R"pb(rules {
                   point: "rctest.point"
                   wait_for { point: "rctest.target" timeout_ns: 30000000 }
                 })pb"),
      RunOptions{});
  ScopedRunContext install(&run);
  const auto start = std::chrono::steady_clock::now();
  Point();
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(30));
  EXPECT_FALSE(run.point_reached(PointIndex("rctest.target")));
}

constexpr char kHalf[] = R"pb(rules {
                                point: "rctest.fail"
                                probability: 0.5
                                fail {}
                              })pb";

TEST(Determinism, SameSeedSameDecisionsOtherSeedOtherDecisions) {
  const std::vector<bool> a = FailHits(Rules(kHalf), 200, /*seed=*/7);
  const std::vector<bool> b = FailHits(Rules(kHalf), 200, /*seed=*/7);
  const std::vector<bool> c = FailHits(Rules(kHalf), 200, /*seed=*/8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

// Per-task decisions of two tasks, with the tasks' hits interleaved as
// `order` says (0 = first task, 1 = second).
std::vector<std::vector<bool>> PerTaskDecisions(const std::vector<int>& order) {
  RunContext run(Rules(kHalf), RunOptions{.seed = 99});
  ScopedRunContext install(&run);
  std::unique_ptr<TaskIdentity> tasks[2] = {run.NewTask("a", ""),
                                            run.NewTask("b", "")};
  std::vector<std::vector<bool>> out(2);
  for (int t : order) {
    ScopedTask as(tasks[t].get());
    out[t].push_back(Fail());
  }
  return out;
}

TEST(Determinism, DecisionsAreKeyedByTaskAndHitNotByGlobalOrder) {
  std::vector<int> alternating, blocked;
  for (int i = 0; i < 100; ++i) alternating.push_back(i % 2);
  for (int i = 0; i < 100; ++i) blocked.push_back(i < 50 ? 0 : 1);
  const auto x = PerTaskDecisions(alternating);
  const auto y = PerTaskDecisions(blocked);
  EXPECT_EQ(x[0], y[0]);
  EXPECT_EQ(x[1], y[1]);
  EXPECT_NE(x[0], x[1]) << "different tasks draw different bits";
}

TEST(FastPath, NoRunMeansNoFault) {
  ASSERT_FALSE(internal::AnyRunActive());
  EXPECT_FALSE(Fail());
  EXPECT_EQ(MultiError(), 0);
}

TEST(FastPath, ARunOnAnotherThreadLeavesThisThreadAlone) {
  RunContext run(Rules(R"pb(rules {
                              point: "rctest.fail"
                              fail {}
                            })pb"),
                 RunOptions{});
  ASSERT_TRUE(internal::AnyRunActive());
  EXPECT_FALSE(Fail()) << "not installed on this thread";
  EXPECT_EQ(run.point_counters(PointIndex("rctest.fail")).reached, 0u);
  EXPECT_EQ(run.rule_counters(0).matched, 0u);
}

TEST(Isolation, TwoRunsOnTwoThreadsDoNotSeeEachOther) {
  constexpr int kHits = 5000;
  RunContext failing(Rules(R"pb(rules {
                                  point: "rctest.fail"
                                  fail {}
                                })pb"),
                     RunOptions{.seed = 1});
  RunContext quiet(RuleSet::Empty(), RunOptions{.seed = 2});
  int failing_fired = 0, quiet_fired = 0;
  auto body = [](RunContext* run, int* fired) {
    ScopedRunContext install(run);
    for (int i = 0; i < kHits; ++i) *fired += Fail();
  };
  std::thread a(body, &failing, &failing_fired);
  std::thread b(body, &quiet, &quiet_fired);
  a.join();
  b.join();
  EXPECT_EQ(failing_fired, kHits);
  EXPECT_EQ(quiet_fired, 0);
  const int32_t point = PointIndex("rctest.fail");
  EXPECT_EQ(failing.point_counters(point).reached, uint64_t{kHits});
  EXPECT_EQ(quiet.point_counters(point).reached, uint64_t{kHits});
}

}  // namespace
}  // namespace faultline
