// BodyText, Preview and FindPart over a parsed message.
#include "services/mime/text.h"

#include <algorithm>

#include "services/mime/decode.h"
#include "services/shared/text/utf8.h"
#include "services/mime/strings.h"

namespace mailroom::mime {
namespace {

bool IsAttachment(const Part& part) {
  return part.disposition.has_value() && *part.disposition == "attachment";
}

// Length of the longest prefix of `s` of at most `max` bytes that does not split a UTF-8
// sequence.
size_t Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s.size();
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

// Decoded UTF-8 text of one text/* leaf. Only a prefix of the raw body is decoded, enough
// for `want` output bytes (base64 shrinks, QP and HTML shrink, charsets grow at most 3x per
// byte, so 4x plus slack covers plain text; HTML gets a wider window for its markup).
std::string DecodeTextPart(const Part& part, std::string_view raw, size_t want) {
  if (part.body_offset >= raw.size()) return {};
  std::string_view body = raw.substr(part.body_offset, part.body_size);
  const bool html = part.subtype == "html";
  const size_t factor = html ? 16 : 4;
  if (body.size() / factor > want + 1024) body = body.substr(0, want * factor + 4096);
  std::string decoded = DecodeTransferEncoding(part.encoding, body);
  const std::string* charset = FindParam(part.params, "charset");
  std::string text = charset ? ToUtf8(*charset, decoded) : ToUtf8("us-ascii", decoded);
  if (!text::IsValidUtf8(text)) text = text::SanitizeUtf8(text);  // unknown charsets keep their bytes
  if (html) text = HtmlToText(text);
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

void CollectText(const Part& part, std::string_view raw, size_t max_bytes, std::string& out) {
  if (out.size() >= max_bytes) return;
  if (!part.children.empty()) {
    for (const Part& child : part.children) CollectText(child, raw, max_bytes, out);
    return;
  }
  if (part.type != "text") return;
  if (!out.empty()) out.push_back('\n');
  out += DecodeTextPart(part, raw, max_bytes - std::min(out.size(), max_bytes));
}

// The main text part: depth first; inside multipart/alternative a text/plain alternative
// beats text/html (RFC 2046 §5.1.4 orders alternatives by fidelity, but plain text previews
// better).
const Part* MainTextPart(const Part& part) {
  if (part.children.empty()) {
    bool usable = part.type == "text" && (part.subtype == "plain" || part.subtype == "html");
    return usable && !IsAttachment(part) ? &part : nullptr;
  }
  if (IsAttachment(part)) return nullptr;
  const Part* first = nullptr;
  for (const Part& child : part.children) {
    const Part* found = MainTextPart(child);
    if (found == nullptr) continue;
    if (part.subtype != "alternative" || found->subtype == "plain") return found;
    if (first == nullptr) first = found;
  }
  return first;
}

void AppendCollapsed(std::string_view text, std::string& out) {
  bool space = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool nbsp = c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0';
    if (IsSpaceOrEol(c) || c == '\f' || c == '\v' || nbsp) {
      space = true;
      if (nbsp) ++i;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
}

}  // namespace

std::string BodyText(const Message& msg, std::string_view raw, size_t max_bytes) {
  std::string out;
  CollectText(msg.body, raw, max_bytes, out);
  if (out.size() > max_bytes) out.resize(Utf8Prefix(out, max_bytes));
  return out;
}

std::string Preview(const Message& msg, std::string_view raw, size_t max_chars) {
  const Part* part = MainTextPart(msg.body);
  if (part == nullptr || max_chars == 0) return {};
  std::string collapsed;
  AppendCollapsed(DecodeTextPart(*part, raw, max_chars * 8), collapsed);
  size_t chars = 0;
  for (size_t i = 0; i < collapsed.size(); ++i) {
    if ((static_cast<unsigned char>(collapsed[i]) & 0xC0) == 0x80) continue;
    if (chars++ == max_chars) {
      collapsed.resize(i);
      break;
    }
  }
  return collapsed;
}

const Part* FindPart(const Message& msg, const std::vector<uint32_t>& path) {
  const Part* cur = &msg.body;
  for (size_t i = 0; i < path.size(); ++i) {
    const uint32_t n = path[i];
    // Each step looks inside a message body: the top-level one first, then the body of an
    // enclosed message/rfc822; other non-multipart parts have no sub-parts.
    const Part* container = cur;
    bool message_body = i == 0;
    if (i > 0 && IsEncapsulatedMessage(*cur) && !cur->children.empty()) {
      container = &cur->children[0];
      message_body = true;
    }
    if (IsMultipart(*container) && !container->children.empty()) {
      if (n == 0 || n > container->children.size()) return nullptr;
      cur = &container->children[n - 1];
    } else if (message_body && n == 1) {
      cur = container;
    } else {
      return nullptr;
    }
  }
  return cur;
}

}  // namespace mailroom::mime
