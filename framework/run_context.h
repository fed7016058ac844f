// -----------------------------------------------------------------------------
// File: run_context.h
// -----------------------------------------------------------------------------
//
// A RunContext is the fault state of one run (one iteration of a plan): the
// compiled rules, the seed every decision is keyed by, the counters, the
// violations found, and the Executor that carries out delays, yields and
// waits. Nothing about a run lives in process globals, so two GoogleTest
// cases may run plans at the same time in one process.
//
// A run is visible to the fault points hit on threads where it is installed
// (ScopedRunContext). Runtime backends install it on every thread they run
// tasks on, and tell it which task is current (TaskIdentity), because random
// decisions are keyed by (seed, point, task ordinal, hit index of that task at
// that point): the same task reaching the same point for the n-th time draws
// the same bits whatever the interleaving.
//
// Example (no scheduler; real time, the calling thread is the only task):
//   auto rules = RuleSet::Compile(plan);
//   RunContext run(*rules, RunOptions{.seed = 42});
//   ScopedRunContext install(&run);
//   CodeWithFaultPoints();
//   EXPECT_EQ(run.point_counters(idx).reached, 3);
//
// Thread-safety: hits may come from any thread the run is installed on when
// RunOptions::concurrent is true (the thread backend); counters are then
// atomic read-modify-writes. The fiber backend runs every task on one OS
// thread and sets concurrent = false, which makes counters plain loads and
// stores.

#ifndef FAULTLINE_FRAMEWORK_RUN_CONTEXT_H_
#define FAULTLINE_FRAMEWORK_RUN_CONTEXT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "framework/fault_point.h"
#include "framework/rule.h"
#include "framework/rule_set.h"
#include "framework/violation.h"

namespace faultline {

// Who is hitting a fault point. Runtime backends own one per task and
// install it with SetCurrentTask(); a thread with none uses the run's
// implicit task (ordinal 0, name "main").
struct TaskIdentity {
  uint32_t ordinal = 0;
  std::string name;
  std::string role;
  std::vector<uint64_t> site_hits;  // per point index: hits by this task
};

// Carries out the actions that need a notion of time and tasks. The default
// (RealTimeExecutor in run_context.cc) sleeps and polls on real threads; the
// fiber backend supplies a virtual-time, deterministic one.
class Executor {
 public:
  virtual ~Executor() = default;

  // Every hit of every site, before rules are evaluated. The fiber backend
  // makes this a scheduling point. Called only if WantsSiteHits().
  virtual void OnSiteHit(const PointInfo& point, uint64_t key) {}
  // False lets hits skip the OnSiteHit call (read once, at run start).
  virtual bool WantsSiteHits() const { return true; }
  // A rule fired (after counters were updated, before its action runs).
  virtual void OnRuleFired(const CompiledRule& rule, uint64_t key) {}
  virtual void Delay(int64_t ns) = 0;
  virtual void Yield() = 0;
  // Blocks the current task until `ready()` or `timeout_ns` passed; returns
  // the last value of ready(). The fiber backend re-evaluates ready() when
  // Notify() is called.
  virtual bool WaitUntil(absl::FunctionRef<bool()> ready,
                         int64_t timeout_ns) = 0;
  virtual void Notify() {}
  // Called after a violation was recorded. The default throws
  // IterationAborted for fatal ones.
  virtual void OnViolation(const Violation& violation);
};

struct RunOptions {
  uint64_t seed = 0;
  // nullptr: a RealTimeExecutor owned by the run.
  Executor* executor = nullptr;
  // Hits may come from several OS threads at once.
  bool concurrent = true;
  // The scenario's world, for hooks (HookCall::run.world<T>()).
  void* world = nullptr;
  // Fire ordinals (0-based, in the order rules fired during this run) that
  // must not fire: the minimizer replays a failing run with some of its
  // injected faults removed. Sorted ascending.
  std::vector<uint64_t> suppressed_fires;
};

struct PointCounters {
  uint64_t reached = 0;    // hits
  uint64_t evaluated = 0;  // hits at a point that has rules
  uint64_t fired[kActionKindCount] = {};
};

struct RuleCounters {
  uint64_t matched = 0;  // hits that passed task and key filters
  uint64_t fired = 0;
};

// What a hit decided for the site's return value.
struct HitOutcome {
  bool fail = false;
  int64_t error = 0;
};

class RunContext {
 public:
  RunContext(std::shared_ptr<const RuleSet> rules, const RunOptions& options);
  ~RunContext();
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  // The slow path of every FL_FAULT_* macro while this run is installed.
  HitOutcome Hit(const SiteDescriptor& site, uint64_t key);

  // A task identity with the next ordinal (1, 2, ...), sized for this run.
  // Ordinals follow creation order, so a deterministic spawn order gives
  // deterministic keys.
  std::unique_ptr<TaskIdentity> NewTask(std::string name, std::string role);

  // Records a violation (thread-safe) and tells the executor.
  void ReportViolation(Violation violation);

  uint64_t seed() const { return seed_; }
  const RuleSet& rules() const { return *rules_; }
  Executor& executor() { return *executor_; }
  template <typename T>
  T* world() const {
    return static_cast<T*>(world_);
  }
  void set_world(void* world) { world_ = world; }

  // Snapshots (plain values) of the counters.
  PointCounters point_counters(int32_t point) const;
  RuleCounters rule_counters(int32_t rule) const;
  bool point_reached(int32_t point) const {
    return points_[point].reached.load(std::memory_order_relaxed) != 0;
  }
  std::vector<Violation> violations() const;
  // Fires so far, counting suppressed ones (their ordinals stay reserved so
  // the remaining fires keep their numbers).
  uint64_t fire_count() const {
    return next_fire_.load(std::memory_order_relaxed);
  }

 private:
  // The hot fields of one rule plus its counters, stored per point in plan
  // order, so a hit reads one contiguous block instead of chasing
  // RuleSet -> by_point -> rule -> counters (see BENCHMARKS.md).
  struct HotRule {
    const CompiledRule* rule = nullptr;
    double probability = 1.0;
    uint64_t skip = 0;
    uint64_t nth = 0;
    uint64_t max_fires = 0;
    bool filtered = false;  // has a task or key filter
    bool changes_outcome = false;
    std::atomic<uint64_t> matched{0};
    std::atomic<uint64_t> fired{0};
  };
  // One per point. `evaluated` is derived from `reached` (point_counters()).
  struct PointSlot {
    std::atomic<uint64_t> reached{0};
    std::atomic<uint64_t> fired[kActionKindCount] = {};
    const PointInfo* info = nullptr;
    HotRule* rules = nullptr;  // rule_count entries of hot_rules_
    uint32_t rule_count = 0;
    // Some wait_for rule waits for this point: a hit must wake waiters.
    bool waited_on = false;
  };

  // Returns the value before the increment.
  uint64_t Bump(std::atomic<uint64_t>& counter) {
    if (concurrent_) return counter.fetch_add(1, std::memory_order_relaxed);
    uint64_t old = counter.load(std::memory_order_relaxed);
    counter.store(old + 1, std::memory_order_relaxed);
    return old;
  }
  void BuildSlots();
  bool Decide(HotRule& rule, const TaskIdentity& task, uint64_t task_hit,
              uint64_t key);
  bool DecideDraw(HotRule& rule, const TaskIdentity& task, uint64_t task_hit);
  HitOutcome Fire(const CompiledRule& rule, PointSlot& slot, uint64_t key,
                  const TaskIdentity& task, uint64_t task_hit,
                  HitOutcome outcome);
  // Hit's body, inlined into Hit and into the macros' slow paths
  // (internal::HitPoint/HitFail/HitError, defined in run_context.cc).
  HitOutcome HitImpl(const SiteDescriptor& site, uint64_t key);
  friend void internal::HitPoint(const SiteDescriptor* site, uint64_t key);
  friend bool internal::HitFail(const SiteDescriptor* site, uint64_t key);
  friend int64_t internal::HitError(const SiteDescriptor* site, uint64_t key);
  void RunAction(const CompiledRule& rule, uint64_t key,
                 const TaskIdentity& task, uint64_t task_hit,
                 HitOutcome& outcome);

  std::shared_ptr<const RuleSet> rules_;
  const int point_count_;  // rules_->point_count(), read on every hit
  const uint64_t seed_;
  const bool concurrent_;
  void* world_;
  const std::vector<uint64_t> suppressed_fires_;
  std::unique_ptr<Executor> owned_executor_;
  Executor* executor_;
  bool executor_wants_site_hits_ = true;
  std::unique_ptr<PointSlot[]> points_;     // point_count_ entries
  std::unique_ptr<HotRule[]> hot_rules_;    // every rule, grouped by point
  std::vector<int32_t> hot_rule_of_;        // rule ordinal -> hot_rules_ index
  TaskIdentity main_task_;
  std::atomic<uint32_t> next_task_ordinal_{1};
  std::atomic<uint64_t> next_fire_{0};
  mutable absl::Mutex violations_mu_;
  std::vector<Violation> violations_ ABSL_GUARDED_BY(violations_mu_);
};

// The run installed on this thread, or nullptr.
RunContext* CurrentRun();
// The task set by the runtime on this thread, or nullptr.
TaskIdentity* CurrentTask();
// Runtime backends call this on every switch to a task.
void SetCurrentTask(TaskIdentity* task);

// Installs `run` on the calling thread for the scope (restoring whatever was
// installed before). REQUIRES: `run` outlives the scope.
class ScopedRunContext {
 public:
  explicit ScopedRunContext(RunContext* run);
  ~ScopedRunContext();
  ScopedRunContext(const ScopedRunContext&) = delete;
  ScopedRunContext& operator=(const ScopedRunContext&) = delete;

 private:
  RunContext* previous_;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUN_CONTEXT_H_
