// decode.h: transfer encodings, encoded words, charsets.
#include "services/mime/decode.h"

#include "gtest/gtest.h"

namespace mailroom::mime {
namespace {

struct DecodeCase {
  std::string in;
  std::string out;
};

TEST(DecodeBase64Test, Table) {
  const DecodeCase cases[] = {
      {"", ""},
      {"SGVsbG8=", "Hello"},
      {"SGVsbG8gd29ybGQ=", "Hello world"},
      {"SGVs\r\nbG8g\r\nd29y bGQ=", "Hello world"},  // line breaks and spaces skipped
      {"SGVsbG8", "Hello"},                          // missing padding
      {"SG!Vs*bG8=", "Hello"},                       // invalid characters skipped
      {"SGVsbG8=IGlnbm9yZWQ=", "Hello"},             // stops at '='
      {"S", ""},                                     // a lone sextet yields nothing
      {"/+/+", "\xff\xef\xfe"},
      {"AA==", std::string(1, '\0')},
  };
  for (const DecodeCase& c : cases) EXPECT_EQ(DecodeBase64(c.in), c.out) << c.in;
}

TEST(DecodeQuotedPrintableTest, Table) {
  const DecodeCase cases[] = {
      {"", ""},
      {"caf=E9", "caf\xe9"},
      {"caf=e9", "caf\xe9"},               // lower-case hex accepted
      {"soft=\r\nbreak", "softbreak"},     // RFC 2045 §6.7 rule 5
      {"soft= \t\r\nbreak", "softbreak"},  // WSP after the soft break '='
      {"soft=\nbreak", "softbreak"},       // bare LF
      {"hard\r\nbreak", "hard\r\nbreak"},
      {"trailing   \r\nspace", "trailing\r\nspace"},  // rule 3: trailing WSP removed
      {"bad =ZZ escape", "bad =ZZ escape"},           // bad escapes kept literally
      {"end=", "end"},
      {"end=4", "end=4"},
      {"a=3D=3Db", "a==b"},
      {"=E2=82=AC", "\xE2\x82\xAC"},
  };
  for (const DecodeCase& c : cases) EXPECT_EQ(DecodeQuotedPrintable(c.in), c.out) << c.in;
}

TEST(DecodeTransferEncodingTest, PicksDecoder) {
  EXPECT_EQ(DecodeTransferEncoding("BASE64", "SGk="), "Hi");
  EXPECT_EQ(DecodeTransferEncoding(" Quoted-Printable ", "H=69"), "Hi");
  EXPECT_EQ(DecodeTransferEncoding("7bit", "H=69"), "H=69");
  EXPECT_EQ(DecodeTransferEncoding("x-uuencode", "abc"), "abc");
}

TEST(DecodeEncodedWordsTest, Table) {
  const DecodeCase cases[] = {
      {"plain text", "plain text"},
      {"=?utf-8?q?caf=C3=A9?=", "caf\xC3\xA9"},
      {"=?UTF-8?Q?hello_world?=", "hello world"},  // RFC 2047 §4.2: '_' is a space
      {"=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=", "Patrik F\xC3\xA4ltstr\xC3\xB6m"},
      {"=?UTF-8?B?w4d0w6kgZW5jb2TDqQ==?= =?UTF-8?Q?_and_more?=",
       "\xC3\x87t\xC3\xA9 encod\xC3\xA9 and more"},
      // RFC 2047 §8 examples: whitespace between adjacent encoded words is dropped.
      {"(=?ISO-8859-1?Q?a?=)", "(a)"},
      {"(=?ISO-8859-1?Q?a?= b)", "(a b)"},
      {"(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
      {"(=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=)", "(ab)"},
      {"(=?ISO-8859-1?Q?a_b?=)", "(a b)"},
      {"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"},
      // A UTF-8 character split across two B words survives the join.
      {"=?utf-8?B?w4?= =?utf-8?B?kK?=", "\xC3\x90"},
      {"=?windows-1252?Q?=80_price?=", "\xE2\x82\xAC price"},
      {"=?iso-8859-15?q?=A4?=", "\xE2\x82\xAC"},
      {"=?utf-8*en?q?lang?=", "lang"},  // RFC 2231 §5 language suffix
      // Invalid encoded words are left as is.
      {"=?utf-8?x?bad?=", "=?utf-8?x?bad?="},
      {"=?utf-8?q?no end", "=?utf-8?q?no end"},
      {"=?utf-8?q?has space?=", "=?utf-8?q?has space?="},
      {"=??q?nocharset?=", "=??q?nocharset?="},
      {"a =?utf-8?q?x?= b", "a x b"},
      {"=?koi8-r?b?8tXT08vJ0Q==?=", "\xf2\xd5\xd3\xd3\xcb\xc9\xd1"},  // unknown: bytes kept
      {"raw caf\xE9", "raw caf\xC3\xA9"},  // raw 8-bit, not UTF-8: read as windows-1252
      {"raw caf\xC3\xA9", "raw caf\xC3\xA9"},
  };
  for (const DecodeCase& c : cases) EXPECT_EQ(DecodeEncodedWords(c.in), c.out) << c.in;
}

TEST(ToUtf8Test, Charsets) {
  EXPECT_EQ(ToUtf8("UTF-8", "caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(ToUtf8("utf-8", "bad\xFF"), "bad\xEF\xBF\xBD");  // U+FFFD
  EXPECT_EQ(ToUtf8("iso-8859-1", "caf\xE9"), "caf\xC3\xA9");
  EXPECT_EQ(ToUtf8("Latin1", "\x80"), "\xC2\x80");
  EXPECT_EQ(ToUtf8("windows-1252", "\x80\x93\x94"), "\xE2\x82\xAC\xE2\x80\x9C\xE2\x80\x9D");
  EXPECT_EQ(ToUtf8("\"us-ascii\"", "plain"), "plain");
  EXPECT_EQ(ToUtf8("us-ascii", "caf\xE9"), "caf\xC3\xA9");
  EXPECT_EQ(ToUtf8("x-unknown", "\xE9"), "\xE9");
}

}  // namespace
}  // namespace mailroom::mime
