// replay / minimize / render / check / list-* (see commands.h).
#include "tools/cli/commands.h"

#include <google/protobuf/text_format.h>

#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "framework/check_registry.h"
#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/explore/minimize.h"
#include "framework/explore/run_plan.h"
#include "framework/explore/trace_render.h"
#include "framework/hooks.h"
#include "framework/plan_loader.h"
#include "framework/rule_set.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/trace/replay_token.h"
#include "framework/scenario.h"
#include "framework/site_registry.h"

namespace faultline {
namespace {

// How often `replay` reruns a thread-backend token's seed before it says
// the failure did not come back.
constexpr int kThreadReplayAttempts = 50;

// Loads `plan_path` and decodes `token` into a replayable run. The check is
// filled in by the caller once the replay shows which one fails.
absl::StatusOr<FailingRun> LoadRun(const std::string& token_text,
                                   const std::string& plan_path) {
  absl::StatusOr<Plan> plan = LoadPlanFile(ResolvePlanPath(plan_path));
  if (!plan.ok()) return plan.status();
  absl::StatusOr<ReplayToken> token = DecodeReplayToken(token_text);
  if (!token.ok()) return token.status();
  if (token->plan_hash != PlanHash(*plan)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the token was recorded for another plan (its scenario or rules "
        "differ from ",
        plan_path, ")"));
  }
  FailingRun run;
  run.plan = *std::move(plan);
  run.seed = token->seed;
  run.switches = token->switches;
  run.suppressed_fires = token->suppressed_fires;
  run.threads = token->strategy == static_cast<uint8_t>(StrategyKind::kThreads);
  run.dpor = token->strategy <= static_cast<uint8_t>(kLastStrategyKind) &&
             UsesDporStepModel(static_cast<StrategyKind>(token->strategy));
  run.branch_fires = token->branch_fires;
  if (run.plan.exploration().max_steps() != 0) {
    run.max_steps = run.plan.exploration().max_steps();
  }
  return run;
}

// A strict-replay token for a minimized run of the fiber backend.
ReplayToken MinimizedToken(const FailingRun& run) {
  ReplayToken token;
  token.plan_hash = PlanHash(run.plan);
  token.seed = run.seed;
  // A DPOR schedule replays only under DPOR's step model.
  token.strategy = static_cast<uint8_t>(run.dpor ? StrategyKind::kDpor
                                                 : StrategyKind::kReplay);
  token.switches = run.switches;
  token.suppressed_fires = run.suppressed_fires;
  token.branch_fires = run.branch_fires;
  return token;
}

std::string PlanText(const Plan& plan) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(plan, &text);
  return text;
}

void PrintOutcome(const IterationResult& result) {
  for (const Violation& v : result.violations) {
    std::cout << absl::StrFormat("VIOLATION %s by %s at step %d: %s\n", v.check,
                                 v.task, v.step, v.message);
  }
  if (result.violations.empty()) std::cout << "no violation\n";
  std::cout << absl::StrFormat(
      "%d steps, %d preemptions, %d injected faults, trace hash %016x\n",
      result.steps, result.trace.preemptions(), CountFires(result),
      result.trace.hash);
}

}  // namespace

int CheckPlans(const std::vector<std::string>& plans) {
  if (plans.empty()) return UsageError("check needs at least one PLAN");
  int code = 0;
  for (const std::string& path : plans) {
    absl::StatusOr<Plan> plan = LoadPlanFile(ResolvePlanPath(path));
    if (plan.ok()) {
      std::cout << "ok: " << path << "\n";
    } else {
      std::cerr << "faultline: " << plan.status().message() << "\n";
      code = 2;
    }
  }
  return code;
}

int ListPoints() {
  for (const PointInfo& point : SiteRegistry::Get().points()) {
    std::vector<std::string> where;
    std::vector<std::string> kinds;
    for (const SiteDescriptor* site : point.sites) {
      where.push_back(absl::StrCat(site->file, ":", site->line));
      kinds.push_back(SiteKindName(site->kind));
    }
    std::sort(kinds.begin(), kinds.end());
    kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
    std::cout << absl::StrFormat("%-52s %-12s %s\n", point.name,
                                 absl::StrJoin(kinds, ","),
                                 absl::StrJoin(where, " "));
  }
  return 0;
}

// One line per check a plan may name: how it is reported (bug = fatal
// FL_BUG_ON, warn = FL_WARN_ON, runtime = the runtime's own) and where.
int ListChecks() {
  for (const CheckInfo& check : CheckRegistry::Get().checks()) {
    const bool runtime = check.where.size() == 1 && check.where[0] == "runtime";
    const char* kind = runtime ? "runtime" : check.fatal ? "bug" : "warn";
    std::cout << absl::StrFormat(
        "%-52s %-12s %s\n", check.name, kind,
        runtime ? "" : absl::StrJoin(check.where, " "));
  }
  for (const ScenarioInfo* info : ScenarioRegistry::Global().List()) {
    for (const std::string& name : info->checks) {
      std::cout << absl::StrFormat("%-52s %-12s %s\n", name, "scenario",
                                   info->name);
    }
  }
  return 0;
}

int ListScenarios() {
  for (const ScenarioInfo* info : ScenarioRegistry::Global().List()) {
    std::cout << info->name << "\n  " << info->description << "\n";
    if (!info->variants.empty()) {
      std::cout << "  variants: " << absl::StrJoin(info->variants, ", ")
                << " (default " << info->variants[0] << ")\n";
    }
    for (const ScenarioParam& p : info->params) {
      std::cout << absl::StrFormat("  param %-16s default %-8s %s\n", p.name,
                                   p.default_value, p.help);
    }
  }
  return 0;
}

int ListHooks() {
  for (const HookInfo& hook : HookRegistry::Global().hooks()) {
    std::cout << absl::StrFormat("%-36s %s\n", hook.name, hook.description);
  }
  return 0;
}

int ReplayCommand(const std::string& token, const std::string& plan) {
  absl::StatusOr<FailingRun> run = LoadRun(token, plan);
  if (!run.ok()) return UsageError(run.status().message());
  if (run->threads) {
    const ThreadRerun rerun = RerunThreads(*run, kThreadReplayAttempts);
    std::cout << RenderTaskTable(rerun.last.trace) << "\n";
    PrintOutcome(rerun.last);
    std::cout << absl::StrFormat(
        "thread backend token: %s after %d attempts of seed %d (real threads "
        "replay best effort)\n",
        rerun.reproduced ? "failed again" : "did not fail again",
        rerun.attempts, run->seed);
    return rerun.reproduced ? 0 : 1;
  }
  IterationResult result =
      ReplayRun(*run, ReplayMode::kStrict, /*render=*/true);
  if (!result.strategy_status.ok()) {
    return UsageError(
        absl::StrCat("replay diverged: ", result.strategy_status.message()));
  }
  std::cout << RenderTaskTable(result.trace) << "\n";
  PrintOutcome(result);
  return result.violations.empty() ? 1 : 0;
}

int MinimizeCommand(const std::string& token, const std::string& plan) {
  absl::StatusOr<FailingRun> run = LoadRun(token, plan);
  if (!run.ok()) return UsageError(run.status().message());
  if (run->threads) {
    return UsageError(
        "minimize replays a run step by step, which only the fiber backend "
        "can: this token is from the thread backend (run the plan with "
        "backend FIBERS to get a minimizable token)");
  }
  IterationResult first = ReplayRun(*run, ReplayMode::kLenient);
  if (first.violations.empty()) {
    std::cerr << "faultline: the token's run shows no violation to keep\n";
    return 1;
  }
  run->check = first.violations.front().check;
  // First without touching the plan, so the token replays against the plan
  // file as given; then, if the plan has delays, with delays shortened too,
  // which changes the plan: that token is printed with the plan it needs.
  MinimizeOptions options;
  options.max_replays = 1000;
  MinimizeResult min = Minimize(*run, options);
  std::cout << RenderTaskTable(min.last.trace) << "\n";
  PrintOutcome(min.last);
  std::cout << "minimized in " << min.replays << " replays\n"
            << "token: " << EncodeReplayToken(MinimizedToken(min.run))
            << "\n  replays against " << plan << "\n";
  options.shorten_delays = true;
  MinimizeResult shorter = Minimize(min.run, options);
  const std::string shorter_plan = PlanText(shorter.run.plan);
  if (shorter.reproduced && shorter_plan != PlanText(min.run.plan)) {
    std::cout << "with delays shortened: "
              << EncodeReplayToken(MinimizedToken(shorter.run))
              << "\n  replays only against this plan, not " << plan
              << " (save it as a file):\n"
              << shorter_plan;
  }
  return 0;
}

int TraceCommand(const std::string& plan_path, uint64_t iteration,
                 const RenderOptions& options) {
  absl::StatusOr<Plan> plan = LoadPlanFile(ResolvePlanPath(plan_path));
  if (!plan.ok()) return UsageError(plan.status().message());
  // The iteration the explorer runs as number `iteration` (shard layouts
  // do not matter), on the plan's backend with the plan's strategy.
  absl::StatusOr<IterationResult> run = RunPlanIteration(*plan, iteration);
  if (!run.ok()) return UsageError(run.status().message());
  const IterationResult& result = *run;
  std::cout << (options.format == "events" ? result.trace.Render()
                                           : RenderTaskTable(result.trace))
            << "\n";
  PrintOutcome(result);
  return 0;
}

int RenderCommand(const std::string& token, const std::string& plan,
                  const RenderOptions& options) {
  if (options.format != "table" && options.format != "chrome" &&
      options.format != "events") {
    return UsageError(
        absl::StrCat("--format: expected table, chrome or events, got \"",
                     options.format, "\""));
  }
  absl::StatusOr<FailingRun> run = LoadRun(token, plan);
  if (!run.ok()) return UsageError(run.status().message());
  IterationResult result = run->threads
                               ? RerunThreads(*run, kThreadReplayAttempts).last
                               : ReplayRun(*run, ReplayMode::kStrict,
                                           /*render=*/true);
  if (!result.strategy_status.ok()) {
    // A table of some other run would read as the token's: refuse.
    return UsageError(
        absl::StrCat("render: ", result.strategy_status.message()));
  }
  std::string text;
  if (options.format == "table") {
    text = RenderTaskTable(result.trace);
  } else if (options.format == "events") {
    text = result.trace.Render();
  } else {
    absl::StatusOr<std::string> json = ChromeTraceJson(result.trace);
    if (!json.ok()) return UsageError(json.status().message());
    text = *json + "\n";
  }
  if (options.out.empty()) {
    std::cout << text;
  } else if (!(std::ofstream(options.out) << text)) {
    return UsageError(absl::StrCat("cannot write ", options.out));
  }
  return 0;
}

}  // namespace faultline
