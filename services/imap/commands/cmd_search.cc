// SEARCH and UID SEARCH (RFC 9051 §6.4.4, §6.4.9): the key tree becomes the store's
// SearchKeys (sequence numbers translated to UIDs through the view), or, when it tests only
// system flags, sequence numbers and UIDs, is evaluated in the view; answers as SEARCH or,
// with RETURN (or under IMAP4rev2), ESEARCH (RFC 4731) with MIN MAX ALL COUNT and SAVE
// (RFC 5182 SEARCHRES).
#include <algorithm>
#include <iterator>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/imap/protocol/search_args.h"
#include "services/imap/session/convert.h"
#include "services/imap/session/session.h"

namespace mailroom::imap {
namespace {

google::protobuf::Timestamp DayStart(absl::CivilDay day) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::FromCivil(day, absl::UTCTimeZone())));
  return t;
}

void SetFlag(v1::Flags* flags, uint32_t system) { flags->set_system(flags->system() | system); }

// The system flag a flag key tests and whether it must be set; 0 for other keys.
uint32_t FlagTest(SearchKey::Kind kind, bool* set) {
  *set = true;
  switch (kind) {
    case SearchKey::Kind::kAnswered: return v1::SYSTEM_FLAG_ANSWERED;
    case SearchKey::Kind::kDeleted: return v1::SYSTEM_FLAG_DELETED;
    case SearchKey::Kind::kDraft: return v1::SYSTEM_FLAG_DRAFT;
    case SearchKey::Kind::kFlagged: return v1::SYSTEM_FLAG_FLAGGED;
    case SearchKey::Kind::kSeen: return v1::SYSTEM_FLAG_SEEN;
    default: break;
  }
  *set = false;
  switch (kind) {
    case SearchKey::Kind::kUnanswered: return v1::SYSTEM_FLAG_ANSWERED;
    case SearchKey::Kind::kUndeleted: return v1::SYSTEM_FLAG_DELETED;
    case SearchKey::Kind::kUndraft: return v1::SYSTEM_FLAG_DRAFT;
    case SearchKey::Kind::kUnflagged: return v1::SYSTEM_FLAG_FLAGGED;
    case SearchKey::Kind::kUnseen: return v1::SYSTEM_FLAG_SEEN;
    default: return 0;
  }
}

// Whether `key` tests only what the session's view holds: system flags, sequence numbers,
// UIDs (keywords, dates, sizes and texts go to the store).
bool ViewOnly(const SearchKey& key) {
  bool set = false;
  switch (key.kind) {
    case SearchKey::Kind::kAll:
    case SearchKey::Kind::kOld:
    case SearchKey::Kind::kNew:
    case SearchKey::Kind::kRecent:
    case SearchKey::Kind::kSequenceSet:
    case SearchKey::Kind::kUid:
      return true;
    case SearchKey::Kind::kAnd:
    case SearchKey::Kind::kOr:
    case SearchKey::Kind::kNot:
      return !key.children.empty() && std::all_of(key.children.begin(), key.children.end(),
                                                  [](const SearchKey& k) { return ViewOnly(k); });
    default:
      return FlagTest(key.kind, &set) != 0;
  }
}

}  // namespace

std::optional<std::vector<uint32_t>> Session::SearchView(const SearchKey& key) const {
  const std::vector<uint32_t>& all = view_.all_uids();
  std::vector<uint32_t> out;
  switch (key.kind) {
    case SearchKey::Kind::kAll:
    case SearchKey::Kind::kOld:
      return all;
    case SearchKey::Kind::kNew:
    case SearchKey::Kind::kRecent:
      return out;  // nothing is recent here (see ConvertSearchKey)
    case SearchKey::Kind::kSequenceSet:
      return view_.UidsForSequences(key.set);
    case SearchKey::Kind::kUid:
      return view_.UidsForUidSet(key.set);
    case SearchKey::Kind::kAnd:
    case SearchKey::Kind::kOr: {
      const bool is_and = key.kind == SearchKey::Kind::kAnd;
      if (is_and) out = all;
      for (const SearchKey& child : key.children) {
        std::optional<std::vector<uint32_t>> part = SearchView(child);
        if (!part) return std::nullopt;
        std::vector<uint32_t> merged;
        if (is_and) {
          std::set_intersection(out.begin(), out.end(), part->begin(), part->end(),
                                std::back_inserter(merged));
        } else {
          std::set_union(out.begin(), out.end(), part->begin(), part->end(),
                         std::back_inserter(merged));
        }
        out = std::move(merged);
      }
      return out;
    }
    case SearchKey::Kind::kNot: {
      std::optional<std::vector<uint32_t>> part = SearchView(key.children[0]);
      if (!part) return std::nullopt;
      std::set_difference(all.begin(), all.end(), part->begin(), part->end(),
                          std::back_inserter(out));
      return out;
    }
    default:
      break;
  }
  bool set = false;
  const uint32_t flag = FlagTest(key.kind, &set);
  for (uint32_t uid : all) {
    const v1::Flags* flags = view_.FlagsOf(uid);
    if (flags != nullptr && ((flags->system() & flag) != 0) == set) out.push_back(uid);
  }
  return out;
}

// Converts one key; returns false for a sequence set beyond the mailbox (BAD).
bool Session::ConvertSearchKey(const SearchKey& key, v1::SearchKey* out) const {
  switch (key.kind) {
    case SearchKey::Kind::kAll:
    case SearchKey::Kind::kOld:
      out->set_all(true);
      return true;
    case SearchKey::Kind::kRecent:
    case SearchKey::Kind::kNew:
      // No \Recent in this server (RFC 9051 removed it): nothing is recent.
      out->mutable_not_()->set_all(true);
      return true;
    case SearchKey::Kind::kAnswered: SetFlag(out->mutable_has_flags(), v1::SYSTEM_FLAG_ANSWERED); return true;
    case SearchKey::Kind::kDeleted: SetFlag(out->mutable_has_flags(), v1::SYSTEM_FLAG_DELETED); return true;
    case SearchKey::Kind::kDraft: SetFlag(out->mutable_has_flags(), v1::SYSTEM_FLAG_DRAFT); return true;
    case SearchKey::Kind::kFlagged: SetFlag(out->mutable_has_flags(), v1::SYSTEM_FLAG_FLAGGED); return true;
    case SearchKey::Kind::kSeen: SetFlag(out->mutable_has_flags(), v1::SYSTEM_FLAG_SEEN); return true;
    case SearchKey::Kind::kUnanswered: SetFlag(out->mutable_lacks_flags(), v1::SYSTEM_FLAG_ANSWERED); return true;
    case SearchKey::Kind::kUndeleted: SetFlag(out->mutable_lacks_flags(), v1::SYSTEM_FLAG_DELETED); return true;
    case SearchKey::Kind::kUndraft: SetFlag(out->mutable_lacks_flags(), v1::SYSTEM_FLAG_DRAFT); return true;
    case SearchKey::Kind::kUnflagged: SetFlag(out->mutable_lacks_flags(), v1::SYSTEM_FLAG_FLAGGED); return true;
    case SearchKey::Kind::kUnseen: SetFlag(out->mutable_lacks_flags(), v1::SYSTEM_FLAG_SEEN); return true;
    case SearchKey::Kind::kKeyword: out->mutable_has_flags()->add_keywords(key.value); return true;
    case SearchKey::Kind::kUnkeyword: out->mutable_lacks_flags()->add_keywords(key.value); return true;
    case SearchKey::Kind::kBcc:
    case SearchKey::Kind::kCc:
    case SearchKey::Kind::kFrom:
    case SearchKey::Kind::kSubject:
    case SearchKey::Kind::kTo: {
      const char* field = key.kind == SearchKey::Kind::kBcc   ? "Bcc"
                          : key.kind == SearchKey::Kind::kCc  ? "Cc"
                          : key.kind == SearchKey::Kind::kFrom ? "From"
                          : key.kind == SearchKey::Kind::kTo  ? "To"
                                                              : "Subject";
      out->mutable_header()->set_field(field);
      out->mutable_header()->set_value(key.value);
      return true;
    }
    case SearchKey::Kind::kHeader:
      out->mutable_header()->set_field(key.field);
      out->mutable_header()->set_value(key.value);
      return true;
    case SearchKey::Kind::kBody: out->set_body(key.value); return true;
    case SearchKey::Kind::kText: out->set_text(key.value); return true;
    case SearchKey::Kind::kBefore: *out->mutable_before() = DayStart(key.date); return true;
    case SearchKey::Kind::kSince: *out->mutable_since() = DayStart(key.date); return true;
    case SearchKey::Kind::kSentBefore: *out->mutable_sent_before() = DayStart(key.date); return true;
    case SearchKey::Kind::kSentSince: *out->mutable_sent_since() = DayStart(key.date); return true;
    case SearchKey::Kind::kOn:
    case SearchKey::Kind::kSentOn: {
      // ON d = SINCE d and BEFORE d+1.
      const bool sent = key.kind == SearchKey::Kind::kSentOn;
      v1::SearchKeys* both = out->mutable_and_();
      v1::SearchKey* since = both->add_keys();
      v1::SearchKey* before = both->add_keys();
      *(sent ? since->mutable_sent_since() : since->mutable_since()) = DayStart(key.date);
      *(sent ? before->mutable_sent_before() : before->mutable_before()) =
          DayStart(key.date + 1);
      return true;
    }
    case SearchKey::Kind::kLarger: out->set_larger(key.number); return true;
    case SearchKey::Kind::kSmaller: out->set_smaller(key.number); return true;
    case SearchKey::Kind::kModSeq: out->set_modseq(key.number); return true;
    case SearchKey::Kind::kSequenceSet:
    case SearchKey::Kind::kUid: {
      std::vector<uint32_t> uids;
      if (key.kind == SearchKey::Kind::kUid) {
        uids = view_.UidsForUidSet(key.set);
      } else {
        std::optional<std::vector<uint32_t>> resolved = view_.UidsForSequences(key.set);
        if (!resolved) return false;
        uids = *std::move(resolved);
      }
      *out->mutable_uids() = view_.ToUidSet(uids);
      if (uids.empty()) {
        // An empty set matches nothing (an empty UidSet would mean "no restriction").
        out->mutable_not_()->set_all(true);
      }
      return true;
    }
    case SearchKey::Kind::kAnd:
    case SearchKey::Kind::kOr: {
      v1::SearchKeys* list =
          key.kind == SearchKey::Kind::kAnd ? out->mutable_and_() : out->mutable_or_();
      for (const SearchKey& child : key.children) {
        if (!ConvertSearchKey(child, list->add_keys())) return false;
      }
      return true;
    }
    case SearchKey::Kind::kNot:
      if (key.children.empty()) return false;
      return ConvertSearchKey(key.children[0], out->mutable_not_());
  }
  return false;
}

asio::awaitable<void> Session::CmdSearch(const Command& c) {
  const bool uid_command = c.name == "UID SEARCH";
  absl::StatusOr<SearchArgs> args = ParseSearchArgs(c.args);
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  if (args->charset && *args->charset != "US-ASCII" && *args->charset != "UTF-8") {
    co_return Tagged(c.tag, StatusKind::kNo, code::BadCharset({"US-ASCII", "UTF-8"}),
                     "Unsupported charset");
  }
  // Only messages the client knows of (new ones are announced after this command).
  std::vector<uint32_t> uids;
  bool from_view = ViewOnly(args->key);
  if (from_view) from_view = co_await ViewIsCurrent();
  if (from_view) {
    // Flags, sequence numbers and UIDs only (SEARCH UNSEEN, DELETED, 1:5 ...): searched in the
    // view, once the flags changed elsewhere are fetched (and told: untagged FETCH may come
    // during SEARCH, RFC 9051 §7.5.1). Messages expunged meanwhile are left out, as the store
    // would.
    if (absl::Status s = co_await FetchChangedFlags(view_.TakeFlagsPending(), /*tell=*/true);
        !s.ok()) {
      co_return StoreError(c.tag, s, c.name);
    }
    std::optional<std::vector<uint32_t>> found = SearchView(args->key);
    if (!found) co_return Bad(c.tag, "Invalid message sequence number");
    // Messages a resync just added have no sequence number for the client yet.
    for (uint32_t uid : *found) {
      if (!view_.IsExpungePending(uid) && view_.SeqOf(uid) <= view_.announced_exists()) {
        uids.push_back(uid);
      }
    }
  } else {
    v1::SearchMessagesRequest request;
    request.set_user_id(user_id_);
    request.set_mailbox_id(view_.mailbox_id());
    if (!ConvertSearchKey(args->key, request.add_keys())) {
      co_return Bad(c.tag, "Invalid message sequence number");
    }
    absl::StatusOr<v1::SearchMessagesResponse> r =
        co_await context_.store.SearchMessages(std::move(request));
    if (!r.ok()) {
      if (absl::IsInvalidArgument(r.status())) co_return Bad(c.tag, r.status().message());
      co_return StoreError(c.tag, r.status(), c.name);
    }
    for (uint32_t uid : r->uids()) {
      if (view_.SeqOf(uid) != 0) uids.push_back(uid);
    }
    std::sort(uids.begin(), uids.end());
  }
  std::vector<uint32_t> numbers;
  for (uint32_t uid : uids) numbers.push_back(uid_command ? uid : view_.SeqOf(uid));

  SearchReturn ret = args->ret;
  const bool esearch = args->has_return || rev2_;
  if (esearch && !ret.min && !ret.max && !ret.count && !ret.save) ret.all = true;
  if (!esearch) {
    std::string line = "SEARCH";
    for (uint32_t n : numbers) absl::StrAppend(&line, " ", n);
    Untagged(line);
    co_return Tagged(c.tag, StatusKind::kOk, "", "SEARCH completed");
  }
  if (ret.save) {
    // RFC 5182 §2.4: with MIN or MAX alone only those are saved.
    std::vector<uint32_t> saved;
    if ((ret.min || ret.max) && !ret.all && !ret.count) {
      if (!uids.empty() && ret.min) saved.push_back(uids.front());
      if (!uids.empty() && ret.max && (saved.empty() || saved[0] != uids.back())) {
        saved.push_back(uids.back());
      }
    } else {
      saved = uids;
    }
    view_.SaveResult(std::move(saved));
  }
  if (ret.save && !ret.min && !ret.max && !ret.all && !ret.count) {
    co_return Tagged(c.tag, StatusKind::kOk, "", "SEARCH completed, result saved");
  }
  ResponseBuilder b;
  b.Raw("ESEARCH (TAG ").String(c.tag).Raw(")");
  if (uid_command) b.Atom("UID");
  if (ret.min && !numbers.empty()) b.Atom("MIN").Number(numbers.front());
  if (ret.max && !numbers.empty()) b.Atom("MAX").Number(numbers.back());
  if (ret.all && !numbers.empty()) b.Atom("ALL").Atom(RenderCompact(numbers));
  if (ret.count) b.Atom("COUNT").Number(numbers.size());
  Untagged(b.Take());
  Tagged(c.tag, StatusKind::kOk, "", "SEARCH completed");
}

}  // namespace mailroom::imap
