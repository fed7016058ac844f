// -----------------------------------------------------------------------------
// File: btrfs_eb/page.h
// -----------------------------------------------------------------------------
//
// The part of the kernel's memory manager the extent buffer code relies on
// (mm/filemap.c, mm/swap.c, include/linux/pagemap.h, v5.8): struct page with
// its lock bit, flags, refcount and private pointer, and the btree inode's
// address space (page cache). Every field other tasks can see is an
// instrumented faultline primitive, so each access is a scheduling point under
// the fiber backend.
//
// Pages are never really freed during an iteration: the AddressSpace owns
// them until the world is destroyed, and "freed" is a state. Touching a
// freed page through get_page/put_page/lock_page is reported as a Violation
// ("page.use_after_free", "page.refcount_underflow") instead of being
// undefined behaviour.
//
// Example:
//   Page* page = find_or_create_page(mapping, index);  // locked, +1 ref
//   ...
//   unlock_page(page);
//   put_page(page);
//
// Thread-safety: all functions may be called from any task.

#ifndef FAULTLINE_BTRFS_EB_PAGE_H_
#define FAULTLINE_BTRFS_EB_PAGE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "framework/base/mutex.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/wait_queue.h"

namespace faultline {
namespace btrfs_eb {

// Page flag bits used by the model. MODEL: a subset, numbered densely; the
// kernel's numbering (include/linux/page-flags.h) is irrelevant here.
enum PageFlag : int {
  PG_locked = 0,
  PG_error = 1,
  PG_uptodate = 2,
  PG_dirty = 3,
  PG_writeback = 4,
  PG_private = 5,
};

class AddressSpace;
class InvariantIndex;

class Page {
 public:
  // A new page is created locked by the caller, with one ref for the caller
  // and one for the page cache it is about to enter (see add_to_page_cache).
  Page(AddressSpace* owner, uint64_t index, size_t size, uint32_t id);
  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;

  AddressSpace* const address_space;  // the mapping the page belongs to
  const uint64_t index;               // offset in the btree inode, in pages
  const uint32_t id;  // creation order, for traces ("P0", "P1", ...)
  AtomicFlags flags;
  Atomic<int> refcount;         // page->_refcount
  AtomicPtr<void> private_ptr;  // page->private: the owning ExtentBuffer
  Atomic<int> mapping;          // 1 while in the page cache (page->mapping)
  WaitQueue wait;               // waiters for PG_locked / PG_writeback
  // Contents. Written only by the holder of the page lock (read I/O is
  // done on behalf of the task that locked the page).
  std::vector<uint8_t> data;

  // --- Model bookkeeping, uninstrumented (invariants and state probes).
  std::atomic<bool> freed{false};
  std::string PeekLockOwner() const;
  void SetLockOwner(std::string owner);
  // Clears the owner unless another locker has already written its own
  // (possible on real threads between unlock_page's clear and this call).
  void ClearLockOwnerIf(const std::string& owner);

 private:
  // base::Mutex: a std::mutex, which TSAN sees (framework/run_context.h
  // says why)
  mutable base::Mutex owner_mu_;
  std::string lock_owner_ ABSL_GUARDED_BY(owner_mu_);
};

// The btree inode's page cache: one slot per page index, a lock for
// inserts/removals (xa_lock of i_pages) and mapping->private_lock.
class AddressSpace {
 public:
  AddressSpace(uint64_t nr_pages, int page_shift);
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;

  uint64_t nr_pages() const { return nr_pages_; }
  int page_shift() const { return page_shift_; }
  size_t page_size() const { return size_t{1} << page_shift_; }

  SpinLock i_pages_lock{"mapping.i_pages"};
  // mapping->private_lock: guards PG_private / page->private of btree pages.
  SpinLock private_lock{"mapping.private_lock"};

  // Page-cache slot of `index` (instrumented; holds a Page* or 0).
  AtomicPtr<Page>& slot(uint64_t index);
  // A new page owned by this mapping (not yet in a slot).
  Page* AllocPage(uint64_t index);
  // Every page ever created, for invariants. Calls `fn` under the arena lock.
  template <typename Fn>
  void ForEachPage(Fn fn) const {
    base::MutexLock lock(&arena_mu_);
    for (const Page& page : pages_) fn(page);
  }
  // Uninstrumented slot read, for invariants and probes.
  Page* PeekSlot(uint64_t index) const;
  // Where AllocPage registers new pages for the step invariants (nullptr:
  // nowhere). Set once, before any page is allocated.
  void set_invariant_index(InvariantIndex* index) { index_ = index; }

 private:
  InvariantIndex* index_ = nullptr;
  const uint64_t nr_pages_;
  const int page_shift_;
  std::deque<AtomicPtr<Page>> slots_;
  // base::Mutex: a std::mutex, which TSAN sees (framework/run_context.h
  // says why)
  mutable base::Mutex arena_mu_;
  std::deque<Page> pages_ ABSL_GUARDED_BY(arena_mu_);
};

// --- Page flag helpers (PageUptodate(), SetPageUptodate(), ...).
inline bool PageLocked(Page* p) { return p->flags.test_bit(PG_locked); }
inline bool PageUptodate(Page* p) { return p->flags.test_bit(PG_uptodate); }
inline void SetPageUptodate(Page* p) { p->flags.set_bit(PG_uptodate); }
inline void ClearPageUptodate(Page* p) { p->flags.clear_bit(PG_uptodate); }
inline bool PageDirty(Page* p) { return p->flags.test_bit(PG_dirty); }
inline bool PageWriteback(Page* p) { return p->flags.test_bit(PG_writeback); }
inline bool PagePrivate(Page* p) { return p->flags.test_bit(PG_private); }
inline void SetPageError(Page* p) { p->flags.set_bit(PG_error); }
inline void ClearPageError(Page* p) { p->flags.clear_bit(PG_error); }

// get_page / put_page. put_page frees the page when the last ref goes.
void get_page(Page* page);
void put_page(Page* page);

// lock_page (sleeps), trylock_page (fault point "mm.trylock_page", key =
// page index), unlock_page (wakes waiters; any task may unlock, as read
// completion does), wait_on_page_locked.
void lock_page(Page* page);
bool trylock_page(Page* page);
void unlock_page(Page* page);
void wait_on_page_locked(Page* page);

// Page dirty / writeback state (set_page_dirty, clear_page_dirty_for_io,
// set_page_writeback, end_page_writeback).
void set_page_dirty(Page* page);
bool clear_page_dirty_for_io(Page* page);
void set_page_writeback(Page* page);
void end_page_writeback(Page* page);

// attach_page_private / detach_page_private (v5.8 helpers): PG_private +
// page->private + one page ref. detach returns the old private value.
void attach_page_private(Page* page, uintptr_t data);
uintptr_t detach_page_private(Page* page);
// folio_detach_private (v6.8) for a caller that does not hold
// private_lock: the same steps with fault point
// "mm.folio_detach_private.after_test" between the test and the clear.
// Two detachers that both saw PG_private set put the page twice: the
// second reports page.bad_state_double_put.
uintptr_t folio_detach_private(Page* page);

// The cached page at `index` with a ref taken, or nullptr.
Page* find_get_page(AddressSpace* mapping, uint64_t index);
// The page at `index`, locked and with a ref, created if absent
// (find_or_create_page with __GFP_NOFAIL: never nullptr).
Page* find_or_create_page(AddressSpace* mapping, uint64_t index);
// __remove_mapping: evicts a locked page whose only refs are the page
// cache's and the caller's. On success both refs are gone (the caller must
// not put_page) and the caller frees it with free_evicted_page after
// unlocking. REQUIRES: page locked by the caller, not private.
bool remove_mapping(AddressSpace* mapping, Page* page);
void free_evicted_page(Page* page);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_PAGE_H_
