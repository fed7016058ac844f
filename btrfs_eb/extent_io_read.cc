// read_extent_buffer_pages and per-page read submission: fs/btrfs/
// extent_io.c, v5.4-v5.9. The post-fix variant (v5.8) adds one
// check_buffer_tree_ref right after io_pages is set.
#include <memory>
#include <string>

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

// __extent_read_full_page -> __do_readpage -> submit_extent_page for one
// btree page. MODEL: the io-tree range lock and
// btree_get_extent are dropped (they do not take part in the race); all
// pages of one eb go into one bio. On failure the page is unlocked here.
int submit_extent_page_read(ExtentBuffer* eb, Page* page,
                            std::unique_ptr<Bio>* bio) {
  const int64_t err = FL_FAULT_ERROR(kSiteBioAddPageError, eb->start());
  if (err != 0) {
    SetPageError(page);
    unlock_page(page);
    Note("read_extent_buffer_pages: submit_extent_page failed");
    return err < 0 ? static_cast<int>(err) : -static_cast<int>(err);
  }
  if (*bio == nullptr) {
    const uint64_t bytenr = page->index << eb->fs_info()->page_shift();
    *bio = std::make_unique<Bio>(Bio::kRead, bytenr);
  }
  (*bio)->pages.push_back(page);
  return 0;
}

// Step 6-7: submit every page that is not uptodate; pages being read stay
// locked until their completion, uptodate ones are unlocked now.
int SubmitReadPages(ExtentBuffer* eb) {
  std::unique_ptr<Bio> bio;
  int ret = 0;
  for (int i = 0; i < eb->num_pages(); ++i) {
    Page* page = eb->page(i);
    if (PageUptodate(page)) {
      unlock_page(page);
      continue;
    }
    if (ret != 0) {  // an earlier page failed: give this one up too
      eb->io_pages().Dec();
      unlock_page(page);
      continue;
    }
    ClearPageError(page);
    const int err = submit_extent_page_read(eb, page, &bio);
    if (err != 0) {
      ret = err;
      eb->io_pages().Dec();
    }
  }
  FsInfo* fs_info = eb->fs_info();
  if (bio != nullptr) {
    if (fs_info->options().check_io_pinned) {
      FL_WARN_ON(!eb->bflags().test_bit(EXTENT_BUFFER_TREE_REF),
                 "eb.io_pinned");
    }
    bio->eb = eb;
    eb->SetIoInFlight(true);
    submit_bio(fs_info, std::move(bio));
  }
  return ret;
}

// Step 2 for one page: WAIT_NONE only tries (a skipped readahead is not an
// error), other modes sleep on the page lock.
bool LockPageForRead(Page* page, int wait) {
  if (wait == WAIT_NONE) return trylock_page(page);
  lock_page(page);
  return true;
}

}  // namespace

// read_extent_buffer_pages. Takes and drops no eb reference:
// after a WAIT_NONE submit only TREE_REF pins the eb during the I/O.
int read_extent_buffer_pages(ExtentBuffer* eb, int wait, int mirror_num) {
  (void)mirror_num;  // MODEL: one copy; the device serves mirror 1
  if (eb->fs_info()->behaviour().read_reading_bit) {
    return read_extent_buffer_pages_reading_bit(eb, wait);
  }
  if (eb->bflags().test_bit(EXTENT_BUFFER_UPTODATE)) return 0;
  const int num_pages = eb->num_pages();
  int locked = 0;
  int num_reads = 0;
  for (; locked < num_pages; ++locked) {
    if (!LockPageForRead(eb->page(locked), wait)) {
      // Who holds the page is what a reader of the trace needs: in the
      // seed's table it is reclaim, between its trylock and its unlock.
      const std::string holder = eb->page(locked)->PeekLockOwner();
      Note(absl::StrCat("read_extent_buffer_pages: trylock_page failed (",
                        holder.empty() ? "injected" : "page held by " + holder,
                        ") -> unlock_exit"));
      goto unlock_exit;
    }
  }
  for (int i = 0; i < num_pages; ++i) {
    if (!PageUptodate(eb->page(i))) ++num_reads;
  }
  if (num_reads == 0) {
    eb->bflags().set_bit(EXTENT_BUFFER_UPTODATE);
    Note("read_extent_buffer_pages: all pages uptodate -> UPTODATE");
    goto unlock_exit;
  }
  FL_FAULT_POINT(kSiteReadBeforeIoPages, eb->start());
  eb->bflags().clear_bit(EXTENT_BUFFER_READ_ERR);
  eb->read_mirror().Set(0);
  eb->io_pages().Set(num_reads);
  Note(absl::StrCat("read_extent_buffer_pages: locked pages, set io_pages = ",
                    num_reads, ", submit io"));
  if (eb->fs_info()->behaviour().read_tree_ref_after_io_pages) {
    check_buffer_tree_ref(eb);  // the v5.8 fix
  }
  FL_FAULT_POINT(kSiteReadAfterIoPages, eb->start());
  {
    int ret = SubmitReadPages(eb);
    if (ret != 0 || wait != WAIT_COMPLETE) return ret;
    for (int i = 0; i < num_pages; ++i) {
      Page* page = eb->page(i);
      wait_on_page_locked(page);
      if (!PageUptodate(page)) ret = -kEIO;
    }
    return ret;
  }
unlock_exit:
  while (locked > 0) unlock_page(eb->page(--locked));
  return 0;
}

}  // namespace btrfs_eb
}  // namespace faultline
