// SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 2034, RFC 3463) on every reply.
#ifndef MAILROOM_SERVICES_SMTP_PROTOCOL_REPLY_H_
#define MAILROOM_SERVICES_SMTP_PROTOCOL_REPLY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace mailroom::smtp {

struct Reply {
  int code = 250;
  std::string enhanced;  // "2.0.0"; empty for 220/221 greetings that carry none
  std::string text;

  // "250 2.0.0 text\r\n".
  std::string Format() const;
};

// "250-first\r\n250-...\r\n250 last\r\n" (EHLO responses, HELP).
std::string FormatMultiline(int code, const std::vector<std::string>& lines);

// The one mapping from a store/status error to the SMTP reply for a transaction step
// (STYLE.md §6): UNAVAILABLE/DEADLINE → 451 4.3.0, RESOURCE_EXHAUSTED (quota) → 552 5.2.2,
// NOT_FOUND → 550 5.1.1, INVALID_ARGUMENT → 501 5.5.4, anything else → 451 4.3.0 (the detail
// goes to the log, not to the client).
Reply ReplyForStatus(const absl::Status& status);

}  // namespace mailroom::smtp

#endif  // MAILROOM_SERVICES_SMTP_PROTOCOL_REPLY_H_
