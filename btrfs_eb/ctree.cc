// Tree search with readahead: fs/btrfs/ctree.c, v5.7/v5.8,
// plus mkfs for the model's two-level tree.
#include "btrfs_eb/ctree.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "framework/check.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {
namespace {

using this_task::Note;

constexpr uint64_t kReadaWindow = 65536;  // 64 KiB either side
constexpr int kReadaMaxScan = 32;

uint64_t ItemOffset(int slot) { return kHeaderSize + slot * kItemSize; }

// btrfs_bin_search: the first slot whose key is >= `key`; 0 if equal.
int btrfs_bin_search(ExtentBuffer* eb, uint64_t key, int* slot) {
  int low = 0;
  int high = static_cast<int>(btrfs_header_nritems(eb));
  while (low < high) {
    const int mid = (low + high) / 2;
    const uint64_t mid_key = btrfs_item_key(eb, mid);
    if (mid_key == key) {
      *slot = mid;
      return 0;
    }
    if (mid_key < key) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  *slot = low;
  return 1;
}

// btrfs_root_node: the root's eb with a new ref.
ExtentBuffer* btrfs_root_node(FsInfo* fs_info) {
  ExtentBuffer* eb = fs_info->root_node;
  FL_CHECK(eb != nullptr);
  FL_BUG_ON(!eb->refs().IncNotZero(), "ctree.root_node_dead");
  eb->NoteRefTaken();
  return eb;
}

}  // namespace

uint64_t TreeLayout::AllocBlock(uint32_t nodesize) {
  const uint64_t bytenr = next_free_bytenr.fetch_add(nodesize);
  return bytenr + nodesize <= end_bytenr ? bytenr : 0;
}

void MakeTree(FsInfo* fs_info, int nr_leaves, int items_per_leaf,
              TreeLayout* layout) {
  const uint32_t nodesize = fs_info->nodesize();
  FL_CHECK(static_cast<size_t>(nr_leaves) <= MaxItems(nodesize));
  FL_CHECK(static_cast<size_t>(items_per_leaf) <= MaxItems(nodesize));
  layout->root_bytenr = nodesize;
  layout->items_per_leaf = items_per_leaf;
  std::vector<BlockItem> root_items;
  for (int i = 0; i < nr_leaves; ++i) {
    const uint64_t bytenr = uint64_t{nodesize} * (2 + i);
    std::vector<BlockItem> items;
    for (int k = 0; k < items_per_leaf; ++k) {
      const uint64_t key = static_cast<uint64_t>(i) * items_per_leaf + k;
      items.push_back({key, LeafValueOf(key)});
    }
    fs_info->disk()->WriteTreeBlock(bytenr, 0, 1, items);
    layout->leaves.push_back(bytenr);
    root_items.push_back({items.front().key, bytenr});
  }
  fs_info->disk()->WriteTreeBlock(layout->root_bytenr, 1, 1, root_items);
  layout->next_free_bytenr = uint64_t{nodesize} * (2 + nr_leaves);
  layout->end_bytenr = fs_info->disk()->size_bytes();
}

void btrfs_release_path(BtrfsPath* path) {
  for (ExtentBuffer*& node : path->nodes) {
    free_extent_buffer(node);
    node = nullptr;
  }
}

int btrfs_header_level(ExtentBuffer* eb) {
  uint8_t level = 0;
  read_extent_buffer(eb, &level, kHeaderLevelOffset, 1);
  return level;
}

uint32_t btrfs_header_nritems(ExtentBuffer* eb) {
  uint8_t raw[4];
  read_extent_buffer(eb, raw, kHeaderNritemsOffset, 4);
  return GetLe32(raw);
}

uint64_t btrfs_item_key(ExtentBuffer* eb, int slot) {
  uint8_t raw[8];
  read_extent_buffer(eb, raw, ItemOffset(slot), 8);
  return GetLe64(raw);
}

uint64_t btrfs_node_blockptr(ExtentBuffer* eb, int slot) {
  uint8_t raw[8];
  read_extent_buffer(eb, raw, ItemOffset(slot) + 8, 8);
  return GetLe64(raw);
}

void btrfs_set_node_blockptr(ExtentBuffer* eb, int slot, uint64_t value) {
  uint8_t raw[8];
  PutLe64(raw, value);
  write_extent_buffer(eb, raw, ItemOffset(slot) + 8, 8);
}

void btrfs_set_header_bytenr(ExtentBuffer* eb, uint64_t bytenr) {
  uint8_t raw[8];
  PutLe64(raw, bytenr);
  write_extent_buffer(eb, raw, kHeaderBytenrOffset, 8);
}

// reada_for_search. MODEL: the node's pointers are copied
// under its content lock first (the kernel reads them with the path lock
// held), then readahead runs without locks, as in the kernel.
void reada_for_search(FsInfo* fs_info, BtrfsPath* path, int level, int slot,
                      uint64_t objectid) {
  if (level != 1 || path->nodes[level] == nullptr) return;
  ExtentBuffer* node = path->nodes[level];
  std::vector<std::pair<uint64_t, uint64_t>> items;  // key, blockptr
  node->lock().Lock();
  const int nritems = static_cast<int>(btrfs_header_nritems(node));
  for (int i = 0; i < nritems; ++i) {
    items.emplace_back(btrfs_item_key(node, i), btrfs_node_blockptr(node, i));
  }
  node->lock().Unlock();
  const uint64_t target = items[slot].second;
  if (ExtentBuffer* eb = find_extent_buffer(fs_info, target)) {
    free_extent_buffer(eb);  // already cached: no readahead
    return;
  }
  uint64_t nread = 0;
  int nscan = 0;
  int nr = slot;
  for (;;) {
    if (path->reada == READA_BACK) {
      if (nr == 0) break;
      --nr;
    } else if (path->reada == READA_FORWARD) {
      if (++nr >= nritems) break;
    }
    if (path->reada == READA_BACK && objectid != 0 &&
        items[nr].first != objectid) {
      break;
    }
    const uint64_t search = items[nr].second;
    const uint64_t distance =
        search <= target ? target - search : search - target;
    if (distance <= kReadaWindow) {
      Note(absl::StrCat("reada_for_search -> readahead_tree_block ", search));
      readahead_tree_block(fs_info, search);
      nread += fs_info->nodesize();
    }
    ++nscan;
    if (nread > kReadaWindow || nscan > kReadaMaxScan) break;
  }
}

// read_block_for_search. MODEL: no generation / first-key
// checks; "uptodate" is the UPTODATE bit.
int read_block_for_search(FsInfo* fs_info, BtrfsPath* path,
                          ExtentBuffer** eb_ret, int level, int slot,
                          uint64_t key) {
  ExtentBuffer* parent = *eb_ret;
  parent->lock().Lock();
  const uint64_t blocknr = btrfs_node_blockptr(parent, slot);
  parent->lock().Unlock();
  if (ExtentBuffer* tmp = find_extent_buffer(fs_info, blocknr)) {
    if (tmp->bflags().test_bit(EXTENT_BUFFER_UPTODATE) ||
        btrfs_read_buffer(tmp) == 0) {
      *eb_ret = tmp;
      return 0;
    }
    free_extent_buffer(tmp);
    btrfs_release_path(path);
    return -kEIO;
  }
  if (path->reada != READA_NONE) {
    reada_for_search(fs_info, path, level, slot, key);
  }
  int ret = -kEAGAIN;
  EbResult r = read_tree_block(fs_info, blocknr);
  if (r.ok()) {
    if (!r.eb->bflags().test_bit(EXTENT_BUFFER_UPTODATE)) ret = -kEIO;
    free_extent_buffer(r.eb);
  } else {
    ret = r.error;
  }
  btrfs_release_path(path);
  return ret;
}

// btrfs_search_slot, read-only descent with -EAGAIN restarts.
// MODEL: no lock coupling; each node's items are read under its lock.
int btrfs_search_slot(FsInfo* fs_info, uint64_t key, BtrfsPath* path) {
again:
  ExtentBuffer* b = btrfs_root_node(fs_info);
  for (;;) {
    b->lock().Lock();
    const int level = btrfs_header_level(b);
    int slot = 0;
    const int ret = btrfs_bin_search(b, key, &slot);
    b->lock().Unlock();
    path->nodes[level] = b;
    if (level == 0) {
      path->slots[0] = slot;
      return ret;
    }
    if (ret != 0 && slot > 0) --slot;
    path->slots[level] = slot;
    const int err = read_block_for_search(fs_info, path, &b, level, slot, key);
    if (err == -kEAGAIN) goto again;
    if (err != 0) {
      btrfs_release_path(path);
      return err;
    }
  }
}

}  // namespace btrfs_eb
}  // namespace faultline
