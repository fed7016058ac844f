// Goal: with FAULTLINE_DISABLED (what `--define faultline=off` sets), fault
// point macros compile to constants: no fault even under an active run, no
// descriptor in the site registry, arguments type-checked but never
// evaluated.
// Method: this file alone is compiled with FAULTLINE_DISABLED (BUILD
// local_defines) against the normal framework library, then its sites are
// hit under a run whose rules would fire at any registered point.
#include <cstdint>

#include "framework/fault_point.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/site_registry.h"
#include "gtest/gtest.h"

#ifndef FAULTLINE_DISABLED
#error "this test must be built with FAULTLINE_DISABLED"
#endif

namespace faultline {
namespace {

int evaluations = 0;
uint64_t Key() {
  ++evaluations;
  return 7;
}

bool Fail() { return FL_FAULT_FAIL("disabled.fail", Key()); }
int64_t Error() { return FL_FAULT_ERROR("disabled.error", Key()); }
void Point() { FL_FAULT_POINT("disabled.point", Key()); }

// Constant expressions: the compiler can drop the branches they guard.
static_assert(!FL_FAULT_FAIL("disabled.constant"), "fail site is false");
static_assert(FL_FAULT_ERROR("disabled.constant") == 0, "error site is 0");

TEST(CompiledOut, SitesAreNotRegistered) {
  const SiteRegistry& registry = SiteRegistry::Get();
  EXPECT_EQ(registry.Find("disabled.fail"), -1);
  EXPECT_EQ(registry.Find("disabled.error"), -1);
  EXPECT_EQ(registry.Find("disabled.point"), -1);
  EXPECT_EQ(registry.Find("disabled.constant"), -1);
  for (const PointInfo& point : registry.points()) {
    EXPECT_NE(point.name.rfind("disabled.", 0), 0u) << point.name;
  }
}

TEST(CompiledOut, SitesAreInertUnderAnActiveRun) {
  RunContext run(RuleSet::Empty(), RunOptions{});
  ScopedRunContext install(&run);
  ASSERT_TRUE(internal::AnyRunActive());
  evaluations = 0;
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(Fail());
    EXPECT_EQ(Error(), 0);
    Point();
  }
  EXPECT_EQ(evaluations, 0) << "site arguments are never evaluated";
}

}  // namespace
}  // namespace faultline
