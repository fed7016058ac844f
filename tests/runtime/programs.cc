// Tiny programs with known bugs for the runtime tests (see programs.h).
#include "tests/runtime/programs.h"

#include <memory>
#include <utility>

#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/spin_lock.h"

namespace faultline {
namespace testing_programs {

ScenarioInfo FromBuild(std::function<void(World&)> build) {
  ScenarioInfo info;
  info.name = "test";
  info.build = [build](World& world, const ScenarioArgs&) {
    build(world);
    return absl::OkStatus();
  };
  return info;
}

ScenarioInfo LostUpdate() {
  return FromBuild([](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (const char* name : {"inc_a", "inc_b"}) {
      world.Spawn(name, [x] {
        const int v = x->load();
        x->store(v + 1);
      });
    }
    world.AtQuiescence("lost_update",
                       [x] { FL_BUG_ON(x->Peek() != 2, "lost_update"); });
  });
}

namespace {
struct Object {
  Atomic<int> refs{1, "obj.refs"};
  Atomic<int> freed{0, "obj.freed"};
};
}  // namespace

ScenarioInfo RefcountDrop(bool fixed) {
  return FromBuild([fixed](World& world) {
    auto* obj = world.Make<Object>();
    world.Spawn("lookup", [obj, fixed] {
      if (fixed) {
        if (!obj->refs.IncNotZero()) return;
      } else {
        if (obj->refs.load() == 0) return;
        obj->refs.fetch_add(1);  // BUG: the last reference may be gone
      }
      FL_BUG_ON(obj->freed.load() != 0, "refcount.use_after_free");
      if (obj->refs.DecAndTest()) obj->freed.store(1);
    });
    world.Spawn("release", [obj] {
      if (obj->refs.DecAndTest()) obj->freed.store(1);
    });
  });
}

ScenarioInfo LockOrderDeadlock() {
  return FromBuild([](World& world) {
    auto* a = world.Make<SpinLock>("lock_a");
    auto* b = world.Make<SpinLock>("lock_b");
    world.Spawn("ab", [a, b] {
      a->Lock();
      b->Lock();
      b->Unlock();
      a->Unlock();
    });
    world.Spawn("ba", [a, b] {
      b->Lock();
      a->Lock();
      a->Unlock();
      b->Unlock();
    });
  });
}

ScenarioInfo Stores(int ops_per_task, bool conflicting) {
  return FromBuild([ops_per_task, conflicting](World& world) {
    auto* shared = world.Make<Atomic<int>>(0, "shared");
    auto* own_a = world.Make<Atomic<int>>(0, "own_a");
    auto* own_b = world.Make<Atomic<int>>(0, "own_b");
    for (Atomic<int>* own : {own_a, own_b}) {
      Atomic<int>* target = conflicting ? shared : own;
      world.Spawn(own == own_a ? "a" : "b", [target, ops_per_task] {
        for (int i = 0; i < ops_per_task; ++i) target->store(i);
      });
    }
  });
}

IterationResult RunFibers(const ScenarioInfo& scenario, Strategy* strategy,
                          uint64_t seed, uint64_t max_steps) {
  IterationConfig config;
  config.strategy = strategy;
  config.seed = seed;
  config.max_steps = max_steps;
  config.scenario = &scenario;
  return RunIteration(config);
}

IterationResult RunThreads(const ScenarioInfo& scenario, uint64_t seed,
                           int64_t timeout_ms) {
  IterationConfig config;
  config.backend = IterationConfig::Backend::kThreads;
  config.seed = seed;
  config.thread_timeout_ms = timeout_ms;
  config.scenario = &scenario;
  return RunIteration(config);
}

bool HasViolation(const IterationResult& result, const std::string& check) {
  for (const Violation& v : result.violations) {
    if (v.check == check) return true;
  }
  return false;
}

int64_t IterationsToFind(const ScenarioInfo& scenario, Strategy& strategy,
                         const std::string& check, int max_iterations) {
  for (int i = 0; i < max_iterations; ++i) {
    IterationResult result = RunFibers(scenario, &strategy, i);
    if (!result.ran) return -1;
    if (HasViolation(result, check)) return i + 1;
  }
  return -1;
}

std::vector<ClassicBug> ClassicBugs() {
  return {
      {"lost_update", LostUpdate(), "lost_update"},
      {"refcount", RefcountDrop(false), "refcount.use_after_free"},
      {"deadlock", LockOrderDeadlock(), "deadlock"},
  };
}

}  // namespace testing_programs
}  // namespace faultline
