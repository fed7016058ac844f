// The btrfs_eb scenarios plans can name:
//   btrfs_eb.seed_race      the three-CPU interleaving of the 2020 seed
//                           patch, minimal (docs/btrfs_eb.md); with
//                           nodesize 16384 on a 4-page eb
//   btrfs_eb.search_stress  searchers with READA_FORWARD, a COW writer and
//                           reclaim over a small b-tree
//   btrfs_eb.folio_attach_race  alloc_extent_buffer vs releasepage on a
//                           middle page (v6.8, f3a5367c679d)
//   btrfs_eb.read_race      readers of one cached, not yet read block: the
//                           v6.5+ READING-bit race (CVE-2024-35798)
//   (btrfs_eb.stale_reuse is in scenarios_stale_reuse.cc,
//   btrfs_eb.release_dirty in scenarios_release_dirty.cc.)
// All take any Scenario.variant of variant.cc's table ("postfix" default).
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "btrfs_eb/ctree.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/invariants.h"
#include "btrfs_eb/reclaim.h"
#include "btrfs_eb/scenario_common.h"
#include "btrfs_eb/variant.h"
#include "framework/check.h"
#include "framework/run_context.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace faultline {
namespace btrfs_eb {
namespace {

// Parameter maxima. The model keeps the whole disk image in memory, sized by
// the highest block used, so `block` is bounded to 16 MiB; page and node
// sizes are those Linux supports (4 KiB..64 KiB pages, nodes <= 64 KiB).
constexpr int64_t kMinPageSize = 1024;
constexpr int64_t kMaxPageSize = 65536;
constexpr int64_t kMaxNodeSize = 65536;
constexpr int64_t kMaxBlock = int64_t{1} << 24;

// Reads an integer parameter into *out.
absl::Status ReadInt(const ScenarioArgs& args, const char* name, int64_t* out) {
  absl::StatusOr<int64_t> value = args.GetInt(name);
  if (!value.ok()) return value.status();
  *out = *value;
  return absl::OkStatus();
}

}  // namespace

// Reads integer parameters that must lie in [min, max].
absl::Status ReadIntInRange(const ScenarioArgs& args, const char* name,
                            int64_t min, int64_t max, int64_t* out) {
  absl::Status status = ReadInt(args, name, out);
  if (!status.ok()) return status;
  if (*out < min || *out > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": expected ", min, "..", max, ", got ", *out));
  }
  return absl::OkStatus();
}

// The FsInfoOptions both scenarios share: geometry, variant, check knobs.
absl::StatusOr<FsInfoOptions> CommonOptions(const ScenarioArgs& args) {
  int64_t nodesize = 0;
  int64_t pagesize = 0;
  absl::Status status =
      ReadIntInRange(args, "nodesize", kMinPageSize, kMaxNodeSize, &nodesize);
  if (status.ok()) {
    status =
        ReadIntInRange(args, "pagesize", kMinPageSize, kMaxPageSize, &pagesize);
  }
  if (!status.ok()) return status;
  absl::StatusOr<bool> bug_on = args.GetBool("bug_on_under_io");
  if (!bug_on.ok()) return bug_on.status();
  absl::StatusOr<bool> pinned = args.GetBool("check_io_pinned");
  if (!pinned.ok()) return pinned.status();
  absl::StatusOr<bool> sweep = args.GetBool("sweep_invariants_every_step");
  if (!sweep.ok()) return sweep.status();
  absl::StatusOr<KernelVariant> variant = ParseKernelVariant(args.variant());
  if (!variant.ok()) return variant.status();
  int page_shift = 0;
  while ((int64_t{1} << page_shift) < pagesize) ++page_shift;
  if (pagesize < 1024 || (int64_t{1} << page_shift) != pagesize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pagesize: expected a power of two >= 1024, got ", pagesize));
  }
  if (nodesize < pagesize || nodesize % pagesize != 0 ||
      nodesize / pagesize > kInlineExtentBufferPages) {
    return absl::InvalidArgumentError(
        absl::StrCat("nodesize: expected a multiple of pagesize (", pagesize,
                     ") of at "
                     "most 16 pages, got ",
                     nodesize));
  }
  FsInfoOptions options;
  options.nodesize = static_cast<uint32_t>(nodesize);
  options.page_shift = page_shift;
  options.sectorsize = static_cast<uint32_t>(std::min<int64_t>(pagesize, 4096));
  options.variant = *variant;
  options.io_mode = IoMode::kTask;
  options.bug_on_under_io = *bug_on;
  options.check_io_pinned = *pinned;
  options.sweep_invariants_every_step = *sweep;
  return options;
}

std::vector<ScenarioParam> CommonParams(const char* nodesize) {
  return {
      IntParam("nodesize", nodesize,
               "tree block size in bytes (multiple of pagesize, at most 16 "
               "pages)",
               kMinPageSize, kMaxNodeSize),
      IntParam("pagesize", "4096", "page size in bytes (power of two)",
               kMinPageSize, kMaxPageSize),
      BoolParam("bug_on_under_io", "true",
                "false turns the BUG_ON in btrfs_release_extent_buffer_pages "
                "into a WARN_ON so the iteration continues past it"),
      BoolParam("check_io_pinned", "false",
                "WARN eb.io_pinned when a bio is submitted for an eb without "
                "TREE_REF"),
      BoolParam("sweep_invariants_every_step", "false",
                "check the step invariants over every eb, radix slot and "
                "page after every step, not only over what the step changed "
                "(debugging; same verdicts, slower)"),
  };
}

namespace {

std::string Flag(const ExtentBuffer& eb, int bit) {
  return eb.PeekFlag(bit) ? "1" : "0";
}

std::string PageLockOwner(const FsInfo& fs, uint64_t bytenr, int i);

// Appends the column (prefix + name, value). A probe runs at every note:
// the key is built in place, without a temporary prefix + name string.
void AddColumn(const std::string& prefix, absl::string_view name,
               std::string value, StateSnapshot* out) {
  out->emplace_back();
  std::pair<std::string, std::string>& column = out->back();
  if (prefix.empty()) {
    column.first.assign(name.data(), name.size());
  } else {
    column.first = absl::StrCat(prefix, name);
  }
  column.second = std::move(value);
}

}  // namespace

// State columns for one block: its latest eb and its first page's lock.
void ProbeBlock(const FsInfo& fs, uint64_t bytenr, const std::string& prefix,
                StateSnapshot* out) {
  const ExtentBuffer* eb = fs.PeekVisibleExtentBuffer(bytenr);
  if (eb == nullptr) {
    AddColumn(prefix, "eb", "-", out);
  } else {
    AddColumn(prefix, "refs", absl::StrCat(eb->PeekRefs()), out);
    AddColumn(prefix, "TREE_REF", Flag(*eb, EXTENT_BUFFER_TREE_REF), out);
    AddColumn(prefix, "io_pages", absl::StrCat(eb->PeekIoPages()), out);
    AddColumn(prefix, "UPTODATE", Flag(*eb, EXTENT_BUFFER_UPTODATE), out);
    AddColumn(prefix, "eb",
              absl::StrCat("#", eb->id(), eb->PeekDead() ? " dead" : "",
                           eb->PeekFreed() ? " freed" : ""),
              out);
  }
  AddColumn(prefix, "P locked by", PageLockOwner(fs, bytenr, 0), out);
}

namespace {

// Who holds the page lock of page `i` of the block at `bytenr`, or "-".
std::string PageLockOwner(const FsInfo& fs, uint64_t bytenr, int i) {
  const Page* page =
      fs.btree_mapping()->PeekSlot((bytenr >> fs.page_shift()) + i);
  if (page == nullptr || !page->flags.PeekBit(PG_locked)) return "-";
  return page->PeekLockOwner();
}

// The seed race's columns: ProbeBlock's, and on a multi-page eb the lock
// holder of every page ("- - cpu2 -"), since reclaim locks one page only.
void ProbeSeedBlock(const FsInfo& fs, uint64_t bytenr, StateSnapshot* out) {
  ProbeBlock(fs, bytenr, "", out);
  const int n = fs.pages_per_node();
  if (n == 1) return;
  std::vector<std::string> owners;
  for (int i = 0; i < n; ++i) owners.push_back(PageLockOwner(fs, bytenr, i));
  out->back() = {absl::StrCat("P0..P", n - 1, " locked by"),
                 absl::StrJoin(owners, " ")};
}

}  // namespace

// Creates the per-iteration FsInfo and wires it to the world and hooks.
FsInfo* MakeFs(World& world, const FsInfoOptions& options) {
  FsInfo* fs = world.Make<FsInfo>(options);
  fs->set_world(&world);
  world.run().set_world(fs);
  RegisterInvariants(world, fs);
  return fs;
}

namespace {

// The one-block scenarios' parameters: the block, the reclaim passes and
// the page reclaim works on, validated against the geometry in `options`.
struct BlockParams {
  int64_t block = 0;
  int64_t passes = 0;
  int64_t reclaim_page = -1;
};

absl::StatusOr<BlockParams> ReadBlockParams(const ScenarioArgs& args,
                                            const FsInfoOptions& options) {
  BlockParams p;
  absl::Status status = ReadIntInRange(args, "block", 0, kMaxBlock, &p.block);
  if (status.ok()) {
    status = ReadIntInRange(args, "reclaim_passes", 0, 100, &p.passes);
  }
  if (status.ok()) {
    status = ReadIntInRange(args, "reclaim_page", -1, 15, &p.reclaim_page);
  }
  if (!status.ok()) return status;
  const int64_t pages = options.nodesize >> options.page_shift;
  if (p.reclaim_page >= pages) {
    return absl::InvalidArgumentError(
        absl::StrCat("reclaim_page: expected -1..", pages - 1, " (the eb has ",
                     pages, " pages), got ", p.reclaim_page));
  }
  if (p.block < 0 || p.block % options.nodesize != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("block: expected a multiple of nodesize (",
                     options.nodesize, "), got ", p.block));
  }
  return p;
}

// The page range [first, last) reclaim scans: the block's pages, or
// (reclaim_page >= 0) only that page of the block.
PageRange ReclaimRange(const FsInfo& fs, uint64_t bytenr,
                       int64_t reclaim_page) {
  uint64_t first = bytenr >> fs.page_shift();
  uint64_t last = first + fs.pages_per_node();
  if (reclaim_page >= 0) {
    first += static_cast<uint64_t>(reclaim_page);
    last = first + 1;
  }
  return {first, last};
}

absl::Status BuildSeedRace(World& world, const ScenarioArgs& args) {
  absl::StatusOr<FsInfoOptions> options = CommonOptions(args);
  if (!options.ok()) return options.status();
  absl::StatusOr<BlockParams> params = ReadBlockParams(args, *options);
  if (!params.ok()) return params.status();
  const int64_t block = params->block;
  const int64_t passes = params->passes;
  options->disk_bytes = static_cast<uint64_t>(block) + options->nodesize;
  FsInfo* fs = MakeFs(world, *options);
  const uint64_t bytenr = static_cast<uint64_t>(block);
  fs->disk()->WriteTreeBlock(bytenr, 0, 1, {{1, LeafValueOf(1)}});
  // kswapd keeps scanning while there is pressure: here, until both
  // readahead calls have returned (at most `passes` scans). The yield lets
  // a priority-based strategy run the others between scans.
  auto* readahead_done = world.Make<Atomic<int>>(0, "scenario.readahead_done");
  for (const char* cpu : {"cpu0", "cpu1"}) {
    world.Spawn(
        cpu,
        [fs, bytenr, readahead_done] {
          this_task::Note("reada_for_search -> readahead_tree_block");
          readahead_tree_block(fs, bytenr);
          readahead_done->Inc();
        },
        "readahead");
  }
  // MODEL: the kernel's LRU order is arbitrary; cpu2 scans the eb's pages
  // in index order, or (reclaim_page >= 0) only that page of the eb, so a
  // plan can make releasepage run on a middle page of a multi-page eb.
  const PageRange range = ReclaimRange(*fs, bytenr, params->reclaim_page);
  world.Spawn(
      "cpu2",
      [fs, range, passes, readahead_done] {
        for (int64_t i = 0; i < passes && readahead_done->Read() < 2; ++i) {
          shrink_btree_pages(fs, range.first, range.last);
          this_task::Yield();
        }
      },
      "reclaim");
  world.SetStateProbe([fs, bytenr] {
    StateSnapshot state;
    state.reserve(6);  // a probe runs at every note: no regrowth
    ProbeSeedBlock(*fs, bytenr, &state);
    return state;
  });
  // The table of the seed's commit message is about the extent buffer: its
  // refs, bflags, refs_lock and io_pages get op rows; the page cache, radix
  // trees and page flags are told by the notes and the P column.
  world.ShowOpsOn(
      [](absl::string_view label) { return absl::StartsWith(label, "eb."); });
  return absl::OkStatus();
}

// The contended block of the one-block scenarios.
ScenarioParam BlockParam() {
  return IntParam("block", "65536",
                  "bytenr of the contended block (a multiple of nodesize)", 0,
                  kMaxBlock);
}

ScenarioInfo SeedRaceInfo() {
  ScenarioInfo info;
  info.name = "btrfs_eb.seed_race";
  info.description =
      "two readahead_tree_block calls on one block (cpu0, cpu1; role "
      "readahead) racing a reclaim scan of its pages (cpu2; role reclaim): "
      "the 2020 'readahead vs releasepage' race";
  info.params = CommonParams("4096");
  info.params.push_back(BlockParam());
  info.params.push_back(
      IntParam("reclaim_passes", "32",
               "most scans of the block's pages by cpu2, which stops scanning "
               "once both readahead calls have returned",
               0, 100));
  info.params.push_back(
      IntParam("reclaim_page", "-1",
               "-1: cpu2 scans every page of the block in index order; "
               "N: only page N of the block (releasepage on that page)",
               -1, 15));
  info.variants = KernelVariantNames();
  info.build = BuildSeedRace;
  // endio<N> completes a bio when fault sites defer completion to a task
  // (bio.cc); N is the fs's bio counter, known only at run time.
  info.tasks = {"cpu0",    "cpu1",  "cpu2",  "readahead",
                "reclaim", "endio", "endio*"};
  return info;
}

struct SearchStressParams {
  int64_t searchers, blocks, items, ops, writer_ops, passes;
};

absl::StatusOr<SearchStressParams> ReadSearchStress(const ScenarioArgs& args) {
  SearchStressParams p;
  absl::Status s = ReadIntInRange(args, "searchers", 0, 16, &p.searchers);
  if (s.ok()) s = ReadIntInRange(args, "blocks", 1, 64, &p.blocks);
  if (s.ok()) s = ReadIntInRange(args, "items", 1, 64, &p.items);
  if (s.ok()) s = ReadIntInRange(args, "ops", 0, 1000, &p.ops);
  if (s.ok()) s = ReadIntInRange(args, "writer_ops", 0, 1000, &p.writer_ops);
  if (s.ok()) s = ReadIntInRange(args, "reclaim_passes", 0, 100, &p.passes);
  if (!s.ok()) return s;
  return p;
}

// One searcher: `ops` lookups with READA_FORWARD, each checking the value
// it finds (a block read from a freed or torn page would not match).
void Searcher(FsInfo* fs, SearchStressParams p, int64_t id) {
  for (int64_t op = 0; op < p.ops; ++op) {
    const uint64_t key = ((id + op) % p.blocks) * p.items + op % p.items;
    BtrfsPath path;
    path.reada = READA_FORWARD;
    const int ret = btrfs_search_slot(fs, key, &path);
    if (ret == 0) {
      ExtentBuffer* leaf = path.nodes[0];
      leaf->lock().Lock();
      const uint64_t value = btrfs_node_blockptr(leaf, path.slots[0]);
      leaf->lock().Unlock();
      FL_BUG_ON(value != LeafValueOf(key), "ctree.search_value");
    }
    this_task::Note(absl::StrCat("search ", key, " -> ", ret));
    btrfs_release_path(&path);
  }
}

absl::Status BuildSearchStress(World& world, const ScenarioArgs& args) {
  absl::StatusOr<FsInfoOptions> options = CommonOptions(args);
  if (!options.ok()) return options.status();
  absl::StatusOr<SearchStressParams> p = ReadSearchStress(args);
  if (!p.ok()) return p.status();
  if (static_cast<size_t>(std::max(p->blocks, p->items)) >
      MaxItems(options->nodesize)) {
    return absl::InvalidArgumentError("blocks/items: too many for nodesize");
  }
  options->disk_bytes =
      uint64_t{options->nodesize} * (3 + p->blocks + p->writer_ops);
  FsInfo* fs = MakeFs(world, *options);
  auto* tree = world.Make<TreeLayout>();
  MakeTree(fs, static_cast<int>(p->blocks), static_cast<int>(p->items), tree);
  const int err = btrfs_mount_root(fs, tree->root_bytenr);
  if (err != 0) return absl::InternalError(absl::StrCat("mount: ", err));
  for (int64_t i = 0; i < p->searchers; ++i) {
    world.Spawn(
        absl::StrCat("search", i),
        [fs, params = *p, i] { Searcher(fs, params, i); }, "search");
  }
  world.Spawn(
      "writer",
      [fs, tree, params = *p] {
        for (int64_t op = 0; op < params.writer_ops; ++op) {
          const uint64_t key = ((op * 2 + 1) % params.blocks) * params.items;
          btrfs_cow_leaf(fs, tree, key);
        }
      },
      "writer");
  const uint64_t nr_pages = options->disk_bytes >> options->page_shift;
  world.Spawn(
      "reclaim",
      [fs, nr_pages, passes = p->passes] {
        for (int64_t i = 0; i < passes; ++i)
          shrink_btree_pages(fs, 0, nr_pages);
      },
      "reclaim");
  world.SetStateProbe([fs, tree] {
    StateSnapshot state;
    for (size_t i = 1; i < tree->leaves.size() && i <= 2; ++i) {
      ProbeBlock(*fs, tree->leaves[i], absl::StrCat("leaf", i, "."), &state);
    }
    return state;
  });
  return absl::OkStatus();
}

ScenarioInfo SearchStressInfo() {
  ScenarioInfo info;
  info.name = "btrfs_eb.search_stress";
  info.description =
      "searchers (search<i>, role search) doing btrfs_search_slot with "
      "READA_FORWARD over a root node and `blocks` leaves, a writer "
      "(role writer) COWing leaves and freeing the old ones as STALE, and "
      "reclaim (role reclaim) scanning every btree page";
  info.params = CommonParams("16384");
  info.params.push_back(
      IntParam("searchers", "2", "number of searcher tasks", 0, 16));
  info.params.push_back(IntParam("blocks", "4", "number of leaves", 1, 64));
  info.params.push_back(IntParam("items", "4", "keys per leaf", 1, 64));
  info.params.push_back(IntParam("ops", "2", "searches per searcher", 0, 1000));
  info.params.push_back(
      IntParam("writer_ops", "2", "leaf COWs by the writer", 0, 1000));
  info.params.push_back(
      IntParam("reclaim_passes", "2", "scans of all btree pages", 0, 100));
  info.variants = KernelVariantNames();
  info.build = BuildSearchStress;
  // search<i> for i < searchers, and endio<N> as in seed_race.
  info.tasks = {"search", "search*", "writer", "reclaim", "endio", "endio*"};
  return info;
}

// btrfs_eb.folio_attach_race (f3a5367c679d, v6.8-v6.9): the block's eb is
// cached and idle (refs 1, the tree's), as an earlier reader left it.
// `alloc` looks the block up (btrfs_find_create_tree_block ->
// alloc_extent_buffer) while `reclaim` runs releasepage on one middle page
// of the eb. If the release wins, alloc finds the first page still pointing
// at the dying eb and takes it over: under private_lock (fixed) or not
// (eb_2024_folio_prefix: both detach the same page private).
absl::Status BuildFolioAttachRace(World& world, const ScenarioArgs& args) {
  absl::StatusOr<FsInfoOptions> options = CommonOptions(args);
  if (!options.ok()) return options.status();
  absl::StatusOr<BlockParams> params = ReadBlockParams(args, *options);
  if (!params.ok()) return params.status();
  options->disk_bytes =
      static_cast<uint64_t>(params->block) + options->nodesize;
  FsInfo* fs = MakeFs(world, *options);
  const uint64_t bytenr = static_cast<uint64_t>(params->block);
  fs->disk()->WriteTreeBlock(bytenr, 0, 1, {{1, LeafValueOf(1)}});
  const int err = btrfs_mount_root(fs, bytenr);
  if (err != 0) return absl::InternalError(absl::StrCat("mount: ", err));
  // MODEL: the block is read the way mount reads the root, then the mount's
  // ref is dropped again: what an earlier reader leaves behind (uptodate,
  // pages attached, refs 1 = TREE_REF).
  ExtentBuffer* cached = fs->root_node;
  fs->root_node = nullptr;
  cached->refs_lock().Lock();
  release_extent_buffer(cached);
  world.Spawn(
      "alloc",
      [fs, bytenr] {
        this_task::Note("btrfs_find_create_tree_block -> alloc_extent_buffer");
        EbResult r = btrfs_find_create_tree_block(fs, bytenr);
        if (r.ok()) free_extent_buffer(r.eb);
      },
      "alloc");
  const PageRange range = ReclaimRange(*fs, bytenr, params->reclaim_page);
  world.Spawn(
      "reclaim",
      [fs, range, passes = params->passes] {
        for (int64_t i = 0; i < passes; ++i) {
          shrink_btree_pages(fs, range.first, range.last);
          this_task::Yield();
        }
      },
      "reclaim");
  world.SetStateProbe([fs, bytenr] {
    StateSnapshot state;
    state.reserve(8);
    ProbeSeedBlock(*fs, bytenr, &state);
    // The first page: its refcount and whose private it holds (the double
    // put shows in both).
    const Page* p0 = fs->btree_mapping()->PeekSlot(bytenr >> fs->page_shift());
    const auto* owner =
        p0 == nullptr
            ? nullptr
            : static_cast<const ExtentBuffer*>(p0->private_ptr.Peek());
    AddColumn("", "P0 refs",
              p0 == nullptr ? "-" : absl::StrCat(p0->refcount.Peek()), &state);
    AddColumn("", "P0 private",
              owner == nullptr ? "-" : absl::StrCat("#", owner->id()), &state);
    return state;
  });
  // The race is on page flags and page->private: their ops get rows too.
  world.ShowOpsOn([](absl::string_view label) {
    return absl::StartsWith(label, "eb.") ||
           absl::StartsWith(label, "page.private") ||
           absl::StartsWith(label, "page.flags");
  });
  return absl::OkStatus();
}

ScenarioInfo FolioAttachRaceInfo() {
  ScenarioInfo info;
  info.name = "btrfs_eb.folio_attach_race";
  info.description =
      "alloc_extent_buffer of a cached idle block (alloc; role alloc) racing "
      "releasepage on a middle page of its eb (reclaim; role reclaim): the "
      "v6.8 folio::private race fixed by f3a5367c679d";
  info.params = CommonParams("16384");
  info.params.push_back(BlockParam());
  info.params.push_back(IntParam(
      "reclaim_passes", "1", "scans of the chosen page by reclaim", 0, 100));
  info.params.push_back(IntParam(
      "reclaim_page", "1",
      "page of the block reclaim scans (-1: all, in index order)", -1, 15));
  info.variants = KernelVariantNames();
  info.build = BuildFolioAttachRace;
  info.tasks = {"alloc", "reclaim", "endio", "endio*"};
  return info;
}

// btrfs_eb.read_race: the eb of `block` is in the buffer cache but not
// read (refs 1, TREE_REF; built before any task runs); `readers` tasks each
// run read_tree_block on it (WAIT_COMPLETE), check the value they read and
// drop their ref. Meant for the v6.5+ variants: two readers whose UPTODATE
// tests straddle the other's completion start a second read of a block
// already read (CVE-2024-35798; docs/btrfs_eb.md).
absl::Status BuildReadRace(World& world, const ScenarioArgs& args) {
  absl::StatusOr<FsInfoOptions> options = CommonOptions(args);
  if (!options.ok()) return options.status();
  int64_t readers = 0;
  absl::Status status = ReadIntInRange(args, "readers", 1, 8, &readers);
  if (!status.ok()) return status;
  const uint64_t bytenr = 2 * uint64_t{options->nodesize};
  options->disk_bytes = bytenr + options->nodesize;
  FsInfo* fs = MakeFs(world, *options);
  fs->disk()->WriteTreeBlock(bytenr, 0, 1, {{1, LeafValueOf(1)}});
  EbResult cached = btrfs_find_create_tree_block(fs, bytenr);
  if (!cached.ok()) {
    return absl::InternalError(
        absl::StrCat("read_race: alloc_extent_buffer failed: ", cached.error));
  }
  free_extent_buffer(cached.eb);  // the tree's ref keeps it cached
  for (int64_t i = 0; i < readers; ++i) {
    world.Spawn(
        absl::StrCat("reader", i),
        [fs, bytenr] {
          EbResult r = read_tree_block(fs, bytenr);
          this_task::Note(absl::StrCat("read_tree_block -> ", r.error));
          if (!r.ok()) return;
          uint8_t value[8];
          read_extent_buffer(r.eb, value, kHeaderSize, sizeof(value));
          free_extent_buffer(r.eb);
        },
        "reader");
  }
  world.SetStateProbe([fs, bytenr] {
    StateSnapshot state;
    state.reserve(6);
    ProbeBlock(*fs, bytenr, "", &state);
    const ExtentBuffer* eb = fs->PeekVisibleExtentBuffer(bytenr);
    state.back() = {"READING",
                    eb == nullptr ? "-" : Flag(*eb, EXTENT_BUFFER_READING)};
    return state;
  });
  world.ShowOpsOn(
      [](absl::string_view label) { return absl::StartsWith(label, "eb."); });
  return absl::OkStatus();
}

ScenarioInfo ReadRaceInfo() {
  ScenarioInfo info;
  info.name = "btrfs_eb.read_race";
  info.description =
      "readers (reader<i>, role reader) of one cached block that is not yet "
      "read, each read_tree_block + use + free: the v6.5+ READING-bit read "
      "race (CVE-2024-35798); use the eb_cve_2024_35798_* variants";
  info.params = CommonParams("4096");
  info.params.push_back(
      IntParam("readers", "2", "number of reader tasks", 1, 8));
  info.variants = KernelVariantNames();
  info.build = BuildReadRace;
  info.tasks = {"reader", "reader*", "endio", "endio*"};
  return info;
}

}  // namespace

FL_REGISTER_SCENARIO(SeedRaceInfo());
FL_REGISTER_SCENARIO(SearchStressInfo());
FL_REGISTER_SCENARIO(FolioAttachRaceInfo());
FL_REGISTER_SCENARIO(ReadRaceInfo());

}  // namespace btrfs_eb
}  // namespace faultline
