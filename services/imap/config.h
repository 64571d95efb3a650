// Configuration of mailroom-imapd: the shared front-end part plus IMAP's own (config.cc).
#ifndef MAILROOM_SERVICES_IMAP_CONFIG_H_
#define MAILROOM_SERVICES_IMAP_CONFIG_H_

#include <vector>

#include "absl/status/statusor.h"
#include "services/imap/session/session.h"
#include "services/shared/frontend/frontend.h"

namespace mailroom::imap {

struct Config {
  frontend::FrontendConfig frontend;
  SessionConfig session;
  std::vector<frontend::ListenerFlag> listeners;  // "imap" (STARTTLS), "imaps" (implicit TLS)
};

// INVALID_ARGUMENT for out-of-range values.
absl::StatusOr<Config> ConfigFromFlags();

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_CONFIG_H_
