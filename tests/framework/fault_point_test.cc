// Goal: fault point sites are listed without running, cost nothing without a
// run, and obey each firing condition of a rule under a run.
// Method: small functions with sites; a plan parsed from textproto and
// compiled with RuleSet; counters and outcomes checked per hit.
#include "framework/fault_point.h"

#include <google/protobuf/text_format.h>

#include "framework/run_context.h"
#include "framework/site_registry.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

bool SiteA(uint64_t key) { return FL_FAULT_FAIL("test.site_a", key); }
int64_t SiteB() { return FL_FAULT_ERROR("test.site_b"); }
void NeverCalled() { FL_FAULT_POINT("test.never_called"); }

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

TEST(FaultPoint, NoRunMeansNoFault) {
  EXPECT_FALSE(SiteA(1));
  EXPECT_EQ(SiteB(), 0);
}

TEST(FaultPoint, NthFiresOnceOnTheNthHit) {
  auto rules = RuleSet::Compile(
      ParsePlan(R"pb(rules { point: "test.site_a" nth: 3 fail {} })pb"));
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
  auto rules = RuleSet::Compile(ParsePlan(
      R"pb(rules { point: "test.site_b" error: -5 keys: 0 })pb"));
  ASSERT_TRUE(rules.ok()) << rules.status();
  RunContext run(*rules, RunOptions{});
  ScopedRunContext install(&run);
  EXPECT_EQ(SiteB(), -5);
}

}  // namespace
}  // namespace faultline
