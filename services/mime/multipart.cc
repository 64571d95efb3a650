// Multipart body splitting: RFC 2046 §5.1.1.
#include "services/mime/multipart.h"

#include <cstring>

namespace mailroom::mime {
namespace {

// Whether raw[line, line_end) (line_end excludes the LF) is a delimiter line for `boundary`.
// Sets *close for the close delimiter. Trailing transport padding (WSP) is allowed; any
// other trailing text means a different boundary that merely shares the prefix.
bool IsDelimiterLine(std::string_view raw, size_t line, size_t line_end, std::string_view boundary,
                     bool* close) {
  size_t need = 2 + boundary.size();
  if (line_end - line < need || raw[line] != '-' || raw[line + 1] != '-' ||
      raw.compare(line + 2, boundary.size(), boundary) != 0) {
    return false;
  }
  size_t p = line + need;
  *close = p + 1 < line_end && raw[p] == '-' && raw[p + 1] == '-';
  if (*close) p += 2;
  for (; p < line_end; ++p) {
    if (raw[p] != ' ' && raw[p] != '\t' && raw[p] != '\r') return false;
  }
  return true;
}

// The end of a body part whose following delimiter line starts at `delimiter`: the CRLF (or
// bare LF) before the delimiter is dropped, never crossing `part_begin`.
size_t PartEnd(std::string_view raw, size_t part_begin, size_t delimiter) {
  size_t end = delimiter;
  if (end > part_begin && raw[end - 1] == '\n') {
    --end;
    if (end > part_begin && raw[end - 1] == '\r') --end;
  }
  return end;
}

}  // namespace

MultipartSplit SplitMultipart(std::string_view raw, size_t begin, size_t end,
                              std::string_view boundary, size_t max_parts) {
  MultipartSplit split;
  bool in_part = false;
  size_t part_begin = 0;
  size_t line = begin;
  while (line < end) {
    const void* nl = std::memchr(raw.data() + line, '\n', end - line);
    size_t line_end = nl ? static_cast<const char*>(nl) - raw.data() : end;
    size_t next = nl ? line_end + 1 : end;
    bool close = false;
    if (IsDelimiterLine(raw, line, line_end, boundary, &close)) {
      if (in_part) split.parts.push_back({part_begin, PartEnd(raw, part_begin, line)});
      in_part = false;
      if (close) {
        split.closed = true;
        return split;
      }
      if (split.parts.size() >= max_parts) {
        split.more = true;
        return split;
      }
      in_part = true;
      part_begin = next;
    }
    line = next;
  }
  if (in_part) split.parts.push_back({part_begin, end});
  return split;
}

}  // namespace mailroom::mime
