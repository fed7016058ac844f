// The main() of every fault_plan_test target: runs the plan named by the
// first argument under Bazel's test protocol (sharding, run number,
// undeclared outputs) and exits 0 when its expectations hold, 1 when they do
// not, 2 on bad input. See framework/fault_plan_test.bzl.
#include <unistd.h>

#include <iostream>

#include "framework/explore/run_plan.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " PLAN.textproto\n";
    return faultline::kExitBadInput;
  }
  absl::StatusOr<faultline::ExplorerOptions> explorer =
      faultline::ExplorerOptions::FromEnvironment();
  if (!explorer.ok()) {
    std::cerr << "faultline: " << explorer.status().message() << "\n";
    return faultline::kExitBadInput;
  }
  faultline::RunPlanOptions options;
  options.explorer = *std::move(explorer);
  options.explorer.progress = faultline::ExplorerOptions::Progress::kLines;
  return faultline::RunPlanFile(argv[1], options, std::cout, std::cerr);
}
