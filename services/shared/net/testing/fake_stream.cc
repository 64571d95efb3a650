#include "services/shared/net/testing/fake_stream.h"

#include <algorithm>
#include <cstring>

namespace mailroom::net::testing {

FakeStream::FakeStream(std::vector<std::string> input, absl::Status at_end)
    : input_(input.begin(), input.end()), at_end_(std::move(at_end)) {
  peer_.address = "127.0.0.1";
  peer_.port = 40000;
  peer_.local_address = "127.0.0.1";
  peer_.local_port = 2525;
  peer_.loopback = true;
}

asio::awaitable<absl::StatusOr<size_t>> FakeStream::ReadSome(absl::Span<char> buffer,
                                                             absl::Duration) {
  ++reads_;
  if (closed_) co_return absl::CancelledError("closed");
  while (!input_.empty() && input_.front().empty()) input_.pop_front();
  if (input_.empty()) co_return at_end_;
  std::string& chunk = input_.front();
  size_t n = std::min(buffer.size(), chunk.size());
  std::memcpy(buffer.data(), chunk.data(), n);
  chunk.erase(0, n);
  co_return n;
}

asio::awaitable<absl::Status> FakeStream::WriteAll(absl::string_view data, absl::Duration) {
  if (closed_) co_return absl::CancelledError("closed");
  output_.append(data.data(), data.size());
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> FakeStream::StartTls(absl::Duration) {
  if (tls_) co_return absl::FailedPreconditionError("TLS is already active");
  if (!start_tls_error_.ok()) co_return start_tls_error_;
  tls_ = true;
  co_return absl::OkStatus();
}

asio::awaitable<void> FakeStream::Shutdown(absl::Duration) {
  closed_ = true;
  co_return;
}

std::optional<TlsInfo> FakeStream::GetTlsInfo() const {
  if (!tls_) return std::nullopt;
  return TlsInfo{"TLSv1.3", "TLS_AES_128_GCM_SHA256", 128};
}

}  // namespace mailroom::net::testing
