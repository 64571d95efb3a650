// LOGIN (RFC 9051 §6.2.3) and AUTHENTICATE (§6.2.2, RFC 4959 SASL-IR) arguments, and the
// client's SASL continuation lines.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_AUTH_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_AUTH_ARGS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct LoginArgs {
  std::string username;
  std::string password;
};

struct AuthenticateArgs {
  std::string mechanism;                        // upper-cased, e.g. "PLAIN"
  std::optional<std::string> initial_response;  // decoded; "=" gives "" (RFC 4959 §3)
};

// Parses `userid password` (two astrings). INVALID_ARGUMENT otherwise.
absl::StatusOr<LoginArgs> ParseLoginArgs(absl::Span<const Token> args);
// Parses `mechanism [initial-response]`. INVALID_ARGUMENT for a missing or non-atom
// mechanism, invalid base64 or extra arguments.
absl::StatusOr<AuthenticateArgs> ParseAuthenticateArgs(absl::Span<const Token> args);
// Decodes one client line of a SASL exchange (CRLF removed). Returns CANCELLED for `*` (the
// client aborts, answer `BAD`), INVALID_ARGUMENT for invalid base64 (RFC 9051 §6.2.2).
absl::StatusOr<std::string> DecodeSaslLine(absl::string_view line);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_AUTH_ARGS_H_
