// Goal: the fire draw (token version 2: KeyedBits of a per-(task, rule) key,
// decided inline when one drawing rule is all a point has for a task) is a
// fair coin of weight p whose decisions for distinct (task, rule, hit) are
// not correlated, and the inline decision is the full evaluation's.
// Method: real runs and real sites. Fire rates over 200,000 hits for several
// p within 5 binomial standard deviations; chi-square tests (alpha 1e-6; the
// seeds are fixed, so a pass is a pinned fact, not a flaky sample) over the
// joint decisions of four successive hits of one task (16 buckets), of two
// tasks at the same hit and of two rules at the same hit (4 buckets each);
// and one task's decisions with its caches (inline path) against a
// hand-made identity of the same ordinal (uncached path, HitRules).
#include <google/protobuf/text_format.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/fault_point.h"
#include "framework/internal/task_identity.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

bool Draw() { return FL_FAULT_FAIL("drawtest.fail"); }
void Twice() { FL_FAULT_POINT("drawtest.twice"); }

std::shared_ptr<const RuleSet> Rules(const std::string& text) {
  Plan plan;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &plan))
      << text;
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules = RuleSet::Compile(plan);
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : RuleSet::Empty();
}

std::shared_ptr<const RuleSet> FailRule(double p) {
  return Rules(absl::StrCat("rules { point: \"drawtest.fail\" probability: ", p,
                            " fail {} }"));
}

class ScopedTask {
 public:
  explicit ScopedTask(TaskIdentity* task) { SetCurrentTask(task); }
  ~ScopedTask() { SetCurrentTask(nullptr); }
};

// Chi-square of observed bucket counts against equal expected counts.
double ChiSquare(const std::vector<uint64_t>& counts) {
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  const double expected = static_cast<double>(total) / counts.size();
  double chi = 0;
  for (uint64_t c : counts) {
    chi += (c - expected) * (c - expected) / expected;
  }
  return chi;
}
// Upper 1e-6 points of the chi-square distribution.
constexpr double kChi3 = 30.66;   // 3 degrees of freedom
constexpr double kChi15 = 56.49;  // 15 degrees of freedom

TEST(FireDraw, RateMatchesProbability) {
  constexpr int kHits = 200000;
  for (double p : {0.001, 0.05, 0.3, 0.5, 0.9}) {
    RunContext run(FailRule(p), RunOptions{.seed = 11});
    ScopedRunContext install(&run);
    std::unique_ptr<TaskIdentity> task = run.NewTask("t", "");
    ScopedTask as(task.get());
    int fired = 0;
    for (int i = 0; i < kHits; ++i) fired += Draw();
    const double sigma = std::sqrt(kHits * p * (1 - p));
    EXPECT_NEAR(fired, kHits * p, 5 * sigma) << "p=" << p;
    EXPECT_EQ(run.rule_counters(0).matched, static_cast<uint64_t>(kHits));
    EXPECT_EQ(run.rule_counters(0).fired, static_cast<uint64_t>(fired));
  }
}

TEST(FireDraw, SuccessiveHitsOfOneTaskAreIndependent) {
  RunContext run(FailRule(0.5), RunOptions{.seed = 12});
  ScopedRunContext install(&run);
  std::unique_ptr<TaskIdentity> task = run.NewTask("t", "");
  ScopedTask as(task.get());
  std::vector<uint64_t> buckets(16);
  for (int i = 0; i < 64000; ++i) {
    int cell = 0;
    for (int j = 0; j < 4; ++j) cell = cell * 2 + Draw();
    ++buckets[cell];
  }
  EXPECT_LT(ChiSquare(buckets), kChi15);
}

TEST(FireDraw, TasksAtTheSameHitAreIndependent) {
  RunContext run(FailRule(0.5), RunOptions{.seed = 13});
  ScopedRunContext install(&run);
  std::vector<std::unique_ptr<TaskIdentity>> tasks;
  for (int t = 0; t < 8; ++t) tasks.push_back(run.NewTask(absl::StrCat(t), ""));
  std::vector<std::vector<bool>> fired(tasks.size());
  for (size_t t = 0; t < tasks.size(); ++t) {
    ScopedTask as(tasks[t].get());
    for (int i = 0; i < 4000; ++i) fired[t].push_back(Draw());
  }
  // Neighbouring ordinals (the likeliest to share key structure).
  std::vector<uint64_t> buckets(4);
  for (size_t t = 0; t + 1 < tasks.size(); ++t) {
    for (size_t i = 0; i < fired[t].size(); ++i) {
      ++buckets[fired[t][i] * 2 + fired[t + 1][i]];
    }
  }
  EXPECT_LT(ChiSquare(buckets), kChi3);
}

TEST(FireDraw, RulesAtTheSameHitAreIndependent) {
  // Two yield rules never take the outcome, so both draw on every hit.
  RunContext run(Rules(R"pb(rules {
                              point: "drawtest.twice"
                              probability: 0.5
                              yield {}
                            }
                            rules {
                              point: "drawtest.twice"
                              probability: 0.5
                              yield {}
                            })pb"),
                 RunOptions{.seed = 14});
  ScopedRunContext install(&run);
  std::vector<uint64_t> buckets(4);
  uint64_t fired0 = 0, fired1 = 0;
  for (int i = 0; i < 20000; ++i) {
    Twice();
    const uint64_t now0 = run.rule_counters(0).fired;
    const uint64_t now1 = run.rule_counters(1).fired;
    ++buckets[(now0 - fired0) * 2 + (now1 - fired1)];
    fired0 = now0;
    fired1 = now1;
  }
  EXPECT_LT(ChiSquare(buckets), kChi3);
}

TEST(FireDraw, InlineDecisionIsTheFullEvaluations) {
  std::vector<bool> cached, uncached;
  {
    RunContext run(FailRule(0.3), RunOptions{.seed = 15});
    ScopedRunContext install(&run);
    std::unique_ptr<TaskIdentity> task = run.NewTask("t", "");
    ASSERT_EQ(task->ordinal, 1u);
    ScopedTask as(task.get());
    for (int i = 0; i < 2000; ++i) cached.push_back(Draw());
  }
  {
    RunContext run(FailRule(0.3), RunOptions{.seed = 15});
    ScopedRunContext install(&run);
    TaskIdentity task;  // not made by this run: no caches
    task.ordinal = 1;
    task.name = "t";
    task.site_hits.assign(run.rules().point_count(), 0);
    ScopedTask as(&task);
    for (int i = 0; i < 2000; ++i) uncached.push_back(Draw());
  }
  EXPECT_EQ(cached, uncached);
}

}  // namespace
}  // namespace faultline
