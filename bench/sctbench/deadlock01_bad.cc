// deadlock01_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency
// Testing Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016;
// repository mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks,
// which took it from the ESBMC / SV-COMP suites), rewritten as a faultline
// scenario.
//
// Two threads take locks a and b in opposite orders: a deadlock, found by
// the runtime's own "deadlock" check.
#include "absl/status/status.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/join_handle.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace sctbench {
namespace {

struct Shared {
  faultline::Mutex a{"a"};
  faultline::Mutex b{"b"};
  faultline::Atomic<int> counter{1, "counter"};
};

void Thread1(Shared* s) {
  s->a.Lock();
  s->b.Lock();
  s->counter.store(s->counter.load() + 1);
  s->b.Unlock();
  s->a.Unlock();
}

void Thread2(Shared* s) {
  s->b.Lock();
  s->a.Lock();
  s->counter.store(s->counter.load() - 1);
  s->a.Unlock();
  s->b.Unlock();
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs&) {
  Shared* s = world.Make<Shared>();
  world.Spawn("main", [&world, s] {
    using faultline::JoinHandle;
    JoinHandle t1 = JoinHandle::Spawn(world, "thread1", [s] { Thread1(s); });
    JoinHandle t2 = JoinHandle::Spawn(world, "thread2", [s] { Thread2(s); });
    t1.Join();
    t2.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.deadlock01_bad",
    "SCTBench deadlock01_bad: two locks taken in opposite orders",
    {},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
