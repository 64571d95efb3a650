#include "services/shared/auth/sasl.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::auth {
namespace {

using ::mailroom::testing::IsOkAndHolds;
using ::mailroom::testing::StatusIs;

TEST(Base64, StrictDecoding) {
  EXPECT_THAT(DecodeBase64("aGVsbG8="), IsOkAndHolds("hello"));
  EXPECT_THAT(DecodeBase64("aGk="), IsOkAndHolds("hi"));
  EXPECT_THAT(DecodeBase64("aA=="), IsOkAndHolds("h"));
  EXPECT_THAT(DecodeBase64("="), IsOkAndHolds(""));
  for (const char* bad : {"aGVsbG8", "aGV sbG8=", "a===", "aG=k", "!!!!", "aGVs\r\nbG8="}) {
    EXPECT_THAT(DecodeBase64(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_EQ(EncodeBase64("hello"), "aGVsbG8=");
}

TEST(Plain, DecodesRfc4616Messages) {
  absl::StatusOr<Credentials> c = DecodePlain(EncodeBase64(std::string("\0tim\0tanstaaftanstaaf", 21)));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->authzid, "");
  EXPECT_EQ(c->authcid, "tim");
  EXPECT_EQ(c->password, "tanstaaftanstaaf");
  c = DecodePlain(EncodeBase64(std::string("Ursel\0Kurt\0xipj3plmq", 20)));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->authzid, "Ursel");
  EXPECT_EQ(c->authcid, "Kurt");
}

TEST(Plain, RejectsMalformed) {
  const std::string bad[] = {
      EncodeBase64("nonuls"), EncodeBase64(std::string("\0user", 5)),
      EncodeBase64(std::string("\0\0pw", 4)), EncodeBase64(std::string("\0u\0", 3)),
      EncodeBase64(std::string("a\0b\0c\0d", 7)), "not base64!",
      EncodeBase64(std::string("\0u\0", 3) + std::string(300, 'p')),
  };
  for (const std::string& b : bad) {
    EXPECT_THAT(DecodePlain(b), StatusIs(absl::StatusCode::kInvalidArgument)) << b;
  }
}

TEST(Mechanism, Names) {
  EXPECT_EQ(ParseMechanism("plain"), Mechanism::kPlain);
  EXPECT_EQ(ParseMechanism("LOGIN"), Mechanism::kLogin);
  EXPECT_EQ(ParseMechanism("CRAM-MD5"), std::nullopt);
  EXPECT_TRUE(IsCancel("*"));
}

}  // namespace
}  // namespace mailroom::auth
