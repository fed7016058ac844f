// One run's fault state and the rule evaluation behind every fault point
// hit (see run_context.h).
#include "framework/run_context.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "framework/check.h"
#include "framework/hooks.h"
#include "framework/rng.h"

namespace faultline {
namespace {

thread_local RunContext* tls_run = nullptr;
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
  bool WaitUntil(absl::FunctionRef<bool()> ready,
                 int64_t timeout_ns) override {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::nanoseconds(timeout_ns);
    while (!ready()) {
      if (std::chrono::steady_clock::now() >= deadline) return ready();
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    return true;
  }
};

}  // namespace

void Executor::OnViolation(const Violation& violation) {
  if (violation.fatal) throw IterationAborted{};
}

RunContext* CurrentRun() { return tls_run; }
TaskIdentity* CurrentTask() { return tls_task; }
void SetCurrentTask(TaskIdentity* task) { tls_task = task; }

ScopedRunContext::ScopedRunContext(RunContext* run) : previous_(tls_run) {
  FL_CHECK(run != nullptr);
  tls_run = run;
}
ScopedRunContext::~ScopedRunContext() { tls_run = previous_; }

RunContext::RunContext(std::shared_ptr<const RuleSet> rules,
                       const RunOptions& options)
    : rules_(std::move(rules)),
      point_count_(rules_ == nullptr ? 0 : rules_->point_count()),
      seed_(options.seed),
      concurrent_(options.concurrent),
      world_(options.world),
      suppressed_fires_(options.suppressed_fires) {
  FL_CHECK(rules_ != nullptr);
  if (options.executor == nullptr) {
    owned_executor_ = std::make_unique<RealTimeExecutor>();
    executor_ = owned_executor_.get();
  } else {
    executor_ = options.executor;
  }
  executor_wants_site_hits_ = executor_->WantsSiteHits();
  BuildSlots();
  main_task_.name = "main";
  main_task_.site_hits.assign(point_count_, 0);
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
  return task;
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
      hot.skip = rule.skip;
      hot.nth = rule.nth;
      hot.max_fires = rule.max_fires;
      hot.filtered = !rule.tasks.empty() || !rule.keys.empty();
      hot.changes_outcome = rule.ChangesOutcome();
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

// Cheap rejects first (rule.h): filters, counters, probability 0. Always
// inlined into Hit; only a rule that may still fire pays for a call.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool RunContext::Decide(
    HotRule& rule, const TaskIdentity& task, uint64_t task_hit,
    uint64_t key) {
  if (rule.filtered && (!rule.rule->MatchesTask(task.name, task.role) ||
                        !rule.rule->MatchesKey(key))) {
    return false;
  }
  const uint64_t match = Bump(rule.matched) + 1;  // 1-based
  if (match <= rule.skip) return false;
  if (rule.nth != 0 && match - rule.skip != rule.nth) return false;
  if (rule.max_fires != 0 &&
      rule.fired.load(std::memory_order_relaxed) >= rule.max_fires) {
    return false;
  }
  if (rule.probability <= 0.0) return false;
  return DecideDraw(rule, task, task_hit);
}

// The hot path while a run is installed. Kept lean on purpose (see
// BENCHMARKS.md "Fault point cost"): no allocation, no lock, and a rule that
// its cheap conditions reject costs no call.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline HitOutcome RunContext::HitImpl(
    const SiteDescriptor& site, uint64_t key) {
  HitOutcome outcome;
  const int32_t index = site.index.load(std::memory_order_relaxed);
  // A site outside this run's registry (another registry in a test, or a
  // library loaded later) is ignored rather than misattributed. The unsigned
  // compare also rejects index -1 (registry not built).
  if (static_cast<uint32_t>(index) >= static_cast<uint32_t>(point_count_)) {
    return outcome;
  }
  TaskIdentity* task = tls_task != nullptr ? tls_task : &main_task_;
  FL_CHECK(task->site_hits.size() == static_cast<size_t>(point_count_));
  const uint64_t task_hit = task->site_hits[index]++;
  PointSlot& slot = points_[index];
  Bump(slot.reached);
  if (executor_wants_site_hits_) executor_->OnSiteHit(*slot.info, key);

  bool outcome_taken = false;
  for (HotRule *rule = slot.rules, *end = rule + slot.rule_count; rule != end;
       ++rule) {
    if (outcome_taken && rule->changes_outcome) continue;
    if (ABSL_PREDICT_TRUE(!Decide(*rule, *task, task_hit, key))) continue;
    outcome = Fire(*rule->rule, slot, key, *task, task_hit, outcome);
    outcome_taken |= rule->changes_outcome;
  }
  // Waiters on this point (wait_for) may now proceed.
  if (slot.waited_on) executor_->Notify();
  return outcome;
}

// The rest of Decide: the random draw, suppression and the fire count.
bool RunContext::DecideDraw(HotRule& hot, const TaskIdentity& task,
                            uint64_t task_hit) {
  const CompiledRule& rule = *hot.rule;
  if (rule.probability < 1.0) {
    const uint64_t bits = DrawBits(
        {seed_, points_[rule.point].info->name_hash, task.ordinal, task_hit,
         static_cast<uint64_t>(rule.ordinal), kStreamFire});
    if (BitsToUnit(bits) >= rule.probability) return false;
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
  return HitImpl(site, key);
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
            bits, static_cast<uint64_t>(rule.delay_ns_max - rule.delay_ns) +
                      1));
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
      executor_->WaitUntil([this, wait_point] { return point_reached(wait_point); },
                           rule.wait_timeout_ns);
      return;
    }
  }
}

void RunContext::ReportViolation(Violation violation) {
  if (violation.task.empty()) {
    violation.task = tls_task != nullptr ? tls_task->name : main_task_.name;
  }
  {
    absl::MutexLock lock(&violations_mu_);
    violations_.push_back(violation);
  }
  executor_->OnViolation(violation);
}

PointCounters RunContext::point_counters(int32_t point) const {
  FL_CHECK(point >= 0 && point < point_count_);
  PointCounters out;
  const PointSlot& in = points_[point];
  out.reached = in.reached.load(std::memory_order_relaxed);
  // Every hit at a point with rules is evaluated, and a RuleSet never
  // changes, so this needs no counter of its own on the hot path.
  out.evaluated = in.rule_count == 0 ? 0 : out.reached;
  for (int i = 0; i < kActionKindCount; ++i) {
    out.fired[i] = in.fired[i].load(std::memory_order_relaxed);
  }
  return out;
}

RuleCounters RunContext::rule_counters(int32_t rule) const {
  FL_CHECK(rule >= 0 && static_cast<size_t>(rule) < hot_rule_of_.size());
  const HotRule& in = hot_rules_[hot_rule_of_[rule]];
  return {in.matched.load(std::memory_order_relaxed),
          in.fired.load(std::memory_order_relaxed)};
}

std::vector<Violation> RunContext::violations() const {
  absl::MutexLock lock(&violations_mu_);
  return violations_;
}

namespace internal {

// The slow paths of the FL_FAULT_* macros (fault_point.h). They live here,
// next to the thread-local run and Hit, so both are inlined: one call per
// hit instead of three.
void HitPoint(const SiteDescriptor* site, uint64_t key) {
  RunContext* run = tls_run;
  if (run != nullptr) run->HitImpl(*site, key);
}

bool HitFail(const SiteDescriptor* site, uint64_t key) {
  RunContext* run = tls_run;
  return run != nullptr && run->HitImpl(*site, key).fail;
}

int64_t HitError(const SiteDescriptor* site, uint64_t key) {
  RunContext* run = tls_run;
  return run == nullptr ? 0 : run->HitImpl(*site, key).error;
}

}  // namespace internal
}  // namespace faultline
