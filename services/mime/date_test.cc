// ParseDate: RFC 5322 §3.3 and the obsolete forms of §4.3.
#include "gtest/gtest.h"
#include "services/mime/decode.h"

namespace mailroom::mime {
namespace {

struct DateCase {
  std::string in;
  std::optional<int64_t> unix_seconds;
};

TEST(ParseDateTest, Table) {
  const DateCase cases[] = {
      {"Thu, 01 Jan 1970 00:00:00 +0000", 0},
      {"Fri, 21 Nov 1997 09:55:06 -0600", 880127706},  // RFC 5322 A.1.1
      {"21 Nov 1997 09:55:06 -0600", 880127706},       // no weekday
      {"Fri 21 Nov 1997 09:55:06 -0600", 880127706},   // weekday without comma
      {"Tue, 1 Jul 2003 10:52:37 +0200", 1057049557},  // RFC 5322 A.1.2
      {"Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
       "               -0330 (Newfoundland Time)",
       -27723480},                                   // RFC 5322 A.5: folding and comments
      {"Thu, 13 Feb 1969 23:32 -0330", -27723480},   // no seconds
      {"21 Nov 97 09:55:06 GMT", 880106106},         // two-digit year ≥ 50 -> 19xx
      {"1 Jan 03 00:00:00 +0000", 1041379200},       // two-digit year < 50 -> 20xx
      {"21 Nov 097 09:55:06 GMT", 880106106},        // three-digit year + 1900
      {"Fri, 21 Nov 1997 09:55:06 EST", 880124106},  // obs-zone: EST = -0500
      {"Fri, 21 Nov 1997 09:55:06 PDT", 880131306},  // PDT = -0700
      {"Fri, 21 Nov 1997 09:55:06 UT", 880106106},
      {"Fri, 21 Nov 1997 09:55:06 Z", 880106106},  // military zones read as +0000
      {"Fri, 21 Nov 1997 09:55:06 J", 880106106},
      {"Fri, 21 Nov 1997 09:55:06", 880106106},  // no zone: UTC
      {"(comment) Fri, (c) 21 (c) Nov (c) 1997 09 : 55 : 06 (c) +0000 (c)", 880106106},
      {"fri, 21 NOVEMBER 1997 09:55:06 +0000", 880106106},
      {"", std::nullopt},
      {"yesterday", std::nullopt},
      {"Fri, 32 Nov 1997 09:55:06 +0000", std::nullopt},
      {"Fri, 21 Foo 1997 09:55:06 +0000", std::nullopt},
      {"Fri, 21 Nov 1997 25:55:06 +0000", std::nullopt},
      {"Fri, 21 Nov 1997 09:55:06 +00", std::nullopt},
      {"Fri, 21 Nov 1997 09:55:06 +0099", std::nullopt},
      {"Fri, 21 Nov 1997", std::nullopt},
      {"Fri, 21 Nov 19970 09:55:06 +0000", std::nullopt},
  };
  for (const DateCase& c : cases) EXPECT_EQ(ParseDate(c.in), c.unix_seconds) << c.in;
}

}  // namespace
}  // namespace mailroom::mime
