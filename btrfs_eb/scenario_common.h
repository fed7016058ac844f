// -----------------------------------------------------------------------------
// File: btrfs_eb/scenario_common.h
// -----------------------------------------------------------------------------
//
// What every btrfs_eb scenario shares (defined in scenarios.cc): the common
// parameters (geometry, variant, check knobs), the FsInfo wiring and the
// per-block state columns of the rendered table. A scenario in its own file
// builds on these so that all of them read their parameters alike.
//
// Example:
//   absl::StatusOr<FsInfoOptions> options = CommonOptions(args);
//   FsInfo* fs = MakeFs(world, *options);

#ifndef FAULTLINE_BTRFS_EB_SCENARIO_COMMON_H_
#define FAULTLINE_BTRFS_EB_SCENARIO_COMMON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "btrfs_eb/fs_info.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace faultline {
namespace btrfs_eb {

// Reads an integer parameter that must lie in [min, max].
absl::Status ReadIntInRange(const ScenarioArgs& args, const char* name,
                            int64_t min, int64_t max, int64_t* out);
// nodesize, pagesize, variant, bug_on_under_io, check_io_pinned,
// sweep_invariants_every_step, checked against each other.
absl::StatusOr<FsInfoOptions> CommonOptions(const ScenarioArgs& args);
// The declarations of the parameters CommonOptions reads.
std::vector<ScenarioParam> CommonParams(const char* nodesize);
// The per-iteration FsInfo, wired to the world, its hooks and invariants.
FsInfo* MakeFs(World& world, const FsInfoOptions& options);
// State columns for the block at `bytenr`: its latest eb (refs, TREE_REF,
// io_pages, UPTODATE, id) and its first page's lock holder.
void ProbeBlock(const FsInfo& fs, uint64_t bytenr, const std::string& prefix,
                StateSnapshot* out);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_SCENARIO_COMMON_H_
