// STORE / UID STORE arguments (RFC 9051 §6.4.6, RFC 7162 §3.1.3 UNCHANGEDSINCE).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_STORE_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_STORE_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/sequence_set.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct StoreArgs {
  enum class Mode { kReplace, kAdd, kRemove };  // FLAGS, +FLAGS, -FLAGS
  SequenceSet set;
  std::optional<uint64_t> unchanged_since;  // may be 0 (RFC 7162 §3.1.3)
  Mode mode = Mode::kReplace;
  bool silent = false;                       // .SILENT
  std::vector<std::string> flags;            // system flags in canonical case, keywords as sent
};

// Parses `sequence-set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] (flag-list | flag...)`.
// RFC 9051 §6.4.6 also allows the flags as space-separated bare flags. Returns
// INVALID_ARGUMENT for a malformed set, an unknown data item, an invalid flag (\Recent and
// unknown system flags included) or an unknown modifier.
absl::StatusOr<StoreArgs> ParseStoreArgs(absl::Span<const Token> args);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_STORE_ARGS_H_
