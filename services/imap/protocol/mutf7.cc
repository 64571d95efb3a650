#include "services/imap/protocol/mutf7.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace mailroom::imap {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
constexpr uint32_t kReplacement = 0xFFFD;

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool IsDirect(uint32_t cp) { return cp >= 0x20 && cp <= 0x7e; }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes one UTF-8 sequence at `*pos`; returns false (consuming one byte) when malformed.
bool NextCodePoint(absl::string_view s, size_t* pos, uint32_t* cp) {
  const unsigned char lead = static_cast<unsigned char>(s[*pos]);
  size_t len = 0;
  uint32_t min = 0;
  if (lead < 0x80) {
    *cp = lead;
    ++*pos;
    return true;
  } else if ((lead & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = lead & 0x07;
  } else {
    ++*pos;
    return false;
  }
  if (*pos + len > s.size()) {
    ++*pos;
    return false;
  }
  for (size_t i = 1; i < len; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[*pos + i]);
    if ((c & 0xC0) != 0x80) {
      ++*pos;
      return false;
    }
    *cp = (*cp << 6) | (c & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
    ++*pos;
    return false;
  }
  *pos += len;
  return true;
}

// Decodes the base64 run of one `&...-` shift (without the delimiters) into UTF-8.
absl::Status DecodeShift(absl::string_view b64, std::string* out) {
  const absl::Status invalid = absl::InvalidArgumentError("Invalid modified UTF-7 mailbox name");
  std::vector<uint16_t> units;
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : b64) {
    const int v = Base64Value(c);
    if (v < 0) return invalid;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push_back(static_cast<uint16_t>(bits >> nbits));
      bits &= (1u << nbits) - 1;
    }
  }
  if (nbits >= 6 || bits != 0 || units.empty()) return invalid;
  for (size_t i = 0; i < units.size(); ++i) {
    uint32_t cp = units[i];
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 1 >= units.size() || units[i + 1] < 0xDC00 || units[i + 1] > 0xDFFF) return invalid;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (units[++i] - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return invalid;
    }
    if (cp == 0 || IsDirect(cp)) return invalid;
    AppendUtf8(cp, out);
  }
  return absl::OkStatus();
}

void EncodeShift(const std::vector<uint16_t>& units, std::string* out) {
  out->push_back('&');
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t unit : units) {
    bits = (bits << 16) | unit;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out->push_back(kBase64[(bits >> nbits) & 0x3F]);
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out->push_back(kBase64[(bits << (6 - nbits)) & 0x3F]);
  out->push_back('-');
}

}  // namespace

absl::StatusOr<std::string> DecodeMutf7(absl::string_view mutf7) {
  std::string out;
  size_t i = 0;
  while (i < mutf7.size()) {
    const char c = mutf7[i];
    if (!IsDirect(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("Invalid character in mailbox name");
    }
    if (c != '&') {
      out.push_back(c);
      ++i;
      continue;
    }
    const size_t end = mutf7.find('-', i + 1);
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError("Unterminated modified UTF-7 in mailbox name");
    }
    if (end == i + 1) {
      out.push_back('&');
    } else {
      absl::Status status = DecodeShift(mutf7.substr(i + 1, end - i - 1), &out);
      if (!status.ok()) return status;
    }
    i = end + 1;
  }
  return out;
}

std::string EncodeMutf7(absl::string_view utf8) {
  std::string out;
  std::vector<uint16_t> units;
  size_t pos = 0;
  while (pos < utf8.size()) {
    uint32_t cp = 0;
    if (!NextCodePoint(utf8, &pos, &cp)) cp = kReplacement;
    if (IsDirect(cp)) {
      if (!units.empty()) EncodeShift(units, &out);
      units.clear();
      out += cp == '&' ? "&-" : std::string(1, static_cast<char>(cp));
      continue;
    }
    if (cp >= 0x10000) {
      units.push_back(static_cast<uint16_t>(0xD800 + ((cp - 0x10000) >> 10)));
      units.push_back(static_cast<uint16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    } else {
      units.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!units.empty()) EncodeShift(units, &out);
  return out;
}

}  // namespace mailroom::imap
