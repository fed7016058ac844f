// read_extent_buffer_pages and its completion in the v6.5+ form: fs/btrfs/
// extent_io.c after "btrfs: use per-buffer locking for extent_buffer
// reading" (d7172f52e993, v6.5). Readers no longer lock pages: the
// EXTENT_BUFFER_READING bit picks one submitter and the others wait for the
// bit; the bio holds its own eb ref; no io_pages. The variants
// eb_cve_2024_35798_{prefix,postfix} run it (behaviour().read_reading_bit);
// the postfix one has the v6.9 fix for CVE-2024-35798
// (behaviour().read_recheck_uptodate). docs/btrfs_eb.md, "CVE-2024-35798".
#include <memory>
#include <utility>

#include "btrfs_eb/bio.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/fault_sites.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {
namespace {

using this_task::Note;

// clear_extent_buffer_reading (a helper from v6.10; v6.5-v6.9 inline the
// same clear_bit, smp_mb__after_atomic, wake_up_bit).
void ClearReading(ExtentBuffer* eb) {
  eb->bflags().clear_bit(EXTENT_BUFFER_READING);
  eb->writeback_wait().WakeAll();
}

// The submitter's part once it owns READING: reset the error state, pin the
// eb (TREE_REF as the 2020 fix wants, and a ref for the bio), submit every
// page in one bio.
void SubmitMetaRead(ExtentBuffer* eb) {
  eb->bflags().clear_bit(EXTENT_BUFFER_READ_ERR);
  eb->read_mirror().Set(0);
  check_buffer_tree_ref(eb);
  eb->refs().Inc();  // dropped by end_bbio_meta_read
  eb->NoteRefTaken();
  auto bio = std::make_unique<Bio>(Bio::kMetaRead, eb->start());
  for (int i = 0; i < eb->num_pages(); ++i) bio->pages.push_back(eb->page(i));
  FsInfo* fs_info = eb->fs_info();
  if (fs_info->options().check_io_pinned) {
    FL_WARN_ON(!eb->bflags().test_bit(EXTENT_BUFFER_TREE_REF), "eb.io_pinned");
  }
  bio->eb = eb;
  eb->SetIoInFlight(true);
  NoteEb(eb, "read_extent_buffer_pages: won READING, bio submitted");
  submit_bio(fs_info, std::move(bio));
}

}  // namespace

// read_extent_buffer_pages, v6.5-v6.8 (v6.9 with the fix). MODEL: one copy,
// so no mirror_num; the parent-transid/level/key check it passes on is not
// modelled (docs/btrfs_eb.md, Deviations). WAIT_PAGE_LOCK (gone in v6.x)
// behaves as WAIT_NONE, as any mode but WAIT_COMPLETE does in the kernel.
int read_extent_buffer_pages_reading_bit(ExtentBuffer* eb, int wait) {
  if (eb->bflags().test_bit(EXTENT_BUFFER_UPTODATE)) return 0;
  // A failed write cleared UPTODATE and may still be in flight.
  if (eb->bflags().test_bit(EXTENT_BUFFER_WRITE_ERR)) return -kEIO;
  FL_FAULT_POINT(kSiteReadBeforeReadingBit, eb->start());
  if (eb->bflags().test_and_set_bit(EXTENT_BUFFER_READING)) {
    Note("read_extent_buffer_pages: READING already set -> wait for it");
  } else if (eb->fs_info()->behaviour().read_recheck_uptodate &&
             eb->bflags().test_bit(EXTENT_BUFFER_UPTODATE)) {
    // The v6.9 fix: a read completed between the two tests above.
    ClearReading(eb);
    Note(
        "read_extent_buffer_pages: UPTODATE after winning READING -> no "
        "second read");
    return 0;
  } else {
    SubmitMetaRead(eb);
  }
  if (wait != WAIT_COMPLETE) return 0;
  // wait_on_bit_io(READING).
  eb->writeback_wait().WaitUntil(
      [eb] { return !eb->PeekFlag(EXTENT_BUFFER_READING); });
  if (!eb->bflags().test_bit(EXTENT_BUFFER_UPTODATE)) return -kEIO;
  return 0;
}

// end_bbio_meta_read (extent_buffer_read_end_io in v6.5-v6.7). The first
// check is the WARN_ON the fix's author added next ("btrfs: warn if
// EXTENT_BUFFER_UPTODATE is set while reading", v6.10): other readers took
// the eb as read and used it while this read overwrote its pages.
// MODEL: checked in every variant (a Peek, no scheduling point), so the
// pre-fix race is reported where the kernel of v6.10 would warn.
// set/clear_extent_buffer_uptodate also set/clear the pages' uptodate
// here, which the kernel then repeats per folio.
void end_bbio_meta_read(FsInfo* fs_info, Bio* bio) {
  (void)fs_info;
  ExtentBuffer* eb = bio->eb;
  if (eb->PeekFlag(EXTENT_BUFFER_UPTODATE)) {
    Note(
        "end_bbio_meta_read: the eb was UPTODATE while this read was in "
        "flight (CVE-2024-35798)");
  }
  FL_WARN_ON(eb->PeekFlag(EXTENT_BUFFER_UPTODATE),
             "end_bbio_meta_read.uptodate");
  eb->read_mirror().Set(bio->mirror);
  bool uptodate = bio->status == 0;
  if (uptodate && ValidateTreeBlock(eb) < 0) uptodate = false;
  if (uptodate) {
    set_extent_buffer_uptodate(eb);
  } else {
    clear_extent_buffer_uptodate(eb);
    eb->bflags().set_bit(EXTENT_BUFFER_READ_ERR);
  }
  ClearReading(eb);
  NoteEb(eb, uptodate ? "end_bbio_meta_read: UPTODATE, READING cleared"
                      : "end_bbio_meta_read: read failed, READING cleared");
  // The bio is done with the eb before it drops its ref (bookkeeping).
  eb->SetIoInFlight(false);
  bio->eb = nullptr;
  free_extent_buffer(eb);
}

}  // namespace btrfs_eb
}  // namespace faultline
