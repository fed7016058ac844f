// Cost of one scheduling step of faultline's fiber backend (strategy
// decision + direct fiber switch + trace record) next to Boost.Fiber's own
// round_robin yield and a raw boost::context::fiber resume, in one run.
//
//   bazel run -c opt //bench:switch_bench
//
// Every benchmark reports `per_switch`: wall time per task-to-task switch.
// Faultline: two tasks each call this_task::Yield() N times, so every step
// is a decision (the other task) and a switch. Boost: two fibers each call
// boost::this_fiber::yield() N times under round_robin. Raw: one fiber
// resumed and suspended (two switches per round trip).
//
// N (`yields`) is 100,000 for the steady-state cost of a step, and 100 for
// iterations as short as the seed race's (about 200 steps), where starting
// the two tasks (or fibers) and building the iteration is part of the cost.
#include <boost/context/fiber.hpp>
#include <boost/fiber/algo/round_robin.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>
#include <cstdint>

#include "benchmark/benchmark.h"
#include "framework/check.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace faultline {
namespace {

ScenarioInfo PingPong(int yields) {
  ScenarioInfo info;
  info.name = "bench.ping_pong";
  info.build = [yields](World& world, const ScenarioArgs&) {
    for (const char* name : {"ping", "pong"}) {
      world.Spawn(name, [yields] {
        for (int i = 0; i < yields; ++i) this_task::Yield();
      });
    }
    return absl::OkStatus();
  };
  return info;
}

void SetPerSwitch(benchmark::State& state, int64_t switches_per_iteration) {
  state.counters["per_switch"] =
      benchmark::Counter(static_cast<double>(switches_per_iteration),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}

void BM_FaultlineYield(benchmark::State& state) {
  const int yields = static_cast<int>(state.range(1));
  const ScenarioInfo scenario = PingPong(yields);
  auto strategy = NewRandomWalkStrategy(1);
  IterationConfig config;
  config.scenario = &scenario;
  config.strategy = strategy.get();
  config.max_steps = 4 * static_cast<uint64_t>(yields);
  config.record_events = state.range(0) != 0;
  for (auto _ : state) {
    IterationResult result = RunIteration(config);
    FL_CHECK(result.violations.empty());
    benchmark::DoNotOptimize(result.trace.hash);
  }
  SetPerSwitch(state, 2 * yields);
}
BENCHMARK(BM_FaultlineYield)
    ->ArgNames({"record_events", "yields"})
    ->Args({0, 100000})
    ->Args({1, 100000})
    ->Args({0, 100})
    ->Unit(benchmark::kMicrosecond);

void BM_BoostRoundRobinYield(benchmark::State& state) {
  const int yields = static_cast<int>(state.range(0));
  boost::fibers::use_scheduling_algorithm<boost::fibers::algo::round_robin>();
  for (auto _ : state) {
    auto body = [yields] {
      for (int i = 0; i < yields; ++i) boost::this_fiber::yield();
    };
    boost::fibers::fiber ping(body);
    boost::fibers::fiber pong(body);
    ping.join();
    pong.join();
  }
  SetPerSwitch(state, 2 * yields);
}
BENCHMARK(BM_BoostRoundRobinYield)
    ->ArgName("yields")
    ->Arg(100000)
    ->Arg(100)
    ->Unit(benchmark::kMicrosecond);

void BM_RawContextFiber(benchmark::State& state) {
  namespace ctx = boost::context;
  ctx::fiber fiber{[](ctx::fiber&& caller) {
    for (;;) caller = std::move(caller).resume();
    return std::move(caller);
  }};
  constexpr int kRoundTrips = 100000;
  for (auto _ : state) {
    for (int i = 0; i < kRoundTrips; ++i) fiber = std::move(fiber).resume();
  }
  SetPerSwitch(state, 2 * kRoundTrips);  // in and back out
}
BENCHMARK(BM_RawContextFiber)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace faultline
