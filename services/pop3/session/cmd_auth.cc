// USER/PASS and APOP (RFC 1939 §7), AUTH (RFC 5034) with PLAIN (RFC 4616) and LOGIN, and what
// follows a successful login: the maildrop lease and the INBOX listing (RFC 1939 §4, §8).
#include <asio/this_coro.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/pop3/protocol/reply.h"
#include "services/pop3/session/apop.h"
#include "services/pop3/session/session.h"
#include "services/shared/auth/sasl.h"
#include "services/shared/log/log.h"

namespace mailroom::pop3 {

bool Session::PlaintextAllowed() const {
  return connection_.IsTls() ||
         (options_.plaintext_auth_on_loopback && connection_.IsLoopback());
}

namespace {
constexpr absl::string_view kPlaintextRefused =
    "plaintext authentication is not allowed without TLS; use STLS";
}  // namespace

asio::awaitable<void> Session::CmdUser(const Command& command) {
  if (!PlaintextAllowed()) {
    Reply(ErrReply(RespCode::kAuth, kPlaintextRefused));
    co_return;
  }
  // Whether the user exists is not revealed before PASS.
  user_ = command.text;
  Reply(OkReply("send PASS"));
}

asio::awaitable<void> Session::CmdPass(const Command& command) {
  if (!user_.has_value()) {
    Reply(ErrReply(RespCode::kNone, "USER first"));
    co_return;
  }
  std::string username = *std::move(user_);
  user_.reset();
  co_await Login(std::move(username), command.text);
}

asio::awaitable<void> Session::CmdApop(const Command& command) {
  if (!options_.enable_apop) {
    Reply(ErrReply(RespCode::kNone, "APOP is not enabled on this server"));
    co_return;
  }
  const std::string name = absl::AsciiStrToLower(command.text);
  const absl::Time now = absl::Now();
  if (context_.throttle.Blocked(Peer(), name, now)) {
    context_.metrics.logins.WithLabels({"throttled"}).Increment();
    LoginFailed(name, ErrReply(RespCode::kSysTemp, "too many failed logins, try again later"));
    co_return;
  }
  const absl::Duration delay = context_.throttle.Delay(Peer(), name, now);
  if (delay > absl::ZeroDuration()) co_await Sleep(delay);
  auto it = options_.apop_secrets.find(name);
  // An unknown user costs the same digest as a known one.
  const bool match = ApopDigestMatches(apop_timestamp_,
                                       it == options_.apop_secrets.end() ? "" : it->second,
                                       *command.extra) &&
                     it != options_.apop_secrets.end();
  if (!match) {
    context_.throttle.RecordFailure(Peer(), name, absl::Now());
    context_.metrics.logins.WithLabels({"bad_credentials"}).Increment();
    LoginFailed(name, ErrReply(RespCode::kAuth, "invalid user name or digest"));
    co_return;
  }
  absl::StatusOr<Account> account = co_await context_.store.LookupAccount(name);
  if (!account.ok()) {
    context_.metrics.logins.WithLabels({"bad_credentials"}).Increment();
    LoginFailed(name, absl::IsNotFound(account.status())
                          ? ErrReply(RespCode::kAuth, "invalid user name or digest")
                          : StatusToReply(account.status()));
    co_return;
  }
  context_.throttle.RecordSuccess(name);
  co_await OpenMaildrop(*std::move(account));
}

asio::awaitable<void> Session::CmdAuth(const Command& command) {
  if (command.text.empty()) {
    // A bare AUTH lists the mechanisms (as RFC 1734 did; clients still probe with it).
    Reply(OkReply("SASL mechanisms follow"));
    if (PlaintextAllowed()) Reply("PLAIN\r\nLOGIN\r\n");
    Reply(".\r\n");
    co_return;
  }
  if (!PlaintextAllowed()) {
    Reply(ErrReply(RespCode::kAuth, kPlaintextRefused));
    co_return;
  }
  std::optional<auth::Mechanism> mechanism = auth::ParseMechanism(command.text);
  if (!mechanism.has_value()) {
    Reply(ErrReply(RespCode::kNone, "unsupported authentication mechanism"));
    co_return;
  }
  if (*mechanism == auth::Mechanism::kPlain) {
    co_await AuthPlain(command);
  } else {
    co_await AuthLogin(command);
  }
}

asio::awaitable<void> Session::AuthPlain(const Command& command) {
  std::string response;
  if (command.extra.has_value()) {
    response = *command.extra;  // RFC 5034 §4: the initial response
  } else {
    Reply("+ \r\n");
    absl::StatusOr<std::string> line = co_await ReadSaslLine();
    if (!line.ok()) {
      state_ = SessionState::kClosed;
      co_return;
    }
    response = *std::move(line);
  }
  if (auth::IsCancel(response)) {
    Reply(ErrReply(RespCode::kNone, "authentication cancelled"));
    co_return;
  }
  absl::StatusOr<auth::Credentials> credentials = auth::DecodePlain(response);
  if (!credentials.ok()) {
    Reply(ErrReply(RespCode::kNone, "malformed PLAIN response"));
    co_return;
  }
  co_await Login(credentials->authcid, credentials->password);
}

asio::awaitable<void> Session::AuthLogin(const Command& command) {
  std::string fields[2];
  for (int i = 0; i < 2; ++i) {
    std::string encoded;
    if (i == 0 && command.extra.has_value()) {
      encoded = *command.extra;
    } else {
      const std::string_view challenge =
          i == 0 ? auth::kLoginUserChallenge : auth::kLoginPasswordChallenge;
      Reply(absl::StrCat("+ ", absl::string_view(challenge.data(), challenge.size()), "\r\n"));
      absl::StatusOr<std::string> line = co_await ReadSaslLine();
      if (!line.ok()) {
        state_ = SessionState::kClosed;
        co_return;
      }
      encoded = *std::move(line);
    }
    if (auth::IsCancel(encoded)) {
      Reply(ErrReply(RespCode::kNone, "authentication cancelled"));
      co_return;
    }
    absl::StatusOr<std::string> decoded = auth::DecodeBase64(encoded);
    if (!decoded.ok() || decoded->empty()) {
      Reply(ErrReply(RespCode::kNone, "malformed LOGIN response"));
      co_return;
    }
    fields[i] = *std::move(decoded);
  }
  co_await Login(fields[0], fields[1]);
}

void Session::LoginFailed(absl::string_view username, absl::string_view reply) {
  ++auth_failures_;
  log::Info("pop3 login failed", {{"session", connection_.session_id()},
                                  {"peer", Peer()},
                                  {"user", std::string(username)},
                                  {"failures", auth_failures_}});
  Reply(reply);
  if (auth_failures_ >= options_.max_auth_failures) close_after_reply_ = true;
}

asio::awaitable<void> Session::Login(std::string username, std::string password) {
  auth::AuthThrottle& throttle = context_.throttle;
  const absl::Time now = absl::Now();
  if (throttle.Blocked(Peer(), username, now)) {
    context_.metrics.logins.WithLabels({"throttled"}).Increment();
    LoginFailed(username, ErrReply(RespCode::kSysTemp, "too many failed logins, try again later"));
    co_return;
  }
  const absl::Duration delay = throttle.Delay(Peer(), username, now);
  if (delay > absl::ZeroDuration()) co_await Sleep(delay);
  absl::StatusOr<Account> account =
      co_await context_.store.Authenticate(username, std::move(password), Peer());
  if (!account.ok()) {
    if (absl::IsPermissionDenied(account.status())) {
      throttle.RecordFailure(Peer(), username, absl::Now());
      context_.metrics.logins.WithLabels({"bad_credentials"}).Increment();
      LoginFailed(username, ErrReply(RespCode::kAuth, "invalid user name or password"));
    } else {
      context_.metrics.logins.WithLabels({"unavailable"}).Increment();
      log::Warning("pop3 authentication failed in the store",
                   {{"session", connection_.session_id()},
                    {"error", std::string(account.status().message())}});
      Reply(StatusToReply(account.status()));
    }
    co_return;
  }
  throttle.RecordSuccess(username);
  co_await OpenMaildrop(*std::move(account));
}

asio::awaitable<void> Session::OpenMaildrop(Account account) {
  Pop3Store& store = context_.store;
  const std::string holder =
      absl::StrCat("pop3-", options_.hostname, "-", connection_.session_id());
  absl::StatusOr<std::string> lease =
      co_await store.AcquireLease(account.user_id, holder, options_.lease_ttl);
  if (!lease.ok()) {
    const bool in_use = absl::IsFailedPrecondition(lease.status());
    context_.metrics.logins.WithLabels({in_use ? "in_use" : "unavailable"}).Increment();
    Reply(in_use ? ErrReply(RespCode::kInUse, "maildrop is locked by another session")
                 : StatusToReply(lease.status()));
    co_return;
  }
  account_ = std::move(account);
  lease_ = std::make_unique<LeaseKeeper>(co_await asio::this_coro::executor, store,
                                         account_.user_id, *lease, options_.lease_ttl);
  absl::StatusOr<Inbox> inbox = co_await store.OpenInbox(account_.user_id);
  if (!inbox.ok()) {
    log::Warning("pop3 cannot open INBOX", {{"session", connection_.session_id()},
                                           {"error", std::string(inbox.status().message())}});
    context_.metrics.logins.WithLabels({"error"}).Increment();
    Reply(StatusToReply(inbox.status()));
    co_await ReleaseMaildrop();
    co_return;
  }
  maildrop_ = Maildrop(*std::move(inbox));
  state_ = SessionState::kTransaction;
  context_.metrics.logins.WithLabels({"ok"}).Increment();
  context_.metrics.sessions_in_transaction.Increment();
  log::Info("pop3 login", {{"session", connection_.session_id()},
                           {"peer", Peer()},
                           {"user", account_.address},
                           {"messages", maildrop_.count()}});
  Reply(OkReply(absl::StrFormat("maildrop has %u messages (%u octets)", maildrop_.live_count(),
                                maildrop_.live_size())));
}

}  // namespace mailroom::pop3
