// Header block parsing: RFC 5322 §2.2 (fields), §2.2.3 (unfolding), §4.5 (obsolete WSP
// before the colon).
#include "services/mime/header.h"

#include <cstring>

#include "services/mime/strings.h"

namespace mailroom::mime {
namespace {

// The field name of `line` when it is a field line ("name" WSP* ":"), else empty.
// RFC 5322 §3.6.8: ftext is %d33-57 / %d59-126.
std::string_view FieldName(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return {};
  }
  return name;
}

std::string_view TrimValue(std::string_view v) {
  while (!v.empty() && IsWsp(v.front())) v.remove_prefix(1);
  while (!v.empty() && IsSpaceOrEol(v.back())) v.remove_suffix(1);
  return v;
}

}  // namespace

HeaderBlock ParseHeaderBlock(std::string_view raw, size_t begin, size_t end, const Limits& limits) {
  HeaderBlock block;
  block.body_begin = end;
  bool first_line = true;
  bool collecting = false;  // continuation lines belong to the last recorded field
  size_t pos = begin;
  while (pos < end) {
    const void* nl = std::memchr(raw.data() + pos, '\n', end - pos);
    size_t line_end = nl ? static_cast<const char*>(nl) - raw.data() : end;
    size_t next = nl ? line_end + 1 : end;
    size_t content_end = line_end;
    if (content_end > pos && raw[content_end - 1] == '\r') --content_end;
    if (content_end == pos) {  // the empty line that ends the header block
      block.body_begin = next;
      break;
    }
    if (next - begin > limits.max_header_bytes) {
      block.truncated = true;
      block.body_begin = pos;
      break;
    }
    std::string_view line = raw.substr(pos, content_end - pos);
    std::string_view name = IsWsp(line[0]) ? std::string_view() : FieldName(line);
    if (IsWsp(line[0]) && !first_line) {
      // RFC 5322 §2.2.3: unfolding removes the CRLF, keeps the WSP.
      if (collecting) block.fields.back().value.append(line);
    } else if (!name.empty()) {
      if (block.fields.size() < limits.max_header_fields) {
        std::string_view value = line.substr(line.find(':') + 1);
        block.fields.push_back(HeaderField{std::string(name), std::string(value)});
        collecting = true;
      } else {
        block.truncated = true;
        collecting = false;
      }
    } else if (first_line) {
      block.body_begin = begin;  // no header block at all
      break;
    } else {
      collecting = false;
    }
    first_line = false;
    pos = next;
  }
  for (HeaderField& field : block.fields) {
    std::string_view trimmed = TrimValue(field.value);
    if (trimmed.size() != field.value.size()) field.value = std::string(trimmed);
  }
  return block;
}

const HeaderField* FindField(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const HeaderField& field : fields) {
    if (EqualsIgnoreCase(field.name, name)) return &field;
  }
  return nullptr;
}

}  // namespace mailroom::mime
