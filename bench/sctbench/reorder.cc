// reorder_3_bad and reorder_20_bad from SCTBench (Thomson, Donaldson, Betts,
// "Concurrency Testing Using Controlled Schedulers: An Empirical Study", ACM
// TOPC 2016; repository mc-imperial/sctbench,
// benchmarks/concurrent-software-benchmarks, which took them from the ESBMC
// / SV-COMP suites), rewritten as faultline scenarios. The two originals are
// one program run with different thread counts, so here they are one
// program registered twice with the original's counts as defaults.
//
// Set threads write a = 1 then b = -1; check threads assert that they see
// either both writes or neither. A check that runs between some set thread's
// two writes sees a half-done update. main spawns every set thread, then
// every check thread, then joins them all.
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "bench/sctbench/thread_count.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/join_handle.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace sctbench {
namespace {

struct Shared {
  faultline::Atomic<int> a{0, "a"};
  faultline::Atomic<int> b{0, "b"};
};

void Set(Shared* s) {
  s->a.store(1);
  s->b.store(-1);
}

// The original's condition, with its && / || short-circuit order of reads.
bool Consistent(Shared* s) {
  if (s->a.load() == 0 && s->b.load() == 0) return true;
  return s->a.load() == 1 && s->b.load() == -1;
}

// The assertion, named after the registered program (check names are
// literals, so the plan loader knows them before a run).
void CheckConsistent(Shared* s, absl::string_view check) {
  const bool broken = !Consistent(s);
  if (check == "sctbench.reorder_20_bad") {
    FL_BUG_ON(broken, "sctbench.reorder_20_bad");
  } else {
    FL_BUG_ON(broken, "sctbench.reorder_3_bad");
  }
}

// `check` names the assertion after the registered program.
absl::Status Build(faultline::World& world, const faultline::ScenarioArgs& args,
                   const char* check) {
  absl::StatusOr<int> set_threads = ThreadCount(args, "set_threads");
  if (!set_threads.ok()) return set_threads.status();
  absl::StatusOr<int> check_threads = ThreadCount(args, "check_threads");
  if (!check_threads.ok()) return check_threads.status();
  Shared* s = world.Make<Shared>();
  world.Spawn("main", [&world, s, check, n_set = *set_threads,
                       n_check = *check_threads] {
    using faultline::JoinHandle;
    std::vector<JoinHandle> set_pool, check_pool;
    for (int i = 0; i < n_set; ++i) {
      set_pool.push_back(JoinHandle::Spawn(
          world, absl::StrCat("set", i), [s] { Set(s); }, "set"));
    }
    for (int i = 0; i < n_check; ++i) {
      check_pool.push_back(JoinHandle::Spawn(
          world, absl::StrCat("check", i),
          [s, check] { CheckConsistent(s, check); }, "check"));
    }
    for (const JoinHandle& t : set_pool) t.Join();
    for (const JoinHandle& t : check_pool) t.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.reorder_3_bad",
    "SCTBench reorder_3_bad: a check thread sees a set thread's a = 1 "
    "without its b = -1 (2 set threads, 1 check thread)",
    {{"set_threads", "2", "threads writing a then b"},
     {"check_threads", "1", "threads asserting a and b agree"}},
    {},
    [](faultline::World& world, const faultline::ScenarioArgs& args) {
      return Build(world, args, "sctbench.reorder_3_bad");
    },
}));

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.reorder_20_bad",
    "SCTBench reorder_20_bad: a check thread sees a set thread's a = 1 "
    "without its b = -1 (10 set threads, 10 check threads)",
    {{"set_threads", "10", "threads writing a then b"},
     {"check_threads", "10", "threads asserting a and b agree"}},
    {},
    [](faultline::World& world, const faultline::ScenarioArgs& args) {
      return Build(world, args, "sctbench.reorder_20_bad");
    },
}));

}  // namespace
}  // namespace sctbench
