// DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030): the message streams to the store while it
// arrives; 250 only after the store committed it (DESIGN.md invariant 1).
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "services/shared/log/log.h"
#include "services/shared/net/stream.h"
#include "services/smtp/session/session.h"

namespace mailroom::smtp {
namespace {

constexpr size_t kReadChunk = 64 << 10;

std::string WithProtocol(bool esmtp, bool tls, bool auth, bool utf8) {
  // RFC 3848 and RFC 6531 §3.7.3.
  if (!esmtp) return "SMTP";
  return absl::StrCat(utf8 ? "UTF8SMTP" : "ESMTP", tls ? "S" : "", auth ? "A" : "");
}

}  // namespace

std::string Session::TraceHeaders(const std::string& transaction_id) const {
  std::string tls;
  if (std::optional<net::TlsInfo> info = conn_.stream().GetTlsInfo()) {
    tls = absl::StrCat("\r\n\t(using ", info->version, " with cipher ", info->cipher, " (",
                       info->cipher_bits, "/", info->cipher_bits, " bits))");
  }
  const std::string date = absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", absl::Now(),
                                            absl::UTCTimeZone());
  const std::string for_clause =
      recipients_.size() == 1 ? absl::StrCat("\r\n\tfor <", recipients_[0].address, ">") : "";
  return absl::StrCat(
      "Return-Path: <", mail_->reverse_path, ">\r\n",
      "Received: from ", helo_, " ([", conn_.peer().address, "])\r\n\tby ", config_.hostname,
      " (Mailroom) with ", WithProtocol(esmtp_, conn_.IsTls(), user_id_ != 0, mail_->smtputf8),
      " id ", transaction_id, tls, for_clause, ";\r\n\t", date, "\r\n");
}

std::unique_ptr<Delivery> Session::StartDelivery() {
  store_client::v1::DeliverMessageRequest::Header header;
  const std::string id = NewTransactionId();
  header.set_envelope_from(mail_->reverse_path);
  header.set_size(mail_->size.value_or(0));
  header.set_dsn_envid(mail_->envid);
  header.set_dsn_ret(mail_->ret);
  header.set_body_type(mail_->body == BodyType::k8BitMime ? "8BITMIME" : "7BIT");
  header.set_smtputf8(mail_->smtputf8);
  header.set_transaction_id(id);
  for (const Recipient& r : recipients_) {
    auto* rcpt = header.add_recipients();
    rcpt->set_user_id(r.user_id);
    rcpt->set_mailbox(r.mailbox);
    rcpt->set_original(r.address);
    rcpt->set_dsn_notify(r.notify);
    rcpt->set_dsn_orcpt(r.orcpt);
  }
  return std::make_unique<Delivery>(context_.store, std::move(header), TraceHeaders(id),
                                    config_.max_message_bytes);
}

asio::awaitable<bool> Session::FinishDelivery(std::unique_ptr<Delivery> delivery,
                                              bool bad_endings, bool overlong, bool truncated) {
  Reply reply;
  std::string result = "accepted";
  if (delivery->too_big()) {
    delivery->Cancel();
    reply = {552, "5.3.4", absl::StrCat("Message size exceeds fixed maximum of ",
                                        config_.max_message_bytes, " octets")};
    result = "too_big";
  } else if (bad_endings && config_.bare_line_endings == BareLineEndings::kReject) {
    delivery->Cancel();
    reply = {554, "5.6.0", "Message refused: bare CR or LF line endings (use CRLF)"};
    result = "bad_line_endings";
  } else if (truncated) {
    // A line longer than the reader can hold was dropped: never store a partial message.
    delivery->Cancel();
    reply = {554, "5.6.0", "Message refused: a line is too long"};
    result = "line_too_long";
  } else if (overlong && config_.enforce_data_line_limit) {
    delivery->Cancel();
    reply = {554, "5.6.0", "Message refused: line longer than 998 octets"};
    result = "line_too_long";
  } else {
    absl::StatusOr<store_client::v1::DeliverMessageResponse> r = co_await delivery->Finish();
    if (r.ok()) {
      reply = {250, "2.0.0", absl::StrCat("OK: queued as ", delivery->transaction_id())};
    } else {
      reply = ReplyForStatus(r.status());
      result = r.status().code() == absl::StatusCode::kResourceExhausted ? "quota"
                                                                          : "store_unavailable";
      log::Warning("delivery failed", {{"session", conn_.session_id()},
                                       {"id", delivery->transaction_id()},
                                       {"error", std::string(r.status().message())}});
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - delivery->started());
  metrics_.Transaction(result, delivery->bytes(), seconds);
  log::Info("transaction", {{"session", conn_.session_id()},
                            {"id", delivery->transaction_id()},
                            {"from", mail_->reverse_path},
                            {"recipients", static_cast<uint64_t>(recipients_.size())},
                            {"size", delivery->bytes()},
                            {"tls", conn_.IsTls()},
                            {"authenticated", user_id_ != 0},
                            {"result", result},
                            {"reply", reply.code}});
  ResetTransaction();
  co_return co_await Send(reply);
}

asio::awaitable<bool> Session::CmdData(const Command& c) {
  if (!c.args.empty()) co_return co_await Error(501, "5.5.4", "DATA takes no arguments");
  if (state_ == State::kMail) co_return co_await Error(554, "5.5.1", "No valid recipients");
  if (state_ != State::kRcpt) co_return co_await Error(503, "5.5.1", "Need RCPT before DATA");
  std::unique_ptr<Delivery> delivery = StartDelivery();
  if (!co_await Send(354, "", "End data with <CR><LF>.<CR><LF>")) co_return false;

  DataLines lines(config_.bare_line_endings, config_.max_data_line);
  net::LineReader& reader = conn_.reader();
  const absl::Duration command_timeout = reader.timeout();
  reader.set_timeout(config_.data_block_timeout);
  std::string out;
  while (true) {
    absl::StatusOr<net::Line> line = co_await reader.ReadLine();
    if (!line.ok()) {
      if (net::IsLineTooLong(line.status())) {
        lines.AddOverlongLine();
        continue;
      }
      // The client vanished or stalled mid-DATA: nothing is stored.
      delivery->Cancel();
      metrics_.Transaction("client_gone", delivery->bytes(), 0);
      log::Info("client gone during DATA", {{"session", conn_.session_id()},
                                            {"id", delivery->transaction_id()}});
      co_return false;
    }
    out.clear();
    const bool crlf = line->ending == net::LineEnding::kCrlf;
    if (lines.Add(std::string_view(line->text.data(), line->text.size()), crlf, &out)) break;
    co_await delivery->Append(out);
  }
  reader.set_timeout(command_timeout);
  co_return co_await FinishDelivery(std::move(delivery), lines.bad_line_endings(),
                                    lines.overlong(), lines.truncated());
}

asio::awaitable<bool> Session::CmdBdat(const Command& c) {
  std::vector<std::string> words = absl::StrSplit(c.args, ' ', absl::SkipEmpty());
  uint64_t size = 0;
  const bool last = words.size() == 2 && absl::AsciiStrToUpper(words[1]) == "LAST";
  if (words.empty() || words.size() > 2 || (words.size() == 2 && !last) ||
      !absl::SimpleAtoi(words[0], &size)) {
    // Without a valid size we cannot know where the chunk ends: the session cannot go on.
    co_await Send(501, "5.5.4", "Syntax: BDAT <size> [LAST]");
    co_return false;
  }
  // RFC 3030 §2: the chunk is always read, even when the command is refused.
  const bool allowed = bdat_ != nullptr || state_ == State::kRcpt;
  if (allowed && bdat_ == nullptr) bdat_ = StartDelivery();
  uint64_t remaining = size;
  while (remaining > 0) {
    absl::StatusOr<absl::string_view> chunk =
        co_await conn_.reader().ReadSome(std::min<uint64_t>(remaining, kReadChunk));
    if (!chunk.ok()) {
      if (bdat_ != nullptr) {
        bdat_->Cancel();
        metrics_.Transaction("client_gone", bdat_->bytes(), 0);
      }
      co_return false;
    }
    remaining -= chunk->size();
    if (bdat_ != nullptr) co_await bdat_->Append(std::string_view(chunk->data(), chunk->size()));
  }
  if (!allowed) {
    const bool no_recipients = state_ == State::kMail;
    co_return co_await Error(no_recipients ? 554 : 503, "5.5.1",
                             no_recipients ? "No valid recipients"
                                           : "Need MAIL and RCPT before BDAT");
  }
  if (!last) {
    if (bdat_->too_big()) {
      // RFC 3030 §2: a refused chunk fails the whole transaction.
      metrics_.Transaction("too_big", bdat_->bytes(), 0);
      ResetTransaction();
      co_return co_await Send(552, "5.3.4", "Message size exceeds fixed maximum");
    }
    co_return co_await Send(250, "2.0.0", absl::StrCat(size, " octets received"));
  }
  std::unique_ptr<Delivery> delivery = std::move(bdat_);
  co_return co_await FinishDelivery(std::move(delivery), false, false, false);
}

}  // namespace mailroom::smtp
