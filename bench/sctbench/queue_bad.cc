// queue_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency Testing
// Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016; repository
// mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks, which took
// it from the ESBMC / SV-COMP suites), rewritten as a faultline scenario.
//
// A producer enqueues values and records each in stored_elements[i]; a
// consumer, taking turns through two flags under one mutex, asserts that
// its i-th loop iteration dequeues stored_elements[i]. A consumer iteration
// that finds it is not its turn is spent anyway, so running one early
// compares against the wrong slot. The original's "queue is empty/full"
// messages are left out; their shared reads are kept.
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

constexpr int kSize = 20;
constexpr int kEmpty = -1;

struct Queue {
  AtomicArray<int, kSize> element{"queue.element"};
  faultline::Atomic<int> head{0, "queue.head"};
  faultline::Atomic<int> tail{0, "queue.tail"};
  faultline::Atomic<int> amount{0, "queue.amount"};
};

struct Shared {
  faultline::Mutex m{"m"};
  AtomicArray<int, kSize> stored_elements{"stored_elements"};
  faultline::Atomic<int> enqueue_flag{0, "enqueue_flag"};
  faultline::Atomic<int> dequeue_flag{0, "dequeue_flag"};
  Queue queue;
};

void Init(Queue* q) {
  q->head.store(0);
  q->tail.store(0);
  q->amount.store(0);
}

int Empty(Queue* q) {
  const int head = q->head.load();
  return head == q->tail.load() ? kEmpty : 0;
}

int Enqueue(Queue* q, int x) {
  q->element[q->tail.load()].store(x);
  q->amount.store(q->amount.load() + 1);
  if (q->tail.load() == kSize) {
    q->tail.store(1);
  } else {
    q->tail.store(q->tail.load() + 1);
  }
  return 0;
}

int Dequeue(Queue* q) {
  const int x = q->element[q->head.load()].load();
  q->amount.store(q->amount.load() - 1);
  if (q->head.load() == kSize) {
    q->head.store(1);
  } else {
    q->head.store(q->head.load() + 1);
  }
  return x;
}

void Producer(Shared* s) {
  s->m.Lock();
  int value = 0;
  FL_BUG_ON(Enqueue(&s->queue, value) != 0, "sctbench.queue_bad");
  s->stored_elements[0].store(value);
  FL_BUG_ON(Empty(&s->queue) != 0, "sctbench.queue_bad");
  s->m.Unlock();
  for (int i = 0; i < kSize - 1; ++i) {
    s->m.Lock();
    if (s->enqueue_flag.load()) {
      ++value;
      Enqueue(&s->queue, value);
      s->stored_elements[i + 1].store(value);
      s->enqueue_flag.store(0);
      s->dequeue_flag.store(1);
    }
    s->m.Unlock();
  }
}

void Consumer(Shared* s) {
  for (int i = 0; i < kSize; ++i) {
    s->m.Lock();
    if (s->dequeue_flag.load()) {
      const int x = Dequeue(&s->queue);
      FL_BUG_ON(x != s->stored_elements[i].load(), "sctbench.queue_bad");
      s->dequeue_flag.store(0);
      s->enqueue_flag.store(1);
    }
    s->m.Unlock();
  }
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs&) {
  Shared* s = world.Make<Shared>();
  world.Spawn("main", [&world, s] {
    s->enqueue_flag.store(1);
    s->dequeue_flag.store(0);
    Init(&s->queue);
    FL_BUG_ON(Empty(&s->queue) != kEmpty, "sctbench.queue_bad");
    using faultline::JoinHandle;
    JoinHandle t1 = JoinHandle::Spawn(world, "t1", [s] { Producer(s); });
    JoinHandle t2 = JoinHandle::Spawn(world, "t2", [s] { Consumer(s); });
    t1.Join();
    t2.Join();
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.queue_bad",
    "SCTBench queue_bad: the consumer's loop counter runs ahead of the "
    "values it dequeues",
    {},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
