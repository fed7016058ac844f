// Goal: every kind of bad plan is rejected with one message that says where
// (file:line:col), which field, what was expected and, for names, the
// closest registered name; and only the first error is reported.
// Method: a table of plan text -> exact expected message, each text starting
// with the same three-line header so positions are easy to read. The names
// the plans use are registered by plan_test_names.cc.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "framework/plan_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

// Three valid lines every bad case starts from; the case's own text begins
// on line 4.
constexpr char kHeader[] =
    "version: 1\n"
    "scenario { name: \"plantest.seed_race\" }\n"
    "expect { no_violation: true }\n";

struct BadPlan {
  const char* label;
  std::string text;  // whole plan
  std::string want;  // exact message
};

std::string WithHeader(absl::string_view body) {
  return absl::StrCat(kHeader, body);
}

std::vector<BadPlan> BadPlans() {
  return {
      {"syntax error from the parser",
       WithHeader("rules { point: \"plantest.alloc_page\" fail {}\n"),
       "bad.textproto:5:1: Expected identifier, got: "},
      {"unknown field, with the closest field name",
       WithHeader("rules { point: \"plantest.alloc_page\" probabilty: 0.5 "
                  "fail {} }\n"),
       "bad.textproto:4:48: Message type \"faultline.Rule\" has no field "
       "named \"probabilty\"; did you mean \"probability\"?"},
      {"unknown enum value", WithHeader("exploration { strategy: RANDUM }\n"),
       "bad.textproto:4:32: Unknown enumeration value of \"RANDUM\" for "
       "field \"strategy\"."},
      {"two actions in one rule",
       WithHeader("rules { point: \"plantest.alloc_page\" fail {} yield {} "
                  "}\n"),
       "bad.textproto:4:52: Field \"yield\" is specified along with field "
       "\"fail\", another member of oneof \"action\"."},
      {"missing version",
       "scenario { name: \"plantest.seed_race\" }\n"
       "expect { no_violation: true }\n",
       "bad.textproto: version: missing; add `version: 1` (the version this "
       "loader supports)"},
      {"unsupported version",
       "version: 2\n"
       "scenario { name: \"plantest.seed_race\" }\n",
       "bad.textproto:1:1: version: unsupported version 2; this loader "
       "supports version 1"},
      {"missing scenario name",
       "version: 1\n"
       "scenario { variant: \"prefix\" }\n",
       "bad.textproto:2:1: scenario.name: missing; name a registered "
       "scenario; known scenarios: "},
      {"misspelt scenario",
       "version: 1\n"
       "scenario { name: \"plantest.seed_rase\" }\n",
       "bad.textproto:2:12: scenario.name: unknown scenario "
       "\"plantest.seed_rase\"; did you mean \"plantest.seed_race\"?"},
      {"unknown scenario parameter",
       "version: 1\n"
       "scenario {\n"
       "  name: \"plantest.seed_race\"\n"
       "  params { key: \"threads\" value: \"2\" }\n"
       "  params { key: \"round\" value: \"2\" }\n"
       "}\n",
       "bad.textproto:5:3: scenario.params[\"round\"]: unknown parameter "
       "\"round\" of scenario \"plantest.seed_race\"; did you mean "
       "\"rounds\"?"},
      {"scenario parameter set twice",
       "version: 1\n"
       "scenario {\n"
       "  name: \"plantest.seed_race\"\n"
       "  params { key: \"rounds\" value: \"2\" }\n"
       "  params { key: \"rounds\" value: \"3\" }\n"
       "}\n",
       "bad.textproto:5:3: scenario.params[\"rounds\"]: parameter set twice"},
      {"unknown variant",
       "version: 1\n"
       "scenario { name: \"plantest.seed_race\" variant: \"postfx\" }\n",
       "bad.textproto:2:39: scenario.variant: unknown variant \"postfx\" of "
       "scenario \"plantest.seed_race\"; did you mean \"postfix\"?"},
      {"variant of a scenario without variants",
       "version: 1\n"
       "scenario { name: \"plantest.no_variants\" variant: \"fixed\" }\n",
       "bad.textproto:2:41: scenario.variant: scenario "
       "\"plantest.no_variants\" has no variants, got \"fixed\""},
      {"misspelt point",
       WithHeader("rules { point: \"plantest.alloc_pages\" fail {} }\n"),
       "bad.textproto:4:9: rules[0].point: unknown fault point "
       "\"plantest.alloc_pages\"; did you mean \"plantest.alloc_page\"?"},
      {"rule without action",
       WithHeader("rules { point: \"plantest.alloc_page\" fail {} }\n"
                  "rules { point: \"plantest.alloc_page\" nth: 2 }\n"),
       "bad.textproto:5:1: rules[1]: no action; set exactly one of fail, "
       "error, delay, yield, trigger, wait_for"},
      {"fail at a point without a FL_FAULT_FAIL site",
       WithHeader("rules { point: \"plantest.before_lock\" fail {} }\n"),
       "bad.textproto:4:39: rules[0].fail: point \"plantest.before_lock\" "
       "has no FL_FAULT_FAIL site, so it cannot fail; its sites: "
       "FL_FAULT_POINT at tests/framework/plan_test_names.cc:"},
      {"error at a point without a FL_FAULT_ERROR site",
       WithHeader("rules { point: \"plantest.alloc_page\" error: -5 }\n"),
       "bad.textproto:4:38: rules[0].error: point \"plantest.alloc_page\" "
       "has no FL_FAULT_ERROR site, so it cannot return an error; its "
       "sites: FL_FAULT_FAIL at tests/framework/plan_test_names.cc:"},
      {"error value 0",
       WithHeader("rules { point: \"plantest.read_block\" error: 0 }\n"),
       "bad.textproto:4:38: rules[0].error: expected a nonzero errno-style "
       "value (0 means no error), got 0"},
      {"probability above 1",
       WithHeader("rules { point: \"plantest.alloc_page\" fail {} }\n"
                  "rules {\n"
                  "  point: \"plantest.alloc_page\"\n"
                  "  probability: 1.5\n"
                  "  fail {}\n"
                  "}\n"),
       "bad.textproto:7:3: rules[1].probability: expected a value in [0, "
       "1], got 1.5"},
      {"negative probability",
       WithHeader("rules { point: \"plantest.alloc_page\" probability: -0.1 "
                  "fail {} }\n"),
       "bad.textproto:4:38: rules[0].probability: expected a value in [0, "
       "1], got -0.1"},
      {"a branching rule without max_fires",
       WithHeader("rules { point: \"plantest.alloc_page\" branch: true fail {} "
                  "}\nexploration { strategy: DPOR }\n"),
       "bad.textproto:4:38: rules[0].branch: needs max_fires >= 1"},
      {"a branching rule that is not fail or error",
       WithHeader("rules { point: \"plantest.before_lock\" branch: true "
                  "max_fires: 1 yield {} }\nexploration { strategy: DPOR }\n"),
       "bad.textproto:4:39: rules[0].branch: only fail and error rules can "
       "branch"},
      {"a branching rule with nth",
       WithHeader("rules { point: \"plantest.alloc_page\" branch: true "
                  "max_fires: 1 nth: 1 fail {} }\n"
                  "exploration { strategy: DPOR }\n"),
       "bad.textproto:4:64: rules[0].nth: a branching rule fires where the "
       "search chooses"},
      {"a branching rule under random search",
       WithHeader("rules { point: \"plantest.alloc_page\" branch: true "
                  "max_fires: 1 fail {} }\n"),
       "bad.textproto:4:38: rules[0].branch: only systematic search explores "
       "fault choices"},
      {"iterative_bounding with PCT",
       WithHeader("exploration { strategy: PCT iterative_bounding: true }\n"),
       "bad.textproto:4:29: exploration.iterative_bounding: only strategies "
       "EXHAUSTIVE and DPOR search by preemption bound, but strategy is PCT"},
      {"state_caching with DPOR",
       WithHeader("exploration { strategy: DPOR state_caching: true }\n"),
       "bad.textproto:4:30: exploration.state_caching: only strategy "
       "EXHAUSTIVE caches states, but strategy is DPOR"},
      {"state_caching with a preemption bound",
       WithHeader("exploration { strategy: EXHAUSTIVE state_caching: true "
                  "preemption_bound: 2 }\n"),
       "bad.textproto:4:56: exploration.preemption_bound: state_caching "
       "searches every schedule; a state reached with fewer preemptions left "
       "would hide schedules, so it takes no preemption_bound"},
      {"state_caching with iterative bounding",
       WithHeader("exploration { strategy: EXHAUSTIVE state_caching: true "
                  "iterative_bounding: true }\n"),
       "bad.textproto:4:56: exploration.iterative_bounding: state_caching "
       "searches every schedule at once; it does not run by preemption "
       "bound"},
      {"disable_reduction with DPOR",
       WithHeader("exploration { strategy: DPOR disable_reduction: true }\n"),
       "bad.textproto:4:30: exploration.disable_reduction: only strategy "
       "EXHAUSTIVE reads disable_reduction, but strategy is DPOR"},
      {"nth written as 0",
       WithHeader("rules { point: \"plantest.alloc_page\" nth: 0 fail {} }\n"),
       "bad.textproto:4:38: rules[0].nth: expected a value >= 1 (nth is "
       "1-based; leave it out to match every hit), got 0"},
      {"skip together with nth",
       WithHeader("rules { point: \"plantest.alloc_page\" skip: 2 nth: 3 "
                  "fail {} }\n"),
       "bad.textproto:4:38: rules[0].skip: redundant with nth: nth counts "
       "the matching hits after skip, so this rule fires only on matching "
       "hit 5; write `nth: 5` alone"},
      {"empty task name",
       WithHeader("rules { point: \"plantest.alloc_page\" tasks: \"writer\" "
                  "tasks: \"\" fail {} }\n"),
       "bad.textproto:4:54: rules[0].tasks[1]: empty task name; name a task "
       "or a role"},
      {"duplicate rule name",
       WithHeader("rules { point: \"plantest.alloc_page\" name: \"a\" fail {} "
                  "}\n"
                  "rules { point: \"plantest.read_block\" name: \"a\" error: "
                  "-5 }\n"),
       "bad.textproto:5:38: rules[1].name: duplicate rule name \"a\" (also "
       "rules[0].name); reports need unique names"},
      {"negative delay",
       WithHeader("rules { point: \"plantest.before_lock\" delay { ns: -5 } "
                  "}\n"),
       "bad.textproto:4:47: rules[0].delay.ns: expected a value in [0, "
       "3600000000000] (at most one hour), got -5"},
      {"delay range upside down",
       WithHeader("rules {\n"
                  "  point: \"plantest.before_lock\"\n"
                  "  delay { ns: 500 max_ns: 100 }\n"
                  "}\n"),
       "bad.textproto:6:19: rules[0].delay.max_ns: expected a value >= ns "
       "(500), got 100"},
      {"misspelt hook",
       WithHeader("rules {\n"
                  "  point: \"plantest.before_lock\"\n"
                  "  trigger { hook: \"plantest.force_reclam\" }\n"
                  "}\n"),
       "bad.textproto:6:13: rules[0].trigger.hook: unknown hook "
       "\"plantest.force_reclam\"; did you mean \"plantest.force_reclaim\"?"},
      {"trigger without hook",
       WithHeader("rules { point: \"plantest.before_lock\" trigger {} }\n"),
       "bad.textproto:4:39: rules[0].trigger.hook: missing; name a hook "
       "registered with FL_REGISTER_HOOK"},
      {"wait_for an unknown point",
       WithHeader("rules {\n"
                  "  point: \"plantest.after_lock\"\n"
                  "  wait_for { point: \"plantest.befor_lock\" timeout_ns: 1 "
                  "}\n"
                  "}\n"),
       "bad.textproto:6:14: rules[0].wait_for.point: unknown fault point "
       "\"plantest.befor_lock\"; did you mean \"plantest.before_lock\"?"},
      {"wait_for its own point",
       WithHeader("rules {\n"
                  "  point: \"plantest.after_lock\"\n"
                  "  wait_for { point: \"plantest.after_lock\" timeout_ns: 1 "
                  "}\n"
                  "}\n"),
       "bad.textproto:6:14: rules[0].wait_for.point: \"plantest.after_lock\" "
       "waits for itself; an ordering edge needs another point"},
      {"wait_for without timeout",
       WithHeader("rules {\n"
                  "  point: \"plantest.after_lock\"\n"
                  "  wait_for { point: \"plantest.before_lock\" }\n"
                  "}\n"),
       "bad.textproto:6:3: rules[0].wait_for.timeout_ns: missing; every wait "
       "needs a timeout > 0 so a plan cannot hang"},
      {"wait_for with a negative timeout",
       WithHeader("rules {\n"
                  "  point: \"plantest.after_lock\"\n"
                  "  wait_for { point: \"plantest.before_lock\" timeout_ns: "
                  "-1 }\n"
                  "}\n"),
       "bad.textproto:6:44: rules[0].wait_for.timeout_ns: expected a value > "
       "0 (every wait is bounded), got -1"},
      {"negative time budget",
       WithHeader("exploration { time_budget_ms: -1 }\n"),
       "bad.textproto:4:15: exploration.time_budget_ms: expected a value >= "
       "0 (0 = no limit), got -1"},
      {"PCT depth too large",
       WithHeader("exploration { strategy: PCT pct_depth: 17 }\n"),
       "bad.textproto:4:29: exploration.pct_depth: expected a value in [0, "
       "16] (0 = 3), got 17"},
      {"PCT depth under another strategy",
       WithHeader("exploration { pct_depth: 4 }\n"),
       "bad.textproto:4:15: exploration.pct_depth: only strategy PCT reads "
       "pct_depth, but strategy is RANDOM (the default)"},
      {"PCT steps under another strategy",
       WithHeader("exploration { strategy: POS pct_steps: PCT_CHOICE_STEPS "
                  "}\n"),
       "bad.textproto:4:29: exploration.pct_steps: only strategy PCT reads "
       "pct_steps, but strategy is POS"},
      {"REPLAY without a token",
       WithHeader("exploration {\n  strategy: REPLAY\n}\n"),
       "bad.textproto:4:1: exploration.replay_token: missing; strategy "
       "REPLAY follows the replay token printed in a failure report"},
      {"replay token under another strategy",
       WithHeader("exploration { strategy: EXHAUSTIVE replay_token: \"x\" "
                  "}\n"),
       "bad.textproto:4:36: exploration.replay_token: only strategy REPLAY "
       "follows a replay token, but strategy is EXHAUSTIVE"},
      {"THREADS backend with a controlling strategy",
       WithHeader("exploration { backend: THREADS strategy: PCT }\n"),
       "bad.textproto:4:15: exploration.backend: backend THREADS only runs "
       "strategy RANDOM; PCT must control every step, which needs backend "
       "FIBERS"},
      {"no expectation",
       "version: 1\n"
       "scenario { name: \"plantest.seed_race\" }\n",
       "bad.textproto: expect: missing; add at least one, e.g. `expect { "
       "no_violation: true }` or `expect { violation: \"<check>\" }`"},
      {"empty expectation", WithHeader("expect {}\n"),
       "bad.textproto:4:1: expect[1]: empty expectation; set one of "
       "violation, no_violation, no_violation_of, search_complete"},
      {"expected violation without a name",
       "version: 1\n"
       "scenario { name: \"plantest.seed_race\" }\n"
       "expect { violation: \"\" }\n",
       "bad.textproto:3:10: expect[0].violation: empty check name; name the "
       "check that must be violated"},
      {"no_violation: false",
       "version: 1\n"
       "scenario { name: \"plantest.seed_race\" }\n"
       "expect { no_violation: false }\n",
       "bad.textproto:3:10: expect[0].no_violation: expected true (false "
       "expects nothing; leave the expectation out)"},
      {"misspelt check in violation",
       "version: 1\n"
       "scenario { name: \"plantest.seed_race\" }\n"
       "\n"
       "expect { violation: \"plantest.refcount_undreflow\" }\n",
       "bad.textproto:4:10: expect[0].violation: unknown check "
       "\"plantest.refcount_undreflow\"; no FL_BUG_ON / FL_WARN_ON in this "
       "binary, runtime check or check of the scenario has that name; did "
       "you mean \"plantest.refcount_underflow\"?"},
      {"misspelt check in no_violation_of",
       WithHeader("expect { no_violation_of: \"plantest.laek\" }\n"),
       "bad.textproto:4:10: expect[1].no_violation_of: unknown check "
       "\"plantest.laek\"; no FL_BUG_ON / FL_WARN_ON in this binary, runtime "
       "check or check of the scenario has that name; did you mean "
       "\"plantest.leak\"?"},
      {"misspelt runtime check",
       WithHeader("expect { no_violation_of: \"deadlok\" }\n"),
       "bad.textproto:4:10: expect[1].no_violation_of: unknown check "
       "\"deadlok\"; no FL_BUG_ON / FL_WARN_ON in this binary, runtime "
       "check or check of the scenario has that name; did you mean "
       "\"deadlock\"?"},
      {"task that the scenario does not spawn",
       WithHeader("rules { point: \"plantest.alloc_page\" tasks: \"wrtier\" "
                  "fail {} }\n"),
       "bad.textproto:4:38: rules[0].tasks[0]: no task or role \"wrtier\" "
       "in scenario \"plantest.seed_race\"; did you mean \"writer\"?"},
      {"task filter written as a pattern",
       WithHeader("rules { point: \"plantest.alloc_page\" tasks: "
                  "\"reader*\" fail {} }\n"),
       "bad.textproto:4:38: rules[0].tasks[0]: \"reader*\": rules match "
       "task names and roles exactly; name one task or role"},
      {"task of a scenario that declares none",
       "version: 1\n"
       "scenario { name: \"plantest.no_variants\" }\n"
       "expect { no_violation: true }\n"
       "rules { point: \"plantest.alloc_page\" tasks: \"cpu9\" fail {} }\n",
       "bad.textproto:4:38: rules[0].tasks[0]: scenario "
       "\"plantest.no_variants\" declares no task names or roles, so no task "
       "can match \"cpu9\""},
      {"iterations past the maximum",
       WithHeader("exploration { iterations: 1099511627777 }\n"),
       "bad.textproto:4:15: exploration.iterations: expected a value in [0, "
       "1099511627776] (0 = 1), got 1099511627777"},
      {"max_steps past the maximum",
       WithHeader("exploration { max_steps: 4294967297 }\n"),
       "bad.textproto:4:15: exploration.max_steps: expected a value in [0, "
       "4294967296] (0 = the default), got 4294967297"},
      {"iteration_timeout_ms past an hour",
       WithHeader("exploration { iteration_timeout_ms: 3600001 }\n"),
       "bad.textproto:4:15: exploration.iteration_timeout_ms: expected a "
       "value in [0, 3600000] (0 = 10000), got 3600001"},
      {"negative iteration_timeout_ms",
       WithHeader("exploration { iteration_timeout_ms: -1 }\n"),
       "bad.textproto:4:15: exploration.iteration_timeout_ms: expected a "
       "value in [0, 3600000] (0 = 10000), got -1"},
      {"preemption_bound that would read as unbounded",
       WithHeader("exploration { strategy: EXHAUSTIVE preemption_bound: "
                  "2147483648 }\n"),
       "bad.textproto:4:36: exploration.preemption_bound: expected a value "
       "in [0, 1000], got 2147483648"},
      {"error outside int32",
       WithHeader("rules { point: \"plantest.read_block\" error: 4294967296 "
                  "}\n"),
       "bad.textproto:4:38: rules[0].error: expected a value in "
       "[-2147483648, 2147483647] (an errno-style int), got 4294967296"},
      {"delay past one hour",
       WithHeader("rules { point: \"plantest.before_lock\" delay { ns: "
                  "9223372036854775807 } }\n"),
       "bad.textproto:4:47: rules[0].delay.ns: expected a value in [0, "
       "3600000000000] (at most one hour), got 9223372036854775807"},
      {"delay max_ns past one hour",
       WithHeader("rules { point: \"plantest.before_lock\" delay { ns: 1 "
                  "max_ns: 3600000000001 } }\n"),
       "bad.textproto:4:53: rules[0].delay.max_ns: expected a value <= "
       "3600000000000 (one hour), got 3600000000001"},
      {"wait_for timeout past one hour",
       WithHeader("rules { point: \"plantest.before_lock\" wait_for { point: "
                  "\"plantest.after_lock\" timeout_ns: 9223372036854775807 } "
                  "}\n"),
       "bad.textproto:4:79: rules[0].wait_for.timeout_ns: expected a value "
       "in [1, 3600000000000] (at most one hour), got 9223372036854775807"},
      {"int parameter out of range",
       "version: 1\n"
       "scenario {\n"
       "  name: \"plantest.seed_race\"\n"
       "  params { key: \"threads\" value: \"4611686018427387904\" }\n"
       "}\n",
       "bad.textproto:4:3: scenario.params[\"threads\"]: expected an "
       "integer in [1, 64], got \"4611686018427387904\""},
      {"bool parameter not a bool",
       "version: 1\n"
       "scenario {\n"
       "  name: \"plantest.seed_race\"\n"
       "  params { key: \"verbose\" value: \"yes!\" }\n"
       "}\n",
       "bad.textproto:4:3: scenario.params[\"verbose\"]: expected true or "
       "false, got \"yes!\""},
      {"enum parameter not a choice",
       "version: 1\n"
       "scenario {\n"
       "  name: \"plantest.seed_race\"\n"
       "  params { key: \"mode\" value: \"medium\" }\n"
       "}\n",
       "bad.textproto:4:3: scenario.params[\"mode\"]: expected one of "
       "\"fast\", \"slow\", got \"medium\""},
      {"contradicting expectations",
       WithHeader("expect { violation: \"plantest.leak\" }\n"),
       "bad.textproto:4:10: expect[1].violation: contradicts "
       "expect[0].no_violation, which forbids every violation"},
  };
}

TEST(ParsePlanText, RejectsEachBadPlanWithItsMessage) {
  std::vector<BadPlan> cases = BadPlans();
  ASSERT_GE(cases.size(), 15u);
  for (const BadPlan& bad : cases) {
    SCOPED_TRACE(bad.label);
    absl::StatusOr<Plan> plan = ParsePlanText(bad.text, "bad.textproto");
    ASSERT_FALSE(plan.ok()) << bad.text;
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
    // Messages that end in a list or a source line are checked as prefixes.
    const std::string message(plan.status().message());
    EXPECT_EQ(message.substr(0, bad.want.size()), bad.want) << bad.text;
  }
}

TEST(ParsePlanText, ReportsOnlyTheFirstError) {
  absl::StatusOr<Plan> plan = ParsePlanText(
      WithHeader("rules { point: \"plantest.nope\" fail {} }\n"
                 "rules { point: \"plantest.alloc_page\" probability: 2 "
                 "fail {} }\n"),
      "two_errors.textproto");
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(plan.status().message(), HasSubstr("rules[0].point"));
  EXPECT_THAT(plan.status().message(),
              ::testing::Not(HasSubstr("probability")));
}

}  // namespace
}  // namespace faultline
