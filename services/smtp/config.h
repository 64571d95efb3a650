// Configuration of mailroom-smtpd: the shared front-end part plus SMTP's own (config.cc).
#ifndef MAILROOM_SERVICES_SMTP_CONFIG_H_
#define MAILROOM_SERVICES_SMTP_CONFIG_H_

#include <vector>

#include "absl/status/statusor.h"
#include "services/shared/frontend/frontend.h"
#include "services/smtp/session/session.h"

namespace mailroom::smtp {

struct Config {
  frontend::FrontendConfig frontend;
  SessionConfig session;
  std::vector<frontend::ListenerFlag> listeners;  // "mx", "submission", "submissions"
};

// INVALID_ARGUMENT for a bad --bare_line_endings value.
absl::StatusOr<Config> ConfigFromFlags();

}  // namespace mailroom::smtp

#endif  // MAILROOM_SERVICES_SMTP_CONFIG_H_
