// Fuzz target: plans that load are run, one bounded iteration each. Inputs
// are plan text; the custom mutator (plan_mutator.h) changes them as Plans
// through reflection, so most stay plans that load. A plan that validates is
// clamped to one iteration on fibers, at most kMaxSteps decisions and a
// kWallMs wall-clock guard, re-validated, and explored without minimizing
// or rendering. Whatever the plan says, the run must end as a report or an
// error: never a crash, an abort, a sanitizer report or a hang (a task the
// guard cannot stop ends the process, which libFuzzer reports).
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/plan_loader.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/plan_mutator.h"

namespace {

constexpr uint64_t kMaxSteps = 2000;
constexpr int64_t kWallMs = 2000;

// Text that does not parse is the byte mutator's business: no messages.
class Silent : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, int, const std::string&) override {}
  void AddWarning(int, int, const std::string&) override {}
};

}  // namespace

// libFuzzer's own byte mutation; absent (null) in the corpus build.
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size)
    __attribute__((weak));

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size,
                                          size_t max_size, unsigned int seed) {
  faultline::Plan plan;
  google::protobuf::TextFormat::Parser parser;
  Silent silent;
  parser.RecordErrorsTo(&silent);
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!parser.ParseFromString(text, &plan)) {
    return LLVMFuzzerMutate != nullptr ? LLVMFuzzerMutate(data, size, max_size)
                                       : size;
  }
  faultline::fuzz::MutatePlan(seed, &plan);
  std::string out;
  if (!google::protobuf::TextFormat::PrintToString(plan, &out) ||
      out.size() > max_size) {
    return size;
  }
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<faultline::Plan> plan =
      faultline::ParsePlanText(text, "fuzz.textproto");
  if (!plan.ok()) return 0;
  faultline::Exploration* exploration = plan->mutable_exploration();
  exploration->set_iterations(1);
  exploration->set_backend(faultline::Exploration::FIBERS);
  exploration->set_max_steps(
      exploration->max_steps() == 0
          ? kMaxSteps
          : std::min(exploration->max_steps(), kMaxSteps));
  exploration->set_iteration_timeout_ms(kWallMs);
  exploration->set_time_budget_ms(0);
  if (!faultline::ValidatePlan(*plan).ok()) return 0;
  faultline::ExplorerOptions options;
  options.minimize = false;
  options.render = false;
  faultline::Explorer explorer(*std::move(plan), "fuzz.textproto", options);
  explorer.Run().IgnoreError();
  return 0;
}
