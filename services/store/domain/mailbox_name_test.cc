#include "services/store/domain/mailbox_name.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::store {
namespace {

using ::mailroom::testing::IsOkAndHolds;
using ::mailroom::testing::StatusIs;

TEST(CanonicalMailboxName, ValidNames) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"INBOX", "INBOX"},         {"inbox", "INBOX"},           {"InBoX/Sub", "INBOX/Sub"},
      {"Archive/2024", "Archive/2024"}, {"Entw\xc3\xbcrfe", "Entw\xc3\xbcrfe"},
      {"inboxes", "inboxes"},     {"a b/c", "a b/c"},
  };
  for (const Case& c : cases) EXPECT_THAT(CanonicalMailboxName(c.in), IsOkAndHolds(c.want)) << c.in;
}

TEST(CanonicalMailboxName, InvalidNames) {
  const std::string bad[] = {"",     "/a",         "a/",        "a//b",           "a*",
                             "%",    "bad\xff",    "ctl\x01",   std::string(1001, 'a'),
                             "\xed\xa0\x80" /* surrogate */,    "\xc0\xaf" /* overlong */};
  for (const std::string& name : bad) {
    EXPECT_THAT(CanonicalMailboxName(name), StatusIs(absl::StatusCode::kInvalidArgument)) << name;
  }
  std::string deep = "a";
  for (int i = 0; i < kMaxMailboxDepth; ++i) deep += "/a";
  EXPECT_THAT(CanonicalMailboxName(deep), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MailboxName, Descendants) {
  EXPECT_TRUE(IsSameOrDescendant("a/b", "a"));
  EXPECT_TRUE(IsSameOrDescendant("a", "a"));
  EXPECT_FALSE(IsSameOrDescendant("ab", "a"));
  EXPECT_FALSE(IsSameOrDescendant("a", "a/b"));
}

}  // namespace
}  // namespace mailroom::store
