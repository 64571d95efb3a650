// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9; RFC 3516 BINARY): message attributes from
// the store's FetchMessages stream (FLAGS and UID alone from the session's view, see
// FetchFlagsFromView), and the implicit \Seen of non-PEEK body fetches. The
// whole message, its header and its text come with that stream for messages up to
// SessionConfig::fetch_inline_body_bytes (one store call for the whole command); other body
// sections, and the bytes of larger messages, are read with ReadMessage one at a time.
#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/imap/protocol/fetch_args.h"
#include "services/imap/protocol/message_writer.h"
#include "services/imap/session/convert.h"
#include "services/imap/session/session.h"

namespace mailroom::imap {
namespace {

bool NeedsBytes(FetchAttr a) {
  return a == FetchAttr::kBodySection || a == FetchAttr::kBinary ||
         a == FetchAttr::kBinarySize || a == FetchAttr::kRfc822 ||
         a == FetchAttr::kRfc822Header || a == FetchAttr::kRfc822Text;
}

bool SetsSeen(const FetchItem& item) {
  switch (item.attr) {
    case FetchAttr::kRfc822:
    case FetchAttr::kRfc822Text:
      return true;
    case FetchAttr::kBodySection:
    case FetchAttr::kBinary:
      return !item.peek;
    default:
      return false;
  }
}

// Where a byte item's data comes from: the FetchMessages stream (the raw message, its header
// block, or the message after that block; top level only) or a ReadMessage call.
enum class ByteSource { kRead, kMessage, kHeader, kText };

ByteSource SourceOf(const FetchItem& item) {
  switch (item.attr) {
    case FetchAttr::kRfc822: return ByteSource::kMessage;
    case FetchAttr::kRfc822Header: return ByteSource::kHeader;
    case FetchAttr::kRfc822Text: return ByteSource::kText;
    case FetchAttr::kBodySection:
      if (!item.section.part.empty()) return ByteSource::kRead;
      switch (item.section.text) {
        case SectionSpec::Text::kNone: return ByteSource::kMessage;
        case SectionSpec::Text::kHeader:
        case SectionSpec::Text::kHeaderFields:
        case SectionSpec::Text::kHeaderFieldsNot: return ByteSource::kHeader;
        case SectionSpec::Text::kText: return ByteSource::kText;
        case SectionSpec::Text::kMime: return ByteSource::kRead;
      }
      return ByteSource::kRead;
    default:
      return ByteSource::kRead;
  }
}

// The bytes of `item` when the FetchMessages stream brought them (nullopt: ReadMessage them),
// before HEADER.FIELDS filtering and partial cutting.
std::optional<std::string> StreamedBytes(const FetchItem& item, const v1::FetchedMessage& m) {
  switch (SourceOf(item)) {
    case ByteSource::kHeader:
      return m.header();
    case ByteSource::kMessage:
      if (m.body().empty()) return std::nullopt;  // too large to come inline
      return m.body();
    case ByteSource::kText:
      if (m.body().empty()) return std::nullopt;
      return m.body().substr(std::min(m.header().size(), m.body().size()));
    case ByteSource::kRead:
      break;
  }
  return std::nullopt;
}

// HEADER.FIELDS[.NOT] filtering, then the partial range (RFC 9051 §6.4.5), of bytes the store
// did not cut.
std::string CutSection(const FetchItem& item, std::string data) {
  const SectionSpec::Text text = item.section.text;
  if (item.attr == FetchAttr::kBodySection && (text == SectionSpec::Text::kHeaderFields ||
                                               text == SectionSpec::Text::kHeaderFieldsNot)) {
    data = FilterHeaderFields(data, item.section.fields,
                              text == SectionSpec::Text::kHeaderFieldsNot);
  }
  if (item.partial) {
    data = item.partial->offset >= data.size()
               ? std::string()
               : data.substr(item.partial->offset, item.partial->length);
  }
  return data;
}

// The ReadMessage request for a byte item; `local_filter` is set for HEADER.FIELDS[.NOT],
// which is cut from the header block here.
v1::ReadMessageRequest SectionRequest(const FetchItem& item, bool* local_filter) {
  v1::ReadMessageRequest r;
  *local_filter = false;
  switch (item.attr) {
    case FetchAttr::kRfc822Header:
      r.set_section(v1::ReadMessageRequest::SECTION_HEADER);
      return r;
    case FetchAttr::kRfc822Text:
      r.set_section(v1::ReadMessageRequest::SECTION_TEXT);
      return r;
    case FetchAttr::kRfc822:
      return r;
    default:
      break;
  }
  for (uint32_t p : item.section.part) r.add_part_path(p);
  switch (item.section.text) {
    case SectionSpec::Text::kHeader:
      r.set_section(v1::ReadMessageRequest::SECTION_HEADER);
      break;
    case SectionSpec::Text::kHeaderFields:
    case SectionSpec::Text::kHeaderFieldsNot:
      r.set_section(v1::ReadMessageRequest::SECTION_HEADER);
      *local_filter = true;
      break;
    case SectionSpec::Text::kText:
      r.set_section(v1::ReadMessageRequest::SECTION_TEXT);
      break;
    case SectionSpec::Text::kMime:
      r.set_section(v1::ReadMessageRequest::SECTION_MIME);
      break;
    case SectionSpec::Text::kNone:
      break;
  }
  if (item.attr == FetchAttr::kBinary || item.attr == FetchAttr::kBinarySize) {
    r.set_decode(true);
  }
  if (item.partial && !*local_filter && item.attr != FetchAttr::kBinarySize) {
    r.set_offset(item.partial->offset);
    r.set_length(item.partial->length);
  }
  if (item.attr == FetchAttr::kBinarySize) r.set_length(1);
  return r;
}

}  // namespace

asio::awaitable<void> Session::CmdFetch(const Command& c) {
  const bool uid_command = c.name == "UID FETCH";
  absl::StatusOr<FetchArgs> args = ParseFetchArgs(c.args, uid_command);
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  if (args->changed_since || args->vanished) {
    co_return Bad(c.tag, "CHANGEDSINCE needs CONDSTORE, which is not supported");
  }
  std::vector<uint32_t> uids;
  if (uid_command) {
    uids = view_.UidsForUidSet(args->set);
  } else {
    std::optional<std::vector<uint32_t>> resolved = view_.UidsForSequences(args->set);
    if (!resolved) co_return Bad(c.tag, "Invalid message sequence number");
    uids = *std::move(resolved);
  }
  if (uids.empty()) co_return Tagged(c.tag, StatusKind::kOk, "", "FETCH completed");

  v1::FetchAttributes attrs;
  bool sets_seen = false;
  bool wants_flags = false;
  for (const FetchItem& item : args->items) {
    switch (item.attr) {
      case FetchAttr::kFlags: attrs.set_flags(true); wants_flags = true; break;
      case FetchAttr::kInternalDate: attrs.set_internal_date(true); break;
      case FetchAttr::kRfc822Size: attrs.set_size(true); break;
      case FetchAttr::kEnvelope: attrs.set_envelope(true); break;
      case FetchAttr::kBody:
      case FetchAttr::kBodyStructure: attrs.set_body_structure(true); break;
      case FetchAttr::kModSeq:
        co_return Bad(c.tag, "MODSEQ needs CONDSTORE, which is not supported");
      default: break;
    }
    const ByteSource source = NeedsBytes(item.attr) ? SourceOf(item) : ByteSource::kRead;
    if (source == ByteSource::kHeader || source == ByteSource::kText) attrs.set_header(true);
    if (source == ByteSource::kMessage || source == ByteSource::kText) {
      attrs.set_body(true);
      attrs.set_body_max_size(config_.fetch_inline_body_bytes);
    }
    sets_seen = sets_seen || SetsSeen(item);
  }

  // RFC 9051 §6.4.5: BODY[...] (not PEEK) sets \Seen; the new flags go out with the data.
  std::vector<uint32_t> newly_seen;
  if (sets_seen && !read_only_) {
    for (uint32_t uid : uids) {
      const v1::Flags* f = view_.FlagsOf(uid);
      if (f != nullptr && (f->system() & v1::SYSTEM_FLAG_SEEN) == 0) newly_seen.push_back(uid);
    }
    if (!newly_seen.empty()) {
      v1::StoreFlagsRequest store;
      store.set_user_id(user_id_);
      store.set_mailbox_id(view_.mailbox_id());
      *store.mutable_uids() = view_.ToUidSet(newly_seen);
      store.set_mode(v1::StoreFlagsRequest::MODE_ADD);
      store.mutable_flags()->set_system(v1::SYSTEM_FLAG_SEEN);
      absl::StatusOr<v1::StoreFlagsResponse> stored =
          co_await context_.store.StoreFlags(std::move(store));
      if (!stored.ok()) co_return StoreError(c.tag, stored.status(), "FETCH");
      std::vector<uint32_t> changed;
      for (const v1::MessageSummary& m : stored->updated()) {
        view_.UpdateFlags(m.uid(), m.flags());
        changed.push_back(m.uid());
      }
      if (!changed.empty()) view_.NoteOwnChange(stored->highestmodseq(), changed);
      attrs.set_flags(true);
    }
  }

  const bool flags_only =
      !sets_seen && std::all_of(args->items.begin(), args->items.end(), [](const FetchItem& i) {
        return i.attr == FetchAttr::kFlags || i.attr == FetchAttr::kUid;
      });
  bool from_view = flags_only;
  if (from_view) from_view = co_await ViewIsCurrent();
  if (from_view) co_return co_await FetchFlagsFromView(c.tag, *args, uids);

  v1::FetchMessagesRequest request;
  request.set_user_id(user_id_);
  request.set_mailbox_id(view_.mailbox_id());
  *request.mutable_uids() = view_.ToUidSet(uids);
  *request.mutable_attributes() = attrs;
  store_client::FetchReader reader = context_.store.StartFetchMessages(std::move(request));
  size_t answered = 0;
  while (true) {
    absl::StatusOr<std::optional<v1::FetchMessagesResponse>> batch = co_await reader.Next();
    if (!batch.ok()) co_return StoreError(c.tag, batch.status(), "FETCH");
    if (!batch->has_value()) break;
    for (const v1::FetchedMessage& m : (*batch)->messages()) {
      const uint32_t seq = view_.SeqOf(m.uid());
      if (seq == 0 || !std::binary_search(uids.begin(), uids.end(), m.uid())) continue;
      ++answered;
      const bool add_flags =
          !wants_flags && std::binary_search(newly_seen.begin(), newly_seen.end(), m.uid());
      // Only flags the client is told of go into the cache: otherwise a change made by
      // another session would be cached here unsaid, and never announced afterwards.
      if (wants_flags || add_flags) view_.UpdateFlags(m.uid(), m.flags());
      ResponseBuilder b(utf8());
      b.Raw(absl::StrCat("* ", seq, " FETCH")).Open();
      for (const FetchItem& item : args->items) {
        switch (item.attr) {
          case FetchAttr::kUid: b.Atom("UID").Number(m.uid()); break;
          case FetchAttr::kFlags: b.Atom("FLAGS").Atom(FlagsList(m.flags())); break;
          case FetchAttr::kInternalDate:
            b.Atom("INTERNALDATE")
                .DateTime(absl::FromUnixSeconds(m.internal_date().seconds()), 0);
            break;
          case FetchAttr::kRfc822Size: b.Atom("RFC822.SIZE").Number(m.size()); break;
          case FetchAttr::kEnvelope:
            b.Atom("ENVELOPE");
            WriteEnvelope(EnvelopeFromProto(m.envelope()), b);
            break;
          case FetchAttr::kBody:
          case FetchAttr::kBodyStructure:
            b.Atom(item.attr == FetchAttr::kBody ? "BODY" : "BODYSTRUCTURE");
            WriteBodyStructure(BodyPartFromProto(m.body_structure()),
                               item.attr == FetchAttr::kBodyStructure, b);
            break;
          default:
            break;
        }
        if (!NeedsBytes(item.attr)) continue;
        if (std::optional<std::string> streamed = StreamedBytes(item, m)) {
          b.Atom(ResponseItemName(item));
          b.Literal(CutSection(item, *std::move(streamed)));
          continue;
        }
        bool local_filter = false;
        v1::ReadMessageRequest read = SectionRequest(item, &local_filter);
        read.set_user_id(user_id_);
        read.set_mailbox_id(view_.mailbox_id());
        read.set_uid(m.uid());
        absl::StatusOr<store_client::MessageBytes> bytes =
            co_await context_.store.ReadMessage(std::move(read));
        b.Atom(ResponseItemName(item));
        if (!bytes.ok()) {
          if (!absl::IsNotFound(bytes.status())) co_return StoreError(c.tag, bytes.status(), "FETCH");
          // A part the message does not have.
          if (item.attr == FetchAttr::kBinarySize) {
            b.Number(0);
          } else {
            b.Nil();
          }
          continue;
        }
        if (item.attr == FetchAttr::kBinarySize) {
          b.Number(bytes->total_size);
          continue;
        }
        std::string data = std::move(bytes->data);
        if (local_filter) data = CutSection(item, std::move(data));
        if (item.attr == FetchAttr::kBinary) {
          b.Binary(data);
        } else {
          b.Literal(data);
        }
      }
      if (add_flags) b.Atom("FLAGS").Atom(FlagsList(m.flags()));
      b.Close().EndLine();
      Append(b.str());
      if (!co_await MaybeFlush()) co_return;
    }
  }
  if (answered < uids.size()) {
    // Some messages were expunged by another session and not yet announced (RFC 5530).
    co_return Tagged(c.tag, StatusKind::kNo, code::kExpungeIssued,
                     "Some of the requested messages no longer exist");
  }
  Tagged(c.tag, StatusKind::kOk, "", "FETCH completed");
}

// FETCH of FLAGS and UID only (a client's "FETCH 1:* (FLAGS)" resynchronizing) is answered
// from the view, whose flags are what the client was told, kept current by the Watch stream:
// the messages among `uids` changed elsewhere and not yet told are fetched from the store
// first (and told with this response); the others cost no store call. Messages expunged
// elsewhere and not yet announced are answered as the store path answers them: left out,
// with NO [EXPUNGEISSUED].
asio::awaitable<void> Session::FetchFlagsFromView(const std::string& tag, const FetchArgs& args,
                                                  const std::vector<uint32_t>& uids) {
  if (absl::Status s = co_await FetchChangedFlags(view_.TakeFlagsPending(uids), /*tell=*/false);
      !s.ok()) {
    co_return StoreError(tag, s, "FETCH");
  }
  bool expunged = false;
  for (uint32_t uid : uids) {
    const uint32_t seq = view_.SeqOf(uid);
    const v1::Flags* flags = view_.FlagsOf(uid);
    if (seq == 0 || flags == nullptr || view_.IsExpungePending(uid)) {
      expunged = true;
      continue;
    }
    ResponseBuilder b(utf8());
    b.Raw(absl::StrCat("* ", seq, " FETCH")).Open();
    for (const FetchItem& item : args.items) {
      if (item.attr == FetchAttr::kUid) {
        b.Atom("UID").Number(uid);
      } else {
        b.Atom("FLAGS").Atom(FlagsList(*flags));
      }
    }
    b.Close().EndLine();
    Append(b.str());
    if (!co_await MaybeFlush()) co_return;
  }
  if (expunged) {
    co_return Tagged(tag, StatusKind::kNo, code::kExpungeIssued,
                     "Some of the requested messages no longer exist");
  }
  Tagged(tag, StatusKind::kOk, "", "FETCH completed");
}

}  // namespace mailroom::imap
