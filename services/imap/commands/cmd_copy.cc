// COPY, MOVE and their UID forms (RFC 9051 §6.4.7, §6.4.8, §6.4.9; RFC 4315 COPYUID; RFC 6851
// MOVE): one CopyMessages call; MOVE's expunges are announced right away.
#include "absl/strings/str_cat.h"
#include "services/imap/protocol/copy_args.h"
#include "services/imap/session/session.h"

namespace mailroom::imap {

asio::awaitable<void> Session::CmdCopy(const Command& c) {
  const bool uid_command = c.name.rfind("UID ", 0) == 0;
  const bool move = c.name == "MOVE" || c.name == "UID MOVE";
  absl::StatusOr<CopyArgs> args = ParseCopyArgs(c.args, utf8());
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  std::vector<uint32_t> uids;
  if (uid_command) {
    uids = view_.UidsForUidSet(args->set);
  } else {
    std::optional<std::vector<uint32_t>> resolved = view_.UidsForSequences(args->set);
    if (!resolved) co_return Bad(c.tag, "Invalid message sequence number");
    uids = *std::move(resolved);
  }
  if (move && read_only_) {
    co_return Tagged(c.tag, StatusKind::kNo, code::kReadOnly, "Mailbox is read-only");
  }
  if (uids.empty()) co_return Tagged(c.tag, StatusKind::kOk, "", "No messages");
  v1::CopyMessagesRequest request;
  request.set_user_id(user_id_);
  request.set_mailbox_id(view_.mailbox_id());
  *request.mutable_uids() = view_.ToUidSet(uids);
  request.set_destination(args->mailbox);
  request.set_move(move);
  absl::StatusOr<v1::CopyMessagesResponse> r =
      co_await context_.store.CopyMessages(std::move(request));
  if (!r.ok()) {
    if (absl::IsNotFound(r.status())) {
      // RFC 9051 §6.4.7: the destination does not exist; the client may CREATE it.
      co_return Tagged(c.tag, StatusKind::kNo, code::kTryCreate, "No such mailbox");
    }
    co_return StoreError(c.tag, r.status(), c.name);
  }
  std::string copyuid;
  if (r->source_uids_size() > 0) {
    std::vector<uint32_t> src(r->source_uids().begin(), r->source_uids().end());
    std::vector<uint32_t> dst(r->destination_uids().begin(), r->destination_uids().end());
    // RFC 4315 §3: both sets in the same order; ranges only where both run consecutively.
    std::string src_set, dst_set;
    for (size_t i = 0; i < src.size();) {
      size_t j = i;
      while (j + 1 < src.size() && src[j + 1] == src[j] + 1 && dst[j + 1] == dst[j] + 1) ++j;
      const std::string sep = i == 0 ? "" : ",";
      if (j == i) {
        absl::StrAppend(&src_set, sep, src[i]);
        absl::StrAppend(&dst_set, sep, dst[i]);
      } else {
        absl::StrAppend(&src_set, sep, src[i], ":", src[j]);
        absl::StrAppend(&dst_set, sep, dst[i], ":", dst[j]);
      }
      i = j + 1;
    }
    copyuid = code::CopyUid(r->destination_uidvalidity(), src_set, dst_set);
  }
  if (args->mailbox == selected_name_) view_.NoteNewMessages();
  if (move) {
    // RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges.
    if (!copyuid.empty()) Untagged(absl::StrCat("OK [", copyuid, "] Moved"));
    std::vector<uint32_t> moved(r->source_uids().begin(), r->source_uids().end());
    view_.NoteExpunged(moved.empty() ? uids : moved);
    force_expunge_ = true;
    co_return Tagged(c.tag, StatusKind::kOk, "", absl::StrCat(c.name, " completed"));
  }
  Tagged(c.tag, StatusKind::kOk, copyuid, absl::StrCat(c.name, " completed"));
}

}  // namespace mailroom::imap
