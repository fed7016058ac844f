// circular_buffer_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency
// Testing Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016;
// repository mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks,
// which took it from the ESBMC / SV-COMP suites), rewritten as a faultline
// scenario.
//
// A sender and a receiver hand values through a log buffer, taking turns by
// two flags under one mutex. The receiver asserts that its i-th loop
// iteration removes the value i, but a loop iteration that finds it is not
// its turn is spent anyway, so any schedule where the receiver runs an
// iteration early removes a value from an earlier round.
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

constexpr int kBufferMax = 10;
constexpr int kRounds = 7;  // N in the original
constexpr int kError = -1;

struct Log {
  AtomicArray<int, kBufferMax> buffer{"buffer"};
  faultline::Atomic<unsigned> first{0, "first"};
  faultline::Atomic<unsigned> next{0, "next"};
  faultline::Atomic<int> buffer_size{0, "buffer_size"};
  faultline::Atomic<int> send{0, "send"};
  faultline::Atomic<int> receive{0, "receive"};
  faultline::Mutex m{"m"};
};

void InitLog(Log* s, int max) {
  s->buffer_size.store(max);
  s->next.store(0);
  s->first.store(0);
}

// next < buffer_size and first < buffer_size, reading the index first as
// the original does (the comparison is unsigned in C, the values small).
bool NextBelowSize(Log* s) {
  const unsigned next = s->next.load();
  return static_cast<int>(next) < s->buffer_size.load();
}
bool FirstBelowSize(Log* s) {
  const unsigned first = s->first.load();
  return static_cast<int>(first) < s->buffer_size.load();
}

int RemoveLogElement(Log* s) {
  // The original asserts first >= 0 on an unsigned: always true, but the
  // read is still a shared access.
  static_cast<void>(s->first.load());
  if (s->next.load() > 0 && FirstBelowSize(s)) {
    s->first.store(s->first.load() + 1);
    return s->buffer[static_cast<long>(s->first.load()) - 1].load();
  }
  return kError;
}

int InsertLogElement(Log* s, int b) {
  if (NextBelowSize(s) && s->buffer_size.load() > 0) {
    s->buffer[s->next.load()].store(b);
    const unsigned next = s->next.load();
    s->next.store((next + 1) % s->buffer_size.load());
    FL_BUG_ON(!NextBelowSize(s), "sctbench.circular_buffer_bad");
  } else {
    return kError;
  }
  return b;
}

void Sender(Log* s) {
  for (int i = 0; i < kRounds; ++i) {
    s->m.Lock();
    if (s->send.load()) {
      InsertLogElement(s, i);
      s->send.store(0);
      s->receive.store(1);
    }
    s->m.Unlock();
  }
}

void Receiver(Log* s) {
  for (int i = 0; i < kRounds; ++i) {
    s->m.Lock();
    if (s->receive.load()) {
      FL_BUG_ON(RemoveLogElement(s) != i, "sctbench.circular_buffer_bad");
      s->receive.store(0);
      s->send.store(1);
    }
    s->m.Unlock();
  }
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs&) {
  Log* s = world.Make<Log>();
  world.Spawn("main", [&world, s] {
    InitLog(s, kBufferMax);
    s->send.store(1);
    s->receive.store(0);
    using faultline::JoinHandle;
    JoinHandle t1 = JoinHandle::Spawn(world, "t1", [s] { Sender(s); });
    JoinHandle t2 = JoinHandle::Spawn(world, "t2", [s] { Receiver(s); });
    t1.Join();
    t2.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.circular_buffer_bad",
    "SCTBench circular_buffer_bad: the receiver's loop counter runs ahead of "
    "the values it removes",
    {},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
