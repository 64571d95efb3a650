// Transfer decodings: base64 (RFC 2045 §6.8) and quoted-printable (RFC 2045 §6.7).
#include "services/mime/decode.h"

#include <array>

#include "services/mime/strings.h"

namespace mailroom::mime {
namespace {

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr std::array<int8_t, 256> kBase64Table = MakeBase64Table();

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Appends one QP-encoded line (without its line break) to `out`: trailing WSP dropped
// (RFC 2045 §6.7 rule 3). Returns true when the line ends in a soft line break.
bool DecodeQpLine(std::string_view line, std::string& out) {
  while (!line.empty() && IsWsp(line.back())) line.remove_suffix(1);
  bool soft_break = false;
  if (!line.empty() && line.back() == '=') {
    soft_break = true;
    line.remove_suffix(1);
  }
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '=' && i + 2 < line.size()) {
      int hi = HexValue(line[i + 1]);
      int lo = HexValue(line[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(c);
  }
  return soft_break;
}

}  // namespace

std::string DecodeBase64(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = kBase64Table[static_cast<unsigned char>(c)];
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string DecodeQuotedPrintable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t pos = 0;
  while (pos < in.size()) {
    size_t nl = in.find('\n', pos);
    size_t line_end = nl == std::string_view::npos ? in.size() : nl;
    size_t content_end = line_end;
    bool crlf = content_end > pos && in[content_end - 1] == '\r';
    if (crlf) --content_end;
    bool soft = DecodeQpLine(in.substr(pos, content_end - pos), out);
    if (nl == std::string_view::npos) break;
    if (!soft) out.append(crlf ? "\r\n" : "\n");
    pos = nl + 1;
  }
  return out;
}

std::string DecodeTransferEncoding(std::string_view encoding, std::string_view body) {
  std::string_view enc = TrimWsp(encoding);
  if (EqualsIgnoreCase(enc, "base64")) return DecodeBase64(body);
  if (EqualsIgnoreCase(enc, "quoted-printable")) return DecodeQuotedPrintable(body);
  return std::string(body);
}

}  // namespace mailroom::mime
