#include "services/shared/net/proxy_protocol.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mailroom::net {
namespace {

// Spec §2.2: the v2 signature, "\r\n\r\n\0\r\nQUIT\n".
constexpr char kV2Signature[12] = {'\r', '\n', '\r', '\n', '\0', '\r',
                                   '\n', 'Q',  'U',  'I',  'T',  '\n'};
constexpr absl::string_view kV2SignatureView(kV2Signature, sizeof(kV2Signature));
constexpr absl::string_view kV1Signature = "PROXY ";

// Address block sizes of the v2 families (spec §2.2).
constexpr size_t kV2Inet = 12;
constexpr size_t kV2Inet6 = 36;
constexpr size_t kV2Unix = 216;

absl::Status Invalid(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("PROXY protocol: ", why));
}

// True when `data` and `signature` agree on their common prefix.
bool PrefixMatches(absl::string_view data, absl::string_view signature) {
  size_t n = std::min(data.size(), signature.size());
  return data.substr(0, n) == signature.substr(0, n);
}

// IPv4-mapped IPv6 addresses are shown as IPv4, like PeerInfo does for real sockets.
std::string FormatIpv6(const unsigned char bytes[16]) {
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char text[INET6_ADDRSTRLEN];
  if (std::memcmp(bytes, kMapped, sizeof(kMapped)) == 0) {
    inet_ntop(AF_INET, bytes + 12, text, sizeof(text));
  } else {
    inet_ntop(AF_INET6, bytes, text, sizeof(text));
  }
  return text;
}

std::string FormatIpv4(const unsigned char bytes[4]) {
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, bytes, text, sizeof(text));
  return text;
}

uint16_t Be16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// A v1 address of the given family, normalised through its binary form.
absl::StatusOr<std::string> ParseV1Address(absl::string_view text, bool ipv6) {
  std::string copy(text);
  unsigned char bytes[16];
  if (inet_pton(ipv6 ? AF_INET6 : AF_INET, copy.c_str(), bytes) != 1) {
    return Invalid(absl::StrCat("bad ", ipv6 ? "TCP6" : "TCP4", " address"));
  }
  return ipv6 ? FormatIpv6(bytes) : FormatIpv4(bytes);
}

// Spec §2.1: ports are decimal numbers 0-65535.
absl::StatusOr<uint16_t> ParseV1Port(absl::string_view text) {
  uint32_t port = 0;
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0') ||
      !std::all_of(text.begin(), text.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(text, &port) || port > 65535) {
    return Invalid("bad port");
  }
  return static_cast<uint16_t>(port);
}

// `line` is the v1 header without its CRLF.
absl::StatusOr<ProxyHeader> ParseV1Line(absl::string_view line) {
  ProxyHeader header;
  header.version = 1;
  std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
  // fields[0] is "PROXY" (checked by the caller).
  if (fields.size() >= 2 && fields[1] == "UNKNOWN") return header;  // the rest is ignored
  if (fields.size() != 6) return Invalid("a v1 line has 6 fields");
  bool ipv6;
  if (fields[1] == "TCP4") {
    ipv6 = false;
  } else if (fields[1] == "TCP6") {
    ipv6 = true;
  } else {
    return Invalid("v1 protocol is not TCP4, TCP6 or UNKNOWN");
  }
  absl::StatusOr<std::string> source = ParseV1Address(fields[2], ipv6);
  if (!source.ok()) return source.status();
  absl::StatusOr<std::string> destination = ParseV1Address(fields[3], ipv6);
  if (!destination.ok()) return destination.status();
  absl::StatusOr<uint16_t> source_port = ParseV1Port(fields[4]);
  if (!source_port.ok()) return source_port.status();
  absl::StatusOr<uint16_t> destination_port = ParseV1Port(fields[5]);
  if (!destination_port.ok()) return destination_port.status();
  header.has_addresses = true;
  header.source_address = *std::move(source);
  header.destination_address = *std::move(destination);
  header.source_port = *source_port;
  header.destination_port = *destination_port;
  return header;
}

absl::StatusOr<ProxyParse> ParseV1(absl::string_view data) {
  ProxyParse result;
  const size_t window = std::min(data.size(), kProxyV1MaxLength);
  // Only printable US-ASCII may precede the CRLF; checking as octets arrive rejects a
  // non-PROXY client early instead of after 107 octets.
  for (size_t i = 0; i < window; ++i) {
    const char c = data[i];
    if (c == '\r') {
      if (i + 2 > kProxyV1MaxLength) return Invalid("v1 line longer than 107 octets");
      if (i + 1 == data.size()) break;  // the LF may still come
      if (data[i + 1] != '\n') return Invalid("CR without LF in a v1 line");
      absl::StatusOr<ProxyHeader> header = ParseV1Line(data.substr(0, i));
      if (!header.ok()) return header.status();
      result.header = *std::move(header);
      result.consumed = i + 2;
      return result;
    }
    if (c < 0x20 || c > 0x7e) return Invalid("non-printable octet in a v1 line");
  }
  // No CRLF yet. At least the CRLF (or the LF after a trailing CR) is missing, and no valid
  // line is shorter than kProxyMinLength.
  const size_t tail = (!data.empty() && data.back() == '\r') ? 1 : 2;
  if (data.size() + tail > kProxyV1MaxLength) return Invalid("v1 line longer than 107 octets");
  result.need_more =
      std::max(tail, kProxyMinLength > data.size() ? kProxyMinLength - data.size() : size_t{0});
  return result;
}

absl::StatusOr<ProxyHeader> ParseV2Payload(const unsigned char* fixed, absl::string_view payload) {
  ProxyHeader header;
  header.version = 2;
  const int version = fixed[12] >> 4;
  const int command = fixed[12] & 0x0f;
  const int family = fixed[13] >> 4;
  const int transport = fixed[13] & 0x0f;
  if (version != 2) return Invalid("v2 header with an unknown version");
  if (command == 0x0) return header;  // LOCAL: keep the real endpoints, ignore the payload
  if (command != 0x1) return Invalid("v2 header with an unknown command");
  const auto* p = reinterpret_cast<const unsigned char*>(payload.data());
  switch (family) {
    case 0x0:  // AF_UNSPEC: the sender does not know the addresses
      return header;
    case 0x1:    // AF_INET
    case 0x2: {  // AF_INET6
      const bool ipv6 = family == 0x2;
      if (transport != 0x1) return Invalid("v2 header for a non-stream transport");
      const size_t need = ipv6 ? kV2Inet6 : kV2Inet;
      if (payload.size() < need) return Invalid("v2 address block too short");
      const size_t width = ipv6 ? 16 : 4;
      header.source_address = ipv6 ? FormatIpv6(p) : FormatIpv4(p);
      header.destination_address = ipv6 ? FormatIpv6(p + width) : FormatIpv4(p + width);
      header.source_port = Be16(p + 2 * width);
      header.destination_port = Be16(p + 2 * width + 2);
      header.has_addresses = true;
      return header;
    }
    case 0x3:  // AF_UNIX: nothing a mail server can use as a client address
      if (payload.size() < kV2Unix) return Invalid("v2 address block too short");
      return header;
    default:
      return Invalid("v2 header with an unknown address family");
  }
}

absl::StatusOr<ProxyParse> ParseV2(absl::string_view data, const ProxyLimits& limits) {
  ProxyParse result;
  if (data.size() < kProxyV2FixedLength) {
    result.need_more = kProxyV2FixedLength - data.size();
    return result;
  }
  const auto* fixed = reinterpret_cast<const unsigned char*>(data.data());
  // Fail on the version and command as soon as they are known, before waiting for a payload.
  if ((fixed[12] >> 4) != 2) return Invalid("v2 header with an unknown version");
  const size_t length = Be16(fixed + 14);
  if (length > limits.max_v2_payload) {
    return absl::ResourceExhaustedError(
        absl::StrCat("PROXY protocol: v2 payload of ", length, " octets is over the limit"));
  }
  const size_t total = kProxyV2FixedLength + length;
  if (data.size() < total) {
    result.need_more = total - data.size();
    return result;
  }
  absl::StatusOr<ProxyHeader> header =
      ParseV2Payload(fixed, data.substr(kProxyV2FixedLength, length));
  if (!header.ok()) return header.status();
  result.header = *std::move(header);
  result.consumed = total;
  return result;
}

}  // namespace

absl::StatusOr<ProxyParse> ParseProxyHeader(absl::string_view data, const ProxyLimits& limits) {
  if (data.empty()) {
    ProxyParse result;
    result.need_more = kProxyMinLength;  // the shortest header of either version
    return result;
  }
  if (PrefixMatches(data, kV2SignatureView)) return ParseV2(data, limits);
  if (PrefixMatches(data, kV1Signature)) return ParseV1(data);
  return Invalid("no PROXY protocol signature");
}

}  // namespace mailroom::net
