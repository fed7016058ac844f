// -----------------------------------------------------------------------------
// File: fuzz/plan_mutator.h
// -----------------------------------------------------------------------------
//
// A structure-aware mutation of a Plan: one field, chosen among every field
// the message tree could have (set or not), changed through protobuf
// reflection the way its type allows: a number to a boundary or a nearby
// value, an enum to another of its values, a string to another string the
// plan already uses (so names stay names that resolve) or to a prefix of
// itself, a repeated field grown by a copy or shrunk, a message cleared.
// libFuzzer's byte mutations rarely keep plan text parseable; these keep it
// a Plan, so the fuzzer's time goes into plans that load and run.
//
// Draws come from framework/rng.h (one CounterRng per mutation, keyed by
// libFuzzer's seed), so a mutation is reproducible from its seed.

#ifndef FAULTLINE_FUZZ_PLAN_MUTATOR_H_
#define FAULTLINE_FUZZ_PLAN_MUTATOR_H_

#include <cstdint>

#include "framework/plan.pb.h"

namespace faultline {
namespace fuzz {

// Applies 1 to 3 mutations to `plan`, drawn from `seed`.
void MutatePlan(uint64_t seed, Plan* plan);

}  // namespace fuzz
}  // namespace faultline

#endif  // FAULTLINE_FUZZ_PLAN_MUTATOR_H_
