// STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9): flags and keywords through the store's
// StoreFlags; the untagged FETCH answers come from the results and the session's flags cache.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/imap/protocol/store_args.h"
#include "services/imap/session/convert.h"
#include "services/imap/session/session.h"

namespace mailroom::imap {
namespace {

// The flags `old` would have after this STORE alone (no other session's change in between).
v1::Flags Applied(const v1::Flags& old, v1::StoreFlagsRequest::Mode mode, const v1::Flags& req) {
  if (mode == v1::StoreFlagsRequest::MODE_REPLACE) return req;
  v1::Flags out;
  const bool add = mode == v1::StoreFlagsRequest::MODE_ADD;
  out.set_system(add ? (old.system() | req.system()) : (old.system() & ~req.system()));
  for (const std::string& k : old.keywords()) {
    if (add || std::find(req.keywords().begin(), req.keywords().end(), k) == req.keywords().end()) {
      out.add_keywords(k);
    }
  }
  if (add) {
    for (const std::string& k : req.keywords()) {
      if (std::find(out.keywords().begin(), out.keywords().end(), k) == out.keywords().end()) {
        out.add_keywords(k);
      }
    }
  }
  return out;
}

}  // namespace

asio::awaitable<void> Session::CmdStore(const Command& c) {
  const bool uid_command = c.name == "UID STORE";
  absl::StatusOr<StoreArgs> args = ParseStoreArgs(c.args);
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  if (args->unchanged_since) {
    co_return Bad(c.tag, "UNCHANGEDSINCE needs CONDSTORE, which is not supported");
  }
  std::vector<uint32_t> uids;
  if (uid_command) {
    uids = view_.UidsForUidSet(args->set);
  } else {
    std::optional<std::vector<uint32_t>> resolved = view_.UidsForSequences(args->set);
    if (!resolved) co_return Bad(c.tag, "Invalid message sequence number");
    uids = *std::move(resolved);
  }
  if (read_only_) {
    co_return Tagged(c.tag, StatusKind::kNo, code::kReadOnly, "Mailbox is read-only");
  }
  if (uids.empty()) co_return Tagged(c.tag, StatusKind::kOk, "", "STORE completed");
  v1::StoreFlagsRequest request;
  request.set_user_id(user_id_);
  request.set_mailbox_id(view_.mailbox_id());
  *request.mutable_uids() = view_.ToUidSet(uids);
  switch (args->mode) {
    case StoreArgs::Mode::kReplace:
      request.set_mode(v1::StoreFlagsRequest::MODE_REPLACE);
      break;
    case StoreArgs::Mode::kAdd:
      request.set_mode(v1::StoreFlagsRequest::MODE_ADD);
      break;
    case StoreArgs::Mode::kRemove:
      request.set_mode(v1::StoreFlagsRequest::MODE_REMOVE);
      break;
  }
  *request.mutable_flags() = FlagsFromList(args->flags);
  const v1::StoreFlagsRequest::Mode mode = request.mode();
  const v1::Flags requested = request.flags();
  absl::StatusOr<v1::StoreFlagsResponse> r =
      co_await context_.store.StoreFlags(std::move(request));
  if (!r.ok()) co_return StoreError(c.tag, r.status(), c.name);
  if (r->updated_size() > 0) {
    std::vector<uint32_t> changed;
    for (const v1::MessageSummary& m : r->updated()) changed.push_back(m.uid());
    view_.NoteOwnChange(r->highestmodseq(), changed);
  }
  for (const v1::MessageSummary& m : r->updated()) {
    // RFC 3501 §6.4.6: even with .SILENT the client must hear of flags another session
    // changed meanwhile, or its view stays wrong (the cache below would hide that change).
    const v1::Flags* old = args->silent ? view_.FlagsOf(m.uid()) : nullptr;
    const bool surprise = old != nullptr &&
                          !SameFlags(Applied(*old, mode, requested), m.flags());
    const uint32_t seq = view_.UpdateFlags(m.uid(), m.flags());
    if (surprise && seq != 0) {
      Untagged(absl::StrCat(seq, " FETCH (", uid_command ? absl::StrCat("UID ", m.uid(), " ") : "",
                            "FLAGS ", FlagsList(m.flags()), ")"));
    }
  }
  bool missing = false;
  if (!args->silent) {
    // RFC 9051 §6.4.6: the flags of every message of the set, changed or not.
    for (uint32_t uid : uids) {
      if (view_.IsExpungePending(uid)) {
        missing = true;
        continue;
      }
      const v1::Flags* flags = view_.FlagsOf(uid);
      if (flags == nullptr) continue;
      if (uid_command) {
        Untagged(absl::StrCat(view_.SeqOf(uid), " FETCH (UID ", uid, " FLAGS ",
                              FlagsList(*flags), ")"));
      } else {
        Untagged(absl::StrCat(view_.SeqOf(uid), " FETCH (FLAGS ", FlagsList(*flags), ")"));
      }
    }
    if (!co_await MaybeFlush()) co_return;
  }
  if (missing) {
    co_return Tagged(c.tag, StatusKind::kNo, code::kExpungeIssued,
                     "Some of the messages no longer exist");
  }
  Tagged(c.tag, StatusKind::kOk, "", "STORE completed");
}

}  // namespace mailroom::imap
