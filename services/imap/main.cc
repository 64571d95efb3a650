// mailroom-imapd: the IMAP front end (143 with STARTTLS, 993 with implicit TLS). Wires the
// configuration, the shared front-end runtime and the session; drains on SIGTERM with `* BYE`.
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/imap/config.h"
#include "services/imap/session/session.h"
#include "services/shared/config/env_flags.h"
#include "services/shared/log/log.h"

int main(int argc, char** argv) {
  using namespace mailroom;
  // Debian's Abseil keeps absl::Mutex deadlock detection on (a debug aid): it kept a lock
  // graph for every mutex gRPC takes, about a quarter of imapd's CPU under load.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  config::ParseFlagsWithEnv(argc, argv, "mailroom-imapd: the Mailroom IMAP front end");
  absl::StatusOr<imap::Config> config = imap::ConfigFromFlags();
  if (!config.ok()) {
    std::fprintf(stderr, "mailroom-imapd: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  log::Init("imap", log::ParseLevel(config->frontend.log_level));
  const imap::Config& cfg = *config;
  std::unique_ptr<imap::ImapMetrics> metrics;
  auto make_handler = [&](frontend::FrontendContext& context) -> net::Server::Handler {
    metrics = std::make_unique<imap::ImapMetrics>(context.metrics);
    return [&context, &cfg, &metrics](net::Connection& conn) -> asio::awaitable<void> {
      imap::Session session(conn, context, cfg.session, *metrics);
      co_await session.Run();
    };
  };
  auto refuse = [](net::Connection& conn, net::Refusal) -> asio::awaitable<void> {
    co_await conn.Write("* BYE Too many connections, try again later\r\n");
  };
  return frontend::RunFrontend(cfg.frontend, cfg.listeners, make_handler, refuse);
}
