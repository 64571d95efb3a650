// content_type.h: Content-Type, Content-Disposition, RFC 2231 parameters, languages.
#include "services/mime/content_type.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mailroom::mime {

bool operator==(const Param& a, const Param& b) { return a.name == b.name && a.value == b.value; }
void PrintTo(const Param& p, std::ostream* os) { *os << p.name << "=" << p.value; }

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ParseContentTypeTest, TypeSubtypeAndParams) {
  ContentType ct = ParseContentType("Text/HTML; Charset=\"UTF-8\"; format=flowed");
  EXPECT_EQ(ct.type, "text");
  EXPECT_EQ(ct.subtype, "html");
  EXPECT_THAT(ct.params, ElementsAre(Param{"charset", "UTF-8"}, Param{"format", "flowed"}));
}

TEST(ParseContentTypeTest, CommentsAndWhitespace) {
  ContentType ct = ParseContentType(" (c) multipart (c) / (c) mixed (c) ; (c) boundary = x ");
  EXPECT_EQ(ct.type, "multipart");
  EXPECT_EQ(ct.subtype, "mixed");
  EXPECT_THAT(ct.params, ElementsAre(Param{"boundary", "x"}));
}

TEST(ParseContentTypeTest, MissingSubtypeIsInvalid) {
  ContentType ct = ParseContentType("text; charset=utf-8");
  EXPECT_FALSE(ct.valid());
  EXPECT_THAT(ct.params, ElementsAre(Param{"charset", "utf-8"}));
  EXPECT_FALSE(ParseContentType("").valid());
  EXPECT_FALSE(ParseContentType("/plain").valid());
}

TEST(ParseParamsTest, Table) {
  struct Case {
    std::string in;
    std::vector<Param> out;
  };
  const Case cases[] = {
      {"", {}},
      {"; a=1; B=2", {{"a", "1"}, {"b", "2"}}},
      {"; boundary=----=_Part_1_2.3", {{"boundary", "----=_Part_1_2.3"}}},  // unquoted '='
      {"; name=\"a \\\"q\\\" b\"", {{"name", "a \"q\" b"}}},                // quoted-pair
      {"; name=\"unterminated", {{"name", "unterminated"}}},
      {"; a=1; a=2", {{"a", "1"}}},  // first wins
      {"; junk; a=1;; =x; b", {{"a", "1"}}},
      {"; charset=us-ascii (Plain text)", {{"charset", "us-ascii"}}},
      {"; name=My File.txt", {{"name", "My File.txt"}}},
      // RFC 2231 §3 continuations, §4 charset and language, §4.1 combined.
      {"; URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
       {{"url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"}}},
      {"; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
       {{"title", "This is ***fun***"}}},
      {"; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20;"
       " title*2=\"isn't it!\"",
       {{"title", "This is even more ***fun*** isn't it!"}}},
      {"; name*1=b; name*0=a; name*2=c", {{"name", "abc"}}},  // out of order sections
      {"; filename=\"plain.txt\"; filename*=utf-8''%E2%82%AC.txt",
       {{"filename", "\xE2\x82\xAC.txt"}}},  // the RFC 2231 value wins
      {"; filename*=iso-8859-1''caf%E9", {{"filename", "caf\xC3\xA9"}}},
      {"; filename*=''no%20charset", {{"filename", "no charset"}}},
      {"; filename*=bad%zzescape", {{"filename", "bad%zzescape"}}},
      {"; a*0=x; a*0=y; a*1=z", {{"a", "xz"}}},
      {"; a*99999999=x", {{"a*99999999", "x"}}},  // not a plausible section number
  };
  for (const Case& c : cases) EXPECT_EQ(ParseParams(c.in), c.out) << c.in;
}

TEST(ParseContentDispositionTest, TypeAndParams) {
  ContentDisposition cd = ParseContentDisposition(
      "Attachment; filename=genome.jpeg;\r\n"
      " modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"");
  EXPECT_EQ(cd.type, "attachment");
  EXPECT_THAT(cd.params,
              ElementsAre(Param{"filename", "genome.jpeg"},
                          Param{"modification-date", "Wed, 12 Feb 1997 16:29:51 -0500"}));
  EXPECT_EQ(ParseContentDisposition("; filename=x").type, "");
}

TEST(ParseLanguagesTest, Table) {
  EXPECT_THAT(ParseLanguages("en"), ElementsAre("en"));
  EXPECT_THAT(ParseLanguages(" en-US , fr (French) ,, de"), ElementsAre("en-US", "fr", "de"));
  EXPECT_THAT(ParseLanguages("(only a comment)"), IsEmpty());
}

TEST(FirstTokenTest, LowerCasedWithoutComments) {
  EXPECT_EQ(FirstToken(" (c) Base64 (x)"), "base64");
  EXPECT_EQ(FirstToken("Quoted-Printable"), "quoted-printable");
  EXPECT_EQ(FirstToken(""), "");
}

}  // namespace
}  // namespace mailroom::mime
