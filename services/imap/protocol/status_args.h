// STATUS arguments (RFC 9051 §6.3.11, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE, RFC 7889
// APPENDLIMIT); the item list is shared with LIST RETURN (STATUS (...)) (RFC 5819).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_STATUS_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_STATUS_ARGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct StatusItems {
  bool messages = false;
  bool uidnext = false;
  bool uidvalidity = false;
  bool unseen = false;
  bool deleted = false;
  bool size = false;
  bool recent = false;
  bool highestmodseq = false;
  bool appendlimit = false;
  friend bool operator==(const StatusItems&, const StatusItems&) = default;
};

struct StatusArgs {
  std::string mailbox;  // UTF-8 store name
  StatusItems items;
};

// Parses `(MESSAGES UIDNEXT ...)`. INVALID_ARGUMENT for an empty list or an unknown item.
absl::StatusOr<StatusItems> ParseStatusItems(const Token& list);
// Parses `mailbox (items)`; `utf8` is true once UTF8=ACCEPT is enabled. INVALID_ARGUMENT on
// a bad mailbox name, bad items or extra arguments.
absl::StatusOr<StatusArgs> ParseStatusArgs(absl::Span<const Token> args, bool utf8);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_STATUS_ARGS_H_
