// grab_extent_buffer of Linux v6.8-v6.9 (fs/btrfs/extent_io.c) as it ran
// before f3a5367c679d "btrfs: protect folio::private when attaching extent
// buffer folios": attach_eb_folio_to_filemap called it for an existing
// page-cache folio without mapping->private_lock, so its test-and-detach of
// a dying eb's folio::private races with detach_extent_buffer_folio of the
// task releasing that eb (which holds the lock). Only the variant
// eb_2024_folio_prefix runs this; the fix moved the grab back under the lock
// together with the attach, which is what the older model code does.
#include "btrfs_eb/extent_io.h"
#include "framework/check.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {

// MODEL: the nodesize < PAGE_SIZE (subpage) branch, which returns NULL at
// once, is not modelled: the model's nodes are at least a page.
ExtentBuffer* grab_extent_buffer_unlocked(Page* page) {
  if (!PagePrivate(page)) return nullptr;
  auto* exists = reinterpret_cast<ExtentBuffer*>(page->private_ptr.Read());
  // A releaser may have detached the page since the test: the kernel then
  // dereferences NULL (exists->refs).
  FL_BUG_ON(exists == nullptr, "grab_extent_buffer.null_private");
  if (exists->refs().IncNotZero()) {
    exists->NoteRefTaken();
    return exists;
  }
  FL_WARN_ON(PageDirty(page), "alloc_extent_buffer.dirty_page");
  this_task::Note(
      "grab_extent_buffer: page's eb is dying -> folio_detach_private "
      "without private_lock");
  folio_detach_private(page);
  return nullptr;
}

}  // namespace btrfs_eb
}  // namespace faultline
