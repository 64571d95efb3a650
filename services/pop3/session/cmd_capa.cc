// CAPA (RFC 2449 §5), STLS (RFC 2595 §4) and UTF8 (RFC 6856 §2).
#include "absl/strings/str_cat.h"
#include "services/pop3/protocol/reply.h"
#include "services/pop3/session/session.h"
#include "services/shared/log/log.h"

namespace mailroom::pop3 {

asio::awaitable<void> Session::CmdCapa(const Command&) {
  std::string capa = OkReply("capability list follows");
  absl::StrAppend(&capa, "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n");
  // RFC 2595 §4 / DESIGN.md invariant 8: plaintext mechanisms only where they are allowed.
  if (state_ == SessionState::kAuthorization && PlaintextAllowed()) {
    absl::StrAppend(&capa, "USER\r\nSASL PLAIN LOGIN\r\n");
  }
  if (state_ == SessionState::kAuthorization && context_.tls_available && !connection_.IsTls()) {
    absl::StrAppend(&capa, "STLS\r\n");
  }
  // RFC 2449 §6.5, §6.7: policy values from the configuration.
  if (options_.expire_days < 0) {
    absl::StrAppend(&capa, "EXPIRE NEVER\r\n");
  } else {
    absl::StrAppend(&capa, "EXPIRE ", options_.expire_days, "\r\n");
  }
  absl::StrAppend(&capa, "LOGIN-DELAY ", options_.login_delay_seconds, "\r\n");
  if (state_ == SessionState::kAuthorization) absl::StrAppend(&capa, "UTF8\r\n");
  absl::StrAppend(&capa, "IMPLEMENTATION ", options_.implementation, "\r\n.\r\n");
  Reply(capa);
  co_return;
}

asio::awaitable<void> Session::CmdStls(const Command&) {
  if (connection_.IsTls()) {
    Reply(ErrReply(RespCode::kNone, "TLS is already active"));
    co_return;
  }
  if (!context_.tls_available) {
    Reply(ErrReply(RespCode::kNone, "STLS is not available"));
    co_return;
  }
  Reply(OkReply("begin TLS negotiation"));
  if (!co_await Flush()) co_return;
  // Plaintext pipelined after STLS is dropped, never read as if it came over TLS (RFC 2595 §4,
  // CVE-2011-0411); StartTls() does that before the handshake.
  absl::Status s = co_await connection_.StartTls();
  if (connection_.discarded_before_tls() > 0) {
    log::Info("pop3 discarded plaintext pipelined after STLS",
              {{"session", connection_.session_id()},
               {"bytes", static_cast<uint64_t>(connection_.discarded_before_tls())}});
  }
  if (!s.ok()) {
    log::Info("pop3 STLS handshake failed",
              {{"session", connection_.session_id()}, {"error", std::string(s.message())}});
    state_ = SessionState::kClosed;
    co_return;
  }
  // RFC 2595 §4: forget anything learnt before TLS.
  user_.reset();
  utf8_ = false;
}

asio::awaitable<void> Session::CmdUtf8(const Command&) {
  // RFC 6856 §2: from now on names, passwords and message headers may be UTF-8; messages go out
  // as stored (they are never down-converted).
  utf8_ = true;
  Reply(OkReply("UTF8 enabled"));
  co_return;
}

}  // namespace mailroom::pop3
