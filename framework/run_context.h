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
// RunOptions::concurrent is true (the thread backend). Each installation
// (ScopedRunContext) then counts into its own shard of the counters with
// plain loads and stores, and point_counters()/rule_counters() sum the shards
// when read; only a rule with `skip` or `nth` keeps one shared counter that is
// bumped atomically, because its decision needs the exact cross-thread match
// count. The fiber backend runs every task on one OS thread and sets
// concurrent = false: every installation shares one shard.

#ifndef FAULTLINE_FRAMEWORK_RUN_CONTEXT_H_
#define FAULTLINE_FRAMEWORK_RUN_CONTEXT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "framework/action_kind.h"
#include "framework/base/mutex.h"
#include "framework/fault_point.h"
#include "framework/violation.h"

namespace faultline {

// Who is hitting a fault point, with the task's hot-path caches: made by
// NewTask, installed by backends with SetCurrentTask (engine only).
struct TaskIdentity;  // internal/task_identity.h

// The engine's compiled rules and the registry's points (rule.h,
// rule_set.h, site_registry.h): a user only passes them along.
struct CompiledRule;
struct PointInfo;
class RuleSet;

namespace internal {
class CounterShards;  // internal/counter_shards.h
struct HotRule;       // internal/run_slots.h
struct PointSlot;     // internal/run_slots.h
}  // namespace internal

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
  // Fault choices (CompiledRule::branch): the hits at which branching rules
  // fire, as BranchKey()s, sorted. A branching rule fires nowhere else.
  std::vector<uint64_t> branch_fires;
};

// Names a hit of a branching rule the same way in every schedule: the rule,
// the task and the task's own hit count at the point.
inline uint64_t BranchKey(int32_t rule_ordinal, uint32_t task_ordinal,
                          uint64_t task_hit) {
  return (static_cast<uint64_t>(rule_ordinal) << 48) |
         (static_cast<uint64_t>(task_ordinal & 0xffff) << 32) |
         (task_hit & 0xffffffffu);
}
inline int32_t BranchKeyRule(uint64_t key) {
  return static_cast<int32_t>(key >> 48);
}
inline uint32_t BranchKeyTask(uint64_t key) {
  return static_cast<uint32_t>((key >> 32) & 0xffff);
}

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

  // What every FL_FAULT_* macro does while this run is installed. Called on
  // a thread where this run is not the installed one, it installs it for the
  // call.
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
  bool point_reached(int32_t point) const;
  std::vector<Violation> violations() const;
  // Fires so far, counting suppressed ones (their ordinals stay reserved so
  // the remaining fires keep their numbers).
  // The hits of branching rules that could fire in this run (BranchKey()s,
  // in the order reached): each is a fault choice the search may flip.
  const std::vector<uint64_t>& branch_hits() const { return branch_hits_; }
  uint64_t fire_count() const {
    return next_fire_.load(std::memory_order_relaxed);
  }

 private:
  friend class ScopedRunContext;
  using Counter = std::atomic<uint64_t>;

  using HotRule = internal::HotRule;
  using PointSlot = internal::PointSlot;

  // Returns the value before the increment.
  uint64_t Bump(Counter& counter) {
    if (concurrent_) return counter.fetch_add(1, std::memory_order_relaxed);
    uint64_t old = counter.load(std::memory_order_relaxed);
    counter.store(old + 1, std::memory_order_relaxed);
    return old;
  }
  // A shard entry: only the installation that owns the shard writes it.
  static void AddToShard(Counter& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1,
                  std::memory_order_relaxed);
  }
  void BuildSlots();
  void FillTaskCache(TaskIdentity& task) const;
  bool DecideDraw(HotRule& rule, const TaskIdentity& task, bool cached,
                  uint64_t task_hit);
  // The key of a task's fire draws for a rule (TaskIdentity::fire_key).
  uint64_t FireKey(const CompiledRule& rule, uint32_t task_ordinal) const;
  HitOutcome Fire(const CompiledRule& rule, PointSlot& slot, uint64_t key,
                  const TaskIdentity& task, uint64_t task_hit,
                  HitOutcome outcome);
  // Bits of TaskIdentity::point_busy.
  static constexpr uint8_t kBusyRules = 1;     // look at the point's rules
  static constexpr uint8_t kBusySiteHits = 2;  // call Executor::OnSiteHit
  static constexpr uint8_t kBusyDrawOnly = 4;  // TaskIdentity::point_draw
  // A whole hit, for Hit() and for identities without this run's caches.
  // `shard` is the calling thread's installation's shard of this run.
  HitOutcome HitImpl(const SiteDescriptor& site, uint64_t key, Counter* shard);
  // The macros' slow paths (internal::HitPoint/HitFail/HitError) as one
  // template over their result (void, bool fail, int64_t error): the part
  // every armed hit runs is inlined and calls nothing, so it needs no stack
  // frame; anything more is a tail call to SiteHitRest/SiteHitUncached.
  template <typename Result>
  static Result SiteHit(const SiteDescriptor& site, uint64_t key);
  template <typename Result>
  static Result SiteHitRest(RunContext* run, int32_t index, uint64_t key,
                            Counter* shard, TaskIdentity* task);
  template <typename Result>
  static Result SiteHitUncached(RunContext* run, const SiteDescriptor& site,
                                uint64_t key, Counter* shard);
  // The rules of a point, for a hit that cannot skip them.
  HitOutcome HitRules(PointSlot& slot, const TaskIdentity& task, bool cached,
                      uint64_t task_hit, uint64_t key, Counter* shard);
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
  const std::vector<uint64_t> branch_fires_;
  std::vector<uint64_t> branch_hits_;  // fibers only (one thread)
  std::unique_ptr<Executor> owned_executor_;
  Executor* executor_;
  bool executor_wants_site_hits_ = true;
  std::unique_ptr<PointSlot[]> points_;   // point_count_ entries
  std::unique_ptr<HotRule[]> hot_rules_;  // every rule, grouped by point
  std::vector<int32_t> hot_rule_of_;      // rule ordinal -> hot_rules_ index
  // The run's implicit task (ordinal 0, "main").
  std::unique_ptr<TaskIdentity> main_task_;
  // Shards: point_count_ `reached` entries, then one per hot rule (matched,
  // or for inert rules the hits that skipped it).
  std::unique_ptr<internal::CounterShards> shards_;
  std::atomic<uint32_t> next_task_ordinal_{1};
  std::atomic<uint64_t> next_fire_{0};
  // base::Mutex (a std::mutex), not absl::Mutex, for every lock a real thread
  // may take: the system absl is not built with TSAN, so TSAN would not see
  // absl's locking and would report the data it guards as raced
  // (docs/runtime.md).
  mutable base::Mutex violations_mu_;
  std::vector<Violation> violations_ ABSL_GUARDED_BY(violations_mu_);
};

// The run installed on this thread, or nullptr.
RunContext* CurrentRun();
// The task set by the runtime on this thread, or nullptr.
TaskIdentity* CurrentTask();
// Runtime backends call this on every switch to a task.
void SetCurrentTask(TaskIdentity* task);

// Installs `run` on the calling thread for the scope (restoring whatever was
// installed before), with a counter shard of its own when the run is
// concurrent. REQUIRES: `run` outlives the scope; destroyed on the thread
// that made it.
class ScopedRunContext {
 public:
  explicit ScopedRunContext(RunContext* run);
  ~ScopedRunContext();
  ScopedRunContext(const ScopedRunContext&) = delete;
  ScopedRunContext& operator=(const ScopedRunContext&) = delete;

 private:
  RunContext* run_;
  std::atomic<uint64_t>* shard_;
  RunContext* previous_run_;
  std::atomic<uint64_t>* previous_shard_;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUN_CONTEXT_H_
