#include "services/shared/log/log.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mailroom::log {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Init("test", Level::kInfo);
    SetSinkForTest([this](std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override { SetSinkForTest(nullptr); }
  std::vector<std::string> lines_;
};

TEST_F(LogTest, WritesOneJsonLinePerEvent) {
  Info("delivered", {{"session", "abc"}, {"size", 42}, {"tls", true}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_THAT(lines_[0], StartsWith("{\"ts\":\""));
  EXPECT_THAT(lines_[0], HasSubstr("\"level\":\"info\",\"service\":\"test\",\"msg\":\"delivered\""));
  EXPECT_THAT(lines_[0], HasSubstr("\"session\":\"abc\",\"size\":42,\"tls\":true}\n"));
}

TEST_F(LogTest, DebugIsFilteredAtInfo) {
  Debug("hidden");
  EXPECT_TRUE(lines_.empty());
  Init("test", Level::kDebug);
  Debug("shown");
  EXPECT_EQ(lines_.size(), 1u);
}

TEST(AppendJsonString, EscapesControlQuotesAndBadUtf8) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"plain", "\"plain\""},
      {"a\"b\\c", "\"a\\\"b\\\\c\""},
      {"l1\r\nl2\t", "\"l1\\r\\nl2\\t\""},
      {std::string("\x01", 1), "\"\\u0001\""},
      {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
      {"bad\xff", "\"bad\\u00ff\""},
      {"trunc\xc3", "\"trunc\\u00c3\""},
  };
  for (const Case& c : cases) {
    std::string out;
    AppendJsonString(out, c.in);
    EXPECT_EQ(out, c.want) << c.in;
  }
}

TEST(ParseLevel, KnownAndUnknownNames) {
  EXPECT_EQ(ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(ParseLevel("warning"), Level::kWarning);
  EXPECT_EQ(ParseLevel("error"), Level::kError);
  EXPECT_EQ(ParseLevel("nonsense"), Level::kInfo);
}

}  // namespace
}  // namespace mailroom::log
