// wronglock_bad and wronglock_3_bad from SCTBench (Thomson, Donaldson,
// Betts, "Concurrency Testing Using Controlled Schedulers: An Empirical
// Study", ACM TOPC 2016; repository mc-imperial/sctbench,
// benchmarks/concurrent-software-benchmarks, which took them from the ESBMC
// / SV-COMP suites), rewritten as faultline scenarios. The two originals are
// one program run with different thread counts (7 and 3 B threads), so here
// they are one program registered twice with the original's counts as
// defaults.
//
// A threads increment dataValue under dataLock and assert the increment is
// theirs alone; B threads increment it under a different lock (the wrong
// one), so a B increment landing inside an A thread's read-increment-read
// breaks the assertion. main spawns the A threads, then the B threads, then
// joins them all.
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "bench/sctbench/thread_count.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/join_handle.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace sctbench {
namespace {

struct Shared {
  faultline::Mutex data_lock{"dataLock"};
  faultline::Mutex this_lock{"thisLock"};
  faultline::Atomic<int> data_value{0, "dataValue"};
};

void FuncA(Shared* s, const char* check) {
  s->data_lock.Lock();
  const int x = s->data_value.load();
  s->data_value.store(s->data_value.load() + 1);
  const bool lost = s->data_value.load() != x + 1;
  // Check names are literals (the plan loader knows them before a run).
  if (absl::string_view(check) == "sctbench.wronglock_3_bad") {
    FL_BUG_ON(lost, "sctbench.wronglock_3_bad");
  } else {
    FL_BUG_ON(lost, "sctbench.wronglock_bad");
  }
  s->data_lock.Unlock();
}

void FuncB(Shared* s) {
  s->this_lock.Lock();
  s->data_value.store(s->data_value.load() + 1);
  s->this_lock.Unlock();
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs& args,
                   const char* check) {
  absl::StatusOr<int> num1 = ThreadCount(args, "num1");
  if (!num1.ok()) return num1.status();
  absl::StatusOr<int> num2 = ThreadCount(args, "num2");
  if (!num2.ok()) return num2.status();
  Shared* s = world.Make<Shared>();
  world.Spawn("main", [&world, s, check, n1 = *num1, n2 = *num2] {
    using faultline::JoinHandle;
    std::vector<JoinHandle> pool1, pool2;
    for (int i = 0; i < n1; ++i) {
      pool1.push_back(JoinHandle::Spawn(
          world, absl::StrCat("a", i), [s, check] { FuncA(s, check); }, "A"));
    }
    for (int i = 0; i < n2; ++i) {
      pool2.push_back(JoinHandle::Spawn(
          world, absl::StrCat("b", i), [s] { FuncB(s); }, "B"));
    }
    for (const JoinHandle& t : pool1) t.Join();
    for (const JoinHandle& t : pool2) t.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.wronglock_bad",
    "SCTBench wronglock_bad: B threads increment under the wrong lock inside "
    "an A thread's checked increment (1 A, 7 B)",
    {{"num1", "1", "A threads (lock dataLock, checked increment)"},
     {"num2", "7", "B threads (lock thisLock, increment)"}},
    {},
    [](faultline::World& world, const faultline::ScenarioArgs& args) {
      return Build(world, args, "sctbench.wronglock_bad");
    },
}));

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.wronglock_3_bad",
    "SCTBench wronglock_3_bad: B threads increment under the wrong lock "
    "inside an A thread's checked increment (1 A, 3 B)",
    {{"num1", "1", "A threads (lock dataLock, checked increment)"},
     {"num2", "3", "B threads (lock thisLock, increment)"}},
    {},
    [](faultline::World& world, const faultline::ScenarioArgs& args) {
      return Build(world, args, "sctbench.wronglock_3_bad");
    },
}));

}  // namespace
}  // namespace sctbench
