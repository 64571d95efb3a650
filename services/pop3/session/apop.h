// APOP (RFC 1939 §7): MD5 of the greeting's timestamp followed by a secret shared with the
// user. The server must know that secret in plaintext-equivalent form, which is why APOP is
// off by default and its secrets live in a separate file (--apop_secrets_file), never in the
// store's argon2id password hashes.
#ifndef MAILROOM_SERVICES_POP3_SESSION_APOP_H_
#define MAILROOM_SERVICES_POP3_SESSION_APOP_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mailroom::pop3 {

// Lower-case hex MD5 of timestamp + secret.
std::string ApopDigest(absl::string_view timestamp, absl::string_view secret);

// True when `digest_hex` (lower-case) is ApopDigest(timestamp, secret); constant time.
bool ApopDigestMatches(absl::string_view timestamp, absl::string_view secret,
                       absl::string_view digest_hex);

// Parses an APOP secrets file: one "address secret" per line (the secret is the rest of the
// line after the first run of spaces or tabs); blank lines and lines starting with '#' are
// skipped. INVALID_ARGUMENT names the first bad line.
absl::StatusOr<std::map<std::string, std::string>> ParseApopSecrets(absl::string_view text);

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_SESSION_APOP_H_
