// The IMAP session loop: greeting, reading commands through the CommandReader (literals,
// continuation requests), dispatch through the command table, ordered replies, selected-
// mailbox updates and the drain goodbye.
#include "services/imap/session/session.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/imap/commands/command_table.h"
#include "services/imap/protocol/command_builder.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/shared/log/log.h"
#include "services/shared/net/stream.h"

namespace mailroom::imap {

Session::Session(net::Connection& conn, frontend::FrontendContext& context,
                 const SessionConfig& config, ImapMetrics& metrics)
    : conn_(conn), context_(context), config_(config), metrics_(metrics) {
  ResetReader();
}

void Session::ResetReader() {
  CommandReaderOptions options;
  options.limits.max_line_length = conn_.limits().max_line_length + 2;
  options.limits.max_literal_size = config_.max_literal;
  options.limits.max_append_literal_size = config_.append_limit;
  options.limits.max_command_size = config_.max_command_bytes;
  options.limits.max_depth = config_.max_depth;
  reader_ = std::make_unique<CommandReader>(options);
  raw_remaining_ = 0;
}

Session::~Session() { watch_.Cancel(); }

void Session::Untagged(absl::string_view line) {
  out_.append("* ");
  out_.append(line.data(), line.size());
  out_.append("\r\n");
}

void Session::Tagged(absl::string_view tag, StatusKind kind, absl::string_view code,
                     absl::string_view text) {
  tagged_ = StatusResponse(absl::string_view(tag.data(), tag.size()), kind,
                           absl::string_view(code.data(), code.size()),
                           absl::string_view(text.data(), text.size()));
  metrics_.Command(command_name_, kind == StatusKind::kOk   ? "ok"
                                  : kind == StatusKind::kNo ? "no"
                                                            : "bad");
}

void Session::Bad(absl::string_view tag, absl::string_view text) {
  ++bad_commands_;
  Tagged(tag.empty() ? "*" : tag, StatusKind::kBad, "", text);
}

void Session::StoreError(absl::string_view tag, const absl::Status& status,
                         absl::string_view what) {
  absl::string_view code;
  std::string text;
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      code = code::kNonExistent;
      text = absl::StrCat(what, ": no such mailbox");
      break;
    case absl::StatusCode::kAlreadyExists:
      code = code::kAlreadyExists;
      text = absl::StrCat(what, ": mailbox already exists");
      break;
    case absl::StatusCode::kResourceExhausted:
      code = code::kOverQuota;
      text = absl::StrCat(what, ": quota or size limit exceeded");
      break;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
      code = code::kCannot;
      text = absl::StrCat(what, ": ", status.message());
      break;
    case absl::StatusCode::kPermissionDenied:
      code = code::kNoPerm;
      text = absl::StrCat(what, ": permission denied");
      break;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      code = code::kUnavailable;
      text = absl::StrCat(what, ": mail store temporarily unavailable, try again");
      break;
    default:
      code = code::kServerBug;
      text = absl::StrCat(what, ": internal error");
      break;
  }
  if (code == code::kServerBug || code == code::kUnavailable) {
    log::Warning("store call failed", {{"session", conn_.session_id()},
                                       {"command", command_name_},
                                       {"error", std::string(status.message())}});
  }
  Tagged(tag, StatusKind::kNo, code, text);
}

asio::awaitable<bool> Session::Flush() {
  out_.append(tagged_);
  tagged_.clear();
  if (out_.empty() || write_failed_) co_return !write_failed_;
  std::string data;
  data.swap(out_);
  absl::Status s = co_await conn_.Write(data);
  if (!s.ok()) write_failed_ = true;
  co_return s.ok();
}

asio::awaitable<bool> Session::MaybeFlush() {
  if (out_.size() < 64 * 1024) co_return !write_failed_;
  std::string data;
  data.swap(out_);
  absl::Status s = co_await conn_.Write(data);
  if (!s.ok()) write_failed_ = true;
  co_return s.ok();
}

bool Session::PlaintextAuthAllowed() const {
  return conn_.IsTls() || (config_.plaintext_auth_on_loopback && conn_.IsLoopback());
}

std::string Session::Capabilities() const {
  std::vector<std::string> caps = {"IMAP4rev1", "IMAP4rev2", "LITERAL+", "SASL-IR", "ID",
                                   "ENABLE", "IDLE", "NAMESPACE"};
  if (state_ == State::kNotAuthenticated) {
    if (context_.tls_available && !conn_.IsTls()) caps.push_back("STARTTLS");
    if (PlaintextAuthAllowed()) {
      caps.push_back("AUTH=PLAIN");
      caps.push_back("AUTH=LOGIN");
    } else {
      caps.push_back("LOGINDISABLED");
    }
    return absl::StrJoin(caps, " ");
  }
  // MULTIAPPEND (RFC 3502): all messages of one APPEND are committed in one store transaction,
  // or none is (commands/cmd_append.cc).
  for (const char* c : {"UIDPLUS", "MOVE", "UNSELECT", "CHILDREN", "SPECIAL-USE",
                        "CREATE-SPECIAL-USE", "LIST-EXTENDED", "LIST-STATUS", "ESEARCH",
                        "SEARCHRES", "STATUS=SIZE", "MULTIAPPEND", "BINARY"}) {
    caps.push_back(c);
  }
  caps.push_back(absl::StrCat("APPENDLIMIT=", config_.append_limit));
  return absl::StrJoin(caps, " ");
}

std::string Session::WireName(absl::string_view name) const {
  return MailboxToWire(absl::string_view(name.data(), name.size()), utf8());
}

std::string Session::FlagsList(const v1::Flags& flags) const {
  std::string out = "(";
  auto add = [&out](absl::string_view f) {
    if (out.size() > 1) out.push_back(' ');
    out.append(f.data(), f.size());
  };
  if (flags.system() & v1::SYSTEM_FLAG_ANSWERED) add("\\Answered");
  if (flags.system() & v1::SYSTEM_FLAG_FLAGGED) add("\\Flagged");
  if (flags.system() & v1::SYSTEM_FLAG_DELETED) add("\\Deleted");
  if (flags.system() & v1::SYSTEM_FLAG_SEEN) add("\\Seen");
  if (flags.system() & v1::SYSTEM_FLAG_DRAFT) add("\\Draft");
  for (const std::string& k : flags.keywords()) add(k);
  out.push_back(')');
  return out;
}

asio::awaitable<absl::StatusOr<ReadEvent>> Session::NextEvent() {
  while (true) {
    ReadEvent event = reader_->Next();
    if (event.kind != ReadEvent::Kind::kNeedMore) co_return event;
    if (raw_remaining_ > 0) {
      absl::StatusOr<absl::string_view> bytes =
          co_await conn_.reader().ReadSome(static_cast<size_t>(
              std::min<uint64_t>(raw_remaining_, conn_.reader().chunk_capacity())));
      if (!bytes.ok()) co_return bytes.status();
      raw_remaining_ -= bytes->size();
      reader_->Feed(*bytes);
      continue;
    }
    absl::StatusOr<net::Line> line = co_await conn_.ReadCommandLine();
    if (!line.ok()) co_return line.status();
    std::string text(line->text);
    const std::optional<LiteralSpec> spec = TrailingLiteralSpec(text);
    text.append("\r\n");
    reader_->Feed(text);
    // A non-synchronizing literal follows at once (RFC 7888); a synchronizing one only after
    // our continuation request (AcceptLiteral).
    if (spec && !spec->synchronizing) raw_remaining_ = spec->size;
  }
}

asio::awaitable<bool> Session::AcceptLiteral(uint64_t size) {
  out_.append(ContinuationRequest("go ahead"));
  raw_remaining_ = size;
  co_return co_await Flush();
}

asio::awaitable<void> Session::Run() {
  executor_ = co_await asio::this_coro::executor;
  conn_.reader().set_timeout(config_.login_timeout);
  Untagged(absl::StrCat("OK [CAPABILITY ", Capabilities(), "] ", config_.hostname,
                        " Mailroom IMAP ready"));
  while (state_ != State::kLogout && !write_failed_) {
    if (!conn_.reader().HasBufferedLine() && raw_remaining_ == 0) {
      if (!co_await Flush()) break;
    }
    absl::StatusOr<ReadEvent> event = co_await NextEvent();
    if (!event.ok()) {
      if (net::IsCancelledByServer(event.status())) {
        Untagged("BYE Server shutting down, please reconnect");
      } else if (net::IsTimeout(event.status())) {
        Untagged("BYE Autologout; idle for too long");
      } else if (net::IsLineTooLong(event.status())) {
        // RFC 9051 §4: the rest of the line was dropped; start afresh with the next one.
        ResetReader();
        command_name_ = "unknown";
        Bad("*", "Line too long");
        out_.append(tagged_);
        tagged_.clear();
        if (bad_commands_ < config_.max_bad_commands) continue;
        Untagged("BYE Too many invalid commands");
      }
      break;
    }
    co_await HandleEvent(*std::move(event));
    if (bad_commands_ >= config_.max_bad_commands && state_ != State::kLogout) {
      out_.append(tagged_);
      tagged_.clear();
      Untagged("BYE Too many invalid commands");
      break;
    }
  }
  co_await Flush();
  Deselect();
}

asio::awaitable<void> Session::HandleEvent(ReadEvent event) {
  command_name_ = event.name.empty() ? "unknown" : event.name;
  const CommandSpec* spec = FindCommand(event.name);
  if (spec == nullptr) command_name_ = "unknown";
  switch (event.kind) {
    case ReadEvent::Kind::kCommand:
      if (event.name == "APPEND") {
        if (spec != nullptr && !Allowed(*spec, state_)) {
          Bad(event.tag, "APPEND needs an authenticated session");
        } else {
          co_await CmdAppend(std::move(event));
        }
        break;
      }
      co_await Dispatch(event.command);
      co_return;
    case ReadEvent::Kind::kNeedContinuation:
      // RFC 9051 §7.5: a synchronizing literal of a command we will parse.
      co_await AcceptLiteral(event.size);
      co_return;
    case ReadEvent::Kind::kLiteralStart:
      if (!Allowed(*FindCommand("APPEND"), state_)) {
        reader_->RejectLiteral();
        if (!event.synchronizing) raw_remaining_ = 0;
        Bad(event.tag, "APPEND needs an authenticated session");
        break;
      }
      co_await CmdAppend(std::move(event));
      break;
    case ReadEvent::Kind::kLiteralTooLarge:
      if (event.name == "APPEND") {
        // RFC 7889 §4: APPENDLIMIT exceeded.
        Tagged(event.tag, StatusKind::kNo, code::kTooBig, "Message exceeds APPENDLIMIT");
      } else {
        Bad(event.tag, "Literal too large");
      }
      break;
    case ReadEvent::Kind::kError:
      Bad(event.tag, event.message);
      break;
    default:
      Bad(event.tag, "Unexpected input");
      break;
  }
  out_.append(tagged_);
  tagged_.clear();
}

asio::awaitable<void> Session::Dispatch(const Command& c) {
  const CommandSpec* spec = FindCommand(c.name);
  if (spec == nullptr) {
    Bad(c.tag, "Unknown command");
  } else if (!Allowed(*spec, state_)) {
    if (state_ == State::kNotAuthenticated) {
      Bad(c.tag, "Log in first");
    } else if (spec->states == static_cast<uint8_t>(State::kSelected)) {
      Bad(c.tag, "No mailbox selected");
    } else {
      Bad(c.tag, "Command not valid in this state");
    }
  } else {
    co_await (this->*(spec->handler))(c);
    if (state_ == State::kSelected && !tagged_.empty()) {
      co_await SendUpdates(spec->allows_expunge);
    }
  }
  out_.append(tagged_);
  tagged_.clear();
}

// --- Selected mailbox -----------------------------------------------------------------------

void Session::StartWatch() {
  watch_lost_ = false;
  store_client::WatchCallbacks callbacks;
  callbacks.on_event = [this](v1::ChangeEvent event) {
    if (event.kind() == v1::ChangeEvent::KIND_READY) {
      // Changes between SelectMailbox and the watch being in place are fetched by a resync.
      view_.RequestResync();
    } else if (event.mailbox_id() == view_.mailbox_id() &&
               event.kind() == v1::ChangeEvent::KIND_MAILBOX_DELETED) {
      selected_deleted_ = true;  // by another session; SendUpdates says BYE
    } else if (event.mailbox_id() == view_.mailbox_id() &&
               event.kind() == v1::ChangeEvent::KIND_MAILBOX_RENAMED) {
      // Renamed by another session: the same mailbox (same UIDVALIDITY) under its new name,
      // which resyncs and APPEND/COPY to the selected mailbox must use from now on.
      selected_name_ = event.mailbox_name();
    } else {
      view_.OnEvent(event);
    }
    idle_wake_ = true;
    if (idle_timer_ != nullptr) idle_timer_->cancel();
  };
  callbacks.on_end = [this](absl::Status) {
    watch_lost_ = true;
    idle_wake_ = true;
    if (idle_timer_ != nullptr) idle_timer_->cancel();
  };
  watch_ = context_.store.Watch(user_id_, view_.mailbox_id(), executor_, std::move(callbacks));
}

void Session::Deselect() {
  watch_.Cancel();
  watch_ = store_client::WatchHandle();
  view_ = MailboxView();
  selected_name_.clear();
  read_only_ = false;
  watch_lost_ = false;
  selected_deleted_ = false;
  if (state_ == State::kSelected) state_ = State::kAuthenticated;
}

asio::awaitable<absl::Status> Session::FetchNewMessages() {
  const uint32_t announced = view_.ClearNewPending();
  v1::FetchMessagesRequest request;
  request.set_user_id(user_id_);
  request.set_mailbox_id(view_.mailbox_id());
  v1::UidRange* range = request.mutable_uids()->add_ranges();
  range->set_first(view_.max_uid() + 1);
  range->set_last(0);
  request.mutable_attributes()->set_flags(true);
  absl::StatusOr<std::vector<v1::FetchedMessage>> fetched =
      co_await context_.store.FetchMessages(std::move(request));
  if (!fetched.ok()) co_return fetched.status();
  std::sort(fetched->begin(), fetched->end(),
            [](const auto& a, const auto& b) { return a.uid() < b.uid(); });
  for (const v1::FetchedMessage& m : *fetched) view_.AddMessage(m.uid(), m.flags());
  view_.NewMessagesFetched(announced);
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Session::Resync() {
  view_.ClearResync();
  const uint64_t since = view_.highestmodseq();
  v1::SelectMailboxRequest request;
  request.set_user_id(user_id_);
  request.set_name(selected_name_);
  request.set_changed_since_modseq(since);
  request.set_known_uidvalidity(view_.uidvalidity());
  absl::StatusOr<v1::SelectMailboxResponse> r =
      co_await context_.store.SelectMailbox(std::move(request));
  if (absl::IsNotFound(r.status()) ||
      (r.ok() && r->mailbox().mailbox_id() != view_.mailbox_id())) {
    // Deleted (and perhaps re-created under the same name) while its event was missed.
    selected_deleted_ = true;
    co_return absl::OkStatus();
  }
  if (!r.ok()) co_return r.status();
  std::vector<const v1::MessageSummary*> changed;
  for (const v1::MessageSummary& m : r->messages()) changed.push_back(&m);
  std::sort(changed.begin(), changed.end(),
            [](const auto* a, const auto* b) { return a->uid() < b->uid(); });
  std::vector<uint32_t> present;
  for (const v1::MessageSummary* m : changed) {
    present.push_back(m->uid());
    if (m->uid() > view_.max_uid()) {
      view_.AddMessage(m->uid(), m->flags());
    } else if (uint32_t seq = view_.UpdateFlags(m->uid(), m->flags()); seq != 0) {
      Untagged(absl::StrCat(seq, " FETCH (UID ", m->uid(), " FLAGS ", FlagsList(m->flags()),
                            ")"));
    }
  }
  std::vector<uint32_t> gone;
  auto add_known = [this, &gone](const v1::UidSet& set) {
    for (const v1::UidRange& range : set.ranges()) {
      const uint32_t last = range.last() == 0 ? view_.max_uid() : range.last();
      for (uint32_t seq = 1; seq <= view_.exists(); ++seq) {
        const uint32_t uid = view_.UidAt(seq);
        if (uid >= range.first() && uid <= last) gone.push_back(uid);
      }
    }
  };
  if (since == 0) {
    // A full listing: whatever is missing from it was expunged.
    std::sort(present.begin(), present.end());
    for (uint32_t seq = 1; seq <= view_.exists(); ++seq) {
      const uint32_t uid = view_.UidAt(seq);
      if (!std::binary_search(present.begin(), present.end(), uid)) gone.push_back(uid);
    }
  } else {
    add_known(r->vanished());
    v1::GetExpungedRequest expunged;
    expunged.set_user_id(user_id_);
    expunged.set_mailbox_id(view_.mailbox_id());
    expunged.set_since_modseq(since);
    absl::StatusOr<v1::GetExpungedResponse> e =
        co_await context_.store.GetExpunged(std::move(expunged));
    if (!e.ok()) co_return e.status();
    add_known(e->vanished());
  }
  view_.NoteExpunged(gone);
  view_.RaiseModSeq(r->status().highestmodseq());
  co_return absl::OkStatus();
}

asio::awaitable<bool> Session::ViewIsCurrent() {
  if (watch_lost_ || selected_deleted_) co_return false;
  if (!view_.resync_pending()) co_return true;
  // Due right after SELECT (changes between SelectMailbox and the Watch): done now, its flag
  // changes told as untagged FETCH (allowed during FETCH and SEARCH, RFC 9051 §7.5.1), its
  // expunges and new messages kept for the end of the command.
  absl::Status s = co_await Resync();
  if (!s.ok()) view_.RequestResync();
  co_return s.ok() && !selected_deleted_ && !watch_lost_;
}

asio::awaitable<absl::Status> Session::FetchChangedFlags(std::vector<uint32_t> changed,
                                                        bool tell) {
  if (changed.empty()) co_return absl::OkStatus();
  v1::FetchMessagesRequest request;
  request.set_user_id(user_id_);
  request.set_mailbox_id(view_.mailbox_id());
  *request.mutable_uids() = view_.ToUidSet(changed);
  request.mutable_attributes()->set_flags(true);
  absl::StatusOr<std::vector<v1::FetchedMessage>> fetched =
      co_await context_.store.FetchMessages(std::move(request));
  if (!fetched.ok()) {
    view_.RequestResync();  // the changed UIDs are taken: a resync finds them again
    co_return fetched.status();
  }
  for (const v1::FetchedMessage& m : *fetched) {
    if (!std::binary_search(changed.begin(), changed.end(), m.uid())) continue;
    const uint32_t seq = view_.UpdateFlags(m.uid(), m.flags());
    if (tell && seq != 0) {
      Untagged(absl::StrCat(seq, " FETCH (UID ", m.uid(), " FLAGS ", FlagsList(m.flags()), ")"));
    }
  }
  co_return absl::OkStatus();
}

asio::awaitable<void> Session::SendUpdates(bool allow_expunge) {
  if (state_ != State::kSelected) co_return;
  if (selected_deleted_) {
    // Another session deleted the selected mailbox: its messages are gone and no command on
    // it can succeed, so the session ends (RFC 9051 §7.1.5; what Dovecot does as well). The
    // client reconnects and sees the mailbox list as it is now.
    Untagged("BYE Selected mailbox was deleted, please reconnect");
    state_ = State::kLogout;
    co_return;
  }
  if (watch_lost_) {
    StartWatch();
    view_.RequestResync();
  }
  if (view_.resync_pending()) {
    absl::Status s = co_await Resync();
    if (selected_deleted_) {
      co_await SendUpdates(allow_expunge);  // says BYE
      co_return;
    }
    if (!s.ok()) {
      log::Warning("resync failed", {{"session", conn_.session_id()},
                                     {"error", std::string(s.message())}});
      view_.RequestResync();  // try again at the next chance; else the changes are lost
    }
  }
  if (view_.new_pending()) {
    absl::Status s = co_await FetchNewMessages();
    if (!s.ok()) view_.NoteNewMessages();
  }
  // On failure the view resyncs at the next chance (FetchChangedFlags asked for it).
  absl::Status flags = co_await FetchChangedFlags(view_.TakeFlagsPending(), /*tell=*/true);
  flags.IgnoreError();
  // RFC 9051 §5.5: a pipelined command may already use the current sequence numbers.
  // EXPUNGE and MOVE must announce their own removals whatever follows.
  if (allow_expunge && (force_expunge_ || !conn_.reader().HasBufferedLine())) {
    for (uint32_t seq : view_.TakeExpunges()) Untagged(absl::StrCat(seq, " EXPUNGE"));
  }
  force_expunge_ = false;
  if (std::optional<uint32_t> exists = view_.TakeExists()) {
    Untagged(absl::StrCat(*exists, " EXISTS"));
  }
}

}  // namespace mailroom::imap
