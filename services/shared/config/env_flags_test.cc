#include "services/shared/config/env_flags.h"

#include "absl/flags/flag.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(int, test_port, 25, "a port");
ABSL_FLAG(std::string, test_name, "default", "a name");

namespace mailroom::config {
namespace {

TEST(EnvFlags, EnvNameIsPrefixedUpperCase) {
  EXPECT_EQ(EnvName("store_address"), "MAILROOM_STORE_ADDRESS");
}

TEST(EnvFlags, EnvironmentSetsMatchingFlagsOnly) {
  auto errors = ApplyEnvironment({"MAILROOM_TEST_PORT=2525", "MAILROOM_TEST_PORTX=1",
                                  "MAILROOM_TEST_NAME=with=equals", "OTHER=1"});
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_port), 2525);
  EXPECT_EQ(absl::GetFlag(FLAGS_test_name), "with=equals");
}

TEST(EnvFlags, BadValueIsReported) {
  auto errors = ApplyEnvironment({"MAILROOM_TEST_PORT=notanumber"});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("MAILROOM_TEST_PORT: "));
}

}  // namespace
}  // namespace mailroom::config
