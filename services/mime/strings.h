// Small byte-string helpers shared by the MIME parser's pieces (internal to services/mime).
#ifndef MAILROOM_SERVICES_MIME_STRINGS_H_
#define MAILROOM_SERVICES_MIME_STRINGS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace mailroom::mime {

inline bool IsWsp(char c) { return c == ' ' || c == '\t'; }
inline bool IsSpaceOrEol(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline std::string_view TrimWsp(std::string_view s) {
  while (!s.empty() && IsSpaceOrEol(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpaceOrEol(s.back())) s.remove_suffix(1);
  return s;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

inline bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

inline std::string AsciiLowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// Appends the UTF-8 encoding of `cp` (a Unicode scalar value) to `out`.
inline void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace mailroom::mime

#endif  // MAILROOM_SERVICES_MIME_STRINGS_H_
