// Stream: one byte stream to a client, plain TCP or TLS, with coroutine reads and writes that
// each carry a deadline. TcpStream (tcp_stream.h) is the real implementation; tests and session
// code can substitute their own (see testing/fake_stream.h). This header deliberately includes
// only asio's awaitable, so protocol session code can use it without the cost of asio's sockets.
//
// Status codes used by every Stream, LineReader and Connection operation:
//   kUnavailable        the peer closed the connection, reset it, or TLS failed.
//   kDeadlineExceeded   the operation's deadline (idle/write/handshake timeout) passed.
//   kCancelled          Cancel()/Close() was called (server drain or shutdown).
//   kResourceExhausted  a line exceeded Limits::max_line_length (LineReader only).
//   kFailedPrecondition StartTls() on a stream that is already TLS or has no TLS context.
#ifndef MAILROOM_SERVICES_SHARED_NET_STREAM_H_
#define MAILROOM_SERVICES_SHARED_NET_STREAM_H_

#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace mailroom::net {

// Where a connection comes from and arrived at.
struct PeerInfo {
  std::string address;  // textual IP ("192.0.2.1", "2001:db8::1"); IPv4-mapped IPv6 unmapped
  uint16_t port = 0;
  std::string local_address;
  uint16_t local_port = 0;
  bool loopback = false;  // 127.0.0.0/8 or ::1
};

// What a TLS session negotiated, e.g. for the SMTP Received header (RFC 5321 §4.4,
// RFC 8314 §4.3).
struct TlsInfo {
  std::string version;  // "TLSv1.3"
  std::string cipher;   // "TLS_AES_256_GCM_SHA384"
  int cipher_bits = 0;
};

// A connection's byte stream. Not thread-safe: call it from the connection's executor only. At
// most one read and one write may be outstanding at a time (a read and a write may overlap).
class Stream {
 public:
  virtual ~Stream() = default;

  // Reads at least one byte into `buffer` and returns how many; waits at most `timeout`.
  // Errors: kUnavailable (peer closed / reset / TLS error), kDeadlineExceeded, kCancelled.
  virtual asio::awaitable<absl::StatusOr<size_t>> ReadSome(absl::Span<char> buffer,
                                                           absl::Duration timeout) = 0;

  // Writes all of `data`, waiting at most `timeout` in total.
  // Errors: kUnavailable, kDeadlineExceeded, kCancelled.
  virtual asio::awaitable<absl::Status> WriteAll(absl::string_view data,
                                                 absl::Duration timeout) = 0;

  // Performs the server side of a TLS handshake on this (plain) stream, upgrading it in place:
  // STARTTLS (RFC 3207 §4), STLS (RFC 2595 §4) and implicit TLS (RFC 8314 §3.3). Callers that
  // buffer input must drop what they buffered before the upgrade (LineReader::DiscardBuffered).
  // Errors: kFailedPrecondition (already TLS, no TLS configured; the stream is unchanged),
  // kUnavailable (handshake failed or peer closed), kDeadlineExceeded, kCancelled. After any
  // error but kFailedPrecondition the stream is unusable: end the connection.
  virtual asio::awaitable<absl::Status> StartTls(absl::Duration timeout) = 0;

  // Closes gracefully: sends a TLS close_notify (waiting at most `timeout` for the peer's), then
  // closes the socket. Never fails; afterwards every operation returns kCancelled.
  virtual asio::awaitable<void> Shutdown(absl::Duration timeout) = 0;

  // Makes outstanding operations complete with kCancelled; the stream stays usable.
  virtual void Cancel() = 0;

  // Closes the socket at once; outstanding and later operations return kCancelled.
  virtual void Close() = 0;

  // True after a successful StartTls() (or an implicit-TLS handshake).
  virtual bool IsTls() const = 0;

  // The negotiated TLS parameters, or nullopt on a plain stream.
  virtual std::optional<TlsInfo> GetTlsInfo() const = 0;

  // The peer and local endpoints, fixed at accept time.
  virtual const PeerInfo& peer() const = 0;

  // True when the peer connects from loopback (DESIGN.md invariant 8 treats it as secured).
  bool IsLoopback() const { return peer().loopback; }
};

// Predicates over the status codes listed at the top of this file.
inline bool IsPeerClosed(const absl::Status& s) { return absl::IsUnavailable(s); }
inline bool IsTimeout(const absl::Status& s) { return absl::IsDeadlineExceeded(s); }
inline bool IsCancelledByServer(const absl::Status& s) { return absl::IsCancelled(s); }
inline bool IsLineTooLong(const absl::Status& s) { return absl::IsResourceExhausted(s); }

}  // namespace mailroom::net

#endif  // MAILROOM_SERVICES_SHARED_NET_STREAM_H_
