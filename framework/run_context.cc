// One run's fault state and the rule evaluation behind every fault point
// hit (see run_context.h).
#include "framework/run_context.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "framework/check.h"
#include "framework/hooks.h"
#include "framework/internal/counter_shards.h"
#include "framework/internal/run_slots.h"
#include "framework/internal/task_identity.h"
#include "framework/rng.h"
#include "framework/rule_set.h"
#include "framework/site_registry.h"
#include "framework/swarm.h"

namespace faultline {
namespace {

// The run installed on this thread and its installation's counter shard,
// read together by every hit.
struct Installed {
  RunContext* run = nullptr;
  std::atomic<uint64_t>* shard = nullptr;
};
thread_local Installed tls_installed;
thread_local TaskIdentity* tls_task = nullptr;

// Draw streams, so two uses of one hit's key never share bits.
constexpr uint64_t kStreamFire = 1;
constexpr uint64_t kStreamDelay = 2;

// Real threads, real time. Used by runs with no scheduler (plain code under
// a plan) and as the thread backend's base.
class RealTimeExecutor final : public Executor {
 public:
  bool WantsSiteHits() const override { return false; }
  void Delay(int64_t ns) override {
    if (ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
  }
  void Yield() override { std::this_thread::yield(); }
  bool WaitUntil(absl::FunctionRef<bool()> ready, int64_t timeout_ns) override {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns);
    while (!ready()) {
      if (std::chrono::steady_clock::now() >= deadline) return ready();
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    return true;
  }
};

// FL_BUG_ON / FL_WARN_ON report here (check.h, SetCheckReporter).
bool ReportToCurrentRun(const Violation& violation) {
  RunContext* run = CurrentRun();
  if (run == nullptr) return false;
  run->ReportViolation(violation);
  return true;
}

}  // namespace

void Executor::OnViolation(const Violation& violation) {
  if (violation.fatal) throw IterationAborted{};
}

RunContext* CurrentRun() { return tls_installed.run; }
TaskIdentity* CurrentTask() { return tls_task; }
void SetCurrentTask(TaskIdentity* task) { tls_task = task; }

ScopedRunContext::ScopedRunContext(RunContext* run)
    : run_(run),
      shard_(nullptr),
      previous_run_(tls_installed.run),
      previous_shard_(tls_installed.shard) {
  FL_CHECK(run != nullptr);
  shard_ = run->shards_->Acquire();
  tls_installed = {run, shard_};
}
ScopedRunContext::~ScopedRunContext() {
  tls_installed = {previous_run_, previous_shard_};
  run_->shards_->Release(shard_);
}

RunContext::RunContext(std::shared_ptr<const RuleSet> rules,
                       const RunOptions& options)
    : rules_(std::move(rules)),
      point_count_(rules_ == nullptr ? 0 : rules_->point_count()),
      seed_(options.seed),
      concurrent_(options.concurrent),
      world_(options.world),
      suppressed_fires_(options.suppressed_fires),
      branch_fires_(options.branch_fires) {
  FL_CHECK(rules_ != nullptr);
  internal::SetCheckReporter(&ReportToCurrentRun);
  if (options.executor == nullptr) {
    owned_executor_ = std::make_unique<RealTimeExecutor>();
    executor_ = owned_executor_.get();
  } else {
    executor_ = options.executor;
  }
  executor_wants_site_hits_ = executor_->WantsSiteHits();
  BuildSlots();
  main_task_ = std::make_unique<TaskIdentity>();
  main_task_->name = "main";
  main_task_->site_hits.assign(point_count_, 0);
  FillTaskCache(*main_task_);
  shards_ = std::make_unique<internal::CounterShards>(
      static_cast<size_t>(point_count_) + rules_->rules().size(), concurrent_);
  internal::g_active_runs.fetch_add(1, std::memory_order_release);
}

RunContext::~RunContext() {
  internal::g_active_runs.fetch_sub(1, std::memory_order_release);
}

std::unique_ptr<TaskIdentity> RunContext::NewTask(std::string name,
                                                  std::string role) {
  auto task = std::make_unique<TaskIdentity>();
  task->ordinal = next_task_ordinal_.fetch_add(1, std::memory_order_relaxed);
  task->name = std::move(name);
  task->role = std::move(role);
  task->site_hits.assign(rules_->point_count(), 0);
  FillTaskCache(*task);
  return task;
}

void RunContext::FillTaskCache(TaskIdentity& task) const {
  const size_t rule_count = hot_rule_of_.size();
  task.rule_task_match.assign(rule_count, 1);
  task.point_busy.assign(point_count_, 0);
  task.fire_key.assign(rule_count, 0);
  task.point_draw.assign(point_count_, TaskIdentity::PointDraw{});
  for (int32_t point = 0; point < point_count_; ++point) {
    const PointSlot& slot = points_[point];
    bool busy = slot.waited_on;
    int acting = 0;  // rules here that can act for this task
    const HotRule* drawing = nullptr;
    for (uint32_t i = 0; i < slot.rule_count; ++i) {
      const HotRule& hot = slot.rules[i];
      const bool match = !hot.task_filtered ||
                         SwarmRuleMatchesTask(*hot.rule, seed_, *slot.info,
                                              task.name, task.role);
      task.rule_task_match[hot.hot_index] = match;
      const bool draws = hot.probability > 0.0 && hot.probability < 1.0;
      if (match && draws) {
        task.fire_key[hot.hot_index] = FireKey(*hot.rule, task.ordinal);
      }
      if (match && !hot.inert) {
        busy = true;
        ++acting;
        if (draws && !hot.key_filtered && !hot.shared_matched &&
            hot.max_fires == 0) {
          drawing = &hot;
        }
      }
    }
    // Inert rules need nothing from a hit that does not fire (HitRules).
    const bool draw_only = !slot.waited_on && acting == 1 && drawing != nullptr;
    if (draw_only) {
      task.point_draw[point] = {task.fire_key[drawing->hot_index],
                                drawing->fire_below, drawing->hot_index};
    }
    task.point_busy[point] = (busy ? kBusyRules : 0) |
                             (draw_only ? kBusyDrawOnly : 0) |
                             (executor_wants_site_hits_ ? kBusySiteHits : 0);
  }
  task.cache_owner = this;
}

void RunContext::BuildSlots() {
  const size_t rule_count = rules_->rules().size();
  points_ = std::make_unique<PointSlot[]>(point_count_);
  hot_rules_ = std::make_unique<HotRule[]>(rule_count);
  hot_rule_of_.assign(rule_count, -1);
  int32_t next = 0;
  for (int32_t point = 0; point < point_count_; ++point) {
    PointSlot& slot = points_[point];
    slot.info = &rules_->sites().point(point);
    slot.rules = &hot_rules_[next];
    for (int32_t id : rules_->at(point)) {
      const CompiledRule& rule = rules_->rule(id);
      FL_CHECK(rule.point == point);
      HotRule& hot = hot_rules_[next];
      hot.rule = &rule;
      hot.probability = rule.probability;
      if (rule.swarm_arm_probability > 0 && !rule.swarm_per_task &&
          !SwarmArmed(seed_, *slot.info, rule.swarm_arm_probability)) {
        hot.probability = 0;  // not armed in this run
      }
      hot.fire_below = UnitBound(hot.probability);
      hot.skip = rule.skip;
      hot.nth = rule.nth;
      hot.max_fires = rule.max_fires;
      hot.hot_index = static_cast<uint32_t>(next);
      // A per-task swarm rule is armed per task: a task filter of its own.
      hot.task_filtered = !rule.tasks.empty() || rule.swarm_per_task;
      hot.key_filtered = !rule.keys.empty();
      hot.changes_outcome = rule.ChangesOutcome();
      hot.shared_matched = rule.skip != 0 || rule.nth != 0;
      hot.inert = !hot.task_filtered && !hot.key_filtered &&
                  !hot.shared_matched && hot.probability <= 0.0;
      hot_rule_of_[id] = next++;
      ++slot.rule_count;
    }
  }
  FL_CHECK(static_cast<size_t>(next) == rule_count);
  for (const CompiledRule& rule : rules_->rules()) {
    if (rule.action == ActionKind::kWaitFor) {
      points_[rule.wait_point].waited_on = true;
    }
  }
}

// The hot path while a run is installed. Kept lean on purpose (see
// BENCHMARKS.md "Fault point cost"): no allocation, no lock, no atomic
// read-modify-write, and a hit whose task no rule at the point can act for
// (the task's point_busy cache) makes no call.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline HitOutcome RunContext::HitImpl(
    const SiteDescriptor& site, uint64_t key, Counter* shard) {
  const int32_t index = site.index.load(std::memory_order_relaxed);
  // A site outside this run's registry (another registry in a test, or a
  // library loaded later) is ignored rather than misattributed. The unsigned
  // compare also rejects index -1 (registry not built).
  if (static_cast<uint32_t>(index) >= static_cast<uint32_t>(point_count_)) {
    return HitOutcome{};
  }
  TaskIdentity* task = tls_task != nullptr ? tls_task : main_task_.get();
  // NewTask sized the caches of this run's identities; check the others.
  const bool cached = task->cache_owner == this;
  if (!cached) {
    FL_CHECK(task->site_hits.size() == static_cast<size_t>(point_count_));
  }
  const uint64_t task_hit = task->site_hits[index]++;
  AddToShard(shard[index]);  // reached
  if (executor_wants_site_hits_) {
    executor_->OnSiteHit(*points_[index].info, key);
  }
  if (cached && (task->point_busy[index] & kBusyRules) == 0) {
    return HitOutcome{};
  }
  return HitRules(points_[index], *task, cached, task_hit, key, shard);
}

namespace {
template <typename Result>
Result AsResult(const HitOutcome& outcome) {
  if constexpr (std::is_same_v<Result, bool>) {
    return outcome.fail;
  } else if constexpr (std::is_same_v<Result, int64_t>) {
    return outcome.error;
  }
}
}  // namespace

// The armed hit as the macros see it: the same steps as HitImpl, split so
// that a hit with nothing to do beyond counting (no rule at the point can act
// for this task, nobody wants site hits) returns without a call.
template <typename Result>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline Result RunContext::SiteHit(
    const SiteDescriptor& site, uint64_t key) {
  const Installed installed = tls_installed;
  RunContext* const run = installed.run;
  if (run == nullptr) return Result();
  const int32_t index = site.index.load(std::memory_order_relaxed);
  if (static_cast<uint32_t>(index) >=
      static_cast<uint32_t>(run->point_count_)) {
    return Result();
  }
  TaskIdentity* const task =
      tls_task != nullptr ? tls_task : run->main_task_.get();
  if (ABSL_PREDICT_FALSE(task->cache_owner != run)) {
    return SiteHitUncached<Result>(run, site, key, installed.shard);
  }
  const uint64_t task_hit = task->site_hits[index]++;
  AddToShard(installed.shard[index]);  // reached
  const uint8_t busy = task->point_busy[index];
  if (ABSL_PREDICT_FALSE(busy != 0)) {
    // One drawing rule and a draw that does not fire: the whole of HitRules
    // for this hit is counting the rule's `matched`.
    if (busy == (kBusyRules | kBusyDrawOnly)) {
      const TaskIdentity::PointDraw& draw = task->point_draw[index];
      if (!BitsBelowUnit(KeyedBits(draw.key, task_hit), draw.fire_below)) {
        AddToShard(installed.shard[run->point_count_ + draw.hot_index]);
        return Result();
      }
    }
    return SiteHitRest<Result>(run, index, key, installed.shard, task);
  }
  return Result();
}

template <typename Result>
ABSL_ATTRIBUTE_NOINLINE Result RunContext::SiteHitRest(RunContext* run,
                                                       int32_t index,
                                                       uint64_t key,
                                                       Counter* shard,
                                                       TaskIdentity* task) {
  // This task's hit index at the point, before SiteHit counted this hit.
  const uint64_t task_hit = task->site_hits[index] - 1;
  PointSlot& slot = run->points_[index];
  if (run->executor_wants_site_hits_) {
    run->executor_->OnSiteHit(*slot.info, key);
  }
  if ((task->point_busy[index] & kBusyRules) == 0) return Result();
  return AsResult<Result>(
      run->HitRules(slot, *task, /*cached=*/true, task_hit, key, shard));
}

template <typename Result>
ABSL_ATTRIBUTE_NOINLINE Result RunContext::SiteHitUncached(
    RunContext* run, const SiteDescriptor& site, uint64_t key, Counter* shard) {
  return AsResult<Result>(run->HitImpl(site, key, shard));
}

// Evaluation order as in rule.h: filters, counters, probability 0, then the
// draw (DecideDraw); a rule that fires runs its action (Fire).
HitOutcome RunContext::HitRules(PointSlot& slot, const TaskIdentity& task,
                                bool cached, uint64_t task_hit, uint64_t key,
                                Counter* shard) {
  // Waiters on this point (wait_for) may proceed as soon as a task arrives,
  // before this hit's own actions run: a task that pauses here (a delay or
  // its own wait_for) is inside the window the waiter is waiting for. Two
  // tasks can thereby meet in a race window from both sides without
  // deadlocking (docs/plan_reference.md, "wait_for").
  if (slot.waited_on) {
    if (!slot.reached_flag.load(std::memory_order_relaxed)) {
      slot.reached_flag.store(true, std::memory_order_release);
    }
    executor_->Notify();
  }
  HitOutcome outcome;
  Counter* const rule_shard = shard + point_count_;
  bool outcome_taken = false;
  for (HotRule *rule = slot.rules, *end = rule + slot.rule_count; rule != end;
       ++rule) {
    if (outcome_taken && rule->changes_outcome) {
      // Not evaluated: an inert rule's derived matched must not count it.
      if (rule->inert) AddToShard(rule_shard[rule->hot_index]);
      continue;
    }
    if (rule->inert) continue;  // matched = reached - skipped (see HotRule)
    if (rule->task_filtered &&
        !(cached ? task.rule_task_match[rule->hot_index] != 0
                 : SwarmRuleMatchesTask(*rule->rule, seed_, *slot.info,
                                        task.name, task.role))) {
      continue;
    }
    if (rule->key_filtered && !rule->rule->MatchesKey(key)) continue;
    if (rule->shared_matched) {
      const uint64_t match = Bump(rule->matched) + 1;  // 1-based
      if (match <= rule->skip) continue;
      if (rule->nth != 0 && match - rule->skip != rule->nth) continue;
    } else {
      AddToShard(rule_shard[rule->hot_index]);
    }
    if (rule->max_fires != 0 &&
        rule->fired.load(std::memory_order_relaxed) >= rule->max_fires) {
      continue;
    }
    if (rule->probability <= 0.0) continue;
    if (rule->rule->branch) {
      // A fault choice: fire where the search says.
      FL_CHECK(!concurrent_);
      const uint64_t choice =
          BranchKey(rule->rule->ordinal, task.ordinal, task_hit);
      branch_hits_.push_back(choice);
      if (!std::binary_search(branch_fires_.begin(), branch_fires_.end(),
                              choice)) {
        continue;
      }
    }
    if (!DecideDraw(*rule, task, cached, task_hit)) continue;
    outcome = Fire(*rule->rule, slot, key, task, task_hit, outcome);
    outcome_taken |= rule->changes_outcome;
  }
  return outcome;
}

uint64_t RunContext::FireKey(const CompiledRule& rule,
                             uint32_t task_ordinal) const {
  return DrawBits({seed_, points_[rule.point].info->name_hash, task_ordinal,
                   static_cast<uint64_t>(rule.ordinal), kStreamFire});
}

// The rest of Decide: the random draw, suppression and the fire count. The
// draw for a task's hit h is KeyedBits(key, h) from the task's cached key for
// the rule (FireKey): one SplitMix64 output per hit, still a pure function of
// (seed, point, task, hit, rule).
bool RunContext::DecideDraw(HotRule& hot, const TaskIdentity& task, bool cached,
                            uint64_t task_hit) {
  if (hot.probability < 1.0) {
    const uint64_t key = cached ? task.fire_key[hot.hot_index]
                                : FireKey(*hot.rule, task.ordinal);
    if (!BitsBelowUnit(KeyedBits(key, task_hit), hot.fire_below)) return false;
  }
  const uint64_t fire = Bump(next_fire_);
  if (!suppressed_fires_.empty() &&
      std::binary_search(suppressed_fires_.begin(), suppressed_fires_.end(),
                         fire)) {
    return false;
  }
  Bump(hot.fired);
  return true;
}

// Takes and returns the outcome by value so that Hit keeps it in registers
// (a reference would pin it to the stack on the non-firing path too).
HitOutcome RunContext::Fire(const CompiledRule& rule, PointSlot& slot,
                            uint64_t key, const TaskIdentity& task,
                            uint64_t task_hit, HitOutcome outcome) {
  Bump(slot.fired[static_cast<int>(rule.action)]);
  executor_->OnRuleFired(rule, key);
  RunAction(rule, key, task, task_hit, outcome);
  return outcome;
}

HitOutcome RunContext::Hit(const SiteDescriptor& site, uint64_t key) {
  if (tls_installed.run == this) {
    return HitImpl(site, key, tls_installed.shard);
  }
  ScopedRunContext install(this);
  return HitImpl(site, key, tls_installed.shard);
}

void RunContext::RunAction(const CompiledRule& rule, uint64_t key,
                           const TaskIdentity& task, uint64_t task_hit,
                           HitOutcome& outcome) {
  switch (rule.action) {
    case ActionKind::kFail:
      outcome.fail = true;
      return;
    case ActionKind::kError:
      outcome.error = rule.error;
      return;
    case ActionKind::kDelay: {
      int64_t ns = rule.delay_ns;
      if (rule.delay_ns_max > rule.delay_ns) {
        const uint64_t bits = DrawBits(
            {seed_, rules_->sites().point(rule.point).name_hash, task.ordinal,
             task_hit, static_cast<uint64_t>(rule.ordinal), kStreamDelay});
        ns += static_cast<int64_t>(BitsBelow(
            bits,
            static_cast<uint64_t>(rule.delay_ns_max - rule.delay_ns) + 1));
      }
      executor_->Delay(ns);
      return;
    }
    case ActionKind::kYield:
      executor_->Yield();
      return;
    case ActionKind::kTrigger: {
      HookCall call{*this, rule, rule.hook_arg, key};
      HookRegistry::Global().hook(rule.hook_index).fn(call);
      return;
    }
    case ActionKind::kWaitFor: {
      const int32_t wait_point = rule.wait_point;
      executor_->WaitUntil(
          [this, wait_point] { return point_reached(wait_point); },
          rule.wait_timeout_ns);
      return;
    }
  }
}

void RunContext::ReportViolation(Violation violation) {
  if (violation.task.empty()) {
    violation.task = tls_task != nullptr ? tls_task->name : main_task_->name;
  }
  {
    base::MutexLock lock(&violations_mu_);
    violations_.push_back(violation);
  }
  executor_->OnViolation(violation);
}

namespace internal {

// The slow paths of the FL_FAULT_* macros (fault_point.h). They live here,
// next to the thread-local run, so that the thread-local reads and the
// counting part of the hit (SiteHit) are inlined into them: one call per
// armed hit that no rule acts on, and no stack frame.
void HitPoint(const SiteDescriptor* site, uint64_t key) {
  RunContext::SiteHit<void>(*site, key);
}

bool HitFail(const SiteDescriptor* site, uint64_t key) {
  return RunContext::SiteHit<bool>(*site, key);
}

int64_t HitError(const SiteDescriptor* site, uint64_t key) {
  return RunContext::SiteHit<int64_t>(*site, key);
}

}  // namespace internal
}  // namespace faultline
