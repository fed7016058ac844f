// The btree inode's I/O hooks and read entry points: fs/btrfs/disk-io.c
// (v5.8) and fs/btrfs/reada.c (v5.8).
#include "btrfs_eb/disk_io.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/fault_sites.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {
namespace {

using this_task::Note;

}  // namespace

// btree_readpage_end_io_hook's header, checksum and tree-checker validation of
// the whole block (btrfs_validate_extent_buffer in v6.x).
int ValidateTreeBlock(ExtentBuffer* eb) {
  std::vector<uint8_t> block(eb->len());
  read_extent_buffer(eb, block.data(), 0, block.size());
  const int ret = CheckTreeBlock(block.data(), eb->len(), eb->start());
  // MODEL: the item-count check stands for the tree-checker; a leaf that
  // fails it is CORRUPT (no other mirror is tried).
  if (ret == -kEIO && block[kHeaderLevelOffset] == 0 &&
      GetLe32(block.data() + kHeaderNritemsOffset) > MaxItems(eb->len())) {
    eb->bflags().set_bit(EXTENT_BUFFER_CORRUPT);
  }
  return ret;
}

// btree_readpage_end_io_hook. The plain atomic_inc assumes the
// eb is alive because I/O is in flight: the assumption the race breaks.
int btree_readpage_end_io_hook(FsInfo* fs_info, Page* page, int mirror) {
  (void)fs_info;
  auto* eb = reinterpret_cast<ExtentBuffer*>(page->private_ptr.Read());
  if (eb == nullptr) return 0;
  const int old_refs = eb->refs().fetch_add(1);
  eb->NoteRefTaken();
  if (old_refs == 0) {
    // The same race as the BUG_ON in btrfs_release_extent_buffer_pages,
    // seen from the completion: the reader dropped refs to 0 with this read
    // in flight and has not reached its BUG_ON (or detached the page) yet.
    Note(
        "end_io: atomic_inc from refs 0: the eb is being released with "
        "this read in flight (the seed race, seen from end_io)");
  }
  FL_BUG_ON(old_refs == 0, "eb.resurrect");
  int ret = 0;
  const bool reads_done = eb->io_pages().DecAndTest();
  if (reads_done) {
    eb->read_mirror().Set(mirror);
    if (eb->bflags().test_bit(EXTENT_BUFFER_READ_ERR)) {
      ret = -kEIO;
    } else {
      ret = ValidateTreeBlock(eb);
      if (ret == 0) {
        set_extent_buffer_uptodate(eb);
        Note("end_io: checksum ok -> UPTODATE, io_pages 0");
      } else {
        Note(absl::StrCat("end_io: block validation failed ", ret));
      }
    }
  }
  if (reads_done && eb->bflags().test_and_clear_bit(EXTENT_BUFFER_READAHEAD))
    btree_readahead_hook(eb, ret);
  if (ret != 0) {
    // btree_io_failed_hook decrements io_pages again for this page.
    eb->io_pages().Inc();
    clear_extent_buffer_uptodate(eb);
  }
  free_extent_buffer(eb);
  return ret;
}

// btree_io_failed_hook.
int btree_io_failed_hook(Page* page, int failed_mirror) {
  auto* eb = reinterpret_cast<ExtentBuffer*>(page->private_ptr.Read());
  // The kernel dereferences page->private unchecked here.
  FL_BUG_ON(eb == nullptr, "btree_io_failed_hook.no_private");
  eb->bflags().set_bit(EXTENT_BUFFER_READ_ERR);
  eb->read_mirror().Set(failed_mirror);
  eb->io_pages().Dec();
  Note("end_io: page failed -> READ_ERR");
  if (eb->bflags().test_and_clear_bit(EXTENT_BUFFER_READAHEAD))
    btree_readahead_hook(eb, -kEIO);
  return -kEIO;
}

void btree_readahead_hook(ExtentBuffer* eb, int err) {
  Note(absl::StrCat("btree_readahead_hook: eb ", eb->start(), " err ", err));
}

// btree_releasepage.
int btree_releasepage(Page* page) {
  if (PageWriteback(page) || PageDirty(page)) return 0;
  return try_release_extent_buffer(page);
}

// btrfs_find_create_tree_block. MODEL: no self-test mode.
EbResult btrfs_find_create_tree_block(FsInfo* fs_info, uint64_t bytenr) {
  return alloc_extent_buffer(fs_info, bytenr);
}

// readahead_tree_block (the v5.x form; v5.11 renamed and reworked it).
void readahead_tree_block(FsInfo* fs_info, uint64_t bytenr) {
  FL_FAULT_POINT(kSiteReadaheadStart, bytenr);
  EbResult r = btrfs_find_create_tree_block(fs_info, bytenr);
  if (!r.ok()) return;
  FL_FAULT_POINT(kSiteReadaheadBeforeRead, bytenr);
  const int ret = read_extent_buffer_pages(r.eb, WAIT_NONE, 0);
  if (ret < 0) {
    free_extent_buffer_stale(r.eb);
  } else {
    free_extent_buffer(r.eb);
  }
}

// reada_tree_block_flagged (reada.c, v5.8): 0 with *eb set if the
// block is uptodate (the caller owns that ref), 0 with *eb untouched if the
// read is still in flight, -errno if the read failed or the block is CORRUPT
// (both stale-free the eb). MODEL: WAIT_PAGE_LOCK returns with the read in
// flight, so CORRUPT is seen only when the completion already ran (inline
// bios).
int reada_tree_block_flagged(FsInfo* fs_info, uint64_t bytenr, int mirror_num,
                             ExtentBuffer** eb) {
  EbResult r = btrfs_find_create_tree_block(fs_info, bytenr);
  if (!r.ok()) return 0;
  ExtentBuffer* buf = r.eb;
  buf->bflags().set_bit(EXTENT_BUFFER_READAHEAD);
  const int ret = read_extent_buffer_pages(buf, WAIT_PAGE_LOCK, mirror_num);
  if (ret != 0) {
    free_extent_buffer_stale(buf);
    return ret;
  }
  if (buf->bflags().test_bit(EXTENT_BUFFER_CORRUPT)) {
    free_extent_buffer_stale(buf);
    return -kEIO;
  }
  if (buf->bflags().test_bit(EXTENT_BUFFER_UPTODATE)) {
    *eb = buf;
  } else {
    free_extent_buffer(buf);
  }
  return 0;
}

// btree_read_extent_buffer_pages (v5.8): WAIT_COMPLETE reads, mirror 0
// first (any copy), then the other mirrors while copies remain. MODEL: one
// copy (btrfs_num_copies == 1), so the loop ends after the first read, as
// the kernel's does on a single-device fs; no transid, level or first-key
// verification (the model's readers do not pass parent_transid, level or
// first_key; ctree.cc checks the value it finds instead), hence no
// btrfs_repair_eb_io_failure.
int btree_read_extent_buffer_pages(ExtentBuffer* eb) {
  int ret = 0;
  int mirror_num = 0;
  while (true) {
    eb->bflags().clear_bit(EXTENT_BUFFER_CORRUPT);
    ret = read_extent_buffer_pages(eb, WAIT_COMPLETE, mirror_num);
    if (ret == 0) break;
    const int num_copies = 1;  // btrfs_num_copies
    if (num_copies == 1) break;
    ++mirror_num;
    if (mirror_num > num_copies) break;
  }
  return ret;
}

int btrfs_read_buffer(ExtentBuffer* eb) {
  return btree_read_extent_buffer_pages(eb);
}

// read_tree_block.
EbResult read_tree_block(FsInfo* fs_info, uint64_t bytenr) {
  EbResult r = btrfs_find_create_tree_block(fs_info, bytenr);
  if (!r.ok()) return r;
  const int ret = btree_read_extent_buffer_pages(r.eb);
  if (ret != 0) {
    free_extent_buffer_stale(r.eb);
    return {nullptr, ret};
  }
  return r;
}

// btrfs_clean_tree_block. MODEL: no transaction or dirty-bytes counter.
void btrfs_clean_tree_block(ExtentBuffer* eb) {
  if (eb->bflags().test_and_clear_bit(EXTENT_BUFFER_DIRTY)) {
    clear_extent_buffer_dirty(eb);
  }
}

int btrfs_mount_root(FsInfo* fs_info, uint64_t bytenr) {
  AddressSpace* mapping = fs_info->btree_mapping();
  ExtentBuffer* eb =
      __alloc_extent_buffer(fs_info, bytenr, fs_info->nodesize());
  const uint64_t index = bytenr >> fs_info->page_shift();
  for (int i = 0; i < eb->num_pages(); ++i) {
    Page* p = find_or_create_page(mapping, index + i);
    // mapping->private_lock, named through the page as the callee names it.
    FL_CHECK(p->address_space == mapping);
    p->address_space->private_lock.Lock();
    attach_extent_buffer_page(eb, p);
    p->address_space->private_lock.Unlock();
    eb->page(i) = p;
    fs_info->disk()->Read(p->index << fs_info->page_shift(), p->data.data(),
                          p->data.size());
  }
  {
    SpinLockGuard guard(&fs_info->buffer_lock());
    FL_CHECK(fs_info->buffer_radix()->Insert(index, eb) == 0);
  }
  check_buffer_tree_ref(eb);
  eb->bflags().set_bit(EXTENT_BUFFER_IN_TREE);
  const int ret = ValidateTreeBlock(eb);
  if (ret == 0) set_extent_buffer_uptodate(eb);
  for (int i = 0; i < eb->num_pages(); ++i) unlock_page(eb->page(i));
  if (ret != 0) {
    free_extent_buffer_stale(eb);
    return ret;
  }
  fs_info->root_node = eb;  // the mount's ref: refs 2 with the tree's
  return 0;
}

}  // namespace btrfs_eb
}  // namespace faultline
