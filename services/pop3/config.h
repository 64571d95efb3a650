// mailroom-pop3d's configuration: the front-end flags shared with SMTP and IMAP plus POP3's
// own (listeners, CAPA policy values, maildrop lease, APOP), all also settable as MAILROOM_*
// environment variables. Defaults live in config.cc's flag definitions and session/options.h.
#ifndef MAILROOM_SERVICES_POP3_CONFIG_H_
#define MAILROOM_SERVICES_POP3_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/pop3/session/options.h"
#include "services/shared/frontend/frontend.h"

namespace mailroom::pop3 {

struct Config {
  frontend::FrontendConfig frontend;
  std::string pop3_listen;   // plain + STLS; empty = off
  std::string pop3s_listen;  // implicit TLS; empty = off
  SessionOptions session;
};

// Gives shared flags POP3's own defaults (RFC 1939 §3: a 10-minute autologout timer). Call
// before config::ParseFlagsWithEnv, so the environment and the command line still win.
void SetPop3FlagDefaults();

// The configuration from the parsed flags. INVALID_ARGUMENT for inconsistent values or an
// unreadable/bad APOP secrets file.
absl::StatusOr<Config> ConfigFromFlags();

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_CONFIG_H_
