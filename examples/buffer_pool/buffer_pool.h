// -----------------------------------------------------------------------------
// File: buffer_pool.h
// -----------------------------------------------------------------------------
//
// A database-style buffer pool: a fixed set of frames caching disk pages.
// Pin(page) returns a frame holding the page and keeps it resident until
// Unpin; a miss evicts an unpinned frame (the clock hand's next), writing
// it back first if it is dirty. Written as production code with the drop-in
// primitives (faultline::Mutex, faultline::Atomic): built normally the
// example's plans explore it under faultline; built with
// `--define faultline=off` it is plain std::mutex / std::atomic code and
// buffer_pool_test.cc is an ordinary unit test of it.
//
// The bug (Variant::kUnpinnedHit): a hit looks the page up under the latch
// but takes its pin after releasing it, so an eviction in between can pick
// the frame (its pin count is still 0), write it back and load another page
// into it; the caller then holds a pin on the wrong page. Variant::kFixed
// pins before releasing the latch, as eviction decides under it.
//
// Thread-safety: Pin and Unpin are thread-safe. A frame's data may be used
// by the holder of a pin on it.

#ifndef FAULTLINE_EXAMPLES_BUFFER_POOL_BUFFER_POOL_H_
#define FAULTLINE_EXAMPLES_BUFFER_POOL_BUFFER_POOL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/mutex.h"

namespace bufpool {

using PageId = int64_t;
inline constexpr PageId kNoPage = -1;

enum class Variant { kFixed, kUnpinnedHit };

// The pages on disk; Read of a page never written gives "".
class Disk {
 public:
  std::string Read(PageId page);
  void Write(PageId page, const std::string& data);
  int64_t writes() const { return writes_.load(); }

 private:
  faultline::Mutex mu_{"disk.mu"};
  std::map<PageId, std::string> pages_ ABSL_GUARDED_BY(mu_);
  faultline::Atomic<int64_t> writes_{0, "disk.writes"};
};

struct Frame {
  faultline::Atomic<PageId> page{kNoPage, "frame.page"};
  faultline::Atomic<int> pins{0, "frame.pins"};
  faultline::Atomic<bool> dirty{false, "frame.dirty"};
  std::string data;  // used by pin holders (and the latch holder evicting)
};

class BufferPool {
 public:
  BufferPool(Disk* disk, int frames, Variant variant = Variant::kFixed);

  // A pinned frame holding `page`, or nullptr if every frame is pinned.
  Frame* Pin(PageId page);
  // Drops a pin; `dirty` marks the frame for write-back before eviction.
  void Unpin(Frame* frame, bool dirty);
  // Writes every dirty unpinned frame back.
  void FlushAll();

  int frame_count() const { return static_cast<int>(frames_.size()); }
  const Frame& frame(int i) const { return *frames_[i]; }

 private:
  // An unpinned frame to reuse, or -1; advances the clock hand.
  int PickVictim() ABSL_EXCLUSIVE_LOCKS_REQUIRED(latch_);

  Disk* const disk_;
  const Variant variant_;
  faultline::Mutex latch_{"pool.latch"};
  std::vector<std::unique_ptr<Frame>> frames_;
  absl::flat_hash_map<PageId, int> table_ ABSL_GUARDED_BY(latch_);
  int hand_ ABSL_GUARDED_BY(latch_) = 0;
};

}  // namespace bufpool

#endif  // FAULTLINE_EXAMPLES_BUFFER_POOL_BUFFER_POOL_H_
