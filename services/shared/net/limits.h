// Configuration of the network core shared by the SMTP, POP3 and IMAP front ends: per-connection
// limits (line length, timeouts), listener descriptions and server-wide limits. Plain data with
// the defaults in one place; each service fills these from its own Config.
#ifndef MAILROOM_SERVICES_SHARED_NET_LIMITS_H_
#define MAILROOM_SERVICES_SHARED_NET_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace mailroom::net {

// Limits that apply to one connection.
struct Limits {
  // Longest accepted line, excluding its CRLF (or bare LF). RFC 5321 §4.5.3.1 needs 1000 octets
  // with CRLF for SMTP text lines; IMAP command lines are longer (RFC 7162 §4 suggests 8192).
  size_t max_line_length = 8192;
  // Size of the per-connection read buffer and therefore the largest chunk that
  // LineReader::ReadSome()/ReadExactly() hand out. Raised to max_line_length + 2 if smaller.
  size_t read_buffer_size = 16 * 1024;
  // When true a bare LF also ends a line (the Line says which ending it saw). When false only
  // CRLF ends a line and a lone LF is ordinary line content.
  bool accept_bare_lf = true;
  // Deadline of each read: a client silent for this long gets kDeadlineExceeded.
  // RFC 5321 §4.5.3.2.7 asks servers for at least 5 minutes; IMAP (RFC 9051 §5.4) 30 minutes.
  absl::Duration idle_timeout = absl::Minutes(5);
  // Deadline of each WriteAll() (a peer that stops reading cannot pin the connection).
  absl::Duration write_timeout = absl::Minutes(1);
  // Deadline of a TLS handshake, implicit TLS or STARTTLS.
  absl::Duration tls_handshake_timeout = absl::Seconds(30);
  // How long closing a TLS connection waits for the peer's close_notify.
  absl::Duration tls_shutdown_timeout = absl::Seconds(1);
  // On a PROXY protocol listener: how long the whole header may take to arrive (a load
  // balancer sends it at once; anything slower is not one).
  absl::Duration proxy_header_timeout = absl::Seconds(5);
};

// One listening socket.
struct ListenerConfig {
  // Names the listener in logs and metrics and lets the handler pick its behaviour
  // ("mx", "submission", "submissions", "imap", "imaps", ...).
  std::string name;
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 picks an ephemeral port (tests); Server::BoundPort() tells which.
  // RFC 8314 §3.3: TLS starts right after the TCP connect (ports 465, 993, 995).
  bool implicit_tls = false;
  // Every connection must start with a PROXY protocol v1 or v2 header (proxy_protocol.h),
  // read before any TLS; its source address replaces the peer's for limits, logs and trace
  // headers. Connections without a valid header are closed. Off: no header is expected, and
  // one sent anyway reaches the protocol handler as ordinary (invalid) input.
  bool proxy_protocol = false;
};

// Everything a Server needs besides its callbacks and TLS context.
struct ServerConfig {
  std::vector<ListenerConfig> listeners;
  // Threads running the io_context. Connections are coroutines, never threads.
  int threads = 2;
  size_t max_connections = 1024;
  // IPv4 addresses count individually, IPv6 addresses per /64 prefix.
  size_t max_connections_per_ip = 20;
  // After Drain() starts, how long handlers get to finish before connections are closed.
  absl::Duration drain_grace = absl::Seconds(20);
  // How long Drain() waits for handlers after force-closing their connections.
  absl::Duration drain_close_wait = absl::Seconds(2);
  Limits limits;
};

}  // namespace mailroom::net

#endif  // MAILROOM_SERVICES_SHARED_NET_LIMITS_H_
