// The write side of the extent buffer lifecycle: fs/btrfs/extent_io.c,
// v5.4-v5.9. It matters to the race because DIRTY and
// WRITEBACK count as "under io" and because every TREE_REF clearer refuses
// to act while they are set.
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "btrfs_eb/bio.h"
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

// set_btree_ioerr. MODEL: no fs error state or dirty-bytes accounting.
void set_btree_ioerr(Page* page) {
  auto* eb = reinterpret_cast<ExtentBuffer*>(page->private_ptr.Read());
  FL_BUG_ON(eb == nullptr, "set_btree_ioerr.no_private");
  SetPageError(page);
  eb->bflags().test_and_set_bit(EXTENT_BUFFER_WRITE_ERR);
}

// csum_dirty_buffer, done once per eb before its pages are submitted.
// MODEL: the kernel computes it in the bio submit hook (btree_csum_one_bio)
// for every eb in the bio; with one bio per eb, write_one_eb's submission is
// the same moment.
void CsumTreeBlock(ExtentBuffer* eb) {
  std::vector<uint8_t> block(eb->len());
  read_extent_buffer(eb, block.data(), 0, block.size());
  SetTreeBlockChecksum(block.data(), eb->len());
  write_extent_buffer(eb, block.data() + kHeaderCsumOffset, kHeaderCsumOffset,
                      4);
}

// The submit-error branch of write_one_eb for page `i`: the remaining pages
// leave io_pages at once; pages i.. are cleaned and unlocked by the caller.
void WriteSubmitFailed(ExtentBuffer* eb, int i) {
  Page* p = eb->page(i);
  set_btree_ioerr(p);
  if (PageWriteback(p)) end_page_writeback(p);
  const int remaining = eb->num_pages() - i;
  if (eb->io_pages().fetch_sub(remaining) == remaining) {
    end_extent_buffer_writeback(eb);
  }
}

}  // namespace

// set_extent_buffer_dirty: TREE_REF is established first, so a
// dirty eb always carries it.
bool set_extent_buffer_dirty(ExtentBuffer* eb) {
  check_buffer_tree_ref(eb);
  const bool was_dirty = eb->bflags().test_and_set_bit(EXTENT_BUFFER_DIRTY);
  FL_WARN_ON(eb->refs().Read() == 0, "set_extent_buffer_dirty.refs_zero");
  FL_WARN_ON(!eb->bflags().test_bit(EXTENT_BUFFER_TREE_REF),
             "set_extent_buffer_dirty.no_tree_ref");
  if (!was_dirty) {
    for (int i = 0; i < eb->num_pages(); ++i) set_page_dirty(eb->page(i));
    Note("set_extent_buffer_dirty: DIRTY");
  }
  return was_dirty;
}

// clear_extent_buffer_dirty.
void clear_extent_buffer_dirty(ExtentBuffer* eb) {
  for (int i = 0; i < eb->num_pages(); ++i) {
    Page* page = eb->page(i);
    if (!PageDirty(page)) continue;
    lock_page(page);
    clear_page_dirty_for_io(page);
    ClearPageError(page);
    unlock_page(page);
  }
  FL_WARN_ON(eb->refs().Read() == 0, "clear_extent_buffer_dirty.refs_zero");
}

// lock_extent_buffer_for_io, WB_SYNC_ALL: waits for a write
// already in flight. DIRTY -> WRITEBACK happens under refs_lock so that
// under_io never observes a gap. MODEL: every write_one_eb submits its own
// bio, so there is no bio shared across ebs for flush_write_bio to submit
// before sleeping; flush_write_bio cannot fail, and the kernel's err_unlock
// path (unlock the pages taken, re-set DIRTY and end writeback under
// refs_lock) is unreachable and not modelled. The write is always
// WB_SYNC_ALL (epd->sync_io).
int lock_extent_buffer_for_io(ExtentBuffer* eb) {
  eb->lock().Lock();  // btrfs_tree_lock
  while (eb->bflags().test_bit(EXTENT_BUFFER_WRITEBACK)) {
    eb->lock().Unlock();
    eb->writeback_wait().WaitUntil(
        [eb] { return !eb->PeekFlag(EXTENT_BUFFER_WRITEBACK); });
    eb->lock().Lock();
  }
  int ret = 0;
  eb->refs_lock().Lock();
  if (eb->bflags().test_and_clear_bit(EXTENT_BUFFER_DIRTY)) {
    eb->bflags().set_bit(EXTENT_BUFFER_WRITEBACK);
    ret = 1;
  }
  eb->refs_lock().Unlock();
  eb->lock().Unlock();
  if (ret == 0) return 0;
  for (int i = 0; i < eb->num_pages(); ++i) {
    Page* p = eb->page(i);
    // MODEL: no pending write bio to flush before sleeping on the lock.
    if (!trylock_page(p)) lock_page(p);
  }
  Note("lock_extent_buffer_for_io: DIRTY -> WRITEBACK, pages locked");
  return ret;
}

// write_one_eb. Takes no eb ref: TREE_REF pins the eb, and it
// cannot be cleared while WRITEBACK is set.
int write_one_eb(ExtentBuffer* eb) {
  eb->bflags().clear_bit(EXTENT_BUFFER_WRITE_ERR);
  const int num_pages = eb->num_pages();
  eb->io_pages().Set(num_pages);
  if (eb->fs_info()->behaviour().write_tree_ref_after_io_pages) {
    check_buffer_tree_ref(eb);  // v1 of the 2020 fix only
  }
  CsumTreeBlock(eb);
  auto bio = std::make_unique<Bio>(
      Bio::kWrite, eb->page(0)->index << eb->fs_info()->page_shift());
  int ret = 0;
  int i = 0;
  for (; i < num_pages; ++i) {
    Page* p = eb->page(i);
    clear_page_dirty_for_io(p);
    set_page_writeback(p);
    if (FL_FAULT_ERROR(kSiteBioAddPageError, eb->start()) != 0) {
      WriteSubmitFailed(eb, i);
      ret = -kEIO;
      break;
    }
    bio->pages.push_back(p);
    unlock_page(p);
  }
  for (int j = i; j < num_pages && ret != 0; ++j) {
    clear_page_dirty_for_io(eb->page(j));
    unlock_page(eb->page(j));
  }
  if (!bio->pages.empty()) {
    if (eb->fs_info()->options().check_io_pinned) {
      FL_WARN_ON(!eb->bflags().test_bit(EXTENT_BUFFER_TREE_REF),
                 "eb.io_pinned");
    }
    Note(absl::StrCat("write_one_eb: io_pages = ", num_pages, ", submit"));
    bio->eb = eb;
    eb->SetIoInFlight(true);
    submit_bio(eb->fs_info(), std::move(bio));
  }
  return ret;
}

// end_extent_buffer_writeback: io_pages is already 0, so under_io stays
// true until WRITEBACK goes (the check eb.write_order).
void end_extent_buffer_writeback(ExtentBuffer* eb) {
  FL_BUG_ON(eb->PeekIoPages() != 0, "eb.write_order");
  eb->bflags().clear_bit(EXTENT_BUFFER_WRITEBACK);
  eb->writeback_wait().WakeAll();  // wake_up_bit
  Note("end_extent_buffer_writeback: WRITEBACK cleared");
}

// end_bio_extent_buffer_writepage. Takes no eb reference.
void end_bio_extent_buffer_writepage(FsInfo* fs_info, Bio* bio) {
  (void)fs_info;
  for (Page* page : bio->pages) {
    auto* eb = reinterpret_cast<ExtentBuffer*>(page->private_ptr.Read());
    FL_BUG_ON(eb == nullptr, "end_bio_extent_buffer_writepage.no_private");
    const bool done = eb->io_pages().DecAndTest();
    // A write error on an earlier page of this eb fails the later ones too.
    if (bio->status != 0 || eb->bflags().test_bit(EXTENT_BUFFER_WRITE_ERR)) {
      ClearPageUptodate(page);
      set_btree_ioerr(page);
    }
    end_page_writeback(page);
    if (done) end_extent_buffer_writeback(eb);
  }
}

namespace {

// The eb whose page at `index` is dirty and private, with a new ref; nullptr
// if none or if it is the same eb as `prev` (pages of one eb).
ExtentBuffer* GrabDirtyEb(AddressSpace* mapping, uint64_t index,
                          ExtentBuffer* prev) {
  Page* page = find_get_page(mapping, index);
  if (page == nullptr) return nullptr;
  ExtentBuffer* eb = nullptr;
  if (PageDirty(page)) {
    SpinLockGuard guard(&mapping->private_lock);
    auto* owner =
        PagePrivate(page)
            ? reinterpret_cast<ExtentBuffer*>(page->private_ptr.Read())
            : nullptr;
    if (owner != nullptr && owner != prev && owner->refs().IncNotZero()) {
      owner->NoteRefTaken();
      eb = owner;
    }
  }
  put_page(page);
  return eb;
}

}  // namespace

// btree_write_cache_pages, range form: the number of ebs written, or
// write_one_eb's error (the scan stops there). MODEL: the dirty-tag lookup
// is a scan of the range's page-cache slots.
int btree_write_cache_pages(FsInfo* fs_info, uint64_t first, uint64_t last) {
  AddressSpace* mapping = fs_info->btree_mapping();
  ExtentBuffer* prev = nullptr;
  int written = 0;
  for (uint64_t index = first; index < last; ++index) {
    ExtentBuffer* eb = GrabDirtyEb(mapping, index, prev);
    if (eb == nullptr) continue;
    prev = eb;
    // lock_extent_buffer_for_io cannot fail here (MODEL: no shared write
    // bio to flush), so only write_one_eb's error stops the scan, as in the
    // kernel ("done = 1").
    if (lock_extent_buffer_for_io(eb) == 1) {
      const int ret = write_one_eb(eb);
      free_extent_buffer(eb);
      if (ret != 0) return ret;
      ++written;
      continue;
    }
    free_extent_buffer(eb);
  }
  return written;
}

}  // namespace btrfs_eb
}  // namespace faultline
