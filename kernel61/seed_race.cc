// The scenario kernel61.seed_race: the 2020 readahead-vs-releasepage race
// (../docs/kernel_source.md) on Linux 6.1's own extent_buffer code, as
// shipped or with the fix's one line removed. Two readaheads of one tree
// block (cpu0, cpu1) race a reclaim scan of its pages calling
// btree_release_folio (cpu2); every submitted bio completes on an I/O task.
// CONFIG_BTRFS_ASSERT is on; quiescence checks look at the extent buffer's
// refs and io_pages, the page locks, and what is left allocated.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"
#include "kernel61/bridge/kernel_state.h"
#include "kernel61/shim/mm.h"

namespace kernel61 {
namespace {

using faultline::ScenarioArgs;
using faultline::ScenarioInfo;
using faultline::StateSnapshot;
using faultline::World;

constexpr int kPageShift = 12;
constexpr int64_t kCachePages = 64;  // the shim's K61_MAX_PAGES

struct Options {
  int64_t nodesize = 0;
  int64_t block = 0;
  int64_t passes = 0;
};

absl::Status ReadOptions(const ScenarioArgs& args, Options* out) {
  struct Want {
    const char* name;
    int64_t* value;
  };
  for (Want want :
       {Want{"nodesize", &out->nodesize}, Want{"block", &out->block},
        Want{"reclaim_passes", &out->passes}}) {
    absl::StatusOr<int64_t> v = args.GetInt(want.name);
    if (!v.ok()) return v.status();
    *want.value = *v;
  }
  if (out->nodesize < 4096 || out->nodesize > 65536 ||
      out->nodesize % 4096 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "nodesize: expected a multiple of 4096 in [4096, 65536], got ",
        out->nodesize));
  }
  if (out->block < 0 || out->block % out->nodesize != 0 ||
      (out->block + out->nodesize) >> kPageShift > kCachePages) {
    return absl::InvalidArgumentError(absl::StrCat(
        "block: expected a multiple of nodesize below ",
        (kCachePages << kPageShift) - out->nodesize, ", got ", out->block));
  }
  if (out->passes < 0 || out->passes > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("reclaim_passes: expected 0..100, got ", out->passes));
  }
  return absl::OkStatus();
}

const k61_kernel* KernelFor(const std::string& variant) {
  return variant == "reverted" ? &k61_kernel_reverted : &k61_kernel_as_shipped;
}

// The block's pages' state and the latest extent buffer's, uninstrumented.
StateSnapshot Probe(const KernelState& state, const k61_kernel* kernel,
                    btrfs_fs_info* fs, int64_t first_page) {
  StateSnapshot out;
  out.reserve(6);
  const void* eb = state.LatestLive("extent_buffer");
  if (eb == nullptr) {
    out.push_back({"eb", "-"});
  } else {
    k61_eb_state s;
    kernel->peek_eb(eb, &s);
    out.push_back({"refs", std::to_string(s.refs)});
    out.push_back({"TREE_REF", std::to_string(s.tree_ref)});
    out.push_back({"io_pages", std::to_string(s.io_pages)});
    out.push_back({"UPTODATE", std::to_string(s.uptodate)});
  }
  page* p = k61_page_peek(fs, first_page);
  if (p == nullptr) {
    out.push_back({"page", "-"});
  } else {
    k61_page_state ps;
    k61_peek_page(p, &ps);
    out.push_back({"page locked", std::to_string(ps.locked)});
    out.push_back({"page refs", std::to_string(ps.refcount)});
  }
  return out;
}

void CheckQuiescent(const KernelState& state, const k61_kernel* kernel,
                    btrfs_fs_info* fs, const Options& o) {
  const std::vector<std::string> held = state.HeldLocks();
  FL_BUG_ON(!held.empty(), "kernel61.quiescent.locks");
  FL_BUG_ON(state.RcuReaders() != 0, "kernel61.quiescent.rcu");
  FL_BUG_ON(state.Live("bio") != 0, "kernel61.quiescent.bio_leak");

  const void* eb =
      k61_radix_peek(fs, static_cast<unsigned long>(o.block >> kPageShift));
  const int live_ebs = state.Live("extent_buffer");
  k61_eb_state s{};
  if (eb != nullptr) {
    kernel->peek_eb(eb, &s);
    // Only the tree's reference is left, and no I/O.
    FL_BUG_ON(s.refs != 1 || !s.tree_ref || !s.in_tree,
              "kernel61.quiescent.refs");
    FL_BUG_ON(s.io_pages != 0, "kernel61.quiescent.io_pages");
    FL_BUG_ON(live_ebs != 1, "kernel61.quiescent.extent_buffer_leak");
  } else {
    FL_BUG_ON(live_ebs != 0, "kernel61.quiescent.extent_buffer_leak");
  }
  int cached = 0;
  for (int64_t i = 0; i < kCachePages; ++i) {
    page* p = k61_page_peek(fs, i);
    if (p == nullptr) continue;
    ++cached;
    k61_page_state ps;
    k61_peek_page(p, &ps);
    const bool attached =
        eb != nullptr && ps.has_private && ps.private_data == eb;
    FL_BUG_ON(eb != nullptr && !attached, "kernel61.quiescent.page_private");
    FL_BUG_ON(eb == nullptr && ps.has_private,
              "kernel61.quiescent.page_private");
    // The page cache's reference, plus page->private's and eb->pages[]'s.
    FL_BUG_ON(ps.refcount != (attached ? 3 : 1),
              "kernel61.quiescent.page_refs");
  }
  FL_BUG_ON(state.Live("page") != cached, "kernel61.quiescent.page_leak");
}

absl::Status Build(World& world, const ScenarioArgs& args) {
  Options o;
  absl::Status status = ReadOptions(args, &o);
  if (!status.ok()) return status;
  const k61_kernel* kernel = KernelFor(args.variant());
  KernelState* state = world.Make<KernelState>();
  btrfs_fs_info* fs = k61_fs_create(static_cast<unsigned int>(o.nodesize));
  World* w = &world;
  state->set_on_submit([w, kernel](void* bio) {
    w->Spawn(
        "io", [kernel, bio] { kernel->complete_bio(bio); }, "io");
  });
  const uint64_t bytenr = static_cast<uint64_t>(o.block);
  auto* done = world.Make<faultline::Atomic<int>>(0, "scenario.readahead_done");
  for (const char* cpu : {"cpu0", "cpu1"}) {
    world.Spawn(
        cpu,
        [kernel, fs, bytenr, done] {
          faultline::this_task::Note(
              "reada_for_search -> btrfs_readahead_tree_block");
          kernel->readahead_tree_block(fs, bytenr);
          done->Inc();
        },
        "readahead");
  }
  const int64_t first = o.block >> kPageShift;
  const int64_t last = first + (o.nodesize >> kPageShift);
  // kswapd scans while there is pressure: here until both readaheads have
  // returned, at most `passes` scans. The yield lets priority-based
  // strategies run the others between scans.
  world.Spawn(
      "cpu2",
      [kernel, fs, first, last, passes = o.passes, done] {
        for (int64_t i = 0; i < passes && done->Read() < 2; ++i) {
          for (int64_t index = first; index < last; ++index) {
            k61_reclaim_page(fs, static_cast<unsigned long>(index),
                             kernel->release_folio);
          }
          faultline::this_task::Yield();
        }
      },
      "reclaim");
  world.AtQuiescence("kernel61.quiescent", [state, kernel, fs, o] {
    CheckQuiescent(*state, kernel, fs, o);
  });
  world.SetStateProbe(
      [state, kernel, fs, first] { return Probe(*state, kernel, fs, first); });
  return absl::OkStatus();
}

ScenarioInfo SeedRaceInfo() {
  ScenarioInfo info;
  info.name = "kernel61.seed_race";
  info.description =
      "Linux 6.1's own extent_buffer code (extracted from linux-source-6.1): "
      "two btrfs_readahead_tree_block calls on one block (cpu0, cpu1; role "
      "readahead) racing a reclaim scan calling btree_release_folio (cpu2; "
      "role reclaim); bios complete on I/O tasks (role io)";
  info.params = {
      {"nodesize", "4096", "tree block size in bytes (pages of 4096)"},
      {"block", "65536", "bytenr of the contended block"},
      {"reclaim_passes", "32",
       "most scans of the block's pages by cpu2, which stops scanning once "
       "both readahead calls have returned"},
  };
  info.variants = {"as_shipped", "reverted"};
  info.tasks = {"cpu0", "cpu1", "cpu2", "readahead", "reclaim", "io"};
  // Reported by the shim under the kernel function's name (kernel.h ASSERT,
  // BUG_ON) or by the bridge: not FL_BUG_ON literals, so declared here.
  info.checks = {"btrfs_release_extent_buffer_pages.ASSERT",
                 "kernel61.use_after_free", "kernel61.bad_free",
                 "kernel61.trylock_page", "kernel61.spin_lock_init_held"};
  info.build = Build;
  return info;
}

FL_REGISTER_SCENARIO(SeedRaceInfo());

}  // namespace
}  // namespace kernel61
