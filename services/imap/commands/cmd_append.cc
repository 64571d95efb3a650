// APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), APPENDUID (RFC 4315) and
// APPENDLIMIT (RFC 7889). Message literals are streamed: each one flows chunk by chunk from
// the CommandReader into a client-streaming AppendMessage call, so no message is held whole.
#include "absl/strings/str_cat.h"
#include "services/imap/protocol/append_args.h"
#include "services/imap/protocol/sequence_set.h"
#include "services/imap/session/convert.h"
#include "services/imap/session/session.h"

namespace mailroom::imap {
namespace {

v1::AppendMessageRequest::Header MakeHeader(uint64_t user_id, const std::string& mailbox,
                                            const AppendMessage& m) {
  v1::AppendMessageRequest::Header header;
  header.set_user_id(user_id);
  header.set_mailbox(mailbox);
  *header.mutable_flags() = FlagsFromList(m.flags);
  if (m.internal_date) {
    header.mutable_internal_date()->set_seconds(absl::ToUnixSeconds(m.internal_date->time));
  }
  header.set_size(m.size);
  return header;
}

}  // namespace

asio::awaitable<void> Session::CmdAppend(ReadEvent event) {
  const std::string tag = event.tag;
  std::vector<store_client::AppendWriter> writers;
  std::string mailbox;
  absl::Status failed;  // the first store error while streaming
  auto cancel_all = [&writers] {
    for (store_client::AppendWriter& w : writers) w.Cancel();
  };
  while (event.kind == ReadEvent::Kind::kLiteralStart) {
    absl::StatusOr<AppendPrefix> prefix = ParseAppendPrefix(event.command.args, utf8());
    if (!prefix.ok() || static_cast<int>(writers.size()) >= config_.max_append_messages) {
      // The reader skips the literal (and the rest of the command) itself.
      reader_->RejectLiteral();
      cancel_all();
      co_return Bad(tag, prefix.ok() ? "Too many messages in one APPEND"
                                     : prefix.status().message());
    }
    mailbox = prefix->mailbox;
    prefix->pending.size = event.size;
    writers.push_back(
        context_.store.StartAppendMessage(MakeHeader(user_id_, mailbox, prefix->pending)));
    if (event.synchronizing && !co_await AcceptLiteral(event.size)) {
      cancel_all();
      co_return;
    }
    while (true) {
      absl::StatusOr<ReadEvent> next = co_await NextEvent();
      if (!next.ok()) {
        cancel_all();
        state_ = State::kLogout;
        co_return;
      }
      event = *std::move(next);
      if (event.kind != ReadEvent::Kind::kLiteralChunk) break;
      if (failed.ok()) {
        absl::Status s = co_await writers.back().Write(std::string(event.chunk));
        if (!s.ok()) failed = s;
      }
    }
  }
  switch (event.kind) {
    case ReadEvent::Kind::kCommand:
      break;
    case ReadEvent::Kind::kLiteralTooLarge:
      cancel_all();
      co_return Tagged(tag, StatusKind::kNo, code::kTooBig, "Message exceeds APPENDLIMIT");
    case ReadEvent::Kind::kError:
      cancel_all();
      co_return Bad(tag, event.message);
    default:
      cancel_all();
      co_return Bad(tag, "Unexpected input in APPEND");
  }
  absl::StatusOr<AppendArgs> args = ParseAppendArgs(event.command.args, utf8());
  if (!args.ok()) {
    cancel_all();
    co_return Bad(tag, args.status().message());
  }
  mailbox = args->mailbox;
  // Messages the reader buffered instead of streaming (none with the default options).
  for (const AppendMessage& m : args->messages) {
    if (m.streamed) continue;
    AppendMessage copy = m;
    copy.size = m.data.size();
    writers.push_back(context_.store.StartAppendMessage(MakeHeader(user_id_, mailbox, copy)));
    if (failed.ok()) {
      absl::Status s = co_await writers.back().Write(m.data);
      if (!s.ok()) failed = s;
    }
  }
  if (writers.empty()) co_return Bad(tag, "APPEND needs a message");
  if (!failed.ok()) {
    cancel_all();
  } else {
    std::vector<uint32_t> uids;
    uint32_t uidvalidity = 0;
    for (store_client::AppendWriter& w : writers) {
      absl::StatusOr<v1::AppendMessageResponse> r = co_await w.Finish();
      if (!r.ok()) {
        failed = r.status();
        cancel_all();
        break;
      }
      uidvalidity = r->uidvalidity();
      uids.push_back(r->uid());
    }
    if (failed.ok()) {
      if (state_ == State::kSelected && mailbox == selected_name_) {
        view_.NoteNewMessages();
        co_await SendUpdates(true);
      }
      std::string uid_list;
      for (uint32_t uid : uids) absl::StrAppend(&uid_list, uid_list.empty() ? "" : ",", uid);
      co_return Tagged(tag, StatusKind::kOk, code::AppendUid(uidvalidity, uid_list),
                       "APPEND completed");
    }
  }
  if (absl::IsNotFound(failed)) {
    co_return Tagged(tag, StatusKind::kNo, code::kTryCreate, "No such mailbox");
  }
  StoreError(tag, failed, "APPEND");
}

}  // namespace mailroom::imap
