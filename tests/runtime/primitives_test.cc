// Goal: outside any backend the instrumented primitives are plain, working
// primitives (so model code runs in ordinary unit tests), and they keep
// std::atomic / kernel semantics.
// Method: use Atomic, AtomicFlags, SpinLock, Mutex, WaitQueue, Completion,
// Rcu and this_task with no iteration running, including from two real
// threads.
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/rcu.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/wait_queue.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

TEST(PlainPrimitives, AtomicKernelOperations) {
  Atomic<int> refs{1, "refs"};
  EXPECT_TRUE(refs.IncNotZero());
  EXPECT_EQ(refs.Read(), 2);
  EXPECT_FALSE(refs.DecAndTest());
  EXPECT_TRUE(refs.DecAndTest());
  EXPECT_FALSE(refs.IncNotZero());
  EXPECT_EQ(refs.Cmpxchg(0, 5), 0);
  EXPECT_EQ(refs.Peek(), 5);
  AtomicFlags flags;
  EXPECT_FALSE(flags.test_and_set_bit(3));
  EXPECT_TRUE(flags.test_bit(3));
  EXPECT_TRUE(flags.test_and_clear_bit(3));
  EXPECT_FALSE(flags.PeekBit(3));
}

TEST(PlainPrimitives, SpinLockAndMutexExcludeRealThreads) {
  SpinLock lock("l");
  Mutex mutex("m");
  int spin_count = 0, mutex_count = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        {
          SpinLockGuard guard(&lock);
          ++spin_count;
        }
        mutex.Lock();
        ++mutex_count;
        mutex.Unlock();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(spin_count, 40000);
  EXPECT_EQ(mutex_count, 40000);
  EXPECT_TRUE(lock.TryLock());
  EXPECT_EQ(lock.PeekOwner(), 0xffffffffu);  // held outside any task
  EXPECT_FALSE(lock.TryLock());
  lock.Unlock();
  EXPECT_FALSE(lock.PeekLocked());
}

TEST(PlainPrimitives, CompletionWakesAnotherThread) {
  Completion done("done");
  std::thread t([&] {
    absl::SleepFor(absl::Milliseconds(2));
    done.Complete();
  });
  done.Wait();
  EXPECT_TRUE(done.PeekDone());
  t.join();
  WaitQueue q("q");
  EXPECT_FALSE(q.WaitUntilFor([] { return false; }, 1000000));
}

TEST(PlainPrimitives, RcuCallbackRunsWhenLastReaderLeaves) {
  Rcu rcu("rcu");
  int calls = 0;
  rcu.ReadLock();
  rcu.CallRcu([&] { ++calls; });
  rcu.Poll();
  EXPECT_EQ(calls, 0);  // a reader is still inside
  rcu.ReadUnlock();
  EXPECT_EQ(calls, 1);
  rcu.CallRcu([&] { ++calls; });
  rcu.Synchronize();
  EXPECT_EQ(calls, 2);
  {
    Rcu scoped("scoped");
    scoped.CallRcu([&] { ++calls; });
  }
  EXPECT_EQ(calls, 3);  // pending callbacks run at destruction
}

TEST(PlainPrimitives, ThisTaskActsOnTheRealThread) {
  EXPECT_EQ(this_task::Name(), "");
  const int64_t t0 = this_task::NowNs();
  this_task::SleepFor(absl::Milliseconds(1));
  EXPECT_GE(this_task::NowNs() - t0, 1000000);
  this_task::Note("dropped");
  this_task::Yield();
}

}  // namespace
}  // namespace faultline
