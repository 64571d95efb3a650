// Table-driven tests of the POP3 command parser: raw line → Command or status code, each case
// also fed to CommandParser whole and one byte at a time.
#include "services/pop3/protocol/command.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::pop3 {
namespace {

using ::mailroom::testing::IsOkAndHolds;
using ::mailroom::testing::StatusIs;

Command Cmd(Verb verb, std::string text = "", std::optional<std::string> extra = std::nullopt,
            std::optional<uint32_t> message = std::nullopt,
            std::optional<uint32_t> lines = std::nullopt) {
  return Command{verb, std::move(text), std::move(extra), message, lines};
}

struct Good {
  std::string line;
  Command want;
};

const std::vector<Good>& GoodCases() {
  static const auto* cases = new std::vector<Good>{
      {"USER alice@example.test", Cmd(Verb::kUser, "alice@example.test")},
      {"user bob", Cmd(Verb::kUser, "bob")},
      {"PASS secret", Cmd(Verb::kPass, "secret")},
      {"PASS  two words ", Cmd(Verb::kPass, " two words ")},
      {"APOP mrose c4c9334bac560ecc979e58001b3e22fb",
       Cmd(Verb::kApop, "mrose", "c4c9334bac560ecc979e58001b3e22fb")},
      {"APOP mrose C4C9334BAC560ECC979E58001B3E22FB",
       Cmd(Verb::kApop, "mrose", "c4c9334bac560ecc979e58001b3e22fb")},
      {"AUTH", Cmd(Verb::kAuth)},
      {"AUTH plain", Cmd(Verb::kAuth, "PLAIN")},
      {"AUTH PLAIN AGFsaWNlAHNlY3JldA==", Cmd(Verb::kAuth, "PLAIN", "AGFsaWNlAHNlY3JldA==")},
      {"AUTH PLAIN =", Cmd(Verb::kAuth, "PLAIN", "=")},
      {"STLS", Cmd(Verb::kStls)},
      {"capa", Cmd(Verb::kCapa)},
      {"UTF8", Cmd(Verb::kUtf8)},
      {"STAT", Cmd(Verb::kStat)},
      {"LIST", Cmd(Verb::kList)},
      {"LIST 2", Cmd(Verb::kList, "", std::nullopt, 2)},
      {"LIST 0", Cmd(Verb::kList, "", std::nullopt, 0)},
      {"LIST 4294967295", Cmd(Verb::kList, "", std::nullopt, 4294967295u)},
      {"RETR 1", Cmd(Verb::kRetr, "", std::nullopt, 1)},
      {"RETR  7 ", Cmd(Verb::kRetr, "", std::nullopt, 7)},
      {"TOP 1 0", Cmd(Verb::kTop, "", std::nullopt, 1, 0)},
      {"TOP 3 10", Cmd(Verb::kTop, "", std::nullopt, 3, 10)},
      {"DELE 12", Cmd(Verb::kDele, "", std::nullopt, 12)},
      {"NOOP", Cmd(Verb::kNoop)},
      {"RSET", Cmd(Verb::kRset)},
      {"UIDL", Cmd(Verb::kUidl)},
      {"UIDL 5", Cmd(Verb::kUidl, "", std::nullopt, 5)},
      {"QUIT", Cmd(Verb::kQuit)},
      {"USER j\xc3\xb6rg@example.test", Cmd(Verb::kUser, "j\xc3\xb6rg@example.test")},
  };
  return *cases;
}

struct Bad {
  std::string line;
  absl::StatusCode code;
};

const std::vector<Bad>& BadCases() {
  static const auto* cases = new std::vector<Bad>{
      {"", absl::StatusCode::kUnimplemented},
      {" USER a", absl::StatusCode::kUnimplemented},
      {"FOO", absl::StatusCode::kUnimplemented},
      {"RETRX 1", absl::StatusCode::kUnimplemented},
      {"USER", absl::StatusCode::kInvalidArgument},
      {"USER a b", absl::StatusCode::kInvalidArgument},
      {"PASS", absl::StatusCode::kInvalidArgument},
      {"PASS ", absl::StatusCode::kInvalidArgument},
      {"APOP mrose", absl::StatusCode::kInvalidArgument},
      {"APOP mrose c4c9334bac560ecc979e58001b3e22f", absl::StatusCode::kInvalidArgument},
      {"APOP mrose c4c9334bac560ecc979e58001b3e22fz", absl::StatusCode::kInvalidArgument},
      {"AUTH PLAIN a b", absl::StatusCode::kInvalidArgument},
      {"STAT 1", absl::StatusCode::kInvalidArgument},
      {"LIST 1 2", absl::StatusCode::kInvalidArgument},
      {"LIST a", absl::StatusCode::kInvalidArgument},
      {"LIST -1", absl::StatusCode::kInvalidArgument},
      {"LIST +1", absl::StatusCode::kInvalidArgument},
      {"LIST 4294967296", absl::StatusCode::kInvalidArgument},
      {"LIST 00000000001", absl::StatusCode::kInvalidArgument},
      {"RETR", absl::StatusCode::kInvalidArgument},
      {"TOP 1", absl::StatusCode::kInvalidArgument},
      {"TOP 1 x", absl::StatusCode::kInvalidArgument},
      {"TOP 1 2 3", absl::StatusCode::kInvalidArgument},
      {"DELE", absl::StatusCode::kInvalidArgument},
      {"QUIT now", absl::StatusCode::kInvalidArgument},
      {"USER a\tb", absl::StatusCode::kInvalidArgument},
      {"NOOP\r", absl::StatusCode::kInvalidArgument},
      {std::string("USER a\0b", 8), absl::StatusCode::kInvalidArgument},
      {"USER " + std::string(1025, 'a'), absl::StatusCode::kResourceExhausted},
      {"PASS " + std::string(1025, 'a'), absl::StatusCode::kResourceExhausted},
      {"NOOP " + std::string(9000, ' '), absl::StatusCode::kResourceExhausted},
  };
  return *cases;
}

TEST(Pop3CommandTest, ParsesGoodLines) {
  for (const Good& c : GoodCases()) {
    EXPECT_THAT(ParseCommandLine(c.line), IsOkAndHolds(c.want)) << c.line;
  }
}

TEST(Pop3CommandTest, RejectsBadLines) {
  for (const Bad& c : BadCases()) {
    EXPECT_THAT(ParseCommandLine(c.line), StatusIs(c.code)) << c.line;
  }
}

// Feeds `input` to a CommandParser in chunks of `step` bytes; returns every result.
std::vector<absl::StatusOr<Command>> FeedAll(absl::string_view input, size_t step,
                                             const Limits& limits = {}) {
  CommandParser parser(limits);
  std::vector<absl::StatusOr<Command>> out;
  for (size_t i = 0; i < input.size(); i += step) {
    absl::string_view chunk = input.substr(i, step);
    while (!chunk.empty()) {
      std::optional<absl::StatusOr<Command>> r = parser.Feed(&chunk);
      if (r.has_value()) out.push_back(*std::move(r));
    }
  }
  EXPECT_EQ(parser.buffered(), 0u);
  return out;
}

TEST(Pop3CommandTest, IncrementalByteByByteMatchesWholeLine) {
  for (const Good& c : GoodCases()) {
    for (absl::string_view ending : {"\r\n", "\n"}) {
      const std::string wire = c.line + std::string(ending);
      for (size_t step : {size_t{1}, size_t{2}, size_t{3}, wire.size()}) {
        std::vector<absl::StatusOr<Command>> got = FeedAll(wire, step);
        ASSERT_EQ(got.size(), 1u) << c.line;
        EXPECT_THAT(got[0], IsOkAndHolds(c.want)) << c.line << " step " << step;
      }
    }
  }
  for (const Bad& c : BadCases()) {
    if (c.line.find('\r') != std::string::npos) continue;  // CR before LF is the line end
    const std::string wire = c.line + "\r\n";
    std::vector<absl::StatusOr<Command>> got = FeedAll(wire, 1);
    ASSERT_EQ(got.size(), 1u) << c.line;
    EXPECT_THAT(got[0], StatusIs(c.code)) << c.line;
  }
}

TEST(Pop3CommandTest, IncrementalPipelinedLines) {
  std::vector<absl::StatusOr<Command>> got = FeedAll("STAT\r\nLIST 1\r\nBOGUS\nQUIT\r\n", 1);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_THAT(got[0], IsOkAndHolds(Cmd(Verb::kStat)));
  EXPECT_THAT(got[1], IsOkAndHolds(Cmd(Verb::kList, "", std::nullopt, 1)));
  EXPECT_THAT(got[2], StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(got[3], IsOkAndHolds(Cmd(Verb::kQuit)));
}

TEST(Pop3CommandTest, OverlongLineIsSkippedNotBuffered) {
  Limits limits;
  limits.max_line_length = 16;
  CommandParser parser(limits);
  std::string input = "NOOP " + std::string(100, 'x');
  absl::string_view chunk = input;
  EXPECT_FALSE(parser.Feed(&chunk).has_value());
  EXPECT_LE(parser.buffered(), 17u);
  std::vector<absl::StatusOr<Command>> got;
  absl::string_view rest = "yyy\r\nNOOP\r\n";
  while (!rest.empty()) {
    if (auto r = parser.Feed(&rest)) got.push_back(*std::move(r));
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_THAT(got[0], StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(got[1], IsOkAndHolds(Cmd(Verb::kNoop)));
}

TEST(Pop3CommandTest, LineAtTheLimitSplitBeforeCrIsAccepted) {
  Limits limits;
  limits.max_line_length = 6;
  std::vector<absl::StatusOr<Command>> got = FeedAll("LIST 1\r\n", 1, limits);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_THAT(got[0], IsOkAndHolds(Cmd(Verb::kList, "", std::nullopt, 1)));
}

TEST(Pop3CommandTest, VerbNames) {
  EXPECT_EQ(VerbName(Verb::kRetr), "RETR");
  EXPECT_EQ(VerbName(Verb::kTop), "TOP");
  EXPECT_EQ(VerbName(Verb::kUtf8), "UTF8");
}

}  // namespace
}  // namespace mailroom::pop3
