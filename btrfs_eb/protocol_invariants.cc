// The extent buffer protocol's per-eb and per-page invariants (see
// protocol_invariants.h and docs/btrfs_eb.md, "Invariants of the protocol").
#include "btrfs_eb/protocol_invariants.h"

#include <cstdint>

#include "framework/check.h"

namespace faultline {
namespace btrfs_eb {
namespace {

uint64_t FirstIndex(const FsInfo& fs_info, const ExtentBuffer& eb) {
  return eb.PeekStart() >> fs_info.page_shift();
}

// The eb the radix tree holds at its start, i.e. the one lookups return.
bool IsRadixEb(const FsInfo& fs_info, const ExtentBuffer& eb) {
  return fs_info.buffer_radix()->Peek(FirstIndex(fs_info, eb)) == &eb;
}

// eb.page_private for a live eb in the radix tree: alloc_extent_buffer
// attached and stored every page before the insert, and only the release of
// a dead eb (or a new eb taking a dead eb's page over) detaches one.
void CheckPagesPointBack(const FsInfo& fs_info, const ExtentBuffer& eb) {
  const uint64_t first = FirstIndex(fs_info, eb);
  for (int i = 0; i < eb.PeekNumPages(); ++i) {
    const Page* page = eb.PeekPage(i);
    FL_BUG_ON(page == nullptr || page->index != first + i ||
                  !page->flags.PeekBit(PG_private) ||
                  page->private_ptr.Peek() != &eb,
              "eb.page_private");
  }
}

bool Live(const ExtentBuffer& eb) { return !eb.PeekFreed() && !eb.PeekDead(); }

}  // namespace

void CheckStepProtocol(const FsInfo& fs_info, const ExtentBuffer& eb) {
  // I/O keeps the eb pinned: memory the device still reads or writes is not
  // freed. (Dying with the I/O in flight is the kernel's own BUG_ON,
  // btrfs_release_extent_buffer_pages.under_io, a few operations later in
  // the same task; this fires only if that BUG_ON is a WARN or absent.)
  FL_BUG_ON(eb.PeekFreed() && eb.PeekIoInFlight() && eb.PeekIoPages() > 0,
            "eb.io_pinned");
  if (!Live(eb)) return;
  const unsigned long flags = eb.PeekFlags();
  auto has = [flags](int bit) { return (flags >> bit) & 1UL; };
  // refs_lock orders every TREE_REF change with its refs change; a task's
  // own refs are recorded in the step of the operation that moved them.
  if (!eb.PeekRefsLocked()) {
    FL_BUG_ON(
        eb.PeekRefs() != (has(EXTENT_BUFFER_TREE_REF) ? 1 : 0) + eb.PeekHeld(),
        "eb.ledger");
  }
  const bool writing = has(EXTENT_BUFFER_DIRTY) || has(EXTENT_BUFFER_WRITEBACK);
  // set_extent_buffer_dirty establishes TREE_REF first, and every path that
  // clears TREE_REF refuses while the eb is dirty or under writeback.
  FL_BUG_ON(writing && !has(EXTENT_BUFFER_TREE_REF), "eb.writeback_tree_ref");
  // Only an uptodate eb is dirtied (btrfs_init_new_buffer sets it first, a
  // read one is uptodate), and nothing clears UPTODATE while it is dirty or
  // written: a failed write clears PageUptodate only.
  FL_BUG_ON(writing && !has(EXTENT_BUFFER_UPTODATE), "eb.uptodate");
  if (IsRadixEb(fs_info, eb)) CheckPagesPointBack(fs_info, eb);
}

void CheckStepPageProtocol(const FsInfo& fs_info, const Page& page) {
  if (page.freed.load()) return;
  // The radix ebs whose range covers the page.
  const BufferRadix& radix = *fs_info.buffer_radix();
  const int span = fs_info.pages_per_node();
  for (int k = 0; k < span && static_cast<uint64_t>(k) <= page.index; ++k) {
    const ExtentBuffer* eb = radix.Peek(page.index - k);
    if (eb == nullptr || !Live(*eb) || eb->PeekNumPages() <= k) continue;
    CheckPagesPointBack(fs_info, *eb);
  }
  if (!page.flags.PeekBit(PG_private)) return;
  const auto* owner =
      reinterpret_cast<const ExtentBuffer*>(page.private_ptr.Peek());
  // An owner not in the radix is still being built (or is dying): its
  // pages[] is the allocator's business until the insert.
  if (owner != nullptr && Live(*owner) && IsRadixEb(fs_info, *owner)) {
    CheckPagesPointBack(fs_info, *owner);
  }
}

void CheckQuiescentUptodate(const ExtentBuffer& eb) {
  if (!eb.PeekFlag(EXTENT_BUFFER_UPTODATE)) return;
  if (eb.PeekFlag(EXTENT_BUFFER_WRITE_ERR)) return;  // v5.8: see the header
  for (int i = 0; i < eb.PeekNumPages(); ++i) {
    const Page* page = eb.PeekPage(i);
    if (page->flags.PeekBit(PG_error)) continue;  // a failed write's page
    FL_BUG_ON(!page->flags.PeekBit(PG_uptodate), "eb.uptodate");
  }
}

}  // namespace btrfs_eb
}  // namespace faultline
