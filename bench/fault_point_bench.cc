// Cost of one fault point hit, side by side with libfiu's fiu_fail().
//
// Every benchmark runs the same loop body: the fast path of a bump
// allocator (the kind of code fault points guard), once per iteration, with
// or without a site in front of it. Rows:
//   Plain                   the body with no site: the baseline.
//   NoPlan                  FL_FAULT_FAIL compiled in, no run anywhere.
//   ArmedOtherPoint         a run installed on this thread with a rule at
//                           another point only.
//   ArmedProbabilityZero    ... plus a rule at this point with probability 0.
//   ArmedTaskMismatch       ... plus a rule at this point for another task.
//   ArmedRareDraw           ... plus a rule at this point with probability
//                           1e-9: every hit draws and (almost) never fires.
//   ArmedSingleThreaded     ArmedProbabilityZero in a run with
//                           concurrent = false (the fiber backend's setting).
//   Fires                   a fail rule with probability 1 at this point.
//   Fiu*                    fiu_fail() with no point enabled, another point
//                           enabled, and this point enabled at probability 0.
// The `allocs/hit` counter comes from a counting global operator new; the
// hot path must keep it at 0. Results and ratios: BENCHMARKS.md.
#include <fiu-control.h>
#include <fiu.h>
#include <google/protobuf/text_format.h>

#include <cstdint>
#include <memory>

#include "benchmark/benchmark.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/internal/task_identity.h"
#include "framework/rng.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/testing/counting_new.h"

namespace faultline {
namespace {

// The guarded code: reserve `size` bytes of an arena.
struct Arena {
  uint64_t used = 0;
  uint64_t capacity = ~uint64_t{0};
};

inline bool PlainAlloc(Arena& arena, uint64_t size) {
  if (arena.capacity - arena.used < size) return false;
  arena.used += size;
  return true;
}

inline bool SiteAlloc(Arena& arena, uint64_t size) {
  if (FL_FAULT_FAIL("bench.arena_alloc", size)) return false;
  return PlainAlloc(arena, size);
}

inline bool FiuAlloc(Arena& arena, uint64_t size) {
  if (fiu_fail("bench.arena_alloc")) return false;
  return PlainAlloc(arena, size);
}

[[maybe_unused]] void OtherSite() { FL_FAULT_POINT("bench.other"); }

template <bool (*Alloc)(Arena&, uint64_t)>
void Loop(benchmark::State& state) {
  Arena arena;
  uint64_t ok = 0;
  uint64_t size = 0;
  const uint64_t allocations_before = testing::AllocationCount();
  for (auto _ : state) {
    size = (size + 8) & 255;
    ok += Alloc(arena, size);
    benchmark::DoNotOptimize(ok);
  }
  benchmark::DoNotOptimize(arena.used);
  state.counters["allocs/hit"] = benchmark::Counter(
      static_cast<double>(testing::AllocationCount() - allocations_before),
      benchmark::Counter::kAvgIterations);
  state.counters["fired"] = static_cast<double>(state.iterations() - ok) /
                            static_cast<double>(state.iterations());
}

// Runs Loop<SiteAlloc> inside a run with `plan_text`'s rules, as task
// "writer" (role "writer").
void LoopUnderRun(benchmark::State& state, const char* plan_text,
                  bool concurrent) {
  Plan plan;
  FL_CHECK(google::protobuf::TextFormat::ParseFromString(plan_text, &plan));
  auto rules = RuleSet::Compile(plan);
  FL_CHECK(rules.ok());
  RunContext run(*rules, RunOptions{.seed = 1, .concurrent = concurrent});
  ScopedRunContext install(&run);
  std::unique_ptr<TaskIdentity> task = run.NewTask("writer-1", "writer");
  SetCurrentTask(task.get());
  Loop<SiteAlloc>(state);
  SetCurrentTask(nullptr);
}

constexpr char kOtherPoint[] = R"pb(rules {
                                      point: "bench.other"
                                      delay { ns: 1 }
                                    })pb";
constexpr char kProbabilityZero[] =
    R"pb(rules {
           point: "bench.other"
           delay { ns: 1 }
         }
         rules {
           point: "bench.arena_alloc"
           probability: 0
           fail {}
         })pb";
constexpr char kTaskMismatch[] =
    R"pb(rules {
           point: "bench.other"
           delay { ns: 1 }
         }
         rules {
           point: "bench.arena_alloc"
           tasks: "reader"
           fail {}
         })pb";
constexpr char kRareDraw[] =
    R"pb(rules {
           point: "bench.other"
           delay { ns: 1 }
         }
         rules {
           point: "bench.arena_alloc"
           probability: 1e-9
           fail {}
         })pb";
constexpr char kFires[] = R"pb(rules {
                                 point: "bench.arena_alloc"
                                 fail {}
                               })pb";

void BM_Plain(benchmark::State& state) { Loop<PlainAlloc>(state); }
void BM_NoPlan(benchmark::State& state) {
  FL_CHECK(!internal::AnyRunActive());
  Loop<SiteAlloc>(state);
}
void BM_ArmedOtherPoint(benchmark::State& state) {
  LoopUnderRun(state, kOtherPoint, true);
}
void BM_ArmedProbabilityZero(benchmark::State& state) {
  LoopUnderRun(state, kProbabilityZero, true);
}
void BM_ArmedTaskMismatch(benchmark::State& state) {
  LoopUnderRun(state, kTaskMismatch, true);
}
void BM_ArmedRareDraw(benchmark::State& state) {
  LoopUnderRun(state, kRareDraw, true);
}
void BM_ArmedSingleThreaded(benchmark::State& state) {
  LoopUnderRun(state, kProbabilityZero, false);
}
void BM_Fires(benchmark::State& state) { LoopUnderRun(state, kFires, true); }

void BM_FiuNoPointEnabled(benchmark::State& state) { Loop<FiuAlloc>(state); }
void BM_FiuOtherPointEnabled(benchmark::State& state) {
  FL_CHECK(fiu_enable("bench.other", 1, nullptr, 0) == 0);
  Loop<FiuAlloc>(state);
  fiu_disable("bench.other");
}
void BM_FiuThisPointProbabilityZero(benchmark::State& state) {
  FL_CHECK(fiu_enable_random("bench.arena_alloc", 1, nullptr, 0, 0.0f) == 0);
  Loop<FiuAlloc>(state);
  fiu_disable("bench.arena_alloc");
}

// The fire draw alone, old and new formulas side by side (BENCHMARKS.md,
// "The fire draw"): one task's decisions at one point for successive hits,
// against probability 1e-9 as in ArmedRareDraw.
//   DrawFoldV1    token version 1: three DrawSteps on from the cached
//                 (seed, point, task) prefix over (hit, rule, stream).
//   DrawKeyedV2   token version 2: KeyedBits(per-(task, rule) key, hit).
//   DrawXorMix    the cheapest candidate, Mix64(key ^ hit), for scale.
template <typename Draw>
void DrawLoop(benchmark::State& state, Draw draw) {
  const uint64_t seed = 1;
  const uint64_t point = NameHash("bench.arena_alloc");
  const uint64_t prefix = DrawStep(DrawStep(DrawStep(kDrawStart, seed), point),
                                   /*task=*/1);
  const uint64_t key = DrawBits({seed, point, 1, 1, 1});
  benchmark::DoNotOptimize(prefix);
  benchmark::DoNotOptimize(key);
  uint64_t hit = 0;
  uint64_t fired = 0;
  for (auto _ : state) {
    fired += BitsToUnit(draw(prefix, key, hit++)) < 1e-9;
    benchmark::DoNotOptimize(fired);
  }
}
void BM_DrawFoldV1(benchmark::State& state) {
  DrawLoop(state, [](uint64_t prefix, uint64_t, uint64_t hit) {
    return DrawStep(DrawStep(DrawStep(prefix, hit), /*rule=*/1),
                    /*stream=*/1);
  });
}
void BM_DrawKeyedV2(benchmark::State& state) {
  DrawLoop(state, [](uint64_t, uint64_t key, uint64_t hit) {
    return KeyedBits(key, hit);
  });
}
void BM_DrawXorMix(benchmark::State& state) {
  DrawLoop(state, [](uint64_t, uint64_t key, uint64_t hit) {
    return Mix64(key ^ hit);
  });
}

BENCHMARK(BM_Plain);
BENCHMARK(BM_NoPlan);
BENCHMARK(BM_ArmedOtherPoint);
BENCHMARK(BM_ArmedProbabilityZero);
BENCHMARK(BM_ArmedTaskMismatch);
BENCHMARK(BM_ArmedRareDraw);
BENCHMARK(BM_ArmedSingleThreaded);
BENCHMARK(BM_Fires);
BENCHMARK(BM_FiuNoPointEnabled);
BENCHMARK(BM_FiuOtherPointEnabled);
BENCHMARK(BM_FiuThisPointProbabilityZero);
BENCHMARK(BM_DrawFoldV1);
BENCHMARK(BM_DrawKeyedV2);
BENCHMARK(BM_DrawXorMix);

// libfiu must be initialized before the first fiu_fail().
const bool fiu_ready = [] {
  FL_CHECK(fiu_init(0) == 0);
  return true;
}();

}  // namespace
}  // namespace faultline
