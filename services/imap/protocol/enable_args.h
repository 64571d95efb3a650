// ENABLE (RFC 5161 §3.1, RFC 9051 §6.3.1) and ID (RFC 2971 §3.1) arguments.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_ENABLE_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_ENABLE_ARGS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

// Parses `capability...` (at least one), upper-cased. INVALID_ARGUMENT otherwise.
absl::StatusOr<std::vector<std::string>> ParseEnableArgs(absl::Span<const Token> args);

// ID parameters: field/value pairs (a NIL value is nullopt). An absent list (`ID NIL`) is
// nullopt as a whole.
using IdParams = std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>>;

// Parses `NIL` or `(field value ...)`. RFC 2971 §3.3 limits are enforced: at most 30 pairs,
// fields up to 30 bytes, values up to 1024 bytes, no duplicate fields. INVALID_ARGUMENT
// otherwise.
absl::StatusOr<IdParams> ParseIdArgs(absl::Span<const Token> args);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_ENABLE_ARGS_H_
