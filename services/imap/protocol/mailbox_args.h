// Arguments of the mailbox-management commands: CREATE (RFC 9051 §6.3.4, RFC 6154 §3 USE),
// DELETE (§6.3.5), RENAME (§6.3.6), SUBSCRIBE (§6.3.7) and UNSUBSCRIBE (§6.3.8).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_MAILBOX_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_MAILBOX_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct CreateArgs {
  std::string mailbox;                   // UTF-8 store name (a trailing "/" is kept)
  std::vector<std::string> special_use;  // `(USE (\Sent ...))`, canonical case when known
};

struct RenameArgs {
  std::string from;
  std::string to;
};

// Parses `mailbox [(USE (attrs))]`. INVALID_ARGUMENT for an empty or bad name, a malformed
// parameter list or a USE attribute not starting with `\`. Unknown `\` attributes are kept:
// the session answers NO [USEATTR] (RFC 6154 §3).
absl::StatusOr<CreateArgs> ParseCreateArgs(absl::Span<const Token> args, bool utf8);
// Parses `existing-name new-name`. INVALID_ARGUMENT for bad or empty names.
absl::StatusOr<RenameArgs> ParseRenameArgs(absl::Span<const Token> args, bool utf8);
// DELETE, SUBSCRIBE, UNSUBSCRIBE (and anything else taking one mailbox name): returns the
// UTF-8 name; INVALID_ARGUMENT for a bad name or extra arguments.
absl::StatusOr<std::string> ParseMailboxArg(absl::Span<const Token> args, bool utf8);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_MAILBOX_ARGS_H_
