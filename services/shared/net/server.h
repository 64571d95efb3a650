// Server: accepts TCP connections on one or more listeners and runs one coroutine per
// connection on an io_context served by a few threads. It enforces the connection limits
// (total and per client address), performs implicit-TLS handshakes, hands each connection to
// the protocol's handler, and drains gracefully on SIGTERM/SIGINT (DESIGN.md invariant 10).
//
// Typical main.cc:
//   net::Server server(config.net, tls, smtp::HandleConnection, smtp::RefuseConnection);
//   absl::Status status = server.Run();  // returns after SIGTERM and the drain
//   return status.ok() ? 0 : 1;
#ifndef MAILROOM_SERVICES_SHARED_NET_SERVER_H_
#define MAILROOM_SERVICES_SHARED_NET_SERVER_H_

#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/shared/net/connection.h"
#include "services/shared/net/connection_limiter.h"
#include "services/shared/net/limits.h"
#include "services/shared/net/tls_context.h"

namespace asio {
class io_context;
}  // namespace asio

namespace mailroom::metrics {
class Registry;
}  // namespace mailroom::metrics

namespace mailroom::net {

class Server {
 public:
  // Serves one connection. Runs on the connection's strand; the connection is closed (TLS
  // close_notify included) when the coroutine returns. Exceptions are caught and end the
  // connection.
  using Handler = std::function<asio::awaitable<void>(Connection&)>;
  // Says goodbye to a refused connection, e.g. `421 4.7.0 Too many connections` (RFC 5321
  // §3.8), `* BYE ...` (RFC 9051 §7.1.5) or `-ERR [SYS/TEMP] ...` (RFC 3206 §4). Not called for
  // implicit-TLS listeners: a refusal there closes at once, since a TLS handshake would spend
  // the CPU the limit protects.
  using RefuseHandler = std::function<asio::awaitable<void>(Connection&, Refusal)>;

  // `tls` may be null if no listener uses implicit TLS and STARTTLS is not offered. `refuse`
  // may be empty (refused connections are closed silently). `metrics` may be null; otherwise
  // the server registers mailroom_net_* connection metrics there and it must outlive the server.
  Server(ServerConfig config, std::shared_ptr<TlsContext> tls, Handler handler,
         RefuseHandler refuse, metrics::Registry* metrics = nullptr);
  ~Server();  // Drains if still running.

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listener and starts the worker threads; returns once connections are being
  // accepted. Errors: kInvalidArgument (bad address, no listeners, implicit TLS without a TLS
  // context), kUnavailable (bind/listen failed, e.g. port in use), kFailedPrecondition (called
  // twice).
  absl::Status Start();

  // The port the named listener is bound to (useful with port 0), or 0 if unknown/not started.
  uint16_t BoundPort(absl::string_view listener_name) const;

  // Stops accepting, marks every connection draining (interrupting those idle between
  // commands), waits up to ServerConfig::drain_grace for handlers to finish, force-closes the
  // rest, waits up to drain_close_wait for them, then stops the threads. Blocks; call from a
  // thread that is not one of the server's. Idempotent.
  void Drain();

  // Start(), then block until SIGTERM or SIGINT (or RequestDrain()), then Drain().
  // Returns Start()'s error, or OK after a drain, so main can exit 0.
  absl::Status Run();

  // Makes a running Run() begin draining. Thread-safe; no effect without Run().
  void RequestDrain();

  // Connections currently admitted (handler running or handshaking).
  size_t ActiveConnections() const;

  // Whether a drain was requested or is under way (a SIGTERM arrived). Thread-safe.
  bool Draining() const;

  // The io_context the connections run on, e.g. for the metrics HTTP server or gRPC glue.
  asio::io_context& io_context();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailroom::net

#endif  // MAILROOM_SERVICES_SHARED_NET_SERVER_H_
