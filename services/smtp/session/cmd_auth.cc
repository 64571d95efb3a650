// AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN, initial responses, cancellation, and the
// per-address / per-user failure throttle.
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/shared/auth/sasl.h"
#include "services/shared/log/log.h"
#include "services/smtp/session/session.h"

namespace mailroom::smtp {
namespace {

// Reads one SASL response line; nullopt when the connection ended.
asio::awaitable<std::optional<std::string>> ReadResponse(net::Connection& conn) {
  absl::StatusOr<net::Line> line = co_await conn.reader().ReadLine();
  if (!line.ok()) co_return std::nullopt;
  co_return std::string(line->text);
}

asio::awaitable<void> Sleep(absl::Duration d) {
  if (d <= absl::ZeroDuration()) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor,
                           absl::ToChronoMilliseconds(d));
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

asio::awaitable<bool> Session::CmdAuth(const Command& c) {
  if (kind_ == ListenerKind::kMx) {
    co_return co_await Error(503, "5.5.1", "AUTH is offered on the submission ports");
  }
  if (state_ == State::kFresh) co_return co_await Error(503, "5.5.1", "Send EHLO first");
  if (user_id_ != 0) co_return co_await Error(503, "5.5.1", "Already authenticated");
  if (state_ != State::kReady) {
    co_return co_await Error(503, "5.5.1", "AUTH not allowed during a mail transaction");
  }
  if (!PlaintextAuthAllowed()) {
    co_return co_await Error(538, "5.7.11", "Encryption required: use STARTTLS first");
  }
  const size_t space = c.args.find(' ');
  const std::string mech_name = c.args.substr(0, space);
  std::optional<std::string> initial;
  if (space != std::string::npos) initial = c.args.substr(space + 1);
  std::optional<auth::Mechanism> mech = auth::ParseMechanism(mech_name);
  if (!mech) co_return co_await Error(504, "5.5.4", "Unrecognised authentication mechanism");

  std::string username, password;
  if (*mech == auth::Mechanism::kPlain) {
    if (!initial) {
      if (!co_await SendRaw("334 \r\n")) co_return false;
      initial = co_await ReadResponse(conn_);
      if (!initial) co_return false;
    }
    if (auth::IsCancel(*initial)) co_return co_await Error(501, "5.0.0", "AUTH cancelled");
    absl::StatusOr<auth::Credentials> creds = auth::DecodePlain(*initial);
    if (!creds.ok()) co_return co_await Error(501, "5.5.2", "Invalid PLAIN response");
    if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
      co_return co_await Error(535, "5.7.8", "Proxy authorisation is not supported");
    }
    username = creds->authcid;
    password = creds->password;
  } else {
    std::optional<std::string> user_b64 = initial;
    if (!user_b64) {
      if (!co_await SendRaw(absl::StrCat("334 ", absl::string_view(auth::kLoginUserChallenge.data(), auth::kLoginUserChallenge.size()), "\r\n"))) co_return false;
      user_b64 = co_await ReadResponse(conn_);
      if (!user_b64) co_return false;
    }
    if (auth::IsCancel(*user_b64)) co_return co_await Error(501, "5.0.0", "AUTH cancelled");
    absl::StatusOr<std::string> user = auth::DecodeBase64(*user_b64);
    if (!user.ok() || user->empty()) co_return co_await Error(501, "5.5.2", "Invalid base64");
    if (!co_await SendRaw(absl::StrCat("334 ", absl::string_view(auth::kLoginPasswordChallenge.data(), auth::kLoginPasswordChallenge.size()), "\r\n"))) {
      co_return false;
    }
    std::optional<std::string> pass_b64 = co_await ReadResponse(conn_);
    if (!pass_b64) co_return false;
    if (auth::IsCancel(*pass_b64)) co_return co_await Error(501, "5.0.0", "AUTH cancelled");
    absl::StatusOr<std::string> pass = auth::DecodeBase64(*pass_b64);
    if (!pass.ok()) co_return co_await Error(501, "5.5.2", "Invalid base64");
    username = *std::move(user);
    password = *std::move(pass);
  }

  const std::string& ip = conn_.peer().address;
  if (context_.throttle.Blocked(ip, username, absl::Now())) {
    metrics_.Rejected("auth_throttled");
    co_return co_await Error(454, "4.7.0", "Too many failed logins, try again later");
  }
  store_client::v1::AuthenticateRequest request;
  request.set_username(username);
  request.set_password(password);
  request.set_remote_ip(ip);
  request.set_protocol("smtp");
  absl::StatusOr<store_client::v1::AuthenticateResponse> r =
      co_await context_.store.Authenticate(std::move(request));
  if (r.ok()) {
    context_.throttle.RecordSuccess(username);
    user_id_ = r->principal().user_id();
    login_ = r->principal().address();
    log::Info("authenticated", {{"session", conn_.session_id()}, {"user", login_}});
    co_return co_await Send(235, "2.7.0", "Authentication successful");
  }
  if (r.status().code() != absl::StatusCode::kPermissionDenied) {
    co_return co_await Send(454, "4.7.0", "Temporary authentication failure");
  }
  context_.throttle.RecordFailure(ip, username, absl::Now());
  co_await Sleep(context_.throttle.Delay(ip, username, absl::Now()));
  metrics_.Rejected("auth_failed");
  co_return co_await Error(535, "5.7.8", "Authentication credentials invalid");
}

}  // namespace mailroom::smtp
