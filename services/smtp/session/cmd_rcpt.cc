// RCPT TO (RFC 5321 §4.1.1.3): local recipients only (no open relay, ever), resolved by the
// store (aliases, plus-addressing, catch-all), with quota pre-checks (RFC 3463 4.2.2 / 5.2.2).
#include "absl/strings/str_cat.h"
#include "services/shared/log/log.h"
#include "services/smtp/session/session.h"

namespace mailroom::smtp {
asio::awaitable<bool> Session::CmdRcpt(const Command& c) {
  if (state_ != State::kMail && state_ != State::kRcpt) {
    co_return co_await Error(503, "5.5.1", "Need MAIL before RCPT");
  }
  if (static_cast<int>(recipients_.size()) >= config_.max_recipients) {
    metrics_.Rejected("too_many_recipients");
    co_return co_await Send(452, "4.5.3", "Too many recipients");
  }
  absl::StatusOr<RcptTo> rcpt = ParseRcptTo(c.args);
  if (!rcpt.ok()) {
    if (rcpt.status().code() == absl::StatusCode::kUnimplemented) {
      co_return co_await Error(555, "5.5.4", std::string(rcpt.status().message()));
    }
    co_return co_await Error(501, "5.1.3", absl::StrCat("Bad recipient address syntax: ",
                                                         std::string(rcpt.status().message())));
  }
  if (!IsAscii(rcpt->forward_path) && !mail_->smtputf8) {
    co_return co_await Error(553, "5.6.7", "UTF-8 address needs the SMTPUTF8 parameter");
  }
  const std::string address =
      rcpt->postmaster ? absl::StrCat("postmaster@", config_.hostname) : rcpt->forward_path;
  store_client::v1::ResolveAddressRequest request;
  request.set_address(address);
  absl::StatusOr<store_client::v1::ResolveAddressResponse> resolved =
      co_await context_.store.ResolveAddress(std::move(request));
  if (!resolved.ok()) {
    if (resolved.status().code() == absl::StatusCode::kInvalidArgument) {
      metrics_.Rejected("bad_recipient");
      co_return co_await Error(553, "5.1.3", "Recipient address not accepted here");
    }
    log::Warning("recipient lookup failed", {{"session", conn_.session_id()},
                                             {"error", std::string(resolved.status().message())}});
    co_return co_await Send(451, "4.3.0", "Temporary lookup failure, try again later");
  }
  if (!resolved->is_local_domain()) {
    metrics_.Rejected("relay_denied");
    if (user_id_ == 0) co_return co_await Error(554, "5.7.1", "Relay access denied");
    co_return co_await Error(550, "5.7.1", "Relaying to remote domains is not available: this "
                                            "server has no outbound relay");
  }
  if (!resolved->has_principal()) {
    metrics_.Rejected("unknown_user");
    co_return co_await Error(550, "5.1.1", "No such user here");
  }
  const auto& p = resolved->principal();
  if (p.quota_bytes() > 0) {
    if (p.used_bytes() >= p.quota_bytes()) {
      metrics_.Rejected("quota");
      co_return co_await Send(452, "4.2.2", "Mailbox full, try again later");
    }
    if (mail_->size && p.used_bytes() + *mail_->size > p.quota_bytes()) {
      metrics_.Rejected("quota");
      co_return co_await Send(552, "5.2.2", "Mailbox full: message exceeds the quota");
    }
  }
  for (const Recipient& r : recipients_) {
    if (r.user_id == p.user_id() && r.mailbox == resolved->mailbox()) {
      co_return co_await Send(250, "2.1.5", "Recipient OK (duplicate)");
    }
  }
  recipients_.push_back(Recipient{rcpt->forward_path, p.user_id(), resolved->mailbox(),
                                  rcpt->notify, rcpt->orcpt});
  state_ = State::kRcpt;
  co_return co_await Send(250, "2.1.5", "Recipient OK");
}

}  // namespace mailroom::smtp
