#include "services/shared/net/connection.h"

#include <utility>

namespace mailroom::net {

Connection::Connection(std::unique_ptr<Stream> stream, const Limits& limits, std::string session_id,
                       std::string listener_name)
    : stream_(std::move(stream)),
      limits_(limits),
      reader_(*stream_, limits_),
      session_id_(std::move(session_id)),
      listener_name_(std::move(listener_name)) {}

asio::awaitable<absl::StatusOr<Line>> Connection::ReadCommandLine() {
  if (draining()) co_return absl::CancelledError("server is shutting down");
  awaiting_command_ = true;
  absl::StatusOr<Line> line = co_await reader_.ReadLine();
  awaiting_command_ = false;
  if (!line.ok() && absl::IsCancelled(line.status()) && draining()) {
    co_return absl::CancelledError("server is shutting down");
  }
  co_return line;
}

asio::awaitable<absl::Status> Connection::Write(absl::string_view data) {
  co_return co_await stream_->WriteAll(data, limits_.write_timeout);
}

asio::awaitable<absl::Status> Connection::StartTls() {
  discarded_before_tls_ = reader_.DiscardBuffered();
  co_return co_await stream_->StartTls(limits_.tls_handshake_timeout);
}

void Connection::BeginDrain() {
  draining_.store(true, std::memory_order_release);
  // Only a read waiting for the next command is interrupted; commands in progress finish.
  if (awaiting_command_) stream_->Cancel();
}

}  // namespace mailroom::net
