// Goal: Bazel's sharding and run-number variables and the FAULTLINE_*
// overrides are read exactly, and malformed values are errors naming the
// variable. Method: set and unset environment variables around calls.
#include "framework/explore/explorer_options.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace faultline {
namespace {

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kNames) unsetenv(name);
  }
  void TearDown() override { SetUp(); }
  static constexpr const char* kNames[] = {"TEST_TOTAL_SHARDS",
                                           "TEST_SHARD_INDEX",
                                           "TEST_RUN_NUMBER",
                                           "FAULTLINE_SEED",
                                           "FAULTLINE_ITERATIONS",
                                           "TEST_SHARD_STATUS_FILE",
                                           "TEST_UNDECLARED_OUTPUTS_DIR"};
};

TEST_F(EnvTest, DefaultsToOneShard) {
  auto options = ExplorerOptions::FromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->total_shards, 1u);
  EXPECT_EQ(options->shard_index, 0u);
  EXPECT_FALSE(options->seed.has_value());
}

TEST_F(EnvTest, ReadsShardsRunNumberAndOverrides) {
  setenv("TEST_TOTAL_SHARDS", "4", 1);
  setenv("TEST_SHARD_INDEX", "3", 1);
  setenv("TEST_RUN_NUMBER", "2", 1);
  setenv("FAULTLINE_SEED", "77", 1);
  setenv("FAULTLINE_ITERATIONS", "5", 1);
  auto options = ExplorerOptions::FromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->total_shards, 4u);
  EXPECT_EQ(options->shard_index, 3u);
  EXPECT_EQ(options->seed_offset, 1u);
  EXPECT_EQ(options->seed, 77u);
  EXPECT_EQ(options->iterations, 5u);
}

TEST_F(EnvTest, RejectsMalformedValuesByName) {
  setenv("FAULTLINE_SEED", "12abc", 1);
  auto options = ExplorerOptions::FromEnvironment();
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.status().message().find("FAULTLINE_SEED"),
            std::string::npos);
}

TEST_F(EnvTest, RejectsShardIndexOutOfRange) {
  setenv("TEST_TOTAL_SHARDS", "2", 1);
  setenv("TEST_SHARD_INDEX", "2", 1);
  EXPECT_FALSE(ExplorerOptions::FromEnvironment().ok());
}

TEST(IterationSeed, DependsOnlyOnSeedAndIndex) {
  EXPECT_EQ(IterationSeed(1, 5), IterationSeed(1, 5));
  EXPECT_NE(IterationSeed(1, 5), IterationSeed(1, 6));
  EXPECT_NE(IterationSeed(1, 5), IterationSeed(2, 5));
}

}  // namespace
}  // namespace faultline
