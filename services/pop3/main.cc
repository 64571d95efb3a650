// mailroom-pop3d: the POP3 front end (RFC 1939 with CAPA, AUTH, STLS, UTF8). Wiring only:
// configuration, the store adapter, the listeners; the protocol is in protocol/ and session/.
#include <cstdio>

#include "services/pop3/config.h"
#include "services/pop3/session/handler.h"
#include "services/pop3/session/metrics.h"
#include "services/pop3/session/store_client_adapter.h"
#include "services/shared/config/env_flags.h"
#include "services/shared/log/log.h"

int main(int argc, char** argv) {
  using namespace mailroom;
  pop3::SetPop3FlagDefaults();
  config::ParseFlagsWithEnv(argc, argv, "mailroom-pop3d: the Mailroom POP3 front end");
  absl::StatusOr<pop3::Config> config = pop3::ConfigFromFlags();
  if (!config.ok()) {
    std::fprintf(stderr, "mailroom-pop3d: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  log::Init("pop3", log::ParseLevel(config->frontend.log_level));

  // Built inside RunFrontend's context; these outlive the server because RunFrontend returns
  // only after the drain.
  std::unique_ptr<pop3::StoreClientPop3Store> store;
  std::unique_ptr<pop3::Pop3Metrics> metrics;
  const std::vector<frontend::ListenerFlag> listeners = {
      {"pop3", config->pop3_listen, false},
      {"pop3s", config->pop3s_listen, true},
  };
  return frontend::RunFrontend(
      config->frontend, listeners,
      [&](frontend::FrontendContext& context) {
        store = std::make_unique<pop3::StoreClientPop3Store>(context.store);
        metrics = std::make_unique<pop3::Pop3Metrics>(context.metrics);
        return pop3::MakeHandler(pop3::SessionContext{config->session, *store, context.throttle,
                                                      *metrics, context.tls_available});
      },
      pop3::RefuseConnection);
}
