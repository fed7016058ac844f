// Schedules per second on each SCTBench port: the random-walk plan of the
// program (plans/<name>_random.textproto) explored for `iterations`
// schedules with collect_all, so a run does not stop at the first bug and
// every program runs the same number of schedules. Where the seed
// scenario's benchmark (bench/seed_schedule_bench.cc) measures one big
// model, this measures the runtime on small programs, where the
// scheduler's and the trace's per-step costs are most of the cost.
//
//   bazel build -c opt //bench/sctbench:throughput_bench
//   bazel-bin/bench/sctbench/throughput_bench      # from the project root
//   bench/sctbench/plot_throughput.py BEFORE.json AFTER.json
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "framework/check.h"
#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/explore/report.pb.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"

namespace faultline {
namespace {

constexpr const char* kPrograms[] = {
    "account_bad",         "bluetooth_driver_bad", "carter01_bad",
    "circular_buffer_bad", "deadlock01_bad",       "lazy01_bad",
    "queue_bad",           "reorder_3_bad",        "reorder_20_bad",
    "stack_bad",           "token_ring_bad",       "twostage_100_bad",
    "wronglock_bad",       "wronglock_3_bad",
};

void RunProgram(benchmark::State& state, const std::string& name) {
  absl::StatusOr<Plan> plan = LoadPlanFile(
      absl::StrCat("bench/sctbench/plans/", name, "_random.textproto"));
  FL_CHECK(plan.ok());
  uint64_t schedules = 0;
  for (auto _ : state) {
    ExplorerOptions options;
    options.iterations = static_cast<uint64_t>(state.range(0));
    options.collect_all = true;
    options.minimize = false;
    options.render = false;
    Explorer explorer(*plan, "bench.textproto", options);
    absl::StatusOr<Report> report = explorer.Run();
    FL_CHECK(report.ok());
    schedules += report->iterations_run();
  }
  state.counters["schedules"] = benchmark::Counter(
      static_cast<double>(schedules), benchmark::Counter::kIsRate);
}

// One benchmark a program, registered before main() runs them.
const bool kRegistered = [] {
  for (const char* name : kPrograms) {
    benchmark::RegisterBenchmark(
        absl::StrCat("BM_Sctbench/", name).c_str(),
        [name](benchmark::State& state) { RunProgram(state, name); })
        ->Arg(1000)
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
}  // namespace faultline
