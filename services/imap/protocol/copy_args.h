// COPY / MOVE and their UID forms (RFC 9051 §6.4.7, §6.4.8, §6.4.9).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_COPY_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_COPY_ARGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/sequence_set.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct CopyArgs {
  SequenceSet set;
  std::string mailbox;  // UTF-8 store name of the destination
};

// Parses `sequence-set mailbox`. INVALID_ARGUMENT for a bad set, bad name or extra arguments.
absl::StatusOr<CopyArgs> ParseCopyArgs(absl::Span<const Token> args, bool utf8);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_COPY_ARGS_H_
