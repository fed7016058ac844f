// Goal: the memory-manager primitives the model builds on behave
// like the kernel's: page lock and trylock (with its fault point), page
// refcounts with underflow detection, find_or_create_page, private
// attach/detach, and eviction that refuses pages someone still holds.
// Method: single task with the EbHarness over the btree inode's mapping.
#include "btrfs_eb/page.h"

#include "gtest/gtest.h"
#include "tests/btrfs_eb/eb_harness.h"

namespace faultline {
namespace btrfs_eb {
namespace {

TEST(FindOrCreatePage, CreatesLockedPageWithCacheAndCallerRefs) {
  EbHarness h(SmallOptions());
  AddressSpace* mapping = h.fs()->btree_mapping();
  Page* p = find_or_create_page(mapping, 7);
  EXPECT_EQ(p->index, 7u);
  EXPECT_TRUE(p->flags.PeekBit(PG_locked));
  EXPECT_EQ(p->refcount.Peek(), 2);
  EXPECT_EQ(mapping->PeekSlot(7), p);
  unlock_page(p);
  Page* again = find_or_create_page(mapping, 7);
  EXPECT_EQ(again, p);
  EXPECT_EQ(p->refcount.Peek(), 3);
  unlock_page(p);
  put_page(p);
  put_page(p);
  EXPECT_EQ(p->refcount.Peek(), 1);
}

TEST(TrylockPage, FailsWhenHeldAndWhenInjected) {
  EbHarness h(SmallOptions(), R"pb(rules {
                                     point: "mm.trylock_page"
                                     keys: 3
                                     fail {}
                                   })pb");
  AddressSpace* mapping = h.fs()->btree_mapping();
  Page* p = find_or_create_page(mapping, 2);
  EXPECT_FALSE(trylock_page(p));  // held by us
  unlock_page(p);
  EXPECT_TRUE(trylock_page(p));
  unlock_page(p);
  Page* q = find_or_create_page(mapping, 3);
  unlock_page(q);
  EXPECT_FALSE(trylock_page(q));              // injected: key 3
  EXPECT_FALSE(q->flags.PeekBit(PG_locked));  // and nothing is held
}

TEST(UnlockPage, UnlockingAnUnlockedPageIsReported) {
  EbHarness h(SmallOptions());
  Page* p = find_or_create_page(h.fs()->btree_mapping(), 1);
  unlock_page(p);
  EXPECT_EQ(h.RunCatching([&] { unlock_page(p); }), "page.unlock_unlocked");
}

TEST(PutPage, UnderflowIsReported) {
  EbHarness h(SmallOptions());
  Page* p = find_or_create_page(h.fs()->btree_mapping(), 1);
  unlock_page(p);
  put_page(p);
  p->refcount.Set(0);  // as if the cache's ref had been dropped wrongly
  EXPECT_EQ(h.RunCatching([&] { put_page(p); }), "page.refcount_underflow");
}

TEST(PagePrivate, AttachTakesRefDetachDropsIt) {
  EbHarness h(SmallOptions());
  Page* p = find_or_create_page(h.fs()->btree_mapping(), 1);
  attach_page_private(p, 0x1234);
  EXPECT_TRUE(p->flags.PeekBit(PG_private));
  EXPECT_EQ(p->refcount.Peek(), 3);
  EXPECT_EQ(detach_page_private(p), 0x1234u);
  EXPECT_EQ(p->refcount.Peek(), 2);
  EXPECT_EQ(detach_page_private(p), 0u);
  unlock_page(p);
  put_page(p);
}

TEST(RemoveMapping, EvictsOnlyWhenNobodyElseHoldsThePage) {
  EbHarness h(SmallOptions());
  AddressSpace* mapping = h.fs()->btree_mapping();
  Page* p = find_or_create_page(mapping, 4);  // cache + ours
  Page* extra = find_get_page(mapping, 4);
  EXPECT_FALSE(remove_mapping(mapping, p));
  put_page(extra);
  EXPECT_TRUE(remove_mapping(mapping, p));
  EXPECT_EQ(mapping->PeekSlot(4), nullptr);
  unlock_page(p);
  free_evicted_page(p);
  EXPECT_TRUE(p->freed.load());
  EXPECT_EQ(find_get_page(mapping, 4), nullptr);
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
