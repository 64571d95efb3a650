// Conversions between the store's protos and the protocol layer's plain structs: flags,
// ENVELOPE, BODYSTRUCTURE, header-field selection for BODY[HEADER.FIELDS ...]. Pure code.
#ifndef MAILROOM_SERVICES_IMAP_SESSION_CONVERT_H_
#define MAILROOM_SERVICES_IMAP_SESSION_CONVERT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mailroom/store/v1/store.pb.h"
#include "services/imap/protocol/message_data.h"

namespace mailroom::imap {

// IMAP flags (system flags in any case, keywords) to the store's Flags.
::mailroom::store::v1::Flags FlagsFromList(const std::vector<std::string>& flags);

Envelope EnvelopeFromProto(const ::mailroom::store::v1::Envelope& envelope);
BodyPart BodyPartFromProto(const ::mailroom::store::v1::BodyPart& part);

// The fields of a header block named in `fields` (or, with `exclude`, all others), in
// message order with their continuation lines, followed by the empty line (RFC 9051
// §6.4.5 HEADER.FIELDS / HEADER.FIELDS.NOT).
std::string FilterHeaderFields(absl::string_view header, const std::vector<std::string>& fields,
                               bool exclude);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_SESSION_CONVERT_H_
