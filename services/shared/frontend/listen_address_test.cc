#include "services/shared/frontend/listen_address.h"

#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::frontend {
namespace {

using ::mailroom::testing::StatusIs;

TEST(ParseListenAddress, Forms) {
  struct Case {
    std::string in, host;
    uint16_t port;
  } cases[] = {{"127.0.0.1:2525", "127.0.0.1", 2525},
               {":25", "0.0.0.0", 25},
               {"[::1]:143", "::1", 143},
               {"0.0.0.0:0", "0.0.0.0", 0}};
  for (const Case& c : cases) {
    absl::StatusOr<ListenAddress> a = ParseListenAddress(c.in);
    ASSERT_TRUE(a.ok()) << c.in;
    EXPECT_EQ(a->host, c.host);
    EXPECT_EQ(a->port, c.port);
  }
  for (const char* bad : {"", "127.0.0.1", "host:", "host:x", "host:70000", "[::1:25"}) {
    EXPECT_THAT(ParseListenAddress(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace mailroom::frontend
