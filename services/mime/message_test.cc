// Parse(): the hand-written message cases (ENVELOPE, structure, exact section bytes) and the
// limits.
#include "services/mime/message.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/mime/test_util.h"
#include "services/mime/text.h"

namespace mailroom::mime {
namespace {

using testing::AllCases;
using testing::CheckInvariants;
using testing::Describe;
using ::testing::Eq;
using testing::ImapEnvelope;
using ::testing::IsEmpty;
using testing::MessageCase;
using testing::ParsePath;
using ::testing::SizeIs;

class MessageCaseTest : public ::testing::TestWithParam<MessageCase> {};

std::string Section(std::string_view raw, uint64_t offset, uint64_t size) {
  return std::string(raw.substr(offset, size));
}

TEST_P(MessageCaseTest, MatchesHandWrittenExpectations) {
  const MessageCase& c = GetParam();
  Message msg = Parse(c.raw);
  EXPECT_EQ(CheckInvariants(msg, c.raw, Limits{}), "");
  EXPECT_EQ(msg.truncated, c.truncated);
  if (!c.envelope.empty()) {
    EXPECT_EQ(ImapEnvelope(msg.envelope), c.envelope);
  }
  if (!c.structure.empty()) {
    EXPECT_EQ(Describe(msg.body), c.structure);
  }
  for (const auto& [path, body] : c.bodies) {
    const Part* part = FindPart(msg, ParsePath(path));
    ASSERT_NE(part, nullptr) << "path " << path;
    EXPECT_EQ(Section(c.raw, part->body_offset, part->body_size), body) << "path " << path;
  }
  for (const auto& [path, header] : c.headers) {
    const Part* part = FindPart(msg, ParsePath(path));
    ASSERT_NE(part, nullptr) << "path " << path;
    EXPECT_EQ(Section(c.raw, part->header_offset, part->header_size), header) << "path " << path;
  }
  for (const auto& [path, envelope] : c.inner_envelopes) {
    const Part* part = FindPart(msg, ParsePath(path));
    ASSERT_NE(part, nullptr) << "path " << path;
    ASSERT_NE(part->message_envelope, nullptr) << "path " << path;
    EXPECT_EQ(ImapEnvelope(*part->message_envelope), envelope) << "path " << path;
  }
  for (const std::string& path : c.missing) {
    EXPECT_EQ(FindPart(msg, ParsePath(path)), nullptr) << "path " << path;
  }
}

INSTANTIATE_TEST_SUITE_P(Messages, MessageCaseTest, ::testing::ValuesIn(AllCases()),
                         [](const auto& info) { return info.param.name; });

TEST(ParseTest, CaseCountCoversTheBrief) { EXPECT_GE(AllCases().size(), 30u); }

TEST(ParseTest, HeadersInOrderUnfolded) {
  std::string raw =
      testing::Crlf("Subject: one\n two\nX-Empty:\nX-Spaced : value  \nFrom: a@b.c\n\nbody\n");
  Message msg = Parse(raw);
  ASSERT_THAT(msg.headers, SizeIs(4));
  EXPECT_EQ(msg.headers[0].name, "Subject");
  EXPECT_EQ(msg.headers[0].value, "one two");
  EXPECT_EQ(msg.headers[1].name, "X-Empty");
  EXPECT_EQ(msg.headers[1].value, "");
  EXPECT_EQ(msg.headers[2].name, "X-Spaced");  // RFC 5322 §4.5 obsolete WSP before ':'
  EXPECT_EQ(msg.headers[2].value, "value");
  EXPECT_EQ(msg.header_size, raw.find("body"));
  EXPECT_EQ(msg.size, raw.size());
}

TEST(ParseTest, EnclosedMessageHeadersAreKept) {
  std::string raw =
      testing::Crlf("Content-Type: message/rfc822\n\nSubject: inner\nX-Test: 1\n\nbody\n");
  Message msg = Parse(raw);
  ASSERT_THAT(msg.body.message_headers, SizeIs(2));
  EXPECT_EQ(msg.body.message_headers[1].name, "X-Test");
  EXPECT_EQ(msg.body.message_envelope->subject, "inner");
}

TEST(ParseTest, DeepNestingStopsAtMaxDepth) {
  std::string raw = testing::DeeplyNestedMessage(40);
  Limits limits;
  Message msg = Parse(raw, limits);
  EXPECT_TRUE(msg.truncated);
  EXPECT_EQ(CheckInvariants(msg, raw, limits), "");
  int depth = 0;
  const Part* p = &msg.body;
  while (!p->children.empty()) {
    p = &p->children[0];
    ++depth;
  }
  EXPECT_EQ(depth, limits.max_depth);
  EXPECT_EQ(p->type, "application");  // the entity that could not be expanded
  EXPECT_EQ(p->subtype, "octet-stream");
}

TEST(ParseTest, DeepNestingWithinLimitIsComplete) {
  std::string raw = testing::DeeplyNestedMessage(10);
  Message msg = Parse(raw);
  EXPECT_FALSE(msg.truncated);
  std::vector<uint32_t> path(10, 1);  // ten multiparts, the text is part 1.1.....1
  const Part* leaf = FindPart(msg, path);
  ASSERT_NE(leaf, nullptr);
  EXPECT_EQ(leaf->type, "text");
  EXPECT_EQ(raw.substr(leaf->body_offset, leaf->body_size), "innermost");
}

TEST(ParseTest, RecursionIsBoundedEvenWithHugeMaxDepth) {
  std::string raw = testing::DeeplyNestedMessage(3000);
  Limits limits;
  limits.max_depth = 1 << 30;
  limits.max_parts = 1 << 30;
  Message msg = Parse(raw, limits);
  EXPECT_TRUE(msg.truncated);  // capped at 1000 levels
}

TEST(ParseTest, ManyPartsStopAtMaxParts) {
  std::string raw = testing::ManyPartsMessage(3000);
  Limits limits;
  Message msg = Parse(raw, limits);
  EXPECT_TRUE(msg.truncated);
  EXPECT_EQ(CheckInvariants(msg, raw, limits), "");
  EXPECT_THAT(msg.body.children, SizeIs(limits.max_parts - 1));
  EXPECT_EQ(raw.substr(msg.body.children[5].body_offset, msg.body.children[5].body_size), "part 5");
}

TEST(ParseTest, MaxPartsOneMakesTopLevelMultipartOpaque) {
  std::string raw = testing::ManyPartsMessage(3);
  Limits limits;
  limits.max_parts = 1;
  Message msg = Parse(raw, limits);
  EXPECT_TRUE(msg.truncated);
  EXPECT_EQ(msg.body.type, "application");
  EXPECT_THAT(msg.body.children, IsEmpty());
}

TEST(ParseTest, MaxHeaderFieldsIgnoresTheRest) {
  std::string raw;
  for (int i = 0; i < 10; ++i) raw += "X-H: " + std::to_string(i) + "\r\n";
  raw += "Subject: late\r\n\r\nbody";
  Limits limits;
  limits.max_header_fields = 5;
  Message msg = Parse(raw, limits);
  EXPECT_TRUE(msg.truncated);
  EXPECT_THAT(msg.headers, SizeIs(5));
  EXPECT_EQ(msg.envelope.subject, std::nullopt);
  EXPECT_EQ(raw.substr(msg.body.body_offset), "body");  // the block still ends at the blank line
}

TEST(ParseTest, MaxHeaderBytesTreatsTheRestAsBody) {
  std::string raw = "Subject: a\r\nX-Long: " + std::string(100, 'x') + "\r\n\r\nbody";
  Limits limits;
  limits.max_header_bytes = 50;
  Message msg = Parse(raw, limits);
  EXPECT_TRUE(msg.truncated);
  EXPECT_EQ(msg.header_size, 12u);
  EXPECT_EQ(msg.envelope.subject, "a");
  EXPECT_EQ(msg.body.body_offset, 12u);
}

TEST(ParseTest, DuplicateContentTypeFirstWins) {
  Message msg = Parse("Content-Type: text/html\r\nContent-Type: image/png\r\n\r\nx");
  EXPECT_EQ(msg.body.subtype, "html");
}

TEST(ParseTest, MessageGlobalIsEncapsulated) {
  Message msg = Parse("Content-Type: message/global\r\n\r\nSubject: s\r\n\r\nb");
  ASSERT_THAT(msg.body.children, SizeIs(1));
  EXPECT_EQ(msg.body.message_envelope->subject, "s");
}

TEST(ParseTest, TextPlainWithoutSubtypeKeepsCharset) {
  Message msg = Parse("Content-Type: text; charset=utf-8\r\n\r\nx");
  EXPECT_EQ(msg.body.subtype, "plain");
  ASSERT_THAT(msg.body.params, SizeIs(1));
  EXPECT_EQ(msg.body.params[0].value, "utf-8");
}

}  // namespace
}  // namespace mailroom::mime
