// The exploration loop: iterations, budgets, sharding, the verdict and the
// report (see explorer.h). What each check's first failure becomes is
// failure_report.h; point and rule counters are coverage.h.
#include "framework/explore/explorer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/explore/coverage.h"
#include "framework/explore/expectations.h"
#include "framework/explore/failure_report.h"
#include "framework/explore/fault_choices.h"
#include "framework/explore/shard_split.h"
#include "framework/plan_loader.h"
#include "framework/rng.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/replay_token.h"
#include "framework/site_registry.h"

namespace faultline {
namespace {

using explore_internal::Coverage;
using explore_internal::FailureContext;
using explore_internal::FaultChoiceSearch;
using explore_internal::FireSetLimits;
using explore_internal::FirstFailure;

constexpr uint64_t kDefaultMaxSteps = 100000;
constexpr int kDefaultPctDepth = 3;
// Iterations PCT runs to learn k when it counts only some steps, and SURW
// to learn its weights.
constexpr uint64_t kPctCalibrationRuns = 16;
// Probe runs after which a split stops adding fire sets to those every
// shard searches a share of (each costs its own probe); sets found later
// are searched whole by the shards that reach them.
constexpr uint64_t kFireSetProbeBudget = 10000;

const char* BackendName(Exploration::Backend backend) {
  return backend == Exploration::THREADS ? "threads" : "fibers";
}

const char* StrategyName(Exploration::Strategy strategy) {
  switch (strategy) {
    case Exploration::PCT:
      return "pct";
    case Exploration::EXHAUSTIVE:
      return "exhaustive";
    case Exploration::REPLAY:
      return "replay";
    case Exploration::POS:
      return "pos";
    case Exploration::DPOR:
      return "dpor";
    case Exploration::SURW:
      return "surw";
    default:
      return "random";
  }
}

class ExplorationRun {
 public:
  ExplorationRun(const Plan& plan, const std::string& path,
                 const ExplorerOptions& options)
      : plan_(plan), path_(path), options_(options) {}

  absl::StatusOr<Report> Run(const Explorer::ProgressFn& progress,
                             const Explorer::StuckFn& on_stuck);
  // Iteration `index` of the unsharded run, with events (RunPlanIteration).
  absl::StatusOr<IterationResult> RunOne(uint64_t index);

 private:
  absl::Status Prepare();
  // `fires`: the fire set the strategy searches (fault_choices.h).
  std::unique_ptr<Strategy> MakeStrategy(
      uint64_t seed, const std::vector<uint64_t>& fires = {}) const;
  void Record(uint64_t iteration, uint64_t seed, IterationResult& result,
              const std::vector<uint64_t>& branch_fires);
  void RecordViolations(uint64_t iteration, uint64_t seed,
                        const IterationResult& result,
                        const std::vector<uint64_t>& branch_fires);
  bool Decided() const;
  void FillHeader();
  uint64_t PlannedIterations() const;
  IterationConfig MakeConfig(Strategy* strategy) const;
  std::pair<uint64_t, uint64_t> SeedOf(uint64_t n) const;
  absl::Status CheckUsable(const IterationResult& result) const;
  // Runs iterations 0..kPctCalibrationRuns-1 under `strategy`, which learns
  // from them (PCT's k, SURW's weights) before the exploration proper.
  absl::Status Calibrate(Strategy& strategy);
  void FinishReport(double wall_seconds);
  FailureContext MakeFailureContext() const;
  void GiveUp(const StuckIteration& stuck, const Explorer::StuckFn& on_stuck);
  std::string UnsplittableReason() const;
  absl::Status Split();
  std::unique_ptr<Strategy> MakeSearchStrategy(
      const std::vector<uint64_t>& fires) const;
  void NoteIdleShard();

  const Plan& plan_;
  const std::string& path_;
  const ExplorerOptions& options_;
  const Exploration& exploration() const { return plan_.exploration(); }
  // A systematic search made by `make` from `options`, or, when the plan
  // asks for iterative bounding, one such search per bound 0, 1, 2, ... up
  // to preemption_bound (0 meaning none).
  template <typename Options>
  std::unique_ptr<Strategy> BoundedSearch(
      Options options,
      std::unique_ptr<Strategy> (*make)(const Options&)) const {
    if (!exploration().iterative_bounding()) return make(options);
    const uint32_t last = exploration().preemption_bound();
    return NewIterativeBoundingStrategy(
        [options, make](int bound) mutable {
          options.preemption_bound = bound;
          return make(options);
        },
        last == 0 ? -1 : static_cast<int>(last));
  }
  // One walk over the schedules of one program (iteration 0's seed).
  bool Systematic() const {
    return exploration().strategy() == Exploration::EXHAUSTIVE ||
           exploration().strategy() == Exploration::DPOR;
  }
  // DPOR's step model: for DPOR and for replays of what it found.
  bool UsesDporModel() const {
    return exploration().strategy() == Exploration::DPOR ||
           exploration().state_caching() ||
           (replay_ != nullptr &&
            UsesDporStepModel(static_cast<StrategyKind>(replay_->strategy)));
  }

  std::shared_ptr<const RuleSet> rules_;
  const ScenarioInfo* scenario_ = nullptr;
  std::unique_ptr<ScenarioArgs> args_;
  std::unique_ptr<ReplayToken> replay_;
  uint64_t seed_ = 0;
  uint64_t plan_hash_ = 0;
  // PCT's k: steps of the default schedule, or learned (Prepare).
  uint64_t pct_steps_ = 0;
  // SURW's shared steps per task ordinal, learned from profiling runs.
  std::vector<uint64_t> surw_weights_;

  Report report_;
  // Only counted (distinct_schedules), never iterated; at most
  // options_.distinct_limit of them.
  absl::flat_hash_set<uint64_t> hashes_;
  bool hashes_capped_ = false;
  // ExplorerOptions::count_outcomes: as hashes_, for outcomes.
  absl::flat_hash_set<uint64_t> outcomes_;
  bool outcomes_capped_ = false;
  std::optional<Coverage> coverage_;
  std::map<std::string, FirstFailure> first_failures_;
  std::vector<std::string> failure_order_;
  // The iteration Run is in, for GiveUp.
  uint64_t running_index_ = 0;
  uint64_t running_seed_ = 0;
  // Its fault choices (Rule.branch): the running config's, not a copy.
  const std::vector<uint64_t>* running_fires_ = nullptr;
  std::chrono::steady_clock::time_point start_;
  // Set by GiveUp: the failures are described without running anything.
  bool giving_up_ = false;
  // A systematic search over several shards: split (this shard's subtrees
  // of every fire set the shards agreed on, whose trees are split together:
  // shard_split.h, fault_choices.h), or (unsplit_reason_ set) why it runs
  // whole on shard 0.
  bool split_ = false;
  std::map<std::vector<uint64_t>, std::vector<std::vector<uint32_t>>>
      prefixes_by_fires_;  // this shard's subtrees of each agreed fire set
  std::vector<std::vector<uint64_t>> agreed_fire_sets_;
  std::string unsplit_reason_;
};

absl::Status ExplorationRun::Prepare() {
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules =
      RuleSet::Compile(plan_);
  if (!rules.ok()) return rules.status();
  rules_ = *rules;
  FL_CHECK(rules_ != nullptr);
  scenario_ = ScenarioRegistry::Global().Find(plan_.scenario().name());
  if (scenario_ == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown scenario \"", plan_.scenario().name(), "\""));
  }
  args_ = std::make_unique<ScenarioArgs>(
      ScenarioArgs::FromPlan(*scenario_, plan_.scenario()));
  plan_hash_ = PlanHash(plan_);
  seed_ = options_.seed.value_or(exploration().seed()) + options_.seed_offset;
  if (exploration().strategy() == Exploration::REPLAY) {
    absl::StatusOr<ReplayToken> token =
        DecodeReplayToken(exploration().replay_token());
    if (!token.ok()) return token.status();
    if (token->plan_hash != plan_hash_) {
      return absl::InvalidArgumentError(
          absl::StrCat("replay token was recorded for another plan (plan hash ",
                       absl::Hex(token->plan_hash), ", this plan ",
                       absl::Hex(plan_hash_), "): scenario or rules differ"));
    }
    replay_ = std::make_unique<ReplayToken>(*std::move(token));
  }
  coverage_.emplace(*rules_);
  if (exploration().strategy() == Exploration::PCT) {
    // PCT spreads its change points over k steps. k must not depend on
    // which iterations ran before (shards run different ones), so it is
    // measured once, the same way in every shard and process: the steps of
    // the default schedule (no strategy) at iteration 0's seed.
    IterationConfig config = MakeConfig(nullptr);
    config.seed = IterationSeed(seed_, 0);
    IterationResult dry = RunIteration(config);
    absl::Status usable = CheckUsable(dry);
    if (!usable.ok()) return usable;
    pct_steps_ = dry.steps;
    if (exploration().pct_steps() != Exploration::PCT_ALL_STEPS) {
      // k over the steps that count (PctSteps), learned from PCT's own
      // iterations 0..kPctCalibrationRuns-1 run with k = the default
      // schedule's steps: the most counted steps any of them took. Every
      // shard and RunOne runs the same calibration first, so k, like the
      // fixed one, is a function of (plan, seed) alone and iteration i has
      // the same schedule in any shard layout.
      std::unique_ptr<Strategy> calibration = MakeStrategy(seed_);
      absl::Status ok = Calibrate(*calibration);
      if (!ok.ok()) return ok;
      pct_steps_ = std::max<uint64_t>(calibration->MaxCountedSteps(), 1);
    }
  }
  if (exploration().strategy() == Exploration::SURW) {
    // Like PCT's k, the weights are a function of (plan, seed) alone: every
    // shard and RunOne profile the same iterations first.
    std::unique_ptr<SurwProfile> profile = NewSurwProfiler(seed_);
    absl::Status ok = Calibrate(*profile);
    if (!ok.ok()) return ok;
    surw_weights_ = profile->Weights();
  }
  FL_CHECK(coverage_.has_value());
  return absl::OkStatus();
}

absl::Status ExplorationRun::Calibrate(Strategy& strategy) {
  IterationConfig probe = MakeConfig(&strategy);
  for (uint64_t i = 0; i < kPctCalibrationRuns; ++i) {
    probe.seed = IterationSeed(seed_, i);
    IterationResult run = RunIteration(probe);
    absl::Status ok = CheckUsable(run);
    if (!ok.ok()) return ok;
  }
  return absl::OkStatus();
}

std::unique_ptr<Strategy> ExplorationRun::MakeStrategy(
    uint64_t seed, const std::vector<uint64_t>& fires) const {
  switch (exploration().strategy()) {
    case Exploration::PCT: {
      PctOptions options;
      options.depth = exploration().pct_depth() == 0
                          ? kDefaultPctDepth
                          : static_cast<int>(exploration().pct_depth());
      options.estimated_steps = pct_steps_;
      switch (exploration().pct_steps()) {
        case Exploration::PCT_CHOICE_STEPS:
          options.steps = PctSteps::kChoice;
          break;
        default:
          options.steps = PctSteps::kAll;
      }
      return NewPctStrategy(seed, options);
    }
    case Exploration::EXHAUSTIVE: {
      ExhaustiveOptions options;
      options.preemption_bound =
          static_cast<int>(exploration().preemption_bound());
      options.reduction = !exploration().disable_reduction();
      // Split, every round of iterative bounding searches the subtrees of
      // the unbounded search (DPOR's split tree always is that one).
      options.prefixes_from_unbounded_tree = exploration().iterative_bounding();
      if (exploration().state_caching()) {
        options.state_caching = true;
        options.preemption_bound = -1;
      }
      return BoundedSearch(options, NewExhaustiveStrategy);
    }
    case Exploration::DPOR: {
      DporOptions options;
      const uint32_t bound = exploration().preemption_bound();
      options.preemption_bound = bound == 0 ? -1 : static_cast<int>(bound);
      // The tasks whose hits fire run first where the order is free, so
      // the fault comes early and the depth-first walk explores the
      // interleavings of its consequences first (dpor.cc).
      for (uint64_t key : fires) {
        const uint32_t task = BranchKeyTask(key);
        if (std::find(options.first_tasks.begin(), options.first_tasks.end(),
                      task) == options.first_tasks.end()) {
          options.first_tasks.push_back(task);
        }
      }
      return BoundedSearch(options, NewDporStrategy);
    }
    case Exploration::REPLAY:
      FL_CHECK(replay_ != nullptr);
      return NewReplayStrategy(replay_->switches, ReplayMode::kStrict);
    case Exploration::POS:
      return NewPosStrategy(seed);
    case Exploration::SURW:
      return NewSurwStrategy(seed, surw_weights_);
    default:
      return NewRandomWalkStrategy(seed);
  }
}

void ExplorationRun::Record(uint64_t iteration, uint64_t seed,
                            IterationResult& result,
                            const std::vector<uint64_t>& branch_fires) {
  FL_CHECK(result.ran);
  report_.set_iterations_run(report_.iterations_run() + 1);
  report_.set_total_steps(report_.total_steps() + result.steps);
  if (result.cut_short) {
    // Stopped at an explored state: a piece of a schedule, not one.
  } else if (hashes_.size() < options_.distinct_limit) {
    hashes_.insert(result.trace.hash);
  } else if (!hashes_.contains(result.trace.hash)) {
    hashes_capped_ = true;
  }
  if (result.outcome != 0) {
    report_.set_outcome_runs(report_.outcome_runs() + 1);
    if (outcomes_.size() < options_.distinct_limit) {
      outcomes_.insert(result.outcome);
    } else if (!outcomes_.contains(result.outcome)) {
      outcomes_capped_ = true;
    }
  }
  coverage_->Add(result);
  RecordViolations(iteration, seed, result, branch_fires);
}

// Counts each violated check once per iteration and keeps its first
// failure.
void ExplorationRun::RecordViolations(
    uint64_t iteration, uint64_t seed, const IterationResult& result,
    const std::vector<uint64_t>& branch_fires) {
  std::set<std::string> seen;
  for (const Violation& v : result.violations) {
    if (!seen.insert(v.check).second) continue;
    (*report_.mutable_violations_by_check())[v.check]++;
    if (first_failures_.count(v.check) != 0) continue;
    FirstFailure& first = first_failures_[v.check];
    first.violation = v;
    first.iteration = iteration;
    first.seed = seed;
    first.trace = result.trace;
    first.fire_count = result.fire_count;
    first.branch_fires = branch_fires;
    failure_order_.push_back(v.check);
  }
  FL_CHECK(failure_order_.size() == first_failures_.size());
}

FailureContext ExplorationRun::MakeFailureContext() const {
  FailureContext context;
  context.plan = &plan_;
  context.plan_hash = plan_hash_;
  context.fibers = exploration().backend() != Exploration::THREADS;
  context.strategy =
      context.fibers ? MakeStrategy(0)->kind() : StrategyKind::kThreads;
  context.max_steps = exploration().max_steps() == 0
                          ? kDefaultMaxSteps
                          : exploration().max_steps();
  // Giving up, the iteration's thread is stuck in the model: minimizing,
  // rendering and naming swarm rules would run the model again.
  context.minimize = options_.minimize && !giving_up_;
  context.render = options_.render && !giving_up_;
  if (plan_.has_swarm() && !giving_up_) context.rules = rules_.get();
  return context;
}

// True once more iterations cannot change the verdict: every expected
// violation was seen, or (with none expected) a forbidden one was.
bool ExplorationRun::Decided() const {
  const auto& seen = report_.violations_by_check();
  bool wants_violation = false;
  for (const Expectation& e : plan_.expect()) {
    if (e.kind_case() != Expectation::kViolation) continue;
    wants_violation = true;
    if (seen.count(e.violation()) == 0) return false;
  }
  if (wants_violation) return true;
  for (const Expectation& e : plan_.expect()) {
    if (e.kind_case() == Expectation::kNoViolation && !seen.empty())
      return true;
    if (e.kind_case() == Expectation::kNoViolationOf &&
        seen.count(e.no_violation_of()) != 0) {
      return true;
    }
  }
  return false;
}

void ExplorationRun::FinishReport(double wall_seconds) {
  report_.set_distinct_schedules(hashes_.size());
  report_.set_distinct_schedules_capped(hashes_capped_);
  report_.set_distinct_outcomes(outcomes_.size());
  report_.set_distinct_outcomes_capped(outcomes_capped_);
  report_.set_wall_seconds(wall_seconds);
  report_.set_schedules_per_second(
      wall_seconds > 0 ? report_.iterations_run() / wall_seconds : 0);
  coverage_->Fill(*rules_, &report_);
  const FailureContext context = MakeFailureContext();
  // A minimized replay may fire a rule no explored iteration fired (once a
  // fault is suppressed the run takes another path): such a rule has a
  // [fault] row in a table, so it is not reported as never fired.
  std::set<std::string> shown_fires;
  for (const std::string& check : failure_order_) {
    *report_.add_violations() =
        DescribeFailure(first_failures_[check], context, &shown_fires);
  }
  auto* never = report_.mutable_rules_never_fired();
  never->erase(std::remove_if(never->begin(), never->end(),
                              [&](const std::string& rule) {
                                return shown_fires.count(rule) != 0;
                              }),
               never->end());
  FL_CHECK(report_.violations_size() ==
           static_cast<int>(first_failures_.size()));
  EvaluateExpectations(plan_, &report_);
}

void ExplorationRun::FillHeader() {
  report_.set_plan_path(path_);
  report_.set_description(plan_.description());
  report_.set_scenario(plan_.scenario().name());
  report_.set_variant(args_->variant());
  report_.set_backend(BackendName(exploration().backend()));
  report_.set_strategy(exploration().backend() == Exploration::THREADS
                           ? "os"
                           : StrategyName(exploration().strategy()));
  report_.set_seed(seed_);
  report_.set_plan_hash(PlanHash(plan_));
  report_.set_shard_index(options_.shard_index);
  report_.set_total_shards(options_.total_shards);
  report_.set_stop_reason("iterations");
}

// This shard's iterations are i with i % shards == shard. A systematic
// search split into subtrees has the plan's limit on every shard; one that
// cannot split is one walk, run by shard 0.
uint64_t ExplorationRun::PlannedIterations() const {
  FL_CHECK(options_.total_shards > 0);
  FL_CHECK(options_.shard_index < options_.total_shards);
  uint64_t total = options_.iterations.value_or(exploration().iterations());
  if (total == 0 || replay_ != nullptr) total = 1;
  if (Systematic()) {
    return options_.shard_index == 0 || split_ ? total : 0;
  }
  return (total + options_.total_shards - 1 - options_.shard_index) /
         options_.total_shards;
}

IterationConfig ExplorationRun::MakeConfig(Strategy* strategy) const {
  IterationConfig config;
  config.backend = exploration().backend() == Exploration::THREADS
                       ? IterationConfig::Backend::kThreads
                       : IterationConfig::Backend::kFibers;
  config.strategy = strategy;
  config.max_steps = exploration().max_steps() == 0 ? kDefaultMaxSteps
                                                    : exploration().max_steps();
  config.wall_time_limit_ms = IterationTimeoutMs(exploration());
  config.thread_timeout_ms = config.wall_time_limit_ms;
  config.scenario = scenario_;
  config.args = args_.get();
  config.rules = rules_;
  // Fiber failures are replayed with events; a thread run cannot be, so it
  // keeps its own.
  config.record_events = exploration().backend() == Exploration::THREADS;
  config.dpor = UsesDporModel();
  config.state_keys = exploration().state_caching() && replay_ == nullptr;
  config.outcomes = options_.count_outcomes && replay_ == nullptr;
  if (replay_ != nullptr) {
    config.suppressed_fires = replay_->suppressed_fires;
    config.branch_fires = replay_->branch_fires;
  }
  return config;
}

// The seed of the n-th iteration this shard runs, and its global index.
std::pair<uint64_t, uint64_t> ExplorationRun::SeedOf(uint64_t n) const {
  if (replay_ != nullptr) return {0, replay_->seed};
  // Exhaustive search walks the schedules of one program: every iteration
  // keeps iteration 0's seed, so fault decisions stay the same.
  if (Systematic()) {
    return {n, IterationSeed(seed_, 0)};
  }
  const uint64_t index = options_.shard_index + n * options_.total_shards;
  return {index, IterationSeed(seed_, index)};
}

// Why a systematic search must run whole on one shard, or "" if its subtrees
// can be dealt out (shard_split.h).
std::string ExplorationRun::UnsplittableReason() const {
  if (exploration().state_caching()) {
    return "a state-caching search's subtrees share most of their states, "
           "so each shard would search nearly all of them (BENCHMARKS.md, "
           "\"State caching\")";
  }
  for (const Expectation& e : plan_.expect()) {
    if (e.kind_case() == Expectation::kViolation) {
      return absl::StrCat("the plan expects violation \"", e.violation(),
                          "\", which only the shard owning its subtree "
                          "would find");
    }
  }
  return "";
}

// The strategy of the search proper: the whole tree, or this shard's
// subtrees.
std::unique_ptr<Strategy> ExplorationRun::MakeSearchStrategy(
    const std::vector<uint64_t>& fires) const {
  std::unique_ptr<Strategy> strategy = MakeStrategy(seed_, fires);
  auto mine = prefixes_by_fires_.find(fires);
  if (mine != prefixes_by_fires_.end()) {
    const bool started = strategy->StartFromPrefixes(mine->second);
    FL_CHECK(started);
  }
  // A fire set the shards did not agree on is searched whole by each shard
  // that reaches it.
  return strategy;
}

// Deals out the subtrees of a systematic search over several shards, or
// records why it stays on shard 0.
absl::Status ExplorationRun::Split() {
  if (!Systematic() || replay_ != nullptr || options_.total_shards <= 1) {
    return absl::OkStatus();
  }
  unsplit_reason_ = UnsplittableReason();
  if (!unsplit_reason_.empty()) {
    report_.set_shard_note(
        options_.shard_index == 0
            ? absl::StrCat("the whole search runs on this shard: ",
                           unsplit_reason_)
            : absl::StrCat("this shard ran nothing and judges nothing; the "
                           "first shard (index 0) runs the whole search and "
                           "gives the verdict: ",
                           unsplit_reason_));
    return absl::OkStatus();
  }
  IterationConfig config = MakeConfig(nullptr);
  config.seed = IterationSeed(seed_, 0);
  // The fire sets' trees split together; the fire sets are those the
  // probe runs reach from the empty one, the same on every shard.
  class FireSets final : public SplitForest {
   public:
    FireSets(ExplorationRun* run, IterationConfig* config)
        : run_(run), config_(config), limits_(*run->rules_) {}
    size_t trees() const override { return sets.size(); }
    std::unique_ptr<Strategy> Make(size_t tree) override {
      return run_->MakeStrategy(run_->seed_, sets[tree]);
    }
    absl::StatusOr<bool> Run(size_t tree, Strategy* strategy) override {
      config_->strategy = strategy;
      config_->branch_fires = sets[tree];
      IterationResult result = RunIteration(*config_);
      absl::Status usable = run_->CheckUsable(result);
      if (!usable.ok()) return usable;
      // Past the budget, further sets are left to the shards that reach
      // them.
      if (++runs_ < kFireSetProbeBudget) {
        for (std::vector<uint64_t>& more :
             limits_.Extensions(sets[tree], result.branch_hits)) {
          if (std::find(sets.begin(), sets.end(), more) == sets.end()) {
            sets.push_back(std::move(more));
          }
        }
      }
      return result.ran;
    }
    std::vector<std::vector<uint64_t>> sets = {{}};

   private:
    ExplorationRun* run_;
    IterationConfig* config_;
    const FireSetLimits limits_;
    uint64_t runs_ = 0;
  };
  FireSets forest(this, &config);
  absl::StatusOr<ForestSplit> split = SplitSchedulesOfForest(
      forest, options_.shard_index, options_.total_shards);
  if (!split.ok()) return split.status();
  uint64_t here = 0;
  for (size_t tree = 0; tree < forest.sets.size(); ++tree) {
    here += split->trees[tree].mine.size();
    prefixes_by_fires_[forest.sets[tree]] = std::move(split->trees[tree].mine);
  }
  agreed_fire_sets_ = std::move(forest.sets);
  split_ = true;
  const ShardSplit& total = split->total;
  report_.set_split_depth(total.depth);
  report_.set_split_subtrees_total(total.subtrees_total);
  report_.set_split_subtrees_here(here);
  report_.set_split_probe_runs(total.probe_runs);
  if (here == 0) {
    report_.set_shard_note(absl::StrCat(
        "no subtrees on this shard: the tree has only ", total.subtrees_total,
        " (each one schedule or too small to be worth "
        "splitting); the other shards cover it"));
  }
  return absl::OkStatus();
}

// A shard that runs nothing of an unsplittable search says so in every
// expectation instead of passing them on zero iterations.
void ExplorationRun::NoteIdleShard() {
  if (unsplit_reason_.empty() || options_.shard_index == 0) return;
  for (ExpectationResult& result : *report_.mutable_expectations()) {
    result.set_met(true);
    result.set_detail("not judged on this shard; the first shard judges it");
  }
  report_.set_expectations_met(true);
}

// On the wall-clock guard's thread while Run's thread is stuck in iteration
// running_index_ (so nothing here races with it): that iteration is
// recorded as far as it got, the report finished and handed on.
void ExplorationRun::GiveUp(const StuckIteration& stuck,
                            const Explorer::StuckFn& on_stuck) {
  IterationResult result;
  result.violations.push_back(stuck.violation);
  result.trace = stuck.trace;
  result.steps = stuck.trace.step_count;
  Record(running_index_, running_seed_, result,
         running_fires_ != nullptr ? *running_fires_ : std::vector<uint64_t>{});
  report_.set_stop_reason("wall_time");
  giving_up_ = true;
  FinishReport(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
          .count());
  on_stuck(report_);
}

absl::StatusOr<Report> ExplorationRun::Run(const Explorer::ProgressFn& progress,
                                           const Explorer::StuckFn& on_stuck) {
  absl::Status prepared = Prepare();
  if (!prepared.ok()) return prepared;
  FillHeader();
  // The split's probe runs count toward the wall time, not the iterations.
  start_ = std::chrono::steady_clock::now();
  absl::Status split = Split();
  if (!split.ok()) return split;
  const uint64_t planned = PlannedIterations();
  report_.set_iterations_planned(planned);
  const bool collect_all =
      options_.collect_all.value_or(exploration().collect_all());
  auto elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start_)
        .count();
  };
  // Fault choices (Rule.branch) take turns with the strategy: one strategy
  // per fire set (fault_choices.h). Without branching rules there is one.
  FaultChoiceSearch search(*rules_, [this](const std::vector<uint64_t>& fires) {
    return MakeSearchStrategy(fires);
  });
  search.Preload(agreed_fire_sets_);
  IterationConfig config = MakeConfig(search.strategy());
  if (on_stuck) {
    config.on_stuck = [this, &on_stuck](const StuckIteration& stuck) {
      GiveUp(stuck, on_stuck);
    };
  }
  for (uint64_t n = 0; n < planned;) {
    // Wall time only bounds the run; it never influences a schedule.
    if (exploration().time_budget_ms() > 0 &&
        elapsed_s() * 1000 >= exploration().time_budget_ms()) {
      report_.set_stop_reason("time_budget");
      break;
    }
    if (search.strategy() == nullptr) {
      report_.set_stop_reason("exhausted");
      break;
    }
    config.strategy = search.strategy();
    config.branch_fires = search.fires();
    const auto [index, seed] = SeedOf(n);
    config.seed = seed;
    running_index_ = index;
    running_seed_ = seed;
    running_fires_ = &config.branch_fires;
    IterationResult result = RunIteration(config);
    absl::Status usable = CheckUsable(result);
    if (!usable.ok()) return usable;
    search.After(result);
    if (!result.ran) continue;  // that fire set is done; the next one runs
    ++n;
    Record(index, seed, result, config.branch_fires);
    if (progress) {
      progress(report_.iterations_run(), planned,
               report_.violations_by_check_size());
    }
    if (!result.violations.empty() && !collect_all && Decided()) {
      report_.set_stop_reason("decided");
      break;
    }
  }
  FL_CHECK(report_.iterations_run() <= planned);
  FL_CHECK(hashes_.size() <= report_.iterations_run());
  // An idle shard of an unsplittable search explored nothing.
  report_.set_complete(Systematic() && planned > 0 && search.Complete());
  if (exploration().strategy() == Exploration::DPOR || search.fire_sets() > 1 ||
      split_ || exploration().iterative_bounding() ||
      exploration().state_caching()) {
    report_.set_strategy_summary(search.Summary());
  }
  if (report_.complete()) report_.set_stop_reason("exhausted");
  FinishReport(elapsed_s());
  NoteIdleShard();
  return report_;
}

absl::StatusOr<IterationResult> ExplorationRun::RunOne(uint64_t index) {
  absl::Status prepared = Prepare();
  if (!prepared.ok()) return prepared;
  FaultChoiceSearch search(*rules_, [this](const std::vector<uint64_t>& fires) {
    return MakeStrategy(seed_, fires);
  });
  IterationConfig config = MakeConfig(search.strategy());
  // Exhaustive search reaches schedule `index` only by walking those before.
  const uint64_t first = Systematic() ? 0 : index;
  for (uint64_t n = first;;) {
    FL_CHECK(n <= index);
    if (search.strategy() == nullptr) {
      return absl::OutOfRangeError(
          absl::StrCat("iteration ", index, ": the systematic search has only ",
                       n, " schedules"));
    }
    config.strategy = search.strategy();
    config.branch_fires = search.fires();
    config.seed = SeedOf(n).second;
    config.record_events = n == index;
    config.probe_each_step = n == index;  // `faultline trace` renders it
    IterationResult result = RunIteration(config);
    absl::Status usable = CheckUsable(result);
    if (!usable.ok()) return usable;
    search.After(result);
    if (!result.ran) continue;
    if (n == index) return result;
    ++n;
  }
}

// A scenario that cannot build or a replay that diverged is bad input, not
// a finding.
absl::Status ExplorationRun::CheckUsable(const IterationResult& result) const {
  FL_CHECK(scenario_ != nullptr);
  if (!result.build_status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("scenario ", scenario_->name,
                     " failed to build: ", result.build_status.message()));
  }
  if (replay_ != nullptr && !result.strategy_status.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("replay diverged: ", result.strategy_status.message()));
  }
  return absl::OkStatus();
}

}  // namespace

uint64_t PlanHash(const Plan& plan) {
  Plan essential;
  *essential.mutable_scenario() = plan.scenario();
  *essential.mutable_rules() = plan.rules();
  if (plan.has_swarm()) *essential.mutable_swarm() = plan.swarm();
  std::string bytes;
  // Map fields (scenario params) serialize in key order only when asked.
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  essential.SerializeToCodedStream(&coded);
  coded.Trim();
  return NameHash(bytes);
}

Explorer::Explorer(Plan plan, std::string plan_path, ExplorerOptions options)
    : plan_(std::move(plan)),
      plan_path_(std::move(plan_path)),
      options_(std::move(options)) {}

absl::StatusOr<Report> Explorer::Run() {
  ExplorationRun exploration(plan_, plan_path_, options_);
  return exploration.Run(progress_, on_stuck_);
}

absl::StatusOr<IterationResult> RunPlanIteration(const Plan& plan,
                                                 uint64_t index) {
  const ExplorerOptions options;
  const std::string path;
  ExplorationRun exploration(plan, path, options);
  return exploration.RunOne(index);
}

}  // namespace faultline
