#include "services/store/domain/ingest.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mailroom/store/v1/store.pb.h"

namespace mailroom::store {
namespace {

namespace v1 = ::mailroom::store::v1;
using ::testing::HasSubstr;

TEST(BaseSubject, Rfc5256Examples) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"Hello", "hello"},
      {"Re: Hello", "hello"},
      {"RE: re: Fwd: Hello", "hello"},
      {"Re[2]: Hello", "hello"},
      {"[list] Re: Hello", "hello"},
      {"Hello (fwd)", "hello"},
      {"[Fwd: Hello]", "hello"},
      {"  Many   spaces\there ", "many spaces here"},
      {"Re:", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(BaseSubject(c.in), c.want) << c.in;
}

TEST(Ingest, DerivesSearchAndSortData) {
  const std::string raw =
      "From: \"Ann\" <Ann@Example.TEST>\r\n"
      "To: bob@example.test, carl@example.test\r\n"
      "Subject: =?UTF-8?Q?Re:_Caf=C3=A9?=\r\n"
      "Date: Tue, 3 Mar 2026 10:00:00 +0100\r\n"
      "\r\n"
      "Hello caf\xc3\xa9 world\r\n";
  IngestedContent c = Ingest(raw);
  EXPECT_EQ(c.sha256, Sha256(raw));
  EXPECT_EQ(c.sha256.size(), 32u);
  EXPECT_EQ(c.size, raw.size());
  EXPECT_EQ(c.header_size, raw.find("\r\n\r\n") + 4);
  EXPECT_EQ(c.sort_subject, "caf\xc3\xa9");
  EXPECT_EQ(c.sort_from, "ann@example.test");
  EXPECT_EQ(c.sort_to, "bob@example.test");
  ASSERT_TRUE(c.sent_date.has_value());
  EXPECT_EQ(*c.sent_date, 1772528400);  // 2026-03-03T09:00:00Z
  EXPECT_THAT(c.body_text, HasSubstr("caf\xc3\xa9 world"));
  EXPECT_THAT(c.headers_json, HasSubstr("\"subject\":[\"Re: Caf\xc3\xa9\"]"));
  v1::Envelope env;
  ASSERT_TRUE(env.ParseFromString(c.envelope));
  EXPECT_EQ(env.subject(), "=?UTF-8?Q?Re:_Caf=C3=A9?=");  // ENVELOPE keeps encoded words
  ASSERT_EQ(env.to_size(), 2);
  EXPECT_EQ(env.to(1).mailbox(), "carl");
}

TEST(Ingest, GarbageStillYieldsAStructure) {
  std::string raw(5000, '\0');
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>((i * 7919) % 251);
  IngestedContent c = Ingest(raw);
  EXPECT_EQ(c.size, raw.size());
  v1::BodyPart root;
  EXPECT_TRUE(root.ParseFromString(c.structure));
  EXPECT_EQ(c.body_text.find('\0'), std::string::npos);
}

}  // namespace
}  // namespace mailroom::store
