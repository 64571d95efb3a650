#include "services/shared/auth/throttle.h"

#include "gtest/gtest.h"

namespace mailroom::auth {
namespace {

TEST(AuthThrottle, DelayGrowsAndIsCapped) {
  ThrottleConfig c;
  c.base_delay = absl::Seconds(1);
  c.max_delay = absl::Seconds(5);
  AuthThrottle t(c);
  const absl::Time now = absl::FromUnixSeconds(1000);
  EXPECT_EQ(t.Delay("1.2.3.4", "bob", now), absl::ZeroDuration());
  t.RecordFailure("1.2.3.4", "bob", now);
  EXPECT_EQ(t.Delay("1.2.3.4", "other", now), absl::Seconds(1));
  EXPECT_EQ(t.Delay("9.9.9.9", "BOB", now), absl::Seconds(1));  // user names fold case
  t.RecordFailure("1.2.3.4", "bob", now);
  EXPECT_EQ(t.Delay("1.2.3.4", "bob", now), absl::Seconds(2));
  for (int i = 0; i < 5; ++i) t.RecordFailure("1.2.3.4", "bob", now);
  EXPECT_EQ(t.Delay("1.2.3.4", "bob", now), absl::Seconds(5));
}

TEST(AuthThrottle, BlocksPerUserAndPerIpAndForgetsAfterWindow) {
  ThrottleConfig c;
  c.max_failures_per_user = 3;
  c.max_failures_per_ip = 5;
  c.window = absl::Minutes(10);
  AuthThrottle t(c);
  const absl::Time now = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 3; ++i) t.RecordFailure("10.0.0.1", "alice", now);
  EXPECT_TRUE(t.Blocked("10.0.0.2", "alice", now));
  EXPECT_FALSE(t.Blocked("10.0.0.2", "carol", now));
  for (int i = 0; i < 2; ++i) t.RecordFailure("10.0.0.1", "x" + std::to_string(i), now);
  EXPECT_TRUE(t.Blocked("10.0.0.1", "carol", now));
  EXPECT_FALSE(t.Blocked("10.0.0.1", "carol", now + absl::Minutes(11)));
  t.RecordSuccess("alice");
  EXPECT_FALSE(t.Blocked("10.0.0.2", "alice", now));
}

TEST(AuthThrottle, MemoryIsBounded) {
  ThrottleConfig c;
  c.max_entries = 100;
  AuthThrottle t(c);
  const absl::Time now = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 10000; ++i) {
    t.RecordFailure("ip" + std::to_string(i), "user" + std::to_string(i), now + absl::Seconds(i));
  }
  EXPECT_LE(t.tracked(), 200u);
}

}  // namespace
}  // namespace mailroom::auth
