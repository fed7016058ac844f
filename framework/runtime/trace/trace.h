// -----------------------------------------------------------------------------
// File: trace/trace.h
// -----------------------------------------------------------------------------
//
// A Trace is the record of one iteration: every scheduling decision (which
// task ran the next step, and whether that was a preemption) and every model
// event (instrumented operations with values before and after, notes with a
// state snapshot, fault rule firings, blocks and wakes, violations).
//
// Objects are named by a per-iteration id in order of first appearance, never
// by address, and labels are hashed by content, so `hash` is the same for the
// same plan and seed in any process. The hash covers decisions and events and
// is computed while the iteration runs, so it is the same whether or not
// events were kept (IterationConfig::record_events).
//
// A decision is "default" when it picked what a scheduler with no strategy
// would: keep the current task if it can run, else the lowest ordinal. Only
// non-default decisions ("switches") are stored in replay tokens, and only
// they are kept for every iteration; the decision of every step is kept with
// the events. So an explorer iteration that keeps no events stores nothing
// per step beyond the hash: a long iteration does not grow a per-step log
// (BENCHMARKS.md, "Scheduling step cost").
//
// Example:
//   IterationResult r = RunIteration(config);
//   std::cout << r.trace.Render();
//   ReplayToken token = MakeReplayToken(r.trace, plan_hash, seed, kind);
//
// Thread-safety: a Trace is a plain value.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_TRACE_TRACE_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_TRACE_TRACE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "framework/runtime/op.h"
#include "framework/runtime/world.h"

namespace faultline {

enum class TraceEventKind : uint8_t {
  kOp,         // an instrumented operation (op, object, before, after)
  kNote,       // this_task::Note (text, state)
  kRuleFired,  // a fault rule fired (text = rule name, before = site key)
  kBlock,      // the task blocked (object, text = what it waits for)
  kWake,       // the task was made runnable again (object)
  kSpawn,      // the task was created (text = name)
  kExit,       // the task's body returned or unwound
  kViolation,  // text = "check: message"
};

const char* TraceEventKindName(TraceEventKind kind);

struct TraceEvent {
  uint64_t step = 0;  // decisions made before it; 0 = while building
  uint32_t task = 0;  // ordinal; 0 = the controller (build, quiescence)
  TraceEventKind kind = TraceEventKind::kOp;
  internal::OpKind op = internal::OpKind::kNote;
  uint32_t object = 0;  // 1-based index into Trace::objects; 0 = none
  int64_t before = 0;
  int64_t after = 0;
  std::string text;
  StateSnapshot state;  // kNote only, when the world has a state probe
};

struct TraceDecision {
  uint32_t task = 0;        // ordinal chosen to run the step
  bool preemption = false;  // the current task could run, another was chosen
  bool is_default = true;   // see the file comment
};

// A non-default decision and the step it decided (1-based).
struct TraceSwitch {
  uint64_t step = 0;
  uint32_t task = 0;
  bool preemption = false;
};

struct TraceObject {
  std::string label;
  // False if the scenario narrowed the rendered table to other objects
  // (World::ShowOpsOn): its operations get no rows.
  bool shown = true;
  // A flags word (AtomicFlags): values are bits, read-modify-writes are bit
  // operations. How a table shows it only; not hashed.
  bool flags = false;
};

// The world's state probe at the end of a step (before the next decision),
// taken only by replays that render (IterationConfig::probe_each_step). Not
// part of the hash: a rendering replay hashes like any other run.
struct StepState {
  uint64_t step = 0;
  StateSnapshot state;
};

struct TraceTask {
  uint32_t ordinal = 0;
  std::string name;
  std::string role;
};

struct Trace {
  uint64_t step_count = 0;  // decisions made
  // The non-default decisions, steps ascending. A preemption is never the
  // default, so every preemption is here.
  std::vector<TraceSwitch> switches;
  // decisions[i] is step i + 1; empty unless events were recorded.
  std::vector<TraceDecision> decisions;
  std::vector<TraceEvent> events;  // empty unless events were recorded
  std::vector<TraceObject> objects;
  std::vector<TraceTask> tasks;  // by ordinal - 1
  // Steps ascending, at most one each; empty unless probed.
  std::vector<StepState> step_states;
  uint64_t hash = 0;

  uint64_t steps() const { return step_count; }
  uint64_t preemptions() const;
  // Non-default decisions as (step, task): what a replay token stores.
  std::vector<std::pair<uint32_t, uint32_t>> Switches() const;
  // The chosen ordinal of every step, in order (events recorded only).
  std::vector<uint32_t> ChosenTasks() const;
  // One line per event (and per non-default decision), for humans.
  std::string Render() const;
  // The state at the end of `step`, or nullptr if it was not probed.
  const StateSnapshot* StateAfter(uint64_t step) const;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_TRACE_TRACE_H_
