// Bio submission and completion dispatch (block layer + btree_submit_bio_hook
// + end_bio_extent_readpage of fs/btrfs/extent_io.c, v5.4-v5.9;
// docs/btrfs_eb.md, "Reads"). MODEL: a bio never fails at submission; the
// device outcome chosen by "bio.submit.error" is delivered at completion, as
// bi_status.
#include "btrfs_eb/bio.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/fault_sites.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/world.h"

namespace faultline {
namespace btrfs_eb {
namespace {

using this_task::Note;

// The device side of a write: the data leaves the pages when the bio is
// submitted (a later change to the page cannot tear the block on disk).
void TransferWrite(FsInfo* fs_info, Bio* bio) {
  for (Page* page : bio->pages) {
    fs_info->disk()->Write(page->index << fs_info->page_shift(),
                           page->data.data(), page->data.size());
  }
}

void TransferRead(FsInfo* fs_info, Bio* bio) {
  for (Page* page : bio->pages) {
    fs_info->disk()->Read(page->index << fs_info->page_shift(),
                          page->data.data(), page->data.size());
  }
}

// The body of a completion task ("endio<N>").
void EndIoTask(FsInfo* fs_info, Bio* bio) {
  FL_FAULT_POINT(kSiteBioEndIoBeforeComplete, bio->bytenr);
  bio_endio(fs_info, bio);
}

}  // namespace

void submit_bio(FsInfo* fs_info, std::unique_ptr<Bio> bio) {
  const int64_t err = FL_FAULT_ERROR(kSiteBioSubmitError, bio->bytenr);
  bio->status = static_cast<int>(err > 0 ? -err : err);
  if (bio->op == Bio::kWrite && bio->status == 0) {
    TransferWrite(fs_info, bio.get());
  }
  switch (fs_info->options().io_mode) {
    case IoMode::kInline:
      bio_endio(fs_info, bio.get());
      return;
    case IoMode::kDeferred:
      fs_info->QueueBio(std::move(bio));
      return;
    case IoMode::kTask: {
      World* world = fs_info->world();
      FL_CHECK(world != nullptr);
      std::shared_ptr<Bio> owned(std::move(bio));
      world->Spawn(
          absl::StrCat("endio", fs_info->NextBioId()),
          [fs_info, owned] { EndIoTask(fs_info, owned.get()); }, "endio");
      return;
    }
  }
}

void bio_endio(FsInfo* fs_info, Bio* bio) {
  if (bio->op == Bio::kRead) {
    if (bio->status == 0) TransferRead(fs_info, bio);
    end_bio_extent_readpage(fs_info, bio);
  } else if (bio->op == Bio::kMetaRead) {
    if (bio->status == 0) TransferRead(fs_info, bio);
    end_bbio_meta_read(fs_info, bio);  // clears bio->eb: it drops its ref
  } else {
    end_bio_extent_buffer_writepage(fs_info, bio);
  }
  // The completion is done with the eb (it may be freed by now: the last
  // page's hook may have dropped the last ref; only the mark is written).
  if (bio->eb != nullptr) bio->eb->SetIoInFlight(false);
}

// end_bio_extent_readpage, btree branch. Per page, io_pages
// drops by exactly one before the page is unlocked.
void end_bio_extent_readpage(FsInfo* fs_info, Bio* bio) {
  for (Page* page : bio->pages) {
    bool uptodate = bio->status == 0;
    if (uptodate &&
        btree_readpage_end_io_hook(fs_info, page, bio->mirror) != 0) {
      uptodate = false;
    }
    if (!uptodate) btree_io_failed_hook(page, bio->mirror);
    if (uptodate) {
      SetPageUptodate(page);
    } else {
      ClearPageUptodate(page);
      SetPageError(page);
    }
    unlock_page(page);
  }
  Note(absl::StrCat(
      "end_bio_extent_readpage: ", bio->status == 0 ? "done" : "I/O error",
      ", pages unlocked"));
}

int RunDeferredBios(FsInfo* fs_info) {
  int ran = 0;
  while (std::unique_ptr<Bio> bio = fs_info->TakeDeferredBio()) {
    bio_endio(fs_info, bio.get());
    ++ran;
  }
  return ran;
}

}  // namespace btrfs_eb
}  // namespace faultline
