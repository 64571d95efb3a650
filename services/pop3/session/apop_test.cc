#include "services/pop3/session/apop.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::pop3 {
namespace {

using ::mailroom::testing::StatusIs;

TEST(Pop3ApopTest, Rfc1939Example) {
  // RFC 1939 §7, the APOP example.
  const std::string ts = "<1896.697170952@dbc.mtview.ca.us>";
  EXPECT_EQ(ApopDigest(ts, "tanstaaf"), "c4c9334bac560ecc979e58001b3e22fb");
  EXPECT_TRUE(ApopDigestMatches(ts, "tanstaaf", "c4c9334bac560ecc979e58001b3e22fb"));
  EXPECT_FALSE(ApopDigestMatches(ts, "tanstaaf", "c4c9334bac560ecc979e58001b3e22fa"));
  EXPECT_FALSE(ApopDigestMatches(ts, "other", "c4c9334bac560ecc979e58001b3e22fb"));
}

TEST(Pop3ApopTest, SecretsFile) {
  auto secrets = ParseApopSecrets("# comment\n\nAlice@Example.test  two words\r\nbob@x\tpw\n");
  ASSERT_TRUE(secrets.ok());
  EXPECT_EQ(secrets->at("alice@example.test"), "two words");
  EXPECT_EQ(secrets->at("bob@x"), "pw");
  EXPECT_THAT(ParseApopSecrets("lonely\n"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mailroom::pop3
