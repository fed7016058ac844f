// Goal: search with readahead (ctree.c), the COW writer and
// reclaim work end to end on the model's two-level tree: every key
// is found with its value, READA_FORWARD reads siblings ahead, a COW
// repoints the root and frees the old leaf as STALE, reclaim evicts clean
// pages and leaves the state quiescent, and the force_reclaim hook runs
// from a plan trigger.
// Method: single task with the EbHarness and inline bios.
#include "btrfs_eb/ctree.h"

#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/invariants.h"
#include "btrfs_eb/reclaim.h"
#include "gtest/gtest.h"
#include "tests/btrfs_eb/eb_harness.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr int kLeaves = 4;
constexpr int kItems = 3;

FsInfoOptions TreeOptions() {
  FsInfoOptions options = MultiPageOptions();
  options.io_mode = IoMode::kInline;
  return options;
}

class CtreeTest : public ::testing::Test {
 protected:
  CtreeTest() : h_(TreeOptions()) {
    MakeTree(h_.fs(), kLeaves, kItems, &tree_);
    EXPECT_EQ(btrfs_mount_root(h_.fs(), tree_.root_bytenr), 0);
  }
  int Search(uint64_t key, ReadaDirection reada, uint64_t* value) {
    BtrfsPath path;
    path.reada = reada;
    const int ret = btrfs_search_slot(h_.fs(), key, &path);
    if (ret == 0) *value = btrfs_node_blockptr(path.nodes[0], path.slots[0]);
    btrfs_release_path(&path);
    return ret;
  }

  EbHarness h_;
  TreeLayout tree_;
};

TEST_F(CtreeTest, FindsEveryKeyWithItsValue) {
  for (uint64_t key = 0; key < kLeaves * kItems; ++key) {
    uint64_t value = 0;
    EXPECT_EQ(Search(key, READA_NONE, &value), 0) << key;
    EXPECT_EQ(value, LeafValueOf(key));
  }
  uint64_t value = 0;
  EXPECT_EQ(Search(kLeaves * kItems + 5, READA_NONE, &value), 1);
  EXPECT_EQ(h_.RunCatching([&] { CheckQuiescentInvariants(*h_.fs()); }), "");
}

TEST_F(CtreeTest, ReadaForwardReadsSiblingsAhead) {
  uint64_t value = 0;
  ASSERT_EQ(Search(0, READA_FORWARD, &value), 0);
  // Leaves 1..3 lie within 64 KiB of leaf 0: read ahead, pinned by TREE_REF.
  for (int i = 1; i < kLeaves; ++i) {
    ExtentBuffer* eb = find_extent_buffer(h_.fs(), tree_.leaves[i]);
    ASSERT_NE(eb, nullptr) << i;
    EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
    EXPECT_EQ(eb->PeekRefs(), 2);
    free_extent_buffer(eb);
  }
}

TEST_F(CtreeTest, ReadaNoneReadsOnlyThePath) {
  uint64_t value = 0;
  ASSERT_EQ(Search(0, READA_NONE, &value), 0);
  EXPECT_EQ(find_extent_buffer(h_.fs(), tree_.leaves[1]), nullptr);
}

TEST_F(CtreeTest, CowRepointsRootAndStaleFreesOldLeaf) {
  uint64_t value = 0;
  ASSERT_EQ(Search(kItems, READA_NONE, &value), 0);  // leaf 1 cached
  const uint64_t old_bytenr = tree_.leaves[1];
  ExtentBuffer* old_eb = h_.fs()->PeekLatestExtentBuffer(old_bytenr);
  ASSERT_EQ(btrfs_cow_leaf(h_.fs(), &tree_, kItems), 0);
  EXPECT_TRUE(old_eb->PeekFlag(EXTENT_BUFFER_STALE));
  EXPECT_EQ(old_eb->PeekRefs(), 0);
  EXPECT_NE(btrfs_node_blockptr(h_.fs()->root_node, 1), old_bytenr);
  for (uint64_t key = kItems; key < 2 * kItems; ++key) {
    EXPECT_EQ(Search(key, READA_NONE, &value), 0);
    EXPECT_EQ(value, LeafValueOf(key));
  }
  EXPECT_EQ(h_.RunCatching([&] { CheckQuiescentInvariants(*h_.fs()); }), "");
}

TEST_F(CtreeTest, ReclaimEvictsCleanEbsButNotTheRoot) {
  uint64_t value = 0;
  ASSERT_EQ(Search(0, READA_FORWARD, &value), 0);
  const uint64_t nr_pages = h_.fs()->options().disk_bytes >> 12;
  EXPECT_EQ(shrink_btree_pages(h_.fs(), 0, nr_pages), 4 * kLeaves);
  for (uint64_t leaf : tree_.leaves) {
    EXPECT_EQ(find_extent_buffer(h_.fs(), leaf), nullptr);
  }
  EXPECT_NE(find_extent_buffer(h_.fs(), tree_.root_bytenr), nullptr);
  free_extent_buffer(h_.fs()->root_node);
  h_.fs()->rcu().Poll();
  EXPECT_EQ(h_.RunCatching([&] { CheckQuiescentInvariants(*h_.fs()); }), "");
  EXPECT_EQ(Search(0, READA_NONE, &value), 0);  // read again from disk
}

TEST(ForceReclaim, HookRunsFromAPlanTrigger) {
  FsInfoOptions options = TreeOptions();
  EbHarness h(options,
              R"pb(rules {
                     point: "eb.readahead_tree_block.before_read"
                     trigger { hook: "btrfs_eb.force_reclaim" arg: "bytenr" }
                   })pb");
  h.WriteLeaf(65536);
  readahead_tree_block(h.fs(), 65536);
  // The hook ran before the read while readahead held a ref: nothing went.
  ExtentBuffer* eb = h.fs()->PeekLatestExtentBuffer(65536);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
  EXPECT_EQ(eb->PeekRefs(), 1);
  EXPECT_EQ(shrink_btree_pages(h.fs(), 16, 20), 4);
  EXPECT_EQ(eb->PeekRefs(), 0);
}

TEST(ParseReclaimArg, AcceptsEachForm) {
  EbHarness h(SmallOptions());
  EXPECT_EQ(ParseReclaimArg(*h.fs(), "", 0)->last, 256u);
  EXPECT_EQ(ParseReclaimArg(*h.fs(), "key", 9)->first, 9u);
  EXPECT_EQ(ParseReclaimArg(*h.fs(), "bytenr", 65536)->first, 16u);
  EXPECT_EQ(ParseReclaimArg(*h.fs(), "12", 0)->first, 12u);
  EXPECT_FALSE(ParseReclaimArg(*h.fs(), "lots", 0).ok());
  EXPECT_FALSE(ParseReclaimArg(*h.fs(), "999", 0).ok());
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
