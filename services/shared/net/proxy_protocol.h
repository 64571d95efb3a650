// PROXY protocol headers, version 1 (text) and version 2 (binary), as HAProxy's specification
// defines them (proxy-protocol.txt, "The PROXY protocol", versions 1 & 2): a load balancer that
// forwards a TCP connection sends one header first, naming the client's real address, so that
// connection limits, logs and the SMTP Received header see the client and not the balancer.
//
// A pure, incremental parser: it knows no sockets. Server (server.cc) reads the header on the
// listeners configured for it (ListenerConfig::proxy_protocol), before any TLS handshake, and
// reads exactly as many octets as ParseProxyHeader() asks for, so the octets after the header
// (a TLS ClientHello, a pipelined command) stay in the socket for the protocol behind it.
#ifndef MAILROOM_SERVICES_SHARED_NET_PROXY_PROTOCOL_H_
#define MAILROOM_SERVICES_SHARED_NET_PROXY_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mailroom::net {

// Spec §2.1: a v1 line is at most 107 octets, CRLF included; the shortest is
// "PROXY UNKNOWN\r\n" (15 octets). A v2 header has a 16-octet fixed part.
inline constexpr size_t kProxyV1MaxLength = 107;
inline constexpr size_t kProxyMinLength = 15;
inline constexpr size_t kProxyV2FixedLength = 16;

struct ProxyLimits {
  // Largest v2 payload (addresses + TLVs, after the fixed 16 octets) accepted. The format
  // allows 65535; cloud load balancers send at most a few hundred octets of TLVs.
  size_t max_v2_payload = 2048;
};

struct ProxyHeader {
  int version = 0;  // 1 or 2
  // False for a v2 LOCAL command (the balancer's own health check), v1 "UNKNOWN" and v2
  // families other than IPv4/IPv6 over TCP (UNSPEC, UNIX): the receiver then keeps the
  // connection's real endpoints (spec §2.1, §2.2).
  bool has_addresses = false;
  std::string source_address;  // textual, IPv4-mapped IPv6 unmapped ("192.0.2.1", "2001:db8::1")
  uint16_t source_port = 0;
  std::string destination_address;
  uint16_t destination_port = 0;
};

// The outcome of parsing what has arrived so far.
struct ProxyParse {
  // Set once the header is complete; `consumed` octets of the input belong to it.
  std::optional<ProxyHeader> header;
  size_t consumed = 0;
  // Unset header: read at least this many more octets (> 0). It never exceeds what a valid
  // header still needs, so a reader that reads exactly `need_more` never reads past it.
  size_t need_more = 0;
};

// Parses a PROXY header at the start of `data` (every octet received so far on the
// connection). Returns a complete header with its length, or how many more octets to read.
// Errors: kInvalidArgument when `data` cannot start a valid header (not a PROXY signature,
// bad v1 syntax, line longer than 107 octets, bad address or port, unknown v2 version or
// command, address block shorter than its family needs, v2 datagram transport);
// kResourceExhausted when a v2 payload exceeds `limits.max_v2_payload`.
absl::StatusOr<ProxyParse> ParseProxyHeader(absl::string_view data, const ProxyLimits& limits = {});

}  // namespace mailroom::net

#endif  // MAILROOM_SERVICES_SHARED_NET_PROXY_PROTOCOL_H_
