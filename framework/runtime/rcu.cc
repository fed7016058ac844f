// Rcu: read sections, deferred callbacks and their grace periods (see
// rcu.h).
#include "framework/runtime/rcu.h"

#include <utility>

#include "framework/check.h"
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
        {readers_ == 0 ? epoch_ : epoch_ + 1, std::move(callback)});
    queued = pending_.size();
  }
  internal::AfterOp(this, static_cast<int64_t>(queued - 1),
                    static_cast<int64_t>(queued));
}

void Rcu::Poll() {
  std::vector<Pending> due;
  {
    base::MutexLock lock(&mu_);
    if (pending_.empty()) return;
    std::vector<Pending> waiting;
    for (Pending& p : pending_) {
      (p.after_epoch <= epoch_ ? due : waiting).push_back(std::move(p));
    }
    pending_.swap(waiting);
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

int Rcu::PeekReaders() const {
  base::MutexLock lock(&mu_);
  return readers_;
}

}  // namespace faultline
