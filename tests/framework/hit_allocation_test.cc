// Goal: the armed-but-not-firing hot path (a run installed, rules at this
// point that do not fire) allocates nothing, and neither does a firing fail
// rule, so fault points can sit in allocation-sensitive code.
// Method: this binary replaces global operator new with a counting one; the
// count is read around many hits once the run is set up.
#include <google/protobuf/text_format.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

#include "framework/fault_point.h"
#include "framework/run_context.h"
#include "framework/rule_set.h"
#include "gtest/gtest.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

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
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 10000; ++i) *fired += Site(i);
  const uint64_t after = g_allocations.load();
  SetCurrentTask(nullptr);
  return after - before;
}

TEST(HotPath, ArmedButNotFiringAllocatesNothing) {
  int fired = 0;
  EXPECT_EQ(AllocationsDuring(R"pb(
              rules { point: "alloctest.other" delay { ns: 1 } }
              rules { point: "alloctest.site" probability: 0 fail {} }
              rules { point: "alloctest.site" tasks: "reader" fail {} }
              rules { point: "alloctest.site" probability: 0.5 keys: 99999 fail {} }
            )pb",
                              &fired),
            0u);
  EXPECT_EQ(fired, 0);
}

TEST(HotPath, FiringFailRuleAllocatesNothing) {
  int fired = 0;
  EXPECT_EQ(AllocationsDuring(
                R"pb(rules { point: "alloctest.site" probability: 0.5 fail {} })pb",
                &fired),
            0u);
  EXPECT_GT(fired, 4000);
  EXPECT_LT(fired, 6000);
}

TEST(HotPath, TheCounterSeesAllocations) {
  static int* volatile sink = nullptr;  // volatile: new cannot be elided
  const uint64_t before = g_allocations.load();
  sink = new int(1);
  delete sink;
  EXPECT_EQ(g_allocations.load() - before, 1u) << "else the tests above prove nothing";
}

}  // namespace
}  // namespace faultline
