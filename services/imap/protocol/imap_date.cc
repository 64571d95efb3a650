#include "services/imap/protocol/imap_date.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"

namespace mailroom::imap {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Reads exactly `n` digits at `*pos`.
bool Digits(absl::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  *pos += n;
  *out = value;
  return true;
}

bool Expect(absl::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

// date-text = date-day "-" date-month "-" date-year, with 1 or 2 day digits.
bool ParseDateText(absl::string_view s, size_t* pos, absl::CivilDay* out) {
  int day = 0;
  if (!Digits(s, pos, 2, &day) && !Digits(s, pos, 1, &day)) return false;
  if (!Expect(s, pos, '-') || *pos + 3 > s.size()) return false;
  int month = 0;
  for (int m = 0; m < 12; ++m) {
    if (absl::EqualsIgnoreCase(s.substr(*pos, 3), kMonths[m])) month = m + 1;
  }
  if (month == 0) return false;
  *pos += 3;
  int year = 0;
  if (!Expect(s, pos, '-') || !Digits(s, pos, 4, &year)) return false;
  const absl::CivilDay civil(year, month, day);
  if (civil.day() != day || civil.month() != month || day == 0) return false;
  *out = civil;
  return true;
}

absl::Status InvalidDate() { return absl::InvalidArgumentError("Invalid date"); }

}  // namespace

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text) {
  size_t pos = 0;
  absl::CivilDay day;
  if (!ParseDateText(text, &pos, &day) || pos != text.size()) return InvalidDate();
  return day;
}

absl::StatusOr<DateTime> ParseDateTime(absl::string_view text) {
  size_t pos = 0;
  if (!text.empty() && text[0] == ' ') pos = 1;  // date-day-fixed = (SP DIGIT) / 2DIGIT
  absl::CivilDay day;
  int hh = 0, mm = 0, ss = 0, zh = 0, zm = 0;
  if (!ParseDateText(text, &pos, &day) || !Expect(text, &pos, ' ') ||
      !Digits(text, &pos, 2, &hh) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &mm) ||
      !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &ss) || !Expect(text, &pos, ' ') ||
      pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) {
    return absl::InvalidArgumentError("Invalid date-time");
  }
  const int sign = text[pos++] == '-' ? -1 : 1;
  if (!Digits(text, &pos, 2, &zh) || !Digits(text, &pos, 2, &zm) || pos != text.size() ||
      hh > 23 || mm > 59 || ss > 60 || zm > 59) {
    return absl::InvalidArgumentError("Invalid date-time");
  }
  DateTime out;
  out.zone_minutes = sign * (zh * 60 + zm);
  const absl::CivilSecond civil(day.year(), day.month(), day.day(), hh, mm, ss);
  out.time = absl::FromCivil(civil, absl::FixedTimeZone(out.zone_minutes * 60));
  return out;
}

std::string FormatDateTime(absl::Time time, int zone_minutes) {
  const absl::CivilSecond c = absl::ToCivilSecond(time, absl::FixedTimeZone(zone_minutes * 60));
  const int zone = std::abs(zone_minutes);
  return absl::StrFormat("%02d-%s-%04d %02d:%02d:%02d %c%02d%02d", c.day(), kMonths[c.month() - 1],
                         c.year(), c.hour(), c.minute(), c.second(), zone_minutes < 0 ? '-' : '+',
                         zone / 60, zone % 60);
}

}  // namespace mailroom::imap
