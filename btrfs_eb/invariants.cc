// Step and quiescence invariants of the extent buffer model (docs/btrfs_eb.md;
// see invariants.h for the list of check names).
#include "btrfs_eb/invariants.h"

#include "absl/container/flat_hash_map.h"
#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/page.h"
#include "btrfs_eb/protocol_invariants.h"
#include "framework/check.h"
#include "framework/runtime/world.h"

namespace faultline {
namespace btrfs_eb {
namespace {

bool InRadix(const FsInfo& fs_info, const ExtentBuffer& eb) {
  return fs_info.buffer_radix()->Peek(eb.PeekStart() >> fs_info.page_shift()) ==
         &eb;
}

// I-no-leak, I-tree-ref-consistency, I-radix for one live eb.
void CheckQuiescentEb(const FsInfo& fs_info, const ExtentBuffer& eb) {
  const bool in_radix = InRadix(fs_info, eb);
  const bool tree_ref = eb.PeekFlag(EXTENT_BUFFER_TREE_REF);
  FL_BUG_ON(in_radix && eb.PeekRefs() > 0 && !tree_ref,
            "eb.quiescent.tree_ref");
  FL_BUG_ON(in_radix != eb.PeekFlag(EXTENT_BUFFER_IN_TREE),
            "eb.quiescent.radix");
  const int pinned = &eb == fs_info.root_node ? 1 : 0;
  FL_BUG_ON(eb.PeekRefs() != (tree_ref ? 1 : 0) + pinned, "eb.quiescent.leak");
  FL_BUG_ON(eb.PeekIoPages() != 0, "eb.quiescent.io");
  FL_BUG_ON(eb.PeekFlag(EXTENT_BUFFER_WRITEBACK), "eb.quiescent.io");
}

// I-page-lock, I-private-live and the page refcount ledger for one page:
// 1 (page cache) + 1 (private) + 1 per live eb holding it in pages[].
void CheckQuiescentPage(const FsInfo& fs_info, const Page& page, int eb_refs) {
  FL_BUG_ON(page.flags.PeekBit(PG_locked), "page.quiescent.locked");
  const bool in_cache = fs_info.btree_mapping()->PeekSlot(page.index) == &page;
  const bool is_private = page.flags.PeekBit(PG_private);
  if (is_private) {
    const auto* eb =
        reinterpret_cast<const ExtentBuffer*>(page.private_ptr.Peek());
    FL_BUG_ON(eb == nullptr || !InRadix(fs_info, *eb),
              "page.quiescent.private");
  }
  const int expected = (in_cache ? 1 : 0) + (is_private ? 1 : 0) + eb_refs;
  FL_BUG_ON(page.refcount.Peek() != expected, "page.quiescent.refcount");
  FL_BUG_ON(expected == 0, "page.quiescent.refcount");  // a leaked page
}

// eb.refs_range, eb.io_pages_range, eb.resurrect for one eb.
void CheckStepEb(const ExtentBuffer& eb) {
  if (eb.PeekFreed()) return;
  FL_BUG_ON(eb.PeekRefs() < 0, "eb.refs_range");
  FL_BUG_ON(eb.PeekIoPages() < 0, "eb.io_pages_range");
  FL_BUG_ON(eb.PeekIoPages() > eb.PeekNumPages(), "eb.io_pages_range");
  FL_BUG_ON(eb.PeekDead() && eb.PeekRefs() > 0, "eb.resurrect");
}

// eb.radix_freed for one slot.
void CheckRadixSlot(const BufferRadix& radix, uint64_t index) {
  const ExtentBuffer* eb = radix.Peek(index);
  FL_BUG_ON(eb != nullptr && eb->PeekFreed(), "eb.radix_freed");
}

// page.refcount_range, page.private_freed for one page.
void CheckStepPage(const Page& page) {
  if (page.freed.load()) return;
  FL_BUG_ON(page.refcount.Peek() < 0, "page.refcount_range");
  if (!page.flags.PeekBit(PG_private)) return;
  const auto* eb =
      reinterpret_cast<const ExtentBuffer*>(page.private_ptr.Peek());
  FL_BUG_ON(eb != nullptr && eb->PeekFreed(), "page.private_freed");
}

}  // namespace

void CheckStepInvariants(const FsInfo& fs_info) {
  fs_info.ForEachExtentBuffer([&fs_info](const ExtentBuffer& eb) {
    CheckStepEb(eb);
    CheckStepProtocol(fs_info, eb);
  });
  const BufferRadix& radix = *fs_info.buffer_radix();
  for (uint64_t i = 0; i < radix.nr_slots(); ++i) CheckRadixSlot(radix, i);
  fs_info.btree_mapping()->ForEachPage(CheckStepPage);
}

void CheckStepInvariants(const FsInfo& fs_info,
                         const InvariantIndex::Changes& changes) {
  bool freed = false;
  for (const ExtentBuffer* eb : changes.ebs) {
    CheckStepEb(*eb);
    CheckStepProtocol(fs_info, *eb);
    freed = freed || eb->PeekFreed();
  }
  // A freed eb may be pointed at from any slot or page (a stale pointer is
  // what these checks are for), so freeing one is checked like a sweep.
  const BufferRadix& radix = *fs_info.buffer_radix();
  if (freed) {
    for (uint64_t i = 0; i < radix.nr_slots(); ++i) CheckRadixSlot(radix, i);
    fs_info.btree_mapping()->ForEachPage(CheckStepPage);
  }
  for (uint64_t i : changes.radix_slots) {
    CheckRadixSlot(radix, i);
    if (const ExtentBuffer* eb = radix.Peek(i)) CheckStepProtocol(fs_info, *eb);
  }
  for (const Page* page : changes.pages) {
    CheckStepPage(*page);
    CheckStepPageProtocol(fs_info, *page);
  }
}

void CheckQuiescentInvariants(const FsInfo& fs_info) {
  absl::flat_hash_map<const Page*, int> eb_refs;
  fs_info.ForEachExtentBuffer([&](const ExtentBuffer& eb) {
    if (eb.PeekFreed() || eb.PeekDead()) return;  // dead: RCU free pending
    CheckQuiescentEb(fs_info, eb);
    CheckQuiescentUptodate(eb);
    for (int i = 0; i < eb.PeekNumPages(); ++i) {
      if (eb.PeekPage(i) != nullptr) ++eb_refs[eb.PeekPage(i)];
    }
  });
  fs_info.btree_mapping()->ForEachPage([&](const Page& page) {
    if (page.freed.load()) return;
    auto it = eb_refs.find(&page);
    CheckQuiescentPage(fs_info, page, it == eb_refs.end() ? 0 : it->second);
  });
}

void RegisterInvariants(World& world, FsInfo* fs_info) {
  if (fs_info->options().sweep_invariants_every_step) {
    world.AtEveryStep("btrfs_eb.invariants",
                      [fs_info] { CheckStepInvariants(*fs_info); });
  } else {
    // The first check also covers what the world's build did.
    auto* swept = world.Make<bool>(false);
    auto* changes = world.Make<InvariantIndex::Changes>();
    world.AtEveryStepTouched(
        "btrfs_eb.invariants",
        [fs_info, swept, changes](World::TouchedObjects touched) {
          fs_info->invariant_index()->Collect(touched, changes);
          if (*swept) {
            CheckStepInvariants(*fs_info, *changes);
          } else {
            *swept = true;
            CheckStepInvariants(*fs_info);
          }
        });
  }
  world.AtQuiescence("btrfs_eb.quiescent", [fs_info] {
    CheckStepInvariants(*fs_info);
    CheckQuiescentInvariants(*fs_info);
  });
}

}  // namespace btrfs_eb
}  // namespace faultline
