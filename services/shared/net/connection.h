// Connection: what a protocol handler gets for one accepted client: the Stream, a LineReader
// over it, the peer's address, a session id for logs, and the server's drain signal.
#ifndef MAILROOM_SERVICES_SHARED_NET_CONNECTION_H_
#define MAILROOM_SERVICES_SHARED_NET_CONNECTION_H_

#include <asio/awaitable.hpp>
#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/shared/net/limits.h"
#include "services/shared/net/line_reader.h"
#include "services/shared/net/stream.h"

namespace mailroom::net {

// Use from the connection's executor only, except draining(), which any thread may read.
class Connection {
 public:
  // Takes ownership of `stream`. Tests can build one over a fake Stream.
  Connection(std::unique_ptr<Stream> stream, const Limits& limits, std::string session_id,
             std::string listener_name);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Stream& stream() { return *stream_; }
  LineReader& reader() { return reader_; }
  const Limits& limits() const { return limits_; }
  const PeerInfo& peer() const { return stream_->peer(); }
  bool IsLoopback() const { return stream_->IsLoopback(); }
  bool IsTls() const { return stream_->IsTls(); }
  // A short random id naming this connection in logs.
  const std::string& session_id() const { return session_id_; }
  // ListenerConfig::name of the listener that accepted the connection.
  const std::string& listener_name() const { return listener_name_; }

  // Reads the next command line, like reader().ReadLine(), but gives up when the server starts
  // draining: before reading, or while waiting for the client. Handlers read each new command
  // through this and say goodbye on kCancelled (`421`, `* BYE`, `-ERR`; DESIGN.md invariant 10).
  // Errors: kCancelled when draining, else as LineReader::ReadLine.
  asio::awaitable<absl::StatusOr<Line>> ReadCommandLine();

  // Writes `data` with Limits::write_timeout. Errors: as Stream::WriteAll.
  asio::awaitable<absl::Status> Write(absl::string_view data);

  // STARTTLS / STLS: drops plaintext the client pipelined after the command (RFC 3207 §4.2,
  // RFC 2595; CVE-2011-0411), then runs the TLS handshake with Limits::tls_handshake_timeout.
  // Call after writing the "go ahead" reply. Errors: as Stream::StartTls.
  asio::awaitable<absl::Status> StartTls();

  // Bytes the last StartTls() dropped (for logging).
  size_t discarded_before_tls() const { return discarded_before_tls_; }

  // True once the server started draining; handlers check it between commands.
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  // Server side: marks the connection draining and interrupts a ReadCommandLine() that is
  // waiting for the client (via Stream::Cancel(), which also cancels a write overlapping that
  // read, e.g. an IMAP IDLE update). Call on the connection's executor.
  void BeginDrain();

  // Server side: closes the stream at once; pending and later operations fail with kCancelled.
  // Call on the connection's executor.
  void ForceClose() { stream_->Close(); }

 private:
  std::unique_ptr<Stream> stream_;
  const Limits limits_;
  LineReader reader_;
  const std::string session_id_;
  const std::string listener_name_;
  std::atomic<bool> draining_{false};
  bool awaiting_command_ = false;
  size_t discarded_before_tls_ = 0;
};

}  // namespace mailroom::net

#endif  // MAILROOM_SERVICES_SHARED_NET_CONNECTION_H_
