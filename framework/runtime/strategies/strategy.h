// -----------------------------------------------------------------------------
// File: strategies/strategy.h
// -----------------------------------------------------------------------------
//
// A Strategy decides, at every scheduling point of the fiber backend, which
// runnable task executes the next step. One Strategy object lives across the
// iterations of an exploration: it may learn from earlier iterations (PCT's
// step estimate) or walk a tree of schedules (exhaustive search).
//
// A step is one visible operation: every task that can run is parked just
// before its next instrumented operation (its footprint is known), and the
// chosen task executes that operation plus the local code up to its next
// one. A task that blocks, sleeps, yields or exits hands the choice on; the
// point then has `current` = its ordinal but it is not in `runnable`.
//
// Strategies (one file each):
//   NewRandomWalkStrategy  uniform choice at every step.
//   NewPctStrategy         probabilistic concurrency testing, depth d.
//   NewPosStrategy         partial order sampling (pos.cc).
//   NewSurwStrategy        selectively uniform random walk (surw.cc).
//   NewExhaustiveStrategy  DFS over all schedules, preemption bound, sleep-set
//                          partial-order reduction; Complete() when done.
//   NewReplayStrategy      follows recorded switches (replay tokens).
//   NewDporStrategy        optimal DPOR: one schedule per equivalence class
//                          (run with IterationConfig::dpor); Complete().
//   NewIterativeBoundingStrategy  an exhaustive or DPOR search at preemption
//                          bound 0, 1, 2, ... in turn (iterative_bounding.cc).
//
// Example:
//   auto strategy = faultline::NewPctStrategy(/*seed=*/7, /*depth=*/3);
//   config.strategy = strategy.get();
//   for (uint64_t i = 0; strategy->BeginIteration(i) && i < 1000; ++i) ...
//   (RunIteration calls BeginIteration / EndIteration itself.)
//
// Determinism: choices draw only from CounterRng/DrawBits keyed by the seed.
// Thread-safety: a Strategy is used by one iteration at a time.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_STRATEGIES_STRATEGY_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_STRATEGIES_STRATEGY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "framework/runtime/op.h"

namespace faultline {

struct Trace;

// What a task's next step touches, for the partial-order reduction. A
// footprint that touches nothing (kNone) conflicts with none. Otherwise two
// footprints conflict if either is kGlobal, or they name the same object and
// at least one writes, unless both name one bit of it and the bits differ
// (AtomicFlags bit operations under IterationConfig::dpor), or both are
// adds (Atomic Inc / Dec under IterationConfig::dpor: a read-modify-write
// whose result the task never sees, so two of them on one object commute;
// against any other access of the object they still conflict). Locks write
// their lock object.
struct Footprint {
  enum class Access : uint8_t { kNone, kRead, kWrite, kGlobal };
  static constexpr uint8_t kAllBits = 0xff;
  internal::OpKind op = internal::OpKind::kNote;
  uint32_t object = 0;  // trace object id; 0 = none
  Access access = Access::kGlobal;
  uint8_t bit = kAllBits;  // the one bit of `object` touched, or kAllBits
  bool add = false;        // an add whose result is not observed
};

bool Conflicts(const Footprint& a, const Footprint& b);
// How an operation kind accesses its object. Inline: every step asks.
constexpr Footprint::Access AccessOf(internal::OpKind kind) {
  using internal::OpKind;
  switch (kind) {
    case OpKind::kLoad:
    case OpKind::kWait:
      return Footprint::Access::kRead;
    case OpKind::kStore:
    case OpKind::kRmw:
    case OpKind::kLock:
    case OpKind::kTryLock:
    case OpKind::kUnlock:
    case OpKind::kWake:
    case OpKind::kFault:
      return Footprint::Access::kWrite;
    case OpKind::kNote:
    case OpKind::kYield:
    case OpKind::kSleep:
      return Footprint::Access::kNone;
    case OpKind::kRcuRead:
    case OpKind::kRcuUnlock:
    case OpKind::kSpawn:
      // RCU callbacks and new tasks may touch anything.
      return Footprint::Access::kGlobal;
  }
  return Footprint::Access::kGlobal;
}

struct SchedulingPoint {
  uint64_t step = 0;     // 1-based number of the step being decided
  uint32_t current = 0;  // task that reached the point; 0 = none
  // `current` yielded: it is left out of `runnable` unless nobody else can
  // run.
  bool yielded = false;
  // Ordinals of the tasks that can run, ascending; never empty.
  absl::Span<const uint32_t> runnable;
  // next[i]: the footprint of runnable[i]'s next step.
  absl::Span<const Footprint> next;
  // IterationConfig::state_keys: a hash of the whole state at this point
  // (shared values, each task's observations, RCU); two points with the
  // same key have the same futures under the assumptions docs/runtime.md
  // ("State caching") states; 0 when the backend cannot name it.
  uint64_t state = 0;
};

// What Choose returns to end the run here, quietly (no checks at the end,
// not a schedule): nothing below this point is new.
inline constexpr uint32_t kStopRun = 0xffffffffu;

// Keep the current task if it can run, else the lowest runnable ordinal.
uint32_t DefaultChoice(const SchedulingPoint& point);
// True if choosing `task` preempts a current task that could run.
bool IsPreemption(const SchedulingPoint& point, uint32_t task);

// A subtree of a systematic search's schedule tree, as a probe lists it
// (Strategy::ProbeSubtrees), with what the probe run saw of it: enough to
// guess its size.
struct SubtreeRoot {
  std::vector<uint32_t> prefix;  // the choice at each point from the root
  bool leaf = false;             // a schedule that ended at the prefix
  uint64_t steps_below = 0;      // steps the probe run took below the root
  int preemptions_left = -1;     // under the bound there; -1 = unbounded
  // The probe's own guess at the subtree's size, if it makes one (DPOR),
  // only compared with other subtrees' guesses; negative: none.
  double size_guess = -1;
};

// Stored in replay tokens (one byte): which strategy found a schedule.
enum class StrategyKind : uint8_t {
  kRandomWalk = 0,
  kPct = 1,
  kExhaustive = 2,
  kReplay = 3,
  kThreads = 4,  // no strategy: the thread backend
  kPos = 5,
  kDpor = 6,  // replays under IterationConfig::dpor
  kSurw = 7,
  kStateCaching = 8,  // exhaustive with state caching, under ::dpor
};
// The highest StrategyKind a replay token may name.
inline constexpr StrategyKind kLastStrategyKind = StrategyKind::kStateCaching;
// Schedules found by these replay under IterationConfig::dpor's step model.
constexpr bool UsesDporStepModel(StrategyKind kind) {
  return kind == StrategyKind::kDpor || kind == StrategyKind::kStateCaching;
}

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Starts an iteration. Returns false when there are no more schedules
  // (exhaustive search finished); RunIteration then runs nothing.
  virtual bool BeginIteration(uint64_t iteration_seed) = 0;
  // Returns an element of point.runnable. Must not allocate per call in the
  // steady state.
  virtual uint32_t Choose(const SchedulingPoint& point) = 0;
  // Under IterationConfig::state_keys: whether the next Choose reads
  // SchedulingPoint::state (a replayed prefix does not; the key costs a
  // pass over the tasks).
  virtual bool WantsState() const { return true; }
  // Before EndIteration, under IterationConfig::dpor: the tasks whose next
  // step, when the run ended, was a lock attempt waiting for a held lock
  // (a deadlock leaves them so), with those steps' footprints. They never
  // ran, so a strategy that learns races from the steps would miss them.
  virtual void LockedOut(absl::Span<const uint32_t> tasks,
                         absl::Span<const Footprint> next) {}
  virtual void EndIteration(const Trace& trace) {}
  // True once every schedule has been explored.
  virtual bool Complete() const { return false; }
  virtual std::string Name() const = 0;
  virtual StrategyKind kind() const = 0;
  // One line on progress, e.g. "exhaustive: complete: 6 schedules".
  virtual std::string Summary() const { return Name(); }
  // Not OK when the strategy could not do what it was asked (a strict replay
  // diverged, exhaustive search saw a nondeterministic program). Reset by
  // BeginIteration.
  virtual absl::Status Divergence() const { return absl::OkStatus(); }
  // A bounded systematic search: true once its preemption bound has kept
  // it from some schedule (then Complete() means complete within the
  // bound only). False for unbounded and non-systematic strategies.
  virtual bool BoundCut() const { return false; }
  // Schedules explored so far (systematic searches; 0 for the others).
  virtual uint64_t Schedules() const { return 0; }
  // PCT: the most steps one iteration so far counted toward k (PctSteps);
  // 0 for other strategies. How a caller learns k from runs.
  virtual uint64_t MaxCountedSteps() const { return 0; }

  // Splitting a systematic search into disjoint subtrees of the schedule
  // tree (framework/explore/shard_split.h). A subtree is named by its prefix:
  // the task chosen at each scheduling point from the root. Both calls come
  // before the first iteration; a strategy that cannot split returns false.
  //
  // Probe: walk the tree only down to `depth` choices; each run stops
  // branching there. Subtrees() then lists, in the walk's order, every node
  // at that depth with a choice left plus every schedule that ended higher
  // up: together exactly the schedules of the whole walk (or of the
  // subtrees below StartFromPrefixes' prefixes, if both are called). A
  // strategy may list deeper nodes where the levels between have one
  // branch each (DPOR does: its listed prefixes are then longer).
  virtual bool ProbeSubtrees(size_t depth) { return false; }
  virtual std::vector<SubtreeRoot> Subtrees() const { return {}; }
  // Explore only the subtrees below `prefixes` (from a probe of an identical
  // strategy on the same program), one after another, as the whole walk
  // would have explored them; Complete() once the last is done.
  virtual bool StartFromPrefixes(std::vector<std::vector<uint32_t>> prefixes) {
    return false;
  }
};

std::unique_ptr<Strategy> NewRandomWalkStrategy(uint64_t seed);

// Iterative preemption bounding (Musuvathi and Qadeer, PLDI 2007, as CHESS
// does it): `bounded(b)` makes a systematic search at bound b; rounds run
// b = 0, 1, 2, ... one after another, each a fresh search, so a bug shows
// at the fewest preemptions that reach it, and schedules are counted summed
// over the rounds, as the preemption-bounding literature counts them. The
// last round is the first whose bound cut nothing (it was the complete
// unbounded search) or the one at `max_bound` (>= 0; -1 = none). It splits
// across shards by the subtrees of the unbounded search, bounded(-1): each
// round searches the shard's subtrees under its bound (bounded(b) must
// accept prefixes of the unbounded tree), and the shard stops at the first
// bound that cut nothing in them.
std::unique_ptr<Strategy> NewIterativeBoundingStrategy(
    std::function<std::unique_ptr<Strategy>(int bound)> bounded, int max_bound);

// PCT (Burckhardt et al., ASPLOS 2010): random task priorities, `depth` - 1
// priority change points spread over the first `estimated_steps` steps (k,
// fixed: an iteration's schedule depends only on the seeds). A yielding
// task drops to the lowest priority so spin-wait loops make progress.
std::unique_ptr<Strategy> NewPctStrategy(uint64_t seed, int depth,
                                         uint64_t estimated_steps = 64);

// Which steps PCT counts toward k and may place a change point at.
enum class PctSteps : uint8_t {
  // Every step (the paper; NewPctStrategy above). A change point at a step
  // only one task can take, or at one whose next step commutes with every
  // other runnable task's, often changes nothing: a duplicate schedule.
  kAll,
  // Steps at which at least two tasks can run.
  kChoice,
};
struct PctOptions {
  int depth = 3;
  // k: change points fall among the first k counted steps.
  uint64_t estimated_steps = 64;
  PctSteps steps = PctSteps::kAll;
};
std::unique_ptr<Strategy> NewPctStrategy(uint64_t seed,
                                         const PctOptions& options);

// POS (Yuan et al., CAV 2018): random priorities per pending event; the
// events that race with the one that ran are re-drawn (pos.cc).
std::unique_ptr<Strategy> NewPosStrategy(uint64_t seed);

// SURW (Zhao et al., ASPLOS 2025): a random walk that orders the steps on
// shared objects by drawing tasks in proportion to the shared steps they
// have left, which samples those interleavings uniformly (surw.cc).
// weights[ordinal]: the task's expected shared steps, from a profile.
std::unique_ptr<Strategy> NewSurwStrategy(uint64_t seed,
                                          std::vector<uint64_t> weights);
// A random walk that counts each task's shared steps; Weights() is the mean
// over the iterations it ran, by task ordinal (index 0 unused).
class SurwProfile : public Strategy {
 public:
  virtual std::vector<uint64_t> Weights() const = 0;
};
std::unique_ptr<SurwProfile> NewSurwProfiler(uint64_t seed);

struct ExhaustiveOptions {
  // Most preemptions per schedule; -1 = unbounded.
  int preemption_bound = -1;
  // Sleep-set partial-order reduction over step footprints. Without it every
  // interleaving is run.
  bool reduction = true;
  // Stop (Complete() stays false) after this many schedules; 0 = no limit.
  uint64_t max_schedules = 0;
  // StartFromPrefixes' prefixes come from a probe of the unbounded search
  // (a round of a split iterative bounding): each prefix node holds every
  // earlier sibling of the unbounded tree in its sleep set, and a prefix
  // that needs more preemptions than the bound is skipped as cut by it.
  // Otherwise they come from a probe at this same bound.
  bool prefixes_from_unbounded_tree = false;
  // Stateful search (run with IterationConfig::dpor and ::state_keys): a
  // run stops at a state an earlier run has reached with a sleep set no
  // larger, whose subtree is then already explored (Godefroid's condition
  // for sleep sets with state caching). Needs SchedulingPoint::state.
  bool state_caching = false;
  // The most states cached (about 41 bytes each in the hash map: 1 GB at
  // the default); past it states are still looked up but no new one is
  // stored, so runs stop less often (sound, slower), and Summary() says the
  // cache is full.
  uint64_t max_cached_states = 25000000;
};
std::unique_ptr<Strategy> NewExhaustiveStrategy(
    const ExhaustiveOptions& options);

struct DporOptions {
  // Most preemptions per schedule (approximate, see dpor.cc); -1 =
  // unbounded. Summary() says whether the bound cut anything.
  int preemption_bound = -1;
  // Stop (Complete() stays false) after this many schedules; 0 = no limit.
  uint64_t max_schedules = 0;
  // Unbounded: where a run extends freely and the current task cannot go
  // on, the first of these that can run goes next (else the lowest
  // ordinal). Only the order of the search changes, never its classes.
  std::vector<uint32_t> first_tasks;
};
// Optimal dynamic partial-order reduction with wakeup trees and sleep sets
// (Abdulla et al., JACM 2017): explores one schedule per Mazurkiewicz trace
// of the steps (conflicts as Conflicts() says). Iterations must run with
// IterationConfig::dpor set (locks, time and yields as docs/runtime.md
// "DPOR" describes).
std::unique_ptr<Strategy> NewDporStrategy(const DporOptions& options);

enum class ReplayMode {
  // A recorded switch to a task that cannot run, or switches left over at
  // the end, is a divergence (Divergence() names the first step).
  kStrict,
  // Such switches are skipped; the default choice is taken instead.
  kLenient,
};
// `switches` are (step, task) pairs, steps ascending (Trace::Switches()).
std::unique_ptr<Strategy> NewReplayStrategy(
    std::vector<std::pair<uint32_t, uint32_t>> switches, ReplayMode mode);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_STRATEGIES_STRATEGY_H_
