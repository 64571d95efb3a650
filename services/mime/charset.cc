// Charset conversion to UTF-8 and RFC 2047 encoded-word decoding.
#include <array>

#include "services/mime/decode.h"
#include "services/shared/text/utf8.h"
#include "services/mime/strings.h"

namespace mailroom::mime {
namespace {

enum class Charset { kUtf8, kAscii, kLatin1, kLatin9, kWindows1252, kUnknown };

// Windows-1252 code points for bytes 0x80..0x9F; 0 = undefined (mapped to U+0080..U+009F).
constexpr std::array<uint16_t, 32> kCp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

Charset Classify(std::string_view name) {
  name = TrimWsp(name);
  if (size_t star = name.find('*'); star != std::string_view::npos) {
    name = name.substr(0, star);  // RFC 2231 §5 language suffix
  }
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  std::string n = AsciiLowerCopy(name);
  if (n == "utf-8" || n == "utf8") return Charset::kUtf8;
  if (n == "us-ascii" || n == "ascii" || n == "ansi_x3.4-1968" || n == "iso646-us" || n == "us") {
    return Charset::kAscii;
  }
  if (n == "iso-8859-1" || n == "iso8859-1" || n == "iso_8859-1" || n == "latin1" ||
      n == "latin-1" || n == "l1" || n == "iso-ir-100" || n == "cp819" || n == "ibm819") {
    return Charset::kLatin1;
  }
  if (n == "iso-8859-15" || n == "iso8859-15" || n == "iso_8859-15" || n == "latin-9" ||
      n == "latin9") {
    return Charset::kLatin9;
  }
  if (n == "windows-1252" || n == "cp1252" || n == "x-cp1252") return Charset::kWindows1252;
  return Charset::kUnknown;
}

uint32_t Latin9CodePoint(unsigned char b) {
  switch (b) {
    case 0xA4:
      return 0x20AC;
    case 0xA6:
      return 0x0160;
    case 0xA8:
      return 0x0161;
    case 0xB4:
      return 0x017D;
    case 0xB8:
      return 0x017E;
    case 0xBC:
      return 0x0152;
    case 0xBD:
      return 0x0153;
    case 0xBE:
      return 0x0178;
    default:
      return b;
  }
}

std::string SingleByteToUtf8(Charset cs, std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (char ch : bytes) {
    auto b = static_cast<unsigned char>(ch);
    uint32_t cp = b;
    if (cs == Charset::kWindows1252 && b >= 0x80 && b <= 0x9F && kCp1252High[b - 0x80] != 0) {
      cp = kCp1252High[b - 0x80];
    } else if (cs == Charset::kLatin9) {
      cp = Latin9CodePoint(b);
    }
    AppendUtf8(out, cp);
  }
  return out;
}

// Valid UTF-8 is kept; anything else is read as windows-1252, the usual truth behind
// mislabelled or unlabelled 8-bit text.
std::string Utf8OrCp1252(std::string_view bytes) {
  if (text::IsValidUtf8(bytes)) return std::string(bytes);
  return SingleByteToUtf8(Charset::kWindows1252, bytes);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// RFC 2047 §4.2 "Q" encoding: like QP, plus "_" = 0x20.
std::string DecodeQ(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

struct EncodedWord {
  std::string_view charset;
  std::string bytes;
  size_t end = 0;  // offset just past "?="
};

// Parses "=?charset?B|Q?text?=" starting at in[start] (which is "=?"). RFC 2047 §2: no
// whitespace inside; "?" ends each piece. Scans never pass the next '?', keeping the caller
// linear.
std::optional<EncodedWord> ParseEncodedWord(std::string_view in, size_t start) {
  size_t cs_begin = start + 2;
  size_t q1 = in.find('?', cs_begin);
  if (q1 == std::string_view::npos || q1 == cs_begin) return std::nullopt;
  std::string_view charset = in.substr(cs_begin, q1 - cs_begin);
  for (char c : charset) {
    if (IsSpaceOrEol(c) || c == '"' || c == '(' || c == ')') return std::nullopt;
  }
  if (q1 + 2 >= in.size() || in[q1 + 2] != '?') return std::nullopt;
  char enc = AsciiLower(in[q1 + 1]);
  if (enc != 'b' && enc != 'q') return std::nullopt;
  size_t text_begin = q1 + 3;
  size_t q3 = in.find('?', text_begin);
  if (q3 == std::string_view::npos || q3 + 1 >= in.size() || in[q3 + 1] != '=') {
    return std::nullopt;
  }
  std::string_view text = in.substr(text_begin, q3 - text_begin);
  for (char c : text) {
    if (IsSpaceOrEol(c)) return std::nullopt;
  }
  EncodedWord word;
  word.charset = charset;
  word.bytes = enc == 'b' ? DecodeBase64(text) : DecodeQ(text);
  word.end = q3 + 2;
  return word;
}

bool AllWhitespace(std::string_view s) {
  for (char c : s) {
    if (!IsSpaceOrEol(c)) return false;
  }
  return true;
}

}  // namespace


std::string ToUtf8(std::string_view charset, std::string_view bytes) {
  switch (Classify(charset)) {
    case Charset::kUtf8:
      return text::SanitizeUtf8(bytes);
    case Charset::kUnknown:
      return std::string(bytes);
    case Charset::kAscii:
      return Utf8OrCp1252(bytes);
    case Charset::kLatin1:
      return SingleByteToUtf8(Charset::kLatin1, bytes);
    case Charset::kLatin9:
      return SingleByteToUtf8(Charset::kLatin9, bytes);
    case Charset::kWindows1252:
      return SingleByteToUtf8(Charset::kWindows1252, bytes);
  }
  return std::string(bytes);
}

std::string DecodeEncodedWords(std::string_view in) {
  std::string out;
  std::string pending;  // decoded bytes of adjacent words in pending_charset
  std::string_view pending_charset;
  bool have_pending = false;
  auto flush = [&] {
    if (have_pending) out += ToUtf8(pending_charset, pending);
    pending.clear();
    have_pending = false;
  };
  size_t literal_begin = 0;
  size_t search = 0;
  while (true) {
    size_t at = in.find("=?", search);
    if (at == std::string_view::npos) break;
    std::optional<EncodedWord> word = ParseEncodedWord(in, at);
    if (!word) {
      search = at + 1;
      continue;
    }
    std::string_view literal = in.substr(literal_begin, at - literal_begin);
    // RFC 2047 §6.2: whitespace between adjacent encoded words is ignored.
    if (!(have_pending && AllWhitespace(literal))) {
      flush();
      out += Utf8OrCp1252(literal);
    }
    if (have_pending && !EqualsIgnoreCase(pending_charset, word->charset)) flush();
    pending += word->bytes;
    pending_charset = word->charset;
    have_pending = true;
    literal_begin = search = word->end;
  }
  flush();
  out += Utf8OrCp1252(in.substr(literal_begin));
  return out;
}

}  // namespace mailroom::mime
