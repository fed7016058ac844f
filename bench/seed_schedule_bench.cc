// Schedules per second of the seed scenario (btrfs_eb.seed_race), the
// default job's two plans, explored exactly as `faultline run` explores them
// but without minimizing or rendering the failure (that is per failure, not
// per schedule).
//
//   bazel run -c opt //bench:seed_schedule_bench
//
// Each benchmark iteration runs one Explorer over `iterations` (the range
// argument) schedules of the plan; `schedules` is the rate of schedules per
// CPU second, the figure the target (30,000/s on one core) is about.
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

Plan LoadOrDie(const std::string& path) {
  absl::StatusOr<Plan> plan = LoadPlanFile(path);
  FL_CHECK(plan.ok());
  return *plan;
}

void RunPlan(benchmark::State& state, const Plan& plan) {
  const uint64_t iterations = static_cast<uint64_t>(state.range(0));
  uint64_t schedules = 0;
  for (auto _ : state) {
    ExplorerOptions options;
    options.iterations = iterations;
    options.minimize = false;
    options.render = false;
    Explorer explorer(plan, "bench.textproto", options);
    absl::StatusOr<Report> report = explorer.Run();
    FL_CHECK(report.ok());
    FL_CHECK(report->expectations_met());
    schedules += report->iterations_run();
  }
  state.counters["schedules"] = benchmark::Counter(
      static_cast<double>(schedules), benchmark::Counter::kIsRate);
}

void BM_SeedRacePrefix(benchmark::State& state) {
  RunPlan(state, LoadOrDie("plans/seed_race_prefix.textproto"));
}

void BM_SeedRacePostfix(benchmark::State& state) {
  RunPlan(state, LoadOrDie("plans/seed_race_postfix.textproto"));
}

// The post-fix plan with the model's debugging option that sweeps every
// step invariant over every object after every step (what every step did
// before the checks became incremental).
void BM_SeedRacePostfixSweepEveryStep(benchmark::State& state) {
  Plan plan = LoadOrDie("plans/seed_race_postfix.textproto");
  (*plan.mutable_scenario()->mutable_params())["sweep_invariants_every_step"] =
      "true";
  RunPlan(state, plan);
}

// Optimal DPOR over the post-fix seed scenario with cpu1's trylock fault
// choice (the search issue 11's 60-second target is about), for its first
// N schedules: the strategy's own cost (race detection, wakeup tree) grows
// with the tree, so two depths.
void BM_SeedRacePostfixDpor(benchmark::State& state) {
  Plan plan = LoadOrDie("plans/seed_race_postfix_dpor.textproto");
  plan.clear_expect();  // search_complete cannot hold after N schedules
  RunPlan(state, plan);
}

BENCHMARK(BM_SeedRacePrefix)->Arg(2000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeedRacePostfix)->Arg(2000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeedRacePostfixSweepEveryStep)
    ->Arg(2000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeedRacePostfixDpor)
    ->Arg(20000)
    ->Arg(200000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace faultline
