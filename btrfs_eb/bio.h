// -----------------------------------------------------------------------------
// File: btrfs_eb/bio.h
// -----------------------------------------------------------------------------
//
// Block I/O for btree pages: a Bio carries the pages of one extent buffer to
// or from the simulated Disk, and its completion runs asynchronously to the
// submitter (btree read bios complete in the endio_meta workqueue:
// btree_submit_bio_hook, fs/btrfs/disk-io.c). How "asynchronously" is done
// depends on FsInfo's IoMode: a task spawned per bio (scenarios), a queue
// drained by RunDeferredBios (unit tests placing the completion at a chosen
// step), or inline.
//
// The device outcome is decided at submission by the fault point
// "bio.submit.error" (key = bytenr): a non-zero value completes the bio with
// that error and no data transfer.
//
// Example:
//   auto bio = std::make_unique<Bio>(Bio::kRead, eb->start());
//   bio->pages.push_back(page);
//   submit_bio(fs_info, std::move(bio));
//
// Thread-safety: submit_bio may be called from any task.

#ifndef FAULTLINE_BTRFS_EB_BIO_H_
#define FAULTLINE_BTRFS_EB_BIO_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/page.h"

namespace faultline {
namespace btrfs_eb {

struct Bio {
  // kMetaRead: a v6.5+ btrfs_bio of a whole eb, completed by
  // end_bbio_meta_read (extent_io_read_bit.cc).
  enum Op { kRead, kWrite, kMetaRead };
  Bio(Op op_in, uint64_t bytenr_in) : op(op_in), bytenr(bytenr_in) {}

  const Op op;
  const uint64_t bytenr;     // logical address of pages[0]
  std::vector<Page*> pages;  // contiguous btree pages
  int status = 0;            // 0 or -errno (bi_status)
  int mirror = 1;            // MODEL: one copy; mirror 1 serves every read
  // Model bookkeeping: the eb whose pages these are (one bio per eb), whose
  // I/O-in-flight mark the completion clears when it is done (eb.io_pinned).
  ExtentBuffer* eb = nullptr;
};

// submit_bio (btree_submit_bio_hook): hands the bio to the device.
void submit_bio(FsInfo* fs_info, std::unique_ptr<Bio> bio);

// bio_endio: the device transfer (read into / write from the pages) unless
// the bio failed, then the op's end_io handler.
void bio_endio(FsInfo* fs_info, Bio* bio);

// end_bio_extent_readpage, btree branch: per page run
// btree_readpage_end_io_hook, set READ_ERR on failure, update the page and
// unlock it.
void end_bio_extent_readpage(FsInfo* fs_info, Bio* bio);

// Completes queued bios in submission order (IoMode::kDeferred); returns how
// many ran.
int RunDeferredBios(FsInfo* fs_info);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_BIO_H_
