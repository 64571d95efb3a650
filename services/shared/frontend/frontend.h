// The wiring every protocol front end shares: common flags (store address, TLS files, metrics
// endpoint, connection limits, drain), the store client, the auth throttle, the metrics HTTP
// server and the network server, run until SIGTERM (DESIGN.md invariants 2, 9, 10). Each
// front end's main.cc adds its own flags and listeners and hands over a session handler.
#ifndef MAILROOM_SERVICES_SHARED_FRONTEND_FRONTEND_H_
#define MAILROOM_SERVICES_SHARED_FRONTEND_FRONTEND_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/shared/auth/throttle.h"
#include "services/shared/metrics/registry.h"
#include "services/shared/net/server.h"
#include "services/shared/store_client/store_client.h"

namespace mailroom::frontend {

struct FrontendConfig {
  std::string service;                 // "smtp", "pop3", "imap": log and metric names
  store_client::Options store;         // --store (dns:///host:port, round_robin)
  std::string tls_cert;                // --tls_cert / --tls_key: PEM files; empty = no TLS
  std::string tls_key;
  std::string metrics_listen;          // --metrics_listen host:port; empty = off
  std::string hostname;                // --hostname: greeting and Received: name
  bool plaintext_auth_on_loopback = true;  // loopback counts as secured (as in Dovecot)
  net::ServerConfig server;            // threads, connection limits, drain, line limits
  auth::ThrottleConfig throttle;
  std::string log_level = "info";
  // --proxy_protocol_listeners: names of the listeners whose connections start with a PROXY
  // protocol v1/v2 header from a load balancer (net::ListenerConfig::proxy_protocol).
  std::vector<std::string> proxy_protocol_listeners;
};

// Fills the common part from the flags (call after config::ParseFlagsWithEnv). The metrics
// endpoint defaults to 127.0.0.1:`default_metrics_port` when --metrics_listen is not given.
FrontendConfig FrontendConfigFromFlags(std::string_view service, int default_metrics_port);

// What a session needs from the process; all of it outlives every session.
struct FrontendContext {
  const FrontendConfig& config;
  store_client::StoreClient& store;
  auth::AuthThrottle& throttle;
  metrics::Registry& metrics;
  bool tls_available = false;
};

// Builds the listeners named in `listeners` ({name, "host:port", implicit_tls}), starts
// everything, serves until SIGTERM/SIGINT, drains, and returns the process exit code (0 after
// a clean drain; 1 when something could not start: bad address, port in use, TLS files, a
// name in proxy_protocol_listeners that is not one of `listeners`).
struct ListenerFlag {
  std::string name;
  std::string address;
  bool implicit_tls = false;
};
int RunFrontend(const FrontendConfig& config, const std::vector<ListenerFlag>& listeners,
                const std::function<net::Server::Handler(FrontendContext&)>& make_handler,
                const net::Server::RefuseHandler& refuse);

}  // namespace mailroom::frontend

#endif  // MAILROOM_SERVICES_SHARED_FRONTEND_FRONTEND_H_
