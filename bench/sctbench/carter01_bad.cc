// carter01_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency Testing
// Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016; repository
// mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks, which took
// it from the ESBMC / SV-COMP suites), rewritten as a faultline scenario.
//
// A readers-writer style gate: the first member of class A (or B) takes
// lock l while holding m, and the last one releases it. The second class's
// first member then blocks on l while holding m, and the holder of l needs
// m to leave: a deadlock, found by the runtime's own "deadlock" check. Two
// empty threads keep the original's thread count.
#include "absl/status/status.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/join_handle.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace sctbench {
namespace {

struct Gate {
  faultline::Mutex m{"m"};
  faultline::Mutex l{"l"};
  faultline::Atomic<int> a{0, "A"};
  faultline::Atomic<int> b{0, "B"};
};

// One member of a class whose count is `count`.
void Member(Gate* s, faultline::Atomic<int>* count) {
  s->m.Lock();
  count->store(count->load() + 1);
  if (count->load() == 1) s->l.Lock();
  s->m.Unlock();
  // (the class's operation)
  s->m.Lock();
  count->store(count->load() - 1);
  if (count->load() == 0) s->l.Unlock();
  s->m.Unlock();
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs&) {
  Gate* s = world.Make<Gate>();
  world.Spawn("main", [&world, s] {
    using faultline::JoinHandle;
    JoinHandle a1 = JoinHandle::Spawn(world, "a1", [s] { Member(s, &s->a); });
    JoinHandle b1 = JoinHandle::Spawn(world, "b1", [s] { Member(s, &s->b); });
    JoinHandle a2 = JoinHandle::Spawn(world, "a2", [] {});
    JoinHandle b2 = JoinHandle::Spawn(world, "b2", [] {});
    a1.Join();
    b1.Join();
    a2.Join();
    b2.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.carter01_bad",
    "SCTBench carter01_bad: two classes gate on one lock taken under another "
    "and deadlock",
    {},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
