// Goal: fault point sites are listed without running, cost nothing without a
// run (not even evaluating their key), and reach the installed run's rules.
// Method: small functions with sites; a plan parsed from textproto and
// compiled with RuleSet; counters and outcomes checked per hit. The firing
// conditions themselves are covered in run_context_test.cc.
#include "framework/fault_point.h"

#include <google/protobuf/text_format.h>

#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/site_registry.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

bool SiteA(uint64_t key) { return FL_FAULT_FAIL("test.site_a", key); }
int64_t SiteB() { return FL_FAULT_ERROR("test.site_b"); }
void NeverCalled() { FL_FAULT_POINT("test.never_called"); }
// One name at two call sites of different kinds: one point.
bool SharedFail() { return FL_FAULT_FAIL("test.shared"); }
int64_t SharedError() { return FL_FAULT_ERROR("test.shared"); }

int key_evaluations = 0;
uint64_t CountedKey() {
  ++key_evaluations;
  return 1;
}
bool SiteWithCountedKey() { return FL_FAULT_FAIL("test.site_a", CountedKey()); }

Plan ParsePlan(const char* text) {
  Plan plan;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &plan));
  return plan;
}

TEST(SiteRegistry, ListsSitesThatNeverRan) {
  const SiteRegistry& registry = SiteRegistry::Get();
  int32_t index = registry.Find("test.never_called");
  ASSERT_GE(index, 0);
  EXPECT_EQ(registry.point(index).sites.size(), 1u);
  EXPECT_FALSE(registry.point(index).has_fail_site);
  EXPECT_TRUE(registry.point(registry.Find("test.site_a")).has_fail_site);
  EXPECT_EQ(registry.Find("test.no_such_point"), -1);
  (void)&NeverCalled;
}

TEST(SiteRegistry, SitesSharingANameMergeIntoOnePoint) {
  const SiteRegistry& registry = SiteRegistry::Get();
  const PointInfo& shared = registry.point(registry.Find("test.shared"));
  ASSERT_EQ(shared.sites.size(), 2u);
  EXPECT_TRUE(shared.has_fail_site);
  EXPECT_TRUE(shared.has_error_site);
  EXPECT_EQ(shared.sites[0]->kind, SiteKind::kFail);
  EXPECT_LT(shared.sites[0]->line, shared.sites[1]->line);
  EXPECT_EQ(shared.sites[0]->index.load(), shared.index);
  EXPECT_EQ(shared.sites[1]->index.load(), shared.index);
  (void)&SharedFail;
  (void)&SharedError;
}

TEST(SiteRegistry, IndicesAreDenseAndFollowNameOrder) {
  const SiteRegistry& registry = SiteRegistry::Get();
  ASSERT_GE(registry.size(), 4);
  for (int32_t i = 0; i < registry.size(); ++i) {
    EXPECT_EQ(registry.point(i).index, i);
    EXPECT_EQ(registry.Find(registry.point(i).name), i);
    if (i > 0) {
      EXPECT_LT(registry.point(i - 1).name, registry.point(i).name);
    }
  }
}

TEST(FaultPoint, WithoutARunTheKeyIsNotEvaluated) {
  ASSERT_FALSE(internal::AnyRunActive());
  key_evaluations = 0;
  EXPECT_FALSE(SiteWithCountedKey());
  EXPECT_EQ(key_evaluations, 0);
  RunContext run(RuleSet::Empty(), RunOptions{});
  ScopedRunContext install(&run);
  EXPECT_FALSE(SiteWithCountedKey());
  EXPECT_EQ(key_evaluations, 1);
}

TEST(FaultPoint, NoRunMeansNoFault) {
  EXPECT_FALSE(SiteA(1));
  EXPECT_EQ(SiteB(), 0);
}

TEST(FaultPoint, NthFiresOnceOnTheNthHit) {
  auto rules = RuleSet::Compile(ParsePlan(R"pb(rules {
                                                 point: "test.site_a"
                                                 nth: 3
                                                 fail {}
                                               })pb"));
  ASSERT_TRUE(rules.ok()) << rules.status();
  RunContext run(*rules, RunOptions{});
  ScopedRunContext install(&run);
  std::vector<bool> got;
  for (int i = 0; i < 5; ++i) got.push_back(SiteA(0));
  EXPECT_EQ(got, (std::vector<bool>{false, false, true, false, false}));
  int32_t point = SiteRegistry::Get().Find("test.site_a");
  EXPECT_EQ(run.point_counters(point).reached, 5u);
  EXPECT_EQ(run.point_counters(point).fired[0], 1u);
}

TEST(FaultPoint, ErrorRuleReturnsItsValueFilteredByKey) {
  auto rules = RuleSet::Compile(
      ParsePlan(R"pb(rules { point: "test.site_b" error: -5 keys: 0 })pb"));
  ASSERT_TRUE(rules.ok()) << rules.status();
  RunContext run(*rules, RunOptions{});
  ScopedRunContext install(&run);
  EXPECT_EQ(SiteB(), -5);
}

}  // namespace
}  // namespace faultline
