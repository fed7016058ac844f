// Goal: the armed-but-not-firing hot path (a run installed, rules at this
// point that do not fire) allocates nothing, and neither does a firing fail
// rule, so fault points can sit in allocation-sensitive code.
// Method: this binary replaces global operator new with a counting one; the
// count is read around many hits once the run is set up.
#include <google/protobuf/text_format.h>

#include <cstdint>
#include <memory>

#include "framework/fault_point.h"
#include "framework/internal/task_identity.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/testing/counting_new.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

bool Site(uint64_t key) { return FL_FAULT_FAIL("alloctest.site", key); }
[[maybe_unused]] void Other() { FL_FAULT_POINT("alloctest.other"); }

uint64_t AllocationsDuring(const char* plan_text, int* fired) {
  Plan plan;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(plan_text, &plan));
  auto rules = RuleSet::Compile(plan);
  EXPECT_TRUE(rules.ok()) << rules.status();
  RunContext run(*rules, RunOptions{.seed = 3});
  ScopedRunContext install(&run);
  std::unique_ptr<TaskIdentity> task = run.NewTask("worker", "writer");
  SetCurrentTask(task.get());
  const uint64_t before = testing::AllocationCount();
  for (int i = 0; i < 10000; ++i) *fired += Site(i);
  const uint64_t after = testing::AllocationCount();
  SetCurrentTask(nullptr);
  return after - before;
}

TEST(HotPath, ArmedButNotFiringAllocatesNothing) {
  int fired = 0;
  EXPECT_EQ(AllocationsDuring(R"pb(
                                rules {
                                  point: "alloctest.other"
                                  delay { ns: 1 }
                                }
                                rules {
                                  point: "alloctest.site"
                                  probability: 0
                                  fail {}
                                }
                                rules {
                                  point: "alloctest.site"
                                  tasks: "reader"
                                  fail {}
                                }
                                rules {
                                  point: "alloctest.site"
                                  probability: 0.5
                                  keys: 99999
                                  fail {}
                                }
                              )pb",
                              &fired),
            0u);
  EXPECT_EQ(fired, 0);
}

TEST(HotPath, FiringFailRuleAllocatesNothing) {
  int fired = 0;
  EXPECT_EQ(AllocationsDuring(R"pb(rules {
                                     point: "alloctest.site"
                                     probability: 0.5
                                     fail {}
                                   })pb",
                              &fired),
            0u);
  EXPECT_GT(fired, 4000);
  EXPECT_LT(fired, 6000);
}

TEST(HotPath, TheCounterSeesAllocations) {
  static int* volatile sink = nullptr;  // volatile: new cannot be elided
  const uint64_t before = testing::AllocationCount();
  sink = new int(1);
  delete sink;
  EXPECT_EQ(testing::AllocationCount() - before, 1u)
      << "else the tests above prove nothing";
}

}  // namespace
}  // namespace faultline
