// Pin / Unpin / eviction with write-back (see buffer_pool.h).
#include "examples/buffer_pool/buffer_pool.h"

#include "framework/check.h"
#include "framework/fault_point.h"

namespace bufpool {

std::string Disk::Read(PageId page) {
  faultline::MutexLock lock(&mu_);
  auto it = pages_.find(page);
  return it == pages_.end() ? std::string() : it->second;
}

void Disk::Write(PageId page, const std::string& data) {
  faultline::MutexLock lock(&mu_);
  pages_[page] = data;
  writes_.fetch_add(1, std::memory_order_relaxed);
}

BufferPool::BufferPool(Disk* disk, int frames, Variant variant)
    : disk_(disk), variant_(variant) {
  for (int i = 0; i < frames; ++i) frames_.push_back(std::make_unique<Frame>());
}

int BufferPool::PickVictim() {
  const int n = frame_count();
  for (int tried = 0; tried < n; ++tried) {
    const int i = hand_;
    hand_ = (hand_ + 1) % n;
    if (frames_[i]->pins.load(std::memory_order_acquire) == 0) return i;
  }
  return -1;
}

Frame* BufferPool::Pin(PageId page) {
  latch_.lock();
  auto it = table_.find(page);
  if (it != table_.end()) {
    Frame* frame = frames_[it->second].get();
    if (variant_ == Variant::kUnpinnedHit) {
      latch_.unlock();
      // A plan may stretch this window (the pin is not yet visible).
      FL_FAULT_POINT("buffer_pool.pin.after_lookup");
      frame->pins.fetch_add(1, std::memory_order_acq_rel);
      return frame;
    }
    frame->pins.fetch_add(1, std::memory_order_acq_rel);
    latch_.unlock();
    return frame;
  }
  const int victim = PickVictim();
  if (victim < 0) {
    latch_.unlock();
    return nullptr;
  }
  Frame* frame = frames_[victim].get();
  const PageId old = frame->page.load();
  if (old != kNoPage) {
    if (frame->dirty.exchange(false)) {
      FL_FAULT_POINT("buffer_pool.evict.before_write_back");
      disk_->Write(old, frame->data);
    }
    table_.erase(old);
  }
  frame->data = disk_->Read(page);
  frame->page.store(page, std::memory_order_release);
  frame->pins.fetch_add(1, std::memory_order_acq_rel);
  table_[page] = victim;
  latch_.unlock();
  return frame;
}

void BufferPool::Unpin(Frame* frame, bool dirty) {
  if (dirty) frame->dirty.store(true);
  const int before = frame->pins.fetch_sub(1, std::memory_order_acq_rel);
  FL_BUG_ON(before <= 0, "buffer_pool.unpin_unpinned");
}

void BufferPool::FlushAll() {
  faultline::MutexLock lock(&latch_);
  for (const auto& frame : frames_) {
    if (frame->page.load() != kNoPage && frame->pins.load() == 0 &&
        frame->dirty.exchange(false)) {
      disk_->Write(frame->page.load(), frame->data);
    }
  }
}

}  // namespace bufpool
