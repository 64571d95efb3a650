#include "services/imap/protocol/fetch_args.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imap/protocol/args_test_util.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::imap {
namespace {

using ::mailroom::imap::testing::Args;
using ::mailroom::testing::StatusIs;

// Renders the parsed items as response names, with PEEK and the partial length marked.
std::string Render(const FetchArgs& args) {
  std::vector<std::string> names;
  for (const FetchItem& item : args.items) {
    std::string name = ResponseItemName(item);
    if (item.peek) name += "/peek";
    if (item.partial) name += "/" + std::to_string(item.partial->length);
    names.push_back(name);
  }
  std::string out = args.set.ToString() + " " + absl::StrJoin(names, " ");
  if (args.changed_since) out += " changedsince=" + std::to_string(*args.changed_since);
  if (args.vanished) out += " vanished";
  return out;
}

TEST(FetchArgsTest, Valid) {
  struct Case {
    std::string args;
    bool uid;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"1 FLAGS", false, "1 FLAGS"},
      {"1:* all", false, "1:* FLAGS INTERNALDATE RFC822.SIZE ENVELOPE"},
      {"1 FAST", false, "1 FLAGS INTERNALDATE RFC822.SIZE"},
      {"1 FULL", false, "1 FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY"},
      {"1 (UID RFC822.SIZE BODYSTRUCTURE BODY ENVELOPE INTERNALDATE MODSEQ)", false,
       "1 UID RFC822.SIZE BODYSTRUCTURE BODY ENVELOPE INTERNALDATE MODSEQ"},
      {"1 (RFC822 RFC822.HEADER RFC822.TEXT)", false, "1 RFC822 RFC822.HEADER RFC822.TEXT"},
      {"1 BODY[]", false, "1 BODY[]"},
      {"1 body.peek[]<0.100>", false, "1 BODY[]<0>/peek/100"},
      {"1 (BODY.PEEK[HEADER.FIELDS (From To)]<0.100>)", false,
       "1 BODY[HEADER.FIELDS (From To)]<0>/peek/100"},
      {"1 BODY[header.fields.not (\"X-Spam\" Received)]", false,
       "1 BODY[HEADER.FIELDS.NOT (X-Spam Received)]"},
      {"1 (BODY[1.2.3] BODY[1.2.MIME] BODY[2.TEXT] BODY[3.HEADER] BODY[TEXT] BODY[HEADER])",
       false, "1 BODY[1.2.3] BODY[1.2.MIME] BODY[2.TEXT] BODY[3.HEADER] BODY[TEXT] BODY[HEADER]"},
      {"1 (BINARY[1]<5.10> BINARY.PEEK[] BINARY.SIZE[1.2])", false,
       "1 BINARY[1]<5>/10 BINARY[]/peek BINARY.SIZE[1.2]"},
      {"5:7 FLAGS", true, "5:7 FLAGS UID"},
      {"5 (UID FLAGS)", true, "5 UID FLAGS"},
      {"1:* (FLAGS) (CHANGEDSINCE 12345)", false, "1:* FLAGS MODSEQ changedsince=12345"},
      {"1:* (FLAGS) (CHANGEDSINCE 7 VANISHED)", true,
       "1:* FLAGS UID MODSEQ changedsince=7 vanished"},
      {"$ FLAGS", false, "$ FLAGS"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    absl::StatusOr<FetchArgs> parsed = ParseFetchArgs(Args(c.args), c.uid);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(Render(*parsed), c.expected);
  }
}

TEST(FetchArgsTest, SectionFields) {
  absl::StatusOr<FetchArgs> parsed =
      ParseFetchArgs(Args("1 BODY.PEEK[2.HEADER.FIELDS (Subject \"Date\")]"), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const FetchItem& item = parsed->items[0];
  EXPECT_EQ(item.attr, FetchAttr::kBodySection);
  EXPECT_TRUE(item.peek);
  EXPECT_EQ(item.section.part, std::vector<uint32_t>{2});
  EXPECT_EQ(item.section.text, SectionSpec::Text::kHeaderFields);
  EXPECT_EQ(item.section.fields, (std::vector<std::string>{"Subject", "Date"}));
}

TEST(FetchArgsTest, Invalid) {
  struct Case {
    std::string args;
    bool uid;
  };
  const std::vector<Case> cases = {
      {"", false},
      {"1", false},
      {"x FLAGS", false},
      {"1 FOO", false},
      {"1 ()", false},
      {"1 (ALL)", false},
      {"1 (FLAGS \"UID\")", false},
      {"1 BODY[", false},
      {"1 BODY[HEADER.FIELDS]", false},
      {"1 BODY[HEADER.FIELDS ()]", false},
      {"1 BODY[MIME]", false},
      {"1 BODY[0]", false},
      {"1 BODY[1.]", false},
      {"1 BODY[FOO]", false},
      {"1 BODY[]<0.0>", false},
      {"1 BODY[]<1>", false},
      {"1 BODY[]<a.b>", false},
      {"1 BODY[]x", false},
      {"1 BINARY[HEADER]", false},
      {"1 BINARY.SIZE[1]<0.1>", false},
      {"1 BODY.PEEK", false},
      {"1 FLAGS (CHANGEDSINCE 0)", false},
      {"1 FLAGS (CHANGEDSINCE)", false},
      {"1 FLAGS (VANISHED)", true},
      {"1 FLAGS (CHANGEDSINCE 5 VANISHED)", false},
      {"1 FLAGS (FOO)", false},
      {"1 FLAGS ()", false},
      {"1 FLAGS (CHANGEDSINCE 1) extra", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    EXPECT_THAT(ParseFetchArgs(Args(c.args), c.uid),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(FetchArgsTest, TooManyItems) {
  std::string items = "1 (";
  for (int i = 0; i < 10; ++i) items += "FLAGS ";
  items += "UID)";
  EXPECT_THAT(ParseFetchArgs(Args(items), false, 5), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mailroom::imap
