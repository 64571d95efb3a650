// SASL pieces shared by SMTP AUTH (RFC 4954), POP3 AUTH (RFC 5034) and IMAP AUTHENTICATE
// (RFC 9051 §6.2.2): strict base64 and the PLAIN (RFC 4616) and LOGIN mechanisms. Pure code:
// no sockets, no store.
#ifndef MAILROOM_SERVICES_SHARED_AUTH_SASL_H_
#define MAILROOM_SERVICES_SHARED_AUTH_SASL_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::auth {

enum class Mechanism { kPlain, kLogin };

// Case-insensitive mechanism name → Mechanism; nullopt for any other.
std::optional<Mechanism> ParseMechanism(std::string_view name);

// RFC 4648 §4 base64 without whitespace; INVALID_ARGUMENT for bad characters, bad length or
// bad padding. "=" alone (the SASL empty response) decodes to "".
absl::StatusOr<std::string> DecodeBase64(std::string_view in);
std::string EncodeBase64(std::string_view in);

struct Credentials {
  std::string authzid;   // empty, or equal to authcid (we do not support proxy authorisation)
  std::string authcid;   // the login name
  std::string password;
};

// RFC 4616: base64 of authzid NUL authcid NUL passwd. INVALID_ARGUMENT for bad base64, a
// missing NUL, an empty authcid or password, or fields over 255 octets.
absl::StatusOr<Credentials> DecodePlain(std::string_view base64);

// The LOGIN mechanism's two server challenges, already base64 ("Username:", "Password:").
inline constexpr std::string_view kLoginUserChallenge = "VXNlcm5hbWU6";
inline constexpr std::string_view kLoginPasswordChallenge = "UGFzc3dvcmQ6";

// True when the client cancelled the exchange ("*", RFC 4954 §4, RFC 9051 §6.2.2).
inline bool IsCancel(std::string_view line) { return line == "*"; }

}  // namespace mailroom::auth

#endif  // MAILROOM_SERVICES_SHARED_AUTH_SASL_H_
