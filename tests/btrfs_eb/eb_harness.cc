// The single-task btrfs_eb test harness (see eb_harness.h).
#include "tests/btrfs_eb/eb_harness.h"

#include <google/protobuf/text_format.h>

#include <utility>
#include <vector>

#include "btrfs_eb/bio.h"
#include "btrfs_eb/ctree.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/extent_io.h"
#include "framework/check.h"
#include "framework/hooks.h"
#include "framework/plan.pb.h"
#include "framework/rule_set.h"
#include "framework/violation.h"

namespace faultline {
namespace btrfs_eb {
namespace {

// The step the "test.btrfs_eb.step" hook runs. Tests in one binary run
// sequentially, and each harness clears it on destruction.
std::function<void()>& StepSlot() {
  static auto* step = new std::function<void()>();
  return *step;
}

FL_REGISTER_HOOK("test.btrfs_eb.step",
                 "runs the step a btrfs_eb unit test set with SetStep()",
                 [](HookCall&) {
                   std::function<void()> step = std::move(StepSlot());
                   StepSlot() = nullptr;
                   if (step) step();
                 });

}  // namespace

FsInfoOptions SmallOptions(KernelVariant variant) {
  FsInfoOptions options;
  options.nodesize = 4096;
  options.page_shift = 12;
  options.disk_bytes = 1 << 20;
  options.variant = variant;
  options.io_mode = IoMode::kDeferred;
  return options;
}

FsInfoOptions MultiPageOptions(KernelVariant variant) {
  FsInfoOptions options = SmallOptions(variant);
  options.nodesize = 16384;
  return options;
}

EbHarness::EbHarness(const FsInfoOptions& options, const char* plan_text)
    : fs_(std::make_unique<FsInfo>(options)) {
  Plan plan;
  FL_CHECK(google::protobuf::TextFormat::ParseFromString(plan_text, &plan));
  auto rules = RuleSet::Compile(plan);
  FL_CHECK(rules.ok());
  RunOptions run_options;
  run_options.seed = 1;
  run_options.world = fs_.get();
  run_ = std::make_unique<RunContext>(*rules, run_options);
  install_ = std::make_unique<ScopedRunContext>(run_.get());
}

EbHarness::~EbHarness() {
  StepSlot() = nullptr;
  install_.reset();
}

std::string EbHarness::RunCatching(const std::function<void()>& fn) {
  const size_t before = run_->violations().size();
  try {
    fn();
  } catch (const IterationAborted&) {
    std::vector<Violation> all = run_->violations();
    FL_CHECK(all.size() > before);
    return all.back().check;
  }
  return "";
}

std::vector<std::string> EbHarness::ViolationNames() const {
  std::vector<std::string> names;
  for (const Violation& v : run_->violations()) names.push_back(v.check);
  return names;
}

void EbHarness::SetStep(std::function<void()> step) {
  StepSlot() = std::move(step);
}

int EbHarness::CompleteIo() {
  const int ran = RunDeferredBios(fs_.get());
  fs_->rcu().Poll();
  return ran;
}

void EbHarness::WriteLeaf(uint64_t bytenr) {
  fs_->disk()->WriteTreeBlock(bytenr, 0, 1, {{1, LeafValueOf(1)}});
}

ExtentBuffer* EbHarness::UptodateEb(uint64_t bytenr) {
  EbResult r = alloc_extent_buffer(fs_.get(), bytenr);
  FL_CHECK(r.ok());
  std::vector<uint8_t> block(r.eb->len());
  FormatTreeBlock(block.data(), r.eb->len(), bytenr, 2, 0, {{5, 6}});
  write_extent_buffer(r.eb, block.data(), 0, block.size());
  set_extent_buffer_uptodate(r.eb);
  return r.eb;
}

}  // namespace btrfs_eb
}  // namespace faultline
