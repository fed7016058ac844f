// token_ring_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency
// Testing Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016;
// repository mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks,
// which took it from the ESBMC / SV-COMP suites), rewritten as a faultline
// scenario.
//
// Three threads pass a token value around a ring (x1 from x3, x2 from x1,
// x3 from x2), each in an atomic section; a fourth asserts, once all three
// have run, that the three values agree, which holds only for some orders.
// The original's __ESBMC_atomic_begin/end sections are one global mutex
// here; main spawns the four threads and does not join (as the original).
// One difference: in C, main returning ends the process and any thread
// that has not run yet; here the other tasks still run to the end.
#include "absl/status/status.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace sctbench {
namespace {

struct Ring {
  faultline::Mutex atomic_section{"esbmc_atomic"};
  faultline::Atomic<int> x1{1, "x1"}, x2{2, "x2"}, x3{1, "x3"};
  faultline::Atomic<int> flag1{0, "flag1"}, flag2{0, "flag2"},
      flag3{0, "flag3"};
};

// The agreement the checker asserts, reading x1, x2, x2, x3 in the
// original's order (stopping early like its &&).
bool Agree(Ring* r) {
  const int x1 = r->x1.load();
  if (x1 != r->x2.load()) return false;
  const int x2 = r->x2.load();
  return x2 == r->x3.load();
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs&) {
  Ring* r = world.Make<Ring>();
  world.Spawn("main", [&world, r] {
    world.Spawn("t1", [r] {
      r->atomic_section.Lock();
      r->x1.store((r->x3.load() + 1) % 4);
      r->flag1.store(1);
      r->atomic_section.Unlock();
    });
    world.Spawn("t2", [r] {
      r->atomic_section.Lock();
      r->x2.store(r->x1.load());
      r->flag2.store(1);
      r->atomic_section.Unlock();
    });
    world.Spawn("t3", [r] {
      r->atomic_section.Lock();
      r->x3.store(r->x2.load());
      r->flag3.store(1);
      r->atomic_section.Unlock();
    });
    world.Spawn("t4", [r] {
      r->atomic_section.Lock();
      if (r->flag1.load() && r->flag2.load() && r->flag3.load()) {
        FL_BUG_ON(!Agree(r), "sctbench.token_ring_bad");
      }
      r->atomic_section.Unlock();
    });
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.token_ring_bad",
    "SCTBench token_ring_bad: the values passed around a ring of three "
    "threads disagree for some orders",
    {},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
