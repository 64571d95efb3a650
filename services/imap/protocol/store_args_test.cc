#include "services/imap/protocol/store_args.h"

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
using Mode = StoreArgs::Mode;

TEST(StoreArgsTest, Valid) {
  struct Case {
    std::string args;
    Mode mode;
    bool silent;
    std::vector<std::string> flags;
    std::optional<uint64_t> unchanged_since;
  };
  const std::vector<Case> cases = {
      {"1 FLAGS (\\Seen)", Mode::kReplace, false, {"\\Seen"}, std::nullopt},
      {"1:* +FLAGS.SILENT (\\deleted $Junk)", Mode::kAdd, true, {"\\Deleted", "$Junk"},
       std::nullopt},
      {"2 -flags \\Flagged", Mode::kRemove, false, {"\\Flagged"}, std::nullopt},
      {"2 +FLAGS \\Answered \\Draft", Mode::kAdd, false, {"\\Answered", "\\Draft"}, std::nullopt},
      {"1 FLAGS ()", Mode::kReplace, false, {}, std::nullopt},
      {"1 (UNCHANGEDSINCE 0) FLAGS.SILENT (a)", Mode::kReplace, true, {"a"}, 0},
      {"1 (UNCHANGEDSINCE 320162338) +FLAGS (b)", Mode::kAdd, false, {"b"}, 320162338},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    absl::StatusOr<StoreArgs> parsed = ParseStoreArgs(Args(c.args));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->mode, c.mode);
    EXPECT_EQ(parsed->silent, c.silent);
    EXPECT_EQ(parsed->flags, c.flags);
    EXPECT_EQ(parsed->unchanged_since, c.unchanged_since);
  }
}

TEST(StoreArgsTest, Invalid) {
  for (const char* args :
       {"", "1", "1 FLAGS", "x FLAGS (a)", "1 LABELS (a)", "1 FLAGS.LOUD (a)", "1 *FLAGS (a)",
        "1 FLAGS (\\Recent)", "1 FLAGS (\\Bogus)", "1 FLAGS (\"a\")", "1 FLAGS ((a))",
        "1 FLAGS (a]b)", "1 (UNCHANGEDSINCE) FLAGS (a)", "1 (FOO 1) FLAGS (a)",
        "1 () FLAGS (a)", "1 FLAGS (a) b"}) {
    SCOPED_TRACE(args);
    EXPECT_THAT(ParseStoreArgs(Args(args)), StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

}  // namespace
}  // namespace mailroom::imap
