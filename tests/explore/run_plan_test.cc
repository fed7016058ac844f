// Goal: RunPlanFile's terminal output reads cleanly: a progress bar that a
// run leaves early (its verdict decided before the budget) is ended before
// the report starts, and it shows elapsed time and schedules per second.
// Method: run the inode cache's buggy plan (exhaustive search stops at the
// first violation, far below its 10,000-iteration budget) with the bar
// progress mode and stdout and stderr sent to one stream, as on a terminal.
#include "framework/explore/run_plan.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(RunPlanFile, EndsAnEarlyStoppedProgressBarBeforeTheReport) {
  RunPlanOptions options;
  options.explorer.progress = ExplorerOptions::Progress::kBar;
  std::ostringstream terminal;
  const int code = RunPlanFile("examples/inode_cache/buggy.textproto", options,
                               terminal, terminal);
  ASSERT_EQ(code, kExitMet) << terminal.str();
  const std::string text = terminal.str();
  const size_t last_draw = text.rfind("\r  [");
  ASSERT_NE(last_draw, std::string::npos) << text;
  const size_t line_end = text.find('\n', last_draw);
  ASSERT_NE(line_end, std::string::npos) << text;
  const std::string bar = text.substr(last_draw, line_end - last_draw);
  EXPECT_THAT(bar, HasSubstr("iterations"));
  EXPECT_THAT(bar, HasSubstr("schedules/s"));
  EXPECT_THAT(bar, ::testing::Not(HasSubstr("plan ")));
  EXPECT_THAT(text.substr(line_end + 1), StartsWith("plan "));
}

}  // namespace
}  // namespace faultline
