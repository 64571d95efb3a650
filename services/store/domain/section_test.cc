#include "services/store/domain/section.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"
#include "services/store/domain/ingest.h"

namespace mailroom::store {
namespace {

using ::mailroom::testing::StatusIs;
using S = v1::ReadMessageRequest;

const char kMessage[] =
    "From: a@example.test\r\n"
    "Subject: outer\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "part one\r\n"
    "--XX\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "Content-Type: multipart/alternative; boundary=YY\r\n"
    "\r\n"
    "--YY\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "inner plain\r\n"
    "--YY\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>inner html</p>\r\n"
    "--YY--\r\n"
    "\r\n"
    "--XX--\r\n";

class SectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    raw_ = kMessage;
    IngestedContent c = Ingest(raw_);
    ASSERT_TRUE(root_.ParseFromString(c.structure));
    header_size_ = c.header_size;
  }
  std::string Get(std::vector<uint32_t> path, S::Section section) {
    absl::StatusOr<ByteRange> r = FindSection(root_, raw_.size(), header_size_, path, section);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "<error>";
    return raw_.substr(r->offset, r->length);
  }
  std::string raw_;
  v1::BodyPart root_;
  uint64_t header_size_ = 0;
};

TEST_F(SectionTest, WholeHeaderAndText) {
  EXPECT_EQ(Get({}, S::SECTION_UNSPECIFIED), raw_);
  EXPECT_EQ(Get({}, S::SECTION_HEADER), raw_.substr(0, raw_.find("\r\n\r\n") + 4));
  EXPECT_EQ(Get({}, S::SECTION_TEXT), raw_.substr(raw_.find("\r\n\r\n") + 4));
}

TEST_F(SectionTest, NestedParts) {
  EXPECT_EQ(Get({1}, S::SECTION_UNSPECIFIED), "part one");
  EXPECT_EQ(Get({1}, S::SECTION_MIME), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(Get({2, 1}, S::SECTION_UNSPECIFIED), "inner plain");
  EXPECT_EQ(Get({2, 2}, S::SECTION_UNSPECIFIED), "<p>inner html</p>");
  EXPECT_EQ(Get({2}, S::SECTION_HEADER),
            "Subject: inner\r\nContent-Type: multipart/alternative; boundary=YY\r\n\r\n");
  EXPECT_THAT(Get({2}, S::SECTION_TEXT), ::testing::StartsWith("--YY\r\n"));
}

TEST_F(SectionTest, Errors) {
  EXPECT_THAT(FindSection(root_, raw_.size(), header_size_, {3}, S::SECTION_UNSPECIFIED),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(FindSection(root_, raw_.size(), header_size_, {0}, S::SECTION_UNSPECIFIED),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(FindSection(root_, raw_.size(), header_size_, {1}, S::SECTION_HEADER),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FindSection(root_, raw_.size(), header_size_, {}, S::SECTION_MIME),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SectionSinglePart, PartOneIsTheBody) {
  const std::string raw = "Subject: x\r\n\r\nbody text\r\n";
  IngestedContent c = Ingest(raw);
  v1::BodyPart root;
  ASSERT_TRUE(root.ParseFromString(c.structure));
  absl::StatusOr<ByteRange> r = FindSection(root, raw.size(), c.header_size, {1},
                                            S::SECTION_UNSPECIFIED);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(raw.substr(r->offset, r->length), "body text\r\n");
}

}  // namespace
}  // namespace mailroom::store
