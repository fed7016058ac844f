// Delta-debugging a failing run down to what the race needs (see
// minimize.h).
#include "framework/explore/minimize.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>

#include "framework/check.h"
#include "framework/rule_set.h"
#include "framework/runtime/strategy.h"

namespace faultline {
namespace {

// Zeller's ddmin over complements: removes ever smaller chunks of `items`
// while `still_fails(kept)` holds. Stops early when `budget` runs out.
template <typename T>
std::vector<T> Ddmin(std::vector<T> items,
                     const std::function<bool(const std::vector<T>&)>& still_fails,
                     const std::function<bool()>& budget_left) {
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
  return items;
}

std::vector<uint64_t> Complement(uint64_t count,
                                 const std::vector<uint64_t>& kept,
                                 const std::vector<uint64_t>& base) {
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
IterationResult RunOnce(const FailingRun& run,
                        IterationConfig::Backend backend,
                        Strategy* strategy) {
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
  config.scenario = scenario;
  config.args = &args;
  config.rules = *rules;
  config.suppressed_fires = run.suppressed_fires;
  config.dpor = run.dpor;
  return RunIteration(config);
}

}  // namespace

IterationResult ReplayRun(const FailingRun& run, ReplayMode mode) {
  std::unique_ptr<Strategy> strategy = NewReplayStrategy(run.switches, mode);
  return RunOnce(run, IterationConfig::Backend::kFibers, strategy.get());
}

ThreadRerun RerunThreads(const FailingRun& run, int max_attempts) {
  ThreadRerun out;
  while (out.attempts < max_attempts) {
    ++out.attempts;
    out.last = RunOnce(run, IterationConfig::Backend::kThreads, nullptr);
    const bool failed = run.check.empty() ? !out.last.violations.empty()
                                          : HasViolation(out.last, run.check);
    if (failed) {
      out.reproduced = true;
      break;
    }
  }
  return out;
}

MinimizeResult Minimize(const FailingRun& failing,
                        const MinimizeOptions& options) {
  MinimizeResult result;
  result.run = failing;
  FailingRun& run = result.run;
  auto budget_left = [&] { return result.replays < options.max_replays; };
  auto fails = [&](const FailingRun& candidate) {
    ++result.replays;
    return HasViolation(ReplayRun(candidate), candidate.check);
  };

  // 1. Injected faults.
  IterationResult base = ReplayRun(run);
  ++result.replays;
  if (!HasViolation(base, run.check)) {
    result.reproduced = false;
    result.fires = CountFires(base);
    result.last = std::move(base);
    return result;
  }
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
        candidate.suppressed_fires = Complement(fire_count, kept, base_suppressed);
        return fails(candidate);
      },
      budget_left);
  run.suppressed_fires = Complement(fire_count, kept_fires, base_suppressed);

  // 2. Preemptions and other non-default switches.
  run.switches = Ddmin<std::pair<uint32_t, uint32_t>>(
      run.switches,
      [&](const std::vector<std::pair<uint32_t, uint32_t>>& kept) {
        FailingRun candidate = run;
        candidate.switches = kept;
        return fails(candidate);
      },
      budget_left);

  // 3. Delays: halve each delay rule while the check still fails.
  for (int i = 0; options.shorten_delays && i < run.plan.rules_size(); ++i) {
    while (budget_left() && run.plan.rules(i).has_delay() &&
           run.plan.rules(i).delay().ns() > 0) {
      FailingRun candidate = run;
      Delay* delay = candidate.plan.mutable_rules(i)->mutable_delay();
      delay->set_ns(delay->ns() / 2);
      if (delay->max_ns() > 0) delay->set_max_ns(delay->max_ns() / 2);
      if (!fails(candidate)) break;
      run = std::move(candidate);
    }
  }

  // The final replay, with events; its own switches are exact (a lenient
  // replay may have skipped recorded switches that no longer applied).
  result.last = ReplayRun(run);
  ++result.replays;
  FL_CHECK(HasViolation(result.last, run.check));
  run.switches = result.last.trace.Switches();
  result.fires = CountFires(result.last);
  return result;
}

}  // namespace faultline
