// -----------------------------------------------------------------------------
// File: model.h
// -----------------------------------------------------------------------------
//
// Inline models: a GoogleTest test explores a lambda that builds one
// iteration's world (objects, tasks, checks), in the manner of loom's
// `model` and Shuttle's `check_pct`. The strategy and budget are a Plan
// built in code (RandomWalkPlan, PctPlan, PosPlan, ExhaustivePlan, then
// rules and expectations through the Plan proto) and run by the same
// Explorer as plan files, so minimization, rendering and replay tokens are
// the same too. CheckPlanFile runs a textproto plan of a registered
// scenario the same way.
//
// The result is a testing::AssertionResult: success when the plan's
// expectations hold (with none given: no violation of any check). On
// failure its message is the explorer's report (each violation with its
// replay token, minimized token and rendered table) followed by the command
// that replays the failure: the same test run with FAULTLINE_REPLAY set to
// the token, which makes CheckModel replay that one schedule (it applies to
// the call whose scenario and rules the token was made from).
//
// Example:
//   TEST(Counter, IncrementsAreNotLost) {
//     EXPECT_TRUE(faultline::CheckModel(
//         faultline::PctPlan(/*depth=*/2, /*iterations=*/500),
//         [](faultline::World& world) {
//           auto* count = world.Make<faultline::Atomic<int>>(0, "count");
//           for (const char* name : {"a", "b"}) {
//             world.Spawn(name, [count] { ++*count; });
//           }
//           world.AtQuiescence("count", [count] {
//             FL_BUG_ON(count->Peek() != 2, "counter.lost_update");
//           });
//         }));
//   }
//
// Each call registers a scenario named "test.<Suite>.<Test>" (with "#N" for
// the N-th call in one test), which plans' rules may restrict to tasks of
// any name. Not thread-safe: call it from the test's own thread.

#ifndef FAULTLINE_FRAMEWORK_TESTING_MODEL_H_
#define FAULTLINE_FRAMEWORK_TESTING_MODEL_H_

#include <cstdint>
#include <functional>
#include <string>

#include "framework/plan.pb.h"
#include "framework/runtime/world.h"
#include "gtest/gtest.h"

namespace faultline {

// Plans with only an exploration section (fiber backend, seed 1).
Plan RandomWalkPlan(uint64_t iterations, uint64_t seed = 1);
Plan PctPlan(uint32_t depth, uint64_t iterations, uint64_t seed = 1);
Plan PosPlan(uint64_t iterations, uint64_t seed = 1);
// Bounded exhaustive search over at most `max_schedules` schedules. With no
// expectation given, CheckModel requires the search to finish
// (search_complete) as well as no violation.
Plan ExhaustivePlan(uint32_t preemption_bound, uint64_t max_schedules = 100000);

// Explores `build` under `plan` (its scenario section is replaced by
// `build`; its exploration, rules and expectations are used as they are).
testing::AssertionResult CheckModel(const Plan& plan,
                                    std::function<void(World&)> build);

// Loads, validates and explores the plan file at `path` (resolved as
// `faultline run` resolves it; a Bazel test finds its data files by their
// workspace path).
testing::AssertionResult CheckPlanFile(const std::string& path);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_TESTING_MODEL_H_
