#include "services/shared/text/utf8.h"

#include "gtest/gtest.h"

namespace mailroom::text {
namespace {

TEST(Utf8, Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong, 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("a\xff"));
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);
}

TEST(Utf8, Sanitize) {
  EXPECT_EQ(SanitizeUtf8("a\xE2\x82z"), "a\xEF\xBF\xBD\xEF\xBF\xBDz");
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b\xff", 4)), std::string("a\0b\xEF\xBF\xBD", 6));
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b\xff", 4), /*drop_nul=*/true), "ab\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
}

}  // namespace
}  // namespace mailroom::text
