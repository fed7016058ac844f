// Goal: the drop-in primitives (Atomic<T> for integers and pointers, Mutex,
// SharedMutex, CondVar) have std::atomic / std::mutex /
// std::shared_mutex / std::condition_variable semantics and results in an
// instrumented build, are as large as the std types, keep their trace labels
// outside the object, and under the fiber backend make every operation a
// traced step (so races and deadlocks through them are found).
// Method: call every member and operator with no run and compare against a
// std::atomic doing the same; then run small fiber iterations with
// record_events and read the trace (labels, values before and after,
// violations).
#include <atomic>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/condition_variable.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/mutex.h"
#include "framework/runtime/shared_mutex.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/wait_queue.h"
#include "framework/runtime/world.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::FromBuild;
using testing_programs::HasViolation;

static_assert(sizeof(Atomic<int>) == sizeof(std::atomic<int>), "");
static_assert(sizeof(Atomic<uint64_t>) == sizeof(std::atomic<uint64_t>), "");
static_assert(sizeof(Atomic<int*>) == sizeof(std::atomic<int*>), "");
static_assert(alignof(Atomic<int64_t>) == alignof(std::atomic<int64_t>), "");
static_assert(std::is_same<AtomicPtr<int>, Atomic<int*>>::value, "");

// Every integer member against std::atomic, with and without orders.
TEST(DropInAtomic, IntegerMembersMatchStd) {
  Atomic<int> a{5};
  std::atomic<int> s{5};
  EXPECT_EQ(a.load(std::memory_order_relaxed), s.load());
  a.store(7, std::memory_order_release);
  s.store(7);
  EXPECT_EQ(a.exchange(9, std::memory_order_acq_rel), s.exchange(9));
  EXPECT_EQ(a.fetch_add(3, std::memory_order_relaxed), s.fetch_add(3));
  EXPECT_EQ(a.fetch_sub(2), s.fetch_sub(2));
  EXPECT_EQ(a.fetch_and(6, std::memory_order_seq_cst), s.fetch_and(6));
  EXPECT_EQ(a.fetch_or(9), s.fetch_or(9));
  EXPECT_EQ(a.fetch_xor(5), s.fetch_xor(5));
  EXPECT_EQ(++a, ++s);
  EXPECT_EQ(a++, s++);
  EXPECT_EQ(--a, --s);
  EXPECT_EQ(a--, s--);
  EXPECT_EQ(a += 10, s += 10);
  EXPECT_EQ(a -= 4, s -= 4);
  EXPECT_EQ(a &= 0x3f, s &= 0x3f);
  EXPECT_EQ(a |= 0x100, s |= 0x100);
  EXPECT_EQ(a ^= 0x11, s ^= 0x11);
  EXPECT_EQ(a = 42, s = 42);
  EXPECT_EQ(static_cast<int>(a), static_cast<int>(s));

  int expected = 41;
  EXPECT_FALSE(a.compare_exchange_strong(expected, 1));
  EXPECT_EQ(expected, 42);  // the value seen, as std
  EXPECT_TRUE(a.compare_exchange_strong(expected, 1, std::memory_order_acq_rel,
                                        std::memory_order_acquire));
  expected = 1;
  EXPECT_TRUE(a.compare_exchange_weak(expected, 2, std::memory_order_release));
  expected = 0;
  EXPECT_FALSE(a.compare_exchange_weak(expected, 3, std::memory_order_acq_rel,
                                       std::memory_order_relaxed));
  EXPECT_EQ(expected, 2);
  EXPECT_EQ(a.Peek(), 2);
  EXPECT_TRUE(a.is_lock_free());
  EXPECT_EQ(Atomic<int>::is_always_lock_free,
            std::atomic<int>::is_always_lock_free);

  Atomic<uint8_t> wrap{255};
  EXPECT_EQ(++wrap, 0);  // wraps like std::atomic<uint8_t>
  Atomic<bool> flag;
  EXPECT_FALSE(flag.load());  // value-initialized
  EXPECT_FALSE(flag.exchange(true));
  bool want = true;
  EXPECT_TRUE(flag.compare_exchange_strong(want, false));
}

struct Node {
  int value = 0;
};

TEST(DropInAtomic, PointerMembersMatchStd) {
  Node nodes[4];
  Atomic<Node*> p{&nodes[0]};
  std::atomic<Node*> s{&nodes[0]};
  EXPECT_EQ(p.fetch_add(2), s.fetch_add(2));
  EXPECT_EQ(p.fetch_sub(1, std::memory_order_relaxed), s.fetch_sub(1));
  EXPECT_EQ(++p, ++s);
  EXPECT_EQ(p--, s--);
  EXPECT_EQ(p += 2, s += 2);
  EXPECT_EQ(p -= 3, s -= 3);
  EXPECT_EQ(p.exchange(nullptr), s.exchange(nullptr));
  Node* expected = &nodes[1];
  EXPECT_FALSE(p.compare_exchange_strong(expected, &nodes[2]));
  EXPECT_EQ(expected, nullptr);
  EXPECT_TRUE(p.compare_exchange_weak(expected, &nodes[3]));
  EXPECT_EQ(p.load(std::memory_order_acquire), &nodes[3]);
  AtomicPtr<Node> alias;
  EXPECT_EQ(alias.load(), nullptr);
}

TEST(DropInAtomic, LabelsLiveBesideTheObject) {
  {
    Atomic<int> named{0, "pool.pins"};
    EXPECT_STREQ(named.label(), "pool.pins");
    Atomic<int> plain;
    EXPECT_STREQ(plain.label(), "atomic");
    Atomic<int*> pointer;
    EXPECT_STREQ(pointer.label(), "pointer");
  }
  // A new atomic where a labelled one was destroyed does not inherit it.
  alignas(Atomic<int>) unsigned char storage[sizeof(Atomic<int>)];
  auto* first = new (storage) Atomic<int>(0, "first");
  EXPECT_STREQ(first->label(), "first");
  first->~Atomic<int>();
  auto* second = new (storage) Atomic<int>(0);
  EXPECT_STREQ(second->label(), "atomic");
  second->~Atomic<int>();
}

IterationResult RunRecorded(const ScenarioInfo& scenario, uint64_t seed) {
  auto strategy = NewRandomWalkStrategy(seed);
  IterationConfig config;
  config.scenario = &scenario;
  config.strategy = strategy.get();
  config.seed = seed;
  config.record_events = true;
  return RunIteration(config);
}

// The trace names the object by its label and shows each operation's
// values before and after, for integers and (as object ids) pointers.
TEST(DropInAtomic, EveryOperationIsATracedStep) {
  const ScenarioInfo scenario = FromBuild([](World& world) {
    auto* pins = world.Make<Atomic<int>>(0, "frame.pins");
    auto* slot = world.Make<Atomic<Node*>>(nullptr, "frame.slot");
    auto* node = world.Make<Node>();
    world.Spawn("t", [pins, slot, node] {
      pins->fetch_add(2, std::memory_order_acq_rel);
      (*pins)--;
      int expected = 1;
      pins->compare_exchange_weak(expected, 5);
      slot->store(node, std::memory_order_release);
    });
  });
  const IterationResult result = RunRecorded(scenario, 1);
  ASSERT_TRUE(result.ran);
  std::vector<std::string> ops;
  for (const TraceEvent& e : result.trace.events) {
    if (e.kind != TraceEventKind::kOp || e.object == 0) continue;
    if (result.trace.objects[e.object - 1].label.rfind("frame.", 0) != 0) {
      continue;  // the task's spawn
    }
    ops.push_back(result.trace.objects[e.object - 1].label + " " +
                  internal::OpKindName(e.op) + " " + std::to_string(e.before) +
                  "->" + std::to_string(e.after));
  }
  ASSERT_EQ(ops.size(), 4u) << result.trace.Render();
  EXPECT_EQ(ops[0], "frame.pins rmw 0->2");
  EXPECT_EQ(ops[1], "frame.pins rmw 2->1");
  EXPECT_EQ(ops[2], "frame.pins rmw 1->5");
  EXPECT_EQ(ops[3].substr(0, 20), "frame.slot store 0->");
  EXPECT_NE(ops[3], "frame.slot store 0->0");  // the node's object id
}

// A lost update through operator++ split into load and store is found; the
// same counter with fetch_add never loses one.
TEST(DropInAtomic, RaceThroughOperatorsIsFound) {
  auto scenario = [](bool atomic_increment) {
    return FromBuild([atomic_increment](World& world) {
      auto* count = world.Make<Atomic<int>>(0, "count");
      for (const char* name : {"a", "b"}) {
        world.Spawn(name, [count, atomic_increment] {
          if (atomic_increment) {
            ++*count;
          } else {
            const int seen = *count;
            *count = seen + 1;
          }
        });
      }
      world.AtQuiescence(
          "count", [count] { FL_BUG_ON(count->Peek() != 2, "lost_update"); });
    });
  };
  const ScenarioInfo racy = scenario(false);
  const ScenarioInfo fixed = scenario(true);
  int found = 0;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    found += HasViolation(RunRecorded(racy, seed), "lost_update");
    EXPECT_FALSE(HasViolation(RunRecorded(fixed, seed), "lost_update"));
  }
  EXPECT_GT(found, 0);
}

TEST(DropInMutex, StdLockTypesWorkOnRealThreads) {
  Mutex mu{"m"};
  SharedMutex rw{"rw"};
  CondVar cv{"cv"};
  int count = 0;
  int readers_saw = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        {
          std::lock_guard<Mutex> lock(mu);
          ++count;
        }
        {
          std::unique_lock<SharedMutex> w(rw);
          ++readers_saw;
        }
        {
          std::shared_lock<SharedMutex> r(rw);
          EXPECT_GE(readers_saw, 1);
        }
      }
      std::lock_guard<Mutex> lock(mu);
      cv.notify_all();
    });
  }
  {
    std::unique_lock<Mutex> lock(mu);
    cv.wait(lock, [&] { return count == 8000; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(count, 8000);
  EXPECT_EQ(readers_saw, 8000);
  EXPECT_TRUE(rw.try_lock_shared());
  EXPECT_TRUE(rw.try_lock_shared());
  EXPECT_FALSE(rw.try_lock());
  rw.unlock_shared();
  rw.unlock_shared();
  EXPECT_TRUE(rw.try_lock());
  EXPECT_FALSE(rw.try_lock_shared());
  rw.unlock();
  std::unique_lock<Mutex> lock(mu);
  EXPECT_EQ(cv.wait_for(lock, std::chrono::milliseconds(1)),
            std::cv_status::timeout);
  EXPECT_FALSE(
      cv.wait_for(lock, std::chrono::milliseconds(1), [] { return false; }));
}

// Under fibers a writer waiting for readers blocks, a reader holding the
// lock while waiting for the writer is a deadlock, and a condition
// variable waiter is woken by a notify after its wait began.
TEST(DropInMutex, FiberSemantics) {
  const ScenarioInfo deadlock = FromBuild([](World& world) {
    auto* rw = world.Make<SharedMutex>("table");
    auto* written = world.Make<Completion>("written");
    world.Spawn("reader", [rw, written] {
      ReaderMutexLock r(rw);
      written->Wait();
    });
    world.Spawn("writer", [rw, written] {
      WriterMutexLock w(rw);
      written->Complete();
    });
  });
  int deadlocks = 0, clean = 0;
  for (uint64_t seed = 0; seed < 32; ++seed) {
    const IterationResult r = RunRecorded(deadlock, seed);
    if (HasViolation(r, "deadlock")) {
      ++deadlocks;
    } else {
      EXPECT_TRUE(r.violations.empty());
      ++clean;
    }
  }
  EXPECT_GT(deadlocks, 0);  // the reader got there first
  EXPECT_GT(clean, 0);      // the writer did

  const ScenarioInfo handoff = FromBuild([](World& world) {
    auto* mu = world.Make<Mutex>("mu");
    auto* cv = world.Make<CondVar>("ready_cv");
    auto* ready = world.Make<int>(0);
    world.Spawn("waiter", [mu, cv, ready] {
      std::unique_lock<Mutex> lock(*mu);
      cv->wait(lock, [ready] { return *ready == 1; });
      *ready = 2;
    });
    world.Spawn("notifier", [mu, cv, ready] {
      std::lock_guard<Mutex> lock(*mu);
      *ready = 1;
      cv->notify_one();
    });
    world.AtQuiescence(
        "handoff", [ready] { FL_BUG_ON(*ready != 2, "handoff.lost_wakeup"); });
  });
  for (uint64_t seed = 0; seed < 64; ++seed) {
    const IterationResult r = RunRecorded(handoff, seed);
    EXPECT_TRUE(r.violations.empty())
        << "seed " << seed << ": " << r.violations.front().check;
  }
}

}  // namespace
}  // namespace faultline
