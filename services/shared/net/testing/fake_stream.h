// FakeStream: a scripted in-memory Stream for unit tests of LineReader and protocol sessions.
// Reads return the scripted input chunks one per ReadSome() (split further if the caller's
// buffer is smaller); writes are collected. No sockets, no timers.
#ifndef MAILROOM_SERVICES_SHARED_NET_TESTING_FAKE_STREAM_H_
#define MAILROOM_SERVICES_SHARED_NET_TESTING_FAKE_STREAM_H_

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "services/shared/net/stream.h"

namespace mailroom::net::testing {

class FakeStream final : public Stream {
 public:
  // `input` is delivered chunk by chunk. When it runs out, reads fail with `at_end`
  // (kUnavailable, i.e. peer closed, by default; kDeadlineExceeded simulates an idle client).
  explicit FakeStream(std::vector<std::string> input,
                      absl::Status at_end = absl::UnavailableError("peer closed"));

  // Appends more input for later reads.
  void AddInput(std::string chunk) { input_.push_back(std::move(chunk)); }
  // Everything written so far.
  const std::string& output() const { return output_; }
  // How many ReadSome() calls reached the stream.
  int reads() const { return reads_; }
  // Makes StartTls() fail with `status`.
  void FailStartTls(absl::Status status) { start_tls_error_ = std::move(status); }
  PeerInfo& mutable_peer() { return peer_; }

  asio::awaitable<absl::StatusOr<size_t>> ReadSome(absl::Span<char> buffer,
                                                   absl::Duration timeout) override;
  asio::awaitable<absl::Status> WriteAll(absl::string_view data, absl::Duration timeout) override;
  asio::awaitable<absl::Status> StartTls(absl::Duration timeout) override;
  asio::awaitable<void> Shutdown(absl::Duration timeout) override;
  void Cancel() override {}
  void Close() override { closed_ = true; }
  bool IsTls() const override { return tls_; }
  std::optional<TlsInfo> GetTlsInfo() const override;
  const PeerInfo& peer() const override { return peer_; }
  bool closed() const { return closed_; }

 private:
  std::deque<std::string> input_;
  absl::Status at_end_;
  absl::Status start_tls_error_;
  std::string output_;
  PeerInfo peer_;
  int reads_ = 0;
  bool tls_ = false;
  bool closed_ = false;
};

// Runs `awaitable` to completion on a private io_context and returns its result.
template <typename T>
T RunSync(asio::awaitable<T> awaitable) {
  asio::io_context io;
  auto future = asio::co_spawn(io, std::move(awaitable), asio::use_future);
  io.run();
  return future.get();
}

}  // namespace mailroom::net::testing

#endif  // MAILROOM_SERVICES_SHARED_NET_TESTING_FAKE_STREAM_H_
