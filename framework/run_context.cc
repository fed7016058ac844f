// One run's fault state and the rule evaluation behind every fault point
// hit (see run_context.h).
#include "framework/run_context.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

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
  const int point_count = rules_->point_count();
  points_ = std::make_unique<AtomicPointCounters[]>(point_count);
  rule_counters_ =
      std::make_unique<AtomicRuleCounters[]>(rules_->rules().size());
  main_task_.name = "main";
  main_task_.site_hits.assign(point_count, 0);
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

HitOutcome RunContext::Hit(const SiteDescriptor& site, uint64_t key) {
  HitOutcome outcome;
  const int32_t index = site.index.load(std::memory_order_relaxed);
  // A site outside this run's registry (another registry in a test, or a
  // library loaded later) is ignored rather than misattributed.
  if (index < 0 || index >= rules_->point_count()) return outcome;
  const PointInfo& point = rules_->sites().point(index);
  TaskIdentity* task = tls_task != nullptr ? tls_task : &main_task_;
  FL_CHECK(task->site_hits.size() == static_cast<size_t>(rules_->point_count()));
  const uint64_t task_hit = task->site_hits[index]++;
  Bump(points_[index].reached);
  executor_->OnSiteHit(point, key);

  const std::vector<int32_t>& rule_ids = rules_->at(index);
  if (!rule_ids.empty()) {
    Bump(points_[index].evaluated);
    bool outcome_taken = false;
    for (int32_t id : rule_ids) {
      const CompiledRule& rule = rules_->rule(id);
      if (outcome_taken && rule.ChangesOutcome()) continue;
      if (!Decide(rule, point, *task, task_hit, key)) continue;
      Bump(points_[index].fired[static_cast<int>(rule.action)]);
      executor_->OnRuleFired(rule, key);
      RunAction(rule, key, *task, task_hit, outcome);
      outcome_taken |= rule.ChangesOutcome();
    }
  }
  // Waiters on this point (wait_for) may now proceed.
  executor_->Notify();
  return outcome;
}

bool RunContext::Decide(const CompiledRule& rule, const PointInfo& point,
                        const TaskIdentity& task, uint64_t task_hit,
                        uint64_t key) {
  if (!rule.MatchesTask(task.name, task.role)) return false;
  if (!rule.MatchesKey(key)) return false;
  AtomicRuleCounters& counters = rule_counters_[rule.ordinal];
  const uint64_t match = Bump(counters.matched) + 1;  // 1-based
  if (match <= rule.skip) return false;
  if (rule.nth != 0 && match - rule.skip != rule.nth) return false;
  if (rule.max_fires != 0 &&
      counters.fired.load(std::memory_order_relaxed) >= rule.max_fires) {
    return false;
  }
  if (rule.probability < 1.0) {
    if (rule.probability <= 0.0) return false;
    const uint64_t bits =
        DrawBits({seed_, point.name_hash, task.ordinal, task_hit,
                  static_cast<uint64_t>(rule.ordinal), kStreamFire});
    if (BitsToUnit(bits) >= rule.probability) return false;
  }
  const uint64_t fire = Bump(next_fire_);
  if (!suppressed_fires_.empty() &&
      std::binary_search(suppressed_fires_.begin(), suppressed_fires_.end(),
                         fire)) {
    return false;
  }
  Bump(counters.fired);
  return true;
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
  PointCounters out;
  const AtomicPointCounters& in = points_[point];
  out.reached = in.reached.load(std::memory_order_relaxed);
  out.evaluated = in.evaluated.load(std::memory_order_relaxed);
  for (int i = 0; i < kActionKindCount; ++i) {
    out.fired[i] = in.fired[i].load(std::memory_order_relaxed);
  }
  return out;
}

RuleCounters RunContext::rule_counters(int32_t rule) const {
  const AtomicRuleCounters& in = rule_counters_[rule];
  return {in.matched.load(std::memory_order_relaxed),
          in.fired.load(std::memory_order_relaxed)};
}

std::vector<Violation> RunContext::violations() const {
  absl::MutexLock lock(&violations_mu_);
  return violations_;
}

}  // namespace faultline
