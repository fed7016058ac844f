// Fuzz target: plan text through the loader. Any input must come back as a
// Plan or as one clear error; it must never crash, hang or abort. Valid
// plans are validated against this binary's registries (the btrfs_eb model
// and the inode cache example are linked, so names resolve).
#include <string>

#include "absl/strings/string_view.h"
#include "framework/plan_loader.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<faultline::Plan> plan =
      faultline::ParsePlanText(text, "fuzz.textproto");
  if (!plan.ok()) return 0;
  faultline::ValidatePlan(*plan).IgnoreError();
  return 0;
}
