#include "services/imap/protocol/mutf7.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imap/protocol/imap_date.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/shared/status/status_matchers.h"
#include "services/shared/text/utf8.h"

namespace mailroom::imap {
namespace {

using ::mailroom::testing::IsOkAndHolds;
using ::mailroom::testing::StatusIs;

TEST(Mutf7Test, RoundTrip) {
  struct Case {
    std::string utf8;
    std::string mutf7;
  };
  const std::vector<Case> cases = {
      {"INBOX", "INBOX"},
      {"", ""},
      {"A&B", "A&-B"},
      {"&", "&-"},
      {"~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
       "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},  // RFC 3501 §5.1.3 example
      {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},
      {"\xf0\x9f\x98\x80", "&2D3eAA-"},  // U+1F600, a surrogate pair
      {"\xc3\xa9\xc3\xa9\xc3\xa9", "&AOkA6QDp-"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mutf7);
    EXPECT_EQ(EncodeMutf7(c.utf8), c.mutf7);
    EXPECT_THAT(DecodeMutf7(c.mutf7), IsOkAndHolds(c.utf8));
  }
}

TEST(Mutf7Test, Invalid) {
  for (const char* text : {"&", "&AOk", "&AOk-&", "a\xc3\xa9", "tab\there", "&AGE-",  // 'a'
                           "&2D0-", "&3gA-", "&AAA-", "&AO-", "&AOkA-", "&A!k-", "&AOl-"}) {
    SCOPED_TRACE(text);
    EXPECT_THAT(DecodeMutf7(text), StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(Mutf7Test, InvalidUtf8IsReplaced) {
  EXPECT_EQ(EncodeMutf7("a\xff"), "a&,,0-");
  EXPECT_FALSE(text::IsValidUtf8("a\xff"));
  EXPECT_FALSE(text::IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(text::IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_TRUE(text::IsValidUtf8("\xf0\x9f\x98\x80"));
}

TEST(MailboxNameTest, InboxAndControls) {
  EXPECT_THAT(MailboxFromWire("inBox", false), IsOkAndHolds("INBOX"));
  EXPECT_THAT(MailboxFromWire("inbox/sub", false), IsOkAndHolds("inbox/sub"));
  EXPECT_THAT(MailboxFromWire("a&AAE-b", false), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MailboxFromWire("a\xff", true), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MailboxFromWire(std::string(1025, 'a'), true),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(MailboxToWire("Entw\xc3\xbcrfe", false), "Entw&APw-rfe");
  EXPECT_EQ(MailboxToWire("Entw\xc3\xbcrfe", true), "Entw\xc3\xbcrfe");
}

TEST(ImapDateTest, Dates) {
  EXPECT_THAT(ParseDate("1-Feb-2026"), IsOkAndHolds(absl::CivilDay(2026, 2, 1)));
  EXPECT_THAT(ParseDate("29-feb-2024"), IsOkAndHolds(absl::CivilDay(2024, 2, 29)));
  for (const char* text : {"29-Feb-2026", "0-Jan-2026", "1-Jan-26", "1 Jan 2026", "01-Jan-2026x",
                           "123-Jan-2026", "", "-Jan-2026"}) {
    EXPECT_THAT(ParseDate(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
}

TEST(ImapDateTest, DateTimes) {
  absl::StatusOr<DateTime> dt = ParseDateTime(" 5-Jan-2026 13:05:00 +0130");
  ASSERT_TRUE(dt.ok());
  EXPECT_EQ(dt->zone_minutes, 90);
  EXPECT_EQ(dt->time, absl::FromUnixSeconds(1767612900));
  EXPECT_EQ(FormatDateTime(dt->time, dt->zone_minutes), "05-Jan-2026 13:05:00 +0130");
  EXPECT_EQ(FormatDateTime(dt->time, -480), "05-Jan-2026 03:35:00 -0800");
  for (const char* text : {"05-Jan-2026 24:00:00 +0000", "05-Jan-2026 13:05 +0000",
                           "05-Jan-2026 13:05:00", "05-Jan-2026 13:05:00 0000",
                           "05-Jan-2026 13:05:00 +00", "05-Jan-2026 13:05:00 +0060",
                           "05-Jan-2026  13:05:00 +0000"}) {
    EXPECT_THAT(ParseDateTime(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
}

}  // namespace
}  // namespace mailroom::imap
