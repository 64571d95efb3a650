#include "services/shared/frontend/frontend.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <csignal>
#include <cstdint>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/shared/frontend/listen_address.h"
#include "services/shared/log/log.h"
#include "services/shared/metrics/http_server.h"
#include "services/shared/net/tls_context.h"
#include "services/shared/store_client/connection_monitor.h"

ABSL_FLAG(std::string, store, "dns:///127.0.0.1:50051",
          "store address; dns:///name:port balances over every address of the name");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain for TLS (STARTTLS and implicit TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key for TLS");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port of the /metrics, /healthz and /readyz endpoint "
          "(default 127.0.0.1:<service port>)");
ABSL_FLAG(std::string, hostname, "localhost", "this server's name in greetings and trace headers");
ABSL_FLAG(bool, plaintext_auth_on_loopback, true,
          "allow plaintext authentication on loopback connections without TLS");
ABSL_FLAG(std::vector<std::string>, proxy_protocol_listeners, {},
          "comma-separated listener names (e.g. mx,submission) whose connections must start "
          "with a PROXY protocol v1/v2 header; connections without one are closed");
ABSL_FLAG(int, threads, 2, "network threads");
ABSL_FLAG(int, max_connections, 1024, "connections in total");
ABSL_FLAG(int, max_connections_per_ip, 20, "connections per client address (IPv6: per /64)");
ABSL_FLAG(int, max_line_length, 8192, "longest command line accepted (octets)");
ABSL_FLAG(int, idle_timeout_seconds, 300, "idle time before a connection is closed");
ABSL_FLAG(int, drain_seconds, 20, "on SIGTERM, how long sessions get to finish");
ABSL_FLAG(int, auth_max_failures_per_ip, 30, "failed logins per address per 10 minutes");
ABSL_FLAG(int, auth_max_failures_per_user, 10, "failed logins per user per 10 minutes");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");

namespace mailroom::frontend {
namespace {

// How long after its last store connection a front end still counts as ready: a store replica
// closing a connection that reached its maximum age makes the channel reconnect for a moment,
// and a probe in that moment must not take the front end out of its load balancer.
constexpr absl::Duration kStoreConnectionGrace = absl::Seconds(10);

// GET /readyz: the front end takes traffic when it is not draining and reaches the store
// (now, or within kStoreConnectionGrace). Asking also makes an idle channel connect.
metrics::HttpServer::HealthCheck MakeReadiness(const store_client::StoreClient& store,
                                               const net::Server& server) {
  auto last_connected = std::make_shared<std::atomic<int64_t>>(INT64_MIN);
  return [&store, &server, last_connected] {
    if (server.Draining()) return false;
    const int64_t now = absl::ToUnixNanos(absl::Now());
    if (store.Connected(/*try_to_connect=*/true)) {
      last_connected->store(now, std::memory_order_relaxed);
      return true;
    }
    const int64_t last = last_connected->load(std::memory_order_relaxed);
    return last != INT64_MIN && now - last < absl::ToInt64Nanoseconds(kStoreConnectionGrace);
  };
}

}  // namespace

FrontendConfig FrontendConfigFromFlags(std::string_view service, int default_metrics_port) {
  FrontendConfig c;
  c.service = std::string(service);
  c.store.target = absl::GetFlag(FLAGS_store);
  c.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  c.tls_key = absl::GetFlag(FLAGS_tls_key);
  c.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (c.metrics_listen.empty()) c.metrics_listen = absl::StrCat("127.0.0.1:", default_metrics_port);
  c.hostname = absl::GetFlag(FLAGS_hostname);
  c.plaintext_auth_on_loopback = absl::GetFlag(FLAGS_plaintext_auth_on_loopback);
  c.proxy_protocol_listeners = absl::GetFlag(FLAGS_proxy_protocol_listeners);
  c.server.threads = absl::GetFlag(FLAGS_threads);
  c.server.max_connections = static_cast<size_t>(absl::GetFlag(FLAGS_max_connections));
  c.server.max_connections_per_ip =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_connections_per_ip));
  c.server.limits.max_line_length = static_cast<size_t>(absl::GetFlag(FLAGS_max_line_length));
  c.server.limits.idle_timeout = absl::Seconds(absl::GetFlag(FLAGS_idle_timeout_seconds));
  c.server.drain_grace = absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  c.throttle.max_failures_per_ip = absl::GetFlag(FLAGS_auth_max_failures_per_ip);
  c.throttle.max_failures_per_user = absl::GetFlag(FLAGS_auth_max_failures_per_user);
  c.log_level = absl::GetFlag(FLAGS_log_level);
  return c;
}

int RunFrontend(const FrontendConfig& config, const std::vector<ListenerFlag>& listeners,
                const std::function<net::Server::Handler(FrontendContext&)>& make_handler,
                const net::Server::RefuseHandler& refuse) {
  std::shared_ptr<net::TlsContext> tls;
  if (!config.tls_cert.empty() || !config.tls_key.empty()) {
    absl::StatusOr<std::shared_ptr<net::TlsContext>> t =
        net::TlsContext::FromPemFiles(config.tls_cert, config.tls_key);
    if (!t.ok()) {
      log::Error("cannot load TLS material", {{"error", std::string(t.status().message())}});
      return 1;
    }
    tls = *std::move(t);
  }
  for (const std::string& name : config.proxy_protocol_listeners) {
    if (std::none_of(listeners.begin(), listeners.end(),
                     [&](const ListenerFlag& l) { return l.name == name; })) {
      log::Error("--proxy_protocol_listeners names an unknown listener", {{"listener", name}});
      return 1;
    }
  }
  net::ServerConfig server_config = config.server;
  for (const ListenerFlag& l : listeners) {
    if (l.address.empty()) continue;  // a listener turned off
    absl::StatusOr<ListenAddress> a = ParseListenAddress(l.address);
    if (!a.ok()) {
      log::Error("bad listen address", {{"listener", l.name}, {"address", l.address}});
      return 1;
    }
    if (l.implicit_tls && tls == nullptr) {
      log::Warning("implicit TLS listener skipped: no --tls_cert/--tls_key", {{"listener", l.name}});
      continue;
    }
    const bool proxied =
        std::find(config.proxy_protocol_listeners.begin(), config.proxy_protocol_listeners.end(),
                  l.name) != config.proxy_protocol_listeners.end();
    server_config.listeners.push_back({l.name, a->host, a->port, l.implicit_tls, proxied});
  }
  absl::StatusOr<store_client::StoreClient> store = store_client::StoreClient::Create(config.store);
  if (!store.ok()) {
    log::Error("bad store address", {{"error", std::string(store.status().message())}});
    return 1;
  }
  metrics::Registry registry;
  auth::AuthThrottle throttle(config.throttle);
  FrontendContext context{config, *store, throttle, registry, tls != nullptr};
  net::Server server(server_config, tls, make_handler(context), refuse, &registry);

  std::unique_ptr<metrics::HttpServer> http;
  if (!config.metrics_listen.empty()) {
    absl::StatusOr<ListenAddress> m = ParseListenAddress(config.metrics_listen);
    if (!m.ok()) {
      log::Error("bad --metrics_listen", {{"address", config.metrics_listen}});
      return 1;
    }
    metrics::HttpServerConfig hc;
    hc.address = m->host;
    hc.port = m->port;
    http = std::make_unique<metrics::HttpServer>(hc, registry, [] { return true; },
                                                 MakeReadiness(*store, server));
    if (absl::Status s = http->Start(); !s.ok()) {
      log::Error("cannot start the metrics endpoint", {{"error", std::string(s.message())}});
      return 1;
    }
  }
  // Resolve and connect to the store now, not on the first session's first call; from then on
  // the monitor keeps it connecting and logs when it is lost and back.
  store_client::ConnectionMonitor store_monitor(*store);
  log::Info("starting", {{"listeners", static_cast<uint64_t>(server_config.listeners.size())},
                         {"store", config.store.target},
                         {"tls", tls != nullptr}});
  absl::Status s = server.Run();
  if (http != nullptr) http->Stop();
  if (!s.ok()) {
    log::Error("server failed", {{"error", std::string(s.message())}});
    return 1;
  }
  log::Info("stopped after drain");
  return 0;
}

}  // namespace mailroom::frontend
