// The header block of one MIME entity: splitting, unfolding and lookup (RFC 5322 §2.2).
// Internal to services/mime.
#ifndef MAILROOM_SERVICES_MIME_HEADER_H_
#define MAILROOM_SERVICES_MIME_HEADER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "services/mime/message.h"

namespace mailroom::mime {

struct HeaderBlock {
  std::vector<HeaderField> fields;
  size_t body_begin = 0;   // first byte after the header block (after the blank line, if any)
  bool truncated = false;  // max_header_fields or max_header_bytes was hit
};

// Parses the header block of the entity occupying raw[begin, end). The block ends at the first
// empty line (CRLF or bare LF), or at `end`. When the very first line is not a header field,
// the entity has no header block (body_begin = begin). Later lines that are neither fields nor
// continuations are skipped, as broken folding is common. Past max_header_bytes the block ends
// at the last whole line; the rest is body.
HeaderBlock ParseHeaderBlock(std::string_view raw, size_t begin, size_t end, const Limits& limits);

// The first field named `name` (case-insensitive), or nullptr.
const HeaderField* FindField(const std::vector<HeaderField>& fields, std::string_view name);

}  // namespace mailroom::mime

#endif  // MAILROOM_SERVICES_MIME_HEADER_H_
