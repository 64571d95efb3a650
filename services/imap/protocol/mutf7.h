// Modified UTF-7 mailbox names (RFC 3501 §5.1.3, kept by RFC 9051 §5.1.3 for clients that did
// not ENABLE UTF8=ACCEPT) and the UTF-8 checks the other names need.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_MUTF7_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_MUTF7_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mailroom::imap {

// Decodes a modified UTF-7 name into UTF-8. INVALID_ARGUMENT for bytes outside printable
// US-ASCII, an unterminated or malformed `&...-` shift, non-zero padding bits, unpaired
// surrogates, U+0000, or printable ASCII encoded in base64 (which must appear directly).
absl::StatusOr<std::string> DecodeMutf7(absl::string_view mutf7);

// Encodes a UTF-8 name as modified UTF-7. Invalid UTF-8 sequences become U+FFFD.
std::string EncodeMutf7(absl::string_view utf8);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_MUTF7_H_
