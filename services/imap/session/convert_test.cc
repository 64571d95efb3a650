#include "services/imap/session/convert.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

namespace v1 = ::mailroom::store::v1;
using ::testing::ElementsAre;

TEST(ConvertTest, FlagsFromList) {
  v1::Flags f = FlagsFromList({"\\Seen", "\\deleted", "$Junk", "$junk", "Work"});
  EXPECT_EQ(f.system(), v1::SYSTEM_FLAG_SEEN | v1::SYSTEM_FLAG_DELETED);
  EXPECT_THAT(f.keywords(), ElementsAre("$Junk", "Work"));
}

TEST(ConvertTest, FilterHeaderFields) {
  const std::string header =
      "From: a@example.test\r\nSubject: hello\r\n world\r\nTo: b@example.test\r\n\r\n";
  EXPECT_EQ(FilterHeaderFields(header, {"subject", "X-None"}, false),
            "Subject: hello\r\n world\r\n\r\n");
  EXPECT_EQ(FilterHeaderFields(header, {"SUBJECT"}, true),
            "From: a@example.test\r\nTo: b@example.test\r\n\r\n");
  EXPECT_EQ(FilterHeaderFields(header, {"Cc"}, false), "\r\n");
}

TEST(ConvertTest, BodyPartFromProto) {
  v1::BodyPart p;
  p.set_type("multipart");
  p.set_subtype("mixed");
  v1::BodyPart* child = p.add_parts();
  child->set_type("text");
  child->set_subtype("plain");
  child->set_size(12);
  BodyPart out = BodyPartFromProto(p);
  EXPECT_EQ(out.type, "MULTIPART");
  ASSERT_EQ(out.children.size(), 1u);
  EXPECT_EQ(out.children[0].subtype, "PLAIN");
  EXPECT_EQ(out.children[0].encoding, "7BIT");
  EXPECT_FALSE(out.children[0].id.has_value());
}

}  // namespace
}  // namespace mailroom::imap
