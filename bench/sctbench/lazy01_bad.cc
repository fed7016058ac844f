// lazy01_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency Testing
// Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016; repository
// mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks, which took
// it from the ESBMC / SV-COMP suites), rewritten as a faultline scenario.
//
// Two threads add 1 and 2 to a counter under a mutex; a third asserts the
// counter never reached 3, which fails whenever it runs after both.
#include "absl/status/status.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/join_handle.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace sctbench {
namespace {

struct Shared {
  faultline::Mutex mutex{"mutex"};
  faultline::Atomic<int> data{0, "data"};
};

void Add(Shared* s, int d) {
  s->mutex.Lock();
  s->data.store(s->data.load() + d);
  s->mutex.Unlock();
}

void Check(Shared* s) {
  s->mutex.Lock();
  FL_BUG_ON(s->data.load() >= 3, "sctbench.lazy01_bad");
  s->mutex.Unlock();
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs&) {
  Shared* s = world.Make<Shared>();
  world.Spawn("main", [&world, s] {
    using faultline::JoinHandle;
    JoinHandle t1 = JoinHandle::Spawn(world, "thread1", [s] { Add(s, 1); });
    JoinHandle t2 = JoinHandle::Spawn(world, "thread2", [s] { Add(s, 2); });
    JoinHandle t3 = JoinHandle::Spawn(world, "thread3", [s] { Check(s); });
    t1.Join();
    t2.Join();
    t3.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.lazy01_bad",
    "SCTBench lazy01_bad: a checker asserts a sum the two adders reach",
    {},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
