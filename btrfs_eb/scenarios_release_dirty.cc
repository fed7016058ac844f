// The scenario btrfs_eb.release_dirty: the 2013 race "Btrfs: fix potential
// race in extent buffer freeing" (594831c4b232; docs/btrfs_eb.md). Reclaim's
// try_release_extent_buffer sees refs == 1 and no I/O, and before it clears
// TREE_REF a writer takes a ref and dirties the eb; with the v3.4-era
// check_buffer_tree_ref (no refs_lock) the dirty eb loses the tree's ref.
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "btrfs_eb/ctree.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/reclaim.h"
#include "btrfs_eb/scenario_common.h"
#include "btrfs_eb/variant.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace faultline {
namespace btrfs_eb {
namespace {

// The disk image is held in memory up to the block (as in scenarios.cc).
constexpr int64_t kMaxBlock = int64_t{1} << 24;

// The 2013 race ("Btrfs: fix potential race in extent buffer freeing"):
// the block starts cached and uptodate (read at mount); cpu0 drops that
// last user ref (the eb keeps the tree's ref only), then takes it again the
// way btrfs_init_new_buffer does (btrfs_find_create_tree_block, uptodate,
// set_extent_buffer_dirty) and drops that ref; cpu1 runs reclaim over the
// block's pages meanwhile. MODEL: the mount's read stands in for an earlier
// reader, so the search has no read I/O to interleave.
absl::Status BuildReleaseDirty(World& world, const ScenarioArgs& args) {
  absl::StatusOr<FsInfoOptions> options = CommonOptions(args);
  if (!options.ok()) return options.status();
  int64_t block = 0;
  int64_t passes = 0;
  absl::Status status = ReadIntInRange(args, "block", 0, kMaxBlock, &block);
  if (status.ok()) {
    status = ReadIntInRange(args, "reclaim_passes", 0, 100, &passes);
  }
  if (!status.ok()) return status;
  if (block % options->nodesize != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("block: expected a multiple of nodesize (",
                     options->nodesize, "), got ", block));
  }
  options->disk_bytes = static_cast<uint64_t>(block) + options->nodesize;
  FsInfo* fs = MakeFs(world, *options);
  const uint64_t bytenr = static_cast<uint64_t>(block);
  fs->disk()->WriteTreeBlock(bytenr, 0, 1, {{1, LeafValueOf(1)}});
  const int err = btrfs_mount_root(fs, bytenr);
  if (err != 0) return absl::InternalError(absl::StrCat("mount: ", err));
  // cpu0 owns the mount's ref (already counted held) from the start.
  ExtentBuffer* cached = fs->root_node;
  fs->root_node = nullptr;
  auto* writer_done = world.Make<Atomic<int>>(0, "scenario.writer_done");
  world.Spawn(
      "cpu0",
      [fs, bytenr, cached, writer_done] {
        free_extent_buffer(cached);
        this_task::Note("btrfs_init_new_buffer -> find_create, dirty");
        EbResult r = btrfs_find_create_tree_block(fs, bytenr);
        if (r.ok()) {
          set_extent_buffer_uptodate(r.eb);
          set_extent_buffer_dirty(r.eb);
          free_extent_buffer(r.eb);
        }
        writer_done->Inc();
      },
      "writer");
  const uint64_t first = bytenr >> fs->page_shift();
  const uint64_t last = first + fs->pages_per_node();
  world.Spawn(
      "cpu1",
      [fs, first, last, passes, writer_done] {
        for (int64_t i = 0; i < passes && writer_done->Read() == 0; ++i) {
          shrink_btree_pages(fs, first, last);
          this_task::Yield();
        }
      },
      "reclaim");
  world.SetStateProbe([fs, bytenr] {
    StateSnapshot state;
    state.reserve(6);
    ProbeBlock(*fs, bytenr, "", &state);
    return state;
  });
  world.ShowOpsOn(
      [](absl::string_view label) { return absl::StartsWith(label, "eb."); });
  return absl::OkStatus();
}

ScenarioInfo ReleaseDirtyInfo() {
  ScenarioInfo info;
  info.name = "btrfs_eb.release_dirty";
  info.description =
      "a writer (cpu0; role writer) that drops the last user ref of a "
      "cached block, then re-finds and dirties it, racing a reclaim scan of "
      "its pages (cpu1; role reclaim): the 2013 'potential race in extent "
      "buffer freeing'";
  info.params = CommonParams("4096");
  info.params.push_back(IntParam(
      "block", "65536", "bytenr of the cached block (a multiple of nodesize)",
      0, kMaxBlock));
  info.params.push_back(IntParam(
      "reclaim_passes", "3",
      "most scans of the block's pages by cpu1, which stops once the writer "
      "is done",
      0, 100));
  info.variants = KernelVariantNames();
  info.build = BuildReleaseDirty;
  info.tasks = {"cpu0", "cpu1", "writer", "reclaim", "endio", "endio*"};
  return info;
}

}  // namespace

FL_REGISTER_SCENARIO(ReleaseDirtyInfo());

}  // namespace btrfs_eb
}  // namespace faultline
