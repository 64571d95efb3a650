// Text views of a parsed message: the decoded body text for search, a short preview, and
// IMAP part-number lookup (RFC 9051 §6.4.5).
#ifndef MAILROOM_SERVICES_MIME_TEXT_H_
#define MAILROOM_SERVICES_MIME_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/mime/message.h"

namespace mailroom::mime {

// Decoded UTF-8 text of the message for search: all text/* parts (transfer- and
// charset-decoded; text/html with tags stripped crudely), recursing into multipart and
// message/rfc822, capped at max_bytes (cut on a UTF-8 boundary). Parts are separated by "\n".
// The result is always valid UTF-8 without NUL bytes (ill-formed input bytes are replaced),
// so it can go straight into a PostgreSQL text column. `raw` must be the parsed message.
std::string BodyText(const Message& msg, std::string_view raw, size_t max_bytes = 1 << 20);

// First ~max_chars characters (code points) of the main text (the first text/plain, or
// text/html when an alternative has no plain text, that is not an attachment), whitespace
// collapsed, cut on a UTF-8 boundary. Empty when the message has no such part.
std::string Preview(const Message& msg, std::string_view raw, size_t max_chars = 200);

// The part a section path names, as IMAP numbers them (RFC 9051 §6.4.5): [] = the message's
// top-level entity; [1,2] = part 1.2; for a non-multipart message (or enclosed message), part
// 1 is its body; a message/rfc822 part's sub-parts number into the enclosed message.
// nullptr when the path does not exist.
const Part* FindPart(const Message& msg, const std::vector<uint32_t>& path);

// Crude HTML to text for search and previews: tags removed (script/style/comments with their
// content), block-level tags become line breaks, common entities and numeric references
// decoded. Input and output UTF-8.
std::string HtmlToText(std::string_view html);

}  // namespace mailroom::mime

#endif  // MAILROOM_SERVICES_MIME_TEXT_H_
