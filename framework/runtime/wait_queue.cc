// WaitQueue and Completion: dispatch to the backend, or a plain condition
// variable with no backend (see wait_queue.h).
#include "framework/runtime/wait_queue.h"

#include <algorithm>
#include <chrono>

#include "framework/check.h"
#include "framework/runtime/internal/deadline.h"
#include "framework/runtime/internal/scheduler.h"
#include "framework/runtime/op.h"

namespace faultline {

WaitQueue::WaitQueue(const char* label) : label_(label) {
  FL_CHECK(label_ != nullptr);
  internal::OnCreate(this);
}

WaitQueue::~WaitQueue() = default;

void WaitQueue::WaitUntil(absl::FunctionRef<bool()> ready) {
  const bool done = WaitUntilFor(ready, -1);
  FL_CHECK(done);
}

bool WaitQueue::WaitUntilFor(absl::FunctionRef<bool()> ready,
                             int64_t timeout_ns) {
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) return sched->Wait(this, label_, ready, timeout_ns);
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      timeout_ns < 0 ? Clock::time_point::max()
                     : internal::RealDeadline(Clock::now(), timeout_ns);
  for (;;) {
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    if (ready()) return true;
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return ready();
    base::MutexLock lock(&mu_);
    // Re-check periodically too: a condition may turn true without a wake.
    if (generation_.load(std::memory_order_acquire) == generation) {
      cv_.WaitUntil(&mu_,
                    std::min(deadline, now + std::chrono::milliseconds(1)));
    }
  }
}

void WaitQueue::WakeAll() {
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) {
    sched->WakeAll(this, label_);
    return;
  }
  base::MutexLock lock(&mu_);
  generation_.fetch_add(1, std::memory_order_release);
  cv_.SignalAll();
}

Completion::Completion(const char* label) : queue_(label), label_(label) {
  internal::OnCreate(this);
}

bool Completion::LoadDone() const {
  internal::BeforeOp(internal::OpKind::kLoad, this, label_);
  const bool done = done_.load();
  internal::AfterOp(this, done, done);
  return done;
}

void Completion::Complete() {
  internal::BeforeOp(internal::OpKind::kStore, this, label_);
  const bool was = done_.exchange(true);
  internal::AfterOp(this, was, 1);
  queue_.WakeAll();
}

void Completion::Wait() {
  queue_.WaitUntil([this] { return LoadDone(); });
  FL_CHECK(PeekDone());
}

bool Completion::WaitFor(int64_t timeout_ns) {
  return queue_.WaitUntilFor([this] { return LoadDone(); }, timeout_ns);
}

}  // namespace faultline
