// CAPABILITY, NOOP and CHECK, LOGOUT (RFC 9051 §6.1, §6.4.1), ID (RFC 2971), ENABLE
// (RFC 5161), NAMESPACE (RFC 2342), STARTTLS (RFC 9051 §6.2.1) and IDLE (RFC 2177).
#include <asio/experimental/as_tuple.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/imap/protocol/enable_args.h"
#include "services/imap/protocol/expunge_args.h"
#include "services/imap/session/session.h"
#include "services/shared/log/log.h"
#include "services/shared/net/stream.h"

namespace mailroom::imap {

asio::awaitable<void> Session::CmdCapability(const Command& c) {
  if (!ParseNoArgs(c.args).ok()) co_return Bad(c.tag, "CAPABILITY takes no arguments");
  Untagged(absl::StrCat("CAPABILITY ", Capabilities()));
  Tagged(c.tag, StatusKind::kOk, "", "CAPABILITY completed");
}

asio::awaitable<void> Session::CmdNoop(const Command& c) {
  if (!ParseNoArgs(c.args).ok()) co_return Bad(c.tag, "No arguments expected");
  Tagged(c.tag, StatusKind::kOk, "", absl::StrCat(c.name, " completed"));
}

asio::awaitable<void> Session::CmdLogout(const Command& c) {
  if (!ParseNoArgs(c.args).ok()) co_return Bad(c.tag, "LOGOUT takes no arguments");
  Untagged("BYE Logging out");
  Tagged(c.tag, StatusKind::kOk, "", "LOGOUT completed");
  state_ = State::kLogout;
}

asio::awaitable<void> Session::CmdId(const Command& c) {
  absl::StatusOr<IdParams> params = ParseIdArgs(c.args);
  if (!params.ok()) co_return Bad(c.tag, params.status().message());
  Untagged("ID (\"name\" \"Mailroom\" \"vendor\" \"Mailroom\")");
  Tagged(c.tag, StatusKind::kOk, "", "ID completed");
}

asio::awaitable<void> Session::CmdEnable(const Command& c) {
  absl::StatusOr<std::vector<std::string>> caps = ParseEnableArgs(c.args);
  if (!caps.ok()) co_return Bad(c.tag, caps.status().message());
  std::string enabled;
  for (const std::string& cap : *caps) {
    // Only what is implemented completely; anything else is ignored (RFC 5161 §3.1).
    if (cap == "IMAP4REV2" && !rev2_) {
      rev2_ = true;
      reader_->set_utf8(true);
      absl::StrAppend(&enabled, " IMAP4rev2");
    }
  }
  Untagged(absl::StrCat("ENABLED", enabled));
  Tagged(c.tag, StatusKind::kOk, "", "ENABLE completed");
}

asio::awaitable<void> Session::CmdNamespace(const Command& c) {
  if (!ParseNoArgs(c.args).ok()) co_return Bad(c.tag, "NAMESPACE takes no arguments");
  // One personal namespace, no others (RFC 2342 §5).
  Untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
  Tagged(c.tag, StatusKind::kOk, "", "NAMESPACE completed");
}

asio::awaitable<void> Session::CmdStartTls(const Command& c) {
  if (!ParseNoArgs(c.args).ok()) co_return Bad(c.tag, "STARTTLS takes no arguments");
  if (conn_.IsTls()) co_return Bad(c.tag, "TLS is already active");
  if (!context_.tls_available) {
    co_return Tagged(c.tag, StatusKind::kNo, "", "TLS is not available");
  }
  Tagged(c.tag, StatusKind::kOk, "", "Begin TLS negotiation now");
  if (!co_await Flush()) co_return;
  absl::Status s = co_await conn_.StartTls();
  // RFC 9051 §6.2.1: whatever the client pipelined in plaintext is discarded.
  ResetReader();
  if (!s.ok()) {
    log::Info("TLS handshake failed", {{"session", conn_.session_id()},
                                       {"error", std::string(s.message())}});
    write_failed_ = true;
    state_ = State::kLogout;
  }
}

asio::awaitable<void> Session::IdlePusher() {
  pusher_running_ = true;
  while (idling_ && !write_failed_) {
    idle_wake_ = false;
    co_await SendUpdates(true);
    if (!out_.empty() && !co_await Flush()) break;
    if (state_ == State::kLogout) {
      conn_.ForceClose();  // after a BYE (selected mailbox deleted): ends the IDLE read
      break;
    }
    if (idle_wake_ || !idling_) continue;
    idle_timer_->expires_after(absl::ToChronoMilliseconds(config_.idle_keepalive));
    auto [ec] = co_await idle_timer_->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (!ec && idling_) {
      Untagged("OK Still here");
      if (!co_await Flush()) break;
    }
  }
  pusher_running_ = false;
  pusher_done_->cancel();
}

asio::awaitable<void> Session::CmdIdle(const Command& c) {
  if (!ParseNoArgs(c.args).ok()) co_return Bad(c.tag, "IDLE takes no arguments");
  out_.append(ContinuationRequest("idling"));
  if (!co_await Flush()) co_return;
  if (idle_timer_ == nullptr) {
    idle_timer_ = std::make_unique<asio::steady_timer>(executor_);
    pusher_done_ = std::make_unique<asio::steady_timer>(executor_);
  }
  idling_ = true;
  metrics_.idling().Increment();
  asio::co_spawn(executor_, IdlePusher(), asio::detached);
  absl::StatusOr<net::Line> line = co_await conn_.ReadCommandLine();
  std::string text = line.ok() ? std::string(line->text) : std::string();
  idling_ = false;
  idle_timer_->cancel();
  if (pusher_running_) {
    pusher_done_->expires_at(asio::steady_timer::time_point::max());
    co_await pusher_done_->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
  metrics_.idling().Decrement();
  if (!line.ok()) {
    if (net::IsCancelledByServer(line.status())) {
      Untagged("BYE Server shutting down, please reconnect");
    } else if (net::IsTimeout(line.status())) {
      Untagged("BYE Autologout; idle for too long");
    }
    state_ = State::kLogout;
    co_return;
  }
  if (!absl::EqualsIgnoreCase(text, "DONE")) co_return Bad(c.tag, "Expected DONE");
  Tagged(c.tag, StatusKind::kOk, "", "IDLE terminated");
}

}  // namespace mailroom::imap
