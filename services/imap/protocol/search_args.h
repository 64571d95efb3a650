// SEARCH / UID SEARCH arguments (RFC 9051 §6.4.4, RFC 4731 ESEARCH RETURN options,
// RFC 5182 SEARCHRES, RFC 7162 §3.1.5 MODSEQ) parsed into a SearchKey tree. The protocol
// layer knows no protobuf: the session converts this tree for the store.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_SEARCH_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_SEARCH_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/imap/protocol/sequence_set.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct SearchKey {
  enum class Kind {
    // No argument.
    kAll, kAnswered, kDeleted, kDraft, kFlagged, kNew, kOld, kRecent, kSeen,
    kUnanswered, kUndeleted, kUndraft, kUnflagged, kUnseen,
    // `value` is a flag keyword.
    kKeyword, kUnkeyword,
    // `value` is the string to find (substring, case-insensitive per RFC 9051 §6.4.4).
    kBcc, kBody, kCc, kFrom, kSubject, kText, kTo,
    // `field` is the header name, `value` the string (may be empty: header present).
    kHeader,
    // `date` (internal date for BEFORE/ON/SINCE, Date: header for SENT*).
    kBefore, kOn, kSince, kSentBefore, kSentOn, kSentSince,
    // `number` is an octet count.
    kLarger, kSmaller,
    // `number` is a mod-sequence (0 allowed); `field`/`value` hold the optional entry name
    // and entry type (RFC 7162 §3.1.5).
    kModSeq,
    // `set` is a message sequence set (kSequenceSet) or UID set (kUid); may be `$`.
    kSequenceSet, kUid,
    // `children`: all must match (parenthesised list or the top level), either of two, not.
    kAnd, kOr, kNot,
  };
  Kind kind = Kind::kAll;
  std::string field;
  std::string value;
  absl::CivilDay date;
  uint64_t number = 0;
  SequenceSet set;
  std::vector<SearchKey> children;
};

// RFC 4731 / RFC 5182 RETURN options.
struct SearchReturn {
  bool min = false;
  bool max = false;
  bool all = false;
  bool count = false;
  bool save = false;
};

struct SearchArgs {
  bool has_return = false;  // RETURN given: answer with ESEARCH (`RETURN ()` means ALL)
  SearchReturn ret;
  std::optional<std::string> charset;  // upper-cased; the session answers NO [BADCHARSET]
  SearchKey key;                       // kAnd of the top-level keys
};

struct SearchLimits {
  int max_depth = 32;     // nesting of parentheses, NOT and OR
  size_t max_keys = 1000;
};

// Parses `[RETURN (opts)] [CHARSET name] key...`. Returns INVALID_ARGUMENT for unknown keys,
// missing or malformed arguments (dates `1-Feb-2026`, numbers, sequence sets), unknown RETURN
// options, or limits exceeded.
absl::StatusOr<SearchArgs> ParseSearchArgs(absl::Span<const Token> args,
                                           const SearchLimits& limits = {});

// Renders a key tree in IMAP syntax (for tests and logs).
std::string DebugString(const SearchKey& key);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_SEARCH_ARGS_H_
