// Complete searches side by side: optimal DPOR against exhaustive search
// with state caching (sleep sets plus a cache of explored states), each run
// to the end on the same scenario, so their times compare within one run
// of the benchmark.
//
//   bazel run -c opt //bench:complete_search_bench
//
// Each benchmark iteration runs one Explorer over the whole search. The
// counters: `runs` (iterations, a state-caching run stopped at an explored
// state included) and `schedules` (distinct complete schedules).
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "framework/check.h"
#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/explore/report.pb.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"

namespace faultline {
namespace {

enum Search : int64_t { kDpor = 0, kStateCaching = 1 };

// The plan, complete and clean, searched by `search`, unbounded.
void RunToTheEnd(benchmark::State& state, const std::string& path) {
  absl::StatusOr<Plan> loaded = LoadPlanFile(path);
  FL_CHECK(loaded.ok());
  Plan plan = *loaded;
  Exploration* exploration = plan.mutable_exploration();
  exploration->set_preemption_bound(0);
  exploration->set_iterations(50000000);
  if (state.range(0) == kStateCaching) {
    exploration->set_strategy(Exploration::EXHAUSTIVE);
    exploration->set_state_caching(true);
  } else {
    exploration->set_strategy(Exploration::DPOR);
  }
  uint64_t runs = 0, schedules = 0;
  for (auto _ : state) {
    ExplorerOptions options;
    options.minimize = false;
    options.render = false;
    Explorer explorer(plan, path, options);
    absl::StatusOr<Report> report = explorer.Run();
    FL_CHECK(report.ok());
    FL_CHECK(report->complete());
    FL_CHECK(report->violations_by_check().empty());
    runs += report->iterations_run();
    schedules += report->distinct_schedules();
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["runs"] = static_cast<double>(runs) / n;
  state.counters["schedules"] = static_cast<double>(schedules) / n;
  state.SetLabel(state.range(0) == kStateCaching ? "state caching" : "dpor");
}

// The 2013 release race after its fix, with a branching trylock_page
// failure: three fault-choice combinations.
void BM_Eb2013FaultChoice(benchmark::State& state) {
  RunToTheEnd(state, "bench/dpor_split_2013_fault_choice.textproto");
}

// The 2024 folio race after its fix.
void BM_Eb2024FolioPostfix(benchmark::State& state) {
  RunToTheEnd(state, "plans/eb_2024_folio_postfix.textproto");
}

// The 2013 release race after its fix.
void BM_Eb2013Postfix(benchmark::State& state) {
  RunToTheEnd(state, "plans/eb_2013_release_postfix.textproto");
}

// CVE-2024-35798 after its fix: state caching only, since unbounded DPOR
// runs more than 3,000,000 classes without finishing (BENCHMARKS.md).
void BM_EbCve2024Postfix(benchmark::State& state) {
  RunToTheEnd(state, "plans/eb_cve_2024_35798_postfix.textproto");
}

BENCHMARK(BM_Eb2013FaultChoice)
    ->Arg(kDpor)
    ->Arg(kStateCaching)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Eb2024FolioPostfix)
    ->Arg(kDpor)
    ->Arg(kStateCaching)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Eb2013Postfix)
    ->Arg(kDpor)
    ->Arg(kStateCaching)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EbCve2024Postfix)
    ->Arg(kStateCaching)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace faultline
