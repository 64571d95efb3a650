// Helpers shared by the per-command argument parsers (`*_args.h`): a cursor over a command's
// argument tokens whose accessors return INVALID_ARGUMENT with a message fit for `tag BAD`,
// number and flag parsing (RFC 9051 §9).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_ARG_READER_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_ARG_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/imap/protocol/sequence_set.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

inline constexpr uint64_t kMaxNumber = UINT32_MAX;          // RFC 9051 `number`
inline constexpr uint64_t kMaxNumber64 = INT64_MAX;         // `number64`, `mod-sequence-value`

// Parses decimal digits into a number no larger than `max`. INVALID_ARGUMENT otherwise
// (empty, non-digit, overflow). `what` names the value in the error message.
absl::StatusOr<uint64_t> ParseNumber(absl::string_view text, uint64_t max,
                                     absl::string_view what);

// RFC 9051 §2.3.2 flag: a system flag (returned with canonical case, e.g. "\Seen") or a
// keyword atom. INVALID_ARGUMENT for unknown `\` flags, `\Recent` and non-atom characters.
absl::StatusOr<std::string> ParseFlag(const Token& token);
// A flag list `(f1 f2)`; with `allow_single`, also one bare flag (STORE, RFC 9051 §6.4.6).
absl::StatusOr<std::vector<std::string>> ParseFlagList(const Token& token, bool allow_single,
                                                       size_t max_flags = 1000);

class ArgReader {
 public:
  explicit ArgReader(absl::Span<const Token> args) : args_(args) {}

  bool AtEnd() const { return pos_ >= args_.size(); }
  // The next token, or nullptr at the end.
  const Token* Peek() const { return AtEnd() ? nullptr : &args_[pos_]; }
  // Consumes the next token if it is the atom `word` (case-insensitive); returns whether it was.
  bool ConsumeAtom(absl::string_view word);

  // Each accessor consumes one token. INVALID_ARGUMENT "Missing <what>" at the end, or
  // "Invalid <what>" when the token has the wrong type.
  absl::StatusOr<const Token*> Any(absl::string_view what);
  absl::StatusOr<std::string> Atom(absl::string_view what);
  absl::StatusOr<std::string> Astring(absl::string_view what);
  absl::StatusOr<std::string> String(absl::string_view what);
  absl::StatusOr<const Token*> List(absl::string_view what);
  absl::StatusOr<uint64_t> Number(absl::string_view what, uint64_t max = kMaxNumber);
  absl::StatusOr<uint64_t> NzNumber(absl::string_view what, uint64_t max = kMaxNumber);
  absl::StatusOr<SequenceSet> Sequence(absl::string_view what);
  // OK at the end of the arguments, else INVALID_ARGUMENT "Unexpected arguments".
  absl::Status End() const;

 private:
  absl::Span<const Token> args_;
  size_t pos_ = 0;
};

// A non-streamed literal or quoted or atom token as text; INVALID_ARGUMENT otherwise.
absl::StatusOr<std::string> AstringValue(const Token& token, absl::string_view what);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_ARG_READER_H_
