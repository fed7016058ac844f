// The wall-clock guard's watcher thread (see wall_clock_guard.h).
#include "framework/runtime/fiber/wall_clock_guard.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "framework/base/mutex.h"
#include "framework/check.h"

namespace faultline {
namespace internal {

// Every armed guard, and the thread that polls them. Never destroyed: the
// thread is detached and may poll until the process exits.
class WallClockWatcher {
 public:
  static WallClockWatcher& Get() {
    static WallClockWatcher* const watcher = new WallClockWatcher;
    return *watcher;
  }

  void Add(WallClockGuard* guard) {
    base::MutexLock lock(&mu_);
    guards_.push_back(guard);
    if (!started_) {
      started_ = true;
      std::thread([this] { Poll(); }).detach();
    }
  }

  void Remove(WallClockGuard* guard) {
    base::MutexLock lock(&mu_);
    auto it = std::find(guards_.begin(), guards_.end(), guard);
    FL_CHECK(it != guards_.end());
    guards_.erase(it);
  }

 private:
  // How often deadlines are looked at: the guard's resolution.
  static constexpr std::chrono::milliseconds kTick{10};

  [[noreturn]] void Poll() {
    for (;;) {
      std::this_thread::sleep_for(kTick);
      base::MutexLock lock(&mu_);
      const auto now = std::chrono::steady_clock::now();
      for (WallClockGuard* guard : guards_) {
        if (now < guard->deadline_) continue;
        int armed = WallClockGuard::kArmed;
        guard->state_.compare_exchange_strong(armed, WallClockGuard::kExpired,
                                              std::memory_order_relaxed);
        // The scheduler had a whole second limit to notice: no task has
        // reached an instrumented operation since.
        if (now - guard->deadline_ >=
            std::chrono::milliseconds(
                std::min<int64_t>(guard->limit_ms_, int64_t{1} << 40))) {
          GiveUp(*guard);
        }
      }
    }
  }

  // Ends the process for a guard whose iteration cannot be stopped.
  [[noreturn]] static void GiveUp(WallClockGuard& guard) {
    std::fprintf(
        stderr,
        "faultline: livelock.wall_time: %s ran longer than %lld ms of "
        "real time and has reached no scheduling point for %lld ms "
        "since (a loop without any instrumented operation?); it cannot "
        "be stopped, so the process exits with status 1\n",
        guard.what_ != nullptr ? guard.what_->c_str() : "an iteration",
        static_cast<long long>(guard.limit_ms_),
        static_cast<long long>(guard.limit_ms_));
    std::fflush(stderr);
    // Only if the scheduler has not claimed the iteration (it may be
    // unwinding it right now) is what it did ours to read.
    int expired = WallClockGuard::kExpired;
    if (guard.give_up_ &&
        guard.state_.compare_exchange_strong(expired, WallClockGuard::kGivenUp,
                                             std::memory_order_acq_rel)) {
      guard.give_up_();
    }
    std::fflush(nullptr);
    std::_Exit(1);
  }

  base::Mutex mu_;
  std::vector<WallClockGuard*> guards_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
};

WallClockGuard::WallClockGuard(int64_t limit_ms, const std::string* what,
                               std::function<void()> give_up)
    : limit_ms_(limit_ms), what_(what), give_up_(std::move(give_up)) {
  if (limit_ms_ <= 0) return;
  // At most ~30 years, so that the deadline and the second limit after it
  // fit the clock's nanoseconds.
  const int64_t ms = std::min<int64_t>(limit_ms_, int64_t{1} << 40);
  deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  WallClockWatcher::Get().Add(this);
}

void WallClockGuard::Claim() {
  int expired = kExpired;
  if (state_.compare_exchange_strong(expired, kClaimed,
                                     std::memory_order_acq_rel) ||
      expired == kClaimed) {
    return;
  }
  FL_CHECK(expired == kGivenUp);
  // The watcher is writing the iteration's last report and will end the
  // process: nothing of the iteration may change under it.
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

WallClockGuard::~WallClockGuard() {
  if (limit_ms_ > 0) WallClockWatcher::Get().Remove(this);
}

}  // namespace internal
}  // namespace faultline
