#include "services/shared/metrics/http_server.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace mailroom::metrics {
namespace {

using asio::experimental::deferred;
using asio::experimental::make_parallel_group;
using asio::experimental::wait_for_one;
using asio::ip::tcp;

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

constexpr size_t kMaxLingerBytes = 64 * 1024;

// Runs the deferred transfer `op` until the already armed `deadline` fires. Returns the
// operation's error (asio::error::timed_out if the deadline came first) and byte count.
template <typename Op>
asio::awaitable<std::pair<std::error_code, size_t>> UntilDeadline(Op op,
                                                                  asio::steady_timer& deadline) {
  auto [order, ec, n, timer_ec] =
      co_await make_parallel_group(std::move(op), deadline.async_wait(deferred))
          .async_wait(wait_for_one(), asio::use_awaitable);
  if (order[0] == 1 && !timer_ec) co_return std::make_pair(asio::error::timed_out, n);
  co_return std::make_pair(ec, n);
}

// Opens, binds and listens; returns false and sets `ec` on the first failure.
bool OpenAndListen(tcp::acceptor& acceptor, const tcp::endpoint& endpoint, std::error_code& ec) {
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  return !ec;
}

std::string Response(int code, absl::string_view reason, absl::string_view content_type,
                     absl::string_view body, bool include_body, absl::string_view extra = "") {
  return absl::StrCat("HTTP/1.1 ", code, " ", reason, "\r\nContent-Type: ", content_type,
                      "\r\nContent-Length: ", body.size(), "\r\n", extra,
                      "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                      include_body ? body : "");
}

}  // namespace

class HttpServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(HttpServerConfig config, const Registry& registry, HealthCheck health, HealthCheck ready,
       asio::io_context* io)
      : config_(std::move(config)),
        registry_(registry),
        health_(std::move(health)),
        ready_(std::move(ready)),
        own_io_(io == nullptr ? std::make_unique<asio::io_context>(1) : nullptr),
        io_(io == nullptr ? *own_io_ : *io) {}

  absl::Status Start();
  void Stop();
  uint16_t port() const { return port_.load(); }

 private:
  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(tcp::socket socket);
  // The complete response to a request whose head (request line and headers) is `head`.
  std::string Respond(absl::string_view head) const;
  static bool Check(const HealthCheck& check);

  const HttpServerConfig config_;
  const Registry& registry_;
  const HealthCheck health_;
  const HealthCheck ready_;
  std::unique_ptr<asio::io_context> own_io_;
  asio::io_context& io_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::atomic<uint16_t> port_{0};
  std::atomic<size_t> active_{0};
  bool started_ = false;
  bool stopped_ = false;
};

absl::Status HttpServer::Impl::Start() {
  if (started_) return absl::FailedPreconditionError("metrics HTTP server already started");
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(config_.address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad metrics address ", config_.address));
  tcp::endpoint endpoint(address, config_.port);
  acceptor_.emplace(asio::make_strand(io_));
  if (!OpenAndListen(*acceptor_, endpoint, ec)) {
    acceptor_.reset();
    return absl::UnavailableError(
        absl::StrCat("metrics listener ", config_.address, ":", config_.port, ": ", ec.message()));
  }
  port_ = acceptor_->local_endpoint().port();
  started_ = true;
  asio::co_spawn(acceptor_->get_executor(), AcceptLoop(), asio::detached);
  if (own_io_) {
    work_.emplace(own_io_->get_executor());
    thread_ = std::thread([io = own_io_.get()] { io->run(); });
  }
  return absl::OkStatus();
}

void HttpServer::Impl::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  asio::post(acceptor_->get_executor(), [self = shared_from_this()] {
    std::error_code ignored;
    self->acceptor_->close(ignored);
  });
  if (own_io_) {
    work_.reset();
    own_io_->stop();
    thread_.join();
    // Pending requests' coroutines hold a reference to this object; destroying the context
    // destroys them. The acceptor goes first: it must not outlive its context.
    acceptor_.reset();
    own_io_.reset();
  }
}

asio::awaitable<void> HttpServer::Impl::AcceptLoop() {
  auto self = shared_from_this();
  for (;;) {
    auto [ec, socket] = co_await acceptor_->async_accept(
        asio::make_strand(io_), asio::experimental::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
    if (ec) continue;  // e.g. the peer reset before accept; keep serving
    if (active_.load() >= config_.max_connections) continue;  // dropping `socket` closes it
    ++active_;
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Serve(std::move(socket)),
                   [self](std::exception_ptr) { --self->active_; });
  }
}

asio::awaitable<void> HttpServer::Impl::Serve(tcp::socket socket) {
  auto self = shared_from_this();
  asio::steady_timer deadline(socket.get_executor());
  deadline.expires_after(absl::ToChronoMilliseconds(config_.request_timeout));
  std::string request;
  auto [ec, head_size] = co_await UntilDeadline(
      asio::async_read_until(socket, asio::dynamic_buffer(request, config_.max_request_bytes),
                             "\r\n\r\n", deferred),
      deadline);
  std::string response;
  if (ec == asio::error::not_found) {  // the head outgrew max_request_bytes
    response = Response(431, "Request Header Fields Too Large", "text/plain", "too large\n", true);
  } else if (ec) {
    co_return;
  } else {
    response = Respond(absl::string_view(request).substr(0, head_size));
  }
  ec = (co_await UntilDeadline(asio::async_write(socket, asio::buffer(response), deferred),
                               deadline))
           .first;
  if (ec) co_return;
  socket.shutdown(tcp::socket::shutdown_send, ec);
  // Lingering close: closing with unread request bytes would send a RST, which can destroy the
  // response before the client reads it. Read (bounded) until the client closes.
  char sink[4096];
  for (size_t drained = 0; !ec && drained < kMaxLingerBytes;) {
    auto [read_ec, n] =
        co_await UntilDeadline(socket.async_read_some(asio::buffer(sink), deferred), deadline);
    ec = read_ec;
    drained += n;
  }
}

bool HttpServer::Impl::Check(const HealthCheck& check) {
  if (!check) return true;
  try {
    return check();
  } catch (...) {
    return false;
  }
}

std::string HttpServer::Impl::Respond(absl::string_view head) const {
  absl::string_view request_line = head.substr(0, head.find("\r\n"));
  std::vector<absl::string_view> parts = absl::StrSplit(request_line, ' ');
  if (parts.size() != 3 || !absl::StartsWith(parts[2], "HTTP/1.")) {
    return Response(400, "Bad Request", "text/plain", "bad request\n", true);
  }
  absl::string_view method = parts[0];
  absl::string_view path = parts[1].substr(0, parts[1].find('?'));
  bool include_body = method != "HEAD";
  if (method != "GET" && method != "HEAD") {
    return Response(405, "Method Not Allowed", "text/plain", "method not allowed\n", true,
                    "Allow: GET, HEAD\r\n");
  }
  if (path == "/metrics") {
    return Response(200, "OK", kMetricsContentType, registry_.Render(), include_body);
  }
  if (path == "/healthz") {
    return Check(health_)
               ? Response(200, "OK", "text/plain", "ok\n", include_body)
               : Response(503, "Service Unavailable", "text/plain", "unhealthy\n", include_body);
  }
  if (path == "/readyz") {
    return Check(ready_)
               ? Response(200, "OK", "text/plain", "ready\n", include_body)
               : Response(503, "Service Unavailable", "text/plain", "not ready\n", include_body);
  }
  return Response(404, "Not Found", "text/plain", "not found\n", include_body);
}

HttpServer::HttpServer(HttpServerConfig config, const Registry& registry, HealthCheck health,
                       HealthCheck ready, asio::io_context* io)
    : impl_(std::make_shared<Impl>(std::move(config), registry, std::move(health),
                                   std::move(ready), io)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start() { return impl_->Start(); }

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Stop() { impl_->Stop(); }

}  // namespace mailroom::metrics
