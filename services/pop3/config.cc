#include "services/pop3/config.h"

#include <fstream>
#include <sstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "services/pop3/session/apop.h"

ABSL_FLAG(std::string, pop3_listen, "127.0.0.1:2110",
          "POP3 listener (plaintext with STLS), host:port; empty = off");
ABSL_FLAG(std::string, pop3s_listen, "127.0.0.1:2995",
          "POP3S listener (implicit TLS), host:port; empty = off; needs --tls_cert/--tls_key");
ABSL_FLAG(int, pop3_login_delay_seconds, 0, "CAPA LOGIN-DELAY value (RFC 2449 §6.5)");
ABSL_FLAG(int, pop3_expire_days, -1, "CAPA EXPIRE value in days (RFC 2449 §6.7); -1 = NEVER");
ABSL_FLAG(int, pop3_lease_ttl_seconds, 60,
          "maildrop lock TTL: a crashed session's lock expires after this long");
ABSL_FLAG(int, pop3_max_auth_failures, 3, "failed logins before the connection is closed");
ABSL_FLAG(int, pop3_prefetch_kib, 1024,
          "RETR read-ahead of small messages per session, KiB (0 = off)");
ABSL_FLAG(bool, enable_apop, false,
          "offer APOP; needs plaintext-equivalent secrets in --apop_secrets_file");
ABSL_FLAG(std::string, apop_secrets_file, "",
          "APOP secrets, one 'address secret' per line (keep it mode 0600)");

ABSL_DECLARE_FLAG(int, idle_timeout_seconds);

namespace mailroom::pop3 {

void SetPop3FlagDefaults() { absl::SetFlag(&FLAGS_idle_timeout_seconds, 600); }

absl::StatusOr<Config> ConfigFromFlags() {
  Config c;
  c.frontend = frontend::FrontendConfigFromFlags("pop3", 9110);
  c.pop3_listen = absl::GetFlag(FLAGS_pop3_listen);
  c.pop3s_listen = absl::GetFlag(FLAGS_pop3s_listen);
  SessionOptions& s = c.session;
  s.hostname = c.frontend.hostname;
  s.plaintext_auth_on_loopback = c.frontend.plaintext_auth_on_loopback;
  s.login_delay_seconds = absl::GetFlag(FLAGS_pop3_login_delay_seconds);
  s.expire_days = absl::GetFlag(FLAGS_pop3_expire_days);
  s.lease_ttl = absl::Seconds(absl::GetFlag(FLAGS_pop3_lease_ttl_seconds));
  s.max_auth_failures = absl::GetFlag(FLAGS_pop3_max_auth_failures);
  const int prefetch_kib = absl::GetFlag(FLAGS_pop3_prefetch_kib);
  s.prefetch_bytes = static_cast<uint64_t>(std::max(prefetch_kib, 0)) * 1024;
  s.prefetch_message_bytes = std::min<uint64_t>(s.prefetch_message_bytes, s.prefetch_bytes);
  s.parser_limits.max_line_length = c.frontend.server.limits.max_line_length;
  s.enable_apop = absl::GetFlag(FLAGS_enable_apop);
  if (s.login_delay_seconds < 0) return absl::InvalidArgumentError("negative login delay");
  if (s.lease_ttl < absl::Seconds(3)) {
    return absl::InvalidArgumentError("--pop3_lease_ttl_seconds must be at least 3");
  }
  if (s.max_auth_failures < 1) return absl::InvalidArgumentError("--pop3_max_auth_failures < 1");
  const std::string secrets_file = absl::GetFlag(FLAGS_apop_secrets_file);
  if (s.enable_apop) {
    if (secrets_file.empty()) {
      return absl::InvalidArgumentError("--enable_apop needs --apop_secrets_file");
    }
    std::ifstream in(secrets_file);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", secrets_file));
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<std::map<std::string, std::string>> secrets = ParseApopSecrets(text.str());
    if (!secrets.ok()) return secrets.status();
    s.apop_secrets = *std::move(secrets);
  }
  return c;
}

}  // namespace mailroom::pop3
