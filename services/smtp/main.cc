// mailroom-smtpd: the SMTP front end (MX 25, submission 587, submissions 465). Wires the
// configuration, the shared front-end runtime and the session; drains on SIGTERM with 421.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/shared/config/env_flags.h"
#include "services/shared/log/log.h"
#include "services/smtp/config.h"
#include "services/smtp/session/session.h"

namespace mailroom::smtp {
namespace {

ListenerKind KindOf(const std::string& listener) {
  if (listener == "submission") return ListenerKind::kSubmission;
  if (listener == "submissions") return ListenerKind::kSubmissions;
  return ListenerKind::kMx;
}

}  // namespace
}  // namespace mailroom::smtp

int main(int argc, char** argv) {
  using namespace mailroom;
  config::ParseFlagsWithEnv(argc, argv, "mailroom-smtpd: the Mailroom SMTP front end");
  absl::StatusOr<smtp::Config> config = smtp::ConfigFromFlags();
  if (!config.ok()) {
    std::fprintf(stderr, "mailroom-smtpd: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  log::Init("smtp", log::ParseLevel(config->frontend.log_level));
  const smtp::Config& cfg = *config;
  std::unique_ptr<smtp::SmtpMetrics> metrics;
  auto make_handler = [&](frontend::FrontendContext& context) -> net::Server::Handler {
    metrics = std::make_unique<smtp::SmtpMetrics>(context.metrics);
    return [&context, &cfg, &metrics](net::Connection& conn) -> asio::awaitable<void> {
      smtp::Session session(conn, context, cfg.session, smtp::KindOf(conn.listener_name()),
                            *metrics);
      co_await session.Run();
    };
  };
  auto refuse = [&cfg](net::Connection& conn, net::Refusal) -> asio::awaitable<void> {
    co_await conn.Write(absl::StrCat("421 4.7.0 ", cfg.session.hostname,
                                     " Too many connections, try again later\r\n"));
  };
  return frontend::RunFrontend(cfg.frontend, cfg.listeners, make_handler, refuse);
}
