// -----------------------------------------------------------------------------
// File: btrfs_eb/extent_buffer.h
// -----------------------------------------------------------------------------
//
// struct extent_buffer and its flag bits (fs/btrfs/extent_io.h, v5.8;
// kernel order).
//
// An ExtentBuffer is never deleted during an iteration: FsInfo's arena owns
// it, and the kernel's kmem_cache_free (direct, or from the call_rcu
// callback) only marks it freed. Every accessor checks that mark, so a task
// that touches a freed eb - the completion handler of the 2020 race, say -
// records the Violation "eb.use_after_free" and ends the iteration instead of
// reading freed memory. Invariant checks and state probes use the Peek*()
// views, which neither check nor create scheduling points.
//
// Example:
//   if (eb->refs().IncNotZero()) ...          // atomic_inc_not_zero
//   eb->bflags().test_bit(EXTENT_BUFFER_TREE_REF)
//
// Thread-safety: the instrumented members are safe from any task; which lock
// must be held for which decision is documented per function in extent_io.h.

#ifndef FAULTLINE_BTRFS_EB_EXTENT_BUFFER_H_
#define FAULTLINE_BTRFS_EB_EXTENT_BUFFER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "btrfs_eb/page.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/wait_queue.h"

namespace faultline {
namespace btrfs_eb {

class FsInfo;

// enum extent_buffer bits, v5.x order.
enum ExtentBufferFlag : int {
  EXTENT_BUFFER_UPTODATE = 0,
  EXTENT_BUFFER_DIRTY,
  EXTENT_BUFFER_CORRUPT,
  EXTENT_BUFFER_READAHEAD,
  EXTENT_BUFFER_TREE_REF,
  EXTENT_BUFFER_STALE,
  EXTENT_BUFFER_WRITEBACK,
  EXTENT_BUFFER_READ_ERR,
  EXTENT_BUFFER_UNMAPPED,
  EXTENT_BUFFER_IN_TREE,
  EXTENT_BUFFER_WRITE_ERR,
  // v6.5+ (d7172f52e993): a read of the eb is in flight; readers wait on
  // it. MODEL: the kernel's v6.5 enum has NO_CHECK before it and no
  // READAHEAD; the model keeps its v5.x bits and appends this one.
  EXTENT_BUFFER_READING,
};

// read_extent_buffer_pages wait modes (extent_io.h).
enum : int { WAIT_NONE = 0, WAIT_COMPLETE = 1, WAIT_PAGE_LOCK = 2 };

// INLINE_EXTENT_BUFFER_PAGES.
inline constexpr int kInlineExtentBufferPages = 16;

class ExtentBuffer {
 public:
  // __alloc_extent_buffer's initial state: refs 1, io_pages 0, no flags.
  ExtentBuffer(FsInfo* fs_info, uint64_t start, uint32_t len, int num_pages,
               uint32_t id);
  ExtentBuffer(const ExtentBuffer&) = delete;
  ExtentBuffer& operator=(const ExtentBuffer&) = delete;

  // --- Accessors. Each one reports "eb.use_after_free" on a freed eb.
  uint64_t start() const { return Live()->start_; }
  uint32_t len() const { return Live()->len_; }
  FsInfo* fs_info() const { return Live()->fs_info_; }
  int num_pages() const { return Live()->num_pages_; }  // num_extent_pages
  Atomic<int>& refs() { return Live()->refs_; }
  Atomic<int>& io_pages() { return Live()->io_pages_; }
  Atomic<int>& read_mirror() { return Live()->read_mirror_; }
  AtomicFlags& bflags() { return Live()->bflags_; }
  SpinLock& refs_lock() { return Live()->refs_lock_; }
  // The btree content lock (btrfs_tree_lock). MODEL: one sleeping lock
  // instead of the rwlock + blocking counters; the lifecycle race does not
  // involve it.
  Mutex& lock() { return Live()->lock_; }
  Page*& page(int i) { return Live()->pages_[i]; }
  // Waiters for WRITEBACK (or, v6.5+, READING) to clear: wait_on_bit on
  // bflags. MODEL: one queue for both bits, as the kernel hashes bit
  // waiters into shared queues; each waiter re-checks its own bit.
  WaitQueue& writeback_wait() { return Live()->writeback_wait_; }

  // --- Model bookkeeping (uninstrumented; never a scheduling point).
  uint32_t id() const { return id_; }
  uint64_t PeekStart() const { return start_; }
  int PeekNumPages() const { return num_pages_; }
  int PeekRefs() const { return refs_.Peek(); }
  int PeekIoPages() const { return io_pages_.Peek(); }
  bool PeekFlag(int bit) const { return bflags_.PeekBit(bit); }
  unsigned long PeekFlags() const { return bflags_.Peek(); }
  Page* PeekPage(int i) const { return pages_[i]; }
  bool PeekRefsLocked() const { return refs_lock_.PeekLocked(); }
  bool PeekFreed() const { return freed_.load(std::memory_order_acquire); }
  // refs reached 0 (release_extent_buffer): no ref may be taken again.
  bool PeekDead() const { return dead_.load(std::memory_order_acquire); }
  void MarkDead();
  // Was ever inserted in the buffer radix tree.
  bool PeekPublished() const { return published_.load(); }
  void MarkPublished() { published_.store(true); }
  // kmem_cache_free: reports "eb.double_free" when already freed. Both
  // tell the fs's InvariantIndex, as no operation reports them.
  void MarkFreed();
  // "refs=1 io=0 UPTODATE|TREE_REF" for notes and failure messages.
  std::string Describe() const;

  // --- The reference ledger (check eb.ledger, invariants.h): how many of
  // refs the model's code paths hold, other than the tree's (TREE_REF). The
  // caller of a refs operation records it right after the operation, in the
  // same scheduling step (the next instrumented operation is the next
  // step), so the ledger agrees with refs at every step outside refs_lock.
  // Starts at 1: __alloc_extent_buffer's ref belongs to the allocator.
  int PeekHeld() const { return held_.load(std::memory_order_relaxed); }
  void NoteRefTaken() { held_.fetch_add(1, std::memory_order_relaxed); }
  void NoteRefDropped() { held_.fetch_sub(1, std::memory_order_relaxed); }
  // A read or write bio of this eb was submitted and its completion has not
  // finished with the eb (check eb.io_pinned). Marks the eb changed for the
  // incremental step checks, as no operation reports it.
  bool PeekIoInFlight() const { return io_in_flight_.load(); }
  void SetIoInFlight(bool in_flight);

 private:
  ExtentBuffer* Live() const {
    FL_BUG_ON(freed_.load(std::memory_order_acquire), "eb.use_after_free");
    return const_cast<ExtentBuffer*>(this);
  }

  const uint64_t start_;
  const uint32_t len_;
  FsInfo* const fs_info_;
  const int num_pages_;
  const uint32_t id_;
  AtomicFlags bflags_{0, "eb.bflags"};
  SpinLock refs_lock_{"eb.refs_lock"};
  Atomic<int> refs_{1, "eb.refs"};
  Atomic<int> io_pages_{0, "eb.io_pages"};
  Atomic<int> read_mirror_{0, "eb.read_mirror"};
  Mutex lock_{"eb.lock"};
  WaitQueue writeback_wait_{"eb.writeback_wait"};
  // Written only by the allocating task before the eb is published.
  std::array<Page*, kInlineExtentBufferPages> pages_{};
  std::atomic<bool> freed_{false};
  std::atomic<bool> dead_{false};
  std::atomic<bool> published_{false};
  std::atomic<int> held_{1};
  std::atomic<bool> io_in_flight_{false};
};

// Names of the set bits, "UPTODATE|TREE_REF|IN_TREE".
std::string ExtentBufferFlagsString(unsigned long bflags);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_EXTENT_BUFFER_H_
