#include "services/shared/net/connection_limiter.h"

#include <optional>

#include "gtest/gtest.h"

namespace mailroom::net {
namespace {

TEST(NetConnectionLimiterTest, AddressKeys) {
  EXPECT_EQ(AddressKey("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(AddressKey("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(AddressKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressKey("2001:db8:1:2::99"), AddressKey("2001:db8:1:2:ffff::1"));
  EXPECT_EQ(AddressKey("not an ip"), "not an ip");
}

TEST(NetConnectionLimiterTest, PerAddressLimit) {
  ConnectionLimiter limiter(100, 2);
  EXPECT_EQ(limiter.TryAdmit("192.0.2.1"), std::nullopt);
  EXPECT_EQ(limiter.TryAdmit("192.0.2.1"), std::nullopt);
  EXPECT_EQ(limiter.TryAdmit("192.0.2.1"), Refusal::kTooManyFromAddress);
  EXPECT_EQ(limiter.TryAdmit("192.0.2.2"), std::nullopt);
  EXPECT_EQ(limiter.TryAdmit("2001:db8::1"), std::nullopt);
  EXPECT_EQ(limiter.TryAdmit("2001:db8::2"), std::nullopt);
  EXPECT_EQ(limiter.TryAdmit("2001:db8::3"), Refusal::kTooManyFromAddress);  // same /64
  EXPECT_EQ(limiter.total(), 5u);
  limiter.Release("192.0.2.1");
  EXPECT_EQ(limiter.CountFor("192.0.2.1"), 1u);
  EXPECT_EQ(limiter.TryAdmit("192.0.2.1"), std::nullopt);
}

TEST(NetConnectionLimiterTest, TotalLimitComesFirst) {
  ConnectionLimiter limiter(2, 1);
  EXPECT_EQ(limiter.TryAdmit("192.0.2.1"), std::nullopt);
  EXPECT_EQ(limiter.TryAdmit("192.0.2.2"), std::nullopt);
  EXPECT_EQ(limiter.TryAdmit("192.0.2.1"), Refusal::kTooManyConnections);
  limiter.Release("192.0.2.2");
  limiter.Release("192.0.2.9");  // never admitted: ignored
  EXPECT_EQ(limiter.total(), 1u);
  EXPECT_EQ(limiter.CountFor("192.0.2.2"), 0u);
}

TEST(NetConnectionLimiterTest, RefusalNames) {
  EXPECT_EQ(RefusalName(Refusal::kTooManyConnections), "too_many_connections");
  EXPECT_EQ(RefusalName(Refusal::kTooManyFromAddress), "too_many_from_address");
  EXPECT_EQ(RefusalName(Refusal::kShuttingDown), "shutting_down");
}

}  // namespace
}  // namespace mailroom::net
