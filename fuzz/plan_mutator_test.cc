// Goal: the plan fuzzer's structure-aware mutations do what they are for:
// every mutant is still a Plan that prints and parses back, a mutation is a
// function of its seed, most mutants differ from the plan, and many still
// validate (so the fuzzer's time goes into plans that run).
// Method: 500 seeds over the pre-fix seed plan.
#include "fuzz/plan_mutator.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include <fstream>
#include <iterator>
#include <string>

#include "framework/plan_loader.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

using google::protobuf::TextFormat;
using google::protobuf::util::MessageDifferencer;

TEST(PlanMutator, MutantsArePlansThatOftenValidate) {
  absl::StatusOr<Plan> seed = LoadPlanFile("plans/seed_race_prefix.textproto");
  ASSERT_TRUE(seed.ok()) << seed.status();
  int changed = 0;
  int valid = 0;
  for (uint64_t s = 0; s < 500; ++s) {
    Plan mutant = *seed;
    fuzz::MutatePlan(s, &mutant);
    Plan again = *seed;
    fuzz::MutatePlan(s, &again);
    EXPECT_TRUE(MessageDifferencer::Equals(mutant, again)) << "seed " << s;
    std::string text;
    ASSERT_TRUE(TextFormat::PrintToString(mutant, &text));
    Plan parsed;
    ASSERT_TRUE(TextFormat::ParseFromString(text, &parsed)) << text;
    EXPECT_TRUE(MessageDifferencer::Equals(mutant, parsed)) << text;
    if (!MessageDifferencer::Equals(mutant, *seed)) ++changed;
    if (ValidatePlan(mutant).ok()) ++valid;
  }
  EXPECT_GT(changed, 400);
  EXPECT_GT(valid, 50);
  EXPECT_LT(valid, 500);  // and some are not: the loader's errors get fuzzed
}

}  // namespace
}  // namespace faultline
