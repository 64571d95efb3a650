// FETCH / UID FETCH arguments (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 CONDSTORE/QRESYNC).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_FETCH_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_FETCH_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/sequence_set.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

enum class FetchAttr {
  kFlags,
  kInternalDate,
  kRfc822Size,
  kEnvelope,
  kBody,           // BODY without a section: non-extensible BODYSTRUCTURE
  kBodyStructure,
  kUid,
  kModSeq,         // RFC 7162 §3.1.4.1
  kBodySection,    // BODY[section]<partial> and BODY.PEEK[...]
  kBinary,         // BINARY[part]<partial> and BINARY.PEEK[...] (RFC 3516)
  kBinarySize,     // BINARY.SIZE[part]
  kRfc822,         // = BODY[]       (sets \Seen)
  kRfc822Header,   // = BODY.PEEK[HEADER]
  kRfc822Text,     // = BODY[TEXT]   (sets \Seen)
};

// RFC 9051 §6.4.5 section-spec: `1.2.HEADER.FIELDS (From To)`. An empty `part` means the
// whole message; kNone with a part means that part's body.
struct SectionSpec {
  enum class Text { kNone, kHeader, kHeaderFields, kHeaderFieldsNot, kText, kMime };
  std::vector<uint32_t> part;
  Text text = Text::kNone;
  std::vector<std::string> fields;  // HEADER.FIELDS[.NOT], as the client wrote them
  friend bool operator==(const SectionSpec&, const SectionSpec&) = default;
};

struct Partial {
  uint64_t offset = 0;
  uint64_t length = 0;  // > 0
  friend bool operator==(const Partial&, const Partial&) = default;
};

struct FetchItem {
  FetchAttr attr = FetchAttr::kFlags;
  bool peek = false;  // BODY.PEEK / BINARY.PEEK: do not set \Seen
  SectionSpec section;
  std::optional<Partial> partial;
  friend bool operator==(const FetchItem&, const FetchItem&) = default;
};

struct FetchArgs {
  SequenceSet set;
  std::vector<FetchItem> items;           // macros expanded; UID/MODSEQ added when implied
  std::optional<uint64_t> changed_since;  // CHANGEDSINCE (RFC 7162 §3.1.4.1)
  bool vanished = false;                  // VANISHED (RFC 7162 §3.2.6), UID FETCH only
};

// Parses `sequence-set (items...) [(modifiers)]` or a single item or macro (ALL, FAST, FULL).
// `uid` is true for UID FETCH: the UID item is then added (RFC 9051 §6.4.9), as is MODSEQ when
// CHANGEDSINCE is given. Returns INVALID_ARGUMENT for anything malformed, an unknown item,
// VANISHED without CHANGEDSINCE or outside UID FETCH, or more than `max_items` items.
absl::StatusOr<FetchArgs> ParseFetchArgs(absl::Span<const Token> args, bool uid,
                                         size_t max_items = 200);

// Parses one fetch item written as an atom ("BODY.PEEK[1.HEADER]<0.100>"); INVALID_ARGUMENT
// when malformed. Macros are not items.
absl::StatusOr<FetchItem> ParseFetchItem(absl::string_view text);

// The section as written inside brackets ("1.2.HEADER.FIELDS (From To)"), for responses.
std::string RenderSection(const SectionSpec& section);
// The item's name in a FETCH response: "FLAGS", "BODY[1.TEXT]<0>", "BINARY.SIZE[2]" ...
// (PEEK is dropped and a partial shows only its origin, RFC 9051 §7.5.2).
std::string ResponseItemName(const FetchItem& item);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_FETCH_ARGS_H_
