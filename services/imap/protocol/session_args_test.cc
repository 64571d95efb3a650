// Tests of LOGIN, AUTHENTICATE, ENABLE, ID, UID EXPUNGE and argument-less commands.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imap/protocol/args_test_util.h"
#include "services/imap/protocol/auth_args.h"
#include "services/imap/protocol/enable_args.h"
#include "services/imap/protocol/expunge_args.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::imap {
namespace {

using ::mailroom::imap::testing::Args;
using ::mailroom::testing::IsOk;
using ::mailroom::testing::IsOkAndHolds;
using ::mailroom::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(LoginArgsTest, Astrings) {
  absl::StatusOr<LoginArgs> login = ParseLoginArgs(Args("fred \"pa ss\""));
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->username, "fred");
  EXPECT_EQ(login->password, "pa ss");
  login = ParseLoginArgs(Args("{4+}\r\nfred {3+}\r\n\"x\""));
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->password, "\"x\"");
  for (const char* args : {"", "fred", "fred a b", "(fred) x"}) {
    EXPECT_THAT(ParseLoginArgs(Args(args)), StatusIs(kInvalid)) << args;
  }
}

TEST(AuthenticateArgsTest, InitialResponse) {
  absl::StatusOr<AuthenticateArgs> auth = ParseAuthenticateArgs(Args("plain"));
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->mechanism, "PLAIN");
  EXPECT_FALSE(auth->initial_response.has_value());
  auth = ParseAuthenticateArgs(Args("PLAIN AGZyZWQAc2VjcmV0"));
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->initial_response, std::string("\0fred\0secret", 12));
  auth = ParseAuthenticateArgs(Args("EXTERNAL ="));
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->initial_response, "");
  for (const char* args : {"", "\"PLAIN\"", "PLAIN abc", "PLAIN a=bc", "PLAIN AAA= x",
                           "PLAIN A===", "PLAIN \"AAAA\""}) {
    EXPECT_THAT(ParseAuthenticateArgs(Args(args)), StatusIs(kInvalid)) << args;
  }
}

TEST(AuthenticateArgsTest, SaslLines) {
  EXPECT_THAT(DecodeSaslLine("*"), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(DecodeSaslLine(""), IsOkAndHolds(""));
  EXPECT_THAT(DecodeSaslLine("Zm9vYg=="), IsOkAndHolds("foob"));
  EXPECT_THAT(DecodeSaslLine("Zm9v!"), StatusIs(kInvalid));
}

TEST(EnableArgsTest, Capabilities) {
  EXPECT_THAT(ParseEnableArgs(Args("condstore utf8=accept")),
              IsOkAndHolds(ElementsAre("CONDSTORE", "UTF8=ACCEPT")));
  EXPECT_THAT(ParseEnableArgs(Args("")), StatusIs(kInvalid));
  EXPECT_THAT(ParseEnableArgs(Args("(X)")), StatusIs(kInvalid));
}

TEST(IdArgsTest, Params) {
  absl::StatusOr<IdParams> id = ParseIdArgs(Args("nil"));
  ASSERT_TRUE(id.ok());
  EXPECT_FALSE(id->has_value());
  id = ParseIdArgs(Args("(\"name\" \"sodr\" \"version\" NIL)"));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(id->has_value());
  EXPECT_THAT(**id, ElementsAre(Pair("name", std::optional<std::string>("sodr")),
                                Pair("version", std::nullopt)));
  const std::string long_field = "(\"" + std::string(31, 'f') + "\" \"v\")";
  const std::string long_value = "(\"f\" \"" + std::string(1025, 'v') + "\")";
  for (const std::string& args :
       {std::string(""), std::string("(\"a\")"), std::string("(\"a\" \"b\" \"a\" \"c\")"),
        std::string("(a \"b\")"), std::string("(\"a\" (b))"), long_field, long_value,
        std::string("NIL x")}) {
    EXPECT_THAT(ParseIdArgs(Args(args)), StatusIs(kInvalid)) << args;
  }
}

TEST(ExpungeArgsTest, UidSetAndNoArgs) {
  absl::StatusOr<SequenceSet> set = ParseUidExpungeArgs(Args("3:5,9"));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->ToString(), "3:5,9");
  EXPECT_THAT(ParseUidExpungeArgs(Args("")), StatusIs(kInvalid));
  EXPECT_THAT(ParseUidExpungeArgs(Args("1 2")), StatusIs(kInvalid));
  EXPECT_THAT(ParseNoArgs(Args("")), IsOk());
  EXPECT_THAT(ParseNoArgs(Args("x")), StatusIs(kInvalid));
}

}  // namespace
}  // namespace mailroom::imap
