// twostage_100_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency
// Testing Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016;
// repository mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks,
// which took it from the ESBMC / SV-COMP suites), rewritten as a faultline
// scenario.
//
// Two-stage threads set data1 = 1 under one lock, then data2 = data1 + 1
// under another; reader threads read data1 and, if it is set, data2, and
// assert data2 == data1 + 1. A reader that runs between some two-stage
// thread's stages sees stage one without stage two. The default counts are
// the original's: 99 two-stage threads and 1 reader, spawned in that order
// by main, which then joins them all.
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
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
  faultline::Mutex data1_lock{"data1Lock"};
  faultline::Mutex data2_lock{"data2Lock"};
  faultline::Atomic<int> data1_value{0, "data1Value"};
  faultline::Atomic<int> data2_value{0, "data2Value"};
};

void TwoStage(Shared* s) {
  s->data1_lock.Lock();
  s->data1_value.store(1);
  s->data1_lock.Unlock();

  s->data2_lock.Lock();
  s->data2_value.store(s->data1_value.load() + 1);
  s->data2_lock.Unlock();
}

void Reader(Shared* s) {
  s->data1_lock.Lock();
  if (s->data1_value.load() == 0) {
    s->data1_lock.Unlock();
    return;
  }
  const int t1 = s->data1_value.load();
  s->data1_lock.Unlock();

  s->data2_lock.Lock();
  const int t2 = s->data2_value.load();
  s->data2_lock.Unlock();

  FL_BUG_ON(t2 != t1 + 1, "sctbench.twostage_100_bad");
}

absl::Status Build(faultline::World& world,
                   const faultline::ScenarioArgs& args) {
  absl::StatusOr<int> t_threads = ThreadCount(args, "t_threads");
  if (!t_threads.ok()) return t_threads.status();
  absl::StatusOr<int> r_threads = ThreadCount(args, "r_threads");
  if (!r_threads.ok()) return r_threads.status();
  Shared* s = world.Make<Shared>();
  world.Spawn("main", [&world, s, n_t = *t_threads, n_r = *r_threads] {
    using faultline::JoinHandle;
    std::vector<JoinHandle> t_pool, r_pool;
    for (int i = 0; i < n_t; ++i) {
      t_pool.push_back(JoinHandle::Spawn(
          world, absl::StrCat("twostage", i), [s] { TwoStage(s); },
          "twostage"));
    }
    for (int i = 0; i < n_r; ++i) {
      r_pool.push_back(JoinHandle::Spawn(
          world, absl::StrCat("reader", i), [s] { Reader(s); }, "reader"));
    }
    for (const JoinHandle& t : t_pool) t.Join();
    for (const JoinHandle& t : r_pool) t.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.twostage_100_bad",
    "SCTBench twostage_100_bad: a reader sees stage one of a two-stage "
    "update without stage two (99 two-stage threads, 1 reader)",
    {{"t_threads", "99", "two-stage threads"},
     {"r_threads", "1", "reader threads"}},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
