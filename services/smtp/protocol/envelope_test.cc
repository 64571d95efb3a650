#include "services/smtp/protocol/envelope.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::smtp {
namespace {

using ::mailroom::testing::IsOk;
using ::mailroom::testing::StatusIs;

TEST(ParseMailFrom, PathsAndParameters) {
  absl::StatusOr<MailFrom> m = ParseMailFrom("FROM:<ann@example.test> SIZE=12345 BODY=8BITMIME "
                                             "SMTPUTF8 RET=HDRS ENVID=abc+2Bdef AUTH=<>");
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->reverse_path, "ann@example.test");
  EXPECT_EQ(m->size, 12345u);
  EXPECT_EQ(m->body, BodyType::k8BitMime);
  EXPECT_TRUE(m->smtputf8);
  EXPECT_EQ(m->ret, "HDRS");
  EXPECT_EQ(m->envid, "abc+2Bdef");

  m = ParseMailFrom("from:<>");
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->reverse_path, "");
  m = ParseMailFrom("FROM: <a@b.test>");  // one space after the colon is tolerated
  ASSERT_THAT(m, IsOk());
  m = ParseMailFrom("FROM:<@relay.test:a@b.test>");  // source route dropped
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->reverse_path, "a@b.test");
  m = ParseMailFrom("FROM:<\"a b\"@b.test>");
  ASSERT_THAT(m, IsOk());
  m = ParseMailFrom("FROM:<j\xc3\xb6rg@b\xc3\xbc.test> SMTPUTF8");
  ASSERT_THAT(m, IsOk());
}

TEST(ParseMailFrom, Errors) {
  const char* syntax[] = {"FROM:a@b.test", "TO:<a@b.test>", "FROM:<a@b.test", "FROM:<a@b.test>x",
                          "FROM:<ab.test>", "FROM:<a@@b.test>", "FROM:<a@b..test>",
                          "FROM:<.a@b.test>", "FROM:<a@-b.test>", "FROM:  <a@b.test>"};
  for (const char* s : syntax) {
    EXPECT_THAT(ParseMailFrom(s), StatusIs(absl::StatusCode::kInvalidArgument)) << s;
  }
  const char* params[] = {"FROM:<a@b.test> SIZE=abc", "FROM:<a@b.test> BODY=9BIT",
                          "FROM:<a@b.test> SIZE=1 SIZE=2", "FROM:<a@b.test> FOO=1",
                          "FROM:<a@b.test> SMTPUTF8=yes", "FROM:<a@b.test> RET=ALL",
                          "FROM:<a@b.test> ENVID=a=b"};
  for (const char* s : params) {
    EXPECT_THAT(ParseMailFrom(s), StatusIs(absl::StatusCode::kUnimplemented)) << s;
  }
}

TEST(ParseRcptTo, RecipientsAndRelayTricks) {
  absl::StatusOr<RcptTo> r = ParseRcptTo("TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE "
                                         "ORCPT=rfc822;bob@example.test");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->forward_path, "bob@example.test");
  EXPECT_EQ(r->notify, "SUCCESS,FAILURE");
  r = ParseRcptTo("TO:<Postmaster>");
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->postmaster);
  // A source route is removed: the real destination is what is checked for relaying.
  r = ParseRcptTo("TO:<@example.test:user@remote.test>");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->forward_path, "user@remote.test");
  EXPECT_TRUE(r->had_source_route);
  // These parse, and the store refuses them as local addresses.
  EXPECT_THAT(ParseRcptTo("TO:<user%remote.test@example.test>"), IsOk());
  EXPECT_THAT(ParseRcptTo("TO:<\"user@remote.test\"@example.test>"), IsOk());
  // Never one address.
  EXPECT_THAT(ParseRcptTo("TO:<user@remote.test@example.test>"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRcptTo("TO:<>"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRcptTo("TO:<a@b.test> NOTIFY=NEVER,SUCCESS"),
              StatusIs(absl::StatusCode::kUnimplemented));
}

}  // namespace
}  // namespace mailroom::smtp
