// Extent buffer allocation, lookup, TREE_REF protocol, reference drops and
// release: fs/btrfs/extent_io.c, v5.4-v5.9
// (docs/btrfs_eb.md describes each function branch by branch).
// alloc_extent_buffer is in extent_io_alloc.cc, reads in extent_io_read.cc,
// the write side in extent_io_write.cc.
#include "btrfs_eb/extent_io.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/fault_sites.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/runtime/rcu.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {

using this_task::Note;

void NoteEb(ExtentBuffer* eb, const char* text) {
  Note(absl::StrCat(text, " [", eb->Describe(), "]"));
}

// __alloc_extent_buffer: refs 1, io_pages 0, no flags.
ExtentBuffer* __alloc_extent_buffer(FsInfo* fs_info, uint64_t start,
                                    uint32_t len) {
  return fs_info->NewExtentBuffer(start, len);
}

// check_buffer_tree_ref as v3.4 has it (fs/btrfs/extent_io.c): bump refs,
// then try to set TREE_REF, undoing the bump if another task set it first.
// No refs_lock: a task holding refs_lock between its refs == 1 check and its
// TREE_REF clear (try_release_extent_buffer) does not hold this one off.
// The transient ref counts as this task's own (the ledger invariant).
void check_buffer_tree_ref_v3_4(ExtentBuffer* eb) {
  if (eb->bflags().test_bit(EXTENT_BUFFER_TREE_REF)) {
    Note("check_buffer_tree_ref: TREE_REF set -> no action (no lock)");
    return;
  }
  eb->refs().Inc();
  eb->NoteRefTaken();
  if (eb->bflags().test_and_set_bit(EXTENT_BUFFER_TREE_REF)) {
    eb->refs().Dec();
    eb->NoteRefDropped();
    Note("check_buffer_tree_ref: TREE_REF set meanwhile -> undo the ref");
    return;
  }
  eb->NoteRefDropped();  // handed to the tree
  Note(absl::StrCat("check_buffer_tree_ref: set TREE_REF (no lock), refs ",
                    eb->PeekRefs()));
}

// check_buffer_tree_ref: identical before and after the 2020 fix;
// only its call sites differ. The fast path is lock-free. The 2013 variants
// differ here (variant.h: tree_ref_check_locked, tree_ref_check_fast_path).
// MODEL: the 2013 rows change only this and alloc_extent_buffer's call; the
// rest of the file stays the v5.x code (docs/btrfs_eb.md, Deviations).
void check_buffer_tree_ref(ExtentBuffer* eb) {
  const Behaviour& behaviour = eb->fs_info()->behaviour();
  if (!behaviour.tree_ref_check_locked) {
    check_buffer_tree_ref_v3_4(eb);
    return;
  }
  const int refs = behaviour.tree_ref_check_fast_path ? eb->refs().Read() : 0;
  if (refs >= 2 && eb->bflags().test_bit(EXTENT_BUFFER_TREE_REF)) {
    Note(absl::StrCat("check_buffer_tree_ref: refs == ", refs,
                      ", TREE_REF set -> no action"));
    return;
  }
  SpinLockGuard guard(&eb->refs_lock());
  if (!eb->bflags().test_and_set_bit(EXTENT_BUFFER_TREE_REF)) {
    eb->refs().Inc();
    Note(absl::StrCat("check_buffer_tree_ref: set TREE_REF, refs ",
                      eb->PeekRefs() - 1, "->", eb->PeekRefs()));
  }
}

// mark_extent_buffer_accessed. MODEL: mark_page_accessed is an
// LRU hint with no effect on the model, so only the TREE_REF check remains.
void mark_extent_buffer_accessed(ExtentBuffer* eb, Page* accessed_page) {
  (void)accessed_page;
  check_buffer_tree_ref(eb);
}

// find_extent_buffer. The increment takes no refs_lock: nothing
// orders it against try_release_extent_buffer's R == 1 check (the race).
ExtentBuffer* find_extent_buffer(FsInfo* fs_info, uint64_t start) {
  ExtentBuffer* eb = nullptr;
  {
    RcuReadGuard rcu(&fs_info->rcu());
    eb = fs_info->buffer_radix()->Lookup(start >> fs_info->page_shift());
    if (eb == nullptr) {
      Note("find_extent_buffer: not found");
      return nullptr;
    }
    FL_FAULT_POINT(kSiteFindAfterLookup, start);
    if (!eb->refs().IncNotZero()) {
      Note("find_extent_buffer: found, refs == 0 (dying) -> not found");
      return nullptr;
    }
    eb->NoteRefTaken();
    Note(absl::StrCat("find_extent_buffer: found, inc_not_zero refs ",
                      eb->PeekRefs() - 1, "->", eb->PeekRefs()));
  }
  FL_FAULT_POINT(kSiteFindAfterInc, start);
  // Wait out a free_extent_buffer slow path that may be dropping the two
  // refs of a stale eb (the 2015 fix, "Btrfs: fix race when reusing stale
  // extent buffers that leads to BUG_ON", v4.0-rc5). Before it (v3.19) the
  // finder went straight to mark_extent_buffer_accessed.
  if (!eb->fs_info()->behaviour().find_ignores_stale &&
      eb->bflags().test_bit(EXTENT_BUFFER_STALE)) {
    eb->refs_lock().Lock();
    eb->refs_lock().Unlock();
  }
  mark_extent_buffer_accessed(eb, nullptr);
  return eb;
}

// attach_extent_buffer_page. REQUIRES: private_lock held.
void attach_extent_buffer_page(ExtentBuffer* eb, Page* page) {
  if (!PagePrivate(page)) {
    attach_page_private(page, reinterpret_cast<uintptr_t>(eb));
    return;
  }
  FL_WARN_ON(page->private_ptr.Read() != eb,
             "attach_extent_buffer_page.other_eb");
}

// extent_buffer_under_io.
bool extent_buffer_under_io(ExtentBuffer* eb) {
  return eb->io_pages().Read() != 0 ||
         eb->bflags().test_bit(EXTENT_BUFFER_WRITEBACK) ||
         eb->bflags().test_bit(EXTENT_BUFFER_DIRTY);
}

// set_extent_buffer_uptodate.
void set_extent_buffer_uptodate(ExtentBuffer* eb) {
  eb->bflags().set_bit(EXTENT_BUFFER_UPTODATE);
  for (int i = 0; i < eb->num_pages(); ++i) SetPageUptodate(eb->page(i));
}

// clear_extent_buffer_uptodate.
void clear_extent_buffer_uptodate(ExtentBuffer* eb) {
  eb->bflags().clear_bit(EXTENT_BUFFER_UPTODATE);
  for (int i = 0; i < eb->num_pages(); ++i) {
    if (eb->page(i) != nullptr) ClearPageUptodate(eb->page(i));
  }
}

// free_extent_buffer: the lock-free decrement is used only while
// refs > 3 (mapped) or > 1 (unmapped), so every drop to 2, 1 or 0 is decided
// under refs_lock. MODEL: no eb is ever UNMAPPED (clones and dummy ebs are
// not modelled), so the UNMAPPED branches here, in release_extent_buffer and
// in btrfs_release_extent_buffer_pages are kept as the kernel has them but
// never run.
void free_extent_buffer(ExtentBuffer* eb) {
  if (eb == nullptr) return;
  for (;;) {
    const int refs = eb->refs().Read();
    const bool unmapped = eb->bflags().test_bit(EXTENT_BUFFER_UNMAPPED);
    if ((!unmapped && refs <= 3) || (unmapped && refs == 1)) break;
    if (eb->refs().Cmpxchg(refs, refs - 1) == refs) {
      eb->NoteRefDropped();
      Note(absl::StrCat("free_extent_buffer: fast path refs ", refs, "->",
                        refs - 1));
      return;
    }
  }
  FL_FAULT_POINT(kSiteFreeBeforeRefsLock, eb->start());
  eb->refs_lock().Lock();
  if (eb->refs().Read() == 2 && eb->bflags().test_bit(EXTENT_BUFFER_STALE) &&
      !extent_buffer_under_io(eb) &&
      eb->bflags().test_and_clear_bit(EXTENT_BUFFER_TREE_REF)) {
    eb->refs().Dec();  // the tree's ref of a stale block
    Note("free_extent_buffer: STALE, dropped the tree ref");
  }
  release_extent_buffer(eb);
}

// free_extent_buffer_stale.
void free_extent_buffer_stale(ExtentBuffer* eb) {
  if (eb == nullptr) return;
  eb->refs_lock().Lock();
  eb->bflags().set_bit(EXTENT_BUFFER_STALE);
  if (eb->refs().Read() == 2 && !extent_buffer_under_io(eb) &&
      eb->bflags().test_and_clear_bit(EXTENT_BUFFER_TREE_REF)) {
    eb->refs().Dec();
    Note("free_extent_buffer_stale: dropped the tree ref");
  }
  release_extent_buffer(eb);
}

// release_extent_buffer. REQUIRES refs_lock; releases it. The
// final free is deferred by RCU so radix lookups never see freed memory.
int release_extent_buffer(ExtentBuffer* eb) {
  FL_WARN_ON(eb->refs().Read() == 0, "release_extent_buffer.refs_zero");
  FsInfo* fs_info = eb->fs_info();
  const bool last = eb->refs().DecAndTest();
  eb->NoteRefDropped();  // the caller's (try_release: the tree's, handed over)
  if (!last) {
    Note(absl::StrCat("release_extent_buffer: refs -> ", eb->PeekRefs()));
    eb->refs_lock().Unlock();
    return 0;
  }
  eb->MarkDead();
  Note("release_extent_buffer: refs -> 0");
  if (eb->bflags().test_and_clear_bit(EXTENT_BUFFER_IN_TREE)) {
    eb->refs_lock().Unlock();
    SpinLockGuard guard(&fs_info->buffer_lock());
    fs_info->buffer_radix()->Delete(eb->start() >> fs_info->page_shift());
    Note("release_extent_buffer: deleted from radix tree");
  } else {
    eb->refs_lock().Unlock();
  }
  btrfs_release_extent_buffer_pages(eb);
  // MODEL: the kernel frees UNMAPPED ebs directly only in self-test
  // builds; the model does the same for any UNMAPPED eb.
  if (eb->bflags().test_bit(EXTENT_BUFFER_UNMAPPED)) {
    eb->MarkFreed();
  } else {
    fs_info->rcu().CallRcu([eb] { eb->MarkFreed(); });
  }
  return 1;
}

namespace {

// The inner step of btrfs_release_extent_buffer_pages: drops the page's
// private ref if the page still points to `eb` (not to a new eb that took
// it over). The caller holds private_lock if the eb is mapped.
void DetachIfStillOurs(ExtentBuffer* eb, Page* page) {
  if (PagePrivate(page) && page->private_ptr.Read() == eb) {
    FL_BUG_ON(eb->bflags().test_bit(EXTENT_BUFFER_DIRTY),
              "btrfs_release_extent_buffer_pages.dirty_eb");
    FL_BUG_ON(PageDirty(page), "btrfs_release_extent_buffer_pages.dirty_page");
    FL_BUG_ON(PageWriteback(page),
              "btrfs_release_extent_buffer_pages.writeback_page");
    detach_page_private(page);
  }
}

}  // namespace

// btrfs_release_extent_buffer_pages: the BUG_ON of the 2020
// crash. Drops the private ref (if the page still points to this eb) and
// the allocation ref of every page.
void btrfs_release_extent_buffer_pages(ExtentBuffer* eb) {
  const bool under_io = extent_buffer_under_io(eb);
  if (eb->fs_info()->options().bug_on_under_io) {
    FL_BUG_ON(under_io, "btrfs_release_extent_buffer_pages.under_io");
  } else {
    FL_WARN_ON(under_io, "btrfs_release_extent_buffer_pages.under_io");
  }
  const bool mapped = !eb->bflags().test_bit(EXTENT_BUFFER_UNMAPPED);
  for (int i = 0; i < eb->num_pages(); ++i) {
    Page* page = eb->page(i);
    if (page == nullptr) continue;
    // The kernel locks conditionally (if (mapped) spin_lock ...); two
    // branches say the same with one lock contract each. No guard: a
    // BUG_ON that unwinds leaves the lock held, as before.
    if (mapped) {
      page->address_space->private_lock.Lock();
      DetachIfStillOurs(eb, page);
      page->address_space->private_lock.Unlock();
    } else {
      DetachIfStillOurs(eb, page);
    }
    put_page(page);  // the allocation ref (eb->pages[i])
  }
}

// btrfs_release_extent_buffer: for ebs never published in the
// radix tree; freed at once, not via RCU.
void btrfs_release_extent_buffer(ExtentBuffer* eb) {
  eb->MarkDead();
  btrfs_release_extent_buffer_pages(eb);
  eb->MarkFreed();
}

// try_release_extent_buffer, identical pre/post fix. Between
// the R == 1 check and the TREE_REF clear, a lock-free find_extent_buffer
// can take a ref: the eb then survives without TREE_REF.
int try_release_extent_buffer(Page* page) {
  SpinLock& private_lock = page->address_space->private_lock;
  private_lock.Lock();
  if (!PagePrivate(page)) {
    private_lock.Unlock();
    return 1;
  }
  auto* eb = reinterpret_cast<ExtentBuffer*>(page->private_ptr.Read());
  FL_BUG_ON(eb == nullptr, "try_release_extent_buffer.no_eb");
  eb->refs_lock().Lock();
  if (eb->refs().Read() != 1 || extent_buffer_under_io(eb)) {
    eb->refs_lock().Unlock();
    private_lock.Unlock();
    Note("try_release_extent_buffer: refs != 1 or under io -> keep");
    return 0;
  }
  Note("try_release_extent_buffer: refs == 1, no io");
  private_lock.Unlock();
  FL_FAULT_POINT(kSiteTryReleaseAfterRefsCheck, eb->start());
  if (!eb->bflags().test_and_clear_bit(EXTENT_BUFFER_TREE_REF)) {
    eb->refs_lock().Unlock();
    Note("try_release_extent_buffer: TREE_REF already clear -> keep");
    return 0;
  }
  Note("try_release_extent_buffer: clear TREE_REF");
  // The tree's ref is now this task's to drop (release_extent_buffer drops
  // a caller's ref).
  eb->NoteRefTaken();
  return release_extent_buffer(eb);
}

// read_extent_buffer: copies eb bytes [offset, offset+len) out of its pages.
void read_extent_buffer(ExtentBuffer* eb, void* dst, uint64_t offset,
                        uint64_t len) {
  const int shift = eb->fs_info()->page_shift();
  const uint64_t mask = (uint64_t{1} << shift) - 1;
  auto* out = static_cast<uint8_t*>(dst);
  while (len > 0) {
    Page* page = eb->page(static_cast<int>(offset >> shift));
    const uint64_t in_page = offset & mask;
    const uint64_t n = std::min<uint64_t>(len, (mask + 1) - in_page);
    std::memcpy(out, page->data.data() + in_page, n);
    out += n;
    offset += n;
    len -= n;
  }
}

// write_extent_buffer: copies into eb bytes [offset, offset+len).
void write_extent_buffer(ExtentBuffer* eb, const void* src, uint64_t offset,
                         uint64_t len) {
  const int shift = eb->fs_info()->page_shift();
  const uint64_t mask = (uint64_t{1} << shift) - 1;
  const auto* in = static_cast<const uint8_t*>(src);
  while (len > 0) {
    Page* page = eb->page(static_cast<int>(offset >> shift));
    const uint64_t in_page = offset & mask;
    const uint64_t n = std::min<uint64_t>(len, (mask + 1) - in_page);
    std::memcpy(page->data.data() + in_page, in, n);
    in += n;
    offset += n;
    len -= n;
  }
}

}  // namespace btrfs_eb
}  // namespace faultline
