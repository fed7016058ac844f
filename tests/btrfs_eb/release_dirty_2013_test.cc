// Goal: the 2013 race ("Btrfs: fix potential race in extent buffer
// freeing") step by step. Pre-fix (v3.4-era check_buffer_tree_ref, no
// refs_lock) a writer that finds the eb inside try_release_extent_buffer's
// window dirties it, reclaim then drops the tree's ref, and the writer's
// last free_extent_buffer releases a dirty eb: BUG_ON(under_io). Post-fix
// the writer's TREE_REF check waits for refs_lock, so it runs after reclaim
// and re-establishes TREE_REF before DIRTY is set.
// Method: one thread plays both CPUs. Reclaim's try_release_extent_buffer is
// split at "eb.try_release_extent_buffer.after_refs_check" (refs == 1 seen,
// refs_lock held) by a plan rule that runs the writer's step there.
#include <functional>
#include <utility>

#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/invariants.h"
#include "btrfs_eb/page.h"
#include "gtest/gtest.h"
#include "tests/btrfs_eb/eb_harness.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;

bool Dirty(ExtentBuffer* eb) { return eb->PeekFlag(EXTENT_BUFFER_DIRTY); }

// A cached, uptodate eb holding only the tree's ref (refs 1, TREE_REF).
ExtentBuffer* CachedEb(EbHarness& h) {
  ExtentBuffer* eb = h.UptodateEb(kBlock);
  free_extent_buffer(eb);
  EXPECT_EQ(eb->PeekRefs(), 1);
  EXPECT_TRUE(TreeRef(eb));
  return eb;
}

// Reclaim: btree_releasepage on the eb's page, with `window` run after its
// refs == 1 check. Returns what releasepage returned.
int ReleasePage(EbHarness& h, ExtentBuffer* eb, std::function<void()> window) {
  Page* p = eb->PeekPage(0);
  get_page(p);
  EXPECT_TRUE(trylock_page(p));
  h.SetStep(std::move(window));
  const int ret = btree_releasepage(p);
  unlock_page(p);
  put_page(p);
  return ret;
}

TEST(ReleaseDirty2013, ReproducesBeforeFix) {
  EbHarness h(SmallOptions(KernelVariant::kEb2013Prefix), kSplitTryRelease);
  ExtentBuffer* eb = CachedEb(h);
  ExtentBuffer* writer = nullptr;
  // In the window: btrfs_init_new_buffer's lookup takes refs 1 -> 2, sees
  // TREE_REF still set (no lock, no action) and dirties the eb.
  EXPECT_EQ(ReleasePage(h, eb,
                        [&] {
                          EbResult r =
                              btrfs_find_create_tree_block(h.fs(), kBlock);
                          writer = r.eb;
                          EXPECT_EQ(eb->PeekRefs(), 2);
                          set_extent_buffer_uptodate(writer);
                          set_extent_buffer_dirty(writer);
                        }),
            0);
  ASSERT_EQ(writer, eb);
  // Reclaim cleared TREE_REF and dropped the tree's ref under the writer.
  EXPECT_EQ(eb->PeekRefs(), 1);
  EXPECT_FALSE(TreeRef(eb));
  EXPECT_TRUE(Dirty(eb));
  EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(writer); }),
            "btrfs_release_extent_buffer_pages.under_io");
  EXPECT_EQ(eb->PeekRefs(), 0);
}

TEST(ReleaseDirty2013, AbsentAfterFix) {
  EbHarness h(SmallOptions(KernelVariant::kEb2013Postfix), kSplitTryRelease);
  ExtentBuffer* eb = CachedEb(h);
  // In the window only the lookup's lock-free inc_not_zero can run: the
  // post-fix check_buffer_tree_ref needs refs_lock, which reclaim holds.
  EXPECT_EQ(ReleasePage(h, eb,
                        [&] {
                          EXPECT_TRUE(eb->refs_lock().PeekLocked());
                          EXPECT_TRUE(eb->refs().IncNotZero());
                          eb->NoteRefTaken();
                        }),
            0);
  EXPECT_EQ(eb->PeekRefs(), 1);  // the writer's
  EXPECT_FALSE(TreeRef(eb));
  // The writer resumes once refs_lock is free: TREE_REF back, then DIRTY.
  mark_extent_buffer_accessed(eb, nullptr);
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_TRUE(TreeRef(eb));
  set_extent_buffer_uptodate(eb);
  set_extent_buffer_dirty(eb);
  EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(eb); }), "");
  EXPECT_EQ(eb->PeekRefs(), 1);
  EXPECT_TRUE(TreeRef(eb));
  EXPECT_TRUE(Dirty(eb));
  EXPECT_EQ(h.RunCatching([&] { CheckQuiescentInvariants(*h.fs()); }), "");
  EXPECT_TRUE(h.ViolationNames().empty());
}

// The lock-free v3.4 check still sets TREE_REF (and its ref) when it is
// clear, and undoes nothing when it is the only setter.
TEST(ReleaseDirty2013, LockFreeCheckSetsTreeRef) {
  EbHarness h(SmallOptions(KernelVariant::kEb2013Prefix));
  ExtentBuffer* eb = h.UptodateEb(kBlock);
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_TRUE(TreeRef(eb));
  eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);
  eb->refs().Dec();  // as if a releaser had dropped the tree's ref
  check_buffer_tree_ref(eb);
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_TRUE(TreeRef(eb));
  EXPECT_FALSE(eb->refs_lock().PeekLocked());
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
