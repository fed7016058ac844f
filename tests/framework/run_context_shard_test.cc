// Goal: the counters of a concurrent run (the thread backend's setting) stay
// exact although each installation counts into a shard of its own: reached
// and matched sum over threads, nth/skip decide on one exact shared count, a
// probability-0 rule's derived `matched` leaves out the hits an earlier
// outcome rule took, shards are reused without losing counts, and an
// identity made by hand (no per-task cache) decides exactly like one made by
// NewTask.
// Method: test-only sites in this file, rules compiled from textproto, hits
// from several std::threads that each install the run.
#include <google/protobuf/text_format.h>

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "framework/fault_point.h"
#include "framework/internal/task_identity.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/site_registry.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

bool Fail() { return FL_FAULT_FAIL("shardtest.fail"); }
void Point() { FL_FAULT_POINT("shardtest.point"); }

// Records delays instead of sleeping; safe to call from several threads.
class CountingExecutor : public Executor {
 public:
  void Delay(int64_t) override {
    delays.fetch_add(1, std::memory_order_relaxed);
  }
  void Yield() override {}
  bool WaitUntil(absl::FunctionRef<bool()> ready, int64_t) override {
    return ready();
  }
  std::atomic<int> delays{0};
};

std::shared_ptr<const RuleSet> Rules(const char* text) {
  Plan plan;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &plan));
  auto rules = RuleSet::Compile(plan);
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : RuleSet::Empty();
}

int32_t PointIndex(const char* name) {
  const int32_t index = SiteRegistry::Get().Find(name);
  EXPECT_GE(index, 0) << name;
  return index;
}

// `threads` threads, each installing `run` and hitting Point() `hits` times
// as a task of its own named "worker-<i>", role "worker" or "other".
void HitFromThreads(RunContext& run, int threads, int hits) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&run, t, hits] {
      ScopedRunContext install(&run);
      std::unique_ptr<TaskIdentity> task = run.NewTask(
          "worker-" + std::to_string(t), t % 2 == 0 ? "worker" : "other");
      SetCurrentTask(task.get());
      for (int i = 0; i < hits; ++i) Point();
      SetCurrentTask(nullptr);
    });
  }
  for (std::thread& worker : workers) worker.join();
}

TEST(ShardedCounters, SumExactlyOverThreads) {
  constexpr int kThreads = 4;
  constexpr int kHits = 20000;
  CountingExecutor executor;
  RunContext run(Rules(R"pb(rules {
                              point: "shardtest.point"
                              probability: 0
                              delay { ns: 1 }
                            }
                            rules {
                              point: "shardtest.point"
                              nth: 7
                              skip: 100
                              delay { ns: 1 }
                            }
                            rules {
                              point: "shardtest.point"
                              tasks: "worker"
                              probability: 0
                              delay { ns: 1 }
                            }
                            rules {
                              point: "shardtest.point"
                              max_fires: 5
                              delay { ns: 1 }
                            })pb"),
                 RunOptions{.executor = &executor, .concurrent = true});
  HitFromThreads(run, kThreads, kHits);
  const uint64_t total = uint64_t{kThreads} * kHits;
  EXPECT_EQ(run.point_counters(PointIndex("shardtest.point")).reached, total);
  EXPECT_EQ(run.rule_counters(0).matched, total) << "probability 0, no filter";
  EXPECT_EQ(run.rule_counters(0).fired, 0u);
  EXPECT_EQ(run.rule_counters(1).matched, total) << "shared exact count";
  EXPECT_EQ(run.rule_counters(1).fired, 1u) << "the 107th hit, on one thread";
  EXPECT_EQ(run.rule_counters(2).matched, total / 2) << "role worker only";
  EXPECT_EQ(run.rule_counters(3).matched, total);
  EXPECT_EQ(run.rule_counters(3).fired, 5u);
  EXPECT_EQ(executor.delays.load(), 6);
}

TEST(ShardedCounters, ProbabilityZeroRuleDoesNotCountHitsAnEarlierRuleTook) {
  RunContext run(Rules(R"pb(rules {
                              point: "shardtest.fail"
                              probability: 0.5
                              fail {}
                            }
                            rules {
                              point: "shardtest.fail"
                              probability: 0
                              fail {}
                            })pb"),
                 RunOptions{.seed = 3, .concurrent = true});
  int failed = 0;
  {
    ScopedRunContext install(&run);
    for (int i = 0; i < 1000; ++i) failed += Fail();
  }
  ASSERT_GT(failed, 300);
  ASSERT_LT(failed, 700);
  EXPECT_EQ(run.rule_counters(0).fired, static_cast<uint64_t>(failed));
  EXPECT_EQ(run.rule_counters(1).matched, static_cast<uint64_t>(1000 - failed))
      << "evaluated only where the first rule left the outcome open";
}

TEST(ShardedCounters, ReinstallingKeepsEveryCount) {
  RunContext run(Rules(R"pb(rules {
                              point: "shardtest.point"
                              delay { ns: 0 }
                            })pb"),
                 RunOptions{.concurrent = true});
  for (int round = 0; round < 50; ++round) {
    std::thread([&run] {
      ScopedRunContext install(&run);
      for (int i = 0; i < 10; ++i) Point();
    }).join();
  }
  {
    ScopedRunContext outer(&run);
    ScopedRunContext nested(&run);  // a second shard on the same thread
    Point();
  }
  EXPECT_EQ(run.point_counters(PointIndex("shardtest.point")).reached, 501u);
  EXPECT_EQ(run.rule_counters(0).matched, 501u);
  EXPECT_EQ(run.rule_counters(0).fired, 501u);
}

TEST(TaskCache, HandMadeIdentityDecidesLikeNewTask) {
  const char* text = R"pb(rules {
                            point: "shardtest.fail"
                            tasks: "reader"
                            probability: 0.3
                            fail {}
                          })pb";
  auto outcomes = [text](bool hand_made) {
    RunContext run(Rules(text), RunOptions{.seed = 9, .concurrent = false});
    ScopedRunContext install(&run);
    std::unique_ptr<TaskIdentity> task = run.NewTask("reader-1", "reader");
    TaskIdentity by_hand;
    by_hand.ordinal = task->ordinal;
    by_hand.name = task->name;
    by_hand.role = task->role;
    by_hand.site_hits.assign(task->site_hits.size(), 0);
    SetCurrentTask(hand_made ? &by_hand : task.get());
    std::vector<bool> out;
    for (int i = 0; i < 200; ++i) out.push_back(Fail());
    SetCurrentTask(nullptr);
    return out;
  };
  const std::vector<bool> cached = outcomes(false);
  EXPECT_EQ(outcomes(true), cached);
  int fired = 0;
  for (bool b : cached) fired += b;
  EXPECT_GT(fired, 30);
  EXPECT_LT(fired, 100);
}

}  // namespace
}  // namespace faultline
