// Text and JSON renderings of a Report (see report_text.h).
#include "framework/explore/report_text.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "framework/check.h"

namespace faultline {
namespace {

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    absl::StrAppend(&out, prefix, line, "\n");
  }
  return out;
}

void AppendHeader(const Report& r, std::string* out) {
  absl::StrAppendFormat(out, "plan %s\n", r.plan_path());
  if (!r.description().empty()) {
    absl::StrAppendFormat(out, "  %s\n", r.description());
  }
  // Under the thread backend no strategy chooses: the OS interleaves.
  absl::StrAppendFormat(
      out, "  scenario %s%s, %s, seed %d", r.scenario(),
      r.variant().empty() ? "" : absl::StrCat(" (", r.variant(), ")"),
      r.backend() == "threads"
          ? std::string("threads backend (the OS interleaves)")
          : absl::StrCat(r.backend(), " backend, ", r.strategy(), " strategy"),
      r.seed());
  if (r.merged_shards() > 0) {
    absl::StrAppendFormat(out, ", %d shards merged", r.merged_shards());
  } else if (r.total_shards() > 1) {
    absl::StrAppendFormat(out, ", shard %d/%d", r.shard_index() + 1,
                          r.total_shards());
  }
  absl::StrAppend(out, "\n");
  absl::StrAppendFormat(
      out,
      "  ran %d of %d iterations in %.2f s (%.0f schedules/s), %s%d distinct "
      "schedules, %d steps; stopped: %s%s\n",
      r.iterations_run(), r.iterations_planned(), r.wall_seconds(),
      r.schedules_per_second(),
      r.distinct_schedules_capped() ? "at least " : "", r.distinct_schedules(),
      r.total_steps(), r.stop_reason(),
      r.complete() ? " (search complete)" : "");
  if (!r.strategy_summary().empty()) {
    absl::StrAppend(out, "  ", r.strategy_summary(), "\n");
  }
  if (r.outcome_runs() > 0) {
    absl::StrAppendFormat(
        out,
        "  outcomes: %s%d distinct (what every task saw) among %d runs that "
        "finished every task\n",
        r.distinct_outcomes_capped() ? "at least " : "", r.distinct_outcomes(),
        r.outcome_runs());
  }
  if (r.split_subtrees_total() > 0) {
    absl::StrAppendFormat(
        out,
        "  split: %d of %d subtrees (prefixes up to %d choices, %d probe "
        "runs) %s; the search is %s over them\n",
        r.split_subtrees_here(), r.split_subtrees_total(), r.split_depth(),
        r.split_probe_runs(),
        r.merged_shards() > 0 ? "over the shards" : "on this shard",
        r.complete() ? "complete" : "not complete");
  }
  if (!r.shard_note().empty()) {
    absl::StrAppend(out, "  shard note: ", r.shard_note(), "\n");
  }
}

void AppendViolation(const ViolationReport& v, const Report& r,
                     const ReportFormat& format, std::string* out) {
  FL_CHECK(r.violations_by_check().count(v.check()) == 1);
  const uint64_t hits = r.violations_by_check().at(v.check());
  absl::StrAppendFormat(out, "  VIOLATION %s in %d of %d iterations\n",
                        v.check(), hits, r.iterations_run());
  absl::StrAppendFormat(out,
                        "    first in iteration %d (seed %d), task %s, step "
                        "%d: %s\n",
                        v.iteration(), v.iteration_seed(), v.task(), v.step(),
                        v.message());
  if (r.backend() == "threads") {
    absl::StrAppendFormat(out,
                          "    run: %d injected faults, trace hash %016x\n",
                          v.fault_fires(), v.trace_hash());
    absl::StrAppendFormat(out,
                          "    replay token: %s (best effort: reruns the "
                          "seed on threads)\n",
                          v.replay_token());
  } else {
    absl::StrAppendFormat(out,
                          "    schedule: %d preemptions, %d injected faults, "
                          "trace hash %016x\n",
                          v.preemptions(), v.fault_fires(), v.trace_hash());
    absl::StrAppendFormat(out, "    replay token: %s\n", v.replay_token());
  }
  if (!v.minimized_token().empty()) {
    absl::StrAppendFormat(out,
                          "    minimized to %d preemptions, %d injected "
                          "faults in %d replays: %s\n",
                          v.minimized_preemptions(), v.minimized_fault_fires(),
                          v.minimize_replays(), v.minimized_token());
  }
  if (v.swarm_rules_size() > 0) {
    absl::StrAppend(out, "    swarm rules that fired (paste into a plan):\n");
    for (const std::string& rule : v.swarm_rules()) {
      absl::StrAppend(out, "      ", rule, "\n");
    }
  }
  if (format.tables && !v.rendered_table().empty()) {
    absl::StrAppend(out, "\n", Indent(v.rendered_table(), "    "), "\n");
  }
}

void AppendCoverage(const Report& r, const ReportFormat& format,
                    std::string* out) {
  if (format.points && r.points_size() > 0) {
    absl::StrAppend(out, "  fault points (reached / fired):\n");
    for (const PointStats& p : r.points()) {
      std::vector<std::string> fired;
      for (const auto& [kind, n] : p.fired()) {
        fired.push_back(absl::StrCat(kind, " ", n));
      }
      std::sort(fired.begin(), fired.end());
      absl::StrAppendFormat(out, "    %-48s %10d / %s\n", p.name(), p.reached(),
                            fired.empty() ? "-" : absl::StrJoin(fired, ", "));
    }
  }
  if (r.points_never_reached_size() > 0) {
    absl::StrAppendFormat(out, "  WARNING rule points never reached: %s\n",
                          absl::StrJoin(r.points_never_reached(), ", "));
  }
  if (r.rules_never_fired_size() > 0) {
    absl::StrAppendFormat(out, "  WARNING rules that never fired: %s\n",
                          absl::StrJoin(r.rules_never_fired(), ", "));
  }
}

}  // namespace

std::string FormatReport(const Report& r, const ReportFormat& format) {
  std::string out;
  AppendHeader(r, &out);
  if (r.violations_size() == 0) {
    absl::StrAppend(&out, "  no violations\n");
  }
  for (const ViolationReport& v : r.violations()) {
    AppendViolation(v, r, format, &out);
  }
  AppendCoverage(r, format, &out);
  absl::StrAppend(&out, "  expectations:\n");
  for (const ExpectationResult& e : r.expectations()) {
    absl::StrAppendFormat(&out, "    [%s] %s: %s\n",
                          e.met() ? "met" : "NOT MET", e.expectation(),
                          e.detail());
  }
  absl::StrAppendFormat(&out, "  RESULT: %s\n",
                        r.expectations_met() ? "PASS (expectations met)"
                                             : "FAIL (expectations not met)");
  return out;
}

absl::StatusOr<std::string> ReportToJson(const Report& report) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  auto status =
      google::protobuf::util::MessageToJsonString(report, &json, options);
  if (!status.ok()) {
    return absl::InternalError(std::string(status.message()));
  }
  return json;
}

}  // namespace faultline
