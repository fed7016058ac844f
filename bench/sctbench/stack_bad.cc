// stack_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency Testing
// Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016; repository
// mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks, which took
// it from the ESBMC / SV-COMP suites), rewritten as a faultline scenario.
//
// A pusher pushes ten values and sets a flag, each under one mutex; a popper
// pops whenever the flag is set and asserts the stack never underflows. The
// flag is never cleared, so once the popper gets ahead of the pusher it pops
// an empty stack. The original's overflow/underflow messages are left out.
#include "absl/status/status.h"
#include "bench/sctbench/atomic_array.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/join_handle.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace sctbench {
namespace {

constexpr int kSize = 10;
constexpr int kOverflow = -1;
constexpr int kUnderflow = -2;

struct Stack {
  faultline::Atomic<int> top{0, "top"};
  AtomicArray<unsigned, kSize> arr{"arr"};
  faultline::Mutex m{"m"};
  faultline::Atomic<int> flag{0, "flag"};
};

int GetTop(Stack* s) { return s->top.load(); }
void IncTop(Stack* s) { s->top.store(s->top.load() + 1); }
void DecTop(Stack* s) { s->top.store(s->top.load() - 1); }

int Push(Stack* s, int x) {
  if (s->top.load() == kSize) return kOverflow;
  s->arr[GetTop(s)].store(static_cast<unsigned>(x));
  IncTop(s);
  return 0;
}

int Pop(Stack* s) {
  if (GetTop(s) == 0) return kUnderflow;
  DecTop(s);
  return static_cast<int>(s->arr[GetTop(s)].load());
}

void Pusher(Stack* s) {
  for (int i = 0; i < kSize; ++i) {
    s->m.Lock();
    FL_BUG_ON(Push(s, i) == kOverflow, "sctbench.stack_bad");
    s->flag.store(1);
    s->m.Unlock();
  }
}

void Popper(Stack* s) {
  for (int i = 0; i < kSize; ++i) {
    s->m.Lock();
    if (s->flag.load()) {
      FL_BUG_ON(Pop(s) == kUnderflow, "sctbench.stack_bad");
    }
    s->m.Unlock();
  }
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs&) {
  Stack* s = world.Make<Stack>();
  world.Spawn("main", [&world, s] {
    using faultline::JoinHandle;
    JoinHandle t1 = JoinHandle::Spawn(world, "t1", [s] { Pusher(s); });
    JoinHandle t2 = JoinHandle::Spawn(world, "t2", [s] { Popper(s); });
    t1.Join();
    t2.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.stack_bad",
    "SCTBench stack_bad: the popper gets ahead of the pusher and underflows",
    {},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
