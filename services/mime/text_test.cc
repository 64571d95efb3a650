// text.h: BodyText, Preview, FindPart, HtmlToText.
#include "services/mime/text.h"

#include "gtest/gtest.h"
#include "services/mime/decode.h"
#include "services/shared/text/utf8.h"
#include "services/mime/test_util.h"

namespace mailroom::mime {
namespace {

using testing::Crlf;

const char kMixed[] = R"(From: a@example.com
Subject: text
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: multipart/alternative; boundary=alt

--alt
Content-Type: text/html; charset=utf-8

<html><head><title>T</title><style>p {color: red}</style></head>
<body><p>Hello&nbsp;<b>HTML</b> &amp; caf&#233;</p><script>var x = "<p>";</script></body></html>
--alt
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Hello   plain caf=E9,
second line
--alt--
--b
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAECAw==
--b
Content-Type: message/rfc822

Subject: inner

Inner =?utf-8?q?text?=
--b
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename=notes.txt

Tm90ZXMg4oKs
--b--
)";

TEST(BodyTextTest, AllTextPartsDecoded) {
  std::string raw = Crlf(kMixed);
  Message msg = Parse(raw);
  std::string text = BodyText(msg, raw);
  EXPECT_NE(text.find("Hello\xC2\xA0 HTML  & caf\xC3\xA9"), std::string::npos) << text;
  EXPECT_EQ(text.find("color"), std::string::npos);
  EXPECT_EQ(text.find("var x"), std::string::npos);
  EXPECT_NE(text.find("Hello   plain caf\xC3\xA9,\r\nsecond line"), std::string::npos);
  EXPECT_NE(text.find("Inner =?utf-8?q?text?="), std::string::npos);
  EXPECT_NE(text.find("Notes \xE2\x82\xAC"), std::string::npos);
  EXPECT_TRUE(text::IsValidUtf8(text));
}

TEST(BodyTextTest, CappedOnUtf8Boundary) {
  std::string raw = "Content-Type: text/plain; charset=utf-8\r\n\r\n" + std::string(10, 'a') +
                    "\xE2\x82\xAC\xE2\x82\xAC";
  Message msg = Parse(raw);
  EXPECT_EQ(BodyText(msg, raw, 11), std::string(10, 'a'));
  EXPECT_EQ(BodyText(msg, raw, 13), std::string(10, 'a') + "\xE2\x82\xAC");
  EXPECT_EQ(BodyText(msg, raw, 0), "");
}

TEST(BodyTextTest, InvalidBytesAndNulAreCleaned) {
  std::string raw =
      std::string("Content-Type: text/plain; charset=utf-8\r\n\r\nA\xFF") + '\0' + "B";
  Message msg = Parse(raw);
  EXPECT_EQ(BodyText(msg, raw), "A\xEF\xBF\xBD B");
  std::string raw2 = std::string("Content-Type: text/plain; charset=x-unknown\r\n\r\nA\xE9");
  EXPECT_TRUE(text::IsValidUtf8(BodyText(Parse(raw2), raw2)));
}

TEST(PreviewTest, PrefersPlainAlternativeAndCollapsesWhitespace) {
  std::string raw = Crlf(kMixed);
  Message msg = Parse(raw);
  EXPECT_EQ(Preview(msg, raw), "Hello plain caf\xC3\xA9, second line");
  EXPECT_EQ(Preview(msg, raw, 5), "Hello");
  EXPECT_EQ(Preview(msg, raw, 16), "Hello plain caf\xC3\xA9");
}

TEST(PreviewTest, HtmlOnly) {
  std::string raw = Crlf("Content-Type: text/html\n\n<div>One</div><div>Two &lt;3</div>\n");
  EXPECT_EQ(Preview(Parse(raw), raw), "One Two <3");
}

TEST(PreviewTest, SkipsAttachmentsAndNonText) {
  std::string raw = Crlf(
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: image/png\n\nxx\n--b\n"
      "Content-Type: text/plain\nContent-Disposition: attachment\n\nattached\n--b\n\nbody\n"
      "--b--\n");
  EXPECT_EQ(Preview(Parse(raw), raw), "body");
  std::string none = Crlf("Content-Type: image/png\n\nxx\n");
  EXPECT_EQ(Preview(Parse(none), none), "");
}

TEST(FindPartTest, Rfc9051Example) {
  // The part numbering example of RFC 9051 §6.4.5, reduced.
  std::string raw = Crlf(R"(Content-Type: multipart/mixed; boundary=top

--top
Content-Type: text/plain

one
--top
Content-Type: application/octet-stream

two
--top
Content-Type: message/rfc822

Content-Type: multipart/mixed; boundary=m3

--m3
Content-Type: text/plain

three.one
--m3
Content-Type: application/octet-stream

three.two
--m3--
--top
Content-Type: multipart/mixed; boundary=m4

--m4
Content-Type: image/gif

four.one
--m4
Content-Type: message/rfc822

Content-Type: multipart/mixed; boundary=m42

--m42
Content-Type: text/plain

four.two.one
--m42
Content-Type: multipart/alternative; boundary=m422

--m422
Content-Type: text/plain

four.two.two.one
--m422
Content-Type: text/richtext

four.two.two.two
--m422--
--m42--
--m4--
--top--
)");
  Message msg = Parse(raw);
  auto body = [&](std::vector<uint32_t> path) -> std::string {
    const Part* p = FindPart(msg, path);
    return p ? raw.substr(p->body_offset, p->body_size) : "<none>";
  };
  EXPECT_EQ(body({1}), "one");
  EXPECT_EQ(body({2}), "two");
  EXPECT_EQ(FindPart(msg, {3})->subtype, "rfc822");
  EXPECT_EQ(body({3, 1}), "three.one");
  EXPECT_EQ(body({3, 2}), "three.two");
  EXPECT_EQ(FindPart(msg, {4})->subtype, "mixed");
  EXPECT_EQ(body({4, 1}), "four.one");
  EXPECT_EQ(FindPart(msg, {4, 2})->subtype, "rfc822");
  EXPECT_EQ(body({4, 2, 1}), "four.two.one");
  EXPECT_EQ(FindPart(msg, {4, 2, 2})->subtype, "alternative");
  EXPECT_EQ(body({4, 2, 2, 1}), "four.two.two.one");
  EXPECT_EQ(body({4, 2, 2, 2}), "four.two.two.two");
  EXPECT_EQ(FindPart(msg, {}), &msg.body);
  EXPECT_EQ(body({5}), "<none>");
  EXPECT_EQ(body({0}), "<none>");
  EXPECT_EQ(body({1, 1}), "<none>");  // a text part inside a multipart has no part 1
  EXPECT_EQ(body({4, 1, 1}), "<none>");
  EXPECT_EQ(body({3, 3}), "<none>");
}

TEST(HtmlToTextTest, Table) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"a<br>b", "a\nb"},
      {"<b>bold</b>", " bold "},
      {"x &lt; y &amp;&amp; z", "x < y && z"},
      {"&#65;&#x42;&#0;", "AB\xEF\xBF\xBD"},
      {"&unknown; &", "&unknown; &"},
      {"a < b", "a < b"},
      {"<!-- hidden --> seen", " seen"},
      {"<script>alert('<b>')</script>after", " after"},
      {"<style>x", " "},
      {"<unterminated", " "},
  };
  for (const Case& c : cases) EXPECT_EQ(HtmlToText(c.in), c.out) << c.in;
}

}  // namespace
}  // namespace mailroom::mime
