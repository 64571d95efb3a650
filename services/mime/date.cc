// RFC 5322 §3.3 date-time parsing, with the obsolete syntax of §4.3.
#include <array>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/mime/decode.h"
#include "services/mime/strings.h"

namespace mailroom::mime {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

// A cursor over a date-time value that skips CFWS (comments nest, RFC 5322 §3.2.2).
class DateScanner {
 public:
  explicit DateScanner(std::string_view s) : s_(s) {}

  void SkipCfws() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (IsSpaceOrEol(c)) {
        ++pos_;
      } else if (c == '(') {
        SkipComment();
      } else {
        return;
      }
    }
  }

  bool Consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  std::string_view Alpha() {
    size_t begin = pos_;
    while (pos_ < s_.size() && IsAlpha(s_[pos_])) ++pos_;
    return s_.substr(begin, pos_ - begin);
  }

  // Reads 1..max_len digits; returns the value and sets *len, or -1 when none or too many.
  int Digits(size_t max_len, size_t* len) {
    size_t begin = pos_;
    int value = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (pos_ - begin >= max_len) return -1;
      value = value * 10 + (s_[pos_] - '0');
      ++pos_;
    }
    *len = pos_ - begin;
    return *len == 0 ? -1 : value;
  }

  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

 private:
  static bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

  void SkipComment() {
    int depth = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '\\') {
        ++pos_;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

int MonthIndex(std::string_view word) {
  if (word.size() < 3) return -1;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (EqualsIgnoreCase(word.substr(0, 3), kMonths[i])) return static_cast<int>(i) + 1;
  }
  return -1;
}

// RFC 5322 §4.3 obs-zone. Military zones are treated as +0000: RFC 822 defined their signs
// backwards, so their meaning is unknowable. Unknown names also give +0000.
int ObsZoneMinutes(std::string_view zone) {
  struct Named {
    std::string_view name;
    int minutes;
  };
  static constexpr Named kZones[] = {{"ut", 0},        {"gmt", 0},       {"utc", 0},
                                     {"est", -5 * 60}, {"edt", -4 * 60}, {"cst", -6 * 60},
                                     {"cdt", -5 * 60}, {"mst", -7 * 60}, {"mdt", -6 * 60},
                                     {"pst", -8 * 60}, {"pdt", -7 * 60}};
  for (const Named& z : kZones) {
    if (EqualsIgnoreCase(zone, z.name)) return z.minutes;
  }
  return 0;
}

// Parses the zone at the scanner: "+hhmm" / "-hhmm" / obs-zone / nothing (= UTC).
std::optional<int> ParseZone(DateScanner& scan) {
  char sign = scan.Peek();
  if (sign == '+' || sign == '-') {
    scan.Consume(sign);
    size_t len = 0;
    int hhmm = scan.Digits(4, &len);
    if (hhmm < 0 || len != 4 || hhmm % 100 >= 60) return std::nullopt;
    int minutes = hhmm / 100 * 60 + hhmm % 100;
    return sign == '-' ? -minutes : minutes;
  }
  return ObsZoneMinutes(scan.Alpha());
}

}  // namespace

std::optional<int64_t> ParseDate(std::string_view date) {
  DateScanner scan(date);
  scan.SkipCfws();
  if (!scan.Alpha().empty()) {  // day-of-week, checked no further
    scan.SkipCfws();
    scan.Consume(',');
    scan.SkipCfws();
  }
  size_t len = 0;
  int day = scan.Digits(2, &len);
  scan.SkipCfws();
  int month = MonthIndex(scan.Alpha());
  scan.SkipCfws();
  int year = scan.Digits(4, &len);
  if (day < 1 || day > 31 || month < 0 || year < 0) return std::nullopt;
  if (len == 2) year += year < 50 ? 2000 : 1900;  // RFC 5322 §4.3
  if (len == 3) year += 1900;
  scan.SkipCfws();
  int hour = scan.Digits(2, &len);
  scan.SkipCfws();
  if (!scan.Consume(':')) return std::nullopt;
  scan.SkipCfws();
  int minute = scan.Digits(2, &len);
  scan.SkipCfws();
  int second = 0;
  if (scan.Consume(':')) {
    scan.SkipCfws();
    second = scan.Digits(2, &len);
    scan.SkipCfws();
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  std::optional<int> zone = ParseZone(scan);
  if (!zone) return std::nullopt;
  absl::Time t = absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                                 absl::UTCTimeZone());
  return absl::ToUnixSeconds(t) - int64_t{*zone} * 60;
}

}  // namespace mailroom::mime
