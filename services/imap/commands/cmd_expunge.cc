// EXPUNGE and UID EXPUNGE (RFC 9051 §6.4.3, §6.4.9; RFC 4315 §2.1): the store removes the
// \Deleted messages and the session announces each one with an untagged EXPUNGE.
#include "absl/strings/str_cat.h"
#include "services/imap/protocol/expunge_args.h"
#include "services/imap/session/session.h"

namespace mailroom::imap {

asio::awaitable<void> Session::CmdExpunge(const Command& c) {
  v1::ExpungeRequest request;
  request.set_user_id(user_id_);
  request.set_mailbox_id(view_.mailbox_id());
  if (c.name == "UID EXPUNGE") {
    absl::StatusOr<SequenceSet> set = ParseUidExpungeArgs(c.args);
    if (!set.ok()) co_return Bad(c.tag, set.status().message());
    std::vector<uint32_t> uids = view_.UidsForUidSet(*set);
    if (read_only_) {
      co_return Tagged(c.tag, StatusKind::kNo, code::kReadOnly, "Mailbox is read-only");
    }
    if (uids.empty()) co_return Tagged(c.tag, StatusKind::kOk, "", "UID EXPUNGE completed");
    *request.mutable_uids() = view_.ToUidSet(uids);
    request.set_only_deleted(true);
  } else {
    if (!ParseNoArgs(c.args).ok()) co_return Bad(c.tag, "EXPUNGE takes no arguments");
    if (read_only_) {
      co_return Tagged(c.tag, StatusKind::kNo, code::kReadOnly, "Mailbox is read-only");
    }
  }
  absl::StatusOr<v1::ExpungeResponse> r = co_await context_.store.Expunge(std::move(request));
  if (!r.ok()) co_return StoreError(c.tag, r.status(), c.name);
  std::vector<uint32_t> gone(r->expunged_uids().begin(), r->expunged_uids().end());
  view_.NoteExpunged(gone);
  force_expunge_ = true;
  Tagged(c.tag, StatusKind::kOk, "", absl::StrCat(c.name, " completed"));
}

}  // namespace mailroom::imap
