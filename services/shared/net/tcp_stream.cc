#include "services/shared/net/tcp_stream.h"

#include <openssl/ssl.h>

#include <array>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/ssl/error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::net {
namespace {

using asio::experimental::deferred;
using asio::experimental::make_parallel_group;
using asio::experimental::wait_for_one;

void ArmTimer(asio::steady_timer& timer, absl::Duration timeout) {
  // Anything beyond a year counts as "no deadline"; now() + max would overflow.
  if (timeout > absl::Hours(24 * 365)) {
    timer.expires_at(asio::steady_timer::time_point::max());
  } else {
    timer.expires_after(absl::ToChronoNanoseconds(std::max(timeout, absl::ZeroDuration())));
  }
}

// Runs the deferred transfer `op` against a deadline. Returns the operation's error and byte
// count, or asio::error::timed_out when the timer fired first (the op is then cancelled).
template <typename Op>
asio::awaitable<std::pair<std::error_code, size_t>> TimedTransfer(Op op, asio::steady_timer& timer,
                                                                  absl::Duration timeout) {
  ArmTimer(timer, timeout);
  auto [order, ec, n, timer_ec] =
      co_await make_parallel_group(std::move(op), timer.async_wait(deferred))
          .async_wait(wait_for_one(), asio::use_awaitable);
  if (order[0] == 1 && !timer_ec) co_return std::make_pair(asio::error::timed_out, n);
  co_return std::make_pair(ec, n);
}

// As TimedTransfer, for operations that complete with an error code only.
template <typename Op>
asio::awaitable<std::error_code> TimedOp(Op op, asio::steady_timer& timer, absl::Duration timeout) {
  ArmTimer(timer, timeout);
  auto [order, ec, timer_ec] =
      co_await make_parallel_group(std::move(op), timer.async_wait(deferred))
          .async_wait(wait_for_one(), asio::use_awaitable);
  if (order[0] == 1 && !timer_ec) co_return std::error_code(asio::error::timed_out);
  co_return ec;
}

PeerInfo MakePeerInfo(const asio::ip::tcp::socket& socket) {
  PeerInfo info;
  std::error_code ec;
  auto unmap = [](asio::ip::address a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
      return asio::ip::address(asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()));
    }
    return a;
  };
  asio::ip::tcp::endpoint remote = socket.remote_endpoint(ec);
  if (!ec) {
    asio::ip::address address = unmap(remote.address());
    info.address = address.to_string();
    info.port = remote.port();
    info.loopback = address.is_loopback();
  }
  asio::ip::tcp::endpoint local = socket.local_endpoint(ec);
  if (!ec) {
    info.local_address = unmap(local.address()).to_string();
    info.local_port = local.port();
  }
  return info;
}

}  // namespace

TcpStream::TcpStream(asio::ip::tcp::socket socket, std::shared_ptr<TlsContext> tls)
    : plain_(std::move(socket)),
      tls_context_(std::move(tls)),
      read_timer_(plain_->get_executor()),
      write_timer_(plain_->get_executor()),
      peer_(MakePeerInfo(*plain_)) {
  std::error_code ignored;
  plain_->set_option(asio::ip::tcp::no_delay(true), ignored);
}

TcpStream::~TcpStream() = default;

asio::ip::tcp::socket& TcpStream::socket() {
  return tls_stream_ ? tls_stream_->next_layer() : *plain_;
}

absl::Status TcpStream::MapError(const std::error_code& ec, const char* what) const {
  if (ec == asio::error::timed_out)
    return absl::DeadlineExceededError(absl::StrCat(what, " timed out"));
  if (closed_ || ec == asio::error::operation_aborted) {
    return absl::CancelledError(absl::StrCat(what, " cancelled"));
  }
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    return absl::UnavailableError(absl::StrCat(what, ": peer closed the connection"));
  }
  return absl::UnavailableError(absl::StrCat(what, ": ", ec.message()));
}

asio::awaitable<absl::StatusOr<size_t>> TcpStream::ReadSome(absl::Span<char> buffer,
                                                            absl::Duration timeout) {
  if (closed_) co_return absl::CancelledError("read on a closed stream");
  if (buffer.empty()) co_return size_t{0};
  auto asio_buffer = asio::buffer(buffer.data(), buffer.size());
  std::pair<std::error_code, size_t> result;
  try {
    if (tls_stream_) {
      result = co_await TimedTransfer(tls_stream_->async_read_some(asio_buffer, deferred),
                                      read_timer_, timeout);
    } else {
      result = co_await TimedTransfer(plain_->async_read_some(asio_buffer, deferred), read_timer_,
                                      timeout);
    }
  } catch (const std::system_error& e) {
    result = {e.code(), 0};  // the coroutine was cancelled from outside
  }
  // A read that returned data is a success even if an error follows; the error comes next time.
  if (result.second > 0) co_return result.second;
  co_return MapError(result.first ? result.first : asio::error::eof, "read");
}

asio::awaitable<absl::Status> TcpStream::WriteAll(absl::string_view data, absl::Duration timeout) {
  if (closed_) co_return absl::CancelledError("write on a closed stream");
  auto asio_buffer = asio::buffer(data.data(), data.size());
  std::pair<std::error_code, size_t> result;
  try {
    if (tls_stream_) {
      result = co_await TimedTransfer(asio::async_write(*tls_stream_, asio_buffer, deferred),
                                      write_timer_, timeout);
    } else {
      result = co_await TimedTransfer(asio::async_write(*plain_, asio_buffer, deferred),
                                      write_timer_, timeout);
    }
  } catch (const std::system_error& e) {
    result = {e.code(), 0};
  }
  if (result.first) co_return MapError(result.first, "write");
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> TcpStream::StartTls(absl::Duration timeout) {
  if (closed_) co_return absl::CancelledError("STARTTLS on a closed stream");
  if (tls_stream_) co_return absl::FailedPreconditionError("TLS is already active");
  if (!tls_context_) co_return absl::FailedPreconditionError("TLS is not configured");
  tls_stream_ = std::make_unique<TlsSocket>(std::move(*plain_), tls_context_->native());
  plain_.reset();
  std::error_code ec;
  try {
    ec = co_await TimedOp(tls_stream_->async_handshake(asio::ssl::stream_base::server, deferred),
                          read_timer_, timeout);
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  if (ec) co_return MapError(ec, "TLS handshake");
  co_return absl::OkStatus();
}

asio::awaitable<void> TcpStream::Shutdown(absl::Duration timeout) {
  if (closed_) co_return;
  if (tls_stream_) {
    try {
      // RFC 8446 §6.1: send close_notify. The peer's reply is waited for only briefly.
      co_await TimedOp(tls_stream_->async_shutdown(deferred), write_timer_, timeout);
    } catch (const std::system_error&) {
      // Closing anyway.
    }
  } else {
    std::error_code ignored;
    plain_->shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
  Close();
}

void TcpStream::Cancel() {
  std::error_code ignored;
  socket().cancel(ignored);
}

void TcpStream::Close() {
  closed_ = true;
  std::error_code ignored;
  socket().close(ignored);
  read_timer_.cancel();
  write_timer_.cancel();
}

std::optional<TlsInfo> TcpStream::GetTlsInfo() const {
  if (!tls_stream_) return std::nullopt;
  SSL* ssl = const_cast<TlsSocket&>(*tls_stream_).native_handle();
  TlsInfo info;
  info.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
    info.cipher = SSL_CIPHER_get_name(cipher);
    info.cipher_bits = SSL_CIPHER_get_bits(cipher, nullptr);
  }
  return info;
}

}  // namespace mailroom::net
