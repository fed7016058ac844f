// base::SpinMutex (framework/base/spin_mutex.h): it excludes, so threads
// that increment one plain counter under it lose no increment.
#include "framework/base/spin_mutex.h"

#include <cstdint>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace faultline {
namespace base {
namespace {

TEST(SpinMutexTest, ThreadsLoseNoIncrement) {
  SpinMutex mu;
  int64_t count = 0;  // plain: a missed exclusion loses increments
  constexpr int kThreads = 4;
  constexpr int kIncrements = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        SpinMutexLock lock(&mu);
        count = count + 1;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(count, int64_t{kThreads} * kIncrements);
}

TEST(SpinMutexTest, LockAfterUnlockSucceeds) {
  SpinMutex mu;
  mu.Lock();
  mu.Unlock();
  mu.Lock();  // would spin forever if Unlock left it held
  mu.Unlock();
}

}  // namespace
}  // namespace base
}  // namespace faultline
