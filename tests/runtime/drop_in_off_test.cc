// Goal: built with --define faultline=off, the drop-in primitives are the
// std types: Atomic<T> derives from std::atomic<T> and adds nothing to its
// size or alignment, Mutex / SharedMutex / CondVar are exactly as large and
// aligned as std::mutex / std::shared_mutex / std::condition_variable, and
// they still work (kernel-style names included; labels compile and vanish).
// Method: this file alone is compiled with FAULTLINE_DISABLED (BUILD
// local_defines); static_asserts compare sizeof/alignof, tests use the
// types from real threads.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "framework/runtime/atomic.h"
#include "framework/runtime/condition_variable.h"
#include "framework/runtime/mutex.h"
#include "framework/runtime/shared_mutex.h"
#include "gtest/gtest.h"

#ifndef FAULTLINE_DISABLED
#error "this test must be built with FAULTLINE_DISABLED"
#endif

namespace faultline {
namespace {

template <typename T>
constexpr bool SameLayout() {
  return sizeof(Atomic<T>) == sizeof(std::atomic<T>) &&
         alignof(Atomic<T>) == alignof(std::atomic<T>) &&
         std::is_base_of<std::atomic<T>, Atomic<T>>::value;
}
static_assert(SameLayout<bool>(), "");
static_assert(SameLayout<char>(), "");
static_assert(SameLayout<int>(), "");
static_assert(SameLayout<unsigned>(), "");
static_assert(SameLayout<int64_t>(), "");
static_assert(SameLayout<uint64_t>(), "");
static_assert(SameLayout<int*>(), "");
static_assert(SameLayout<const char*>(), "");
static_assert(sizeof(AtomicFlags) == sizeof(std::atomic<unsigned long>), "");
static_assert(sizeof(Mutex) == sizeof(std::mutex), "");
static_assert(alignof(Mutex) == alignof(std::mutex), "");
static_assert(sizeof(SharedMutex) == sizeof(std::shared_mutex), "");
static_assert(alignof(SharedMutex) == alignof(std::shared_mutex), "");
static_assert(sizeof(CondVar) == sizeof(std::condition_variable), "");
static_assert(alignof(CondVar) == alignof(std::condition_variable), "");
// Trivially destructible like std::atomic: nothing runs when one dies.
static_assert(std::is_trivially_destructible<Atomic<int>>::value, "");
// A labelled atomic is a constant initializer, as a std::atomic is.
constexpr int kInitial = 3;
Atomic<int> global_count{kInitial, "global.count"};

TEST(CompiledOut, AtomicIsStdAtomicWithKernelNames) {
  std::atomic<int>& as_std = global_count;  // an std::atomic, by reference
  EXPECT_EQ(as_std.load(), 3);
  Atomic<int> refs{1, "refs"};
  EXPECT_TRUE(refs.IncNotZero());
  EXPECT_EQ(refs.fetch_add(1, std::memory_order_relaxed), 2);
  EXPECT_EQ(++refs, 4);
  refs -= 3;
  EXPECT_TRUE(refs.DecAndTest());
  EXPECT_FALSE(refs.IncNotZero());
  int expected = 0;
  EXPECT_TRUE(refs.compare_exchange_weak(expected, 7, std::memory_order_acq_rel,
                                         std::memory_order_acquire));
  EXPECT_EQ(refs.Peek(), 7);
  Atomic<int*> p;
  EXPECT_EQ(p.load(), nullptr);  // value-initialized, as C++20's std::atomic
  AtomicFlags flags{0, "flags"};
  EXPECT_FALSE(flags.test_and_set_bit(2));
  EXPECT_TRUE(flags.PeekBit(2));
}

TEST(CompiledOut, LocksAndConditionVariableWorkOnRealThreads) {
  Mutex mu{"mu"};
  SharedMutex rw{"rw"};
  CondVar cv{"cv"};
  int count = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        {
          MutexLock lock(&mu);
          ++count;
        }
        ReaderMutexLock r(&rw);
      }
      std::lock_guard<Mutex> lock(mu);
      cv.notify_one();
    });
  }
  {
    std::unique_lock<Mutex> lock(mu);
    cv.wait(lock, [&] { return count == 4000; });
    EXPECT_FALSE(
        cv.wait_for(lock, std::chrono::microseconds(10), [] { return false; }));
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(count, 4000);
  WriterMutexLock w(&rw);
  EXPECT_FALSE(rw.try_lock_shared());
}

}  // namespace
}  // namespace faultline
