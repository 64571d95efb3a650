// HttpServer: a tiny HTTP/1.1 endpoint for operators and orchestrators. Serves
//   GET /metrics  the Registry in the Prometheus text format (version 0.0.4)
//   GET /healthz  200 "ok" when the health callback returns true, else 503 (liveness: the
//                 process works; a failure means "restart me")
//   GET /readyz   200 "ready" when the readiness callback returns true, else 503 (readiness:
//                 send traffic here; e.g. a front end without a store connection is not ready)
// One request per connection (`Connection: close`), bounded request size and time.
#ifndef MAILROOM_SERVICES_SHARED_METRICS_HTTP_SERVER_H_
#define MAILROOM_SERVICES_SHARED_METRICS_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/shared/metrics/registry.h"

namespace asio {
class io_context;
}  // namespace asio

namespace mailroom::metrics {

struct HttpServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 picks an ephemeral port; port() tells which
  // Time allowed for reading the request and writing the response.
  absl::Duration request_timeout = absl::Seconds(10);
  size_t max_request_bytes = 8192;
  size_t max_connections = 16;  // further connections are closed at once
};

class HttpServer {
 public:
  // Returns whether the service is healthy (GET /healthz) or ready (GET /readyz); called on
  // every such request. Must be thread-safe and quick. An empty function means "always".
  using HealthCheck = std::function<bool()>;

  // `registry` must outlive the server (and, with a borrowed `io`, every request in flight,
  // i.e. until `io` stops). With `io` == nullptr the server runs its own io_context on one
  // thread; otherwise it runs on `io` (e.g. Server::io_context()), whose threads the caller
  // runs, and `io` must outlive this object. Prefer the own thread: /healthz then answers
  // even while the protocol threads are saturated, and after their drain.
  HttpServer(HttpServerConfig config, const Registry& registry, HealthCheck health,
             HealthCheck ready, asio::io_context* io = nullptr);
  ~HttpServer();  // Stop()s.

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Errors: kInvalidArgument (bad address), kUnavailable (bind or
  // listen failed), kFailedPrecondition (already started).
  absl::Status Start();

  // The bound port after Start(), else 0.
  uint16_t port() const;

  // Stops accepting; with its own thread, also stops and joins it. Idempotent.
  void Stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mailroom::metrics

#endif  // MAILROOM_SERVICES_SHARED_METRICS_HTTP_SERVER_H_
