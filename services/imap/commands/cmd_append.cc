// APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), APPENDUID (RFC 4315) and
// APPENDLIMIT (RFC 7889). Message literals are streamed: each one flows chunk by chunk from
// the CommandReader into the store, so no message is held whole. All messages of one command
// go into ONE client-streaming AppendMessage call (a further header starts the next message),
// which the store commits as one transaction when the command ends: any failure (bad syntax
// in a later message, APPENDLIMIT, a store error, a client gone mid-literal) cancels the call
// and stores none of them (RFC 3502 §6.3.11).
#include <optional>
#include <vector>

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

// Starts the next message of the command's one AppendMessage stream; the first message opens
// the stream.
asio::awaitable<absl::Status> StartMessage(store_client::StoreClient& store,
                                           std::optional<store_client::AppendWriter>& writer,
                                           v1::AppendMessageRequest::Header header) {
  if (!writer) {
    writer.emplace(store.StartAppendMessage(std::move(header)));
    co_return absl::OkStatus();
  }
  co_return co_await writer->NextMessage(std::move(header));
}

}  // namespace

asio::awaitable<void> Session::CmdAppend(ReadEvent event) {
  const std::string tag = event.tag;
  std::optional<store_client::AppendWriter> writer;
  int messages = 0;
  std::vector<v1::Flags> flags;  // of each message, in order
  std::string mailbox;
  absl::Status failed;  // the first store error: the command then stores nothing
  // Every early return cancels the stream, and a cancelled stream stores nothing.
  auto cancel = [&writer] {
    if (writer) writer->Cancel();
  };
  // RFC 3502 §6.3.11: the command fails as a whole, [TRYCREATE] for a missing mailbox.
  auto refuse = [&](const absl::Status& status) {
    cancel();
    if (absl::IsNotFound(status)) {
      Tagged(tag, StatusKind::kNo, code::kTryCreate, "No such mailbox");
    } else {
      StoreError(tag, status, "APPEND");
    }
  };
  while (event.kind == ReadEvent::Kind::kLiteralStart) {
    absl::StatusOr<AppendPrefix> prefix = ParseAppendPrefix(event.command.args, utf8());
    if (!prefix.ok() || messages >= config_.max_append_messages) {
      // The reader skips the literal (and the rest of the command) itself.
      reader_->RejectLiteral();
      cancel();
      co_return Bad(tag, prefix.ok() ? "Too many messages in one APPEND"
                                     : prefix.status().message());
    }
    if (!failed.ok()) {
      // No use reading more messages once the command has failed: without our continuation
      // request the client sends no more of them.
      reader_->RejectLiteral();
      co_return refuse(failed);
    }
    if (event.size == 0) {
      // RFC 3502 §6.3.11: a zero-length message literal is an error and cancels the APPEND.
      reader_->RejectLiteral();
      cancel();
      co_return Tagged(tag, StatusKind::kNo, "", "Empty message: APPEND cancelled");
    }
    mailbox = prefix->mailbox;
    prefix->pending.size = event.size;
    v1::AppendMessageRequest::Header header = MakeHeader(user_id_, mailbox, prefix->pending);
    flags.push_back(header.flags());
    failed = co_await StartMessage(context_.store, writer, std::move(header));
    ++messages;
    if (!failed.ok()) {
      reader_->RejectLiteral();
      co_return refuse(failed);
    }
    if (event.synchronizing && !co_await AcceptLiteral(event.size)) {
      cancel();
      co_return;
    }
    while (true) {
      absl::StatusOr<ReadEvent> next = co_await NextEvent();
      if (!next.ok()) {
        // The client went away mid-literal: nothing of the command is stored.
        cancel();
        state_ = State::kLogout;
        co_return;
      }
      event = *std::move(next);
      if (event.kind != ReadEvent::Kind::kLiteralChunk) break;
      if (failed.ok()) failed = co_await writer->Write(std::string(event.chunk));
    }
  }
  switch (event.kind) {
    case ReadEvent::Kind::kCommand:
      break;
    case ReadEvent::Kind::kLiteralTooLarge:
      cancel();
      co_return Tagged(tag, StatusKind::kNo, code::kTooBig, "Message exceeds APPENDLIMIT");
    case ReadEvent::Kind::kError:
      cancel();
      co_return Bad(tag, event.message);
    default:
      cancel();
      co_return Bad(tag, "Unexpected input in APPEND");
  }
  absl::StatusOr<AppendArgs> args = ParseAppendArgs(event.command.args, utf8());
  if (!args.ok()) {
    cancel();
    co_return Bad(tag, args.status().message());
  }
  mailbox = args->mailbox;
  // Messages the reader buffered instead of streaming (none with the default options).
  for (const AppendMessage& m : args->messages) {
    if (m.streamed || !failed.ok()) continue;
    if (messages >= config_.max_append_messages) {
      cancel();
      co_return Bad(tag, "Too many messages in one APPEND");
    }
    AppendMessage copy = m;
    copy.size = m.data.size();
    v1::AppendMessageRequest::Header header = MakeHeader(user_id_, mailbox, copy);
    flags.push_back(header.flags());
    failed = co_await StartMessage(context_.store, writer, std::move(header));
    ++messages;
    if (failed.ok()) failed = co_await writer->Write(m.data);
  }
  if (messages == 0) co_return Bad(tag, "APPEND needs a message");
  if (!failed.ok()) co_return refuse(failed);
  absl::StatusOr<v1::AppendMessageResponse> r = co_await writer->Finish();
  if (!r.ok()) co_return refuse(r.status());
  // RFC 4315 §3: APPENDUID with the uid-set of all appended messages, in order (consecutive
  // UIDs from one transaction: "a:b").
  std::vector<uint32_t> uids(r->uids().begin(), r->uids().end());
  if (uids.empty()) uids.push_back(r->uid());
  if (state_ == State::kSelected && mailbox == selected_name_) {
    // The new messages go into the view now (EXISTS with this tagged OK), from what this
    // command knows when nothing else came in between, else fetched from the store.
    if (r->uidvalidity() != view_.uidvalidity() || !view_.AddOwnAppended(uids, flags)) {
      view_.NoteNewMessages();
    }
    co_await SendUpdates(true);
  }
  co_return Tagged(tag, StatusKind::kOk, code::AppendUid(r->uidvalidity(), RenderCompact(uids)),
                   "APPEND completed");
}

}  // namespace mailroom::imap
