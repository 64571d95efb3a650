// SELECT / EXAMINE arguments (RFC 9051 §6.3.2, RFC 7162 §3.1.8 CONDSTORE, §3.2.5 QRESYNC).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_SELECT_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_SELECT_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/sequence_set.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct QresyncParams {
  uint32_t uidvalidity = 0;
  uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;
  // seq-match-data: message sequence numbers and the UIDs the client believes they have.
  std::optional<SequenceSet> known_sequences;
  std::optional<SequenceSet> known_sequence_uids;
};

struct SelectArgs {
  std::string mailbox;  // UTF-8 store name
  bool condstore = false;
  std::optional<QresyncParams> qresync;  // the session checks QRESYNC was ENABLEd
};

// Parses `mailbox [(CONDSTORE | QRESYNC (uidvalidity modseq [known-uids [(seqs uids)]]))]`.
// Returns INVALID_ARGUMENT for a bad name, unknown parameters, zero UIDVALIDITY or MODSEQ,
// `*` in known UIDs, or extra arguments.
absl::StatusOr<SelectArgs> ParseSelectArgs(absl::Span<const Token> args, bool utf8);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_SELECT_ARGS_H_
