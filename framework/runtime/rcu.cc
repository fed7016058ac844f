// Rcu: read sections, deferred callbacks and their grace periods (see
// rcu.h).
#include "framework/runtime/rcu.h"

#include <utility>

#include "framework/check.h"
#include "framework/rng.h"
#include "framework/runtime/internal/scheduler.h"
#include "framework/runtime/this_task.h"

namespace faultline {

Rcu::Rcu(const char* label) : label_(label) {
  internal::OnCreate(this);
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr && sched->PollsRcu()) {
    polled_by_ = sched;
    polled_by_->RegisterRcu(this);
  }
}

Rcu::~Rcu() {
  if (polled_by_ != nullptr) polled_by_->UnregisterRcu(this);
  std::vector<Pending> pending;
  {
    base::MutexLock lock(&mu_);
    pending.swap(pending_);
    queued_.store(0, std::memory_order_release);
  }
  for (Pending& p : pending) p.callback();
}

void Rcu::ReadLock() {
  internal::BeforeOp(internal::OpKind::kRcuRead, this, label_);
  int readers;
  {
    base::MutexLock lock(&mu_);
    readers = readers_++;
  }
  internal::AfterOp(this, readers, readers + 1);
}

void Rcu::ReadUnlock() {
  internal::BeforeOp(internal::OpKind::kRcuUnlock, this, label_);
  int readers;
  {
    base::MutexLock lock(&mu_);
    FL_CHECK(readers_ > 0);  // unbalanced rcu_read_unlock
    readers = readers_--;
    if (readers_ == 0) ++epoch_;
  }
  internal::AfterOp(this, readers, readers - 1);
  // Without a polling backend the last reader out runs what became due.
  if (polled_by_ == nullptr && readers == 1) Poll();
}

void Rcu::CallRcu(std::function<void()> callback) {
  FL_CHECK(callback != nullptr);
  internal::BeforeRcuCall(this, label_);
  size_t queued;
  {
    base::MutexLock lock(&mu_);
    // With readers inside, wait for the next moment the count hits zero.
    pending_.push_back(
        {readers_ == 0 ? epoch_ : epoch_ + 1, std::move(callback),
         polled_by_ != nullptr ? polled_by_->CallbackOrigin() : 0});
    queued = pending_.size();
    queued_.store(queued, std::memory_order_release);
  }
  internal::AfterOp(this, static_cast<int64_t>(queued - 1),
                    static_cast<int64_t>(queued));
}

void Rcu::Poll() {
  if (queued_.load(std::memory_order_acquire) == 0) return;
  std::vector<Pending> due;
  {
    base::MutexLock lock(&mu_);
    // A callback waiting for readers stays queued for many steps: no
    // vector is built until one is due.
    bool any_due = false;
    for (const Pending& p : pending_) any_due |= p.after_epoch <= epoch_;
    if (!any_due) return;
    std::vector<Pending> waiting;
    for (Pending& p : pending_) {
      (p.after_epoch <= epoch_ ? due : waiting).push_back(std::move(p));
    }
    pending_.swap(waiting);
    queued_.store(pending_.size(), std::memory_order_release);
  }
  for (Pending& p : due) p.callback();
}

void Rcu::Synchronize() {
  while (PeekReaders() > 0) this_task::Yield();
  Poll();
}

size_t Rcu::PeekPending() const {
  base::MutexLock lock(&mu_);
  return pending_.size();
}

uint64_t Rcu::StateHash() const {
  base::MutexLock lock(&mu_);
  uint64_t hash = DrawStep(kDrawStart, static_cast<uint64_t>(readers_));
  for (const Pending& p : pending_) {
    hash = DrawStep(DrawStep(hash, p.origin), p.after_epoch > epoch_ ? 1 : 2);
  }
  return hash;
}

int Rcu::PeekReaders() const {
  base::MutexLock lock(&mu_);
  return readers_;
}

}  // namespace faultline
