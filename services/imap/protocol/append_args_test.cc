#include "services/imap/protocol/append_args.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imap/protocol/args_test_util.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::imap {
namespace {

using ::mailroom::imap::testing::Args;
using ::mailroom::testing::StatusIs;
using ::testing::ElementsAre;

TEST(AppendArgsTest, Single) {
  absl::StatusOr<AppendArgs> parsed = ParseAppendArgs(
      Args("saved-messages (\\Seen $x) \"05-Jan-2026 13:05:00 -0800\" {5+}\r\nHello"), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->mailbox, "saved-messages");
  ASSERT_EQ(parsed->messages.size(), 1u);
  const AppendMessage& m = parsed->messages[0];
  EXPECT_THAT(m.flags, ElementsAre("\\Seen", "$x"));
  ASSERT_TRUE(m.internal_date.has_value());
  EXPECT_EQ(m.internal_date->zone_minutes, -480);
  EXPECT_EQ(m.internal_date->time, absl::FromUnixSeconds(1767647100));
  EXPECT_EQ(m.data, "Hello");
  EXPECT_EQ(m.size, 5u);
  EXPECT_FALSE(m.literal8);
}

TEST(AppendArgsTest, MultiAppendBinaryAndUtf8) {
  absl::StatusOr<AppendArgs> parsed = ParseAppendArgs(
      Args(std::string("INBOX {1+}\r\nA (\\Draft) ~{3+}\r\na") + '\0' +
           "b \" 1-Feb-2026 00:00:00 +0000\" UTF8 (~{2+}\r\nhi)"),
      false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->messages.size(), 3u);
  EXPECT_EQ(parsed->messages[0].data, "A");
  EXPECT_TRUE(parsed->messages[0].flags.empty());
  EXPECT_TRUE(parsed->messages[1].literal8);
  EXPECT_EQ(parsed->messages[1].data, std::string("a\0b", 3));
  EXPECT_TRUE(parsed->messages[2].utf8);
  EXPECT_TRUE(parsed->messages[2].internal_date.has_value());
  EXPECT_EQ(parsed->messages[2].data, "hi");
}

TEST(AppendArgsTest, Prefix) {
  absl::StatusOr<AppendPrefix> prefix =
      ParseAppendPrefix(Args("INBOX {1+}\r\nA (\\Seen) \"01-Feb-2026 10:00:00 +0100\""), false);
  ASSERT_TRUE(prefix.ok()) << prefix.status();
  EXPECT_EQ(prefix->mailbox, "INBOX");
  EXPECT_EQ(prefix->messages.size(), 1u);
  EXPECT_THAT(prefix->pending.flags, ElementsAre("\\Seen"));
  EXPECT_TRUE(prefix->pending.internal_date.has_value());

  prefix = ParseAppendPrefix(Args("INBOX UTF8"), false);
  ASSERT_TRUE(prefix.ok()) << prefix.status();
  EXPECT_TRUE(prefix->pending.utf8);
  EXPECT_THAT(ParseAppendPrefix(Args("INBOX (\\Bogus)"), false),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AppendArgsTest, Invalid) {
  for (const char* args :
       {"", "INBOX", "INBOX (\\Seen)", "INBOX \"hello\"", "INBOX \"32-Jan-2026 00:00:00 +0000\" {1+}\r\nA",
        "INBOX \"01-Jan-2026 00:00 +0000\" {1+}\r\nA", "INBOX (\\Recent) {1+}\r\nA",
        "INBOX UTF8 ({1+}\r\nA)", "INBOX UTF8 (~{1+}\r\nA ~{1+}\r\nB)", "INBOX CATENATE (TEXT {1+}\r\nA)",
        "INBOX {1+}\r\nA junk", "\"&x\" {1+}\r\nA"}) {
    SCOPED_TRACE(args);
    EXPECT_THAT(ParseAppendArgs(Args(args), false), StatusIs(absl::StatusCode::kInvalidArgument));
  }
  // NUL is only allowed in literal8.
  EXPECT_THAT(ParseAppendArgs(Args(std::string("INBOX {3+}\r\na\0b", 15)), false),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mailroom::imap
