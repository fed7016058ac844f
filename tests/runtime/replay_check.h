// A failure a sampling strategy finds must replay from its token: the check
// the strategy tests share (pos_test, surw_test).
#ifndef FAULTLINE_TESTS_RUNTIME_REPLAY_CHECK_H_
#define FAULTLINE_TESTS_RUNTIME_REPLAY_CHECK_H_

#include <cstdint>
#include <string>

#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/replay_token.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace testing_programs {

// Runs seeds 0..199 under `strategy` until `check` fails, then round-trips
// that failure through a replay token (which must name the strategy) and
// replays it strictly: the same check fails with the same trace hash.
inline void ExpectFailureReplaysFromItsToken(const ScenarioInfo& program,
                                             Strategy& strategy,
                                             const std::string& check) {
  for (uint64_t seed = 0; seed < 200; ++seed) {
    IterationResult failure = RunFibers(program, &strategy, seed);
    if (!HasViolation(failure, check)) continue;
    const std::string text =
        MakeReplayToken(failure.trace, /*plan_hash=*/5, seed, strategy.kind())
            .Encode();
    absl::StatusOr<ReplayToken> token = ReplayToken::Decode(text);
    ASSERT_TRUE(token.ok()) << token.status();
    EXPECT_EQ(token->strategy, static_cast<uint8_t>(strategy.kind()));
    auto replay = NewReplayStrategy(token->switches, ReplayMode::kStrict);
    IterationResult again = RunFibers(program, replay.get(), token->seed);
    EXPECT_TRUE(again.strategy_status.ok()) << again.strategy_status;
    EXPECT_TRUE(HasViolation(again, check));
    EXPECT_EQ(again.trace.hash, failure.trace.hash);
    return;
  }
  FAIL() << strategy.Name() << " found no " << check << " to replay";
}

}  // namespace testing_programs
}  // namespace faultline

#endif  // FAULTLINE_TESTS_RUNTIME_REPLAY_CHECK_H_
