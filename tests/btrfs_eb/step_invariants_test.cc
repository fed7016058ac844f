// Goal: the incremental step invariants (only what a step changed) catch
// every corruption the full per-step sweep catches, at the same step and
// under the same name, on the fiber backend where they run; a healthy run
// passes both ways.
// Method: a one-task scenario builds an idle eb (TREE_REF only) on the
// fiber backend, runs a few more steps, damages the state the way
// invariants_test does (through instrumented fields, or the plain dead/freed
// bookkeeping), and takes one more step. Each case runs twice, with
// FsInfoOptions::sweep_invariants_every_step off and on, and the violations
// (check and step) must be identical and name the expected check. The
// protocol's checks (ledger, writeback/dirty => TREE_REF, uptodate,
// pages[]/private, I/O pinned) each get a corruption and, where the model
// opens a window on purpose (refs_lock, an unpublished eb), a case showing
// the window is not reported.
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/invariants.h"
#include "btrfs_eb/page.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"
#include "gtest/gtest.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;

using Damage = std::function<void(FsInfo*, ExtentBuffer*)>;

struct Outcome {
  std::string check;  // "" = no violation
  uint64_t step = 0;
};

Outcome Run(const Damage& damage, bool sweep) {
  ScenarioInfo info;
  info.name = "test.step_invariants";
  info.build = [&damage, sweep](World& world, const ScenarioArgs&) {
    FsInfoOptions options;
    options.nodesize = 4096;
    options.io_mode = IoMode::kTask;
    options.sweep_invariants_every_step = sweep;
    auto* fs = world.Make<FsInfo>(options);
    fs->set_world(&world);
    world.run().set_world(fs);
    RegisterInvariants(world, fs);
    world.Spawn("t", [fs, &damage] {
      EbResult r = alloc_extent_buffer(fs, kBlock);
      FL_CHECK(r.ok());
      free_extent_buffer(r.eb);  // refs 1 = TREE_REF
      this_task::Yield();
      damage(fs, r.eb);
      this_task::Yield();
      this_task::Yield();
    });
    return absl::OkStatus();
  };
  ScenarioArgs args("", {});
  auto rules = RuleSet::Compile(Plan());
  EXPECT_TRUE(rules.ok());
  std::unique_ptr<Strategy> strategy = NewRandomWalkStrategy(1);
  IterationConfig config;
  config.scenario = &info;
  config.args = &args;
  config.rules = *rules;
  config.strategy = strategy.get();
  config.seed = 1;
  IterationResult result = RunIteration(config);
  EXPECT_TRUE(result.build_status.ok()) << result.build_status;
  if (result.violations.empty()) return {};
  return {result.violations[0].check, result.violations[0].step};
}

void ExpectCaught(const Damage& damage, const std::string& check) {
  const Outcome incremental = Run(damage, /*sweep=*/false);
  const Outcome swept = Run(damage, /*sweep=*/true);
  EXPECT_EQ(incremental.check, check);
  EXPECT_EQ(swept.check, check);
  EXPECT_EQ(incremental.step, swept.step);
}

TEST(StepInvariants, HealthyRunPassesBothWays) {
  ExpectCaught([](FsInfo*, ExtentBuffer*) {}, "");
}

TEST(StepInvariants, IoPagesAboveNumPages) {
  ExpectCaught([](FsInfo*, ExtentBuffer* eb) { eb->io_pages().Set(2); },
               "eb.io_pages_range");
}

TEST(StepInvariants, NegativeIoPages) {
  ExpectCaught([](FsInfo*, ExtentBuffer* eb) { eb->io_pages().Set(-1); },
               "eb.io_pages_range");
}

TEST(StepInvariants, NegativeRefs) {
  ExpectCaught([](FsInfo*, ExtentBuffer* eb) { eb->refs().Set(-1); },
               "eb.refs_range");
}

TEST(StepInvariants, ResurrectionByMarkDead) {
  ExpectCaught([](FsInfo*, ExtentBuffer* eb) { eb->MarkDead(); },
               "eb.resurrect");
}

TEST(StepInvariants, ResurrectionByIncrement) {
  ExpectCaught(
      [](FsInfo*, ExtentBuffer* eb) {
        eb->refs().Set(0);
        eb->MarkDead();
        eb->refs().Inc();
      },
      "eb.resurrect");
}

TEST(StepInvariants, FreedEbInRadix) {
  ExpectCaught([](FsInfo*, ExtentBuffer* eb) { eb->MarkFreed(); },
               "eb.radix_freed");
}

TEST(StepInvariants, FreedEbInsertedIntoAnotherSlot) {
  ExpectCaught(
      [](FsInfo* fs, ExtentBuffer* eb) {
        // Out of the radix, then freed: clean. Then a stale pointer to it
        // lands in an unrelated slot through an instrumented store. (No
        // buffer_lock: a violation found at its unlock, a release, would
        // have to unwind through a destructor.)
        fs->buffer_radix()->Delete(kBlock >> fs->page_shift());
        eb->PeekPage(0)->private_ptr.Set(nullptr);
        eb->PeekPage(0)->flags.clear_bit(PG_private);
        eb->MarkFreed();
        fs->buffer_radix()->Insert(3, eb);
      },
      "eb.radix_freed");
}

TEST(StepInvariants, FreedEbAsPagePrivate) {
  ExpectCaught(
      [](FsInfo* fs, ExtentBuffer* eb) {
        fs->buffer_radix()->Delete(kBlock >> fs->page_shift());
        eb->MarkFreed();
      },
      "page.private_freed");
}

TEST(StepInvariants, NegativePageRefcount) {
  ExpectCaught(
      [](FsInfo*, ExtentBuffer* eb) { eb->PeekPage(0)->refcount.Set(-1); },
      "page.refcount_range");
}

// --- The protocol's invariants (btrfs_eb/protocol_invariants.h).

// A ref taken without being recorded (a path that leaks or double-counts).
TEST(StepInvariants, LedgerUnrecordedRef) {
  ExpectCaught([](FsInfo*, ExtentBuffer* eb) { eb->refs().Inc(); },
               "eb.ledger");
}

// TREE_REF cleared without dropping the tree's ref.
TEST(StepInvariants, LedgerTreeRefClearedWithoutItsRef) {
  ExpectCaught(
      [](FsInfo*, ExtentBuffer* eb) {
        eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);
      },
      "eb.ledger");
}

// Inside refs_lock the flag and the count move in two operations, as in
// try_release_extent_buffer; the ledger is not checked there.
TEST(StepInvariants, LedgerSkipsTheRefsLockWindow) {
  ExpectCaught(
      [](FsInfo*, ExtentBuffer* eb) {
        eb->refs_lock().Lock();
        eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);
        eb->refs().Inc();  // a step with refs 2 and no TREE_REF
        eb->refs().Dec();
        eb->refs().Dec();
        eb->bflags().set_bit(EXTENT_BUFFER_TREE_REF);
        eb->refs().Inc();
        eb->refs_lock().Unlock();
      },
      "");
}

// A broken TREE_REF clearer that ignores WRITEBACK (the under_io test of
// try_release_extent_buffer left out): the ref goes while a write is out.
TEST(StepInvariants, WritebackWithoutTreeRef) {
  ExpectCaught(
      [](FsInfo*, ExtentBuffer* eb) {
        eb->bflags().set_bit(EXTENT_BUFFER_UPTODATE);
        eb->bflags().set_bit(EXTENT_BUFFER_WRITEBACK);
        eb->refs_lock().Lock();
        eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);
        eb->refs().Dec();
        eb->refs_lock().Unlock();
      },
      "eb.writeback_tree_ref");
}

TEST(StepInvariants, DirtyWithoutTreeRef) {
  ExpectCaught(
      [](FsInfo*, ExtentBuffer* eb) {
        eb->bflags().set_bit(EXTENT_BUFFER_UPTODATE);
        eb->refs_lock().Lock();
        eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);
        eb->refs().Dec();
        eb->refs_lock().Unlock();
        // The eb is still in the radix (refs 0 but not released): only the
        // dirty bit makes it wrong here, refs and TREE_REF agree.
        eb->bflags().set_bit(EXTENT_BUFFER_DIRTY);
      },
      "eb.writeback_tree_ref");
}

// A dirty eb that was never read or initialized.
TEST(StepInvariants, DirtyButNotUptodate) {
  ExpectCaught(
      [](FsInfo*, ExtentBuffer* eb) {
        eb->bflags().set_bit(EXTENT_BUFFER_DIRTY);
      },
      "eb.uptodate");
}

// A published eb whose page no longer points back at it.
TEST(StepInvariants, PagePrivateCleared) {
  ExpectCaught(
      [](FsInfo*, ExtentBuffer* eb) {
        eb->PeekPage(0)->private_ptr.Set(nullptr);
      },
      "eb.page_private");
}

TEST(StepInvariants, PagePrivateFlagCleared) {
  ExpectCaught(
      [](FsInfo*, ExtentBuffer* eb) {
        eb->PeekPage(0)->flags.clear_bit(PG_private);
      },
      "eb.page_private");
}

// Out of the radix tree the eb is the allocator's (or dying): its pages are
// not checked at any step. Only quiescence's own check sees the leftover
// (IN_TREE without a radix slot).
TEST(StepInvariants, PagePrivateNotCheckedOutsideTheRadix) {
  ExpectCaught(
      [](FsInfo* fs, ExtentBuffer* eb) {
        fs->buffer_radix()->Delete(kBlock >> fs->page_shift());
        eb->PeekPage(0)->private_ptr.Set(nullptr);
        eb->PeekPage(0)->flags.clear_bit(PG_private);
      },
      "eb.quiescent.radix");
}

// Detaches the eb from the radix and its page (clean), then puts a read
// in flight: io_pages 1 and the bio's mark.
void UnpublishWithIoInFlight(FsInfo* fs, ExtentBuffer* eb) {
  fs->buffer_radix()->Delete(kBlock >> fs->page_shift());
  eb->PeekPage(0)->private_ptr.Set(nullptr);
  eb->PeekPage(0)->flags.clear_bit(PG_private);
  eb->io_pages().Set(1);
  eb->SetIoInFlight(true);
}

// The eb is freed while the device still reads into it.
TEST(StepInvariants, FreedWithIoInFlight) {
  ExpectCaught(
      [](FsInfo* fs, ExtentBuffer* eb) {
        UnpublishWithIoInFlight(fs, eb);
        eb->MarkFreed();
      },
      "eb.io_pinned");
}

// Freed after its completion was done with it: no step check fires; only
// quiescence's page ledger sees the page refs the damage left behind.
TEST(StepInvariants, FreedAfterIoCompleted) {
  ExpectCaught(
      [](FsInfo* fs, ExtentBuffer* eb) {
        UnpublishWithIoInFlight(fs, eb);
        eb->io_pages().Set(0);
        eb->SetIoInFlight(false);
        eb->MarkFreed();
      },
      "page.quiescent.refcount");
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
