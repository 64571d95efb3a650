// MAIL FROM (RFC 5321 §4.1.1.2) with SIZE (RFC 1870 §6), BODY, SMTPUTF8 and DSN parameters.
#include "absl/strings/str_cat.h"
#include "services/smtp/session/session.h"

namespace mailroom::smtp {
asio::awaitable<bool> Session::CmdMail(const Command& c) {
  if (state_ == State::kFresh) co_return co_await Error(503, "5.5.1", "Send EHLO or HELO first");
  if (state_ != State::kReady) co_return co_await Error(503, "5.5.1", "Nested MAIL command");
  if (AuthRequired()) co_return co_await Error(530, "5.7.0", "Authentication required");
  absl::StatusOr<MailFrom> mail = ParseMailFrom(c.args);
  if (!mail.ok()) {
    if (mail.status().code() == absl::StatusCode::kUnimplemented) {
      co_return co_await Error(555, "5.5.4", std::string(mail.status().message()));
    }
    co_return co_await Error(501, "5.1.7", absl::StrCat("Bad sender address syntax: ",
                                                         std::string(mail.status().message())));
  }
  if (!esmtp_ && (mail->size || mail->smtputf8 || mail->body != BodyType::k7Bit ||
                  !mail->ret.empty() || !mail->envid.empty() || !mail->auth.empty())) {
    co_return co_await Error(555, "5.5.4", "Parameters need EHLO");
  }
  if (mail->body == BodyType::kBinaryMime) {
    co_return co_await Error(555, "5.5.4", "BODY=BINARYMIME is not supported");
  }
  if (!IsAscii(mail->reverse_path) && !mail->smtputf8) {
    co_return co_await Error(553, "5.6.7", "UTF-8 address needs the SMTPUTF8 parameter");
  }
  // RFC 1870 §6.1: refuse a declared size over the limit at once.
  if (mail->size && *mail->size > config_.max_message_bytes) {
    metrics_.Rejected("too_big_declared");
    co_return co_await Error(552, "5.3.4", absl::StrCat("Message size exceeds fixed maximum of ",
                                                         config_.max_message_bytes, " octets"));
  }
  mail_ = *std::move(mail);
  recipients_.clear();
  state_ = State::kMail;
  co_return co_await Send(250, "2.1.0", "Sender OK");
}

}  // namespace mailroom::smtp
