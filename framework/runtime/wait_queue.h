// -----------------------------------------------------------------------------
// File: wait_queue.h
// -----------------------------------------------------------------------------
//
// WaitQueue: tasks sleep until a condition holds (wait_event / wake_up).
// Completion: a one-shot event (struct completion). Under the fiber backend a
// waiting task is not runnable until woken; the condition is re-checked
// after every wake, so spurious wakes are harmless. Under the thread backend
// they use a condition variable.
//
// Example:
//   faultline::WaitQueue io_wait{"io_wait"};
//   io_wait.WaitUntil([&] { return !queue.empty(); });  // consumer
//   queue.push(bio); io_wait.WakeAll();                   // producer
//
// Thread-safety: all members are thread-safe. The condition is evaluated
// with no lock held; it must read only instrumented or otherwise
// synchronized state. Outside any backend the queue is a plain condition
// variable (the condition is also re-checked every millisecond).

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_WAIT_QUEUE_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_WAIT_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/functional/function_ref.h"
#include "framework/base/cond_var.h"
#include "framework/base/mutex.h"

namespace faultline {

class WaitQueue {
 public:
  explicit WaitQueue(const char* label = "wait_queue");
  ~WaitQueue();
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  // Blocks until `ready()` is true.
  void WaitUntil(absl::FunctionRef<bool()> ready);
  // As above, giving up after `timeout_ns` (virtual under fibers). Returns
  // the final value of ready().
  bool WaitUntilFor(absl::FunctionRef<bool()> ready, int64_t timeout_ns);
  void WakeAll();

  const char* label() const { return label_; }

 private:
  const char* label_;
  std::atomic<uint64_t> generation_{0};
  // Plain mode (no backend) only: a waiter sleeps on cv_ until generation_
  // moves. base:: types (std:: inside), which TSAN sees (base/mutex.h).
  base::Mutex mu_;
  base::CondVar cv_;
};

// The done flag is an instrumented object of its own (Complete writes it,
// Wait reads it), so the reduction orders a completion against its waiters.
class Completion {
 public:
  explicit Completion(const char* label = "completion");
  void Complete();
  void Wait();
  // As Wait, giving up after `timeout_ns`; true if completed.
  bool WaitFor(int64_t timeout_ns);
  bool PeekDone() const { return done_.load(std::memory_order_relaxed); }

 private:
  bool LoadDone() const;

  WaitQueue queue_;
  const char* label_;
  std::atomic<bool> done_{false};
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_WAIT_QUEUE_H_
