// Goal: a plan's swarm section compiles into one rule per matching point,
// arms a subset of them per run that depends only on the run's seed (about
// arm_probability of them over many runs), an unarmed rule never acts and an
// armed one does, the fired rules render as plan rules that load, and bad
// swarm sections are rejected with file:line:col and a did-you-mean; with
// per_task each task of a run draws its own arming.
// Method: this file registers its own fault points (swarmtest.*) and a
// scenario; runs are RunContexts with a recording executor; bad plans are
// parsed with ParsePlanText and their exact messages compared.
#include "framework/swarm.h"

#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "framework/fault_point.h"
#include "framework/internal/task_identity.h"
#include "framework/plan_loader.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/scenario.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

void A() { FL_FAULT_POINT("swarmtest.a.one"); }
void B() { FL_FAULT_POINT("swarmtest.a.two"); }
[[maybe_unused]] void C() { FL_FAULT_POINT("swarmtest.b.three"); }

FL_REGISTER_SCENARIO((ScenarioInfo{
    "swarmtest.scenario",
    "test-only scenario",
    {},
    {},
    [](World&, const ScenarioArgs&) { return absl::OkStatus(); }}));

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

Plan ParseOrDie(const std::string& text) {
  Plan plan;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &plan))
      << text;
  return plan;
}

constexpr char kSwarmA[] =
    "rules { point: \"swarmtest.b.three\" yield {} }\n"
    "swarm { points_prefix: \"swarmtest.a.\" delay { ns: 100 } }\n";

TEST(Swarm, CompilesOneRulePerMatchingPointAfterThePlansRules) {
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules =
      RuleSet::Compile(ParseOrDie(kSwarmA));
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ((*rules)->rules().size(), 3u);
  EXPECT_EQ((*rules)->rule(0).swarm_arm_probability, 0.0);
  EXPECT_EQ((*rules)->rule(1).name, "swarm swarmtest.a.one");
  EXPECT_EQ((*rules)->rule(2).name, "swarm swarmtest.a.two");
  EXPECT_EQ((*rules)->rule(2).ordinal, 2);
  EXPECT_EQ((*rules)->rule(1).action, ActionKind::kDelay);
  EXPECT_EQ((*rules)->rule(1).swarm_arm_probability,
            kDefaultSwarmArmProbability);
}

// Per run seed: which of the two swarm rules acted (bit 0: a.one, bit 1:
// a.two).
int ArmedMask(const std::shared_ptr<const RuleSet>& rules, uint64_t seed) {
  RecordingExecutor executor;
  RunContext run(rules, RunOptions{.seed = seed, .executor = &executor});
  ScopedRunContext install(&run);
  A();
  const size_t after_a = executor.delays.size();
  B();
  return (after_a > 0 ? 1 : 0) | (executor.delays.size() > after_a ? 2 : 0);
}

TEST(Swarm, ArmsASubsetPerRunSeedDeterministically) {
  std::shared_ptr<const RuleSet> rules = *RuleSet::Compile(ParseOrDie(kSwarmA));
  int counts[4] = {};
  int armed_points = 0;
  constexpr int kRuns = 2000;
  for (uint64_t seed = 0; seed < kRuns; ++seed) {
    const int mask = ArmedMask(rules, seed);
    EXPECT_EQ(mask, ArmedMask(rules, seed)) << seed;  // same seed, same set
    const SiteRegistry& sites = SiteRegistry::Get();
    const bool one =
        SwarmArmed(seed, sites.point(sites.Find("swarmtest.a.one")),
                   kDefaultSwarmArmProbability);
    EXPECT_EQ((mask & 1) != 0, one) << seed;
    ++counts[mask];
    armed_points += (mask & 1) + (mask >> 1);
  }
  // Every subset occurs, each about a quarter of the time.
  for (int mask = 0; mask < 4; ++mask) {
    EXPECT_GT(counts[mask], kRuns / 4 - 150) << mask;
    EXPECT_LT(counts[mask], kRuns / 4 + 150) << mask;
  }
  EXPECT_NEAR(armed_points / (2.0 * kRuns), 0.5, 0.05);
}

TEST(Swarm, ArmProbabilityOneArmsEveryPointAndYieldsWork) {
  std::shared_ptr<const RuleSet> rules = *RuleSet::Compile(ParseOrDie(
      "swarm { points_prefix: \"swarmtest.a\" arm_probability: 1 yield {} "
      "}\n"));
  RecordingExecutor executor;
  RunContext run(rules, RunOptions{.seed = 3, .executor = &executor});
  ScopedRunContext install(&run);
  A();
  B();
  EXPECT_EQ(executor.yields, 2);
  EXPECT_TRUE(executor.delays.empty());
}

// per_task: each (point, task name) pair draws on its own, so over many
// runs a point is armed for one task and not the other; a task's own hits
// fire exactly when its draw (SwarmArmedForTask) says so.
TEST(Swarm, PerTaskArmsEachTaskOnItsOwnDraw) {
  std::shared_ptr<const RuleSet> rules = *RuleSet::Compile(
      ParseOrDie("swarm { points_prefix: \"swarmtest.a.one\" per_task: true "
                 "delay { ns: 100 } }\n"));
  const SiteRegistry& sites = SiteRegistry::Get();
  const PointInfo& one = sites.point(sites.Find("swarmtest.a.one"));
  int unequal = 0;
  constexpr int kRuns = 400;
  for (uint64_t seed = 0; seed < kRuns; ++seed) {
    RecordingExecutor executor;
    RunContext run(rules, RunOptions{.seed = seed, .executor = &executor});
    ScopedRunContext install(&run);
    bool fired[2] = {};
    const char* names[2] = {"cpu0", "cpu1"};
    for (int t = 0; t < 2; ++t) {
      std::unique_ptr<TaskIdentity> task = run.NewTask(names[t], "");
      SetCurrentTask(task.get());
      const size_t before = executor.delays.size();
      A();
      fired[t] = executor.delays.size() > before;
      SetCurrentTask(nullptr);
      EXPECT_EQ(fired[t], SwarmArmedForTask(seed, one, names[t],
                                            kDefaultSwarmArmProbability))
          << seed << " " << names[t];
    }
    unequal += fired[0] != fired[1];
  }
  // Independent draws at 0.5: unequal in about half the runs (a per-point
  // swarm never is).
  EXPECT_GT(unequal, kRuns / 2 - 60);
  EXPECT_LT(unequal, kRuns / 2 + 60);
}

TEST(Swarm, PerTaskRuleRendersWithItsTask) {
  std::shared_ptr<const RuleSet> rules = *RuleSet::Compile(
      ParseOrDie("swarm { points_prefix: \"swarmtest.a.one\" per_task: true "
                 "yield {} }\n"));
  EXPECT_EQ(SwarmRuleText(rules->rule(0), rules->sites(), "cpu1"),
            "rules { name: \"swarm swarmtest.a.one\" point: "
            "\"swarmtest.a.one\" tasks: \"cpu1\" yield {} }");
}

TEST(Swarm, FiredRuleRendersAsAPlanRuleThatLoads) {
  std::shared_ptr<const RuleSet> rules = *RuleSet::Compile(
      ParseOrDie("swarm { points_prefix: \"swarmtest.a.one\" probability: 0.25 "
                 "delay { ns: 100 max_ns: 900 } }\n"));
  const std::string text = SwarmRuleText(rules->rule(0), rules->sites());
  EXPECT_EQ(text,
            "rules { name: \"swarm swarmtest.a.one\" point: "
            "\"swarmtest.a.one\" probability: 0.25 delay { ns: 100 max_ns: "
            "900 } }");
  absl::StatusOr<Plan> plan = ParsePlanText(
      absl::StrCat("version: 1\nscenario { name: \"swarmtest.scenario\" }\n",
                   text, "\nexpect { no_violation: true }\n"),
      "pasted.textproto");
  EXPECT_TRUE(plan.ok()) << plan.status();
}

struct BadSwarm {
  const char* swarm;
  const char* want;
};

TEST(Swarm, BadSectionsAreRejectedWithTheirPosition) {
  const BadSwarm cases[] = {
      {"swarm { points_prefix: \"swarmtest.c.\" yield {} }",
       "bad.textproto:3:9: swarm.points_prefix: the swarm set is empty: no "
       "fault point name starts with \"swarmtest.c.\"; did you mean "
       "\"swarmtest.a.\"?"},
      {"swarm { points_prefix: \"nothing_like_it\" yield {} }",
       "bad.textproto:3:9: swarm.points_prefix: the swarm set is empty: no "
       "fault point name starts with \"nothing_like_it\"; see faultline "
       "list-points"},
      {"swarm { points_prefix: \"swarmtest.\" }",
       "bad.textproto:3:1: swarm: no action; set one of delay, yield"},
      {"swarm { arm_probability: 0 yield {} }",
       "bad.textproto:3:9: swarm.arm_probability: expected a value in (0, "
       "1], got 0 (no point would ever be armed)"},
      {"swarm { probability: 1.5 yield {} }",
       "bad.textproto:3:9: swarm.probability: expected a value in (0, 1], "
       "got 1.5"},
      {"swarm { delay { ns: 0 } }",
       "bad.textproto:3:9: swarm.delay: a delay of 0 ns widens nothing; set "
       "ns (and max_ns for a range)"},
  };
  for (const BadSwarm& c : cases) {
    const std::string text =
        absl::StrCat("version: 1\nscenario { name: \"swarmtest.scenario\" }\n",
                     c.swarm, "\nexpect { no_violation: true }\n");
    absl::StatusOr<Plan> plan = ParsePlanText(text, "bad.textproto");
    ASSERT_FALSE(plan.ok()) << c.swarm;
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(plan.status().message(), c.want) << c.swarm;
  }
}

}  // namespace
}  // namespace faultline
