// IMAP dates: SEARCH dates (`1-Feb-2026`, RFC 9051 §9 `date`) and APPEND/INTERNALDATE
// date-times (`"01-Feb-2026 13:05:00 +0100"`, RFC 9051 §9 `date-time`).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_IMAP_DATE_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_IMAP_DATE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace mailroom::imap {

// A point in time plus the zone it was written in (INTERNALDATE keeps the client's zone).
struct DateTime {
  absl::Time time;
  int zone_minutes = 0;  // offset east of UTC, e.g. +0130 -> 90
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// Parses `d-Mon-yyyy` / `dd-Mon-yyyy` (month case-insensitive). INVALID_ARGUMENT otherwise,
// including impossible days (31-Feb-2026).
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text);

// Parses `dd-Mon-yyyy hh:mm:ss +zzzz` (the day may also be ` d` or `d`), quotes removed.
// INVALID_ARGUMENT on any deviation or out-of-range field.
absl::StatusOr<DateTime> ParseDateTime(absl::string_view text);

// Formats as `dd-Mon-yyyy hh:mm:ss +zzzz` (no quotes) in the given zone.
std::string FormatDateTime(absl::Time time, int zone_minutes);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_IMAP_DATE_H_
