// bluetooth_driver_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency
// Testing Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016;
// repository mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks,
// which took it from the ESBMC / SV-COMP suites; the driver model goes back
// to Qadeer and Wu's KISS), rewritten as a faultline scenario.
//
// A device's pending-I/O count: an adder checks a stopping flag and then
// increments, a stopper sets the flag and decrements; the adder asserts the
// device is not stopped while it works. The flag check and the increment are
// not atomic together, so the stopper can stop the device in between. The
// original's __ESBMC_atomic_begin/end sections are one global mutex here.
#include "absl/status/status.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/join_handle.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace sctbench {
namespace {

struct Device {
  faultline::Mutex atomic_section{"esbmc_atomic"};
  faultline::Atomic<int> pending_io{0, "e.pendingIo"};
  faultline::Atomic<int> stopping_flag{0, "e.stoppingFlag"};
  faultline::Atomic<int> stopping_event{0, "e.stoppingEvent"};
  faultline::Atomic<int> stopped{0, "stopped"};
};

int IoIncrement(Device* e) {
  if (e->stopping_flag.load()) return -1;
  e->atomic_section.Lock();
  e->pending_io.store(e->pending_io.load() + 1);
  e->atomic_section.Unlock();
  return 0;
}

void IoDecrement(Device* e) {
  e->atomic_section.Lock();
  e->pending_io.store(e->pending_io.load() - 1);
  const int pending_io = e->pending_io.load();
  e->atomic_section.Unlock();
  if (pending_io == 0) e->stopping_event.store(1);
}

void PnpAdd(Device* e) {
  if (IoIncrement(e) == 0) {
    FL_BUG_ON(e->stopped.load(), "sctbench.bluetooth_driver_bad");
  }
  IoDecrement(e);
}

void PnpStop(Device* e) {
  e->stopping_flag.store(1);
  IoDecrement(e);
  if (e->stopping_event.load()) e->stopped.store(1);
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs&) {
  Device* e = world.Make<Device>();
  world.Spawn("main", [&world, e] {
    e->pending_io.store(1);
    e->stopping_flag.store(0);
    e->stopping_event.store(0);
    e->stopped.store(0);
    faultline::JoinHandle stop =
        faultline::JoinHandle::Spawn(world, "pnp_stop", [e] { PnpStop(e); });
    PnpAdd(e);
    stop.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.bluetooth_driver_bad",
    "SCTBench bluetooth_driver_bad: the device is stopped while an adder "
    "that passed the stopping check works on it",
    {},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
