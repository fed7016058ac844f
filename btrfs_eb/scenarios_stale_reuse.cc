// The scenario btrfs_eb.stale_reuse: the 2015 race "Btrfs: fix race when
// reusing stale extent buffers that leads to BUG_ON" (Linux v4.0-rc5;
// docs/btrfs_eb.md). cpu1 allocates a leaf in the running transaction and
// deletes it again (btrfs_del_leaf: its block goes straight back to free
// space, its eb is stale-freed); cpu2 allocates a tree block, which may be
// the one cpu1 just freed, finds the stale eb still cached, dirties it and
// drops its ref (btrfs_release_path). Before the fix cpu2's lookup can land
// between cpu1's "refs == 2, not under io" checks and its TREE_REF clear:
// the dirty eb loses the tree's ref and cpu2's release frees it dirty.
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/extent_tree.h"
#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/scenario_common.h"
#include "btrfs_eb/variant.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr int64_t kMaxBlock = int64_t{1} << 24;

// The columns of ProbeBlock plus the two bits this race is about.
StateSnapshot ProbeReusedBlock(const FsInfo& fs, uint64_t bytenr) {
  StateSnapshot state;
  state.reserve(8);
  ProbeBlock(fs, bytenr, "", &state);
  const ExtentBuffer* eb = fs.PeekVisibleExtentBuffer(bytenr);
  auto bit = [eb](int b) -> const char* {
    if (eb == nullptr) return "-";
    return eb->PeekFlag(b) ? "1" : "0";
  };
  state.emplace_back("STALE", bit(EXTENT_BUFFER_STALE));
  state.emplace_back("DIRTY", bit(EXTENT_BUFFER_DIRTY));
  return state;
}

absl::Status BuildStaleReuse(World& world, const ScenarioArgs& args) {
  absl::StatusOr<FsInfoOptions> options = CommonOptions(args);
  if (!options.ok()) return options.status();
  int64_t block = 0;
  absl::Status status = ReadIntInRange(args, "block", 0, kMaxBlock, &block);
  if (!status.ok()) return status;
  if (block % options->nodesize != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("block: expected a multiple of nodesize (",
                     options->nodesize, "), got ", block));
  }
  const uint64_t first = static_cast<uint64_t>(block);
  // Two never-used blocks: the one cpu1 frees and one for whoever
  // allocates while it is not free.
  const uint64_t end = first + 2 * uint64_t{options->nodesize};
  options->disk_bytes = end;
  FsInfo* fs = MakeFs(world, *options);
  FreeSpace* space = world.Make<FreeSpace>(first, end, fs->nodesize());
  world.Spawn(
      "cpu1",
      [fs, space] {
        EbResult r = btrfs_alloc_tree_block(fs, space);
        if (!r.ok()) return;
        this_task::Note("btrfs_del_items: the leaf is empty -> btrfs_del_leaf");
        btrfs_del_leaf(space, r.eb);
      },
      "deleter");
  world.Spawn(
      "cpu2",
      [fs, space] {
        this_task::Note("__btrfs_cow_block -> btrfs_alloc_tree_block");
        EbResult r = btrfs_alloc_tree_block(fs, space);
        if (!r.ok()) return;
        this_task::Note("btrfs_release_path");
        free_extent_buffer(r.eb);
      },
      "reuser");
  world.SetStateProbe([fs, first] { return ProbeReusedBlock(*fs, first); });
  world.ShowOpsOn(
      [](absl::string_view label) { return absl::StartsWith(label, "eb."); });
  return absl::OkStatus();
}

ScenarioInfo StaleReuseInfo() {
  ScenarioInfo info;
  info.name = "btrfs_eb.stale_reuse";
  info.description =
      "a leaf allocated and deleted in one transaction (cpu1; role deleter: "
      "its block goes back to free space, its eb is stale-freed) while "
      "another allocation (cpu2; role reuser) may get the same block and "
      "dirty the cached stale eb: the 2015 stale-reuse race";
  info.params = CommonParams("4096");
  info.params.push_back(IntParam("block", "65536",
                                 "bytenr of the first free block, the one "
                                 "cpu1 allocates when it allocates first "
                                 "(a multiple of nodesize)",
                                 0, kMaxBlock));
  info.variants = KernelVariantNames();
  info.build = BuildStaleReuse;
  info.tasks = {"cpu1", "cpu2", "deleter", "reuser"};
  return info;
}

}  // namespace

FL_REGISTER_SCENARIO(StaleReuseInfo());

}  // namespace btrfs_eb
}  // namespace faultline
