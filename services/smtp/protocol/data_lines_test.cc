#include "services/smtp/protocol/data_lines.h"

#include <vector>

#include "gtest/gtest.h"

namespace mailroom::smtp {
namespace {

struct In {
  std::string text;
  bool crlf;
};

// Feeds lines until the end marker; returns the body and whether the end was seen.
std::pair<std::string, bool> Feed(DataLines& d, const std::vector<In>& lines) {
  std::string out;
  for (const In& l : lines) {
    if (d.Add(l.text, l.crlf, &out)) return {out, true};
  }
  return {out, false};
}

TEST(DataLines, UnstuffsAndEndsOnlyAtCrlfDotCrlf) {
  DataLines d(BareLineEndings::kReject, 998);
  auto [body, ended] = Feed(d, {{"Subject: x", true}, {"", true}, {"..leading dot", true},
                               {".", true}, {"after", true}});
  EXPECT_TRUE(ended);
  EXPECT_EQ(body, "Subject: x\r\n\r\n.leading dot\r\n");
  EXPECT_FALSE(d.bad_line_endings());
  EXPECT_EQ(d.bytes(), body.size());
}

// SMTP smuggling: "<LF>.<LF>", "<LF>.<CRLF>" and "<CRLF>.<LF>" never end the data.
TEST(DataLines, SmugglingSequencesDoNotEndData) {
  {
    DataLines d(BareLineEndings::kReject, 998);
    auto [body, ended] = Feed(d, {{"text", false}, {".", false}, {"MAIL FROM:<x@y>", true}});
    EXPECT_FALSE(ended);
    EXPECT_TRUE(d.bad_line_endings());
  }
  {
    DataLines d(BareLineEndings::kReject, 998);
    auto [body, ended] = Feed(d, {{"text", false}, {".", true}});
    EXPECT_FALSE(ended);  // the "." follows a bare LF
  }
  {
    DataLines d(BareLineEndings::kReject, 998);
    auto [body, ended] = Feed(d, {{"text", true}, {".", false}});
    EXPECT_FALSE(ended);
  }
  {
    // "<CR>.<CR>" arrives inside one line: bare CRs, never an end.
    DataLines d(BareLineEndings::kReject, 998);
    auto [body, ended] = Feed(d, {{"text\r.\rMAIL FROM:<x@y>", true}});
    EXPECT_FALSE(ended);
    EXPECT_TRUE(d.bad_line_endings());
  }
}

TEST(DataLines, NormalisePolicyRewritesToCrlf) {
  DataLines d(BareLineEndings::kNormalize, 998);
  auto [body, ended] = Feed(d, {{"a", false}, {"b\rc", true}, {"", true}, {".", true}});
  EXPECT_TRUE(ended);
  EXPECT_EQ(body, "a\r\nb\r\nc\r\n\r\n");
  EXPECT_TRUE(d.bad_line_endings());  // seen, but normalised
}

TEST(DataLines, LongLinesAreNoted) {
  DataLines d(BareLineEndings::kReject, 10);
  std::string out;
  d.Add(std::string(11, 'x'), true, &out);
  EXPECT_TRUE(d.overlong());
  EXPECT_FALSE(d.truncated());
  DataLines e(BareLineEndings::kReject, 10);
  e.AddOverlongLine();
  EXPECT_TRUE(e.overlong());
  EXPECT_TRUE(e.truncated());
}

}  // namespace
}  // namespace mailroom::smtp
