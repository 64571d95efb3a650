// RFC 5322 §3.4 address lists (with the obsolete forms of §4.4) parsed into IMAP ENVELOPE
// address structures (RFC 9051 §7.5.2), and the ENVELOPE of a header block.
#ifndef MAILROOM_SERVICES_MIME_ADDRESS_H_
#define MAILROOM_SERVICES_MIME_ADDRESS_H_

#include <string_view>
#include <vector>

#include "services/mime/message.h"

namespace mailroom::mime {

// Parses an address-list header value (From, To, Cc, ...). Lenient: unterminated quotes,
// comments and angle brackets, missing domains (host = kMissingDomain), groups without ';',
// a bare "addr-spec (Comment)" (the comment becomes the name). A group yields a group_start
// element, its members, and a group_end element. Never fails; garbage yields fewer elements.
std::vector<Address> ParseAddressList(std::string_view value);

// Builds the ENVELOPE from an entity's header fields: first occurrence of each field wins;
// sender and reply-to default to from when absent or empty (RFC 9051 §7.5.2).
Envelope BuildEnvelope(const std::vector<HeaderField>& fields);

}  // namespace mailroom::mime

#endif  // MAILROOM_SERVICES_MIME_ADDRESS_H_
