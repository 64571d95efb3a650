// SELECT / EXAMINE (RFC 9051 §6.3.2, §6.3.3), CLOSE (§6.4.1) and UNSELECT (§6.4.2, RFC 3691).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/imap/commands/special_use.h"
#include "services/imap/protocol/expunge_args.h"
#include "services/imap/protocol/select_args.h"
#include "services/imap/session/session.h"

namespace mailroom::imap {

asio::awaitable<void> Session::CmdSelect(const Command& c) {
  absl::StatusOr<SelectArgs> args = ParseSelectArgs(c.args, utf8());
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  if (args->condstore || args->qresync) {
    co_return Bad(c.tag, "CONDSTORE and QRESYNC are not supported");
  }
  if (state_ == State::kSelected) {
    // RFC 9051 §6.3.2: the previous mailbox is closed first (without expunging).
    Deselect();
    Untagged("OK [CLOSED] Previous mailbox closed");
  }
  v1::SelectMailboxRequest request;
  request.set_user_id(user_id_);
  request.set_name(args->mailbox);
  absl::StatusOr<v1::SelectMailboxResponse> r =
      co_await context_.store.SelectMailbox(std::move(request));
  if (!r.ok()) co_return StoreError(c.tag, r.status(), c.name);
  view_.Load(*r);
  selected_name_ = args->mailbox;
  read_only_ = c.name == "EXAMINE";
  state_ = State::kSelected;

  std::string flags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
  for (const std::string& k : r->keywords()) absl::StrAppend(&flags, " ", k);
  Untagged(absl::StrCat("FLAGS (", flags, ")"));
  Untagged(absl::StrCat(view_.exists(), " EXISTS"));
  if (!rev2_) {
    Untagged("0 RECENT");
    // RFC 3501 §6.3.1: the first unseen message.
    for (uint32_t seq = 1; seq <= view_.exists(); ++seq) {
      if ((view_.FlagsOf(view_.UidAt(seq))->system() & v1::SYSTEM_FLAG_SEEN) == 0) {
        Untagged(absl::StrCat("OK [UNSEEN ", seq, "] First unseen"));
        break;
      }
    }
  }
  Untagged(absl::StrCat("OK [UIDVALIDITY ", view_.uidvalidity(), "] UIDs valid"));
  Untagged(absl::StrCat("OK [UIDNEXT ", view_.uidnext(), "] Predicted next UID"));
  if (read_only_) {
    Untagged("OK [PERMANENTFLAGS ()] Read-only mailbox");
  } else {
    Untagged(absl::StrCat("OK [PERMANENTFLAGS (", flags, " \\*)] Flags permitted"));
  }
  if (rev2_) {
    // RFC 9051 §6.3.2: a LIST response with the mailbox name.
    ResponseBuilder b(utf8());
    b.Raw("LIST ").Open();
    absl::string_view use = SpecialUseAttribute(r->mailbox().special_use());
    if (!use.empty()) b.Atom(use);
    b.Close().String("/").String(WireName(args->mailbox));
    Untagged(b.Take());
  }
  StartWatch();
  Tagged(c.tag, StatusKind::kOk, read_only_ ? code::kReadOnly : code::kReadWrite,
         absl::StrCat(c.name, " completed"));
}

asio::awaitable<void> Session::CmdClose(const Command& c) {
  if (!ParseNoArgs(c.args).ok()) co_return Bad(c.tag, "No arguments expected");
  if (c.name == "CLOSE" && !read_only_) {
    // RFC 9051 §6.4.1: expunge \Deleted messages silently.
    v1::ExpungeRequest request;
    request.set_user_id(user_id_);
    request.set_mailbox_id(view_.mailbox_id());
    absl::StatusOr<v1::ExpungeResponse> r = co_await context_.store.Expunge(std::move(request));
    if (!r.ok()) co_return StoreError(c.tag, r.status(), "CLOSE");
  }
  Deselect();
  Tagged(c.tag, StatusKind::kOk, "", absl::StrCat(c.name, " completed"));
}

}  // namespace mailroom::imap
