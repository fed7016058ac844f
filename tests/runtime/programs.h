// Tiny concurrent programs with known bugs (and their fixed twins) for the
// runtime tests, plus helpers to run them. Each program is a ScenarioInfo
// built in code (not registered), so tests stay independent.
#ifndef FAULTLINE_TESTS_RUNTIME_PROGRAMS_H_
#define FAULTLINE_TESTS_RUNTIME_PROGRAMS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "framework/runtime/iteration.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace faultline {
namespace testing_programs {

// Two tasks increment a counter with load + store (not atomic together):
// "lost_update" at quiescence when one increment is lost.
ScenarioInfo LostUpdate();
// A lookup checks refs != 0, then increments; a release drops the last
// reference and frees: "refcount.use_after_free" (FL_BUG_ON in the lookup)
// when the free lands between the check and the increment. `fixed` uses
// IncNotZero instead.
ScenarioInfo RefcountDrop(bool fixed = false);
// Two tasks take two locks in opposite orders: "deadlock".
ScenarioInfo LockOrderDeadlock();
// Two tasks, each doing `ops_per_task` stores; to one shared Atomic if
// `conflicting`, else each to its own.
ScenarioInfo Stores(int ops_per_task, bool conflicting);
// The classic bugs every sampling strategy must find, with their checks:
// lost update, refcount use-after-free, lock-order deadlock.
struct ClassicBug {
  const char* name;
  ScenarioInfo program;
  const char* check;
};
std::vector<ClassicBug> ClassicBugs();
// A scenario from a build function.
ScenarioInfo FromBuild(std::function<void(World&)> build);

// Runs one fiber iteration of `scenario` under `strategy` (may be null).
IterationResult RunFibers(const ScenarioInfo& scenario, Strategy* strategy,
                          uint64_t seed, uint64_t max_steps = 100000);
IterationResult RunThreads(const ScenarioInfo& scenario, uint64_t seed,
                           int64_t timeout_ms = 10000);
bool HasViolation(const IterationResult& result, const std::string& check);
// Iterations (seeds 0, 1, ...) until `check` is violated; -1 if not within
// `max_iterations` (or the strategy ran out of schedules).
int64_t IterationsToFind(const ScenarioInfo& scenario, Strategy& strategy,
                         const std::string& check, int max_iterations);

}  // namespace testing_programs
}  // namespace faultline

#endif  // FAULTLINE_TESTS_RUNTIME_PROGRAMS_H_
