// -----------------------------------------------------------------------------
// File: tests/btrfs_eb/eb_harness.h
// -----------------------------------------------------------------------------
//
// Single-task harness for btrfs_eb unit tests: an FsInfo plus a RunContext
// (with the rules of an optional textproto plan) installed on the calling
// thread. No scheduler runs, so primitives act as plain ones; a FL_BUG_ON in
// model code records a Violation and throws faultline::IterationAborted,
// which RunCatching() turns into the check's name.
//
// The hook "test.btrfs_eb.step" runs the function given to SetStep(): a
// plan rule with `trigger { hook: "test.btrfs_eb.step" }` at a fault point
// splits a model function there, so a test can place another task's step
// inside it deterministically.
//
// Example:
//   EbHarness h(SmallOptions(), R"pb(rules { point: "mm.trylock_page"
//                                            fail {} })pb");
//   EbResult r = alloc_extent_buffer(h.fs(), 65536);
//   EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(r.eb); }), "");

#ifndef FAULTLINE_TESTS_BTRFS_EB_EB_HARNESS_H_
#define FAULTLINE_TESTS_BTRFS_EB_EB_HARNESS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/fs_info.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"

namespace faultline {
namespace btrfs_eb {

// A plan whose rule runs the "test.btrfs_eb.step" hook inside
// try_release_extent_buffer, right after its refs == 1 check (refs_lock
// held), so a test can place another task's step in that window.
inline constexpr char kSplitTryRelease[] = R"pb(
  rules {
    point: "eb.try_release_extent_buffer.after_refs_check"
    trigger { hook: "test.btrfs_eb.step" }
  })pb";

// Whether `eb` holds the tree's reference (EXTENT_BUFFER_TREE_REF).
inline bool TreeRef(const ExtentBuffer* eb) {
  return eb->PeekFlag(EXTENT_BUFFER_TREE_REF);
}

// 1-page ebs (4 KiB nodes over 4 KiB pages), deferred bios, 1 MiB disk.
FsInfoOptions SmallOptions(KernelVariant variant = KernelVariant::kPostFix);
// 16 KiB nodes over 4 KiB pages (4-page ebs).
FsInfoOptions MultiPageOptions(KernelVariant variant = KernelVariant::kPostFix);

class EbHarness {
 public:
  explicit EbHarness(const FsInfoOptions& options, const char* plan = "");
  ~EbHarness();

  FsInfo* fs() { return fs_.get(); }
  RunContext& run() { return *run_; }

  // Runs `fn`; returns the check name of the fatal violation that aborted
  // it, or "" if it returned normally.
  std::string RunCatching(const std::function<void()>& fn);
  // Names of every violation recorded so far (fatal or not).
  std::vector<std::string> ViolationNames() const;
  // Sets what the "test.btrfs_eb.step" hook runs (once per fire).
  void SetStep(std::function<void()> step);
  // Completes every deferred bio and runs due RCU callbacks.
  int CompleteIo();
  // Writes a valid leaf with one item at `bytenr`.
  void WriteLeaf(uint64_t bytenr);
  // A new eb at `bytenr` holding a valid leaf in its pages, UPTODATE, with
  // the caller's ref (what btrfs_init_new_buffer hands a writer).
  ExtentBuffer* UptodateEb(uint64_t bytenr);

 private:
  std::unique_ptr<FsInfo> fs_;
  std::unique_ptr<RunContext> run_;
  std::unique_ptr<ScopedRunContext> install_;
};

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_TESTS_BTRFS_EB_EB_HARNESS_H_
