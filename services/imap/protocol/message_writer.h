// Writes ENVELOPE and BODY / BODYSTRUCTURE values (RFC 9051 §7.5.2) into a ResponseBuilder.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_MESSAGE_WRITER_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_MESSAGE_WRITER_H_

#include "services/imap/protocol/message_data.h"
#include "services/imap/protocol/response_writer.h"

namespace mailroom::imap {

// Appends the parenthesised envelope (date subject from sender reply-to to cc bcc
// in-reply-to message-id); Sender and Reply-To fall back to From when empty.
void WriteEnvelope(const Envelope& envelope, ResponseBuilder& out);

// Appends the body structure of `part`. `extensible` selects BODYSTRUCTURE (with extension
// data: MD5, disposition, language, location, multipart parameters) over BODY. Nesting is
// bounded by the depth of `part` itself (the store bounds MIME depth at ingest).
void WriteBodyStructure(const BodyPart& part, bool extensible, ResponseBuilder& out);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_MESSAGE_WRITER_H_
