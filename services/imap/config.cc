#include "services/imap/config.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, imap_listen, "127.0.0.1:2143",
          "IMAP listener with STARTTLS (143 in production); empty = off");
ABSL_FLAG(std::string, imaps_listen, "127.0.0.1:2993",
          "IMAP listener with implicit TLS (993 in production); empty = off");
ABSL_FLAG(uint64_t, append_limit, 50ull << 20, "largest APPEND message (APPENDLIMIT, octets)");
ABSL_FLAG(uint64_t, max_literal_bytes, 64 * 1024, "largest literal outside APPEND");
ABSL_FLAG(int, max_bad_commands, 20, "invalid commands per session before `* BYE`");
ABSL_FLAG(int, login_timeout_seconds, 120, "time to log in before the connection is closed");
ABSL_FLAG(int, imap_idle_timeout_seconds, 1800,
          "autologout of an authenticated idle session (RFC 9051 §5.4: at least 30 minutes)");
ABSL_FLAG(int, idle_keepalive_seconds, 120, "interval of `* OK Still here` during IDLE");

namespace mailroom::imap {

absl::StatusOr<Config> ConfigFromFlags() {
  Config c;
  c.frontend = frontend::FrontendConfigFromFlags("imap", 9143);
  c.session.hostname = c.frontend.hostname;
  c.session.plaintext_auth_on_loopback = c.frontend.plaintext_auth_on_loopback;
  c.session.append_limit = absl::GetFlag(FLAGS_append_limit);
  c.session.max_literal = absl::GetFlag(FLAGS_max_literal_bytes);
  c.session.max_bad_commands = absl::GetFlag(FLAGS_max_bad_commands);
  c.session.login_timeout = absl::Seconds(absl::GetFlag(FLAGS_login_timeout_seconds));
  c.session.idle_timeout = absl::Seconds(absl::GetFlag(FLAGS_imap_idle_timeout_seconds));
  c.session.idle_keepalive = absl::Seconds(absl::GetFlag(FLAGS_idle_keepalive_seconds));
  if (c.session.idle_timeout < absl::Minutes(30)) {
    return absl::InvalidArgumentError("--imap_idle_timeout_seconds must be at least 1800");
  }
  if (c.session.idle_keepalive <= absl::ZeroDuration() || c.session.max_bad_commands < 1 ||
      c.session.append_limit == 0) {
    return absl::InvalidArgumentError(
        "--idle_keepalive_seconds, --max_bad_commands and --append_limit must be positive");
  }
  // Reads wait for the longer IMAP timeouts; the session sets its own per state.
  c.frontend.server.limits.idle_timeout = c.session.idle_timeout;
  c.listeners = {{"imap", absl::GetFlag(FLAGS_imap_listen), false},
                 {"imaps", absl::GetFlag(FLAGS_imaps_listen), true}};
  return c;
}

}  // namespace mailroom::imap
