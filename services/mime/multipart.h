// Splitting a multipart body at its boundary delimiter lines (RFC 2046 §5.1.1).
// Internal to services/mime.
#ifndef MAILROOM_SERVICES_MIME_MULTIPART_H_
#define MAILROOM_SERVICES_MIME_MULTIPART_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace mailroom::mime {

struct ByteRange {
  size_t begin = 0, end = 0;
};

struct MultipartSplit {
  std::vector<ByteRange> parts;  // body parts (their header + body), in order
  bool closed = false;           // the close delimiter "--boundary--" was seen
  bool more = false;             // more parts followed than max_parts allowed
};

// Finds the body parts of the multipart body raw[begin, end). A delimiter line is
// "--" boundary ["--"] WSP* EOL at the start of a line; the line break before it belongs to
// the delimiter, so it is not part of the preceding body part. Text before the first
// delimiter (preamble) and after the close delimiter (epilogue) is in no part. Without a
// close delimiter the last part runs to `end`. Linear in end - begin.
MultipartSplit SplitMultipart(std::string_view raw, size_t begin, size_t end,
                              std::string_view boundary, size_t max_parts);

}  // namespace mailroom::mime

#endif  // MAILROOM_SERVICES_MIME_MULTIPART_H_
