// STARTTLS (RFC 3207): the handshake, then a fresh session. Anything the client pipelined
// after the command in plaintext is discarded by Connection::StartTls (RFC 3207 §4.2).
#include "absl/strings/str_cat.h"
#include "services/shared/log/log.h"
#include "services/smtp/session/session.h"

namespace mailroom::smtp {

asio::awaitable<bool> Session::CmdStartTls(const Command& c) {
  if (!c.args.empty()) co_return co_await Error(501, "5.5.4", "STARTTLS takes no arguments");
  if (conn_.IsTls()) co_return co_await Error(503, "5.5.1", "Already under TLS");
  if (!context_.tls_available) co_return co_await Send(454, "4.7.0", "TLS not available");
  if (!co_await Send(220, "2.0.0", "Ready to start TLS")) co_return false;
  absl::Status s = co_await conn_.StartTls();
  if (!s.ok()) {
    log::Info("TLS handshake failed", {{"session", conn_.session_id()},
                                       {"error", std::string(s.message())}});
    co_return false;
  }
  if (conn_.discarded_before_tls() > 0) {
    log::Warning("discarded plaintext pipelined after STARTTLS",
                 {{"session", conn_.session_id()},
                  {"bytes", static_cast<uint64_t>(conn_.discarded_before_tls())}});
  }
  // RFC 3207 §4.2: forget everything learnt before TLS, including HELO/EHLO.
  ResetTransaction();
  state_ = State::kFresh;
  esmtp_ = false;
  helo_.clear();
  user_id_ = 0;
  login_.clear();
  co_return true;
}

}  // namespace mailroom::smtp
