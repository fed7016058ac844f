// Delta-debugging a failing run down to what the race needs (see
// minimize.h).
#include "framework/explore/minimize.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>

#include "framework/check.h"
#include "framework/plan_loader.h"
#include "framework/rule_set.h"
#include "framework/runtime/strategies/strategy.h"

namespace faultline {
namespace {

// Zeller's ddmin over complements: removes ever smaller chunks of `items`
// while `still_fails(kept)` holds. Stops early when `budget` runs out.
template <typename T>
std::vector<T> Ddmin(
    std::vector<T> items,
    const std::function<bool(const std::vector<T>&)>& still_fails,
    const std::function<bool()>& budget_left) {
  const size_t original_size = items.size();
  if (items.empty()) return items;
  if (budget_left() && still_fails({})) return {};
  size_t granularity = 2;
  while (items.size() >= 2 || (items.size() == 1 && granularity <= 2)) {
    const size_t chunk = (items.size() + granularity - 1) / granularity;
    bool reduced = false;
    for (size_t start = 0; start < items.size(); start += chunk) {
      if (!budget_left()) return items;
      std::vector<T> candidate(items.begin(), items.begin() + start);
      candidate.insert(candidate.end(),
                       items.begin() + std::min(items.size(), start + chunk),
                       items.end());
      if (still_fails(candidate)) {
        items = std::move(candidate);
        granularity = std::max<size_t>(granularity - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (granularity >= items.size()) break;
      granularity = std::min(items.size(), granularity * 2);
    }
  }
  FL_CHECK(items.size() <= original_size);
  return items;
}

std::vector<uint64_t> Complement(uint64_t count,
                                 const std::vector<uint64_t>& kept,
                                 const std::vector<uint64_t>& base) {
  FL_CHECK(std::is_sorted(kept.begin(), kept.end()));
  FL_CHECK(std::is_sorted(base.begin(), base.end()));
  std::vector<uint64_t> out = base;
  for (uint64_t i = 0; i < count; ++i) {
    if (!std::binary_search(kept.begin(), kept.end(), i) &&
        !std::binary_search(base.begin(), base.end(), i)) {
      out.push_back(i);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool HasViolation(const IterationResult& result, const std::string& check) {
  for (const Violation& v : result.violations) {
    if (v.check == check) return true;
  }
  return false;
}

uint32_t CountFires(const IterationResult& result) {
  uint64_t fires = 0;
  for (const RuleCounters& rule : result.rules) fires += rule.fired;
  return static_cast<uint32_t>(fires);
}

namespace {

// One iteration of `run`'s scenario, rules, seed and suppressed fires on
// `backend` (strategy: fibers only).
IterationResult RunOnce(const FailingRun& run, IterationConfig::Backend backend,
                        Strategy* strategy, bool render) {
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules =
      RuleSet::Compile(run.plan);
  FL_CHECK(rules.ok());
  const ScenarioInfo* scenario =
      ScenarioRegistry::Global().Find(run.plan.scenario().name());
  FL_CHECK(scenario != nullptr);
  const ScenarioArgs args =
      ScenarioArgs::FromPlan(*scenario, run.plan.scenario());
  IterationConfig config;
  config.backend = backend;
  config.strategy = strategy;
  config.seed = run.seed;
  config.max_steps = run.max_steps;
  config.wall_time_limit_ms = IterationTimeoutMs(run.plan.exploration());
  config.thread_timeout_ms = config.wall_time_limit_ms;
  config.scenario = scenario;
  config.args = &args;
  config.rules = *rules;
  config.suppressed_fires = run.suppressed_fires;
  config.dpor = run.dpor;
  config.branch_fires = run.branch_fires;
  config.probe_each_step = render;
  return RunIteration(config);
}

}  // namespace

IterationResult ReplayRun(const FailingRun& run, ReplayMode mode, bool render) {
  FL_CHECK(!run.threads);  // threads cannot be replayed step by step
  std::unique_ptr<Strategy> strategy = NewReplayStrategy(run.switches, mode);
  return RunOnce(run, IterationConfig::Backend::kFibers, strategy.get(),
                 render);
}

ThreadRerun RerunThreads(const FailingRun& run, int max_attempts) {
  FL_CHECK(max_attempts > 0);
  ThreadRerun out;
  while (out.attempts < max_attempts) {
    ++out.attempts;
    out.last = RunOnce(run, IterationConfig::Backend::kThreads, nullptr, false);
    const bool failed = run.check.empty() ? !out.last.violations.empty()
                                          : HasViolation(out.last, run.check);
    if (failed) {
      out.reproduced = true;
      break;
    }
  }
  return out;
}

namespace {

// The replays one Minimize call spends. Every replay counts, and the
// shrinking steps stop trying candidates once `max` is reached.
class ReplayBudget {
 public:
  ReplayBudget(uint32_t max, uint32_t* used) : max_(max), used_(used) {}

  bool left() const { return *used_ < max_; }

  // Replays `candidate`; true if its check still fails.
  bool Fails(const FailingRun& candidate) {
    ++*used_;
    return HasViolation(ReplayRun(candidate), candidate.check);
  }

 private:
  const uint32_t max_;
  uint32_t* const used_;
};

// Step 1: the fewest of `base`'s injected fault fires that still fail; the
// others join the run's suppressed fires.
void DropFaults(const IterationResult& base, ReplayBudget& budget,
                FailingRun& run) {
  std::vector<uint64_t> fired;
  for (uint64_t i = 0; i < base.fire_count; ++i) {
    if (!std::binary_search(run.suppressed_fires.begin(),
                            run.suppressed_fires.end(), i)) {
      fired.push_back(i);
    }
  }
  const std::vector<uint64_t> base_suppressed = run.suppressed_fires;
  const uint64_t fire_count = base.fire_count;
  std::vector<uint64_t> kept_fires = Ddmin<uint64_t>(
      fired,
      [&](const std::vector<uint64_t>& kept) {
        FailingRun candidate = run;
        candidate.suppressed_fires =
            Complement(fire_count, kept, base_suppressed);
        return budget.Fails(candidate);
      },
      [&] { return budget.left(); });
  run.suppressed_fires = Complement(fire_count, kept_fires, base_suppressed);
  FL_CHECK(kept_fires.size() <= fired.size());
}

// Step 2: the fewest preemptions and other non-default switches that still
// fail.
void DropSwitches(ReplayBudget& budget, FailingRun& run) {
  run.switches = Ddmin<std::pair<uint32_t, uint32_t>>(
      run.switches,
      [&](const std::vector<std::pair<uint32_t, uint32_t>>& kept) {
        FailingRun candidate = run;
        candidate.switches = kept;
        return budget.Fails(candidate);
      },
      [&] { return budget.left(); });
}

// Step 3: halves each delay rule while the check still fails.
void ShortenDelays(ReplayBudget& budget, FailingRun& run) {
  for (int i = 0; i < run.plan.rules_size(); ++i) {
    while (budget.left() && run.plan.rules(i).has_delay() &&
           run.plan.rules(i).delay().ns() > 0) {
      FailingRun candidate = run;
      Delay* delay = candidate.plan.mutable_rules(i)->mutable_delay();
      delay->set_ns(delay->ns() / 2);
      if (delay->max_ns() > 0) delay->set_max_ns(delay->max_ns() / 2);
      if (!budget.Fails(candidate)) break;
      run = std::move(candidate);
    }
  }
}

}  // namespace

MinimizeResult Minimize(const FailingRun& failing,
                        const MinimizeOptions& options) {
  FL_CHECK(!failing.threads);
  MinimizeResult result;
  result.run = failing;
  FailingRun& run = result.run;
  ReplayBudget budget(options.max_replays, &result.replays);

  IterationResult base = ReplayRun(run);
  ++result.replays;
  if (!HasViolation(base, run.check)) {
    result.reproduced = false;
    result.fires = CountFires(base);
    result.last = std::move(base);
    return result;
  }
  DropFaults(base, budget, run);
  DropSwitches(budget, run);
  // Without the dropped switches a kept fault may no longer be needed (the
  // schedule alone now makes the race), and without a dropped fault a
  // switch may not be: alternate until neither step removes anything.
  for (;;) {
    const FailingRun before = run;
    IterationResult now = ReplayRun(run);
    ++result.replays;
    if (!budget.left() || !HasViolation(now, run.check)) break;
    DropFaults(now, budget, run);
    DropSwitches(budget, run);
    if (run.suppressed_fires == before.suppressed_fires &&
        run.switches == before.switches) {
      break;
    }
  }
  if (options.shorten_delays) ShortenDelays(budget, run);

  // The final replay, with events; its own switches are exact (a lenient
  // replay may have skipped recorded switches that no longer applied).
  result.last = ReplayRun(run, ReplayMode::kLenient, /*render=*/true);
  ++result.replays;
  FL_CHECK(result.replays >= 3);  // the first, one fixpoint and this replay
  FL_CHECK(HasViolation(result.last, run.check));
  run.switches = result.last.trace.Switches();
  result.fires = CountFires(result.last);
  return result;
}

}  // namespace faultline
