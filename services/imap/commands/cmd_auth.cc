// LOGIN (RFC 9051 §6.2.3) and AUTHENTICATE (§6.2.2) with PLAIN (RFC 4616) and LOGIN, SASL-IR
// (RFC 4959), LOGINDISABLED before TLS (loopback counts as secured when configured), and the
// per-address / per-user failure throttle.
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/imap/protocol/auth_args.h"
#include "services/imap/session/session.h"
#include "services/shared/auth/sasl.h"
#include "services/shared/log/log.h"

namespace mailroom::imap {
namespace {

asio::awaitable<void> Sleep(asio::any_io_executor executor, absl::Duration d) {
  if (d <= absl::ZeroDuration()) co_return;
  asio::steady_timer timer(executor, absl::ToChronoMilliseconds(d));
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

asio::awaitable<void> Session::FinishLogin(absl::string_view tag, std::string username,
                                           std::string password) {
  const std::string& ip = conn_.peer().address;
  if (context_.throttle.Blocked(ip, username, absl::Now())) {
    metrics_.AuthFailed();
    co_return Tagged(tag, StatusKind::kNo, code::kUnavailable,
                     "Too many failed logins, try again later");
  }
  v1::AuthenticateRequest request;
  request.set_username(username);
  request.set_password(password);
  request.set_remote_ip(ip);
  request.set_protocol("imap");
  absl::StatusOr<v1::AuthenticateResponse> r =
      co_await context_.store.Authenticate(std::move(request));
  if (r.ok()) {
    context_.throttle.RecordSuccess(username);
    user_id_ = r->principal().user_id();
    login_ = r->principal().address();
    state_ = State::kAuthenticated;
    conn_.reader().set_timeout(config_.idle_timeout);
    log::Info("authenticated", {{"session", conn_.session_id()}, {"user", login_}});
    co_return Tagged(tag, StatusKind::kOk, absl::StrCat("CAPABILITY ", Capabilities()),
                     "Logged in");
  }
  if (r.status().code() != absl::StatusCode::kPermissionDenied) {
    co_return Tagged(tag, StatusKind::kNo, code::kUnavailable,
                     "Temporary authentication failure, try again");
  }
  context_.throttle.RecordFailure(ip, username, absl::Now());
  co_await Sleep(executor_, context_.throttle.Delay(ip, username, absl::Now()));
  metrics_.AuthFailed();
  Tagged(tag, StatusKind::kNo, code::kAuthenticationFailed, "Authentication failed");
}

asio::awaitable<void> Session::CmdLogin(const Command& c) {
  absl::StatusOr<LoginArgs> args = ParseLoginArgs(c.args);
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  if (!PlaintextAuthAllowed()) {
    // RFC 9051 §6.2.3: LOGINDISABLED is advertised; refuse without checking.
    co_return Tagged(c.tag, StatusKind::kNo, code::kPrivacyRequired,
                     "Plaintext login is disabled; use STARTTLS first");
  }
  co_await FinishLogin(c.tag, std::move(args->username), std::move(args->password));
}

asio::awaitable<void> Session::CmdAuthenticate(const Command& c) {
  absl::StatusOr<AuthenticateArgs> args = ParseAuthenticateArgs(c.args);
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  std::optional<auth::Mechanism> mech = auth::ParseMechanism(args->mechanism);
  if (!mech) {
    co_return Tagged(c.tag, StatusKind::kNo, code::kCannot,
                     "Unsupported authentication mechanism");
  }
  if (!PlaintextAuthAllowed()) {
    co_return Tagged(c.tag, StatusKind::kNo, code::kPrivacyRequired,
                     "Plaintext authentication is disabled; use STARTTLS first");
  }
  // Reads one client response line of the exchange (RFC 9051 §6.2.2).
  auto challenge = [this](absl::string_view text) -> asio::awaitable<absl::StatusOr<std::string>> {
    out_.append(ContinuationRequest(absl::string_view(text.data(), text.size())));
    if (!co_await Flush()) co_return absl::UnavailableError("write failed");
    absl::StatusOr<net::Line> line = co_await conn_.reader().ReadLine();
    if (!line.ok()) co_return line.status();
    co_return DecodeSaslLine(line->text);
  };
  std::string username, password;
  if (*mech == auth::Mechanism::kPlain) {
    std::string response;
    if (args->initial_response) {
      response = *args->initial_response;
    } else {
      absl::StatusOr<std::string> r = co_await challenge("");
      if (!r.ok()) {
        if (absl::IsCancelled(r.status())) co_return Bad(c.tag, "AUTHENTICATE cancelled");
        if (absl::IsInvalidArgument(r.status())) co_return Bad(c.tag, "Invalid base64");
        state_ = State::kLogout;
        co_return;
      }
      response = *std::move(r);
    }
    absl::StatusOr<auth::Credentials> creds = auth::DecodePlain(auth::EncodeBase64(response));
    if (!creds.ok()) co_return Bad(c.tag, "Invalid PLAIN response");
    if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
      co_return Tagged(c.tag, StatusKind::kNo, code::kAuthenticationFailed,
                       "Proxy authorisation is not supported");
    }
    username = creds->authcid;
    password = creds->password;
  } else {
    std::optional<std::string> user = args->initial_response;
    for (int step = user ? 1 : 0; step < 2; ++step) {
      const std::string prompt = step == 0 ? "VXNlcm5hbWU6" : "UGFzc3dvcmQ6";
      absl::StatusOr<std::string> r = co_await challenge(prompt);
      if (!r.ok()) {
        if (absl::IsCancelled(r.status())) co_return Bad(c.tag, "AUTHENTICATE cancelled");
        if (absl::IsInvalidArgument(r.status())) co_return Bad(c.tag, "Invalid base64");
        state_ = State::kLogout;
        co_return;
      }
      if (step == 0) {
        user = *std::move(r);
      } else {
        password = *std::move(r);
      }
    }
    username = *user;
    if (username.empty()) co_return Bad(c.tag, "Empty user name");
  }
  co_await FinishLogin(c.tag, std::move(username), std::move(password));
}

}  // namespace mailroom::imap
