// The first failing run of a check, tokenized, minimized and rendered (see
// failure_report.h).
#include "framework/explore/failure_report.h"

#include <set>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "framework/check.h"
#include "framework/explore/explorer.h"
#include "framework/explore/minimize.h"
#include "framework/explore/trace_render.h"
#include "framework/runtime/trace/replay_token.h"
#include "framework/swarm.h"

namespace faultline {
namespace explore_internal {
namespace {

constexpr uint32_t kMinimizeReplays = 400;

// The facts of the failing run and its replay token.
ViolationReport FailureFacts(const FirstFailure& failure,
                             const ReplayToken& token) {
  ViolationReport out;
  const Violation& v = failure.violation;
  out.set_check(v.check);
  out.set_message(v.message);
  out.set_task(v.task);
  out.set_iteration(failure.iteration);
  out.set_iteration_seed(failure.seed);
  out.set_step(v.step);
  out.set_trace_hash(failure.trace.hash);
  out.set_preemptions(static_cast<uint32_t>(failure.trace.preemptions()));
  out.set_replay_token(EncodeReplayToken(token));
  out.set_fault_fires(static_cast<uint32_t>(failure.fire_count));
  return out;
}

// The swarm rules that fired in `trace` (which has events), once each, in
// the order they first fired, as rules a user could paste into a plan.
void AddSwarmRules(const Trace& trace, const RuleSet* rules,
                   ViolationReport* out) {
  if (rules == nullptr) return;
  std::set<std::pair<std::string, std::string>> seen;
  for (const TraceEvent& event : trace.events) {
    if (event.kind != TraceEventKind::kRuleFired ||
        !absl::StartsWith(event.text, kSwarmRulePrefix)) {
      continue;
    }
    for (const CompiledRule& rule : rules->rules()) {
      if (rule.name != event.text) continue;
      // A per-task rule was armed for the task that fired it only.
      std::string task;
      if (rule.swarm_per_task && event.task >= 1 &&
          event.task <= trace.tasks.size()) {
        task = trace.tasks[event.task - 1].name;
      }
      if (!seen.insert({event.text, task}).second) continue;
      out->add_swarm_rules(SwarmRuleText(rule, rules->sites(), task));
    }
  }
}

// The rules that fired in `trace` (which has events).
void AddFires(const Trace& trace, std::set<std::string>* fires) {
  for (const TraceEvent& event : trace.events) {
    if (event.kind == TraceEventKind::kRuleFired) fires->insert(event.text);
  }
}

// Shrinks `run`; adds the minimized token and counts if it reproduced, and
// the minimized run's table.
void AddMinimized(const FailingRun& run, const ReplayToken& token,
                  const FailureContext& context, ViolationReport* out,
                  std::set<std::string>* shown_fires) {
  MinimizeOptions minimize;
  minimize.max_replays = kMinimizeReplays;
  MinimizeResult min = Minimize(run, minimize);
  FL_CHECK(min.replays > 0);
  out->set_minimize_replays(min.replays);
  if (min.reproduced) {
    ReplayToken small = token;
    small.switches = min.run.switches;
    small.suppressed_fires = min.run.suppressed_fires;
    small.plan_hash = PlanHash(min.run.plan);
    out->set_minimized_token(EncodeReplayToken(small));
    out->set_minimized_preemptions(
        static_cast<uint32_t>(min.last.trace.preemptions()));
    out->set_minimized_fault_fires(min.fires);
  }
  if (context.render) out->set_rendered_table(RenderTaskTable(min.last.trace));
  AddSwarmRules(min.last.trace, context.rules, out);
  AddFires(min.last.trace, shown_fires);
}

}  // namespace

ViolationReport DescribeFailure(const FirstFailure& failure,
                                const FailureContext& context,
                                std::set<std::string>* shown_fires) {
  FL_CHECK(context.plan != nullptr);
  FL_CHECK(shown_fires != nullptr);
  FL_CHECK(context.fibers == (context.strategy != StrategyKind::kThreads));
  ReplayToken token;
  token.plan_hash = context.plan_hash;
  token.seed = failure.seed;
  token.strategy = static_cast<uint8_t>(context.strategy);
  token.switches = failure.trace.Switches();
  token.branch_fires = failure.branch_fires;
  ViolationReport out = FailureFacts(failure, token);
  if (!context.fibers) {
    // Real threads cannot be replayed or minimized step by step: the run's
    // own trace, recorded as it ran, is the explanation.
    if (context.render) {
      out.set_rendered_table(RenderTaskTable(failure.trace));
    }
    AddFires(failure.trace, shown_fires);
    return out;
  }

  FL_CHECK(context.max_steps > 0);
  FailingRun run;
  run.plan = *context.plan;
  run.seed = failure.seed;
  run.switches = token.switches;
  run.check = failure.violation.check;
  run.max_steps = context.max_steps;
  run.dpor = UsesDporStepModel(context.strategy);
  run.branch_fires = failure.branch_fires;
  if (context.minimize) {
    AddMinimized(run, token, context, &out, shown_fires);
  } else if (context.render || context.rules != nullptr) {
    const Trace replayed =
        ReplayRun(run, ReplayMode::kLenient, context.render).trace;
    if (context.render) out.set_rendered_table(RenderTaskTable(replayed));
    AddSwarmRules(replayed, context.rules, &out);
    AddFires(replayed, shown_fires);
  }
  return out;
}

}  // namespace explore_internal
}  // namespace faultline
