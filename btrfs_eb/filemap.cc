// The memory-manager primitives of page.h: page refcounts, the page lock,
// page flags and the btree inode's page cache (mm/filemap.c, mm/swap.c,
// include/linux/pagemap.h in v5.8).
#include <utility>

#include "btrfs_eb/fault_sites.h"
#include "btrfs_eb/invariant_index.h"
#include "btrfs_eb/page.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {
namespace {

std::string CurrentTaskName() {
  std::string name = this_task::Name();
  return name.empty() ? "main" : name;
}

void FreePage(Page* page) {
  FL_BUG_ON(page->flags.PeekBit(PG_private), "page.free_with_private");
  FL_BUG_ON(page->mapping.Peek() != 0, "page.free_in_page_cache");
  FL_BUG_ON(page->freed.exchange(true), "page.double_free");
}

}  // namespace

Page::Page(AddressSpace* owner, uint64_t index_in, size_t size, uint32_t id_in)
    : address_space(owner),
      index(index_in),
      id(id_in),
      flags(1UL << PG_locked, "page.flags"),
      refcount(2, "page.refcount"),
      private_ptr(nullptr, "page.private"),
      mapping(1, "page.mapping"),
      wait("page.wait"),
      data(size, 0) {
  SetLockOwner(CurrentTaskName());
}

std::string Page::PeekLockOwner() const {
  base::MutexLock lock(&owner_mu_);
  return lock_owner_;
}

void Page::SetLockOwner(std::string owner) {
  base::MutexLock lock(&owner_mu_);
  lock_owner_ = std::move(owner);
}

void Page::ClearLockOwnerIf(const std::string& owner) {
  base::MutexLock lock(&owner_mu_);
  if (lock_owner_ == owner) lock_owner_.clear();
}

AddressSpace::AddressSpace(uint64_t nr_pages, int page_shift)
    : nr_pages_(nr_pages), page_shift_(page_shift) {
  for (uint64_t i = 0; i < nr_pages; ++i) {
    slots_.emplace_back(nullptr, "mapping.i_pages.slot");
  }
}

AtomicPtr<Page>& AddressSpace::slot(uint64_t index) {
  FL_CHECK(index < nr_pages_);
  return slots_[index];
}

Page* AddressSpace::AllocPage(uint64_t index) {
  Page* page;
  {
    base::MutexLock lock(&arena_mu_);
    pages_.emplace_back(this, index, page_size(),
                        static_cast<uint32_t>(pages_.size()));
    page = &pages_.back();
  }
  if (index_ != nullptr) index_->AddPage(page);
  return page;
}

Page* AddressSpace::PeekSlot(uint64_t index) const {
  return slots_[index].Peek();
}

// get_page: taking a ref on a page nobody holds is a use after free.
void get_page(Page* page) {
  const int old = page->refcount.fetch_add(1);
  FL_BUG_ON(old <= 0, "page.use_after_free");
}

// put_page: the last ref frees the page (__put_page).
void put_page(Page* page) {
  const int old = page->refcount.fetch_sub(1);
  FL_BUG_ON(old <= 0, "page.refcount_underflow");
  if (old == 1) FreePage(page);
}

// lock_page / __lock_page: sleep on the page's wait queue until PG_locked
// can be taken.
void lock_page(Page* page) {
  FL_BUG_ON(page->freed.load(), "page.use_after_free");
  while (page->flags.test_and_set_bit(PG_locked)) {
    page->wait.WaitUntil([page] { return !page->flags.PeekBit(PG_locked); });
  }
  page->SetLockOwner(CurrentTaskName());
}

// trylock_page. The fault point models "the lock was held at that instant"
// (the seed recipe's H1, docs/btrfs_eb.md) without needing another task to
// hold it.
bool trylock_page(Page* page) {
  if (FL_FAULT_FAIL(kSiteTrylockPage, page->index)) {
    this_task::Note("trylock_page: failed (injected)");
    return false;
  }
  if (page->flags.test_and_set_bit(PG_locked)) return false;
  page->SetLockOwner(CurrentTaskName());
  return true;
}

// unlock_page: clear PG_locked and wake every waiter (wake_up_page_bit).
void unlock_page(Page* page) {
  // The owner goes after PG_locked, in the same step: clearing it first left
  // one step in which the page was locked by nobody (a blank "P locked by"
  // in rendered tables).
  const std::string owner = page->PeekLockOwner();
  FL_BUG_ON(!page->flags.test_and_clear_bit(PG_locked), "page.unlock_unlocked");
  page->ClearLockOwnerIf(owner);
  page->wait.WakeAll();
}

// wait_on_page_locked: wait for PG_locked to clear without taking it.
void wait_on_page_locked(Page* page) {
  page->wait.WaitUntil([page] { return !page->flags.PeekBit(PG_locked); });
}

// set_page_dirty (__set_page_dirty_nobuffers for the btree inode).
void set_page_dirty(Page* page) { page->flags.set_bit(PG_dirty); }

// clear_page_dirty_for_io: true if the page was dirty.
bool clear_page_dirty_for_io(Page* page) {
  return page->flags.test_and_clear_bit(PG_dirty);
}

void set_page_writeback(Page* page) { page->flags.set_bit(PG_writeback); }

// end_page_writeback: clear PG_writeback and wake writeback waiters.
void end_page_writeback(Page* page) {
  FL_BUG_ON(!page->flags.test_and_clear_bit(PG_writeback),
            "page.end_writeback_not_under_writeback");
  page->wait.WakeAll();
}

// attach_page_private: one page ref for the private pointer.
void attach_page_private(Page* page, uintptr_t data) {
  get_page(page);
  page->private_ptr.Set(reinterpret_cast<void*>(data));
  page->flags.set_bit(PG_private);
}

namespace {

// The detach after PG_private was seen set: clear it, take the pointer, put
// the private's page ref. MODEL: the kernel stores NULL; the model's
// exchange shows when another detacher that also saw PG_private set took
// the pointer first. Its put and this one drop one ref twice: the page's
// refcount falls below its holders and the page is later freed while still
// in the page cache ("BUG: Bad page state ... non-NULL mapping", the v6.8
// crash f3a5367c679d fixed). The model reports at this second put.
uintptr_t DetachSeenPrivate(Page* page) {
  page->flags.clear_bit(PG_private);
  const uintptr_t data =
      reinterpret_cast<uintptr_t>(page->private_ptr.exchange(nullptr));
  FL_BUG_ON(data == 0, "page.bad_state_double_put");
  put_page(page);
  return data;
}

}  // namespace

// detach_page_private: undo attach_page_private; 0 if none was attached.
uintptr_t detach_page_private(Page* page) {
  if (!PagePrivate(page)) return 0;
  return DetachSeenPrivate(page);
}

uintptr_t folio_detach_private(Page* page) {
  if (!PagePrivate(page)) return 0;
  FL_FAULT_POINT(kSiteFolioDetachAfterTest, page->index);
  return DetachSeenPrivate(page);
}

// find_get_page. MODEL: the slot read and get_page happen under the i_pages
// lock instead of the kernel's RCU walk + get_page_unless_zero + recheck;
// the result is the same and no task spins on a page being evicted (a spin
// would starve under a priority-based strategy).
Page* find_get_page(AddressSpace* mapping, uint64_t index) {
  SpinLockGuard guard(&mapping->i_pages_lock);
  Page* page = mapping->slot(index).Read();
  if (page != nullptr) get_page(page);
  return page;
}

// find_or_create_page (pagecache_get_page with FGP_LOCK|FGP_CREAT).
Page* find_or_create_page(AddressSpace* mapping, uint64_t index) {
  for (;;) {
    Page* page = find_get_page(mapping, index);
    if (page != nullptr) {
      lock_page(page);
      if (page->mapping.Read() != 0) return page;
      // Evicted while we slept on the lock: look again.
      unlock_page(page);
      put_page(page);
      continue;
    }
    // MODEL: the new page is born locked with the caller's and the page
    // cache's refs (the kernel adds the cache ref in add_to_page_cache);
    // nobody can see it before the slot store below.
    page = mapping->AllocPage(index);
    {
      SpinLockGuard guard(&mapping->i_pages_lock);
      AtomicPtr<Page>& slot = mapping->slot(index);
      if (slot.Read() == nullptr) {
        slot.Set(page);
        return page;
      }
    }
    // -EEXIST: another task inserted first. The page was never visible.
    page->mapping.Set(0);
    page->refcount.Set(0);
    page->SetLockOwner("");
    page->freed.store(true);
  }
}

// __remove_mapping: page_ref_freeze(page, 2) fails if anyone but the page
// cache and the caller holds a ref.
bool remove_mapping(AddressSpace* mapping, Page* page) {
  SpinLockGuard guard(&mapping->i_pages_lock);
  if (page->refcount.Cmpxchg(2, 0) != 2) return false;
  if (PageDirty(page) || PagePrivate(page)) {
    page->refcount.Set(2);  // page_ref_unfreeze
    return false;
  }
  mapping->slot(page->index).Set(nullptr);
  page->mapping.Set(0);
  return true;
}

// The reclaim side of a successful __remove_mapping: the page, unlocked and
// with no refs, goes back to the allocator.
void free_evicted_page(Page* page) { FreePage(page); }

}  // namespace btrfs_eb
}  // namespace faultline
