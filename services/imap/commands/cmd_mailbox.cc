// CREATE (RFC 9051 §6.3.4, RFC 6154 §3 CREATE-SPECIAL-USE), DELETE (§6.3.5), RENAME (§6.3.6),
// SUBSCRIBE / UNSUBSCRIBE (§6.3.7, §6.3.8) and STATUS (§6.3.11, RFC 8438 SIZE).
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/imap/commands/special_use.h"
#include "services/imap/protocol/mailbox_args.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/imap/protocol/status_args.h"
#include "services/imap/session/session.h"

namespace mailroom::imap {

asio::awaitable<void> Session::CmdCreate(const Command& c) {
  absl::StatusOr<CreateArgs> args = ParseCreateArgs(c.args, utf8());
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  std::string name = args->mailbox;
  // RFC 9051 §6.3.4: a trailing separator only says the client intends to create children.
  while (!name.empty() && name.back() == '/') name.pop_back();
  if (name.empty()) co_return Bad(c.tag, "Invalid mailbox name");
  if (absl::EqualsIgnoreCase(name, "INBOX")) {
    co_return Tagged(c.tag, StatusKind::kNo, code::kAlreadyExists, "INBOX always exists");
  }
  v1::SpecialUse use = v1::SPECIAL_USE_UNSPECIFIED;
  if (args->special_use.size() > 1) {
    co_return Tagged(c.tag, StatusKind::kNo, code::kUseAttr,
                     "Only one special-use attribute per mailbox");
  }
  if (args->special_use.size() == 1) {
    use = SpecialUseFromAttribute(args->special_use[0]);
    if (use == v1::SPECIAL_USE_UNSPECIFIED) {
      co_return Tagged(c.tag, StatusKind::kNo, code::kUseAttr,
                       "Unsupported special-use attribute");
    }
  }
  v1::CreateMailboxRequest request;
  request.set_user_id(user_id_);
  request.set_name(name);
  request.set_special_use(use);
  absl::StatusOr<v1::CreateMailboxResponse> r =
      co_await context_.store.CreateMailbox(std::move(request));
  if (!r.ok()) co_return StoreError(c.tag, r.status(), "CREATE");
  Tagged(c.tag, StatusKind::kOk, "", "CREATE completed");
}

asio::awaitable<void> Session::CmdDelete(const Command& c) {
  absl::StatusOr<std::string> name = ParseMailboxArg(c.args, utf8());
  if (!name.ok()) co_return Bad(c.tag, name.status().message());
  if (*name == "INBOX") {
    co_return Tagged(c.tag, StatusKind::kNo, code::kCannot, "INBOX cannot be deleted");
  }
  v1::DeleteMailboxRequest request;
  request.set_user_id(user_id_);
  request.set_name(*name);
  absl::Status s = co_await context_.store.DeleteMailbox(std::move(request));
  if (!s.ok()) co_return StoreError(c.tag, s, "DELETE");
  if (state_ == State::kSelected && *name == selected_name_) {
    // RFC 9051 §6.3.5 leaves this open; the selected mailbox is gone, so deselect it.
    Deselect();
    Untagged("OK [CLOSED] Mailbox deleted");
  }
  Tagged(c.tag, StatusKind::kOk, "", "DELETE completed");
}

asio::awaitable<void> Session::CmdRename(const Command& c) {
  absl::StatusOr<RenameArgs> args = ParseRenameArgs(c.args, utf8());
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  std::string to = args->to;
  while (!to.empty() && to.back() == '/') to.pop_back();
  if (to.empty()) co_return Bad(c.tag, "Invalid mailbox name");
  if (absl::EqualsIgnoreCase(to, "INBOX")) {
    co_return Tagged(c.tag, StatusKind::kNo, code::kAlreadyExists, "INBOX always exists");
  }
  v1::RenameMailboxRequest request;
  request.set_user_id(user_id_);
  request.set_from_name(args->from);
  request.set_to_name(to);
  absl::Status s = co_await context_.store.RenameMailbox(std::move(request));
  if (!s.ok()) co_return StoreError(c.tag, s, "RENAME");
  if (state_ == State::kSelected && args->from != "INBOX") {
    if (selected_name_ == args->from) {
      selected_name_ = to;
    } else if (selected_name_.rfind(args->from + "/", 0) == 0) {
      selected_name_ = to + selected_name_.substr(args->from.size());
    }
  }
  Tagged(c.tag, StatusKind::kOk, "", "RENAME completed");
}

asio::awaitable<void> Session::CmdSubscribe(const Command& c) {
  absl::StatusOr<std::string> name = ParseMailboxArg(c.args, utf8());
  if (!name.ok()) co_return Bad(c.tag, name.status().message());
  const bool subscribe = c.name == "SUBSCRIBE";
  v1::SubscribeRequest request;
  request.set_user_id(user_id_);
  request.set_name(*name);
  request.set_subscribe(subscribe);
  absl::Status s = co_await context_.store.Subscribe(std::move(request));
  if (!s.ok()) co_return StoreError(c.tag, s, c.name);
  Tagged(c.tag, StatusKind::kOk, "", absl::StrCat(c.name, " completed"));
}

std::string Session::StatusLine(const v1::MailboxStatus& st, const StatusItems& items) const {
  ResponseBuilder b(utf8());
  b.Raw("STATUS ").String(WireName(st.name())).Open();
  if (items.messages) b.Atom("MESSAGES").Number(st.messages());
  if (items.uidnext) b.Atom("UIDNEXT").Number(st.uidnext());
  if (items.uidvalidity) b.Atom("UIDVALIDITY").Number(st.uidvalidity());
  if (items.unseen) b.Atom("UNSEEN").Number(st.unseen());
  if (items.deleted) b.Atom("DELETED").Number(st.deleted());
  if (items.size) b.Atom("SIZE").Number(st.size());
  if (items.recent) b.Atom("RECENT").Number(0);
  if (items.highestmodseq) b.Atom("HIGHESTMODSEQ").Number(st.highestmodseq());
  if (items.appendlimit) b.Atom("APPENDLIMIT").Number(config_.append_limit);
  b.Close();
  return b.Take();
}

asio::awaitable<void> Session::CmdStatus(const Command& c) {
  absl::StatusOr<StatusArgs> args = ParseStatusArgs(c.args, utf8());
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  if (args->items.highestmodseq) {
    co_return Bad(c.tag, "HIGHESTMODSEQ needs CONDSTORE, which is not supported");
  }
  v1::GetMailboxStatusRequest request;
  request.set_user_id(user_id_);
  request.set_name(args->mailbox);
  absl::StatusOr<v1::GetMailboxStatusResponse> r =
      co_await context_.store.GetMailboxStatus(std::move(request));
  if (!r.ok()) co_return StoreError(c.tag, r.status(), "STATUS");
  v1::MailboxStatus st = r->status();
  st.set_name(args->mailbox);
  Untagged(StatusLine(st, args->items));
  Tagged(c.tag, StatusKind::kOk, "", "STATUS completed");
}

}  // namespace mailroom::imap
