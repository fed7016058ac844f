// Goal: every branch of __alloc_extent_buffer, check_buffer_tree_ref,
// find_extent_buffer and alloc_extent_buffer behaves as the
// kernel's (v5.7/v5.8, docs/btrfs_eb.md), with the right refs, flags and page
// refcounts. Method: single task with the EbHarness; fault points armed by
// small plans (radix preload error) or split with the test hook (-EEXIST while
// another eb sits in the radix slot).
#include "btrfs_eb/disk.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/page.h"
#include "gtest/gtest.h"
#include "tests/btrfs_eb/eb_harness.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;

TEST(AllocExtentBuffer, NewEbHasCallerAndTreeRef) {
  EbHarness h(MultiPageOptions());
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  ASSERT_TRUE(r.ok());
  ExtentBuffer* eb = r.eb;
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_TREE_REF));
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_IN_TREE));
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
  EXPECT_EQ(eb->PeekNumPages(), 4);
  for (int i = 0; i < 4; ++i) {
    Page* p = eb->PeekPage(i);
    EXPECT_EQ(p->index, (kBlock >> 12) + i);
    EXPECT_EQ(p->refcount.Peek(), 3);  // page cache + eb->pages + private
    EXPECT_EQ(p->private_ptr.Peek(), static_cast<void*>(eb));
    EXPECT_FALSE(p->flags.PeekBit(PG_locked));
  }
  EXPECT_EQ(h.fs()->buffer_radix()->Peek(kBlock >> 12), eb);
}

TEST(AllocExtentBuffer, SecondAllocReturnsSameEbWithOneMoreRef) {
  EbHarness h(SmallOptions());
  EbResult a = alloc_extent_buffer(h.fs(), kBlock);
  EbResult b = alloc_extent_buffer(h.fs(), kBlock);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.eb, b.eb);
  EXPECT_EQ(a.eb->PeekRefs(), 3);
}

TEST(AllocExtentBuffer, UnalignedStartIsEinval) {
  EbHarness h(SmallOptions());
  EbResult r = alloc_extent_buffer(h.fs(), kBlock + 512);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, -kEINVAL);
}

TEST(AllocExtentBuffer, UptodatePagesMakeUptodateEb) {
  EbHarness h(SmallOptions());
  Page* p = find_or_create_page(h.fs()->btree_mapping(), kBlock >> 12);
  SetPageUptodate(p);
  unlock_page(p);
  put_page(p);
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
}

TEST(AllocExtentBuffer, PreloadFailureReturnsErrorAndFreesEb) {
  EbHarness h(SmallOptions(),
              R"pb(rules { point: "eb.radix_preload.error" error: -12 })pb");
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, -kENOMEM);
  ExtentBuffer* eb = h.fs()->PeekLatestExtentBuffer(kBlock);
  ASSERT_NE(eb, nullptr);
  EXPECT_TRUE(eb->PeekFreed());  // never published: freed at once
  Page* p = h.fs()->btree_mapping()->PeekSlot(kBlock >> 12);
  EXPECT_FALSE(p->flags.PeekBit(PG_locked));
  EXPECT_FALSE(p->flags.PeekBit(PG_private));
  EXPECT_EQ(p->refcount.Peek(), 1);  // page cache only
  EXPECT_EQ(h.fs()->buffer_radix()->Peek(kBlock >> 12), nullptr);
}

constexpr char kSplitBeforeInsert[] =
    R"pb(rules {
           point: "eb.alloc_extent_buffer.before_insert"
           trigger { hook: "test.btrfs_eb.step" }
         })pb";

// Another eb got into the radix slot between our page setup and insert:
// -EEXIST, find_extent_buffer returns it, ours is discarded.
TEST(AllocExtentBuffer, EexistReturnsTheEbAlreadyInserted) {
  EbHarness h(SmallOptions(), kSplitBeforeInsert);
  FsInfo* fs = h.fs();
  ExtentBuffer* other = __alloc_extent_buffer(fs, kBlock, 4096);
  h.SetStep([&] {
    SpinLockGuard guard(&fs->buffer_lock());
    ASSERT_EQ(fs->buffer_radix()->Insert(kBlock >> 12, other), 0);
  });
  EbResult r = alloc_extent_buffer(fs, kBlock);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.eb, other);
  EXPECT_EQ(other->PeekRefs(), 3);  // its own + ours + tree ref from find
  EXPECT_TRUE(other->PeekFlag(EXTENT_BUFFER_TREE_REF));
  ExtentBuffer* discarded = fs->PeekLatestExtentBuffer(kBlock);
  EXPECT_TRUE(discarded->PeekFreed());
}

// A dying eb (refs 0) occupies the slot: find fails, alloc retries until
// the slot is free (the test frees it at the second hit).
TEST(AllocExtentBuffer, EexistWithDyingEbRetries) {
  EbHarness h(SmallOptions(),
              R"pb(rules {
                     point: "eb.alloc_extent_buffer.before_insert"
                     trigger { hook: "test.btrfs_eb.step" }
                     max_fires: 2
                   })pb");
  FsInfo* fs = h.fs();
  ExtentBuffer* dying = __alloc_extent_buffer(fs, kBlock, 4096);
  dying->refs().Set(0);
  int hits = 0;
  std::function<void()> step = [&] {
    SpinLockGuard guard(&fs->buffer_lock());
    if (++hits == 1) {
      ASSERT_EQ(fs->buffer_radix()->Insert(kBlock >> 12, dying), 0);
    } else {
      fs->buffer_radix()->Delete(kBlock >> 12);
    }
    h.SetStep(step);
  };
  h.SetStep(step);
  EbResult r = alloc_extent_buffer(fs, kBlock);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.eb, dying);
  EXPECT_EQ(hits, 2);
  EXPECT_EQ(r.eb->PeekRefs(), 2);
  EXPECT_EQ(fs->buffer_radix()->Peek(kBlock >> 12), r.eb);
}

TEST(FindExtentBuffer, MissReturnsNull) {
  EbHarness h(SmallOptions());
  EXPECT_EQ(find_extent_buffer(h.fs(), kBlock), nullptr);
}

TEST(FindExtentBuffer, HitTakesRefAndRestoresTreeRef) {
  EbHarness h(SmallOptions());
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  ASSERT_TRUE(r.ok());
  // Pretend TREE_REF was cleared while the caller kept its ref.
  r.eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);
  r.eb->refs().Dec();
  ExtentBuffer* found = find_extent_buffer(h.fs(), kBlock);
  EXPECT_EQ(found, r.eb);
  EXPECT_EQ(found->PeekRefs(), 3);  // caller + finder + re-added tree ref
  EXPECT_TRUE(found->PeekFlag(EXTENT_BUFFER_TREE_REF));
}

TEST(FindExtentBuffer, DyingEbIsInvisible) {
  EbHarness h(SmallOptions());
  FsInfo* fs = h.fs();
  ExtentBuffer* dying = __alloc_extent_buffer(fs, kBlock, 4096);
  dying->refs().Set(0);
  {
    SpinLockGuard guard(&fs->buffer_lock());
    ASSERT_EQ(fs->buffer_radix()->Insert(kBlock >> 12, dying), 0);
  }
  EXPECT_EQ(find_extent_buffer(fs, kBlock), nullptr);
  EXPECT_EQ(dying->PeekRefs(), 0);
}

TEST(FindExtentBuffer, StaleEbTakesTheRefsLockBarrier) {
  EbHarness h(SmallOptions());
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  r.eb->bflags().set_bit(EXTENT_BUFFER_STALE);
  ExtentBuffer* found = find_extent_buffer(h.fs(), kBlock);
  EXPECT_EQ(found, r.eb);
  EXPECT_EQ(found->PeekRefs(), 3);
  EXPECT_EQ(found->refs_lock().PeekOwner(), 0u);
}

TEST(CheckBufferTreeRef, FastPathDoesNothing) {
  EbHarness h(SmallOptions());
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  check_buffer_tree_ref(r.eb);
  EXPECT_EQ(r.eb->PeekRefs(), 2);
}

TEST(CheckBufferTreeRef, SetsBitAndAddsRefWhenMissing) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = __alloc_extent_buffer(h.fs(), kBlock, 4096);
  EXPECT_EQ(eb->PeekRefs(), 1);
  check_buffer_tree_ref(eb);
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_TREE_REF));
  // refs < 2 but TREE_REF already set: lock taken, no second ref.
  eb->refs().Set(1);
  check_buffer_tree_ref(eb);
  EXPECT_EQ(eb->PeekRefs(), 1);
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
