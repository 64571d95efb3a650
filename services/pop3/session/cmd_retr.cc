// RETR and TOP (RFC 1939 §5, §7): the message as multi-line data, CRLF line endings and
// byte-stuffed whatever the stored form, streamed from the store. Small messages are read
// ahead in batches (one store round trip for many sequential RETRs); large ones stream in
// chunks, so memory per session stays bounded.
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/pop3/protocol/message_encoder.h"
#include "services/pop3/protocol/reply.h"
#include "services/pop3/session/session.h"
#include "services/shared/log/log.h"

namespace mailroom::pop3 {

asio::awaitable<void> Session::CmdRetr(const Command& command) {
  absl::StatusOr<InboxMessage> m = maildrop_.Get(*command.message);
  if (!m.ok()) {
    Reply(ErrReply(RespCode::kNone, absl::IsFailedPrecondition(m.status()) ? m.status().message()
                                                                            : "no such message"));
    co_return;
  }
  std::optional<uint64_t> lines;
  if (command.verb == Verb::kTop) lines = *command.lines;
  absl::Status s = co_await SendMessage(*command.message, *m, lines);
  if (!s.ok()) {
    log::Warning("pop3 cannot read message", {{"session", connection_.session_id()},
                                             {"uid", m->uid},
                                             {"error", std::string(s.message())}});
    Reply(absl::IsNotFound(s) ? ErrReply(RespCode::kNone, "message no longer exists")
                              : StatusToReply(s));
  }
}

asio::awaitable<absl::Status> Session::SendMessage(uint32_t number, const InboxMessage& message,
                                                   std::optional<uint64_t> body_lines) {
  Pop3Store& store = context_.store;
  MessageEncoder encoder(body_lines);
  const std::string ok = OkReply(body_lines.has_value() ? "top of message follows"
                                                        : absl::StrCat(message.size, " octets"));
  auto cached = prefetched_.find(message.uid);
  if (cached == prefetched_.end() && message.size <= options_.prefetch_message_bytes) {
    prefetched_.clear();
    std::vector<uint32_t> uids =
        maildrop_.UidsFrom(number, options_.prefetch_message_bytes, options_.prefetch_bytes,
                           options_.prefetch_messages);
    if (uids.empty()) uids.push_back(message.uid);
    absl::StatusOr<std::vector<std::pair<uint32_t, std::string>>> bodies =
        co_await store.FetchBodies(account_.user_id, maildrop_.mailbox_id(), std::move(uids));
    if (!bodies.ok()) co_return bodies.status();
    for (auto& [uid, body] : *bodies) prefetched_[uid] = std::move(body);
    cached = prefetched_.find(message.uid);
    if (cached == prefetched_.end()) co_return absl::NotFoundError("message expunged");
  }
  if (cached != prefetched_.end()) {
    Reply(ok);
    const size_t before = out_.size();
    encoder.Append(cached->second, &out_);
    encoder.Finish(&out_);
    context_.metrics.bytes_sent.Increment(static_cast<double>(out_.size() - before));
    context_.metrics.messages_retrieved.Increment();
    prefetched_.erase(cached);
    co_return absl::OkStatus();
  }

  // Large message: stream it. The first chunk comes before "+OK" so a missing message still
  // gets a proper -ERR; a failure after that can only end the connection.
  std::unique_ptr<MessageSource> source =
      store.OpenMessage(account_.user_id, maildrop_.mailbox_id(), message.uid);
  absl::StatusOr<std::optional<std::string>> chunk = co_await source->Next();
  if (!chunk.ok()) co_return chunk.status();
  Reply(ok);
  uint64_t sent = 0;
  while (chunk->has_value() && !encoder.done()) {
    const size_t before = out_.size();
    encoder.Append(**chunk, &out_);
    sent += out_.size() - before;
    if (out_.size() >= options_.write_chunk_bytes && !co_await Flush()) co_return absl::OkStatus();
    chunk = co_await source->Next();
    if (!chunk.ok()) {
      log::Warning("pop3 message stream failed midway", {{"session", connection_.session_id()},
                                                        {"error", std::string(chunk.status().message())}});
      co_await Flush();
      state_ = SessionState::kClosed;
      co_return absl::OkStatus();
    }
  }
  const size_t before = out_.size();
  encoder.Finish(&out_);
  sent += out_.size() - before;
  context_.metrics.bytes_sent.Increment(static_cast<double>(sent));
  context_.metrics.messages_retrieved.Increment();
  co_return absl::OkStatus();
}

}  // namespace mailroom::pop3
