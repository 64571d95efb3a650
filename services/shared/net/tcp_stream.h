// TcpStream: the Stream over a real TCP socket, upgraded in place to TLS by StartTls(). Used by
// Server for every accepted connection; front-end code sees only Stream.
#ifndef MAILROOM_SERVICES_SHARED_NET_TCP_STREAM_H_
#define MAILROOM_SERVICES_SHARED_NET_TCP_STREAM_H_

#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <utility>

#include "services/shared/net/stream.h"
#include "services/shared/net/tls_context.h"

namespace mailroom::net {

class TcpStream final : public Stream {
 public:
  // Wraps an accepted, connected socket. `tls` may be null when the listener offers no TLS;
  // StartTls() then fails with kFailedPrecondition. Timers use the socket's executor, which
  // must be a strand (or a single-threaded context) shared with the connection's coroutine.
  TcpStream(asio::ip::tcp::socket socket, std::shared_ptr<TlsContext> tls);
  ~TcpStream() override;

  asio::awaitable<absl::StatusOr<size_t>> ReadSome(absl::Span<char> buffer,
                                                   absl::Duration timeout) override;
  asio::awaitable<absl::Status> WriteAll(absl::string_view data, absl::Duration timeout) override;
  asio::awaitable<absl::Status> StartTls(absl::Duration timeout) override;
  asio::awaitable<void> Shutdown(absl::Duration timeout) override;
  void Cancel() override;
  void Close() override;
  bool IsTls() const override { return tls_stream_ != nullptr; }
  std::optional<TlsInfo> GetTlsInfo() const override;
  const PeerInfo& peer() const override { return peer_; }
  // Replaces the endpoints seen at accept time, e.g. with those of a PROXY protocol header.
  // Call before the connection is handed to a handler.
  void SetPeer(PeerInfo peer) { peer_ = std::move(peer); }

 private:
  using TlsSocket = asio::ssl::stream<asio::ip::tcp::socket>;

  asio::ip::tcp::socket& socket();
  // Maps an asio error of a read/write/handshake to the codes in stream.h.
  absl::Status MapError(const std::error_code& ec, const char* what) const;

  std::optional<asio::ip::tcp::socket> plain_;  // engaged until StartTls() moves it
  std::unique_ptr<TlsSocket> tls_stream_;
  std::shared_ptr<TlsContext> tls_context_;
  asio::steady_timer read_timer_;
  asio::steady_timer write_timer_;
  PeerInfo peer_;
  bool cancelled_ = false;  // Cancel() or Close() was called; aborted ops say kCancelled
  bool closed_ = false;
};

}  // namespace mailroom::net

#endif  // MAILROOM_SERVICES_SHARED_NET_TCP_STREAM_H_
