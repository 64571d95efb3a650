// UID EXPUNGE (RFC 9051 §6.4.9) and the commands that take no arguments (CAPABILITY, NOOP,
// LOGOUT, STARTTLS, CHECK, CLOSE, UNSELECT, EXPUNGE, IDLE, NAMESPACE).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_EXPUNGE_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_EXPUNGE_ARGS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/sequence_set.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

// Parses the UID set of UID EXPUNGE. INVALID_ARGUMENT for a bad set or extra arguments.
absl::StatusOr<SequenceSet> ParseUidExpungeArgs(absl::Span<const Token> args);
// OK when there are no arguments, INVALID_ARGUMENT otherwise.
absl::Status ParseNoArgs(absl::Span<const Token> args);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_EXPUNGE_ARGS_H_
