// SharedMutex built from an instrumented state word and a wait queue (see
// shared_mutex.h). Every attempt is one traced compare-exchange, and a task
// that cannot take the lock waits on the queue until a release wakes it.
#include "framework/runtime/shared_mutex.h"

#include "framework/check.h"

// Built with --define faultline=off the header is the std type and this
// file is empty.
#if !defined(FAULTLINE_DISABLED)

namespace faultline {

void SharedMutex::lock() {
  for (;;) {
    int64_t expected = 0;
    if (state_.compare_exchange_strong(expected, -1)) return;
    queue_.WaitUntil([this] { return state_.load() == 0; });
  }
}

bool SharedMutex::try_lock() {
  int64_t expected = 0;
  return state_.compare_exchange_strong(expected, -1);
}

void SharedMutex::unlock() {
  FL_CHECK(state_.Peek() == -1);
  state_.store(0);
  queue_.WakeAll();
}

void SharedMutex::lock_shared() {
  for (;;) {
    int64_t seen = state_.load();
    if (seen >= 0 && state_.compare_exchange_strong(seen, seen + 1)) return;
    if (seen < 0) queue_.WaitUntil([this] { return state_.load() >= 0; });
  }
}

bool SharedMutex::try_lock_shared() {
  int64_t seen = state_.load();
  return seen >= 0 && state_.compare_exchange_strong(seen, seen + 1);
}

void SharedMutex::unlock_shared() {
  FL_CHECK(state_.Peek() > 0);
  if (state_.fetch_sub(1) == 1) queue_.WakeAll();
}

}  // namespace faultline

#endif  // !FAULTLINE_DISABLED
