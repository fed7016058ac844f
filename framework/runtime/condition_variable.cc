// CondVar on a WaitQueue and a notify counter (see condition_variable.h).
#include "framework/runtime/condition_variable.h"

#include "framework/check.h"
#include "framework/runtime/this_task.h"

// Built with --define faultline=off the header is the std type and this
// file is empty.
#if !defined(FAULTLINE_DISABLED)

namespace faultline {

void CondVar::notify_all() {
  generation_.Inc();
  queue_.WakeAll();
}

bool CondVar::WaitNs(std::unique_lock<Mutex>& lock, int64_t timeout_ns) {
  FL_CHECK(lock.owns_lock());
  const uint64_t seen = generation_.Read();
  lock.unlock();
  // A wait predicate is no step (the wait is): Peek. Wait steps conflict
  // with every step, so the reduction orders the bump before or after.
  auto notified = [this, seen] { return generation_.Peek() != seen; };
  const bool done = timeout_ns < 0 ? (queue_.WaitUntil(notified), true)
                                   : queue_.WaitUntilFor(notified, timeout_ns);
  lock.lock();
  return done;
}

int64_t CondVar::NowNs() { return this_task::NowNs(); }

}  // namespace faultline

#endif  // !FAULTLINE_DISABLED
