// The SMTP session loop: greeting, command dispatch with the state checks of RFC 5321 §4.1.4,
// error counting and the drain goodbye.
#include "services/smtp/session/session.h"

#include "absl/strings/str_cat.h"
#include "services/shared/log/log.h"
#include "services/shared/net/stream.h"
#include "services/smtp/session/delivery.h"

namespace mailroom::smtp {

Session::Session(net::Connection& conn, frontend::FrontendContext& context,
                 const SessionConfig& config, ListenerKind kind, SmtpMetrics& metrics)
    : conn_(conn), context_(context), config_(config), kind_(kind), metrics_(metrics) {}

Session::~Session() = default;

asio::awaitable<bool> Session::SendRaw(std::string_view text) {
  absl::Status s = co_await conn_.Write(absl::string_view(text.data(), text.size()));
  co_return s.ok();
}

asio::awaitable<bool> Session::Send(const Reply& reply) {
  co_return co_await SendRaw(reply.Format());
}

asio::awaitable<bool> Session::Send(int code, std::string_view enhanced, std::string_view text) {
  const Reply reply{code, std::string(enhanced), std::string(text)};
  co_return co_await SendRaw(reply.Format());
}

asio::awaitable<bool> Session::Error(int code, std::string_view enhanced, std::string_view text) {
  const Reply reply{code, std::string(enhanced), std::string(text)};
  metrics_.ErrorReply(reply.code);
  if (++errors_ >= config_.max_errors) {
    co_await SendRaw(reply.Format());
    co_await Send(421, "4.7.0", absl::StrCat(config_.hostname, " Too many errors, closing"));
    co_return false;
  }
  co_return co_await SendRaw(reply.Format());
}

void Session::ResetTransaction() {
  mail_.reset();
  recipients_.clear();
  bdat_.reset();
  if (state_ == State::kMail || state_ == State::kRcpt) state_ = State::kReady;
}

bool Session::PlaintextAuthAllowed() const {
  return conn_.IsTls() || (config_.plaintext_auth_on_loopback && conn_.IsLoopback());
}

asio::awaitable<void> Session::Run() {
  if (!co_await Send(220, "", absl::StrCat(config_.hostname, " ESMTP Mailroom"))) co_return;
  while (true) {
    absl::StatusOr<net::Line> line = co_await conn_.ReadCommandLine();
    if (!line.ok()) {
      if (net::IsCancelledByServer(line.status())) {
        co_await Send(421, "4.3.2", absl::StrCat(config_.hostname, " Service shutting down"));
      } else if (net::IsTimeout(line.status())) {
        co_await Send(421, "4.4.2", absl::StrCat(config_.hostname, " Timeout, closing"));
      } else if (net::IsLineTooLong(line.status())) {
        // RFC 5321 §4.5.3.1.4: command lines are at most 512 octets; ours is configurable.
        if (co_await Error(500, "5.5.6", "Line too long")) continue;
      }
      co_return;
    }
    const Command command = ParseCommand(std::string_view(line->text.data(), line->text.size()));
    if (!co_await Dispatch(command)) co_return;
  }
}

asio::awaitable<bool> Session::Dispatch(const Command& c) {
  // BDAT transfers run until LAST; only BDAT, RSET, NOOP and QUIT may come in between.
  if (bdat_ != nullptr && c.verb != Verb::kBdat && c.verb != Verb::kRset &&
      c.verb != Verb::kNoop && c.verb != Verb::kQuit) {
    ResetTransaction();
    co_return co_await Error(503, "5.5.1", "BDAT sequence interrupted; transaction aborted");
  }
  switch (c.verb) {
    case Verb::kEhlo:
    case Verb::kHelo:
      co_return co_await CmdEhlo(c);
    case Verb::kMail:
      co_return co_await CmdMail(c);
    case Verb::kRcpt:
      co_return co_await CmdRcpt(c);
    case Verb::kData:
      co_return co_await CmdData(c);
    case Verb::kBdat:
      co_return co_await CmdBdat(c);
    case Verb::kAuth:
      co_return co_await CmdAuth(c);
    case Verb::kStartTls:
      co_return co_await CmdStartTls(c);
    case Verb::kUnknown:
      co_return co_await Error(500, "5.5.2", "Command not recognised");
    default:
      co_return co_await CmdSimple(c);
  }
}

}  // namespace mailroom::smtp
