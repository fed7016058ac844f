// alloc_extent_buffer and its helpers: fs/btrfs/extent_io.c, v5.4-v5.9.
// Split from extent_io.cc only to keep files short.
#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/fault_sites.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {
namespace {

using this_task::Note;

// Step 4c: page `p` already has a private eb. Returns it with a new ref if
// it is alive; otherwise takes the page over from the dying eb and returns
// nullptr. private_lock stays held either way (the kernel drops it on the
// "alive" branch; UseLiveEb below does that, so each function has one lock
// contract the analysis can check).
ExtentBuffer* TakeOverOrReuse(Page* p)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->address_space->private_lock) {
  auto* exists = reinterpret_cast<ExtentBuffer*>(p->private_ptr.Read());
  if (exists->refs().IncNotZero()) {
    exists->NoteRefTaken();
    return exists;
  }
  // The old eb is dying (refs 0): drop the page ref its private held; the
  // private pointer is overwritten by attach below.
  p->flags.clear_bit(PG_private);
  FL_WARN_ON(PageDirty(p), "alloc_extent_buffer.dirty_page");
  put_page(p);
  Note("alloc_extent_buffer: page had a dying eb -> take the page over");
  return nullptr;
}

// Step 4c, live eb: drop our page (unlock, put) and use `exists`, whose
// ref the caller took.
ExtentBuffer* DropPageUseEb(Page* p, ExtentBuffer* exists) {
  unlock_page(p);
  put_page(p);
  mark_extent_buffer_accessed(exists, p);
  Note("alloc_extent_buffer: page has a live eb -> use it");
  return exists;
}

// Step 4c under private_lock: drop it, then DropPageUseEb.
ExtentBuffer* UseLiveEb(Page* p, ExtentBuffer* exists)
    ABSL_UNLOCK_FUNCTION(p->address_space->private_lock) {
  p->address_space->private_lock.Unlock();
  return DropPageUseEb(p, exists);
}

// Step 4: find or create, lock and attach every page. Returns an existing
// eb (with a ref) found through a page's private pointer, else nullptr
// with every page attached, locked and stored in eb->pages.
ExtentBuffer* AttachPages(ExtentBuffer* eb, bool* uptodate) {
  FsInfo* fs_info = eb->fs_info();
  AddressSpace* mapping = fs_info->btree_mapping();
  const uint64_t index = eb->start() >> fs_info->page_shift();
  *uptodate = true;
  for (int i = 0; i < eb->num_pages(); ++i) {
    Page* p = find_or_create_page(mapping, index + i);
    // mapping->private_lock, named through the page as the callees name it.
    FL_CHECK(p->address_space == mapping);
    // v6.8-v6.9 before f3a5367c679d: grab_extent_buffer without
    // private_lock; the attach below takes the lock separately. MODEL: the
    // kernel's attach does not test PG_private again; the scenarios have one
    // allocator per block, so after the grab it is clear there.
    if (fs_info->behaviour().grab_eb_without_private_lock) {
      if (ExtentBuffer* exists = grab_extent_buffer_unlocked(p)) {
        return DropPageUseEb(p, exists);
      }
    }
    p->address_space->private_lock.Lock();
    if (PagePrivate(p)) {
      ExtentBuffer* exists = TakeOverOrReuse(p);
      if (exists != nullptr) return UseLiveEb(p, exists);
    }
    attach_extent_buffer_page(eb, p);
    p->address_space->private_lock.Unlock();
    FL_WARN_ON(PageDirty(p), "alloc_extent_buffer.dirty_page");
    eb->page(i) = p;
    if (!PageUptodate(p)) *uptodate = false;
    // p stays locked: releasepage must not run on it before publication.
  }
  return nullptr;
}

// Step 6: publish in the radix tree. Returns 0 and the eb is in the tree;
// or an error; or sets *exists to another live eb for the same start.
int InsertIntoRadix(ExtentBuffer* eb, ExtentBuffer** exists) {
  FsInfo* fs_info = eb->fs_info();
  const uint64_t start = eb->start();
  for (;;) {
    FL_FAULT_POINT(kSiteAllocBeforeInsert, start);
    const int64_t preload = FL_FAULT_ERROR(kSiteRadixPreloadError, start);
    if (preload != 0) {
      Note("alloc_extent_buffer: radix_tree_preload failed");
      return preload < 0 ? static_cast<int>(preload)
                         : -static_cast<int>(preload);
    }
    int ret;
    {
      SpinLockGuard guard(&fs_info->buffer_lock());
      ret = fs_info->buffer_radix()->Insert(start >> fs_info->page_shift(), eb);
    }
    if (ret != -kEEXIST) return ret;
    Note("alloc_extent_buffer: radix insert -EEXIST");
    *exists = find_extent_buffer(fs_info, start);
    if (*exists != nullptr) return 0;
    // The other eb is dying and not yet deleted. MODEL: yield so that a
    // priority-based strategy lets the releasing task finish (the kernel
    // simply spins through the retry).
    this_task::Yield();
  }
}

// The kernel's `free_eb:` exit of alloc_extent_buffer: drop our ref, unlock the
// pages we stored, and free the never-published eb at once.
void AllocFail(ExtentBuffer* eb) {
  const bool last = eb->refs().DecAndTest();
  eb->NoteRefDropped();
  FL_WARN_ON(!last, "alloc_extent_buffer.fail_refs");
  for (int i = 0; i < eb->num_pages(); ++i) {
    if (eb->page(i) != nullptr) unlock_page(eb->page(i));
  }
  btrfs_release_extent_buffer(eb);
}

}  // namespace

// alloc_extent_buffer. Returns the eb with the caller's ref
// (refs 2 with TREE_REF in the uncontended case), or -EINVAL / the preload
// error.
EbResult alloc_extent_buffer(FsInfo* fs_info, uint64_t start) {
  if (start % fs_info->options().sectorsize != 0) return {nullptr, -kEINVAL};
  if (ExtentBuffer* found = find_extent_buffer(fs_info, start)) {
    return {found, 0};
  }
  ExtentBuffer* eb = __alloc_extent_buffer(fs_info, start, fs_info->nodesize());
  Note(absl::StrCat("alloc_extent_buffer: allocated eb#", eb->id(),
                    " refs 1; lock pages"));
  bool uptodate = true;
  if (ExtentBuffer* exists = AttachPages(eb, &uptodate)) {
    AllocFail(eb);
    return {exists, 0};
  }
  if (uptodate) eb->bflags().set_bit(EXTENT_BUFFER_UPTODATE);
  ExtentBuffer* exists = nullptr;
  const int ret = InsertIntoRadix(eb, &exists);
  if (ret != 0 || exists != nullptr) {
    AllocFail(eb);
    return {exists, ret};
  }
  Note("alloc_extent_buffer: inserted into radix tree");
  if (fs_info->behaviour().tree_ref_check_locked) {
    check_buffer_tree_ref(eb);
  } else {
    // v3.4: the lock-free check_buffer_tree_ref, wrapped here in refs_lock.
    SpinLockGuard guard(&eb->refs_lock());
    check_buffer_tree_ref_v3_4(eb);
  }
  eb->bflags().set_bit(EXTENT_BUFFER_IN_TREE);
  for (int i = 0; i < eb->num_pages(); ++i) unlock_page(eb->page(i));
  Note(
      absl::StrCat("alloc_extent_buffer: unlock pages, refs ", eb->PeekRefs()));
  return {eb, 0};
}

}  // namespace btrfs_eb
}  // namespace faultline
