// -----------------------------------------------------------------------------
// File: explorer_harness.h
// -----------------------------------------------------------------------------
//
// How the explorer's tests run a plan in process and read what it reports:
// inline plans over the toy inode cache, Explorer::Run with the options a
// test needs, violations by check, the rows of a rendered table, and whether
// a token replays against a plan.

#ifndef FAULTLINE_TESTS_EXPLORE_EXPLORER_HARNESS_H_
#define FAULTLINE_TESTS_EXPLORE_EXPLORER_HARNESS_H_

#include <string>
#include <vector>

#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/plan.pb.h"

namespace faultline {
namespace testing_explore {

inline constexpr char kUseAfterFree[] = "icache.use_after_free";
inline constexpr char kUnderIo[] = "btrfs_release_extent_buffer_pages.under_io";

// A plan over the toy inode cache: `variant`, then `rest` (exploration and
// expectations) verbatim.
Plan IcachePlan(const std::string& variant, const std::string& rest);

// Explorer::Run of `plan`, named inline.textproto; a failed run fails the
// test and returns an empty report.
Report Explore(const Plan& plan, ExplorerOptions options = {});

// Options for runs whose failures need no minimizing or rendering.
ExplorerOptions Fast();

// Runs `plan` as each of 3 shards of a split systematic search and checks
// what every shard must show: it ran, it is complete over its own subtrees,
// its expectations hold, it has no shard note, the shards agree on the
// split and the strategy's summary contains `summary`. Returns the shards'
// iterations, summed.
uint64_t ExploreEveryShard(const Plan& plan, const std::string& summary);

// The report's violation of `check`, or nullptr.
const ViolationReport* FindViolation(const Report& report,
                                     const std::string& check);

// `text` without whitespace, so wrapped cell text compares to one line.
std::string Squeeze(const std::string& text);

// The rows of a rendered task table (trace_table.h), each the squeezed
// concatenation of its cells: a row starts at a line whose first cell is
// its number and continues over the lines that wrap its text.
std::vector<std::string> TableRows(const std::string& table);

// Checks that `token` replays against `plan` to a violation of `check`.
void ExpectReplayReproduces(const Plan& plan, const std::string& token,
                            const std::string& check);

}  // namespace testing_explore
}  // namespace faultline

#endif  // FAULTLINE_TESTS_EXPLORE_EXPLORER_HARNESS_H_
