// Mailbox names between the wire and the store (RFC 9051 §5.1, §6.3; RFC 6855 §3).
// The store names mailboxes in UTF-8 with "/" as the hierarchy separator; on the wire a name
// is an astring in modified UTF-7 unless the client enabled UTF8=ACCEPT.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_MAILBOX_NAME_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_MAILBOX_NAME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

inline constexpr absl::string_view kInbox = "INBOX";
inline constexpr size_t kMaxMailboxNameBytes = 1024;

// Converts a wire name to the store's UTF-8 name: modified UTF-7 decoding unless `utf8`,
// then "INBOX" in any case becomes "INBOX" (RFC 9051 §5.1: only the whole name is
// case-insensitive). INVALID_ARGUMENT for bad modified UTF-7, invalid UTF-8, control
// characters or names over kMaxMailboxNameBytes. The empty name is allowed (LIST "").
absl::StatusOr<std::string> MailboxFromWire(absl::string_view wire, bool utf8);
// The same for an astring token (atom, quoted string or literal).
absl::StatusOr<std::string> ParseMailbox(const Token& token, bool utf8);
// Converts a store name for the wire: modified UTF-7 unless `utf8`. The caller then writes it
// as a string (ResponseBuilder::String) or atom.
std::string MailboxToWire(absl::string_view name, bool utf8);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_MAILBOX_NAME_H_
